//! Package ecosystems and the names that select them.

use std::fmt;
use std::str::FromStr;

use crate::VersionError;

/// A package ecosystem whose version rules this crate implements.
///
/// The variants follow purl types. [`FromStr`] also accepts the OSV ecosystem names (`Debian`,
/// `Alpine:v3.18`, `crates.io`, `RubyGems`, ...), ignoring an OSV release suffix after `:` and
/// letter case, and the distributions that share a package format (`Ubuntu` is `deb`, `Rocky Linux`
/// is `rpm`, `Wolfi` is `apk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Debian packages, ordered as `dpkg --compare-versions` does.
    Deb,
    /// RPM packages, ordered as `rpmvercmp` does on `epoch:version-release`.
    Rpm,
    /// Alpine packages, ordered as `apk version` does.
    Apk,
    /// Python packages, PEP 440.
    Pypi,
    /// npm packages, node-semver.
    Npm,
    /// Rust crates, SemVer 2.0 as Cargo reads it.
    Cargo,
    /// Go modules, `golang.org/x/mod/semver`.
    Golang,
    /// Maven artifacts, `ComparableVersion`.
    Maven,
    /// Ruby gems, `Gem::Version`.
    Gem,
    /// Anything else: an approximate ordering, see [`crate::generic`].
    Generic,
}

/// The purl types, in the order of [`Ecosystem::ALL`], as an error message lists them.
const PURL_TYPES: &str = "deb, rpm, apk, pypi, npm, cargo, golang, maven, gem, generic";

impl Ecosystem {
    /// Every ecosystem, exact ones first and [`Ecosystem::Generic`] last.
    pub const ALL: [Ecosystem; 10] = [
        Ecosystem::Deb,
        Ecosystem::Rpm,
        Ecosystem::Apk,
        Ecosystem::Pypi,
        Ecosystem::Npm,
        Ecosystem::Cargo,
        Ecosystem::Golang,
        Ecosystem::Maven,
        Ecosystem::Gem,
        Ecosystem::Generic,
    ];

    /// Returns the purl type of the ecosystem (`deb`, `pypi`, `golang`, ...).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Apk => "apk",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Generic => "generic",
        }
    }

    /// Returns the OSV ecosystem name, or `None` for [`Ecosystem::Generic`].
    ///
    /// `rpm` has no single OSV name (each distribution has its own); this returns `Red Hat`.
    pub fn osv_name(self) -> Option<&'static str> {
        match self {
            Ecosystem::Deb => Some("Debian"),
            Ecosystem::Rpm => Some("Red Hat"),
            Ecosystem::Apk => Some("Alpine"),
            Ecosystem::Pypi => Some("PyPI"),
            Ecosystem::Npm => Some("npm"),
            Ecosystem::Cargo => Some("crates.io"),
            Ecosystem::Golang => Some("Go"),
            Ecosystem::Maven => Some("Maven"),
            Ecosystem::Gem => Some("RubyGems"),
            Ecosystem::Generic => None,
        }
    }

    /// Returns whether the ordering reproduces the ecosystem's own package manager.
    ///
    /// Only [`Ecosystem::Generic`] is approximate.
    pub fn is_exact(self) -> bool {
        self != Ecosystem::Generic
    }

    /// Parses a purl type or OSV ecosystem name, and falls back to [`Ecosystem::Generic`] for a
    /// name this crate has no rules for.
    ///
    /// Use it where an approximate ordering is better than none, because an OSV feed adds
    /// ecosystems often. Use [`FromStr`] where an unknown name must be an error.
    pub fn from_name_or_generic(name: &str) -> Ecosystem {
        name.parse().unwrap_or(Ecosystem::Generic)
    }
}

impl FromStr for Ecosystem {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        // OSV appends the distribution release after a colon: `Debian:12`, `Alpine:v3.18`.
        let name = input.split_once(':').map_or(input, |(name, _release)| name);
        let name = name.trim().to_ascii_lowercase();

        let ecosystem = match name.as_str() {
            "deb" | "debian" | "ubuntu" => Ecosystem::Deb,
            "rpm" | "red hat" | "redhat" | "rocky linux" | "almalinux" | "opensuse" | "suse" | "mageia"
            | "openeuler" | "azure linux" => Ecosystem::Rpm,
            "apk" | "alpine" | "wolfi" | "chainguard" | "alpaquita" | "bellsoft hardened containers" => Ecosystem::Apk,
            "pypi" => Ecosystem::Pypi,
            "npm" => Ecosystem::Npm,
            "cargo" | "crates.io" => Ecosystem::Cargo,
            "golang" | "go" => Ecosystem::Golang,
            "maven" => Ecosystem::Maven,
            "gem" | "rubygems" => Ecosystem::Gem,
            "generic" => Ecosystem::Generic,
            _ => {
                return Err(VersionError::UnknownEcosystem {
                    input: input.to_owned(),
                    expected: PURL_TYPES,
                });
            }
        };
        Ok(ecosystem)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_types_round_trip() {
        for ecosystem in Ecosystem::ALL {
            assert_eq!(ecosystem.purl_type().parse::<Ecosystem>().unwrap(), ecosystem);
        }
    }

    #[test]
    fn osv_names_parse() {
        for ecosystem in Ecosystem::ALL {
            if let Some(name) = ecosystem.osv_name() {
                assert_eq!(name.parse::<Ecosystem>().unwrap(), ecosystem, "{name}");
            }
        }
    }

    #[test]
    fn osv_release_suffix_is_ignored() {
        assert_eq!("Alpine:v3.18".parse::<Ecosystem>().unwrap(), Ecosystem::Apk);
        assert_eq!("Debian:12".parse::<Ecosystem>().unwrap(), Ecosystem::Deb);
        assert_eq!("Ubuntu:22.04:LTS".parse::<Ecosystem>().unwrap(), Ecosystem::Deb);
    }

    #[test]
    fn unknown_name_is_an_error() {
        let error = "Hex".parse::<Ecosystem>().unwrap_err();
        assert!(error.to_string().contains("`Hex`"), "{error}");
        assert_eq!(Ecosystem::from_name_or_generic("Hex"), Ecosystem::Generic);
    }
}
