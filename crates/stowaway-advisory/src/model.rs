//! The records importers produce and the database stores.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// One advisory from one source, normalized across feed formats.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advisory {
    /// The id the source gives it (`GO-2022-0969`, `DSA-5380-1`, `CVE-2019-14904`).
    pub id: String,
    /// Publication time as the feed writes it (RFC 3339 for OSV, a date for Debian lists).
    pub published: Option<String>,
    /// Last modification time as the feed writes it.
    pub modified: Option<String>,
    /// The one-line summary, when the feed has one; never the long description.
    pub summary: Option<String>,
    /// When the advisory was withdrawn (OSV `withdrawn`); the matcher ignores withdrawn ones.
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability (CVE, GHSA, ...), without the advisory's own id.
    pub aliases: Vec<String>,
    /// The packages the advisory concerns.
    pub affected: Vec<Affected>,
    /// Severity ratings, each with who rated it.
    pub severities: Vec<Severity>,
    /// CWE ids of the weakness (`CWE-79`), from NVD's `weaknesses` or OSV's
    /// `database_specific.cwe_ids`.
    pub weaknesses: Vec<String>,
    /// Reference URLs.
    pub references: Vec<String>,
}

/// One package an advisory concerns, in one namespace.
#[derive(Clone, Debug, PartialEq)]
pub struct Affected {
    /// An ecosystem purl type (`pypi`, `golang`) or a distribution release (`debian:12`).
    pub namespace: String,
    /// The package name as the namespace spells it (a Debian source package, a Go module path).
    pub package: String,
    /// Whether a fix exists for this package in this namespace.
    pub status: Status,
    /// The first fixed version, when the feed states a single one.
    pub fixed_version: Option<String>,
    /// The OSV `ranges` array, kept as JSON so the matcher evaluates it with
    /// `stowaway_version::osv`.
    pub ranges: Option<Value>,
    /// The OSV `versions` list: explicitly affected versions.
    pub versions: Vec<String>,
    /// Ranges in the ecosystem's own syntax, for feeds that are not OSV (RubySec, Node.js
    /// security-wg).
    pub native_ranges: Option<NativeRanges>,
    /// OSV `ecosystem_specific` (affected Go imports and symbols, for example).
    pub ecosystem_specific: Option<Value>,
    /// OSV `database_specific` of the affected entry.
    pub database_specific: Option<Value>,
    /// The distribution's own rating for this package in this release (Debian's urgency).
    pub distribution_severity: Option<String>,
}

/// Ranges written in the ecosystem's own syntax (`stowaway_version::Range`), as RubySec and the
/// Node.js security-wg publish them.
///
/// A version is affected when it is in one of `vulnerable` (or `vulnerable` is empty), and in
/// none of `patched` and none of `unaffected`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NativeRanges {
    /// Ranges of affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerable: Vec<String>,
    /// Ranges of versions with the fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patched: Vec<String>,
    /// Ranges of versions that never had the flaw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unaffected: Vec<String>,
}

/// Whether, and how, a package is fixed in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// A fixed version exists; versions below it are affected.
    Fixed,
    /// Affected, and no fix is published yet.
    Unfixed,
    /// The package in this namespace was never affected.
    NotAffected,
    /// Affected, and the distribution decided not to fix it.
    WillNotFix,
    /// Affected, and the release no longer receives fixes.
    EndOfLife,
}

impl Status {
    /// Every status, in the order the schema's `CHECK` constraint lists them.
    pub const ALL: [Status; 5] =
        [Status::Fixed, Status::Unfixed, Status::NotAffected, Status::WillNotFix, Status::EndOfLife];

    /// Returns the name stored in the database (`fixed`, `not-affected`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::Unfixed => "unfixed",
            Status::NotAffected => "not-affected",
            Status::WillNotFix => "will-not-fix",
            Status::EndOfLife => "end-of-life",
        }
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == input)
            .ok_or_else(|| format!("unknown affected status `{input}`"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity rating and who gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Severity {
    /// The rater: `advisory` for the advisory's own rating (OSV `severity[]` or
    /// `database_specific.severity`); `nvd` for NVD's ratings.
    pub source: String,
    /// The rating's kind: an OSV severity type (`CVSS_V3`, `CVSS_V4`) or `text` for a word such
    /// as `HIGH`.
    pub kind: String,
    /// The vector or word as the feed writes it.
    pub value: String,
}

/// One entry of CISA's Known Exploited Vulnerabilities catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevEntry {
    /// The CVE id.
    pub cve_id: String,
    /// The vendor or project.
    pub vendor_project: String,
    /// The product.
    pub product: String,
    /// The date CISA added it (`YYYY-MM-DD`).
    pub date_added: String,
    /// The remediation due date for US federal agencies (`YYYY-MM-DD`).
    pub due_date: String,
    /// `Known` or `Unknown`, as CISA writes it.
    pub known_ransomware_campaign_use: String,
}

/// One FIRST EPSS score.
#[derive(Clone, Debug, PartialEq)]
pub struct EpssScore {
    /// The CVE id.
    pub cve_id: String,
    /// The probability of exploitation activity in the next 30 days, from 0 to 1.
    pub score: f64,
    /// The score's percentile among all scored CVEs, from 0 to 1.
    pub percentile: f64,
}
