//! npm package versions and ranges, as node-semver 7 parses and evaluates them.
//!
//! Quirks handled here, as node-semver 7.7 implements them:
//! - the strict syntax allows one leading `v`; `loose` also allows leading `=`, `v` and spaces,
//!   leading zeros, and a pre-release without its hyphen (`1.2.3beta`);
//! - leading and trailing whitespace is trimmed, and a version longer than 256 characters or with
//!   a number above 2^53 - 1 is invalid;
//! - build metadata is ignored when comparing;
//! - a range (`^1.2.3`, `~1.2`, `1.x`, `1.2.3 - 2.3.4`, `>=1.0.0 <2.0.0 || 3.x`) only matches a
//!   pre-release when a comparator of the same alternative names a pre-release of the same
//!   `major.minor.patch`, unless `include_prerelease` is set.

mod range;
mod syntax;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub use range::{Range, satisfies};

use crate::{Ecosystem, VersionError};

/// The maximum length of a version that node-semver accepts.
const MAX_LENGTH: usize = 256;

/// JavaScript's `Number.MAX_SAFE_INTEGER`, the largest version number node-semver accepts.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// node-semver's `options` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Accept the loose syntax (`=v1.2.3`, `1.2.3beta`, leading zeros).
    pub loose: bool,
    /// Let ranges match pre-releases of any version.
    pub include_prerelease: bool,
}

/// One dot-separated pre-release identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identifier {
    /// All digits and below 2^53 - 1.
    Number(u64),
    /// Anything else, including all-digit identifiers too large for a JavaScript number.
    Text(String),
}

impl Identifier {
    fn parse(text: &str) -> Identifier {
        if text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(number) = text.parse::<u64>()
            && number < MAX_SAFE_INTEGER
        {
            return Identifier::Number(number);
        }
        Identifier::Text(text.to_owned())
    }

    /// Returns the digits of a numeric identifier, leading zeros removed.
    fn digits(&self) -> Option<DigitsOrNumber<'_>> {
        match self {
            Identifier::Number(number) => Some(DigitsOrNumber::Number(*number)),
            Identifier::Text(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
                Some(DigitsOrNumber::Digits(text.trim_start_matches('0')))
            }
            Identifier::Text(_) => None,
        }
    }
}

/// A numeric identifier, small or not.
enum DigitsOrNumber<'a> {
    Number(u64),
    Digits(&'a str),
}

impl DigitsOrNumber<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (DigitsOrNumber::Number(a), DigitsOrNumber::Number(b)) => a.cmp(b),
            // A `Digits` value is at least 2^53 - 1, so above any `Number`.
            (DigitsOrNumber::Number(_), DigitsOrNumber::Digits(_)) => Ordering::Less,
            (DigitsOrNumber::Digits(_), DigitsOrNumber::Number(_)) => Ordering::Greater,
            (DigitsOrNumber::Digits(a), DigitsOrNumber::Digits(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

/// Compares identifiers as node-semver's `compareIdentifiers`: numbers below text.
///
/// NOTE: node-semver compares all-digit identifiers above 2^53 - 1 as rounded floating-point
/// numbers; they compare exactly here.
fn compare_identifiers(a: &Identifier, b: &Identifier) -> Ordering {
    match (a.digits(), b.digits()) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => match (a, b) {
            (Identifier::Text(x), Identifier::Text(y)) => x.cmp(y),
            _ => Ordering::Equal,
        },
    }
}

/// An npm package version.
#[derive(Clone, Debug)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    prerelease: Vec<Identifier>,
    build: Vec<String>,
}

impl Version {
    /// Parses a strict version, as `new SemVer(input)`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        Version::parse_with(input, Options::default())
    }

    /// Parses a version with node-semver's options.
    pub fn parse_with(input: &str, options: Options) -> Result<Self, VersionError> {
        let invalid = |reason: &str| VersionError::version(Ecosystem::Npm, input, reason);
        if input.len() > MAX_LENGTH {
            return Err(invalid("the version is longer than 256 characters"));
        }

        let syntax = if options.loose {
            &*syntax::LOOSE
        } else {
            &*syntax::STRICT
        };
        let Some(captures) = syntax.full.captures(input.trim()) else {
            return Err(invalid(if options.loose {
                "not a semantic version"
            } else {
                "not a semantic version (strict syntax: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])"
            }));
        };

        let number = |index: usize, name: &str| -> Result<u64, VersionError> {
            let digits = captures.get(index).map_or("", |m| m.as_str());
            match digits.parse::<u64>() {
                Ok(number) if number <= MAX_SAFE_INTEGER => Ok(number),
                _ => Err(invalid(&format!("the {name} version is above 2^53 - 1"))),
            }
        };
        let split = |index: usize| -> Vec<&str> {
            captures
                .get(index)
                .map_or_else(Vec::new, |m| m.as_str().split('.').collect())
        };

        Ok(Version {
            major: number(1, "major")?,
            minor: number(2, "minor")?,
            patch: number(3, "patch")?,
            prerelease: split(4).into_iter().map(Identifier::parse).collect(),
            build: split(5).into_iter().map(str::to_owned).collect(),
        })
    }

    /// Returns whether the version has a pre-release.
    pub fn is_prerelease(&self) -> bool {
        !self.prerelease.is_empty()
    }

    /// Returns `major.minor.patch`.
    pub fn release(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }

    fn compare_prerelease(&self, other: &Self) -> Ordering {
        match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
            (true, true) => return Ordering::Equal,
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            (false, false) => {}
        }
        for index in 0.. {
            match (self.prerelease.get(index), other.prerelease.get(index)) {
                (None, None) => return Ordering::Equal,
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (Some(a), Some(b)) if a == b => continue,
                (Some(a), Some(b)) => return compare_identifiers(a, b),
            }
        }
        Ordering::Equal
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release()
            .cmp(&other.release())
            .then_with(|| self.compare_prerelease(other))
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

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identifier::Number(number) => number.fmt(f),
            Identifier::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for Version {
    /// Writes the normalised form, with its build metadata.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (index, identifier) in self.prerelease.iter().enumerate() {
            f.write_str(if index == 0 { "-" } else { "." })?;
            identifier.fmt(f)?;
        }
        for (index, identifier) in self.build.iter().enumerate() {
            f.write_str(if index == 0 { "+" } else { "." })?;
            f.write_str(identifier)?;
        }
        Ok(())
    }
}

/// Writes node-semver's `version` property: `major.minor.patch[-pre]`, without build metadata.
fn format_without_build(version: &Version) -> String {
    let mut text = format!("{}.{}.{}", version.major, version.minor, version.patch);
    for (index, identifier) in version.prerelease.iter().enumerate() {
        text.push(if index == 0 { '-' } else { '.' });
        text.push_str(&identifier.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loose(input: &str) -> Version {
        Version::parse_with(
            input,
            Options {
                loose: true,
                include_prerelease: false,
            },
        )
        .unwrap()
    }

    #[test]
    fn strict_and_loose_syntax() {
        assert!(Version::parse("v1.2.3").is_ok());
        assert!(Version::parse(" 1.2.3 ").is_ok());
        assert!(Version::parse("=1.2.3").is_err());
        assert!(Version::parse("01.2.3").is_err());
        assert_eq!(loose(" = v 1.2.3-0"), Version::parse("1.2.3-0").unwrap());
        assert_eq!(loose("1.2.3beta").to_string(), "1.2.3-beta");
    }

    #[test]
    fn identifiers_compare_numbers_below_text() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(v("1.2.3-a.10") > v("1.2.3-a.5"));
        assert!(v("1.2.3-a.b") > v("1.2.3-a.5"));
        assert!(v("1.2.3-r100") > v("1.2.3-R2"));
        assert_eq!(v("1.2.3+build"), v("1.2.3+other"));
    }

    #[test]
    fn too_large_numbers_are_errors() {
        assert!(Version::parse("9007199254740992.0.0").is_err());
        assert!(Version::parse(&format!("1.2.3-{}", "a".repeat(300))).is_err());
    }
}
