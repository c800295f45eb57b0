//! A fresh registry per test, and small builders of records.

use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::record::{FieldValue, NewSourceRecord};
use domain::source::{NewSource, Reliability, SourceKind};
use sqlx::Connection;
use std::path::Path;
use store::{DuplicateFile, ImportReceipt, NewImport, Store, StoreError};

pub struct TestRegistry {
    _dir: tempfile::TempDir,
    pub store: Store,
}

impl TestRegistry {
    pub async fn new() -> TestRegistry {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("registry")).await.unwrap();
        TestRegistry { _dir: dir, store }
    }

    /// The registry in `dir`'s `registry` folder, opened (and so upgraded) by this version.
    pub async fn open(dir: tempfile::TempDir) -> TestRegistry {
        let store = Store::open(&dir.path().join("registry")).await.unwrap();
        TestRegistry { _dir: dir, store }
    }

    /// Closes the store and gives back its folder, for a test that works on the files.
    pub async fn close(self) -> tempfile::TempDir {
        self.store.close().await;
        self._dir
    }

    pub fn root(&self) -> &Path {
        &self.store.paths().root
    }

    pub async fn import(
        &self,
        source: &str,
        file: &[u8],
        records: &[NewSourceRecord],
    ) -> Result<ImportReceipt, StoreError> {
        self.import_with(source, file, records, DuplicateFile::Refuse)
            .await
    }

    pub async fn import_with(
        &self,
        source: &str,
        file: &[u8],
        records: &[NewSourceRecord],
        on_duplicate: DuplicateFile,
    ) -> Result<ImportReceipt, StoreError> {
        let import = NewImport {
            source: NewSource {
                name: source.into(),
                kind: SourceKind::List,
                reliability: Reliability::Unknown,
                calendar: None,
                file_sha256: None,
                file_name: Some("list.csv".into()),
            },
            file_bytes: file,
            file_name: "list.csv".into(),
            media_type: "text/csv".into(),
            encoding: "UTF-8".into(),
            delimiter: ",".into(),
            columns: vec!["record_id".into(), "given_name".into()],
            mapping: vec![
                (CanonicalField::RecordId, "record_id".into()),
                (CanonicalField::GivenName, "given_name".into()),
            ],
            on_duplicate,
        };
        let mut rows = records.iter().cloned();
        self.store
            .import(&import, &mut rows, &Actor::cli("tester"), &|_| {})
            .await
    }
}

/// A two-column record: `r<row>,<given name>`.
pub fn record(row: u64, given_name: &str) -> NewSourceRecord {
    NewSourceRecord {
        external_id: Some(format!("r{row}")),
        row_number: row,
        raw_text: format!("r{row},{given_name}"),
        raw_values: vec![format!("r{row}"), given_name.to_string()],
        fields: vec![
            (
                CanonicalField::RecordId,
                FieldValue::Text {
                    text: format!("r{row}"),
                },
            ),
            (
                CanonicalField::GivenName,
                FieldValue::Text {
                    text: given_name.to_string(),
                },
            ),
        ],
        warnings: vec![],
    }
}

/// Runs SQL on the registry's database behind the store's back, as a person with a database
/// tool would; returns the database's error message on failure.
pub async fn sql(root: &Path, statement: &'static str) -> Result<(), String> {
    let url = format!("sqlite://{}", root.join("registry.sqlite").display());
    let mut connection = sqlx::SqliteConnection::connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .map_err(|e| e.to_string())?;
    connection.close().await.map_err(|e| e.to_string())
}

/// The first column of every row a query returns, as text.
pub async fn column(root: &Path, statement: &'static str) -> Vec<String> {
    let url = format!("sqlite://{}", root.join("registry.sqlite").display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let values: Vec<String> = sqlx::query_scalar(statement)
        .fetch_all(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    values
}
