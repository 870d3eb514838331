//! The error type of the advisory crate.

use std::path::PathBuf;

/// An error that stops a database build or a query.
///
/// A malformed record inside a readable feed is not an error: the importer skips it and reports a
/// [`crate::ImportWarning`].
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// A feed file or archive could not be read.
    #[error("failed to read feed `{feed}` at `{}`", path.display())]
    ReadFeed {
        /// The feed name.
        feed: String,
        /// The file that failed.
        path: PathBuf,
        /// The I/O cause.
        #[source]
        source: std::io::Error,
    },

    /// A feed was readable but its top-level structure was not the feed's format.
    #[error("invalid feed `{feed}` at `{}`: {reason}", path.display())]
    InvalidFeed {
        /// The feed name.
        feed: String,
        /// The file that failed.
        path: PathBuf,
        /// The reason, in a few words.
        reason: String,
        /// The parser's error, when one parser rejected the file.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A path given to a build is no feed this crate can read.
    #[error("no advisory feed recognized at `{}`", path.display())]
    UnrecognizedFeed {
        /// The path given.
        path: PathBuf,
    },

    /// A SQLite operation failed.
    #[error("failed to {operation} database `{}`", path.display())]
    Database {
        /// The operation, as a verb phrase (`open`, `write`, `query`).
        operation: &'static str,
        /// The database file.
        path: PathBuf,
        /// The SQLite cause.
        #[source]
        source: rusqlite::Error,
    },

    /// The temporary database could not be created or renamed over the target.
    #[error("failed to {operation} database file `{}`", path.display())]
    File {
        /// The operation (`create`, `replace`).
        operation: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The I/O cause.
        #[source]
        source: std::io::Error,
    },

    /// SQLite's integrity check of a newly written database failed.
    #[error("integrity check of new database `{}` failed: {report}", path.display())]
    IntegrityCheck {
        /// The temporary database file.
        path: PathBuf,
        /// The first line of `PRAGMA integrity_check`'s report.
        report: String,
    },

    /// A bundle is not a stowaway advisory bundle, or is incomplete.
    #[error("invalid advisory bundle `{}`: {reason}", path.display())]
    InvalidBundle {
        /// The bundle file.
        path: PathBuf,
        /// The reason, in a few words.
        reason: String,
        /// The parser's error, when one parser rejected the file.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// The database in a bundle does not match the digest its manifest records.
    #[error("database in bundle `{}` does not match its manifest: expected {expected}, found {actual}", path.display())]
    DigestMismatch {
        /// The bundle file.
        path: PathBuf,
        /// The size and digest the manifest records.
        expected: String,
        /// The size and digest of the database read.
        actual: String,
    },

    /// The database was written by a schema version this build does not read.
    #[error(
        "database `{}` has schema version {found}, this stowaway reads version {expected}; run `stowaway db update` to replace it",
        path.display()
    )]
    UnsupportedSchema {
        /// The database file.
        path: PathBuf,
        /// The version stored in the file, or `None` when the metadata table has none.
        found: String,
        /// The version this crate reads and writes.
        expected: u32,
    },

    /// A feed's file could not be downloaded.
    #[error("failed to download feed `{feed}` from `{url}`: {reason}")]
    Download {
        /// The feed name.
        feed: String,
        /// The URL.
        url: String,
        /// The failure, with the number of attempts.
        reason: String,
        /// The HTTP client's error, when it reported one.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// The HTTP client could not be set up (its TLS configuration, for example).
    #[error("failed to set up the HTTP client")]
    HttpClient {
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },

    /// Another update holds the download cache's lock.
    #[error("another `stowaway db update` is using the download cache (lock file `{}`)", path.display())]
    CacheBusy {
        /// The lock file.
        path: PathBuf,
    },

    /// The update configuration file is invalid.
    #[error("invalid update configuration `{}`: {reason}", path.display())]
    InvalidConfig {
        /// The configuration file.
        path: PathBuf,
        /// The problem, naming the key.
        reason: String,
        /// The parser's error, when the file is no valid TOML.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A setting from the environment is invalid.
    #[error("invalid `{name}` value `{value}`: {reason}")]
    InvalidSetting {
        /// The environment variable.
        name: &'static str,
        /// The value set.
        value: String,
        /// The problem.
        reason: String,
    },

    /// A feed was read but contains no record, as an error page served in place of the feed
    /// does.
    #[error("feed `{feed}` contains no records (read from {})", paths.iter().map(|path| format!("`{}`", path.display())).collect::<Vec<_>>().join(", "))]
    EmptyFeed {
        /// The feed name.
        feed: String,
        /// The files read.
        paths: Vec<PathBuf>,
    },

    /// The embedded snapshot does not unpack to the database its build recorded.
    #[error("embedded advisory snapshot does not match its record: expected {expected}, found {actual}; rebuild it with `scripts/build-snapshot.sh`")]
    SnapshotMismatch {
        /// The size and digest recorded at build.
        expected: String,
        /// The size and digest unpacked.
        actual: String,
    },

    /// A downloaded feed could not be imported.
    #[error("failed to import feed `{feed}` downloaded from {urls}")]
    ImportDownloaded {
        /// The feed name.
        feed: String,
        /// The feed's URLs, each in backticks.
        urls: String,
        /// The import's error.
        #[source]
        source: Box<AdvisoryError>,
    },
}

impl AdvisoryError {
    /// Returns the name of the feed the error concerns, for errors of one feed.
    pub fn feed_name(&self) -> Option<&str> {
        match self {
            AdvisoryError::ReadFeed { feed, .. }
            | AdvisoryError::InvalidFeed { feed, .. }
            | AdvisoryError::EmptyFeed { feed, .. }
            | AdvisoryError::Download { feed, .. }
            | AdvisoryError::ImportDownloaded { feed, .. } => Some(feed),
            _ => None,
        }
    }
}
