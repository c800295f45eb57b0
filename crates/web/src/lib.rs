//! The web app: pages for investigators, analysts and reviewers in English and Persian, the
//! JSON API under `/api/v1` with its OpenAPI document, and the accounts, sessions and CSRF
//! protection around them.
//!
//! Every route is declared once in [`routes::table`] with the access it needs; the router is
//! built from that table, and a route without a rule cannot exist. Pages work without
//! JavaScript; htmx (served from `/assets`, like the Persian font and the styles) only makes
//! them smoother. Nothing is fetched from any other host.
//!
//! ```no_run
//! # async fn example(store: store::Store) -> anyhow::Result<()> {
//! let server = web::Server::bind(store, "127.0.0.1:8080".parse()?, web::WebConfig::default()).await?;
//! println!("listening on http://{}", server.addr());
//! server.run().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod api;
mod assets;
pub mod auth;
mod error;
mod i18n;
mod pages;
pub mod routes;
mod security;
mod state;
mod views;

pub use state::WebConfig;

use anyhow::Context;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use store::Store;

/// A bound, not yet running, web server.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    addr: SocketAddr,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) and prepares the app over `store`.
    pub async fn bind(store: Store, addr: SocketAddr, config: WebConfig) -> anyhow::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}: is another program using it?"))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let state = AppState::new(Arc::new(store), config);
        Ok(Server {
            listener,
            router: routes::router(state),
            addr,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests under way and returns (so
    /// the caller can clean up, e.g. remove a demo's temporary folder).
    pub async fn run(self) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop_signal())
            .await
            .context("serving")
    }
}

/// Resolves at Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => interrupt.await,
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}
