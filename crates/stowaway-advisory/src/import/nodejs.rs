//! The Node.js security working group's advisories, with node-semver ranges:
//!
//! - npm packages, `vuln/npm/<id>.json`, ranges in `vulnerable_versions` and `patched_versions`.
//!   The ids become `NSWG-ECO-<id>`, as the working group names them, in the `npm` namespace. A
//!   `patched_versions` of `<0.0.0`, which matches no version, means no fix.
//! - Node.js itself, `vuln/core/<id>.json`, ranges in `vulnerable` and `patched`. The ids become
//!   `NSWG-CORE-<id>`, in the namespace `nodejs` with the package `node` (the binary's name).
//!
//! CVEs become aliases, and the ranges are stored as [`NativeRanges`].
//!
//! TODO: `vuln/deps` (libraries bundled into Node.js) is not imported. Its entries name a
//! dependency and the Node.js releases that bundle it, so they need a matcher rule of their own.

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

    let wanted = |name: &str| is_npm_advisory(name) || is_core_advisory(name);
    for_each_file(feed, paths, &mut hasher, wanted, |file, name, bytes| {
        data.record_count += 1;
        let stem = Path::new(name).file_stem().and_then(|stem| stem.to_str()).unwrap_or(name).to_owned();
        let parsed = if is_core_advisory(name) {
            serde_json::from_slice::<RawCoreAdvisory>(&bytes).map_err(|error| error.to_string()).and_then(|raw| raw.into_advisory(&stem))
        } else {
            serde_json::from_slice::<RawAdvisory>(&bytes).map_err(|error| error.to_string()).and_then(RawAdvisory::into_advisory)
        };
        match parsed {
            Ok(advisory) => data.advisories.push(advisory),
            Err(reason) => data.warnings.push(ImportWarning { file: file.to_owned(), record: stem, reason }),
        }
    })?;

    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Returns whether the path names an npm advisory file (`.../npm/123.json`).
pub fn is_npm_advisory(name: &str) -> bool {
    is_advisory_in(name, "npm")
}

/// Returns whether the path names a Node.js core advisory file (`.../core/123.json`).
pub fn is_core_advisory(name: &str) -> bool {
    is_advisory_in(name, "core")
}

fn is_advisory_in(name: &str, directory_name: &str) -> bool {
    let path = Path::new(name);
    let in_directory = path.parent().and_then(Path::file_name).is_some_and(|directory| directory == directory_name);
    in_directory && name.ends_with(".json") && path.file_name().is_some_and(|file| file != "index.json")
}

/// A `vuln/core` advisory, named by its file's stem.
#[derive(Debug, Deserialize)]
struct RawCoreAdvisory {
    #[serde(default, deserialize_with = "null_as_default")]
    cve: Vec<String>,
    #[serde(default)]
    vulnerable: Option<String>,
    #[serde(default)]
    patched: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
}

impl RawCoreAdvisory {
    fn into_advisory(self, stem: &str) -> Result<Advisory, String> {
        if stem.is_empty() || !stem.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("invalid advisory file name `{stem}.json`, expected a number"));
        }
        let vulnerable: Vec<String> = non_empty(self.vulnerable).into_iter().collect();
        if vulnerable.is_empty() {
            return Err("the advisory has no `vulnerable` range".to_owned());
        }
        let patched: Vec<String> = non_empty(self.patched).into_iter().collect();
        let status = if patched.is_empty() { Status::Unfixed } else { Status::Fixed };
        // `unknown` is no rating, so it is not stored.
        let severities = non_empty(self.severity)
            .filter(|word| word != "unknown")
            .map(|word| Severity { source: "advisory".to_owned(), kind: "text".to_owned(), value: word })
            .into_iter()
            .collect();

        Ok(Advisory {
            id: format!("NSWG-CORE-{stem}"),
            published: self.publish_date,
            summary: self.description,
            aliases: self.cve,
            affected: vec![Affected {
                namespace: "nodejs".to_owned(),
                package: "node".to_owned(),
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
            references: self.reference.into_iter().collect(),
            ..Advisory::default()
        })
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty())
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
    fn core_advisory_for_node() {
        let json = r#"{"cve": ["CVE-2024-27980"], "vulnerable": "18.x || 20.x", "patched": "^18.20.2 || ^20.12.2", "severity": "high"}"#;
        let advisory = serde_json::from_str::<RawCoreAdvisory>(json).unwrap().into_advisory("150").unwrap();

        assert_eq!(advisory.id, "NSWG-CORE-150");
        assert_eq!(advisory.aliases, ["CVE-2024-27980"]);
        let affected = &advisory.affected[0];
        assert_eq!((affected.namespace.as_str(), affected.package.as_str()), ("nodejs", "node"));
        assert_eq!(affected.status, Status::Fixed);
        assert_eq!(affected.native_ranges.as_ref().unwrap().patched, ["^18.20.2 || ^20.12.2"]);
        assert_eq!(advisory.severities[0].value, "high");
    }

    #[test]
    fn core_advisory_without_range_is_rejected() {
        let raw: RawCoreAdvisory = serde_json::from_str(r#"{"cve": [], "severity": "unknown"}"#).unwrap();
        assert!(raw.into_advisory("3").unwrap_err().contains("no `vulnerable` range"));
    }

    #[test]
    fn npm_and_core_paths() {
        assert!(is_npm_advisory("./vuln/npm/100.json"));
        assert!(!is_npm_advisory("./vuln/npm/index.json"));
        assert!(!is_npm_advisory("./vuln/core/10.json"));
        assert!(is_core_advisory("./vuln/core/10.json"));
        assert!(!is_core_advisory("./vuln/core/index.json"));
        assert!(!is_core_advisory("./vuln/deps/1.json"));
    }
}
