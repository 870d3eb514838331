//! The Node.js security working group's npm advisories, `vuln/npm/<id>.json`, with node-semver
//! ranges in `vulnerable_versions` and `patched_versions`.
//!
//! The ids become `NSWG-ECO-<id>`, as the working group names them, and CVEs become aliases. The
//! ranges are stored as [`NativeRanges`]. A `patched_versions` of `<0.0.0`, which matches no
//! version, means no fix.
//!
//! TODO: `vuln/core` (Node.js itself) and `vuln/deps` (its bundled libraries) are not imported;
//! they need a namespace for the runtime that the binary cataloger reports.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::read::{for_each_file, hex_digest};
use super::{FeedData, ImportWarning, null_as_default};
use crate::AdvisoryError;
use crate::model::{Advisory, Affected, NativeRanges, Severity, Status};

/// Imports the npm advisories of the security-wg repository from archives, directories or files.
/// Only JSON files under a `npm` directory are read, index files excluded.
pub fn import(feed: &str, paths: &[PathBuf]) -> Result<FeedData, AdvisoryError> {
    let mut data = FeedData::default();
    let mut hasher = Sha256::default();

    for_each_file(feed, paths, &mut hasher, is_npm_advisory, |file, name, bytes| {
        data.record_count += 1;
        let stem = Path::new(name).file_stem().and_then(|stem| stem.to_str()).unwrap_or(name).to_owned();
        match serde_json::from_slice::<RawAdvisory>(&bytes).map_err(|error| error.to_string()).and_then(RawAdvisory::into_advisory) {
            Ok(advisory) => data.advisories.push(advisory),
            Err(reason) => data.warnings.push(ImportWarning { file: file.to_owned(), record: stem, reason }),
        }
    })?;

    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Returns whether the path names an npm advisory file (`.../npm/123.json`).
pub fn is_npm_advisory(name: &str) -> bool {
    let path = Path::new(name);
    let in_npm = path.parent().and_then(Path::file_name).is_some_and(|directory| directory == "npm");
    in_npm && name.ends_with(".json") && path.file_name().is_some_and(|file| file != "index.json")
}

#[derive(Debug, Deserialize)]
struct RawAdvisory {
    id: Value,
    module_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    cves: Vec<String>,
    #[serde(default)]
    vulnerable_versions: Option<String>,
    #[serde(default)]
    patched_versions: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    cvss_vector: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    references: Vec<String>,
}

impl RawAdvisory {
    fn into_advisory(self) -> Result<Advisory, String> {
        let number = match &self.id {
            Value::Number(number) => number.to_string(),
            Value::String(text) if !text.trim().is_empty() => text.trim().to_owned(),
            other => return Err(format!("invalid advisory id `{other}`")),
        };
        let non_empty = |range: Option<String>| range.map(|range| range.trim().to_owned()).filter(|range| !range.is_empty());
        let vulnerable: Vec<String> = non_empty(self.vulnerable_versions).into_iter().collect();
        let patched: Vec<String> = non_empty(self.patched_versions).into_iter().collect();
        let status = if patched.iter().any(|range| range != "<0.0.0") { Status::Fixed } else { Status::Unfixed };

        let severities = self
            .cvss_vector
            .filter(|vector| vector.starts_with("CVSS:3") || vector.starts_with("CVSS:4"))
            .map(|vector| {
                let kind = if vector.starts_with("CVSS:4") { "CVSS_V4" } else { "CVSS_V3" };
                Severity { source: "advisory".to_owned(), kind: kind.to_owned(), value: vector }
            })
            .into_iter()
            .collect();

        Ok(Advisory {
            id: format!("NSWG-ECO-{number}"),
            published: self.publish_date,
            modified: self.updated_at,
            summary: self.title,
            aliases: self.cves,
            affected: vec![Affected {
                namespace: "npm".to_owned(),
                package: self.module_name,
                status,
                fixed_version: None,
                ranges: None,
                versions: Vec::new(),
                native_ranges: Some(NativeRanges { vulnerable, patched, unaffected: Vec::new() }),
                ecosystem_specific: None,
                database_specific: None,
                distribution_severity: None,
            }],
            severities,
            references: self.references,
            ..Advisory::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_advisory_with_ranges() {
        let json = r#"{"id": 100, "module_name": "uri-js", "cves": [], "vulnerable_versions": "<=2.1.1",
            "patched_versions": ">=3.0.0", "cvss_vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}"#;
        let advisory = serde_json::from_str::<RawAdvisory>(json).unwrap().into_advisory().unwrap();

        assert_eq!(advisory.id, "NSWG-ECO-100");
        assert_eq!(advisory.severities[0].kind, "CVSS_V3");
        let affected = &advisory.affected[0];
        assert_eq!(affected.status, Status::Fixed);
        let ranges = affected.native_ranges.as_ref().unwrap();
        assert_eq!(ranges.vulnerable, ["<=2.1.1"]);
        assert_eq!(ranges.patched, [">=3.0.0"]);
    }

    #[test]
    fn no_patch_is_unfixed() {
        let json = r#"{"id": "7", "module_name": "m", "vulnerable_versions": "*", "patched_versions": "<0.0.0"}"#;
        let advisory = serde_json::from_str::<RawAdvisory>(json).unwrap().into_advisory().unwrap();
        assert_eq!(advisory.affected[0].status, Status::Unfixed);
    }

    #[test]
    fn npm_paths() {
        assert!(is_npm_advisory("./vuln/npm/100.json"));
        assert!(!is_npm_advisory("./vuln/npm/index.json"));
        assert!(!is_npm_advisory("./vuln/core/10.json"));
    }
}
