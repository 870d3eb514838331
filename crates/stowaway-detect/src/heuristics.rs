//! The ids, kinds, default severities and titles of the checks written in Rust (the YARA rules
//! carry theirs in their metadata). `docs/detections.md` documents each id.

use stowaway_model::Level;

use crate::DetectionKind;

/// One heuristic check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Heuristic {
    pub(crate) id: &'static str,
    pub(crate) kind: DetectionKind,
    pub(crate) severity: Level,
    pub(crate) title: &'static str,
}

const fn heuristic(id: &'static str, kind: DetectionKind, severity: Level, title: &'static str) -> Heuristic {
    Heuristic { id, kind, severity, title }
}

use DetectionKind::{Malware, Misconfiguration, Persistence, Secret, Suspicious};
use Level::{High, Low, Medium};

/// Every heuristic, in the order of `docs/detections.md`.
pub(crate) const HEURISTICS: &[Heuristic] = &[
    heuristic("download-pipe-shell-raw-ip", Suspicious, High, "Download from a bare IP address piped into a shell"),
    heuristic("base64-pipe-shell", Suspicious, High, "Base64-decoded text piped into a shell"),
    heuristic("miner-arguments", Malware, High, "Command line of a cryptocurrency miner"),
    heuristic("miner-file-name", Malware, High, "File named like a known cryptocurrency miner"),
    heuristic("persistence-cron", Persistence, Medium, "Cron entry that no OS package installed"),
    heuristic("persistence-root-authorized-keys", Persistence, High, "SSH key authorized to log in as root"),
    heuristic("persistence-ld-preload", Persistence, High, "Library preloaded into every process by /etc/ld.so.preload"),
    heuristic("persistence-shell-startup", Persistence, High, "Shell start-up file that launches a program"),
    heuristic("persistence-uid0-user", Persistence, High, "Account other than root with user id 0"),
    heuristic("persistence-systemd-unit", Persistence, Low, "systemd unit added after the base layer by no OS package"),
    heuristic("setuid-added", Misconfiguration, Medium, "setuid or setgid executable added after the base layer by no OS package"),
    heuristic("executable-in-temp", Suspicious, Medium, "Executable file in /tmp, /var/tmp or /dev/shm"),
    heuristic("executable-in-hidden-dir", Suspicious, Medium, "Executable file in a hidden folder, outside OS packages"),
    heuristic("dpkg-file-modified", Suspicious, High, "OS package file whose content differs from the package's md5sums"),
    heuristic("secret-env-variable", Secret, High, "Credential in an environment variable of the image config"),
];

/// Returns the heuristic with `id`.
///
/// # Panics
///
/// Panics when `id` is not in [`HEURISTICS`], which the unit tests rule out for every id the
/// crate uses.
pub(crate) fn heuristic_by_id(id: &str) -> &'static Heuristic {
    HEURISTICS.iter().find(|h| h.id == id).unwrap_or_else(|| panic!("heuristic `{id}` is not in HEURISTICS"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_documented() {
        let docs = include_str!("../../../docs/detections.md");
        let mut seen = HashSet::new();
        for heuristic in HEURISTICS {
            assert!(seen.insert(heuristic.id), "duplicate id `{}`", heuristic.id);
            assert!(docs.contains(&format!("`{}`", heuristic.id)), "`{}` is missing from docs/detections.md", heuristic.id);
        }
    }

    #[test]
    fn ids_used_in_code_exist() {
        let sources = [include_str!("commands.rs"), include_str!("persistence.rs"), include_str!("filesystem.rs"), include_str!("image_config.rs")];
        for source in sources {
            for (_, rest) in source.match_indices("heuristic_by_id(\"").map(|(i, _)| ((), &source[i + 17..])) {
                let id = &rest[..rest.find('"').unwrap()];
                assert!(HEURISTICS.iter().any(|h| h.id == id), "`{id}` is used but not declared");
            }
        }
    }
}
