//! [`Version`]: a parsed version of any ecosystem.

use std::cmp::Ordering;
use std::fmt;

use crate::{Ecosystem, VersionError, apk, cargo, dpkg, generic, golang, maven, npm, pypi, rpm, rubygems};

/// A version parsed with the rules of its ecosystem.
///
/// Versions of one ecosystem are totally ordered; [`Version::compare`] returns an error, and
/// [`PartialOrd`] `None`, for versions of two ecosystems. Equality is equality in the ordering
/// (`1.0 == 1.0.0` in Maven), not string equality.
#[derive(Clone, Debug)]
pub enum Version {
    /// A Debian version.
    Deb(dpkg::Version),
    /// An RPM `epoch:version-release`.
    Rpm(rpm::Version),
    /// An Alpine version.
    Apk(apk::Version),
    /// A PEP 440 version.
    Pypi(pypi::Version),
    /// A node-semver version.
    Npm(npm::Version),
    /// A SemVer 2.0 version as Cargo reads it.
    Cargo(cargo::Version),
    /// A Go module version.
    Golang(golang::Version),
    /// A Maven version.
    Maven(maven::Version),
    /// A RubyGems version.
    Gem(rubygems::Version),
    /// A version under the approximate generic ordering.
    Generic(generic::Version),
}

impl Version {
    /// Parses `input` with the rules of `ecosystem`; npm uses its strict syntax.
    pub fn parse(ecosystem: Ecosystem, input: &str) -> Result<Version, VersionError> {
        Ok(match ecosystem {
            Ecosystem::Deb => Version::Deb(dpkg::Version::parse(input)?),
            Ecosystem::Rpm => Version::Rpm(rpm::Version::parse(input)?),
            Ecosystem::Apk => Version::Apk(apk::Version::parse(input)?),
            Ecosystem::Pypi => Version::Pypi(pypi::Version::parse(input)?),
            Ecosystem::Npm => Version::Npm(npm::Version::parse(input)?),
            Ecosystem::Cargo => Version::Cargo(cargo::Version::parse(input)?),
            Ecosystem::Golang => Version::Golang(golang::Version::parse(input)?),
            Ecosystem::Maven => Version::Maven(maven::Version::parse(input)?),
            Ecosystem::Gem => Version::Gem(rubygems::Version::parse(input)?),
            Ecosystem::Generic => Version::Generic(generic::Version::parse(input)?),
        })
    }

    /// Returns the ecosystem whose rules parsed the version.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::Deb(_) => Ecosystem::Deb,
            Version::Rpm(_) => Ecosystem::Rpm,
            Version::Apk(_) => Ecosystem::Apk,
            Version::Pypi(_) => Ecosystem::Pypi,
            Version::Npm(_) => Ecosystem::Npm,
            Version::Cargo(_) => Ecosystem::Cargo,
            Version::Golang(_) => Ecosystem::Golang,
            Version::Maven(_) => Ecosystem::Maven,
            Version::Gem(_) => Ecosystem::Gem,
            Version::Generic(_) => Ecosystem::Generic,
        }
    }

    /// Compares two versions of the same ecosystem; never allocates.
    pub fn compare(&self, other: &Version) -> Result<Ordering, VersionError> {
        self.partial_cmp(other).ok_or_else(|| VersionError::EcosystemMismatch {
            left: self.ecosystem(),
            left_input: self.to_string(),
            right: other.ecosystem(),
            right_input: other.to_string(),
        })
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Deb(a), Version::Deb(b)) => Some(a.cmp(b)),
            (Version::Rpm(a), Version::Rpm(b)) => Some(a.cmp(b)),
            (Version::Apk(a), Version::Apk(b)) => Some(a.cmp(b)),
            (Version::Pypi(a), Version::Pypi(b)) => Some(a.cmp(b)),
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::Cargo(a), Version::Cargo(b)) => Some(a.cmp(b)),
            (Version::Golang(a), Version::Golang(b)) => Some(a.cmp(b)),
            (Version::Maven(a), Version::Maven(b)) => Some(a.cmp(b)),
            (Version::Gem(a), Version::Gem(b)) => Some(a.cmp(b)),
            (Version::Generic(a), Version::Generic(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Deb(version) => version.fmt(f),
            Version::Rpm(version) => version.fmt(f),
            Version::Apk(version) => version.fmt(f),
            Version::Pypi(version) => version.fmt(f),
            Version::Npm(version) => version.fmt(f),
            Version::Cargo(version) => version.fmt(f),
            Version::Golang(version) => version.fmt(f),
            Version::Maven(version) => version.fmt(f),
            Version::Gem(version) => version.fmt(f),
            Version::Generic(version) => version.fmt(f),
        }
    }
}
