//! The SQLite statements of linkage: decisions, runs, memberships in bulk, the review queue and
//! capture histories. Kept apart from `sqlite.rs` so each file stays about one thing.

use crate::error::{DbContext, database_error};
use crate::linkage::{
    CaptureHistories, LinkageOutcome, LinkageReceipt, NewPairDecision, PairDecision, PersonSources,
    ReviewItem, StoredPairDecision,
};
use crate::sqlite::{SqliteBackend, append_audit, now};
use crate::sqlite_browse::refresh_person_summaries;
use crate::{ReviewFilter, StoreError};
use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::ids::{PersonId, RecordId};
use domain::record::FieldValue;
use serde_json::json;
use sqlx::query_builder::Separated;
use sqlx::sqlite::SqliteConnection;
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The columns `decode_review_item` reads: a queued pair and its newest decision.
macro_rules! review_item_select {
    () => {
        "SELECT q.id, q.record_a, q.record_b, q.probability, q.explanation,
                (SELECT d.decision FROM pair_decisions d
                 WHERE d.record_a = q.record_a AND d.record_b = q.record_b
                 ORDER BY d.id DESC LIMIT 1) AS decision
         FROM review_pairs q"
    };
}

/// Rows per multi-row INSERT (7 columns at most).
const ROWS_PER_INSERT: usize = 2_000;

impl SqliteBackend {
    pub(crate) async fn record_decision(
        &self,
        decision: &NewPairDecision,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let (a, b) = ordered(decision.a, decision.b)?;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("recording a decision")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pair_decisions (record_a, record_b, decision, note, decided_by, decided_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(a.get())
        .bind(b.get())
        .bind(decision.decision.as_str())
        .bind(decision.note.clone())
        .bind(actor.as_str().to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e.as_database_error().map(|d| d.is_foreign_key_violation()) {
            Some(true) => StoreError::Invalid(format!("no record {a} or no record {b} in the registry")),
            _ => database_error("recording a decision", Box::new(e)),
        })?;
        let payload = json!({
            "record_a": a.get(), "record_b": b.get(),
            "decision": decision.decision.as_str(), "note": decision.note,
        });
        append_audit(
            &mut tx,
            actor,
            "decide",
            "pair",
            &format!("{a}-{b}"),
            &payload,
        )
        .await?;
        tx.commit().await.context("recording a decision")?;
        Ok(id)
    }

    pub(crate) async fn pair_decisions(&self) -> Result<Vec<StoredPairDecision>, StoreError> {
        let rows = sqlx::query(
            "SELECT record_a, record_b, decision, note, decided_by, decided_at FROM pair_decisions d
             WHERE id = (SELECT max(id) FROM pair_decisions
                         WHERE record_a = d.record_a AND record_b = d.record_b)
             ORDER BY record_a, record_b",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading decisions")?;
        rows.iter().map(decode_decision).collect()
    }

    pub(crate) async fn current_memberships(
        &self,
    ) -> Result<HashMap<RecordId, PersonId>, StoreError> {
        let mut connection = self.pool.acquire().await.context("reading memberships")?;
        current_memberships(&mut connection).await
    }

    pub(crate) async fn apply_linkage(
        &self,
        outcome: &LinkageOutcome,
        actor: &Actor,
    ) -> Result<LinkageReceipt, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("applying a linkage run")?;
        let at = now();
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO linkage_runs (summary, run_by, run_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(outcome.summary.clone())
        .bind(actor.as_str().to_string())
        .bind(at.clone())
        .fetch_one(&mut *tx)
        .await
        .context("recording the linkage run")?;

        let current = current_memberships(&mut tx).await?;
        let next_person: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM persons")
            .fetch_one(&mut *tx)
            .await
            .context("reading persons")?;
        let plan = plan_persons(&outcome.clusters, &current, next_person);
        insert_persons(&mut tx, &plan.new_persons, actor, &at).await?;
        insert_memberships(&mut tx, &plan.changed, actor, &at).await?;
        for (merged, into) in &plan.merged {
            sqlx::query("UPDATE persons SET merged_into = ? WHERE id = ?")
                .bind(into.get())
                .bind(merged.get())
                .execute(&mut *tx)
                .await
                .context("recording a merged person")?;
        }
        insert_review_pairs(&mut tx, run_id, outcome).await?;
        refresh_person_summaries(&mut tx).await?;

        let receipt = LinkageReceipt {
            run_id,
            persons_created: plan.new_persons.len() as u64,
            persons_merged: plan.merged.len() as u64,
            memberships_changed: plan.changed.len() as u64,
            review_pairs: outcome.review.len() as u64,
        };
        let summary: serde_json::Value =
            serde_json::from_str(&outcome.summary).unwrap_or(serde_json::Value::Null);
        let payload = json!({
            "summary": summary,
            "persons_created": receipt.persons_created,
            "persons_merged": receipt.persons_merged,
            "memberships_changed": receipt.memberships_changed,
            "review_pairs": receipt.review_pairs,
        });
        append_audit(
            &mut tx,
            actor,
            "link",
            "linkage_run",
            &run_id.to_string(),
            &payload,
        )
        .await?;
        tx.commit().await.context("applying a linkage run")?;
        Ok(receipt)
    }

    pub(crate) async fn review_queue(
        &self,
        filter: ReviewFilter,
        limit: u32,
    ) -> Result<Vec<ReviewItem>, StoreError> {
        let rows = sqlx::query(concat!(
            review_item_select!(),
            " WHERE q.run_id = (SELECT max(id) FROM linkage_runs)
                  ORDER BY q.probability DESC, q.id"
        ))
        .fetch_all(&self.pool)
        .await
        .context("reading the review queue")?;
        let mut items = Vec::new();
        for row in &rows {
            let item = decode_review_item(row)?;
            if filter == ReviewFilter::All || item.decision.is_none() {
                items.push(item);
            }
            if items.len() as u32 >= limit {
                break;
            }
        }
        Ok(items)
    }

    pub(crate) async fn pending_review_pairs(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM review_pairs q
             WHERE q.run_id = (SELECT max(id) FROM linkage_runs)
               AND NOT EXISTS (SELECT 1 FROM pair_decisions d
                               WHERE d.record_a = q.record_a AND d.record_b = q.record_b)",
        )
        .fetch_one(&self.pool)
        .await
        .context("counting the pairs that await review")?;
        Ok(count.unsigned_abs())
    }

    pub(crate) async fn review_item(&self, id: i64) -> Result<Option<ReviewItem>, StoreError> {
        let row = sqlx::query(concat!(review_item_select!(), " WHERE q.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a review pair")?;
        row.as_ref().map(decode_review_item).transpose()
    }

    pub(crate) async fn capture_histories(
        &self,
        by: Option<CanonicalField>,
    ) -> Result<CaptureHistories, StoreError> {
        let mut connection = self
            .pool
            .acquire()
            .await
            .context("reading capture histories")?;
        let current = current_memberships(&mut connection).await?;
        let rows = sqlx::query(
            "SELECT r.id, s.name, CASE WHEN ? THEN r.fields ELSE '' END
             FROM source_records r JOIN sources s ON s.id = r.source_id ORDER BY r.id",
        )
        .bind(by.is_some())
        .fetch_all(&mut *connection)
        .await
        .context("reading capture histories")?;
        let mut persons: BTreeMap<PersonId, (BTreeSet<String>, Option<String>)> = BTreeMap::new();
        let mut unlinked: BTreeMap<String, u64> = BTreeMap::new();
        for row in &rows {
            let record = RecordId(row.try_get(0).context("reading capture histories")?);
            let source: String = row.try_get(1).context("reading capture histories")?;
            let Some(person) = current.get(&record) else {
                *unlinked.entry(source).or_default() += 1;
                continue;
            };
            let entry = persons.entry(*person).or_default();
            entry.0.insert(source);
            if let (Some(field), None) = (by, &entry.1) {
                let fields: String = row.try_get(2).context("reading capture histories")?;
                entry.1 = stratum_of(&fields, field);
            }
        }
        Ok(CaptureHistories {
            persons: persons
                .into_iter()
                .map(|(person, (sources, stratum))| PersonSources {
                    person,
                    sources: sources.into_iter().collect(),
                    stratum,
                })
                .collect(),
            unlinked: unlinked.into_iter().collect(),
        })
    }
}

fn ordered(a: RecordId, b: RecordId) -> Result<(RecordId, RecordId), StoreError> {
    match a.cmp(&b) {
        std::cmp::Ordering::Less => Ok((a, b)),
        std::cmp::Ordering::Greater => Ok((b, a)),
        std::cmp::Ordering::Equal => Err(StoreError::Invalid(format!(
            "record {a} cannot be paired with itself"
        ))),
    }
}

/// The stratum value of a record under `field` ([`FieldValue::stratum`]).
fn stratum_of(fields_json: &str, field: CanonicalField) -> Option<String> {
    let fields: Vec<(CanonicalField, FieldValue)> = serde_json::from_str(fields_json).ok()?;
    let (_, value) = fields.into_iter().find(|(f, _)| *f == field)?;
    value.stratum()
}

async fn current_memberships(
    connection: &mut SqliteConnection,
) -> Result<HashMap<RecordId, PersonId>, StoreError> {
    let rows = sqlx::query("SELECT record_id, person_id FROM memberships ORDER BY id")
        .fetch_all(&mut *connection)
        .await
        .context("reading memberships")?;
    let mut current = HashMap::with_capacity(rows.len());
    for row in &rows {
        let record = RecordId(row.try_get(0).context("reading memberships")?);
        current.insert(
            record,
            PersonId(row.try_get(1).context("reading memberships")?),
        );
    }
    Ok(current)
}

/// What applying clusters changes: persons to create, records whose person changes, and
/// persons left without records (merged into the person that took most of them).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct PersonPlan {
    pub(crate) new_persons: Vec<PersonId>,
    pub(crate) changed: Vec<(RecordId, PersonId)>,
    pub(crate) merged: Vec<(PersonId, PersonId)>,
}

/// Keeps person ids stable: each cluster takes the existing person that holds most of its
/// records (the oldest on ties) unless an earlier cluster took it; otherwise a new person.
pub(crate) fn plan_persons(
    clusters: &[Vec<RecordId>],
    current: &HashMap<RecordId, PersonId>,
    mut next_person: i64,
) -> PersonPlan {
    let mut plan = PersonPlan::default();
    let mut taken: BTreeSet<PersonId> = BTreeSet::new();
    let mut moved_to: BTreeMap<PersonId, BTreeMap<PersonId, usize>> = BTreeMap::new();
    for cluster in clusters {
        let mut holders: BTreeMap<PersonId, usize> = BTreeMap::new();
        for record in cluster {
            if let Some(person) = current.get(record) {
                *holders.entry(*person).or_default() += 1;
            }
        }
        let kept = holders
            .iter()
            .filter(|(person, _)| !taken.contains(person))
            .max_by(|(pa, ca), (pb, cb)| ca.cmp(cb).then(pb.cmp(pa)))
            .map(|(person, _)| *person);
        let person = kept.unwrap_or_else(|| {
            let person = PersonId(next_person);
            next_person += 1;
            plan.new_persons.push(person);
            person
        });
        taken.insert(person);
        for record in cluster {
            let before = current.get(record).copied();
            if before != Some(person) {
                plan.changed.push((*record, person));
                if let Some(before) = before {
                    *moved_to
                        .entry(before)
                        .or_default()
                        .entry(person)
                        .or_default() += 1;
                }
            }
        }
    }
    for (old, destinations) in moved_to {
        if taken.contains(&old) {
            continue;
        }
        if let Some((into, _)) = destinations
            .iter()
            .max_by(|(pa, ca), (pb, cb)| ca.cmp(cb).then(pb.cmp(pa)))
        {
            plan.merged.push((old, *into));
        }
    }
    plan
}

async fn insert_persons(
    tx: &mut SqliteConnection,
    persons: &[PersonId],
    actor: &Actor,
    at: &str,
) -> Result<(), StoreError> {
    let insert = "INSERT INTO persons (id, created_by, created_at) ";
    insert_rows(tx, insert, persons, "creating persons", |b, person| {
        b.push_bind(person.get())
            .push_bind(actor.as_str().to_string())
            .push_bind(at.to_string());
    })
    .await
}

async fn insert_memberships(
    tx: &mut SqliteConnection,
    changed: &[(RecordId, PersonId)],
    actor: &Actor,
    at: &str,
) -> Result<(), StoreError> {
    let insert = "INSERT INTO memberships (record_id, person_id, method, decided_by, decided_at) ";
    insert_rows(
        tx,
        insert,
        changed,
        "recording memberships",
        |b, (record, person)| {
            b.push_bind(record.get())
                .push_bind(person.get())
                .push_bind("automatic")
                .push_bind(actor.as_str().to_string())
                .push_bind(at.to_string());
        },
    )
    .await
}

async fn insert_review_pairs(
    tx: &mut SqliteConnection,
    run_id: i64,
    outcome: &LinkageOutcome,
) -> Result<(), StoreError> {
    let mut pairs = Vec::with_capacity(outcome.review.len());
    for pair in &outcome.review {
        let (a, b) = ordered(pair.a, pair.b)?;
        pairs.push((a, b, pair.probability, pair.explanation.clone()));
    }
    let insert = "INSERT INTO review_pairs (run_id, record_a, record_b, probability, explanation) ";
    insert_rows(
        tx,
        insert,
        &pairs,
        "queueing pairs for review",
        |b, (a, x, p, explanation)| {
            b.push_bind(run_id)
                .push_bind(a.get())
                .push_bind(x.get())
                .push_bind(*p)
                .push_bind(explanation.clone());
        },
    )
    .await
}

/// Inserts rows with multi-row INSERTs of [`ROWS_PER_INSERT`] rows; `bind` binds one row.
async fn insert_rows<T>(
    tx: &mut SqliteConnection,
    insert: &'static str,
    rows: &[T],
    context: &'static str,
    bind: impl Fn(&mut Separated<'_, Sqlite, &'static str>, &T),
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(insert);
        builder.push_values(chunk, |mut b, row| bind(&mut b, row));
        builder.build().execute(&mut *tx).await.context(context)?;
    }
    Ok(())
}

fn decode_review_item(row: &sqlx::sqlite::SqliteRow) -> Result<ReviewItem, StoreError> {
    let decision: Option<String> = row.try_get(5).context("reading the review queue")?;
    Ok(ReviewItem {
        id: row.try_get(0).context("reading the review queue")?,
        a: RecordId(row.try_get(1).context("reading the review queue")?),
        b: RecordId(row.try_get(2).context("reading the review queue")?),
        probability: row.try_get(3).context("reading the review queue")?,
        explanation: row.try_get(4).context("reading the review queue")?,
        decision: decision.as_deref().and_then(PairDecision::parse),
    })
}

/// Reads a decision from `record_a, record_b, decision, note, decided_by, decided_at`.
pub(crate) fn decode_decision(
    row: &sqlx::sqlite::SqliteRow,
) -> Result<StoredPairDecision, StoreError> {
    let decision: String = row.try_get(2).context("reading decisions")?;
    Ok(StoredPairDecision {
        a: RecordId(row.try_get(0).context("reading decisions")?),
        b: RecordId(row.try_get(1).context("reading decisions")?),
        decision: PairDecision::parse(&decision)
            .ok_or_else(|| StoreError::Corrupt(format!("a decision reads `{decision}`")))?,
        note: row.try_get(3).context("reading decisions")?,
        decided_by: row.try_get(4).context("reading decisions")?,
        decided_at: row.try_get(5).context("reading decisions")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(ids: &[i64]) -> Vec<RecordId> {
        ids.iter().map(|i| RecordId(*i)).collect()
    }

    #[test]
    fn first_run_creates_one_person_per_cluster() {
        let plan = plan_persons(&[records(&[1, 2]), records(&[3])], &HashMap::new(), 1);
        assert_eq!(plan.new_persons, vec![PersonId(1), PersonId(2)]);
        assert_eq!(plan.changed.len(), 3);
        assert!(plan.merged.is_empty());
    }

    #[test]
    fn a_rerun_with_the_same_clusters_changes_nothing() {
        let current = HashMap::from([
            (RecordId(1), PersonId(7)),
            (RecordId(2), PersonId(7)),
            (RecordId(3), PersonId(8)),
        ]);
        let plan = plan_persons(&[records(&[1, 2]), records(&[3])], &current, 9);
        assert_eq!(plan, PersonPlan::default());
    }

    #[test]
    fn a_merge_keeps_the_larger_person_and_points_the_other_at_it() {
        let current = HashMap::from([
            (RecordId(1), PersonId(7)),
            (RecordId(2), PersonId(7)),
            (RecordId(3), PersonId(8)),
        ]);
        let plan = plan_persons(&[records(&[1, 2, 3])], &current, 9);
        assert_eq!(plan.changed, vec![(RecordId(3), PersonId(7))]);
        assert_eq!(plan.merged, vec![(PersonId(8), PersonId(7))]);
        assert!(plan.new_persons.is_empty());
    }

    #[test]
    fn a_split_keeps_the_old_person_for_one_part_and_creates_one_for_the_other() {
        let current = HashMap::from([
            (RecordId(1), PersonId(7)),
            (RecordId(2), PersonId(7)),
            (RecordId(3), PersonId(7)),
        ]);
        let plan = plan_persons(&[records(&[1, 2]), records(&[3])], &current, 9);
        assert_eq!(plan.new_persons, vec![PersonId(9)]);
        assert_eq!(plan.changed, vec![(RecordId(3), PersonId(9))]);
        assert!(plan.merged.is_empty());
    }
}
