//! The HTML pages, one module per part of the app. Handlers read what they show from the
//! store, turn it into the view models of [`crate::views`] and render them.

pub(crate) mod account;
pub(crate) mod audit;
pub(crate) mod dashboard;
pub(crate) mod import;
pub(crate) mod persons;
pub(crate) mod review;
pub(crate) mod sources;
pub(crate) mod statistics;

use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::views::Chrome;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// What a page handler needs about the request: the language, the account (if logged in)
/// and the path to come back to.
pub(crate) struct Ctx {
    pub(crate) lang: Lang,
    pub(crate) user: Option<CurrentUser>,
    pub(crate) back: String,
}

impl Ctx {
    pub(crate) fn chrome(&self) -> Chrome {
        Chrome::new(self.lang, self.user.as_ref(), &self.back)
    }

    /// The logged-in account; the route guard guarantees one on non-public routes.
    pub(crate) fn user(&self) -> Result<&CurrentUser, WebError> {
        self.user.as_ref().ok_or(WebError::Forbidden)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Ctx, WebError> {
        Ok(Ctx {
            lang: Lang::of_request(&parts.headers),
            user: parts.extensions.get::<CurrentUser>().cloned(),
            back: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".to_string()),
        })
    }
}

/// A form whose only field is the CSRF token (buttons that change something).
#[derive(serde::Deserialize)]
pub(crate) struct CsrfForm {
    /// Missing, it is refused as a wrong token (403), not as a malformed form.
    #[serde(default)]
    pub(crate) csrf: String,
}

/// Percent-encodes a string for a query parameter.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A path inside this site, or `/`: never a link to another host.
pub(crate) fn local_path(target: &str) -> String {
    // Browsers drop tabs and newlines inside URLs, so `/\t/host` would become `//host`.
    let is_local = target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && !target.chars().any(|c| c.is_control() || c.is_whitespace());
    if is_local {
        target.to_string()
    } else {
        "/".to_string()
    }
}

/// Reads a positive integer id from a path segment; anything else is a 404.
pub(crate) fn parse_id(text: &str) -> Result<i64, WebError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(WebError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/persons?q=a"), "/persons?q=a");
        assert_eq!(local_path("//evil.example/x"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("/\t/evil.example"), "/");
        assert_eq!(local_path("/\n/evil.example"), "/");
    }

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(parse_id("12").ok(), Some(12));
        assert!(parse_id("0").is_err());
        assert!(parse_id("x1").is_err());
        assert!(parse_id("99999999999999999999").is_err());
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            url_encode("/persons?q=محمد"),
            "%2Fpersons%3Fq%3D%D9%85%D8%AD%D9%85%D8%AF"
        );
    }
}
