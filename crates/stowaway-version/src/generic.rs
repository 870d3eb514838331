//! An approximate ordering for ecosystems without rules of their own, and for upstream (NVD,
//! CPE-style) versions.
//!
//! NOTE: this ordering is a best effort, not any package manager's. It reads a version as runs of
//! digits and runs of letters and compares them run by run:
//! - a leading `v` before a digit is ignored, and every other non-alphanumeric character only
//!   separates runs, except `~`, which sorts before everything (as in dpkg and rpm);
//! - a pre-release word sorts below the end of a version, and every other run above it. The
//!   pre-release words are `alpha`, `beta`, `pre`, `preview`, `rc`, `cr`, `dev`, `snapshot`,
//!   `milestone`, and `a`, `b`, `c` or `m` directly followed by a digit. So `1.6_rc1 < 1.6 <
//!   1.6-r1`, and OpenSSL's `1.1.1 < 1.1.1a < 1.1.1w < 1.1.1z < 1.1.1za`;
//! - between runs: `~` < pre-release words < other words < numbers; numbers compare as numbers,
//!   words ignoring case.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::comparator::{Comparable, comparator_range};
use crate::{Ecosystem, VersionError};

/// A run of a version string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run<'a> {
    Tilde,
    Number(&'a str),
    /// Letters, and whether a digit follows them directly.
    Word(&'a str, bool),
}

const PRERELEASE_WORDS: [&str; 9] = [
    "alpha",
    "beta",
    "pre",
    "preview",
    "rc",
    "cr",
    "dev",
    "snapshot",
    "milestone",
];

impl Run<'_> {
    /// Returns whether the run starts a pre-release when it follows the end of the other version.
    fn is_prerelease(&self) -> bool {
        match self {
            Run::Tilde => true,
            Run::Number(_) => false,
            Run::Word(word, digit_follows) => {
                PRERELEASE_WORDS.iter().any(|known| word.eq_ignore_ascii_case(known))
                    || (*digit_follows && matches!(word.to_ascii_lowercase().as_str(), "a" | "b" | "c" | "m"))
            }
        }
    }

    /// Returns the class of the run; the end of a version ranks 2, between pre-release words and
    /// everything else, which keeps the ordering transitive.
    fn rank(&self) -> u8 {
        match self {
            Run::Tilde => 0,
            Run::Word(..) if self.is_prerelease() => 1,
            Run::Word(..) => 3,
            Run::Number(_) => 4,
        }
    }

    fn cmp(&self, other: &Run<'_>) -> Ordering {
        self.rank().cmp(&other.rank()).then_with(|| match (self, other) {
            (Run::Number(a), Run::Number(b)) => {
                let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
                a.len().cmp(&b.len()).then_with(|| a.cmp(b))
            }
            (Run::Word(a, _), Run::Word(b, _)) => a
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
            _ => Ordering::Equal,
        })
    }
}

/// Iterates over the runs of a version string.
struct Runs<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Iterator for Runs<'a> {
    type Item = Run<'a>;

    fn next(&mut self) -> Option<Run<'a>> {
        let bytes = self.text.as_bytes();
        while self.position < bytes.len()
            && !bytes[self.position].is_ascii_alphanumeric()
            && bytes[self.position] != b'~'
        {
            self.position += 1;
        }
        let start = self.position;
        let first = *bytes.get(start)?;
        if first == b'~' {
            self.position += 1;
            return Some(Run::Tilde);
        }
        let digit = first.is_ascii_digit();
        while self.position < bytes.len()
            && (if digit {
                bytes[self.position].is_ascii_digit()
            } else {
                bytes[self.position].is_ascii_alphabetic()
            })
        {
            self.position += 1;
        }
        let run = &self.text[start..self.position];
        if digit {
            Some(Run::Number(run))
        } else {
            Some(Run::Word(run, bytes.get(self.position).is_some_and(u8::is_ascii_digit)))
        }
    }
}

/// A version compared with the approximate rules of this module.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
}

impl Version {
    /// Parses any non-empty string without spaces that has a letter or a digit.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(VersionError::version(Ecosystem::Generic, input, "the version is empty"));
        }
        if text.contains(char::is_whitespace) {
            return Err(VersionError::version(
                Ecosystem::Generic,
                input,
                "the version contains spaces",
            ));
        }
        if !text.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(VersionError::version(
                Ecosystem::Generic,
                input,
                "the version has no letter or digit",
            ));
        }
        Ok(Version { input: text.to_owned() })
    }

    fn runs(&self) -> Runs<'_> {
        let text = &self.input;
        let skip = usize::from(
            (text.starts_with('v') || text.starts_with('V')) && text.as_bytes().get(1).is_some_and(u8::is_ascii_digit),
        );
        Runs { text, position: skip }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut left, mut right) = (self.runs(), other.runs());
        loop {
            match (left.next(), right.next()) {
                (None, None) => return Ordering::Equal,
                (Some(run), None) => {
                    return if run.is_prerelease() {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                }
                (None, Some(run)) => {
                    return if run.is_prerelease() {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                (Some(a), Some(b)) => {
                    let ordering = a.cmp(&b);
                    if ordering.is_ne() {
                        return ordering;
                    }
                }
            }
        }
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
        f.write_str(&self.input)
    }
}

impl Comparable for Version {
    const ECOSYSTEM: Ecosystem = Ecosystem::Generic;

    fn parse_version(input: &str) -> Result<Self, VersionError> {
        Version::parse(input)
    }
}

comparator_range!(
    Version,
    "A range of versions under the approximate ordering of this module."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn version(input: &str) -> Version {
        Version::parse(input).unwrap()
    }

    #[test]
    fn openssl_letter_suffixes() {
        let ordered = [
            "1.1.1", "1.1.1a", "1.1.1w", "1.1.1y", "1.1.1z", "1.1.1za", "1.1.1zb", "1.1.2",
        ];
        for pair in ordered.windows(2) {
            assert!(version(pair[0]) < version(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn prerelease_words_sort_before_the_release() {
        assert!(version("1.6_rc1") < version("1.6"));
        assert!(version("1.0a1") < version("1.0"));
        assert!(version("1.0~beta") < version("1.0"));
        assert!(version("1.6-r1") > version("1.6"));
        assert_eq!(version("v1.2"), version("1.2"));
        assert_eq!(version("1.09"), version("1.9"));
    }
}
