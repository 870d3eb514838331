//! OSV records, in JSON or in OSV-schema YAML: single files, directories of files, tar archives
//! (plain, gzip or zstd) and zip archives of files.
//!
//! The structs are lenient on purpose: OSV adds ecosystems and fields often, so an unknown
//! ecosystem or field is kept or ignored, never an error. A record is skipped only when it has no
//! `id` or a field has the wrong type.
//!
//! YAML records keep every scalar as the text written: an unquoted `fixed: 1.10` stays `1.10`,
//! never the number `1.1`, because the string fields are read with `deserialize_str`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::Sha256;

use super::read::{for_each_file, hex_digest};
use super::{FeedData, ImportWarning, null_as_default};
use crate::model::{Advisory, Affected, Severity, Status};
use crate::{AdvisoryError, namespace};

/// Imports OSV records from files, directories, tar archives and zip archives (osv.dev publishes
/// each ecosystem as an `all.zip`).
pub fn import(feed: &str, paths: &[PathBuf]) -> Result<FeedData, AdvisoryError> {
    let mut data = FeedData::default();
    let mut hasher = Sha256::default();
    let wanted = |name: &str| format_of(name).is_some();
    for_each_file(feed, paths, &mut hasher, wanted, |file, name, bytes| add_record(&mut data, file, name, &bytes))?;

    data.digest = hex_digest(hasher);
    Ok(data)
}

/// The serialization of an OSV record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// OSV JSON.
    Json,
    /// OSV-schema YAML, as the PyPA advisory database writes it.
    Yaml,
}

fn format_of(name: &str) -> Option<Format> {
    if name.ends_with(".json") {
        Some(Format::Json)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(Format::Yaml)
    } else {
        None
    }
}

/// Parses one member or file into `data`, or records why it was skipped. Members that are not
/// JSON or YAML (an archive's `.id-allocator`, a README) are no records and are passed over.
fn add_record(data: &mut FeedData, file: &str, name: &str, bytes: &[u8]) {
    let Some(format) = format_of(name) else {
        return;
    };
    data.record_count += 1;

    match parse(format, bytes) {
        Ok(advisory) => data.advisories.push(advisory),
        Err(reason) => {
            let stem = Path::new(name).file_stem().and_then(|stem| stem.to_str()).unwrap_or(name);
            tracing::debug!(file, record = stem, reason, "skipped OSV record");
            data.warnings.push(ImportWarning { file: file.to_owned(), record: stem.to_owned(), reason });
        }
    }
}

/// Parses one OSV record.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Advisory, String> {
    let raw: RawRecord = match format {
        Format::Json => serde_json::from_slice(bytes).map_err(|error| error.to_string())?,
        Format::Yaml => serde_yaml_ng::from_slice(bytes).map_err(|error| error.to_string())?,
    };
    if raw.id.trim().is_empty() {
        return Err("the record has an empty `id`".to_owned());
    }
    Ok(raw.into_advisory())
}

#[derive(Debug, Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_as_default")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "null_as_default")]
    references: Vec<RawReference>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default, deserialize_with = "null_as_default")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "null_as_default")]
    versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    events: Vec<BTreeMap<String, String>>,
}

impl RawRecord {
    fn into_advisory(self) -> Advisory {
        let mut severities: Vec<Severity> = self.severity.iter().map(advisory_severity).collect();
        for affected in &self.affected {
            for severity in affected.severity.iter().map(advisory_severity) {
                if !severities.contains(&severity) {
                    severities.push(severity);
                }
            }
        }
        // GitHub's advisories rate in words (`HIGH`) under `database_specific.severity`.
        if let Some(word) = self.database_specific.as_ref().and_then(|specific| specific.get("severity")).and_then(Value::as_str) {
            severities.push(Severity { source: "advisory".to_owned(), kind: "text".to_owned(), value: word.to_owned() });
        }

        // GitHub's advisories list their weaknesses under `database_specific.cwe_ids`.
        let weaknesses = self
            .database_specific
            .as_ref()
            .and_then(|specific| specific.get("cwe_ids"))
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).filter(|id| id.starts_with("CWE-")).map(str::to_owned).collect())
            .unwrap_or_default();

        let mut aliases = self.aliases;
        aliases.retain(|alias| *alias != self.id);

        Advisory {
            affected: self.affected.into_iter().filter_map(RawAffected::into_affected).collect(),
            id: self.id,
            published: self.published,
            modified: self.modified,
            summary: self.summary,
            withdrawn: self.withdrawn,
            aliases,
            severities,
            weaknesses,
            references: self.references.into_iter().filter_map(|reference| reference.url).collect(),
        }
    }
}

fn advisory_severity(raw: &RawSeverity) -> Severity {
    Severity { source: "advisory".to_owned(), kind: raw.kind.clone(), value: raw.score.clone() }
}

impl RawAffected {
    /// Converts the entry, or drops it when it names no package: such entries (GIT-only ranges
    /// of a repository) cannot be matched to an installed package.
    fn into_affected(self) -> Option<Affected> {
        let package = self.package?;

        let fixed: Vec<&str> = self
            .ranges
            .iter()
            .flat_map(|range| range.events.iter())
            .filter_map(|event| event.get("fixed").map(String::as_str))
            .collect();
        let status = if fixed.is_empty() { Status::Unfixed } else { Status::Fixed };
        // A single fixed version is the common case and what a report shows; several ranges with
        // several fixes are left to the ranges.
        let fixed_version = match fixed.as_slice() {
            [single] => Some((*single).to_owned()),
            _ => None,
        };

        let ranges = (!self.ranges.is_empty()).then(|| Value::Array(self.ranges.iter().map(RawRange::to_json).collect()));
        Some(Affected {
            namespace: namespace::osv(&package.ecosystem),
            package: package.name,
            status,
            fixed_version,
            ranges,
            versions: self.versions,
            native_ranges: None,
            ecosystem_specific: self.ecosystem_specific,
            database_specific: self.database_specific,
            distribution_severity: None,
        })
    }
}

impl RawRange {
    fn to_json(&self) -> Value {
        let mut range = Map::new();
        range.insert("type".to_owned(), Value::String(self.kind.clone()));
        if let Some(repo) = &self.repo {
            range.insert("repo".to_owned(), Value::String(repo.clone()));
        }
        let events = self
            .events
            .iter()
            .map(|event| Value::Object(event.iter().map(|(kind, version)| (kind.clone(), Value::String(version.clone()))).collect()))
            .collect();
        range.insert("events".to_owned(), Value::Array(events));
        Value::Object(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keeps_scalars_as_written() {
        let record = b"id: PYSEC-0000-1\naffected:\n- package: {name: demo, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n";
        let advisory = parse(Format::Yaml, record).unwrap();
        let affected = &advisory.affected[0];
        assert_eq!(affected.namespace, "pypi");
        assert_eq!(affected.fixed_version.as_deref(), Some("1.10"));
        assert_eq!(affected.status, Status::Fixed);
    }

    #[test]
    fn null_lists_are_empty() {
        let record = br#"{"id": "X-1", "aliases": null, "affected": [{"package": {"ecosystem": "Hex", "name": "plug"}, "versions": null}]}"#;
        let advisory = parse(Format::Json, record).unwrap();
        assert!(advisory.aliases.is_empty());
        assert_eq!(advisory.affected[0].namespace, "hex");
        assert_eq!(advisory.affected[0].status, Status::Unfixed);
    }

    #[test]
    fn missing_id_is_rejected() {
        let error = parse(Format::Json, br#"{"affected": []}"#).unwrap_err();
        assert!(error.contains("missing field `id`"), "{error}");
    }

    #[test]
    fn several_fixes_leave_fixed_version_empty() {
        let record = br#"{"id": "GO-1", "affected": [{"package": {"ecosystem": "Go", "name": "stdlib"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.18.6"}, {"introduced": "1.19.0-0"}, {"fixed": "1.19.1"}]}],
            "ecosystem_specific": {"imports": [{"path": "net/http"}]}}]}"#;
        let affected = &parse(Format::Json, record).unwrap().affected[0];
        assert_eq!(affected.status, Status::Fixed);
        assert_eq!(affected.fixed_version, None);
        assert_eq!(affected.ranges.as_ref().unwrap()[0]["events"].as_array().unwrap().len(), 4);
        assert_eq!(affected.ecosystem_specific.as_ref().unwrap()["imports"][0]["path"], "net/http");
    }
}
