//! The ignore file: `.stowawayignore` in TOML or YAML.
//!
//! ```toml
//! [[ignore]]
//! id = "CVE-2018-18074"                 # the CVE, the advisory id or any alias
//! purl = "pkg:pypi/requests"            # optional; with @version, that version only
//! path = "/usr/local/lib/python3*/**"   # optional glob over the package's locations
//! expires = "2027-01-31"                # optional; the entry stops applying after that day
//! reason = "not reachable: we never send proxy credentials"
//! ```
//!
//! An entry needs at least one of `id`, `purl` and `path`; a finding is suppressed when every
//! field the entry gives matches. The YAML form is a top-level `ignore:` list of the same maps.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use super::{SuppressError, Suppressor, known_as, purl_matches};
use crate::{Finding, Suppression};

/// One entry of an ignore file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// The vulnerability id: CVE, advisory id or alias.
    #[serde(default)]
    pub id: Option<String>,
    /// A package URL, with or without a version.
    #[serde(default)]
    pub purl: Option<String>,
    /// A glob over the package's locations.
    #[serde(default)]
    pub path: Option<String>,
    /// The last day the entry applies (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires: Option<String>,
    /// The reason the finding does not apply.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    ignore: Vec<IgnoreRule>,
}

/// An ignore file's entries that still apply, with their compiled path globs.
#[derive(Debug)]
pub struct IgnoreFile {
    path: PathBuf,
    rules: Vec<(IgnoreRule, Option<GlobMatcher>)>,
    expired: Vec<String>,
}

impl IgnoreFile {
    /// Reads the ignore file at `path`, dropping the entries expired before `today`.
    pub fn load(path: &Path, today: SystemTime) -> Result<IgnoreFile, SuppressError> {
        let text = std::fs::read_to_string(path).map_err(|source| SuppressError::Read { path: path.to_owned(), source })?;
        IgnoreFile::parse(path, &text, today)
    }

    /// Parses ignore-file text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str, today: SystemTime) -> Result<IgnoreFile, SuppressError> {
        let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
        let document: Document = if is_yaml {
            serde_yaml_ng::from_str(text).map_err(|error| SuppressError::Parse { path: path.to_owned(), message: error.to_string() })?
        } else {
            match toml::from_str(text) {
                Ok(document) => document,
                // `.stowawayignore` has no extension to tell the format, so YAML is tried
                // next, and the TOML error is the one reported if both fail.
                Err(toml_error) => serde_yaml_ng::from_str(text)
                    .map_err(|_| SuppressError::Parse { path: path.to_owned(), message: toml_error.to_string() })?,
            }
        };

        let invalid = |index: usize, message: String| SuppressError::Invalid { path: path.to_owned(), message: format!("entry {}: {message}", index + 1) };
        let mut rules = Vec::new();
        let mut expired = Vec::new();
        for (index, rule) in document.ignore.into_iter().enumerate() {
            if rule.id.is_none() && rule.purl.is_none() && rule.path.is_none() {
                return Err(invalid(index, "give at least one of `id`, `purl` and `path`".to_owned()));
            }
            if let Some(purl) = &rule.purl
                && let Err(error) = purl.parse::<packageurl::PackageUrl<'_>>()
            {
                return Err(invalid(index, format!("invalid purl `{purl}`: {error}")));
            }
            let glob = match &rule.path {
                Some(pattern) => Some(Glob::new(pattern).map_err(|error| invalid(index, format!("invalid path glob `{pattern}`: {error}")))?.compile_matcher()),
                None => None,
            };
            if let Some(date) = &rule.expires {
                let end = humantime::parse_rfc3339(&format!("{date}T23:59:59Z"))
                    .map_err(|_| invalid(index, format!("invalid `expires` date `{date}`; write YYYY-MM-DD")))?;
                if today > end {
                    expired.push(format!("{}: entry {} ({}) expired on {date} and no longer applies", path.display(), index + 1, describe(&rule)));
                    continue;
                }
            }
            rules.push((rule, glob));
        }
        Ok(IgnoreFile { path: path.to_owned(), rules, expired })
    }

    /// Messages for the entries that expired, for the report's warnings.
    pub fn expired(&self) -> &[String] {
        &self.expired
    }

    /// Returns the number of entries that apply.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Tells whether no entry applies.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl Suppressor for IgnoreFile {
    fn suppression(&self, finding: &Finding) -> Option<Suppression> {
        let (rule, _) = self.rules.iter().find(|(rule, glob)| {
            rule.id.as_deref().is_none_or(|id| known_as(finding, id))
                && rule.purl.as_deref().is_none_or(|purl| purl_matches(purl, finding))
                && glob.as_ref().is_none_or(|glob| finding.package.locations.iter().any(|location| glob.is_match(location)))
        })?;
        let reason = rule.reason.clone().unwrap_or_else(|| format!("listed in {}", self.path.display()));
        Some(Suppression { by: "ignore-file".to_owned(), reason })
    }
}

fn describe(rule: &IgnoreRule) -> String {
    [rule.id.as_deref(), rule.purl.as_deref(), rule.path.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ")
}
