//! The SQLite backend: every SQL statement the store runs on SQLite lives here.
//!
//! Writes take the write lock up front (`BEGIN IMMEDIATE`) so the audit chain is extended by
//! one writer at a time; WAL mode lets readers go on meanwhile. Foreign keys are enforced.

use crate::StoreError;
use crate::audit::{AuditEntry, ChainBreak, ChainVerifier, GENESIS_HASH, entry_hash};
use crate::error::{DbContext, located, says_unreadable};
use crate::files::{FileArea, Placement};
use crate::model::{
    AuditVerdict, DuplicateFile, ImportReceipt, NewImport, RecordPage, RegistryCounts, SourceInfo,
    StoredClaim, StoredRecord,
};
use crate::search::{IndexEntry, index_entry};
use crate::sqlite_browse::refresh_person_summaries;
use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::ids::{ClaimId, PersonId, RecordId, SourceId};
use domain::person::{ClaimOrigin, ClaimState, ClaimSubject, MembershipMethod, NewClaim};
use domain::record::{FieldValue, NewSourceRecord, RawCell};
use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Row, Sqlite, SqlitePool};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per multi-row INSERT: 10 columns each stays far below SQLite's 32,766 parameters.
const RECORDS_PER_INSERT: usize = 1_000;

/// Encoded batches of records that may wait for the writer.
const BATCHES_AHEAD: usize = 4;

/// Records whose search entries are gathered before they are written together.
const INDEX_ROWS_PER_WRITE: usize = 100_000;

/// Audit entries read per query when verifying.
const AUDIT_PAGE: i64 = 10_000;

#[derive(Debug, Clone)]
pub(crate) struct SqliteBackend {
    pub(crate) pool: SqlitePool,
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Each connection's page cache, in KiB (SQLite's negative `cache_size`): 16 MiB, so the
/// search index and the pages a person page reads stay in memory rather than being copied
/// from the operating system's cache on every query. The pool holds at most 4 connections.
const PAGE_CACHE: &str = "-16384";

/// Bytes per database page, for registries created from now on (an existing registry keeps
/// the size it was created with). A record with its verbatim cells and parsed fields is about
/// 2.5 KB: on SQLite's default 4 KiB pages each spilled into an overflow page, which made the
/// file 40% larger than the data and an import write every record twice over. 16 KiB pages
/// hold several records each; see `docs/import.md` for the figures.
const PAGE_SIZE: u32 = 16_384;

/// An import that adds at least one record in this many of the registry's merges the name
/// index into one segment before it commits, in its own transaction.
const OPTIMIZE_SHARE: u64 = 10;

/// Whether connecting may create the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opening {
    /// `init`: a new, empty file, given the registry's tables.
    Create,
    /// Every other command: the file must be a registry already; it is only upgraded.
    Existing,
}

/// The error for a database that would not open: [`StoreError::Unreadable`] when SQLite says the
/// file is no database or a damaged one, [`StoreError::NotWritable`] when it cannot open or
/// write it, so the user hears what to do rather than the code.
fn opening_failed(error: sqlx::Error, path: &Path) -> StoreError {
    if says_unreadable(&error) {
        StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: "it is damaged, or not a registry's file",
        }
    } else {
        located(
            StoreError::Database {
                context: "opening the database",
                source: Box::new(error),
            },
            path,
        )
    }
}

/// Refuses an empty database file before SQLite sees it: SQLite would take it for a new
/// database, and the migrations would quietly make an empty registry without its administrator.
fn refuse_empty_file(path: &Path) -> Result<(), StoreError> {
    let size = std::fs::metadata(path)
        .map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size == 0 {
        return Err(StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: "it is empty",
        });
    }
    Ok(())
}

/// Refuses a database without the registry's tables (another program's, or one whose `init`
/// was cut short), before the migrations would add them.
async fn refuse_schemaless_database(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    // The migrations' own table and the first migration's audit log: every registry has both
    // from the moment `init` finished.
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master
         WHERE type = 'table' AND name IN ('_sqlx_migrations', 'audit_log')",
    )
    .fetch_one(pool)
    .await
    .map_err(|error| opening_failed(error, path))?;
    if tables < 2 {
        return Err(StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: "it holds no registry tables",
        });
    }
    Ok(())
}

impl SqliteBackend {
    pub(crate) async fn connect(
        path: &Path,
        opening: Opening,
    ) -> Result<SqliteBackend, StoreError> {
        if opening == Opening::Existing {
            refuse_empty_file(path)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(opening == Opening::Create)
            .page_size(PAGE_SIZE)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", PAGE_CACHE);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|error| opening_failed(error, path))?;
        if opening == Opening::Existing {
            refuse_schemaless_database(&pool, path).await?;
        }
        MIGRATOR
            .run(&pool)
            .await
            .context("running migrations")
            .map_err(|error| located(error, path))?;
        Ok(SqliteBackend { pool })
    }

    pub(crate) async fn close(self) {
        self.pool.close().await;
    }

    /// Imports a list (see [`crate::Store::import`]). The file is stored while the write lock
    /// is held, after the files of imports killed part way are removed, and is removed again
    /// before the lock is let go if the import fails (or, if the commit itself fails, under
    /// the lock taken again, and only while no import records it); so no other import can
    /// come to rely on a file that is about to go.
    pub(crate) async fn import(
        &self,
        import: &NewImport<'_>,
        records: &mut (dyn Iterator<Item = NewSourceRecord> + Send),
        files: &FileArea,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReceipt, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("starting an import")?;
        remove_unrecorded_files(&mut tx, files).await?;
        let (file_sha256, placement) = files.put(import.file_bytes)?;
        let written = write_import(&mut tx, import, records, &file_sha256, actor, progress).await;
        let receipt = match written {
            Ok(receipt) => receipt,
            Err(error) => {
                // The transaction, and so the lock, is still held here.
                if placement == Placement::Written {
                    remove_failed_import_file(files, &file_sha256);
                }
                return Err(error);
            }
        };
        match tx.commit().await.context("committing the import") {
            Ok(()) => Ok(receipt),
            Err(error) => {
                // The failed commit let the lock go: another import may have stored the same
                // file since, so it is removed only under the lock again, if still unrecorded.
                self.remove_unrecorded_files_now(files).await;
                Err(error)
            }
        }
    }

    /// Removes the files no import recorded, under the write lock; if the lock cannot be had
    /// they stay, left out of backups, for the next import to remove.
    async fn remove_unrecorded_files_now(&self, files: &FileArea) {
        let cleaned = async {
            let mut tx = self
                .pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .context("removing files no import recorded")?;
            remove_unrecorded_files(&mut tx, files).await?;
            tx.commit()
                .await
                .context("removing files no import recorded")
        };
        if let Err(error) = cleaned.await {
            tracing::warn!(%error, "files no import recorded are left for the next import");
        }
    }

    pub(crate) async fn counts(&self) -> Result<RegistryCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM imports),
                    (SELECT count(*) FROM source_records),
                    (SELECT count(*) FROM persons WHERE merged_into IS NULL),
                    (SELECT count(*) FROM claims), (SELECT count(*) FROM audit_log)",
        )
        .fetch_one(&self.pool)
        .await
        .context("counting")?;
        let count = |i: usize| -> Result<u64, StoreError> {
            Ok(row.try_get::<i64, _>(i).context("reading counts")? as u64)
        };
        Ok(RegistryCounts {
            sources: count(0)?,
            imports: count(1)?,
            records: count(2)?,
            persons: count(3)?,
            claims: count(4)?,
            audit_entries: count(5)?,
        })
    }

    pub(crate) async fn refuse_imported_file(&self, file_sha256: &str) -> Result<(), StoreError> {
        let mut connection = self
            .pool
            .acquire()
            .await
            .context("looking for an earlier import of the file")?;
        refuse_duplicate_file(&mut connection, file_sha256).await
    }

    pub(crate) async fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.kind, s.reliability,
                    (SELECT count(*) FROM source_records r WHERE r.source_id = s.id),
                    (SELECT count(*) FROM imports i WHERE i.source_id = s.id)
             FROM sources s ORDER BY s.name",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing sources")?;
        rows.iter()
            .map(|row| {
                Ok(SourceInfo {
                    id: SourceId(row.try_get(0).context("reading sources")?),
                    name: row.try_get(1).context("reading sources")?,
                    kind: row.try_get(2).context("reading sources")?,
                    reliability: row.try_get(3).context("reading sources")?,
                    records: row.try_get::<i64, _>(4).context("reading sources")? as u64,
                    imports: row.try_get::<i64, _>(5).context("reading sources")? as u64,
                })
            })
            .collect()
    }

    /// One page of records in id order after `after`, of one source or of all.
    pub(crate) async fn records_page(
        &self,
        source: Option<SourceId>,
        after: Option<RecordId>,
        limit: u32,
    ) -> Result<RecordPage, StoreError> {
        let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT r.id, r.source_id, s.name, r.row_number, r.external_id, r.raw_text,
                    r.raw_cells, r.fields, r.warnings,
                    (SELECT i.columns FROM imports i WHERE i.id = r.import_id) AS import_columns
             FROM source_records r JOIN sources s ON s.id = r.source_id WHERE r.id > ",
        );
        sql.push_bind(after.map_or(0, RecordId::get));
        if let Some(source) = source {
            sql.push(" AND r.source_id = ").push_bind(source.get());
        }
        sql.push(" ORDER BY r.id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = sql
            .build()
            .fetch_all(&self.pool)
            .await
            .context("reading records")?;
        let records = rows
            .iter()
            .map(decode_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = if records.len() as u32 == limit {
            records.last().map(|r| r.id)
        } else {
            None
        };
        Ok(RecordPage {
            records,
            next_after,
        })
    }

    pub(crate) async fn create_person(&self, actor: &Actor) -> Result<PersonId, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("creating a person")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO persons (created_by, created_at) VALUES (?, ?) RETURNING id",
        )
        .bind(actor.as_str().to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .context("creating a person")?;
        append_audit(
            &mut tx,
            actor,
            "create",
            "person",
            &id.to_string(),
            &json!({}),
        )
        .await?;
        tx.commit().await.context("creating a person")?;
        Ok(PersonId(id))
    }

    pub(crate) async fn assign_records(
        &self,
        person: PersonId,
        records: &[RecordId],
        method: MembershipMethod,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("assigning records")?;
        let at = now();
        for record in records {
            sqlx::query(
                "INSERT INTO memberships (record_id, person_id, method, decided_by, decided_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(record.get())
            .bind(person.get())
            .bind(method.as_str())
            .bind(actor.as_str().to_string())
            .bind(at.clone())
            .execute(&mut *tx)
            .await
            .context("assigning records")?;
        }
        let ids: Vec<i64> = records.iter().map(|r| r.get()).collect();
        let payload = json!({ "records": ids, "method": method.as_str() });
        append_audit(
            &mut tx,
            actor,
            "assign",
            "person",
            &person.to_string(),
            &payload,
        )
        .await?;
        refresh_person_summaries(&mut tx).await?;
        tx.commit().await.context("assigning records")?;
        Ok(())
    }

    pub(crate) async fn person_records(
        &self,
        person: PersonId,
    ) -> Result<Vec<RecordId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT m.record_id FROM memberships m
             WHERE m.person_id = ?
               AND m.id = (SELECT max(id) FROM memberships WHERE record_id = m.record_id)
             ORDER BY m.record_id",
        )
        .bind(person.get())
        .fetch_all(&self.pool)
        .await
        .context("reading a person's records")?;
        Ok(ids.into_iter().map(RecordId).collect())
    }

    pub(crate) async fn add_claim(
        &self,
        claim: &NewClaim,
        actor: &Actor,
    ) -> Result<ClaimId, StoreError> {
        let ClaimSubject::Person(person) = claim.subject;
        let (origin_kind, origin_id) = match claim.origin {
            ClaimOrigin::Record(id) => ("record", id.get()),
            ClaimOrigin::Source(id) => ("source", id.get()),
        };
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("adding a claim")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO claims (subject_kind, subject_id, field, value, origin_kind, origin_id,
                                 locator, state, entered_by, entered_at)
             VALUES ('person', ?, ?, ?, ?, ?, ?, 'asserted', ?, ?) RETURNING id",
        )
        .bind(person.get())
        .bind(claim.field.clone())
        .bind(claim.value.clone())
        .bind(origin_kind)
        .bind(origin_id)
        .bind(claim.locator.clone())
        .bind(actor.as_str().to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .context("adding a claim")?;
        let payload = serde_json::to_value(claim).expect("BUG: a claim always serialises");
        append_audit(&mut tx, actor, "create", "claim", &id.to_string(), &payload).await?;
        tx.commit().await.context("adding a claim")?;
        Ok(ClaimId(id))
    }

    pub(crate) async fn claims_about(
        &self,
        subject: ClaimSubject,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        let ClaimSubject::Person(person) = subject;
        let rows = sqlx::query(
            "SELECT id, field, value, origin_kind, origin_id, locator, state, entered_by,
                    entered_at
             FROM claims WHERE subject_kind = 'person' AND subject_id = ? ORDER BY id",
        )
        .bind(person.get())
        .fetch_all(&self.pool)
        .await
        .context("reading claims")?;
        rows.iter().map(decode_claim).collect()
    }

    pub(crate) async fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let entries = self.audit_page(after).await?;
            let Some(last) = entries.last() else { break };
            after = last.seq;
            for entry in &entries {
                let checked = match verifier.check(entry) {
                    Ok(()) => self.check_recorded_data(entry).await?,
                    Err(chain_break) => Err(chain_break),
                };
                if let Err(chain_break) = checked {
                    return Ok(verdict(&verifier, Some(chain_break)));
                }
            }
        }
        Ok(verdict(&verifier, None))
    }

    async fn audit_page(&self, after: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, payload, prev_hash, hash
             FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(AUDIT_PAGE)
        .fetch_all(&self.pool)
        .await
        .context("reading the audit log")?;
        rows.iter().map(decode_audit_entry).collect()
    }

    /// For entries that record a digest of data (imports), recomputes it from the data.
    async fn check_recorded_data(
        &self,
        entry: &AuditEntry,
    ) -> Result<Result<(), ChainBreak>, StoreError> {
        if entry.action != "import" {
            return Ok(Ok(()));
        }
        let payload: serde_json::Value = serde_json::from_str(&entry.payload)
            .map_err(|e| StoreError::Corrupt(format!("audit entry {}: {e}", entry.seq)))?;
        let import_id: i64 = entry.entity_id.parse().map_err(|_| {
            StoreError::Corrupt(format!(
                "audit entry {} names import `{}`",
                entry.seq, entry.entity_id
            ))
        })?;
        let recorded = payload["records_sha256"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let recorded_rows = payload["rows"].as_u64().unwrap_or_default();
        let (actual, rows) = self.import_digest(import_id).await?;
        if actual != recorded || rows != recorded_rows {
            return Ok(Err(ChainBreak::DataChanged {
                seq: entry.seq,
                detail: format!(
                    "import {import_id} recorded {recorded_rows} records with digest {recorded}, \
                     the registry now holds {rows} with digest {actual}"
                ),
            }));
        }
        Ok(Ok(()))
    }

    async fn import_digest(&self, import_id: i64) -> Result<(String, u64), StoreError> {
        let columns: Option<Option<String>> =
            sqlx::query_scalar("SELECT columns FROM imports WHERE id = ?")
                .bind(import_id)
                .fetch_optional(&self.pool)
                .await
                .context("reading an import's columns")?;
        let mut digest = RecordsDigest::of_import(columns.flatten().as_deref());
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT row_number, external_id, raw_text, raw_cells, fields, warnings
                 FROM source_records WHERE import_id = ? AND row_number > ?
                 ORDER BY row_number LIMIT 10000",
            )
            .bind(import_id)
            .bind(after)
            .fetch_all(&self.pool)
            .await
            .context("reading records to verify their digest")?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let encoded = EncodedRecord {
                    row_number: row.try_get(0).context("reading records")?,
                    external_id: row.try_get(1).context("reading records")?,
                    raw_text: row.try_get(2).context("reading records")?,
                    raw_cells: row.try_get(3).context("reading records")?,
                    fields: row.try_get(4).context("reading records")?,
                    warnings: row.try_get(5).context("reading records")?,
                };
                after = encoded.row_number;
                digest.add(&encoded);
            }
        }
        let rows = digest.rows;
        Ok((digest.finish(), rows))
    }

    /// Writes a consistent copy of the database to `path`; returns the hashes of the files the
    /// copy records.
    pub(crate) async fn snapshot(&self, path: &Path) -> Result<Vec<String>, StoreError> {
        let target = path.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await
            .context("writing a consistent copy of the database")?;
        recorded_files(path).await
    }
}

/// Writes an import's rows in the import's transaction (see [`SqliteBackend::import`]).
async fn write_import(
    tx: &mut SqliteConnection,
    import: &NewImport<'_>,
    records: &mut (dyn Iterator<Item = NewSourceRecord> + Send),
    file_sha256: &str,
    actor: &Actor,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReceipt, StoreError> {
    if import.on_duplicate == DuplicateFile::Refuse {
        refuse_duplicate_file(&mut *tx, file_sha256).await?;
    }
    let at = now();
    insert_file(&mut *tx, import, file_sha256, actor, &at).await?;
    let (source_id, is_new_source) = find_or_create_source(&mut *tx, import, actor, &at).await?;
    let mapping = serde_json::to_string(
        &import
            .mapping
            .iter()
            .map(|(f, c)| (f.as_str(), c.as_str()))
            .collect::<Vec<_>>(),
    )
    .expect("BUG: a list of string pairs always serialises");
    let columns = to_json(&import.columns);
    let import_id: i64 = sqlx::query_scalar(
        "INSERT INTO imports (source_id, file_sha256, encoding, delimiter, mapping, columns,
                              row_count, records_sha256, imported_by, imported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id",
    )
    .bind(source_id.get())
    .bind(file_sha256.to_string())
    .bind(import.encoding.clone())
    .bind(import.delimiter.clone())
    .bind(mapping)
    .bind(columns.clone())
    .bind(0i64)
    .bind(actor.as_str().to_string())
    .bind(at.clone())
    .fetch_one(&mut *tx)
    .await
    .context("recording the import")?;

    let next_id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM source_records")
        .fetch_one(&mut *tx)
        .await
        .context("reading record ids")?;
    let target = RecordTarget {
        source_id,
        import_id,
        first_id: next_id,
    };
    let digest = RecordsDigest::of_import(Some(&columns));
    set_name_index_merging(&mut *tx, NameIndexMerging::Deferred).await?;
    let (written, records_sha256) =
        write_records(&mut *tx, &target, digest, records, progress).await?;
    set_name_index_merging(&mut *tx, NameIndexMerging::Automatic).await?;
    // Merging rewrites the whole name index (2–4 s at a million records), so only an import
    // that wrote a good part of it pays for that; a small list adds a few small segments,
    // which FTS5 merges with others as more are written.
    let records_now = ((next_id - 1) as u64 + written).max(1);
    if written * OPTIMIZE_SHARE >= records_now {
        optimize_name_index(&mut *tx).await?;
    }
    // Row count and digest are known only at the end; both are set once, before commit.
    sqlx::query("UPDATE imports SET row_count = ?, records_sha256 = ? WHERE id = ?")
        .bind(written as i64)
        .bind(records_sha256.clone())
        .bind(import_id)
        .execute(&mut *tx)
        .await
        .context("recording the records' digest")?;
    let payload = json!({
        "source": import.source.name,
        "source_id": source_id.get(),
        "new_source": is_new_source,
        "file_sha256": file_sha256,
        "file_name": import.file_name,
        "rows": written,
        "records_sha256": records_sha256,
    });
    let audit_seq = append_audit(
        &mut *tx,
        actor,
        "import",
        "import",
        &import_id.to_string(),
        &payload,
    )
    .await?;
    Ok(ImportReceipt {
        source_id,
        is_new_source,
        import_id,
        records: written,
        file_sha256: file_sha256.to_string(),
        audit_seq,
    })
}

/// Removes the files no import recorded (left by imports killed part way), under the write
/// lock `tx` holds. A file that cannot be removed is only logged: it is ignored by backups, and
/// the next import tries again.
async fn remove_unrecorded_files(
    tx: &mut SqliteConnection,
    files: &FileArea,
) -> Result<(), StoreError> {
    let recorded: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM files")
        .fetch_all(&mut *tx)
        .await
        .context("listing the stored files")?;
    match files.remove_unrecorded(&recorded.into_iter().collect()) {
        Ok(removed) => {
            for path in removed {
                tracing::info!(path = %path.display(), "removed a file no import recorded");
            }
        }
        Err(error) => tracing::warn!(%error, "files no import recorded could not be removed"),
    }
    Ok(())
}

/// Removes the file a failed import wrote. If that fails too the file stays, unrecorded: it is
/// left out of backups and the next import removes it.
fn remove_failed_import_file(files: &FileArea, sha256: &str) {
    if let Err(error) = files.remove(sha256) {
        tracing::warn!(%error, "the file of a failed import could not be removed");
    }
}

/// The hashes of the files the database at `path` records, read from a connection of its own.
async fn recorded_files(path: &Path) -> Result<Vec<String>, StoreError> {
    let options = SqliteConnectOptions::new().filename(path);
    // Not the registry's own database: its errors are not told as the registry's.
    let mut connection = options
        .connect()
        .await
        .context("opening a copy of the database")?;
    let recorded = sqlx::query_scalar("SELECT sha256 FROM files ORDER BY sha256")
        .fetch_all(&mut connection)
        .await
        .context("listing the files a copy of the database records")?;
    connection
        .close()
        .await
        .context("listing the files a copy of the database records")?;
    Ok(recorded)
}

fn verdict(verifier: &ChainVerifier, broken: Option<ChainBreak>) -> AuditVerdict {
    AuditVerdict {
        entries_checked: verifier.entries_checked(),
        head: verifier.head().to_string(),
        broken,
    }
}

async fn refuse_duplicate_file(
    tx: &mut SqliteConnection,
    file_sha256: &str,
) -> Result<(), StoreError> {
    let earlier = sqlx::query(
        "SELECT s.name, i.imported_at FROM imports i JOIN sources s ON s.id = i.source_id
         WHERE i.file_sha256 = ? ORDER BY i.id LIMIT 1",
    )
    .bind(file_sha256.to_string())
    .fetch_optional(&mut *tx)
    .await
    .context("looking for an earlier import of the file")?;
    match earlier {
        None => Ok(()),
        Some(row) => Err(StoreError::DuplicateFile {
            sha256: file_sha256.to_string(),
            source_name: row.try_get(0).context("reading an earlier import")?,
            imported_at: row.try_get(1).context("reading an earlier import")?,
        }),
    }
}

async fn insert_file(
    tx: &mut SqliteConnection,
    import: &NewImport<'_>,
    file_sha256: &str,
    actor: &Actor,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO files (sha256, size_bytes, media_type, original_name, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(file_sha256.to_string())
    .bind(import.file_bytes.len() as i64)
    .bind(import.media_type.clone())
    .bind(import.file_name.clone())
    .bind(actor.as_str().to_string())
    .bind(at.to_string())
    .execute(&mut *tx)
    .await
    .context("recording the file")?;
    Ok(())
}

async fn find_or_create_source(
    tx: &mut SqliteConnection,
    import: &NewImport<'_>,
    actor: &Actor,
    at: &str,
) -> Result<(SourceId, bool), StoreError> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE name = ?")
        .bind(import.source.name.clone())
        .fetch_optional(&mut *tx)
        .await
        .context("looking up the source")?;
    if let Some(id) = existing {
        return Ok((SourceId(id), false));
    }
    let source = &import.source;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sources (name, kind, reliability, calendar, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(source.name.clone())
    .bind(source.kind.as_str())
    .bind(source.reliability.as_str())
    .bind(source.calendar.map(|c| c.as_str()))
    .bind(actor.as_str().to_string())
    .bind(at.to_string())
    .fetch_one(&mut *tx)
    .await
    .context("creating the source")?;
    let payload = serde_json::to_value(source).expect("BUG: a source always serialises");
    append_audit(tx, actor, "create", "source", &id.to_string(), &payload).await?;
    Ok((SourceId(id), true))
}

/// A record with its JSON columns encoded exactly as stored (and as hashed).
struct EncodedRecord {
    row_number: i64,
    external_id: Option<String>,
    raw_text: String,
    /// The cells' values alone, in the order of the import's columns.
    raw_cells: String,
    fields: String,
    warnings: String,
}

impl EncodedRecord {
    fn new(record: NewSourceRecord) -> EncodedRecord {
        EncodedRecord {
            row_number: record.row_number as i64,
            raw_cells: to_json(&record.raw_values),
            fields: to_json(&record.fields),
            warnings: to_json(&record.warnings),
            external_id: record.external_id,
            raw_text: record.raw_text,
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("BUG: record parts always serialise")
}

/// SHA-256 over the stored form of an import's records, in row order, after the import's
/// columns where it stores them (the records' cells are read against them).
struct RecordsDigest {
    hasher: Sha256,
    rows: u64,
}

impl RecordsDigest {
    /// The digest of an import whose stored columns are `columns` (`None` for imports made
    /// before the columns were stored once per import).
    fn of_import(columns: Option<&str>) -> RecordsDigest {
        let mut digest = RecordsDigest {
            hasher: Sha256::new(),
            rows: 0,
        };
        if let Some(columns) = columns {
            digest.update(columns);
        }
        digest
    }

    fn add(&mut self, record: &EncodedRecord) {
        let external_id = record.external_id.as_deref().unwrap_or("");
        for part in [
            record.row_number.to_string().as_str(),
            external_id,
            &record.raw_text,
            &record.raw_cells,
            &record.fields,
            &record.warnings,
        ] {
            self.update(part);
        }
        self.rows += 1;
    }

    fn update(&mut self, part: &str) {
        self.hasher.update((part.len() as u64).to_le_bytes());
        self.hasher.update(part.as_bytes());
    }

    fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// Where an import's records go: their source and import, and the id of the first.
struct RecordTarget {
    source_id: SourceId,
    import_id: i64,
    first_id: i64,
}

/// Writes every record the iterator yields, with its search entries; returns how many were
/// written and their digest. Parsing and encoding a batch (on all cores) and writing the one
/// before it (on SQLite's own thread) run side by side: the encoder hands batches over a short
/// queue and yields after each, so the writer sends its next statement as soon as the last
/// one is done.
async fn write_records(
    tx: &mut SqliteConnection,
    target: &RecordTarget,
    mut digest: RecordsDigest,
    records: &mut (dyn Iterator<Item = NewSourceRecord> + Send),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(u64, String), StoreError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
    let encode = async move {
        loop {
            let batch = encode_batch(records);
            if batch.is_empty() {
                break;
            }
            batch.iter().for_each(|(row, _)| digest.add(row));
            if sender.send(batch).await.is_err() {
                break;
            }
            tokio::task::yield_now().await;
        }
        (digest.rows, digest.finish())
    };
    let write = async move {
        let mut next_id = target.first_id;
        let mut index = Vec::new();
        while let Some(rows) = receiver.recv().await {
            next_id = insert_records(tx, target, next_id, rows, &mut index).await?;
            if index.len() >= INDEX_ROWS_PER_WRITE {
                insert_index(tx, &index).await?;
                index.clear();
            }
            progress((next_id - target.first_id) as u64);
        }
        insert_index(tx, &index).await?;
        Ok::<i64, StoreError>(next_id)
    };
    let ((encoded, digest), written) = tokio::join!(encode, write);
    let written = (written? - target.first_id) as u64;
    // The encoder stops early only when the writer failed, which returned above.
    debug_assert_eq!(encoded, written);
    Ok((written, digest))
}

/// The next batch of records, encoded and indexed on all cores, in row order (empty at the end).
fn encode_batch(
    records: &mut (dyn Iterator<Item = NewSourceRecord> + Send),
) -> Vec<(EncodedRecord, IndexEntry)> {
    let batch: Vec<NewSourceRecord> = records.take(RECORDS_PER_INSERT).collect();
    batch
        .into_par_iter()
        .map(|record| {
            let entry = index_entry(&record.fields);
            (EncodedRecord::new(record), entry)
        })
        .collect()
}

/// Writes records with ids from `first_id` on and adds their search entries to `index`, to be
/// written later; returns the next id.
async fn insert_records(
    tx: &mut SqliteConnection,
    target: &RecordTarget,
    first_id: i64,
    rows: Vec<(EncodedRecord, IndexEntry)>,
    index: &mut Vec<IndexRow>,
) -> Result<i64, StoreError> {
    let next_id = first_id + rows.len() as i64;
    let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO source_records (id, source_id, import_id, row_number, external_id, raw_text,
                                     raw_cells, fields, warnings, search_text) ",
    );
    builder.push_values(
        rows.into_iter().zip(first_id..),
        |mut b, ((row, entry), id)| {
            index.push(IndexRow {
                record: RecordId(id),
                source: target.source_id,
                entry,
            });
            b.push_bind(id)
                .push_bind(target.source_id.get())
                .push_bind(target.import_id)
                .push_bind(row.row_number)
                .push_bind(row.external_id)
                .push_bind(row.raw_text)
                .push_bind(row.raw_cells)
                .push_bind(row.fields)
                .push_bind(row.warnings)
                .push("''");
        },
    );
    builder
        .build()
        .execute(&mut *tx)
        .await
        .context("writing records")?;
    Ok(next_id)
}

/// The search index entry of one record, with the record's id and source.
pub(crate) struct IndexRow {
    pub(crate) record: RecordId,
    pub(crate) source: SourceId,
    pub(crate) entry: IndexEntry,
}

/// Facet rows per multi-row INSERT (7 values each, below SQLite's 32,766 parameters).
const FACETS_PER_INSERT: usize = 4_000;

/// Name index rows per multi-row INSERT (3 values each).
const TERMS_PER_INSERT: usize = 10_000;

/// Writes the search index entries of records, many rows to a statement, the values bound
/// as they are: SQLite parsing them out of one JSON array cost it about a tenth of an import.
/// FTS5 writes the terms it has gathered as a new segment at the start of every statement;
/// an import defers merging them until it ends ([`NameIndexMerging::Deferred`]).
pub(crate) async fn insert_index(
    tx: &mut SqliteConnection,
    entries: &[IndexRow],
) -> Result<(), StoreError> {
    for rows in entries.chunks(FACETS_PER_INSERT) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO record_facets (record_id, source_id, display_name, prison, city, \
             death_year, death_month) ",
        );
        builder.push_values(rows, |mut b, row| {
            b.push_bind(row.record.get())
                .push_bind(row.source.get())
                .push_bind(row.entry.display_name.as_str())
                .push_bind(row.entry.prison.as_deref())
                .push_bind(row.entry.city.as_deref())
                .push_bind(row.entry.death_year)
                .push_bind(row.entry.death_month.as_deref());
        });
        builder
            .build()
            .execute(&mut *tx)
            .await
            .context("indexing records")?;
    }
    for rows in entries.chunks(TERMS_PER_INSERT) {
        let mut builder: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO record_terms (rowid, names, skeletons) ");
        builder.push_values(rows, |mut b, row| {
            b.push_bind(row.record.get())
                .push_bind(row.entry.names.as_str())
                .push_bind(row.entry.skeletons.as_str());
        });
        builder
            .build()
            .execute(&mut *tx)
            .await
            .context("indexing records")?;
    }
    Ok(())
}

/// How FTS5 merges the name index's segments while records are written.
enum NameIndexMerging {
    /// As it goes (FTS5's defaults): a few segments at a time, and at once when a level holds
    /// 16, so searches never read many segments.
    Automatic,
    /// Not until the index is optimised: during a bulk write, merging as it goes rewrote each
    /// entry several times over (a sixth of a 200,000-row import). Both settings are written
    /// in the import's own transaction, so a failed import leaves the defaults in place.
    Deferred,
}

async fn set_name_index_merging(
    tx: &mut SqliteConnection,
    merging: NameIndexMerging,
) -> Result<(), StoreError> {
    // FTS5's defaults, then no merging as it goes and a crisis merge only at 1,000 segments a
    // level (it keeps at most 2,000 in all).
    let (automerge, crisismerge) = match merging {
        NameIndexMerging::Automatic => (4, 16),
        NameIndexMerging::Deferred => (0, 1_000),
    };
    for (setting, value) in [("automerge", automerge), ("crisismerge", crisismerge)] {
        sqlx::query("INSERT INTO record_terms (record_terms, rank) VALUES (?, ?)")
            .bind(setting)
            .bind(value)
            .execute(&mut *tx)
            .await
            .context("setting how the name index merges")?;
    }
    Ok(())
}

/// Merges the name index into one segment: each search word is then one lookup rather than one
/// per segment, which halved the time of a search.
pub(crate) async fn optimize_name_index<'c>(
    db: impl sqlx::SqliteExecutor<'c>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO record_terms (record_terms) VALUES ('optimize')")
        .execute(db)
        .await
        .context("merging the name index")?;
    Ok(())
}

pub(crate) async fn append_audit(
    tx: &mut SqliteConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    payload: &serde_json::Value,
) -> Result<i64, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .context("reading the audit head")?;
    let (seq, prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>(0).context("reading the audit head")? + 1,
            row.try_get::<String, _>(1)
                .context("reading the audit head")?,
        ),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        at: now(),
        actor: actor.as_str().to_string(),
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id: entity_id.to_string(),
        payload: payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, payload, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq)
    .bind(entry.at)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.entity)
    .bind(entry.entity_id)
    .bind(entry.payload)
    .bind(entry.prev_hash)
    .bind(entry.hash)
    .execute(&mut *tx)
    .await
    .context("writing the audit entry")?;
    Ok(seq)
}

pub(crate) fn decode_audit_entry(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry, StoreError> {
    let get = |i: usize| -> Result<String, StoreError> {
        row.try_get::<String, _>(i).context("reading the audit log")
    };
    Ok(AuditEntry {
        seq: row.try_get(0).context("reading the audit log")?,
        at: get(1)?,
        actor: get(2)?,
        action: get(3)?,
        entity: get(4)?,
        entity_id: get(5)?,
        payload: get(6)?,
        prev_hash: get(7)?,
        hash: get(8)?,
    })
}

/// One of a record's JSON columns (`what` names it in the error), as stored.
fn decode_record_json<T: serde::de::DeserializeOwned>(
    id: i64,
    what: &str,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("record {id}: its {what} cannot be read: {e}")))
}

/// A record's parsed fields, as stored.
pub(crate) fn decode_fields(
    id: i64,
    json: &str,
) -> Result<Vec<(CanonicalField, FieldValue)>, StoreError> {
    decode_record_json(id, "fields", json)
}

/// The name a query that reads records gives the columns of each record's import, which
/// [`decode_record`] reads the cells against:
/// `(SELECT i.columns FROM imports i WHERE i.id = r.import_id) AS import_columns`.
const IMPORT_COLUMNS: &str = "import_columns";

/// A record's verbatim cells as stored: the values alone, in the order of the import's
/// columns, or (in imports made before the columns were stored once) each with its column.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum StoredCells {
    Named(Vec<RawCell>),
    Values(Vec<String>),
}

/// A record's cells with their columns.
fn decode_cells(
    id: i64,
    json: &str,
    import_columns: Option<&str>,
) -> Result<Vec<RawCell>, StoreError> {
    let values = match decode_record_json(id, "cells", json)? {
        StoredCells::Named(cells) => return Ok(cells),
        StoredCells::Values(values) => values,
    };
    let columns: Vec<String> =
        decode_record_json(id, "import's columns", import_columns.unwrap_or("null"))?;
    if columns.len() != values.len() {
        return Err(StoreError::Corrupt(format!(
            "record {id} has {} cells but its import has {} columns",
            values.len(),
            columns.len()
        )));
    }
    Ok(columns
        .into_iter()
        .zip(values)
        .map(|(column, value)| RawCell { column, value })
        .collect())
}

pub(crate) fn decode_record(row: &sqlx::sqlite::SqliteRow) -> Result<StoredRecord, StoreError> {
    let id: i64 = row.try_get(0).context("reading records")?;
    let json_column = |i: usize| -> Result<String, StoreError> {
        row.try_get::<String, _>(i).context("reading records")
    };
    let import_columns: Option<String> = row
        .try_get(IMPORT_COLUMNS)
        .context("reading an import's columns")?;
    Ok(StoredRecord {
        id: RecordId(id),
        source_id: SourceId(row.try_get(1).context("reading records")?),
        source_name: row.try_get(2).context("reading records")?,
        row_number: row.try_get::<i64, _>(3).context("reading records")? as u64,
        external_id: row.try_get(4).context("reading records")?,
        raw_text: row.try_get(5).context("reading records")?,
        raw_cells: decode_cells(id, &json_column(6)?, import_columns.as_deref())?,
        fields: decode_fields(id, &json_column(7)?)?,
        warnings: decode_record_json(id, "warnings", &json_column(8)?)?,
    })
}

fn decode_claim(row: &sqlx::sqlite::SqliteRow) -> Result<StoredClaim, StoreError> {
    let id: i64 = row.try_get(0).context("reading claims")?;
    let origin_kind: String = row.try_get(3).context("reading claims")?;
    let origin_id: i64 = row.try_get(4).context("reading claims")?;
    let origin = match origin_kind.as_str() {
        "record" => ClaimOrigin::Record(RecordId(origin_id)),
        "source" => ClaimOrigin::Source(SourceId(origin_id)),
        other => {
            return Err(StoreError::Corrupt(format!(
                "claim {id} has origin `{other}`"
            )));
        }
    };
    let state: String = row.try_get(6).context("reading claims")?;
    Ok(StoredClaim {
        id: ClaimId(id),
        field: row.try_get(1).context("reading claims")?,
        value: row.try_get(2).context("reading claims")?,
        origin,
        locator: row.try_get(5).context("reading claims")?,
        state: ClaimState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("claim {id} has state `{state}`")))?,
        entered_by: row.try_get(7).context("reading claims")?,
        entered_at: row.try_get(8).context("reading claims")?,
    })
}
