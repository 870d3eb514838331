//! The RubySec advisory database in its own YAML format: `gems/<gem>/<id>.yml` for gems and
//! `rubies/<engine>/<id>.yml` for Ruby interpreters.
//!
//! An advisory names its versions with RubyGems requirements: `patched_versions` and
//! `unaffected_versions` (each item one requirement, such as `~> 5.2.4, >= 5.2.4.3`), and every
//! other version is affected. They are stored as [`NativeRanges`]. The id is the CVE when there
//! is one, else the GHSA id, else the OSVDB id; the others become aliases. Gems are in the `gem`
//! namespace; interpreters in `ruby-engine`, named by engine (`ruby`, `jruby`, `truffleruby`).
//! The long `description` is not kept.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::Sha256;

use super::read::{for_each_file, hex_digest};
use super::{FeedData, ImportWarning, null_as_default};
use crate::AdvisoryError;
use crate::model::{Advisory, Affected, NativeRanges, Severity, Status};

/// Imports RubySec YAML files from archives, directories or single files.
pub fn import(feed: &str, paths: &[PathBuf]) -> Result<FeedData, AdvisoryError> {
    let mut data = FeedData::default();
    let mut hasher = Sha256::default();
    let wanted = is_advisory_file;

    for_each_file(feed, paths, &mut hasher, wanted, |file, name, bytes| {
        data.record_count += 1;
        let stem = Path::new(name).file_stem().and_then(|stem| stem.to_str()).unwrap_or(name).to_owned();
        match serde_yaml_ng::from_slice::<RawAdvisory>(&bytes).map_err(|error| error.to_string()).and_then(|raw| raw.into_advisory(&stem)) {
            Ok(advisory) => data.advisories.push(advisory),
            Err(reason) => data.warnings.push(ImportWarning { file: file.to_owned(), record: stem, reason }),
        }
    })?;

    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Returns whether the path names an advisory file, `gems/<gem>/<id>.yml` or
/// `rubies/<engine>/<id>.yml`. The repository's other YAML files (CI workflows, linter settings)
/// are no advisories.
pub fn is_advisory_file(name: &str) -> bool {
    let path = Path::new(name);
    let is_yaml = path.extension().is_some_and(|extension| extension == "yml" || extension == "yaml");
    let kind_directory = path.parent().and_then(Path::parent).and_then(Path::file_name);
    is_yaml && kind_directory.is_some_and(|directory| directory == "gems" || directory == "rubies")
}

#[derive(Debug, Deserialize)]
struct RawAdvisory {
    #[serde(default)]
    gem: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    ghsa: Option<String>,
    #[serde(default)]
    osvdb: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    cvss_v2: Option<String>,
    #[serde(default)]
    cvss_v3: Option<String>,
    #[serde(default)]
    cvss_v4: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    patched_versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    unaffected_versions: Vec<String>,
    #[serde(default)]
    related: Option<RawRelated>,
}

#[derive(Debug, Default, Deserialize)]
struct RawRelated {
    #[serde(default, deserialize_with = "null_as_default")]
    url: Vec<String>,
}

impl RawAdvisory {
    fn into_advisory(self, stem: &str) -> Result<Advisory, String> {
        let (namespace, package) = match (self.gem, self.engine) {
            (Some(gem), _) => ("gem", gem),
            (None, Some(engine)) => ("ruby-engine", engine),
            (None, None) => return Err("the advisory names neither a `gem` nor an `engine`".to_owned()),
        };

        let mut ids: Vec<String> = [("CVE-", self.cve), ("GHSA-", self.ghsa), ("OSVDB-", self.osvdb)]
            .into_iter()
            .filter_map(|(prefix, number)| number.map(|number| format!("{prefix}{}", number.trim())))
            .collect();
        let id = if ids.is_empty() { stem.to_owned() } else { ids.remove(0) };

        let severities = [("CVSS_V4_SCORE", self.cvss_v4), ("CVSS_V3_SCORE", self.cvss_v3), ("CVSS_V2_SCORE", self.cvss_v2)]
            .into_iter()
            .filter_map(|(kind, score)| score.map(|value| Severity { source: "advisory".to_owned(), kind: kind.to_owned(), value }))
            .collect();
        let mut references: Vec<String> = self.url.into_iter().collect();
        for url in self.related.unwrap_or_default().url {
            if !references.contains(&url) {
                references.push(url);
            }
        }

        let status = if self.patched_versions.is_empty() { Status::Unfixed } else { Status::Fixed };
        let affected = Affected {
            namespace: namespace.to_owned(),
            package,
            status,
            fixed_version: None,
            ranges: None,
            versions: Vec::new(),
            native_ranges: Some(NativeRanges {
                vulnerable: Vec::new(),
                patched: self.patched_versions,
                unaffected: self.unaffected_versions,
            }),
            ecosystem_specific: None,
            database_specific: None,
            distribution_severity: None,
        };
        Ok(Advisory {
            id,
            published: self.date,
            summary: self.title.map(|title| title.split_whitespace().collect::<Vec<_>>().join(" ")),
            aliases: ids,
            affected: vec![affected],
            severities,
            references,
            ..Advisory::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_paths() {
        assert!(is_advisory_file("./gems/rest-client/CVE-2019-15224.yml"));
        assert!(is_advisory_file("ruby-advisory-db-master/rubies/jruby/CVE-2010-1330.yml"));
        assert!(!is_advisory_file("ruby-advisory-db-master/.github/workflows/test.yml"));
        assert!(!is_advisory_file("ruby-advisory-db-master/.rubocop.yml"));
        assert!(!is_advisory_file("ruby-advisory-db-master/gems/README.md"));
    }

    fn parse(yaml: &str) -> Result<Advisory, String> {
        serde_yaml_ng::from_str::<RawAdvisory>(yaml).map_err(|error| error.to_string())?.into_advisory("file-stem")
    }

    #[test]
    fn gem_with_cve_ghsa_and_requirements() {
        let advisory = parse(
            "gem: actionpack\ncve: 2020-8164\nghsa: xp5h-f8jf-rc8q\ndate: 2020-05-18\ncvss_v3: 7.5\npatched_versions:\n  - \"~> 5.2.4, >= 5.2.4.3\"\n  - \">= 6.0.3.1\"\nunaffected_versions:\n  - \"< 4.0.0\"\n",
        )
        .unwrap();
        assert_eq!(advisory.id, "CVE-2020-8164");
        assert_eq!(advisory.aliases, ["GHSA-xp5h-f8jf-rc8q"]);
        assert_eq!(advisory.published.as_deref(), Some("2020-05-18"));
        assert_eq!(advisory.severities[0].value, "7.5");

        let affected = &advisory.affected[0];
        assert_eq!((affected.namespace.as_str(), affected.package.as_str()), ("gem", "actionpack"));
        assert_eq!(affected.status, Status::Fixed);
        let ranges = affected.native_ranges.as_ref().unwrap();
        assert_eq!(ranges.patched, ["~> 5.2.4, >= 5.2.4.3", ">= 6.0.3.1"]);
        assert_eq!(ranges.unaffected, ["< 4.0.0"]);
    }

    #[test]
    fn engine_without_ids_uses_file_stem() {
        let advisory = parse("engine: jruby\ntitle: XSS\n").unwrap();
        assert_eq!(advisory.id, "file-stem");
        assert_eq!(advisory.affected[0].namespace, "ruby-engine");
        assert_eq!(advisory.affected[0].status, Status::Unfixed);
    }

    #[test]
    fn neither_gem_nor_engine_is_rejected() {
        let error = parse("cve: 2020-1\n").unwrap_err();
        assert!(error.contains("neither a `gem` nor an `engine`"), "{error}");
    }
}
