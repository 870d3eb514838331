//! The error type of the crate.

use crate::Ecosystem;

/// A boxed cause from a parser this crate delegates to.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error from parsing or comparing a version, a range or an ecosystem name.
///
/// Every variant names the input, and the ecosystem where there is one, so a caller can report
/// the exact advisory row or package that failed without keeping its own context.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// The string is not a version of the ecosystem.
    #[error("invalid {ecosystem} version `{input}`: {reason}")]
    InvalidVersion {
        /// Ecosystem whose rules rejected the string.
        ecosystem: Ecosystem,
        /// The string as given.
        input: String,
        /// The reason, such as "the epoch is not a number".
        reason: String,
        /// The error of the delegated parser, where there is one.
        #[source]
        source: Option<Source>,
    },

    /// The string is not a range in the ecosystem's range syntax.
    #[error("invalid {ecosystem} range `{input}`: {reason}")]
    InvalidRange {
        /// Ecosystem whose range syntax rejected the string.
        ecosystem: Ecosystem,
        /// The string as given.
        input: String,
        /// The reason, such as "invalid comparator `>=x.y`".
        reason: String,
        /// The error of the delegated parser, where there is one.
        #[source]
        source: Option<Source>,
    },

    /// An OSV range is malformed (no events, an unknown type, a missing `introduced`).
    #[error("invalid OSV range for {ecosystem}: {reason}")]
    InvalidOsvRange {
        /// Ecosystem of the affected package.
        ecosystem: Ecosystem,
        /// The defect, such as "the range has no `introduced` event".
        reason: String,
    },

    /// The name is neither a purl type nor an OSV ecosystem name that this crate has rules for.
    #[error("unknown ecosystem `{input}` (expected one of: {expected})")]
    UnknownEcosystem {
        /// The name as given.
        input: String,
        /// The accepted purl types, comma-separated.
        expected: &'static str,
    },

    /// Two versions of different ecosystems were compared.
    #[error("cannot compare {left} version `{left_input}` with {right} version `{right_input}`")]
    EcosystemMismatch {
        /// Ecosystem of the left-hand version.
        left: Ecosystem,
        /// The left-hand version.
        left_input: String,
        /// Ecosystem of the right-hand version.
        right: Ecosystem,
        /// The right-hand version.
        right_input: String,
    },
}

impl VersionError {
    /// Builds a [`VersionError::InvalidVersion`] without a delegated cause.
    pub(crate) fn version(ecosystem: Ecosystem, input: &str, reason: impl Into<String>) -> Self {
        VersionError::InvalidVersion {
            ecosystem,
            input: input.to_owned(),
            reason: reason.into(),
            source: None,
        }
    }

    /// Builds a [`VersionError::InvalidRange`] without a delegated cause.
    pub(crate) fn range(ecosystem: Ecosystem, input: &str, reason: impl Into<String>) -> Self {
        VersionError::InvalidRange {
            ecosystem,
            input: input.to_owned(),
            reason: reason.into(),
            source: None,
        }
    }

    /// Returns the ecosystem the error is about, where there is one.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        match self {
            VersionError::InvalidVersion { ecosystem, .. }
            | VersionError::InvalidRange { ecosystem, .. }
            | VersionError::InvalidOsvRange { ecosystem, .. } => Some(*ecosystem),
            VersionError::EcosystemMismatch { left, .. } => Some(*left),
            VersionError::UnknownEcosystem { .. } => None,
        }
    }
}
