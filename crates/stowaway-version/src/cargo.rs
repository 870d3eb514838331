//! Rust crate versions (SemVer 2.0) and Cargo version requirements, through the `semver` crate
//! that Cargo itself uses.
//!
//! Quirks handled there:
//! - pre-release identifiers compare numerically when all digits and lexically otherwise, with
//!   numeric ones first, and `1.0.0-alpha < 1.0.0-alpha.1`;
//! - a bare requirement `1.2` means `^1.2`;
//! - a requirement only matches a pre-release when one of its comparators names a pre-release of
//!   the same `major.minor.patch`.
//!
//! NOTE: `semver::Version`'s own `Ord` breaks ties on build metadata; [`Version`] orders by SemVer
//! precedence, so `1.0.0+a == 1.0.0+b` as the specification and Cargo's resolver treat them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Ecosystem, VersionError};

/// A SemVer 2.0 version as Cargo reads it (no `v` prefix, three components).
#[derive(Clone, Debug)]
pub struct Version(semver::Version);

impl Version {
    /// Parses a strict SemVer 2.0 version.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        semver::Version::parse(input.trim())
            .map(Version)
            .map_err(|error| VersionError::InvalidVersion {
                ecosystem: Ecosystem::Cargo,
                input: input.to_owned(),
                reason: "not a SemVer 2.0 version".to_owned(),
                source: Some(Box::new(error)),
            })
    }

    /// Returns the `semver` version.
    pub fn as_semver(&self) -> &semver::Version {
        &self.0
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Version::parse(input)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A Cargo version requirement such as `^1.2, <1.4` or `>=0.5, <0.7`.
#[derive(Clone, Debug)]
pub struct Range {
    input: String,
    requirement: semver::VersionReq,
}

impl Range {
    /// Parses a requirement with Cargo's syntax (`^`, `~`, `*`, `=`, comparators, commas).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let requirement = semver::VersionReq::parse(input).map_err(|error| VersionError::InvalidRange {
            ecosystem: Ecosystem::Cargo,
            input: input.to_owned(),
            reason: "not a Cargo version requirement".to_owned(),
            source: Some(Box::new(error)),
        })?;
        Ok(Range {
            input: input.to_owned(),
            requirement,
        })
    }

    /// Returns whether `version` satisfies the requirement, with Cargo's pre-release rule.
    pub fn contains(&self, version: &Version) -> bool {
        self.requirement.matches(&version.0)
    }
}

impl FromStr for Range {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Range::parse(input)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(input: &str) -> Version {
        Version::parse(input).unwrap()
    }

    #[test]
    fn prerelease_precedence() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for pair in ordered.windows(2) {
            assert!(version(pair[0]) < version(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(version("1.0.0+a"), version("1.0.0+b"));
    }

    #[test]
    fn requirement_prerelease_rule() {
        let range = Range::parse(">=1.2.0, <1.4.0").unwrap();
        assert!(range.contains(&version("1.3.9")));
        assert!(!range.contains(&version("1.3.0-rc.1")));
        assert!(Range::parse("^1.3.0-rc.1").unwrap().contains(&version("1.3.0-rc.2")));
    }

    #[test]
    fn malformed_names_the_input() {
        let error = Version::parse("v1.0.0").unwrap_err();
        assert!(error.to_string().contains("invalid cargo version `v1.0.0`"), "{error}");
    }
}
