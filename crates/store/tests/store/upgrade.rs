//! A registry written before the header of an import was stored once (its schema ends at
//! migration 0005, and each record keeps every cell with its column's name) opens, upgrades,
//! reads and verifies as before, and takes new imports.

use crate::helpers::{TestRegistry, record};
use domain::record::RawCell;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool};
use std::path::Path;
use store::audit::{AuditEntry, GENESIS_HASH, entry_hash};

/// The two records of the old import: row number, record id, given name.
const OLD_ROWS: [(i64, &str, &str); 2] = [(1, "r1", "Ali"), (2, "r2", "Zahra")];

#[tokio::test]
async fn a_registry_of_the_previous_schema_reads_and_verifies_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    write_registry_of_schema_0005(&dir.path().join("registry")).await;
    let registry = TestRegistry::open(dir).await;

    let page = registry.store.records_page(None, 10).await.unwrap();
    assert_eq!(page.records.len(), 2);
    assert_eq!(
        page.records[1].raw_cells,
        [cell("record_id", "r2"), cell("given_name", "Zahra")]
    );
    assert_eq!(page.records[1].raw_text, "r2,Zahra");
    let verdict = registry.store.verify_audit().await.unwrap();
    assert_eq!((verdict.entries_checked, verdict.broken), (2, None));

    registry
        .import("new-list", b"new file", &[record(1, "Reza")])
        .await
        .unwrap();
    let page = registry.store.records_page(None, 10).await.unwrap();
    assert_eq!(
        page.records[2].raw_cells,
        [cell("record_id", "r1"), cell("given_name", "Reza")]
    );
    let verdict = registry.store.verify_audit().await.unwrap();
    assert_eq!((verdict.entries_checked, verdict.broken), (4, None));
}

fn cell(column: &str, value: &str) -> RawCell {
    RawCell {
        column: column.into(),
        value: value.into(),
    }
}

/// A registry as the previous version wrote it: the migrations up to 0005, a source and one
/// import of two records whose cells carry their column names, and the audit entries (with
/// the records' digest) for both.
async fn write_registry_of_schema_0005(root: &Path) {
    std::fs::create_dir_all(root.join("files")).unwrap();
    let migrations = tempfile::tempdir().unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0006" {
            std::fs::copy(&path, migrations.path().join(name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::new()
        .filename(root.join("registry.sqlite"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(migrations.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let file = "a".repeat(64);
    sqlx::query("INSERT INTO files VALUES (?, 8, 'text/csv', 'old.csv', 'cli:old', '2026-01-01')")
        .bind(&file)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO sources VALUES (1, 'old-list', 'list', 'unknown', NULL, 'cli:old', '2026-01-01')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let rows: Vec<[String; 5]> = OLD_ROWS
        .iter()
        .map(|(row, id, name)| {
            [
                row.to_string(),
                id.to_string(),
                format!("{id},{name}"),
                format!(
                    r#"[{{"column":"record_id","value":"{id}"}},{{"column":"given_name","value":"{name}"}}]"#
                ),
                format!(
                    r#"[["record_id",{{"type":"text","text":"{id}"}}],["given_name",{{"type":"text","text":"{name}"}}]]"#
                ),
            ]
        })
        .collect();
    let mut digest = Sha256::new();
    for part in rows
        .iter()
        .flat_map(|row| row.iter().map(String::as_str).chain(["[]"]))
    {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part.as_bytes());
    }
    let records_sha256 = hex::encode(digest.finalize());
    sqlx::query(
        "INSERT INTO imports VALUES (1, 1, ?1, 'UTF-8', ',', '[]', 2, ?2, 'cli:old', '2026-01-01')",
    )
    .bind(&file)
    .bind(&records_sha256)
    .execute(&pool)
    .await
    .unwrap();
    for [row, id, raw_text, cells, fields] in rows {
        sqlx::query(
            "INSERT INTO source_records (id, source_id, import_id, row_number, external_id,
                                         raw_text, raw_cells, fields, warnings, search_text)
             VALUES (?1, 1, 1, ?1, ?2, ?3, ?4, ?5, '[]', '')",
        )
        .bind(row.parse::<i64>().unwrap())
        .bind(id)
        .bind(raw_text)
        .bind(cells)
        .bind(fields)
        .execute(&pool)
        .await
        .unwrap();
    }
    let payload = format!(r#"{{"rows":2,"records_sha256":"{records_sha256}"}}"#);
    let mut prev_hash = GENESIS_HASH.to_string();
    for (seq, action, entity, payload) in [
        (1, "create", "source", "{}".to_string()),
        (2, "import", "import", payload),
    ] {
        let mut entry = AuditEntry {
            seq,
            at: "2026-01-01T00:00:00.000Z".into(),
            actor: "cli:old".into(),
            action: action.into(),
            entity: entity.into(),
            entity_id: "1".into(),
            payload,
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        sqlx::query("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(entry.seq)
            .bind(&entry.at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.entity)
            .bind(&entry.entity_id)
            .bind(&entry.payload)
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .execute(&pool)
            .await
            .unwrap();
        prev_hash = entry.hash;
    }
    pool.close().await;
}
