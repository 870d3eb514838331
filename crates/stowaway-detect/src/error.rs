use std::path::PathBuf;

/// Errors that stop a [`Detector`](crate::Detector) from being built.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A rule file failed to parse or compile. The cause's message starts with
    /// `FILE:LINE:COLUMN`.
    #[error("failed to compile the YARA rules in `{name}`")]
    RuleCompile {
        /// The file as given, or the bundled file's name.
        name: String,
        /// The compiler's error, `FILE:LINE:COLUMN: error: ...`.
        #[source]
        source: boreal::compiler::AddRuleError,
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
    /// A rule folder contains no `.yar` or `.yara` file.
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
        /// The file or bundled rule set that contains it.
        source_name: String,
        /// The problem, in one sentence.
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
