//! Alpine secdb: one file per branch and repository (`v3.11/main.json` or `.yaml`), listing per
//! package the fixed versions and the CVEs each one fixes (`secfixes`).
//!
//! Secdb has no advisory ids, so each CVE becomes one advisory of this source, with one affected
//! entry per branch and package that fixes it. A fixed version of `0` means the branch's package
//! was never affected. An empty repository is written as `packages: ""` in older branches.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::read::{hex_digest, list_files, read_file};
use super::{FeedData, ImportWarning, null_as_default};
use crate::model::{Advisory, Affected, Status};
use crate::{AdvisoryError, namespace};

/// Imports secdb files (JSON or YAML) from files and directories.
///
/// A file whose top level is not a secdb document (no `distroversion`) fails the feed.
pub fn import(feed: &str, paths: &[PathBuf]) -> Result<FeedData, AdvisoryError> {
    let mut data = FeedData::default();
    let mut hasher = Sha256::default();
    let mut advisories: BTreeMap<String, Advisory> = BTreeMap::new();

    for root in paths {
        for path in list_files(feed, root)? {
            let name = path.to_string_lossy().into_owned();
            let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
            if !is_yaml && !name.ends_with(".json") {
                continue;
            }

            let bytes = read_file(feed, &path, &mut hasher)?;
            let parsed: Result<RawSecdb, String> = if is_yaml {
                serde_yaml_ng::from_slice(&bytes).map_err(|error| error.to_string())
            } else {
                serde_json::from_slice(&bytes).map_err(|error| error.to_string())
            };
            let secdb = parsed.map_err(|reason| AdvisoryError::InvalidFeed {
                feed: feed.to_owned(),
                path: path.clone(),
                reason: format!("not an Alpine secdb document: {reason}"),
                source: None,
            })?;

            let namespace = namespace::alpine(&secdb.distroversion);
            for (index, entry) in secdb.packages.0.into_iter().enumerate() {
                data.record_count += 1;
                add_package(&mut advisories, &mut data.warnings, &namespace, &name, index, entry);
            }
        }
    }

    data.advisories = advisories.into_values().collect();
    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Adds one `packages[]` entry's fixes to the advisories, or records why it was skipped.
fn add_package(
    advisories: &mut BTreeMap<String, Advisory>,
    warnings: &mut Vec<ImportWarning>,
    namespace: &str,
    file: &str,
    index: usize,
    entry: Value,
) {
    let position = format!("packages[{index}]");
    let raw: RawEntry = match serde_json::from_value(entry) {
        Ok(raw) => raw,
        Err(error) => {
            warnings.push(ImportWarning { file: file.to_owned(), record: position, reason: error.to_string() });
            return;
        }
    };
    let package = raw.pkg.name;

    for (fixed_version, cves) in raw.pkg.secfixes {
        for cve in cves {
            let Some(id) = vulnerability_id(&cve) else {
                let reason = format!("invalid vulnerability id `{cve}` under fixed version `{fixed_version}`");
                warnings.push(ImportWarning { file: file.to_owned(), record: package.clone(), reason });
                continue;
            };

            let status = if fixed_version == "0" { Status::NotAffected } else { Status::Fixed };
            let advisory = advisories.entry(id.clone()).or_insert_with(|| Advisory { id, ..Advisory::default() });
            advisory.affected.push(Affected {
                namespace: namespace.to_owned(),
                package: package.clone(),
                status,
                fixed_version: (status == Status::Fixed).then(|| fixed_version.clone()),
                ranges: None,
                versions: Vec::new(),
        native_ranges: None,
                ecosystem_specific: None,
                database_specific: None,
                distribution_severity: None,
            });
        }
    }
}

/// Reads the vulnerability id of a `secfixes` item, which is usually a bare CVE id. Items
/// sometimes carry a second id or a remark after it (`CVE-2019-1 XSA-2`), and a few write the
/// CVE with a space (`CVE 2018-16859`), which is read as `CVE-2018-16859`.
fn vulnerability_id(item: &str) -> Option<String> {
    let mut words = item.split_whitespace();
    let first = words.next()?;
    if first.eq_ignore_ascii_case("CVE") {
        let number = words.next().filter(|number| number.chars().all(|c| c.is_ascii_digit() || c == '-'))?;
        return Some(format!("CVE-{number}"));
    }
    first.contains('-').then(|| first.to_owned())
}

#[derive(Debug, Deserialize)]
struct RawSecdb {
    distroversion: String,
    #[serde(default)]
    packages: PackageList,
}

#[derive(Debug, Deserialize)]
struct RawEntry {
    pkg: RawPkg,
}

#[derive(Debug, Deserialize)]
struct RawPkg {
    name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    secfixes: BTreeMap<String, SecfixList>,
}

/// The CVEs under one fixed version. Secdb writes an empty list as `null` or `""` at times, and
/// a single id as a bare string.
#[derive(Debug, Default)]
struct SecfixList(Vec<String>);

impl<'de> Deserialize<'de> for SecfixList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(SecfixList::default()),
            Value::String(id) if id.trim().is_empty() => Ok(SecfixList::default()),
            Value::String(id) => Ok(SecfixList(vec![id])),
            list => Vec::<String>::deserialize(list).map(SecfixList).map_err(de::Error::custom),
        }
    }
}

impl IntoIterator for SecfixList {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The `packages` list, kept as one JSON value per entry so that a malformed entry is skipped
/// alone. An empty string or `null` is an empty list.
#[derive(Debug, Default)]
struct PackageList(Vec<Value>);


impl<'de> Deserialize<'de> for PackageList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PackageListVisitor)
    }
}

struct PackageListVisitor;

impl<'de> Visitor<'de> for PackageListVisitor {
    type Value = PackageList;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a list of packages, or an empty string")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PackageList, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = seq.next_element::<Value>()? {
            entries.push(entry);
        }
        Ok(PackageList(entries))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<PackageList, E> {
        if text.is_empty() {
            Ok(PackageList::default())
        } else {
            Err(E::invalid_value(de::Unexpected::Str(text), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<PackageList, E> {
        Ok(PackageList::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<PackageList, E> {
        Ok(PackageList::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulnerability_ids() {
        let cases = [
            ("CVE-2019-14904", Some("CVE-2019-14904")),
            ("CVE-2019-1 XSA-2", Some("CVE-2019-1")),
            ("CVE 2018-16859", Some("CVE-2018-16859")),
            ("XSA-301", Some("XSA-301")),
            ("see upstream", None),
            ("", None),
        ];
        for (item, expected) in cases {
            assert_eq!(vulnerability_id(item).as_deref(), expected, "{item}");
        }
    }

    #[test]
    fn secfix_list_forms() {
        let parse = |json: &str| serde_json::from_str::<SecfixList>(json).unwrap().0;
        assert_eq!(parse(r#"["CVE-1-1", "CVE-1-2"]"#), ["CVE-1-1", "CVE-1-2"]);
        assert_eq!(parse(r#""CVE-1-1""#), ["CVE-1-1"]);
        assert!(parse(r#""""#).is_empty());
        assert!(parse("null").is_empty());
    }
}
