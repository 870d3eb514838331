//! Alpine package versions, ordered as `apk version -t` (apk-tools 3, `src/version.c`).
//!
//! The grammar is `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}`. Quirks handled here:
//! - the suffixes `_alpha < _beta < _pre < _rc` sort before the release and `_cvs < _svn < _git <
//!   _hg < _p` after it, so `1.6_rc1 < 1.6 < 1.6_p1`; any other suffix is invalid (`1.34.0_r0`);
//! - `-rN` is the packaging revision, so `1.5.1-r1 > 1.5.1` and never a pre-release;
//! - one lowercase letter may follow the last number (`1.1.1w`); two letters (`1.1.1za`) are invalid;
//! - a number after a dot with a leading zero compares as a string (`8.2.0015 < 8.2.002`), every
//!   other number numerically;
//! - `~hash` (a lowercase hexadecimal commit id) compares as a string;
//! - the fuzzy operator `~` matches a version that starts with the given one token by token
//!   (`3.6.9 ~ 3.6`), see [`Version::fuzzy_cmp`].
//!
//! apk itself compares invalid versions too, token by token until the first invalid one;
//! [`compare_strings`] reproduces that, while [`Version::parse`] rejects them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::comparator::{Comparable, comparator_range};
use crate::{Ecosystem, VersionError};

/// Token kinds in the order apk ranks them when two versions differ in kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    RevisionNumber,
    End,
    Invalid,
}

/// Suffixes in apk's order; those before `None` are pre-releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Invalid,
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    fn from_name(name: &[u8]) -> Suffix {
        match name {
            b"alpha" => Suffix::Alpha,
            b"beta" => Suffix::Beta,
            b"pre" => Suffix::Pre,
            b"rc" => Suffix::Rc,
            b"cvs" => Suffix::Cvs,
            b"svn" => Suffix::Svn,
            b"git" => Suffix::Git,
            b"hg" => Suffix::Hg,
            b"p" => Suffix::P,
            _ => Suffix::Invalid,
        }
    }
}

/// The current token of a [`Tokens`] walk.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    suffix: Suffix,
    number: u64,
    value: &'a [u8],
}

/// Walks the tokens of a version string as apk's `token_first` and `token_next`.
struct Tokens<'a> {
    rest: &'a [u8],
    token: Token<'a>,
}

impl<'a> Tokens<'a> {
    fn new(input: &'a [u8]) -> Self {
        let mut tokens = Tokens {
            rest: input,
            token: Token {
                kind: Kind::InitialDigit,
                suffix: Suffix::Invalid,
                number: 0,
                value: &[],
            },
        };
        tokens.take_digits();
        tokens
    }

    /// Reads a decimal number; apk's `apk_blob_pull_uint` wraps on overflow, and so does this.
    fn take_digits(&mut self) {
        let length = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = &self.rest[..length];
        self.token.number = digits.iter().fold(0u64, |number, digit| {
            number.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'))
        });
        self.token.value = digits;
        self.rest = &self.rest[length..];
        if length == 0 {
            self.token.kind = Kind::Invalid;
        }
    }

    /// Takes bytes of a class; like apk's `apk_blob_spn`, bytes above 0x7f are in every class.
    fn take_span(&mut self, in_class: impl Fn(u8) -> bool) -> &'a [u8] {
        let length = self.rest.iter().take_while(|&&b| b >= 0x80 || in_class(b)).count();
        let (span, rest) = self.rest.split_at(length);
        self.rest = rest;
        span
    }

    fn advance(&mut self) {
        let Some(&first) = self.rest.first() else {
            self.token.kind = Kind::End;
            return;
        };
        let kind = self.token.kind;

        match first {
            b'a'..=b'z' if kind <= Kind::Digit => {
                self.token.value = &self.rest[..1];
                self.token.kind = Kind::Letter;
                self.rest = &self.rest[1..];
            }
            b'.' | b'0'..=b'9' if first != b'.' || kind <= Kind::Digit => {
                if first == b'.' {
                    self.rest = &self.rest[1..];
                }
                self.token.kind = match kind {
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNumber,
                    _ => {
                        self.token.kind = Kind::Invalid;
                        return;
                    }
                };
                self.take_digits();
            }
            b'_' if kind <= Kind::SuffixNumber => {
                self.rest = &self.rest[1..];
                let name = self.take_span(|b| b.is_ascii_lowercase());
                self.token.value = name;
                self.token.suffix = Suffix::from_name(name);
                self.token.kind = if self.token.suffix == Suffix::Invalid {
                    Kind::Invalid
                } else {
                    Kind::Suffix
                };
            }
            b'~' if kind < Kind::CommitHash => {
                self.rest = &self.rest[1..];
                let hash = self.take_span(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                self.token.value = hash;
                self.token.kind = if hash.is_empty() {
                    Kind::Invalid
                } else {
                    Kind::CommitHash
                };
            }
            b'-' if kind < Kind::RevisionNumber && self.rest.starts_with(b"-r") => {
                self.rest = &self.rest[2..];
                self.token.kind = Kind::RevisionNumber;
                self.take_digits();
            }
            _ => self.token.kind = Kind::Invalid,
        }
    }
}

/// Compares two tokens of the same kind as apk's `token_cmp`.
fn compare_tokens(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // A leading zero after a dot makes the number compare as a string, as in Gentoo.
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => a.value.cmp(b.value),
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNumber | Kind::RevisionNumber => a.number.cmp(&b.number),
        Kind::Letter => a.value.first().cmp(&b.value.first()),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

/// Compares two strings as apk's `apk_version_compare_fuzzy`; `fuzzy` makes a version equal to
/// every version that starts with it.
fn compare_bytes(a: &[u8], b: &[u8], fuzzy: bool) -> Ordering {
    let mut ta = Tokens::new(a);
    let mut tb = Tokens::new(b);

    while ta.token.kind == tb.token.kind && ta.token.kind < Kind::End {
        let ordering = compare_tokens(&ta.token, &tb.token);
        if ordering.is_ne() {
            return ordering;
        }
        ta.advance();
        tb.advance();
    }

    let (ka, kb) = (ta.token.kind, tb.token.kind);
    if ka == kb || (kb == Kind::End && fuzzy) {
        return Ordering::Equal;
    }
    // Equal so far: the longer version wins, unless what follows is a pre-release suffix.
    if ka == Kind::Suffix && ta.token.suffix < Suffix::None {
        return Ordering::Less;
    }
    if kb == Kind::Suffix && tb.token.suffix < Suffix::None {
        return Ordering::Greater;
    }
    kb.cmp(&ka)
}

/// Compares two strings exactly as `apk version -t` does, valid or not.
///
/// apk walks both strings token by token and stops at the first invalid token; two strings that
/// turn invalid at the same token compare equal. Use [`Version`] where an invalid version must be
/// an error.
pub fn compare_strings(a: &str, b: &str) -> Ordering {
    compare_bytes(a.as_bytes(), b.as_bytes(), false)
}

/// Compares two strings as apk's fuzzy match, valid or not: `Equal` when `a` starts with every
/// token of `b` (see [`Version::fuzzy_cmp`]).
pub fn compare_strings_fuzzy(a: &str, b: &str) -> Ordering {
    compare_bytes(a.as_bytes(), b.as_bytes(), true)
}

/// Returns whether apk accepts `input` as a version (`apk_version_validate`).
pub fn is_valid(input: &str) -> bool {
    let mut tokens = Tokens::new(input.as_bytes());
    while tokens.token.kind < Kind::End {
        tokens.advance();
    }
    tokens.token.kind == Kind::End
}

/// A valid Alpine package version.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
}

impl Version {
    /// Parses a version; anything `apk` rejects as invalid is an error.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        if is_valid(input) {
            return Ok(Version {
                input: input.to_owned(),
            });
        }
        Err(VersionError::version(Ecosystem::Apk, input, invalid_reason(input)))
    }

    /// Returns the version without its `-rN` packaging revision, for comparison with an upstream
    /// (NVD or CPE) version.
    pub fn upstream(&self) -> &str {
        self.input
            .rfind("-r")
            .map_or(&self.input, |hyphen| &self.input[..hyphen])
    }

    /// Returns the packaging revision `N` of `-rN`, or 0 when there is none.
    pub fn revision(&self) -> u64 {
        let mut tokens = Tokens::new(self.input.as_bytes());
        while tokens.token.kind < Kind::End {
            if tokens.token.kind == Kind::RevisionNumber {
                return tokens.token.number;
            }
            tokens.advance();
        }
        0
    }

    /// Compares as apk's fuzzy match does: `Equal` when `self` starts with every token of `other`
    /// (`3.6.9` is fuzzy-equal to `3.6`, but `3.6` is not fuzzy-equal to `3.6.9`).
    pub fn fuzzy_cmp(&self, other: &Version) -> Ordering {
        compare_bytes(self.input.as_bytes(), other.input.as_bytes(), true)
    }
}

/// Names the first token apk rejects, for the error message.
fn invalid_reason(input: &str) -> String {
    if input.is_empty() {
        return "the version is empty".to_owned();
    }
    let bytes = input.as_bytes();
    let mut tokens = Tokens::new(bytes);
    let mut position = 0;
    while tokens.token.kind < Kind::End {
        position = bytes.len() - tokens.rest.len();
        tokens.advance();
    }
    if position == 0 && !bytes[0].is_ascii_digit() {
        return "the version does not start with a digit".to_owned();
    }

    let tail = &input[position.min(input.len())..];
    if let Some(rest) = tail.strip_prefix('_') {
        let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase()).collect();
        if name == "r" {
            return "unknown suffix `_r` (the packaging revision is written `-rN`)".to_owned();
        }
        if name.is_empty() {
            return "`_` is not followed by a suffix".to_owned();
        }
        return format!("unknown suffix `_{name}` (expected _alpha, _beta, _pre, _rc, _cvs, _svn, _git, _hg or _p)");
    }
    if tail.starts_with(|c: char| c.is_ascii_lowercase())
        && input[..position].ends_with(|c: char| c.is_ascii_lowercase())
    {
        return format!("only one letter may follow a number, found `{tail}`");
    }
    format!("unexpected `{tail}` at byte {position}")
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_strings(&self.input, &other.input)
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
    const ECOSYSTEM: Ecosystem = Ecosystem::Apk;
    const FUZZY: bool = true;

    fn parse_version(input: &str) -> Result<Self, VersionError> {
        Version::parse(input)
    }

    fn fuzzy_cmp(&self, other: &Self) -> Ordering {
        Version::fuzzy_cmp(self, other)
    }
}

comparator_range!(
    Version,
    "A range of Alpine versions, with apk's fuzzy `~`, `<~` and `>~`."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn suffix_order() {
        let ordered = [
            "1.6_alpha",
            "1.6_beta",
            "1.6_pre",
            "1.6_rc",
            "1.6_rc1",
            "1.6",
            "1.6_cvs",
            "1.6_svn",
            "1.6_git",
            "1.6_hg",
            "1.6_p1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn revision_is_not_a_prerelease() {
        assert_eq!(compare("1.5.1-r1", "1.5.1"), Ordering::Greater);
        assert_eq!(compare("1.5.1-r1", "1.5.1-r10"), Ordering::Less);
        let version = Version::parse("1.5.1-r1").unwrap();
        assert_eq!(version.upstream(), "1.5.1");
        assert_eq!(version.revision(), 1);
    }

    #[test]
    fn leading_zero_compares_as_string() {
        assert_eq!(compare("8.2.0015", "8.2.002"), Ordering::Less);
        assert_eq!(compare("1.09", "1.9"), Ordering::Less);
    }

    #[test]
    fn letters_and_hashes() {
        assert_eq!(compare("1.1.1w", "1.1.1y"), Ordering::Less);
        assert_eq!(compare("1.1.1z", "1.1.2"), Ordering::Less);
        assert_eq!(compare("1.0~1234-r1", "1.0~2345-r0"), Ordering::Less);
        let error = Version::parse("1.1.1za").unwrap_err();
        assert!(error.to_string().contains("only one letter"), "{error}");
    }

    #[test]
    fn malformed_revision_suffix_names_the_input() {
        let error = Version::parse("1.34.0_r0").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`1.34.0_r0`"), "{message}");
        assert!(message.contains("-rN"), "{message}");
    }

    #[test]
    fn invalid_strings_compare_like_apk() {
        assert_eq!(compare_strings("1.0-foo", "1.0"), Ordering::Less);
        assert_eq!(compare_strings("1.0_x", "1.0_y"), Ordering::Equal);
    }

    #[test]
    fn fuzzy_range() {
        let range = Range::parse("~3.6").unwrap();
        assert!(range.contains(&Version::parse("3.6.9_p1").unwrap()));
        assert!(!range.contains(&Version::parse("3.7").unwrap()));
        let range = Range::parse("<~3.6").unwrap();
        assert!(range.contains(&Version::parse("3.5").unwrap()));
        assert!(range.contains(&Version::parse("3.6.4").unwrap()));
        assert!(!range.contains(&Version::parse("3.7").unwrap()));
    }
}
