//! The store's one error type. Database errors keep their cause but never expose the backend's
//! types, so callers do not depend on SQLite.

use std::path::PathBuf;

/// What can go wrong in the registry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No registry at the given folder.
    #[error(
        "no registry at {path}: run `whereabouts init --data {path}` first, then import the lists \
         with `whereabouts import FILE --source NAME --data {path}`"
    )]
    NoRegistry {
        /// The folder.
        path: PathBuf,
    },
    /// `init` on a folder that already has a registry.
    #[error("a registry already exists at {path}; use it, or choose another --data folder")]
    AlreadyExists {
        /// The folder.
        path: PathBuf,
    },
    /// The same file (by SHA-256) was imported before.
    #[error(
        "this file (SHA-256 {sha256}) was already imported into source `{source_name}` at {imported_at}; \
         pass --force to import it again"
    )]
    DuplicateFile {
        /// The file's hash.
        sha256: String,
        /// The source it went into.
        source_name: String,
        /// When.
        imported_at: String,
    },
    /// A file in the file area no longer matches its hash.
    #[error("{path} no longer matches its SHA-256 name: the file was altered or damaged on disk")]
    FileCorrupted {
        /// The file.
        path: PathBuf,
    },
    /// A backup that does not verify.
    #[error("backup {path} does not verify: {reason}")]
    BadBackup {
        /// The backup file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot read or write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The registry's database file cannot be read as a database: damaged, or another file.
    #[error(
        "{path} cannot be read as a registry database (it is damaged, or not a registry's file): \
         restore the registry from a backup with `whereabouts restore BACKUP --data FOLDER --force`"
    )]
    Unreadable {
        /// The database file.
        path: PathBuf,
    },
    /// SQLite found the registry's database damaged part way through (it opened, and a later
    /// page turned out malformed).
    #[error(
        "the registry database is damaged ({detail}, while {context}): restore the registry from \
         a backup with `whereabouts restore BACKUP --data FOLDER --force`"
    )]
    Damaged {
        /// What the store was doing.
        context: &'static str,
        /// SQLite's own words.
        detail: String,
    },
    /// The database refused or failed.
    #[error("registry database error while {context}: {source}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// What was asked for exists already.
    #[error("{0}")]
    Conflict(String),
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A request the registry cannot carry out as asked.
    #[error("{0}")]
    Invalid(String),
    /// A stored value could not be read back (a damaged or hand-edited database).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

/// Adds what the store was doing to a database error.
pub(crate) trait DbContext<T> {
    fn context(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> DbContext<T> for Result<T, E> {
    fn context(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| database_error(context, Box::new(source)))
    }
}

/// SQLite's primary result codes for a damaged database (`SQLITE_CORRUPT`, 11) and a file that
/// is not a database (`SQLITE_NOTADB`, 26).
const UNREADABLE_CODES: [i64; 2] = [11, 26];

/// Whether SQLite says the database file is damaged or not a database at all. sqlx reports
/// SQLite's extended codes, whose low byte is the primary one (267, `SQLITE_CORRUPT_VTAB`, is
/// a damaged name index).
pub(crate) fn says_unreadable(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database)
        if database.code().and_then(|code| code.parse::<i64>().ok())
            .is_some_and(|code| UNREADABLE_CODES.contains(&(code & 0xff))))
}

/// A failed database call as the user should hear it: [`StoreError::Damaged`], with the way to
/// restore, when SQLite says somewhere in the cause (a query's error, or a migration's) that the
/// file is damaged; otherwise [`StoreError::Database`].
pub(crate) fn database_error(
    context: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> StoreError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
    while let Some(error) = cause {
        if let Some(found @ sqlx::Error::Database(database)) = error.downcast_ref::<sqlx::Error>()
            && says_unreadable(found)
        {
            return StoreError::Damaged {
                context,
                detail: database.message().to_string(),
            };
        }
        cause = error.source();
    }
    StoreError::Database { context, source }
}
