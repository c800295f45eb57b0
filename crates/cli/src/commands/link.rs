//! `whereabouts link`: link the registry's records into persons with the linkage engine,
//! trained on the reviewers' decisions, and store the outcome (memberships, review queue).

use crate::registry::{DataDir, actor, block_on};
use store::Store;

pub use pipeline::link::DEFAULT_THRESHOLD;

/// Arguments of `link`.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// Pairs at or above this match probability are linked.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    #[command(flatten)]
    data: DataDir,
}

/// Links the registry and stores the outcome.
pub fn run(args: LinkArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.data.path).await?;
        let outcome = link_registry(&store, args.threshold).await;
        store.close().await;
        outcome
    })?
}

/// Links every record of the registry, stores the outcome and prints what changed.
pub async fn link_registry(store: &Store, threshold: f64) -> anyhow::Result<()> {
    let report = pipeline::link::link_registry(store, threshold, &actor()).await?;
    println!(
        "linked {} records into {} persons ({} scored pairs, {} links, {} review decisions used)",
        report.records, report.clusters, report.scored_pairs, report.links, report.labels
    );
    let receipt = &report.receipt;
    println!(
        "{} persons created, {} merged into another, {} records moved; {} pairs await review \
         (whereabouts review list)",
        receipt.persons_created,
        receipt.persons_merged,
        receipt.memberships_changed,
        receipt.review_pairs
    );
    if report.skipped_pairs > 0 {
        println!(
            "note: {} candidate pairs in oversized blocks were not compared",
            report.skipped_pairs
        );
    }
    Ok(())
}
