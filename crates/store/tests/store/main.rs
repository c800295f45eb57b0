//! The store's behaviour through its public API, on a fresh registry per test.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

mod helpers;
mod upgrade;
mod web;

use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::ids::RecordId;
use domain::person::{ClaimOrigin, ClaimState, ClaimSubject, MembershipMethod, NewClaim};
use domain::record::FieldValue;
use helpers::{TestRegistry, column, record, sql};
use std::path::{Path, PathBuf};
use store::audit::ChainBreak;
use store::backup::ExistingRegistry;
use store::files::sha256_hex;
use store::{DuplicateFile, Store, StoreError};

#[tokio::test]
async fn opening_a_folder_without_a_registry_says_to_run_init() {
    let dir = tempfile::tempdir().unwrap();
    let error = Store::open(&dir.path().join("none")).await.unwrap_err();
    assert!(matches!(error, StoreError::NoRegistry { .. }));
    assert!(error.to_string().contains("whereabouts init"), "{error}");
}

#[tokio::test]
async fn a_database_file_that_is_not_a_database_says_to_restore_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("registry");
    std::fs::create_dir(&root).unwrap();
    let database = store::RegistryPaths::new(&root).database;
    std::fs::write(
        &database,
        b"garbage, not a database, long enough to be read as a header",
    )
    .unwrap();
    let error = Store::open(&root).await.unwrap_err();
    assert!(matches!(error, StoreError::Unreadable { .. }), "{error:?}");
    assert!(error.to_string().contains("whereabouts restore"), "{error}");
}

#[tokio::test]
async fn an_empty_database_file_says_to_restore_a_backup_and_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("registry");
    std::fs::create_dir_all(root.join("files")).unwrap();
    let database = store::RegistryPaths::new(&root).database;
    std::fs::write(&database, b"").unwrap();

    let error = Store::open(&root).await.unwrap_err();

    assert!(matches!(error, StoreError::Unreadable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&*database.to_string_lossy()), "{message}");
    assert!(message.contains("whereabouts restore"), "{message}");
    assert_eq!(std::fs::metadata(&database).unwrap().len(), 0);
}

#[tokio::test]
async fn a_database_without_the_registry_tables_says_to_restore_a_backup() {
    let (_dir, root) = closed_registry_of_2000_records().await;
    let database = store::RegistryPaths::new(&root).database;
    std::fs::remove_file(&database).unwrap();
    sql_creating(&database, "CREATE TABLE notes (text TEXT)").await;

    let error = Store::open(&root).await.unwrap_err();

    assert!(matches!(error, StoreError::Unreadable { .. }), "{error:?}");
    assert!(error.to_string().contains("whereabouts restore"), "{error}");
    assert_eq!(
        column(&root, "SELECT name FROM sqlite_master WHERE type = 'table'").await,
        ["notes"],
        "opening created no tables"
    );
}

/// Runs a statement on a new SQLite database at `database`.
async fn sql_creating(database: &std::path::Path, statement: &'static str) {
    use sqlx::{ConnectOptions, Connection};
    let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(database)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

#[tokio::test]
async fn a_database_sqlite_cannot_open_names_the_file_and_what_to_check() {
    let (_dir, root) = closed_registry_of_2000_records().await;
    let database = store::RegistryPaths::new(&root).database;
    // Its write-ahead log cannot be created (a folder has the log's name): what SQLite reports
    // on a folder this user may not write, which a test run as root cannot make.
    std::fs::create_dir(root.join("registry.sqlite-wal")).unwrap();

    let error = Store::open(&root).await.unwrap_err();

    assert!(matches!(error, StoreError::NotWritable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&*database.to_string_lossy()), "{message}");
    assert!(message.contains("permissions"), "{message}");
}

/// A registry of 2,000 imported records, closed: its folder (kept alive) and its root.
async fn closed_registry_of_2000_records() -> (tempfile::TempDir, std::path::PathBuf) {
    let registry = TestRegistry::new().await;
    let rows: Vec<_> = (1..=2000).map(|n| record(n, "Reza")).collect();
    registry.import("list-a", b"file", &rows).await.unwrap();
    let root = registry.root().to_path_buf();
    (registry.close().await, root)
}

/// Overwrites the header of each page of the registry's database that `damaged` picks, by
/// page number (1 is the schema's page).
fn garble_pages(root: &std::path::Path, damaged: impl Fn(usize) -> bool) {
    const PAGE: usize = 16_384;
    let database = store::RegistryPaths::new(root).database;
    let mut bytes = std::fs::read(&database).unwrap();
    for (index, page) in bytes.chunks_mut(PAGE).enumerate() {
        if damaged(index + 1) {
            page[..64].fill(0xde);
        }
    }
    std::fs::write(&database, bytes).unwrap();
}

#[tokio::test]
async fn a_database_damaged_past_its_first_page_says_to_restore_a_backup() {
    let (_dir, root) = closed_registry_of_2000_records().await;
    garble_pages(&root, |page| page > 1);
    // Opening reads the migrations' table, which sits on a damaged page itself.
    let error = match Store::open(&root).await {
        Ok(store) => store.counts().await.unwrap_err(),
        Err(error) => error,
    };
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
    assert!(error.to_string().contains("whereabouts restore"), "{error}");
}

#[tokio::test]
async fn a_table_damaged_after_opening_says_to_restore_a_backup() {
    let (_dir, root) = closed_registry_of_2000_records().await;
    let records_root = column(
        &root,
        "SELECT CAST(rootpage AS TEXT) FROM sqlite_master WHERE name = 'source_records'",
    )
    .await[0]
        .parse::<usize>()
        .unwrap();
    // Only the records' table is damaged: the registry opens, and fails on the first query
    // that reads the records.
    garble_pages(&root, |page| page == records_root);
    let store = Store::open(&root).await.unwrap();
    let error = store.records_page(None, 10).await.unwrap_err();
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
    assert!(error.to_string().contains("whereabouts restore"), "{error}");
}

#[tokio::test]
async fn a_damaged_name_index_says_to_restore_a_backup() {
    let registry = TestRegistry::new().await;
    let rows: Vec<_> = (1..=2000).map(|n| record(n, &format!("Reza{n}"))).collect();
    registry.import("list-a", b"file", &rows).await.unwrap();
    // SQLite reports this damage with an extended code (267, SQLITE_CORRUPT_VTAB).
    sql(
        registry.root(),
        "UPDATE record_terms_data SET block = randomblob(length(block)) WHERE id > 10",
    )
    .await
    .unwrap();
    let query = store::browse::PersonQuery {
        text: Some("reza".into()),
        limit: 10,
        ..store::browse::PersonQuery::default()
    };
    let error = registry.store.find_persons(&query).await.unwrap_err();
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
}

#[tokio::test]
async fn init_refuses_a_folder_that_already_has_a_registry() {
    let registry = TestRegistry::new().await;
    let error = Store::init(registry.root()).await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { .. }));
}

#[tokio::test]
async fn an_import_keeps_every_row_verbatim_with_its_fields() {
    let registry = TestRegistry::new().await;
    let receipt = registry
        .import(
            "list-a",
            b"file one",
            &[record(1, "Ali"), record(2, "Zahra")],
        )
        .await
        .unwrap();
    assert_eq!(receipt.records, 2);
    assert!(receipt.is_new_source);

    let page = registry.store.records_page(None, 10).await.unwrap();
    assert_eq!(page.records.len(), 2);
    assert_eq!(page.next_after, None);
    let first = &page.records[0];
    assert_eq!(first.source_name, "list-a");
    assert_eq!(first.raw_text, "r1,Ali");
    assert_eq!(first.raw_cells[1].column, "given_name");
    assert_eq!(first.raw_cells[1].value, "Ali");
    assert_eq!(
        first.field(CanonicalField::GivenName),
        Some(&FieldValue::Text { text: "Ali".into() })
    );

    let counts = registry.store.counts().await.unwrap();
    assert_eq!((counts.sources, counts.imports, counts.records), (1, 1, 2));
    assert_eq!(
        counts.audit_entries, 2,
        "one entry for the new source, one for the import"
    );
    assert_eq!(
        registry.store.files().get(&receipt.file_sha256).unwrap(),
        b"file one"
    );
}

#[tokio::test]
async fn records_are_paged_in_id_order() {
    let registry = TestRegistry::new().await;
    let rows: Vec<_> = (1..=5).map(|n| record(n, "Reza")).collect();
    registry.import("list-a", b"five", &rows).await.unwrap();
    let first = registry.store.records_page(None, 2).await.unwrap();
    assert_eq!(first.records.len(), 2);
    let second = registry
        .store
        .records_page(first.next_after, 2)
        .await
        .unwrap();
    let third = registry
        .store
        .records_page(second.next_after, 2)
        .await
        .unwrap();
    assert_eq!(third.records.len(), 1);
    assert_eq!(third.next_after, None);
    assert_eq!(third.records[0].row_number, 5);
}

#[tokio::test]
async fn the_same_file_twice_is_refused_unless_forced() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"same bytes", &[record(1, "Ali")])
        .await
        .unwrap();
    let error = registry
        .import("list-b", b"same bytes", &[record(1, "Ali")])
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::DuplicateFile { source_name, .. } if source_name == "list-a"),
        "{error}"
    );
    assert!(error.to_string().contains("--force"));
    assert_eq!(
        registry.store.counts().await.unwrap().records,
        1,
        "the refused import wrote nothing"
    );

    registry
        .import_with(
            "list-b",
            b"same bytes",
            &[record(1, "Ali")],
            DuplicateFile::Allow,
        )
        .await
        .unwrap();
    assert_eq!(registry.store.counts().await.unwrap().records, 2);
}

#[tokio::test]
async fn a_failing_import_leaves_the_registry_exactly_as_it_was() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"first", &[record(1, "Ali")])
        .await
        .unwrap();
    let before = registry.store.counts().await.unwrap();
    let head_before = registry.store.verify_audit().await.unwrap().head;

    // Two rows with the same row number break a uniqueness rule half-way through the insert.
    let rows: Vec<_> = (1..=2500).map(|n| record(n.min(2000), "Reza")).collect();
    let error = registry
        .import("list-new", b"second", &rows)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Database { .. }), "{error}");
    let stored = registry.store.files().path_of(&sha256_hex(b"second"));
    assert!(!stored.exists(), "the failed import's file was left behind");

    assert_eq!(registry.store.counts().await.unwrap(), before);
    let verdict = registry.store.verify_audit().await.unwrap();
    assert_eq!((verdict.head, verdict.broken), (head_before, None));
    assert!(
        registry
            .store
            .sources()
            .await
            .unwrap()
            .iter()
            .all(|s| s.name != "list-new")
    );
}

#[tokio::test]
async fn a_failing_import_of_a_file_imported_before_keeps_the_file() {
    let registry = TestRegistry::new().await;
    let receipt = registry
        .import("list-a", b"first", &[record(1, "Ali")])
        .await
        .unwrap();
    let rows: Vec<_> = (1..=2500).map(|n| record(n.min(2000), "Reza")).collect();
    registry
        .import_with("list-b", b"first", &rows, DuplicateFile::Allow)
        .await
        .unwrap_err();
    assert_eq!(
        registry.store.files().get(&receipt.file_sha256).unwrap(),
        b"first"
    );
}

#[tokio::test]
async fn a_file_no_import_recorded_is_left_out_of_backups_and_removed_by_the_next_import() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali")])
        .await
        .unwrap();
    // What an import killed after storing its file leaves behind.
    let (orphan, _) = registry.store.files().put(b"killed import").unwrap();
    let out = registry.root().parent().unwrap().join("backup.tar");

    let report = store::backup::backup(&registry.store, &out).await.unwrap();

    let orphan_entry = format!("files/{}/{}/{orphan}", &orphan[0..2], &orphan[2..4]);
    assert_eq!(report.manifest.entries.len(), 2, "{:?}", report.manifest);
    assert!(!report.manifest.entries.contains_key(&orphan_entry));
    let mut archive = tar::Archive::new(std::fs::File::open(&out).unwrap());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|entry| entry.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(
        !names.iter().any(|name| name.contains(&orphan)),
        "{names:?}"
    );

    registry
        .import("list-b", b"b", &[record(1, "Reza")])
        .await
        .unwrap();
    assert!(!registry.store.files().path_of(&orphan).exists());
    assert_eq!(registry.store.files().get(&sha256_hex(b"a")).unwrap(), b"a");
}

#[tokio::test]
async fn source_records_cannot_be_updated_or_deleted() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"file", &[record(1, "Ali")])
        .await
        .unwrap();
    let update = sql(
        registry.root(),
        "UPDATE source_records SET raw_text = 'changed'",
    )
    .await;
    assert!(update.unwrap_err().contains("immutable"));
    let delete = sql(registry.root(), "DELETE FROM source_records").await;
    assert!(delete.unwrap_err().contains("never deleted"));
}

#[tokio::test]
async fn an_audit_entry_edited_by_hand_is_named_by_verify() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali")])
        .await
        .unwrap();
    registry
        .import("list-b", b"b", &[record(1, "Reza")])
        .await
        .unwrap();
    assert_eq!(registry.store.verify_audit().await.unwrap().broken, None);

    sql(registry.root(), "DROP TRIGGER audit_log_is_append_only")
        .await
        .unwrap();
    sql(
        registry.root(),
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3",
    )
    .await
    .unwrap();
    let verdict = registry.store.verify_audit().await.unwrap();
    assert_eq!(verdict.broken, Some(ChainBreak::Tampered { seq: 3 }));
    assert_eq!(verdict.entries_checked, 2);
}

#[tokio::test]
async fn a_deleted_audit_entry_is_named_by_verify() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali")])
        .await
        .unwrap();
    registry
        .import("list-b", b"b", &[record(1, "Reza")])
        .await
        .unwrap();
    sql(registry.root(), "DROP TRIGGER audit_log_is_never_deleted")
        .await
        .unwrap();
    sql(registry.root(), "DELETE FROM audit_log WHERE seq = 2")
        .await
        .unwrap();
    let verdict = registry.store.verify_audit().await.unwrap();
    assert_eq!(
        verdict.broken,
        Some(ChainBreak::Gap {
            expected: 2,
            found: 3
        })
    );
}

#[tokio::test]
async fn imported_data_changed_by_hand_is_found_by_verify() {
    let cases: [(&[&'static str], &str); 2] = [
        (
            &[
                "DROP TRIGGER source_records_are_immutable",
                "UPDATE source_records SET raw_text = 'r2,Hasan' WHERE row_number = 2",
            ],
            "a record's text",
        ),
        (
            &["UPDATE imports SET columns = '[\"record_id\",\"surname\"]'"],
            "the header the records' cells are read against",
        ),
    ];
    for (statements, what) in cases {
        let registry = TestRegistry::new().await;
        registry
            .import("list-a", b"a", &[record(1, "Ali"), record(2, "Reza")])
            .await
            .unwrap();
        for statement in statements {
            sql(registry.root(), statement).await.unwrap();
        }
        let verdict = registry.store.verify_audit().await.unwrap();
        assert!(
            matches!(verdict.broken, Some(ChainBreak::DataChanged { seq: 2, .. })),
            "{what}: {verdict:?}"
        );
    }
}

#[tokio::test]
async fn the_newest_membership_of_a_record_wins_and_history_is_kept() {
    let registry = TestRegistry::new().await;
    registry
        .import(
            "list-a",
            b"a",
            &[record(1, "Ali"), record(2, "Ali"), record(3, "Ali")],
        )
        .await
        .unwrap();
    let actor = Actor::cli("tester");
    let (one, two) = (
        registry.store.create_person(&actor).await.unwrap(),
        registry.store.create_person(&actor).await.unwrap(),
    );
    let all = [RecordId(1), RecordId(2), RecordId(3)];
    registry
        .store
        .assign_records(one, &all, MembershipMethod::Automatic, &actor)
        .await
        .unwrap();
    registry
        .store
        .assign_records(two, &[RecordId(3)], MembershipMethod::Reviewed, &actor)
        .await
        .unwrap();
    assert_eq!(
        registry.store.person_records(one).await.unwrap(),
        vec![RecordId(1), RecordId(2)]
    );
    assert_eq!(
        registry.store.person_records(two).await.unwrap(),
        vec![RecordId(3)]
    );
    // Undo the split: an append, not an edit.
    registry
        .store
        .assign_records(one, &[RecordId(3)], MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    assert_eq!(
        registry.store.person_records(one).await.unwrap(),
        all.to_vec()
    );
    assert_eq!(registry.store.verify_audit().await.unwrap().broken, None);
}

#[tokio::test]
async fn conflicting_claims_coexist_with_their_origins() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali"), record(2, "Ali")])
        .await
        .unwrap();
    let actor = Actor::cli("tester");
    let person = registry.store.create_person(&actor).await.unwrap();
    for (record_id, prison) in [(1, "Evin"), (2, "Gohardasht")] {
        let claim = NewClaim {
            subject: ClaimSubject::Person(person),
            field: "prison".into(),
            value: prison.into(),
            origin: ClaimOrigin::Record(RecordId(record_id)),
            locator: None,
        };
        registry.store.add_claim(&claim, &actor).await.unwrap();
    }
    let claims = registry
        .store
        .claims_about(ClaimSubject::Person(person))
        .await
        .unwrap();
    let values: Vec<_> = claims
        .iter()
        .map(|c| (c.value.as_str(), c.origin, c.state))
        .collect();
    assert_eq!(
        values,
        vec![
            (
                "Evin",
                ClaimOrigin::Record(RecordId(1)),
                ClaimState::Asserted
            ),
            (
                "Gohardasht",
                ClaimOrigin::Record(RecordId(2)),
                ClaimState::Asserted
            )
        ]
    );
}

#[tokio::test]
async fn a_backup_restores_to_an_identical_registry() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali"), record(2, "Reza")])
        .await
        .unwrap();
    let out = registry.root().parent().unwrap().join("backup.tar");
    let report = store::backup::backup(&registry.store, &out).await.unwrap();
    assert!(report.manifest.entries.contains_key("registry.sqlite"));
    assert_eq!(
        report.manifest.entries.len(),
        2,
        "the database and the one imported file"
    );

    let target = registry.root().parent().unwrap().join("restored");
    store::backup::restore(&out, &target, ExistingRegistry::Refuse)
        .await
        .unwrap();
    let restored = Store::open(&target).await.unwrap();
    assert_eq!(
        restored.counts().await.unwrap(),
        registry.store.counts().await.unwrap()
    );
    let verdict = restored.verify_audit().await.unwrap();
    assert_eq!(verdict.head, report.manifest.audit_head);
    assert_eq!(verdict.broken, None);

    let again = store::backup::restore(&out, &target, ExistingRegistry::Refuse)
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            StoreError::RestoreTargetTaken {
                holds: "holds a registry",
                ..
            }
        ),
        "{again}"
    );
    for _ in 0..2 {
        store::backup::restore(&out, &target, ExistingRegistry::MoveAside)
            .await
            .unwrap();
    }
    let parent = std::fs::read_dir(registry.root().parent().unwrap()).unwrap();
    let replaced = parent
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("restored.replaced-")
        })
        .count();
    assert_eq!(
        replaced, 2,
        "two restores in one second each keep what they replaced"
    );
}

#[tokio::test]
async fn a_restore_replaces_nothing_unless_told_and_fills_an_empty_folder() {
    let registry = TestRegistry::new().await;
    let folder = registry.root().parent().unwrap();
    let out = folder.join("backup.tar");
    store::backup::backup(&registry.store, &out).await.unwrap();
    let notes = folder.join("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("notes.txt"), "kept").unwrap();
    let list = folder.join("list.csv");
    std::fs::write(&list, "a list").unwrap();
    for (target, holds) in [(&notes, "holds other files"), (&list, "is a file")] {
        let error = store::backup::restore(&out, target, ExistingRegistry::Refuse)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::RestoreTargetTaken { holds: h, .. } if *h == holds),
            "{error}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(notes.join("notes.txt")).unwrap(),
        "kept"
    );
    assert_eq!(std::fs::read_to_string(&list).unwrap(), "a list");
    let empty = folder.join("empty");
    std::fs::create_dir(&empty).unwrap();
    store::backup::restore(&out, &empty, ExistingRegistry::Refuse)
        .await
        .unwrap();
    assert!(Store::open(&empty).await.is_ok());
}

/// The backup `out` unpacked, changed by `change` in its folder, and packed again as `name`
/// beside it.
fn repacked(out: &Path, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let unpacked = tempfile::tempdir().unwrap();
    tar::Archive::new(std::fs::File::open(out).unwrap())
        .unpack(unpacked.path())
        .unwrap();
    change(unpacked.path());
    let changed = out.with_file_name(name);
    let mut archive = tar::Builder::new(std::fs::File::create(&changed).unwrap());
    archive.follow_symlinks(false);
    archive.append_dir_all(".", unpacked.path()).unwrap();
    archive.finish().unwrap();
    changed
}

#[tokio::test]
async fn a_backup_whose_manifest_does_not_tell_all_is_refused() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali")])
        .await
        .unwrap();
    let folder = registry.root().parent().unwrap();
    let out = folder.join("backup.tar");
    store::backup::backup(&registry.store, &out).await.unwrap();
    let extra = repacked(&out, "extra.tar", |unpacked| {
        std::fs::create_dir_all(unpacked.join("files/zz")).unwrap();
        std::fs::write(unpacked.join("files/zz/extra"), "not listed").unwrap();
    });
    let inflated = repacked(&out, "inflated.tar", |unpacked| {
        let path = unpacked.join("MANIFEST.json");
        let mut manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        manifest["audit_entries"] = serde_json::json!(99);
        std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    });
    let linked = repacked(&out, "linked.tar", |unpacked| {
        std::os::unix::fs::symlink("/usr", unpacked.join("files/zz")).unwrap();
    });
    let cut = folder.join("cut.tar");
    let whole = std::fs::read(&out).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    for (backup, said) in [
        (linked, "is a link or a special file"),
        (cut, "damaged or cut short"),
        (
            extra,
            "`files/zz/extra` is in the archive but not in its manifest",
        ),
        (inflated, "entries and its manifest says 99"),
    ] {
        let target = folder.join("restored");
        let error = store::backup::restore(&backup, &target, ExistingRegistry::Refuse)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(said), "{error}");
        let staging = folder.join(".tmp");
        assert!(
            !error.to_string().contains(&*staging.to_string_lossy()),
            "the unpacking folder is not named: {error}"
        );
        assert!(!target.exists());
    }
    let not_a_backup = folder.join("not-a-backup.tar");
    std::fs::write(&not_a_backup, "plain text, not an archive").unwrap();
    let error = store::backup::restore(&not_a_backup, &folder.join("r"), ExistingRegistry::Refuse)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("cannot be read as a tar archive")
            || error.to_string().contains("no MANIFEST.json"),
        "{error}"
    );
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_nothing_is_restored() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"a", &[record(1, "Ali")])
        .await
        .unwrap();
    let out = registry.root().parent().unwrap().join("backup.tar");
    store::backup::backup(&registry.store, &out).await.unwrap();
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xFF;
    std::fs::write(&out, bytes).unwrap();
    let target = registry.root().parent().unwrap().join("restored");
    let error = store::backup::restore(&out, &target, ExistingRegistry::Refuse)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::BadBackup { .. }), "{error}");
    assert!(!target.exists());
}

mod linkage {
    use super::*;
    use domain::person::PairDecision;
    use store::ReviewFilter;
    use store::linkage::{LinkageOutcome, NewPairDecision, NewReviewPair};

    fn outcome(clusters: &[&[i64]], review: &[(i64, i64)]) -> LinkageOutcome {
        LinkageOutcome {
            clusters: clusters
                .iter()
                .map(|c| c.iter().map(|r| RecordId(*r)).collect())
                .collect(),
            review: review
                .iter()
                .map(|(a, b)| NewReviewPair {
                    a: RecordId(*a),
                    b: RecordId(*b),
                    probability: 0.7,
                    explanation: "{}".into(),
                })
                .collect(),
            summary: "{\"threshold\":0.9}".into(),
        }
    }

    async fn registry_with(records: u64) -> TestRegistry {
        let registry = TestRegistry::new().await;
        let rows: Vec<_> = (1..=records).map(|n| record(n, "Ali")).collect();
        registry.import("list-a", b"rows", &rows).await.unwrap();
        registry
    }

    #[tokio::test]
    async fn a_rerun_keeps_person_ids_and_a_merge_points_at_the_survivor() {
        let registry = registry_with(4).await;
        let actor = Actor::cli("tester");
        let first = registry
            .store
            .apply_linkage(&outcome(&[&[1, 2], &[3], &[4]], &[(3, 4)]), &actor)
            .await
            .unwrap();
        assert_eq!(
            (
                first.persons_created,
                first.memberships_changed,
                first.review_pairs
            ),
            (3, 4, 1)
        );
        let before = registry.store.current_memberships().await.unwrap();

        let same = registry
            .store
            .apply_linkage(&outcome(&[&[1, 2], &[3], &[4]], &[]), &actor)
            .await
            .unwrap();
        assert_eq!((same.persons_created, same.memberships_changed), (0, 0));
        assert_eq!(registry.store.current_memberships().await.unwrap(), before);

        let merged = registry
            .store
            .apply_linkage(&outcome(&[&[1, 2, 3], &[4]], &[]), &actor)
            .await
            .unwrap();
        assert_eq!(
            (
                merged.persons_created,
                merged.persons_merged,
                merged.memberships_changed
            ),
            (0, 1, 1)
        );
        let after = registry.store.current_memberships().await.unwrap();
        assert_eq!(
            after[&RecordId(3)],
            before[&RecordId(1)],
            "record 3 joined the person of records 1 and 2"
        );
        assert_eq!(registry.store.counts().await.unwrap().persons, 2);
        assert_eq!(registry.store.verify_audit().await.unwrap().broken, None);
    }

    #[tokio::test]
    async fn decisions_are_appended_the_newest_wins_and_the_queue_shows_them() {
        let registry = registry_with(3).await;
        let actor = Actor::cli("tester");
        registry
            .store
            .apply_linkage(&outcome(&[&[1], &[2], &[3]], &[(1, 2), (2, 3)]), &actor)
            .await
            .unwrap();
        assert_eq!(
            registry
                .store
                .review_queue(ReviewFilter::Pending, 10)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(registry.store.pending_review_pairs().await.unwrap(), 2);

        for decision in [PairDecision::Same, PairDecision::Different] {
            let new = NewPairDecision {
                a: RecordId(2),
                b: RecordId(1),
                decision,
                note: None,
            };
            registry.store.record_decision(&new, &actor).await.unwrap();
        }
        let decisions = registry.store.pair_decisions().await.unwrap();
        assert_eq!(decisions.len(), 1);
        assert_eq!(
            (decisions[0].a, decisions[0].b, decisions[0].decision),
            (RecordId(1), RecordId(2), PairDecision::Different)
        );
        let pending = registry
            .store
            .review_queue(ReviewFilter::Pending, 10)
            .await
            .unwrap();
        assert_eq!(
            pending.iter().map(|i| (i.a, i.b)).collect::<Vec<_>>(),
            vec![(RecordId(2), RecordId(3))]
        );
        assert_eq!(registry.store.pending_review_pairs().await.unwrap(), 1);
        let all = registry
            .store
            .review_queue(ReviewFilter::All, 10)
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(registry.store.verify_audit().await.unwrap().broken, None);
    }

    #[tokio::test]
    async fn a_record_cannot_be_paired_with_itself_or_with_a_missing_record() {
        let registry = registry_with(2).await;
        let actor = Actor::cli("tester");
        let itself = NewPairDecision {
            a: RecordId(1),
            b: RecordId(1),
            decision: PairDecision::Same,
            note: None,
        };
        let error = registry
            .store
            .record_decision(&itself, &actor)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("cannot be paired with itself"),
            "{error}"
        );
        let missing = NewPairDecision {
            a: RecordId(1),
            b: RecordId(99),
            decision: PairDecision::Same,
            note: None,
        };
        assert!(matches!(
            registry.store.record_decision(&missing, &actor).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(registry.store.pair_decisions().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn each_person_lists_the_sources_that_recorded_them() {
        let registry = TestRegistry::new().await;
        registry
            .import("list-a", b"a", &[record(1, "Ali"), record(2, "Reza")])
            .await
            .unwrap();
        registry
            .import("list-b", b"b", &[record(1, "Ali")])
            .await
            .unwrap();
        let actor = Actor::cli("tester");
        registry
            .store
            .apply_linkage(&outcome(&[&[1, 3], &[2]], &[]), &actor)
            .await
            .unwrap();
        let histories = registry
            .store
            .capture_histories(Some(CanonicalField::GivenName))
            .await
            .unwrap();
        let persons = &histories.persons;
        let seen: Vec<_> = persons
            .iter()
            .map(|p| (p.sources.clone(), p.stratum.clone()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    vec!["list-a".to_string(), "list-b".to_string()],
                    Some("Ali".to_string())
                ),
                (vec!["list-a".to_string()], Some("Reza".to_string())),
            ]
        );
        assert!(persons.iter().all(|p| p.person.get() > 0));
        assert!(histories.unlinked.is_empty(), "{:?}", histories.unlinked);
        // A list imported after the linkage run: its records belong to nobody yet.
        registry
            .import("list-c", b"c", &[record(1, "Ali"), record(2, "Reza")])
            .await
            .unwrap();
        let histories = registry.store.capture_histories(None).await.unwrap();
        assert_eq!(histories.unlinked, vec![("list-c".to_string(), 2)]);
        assert_eq!(histories.persons.len(), 2);
    }
}
