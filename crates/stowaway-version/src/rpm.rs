//! RPM versions, `[epoch:]version[-release]`, ordered as rpm's `rpmvercmp` and `rpmverCmp`.
//!
//! Quirks handled here, as rpm 4.18 implements them (`rpmio/rpmvercmp.c`, `lib/rpmver.c`):
//! - the epoch is the run of digits before a colon; a missing epoch is 0;
//! - the release starts after the *last* hyphen;
//! - each part is split into runs of ASCII letters and digits, and every other character only
//!   separates (`2.0 == 2_0`);
//! - digit runs compare as numbers, letters compare bytewise, and a digit run beats a letter run
//!   (`1.0.1 > 1.0.a`);
//! - `~` sorts before everything, the end of the string included (`1.0~rc1 < 1.0`);
//! - `^` sorts after the end of the string but before any other run (`1.0 < 1.0^git1 < 1.0.1`);
//! - when all runs are equal, the version with characters left over wins.
//!
//! NOTE: rpm skips the release when either side has none (`1.0 == 1.0-5` for `Requires:`), which
//! is not transitive. [`Version`]'s `Ord` is total instead: a missing release sorts before every
//! release. [`Range`] keeps rpm's rule, so `>= 1.0` matches `1.0-5` as `rpm` does.
//!
//! The crate `rpm-version` orders the same segments, but splits the release at the *first* hyphen,
//! unlike rpm.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::comparator::{Comparable, comparator_range};
use crate::{Ecosystem, VersionError};

/// A parsed RPM `epoch:version-release`.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
    epoch: u32,
    version: (usize, usize),
    release: Option<(usize, usize)>,
}

impl Version {
    /// Parses `[epoch:]version[-release]` as rpm's `parseEVR` splits it.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let invalid = |reason: &str| VersionError::version(Ecosystem::Rpm, input, reason);

        let text = input.trim();
        let offset = input.len() - input.trim_start().len();
        if text.is_empty() {
            return Err(invalid("the version is empty"));
        }
        if let Some(c) = text.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(invalid(&format!("invalid character {c:?}")));
        }

        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, version_start) = if text[digits..].starts_with(':') {
            let epoch = if digits == 0 {
                0
            } else {
                text[..digits]
                    .parse::<u32>()
                    .map_err(|_| invalid("the epoch is too big"))?
            };
            (epoch, digits + 1)
        } else {
            (0, 0)
        };

        let rest = &text[version_start..];
        if rest.contains(':') {
            return Err(invalid("the epoch is not a number"));
        }
        let (version, release) = match rest.rfind('-') {
            Some(hyphen) => (&rest[..hyphen], Some(&rest[hyphen + 1..])),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(invalid("the version part is empty"));
        }
        if release == Some("") {
            return Err(invalid("the release is empty"));
        }

        let version_begin = offset + version_start;
        let version_end = version_begin + version.len();
        Ok(Version {
            input: input.to_owned(),
            epoch,
            version: (version_begin, version_end),
            release: release.map(|release| (version_end + 1, version_end + 1 + release.len())),
        })
    }

    /// Returns the epoch; 0 when the version has none.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Returns the version part, between epoch and release.
    pub fn version(&self) -> &str {
        &self.input[self.version.0..self.version.1]
    }

    /// Returns the release, or `None` when the string has no hyphen.
    pub fn release(&self) -> Option<&str> {
        self.release.map(|(begin, end)| &self.input[begin..end])
    }
}

/// Compares two version or release strings as rpm's `rpmvercmp`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';

    while i < a.len() || j < b.len() {
        while i < a.len() && is_separator(a[i]) {
            i += 1;
        }
        while j < b.len() && is_separator(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());

        // `~` sorts before everything, the end of the string included.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        // `^` sorts after the end of the string but before anything else.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };

        // One run of digits or of letters from each side.
        let is_number = ca.is_ascii_digit();
        let in_run = |c: &u8| {
            if is_number {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let run_a = &a[i..i + a[i..].iter().take_while(|c| in_run(c)).count()];
        let run_b = &b[j..j + b[j..].iter().take_while(|c| in_run(c)).count()];
        i += run_a.len();
        j += run_b.len();

        // A digit run beats a letter run.
        if run_b.is_empty() {
            return if is_number { Ordering::Greater } else { Ordering::Less };
        }

        let ordering = if is_number {
            let run_a = trim_zeros(run_a);
            let run_b = trim_zeros(run_b);
            run_a.len().cmp(&run_b.len()).then_with(|| run_a.cmp(run_b))
        } else {
            run_a.cmp(run_b)
        };
        if ordering.is_ne() {
            return ordering;
        }
    }

    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version(), other.version()))
            .then_with(|| match (self.release(), other.release()) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
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
    const ECOSYSTEM: Ecosystem = Ecosystem::Rpm;

    fn parse_version(input: &str) -> Result<Self, VersionError> {
        Version::parse(input)
    }

    fn range_cmp(&self, bound: &Self) -> Ordering {
        let ordering = self
            .epoch
            .cmp(&bound.epoch)
            .then_with(|| rpmvercmp(self.version(), bound.version()));
        match (ordering, self.release(), bound.release()) {
            (Ordering::Equal, Some(a), Some(b)) => rpmvercmp(a, b),
            (ordering, _, _) => ordering,
        }
    }
}

comparator_range!(
    Version,
    "A range of RPM versions; a bound without a release matches every release, as in rpm."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn tilde_and_caret() {
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0~rc1^git1", "1.0~rc1"), Ordering::Greater);
    }

    #[test]
    fn separators_only_separate() {
        assert_eq!(rpmvercmp("2.0", "2_0"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.0010", "1.10"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.0a", "1.0.1"), Ordering::Less);
    }

    #[test]
    fn epoch_version_release() {
        let version = Version::parse("1:1.04-299.el7_9").unwrap();
        assert_eq!(version.epoch(), 1);
        assert_eq!(version.version(), "1.04");
        assert_eq!(version.release(), Some("299.el7_9"));
        assert_eq!(compare("1:1.04-294.el7_6", "1:1.04-299.el7_9"), Ordering::Less);
        assert_eq!(compare("4:5.16.3-294.el7_6", "1:1.04-299.el7_9"), Ordering::Greater);
        assert_eq!(compare("0:1.0-1", "1.0-1"), Ordering::Equal);
    }

    #[test]
    fn missing_release_sorts_first_but_ranges_skip_it() {
        assert_eq!(compare("1.0", "1.0-1"), Ordering::Less);
        let range = Range::parse("<= 1.0").unwrap();
        assert!(range.contains(&Version::parse("1.0-5.el8").unwrap()));
        assert!(!range.contains(&Version::parse("1.1-1").unwrap()));
    }

    #[test]
    fn malformed_versions_name_the_input() {
        for input in ["", "1.0-", "x:1.0", ":", "1.0 1", "1:", "1.0\u{e9}"] {
            let error = Version::parse(input).unwrap_err();
            assert!(error.to_string().contains(&format!("`{input}`")), "{error}");
        }
    }
}
