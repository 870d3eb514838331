//! A finding and everything that explains it.

use serde::{Deserialize, Serialize};
use stowaway_model::{LayerRef, Level, Package, PackageKind};

/// One vulnerability in one installed package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The vulnerability's id as reported: the CVE id where the advisory has one, else the
    /// advisory's own id.
    pub id: String,
    /// The id of the advisory record that matched (`DSA-5380-1`, `PYSEC-2018-28`).
    pub advisory_id: String,
    /// Every other id of the vulnerability, from all the records merged into this finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The feed the matching record came from.
    pub source: String,
    /// The package as installed.
    pub package: FindingPackage,
    /// The rule that matched the package.
    pub rule: MatchRule,
    /// Whether and where a fix exists.
    pub fix: Fix,
    /// The one severity chosen for the finding.
    pub severity: Level,
    /// The rater of that severity: `distribution`, `advisory` or `nvd`. Absent when no record rates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_source: Option<String>,
    /// The CVSS score and vector, when the severity comes from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    /// The CISA Known Exploited Vulnerabilities entry, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<Kev>,
    /// The FIRST EPSS score, when scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    /// The OS package that owns the file, when a language package inside it was matched upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// The reason for suppressing the finding, when it is suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// The package a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPackage {
    /// Name as its ecosystem spells it.
    pub name: String,
    /// Version as installed.
    pub version: String,
    /// Package manager or ecosystem.
    pub kind: PackageKind,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Files where the package was found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// The layer that added the package, with its history line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

impl FindingPackage {
    /// Copies the identifying fields of `package`.
    pub fn of(package: &Package) -> FindingPackage {
        FindingPackage {
            name: package.name.clone(),
            version: package.version.clone(),
            kind: package.kind,
            purl: package.purl.clone(),
            locations: package.locations.clone(),
            layer: package.layer.clone(),
        }
    }
}

/// The rule by which a package met an advisory record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRule {
    /// The namespace searched (`debian:12`, `pypi`).
    pub namespace: String,
    /// The name looked up: the source package for Debian and Alpine, else the package's own name.
    pub package: String,
    /// The version compared: the source version where it differs, else the installed version.
    pub version: String,
    /// The kind of name looked up.
    pub basis: MatchBasis,
    /// The record's affected versions as it states them (`< 3.0.15-1~deb12u1`,
    /// `>=0 <2.20.0`, `all versions: no fix`).
    pub constraint: String,
}

impl MatchRule {
    /// Describes the rule in one line: `source package openssl 3.0.11-1~deb12u2 in debian:12,
    /// affected: < 3.0.15-1~deb12u1`.
    pub fn describe(&self) -> String {
        let basis = match self.basis {
            MatchBasis::SourcePackage => "source package",
            MatchBasis::BinaryPackage => "package",
            MatchBasis::Ecosystem => "package",
        };
        format!("{basis} {} {} in {}, affected: {}", self.package, self.version, self.namespace, self.constraint)
    }
}

/// The kind of name looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchBasis {
    /// A distribution source package (Debian source, Alpine origin).
    SourcePackage,
    /// A distribution binary package (rpm).
    BinaryPackage,
    /// A language package in its ecosystem.
    Ecosystem,
}

/// The fix state of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Fix {
    /// A fixed version exists.
    Fixed {
        /// The first fixed version above the installed one.
        version: String,
    },
    /// Affected; the record states a fix exists but not which version (a range with no later
    /// `fixed` event).
    FixedUnknownVersion,
    /// Affected, and no fix is published yet.
    Unfixed,
    /// Affected, and the distribution decided not to fix it.
    WillNotFix,
    /// Affected, and the release no longer receives fixes.
    EndOfLife,
    /// The distribution states the package in this release was never affected.
    NotAffected,
}

impl Fix {
    /// Returns the fixed version, when there is one.
    pub fn version(&self) -> Option<&str> {
        match self {
            Fix::Fixed { version } => Some(version),
            _ => None,
        }
    }

    /// Tells whether a user can act by upgrading.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Fix::Fixed { .. } | Fix::FixedUnknownVersion)
    }
}

/// A CVSS score with its vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// The base score, 0 to 10.
    pub score: f64,
    /// The vector as the feed wrote it.
    pub vector: String,
}

/// The parts of a KEV entry a report shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    /// The date CISA added the CVE (`YYYY-MM-DD`).
    pub date_added: String,
    /// The remediation due date for US federal agencies.
    pub due_date: String,
    /// `Known` when CISA has seen ransomware campaigns use it.
    pub known_ransomware_campaign_use: String,
}

/// An EPSS score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// The probability of exploitation activity in the next 30 days, 0 to 1.
    pub score: f64,
    /// The score's percentile, 0 to 1.
    pub percentile: f64,
}

/// The reason a finding is kept out of the results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The suppressor: `distribution` (not-affected, will-not-fix), `ignore-file` or `vex`.
    pub by: String,
    /// The reason as stated.
    pub reason: String,
}
