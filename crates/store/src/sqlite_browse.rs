//! SQLite statements for what pages and the API read: person search, the person view, counts
//! per facet, the audit log, and rebuilding the search index of records written before it
//! existed.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::browse::{
    Facet, FacetCount, PersonList, PersonLookup, PersonQuery, PersonRecord, PersonSummary,
    PersonView,
};
use crate::error::DbContext;
use crate::search::{facet_key, index_entry, match_query};
use crate::sqlite::{
    IndexRow, SqliteBackend, decode_audit_entry, decode_fields, decode_record, insert_index,
    optimize_name_index,
};
use crate::sqlite_linkage::decode_decision;
use domain::ids::{PersonId, RecordId, SourceId};
use domain::person::MembershipMethod;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use std::collections::HashSet;

/// Sums up again the persons whose records changed in this transaction (the triggers of
/// migration 0005, and the index's rebuild, list them in `person_summaries_stale`): the names
/// their records give, most common first and then in record order, and how many records and
/// sources they have. Every write that moves records between persons, or indexes records,
/// calls it before committing.
pub(crate) async fn refresh_person_summaries(tx: &mut SqliteConnection) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM person_summaries
         WHERE person_id IN (SELECT person_id FROM person_summaries_stale)",
        "INSERT INTO person_summaries (person_id, names, records, sources)
         SELECT rp.person_id,
                (SELECT json_group_array(name ORDER BY n DESC, first)
                 FROM (SELECT f2.display_name AS name, count(*) AS n,
                              min(rp2.record_id) AS first
                       FROM record_person rp2
                       JOIN record_facets f2 ON f2.record_id = rp2.record_id
                       WHERE rp2.person_id = rp.person_id AND f2.display_name <> ''
                       GROUP BY f2.display_name)),
                count(*), count(DISTINCT f.source_id)
         FROM record_person rp JOIN record_facets f ON f.record_id = rp.record_id
         WHERE rp.person_id IN (SELECT person_id FROM person_summaries_stale)
         GROUP BY rp.person_id",
        "DELETE FROM person_summaries_stale",
    ] {
        sqlx::query(statement)
            .execute(&mut *tx)
            .await
            .context("summing up persons")?;
    }
    Ok(())
}

/// Marks stale the persons of the records with ids in `(after, last]`, whose search entries
/// were just written: their summaries read the names from those entries. Only the index's
/// rebuild needs this; an import indexes new records, which belong to no person yet.
async fn mark_persons_of_records_stale(
    tx: &mut SqliteConnection,
    (after, last): (i64, i64),
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_summaries_stale (person_id)
         SELECT DISTINCT rp.person_id FROM record_person rp
         WHERE rp.record_id > ? AND rp.record_id <= ?
           AND NOT EXISTS (SELECT 1 FROM person_summaries_stale s
                           WHERE s.person_id = rp.person_id)",
    )
    .bind(after)
    .bind(last)
    .execute(&mut *tx)
    .await
    .context("marking persons to sum up")?;
    Ok(())
}

/// Begins a query whose rows SQLite returns as one JSON array of `columns` arrays, in
/// `order`; the caller pushes the rest of an inner `SELECT` (without the word) that names
/// those columns, and runs it with [`SqliteBackend::fetch_json_rows`]. sqlx hands every row
/// from SQLite's thread to the async side on its own, which under load cost several times
/// what the query did on a page of search results (about 230 rows).
///
/// A `LIMIT` or `OFFSET` goes into the text as a number (it is one: never user text), not as
/// a bound value: SQLite re-prepares a statement each time a value bound to its `LIMIT` is
/// bound again, which cost a search a twentieth of its time.
fn json_rows(columns: &str, order: &str) -> QueryBuilder<Sqlite> {
    QueryBuilder::new(format!(
        "SELECT json_group_array(json_array({columns}) ORDER BY {order}) FROM (SELECT "
    ))
}

/// A matching record (or person) with its person's summary, as [`SUMMARY_COLUMNS`] gives it:
/// the key it was found by, the person, and the summary's names, records and sources (absent
/// for a person without records).
type SummaryRow = (i64, i64, Option<Vec<String>>, Option<u32>, Option<u32>);

/// The columns of a [`SummaryRow`], for [`json_rows`]; the inner query names them `k`, `p`,
/// `names`, `records` and `sources`.
const SUMMARY_COLUMNS: &str = "k, p, json(names), records, sources";

fn summary((_, person, names, records, sources): SummaryRow) -> PersonSummary {
    PersonSummary {
        id: PersonId(person),
        names: names.unwrap_or_default(),
        records: records.unwrap_or_default(),
        sources: sources.unwrap_or_default(),
    }
}

/// Records re-indexed per transaction when the index is rebuilt.
const REINDEX_PAGE: i64 = 5_000;

impl SqliteBackend {
    pub(crate) async fn find_persons(&self, query: &PersonQuery) -> Result<PersonList, StoreError> {
        let limit = query.limit.max(1) as usize;
        let mut persons = self.matching_persons(query, limit + 1).await?;
        let has_more = persons.len() > limit;
        persons.truncate(limit);
        Ok(PersonList { persons, has_more })
    }

    /// Up to `limit` persons matching the query after its offset, each with its summary, read
    /// in the statement that finds them.
    async fn matching_persons(
        &self,
        query: &PersonQuery,
        limit: usize,
    ) -> Result<Vec<PersonSummary>, StoreError> {
        let text = query.text.as_deref().and_then(match_query);
        let prison = query.prison.as_deref().map(facet_key);
        let city = query.city.as_deref().map(facet_key);
        let filtered = prison.is_some() || city.is_some() || query.year.is_some();
        if text.is_none() && !filtered {
            let mut sql = json_rows(SUMMARY_COLUMNS, "k");
            sql.push(
                "p.id AS k, p.id AS p, s.names AS names, s.records AS records,
                        s.sources AS sources
                 FROM persons p LEFT JOIN person_summaries s ON s.person_id = p.id
                 WHERE p.merged_into IS NULL ORDER BY p.id LIMIT ",
            )
            .push(limit)
            .push(" OFFSET ")
            .push(query.offset);
            let rows: Vec<SummaryRow> = self
                .fetch_json_rows(sql)
                .await
                .context("searching persons")?;
            return Ok(rows.into_iter().map(summary).collect());
        }
        // The matching records are read in record order (the order FTS5 and the facet indexes
        // keep them in, so nothing is sorted), in growing batches, until enough distinct persons
        // are seen; persons come in the order of their first matching record. A common name
        // matches a third of all records: grouping all of them by person before taking one
        // page is what made a search slow. Each record comes with its person's summary, so a
        // page is usually one statement.
        let wanted = query.offset as usize + limit;
        let key = if text.is_some() {
            "t.rowid"
        } else {
            "f.record_id"
        };
        let mut seen = HashSet::new();
        let mut persons = Vec::new();
        let mut after = 0i64;
        let mut batch = (wanted as i64 * 2).max(64);
        loop {
            let mut sql = json_rows(SUMMARY_COLUMNS, "k");
            sql.push(
                "k, p, s.names AS names, s.records AS records, s.sources AS sources FROM (SELECT ",
            );
            sql.push(key).push(" AS k, rp.person_id AS p FROM ");
            if text.is_some() {
                sql.push("record_terms t JOIN record_person rp ON rp.record_id = t.rowid ");
                if filtered {
                    sql.push("JOIN record_facets f ON f.record_id = t.rowid ");
                }
            } else {
                sql.push("record_facets f JOIN record_person rp ON rp.record_id = f.record_id ");
            }
            sql.push("WHERE ").push(key).push(" > ").push_bind(after);
            if let Some(text) = &text {
                sql.push(" AND record_terms MATCH ").push_bind(text.clone());
            }
            if let Some(prison) = &prison {
                sql.push(" AND f.prison = ").push_bind(prison.clone());
            }
            if let Some(city) = &city {
                sql.push(" AND f.city = ").push_bind(city.clone());
            }
            if let Some(year) = query.year {
                sql.push(" AND f.death_year = ").push_bind(year);
            }
            sql.push(" ORDER BY ")
                .push(key)
                .push(" LIMIT ")
                .push(batch)
                .push(") LEFT JOIN person_summaries s ON s.person_id = p");
            let rows: Vec<SummaryRow> = self
                .fetch_json_rows(sql)
                .await
                .context("searching persons")?;
            let exhausted = rows.len() < batch as usize;
            for row in rows {
                after = row.0;
                if seen.insert(row.1) {
                    persons.push(summary(row));
                }
            }
            if exhausted || persons.len() >= wanted {
                break;
            }
            batch = batch.saturating_mul(4);
        }
        Ok(persons
            .into_iter()
            .skip(query.offset as usize)
            .take(limit)
            .collect())
    }

    /// Runs a query begun with [`json_rows`] and reads its rows from the one JSON array
    /// SQLite answers with.
    async fn fetch_json_rows<T: DeserializeOwned>(
        &self,
        mut sql: QueryBuilder<Sqlite>,
    ) -> Result<Vec<T>, sqlx::Error> {
        sql.push(")");
        let json: String = sql.build_query_scalar().fetch_one(&self.pool).await?;
        serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }

    /// Sums up persons whose records changed before the registry was opened (after the
    /// migration that added the summaries, or a write interrupted by an older version).
    pub(crate) async fn refresh_stale_person_summaries(&self) -> Result<(), StoreError> {
        let stale: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM person_summaries_stale)")
                .fetch_one(&self.pool)
                .await
                .context("checking the person summaries")?;
        if !stale {
            return Ok(());
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("summing up persons")?;
        refresh_person_summaries(&mut tx).await?;
        tx.commit().await.context("summing up persons")
    }

    pub(crate) async fn person(&self, id: PersonId) -> Result<PersonLookup, StoreError> {
        let merged_into: Option<Option<i64>> =
            sqlx::query_scalar("SELECT merged_into FROM persons WHERE id = ?")
                .bind(id.get())
                .fetch_optional(&self.pool)
                .await
                .context("reading a person")?;
        match merged_into {
            None => return Ok(PersonLookup::Missing),
            Some(Some(survivor)) => return Ok(PersonLookup::MergedInto(PersonId(survivor))),
            Some(None) => {}
        }
        let rows = sqlx::query(
            "SELECT r.id, r.source_id, s.name, r.row_number, r.external_id, r.raw_text,
                    r.raw_cells, r.fields, r.warnings, m.method, m.score, m.decided_by,
                    m.decided_at,
                    (SELECT i.columns FROM imports i WHERE i.id = r.import_id) AS import_columns
             FROM record_person rp
             JOIN source_records r ON r.id = rp.record_id
             JOIN sources s ON s.id = r.source_id
             JOIN memberships m ON m.id = (SELECT max(id) FROM memberships
                                           WHERE record_id = rp.record_id)
             WHERE rp.person_id = ? ORDER BY r.id",
        )
        .bind(id.get())
        .fetch_all(&self.pool)
        .await
        .context("reading a person's records")?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let method: String = row.try_get(9).context("reading memberships")?;
            records.push(PersonRecord {
                record: decode_record(row)?,
                method: MembershipMethod::parse(&method).ok_or_else(|| {
                    StoreError::Corrupt(format!("a membership has the method `{method}`"))
                })?,
                score: row.try_get(10).context("reading memberships")?,
                decided_by: row.try_get(11).context("reading memberships")?,
                decided_at: row.try_get(12).context("reading memberships")?,
            });
        }
        let decisions = sqlx::query(
            "SELECT record_a, record_b, decision, note, decided_by, decided_at FROM pair_decisions d
             WHERE record_a IN (SELECT record_id FROM record_person WHERE person_id = ?1)
               AND record_b IN (SELECT record_id FROM record_person WHERE person_id = ?1)
               AND id = (SELECT max(id) FROM pair_decisions
                         WHERE record_a = d.record_a AND record_b = d.record_b)
             ORDER BY record_a, record_b",
        )
        .bind(id.get())
        .fetch_all(&self.pool)
        .await
        .context("reading decisions")?
        .iter()
        .map(decode_decision)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(PersonLookup::Found(PersonView {
            id,
            records,
            decisions,
        }))
    }

    pub(crate) async fn person_of_record(
        &self,
        record: RecordId,
    ) -> Result<Option<PersonId>, StoreError> {
        let person: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM record_person WHERE record_id = ?")
                .bind(record.get())
                .fetch_optional(&self.pool)
                .await
                .context("reading a record's person")?;
        Ok(person.map(PersonId))
    }

    pub(crate) async fn facet_counts(
        &self,
        facet: Facet,
        limit: u32,
    ) -> Result<Vec<FacetCount>, StoreError> {
        let column = facet.column();
        let order = match facet {
            Facet::DeathMonth | Facet::DeathYear => format!("f.{column}"),
            Facet::Prison | Facet::City => "2 DESC, 1".to_string(),
        };
        // The column and order come from the `Facet` enum, never from input.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(f.{column} AS TEXT), count(DISTINCT rp.person_id) FROM record_facets f
             JOIN record_person rp ON rp.record_id = f.record_id
             WHERE f.{column} IS NOT NULL GROUP BY f.{column} ORDER BY {order} LIMIT ?"
        )))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("counting persons")?;
        rows.iter()
            .map(|row| {
                Ok(FacetCount {
                    value: row.try_get(0).context("counting persons")?,
                    persons: row.try_get::<i64, _>(1).context("counting persons")? as u64,
                })
            })
            .collect()
    }

    pub(crate) async fn audit_head(&self) -> Result<i64, StoreError> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM audit_log")
            .fetch_one(&self.pool)
            .await
            .context("reading the audit head")?;
        Ok(seq.unwrap_or(0))
    }

    pub(crate) async fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, payload, prev_hash, hash
             FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("reading the audit log")?;
        rows.iter().map(decode_audit_entry).collect()
    }

    /// Whether some records have no search entry (they were imported before the index existed).
    pub(crate) async fn index_is_incomplete(&self) -> Result<bool, StoreError> {
        let incomplete: bool = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM source_records) > (SELECT count(*) FROM record_facets)",
        )
        .fetch_one(&self.pool)
        .await
        .context("checking the search index")?;
        Ok(incomplete)
    }

    /// Merges the name index into one segment after the index was rebuilt. The records are
    /// already committed, so a failure here (a full disk) loses nothing and only leaves
    /// searches slower; it is logged, not returned.
    pub(crate) async fn optimize_search_index(&self) {
        if let Err(error) = optimize_name_index(&self.pool).await {
            tracing::warn!(%error, "the name index could not be merged; searches stay slower");
        }
    }

    /// Indexes records that have no search entry yet (records imported before the index
    /// existed, or every record after a migration rebuilt the index); returns how many were
    /// indexed. Records are read by id in pages, and their entries computed on all cores.
    pub(crate) async fn index_missing_records(&self) -> Result<u64, StoreError> {
        tracing::info!("building the search index; this runs once, after an upgrade");
        let mut indexed = 0u64;
        let mut after = 0i64;
        loop {
            let mut tx = self
                .pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .context("indexing records")?;
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT r.id, r.source_id, r.fields FROM source_records r
                 WHERE r.id > ?
                   AND NOT EXISTS (SELECT 1 FROM record_facets f WHERE f.record_id = r.id)
                 ORDER BY r.id LIMIT ?",
            )
            .bind(after)
            .bind(REINDEX_PAGE)
            .fetch_all(&mut *tx)
            .await
            .context("indexing records")?;
            let Some((last, _, _)) = rows.last() else {
                // The merge needs the write lock this transaction holds.
                tx.rollback().await.context("indexing records")?;
                self.optimize_search_index().await;
                tracing::info!(records = indexed, "the search index is complete");
                return Ok(indexed);
            };
            let page = (after, *last);
            after = *last;
            let entries = rows
                .par_iter()
                .map(|(id, source, fields)| {
                    Ok(IndexRow {
                        record: RecordId(*id),
                        source: SourceId(*source),
                        entry: index_entry(&decode_fields(*id, fields)?),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            insert_index(&mut tx, &entries).await?;
            mark_persons_of_records_stale(&mut tx, page).await?;
            refresh_person_summaries(&mut tx).await?;
            tx.commit().await.context("indexing records")?;
            indexed += entries.len() as u64;
        }
    }
}
