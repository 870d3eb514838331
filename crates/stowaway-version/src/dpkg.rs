//! Debian package versions, `[epoch:]upstream[-revision]`, ordered as `dpkg --compare-versions`.
//!
//! Quirks handled here, as dpkg 1.22 implements them (`lib/dpkg/version.c`, `parsehelp.c`):
//! - the epoch is a decimal number (missing means 0) and decides first;
//! - the revision starts after the *last* hyphen, so the upstream part may contain hyphens;
//! - upstream and revision are compared in alternating runs of non-digits and digits;
//! - in a non-digit run, `~` sorts before everything, even the end of the string
//!   (`1.0~rc1 < 1.0`), then come the end of the string, letters, and every other character;
//! - digit runs compare as numbers, so `1.09 == 1.9`, and a missing revision equals `-0`.
//!
//! The crate `debversion` orders the same, but pulls `chrono`, `num-bigint` and a regex parser
//! for about sixty lines of algorithm; comparing two parsed versions here never allocates.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::comparator::{Comparable, comparator_range};
use crate::{Ecosystem, VersionError};

/// A parsed Debian version.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
    epoch: u32,
    /// Byte range of the upstream version in `input`.
    upstream: (usize, usize),
    /// Byte range of the revision in `input`; empty when there is none.
    revision: (usize, usize),
}

impl Version {
    /// Parses a version with dpkg's rules.
    ///
    /// A version that dpkg only warns about (no leading digit, a character outside
    /// `[A-Za-z0-9.+~-:]`) is an error here, as Debian Policy requires.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let invalid = |reason: &str| VersionError::version(Ecosystem::Deb, input, reason);

        let text = input.trim();
        if text.is_empty() {
            return Err(invalid("the version is empty"));
        }
        if text.contains(char::is_whitespace) {
            return Err(invalid("the version contains spaces"));
        }
        let offset = input.len() - input.trim_start().len();

        // The epoch ends at the first colon. dpkg reads it with `strtol`, which also accepts a sign
        // and leading spaces; this requires digits only.
        let (epoch, upstream_start) = match text.find(':') {
            None => (0, 0),
            Some(0) => return Err(invalid("the epoch is empty")),
            Some(colon) => {
                let digits = &text[..colon];
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("the epoch is not a number"));
                }
                let epoch = digits.parse::<u32>().ok().filter(|&e| e <= i32::MAX as u32);
                let Some(epoch) = epoch else {
                    return Err(invalid("the epoch is too big"));
                };
                if colon + 1 == text.len() {
                    return Err(invalid("nothing follows the epoch colon"));
                }
                (epoch, colon + 1)
            }
        };

        // The revision starts after the last hyphen.
        let rest = &text[upstream_start..];
        let (upstream, revision) = match rest.rfind('-') {
            Some(hyphen) => {
                if hyphen + 1 == rest.len() {
                    return Err(invalid("the revision is empty"));
                }
                (&rest[..hyphen], &rest[hyphen + 1..])
            }
            None => (rest, ""),
        };

        if upstream.is_empty() {
            return Err(invalid("the upstream version is empty"));
        }
        if !upstream.as_bytes()[0].is_ascii_digit() {
            return Err(invalid("the upstream version does not start with a digit"));
        }
        if let Some(c) = upstream
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
        {
            return Err(invalid(&format!("invalid character `{c}` in the upstream version")));
        }
        if let Some(c) = revision
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
        {
            return Err(invalid(&format!("invalid character `{c}` in the revision")));
        }

        let upstream_begin = offset + upstream_start;
        let upstream_end = upstream_begin + upstream.len();
        let revision_range = if revision.is_empty() {
            (upstream_end, upstream_end)
        } else {
            (upstream_end + 1, upstream_end + 1 + revision.len())
        };
        Ok(Version {
            input: input.to_owned(),
            epoch,
            upstream: (upstream_begin, upstream_end),
            revision: revision_range,
        })
    }

    /// Returns the epoch; 0 when the version has none.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Returns the upstream version, between the epoch and the revision.
    pub fn upstream(&self) -> &str {
        &self.input[self.upstream.0..self.upstream.1]
    }

    /// Returns the Debian revision, or `""` when there is none.
    pub fn revision(&self) -> &str {
        &self.input[self.revision.0..self.revision.1]
    }
}

/// Returns dpkg's weight of a byte in a non-digit run; `0` is the end of the string.
fn weight(byte: u8) -> i32 {
    match byte {
        b'~' => -1,
        0 | b'0'..=b'9' => 0,
        b'a'..=b'z' | b'A'..=b'Z' => i32::from(byte),
        _ => i32::from(byte) + 256,
    }
}

/// Compares two upstream versions or two revisions as dpkg's `verrevcmp` does.
pub fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |i: usize| a.get(i).copied().unwrap_or(0);
    let bt = |j: usize| b.get(j).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);

    while i < a.len() || j < b.len() {
        // Non-digit run: `~` first, then the end, then letters, then the rest.
        while (i < a.len() && !at(i).is_ascii_digit()) || (j < b.len() && !bt(j).is_ascii_digit()) {
            let (wa, wb) = (weight(at(i)), weight(bt(j)));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }

        // Digit run: leading zeros skipped, then the longer number wins, then the first difference.
        while at(i) == b'0' {
            i += 1;
        }
        while bt(j) == b'0' {
            j += 1;
        }
        let mut first_difference = Ordering::Equal;
        while at(i).is_ascii_digit() && bt(j).is_ascii_digit() {
            if first_difference.is_eq() {
                first_difference = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if at(i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if bt(j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_difference.is_ne() {
            return first_difference;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| compare_part(self.upstream(), other.upstream()))
            .then_with(|| compare_part(self.revision(), other.revision()))
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
        f.write_str(self.input.trim())
    }
}

impl Comparable for Version {
    const ECOSYSTEM: Ecosystem = Ecosystem::Deb;

    fn parse_version(input: &str) -> Result<Self, VersionError> {
        Version::parse(input)
    }
}

comparator_range!(
    Version,
    "A range of Debian versions; dpkg's `<<` and `>>` are accepted."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn tilde_sorts_before_the_end() {
        assert_eq!(compare("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(compare("1.0~rc1-1", "1.0-1"), Ordering::Less);
    }

    #[test]
    fn letters_sort_before_other_characters() {
        assert_eq!(compare("1.0a", "1.0+"), Ordering::Less);
        assert_eq!(compare("1.0a", "1.0."), Ordering::Less);
        assert_eq!(compare("1.0", "1.0a"), Ordering::Less);
    }

    #[test]
    fn epoch_decides_first() {
        assert_eq!(compare("1:0.1", "9.9"), Ordering::Greater);
        assert_eq!(compare("0:1.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn revision_after_last_hyphen() {
        let version = Version::parse("1:2.30-beta-1ubuntu2").unwrap();
        assert_eq!(version.epoch(), 1);
        assert_eq!(version.upstream(), "2.30-beta");
        assert_eq!(version.revision(), "1ubuntu2");
        assert_eq!(compare("1.0", "1.0-0"), Ordering::Equal);
    }

    #[test]
    fn malformed_versions_name_the_input() {
        for input in ["", "a1.0", "1.0-", ":1.0", "x:1.0", "1:", "1.0 1", "1.0_1", "1.0-1_1"] {
            let error = Version::parse(input).unwrap_err();
            assert!(error.to_string().contains(&format!("`{input}`")), "{error}");
            assert!(error.to_string().starts_with("invalid deb version"), "{error}");
        }
    }

    #[test]
    fn range_accepts_dpkg_relations() {
        let range = Range::parse(">> 1.0, << 2.0").unwrap();
        assert!(range.contains(&Version::parse("1.5").unwrap()));
        assert!(!range.contains(&Version::parse("1.0").unwrap()));
        assert!(!range.contains(&Version::parse("2.0").unwrap()));
    }
}
