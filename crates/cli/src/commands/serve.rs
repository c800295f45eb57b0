//! `whereabouts serve`: the web app over a registry. With `--demo`, a synthetic registry is
//! built first (in `--data` if given, else in a temporary folder removed at exit) and its
//! login is printed.

use crate::commands::demo::{DEMO_LOGIN, DemoSize, fill};
use crate::registry::block_on;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use store::Store;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The registry folder (default `whereabouts-data`; with --demo, a temporary folder).
    #[arg(long = "data", env = "WHEREABOUTS_DATA")]
    data: Option<PathBuf>,
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Build a synthetic demo registry first and print its login.
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    size: DemoSize,
    /// Mark cookies Secure (when served over TLS, directly or behind a proxy).
    #[arg(long)]
    secure_cookies: bool,
    /// The largest upload accepted, in megabytes.
    #[arg(long, default_value_t = 20)]
    max_upload_mb: usize,
}

/// Serves the web app until Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    block_on(async {
        let temporary = match (&args.data, args.demo) {
            (None, true) => {
                Some(tempfile::tempdir().context("creating a temporary folder for the demo")?)
            }
            _ => None,
        };
        let root = match (&args.data, &temporary) {
            (Some(path), _) => path.clone(),
            (None, Some(dir)) => dir.path().join("registry"),
            (None, None) => PathBuf::from("whereabouts-data"),
        };
        let store = if args.demo && !store::RegistryPaths::new(&root).exists() {
            let (store, password) = fill(&args.size, &root).await?;
            println!("demo registry at {}", root.display());
            println!("demo login: `{DEMO_LOGIN}`, password: {password}");
            store
        } else {
            Store::open(&root).await?
        };
        let config = web::WebConfig {
            secure_cookies: args.secure_cookies,
            max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
            ..web::WebConfig::default()
        };
        let server = web::Server::bind(store, args.addr, config).await?;
        println!(
            "whereabouts is listening on http://{}/ (Ctrl-C stops it)",
            server.addr()
        );
        server.run().await
    })?
}
