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
    /// Password hashes and checks under way, one per core at most ([`crate::auth::password_work`]).
    pub(crate) password_checks: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Persons per value of each facet, in the order asked, counted again only after the
    /// registry changed. The audit head is read once for all of them: a search page asks for
    /// two facets, and each read is a round trip to the database thread.
    pub(crate) async fn facet_counts<const N: usize>(
        &self,
        facets: [Facet; N],
        limit: u32,
    ) -> Result<[Vec<FacetCount>; N], store::StoreError> {
        let head = self.store.audit_head().await?;
        let mut cache = self.facets.lock().await;
        let mut all: [Vec<FacetCount>; N] = std::array::from_fn(|_| Vec::new());
        for (facet, slot) in facets.into_iter().zip(&mut all) {
            *slot = match cache.counts.get(&(facet, limit)) {
                Some((at, counts)) if *at == head => counts.clone(),
                _ => {
                    let counts = self.store.facet_counts(facet, limit).await?;
                    cache.counts.insert((facet, limit), (head, counts.clone()));
                    counts
                }
            };
        }
        Ok(all)
    }

    pub(crate) fn new(store: Arc<Store>, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            uploads: Arc::default(),
            estimate: Arc::default(),
            facets: Arc::default(),
            linking: Arc::default(),
            password_checks: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from),
            )),
        }
    }
}
