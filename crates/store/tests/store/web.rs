//! What the web app reads and writes: accounts, sessions, tokens, throttling, the person
//! search in both scripts with facets, and the index rebuilt for old records.

use crate::helpers::{TestRegistry, column, record, sql};
use domain::account::Role;
use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::ids::{PersonId, RecordId};
use domain::person::MembershipMethod;
use domain::record::{FieldValue, NewSourceRecord};
use std::path::Path;
use store::accounts::NewUser;
use store::browse::{Facet, PersonLookup, PersonQuery, PersonSummary};
use store::{StoreError, UserChange};

fn named(row: u64, given: &str, surname: &str, prison: &str) -> NewSourceRecord {
    let mut r = record(row, given);
    let text = |t: &str| FieldValue::Text { text: t.into() };
    r.fields.push((CanonicalField::Surname, text(surname)));
    r.fields.push((CanonicalField::Prison, text(prison)));
    r
}

/// The ids of the registry's first ten records, in order.
async fn record_ids(store: &store::Store) -> Vec<RecordId> {
    store
        .records_page(None, 10)
        .await
        .unwrap()
        .records
        .iter()
        .map(|r| r.id)
        .collect()
}

/// What a list of the registry's first ten persons says of `person`.
async fn summary_of(store: &store::Store, person: PersonId) -> Option<PersonSummary> {
    let all = store
        .find_persons(&PersonQuery {
            limit: 10,
            ..PersonQuery::default()
        })
        .await
        .unwrap();
    all.persons.into_iter().find(|p| p.id == person)
}

/// Empties the search index, as a migration that rebuilds it does; the next open fills it again.
async fn empty_search_index(root: &Path) {
    for statement in [
        "DELETE FROM record_facets",
        "INSERT INTO record_terms (record_terms) VALUES ('delete-all')",
    ] {
        sql(root, statement).await.unwrap();
    }
}

fn user(login: &str, role: Role) -> NewUser {
    NewUser {
        login: login.into(),
        role,
        password_hash: "$argon2id$placeholder".into(),
        must_change_password: true,
    }
}

#[tokio::test]
async fn accounts_are_created_changed_and_disabled_in_the_audit_chain() {
    let registry = TestRegistry::new().await;
    let store = &registry.store;
    let actor = Actor::cli("tester");
    let id = store
        .create_user(&user("maryam", Role::Analyst), &actor)
        .await
        .unwrap();
    let again = store
        .create_user(&user("maryam", Role::Viewer), &actor)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");

    store
        .create_session(
            id,
            "session-hash",
            "csrf-1",
            "2999-01-01T00:00:00.000Z",
            None,
        )
        .await
        .unwrap();
    store
        .create_api_token("maryam", "token-hash", "scripts", &actor)
        .await
        .unwrap();
    let session = store.live_session("session-hash").await.unwrap().unwrap();
    assert_eq!(
        (session.user.role, session.csrf_token.as_str()),
        (Role::Analyst, "csrf-1")
    );
    assert!(store.api_token_user("token-hash").await.unwrap().is_some());

    let change = UserChange::Password {
        hash: "$argon2id$new",
        must_change: false,
    };
    store.change_user("maryam", change, &actor).await.unwrap();
    assert!(
        store.live_session("session-hash").await.unwrap().is_none(),
        "a new password ends sessions"
    );
    let changed = store.user_by_login("maryam").await.unwrap().unwrap();
    assert_eq!(
        (changed.password_hash.as_str(), changed.must_change_password),
        ("$argon2id$new", false)
    );

    store
        .change_user("maryam", UserChange::Disable, &actor)
        .await
        .unwrap();
    assert!(
        store.api_token_user("token-hash").await.unwrap().is_none(),
        "disabling revokes tokens"
    );
    assert!(
        store
            .user_by_login("maryam")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let missing = store
        .change_user("nobody", UserChange::Disable, &actor)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)));

    let root = registry.root();
    let actions = column(
        root,
        "SELECT action FROM audit_log WHERE entity = 'user' ORDER BY seq",
    )
    .await;
    assert_eq!(
        actions,
        ["create", "create_token", "set_password", "disable"]
    );
    let payloads = column(root, "SELECT payload FROM audit_log WHERE entity = 'user'").await;
    assert!(
        payloads
            .iter()
            .all(|p| !p.contains("argon2") && !p.contains("hash")),
        "no secret in the audit log"
    );
    assert!(store.verify_audit().await.unwrap().broken.is_none());
}

#[tokio::test]
async fn expired_sessions_and_failed_logins_are_counted_out() {
    let registry = TestRegistry::new().await;
    let store = &registry.store;
    let id = store
        .create_user(&user("reza", Role::Viewer), &Actor::cli("t"))
        .await
        .unwrap();
    store
        .create_session(id, "old", "c", "2000-01-01T00:00:00.000Z", None)
        .await
        .unwrap();
    assert!(store.live_session("old").await.unwrap().is_none());
    let mut within = Vec::new();
    for _ in 0..4 {
        within.push(
            store
                .record_login_attempt("reza", "2000-01-01", 3)
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        within,
        [true, true, true, false],
        "the fourth is one too many"
    );
    assert_eq!(
        column(
            store.paths().root.as_path(),
            "SELECT CAST(count(*) AS TEXT) FROM login_failures"
        )
        .await,
        ["3"],
        "the attempt over the limit is not kept"
    );
    store
        .record_login_attempt("no-such-account", "2000-01-01", 3)
        .await
        .unwrap();
    assert!(
        store
            .record_login_attempt("reza", "2999-01-01", 3)
            .await
            .unwrap(),
        "none within a window that starts later"
    );
    assert_eq!(
        column(
            store.paths().root.as_path(),
            "SELECT login FROM login_failures"
        )
        .await,
        ["reza"],
        "attempts before the window are forgotten, whoever they named"
    );
    store.clear_login_failures("reza").await.unwrap();
    assert!(
        store
            .record_login_attempt("reza", "2000-01-01", 0)
            .await
            .map(|within| !within)
            .unwrap(),
        "with none allowed, the first is refused"
    );
}

#[tokio::test]
async fn a_new_session_ends_the_one_it_replaces_and_every_expired_one() {
    let registry = TestRegistry::new().await;
    let store = &registry.store;
    let actor = Actor::cli("t");
    let reza = store
        .create_user(&user("reza", Role::Viewer), &actor)
        .await
        .unwrap();
    let sara = store
        .create_user(&user("sara", Role::Viewer), &actor)
        .await
        .unwrap();
    let live = "2999-01-01T00:00:00.000Z";
    store
        .create_session(reza, "expired", "c", "2000-01-01T00:00:00.000Z", None)
        .await
        .unwrap();
    store
        .create_session(reza, "first", "c", live, None)
        .await
        .unwrap();
    store
        .create_session(sara, "other", "c", live, None)
        .await
        .unwrap();
    store
        .create_session(reza, "second", "c", live, Some("first"))
        .await
        .unwrap();
    assert!(store.live_session("first").await.unwrap().is_none());
    assert!(store.live_session("second").await.unwrap().is_some());
    assert!(store.live_session("other").await.unwrap().is_some());
    assert_eq!(
        column(
            store.paths().root.as_path(),
            "SELECT token_sha256 FROM sessions ORDER BY token_sha256"
        )
        .await,
        ["other", "second"],
        "the replaced and the expired sessions are gone from the registry"
    );
}

#[tokio::test]
async fn persons_are_found_in_either_script_and_any_spelling_with_facets() {
    let registry = TestRegistry::new().await;
    let rows = [
        named(1, "محمد", "رضایی", "اوین"),
        named(2, "Mohammed", "Rezaee", "Evin"),
        named(3, "Zahra", "Karimi", "Gohardasht"),
        named(4, "Ali", "Mohammadi", "Evin  "),
    ];
    registry.import("list-a", b"persons", &rows).await.unwrap();
    let store = &registry.store;
    let actor = Actor::cli("t");
    let ids = record_ids(store).await;
    let person = store.create_person(&actor).await.unwrap();
    store
        .assign_records(person, &ids[..2], MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    for id in &ids[2..] {
        let other = store.create_person(&actor).await.unwrap();
        store
            .assign_records(other, &[*id], MembershipMethod::Manual, &actor)
            .await
            .unwrap();
    }

    let find = |text: &str| PersonQuery {
        text: Some(text.into()),
        limit: 10,
        ..PersonQuery::default()
    };
    for spelling in ["Muhammad Rezai", "محمد", "مُحَمَّد رضائي", "moh"] {
        let found = store.find_persons(&find(spelling)).await.unwrap();
        assert!(
            found.persons.iter().any(|p| p.id == person),
            "{spelling} finds the person"
        );
    }
    // Prefixes of every length: one letter and up to eight read a prefix index, longer ones
    // are merged; all must find the same names.
    for (prefix, surname) in [
        ("k", "Karimi"),
        ("karim", "Karimi"),
        ("mohammadi", "Mohammadi"),
    ] {
        let found = store.find_persons(&find(prefix)).await.unwrap();
        assert!(
            found
                .persons
                .iter()
                .any(|p| p.names.iter().any(|n| n.contains(surname))),
            "`{prefix}` finds {surname}"
        );
    }
    let both = store.find_persons(&find("mohammad")).await.unwrap();
    let summary = both.persons.iter().find(|p| p.id == person).unwrap();
    assert_eq!((summary.records, summary.sources), (2, 1));
    assert_eq!(summary.names.len(), 2);
    assert!(
        store
            .find_persons(&find("Karimi Ali"))
            .await
            .unwrap()
            .persons
            .is_empty(),
        "every word must match"
    );
    assert!(
        store
            .find_persons(&find("\"NEAR("))
            .await
            .unwrap()
            .persons
            .is_empty(),
        "FTS syntax is literal"
    );

    let evin = PersonQuery {
        prison: Some("EVIN".into()),
        limit: 10,
        ..PersonQuery::default()
    };
    assert_eq!(
        store.find_persons(&evin).await.unwrap().persons.len(),
        2,
        "person of record 2, and Ali"
    );
    let page = PersonQuery {
        limit: 2,
        ..PersonQuery::default()
    };
    let first = store.find_persons(&page).await.unwrap();
    assert_eq!((first.persons.len(), first.has_more), (2, true));
    let rest = store
        .find_persons(&PersonQuery { offset: 2, ..page })
        .await
        .unwrap();
    assert_eq!((rest.persons.len(), rest.has_more), (1, false));

    let prisons = store.facet_counts(Facet::Prison, 10).await.unwrap();
    assert_eq!(prisons[0].value, "evin");
    assert_eq!(prisons[0].persons, 2);

    match store.person(person).await.unwrap() {
        PersonLookup::Found(view) => assert_eq!(view.records.len(), 2),
        other => panic!("expected the person, got {other:?}"),
    }
    assert_eq!(
        store.person(domain::ids::PersonId(999)).await.unwrap(),
        PersonLookup::Missing
    );
}

#[tokio::test]
async fn a_persons_summary_follows_its_records_when_they_move() {
    let registry = TestRegistry::new().await;
    let rows = [
        named(1, "Reza", "Karimi", "Evin"),
        named(2, "رضا", "کریمی", "اوین"),
        named(3, "Reza", "Karimi", "Evin"),
    ];
    registry.import("list-a", b"three", &rows).await.unwrap();
    let store = &registry.store;
    let actor = Actor::cli("t");
    let ids = record_ids(store).await;
    let first = store.create_person(&actor).await.unwrap();
    store
        .assign_records(first, &ids, MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    let summary = summary_of(store, first).await.unwrap();
    assert_eq!(summary.records, 3);
    assert_eq!(
        summary.names,
        ["Reza Karimi", "رضا کریمی"],
        "most common first"
    );

    let second = store.create_person(&actor).await.unwrap();
    store
        .assign_records(second, &ids[..2], MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    let (first, second) = (
        summary_of(store, first).await.unwrap(),
        summary_of(store, second).await.unwrap(),
    );
    assert_eq!((first.records, first.names.len()), (1, 1));
    assert_eq!(second.records, 2);
    assert_eq!(
        second.names,
        ["Reza Karimi", "رضا کریمی"],
        "ties in record order"
    );
}

#[tokio::test]
async fn a_small_list_imported_after_a_large_one_is_found_by_prefix() {
    let registry = TestRegistry::new().await;
    let large: Vec<_> = (1..=20)
        .map(|row| named(row, "Ali", "Karimi", "Evin"))
        .collect();
    registry.import("list-a", b"twenty", &large).await.unwrap();
    // One record in 21: too few to merge the name index after it, so it sits in a segment of
    // its own, and must be found there.
    let small = [named(1, "Bahram", "Sotoudeh", "Evin")];
    registry.import("list-b", b"one", &small).await.unwrap();
    let store = &registry.store;
    let actor = Actor::cli("t");
    let latest = store.records_page(None, 30).await.unwrap().records;
    let record = latest.last().unwrap().id;
    let person = store.create_person(&actor).await.unwrap();
    store
        .assign_records(person, &[record], MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    for typed in ["bah", "Sotou", "Bahram Sotoudeh"] {
        let found = store
            .find_persons(&PersonQuery {
                text: Some(typed.into()),
                limit: 10,
                ..PersonQuery::default()
            })
            .await
            .unwrap();
        let ids: Vec<_> = found.persons.iter().map(|p| p.id).collect();
        assert_eq!(ids, [person], "`{typed}` finds the one person");
    }
}

#[tokio::test]
async fn an_import_merges_the_name_index_once_and_leaves_fts5_merging_as_it_was() {
    let registry = TestRegistry::new().await;
    let rows: Vec<_> = (1..=30)
        .map(|row| named(row, "Ali", "Karimi", "Evin"))
        .collect();
    registry.import("list-a", b"thirty", &rows).await.unwrap();
    let settings = column(
        registry.root(),
        "SELECT k || '=' || v FROM record_terms_config \
         WHERE k IN ('automerge', 'crisismerge') ORDER BY k",
    )
    .await;
    assert_eq!(settings, ["automerge=4", "crisismerge=16"]);
    let karimi = column(
        registry.root(),
        "SELECT CAST(count(*) AS TEXT) FROM record_terms WHERE record_terms MATCH 'karimi'",
    )
    .await;
    assert_eq!(karimi, ["30"]);
}

#[tokio::test]
async fn records_imported_before_the_index_existed_are_indexed_at_open() {
    let registry = TestRegistry::new().await;
    registry
        .import("list-a", b"x", &[named(1, "Hossein", "Ahmadi", "Evin")])
        .await
        .unwrap();
    let root = registry.root();
    empty_search_index(root).await;
    let reopened = store::Store::open(root).await.unwrap();
    let person = reopened.create_person(&Actor::cli("t")).await.unwrap();
    let ids = record_ids(&reopened).await;
    reopened
        .assign_records(person, &ids, MembershipMethod::Manual, &Actor::cli("t"))
        .await
        .unwrap();
    let query = PersonQuery {
        text: Some("حسین".into()),
        limit: 5,
        ..PersonQuery::default()
    };
    assert_eq!(
        reopened.find_persons(&query).await.unwrap().persons.len(),
        1
    );
}

#[tokio::test]
async fn rebuilding_the_index_at_open_merges_the_name_index_into_one_segment() {
    // More records than the rebuild indexes in one transaction (5,000), so it writes two
    // segments, which only the final merge joins.
    let registry = TestRegistry::new().await;
    let rows: Vec<_> = (1..=5_001)
        .map(|row| named(row, "Ali", "Karimi", "Evin"))
        .collect();
    registry.import("list-a", b"many", &rows).await.unwrap();
    let root = registry.root();
    empty_search_index(root).await;
    let _reopened = store::Store::open(root).await.unwrap();
    // A segment's pages are stored under ids whose bits from the 37th up are its number.
    let segments = column(
        root,
        "SELECT CAST(count(DISTINCT id >> 37) AS TEXT) FROM record_terms_data WHERE id >> 37 > 0",
    )
    .await;
    assert_eq!(segments, ["1"]);
}

#[tokio::test]
async fn rebuilding_the_index_sums_up_the_persons_of_the_records_it_indexes() {
    let registry = TestRegistry::new().await;
    let rows = [
        named(1, "Hossein", "Ahmadi", "Evin"),
        named(2, "Hossein", "Ahmadi", "Evin"),
    ];
    registry.import("list-a", b"x", &rows).await.unwrap();
    let actor = Actor::cli("t");
    let person = registry.store.create_person(&actor).await.unwrap();
    let ids = record_ids(&registry.store).await;
    registry
        .store
        .assign_records(person, &ids, MembershipMethod::Manual, &actor)
        .await
        .unwrap();
    let root = registry.root();
    // The index and the summaries derived from it are gone, as after a migration rebuilds them.
    empty_search_index(root).await;
    sql(root, "DELETE FROM person_summaries").await.unwrap();
    let reopened = store::Store::open(root).await.unwrap();
    assert_eq!(
        summary_of(&reopened, person)
            .await
            .map(|s| (s.records, s.names)),
        Some((2, vec!["Hossein Ahmadi".to_string()]))
    );
}
