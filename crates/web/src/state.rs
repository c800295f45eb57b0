//! What every request can reach: the registry, the server's settings, uploads waiting for
//! confirmation, and the cached estimate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::Store;
use store::browse::{Facet, FacetCount};

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

/// A computed estimate, kept until the registry changes.
#[derive(Debug, Clone)]
pub(crate) struct CachedEstimate {
    /// The audit head the estimate was computed at.
    pub(crate) audit_head: i64,
    pub(crate) outcome: Result<Arc<estimate::report::Report>, String>,
}

/// Facet counts (persons per prison, city, month) as of an audit head: counting reads every
/// record, so counts are kept until the registry changes. The lock also makes concurrent
/// requests wait for one count instead of all counting at once.
#[derive(Debug, Default)]
pub(crate) struct FacetCache {
    pub(crate) counts: HashMap<(Facet, u32), (i64, Vec<FacetCount>)>,
}

/// Shared by every request.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) config: Arc<WebConfig>,
    pub(crate) uploads: Arc<Mutex<HashMap<String, PendingUpload>>>,
    pub(crate) estimate: Arc<tokio::sync::Mutex<Option<CachedEstimate>>>,
    pub(crate) facets: Arc<tokio::sync::Mutex<FacetCache>>,
    /// Held while a linkage run writes, so two runs never overlap.
    pub(crate) linking: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Persons per value of a facet, counted again only after the registry changed.
    pub(crate) async fn facet_counts(
        &self,
        facet: Facet,
        limit: u32,
    ) -> Result<Vec<FacetCount>, store::StoreError> {
        let head = self.store.audit_head().await?;
        let mut cache = self.facets.lock().await;
        if let Some((at, counts)) = cache.counts.get(&(facet, limit))
            && *at == head
        {
            return Ok(counts.clone());
        }
        let counts = self.store.facet_counts(facet, limit).await?;
        cache.counts.insert((facet, limit), (head, counts.clone()));
        Ok(counts)
    }

    pub(crate) fn new(store: Arc<Store>, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            uploads: Arc::default(),
            estimate: Arc::default(),
            facets: Arc::default(),
            linking: Arc::default(),
        }
    }
}
