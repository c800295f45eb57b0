//! Files the pages need, built into the binary and served from `/assets`: the stylesheet,
//! htmx, the page script (keyboard shortcuts, no inline script anywhere) and the Vazirmatn
//! font (SIL Open Font License, from its npm package). Nothing is loaded from another host.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        media_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/app.js"),
    },
    Asset {
        name: "htmx.min.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/htmx.min.js"),
    },
    Asset {
        name: "Vazirmatn-Regular.woff2",
        media_type: "font/woff2",
        bytes: include_bytes!("../assets/Vazirmatn-Regular.woff2"),
    },
    Asset {
        name: "Vazirmatn-Bold.woff2",
        media_type: "font/woff2",
        bytes: include_bytes!("../assets/Vazirmatn-Bold.woff2"),
    },
];

pub(crate) async fn serve(Path(name): Path<String>) -> Result<Response, WebError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.media_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        asset.bytes,
    )
        .into_response())
}
