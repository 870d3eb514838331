use std::path::PathBuf;

/// Errors of the benchmark: checklists that cannot be used and host roots that do not exist.
///
/// A check that cannot run (no engine, permission denied) is not an error: it is reported as
/// [`crate::Verdict::NotRun`] so that the rest of the benchmark still runs.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The checklist file could not be read.
    #[error("failed to read the checklist `{}`", path.display())]
    ChecklistRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The checklist is over the size limit.
    #[error("the checklist `{}` is larger than {limit} bytes", path.display())]
    ChecklistTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The checklist is not valid TOML or has keys of the wrong type or name.
    #[error("invalid checklist `{origin}`")]
    ChecklistSyntax {
        /// The file, or `built-in default`.
        origin: String,
        /// The parser's error, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The checklist names a check id that does not exist.
    #[error(
        "unknown check id `{id}` in checklist `{origin}` at line {line}; docs/checks.md lists the ids"
    )]
    UnknownCheck {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// The id as written.
        id: String,
    },
    /// The checklist names a section that does not exist.
    #[error("unknown section {number} in checklist `{origin}` at line {line}; sections are 1 to 5")]
    UnknownSection {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// The number as written.
        number: i64,
    },
    /// A check's level is not 1 or 2.
    #[error(
        "invalid level {level} for check `{id}` in checklist `{origin}` at line {line}; CIS levels are 1 and 2"
    )]
    InvalidLevel {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// The check.
        id: String,
        /// The level as written.
        level: i64,
    },
    /// The built-in checklist leaves out a check (a defect of stowaway, caught by its tests).
    #[error("the built-in checklist has no severity and level for check `{id}`")]
    MissingCheck {
        /// The check.
        id: String,
    },
    /// The host root folder does not exist.
    #[error("the host root `{}` is not a folder", path.display())]
    HostRoot {
        /// The folder.
        path: PathBuf,
    },
}
