//! What every request can reach: the registry, the server's settings, uploads waiting for
//! confirmation, and the cached estimate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::Store;

/// Settings of the web app.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set this when the app is served over TLS, directly or behind a
    /// proxy). Requests forwarded with `X-Forwarded-Proto: https` get it regardless.
    pub secure_cookies: bool,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// How long a login session lasts, in hours.
    pub session_hours: i64,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: false,
            max_upload_bytes: 20 * 1024 * 1024,
            session_hours: 12,
        }
    }
}

/// An uploaded list checked and shown for preview, waiting for the user to confirm it.
#[derive(Debug, Clone)]
pub(crate) struct PendingUpload {
    pub(crate) login: String,
    pub(crate) file_name: String,
    pub(crate) bytes: Arc<Vec<u8>>,
    pub(crate) created: Instant,
}

/// A computed estimate, kept until the registry's persons change.
#[derive(Debug, Clone)]
pub(crate) struct CachedEstimate {
    pub(crate) key: String,
    pub(crate) outcome: Result<Arc<estimate::report::Report>, String>,
}

/// Shared by every request.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) config: Arc<WebConfig>,
    pub(crate) uploads: Arc<Mutex<HashMap<String, PendingUpload>>>,
    pub(crate) estimate: Arc<tokio::sync::Mutex<Option<CachedEstimate>>>,
    /// Held while a linkage run writes, so two runs never overlap.
    pub(crate) linking: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub(crate) fn new(store: Arc<Store>, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            uploads: Arc::default(),
            estimate: Arc::default(),
            linking: Arc::default(),
        }
    }
}
