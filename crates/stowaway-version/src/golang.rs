//! Go module versions, ordered as `golang.org/x/mod/semver`, with pseudo-versions and
//! `+incompatible`.
//!
//! Quirks handled here:
//! - Go requires the `v` prefix; OSV writes Go versions without it, so [`Version::parse`] accepts
//!   both and [`compare_go`], [`canonical`] and [`is_valid`] keep Go's strict rule;
//! - `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`, without pre-release or build;
//! - numbers have no leading zeros and may be arbitrarily long;
//! - build metadata, `+incompatible` included, is ignored when comparing;
//! - a pseudo-version (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019...-abc`,
//!   `v1.2.3-pre.0.2019...-abc`) is an ordinary pre-release and sorts by its timestamp after the
//!   base version it was derived from;
//! - [`compare_go`] puts every invalid string below every valid one, all invalid strings equal.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::comparator::{Comparable, comparator_range};
use crate::{Ecosystem, VersionError};

/// Byte ranges of a valid Go semantic version inside its text.
#[derive(Clone, Copy, Debug, Default)]
struct Parts {
    major: (usize, usize),
    /// `None` in the shorthand `v1`, meaning 0.
    minor: Option<(usize, usize)>,
    /// `None` in the shorthands `v1` and `v1.2`, meaning 0.
    patch: Option<(usize, usize)>,
    /// Including the leading `-`; empty when there is none.
    prerelease: (usize, usize),
    /// Including the leading `+`; empty when there is none.
    build: (usize, usize),
}

fn take_number(text: &str, start: usize) -> Option<usize> {
    let bytes = &text.as_bytes()[start..];
    let length = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if length == 0 || (bytes[0] == b'0' && length > 1) {
        return None;
    }
    Some(start + length)
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-'
}

/// Returns whether an all-digit identifier has a leading zero.
fn is_bad_number(identifier: &str) -> bool {
    identifier.len() > 1 && identifier.starts_with('0') && identifier.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `v...` as Go's `semver.parse`; `None` when Go rejects it.
fn parse_parts(text: &str) -> Option<Parts> {
    if !text.starts_with('v') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut parts = Parts::default();

    let end = take_number(text, 1)?;
    parts.major = (1, end);
    if end == text.len() {
        parts.prerelease = (end, end);
        parts.build = (end, end);
        return Some(parts);
    }
    if bytes[end] != b'.' {
        return None;
    }
    let start = end + 1;
    let end = take_number(text, start)?;
    parts.minor = Some((start, end));
    if end == text.len() {
        parts.prerelease = (end, end);
        parts.build = (end, end);
        return Some(parts);
    }
    if bytes[end] != b'.' {
        return None;
    }
    let start = end + 1;
    let mut end = take_number(text, start)?;
    parts.patch = Some((start, end));

    // Pre-release: `-` and dot-separated non-empty identifiers, numeric ones without leading zeros.
    let prerelease_start = end;
    if bytes.get(end) == Some(&b'-') {
        let stop = text[end..].find('+').map_or(text.len(), |plus| end + plus);
        let identifiers = &text[end + 1..stop];
        let valid = identifiers
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(is_identifier_byte) && !is_bad_number(id));
        if !valid {
            return None;
        }
        end = stop;
    }
    parts.prerelease = (prerelease_start, end);

    // Build: `+` and dot-separated non-empty identifiers.
    let build_start = end;
    if bytes.get(end) == Some(&b'+') {
        let identifiers = &text[end + 1..];
        if !identifiers
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(is_identifier_byte))
        {
            return None;
        }
        end = text.len();
    }
    parts.build = (build_start, end);

    (end == text.len()).then_some(parts)
}

/// Compares decimal strings without leading zeros.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares pre-releases written with their leading `-` (empty for a release).
fn compare_prereleases(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Greater;
    }
    if b.is_empty() {
        return Ordering::Less;
    }

    let mut left = a[1..].split('.');
    let mut right = b[1..].split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let x_numeric = x.bytes().all(|b| b.is_ascii_digit());
                let y_numeric = y.bytes().all(|b| b.is_ascii_digit());
                return match (x_numeric, y_numeric) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_numbers(x, y),
                    (false, false) => x.cmp(y),
                };
            }
        }
    }
}

/// A valid Go module version.
#[derive(Clone, Debug)]
pub struct Version {
    /// The version with its `v` prefix.
    text: String,
    parts: Parts,
}

impl Version {
    /// Parses a Go semantic version, with or without the `v` prefix.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        let text = if trimmed.starts_with('v') {
            trimmed.to_owned()
        } else {
            format!("v{trimmed}")
        };
        match parse_parts(&text) {
            Some(parts) => Ok(Version { text, parts }),
            None => Err(VersionError::version(
                Ecosystem::Golang,
                input,
                "not a Go semantic version (vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]])",
            )),
        }
    }

    fn slice(&self, range: (usize, usize)) -> &str {
        &self.text[range.0..range.1]
    }

    fn major(&self) -> &str {
        self.slice(self.parts.major)
    }

    fn minor(&self) -> &str {
        self.parts.minor.map_or("0", |range| self.slice(range))
    }

    fn patch(&self) -> &str {
        self.parts.patch.map_or("0", |range| self.slice(range))
    }

    /// Returns the pre-release with its leading `-`, or `""`.
    pub fn prerelease(&self) -> &str {
        self.slice(self.parts.prerelease)
    }

    /// Returns the build metadata with its leading `+`, or `""`.
    pub fn build(&self) -> &str {
        self.slice(self.parts.build)
    }

    /// Returns Go's canonical form: shorthands filled in, build metadata dropped.
    pub fn canonical(&self) -> String {
        format!(
            "v{}.{}.{}{}",
            self.major(),
            self.minor(),
            self.patch(),
            self.prerelease()
        )
    }

    /// Returns whether the build metadata is `+incompatible`: a v2+ module without a `go.mod`.
    pub fn is_incompatible(&self) -> bool {
        self.build() == "+incompatible"
    }

    /// Returns whether the version is a pseudo-version, Go's name for an untagged commit.
    pub fn is_pseudo(&self) -> bool {
        self.pseudo_parts().is_some()
    }

    /// Returns the commit timestamp of a pseudo-version, `yyyymmddhhmmss` in UTC.
    pub fn pseudo_timestamp(&self) -> Option<&str> {
        self.pseudo_parts().map(|(_, timestamp, _)| timestamp)
    }

    /// Returns the abbreviated commit id of a pseudo-version.
    pub fn pseudo_revision(&self) -> Option<&str> {
        self.pseudo_parts().map(|(_, _, revision)| revision)
    }

    /// Returns the tagged version a pseudo-version was derived from, as `golang.org/x/mod/module`
    /// `PseudoVersionBase` does: `None` for a non-pseudo version, `Some("")` for
    /// `v0.0.0-timestamp-rev` (no base tag).
    pub fn pseudo_base(&self) -> Option<String> {
        let (prefix, _, _) = self.pseudo_parts()?;
        // `prefix` is the pre-release before the timestamp: `` (no base), `0.` or `pre.0.`.
        if prefix.is_empty() {
            return Some(String::new());
        }
        let head = format!("v{}.{}", self.major(), self.minor());
        if prefix == "0." {
            // vX.Y.(Z+1)-0.timestamp-rev: the base is vX.Y.Z.
            let patch = self.patch().parse::<u128>().ok()?.checked_sub(1)?;
            return Some(format!("{head}.{patch}"));
        }
        let pre = prefix.strip_suffix(".0.")?;
        Some(format!("{head}.{}-{pre}", self.patch()))
    }

    /// Splits a pseudo-version's pre-release into (prefix, timestamp, revision), following
    /// `golang.org/x/mod/module.IsPseudoVersion`.
    fn pseudo_parts(&self) -> Option<(&str, &str, &str)> {
        let prerelease = self.prerelease().strip_prefix('-')?;
        let (before, revision) = prerelease.rsplit_once('-')?;
        if revision.is_empty() || !revision.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let timestamp_start = before.len().checked_sub(14)?;
        let (prefix, timestamp) = before.split_at(timestamp_start);
        if !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }

        // `vX.0.0-ts-rev`, or `vX.Y.Z-[pre.]0.ts-rev`.
        let is_zero_base = self.minor() == "0" && self.patch() == "0" && prefix.is_empty();
        let is_derived = prefix == "0." || (prefix.ends_with(".0.") && !prefix.contains('+'));
        (is_zero_base || is_derived).then_some((prefix, timestamp, revision))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_numbers(self.major(), other.major())
            .then_with(|| compare_numbers(self.minor(), other.minor()))
            .then_with(|| compare_numbers(self.patch(), other.patch()))
            .then_with(|| compare_prereleases(self.prerelease(), other.prerelease()))
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
    /// Writes the version as given, with the `v` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Returns whether Go accepts `version` (with its `v` prefix) as a semantic version.
pub fn is_valid(version: &str) -> bool {
    parse_parts(version).is_some()
}

/// Returns Go's `semver.Canonical`, or `None` where Go returns `""` for an invalid version.
pub fn canonical(version: &str) -> Option<String> {
    let parts = parse_parts(version)?;
    let text = version.to_owned();
    Some(Version { text, parts }.canonical())
}

/// Compares two strings as Go's `semver.Compare`: every invalid string sorts below every valid
/// one, and all invalid strings are equal.
pub fn compare_go(a: &str, b: &str) -> Ordering {
    let parse = |text: &str| {
        parse_parts(text).map(|parts| Version {
            text: text.to_owned(),
            parts,
        })
    };
    match (parse(a), parse(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.cmp(&b),
    }
}

impl Comparable for Version {
    const ECOSYSTEM: Ecosystem = Ecosystem::Golang;

    fn parse_version(input: &str) -> Result<Self, VersionError> {
        Version::parse(input)
    }
}

comparator_range!(Version, "A range of Go module versions, e.g. `>= v1.2.0, < v1.4.1`.");

#[cfg(test)]
mod tests {
    use super::*;

    fn version(input: &str) -> Version {
        Version::parse(input).unwrap()
    }

    #[test]
    fn shorthands_and_missing_prefix() {
        assert_eq!(version("v1"), version("v1.0.0"));
        assert_eq!(version("1.2.3"), version("v1.2.3"));
        assert_eq!(canonical("v1.2"), Some("v1.2.0".to_owned()));
        assert_eq!(canonical("v1.2-pre"), None);
    }

    #[test]
    fn numbers_of_any_length() {
        assert!(version("v1.10.0") > version("v1.9.0"));
        assert!(version("v99999999999999999999999.0.0") > version("v9999999999999999999999.0.0"));
    }

    #[test]
    fn incompatible_is_build_metadata() {
        let incompatible = version("v2.0.0+incompatible");
        assert!(incompatible.is_incompatible());
        assert_eq!(incompatible, version("v2.0.0"));
        assert!(incompatible < version("v2.0.1"));
    }

    #[test]
    fn pseudo_versions() {
        let zero = version("v0.0.0-20191109021931-daa7c04131f5");
        assert!(zero.is_pseudo());
        assert_eq!(zero.pseudo_timestamp(), Some("20191109021931"));
        assert_eq!(zero.pseudo_revision(), Some("daa7c04131f5"));
        assert_eq!(zero.pseudo_base(), Some(String::new()));

        let patch = version("v1.2.4-0.20191109021931-daa7c04131f5");
        assert_eq!(patch.pseudo_base(), Some("v1.2.3".to_owned()));
        assert!(patch > version("v1.2.3"));
        assert!(patch < version("v1.2.4"));

        let pre = version("v1.2.3-pre.0.20191109021931-daa7c04131f5");
        assert_eq!(pre.pseudo_base(), Some("v1.2.3-pre".to_owned()));
        assert!(pre > version("v1.2.3-pre"));

        assert!(!version("v1.2.3-pre").is_pseudo());
        assert!(version("v0.0.0-20191109021931-daa7c04131f5") < version("v0.0.0-20201109021931-aaa"));
    }

    #[test]
    fn invalid_sort_first_in_go_compare() {
        assert_eq!(compare_go("bad", "v0.0.0"), Ordering::Less);
        assert_eq!(compare_go("bad", "worse"), Ordering::Equal);
        assert!(Version::parse("1.2.3-01").is_err());
    }
}
