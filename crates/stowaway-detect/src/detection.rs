//! The detections that the detector reports.

use serde::{Deserialize, Serialize};
use stowaway_model::{LayerRef, Level};

/// One thing found hidden in an image: a malicious file, a persistence hook, a secret.
///
/// Secret values never appear in full: `excerpt` and `why` carry masked values only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    /// The kind of finding.
    pub kind: DetectionKind,
    /// The stable id of the rule or heuristic (`miner-stratum-url`), listed in `docs/detections.md`.
    pub rule_id: String,
    /// The severity, one level lower when an upper layer deleted the file.
    pub severity: Level,
    /// One line describing the rule.
    pub title: String,
    /// The absolute path of the file in the image, or `None` for findings in the image config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The layer that wrote the file or ran the command, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// The `created_by` history line of that layer, with secrets masked. Findings in the config's
    /// environment, labels, entrypoint and cmd have none, and their `why` names the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<String>,
    /// The matched text, at most one line, with secret values masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// The reason the rule fired, in one sentence.
    pub why: String,
    /// True when an upper layer deleted or replaced the file: the image still ships its bytes,
    /// but a container does not see them.
    #[serde(default)]
    pub deleted_in_final_image: bool,
}

/// The kinds of [`Detection`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectionKind {
    /// Known malicious content: a miner, a reverse shell, a web shell, a malware family marker.
    Malware,
    /// A credential or key.
    Secret,
    /// A hook that runs a program again later: cron, shell start-up files, preloads, SSH keys,
    /// uid-0 accounts, systemd units.
    Persistence,
    /// Content that hides or changes what runs: packed executables, modified package files,
    /// executables in temporary or hidden folders, download-and-run commands.
    Suspicious,
    /// A weakening of the image's configuration, such as a setuid executable added after the
    /// base layer.
    Misconfiguration,
}

impl DetectionKind {
    /// Returns the kebab-case name used in reports (`malware`, `secret`).
    pub fn as_str(self) -> &'static str {
        match self {
            DetectionKind::Malware => "malware",
            DetectionKind::Secret => "secret",
            DetectionKind::Persistence => "persistence",
            DetectionKind::Suspicious => "suspicious",
            DetectionKind::Misconfiguration => "misconfiguration",
        }
    }

    /// Reads a kind from a rule's `kind` metadata.
    pub fn from_name(name: &str) -> Option<DetectionKind> {
        let kind = match name.trim().to_ascii_lowercase().as_str() {
            "malware" => DetectionKind::Malware,
            "secret" => DetectionKind::Secret,
            "persistence" => DetectionKind::Persistence,
            "suspicious" => DetectionKind::Suspicious,
            "misconfiguration" | "misconfig" => DetectionKind::Misconfiguration,
            _ => return None,
        };
        Some(kind)
    }
}

/// Lowers a severity one level for a file that an upper layer deleted, never below `low`.
pub(crate) fn lowered_for_deleted(level: Level) -> Level {
    match level {
        Level::Critical => Level::High,
        Level::High => Level::Medium,
        _ => Level::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_round_trips_through_json() {
        let detection = Detection {
            kind: DetectionKind::Persistence,
            rule_id: "persistence-cron".to_owned(),
            severity: Level::High,
            title: "Cron entry that no OS package installed".to_owned(),
            path: Some("/etc/cron.d/x".to_owned()),
            layer: None,
            history: None,
            excerpt: Some("* * * * * root /tmp/x".to_owned()),
            why: "runs on a schedule".to_owned(),
            deleted_in_final_image: false,
        };
        let json = serde_json::to_value(&detection).unwrap();

        assert_eq!(json["kind"], "persistence");
        assert_eq!(json["severity"], "high");
        assert!(json.get("layer").is_none());
        assert_eq!(serde_json::from_value::<Detection>(json).unwrap(), detection);
    }

    #[test]
    fn deleted_files_lose_one_level() {
        assert_eq!(lowered_for_deleted(Level::Critical), Level::High);
        assert_eq!(lowered_for_deleted(Level::High), Level::Medium);
        assert_eq!(lowered_for_deleted(Level::Medium), Level::Low);
        assert_eq!(lowered_for_deleted(Level::Low), Level::Low);
    }
}
