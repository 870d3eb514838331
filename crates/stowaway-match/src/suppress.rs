//! Findings a user has decided about: an ignore file and OpenVEX documents.
//!
//! Suppressed findings are not dropped: they move to [`Matches::suppressed`] with the reason, so
//! the report can count them and show them on request.

mod ignore;
mod vex;

pub use ignore::{IgnoreFile, IgnoreRule};
pub use vex::VexDocument;

use std::path::PathBuf;

use crate::{Finding, Matches, Suppression};

/// Errors of reading an ignore file or a VEX document.
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    /// The file could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is neither valid TOML nor valid YAML of the expected shape.
    #[error("failed to parse `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with the line where it has one.
        message: String,
    },
    /// An entry is not usable as written.
    #[error("`{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The problem, naming the entry.
        message: String,
    },
}

/// Something that decides whether a finding is suppressed.
pub trait Suppressor {
    /// Returns why `finding` is suppressed, or `None`.
    fn suppression(&self, finding: &Finding) -> Option<Suppression>;
}

/// Moves every finding that one of `suppressors` suppresses into `matches.suppressed`.
/// Returns how many moved.
pub fn apply(matches: &mut Matches, suppressors: &[&dyn Suppressor]) -> usize {
    let findings = std::mem::take(&mut matches.findings);
    let mut moved = 0;
    for mut finding in findings {
        match suppressors.iter().find_map(|suppressor| suppressor.suppression(&finding)) {
            Some(suppression) => {
                finding.suppression = Some(suppression);
                matches.suppressed.push(finding);
                moved += 1;
            }
            None => matches.findings.push(finding),
        }
    }
    moved
}

/// Tells whether a finding is known under `id`: its reported id, its advisory id or an alias.
pub(crate) fn known_as(finding: &Finding, id: &str) -> bool {
    finding.id.eq_ignore_ascii_case(id) || finding.advisory_id.eq_ignore_ascii_case(id) || finding.aliases.iter().any(|alias| alias.eq_ignore_ascii_case(id))
}

/// Tells whether the package URL `pattern` names the finding's package: type, namespace and
/// name must agree, and the version too when `pattern` has one. Qualifiers are ignored, since
/// tools write different ones for the same package.
pub(crate) fn purl_matches(pattern: &str, finding: &Finding) -> bool {
    let Some(purl) = finding.package.purl.as_deref() else { return false };
    let (Ok(pattern), Ok(purl)) = (pattern.parse::<packageurl::PackageUrl<'_>>(), purl.parse::<packageurl::PackageUrl<'_>>()) else {
        return false;
    };
    let same_version = pattern.version().is_none_or(|version| Some(version) == purl.version());
    pattern.ty() == purl.ty() && pattern.namespace() == purl.namespace() && pattern.name() == purl.name() && same_version
}
