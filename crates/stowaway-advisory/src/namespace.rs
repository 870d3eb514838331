//! Namespaces: the first half of the key the matcher looks packages up by.
//!
//! A namespace is an ecosystem's purl type (`pypi`, `golang`, `cargo`) for language packages, or
//! `distribution:release` (`debian:12`, `alpine:3.19`, `ubuntu:22.04`) for OS packages, whose
//! advisories differ per release. Every importer names namespaces through this module so that one
//! package gets one key whichever feed described it.

use stowaway_version::Ecosystem;

/// Debian codenames and their release numbers, as the security tracker names releases.
const DEBIAN_RELEASES: [(&str, &str); 20] = [
    ("buzz", "1.1"),
    ("rex", "1.2"),
    ("bo", "1.3"),
    ("hamm", "2.0"),
    ("slink", "2.1"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

/// Returns the namespace of a Debian release named by codename (`bookworm` is `debian:12`).
///
/// `sid` (unstable) and codenames this table does not list keep their name: `debian:sid`.
pub fn debian(codename: &str) -> String {
    let codename = codename.trim().to_ascii_lowercase();
    let release = DEBIAN_RELEASES
        .iter()
        .find(|(name, _)| *name == codename)
        .map_or(codename.as_str(), |(_, number)| number);
    format!("debian:{release}")
}

/// Returns the namespace of an Alpine branch as secdb names it (`v3.11` is `alpine:3.11`).
pub fn alpine(branch: &str) -> String {
    let branch = branch.trim();
    format!("alpine:{}", branch.strip_prefix('v').unwrap_or(branch))
}

/// Returns the namespace of an OSV `affected[].package.ecosystem` value.
///
/// Language ecosystems map to their purl type (`crates.io` is `cargo`, `Go` is `golang`). An
/// OS ecosystem with a release (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04:LTS`) maps to
/// `distribution:release`, with Alpine's `v` and Ubuntu's `:LTS` dropped so that the key matches
/// what the OS detector reports. An ecosystem stowaway has no ordering for keeps its OSV name,
/// lowercased with spaces as `-` (`GitHub Actions` is `github-actions`).
pub fn osv(ecosystem: &str) -> String {
    let (name, release) = match ecosystem.split_once(':') {
        Some((name, release)) => (name.trim(), Some(release.trim())),
        None => (ecosystem.trim(), None),
    };
    let parsed = Ecosystem::from_name_or_generic(name);
    let is_os = matches!(parsed, Ecosystem::Deb | Ecosystem::Rpm | Ecosystem::Apk);

    if is_os {
        let distribution = slug(name);
        return match release {
            Some(release) => {
                let release = release.strip_suffix(":LTS").unwrap_or(release);
                let release = if parsed == Ecosystem::Apk { release.strip_prefix('v').unwrap_or(release) } else { release };
                format!("{distribution}:{}", release.to_ascii_lowercase())
            }
            None => distribution,
        };
    }

    match parsed {
        Ecosystem::Generic => slug(ecosystem),
        known => known.purl_type().to_owned(),
    }
}

fn slug(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_codenames() {
        assert_eq!(debian("bookworm"), "debian:12");
        assert_eq!(debian("bullseye"), "debian:11");
        assert_eq!(debian("wheezy"), "debian:7");
        assert_eq!(debian("sid"), "debian:sid");
    }

    #[test]
    fn alpine_branches() {
        assert_eq!(alpine("v3.11"), "alpine:3.11");
        assert_eq!(alpine("edge"), "alpine:edge");
    }

    #[test]
    fn osv_ecosystems() {
        let cases = [
            ("PyPI", "pypi"),
            ("crates.io", "cargo"),
            ("Go", "golang"),
            ("RubyGems", "gem"),
            ("npm", "npm"),
            ("Maven", "maven"),
            ("Debian:12", "debian:12"),
            ("Debian", "debian"),
            ("Alpine:v3.18", "alpine:3.18"),
            ("Ubuntu:22.04:LTS", "ubuntu:22.04"),
            ("Rocky Linux:9", "rocky-linux:9"),
            ("GitHub Actions", "github-actions"),
            ("Hex", "hex"),
        ];
        for (ecosystem, expected) in cases {
            assert_eq!(osv(ecosystem), expected, "{ecosystem}");
        }
    }
}
