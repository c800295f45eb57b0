//! The store's one error type. Database errors keep their cause but never expose the backend's
//! types, so callers do not depend on SQLite.

use std::path::{Path, PathBuf};

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
    /// `restore` without `--force` into a folder that is not new or empty.
    #[error(
        "{path} {holds}: restore into a new or empty folder, or give --force to move it aside \
         to {path}.replaced-<time> and restore in its place"
    )]
    RestoreTargetTaken {
        /// The target folder.
        path: PathBuf,
        /// What is there: "holds a registry", "holds other files", "is a file".
        holds: &'static str,
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
    /// The registry's database file cannot be read as a registry: damaged, empty, or another
    /// file.
    #[error(
        "{path} cannot be read as a registry database ({reason}): restore the registry from a \
         backup with `whereabouts restore BACKUP --data FOLDER --force`"
    )]
    Unreadable {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it, in a few words.
        reason: &'static str,
    },
    /// SQLite cannot open the registry's database, or may only read it (`SQLITE_CANTOPEN`,
    /// `SQLITE_READONLY`): the folder's permissions, or a disk mounted read-only.
    #[error(
        "the registry database {path} cannot be opened for writing ({detail}, while {context}): \
         check the permissions of the registry's folder and of every file in it (this user must \
         be able to read and write them), and that its disk is not mounted read-only. Commands \
         that only read, such as export and audit verify, need this too: SQLite writes its \
         journal beside the database"
    )]
    NotWritable {
        /// The database file.
        path: PathBuf,
        /// What the store was doing.
        context: &'static str,
        /// SQLite's own words.
        detail: String,
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

/// SQLite's primary result codes for a database it may only read (`SQLITE_READONLY`, 8) or
/// cannot open at all (`SQLITE_CANTOPEN`, 14).
const NOT_WRITABLE_CODES: [i64; 2] = [8, 14];

/// The primary result code of a database error. sqlx reports SQLite's extended codes, whose
/// low byte is the primary one (267, `SQLITE_CORRUPT_VTAB`, is a damaged name index; 1032,
/// `SQLITE_READONLY_DBMOVED`, a database file it may not write).
fn primary_code(database: &dyn sqlx::error::DatabaseError) -> Option<i64> {
    database
        .code()
        .and_then(|code| code.parse::<i64>().ok())
        .map(|code| code & 0xff)
}

/// Whether SQLite says the database file is damaged or not a database at all.
pub(crate) fn says_unreadable(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database)
        if primary_code(database.as_ref()).is_some_and(|code| UNREADABLE_CODES.contains(&code)))
}

/// The first database error in a chain of causes whose primary code is one of `codes`, with
/// SQLite's message.
fn find_code(error: &(dyn std::error::Error + 'static), codes: &[i64]) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(sqlx::Error::Database(database)) = error.downcast_ref::<sqlx::Error>()
            && primary_code(database.as_ref()).is_some_and(|code| codes.contains(&code))
        {
            return Some(database.message().to_string());
        }
        cause = error.source();
    }
    None
}

/// A failed database call as the user should hear it: [`StoreError::Damaged`], with the way to
/// restore, when SQLite says somewhere in the cause (a query's error, or a migration's) that the
/// file is damaged; otherwise [`StoreError::Database`] ([`located`] names the file for the ones
/// SQLite could not write).
pub(crate) fn database_error(
    context: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> StoreError {
    match find_code(source.as_ref(), &UNREADABLE_CODES) {
        Some(detail) => StoreError::Damaged { context, detail },
        None => StoreError::Database { context, source },
    }
}

/// An error of the registry whose database is `database`: one SQLite gave because it cannot
/// open or may not write the file becomes [`StoreError::NotWritable`], which names the file and
/// what to check. The queries do not know the file, so the store passes every error through
/// this on its way out.
pub(crate) fn located(error: StoreError, database: &Path) -> StoreError {
    match error {
        StoreError::Database { context, source } => {
            match find_code(source.as_ref(), &NOT_WRITABLE_CODES) {
                Some(detail) => StoreError::NotWritable {
                    path: database.to_path_buf(),
                    context,
                    detail,
                },
                None => StoreError::Database { context, source },
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};

    fn as_database_error(error: sqlx::Error) -> StoreError {
        database_error("testing", Box::new(error))
    }

    #[tokio::test]
    async fn a_database_sqlite_may_only_read_names_the_file_and_what_to_check() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registry.sqlite");
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true);
        options.connect().await.unwrap().close().await.unwrap();
        let mut read_only = options.read_only(true).connect().await.unwrap();
        let refused = sqlx::query("CREATE TABLE t (x)")
            .execute(&mut read_only)
            .await
            .unwrap_err();

        let error = located(as_database_error(refused), &file);

        assert!(matches!(error, StoreError::NotWritable { .. }), "{error:?}");
        let message = error.to_string();
        for expected in [
            &*file.to_string_lossy(),
            "read-only",
            "permissions",
            "journal",
        ] {
            assert!(
                message.contains(expected),
                "`{expected}` missing: {message}"
            );
        }
    }

    #[tokio::test]
    async fn a_database_sqlite_cannot_open_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("no-such-folder").join("registry.sqlite");
        let refused = SqliteConnectOptions::new()
            .filename(&file)
            .connect()
            .await
            .unwrap_err();

        let error = located(as_database_error(refused), &file);

        assert!(matches!(error, StoreError::NotWritable { .. }), "{error:?}");
        assert!(
            error.to_string().contains(&*file.to_string_lossy()),
            "{error}"
        );
    }

    #[test]
    fn other_database_errors_are_left_as_they_are() {
        let error = located(
            as_database_error(sqlx::Error::RowNotFound),
            Path::new("registry.sqlite"),
        );
        assert!(matches!(error, StoreError::Database { .. }), "{error:?}");
    }
}
