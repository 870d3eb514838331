//! [`Range`]: a range in the syntax users and feeds write for each ecosystem.

use std::fmt;

use crate::{Ecosystem, Version, VersionError, apk, cargo, dpkg, generic, golang, maven, npm, pypi, rpm, rubygems};

/// A range in the native syntax of its ecosystem.
///
/// | ecosystem | syntax |
/// |---|---|
/// | npm | node-semver ranges: `^1.2.3`, `~1.2`, `1.x`, `1.2.3 - 2.3.4`, `>=1.0.0 <2.0.0 \|\| 3.x` |
/// | cargo | Cargo requirements: `^1.2`, `>=1.2.0, <1.4.0` |
/// | pypi | PEP 440 specifiers: `>=2017.11.05, <2022.12.07`, `~=1.4`, `==2.*` |
/// | maven | Maven ranges: `[1.0,2.0)`, `(,1.0],[1.2,)`, `[1.0]` |
/// | gem | RubyGems requirements: `~> 1.2.3, != 1.2.5`, with `\|\|` between alternatives |
/// | deb, rpm, apk, golang, generic | comparator lists: `>= 1.0, < 2.0 \|\| = 3.0` (see [`crate::comparator`]) |
#[derive(Clone, Debug)]
pub enum Range {
    /// A Debian comparator list.
    Deb(dpkg::Range),
    /// An RPM comparator list.
    Rpm(rpm::Range),
    /// An Alpine comparator list, with fuzzy operators.
    Apk(apk::Range),
    /// PEP 440 specifiers.
    Pypi(pypi::Range),
    /// A node-semver range.
    Npm(npm::Range),
    /// A Cargo requirement.
    Cargo(cargo::Range),
    /// A Go comparator list.
    Golang(golang::Range),
    /// A Maven range.
    Maven(maven::Range),
    /// RubyGems requirements.
    Gem(rubygems::Range),
    /// A generic comparator list.
    Generic(generic::Range),
}

impl Range {
    /// Parses `input` in the range syntax of `ecosystem`; npm uses its strict syntax.
    pub fn parse(ecosystem: Ecosystem, input: &str) -> Result<Range, VersionError> {
        Ok(match ecosystem {
            Ecosystem::Deb => Range::Deb(dpkg::Range::parse(input)?),
            Ecosystem::Rpm => Range::Rpm(rpm::Range::parse(input)?),
            Ecosystem::Apk => Range::Apk(apk::Range::parse(input)?),
            Ecosystem::Pypi => Range::Pypi(pypi::Range::parse(input)?),
            Ecosystem::Npm => Range::Npm(npm::Range::parse(input)?),
            Ecosystem::Cargo => Range::Cargo(cargo::Range::parse(input)?),
            Ecosystem::Golang => Range::Golang(golang::Range::parse(input)?),
            Ecosystem::Maven => Range::Maven(maven::Range::parse(input)?),
            Ecosystem::Gem => Range::Gem(rubygems::Range::parse(input)?),
            Ecosystem::Generic => Range::Generic(generic::Range::parse(input)?),
        })
    }

    /// Returns the ecosystem of the range.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Range::Deb(_) => Ecosystem::Deb,
            Range::Rpm(_) => Ecosystem::Rpm,
            Range::Apk(_) => Ecosystem::Apk,
            Range::Pypi(_) => Ecosystem::Pypi,
            Range::Npm(_) => Ecosystem::Npm,
            Range::Cargo(_) => Ecosystem::Cargo,
            Range::Golang(_) => Ecosystem::Golang,
            Range::Maven(_) => Ecosystem::Maven,
            Range::Gem(_) => Ecosystem::Gem,
            Range::Generic(_) => Ecosystem::Generic,
        }
    }

    /// Returns whether `version` is in the range; an error when the ecosystems differ.
    pub fn contains(&self, version: &Version) -> Result<bool, VersionError> {
        Ok(match (self, version) {
            (Range::Deb(range), Version::Deb(version)) => range.contains(version),
            (Range::Rpm(range), Version::Rpm(version)) => range.contains(version),
            (Range::Apk(range), Version::Apk(version)) => range.contains(version),
            (Range::Pypi(range), Version::Pypi(version)) => range.contains(version),
            (Range::Npm(range), Version::Npm(version)) => range.contains(version),
            (Range::Cargo(range), Version::Cargo(version)) => range.contains(version),
            (Range::Golang(range), Version::Golang(version)) => range.contains(version),
            (Range::Maven(range), Version::Maven(version)) => range.contains(version),
            (Range::Gem(range), Version::Gem(version)) => range.contains(version),
            (Range::Generic(range), Version::Generic(version)) => range.contains(version),
            _ => {
                return Err(VersionError::EcosystemMismatch {
                    left: self.ecosystem(),
                    left_input: self.to_string(),
                    right: version.ecosystem(),
                    right_input: version.to_string(),
                });
            }
        })
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Deb(range) => range.fmt(f),
            Range::Rpm(range) => range.fmt(f),
            Range::Apk(range) => range.fmt(f),
            Range::Pypi(range) => range.fmt(f),
            Range::Npm(range) => range.fmt(f),
            Range::Cargo(range) => range.fmt(f),
            Range::Golang(range) => range.fmt(f),
            Range::Maven(range) => range.fmt(f),
            Range::Gem(range) => range.fmt(f),
            Range::Generic(range) => range.fmt(f),
        }
    }
}
