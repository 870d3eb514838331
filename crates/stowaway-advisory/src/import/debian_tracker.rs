//! The Debian security tracker's JSON export: source package → CVE → release → status.
//!
//! Each CVE becomes one advisory of this source, with one affected entry per source package and
//! release. The tracker's states map to statuses as follows:
//!
//! | tracker | status |
//! |---|---|
//! | `resolved`, `fixed_version` `0` | not-affected (the release never shipped the flaw) |
//! | `resolved`, a `fixed_version` | fixed |
//! | `resolved`, no `fixed_version` | not-affected |
//! | `open` or `undetermined`, `nodsa_reason` `ignored` | will-not-fix |
//! | `open` or `undetermined`, urgency `end-of-life` | end-of-life |
//! | `open` or `undetermined`, otherwise | unfixed (`postponed` fixes wait for a point release) |
//!
//! The urgency is the tracker's own rating for that release and is kept as the entry's
//! distribution severity (`not yet assigned` is no rating and is dropped).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::read::{hex_digest, read_file};
use super::{FeedData, ImportWarning};
use crate::model::{Advisory, Affected, Status};
use crate::{AdvisoryError, namespace};

/// Imports one tracker JSON file (plain or gzip-compressed).
pub fn import(feed: &str, path: &Path) -> Result<FeedData, AdvisoryError> {
    let mut hasher = Sha256::default();
    let bytes = read_file(feed, path, &mut hasher)?;
    let packages: BTreeMap<String, BTreeMap<String, Value>> =
        serde_json::from_slice(&bytes).map_err(|error| AdvisoryError::InvalidFeed {
            feed: feed.to_owned(),
            path: path.to_owned(),
            reason: "not a Debian security tracker JSON document".to_owned(),
            source: Some(Box::new(error)),
        })?;

    let mut data = FeedData::default();
    let mut advisories: BTreeMap<String, Advisory> = BTreeMap::new();
    let file = path.to_string_lossy();
    for (package, issues) in packages {
        for (id, issue) in issues {
            data.record_count += 1;
            match serde_json::from_value::<RawIssue>(issue) {
                Ok(issue) => add_issue(&mut advisories, &package, &id, issue),
                Err(error) => data.warnings.push(ImportWarning {
                    file: file.clone().into_owned(),
                    record: format!("{package}/{id}"),
                    reason: error.to_string(),
                }),
            }
        }
    }

    data.advisories = advisories.into_values().collect();
    data.digest = hex_digest(hasher);
    Ok(data)
}

fn add_issue(advisories: &mut BTreeMap<String, Advisory>, package: &str, id: &str, issue: RawIssue) {
    let advisory = advisories.entry(id.to_owned()).or_insert_with(|| Advisory { id: id.to_owned(), ..Advisory::default() });

    for (release, state) in issue.releases {
        let (status, fixed_version) = state.status_and_fix();
        let urgency = state.urgency.filter(|urgency| urgency != "not yet assigned" && urgency != "end-of-life");
        advisory.affected.push(Affected {
            namespace: namespace::debian(&release),
            package: package.to_owned(),
            status,
            fixed_version,
            ranges: None,
            versions: Vec::new(),
        native_ranges: None,
            ecosystem_specific: None,
            database_specific: None,
            distribution_severity: urgency,
        });
    }
}

#[derive(Debug, Deserialize)]
struct RawIssue {
    #[serde(default)]
    releases: BTreeMap<String, RawRelease>,
}

#[derive(Debug, Deserialize)]
struct RawRelease {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

impl RawRelease {
    fn status_and_fix(&self) -> (Status, Option<String>) {
        if self.status == "resolved" {
            return match self.fixed_version.as_deref() {
                Some("0") | None => (Status::NotAffected, None),
                Some(version) => (Status::Fixed, Some(version.to_owned())),
            };
        }

        let status = if self.nodsa_reason.as_deref() == Some("ignored") {
            Status::WillNotFix
        } else if self.urgency.as_deref() == Some("end-of-life") {
            Status::EndOfLife
        } else {
            Status::Unfixed
        };
        (status, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(json: &str) -> RawRelease {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn statuses_from_tracker_states() {
        let cases = [
            (r#"{"status": "resolved", "fixed_version": "0"}"#, Status::NotAffected, None),
            (r#"{"status": "resolved", "fixed_version": "3.0.12-1"}"#, Status::Fixed, Some("3.0.12-1")),
            (r#"{"status": "open", "urgency": "unimportant"}"#, Status::Unfixed, None),
            (r#"{"status": "open", "nodsa": "Minor issue", "nodsa_reason": "ignored"}"#, Status::WillNotFix, None),
            (r#"{"status": "open", "nodsa_reason": "postponed"}"#, Status::Unfixed, None),
            (r#"{"status": "open", "urgency": "end-of-life"}"#, Status::EndOfLife, None),
            (r#"{"status": "undetermined"}"#, Status::Unfixed, None),
        ];
        for (json, status, fixed) in cases {
            let (actual_status, actual_fixed) = release(json).status_and_fix();
            assert_eq!(actual_status, status, "{json}");
            assert_eq!(actual_fixed.as_deref(), fixed, "{json}");
        }
    }
}
