//! What every registry command shares: the `--data` folder, the async runtime, the actor
//! named in the audit chain, and progress bars.

use anyhow::Context;
use domain::actor::Actor;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// The registry folder option, shared by every command that reads or writes the registry.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// The registry folder.
    #[arg(
        long = "data",
        env = "WHEREABOUTS_DATA",
        default_value = "whereabouts-data",
        global = true
    )]
    pub path: PathBuf,
}

/// Runs an async block on a runtime made for this one command.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

/// The actor for changes made from this command line: `cli:<login>`.
pub fn actor() -> Actor {
    let login = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    Actor::cli(&login)
}

/// A progress bar on standard error (drawn only when it is a terminal).
pub fn progress_bar(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    let style = ProgressStyle::with_template(
        "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}
