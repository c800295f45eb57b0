//! Linking the registry: its records become the engine's columns, the reviewers' decisions
//! become labels, and the engine's clusters and review pairs are stored back.

use anyhow::Context;
use domain::actor::Actor;
use domain::ids::RecordId;
use linkage::records::MATCHED_FIELDS;
use linkage::{Decision, LinkOptions, Linker, Model, PairLabel};
use linkage::{Records, SourceIndex, SourceSpec};
use serde_json::json;
use std::collections::HashMap;
use store::Store;
use store::linkage::{LinkageOutcome, LinkageReceipt, NewReviewPair, PairDecision};

/// The match probability at or above which `link` joins two records.
pub const DEFAULT_THRESHOLD: f64 = 0.9;

/// Records read from the registry per page.
const PAGE: u32 = 20_000;

/// What a linkage run of the registry did.
#[derive(Debug, Clone)]
pub struct LinkReport {
    /// Records linked.
    pub records: u64,
    /// Review decisions used as labels.
    pub labels: u64,
    /// Candidate pairs scored.
    pub scored_pairs: u64,
    /// Pairs at or above the threshold.
    pub links: u64,
    /// Persons (clusters) found.
    pub clusters: u64,
    /// Candidate pairs in oversized blocks that were not compared.
    pub skipped_pairs: u64,
    /// What the store changed.
    pub receipt: LinkageReceipt,
}

/// The registry's records as the engine's columns, with the registry id of each row.
struct RegistryRecords {
    records: Records,
    ids: Vec<RecordId>,
}

/// Links every record of the registry, trained on the reviewers' decisions, and stores the
/// outcome (memberships and the review queue) as `actor`.
pub async fn link_registry(
    store: &Store,
    threshold: f64,
    actor: &Actor,
) -> anyhow::Result<LinkReport> {
    let loaded = load_records(store).await?;
    let position: HashMap<RecordId, u32> = loaded
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let labels: Vec<PairLabel> = store
        .pair_decisions()
        .await?
        .iter()
        .filter_map(|d| {
            Some(PairLabel {
                a: *position.get(&d.a)?,
                b: *position.get(&d.b)?,
                decision: match d.decision {
                    PairDecision::Same => Decision::Same,
                    PairDecision::Different => Decision::Different,
                    PairDecision::Unsure => Decision::Unsure,
                },
            })
        })
        .collect();
    let options = LinkOptions {
        match_threshold: threshold,
        ..LinkOptions::default()
    };
    let linker = Linker::new(&loaded.records, options).context("preparing the records")?;
    let model = linker.train(&labels).context("training the model")?;
    let linkage = linker.link(&model, &labels).context("linking")?;

    let mut clusters: Vec<Vec<RecordId>> = Vec::new();
    for (index, cluster) in linkage.clusters.iter().enumerate() {
        let cluster = *cluster as usize;
        if clusters.len() <= cluster {
            clusters.resize_with(cluster + 1, Vec::new);
        }
        clusters[cluster].push(loaded.ids[index]);
    }
    let review = linkage
        .review
        .iter()
        .map(|pair| {
            Ok(NewReviewPair {
                a: loaded.ids[pair.a as usize],
                b: loaded.ids[pair.b as usize],
                probability: pair.probability(),
                explanation: explanation_json(&linker, &model, pair.a, pair.b)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let summary = json!({
        "records": loaded.ids.len(),
        "labels": labels.len(),
        "threshold": threshold,
        "scored_pairs": linkage.report.scored_pairs,
        "links": linkage.report.links,
        "clusters": linkage.report.clusters,
        "skipped_pairs": linker.blocking_report().skipped_pairs(),
    });
    let outcome = LinkageOutcome {
        clusters,
        review,
        summary: summary.to_string(),
    };
    let receipt = store.apply_linkage(&outcome, actor).await?;
    Ok(LinkReport {
        records: loaded.ids.len() as u64,
        labels: labels.len() as u64,
        scored_pairs: linkage.report.scored_pairs,
        links: linkage.report.links as u64,
        clusters: linkage.report.clusters as u64,
        skipped_pairs: linker.blocking_report().skipped_pairs(),
        receipt,
    })
}

/// Each field's contribution to a pair's weight, as JSON for the review queue.
fn explanation_json(linker: &Linker, model: &Model, a: u32, b: u32) -> anyhow::Result<String> {
    let explanation = linker.explain(model, a, b)?;
    let fields: Vec<_> = explanation
        .fields
        .iter()
        .map(|f| {
            json!({
                "field": f.field.as_str(), "level": f.level, "weight": f.weight,
                "frequency_adjustment": f.frequency_adjustment,
            })
        })
        .collect();
    Ok(json!({
        "prior": explanation.prior, "match_weight": explanation.match_weight,
        "probability": explanation.probability, "fields": fields,
    })
    .to_string())
}

async fn load_records(store: &Store) -> anyhow::Result<RegistryRecords> {
    let mut builder = Records::builder(MATCHED_FIELDS);
    let mut sources: HashMap<String, SourceIndex> = HashMap::new();
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = store.records_page(after, PAGE).await?;
        for record in &page.records {
            let source = match sources.get(&record.source_name) {
                Some(index) => *index,
                None => {
                    let index = builder.add_source(SourceSpec::new(record.source_name.clone()))?;
                    sources.insert(record.source_name.clone(), index);
                    index
                }
            };
            let cells: Vec<String> = MATCHED_FIELDS
                .iter()
                .map(|f| {
                    record
                        .field(*f)
                        .map(|v| v.display_text())
                        .unwrap_or_default()
                })
                .collect();
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            builder.push(source, &record.id.to_string(), &cells)?;
            ids.push(record.id);
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let records = builder
        .build()
        .context("the registry has no records to link; import a list first")?;
    Ok(RegistryRecords { records, ids })
}
