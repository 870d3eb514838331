//! The matching pass: look every package up, evaluate each record, merge the records of one
//! vulnerability, and explain the result.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use stowaway_advisory::{AdvisoryError, AffectedEntry};
use stowaway_model::{Level, Package};
use stowaway_version::{Ecosystem, Version};

use crate::eol::{self, EndOfLife};
use crate::evaluate::{Evaluation, evaluate};
use crate::finding::{Cvss, Epss, Finding, FindingPackage, Fix, Kev, MatchBasis, MatchRule, Suppression};
use crate::namespace::os_namespace;
use crate::ownership::Ownership;
use crate::source::AdvisorySource;
use crate::{Inventory, language, os};

/// Options of [`match_inventory`].
#[derive(Clone, Debug, Default)]
pub struct MatchOptions {
    /// Also match language packages that an OS package owns against their ecosystem's records.
    pub match_os_owned_upstream: bool,
    /// The date end-of-life checks compare with; now when `None`.
    pub today: Option<SystemTime>,
}

/// The result of matching.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Matches {
    /// The namespace OS packages were matched in, when the OS release is known.
    pub os_namespace: Option<String>,
    /// Vulnerabilities of installed packages, most severe first.
    pub findings: Vec<Finding>,
    /// Records the distribution marks not-affected or will-not-fix for installed packages.
    pub suppressed: Vec<Finding>,
    /// The OS release, when it is past its end of security support.
    pub end_of_life: Option<EndOfLife>,
    /// Records that could not be evaluated, and packages whose version could not be read.
    pub warnings: Vec<MatchWarning>,
    /// Language packages matched as the OS package that owns their files.
    pub left_to_os_packages: usize,
}

/// A record or package that matching skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MatchWarning {
    /// The namespace searched.
    pub namespace: String,
    /// The package name looked up.
    pub package: String,
    /// The advisory whose record failed, when a record failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory_id: Option<String>,
    /// The problem, naming the value.
    pub message: String,
}

impl fmt::Display for MatchWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.advisory_id {
            Some(id) => write!(f, "skipped record {id} for {} in {}: {}", self.package, self.namespace, self.message),
            None => write!(f, "skipped package {} in {}: {}", self.package, self.namespace, self.message),
        }
    }
}

/// Errors that stop matching.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The advisory database could not be queried.
    #[error("failed to query the advisory database")]
    Store(#[from] AdvisoryError),
}

/// One package to look up: where, under which names, with which version.
#[derive(Clone, Debug)]
pub(crate) struct Lookup {
    /// The package's position in the inventory.
    pub package: usize,
    pub namespace: String,
    /// Names the records may use; the first is the one reported.
    pub names: Vec<String>,
    pub name: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    pub basis: MatchBasis,
    pub owned_by: Option<String>,
}

/// Matches every package of `inventory` with the records of `source`.
pub fn match_inventory(inventory: &Inventory<'_>, source: &(impl AdvisorySource + ?Sized), options: &MatchOptions) -> Result<Matches, MatchError> {
    let packages = inventory.packages;
    let mut matches = Matches::default();
    let mut warnings = BTreeSet::new();

    let release = inventory.os.and_then(os_namespace);
    let mut lookups = Vec::new();
    match &release {
        Some(release) => {
            lookups.extend(os::lookups(release, packages));
            matches.os_namespace = Some(release.namespace.clone());
            matches.end_of_life = eol::check(release, options.today.unwrap_or_else(SystemTime::now));
        }
        None => {
            if let Some(package) = packages.iter().find(|package| package.kind.is_os()) {
                warnings.insert(MatchWarning {
                    namespace: "unknown".to_owned(),
                    package: package.name.clone(),
                    advisory_id: None,
                    message: "the OS release is unknown, so no OS package was matched; the image has no readable os-release".to_owned(),
                });
            }
        }
    }

    let ownership = Ownership::index(packages);
    let (language_lookups, left_to_os) = language::lookups(packages, &ownership, options.match_os_owned_upstream);
    lookups.extend(language_lookups);
    matches.left_to_os_packages = left_to_os;

    let mut by_namespace: BTreeMap<&str, Vec<&Lookup>> = BTreeMap::new();
    for lookup in &lookups {
        by_namespace.entry(lookup.namespace.as_str()).or_default().push(lookup);
    }
    for (namespace, group) in by_namespace {
        let names: BTreeSet<&str> = group.iter().flat_map(|lookup| lookup.names.iter().map(String::as_str)).collect();
        let names: Vec<&str> = names.into_iter().collect();
        let entries = source.affected(namespace, &names)?;
        let mut by_name: HashMap<&str, Vec<&AffectedEntry>> = HashMap::new();
        for entry in &entries {
            by_name.entry(entry.package.as_str()).or_default().push(entry);
        }

        for lookup in group {
            let records: Vec<&AffectedEntry> =
                lookup.names.iter().filter_map(|name| by_name.get(name.as_str())).flatten().copied().collect();
            if records.is_empty() {
                continue;
            }
            match_package(&packages[lookup.package], lookup, &records, &mut matches, &mut warnings);
        }
    }

    matches.findings.sort_by(order);
    matches.suppressed.sort_by(order);
    matches.warnings = warnings.into_iter().collect();
    tracing::debug!(findings = matches.findings.len(), suppressed = matches.suppressed.len(), "matched");
    Ok(matches)
}

/// Evaluates the records of one package and adds one finding per vulnerability.
fn match_package(package: &Package, lookup: &Lookup, records: &[&AffectedEntry], matches: &mut Matches, warnings: &mut BTreeSet<MatchWarning>) {
    let warning = |advisory_id: Option<&str>, message: String| MatchWarning {
        namespace: lookup.namespace.clone(),
        package: lookup.name.clone(),
        advisory_id: advisory_id.map(str::to_owned),
        message,
    };
    let upstream = upstream_fallback(lookup);
    let installed = match (Version::parse(lookup.ecosystem, &lookup.version), &upstream) {
        (Ok(version), _) => Some(version),
        (Err(_), Some(_)) if is_letter_suffixed(&upstream_text(&lookup.version)) => None,
        (Err(error), _) => {
            warnings.insert(warning(None, format!("installed version: {error}")));
            return;
        }
    };

    // Records of one vulnerability (a DSA and the CVE it fixes, a PYSEC and its GHSA) merge
    // into one finding, keyed by the CVE id where there is one.
    let mut groups: BTreeMap<String, Vec<(&AffectedEntry, Evaluation)>> = BTreeMap::new();
    for record in records {
        let verdict = match (&installed, &upstream) {
            (Some(installed), Some(upstream)) => evaluate(record, lookup.ecosystem, installed).or_else(|error| {
                if mentions_letter_suffix(record) { evaluate(record, Ecosystem::Generic, upstream) } else { Err(error) }
            }),
            (Some(installed), None) => evaluate(record, lookup.ecosystem, installed),
            (None, Some(upstream)) => evaluate(record, Ecosystem::Generic, upstream),
            (None, None) => continue,
        };
        match verdict {
            Ok(Some(evaluation)) => groups.entry(vulnerability_id(record)).or_default().push((record, evaluation)),
            Ok(None) => {}
            Err(message) => {
                warnings.insert(warning(Some(&record.advisory_id), message));
            }
        }
    }

    for (id, mut group) in groups {
        group.sort_by_key(|(record, evaluation)| (!evaluation.affected, !matches!(evaluation.fix, Fix::Fixed { .. }), record.advisory_id.clone()));
        let finding = explain(id, package, lookup, &group);
        if finding.suppression.is_some() {
            matches.suppressed.push(finding);
        } else {
            matches.findings.push(finding);
        }
    }
}

/// Returns the upstream part of an apk version in the generic ordering, for records and
/// packages that write upstream versions apk's grammar rejects: OpenSSL's `1.1.1za` has two
/// letters where apk allows one, and orders `1.1.1z < 1.1.1za < 1.1.1zb`. The `-rN` packaging
/// revision is dropped, because upstream ranges know nothing of it.
fn upstream_fallback(lookup: &Lookup) -> Option<Version> {
    if lookup.ecosystem != Ecosystem::Apk {
        return None;
    }
    let upstream = upstream_text(&lookup.version);
    Version::parse(Ecosystem::Generic, &upstream).ok()
}

/// Drops an apk version's `-rN` packaging revision.
fn upstream_text(version: &str) -> String {
    match version.rsplit_once("-r") {
        Some((upstream, revision)) if !revision.is_empty() && revision.bytes().all(|b| b.is_ascii_digit()) => upstream.to_owned(),
        _ => version.to_owned(),
    }
}

/// Tells whether a version is numbers and dots followed by two or more lowercase letters
/// (`1.1.1za`), the one upstream form apk's grammar rejects that the generic ordering reads
/// right. Anything else that apk rejects (`1.34.0_r0`) stays an error.
fn is_letter_suffixed(version: &str) -> bool {
    let Some(split) = version.find(|c: char| c.is_ascii_alphabetic()) else { return false };
    let (number, letters) = version.split_at(split);
    let number_ok = number.starts_with(|c: char| c.is_ascii_digit()) && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    number_ok && !number.ends_with('.') && letters.len() >= 2 && letters.bytes().all(|b| b.is_ascii_lowercase())
}

/// Tells whether a record states a version in the letter-suffixed upstream form.
fn mentions_letter_suffix(record: &AffectedEntry) -> bool {
    let in_ranges = record.ranges.as_ref().and_then(|ranges| ranges.as_array()).is_some_and(|ranges| {
        ranges
            .iter()
            .filter_map(|range| range.get("events")?.as_array())
            .flatten()
            .filter_map(|event| event.as_object())
            .flat_map(|event| event.values())
            .filter_map(|value| value.as_str())
            .any(is_letter_suffixed)
    });
    in_ranges || record.fixed_version.as_deref().is_some_and(is_letter_suffixed)
}

/// Builds the finding of one vulnerability from its records, the first being the one that
/// matched best.
fn explain(id: String, package: &Package, lookup: &Lookup, group: &[(&AffectedEntry, Evaluation)]) -> Finding {
    let (record, evaluation) = &group[0];

    let mut aliases = BTreeSet::new();
    for (other, _) in group {
        aliases.insert(other.advisory_id.clone());
        aliases.extend(other.aliases.iter().cloned());
    }
    aliases.remove(&id);

    let rating = group.iter().find_map(|(other, _)| other.severity());
    let cvss = rating.as_ref().and_then(|rating| {
        let is_vector = rating.value.contains(':') && rating.value.contains('/');
        rating.score.filter(|_| is_vector).map(|score| Cvss { score, vector: rating.value.clone() })
    });
    let kev = group.iter().find_map(|(other, _)| other.kev.as_ref()).map(|entry| Kev {
        date_added: entry.date_added.clone(),
        due_date: entry.due_date.clone(),
        known_ransomware_campaign_use: entry.known_ransomware_campaign_use.clone(),
    });
    let epss = group.iter().find_map(|(other, _)| other.epss.as_ref()).map(|score| Epss { score: score.score, percentile: score.percentile });

    let suppression = match (&evaluation.fix, evaluation.affected) {
        (_, false) => Some(Suppression { by: "distribution".to_owned(), reason: format!("not affected in {}", lookup.namespace) }),
        (Fix::WillNotFix, true) => Some(Suppression { by: "distribution".to_owned(), reason: format!("will not be fixed in {}", lookup.namespace) }),
        _ => None,
    };

    Finding {
        id,
        advisory_id: record.advisory_id.clone(),
        aliases: aliases.into_iter().collect(),
        source: record.source.clone(),
        package: FindingPackage::of(package),
        rule: MatchRule {
            namespace: lookup.namespace.clone(),
            package: record.package.clone(),
            version: lookup.version.clone(),
            basis: lookup.basis,
            constraint: evaluation.constraint.clone(),
        },
        fix: evaluation.fix.clone(),
        severity: rating.as_ref().map_or(Level::Unknown, |rating| rating.level),
        severity_source: rating.map(|rating| rating.source),
        cvss,
        kev,
        epss,
        owned_by: lookup.owned_by.clone(),
        suppression,
    }
}

/// Returns the id a finding is reported under: the record's own id when it is a CVE, else its
/// first CVE alias, else its own id.
fn vulnerability_id(record: &AffectedEntry) -> String {
    if record.advisory_id.starts_with("CVE-") {
        return record.advisory_id.clone();
    }
    let mut cves: Vec<&String> = record.aliases.iter().filter(|alias| alias.starts_with("CVE-")).collect();
    cves.sort();
    cves.first().map_or_else(|| record.advisory_id.clone(), |cve| (*cve).clone())
}

/// Most severe first, then by package and id.
fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.package.name.cmp(&b.package.name))
        .then_with(|| a.package.locations.cmp(&b.package.locations))
        .then_with(|| a.id.cmp(&b.id))
}
