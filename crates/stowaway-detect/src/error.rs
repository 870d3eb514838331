use std::path::PathBuf;

/// Errors that stop a [`Detector`](crate::Detector) from being built.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A rule file failed to parse or compile; the message starts with `FILE:LINE:COLUMN`.
    #[error("failed to compile YARA rules: {message}")]
    RuleCompile {
        /// The file, or `None` for a bundled rule file.
        path: Option<PathBuf>,
        /// The compiler's message, `FILE:LINE:COLUMN: error: ...`.
        message: String,
    },
    /// A rule path given in the options cannot be read.
    #[error("failed to read rule path `{path}`; check that it exists and is readable")]
    RulePath {
        /// The path given.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A rule path holds no `.yar` or `.yara` file.
    #[error("no `.yar` or `.yara` file found under `{path}`")]
    NoRuleFiles {
        /// The folder given.
        path: PathBuf,
    },
    /// A rule lacks metadata the detector needs or gives an invalid value.
    #[error("rule `{rule}` in `{source_name}`: {problem}")]
    RuleMetadata {
        /// The rule's name.
        rule: String,
        /// The file or bundled rule set that holds it.
        source_name: String,
        /// What is wrong.
        problem: String,
    },
    /// An allowlist path pattern is not a valid glob.
    #[error("invalid allowlist path pattern `{pattern}`")]
    AllowlistPattern {
        /// The pattern.
        pattern: String,
        /// The cause.
        #[source]
        source: globset::Error,
    },
}
