//! The check model: what a check is, and what running it on one target found.

use std::fmt;

use serde::{Deserialize, Serialize};
use stowaway_model::Level;

/// The parts of the CIS Docker Benchmark that stowaway audits, in benchmark order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// 1: the host that runs the daemon (users, audit rules).
    Host,
    /// 2: the daemon's options.
    Daemon,
    /// 3: ownership and permissions of the daemon's files and sockets.
    DaemonFiles,
    /// 4: images and how they were built.
    Images,
    /// 5: how containers are run.
    Runtime,
    /// 6: operations: image and container sprawl.
    Operations,
    /// 7: Swarm mode.
    Swarm,
}

impl Section {
    /// Every section, in benchmark order.
    pub const ALL: [Section; 7] = [
        Section::Host,
        Section::Daemon,
        Section::DaemonFiles,
        Section::Images,
        Section::Runtime,
        Section::Operations,
        Section::Swarm,
    ];

    /// Returns the section's number in the CIS Docker Benchmark.
    pub fn number(self) -> u8 {
        match self {
            Section::Host => 1,
            Section::Daemon => 2,
            Section::DaemonFiles => 3,
            Section::Images => 4,
            Section::Runtime => 5,
            Section::Operations => 6,
            Section::Swarm => 7,
        }
    }

    /// Returns the section with the given CIS number.
    pub fn from_number(number: i64) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| i64::from(section.number()) == number)
    }

    /// Returns the section's title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Host => "Host configuration",
            Section::Daemon => "Docker daemon configuration",
            Section::DaemonFiles => "Docker daemon configuration files",
            Section::Images => "Container images and build files",
            Section::Runtime => "Container runtime",
            Section::Operations => "Docker security operations",
            Section::Swarm => "Docker Swarm configuration",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.number(), self.title())
    }
}

/// The fixed description of one check; severity and level come from the checklist.
#[derive(Clone, Copy, Debug)]
pub struct CheckDefinition {
    /// Stable id (`IMG-001`, `CIS-5.4`), part of the public contract.
    pub id: &'static str,
    /// The CIS Docker Benchmark 1.3.1 recommendation number, when the benchmark has one.
    pub cis: Option<&'static str>,
    /// Section.
    pub section: Section,
    /// One-line title, phrased as the good state.
    pub title: &'static str,
    /// Why the good state matters.
    pub rationale: &'static str,
    /// How to reach the good state.
    pub remediation: &'static str,
}

/// A check as a checklist configures it: its definition, severity and CIS profile level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable id.
    pub id: String,
    /// CIS Docker Benchmark reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cis: Option<String>,
    /// Section.
    pub section: Section,
    /// CIS profile level: 1 for settings every deployment should have, 2 for defense in depth.
    pub level: u8,
    /// Severity of a failure.
    pub severity: Level,
    /// Title.
    pub title: String,
    /// Rationale.
    pub rationale: String,
    /// Remediation.
    pub remediation: String,
}

impl Check {
    /// Builds the check from its definition and the checklist's severity and level.
    pub fn new(definition: &CheckDefinition, severity: Level, level: u8) -> Check {
        Check {
            id: definition.id.to_owned(),
            cis: definition.cis.map(str::to_owned),
            section: definition.section,
            level,
            severity,
            title: definition.title.to_owned(),
            rationale: definition.rationale.to_owned(),
            remediation: definition.remediation.to_owned(),
        }
    }
}

/// The outcome of one check on one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// The target is in the good state.
    Pass,
    /// The target is not in the good state: a finding.
    Warn,
    /// A fact to review by hand; neither a pass nor a finding.
    Info,
    /// The check does not apply here (no TCP socket, AppArmor not enabled).
    Note,
    /// The check could not run; never counted as a pass.
    NotRun {
        /// Why: permission denied, no engine socket, rootless daemon, file system not read.
        reason: String,
    },
}

impl Verdict {
    /// Returns the upper-case label of the table (`PASS`, `WARN`, `NOT RUN`).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Info => "INFO",
            Verdict::Note => "NOTE",
            Verdict::NotRun { .. } => "NOT RUN",
        }
    }
}

/// The result of one check on one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// The audited target: an image reference, a container name, a host path, `daemon`.
    pub target: String,
    /// The outcome.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Facts behind the verdict, one line each (secret values masked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl CheckResult {
    /// Tells whether the result is a finding at or above `threshold`.
    pub fn fails(&self, threshold: Level) -> bool {
        self.verdict == Verdict::Warn && self.check.severity >= threshold
    }
}
