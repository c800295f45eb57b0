//! The registry: one `Store` API over the database and the file area.
//!
//! A registry is a folder: `registry.sqlite` (sources, immutable source records, persons,
//! memberships, claims and the hash-chained audit log) and `files/` (content-addressed files).
//! Every write runs in one transaction together with the audit entry that records it, so a
//! failed or interrupted import leaves the registry exactly as it was.
//!
//! The API speaks in `domain` types only; the SQL lives in `sqlite`, so a PostgreSQL backend
//! can be added beside it without changing callers.
//!
//! ```no_run
//! # async fn example() -> Result<(), store::StoreError> {
//! let store = store::Store::open(std::path::Path::new("whereabouts-data")).await?;
//! let verdict = store.verify_audit().await?;
//! println!("{} entries, head {}", verdict.entries_checked, verdict.head);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod browse;
mod error;
pub mod files;
pub mod linkage;
mod model;
mod search;
mod sqlite;
mod sqlite_accounts;
mod sqlite_browse;
mod sqlite_linkage;

pub use error::StoreError;
pub use model::{
    AuditVerdict, DuplicateFile, ImportReceipt, NewImport, RecordPage, RegistryCounts, SourceInfo,
    StoredClaim, StoredRecord,
};
pub use search::facet_key;
pub use sqlite_accounts::UserChange;

use crate::accounts::{LiveSession, NewUser, StoredUser};
use crate::audit::AuditEntry;
use crate::browse::{Facet, FacetCount, PersonList, PersonLookup, PersonQuery};
use crate::linkage::{
    CaptureHistories, LinkageOutcome, LinkageReceipt, NewPairDecision, ReviewItem,
    StoredPairDecision,
};
use domain::actor::Actor;
use domain::fields::CanonicalField;
use domain::ids::{ClaimId, PersonId, RecordId, SourceId, UserId};
use domain::person::{ClaimSubject, MembershipMethod, NewClaim};
use domain::record::NewSourceRecord;
use files::FileArea;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a registry's parts live inside its folder.
#[derive(Debug, Clone)]
pub struct RegistryPaths {
    /// The folder.
    pub root: PathBuf,
    /// The database file.
    pub database: PathBuf,
    /// The content-addressed file area.
    pub files: PathBuf,
}

impl RegistryPaths {
    /// The layout of the registry in `root`.
    pub fn new(root: &Path) -> RegistryPaths {
        RegistryPaths {
            root: root.to_path_buf(),
            database: root.join("registry.sqlite"),
            files: root.join("files"),
        }
    }

    /// Whether a registry exists here.
    pub fn exists(&self) -> bool {
        self.database.is_file()
    }
}

/// Which pairs of the review queue to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFilter {
    /// Only pairs without a decision.
    Pending,
    /// Every pair, with its newest decision.
    All,
}

/// The registry.
#[derive(Debug, Clone)]
pub struct Store {
    db: sqlite::SqliteBackend,
    files: FileArea,
    paths: RegistryPaths,
}

impl Store {
    /// Creates a new registry in `root` (the folder may exist but must hold no registry).
    pub async fn init(root: &Path) -> Result<Store, StoreError> {
        let paths = RegistryPaths::new(root);
        if paths.exists() {
            return Err(StoreError::AlreadyExists {
                path: root.to_path_buf(),
            });
        }
        std::fs::create_dir_all(&paths.files).map_err(|source| StoreError::Io {
            path: paths.files.clone(),
            source,
        })?;
        Store::connect(paths, sqlite::Opening::Create).await
    }

    /// Opens the registry in `root`, running any pending migrations. It never creates one: a
    /// missing database file is [`StoreError::NoRegistry`], and an empty one, or one without the
    /// registry's tables, [`StoreError::Unreadable`].
    pub async fn open(root: &Path) -> Result<Store, StoreError> {
        let paths = RegistryPaths::new(root);
        if !paths.exists() {
            return Err(StoreError::NoRegistry {
                path: root.to_path_buf(),
            });
        }
        Store::connect(paths, sqlite::Opening::Existing).await
    }

    async fn connect(paths: RegistryPaths, opening: sqlite::Opening) -> Result<Store, StoreError> {
        let db = sqlite::SqliteBackend::connect(&paths.database, opening).await?;
        let store = Store {
            db,
            files: FileArea::new(paths.files.clone()),
            paths,
        };
        store
            .bring_up_to_date()
            .await
            .map_err(|e| store.located(e))?;
        Ok(store)
    }

    /// Fills in what an older version or an interrupted command left out.
    async fn bring_up_to_date(&self) -> Result<(), StoreError> {
        if self.db.index_is_incomplete().await? {
            self.db.index_missing_records().await?;
        }
        self.db.refresh_stale_person_summaries().await
    }

    /// The error as the user should hear it, naming this registry's database where SQLite
    /// could not open or write it.
    fn located(&self, error: StoreError) -> StoreError {
        error::located(error, &self.paths.database)
    }

    /// Where this registry lives.
    pub fn paths(&self) -> &RegistryPaths {
        &self.paths
    }

    /// The content-addressed file area.
    pub fn files(&self) -> &FileArea {
        &self.files
    }

    /// Imports a list: stores the file, creates the source if new, inserts every record the
    /// iterator yields and one audit entry, all in one transaction. Nothing is written if any
    /// step fails, and the stored file is removed again (unless an earlier import had stored
    /// it). `progress` is called with the number of records written so far.
    pub async fn import(
        &self,
        import: &NewImport<'_>,
        records: &mut (dyn Iterator<Item = NewSourceRecord> + Send),
        actor: &Actor,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReceipt, StoreError> {
        self.db
            .import(import, records, &self.files, actor, progress)
            .await
            .map_err(|e| self.located(e))
    }

    /// Counts of what the registry holds.
    pub async fn counts(&self) -> Result<RegistryCounts, StoreError> {
        self.db.counts().await.map_err(|e| self.located(e))
    }

    /// [`StoreError::DuplicateFile`] when a file with this SHA-256 was imported before, as an
    /// import that refuses duplicates would say; a dry run asks this without importing.
    pub async fn refuse_imported_file(&self, file_sha256: &str) -> Result<(), StoreError> {
        self.db
            .refuse_imported_file(file_sha256)
            .await
            .map_err(|e| self.located(e))
    }

    /// All sources with their record counts.
    pub async fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        self.db.sources().await.map_err(|e| self.located(e))
    }

    /// Up to `limit` records with ids greater than `after`, in id order (keyset paging).
    pub async fn records_page(
        &self,
        after: Option<RecordId>,
        limit: u32,
    ) -> Result<RecordPage, StoreError> {
        self.db
            .records_page(None, after, limit)
            .await
            .map_err(|e| self.located(e))
    }

    /// One record by its registry id.
    pub async fn record(&self, id: RecordId) -> Result<Option<StoredRecord>, StoreError> {
        let page = self
            .db
            .records_page(None, Some(RecordId(id.get() - 1)), 1)
            .await?;
        Ok(page
            .records
            .into_iter()
            .next()
            .filter(|record| record.id == id))
    }

    /// Creates a new person identity.
    pub async fn create_person(&self, actor: &Actor) -> Result<PersonId, StoreError> {
        self.db
            .create_person(actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// Makes records members of a person (appending memberships; earlier ones stay as history).
    pub async fn assign_records(
        &self,
        person: PersonId,
        records: &[RecordId],
        method: MembershipMethod,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.db
            .assign_records(person, records, method, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// The records that currently belong to a person.
    pub async fn person_records(&self, person: PersonId) -> Result<Vec<RecordId>, StoreError> {
        self.db
            .person_records(person)
            .await
            .map_err(|e| self.located(e))
    }

    /// Records a claim.
    pub async fn add_claim(&self, claim: &NewClaim, actor: &Actor) -> Result<ClaimId, StoreError> {
        self.db
            .add_claim(claim, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// Every claim about a subject, oldest first.
    pub async fn claims_about(
        &self,
        subject: ClaimSubject,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        self.db
            .claims_about(subject)
            .await
            .map_err(|e| self.located(e))
    }

    /// Records a reviewer's decision on two records (appended; the newest per pair wins).
    pub async fn record_decision(
        &self,
        decision: &NewPairDecision,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        self.db
            .record_decision(decision, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// The newest decision on every decided pair.
    pub async fn pair_decisions(&self) -> Result<Vec<StoredPairDecision>, StoreError> {
        self.db.pair_decisions().await.map_err(|e| self.located(e))
    }

    /// The person each linked record currently belongs to.
    pub async fn current_memberships(&self) -> Result<HashMap<RecordId, PersonId>, StoreError> {
        self.db
            .current_memberships()
            .await
            .map_err(|e| self.located(e))
    }

    /// Applies a linkage run in one transaction: person ids stay stable (a cluster keeps the
    /// person most of its records had), changed records get new memberships, persons left empty
    /// point at the person they were merged into, and the review queue is replaced.
    pub async fn apply_linkage(
        &self,
        outcome: &LinkageOutcome,
        actor: &Actor,
    ) -> Result<LinkageReceipt, StoreError> {
        self.db
            .apply_linkage(outcome, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// The latest run's review queue, most probable first.
    pub async fn review_queue(
        &self,
        filter: ReviewFilter,
        limit: u32,
    ) -> Result<Vec<ReviewItem>, StoreError> {
        self.db
            .review_queue(filter, limit)
            .await
            .map_err(|e| self.located(e))
    }

    /// How many pairs of the latest run's review queue have no decision yet.
    pub async fn pending_review_pairs(&self) -> Result<u64, StoreError> {
        self.db
            .pending_review_pairs()
            .await
            .map_err(|e| self.located(e))
    }

    /// One entry of the review queue.
    pub async fn review_item(&self, id: i64) -> Result<Option<ReviewItem>, StoreError> {
        self.db.review_item(id).await.map_err(|e| self.located(e))
    }

    /// Each current person with the sources that recorded them and their stratum under `by`,
    /// and the records no person holds yet, in one pass over the records.
    pub async fn capture_histories(
        &self,
        by: Option<CanonicalField>,
    ) -> Result<CaptureHistories, StoreError> {
        self.db
            .capture_histories(by)
            .await
            .map_err(|e| self.located(e))
    }

    /// Recomputes the audit chain and the digests of imported records; names the first break.
    pub async fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        self.db.verify_audit().await.map_err(|e| self.located(e))
    }

    /// Writes a consistent copy of the database to `path` while the registry stays in use;
    /// returns the hashes of the files the copy records.
    pub(crate) async fn snapshot_database(&self, path: &Path) -> Result<Vec<String>, StoreError> {
        self.db.snapshot(path).await.map_err(|e| self.located(e))
    }

    /// Creates an account (audited).
    pub async fn create_user(&self, user: &NewUser, actor: &Actor) -> Result<UserId, StoreError> {
        self.db
            .create_user(user, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// Every account, by login.
    pub async fn users(&self) -> Result<Vec<StoredUser>, StoreError> {
        self.db.users().await.map_err(|e| self.located(e))
    }

    /// The account with this login.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<StoredUser>, StoreError> {
        self.db
            .user_by_login(login)
            .await
            .map_err(|e| self.located(e))
    }

    /// Changes an account's password or disables it (audited); its sessions end.
    pub async fn change_user(
        &self,
        login: &str,
        change: UserChange<'_>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.db
            .change_user(login, change, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// Starts a session for a user; `token_sha256` is the hash of the cookie's value. The
    /// session it `replaces` (the hash of the cookie the browser logged in with, if any) ends,
    /// and so does every expired session, in the same transaction.
    pub async fn create_session(
        &self,
        user: UserId,
        token_sha256: &str,
        csrf_token: &str,
        expires_at: &str,
        replaces: Option<&str>,
    ) -> Result<(), StoreError> {
        self.db
            .create_session(user, token_sha256, csrf_token, expires_at, replaces)
            .await
            .map_err(|e| self.located(e))
    }

    /// The live session with this token hash (not expired, account enabled).
    pub async fn live_session(
        &self,
        token_sha256: &str,
    ) -> Result<Option<LiveSession>, StoreError> {
        self.db
            .live_session(token_sha256)
            .await
            .map_err(|e| self.located(e))
    }

    /// Ends a session (and clears expired ones).
    pub async fn end_session(&self, token_sha256: &str) -> Result<(), StoreError> {
        self.db
            .end_session(token_sha256)
            .await
            .map_err(|e| self.located(e))
    }

    /// Stores an API token for an account (audited); `token_sha256` is the token's hash.
    pub async fn create_api_token(
        &self,
        login: &str,
        token_sha256: &str,
        label: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.db
            .create_api_token(login, token_sha256, label, actor)
            .await
            .map_err(|e| self.located(e))
    }

    /// The enabled account an unrevoked API token belongs to.
    pub async fn api_token_user(
        &self,
        token_sha256: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        self.db
            .api_token_user(token_sha256)
            .await
            .map_err(|e| self.located(e))
    }

    /// Notes an attempt to use a login name's password, before it is checked, and says whether
    /// it is within the `allowed` attempts not yet cleared since an RFC 3339 time, counting
    /// this one and not later ones: requests made together each count only those written before
    /// them. An attempt over the limit is not kept, so hammering a locked account writes
    /// nothing and does not lengthen the lock. Attempts before `since`, of any login name, are
    /// forgotten, so names that were never accounts do not pile up.
    pub async fn record_login_attempt(
        &self,
        login: &str,
        since: &str,
        allowed: u64,
    ) -> Result<bool, StoreError> {
        self.db
            .record_login_attempt(login, since, allowed)
            .await
            .map_err(|e| self.located(e))
    }

    /// Forgets the login attempts of a login name (after its password matched).
    pub async fn clear_login_failures(&self, login: &str) -> Result<(), StoreError> {
        self.db
            .clear_login_failures(login)
            .await
            .map_err(|e| self.located(e))
    }

    /// Persons matching a search, one page.
    pub async fn find_persons(&self, query: &PersonQuery) -> Result<PersonList, StoreError> {
        self.db
            .find_persons(query)
            .await
            .map_err(|e| self.located(e))
    }

    /// One person with their records and the decisions among them.
    pub async fn person(&self, id: PersonId) -> Result<PersonLookup, StoreError> {
        self.db.person(id).await.map_err(|e| self.located(e))
    }

    /// One page of a source's records in id order, after `after`.
    pub async fn records_of_source(
        &self,
        source: SourceId,
        after: Option<RecordId>,
        limit: u32,
    ) -> Result<RecordPage, StoreError> {
        self.db
            .records_page(Some(source), after, limit)
            .await
            .map_err(|e| self.located(e))
    }

    /// The person a record currently belongs to, if linked.
    pub async fn person_of_record(&self, record: RecordId) -> Result<Option<PersonId>, StoreError> {
        self.db
            .person_of_record(record)
            .await
            .map_err(|e| self.located(e))
    }

    /// Persons per value of a facet (most first for places, in order for dates).
    pub async fn facet_counts(
        &self,
        facet: Facet,
        limit: u32,
    ) -> Result<Vec<FacetCount>, StoreError> {
        self.db
            .facet_counts(facet, limit)
            .await
            .map_err(|e| self.located(e))
    }

    /// The sequence number of the newest audit entry (0 when empty). Every change to the
    /// registry appends an entry, so this tells whether anything changed since it was read.
    pub async fn audit_head(&self) -> Result<i64, StoreError> {
        self.db.audit_head().await.map_err(|e| self.located(e))
    }

    /// Audit entries before a sequence number (newest first).
    pub async fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.db
            .audit_entries(before, limit)
            .await
            .map_err(|e| self.located(e))
    }

    /// Closes the connections, checkpointing the write-ahead log.
    pub async fn close(self) {
        self.db.close().await;
    }
}
