//! `whereabouts review`: the pairs the linkage engine could not decide, shown side by side
//! with each field's contribution, and the reviewer's decisions (same, different, unsure).
//! Decisions are stored with who and when, are in the audit chain, and train the model and
//! constrain the clusters at the next `whereabouts link`.

use crate::registry::{DataDir, actor, block_on};
use anyhow::{Context, anyhow};
use domain::fields::CanonicalField;
use domain::ids::RecordId;
use store::linkage::{NewPairDecision, PairDecision, ReviewItem};
use store::{ReviewFilter, Store, StoredRecord};

/// Arguments of `review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    action: ReviewAction,
}

#[derive(Debug, clap::Subcommand)]
enum ReviewAction {
    /// List the pairs awaiting a decision (most probable first).
    List {
        /// Also list pairs already decided, with their decision.
        #[arg(long)]
        all: bool,
        /// How many pairs to list.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        data: DataDir,
    },
    /// Show one pair side by side, with each field's contribution to its weight.
    Show {
        /// The pair's number in the queue.
        id: i64,
        #[command(flatten)]
        data: DataDir,
    },
    /// Decide a pair: same, different or unsure.
    Decide {
        /// The pair's number in the queue.
        id: i64,
        /// same, different or unsure.
        #[arg(value_parser = parse_decision)]
        decision: PairDecision,
        /// Why (kept with the decision).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        data: DataDir,
    },
}

fn parse_decision(text: &str) -> Result<PairDecision, String> {
    PairDecision::parse(text).ok_or_else(|| format!("`{text}`: use same, different or unsure"))
}

/// Runs the review action.
pub fn run(args: ReviewArgs) -> anyhow::Result<()> {
    let data = match &args.action {
        ReviewAction::List { data, .. }
        | ReviewAction::Show { data, .. }
        | ReviewAction::Decide { data, .. } => data.path.clone(),
    };
    block_on(async {
        let store = Store::open(&data).await?;
        let result = act(&store, args.action).await;
        store.close().await;
        result
    })?
}

async fn act(store: &Store, action: ReviewAction) -> anyhow::Result<()> {
    match action {
        ReviewAction::List { all, limit, .. } => {
            let filter = if all {
                ReviewFilter::All
            } else {
                ReviewFilter::Pending
            };
            let items = store.review_queue(filter, limit).await?;
            if items.is_empty() {
                println!(
                    "no pairs await review (run `whereabouts link` first, or all are decided)"
                );
            }
            for item in items {
                let decision = item.decision.map_or("pending", |d| d.as_str());
                println!(
                    "{:>6}  records {} and {}  p = {:.3}  {decision}",
                    item.id, item.a, item.b, item.probability
                );
            }
            Ok(())
        }
        ReviewAction::Show { id, .. } => {
            let item = find(store, id).await?;
            let (a, b) = (record(store, item.a).await?, record(store, item.b).await?);
            print!("{}", side_by_side(&item, &a, &b));
            Ok(())
        }
        ReviewAction::Decide {
            id, decision, note, ..
        } => {
            let item = find(store, id).await?;
            let new = NewPairDecision {
                a: item.a,
                b: item.b,
                decision,
                note,
            };
            store.record_decision(&new, &actor()).await?;
            println!(
                "recorded: records {} and {} are {}; the next `whereabouts link` trains on it",
                item.a,
                item.b,
                match decision {
                    PairDecision::Same => "the same person",
                    PairDecision::Different => "different persons",
                    PairDecision::Unsure => "undecided (unsure)",
                }
            );
            Ok(())
        }
    }
}

async fn find(store: &Store, id: i64) -> anyhow::Result<ReviewItem> {
    store.review_item(id).await?.ok_or_else(|| {
        anyhow!("no pair {id} in the review queue; `whereabouts review list` shows them")
    })
}

async fn record(store: &Store, id: RecordId) -> anyhow::Result<StoredRecord> {
    store
        .record(id)
        .await?
        .with_context(|| format!("record {id} is missing from the registry"))
}

/// The two records' fields side by side, then the weight each field contributed.
fn side_by_side(item: &ReviewItem, a: &StoredRecord, b: &StoredRecord) -> String {
    let (left, right) = (
        format!("{} row {}", a.source_name, a.row_number),
        format!("{} row {}", b.source_name, b.row_number),
    );
    let mut out = format!(
        "pair {}  match probability {:.3}\n{:<16} {left:<36} {right}\n",
        item.id, item.probability, ""
    );
    for field in CanonicalField::ALL {
        let (left, right) = (a.field(*field), b.field(*field));
        if left.is_none() && right.is_none() {
            continue;
        }
        let text = |v: Option<&domain::record::FieldValue>| {
            v.map(|v| v.display_text()).unwrap_or_default()
        };
        out.push_str(&format!(
            "{:<16} {:<36} {}\n",
            field.as_str(),
            text(left),
            text(right)
        ));
    }
    out.push_str("\nweights (log2 of m/u):\n");
    if let Ok(explanation) = serde_json::from_str::<serde_json::Value>(&item.explanation) {
        for field in explanation["fields"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  {:<16} {:<24} {:+.2}\n",
                field["field"].as_str().unwrap_or_default(),
                field["level"].as_str().unwrap_or_default(),
                field["weight"].as_f64().unwrap_or_default()
                    + field["frequency_adjustment"].as_f64().unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "  {:<41} {:+.2}\n",
            "total",
            explanation["match_weight"].as_f64().unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "\ndecide: whereabouts review decide {} same|different|unsure\n",
        item.id
    ));
    out
}
