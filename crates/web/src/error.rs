//! Errors of the web app and the responses they become: a page for people, JSON for the API.
//! Internal details (database errors, paths) are logged, never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use store::StoreError;

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebError {
    /// No such page or thing.
    #[error("not found")]
    NotFound,
    /// The account's role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    #[error("the form has expired or did not come from this site")]
    Csrf,
    /// The request cannot be carried out as sent; the message says why and what to do.
    #[error("{0}")]
    BadRequest(String),
    /// The upload is larger than allowed.
    #[error("the file is larger than the limit of {limit_mb} MB")]
    TooLarge {
        /// The limit in MB.
        limit_mb: usize,
    },
    /// The registry failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a page says of a failure of the server itself, whose details (paths, SQL) stay in the
/// log.
pub(crate) const SERVER_FAILED: &str = "the server failed to answer; the error is in its log";

impl WebError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Conflict(_) | StoreError::Invalid(_)) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a user may see: internal failures are reduced to a generic sentence.
    pub(crate) fn public_message(&self) -> String {
        match self {
            WebError::Store(StoreError::NotFound(m) | StoreError::Conflict(m))
            | WebError::Store(StoreError::Invalid(m)) => m.clone(),
            WebError::Store(_) | WebError::Internal(_) => SERVER_FAILED.to_string(),
            other => other.to_string(),
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %format!("{self:#}"), "request failed");
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        failure_answer(self.status(), &self.public_message(), Audience::People)
    }
}

/// Who a failure is answered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// A browser: the error page.
    People,
    /// An API client: `{"error": "..."}`.
    Api,
}

impl Audience {
    /// Who a request to `path` is answered as: the API under `/api/`, people elsewhere.
    pub(crate) fn of_path(path: &str) -> Audience {
        if path.starts_with("/api/") {
            Audience::Api
        } else {
            Audience::People
        }
    }
}

/// The app's one way of answering a failure: the error page, or the API's JSON, with `message`
/// (escaped by the page's template) and `status`.
pub(crate) fn failure_answer(status: StatusCode, message: &str, audience: Audience) -> Response {
    match audience {
        Audience::People => {
            let page = crate::views::ErrorPage::new(status, message);
            (status, Html(page.render_or_plain())).into_response()
        }
        Audience::Api => {
            let body = serde_json::json!({ "error": message });
            (status, axum::Json(body)).into_response()
        }
    }
}

/// An API error: the same causes, answered as `{"error": "..."}`.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(error: E) -> ApiError {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        failure_answer(self.0.status(), &self.0.public_message(), Audience::Api)
    }
}
