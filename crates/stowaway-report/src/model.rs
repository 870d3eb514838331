//! The report model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stowaway_detect::Detection;
use stowaway_match::{EndOfLife, Finding, MatchWarning};
use stowaway_model::Level;

/// The version of the JSON report's shape. Adding an optional field keeps it; renaming,
/// removing or changing the meaning of a field raises it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one scan found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// The program that wrote the report.
    pub tool: Tool,
    /// When the scan ran (RFC 3339, UTC).
    pub created_at: String,
    /// The scanned image, root filesystem or SBOM.
    pub target: Target,
    /// The advisory database used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseInfo>,
    /// The OS release's end of security support, when it has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_life: Option<EndOfLife>,
    /// Vulnerabilities, most severe first.
    pub findings: Vec<Finding>,
    /// Findings kept out of the results, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Finding>,
    /// Detections of the malware, secret and misconfiguration scanners, most severe first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detections: Vec<Detection>,
    /// Records and packages that matching skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_warnings: Vec<MatchWarning>,
    /// Other problems: unreadable files in the image, expired ignore entries, an old database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Counts for dashboards and exit codes.
    pub summary: Summary,
}

/// The program that wrote a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `stowaway`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The scanned image, root filesystem or SBOM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The reference as the user gave it.
    pub reference: String,
    /// `image`, `rootfs` or `sbom`.
    pub kind: String,
    /// The image ID (config digest), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The manifest digest, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// The OS as `os-release` names it (`Debian GNU/Linux 13 (trixie)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The namespace OS packages were matched in (`debian:13`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_namespace: Option<String>,
    /// Packages found.
    pub packages: usize,
}

/// The advisory database a scan used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// The file.
    pub path: String,
    /// Its schema version.
    pub schema_version: u32,
    /// When it was built (RFC 3339).
    pub built_at: String,
    /// Its sources by name.
    pub sources: Vec<String>,
}

/// Finding counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings per severity.
    pub findings: SeverityCounts,
    /// Findings suppressed, by what suppressed them (`distribution`, `ignore-file`, `vex`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub suppressed: BTreeMap<String, usize>,
    /// Findings with no fix yet.
    pub unfixed: usize,
    /// Detections per severity.
    #[serde(default)]
    pub detections: SeverityCounts,
}

/// A count per severity level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Negligible.
    pub negligible: usize,
    /// Unknown: no record rates it.
    pub unknown: usize,
}

impl SeverityCounts {
    /// Counts the levels of `levels`.
    pub fn of(levels: impl IntoIterator<Item = Level>) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for level in levels {
            *counts.slot(level) += 1;
        }
        counts
    }

    fn slot(&mut self, level: Level) -> &mut usize {
        match level {
            Level::Critical => &mut self.critical,
            Level::High => &mut self.high,
            Level::Medium => &mut self.medium,
            Level::Low => &mut self.low,
            Level::Negligible => &mut self.negligible,
            Level::Unknown => &mut self.unknown,
        }
    }

    /// The total.
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.negligible + self.unknown
    }

    /// Writes the non-zero counts, most severe first: `2 critical, 5 high`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.critical, "critical"),
            (self.high, "high"),
            (self.medium, "medium"),
            (self.low, "low"),
            (self.negligible, "negligible"),
            (self.unknown, "unknown"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, name)| format!("{count} {name}"))
        .collect();
        if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
    }
}

impl Summary {
    /// Counts the findings, suppressed findings and detections of a report.
    pub fn of(findings: &[Finding], suppressed: &[Finding], detections: &[Detection]) -> Summary {
        let mut by = BTreeMap::new();
        for finding in suppressed {
            let key = finding.suppression.as_ref().map_or("unknown", |suppression| suppression.by.as_str());
            *by.entry(key.to_owned()).or_insert(0) += 1;
        }
        Summary {
            findings: SeverityCounts::of(findings.iter().map(|finding| finding.severity)),
            suppressed: by,
            unfixed: findings.iter().filter(|finding| !finding.fix.is_fixed()).count(),
            detections: SeverityCounts::of(detections.iter().map(|detection| detection.severity)),
        }
    }
}

impl Report {
    /// Tells whether the report contains a finding or detection at or above `threshold`, the
    /// end-of-life finding included.
    pub fn fails(&self, threshold: Level) -> bool {
        let eol = self.end_of_life.as_ref().is_some_and(|eol| eol.severity >= threshold);
        let detected = self.detections.iter().any(|detection| detection.severity >= threshold);
        eol || detected || self.findings.iter().any(|finding| finding.severity >= threshold)
    }
}
