//! `whereabouts backup` and `whereabouts restore`: a verified single-file copy of a registry.

use crate::registry::{DataDir, block_on, check_output_file};
use std::path::PathBuf;
use store::backup::ExistingRegistry;

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (a tar archive with a manifest of SHA-256 hashes).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    data: DataDir,
}

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    file: PathBuf,
    /// Replace what the folder holds, a registry or other files (moved aside to
    /// `<folder>.replaced-<time>`); without it only a new or empty folder is restored into.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    data: DataDir,
}

/// Writes and verifies a backup while the registry stays usable.
pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    check_output_file("--out", &args.out)?;
    block_on(async {
        let store = store::Store::open(&args.data.path).await?;
        let report = store::backup::backup(&store, &args.out).await;
        store.close().await;
        let report = report?;
        println!(
            "backup written and verified: {} ({} files, {} audit entries, head {})",
            report.path.display(),
            report.manifest.entries.len(),
            report.manifest.audit_entries,
            report.manifest.audit_head
        );
        Ok(())
    })?
}

/// Verifies a backup and puts it in place.
pub fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let on_existing = if args.force {
        ExistingRegistry::MoveAside
    } else {
        ExistingRegistry::Refuse
    };
    block_on(async {
        let report = store::backup::restore(&args.file, &args.data.path, on_existing).await?;
        println!(
            "restored {} into {} ({} audit entries, head {})",
            report.path.display(),
            args.data.path.display(),
            report.manifest.audit_entries,
            report.manifest.audit_head
        );
        Ok(())
    })?
}
