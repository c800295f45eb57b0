//! `whereabouts audit verify`: recompute the hash chain and name the first broken entry.

use crate::registry::{DataDir, block_on};
use anyhow::bail;

/// Arguments of `audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    action: AuditAction,
}

#[derive(Debug, clap::Subcommand)]
enum AuditAction {
    /// Recompute every entry's hash and the digests of imported records.
    Verify {
        #[command(flatten)]
        data: DataDir,
    },
}

/// Runs the audit action.
pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let AuditAction::Verify { data } = args.action;
    block_on(async {
        let store = store::Store::open(&data.path).await?;
        let verdict = store.verify_audit().await;
        store.close().await;
        let verdict = verdict?;
        match verdict.broken {
            None => {
                println!(
                    "audit chain verified: {} entries, head {}",
                    verdict.entries_checked, verdict.head
                );
                Ok(())
            }
            Some(chain_break) => bail!(
                "audit chain BROKEN: {chain_break} ({} entries before it verified)",
                verdict.entries_checked
            ),
        }
    })?
}
