//! What every registry command shares: the `--data` folder, the async runtime, the actor
//! named in the audit chain, progress bars, and the check that an output file may be written.

use anyhow::{Context, bail};
use domain::actor::Actor;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use store::RegistryPaths;

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

/// Refuses, before any work is done (a long run is otherwise lost to a typing slip), an output
/// file given with `flag` that cannot or must not be written: a folder, a file in a folder that
/// does not exist, or a path inside a registry folder ([`refuse_inside_registry`]).
pub fn check_output_file(flag: &str, path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!(
            "{flag} {} is a folder; give a file name inside it",
            path.display()
        );
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        bail!(
            "{flag} {}: the folder {} does not exist; create it first",
            path.display(),
            folder.display()
        );
    }
    refuse_inside_registry(flag, path)
}

/// Refuses an output path (a file, or a folder to write files in) inside a registry's folder,
/// however it is written (`..`, symbolic links): writing there could overwrite the registry's
/// database or its stored files, which only whereabouts' own commands may change. An export
/// pointed at `registry.sqlite` had emptied the registry.
pub fn refuse_inside_registry(flag: &str, path: &Path) -> anyhow::Result<()> {
    let absolute = std::path::absolute(followed_links(path))
        .with_context(|| format!("{flag} {}: cannot resolve the path", path.display()))?;
    let Some(existing) = absolute.ancestors().find(|a| a.exists()) else {
        return Ok(());
    };
    let resolved = existing
        .canonicalize()
        .with_context(|| format!("{flag} {}: cannot resolve the path", path.display()))?;
    if let Some(root) = resolved
        .ancestors()
        .find(|a| RegistryPaths::new(a).exists())
    {
        bail!(
            "{flag} {} is inside the registry folder {}: writing there could overwrite the registry; write it outside that folder",
            path.display(),
            root.display()
        );
    }
    Ok(())
}

/// The most symbolic links followed in a row: as many as Linux itself follows.
const MAX_LINKS_FOLLOWED: usize = 40;

/// `path` with the symbolic links it ends in followed, even to a target that is not there yet:
/// `canonicalize` cannot resolve such a link, and writing to it creates the target.
fn followed_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS_FOLLOWED {
        let Ok(target) = std::fs::read_link(&current) else {
            break;
        };
        current = match current.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    current
}
