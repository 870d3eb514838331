//! Ruby gem versions, ordered as RubyGems' `Gem::Version`, and `Gem::Requirement`s.
//!
//! Quirks handled here, as RubyGems implements them (`lib/rubygems/version.rb`, 2025):
//! - the syntax is `N(.X)*(-X(.X)*)?` with `X` alphanumeric; an empty string is `0`;
//! - a `-` becomes `.` before an identifier with a letter and `.pre.` before a numeric one, so
//!   `1.0.0-beta.1 == 1.0.0.beta.1` and `1.0.0-1` is the pre-release `1.0.0.pre.1`;
//! - a `pre` segment directly before a letter segment is dropped, because older RubyGems
//!   inserted it (`1.0.0.pre.beta.1 == 1.0.0.beta.1`);
//! - any letter makes a pre-release;
//! - the version is split into runs of digits and runs of letters (`1.0.b1` is `1, 0, b, 1`);
//! - trailing zeros are dropped, and so are zeros between the release and the first letter
//!   (`1.2.pre.1 == 1.2.0.pre.1.0`); missing segments count as 0;
//! - a letter segment sorts below a number (`1.0.a < 1.0 < 1.0.0.1`), letters compare bytewise;
//! - `~> 1.2.3` means `>= 1.2.3, < 1.3` and `~> 1.2` means `>= 1.2, < 2`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Ecosystem, VersionError};

/// A segment: a run of digits or of letters.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros, `"0"` for zero, of any length (Ruby integers are unbounded).
    Number(String),
    Text(String),
}

impl Segment {
    /// Compares with a missing segment, which counts as 0.
    fn cmp_zero(&self) -> Ordering {
        match self {
            Segment::Number(digits) if digits == "0" => Ordering::Equal,
            Segment::Number(_) => Ordering::Greater,
            Segment::Text(_) => Ordering::Less,
        }
    }

    fn cmp(&self, other: &Segment) -> Ordering {
        match (self, other) {
            (Segment::Number(a), Segment::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Segment::Text(a), Segment::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
        }
    }
}

/// Checks `Gem::Version::ANCHORED_VERSION_PATTERN` on an already stripped string.
fn is_correct(text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    let (release, prerelease) = match text.split_once('-') {
        Some((release, prerelease)) => (release, Some(prerelease)),
        None => (text, None),
    };

    let mut parts = release.split('.');
    let first = parts.next().unwrap_or("");
    let release_ok = !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && parts.all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    let prerelease_ok = prerelease.is_none_or(|prerelease| {
        prerelease
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    release_ok && prerelease_ok
}

/// Splits into runs of digits and letters, as `@version.scan(/[0-9]+|[a-z]+/i)`.
fn segments(text: &str) -> Vec<Segment> {
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let start = index;
        if bytes[index].is_ascii_digit() {
            while index < bytes.len() && bytes[index].is_ascii_digit() {
                index += 1;
            }
            let digits = text[start..index].trim_start_matches('0');
            segments.push(Segment::Number(if digits.is_empty() {
                "0".to_owned()
            } else {
                digits.to_owned()
            }));
        } else if bytes[index].is_ascii_alphabetic() {
            while index < bytes.len() && bytes[index].is_ascii_alphabetic() {
                index += 1;
            }
            segments.push(Segment::Text(text[start..index].to_owned()));
        } else {
            index += 1;
        }
    }
    segments
}

/// `normalize_hyphens`: `-` becomes `.` before an identifier with a letter, `.pre.` otherwise.
fn normalize_hyphens(text: &str) -> String {
    if !text.contains('-') {
        return text.to_owned();
    }
    // Ruby's `split("-")` drops trailing empty parts.
    let mut parts: Vec<&str> = text.split('-').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            let first_identifier = part.split('.').next().unwrap_or("");
            if index == 0 || first_identifier.bytes().any(|b| b.is_ascii_alphabetic()) {
                (*part).to_owned()
            } else {
                format!("pre.{part}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `canonical_segments`: trailing zeros and the zeros before the first letter dropped, then the
/// segments, then the redundant `pre` segments dropped.
fn canonical(text: &str) -> Vec<Segment> {
    let bytes = text.as_bytes();
    let mut canonical = text.to_owned();

    // `sub(/(?<=[a-zA-Z.])[.0]+\z/, "")`: the trailing run of `.` and `0` after a letter or a dot.
    let run_start = bytes.len() - bytes.iter().rev().take_while(|&&b| b == b'.' || b == b'0').count();
    let cut = (run_start..bytes.len()).find(|&k| k > 0 && (bytes[k - 1].is_ascii_alphabetic() || bytes[k - 1] == b'.'));
    if let Some(cut) = cut {
        canonical.truncate(cut);
    }

    // `sub!(/(?<=\.|\A)[0.]+(?=[a-zA-Z])/, "")` on a pre-release: zeros before the first letter.
    if bytes.iter().any(u8::is_ascii_alphabetic) {
        let current = canonical.as_bytes();
        let found = (0..current.len()).find_map(|k| {
            let anchored = k == 0 || current[k - 1] == b'.';
            let run = current[k..].iter().take_while(|&&b| b == b'.' || b == b'0').count();
            let letter_follows = current.get(k + run).is_some_and(u8::is_ascii_alphabetic);
            (anchored && run > 0 && letter_follows).then_some((k, k + run))
        });
        if let Some((from, to)) = found {
            canonical.replace_range(from..to, "");
        }
    }

    // `skip_redundant_pre_segments`: `pre` followed by a letter segment.
    let segments = segments(&canonical);
    let mut kept = Vec::with_capacity(segments.len());
    for (index, segment) in segments.iter().enumerate() {
        let redundant =
            *segment == Segment::Text("pre".to_owned()) && matches!(segments.get(index + 1), Some(Segment::Text(_)));
        if !redundant {
            kept.push(segment.clone());
        }
    }
    kept
}

/// A Ruby gem version.
#[derive(Clone, Debug)]
pub struct Version {
    /// The stripped version with its hyphens normalised.
    text: String,
    segments: Vec<Segment>,
    canonical: Vec<Segment>,
}

impl Version {
    /// Parses a version as `Gem::Version.new`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        // Ruby's `\s`: space, tab, line feed, vertical tab, form feed, carriage return.
        let stripped = input.trim_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
        if !is_correct(stripped) {
            return Err(VersionError::version(
                Ecosystem::Gem,
                input,
                "malformed version number string",
            ));
        }
        let text = if stripped.is_empty() {
            "0".to_owned()
        } else {
            normalize_hyphens(stripped)
        };
        let segments = segments(&text);
        let canonical = canonical(&text);
        Ok(Version {
            text,
            segments,
            canonical,
        })
    }

    /// Returns whether the version contains a letter, as `prerelease?`.
    pub fn is_prerelease(&self) -> bool {
        self.text.bytes().any(|b| b.is_ascii_alphabetic())
    }

    /// Returns the release of a pre-release (`1.2.3.pre.1` gives `1.2.3`), as `release`.
    pub fn release(&self) -> Version {
        if !self.is_prerelease() {
            return self.clone();
        }
        let mut segments = self.segments.clone();
        while segments.iter().any(|s| matches!(s, Segment::Text(_))) {
            segments.pop();
        }
        Version::from_segments(&segments)
    }

    /// Returns the upper bound of `~>`, as `bump`: `1.2.3` gives `1.3`, `1.2` gives `2`.
    pub fn bump(&self) -> Version {
        let mut segments = self.segments.clone();
        while segments.iter().any(|s| matches!(s, Segment::Text(_))) {
            segments.pop();
        }
        if segments.len() > 1 {
            segments.pop();
        }
        if let Some(Segment::Number(digits)) = segments.last_mut() {
            *digits = increment(digits);
        }
        Version::from_segments(&segments)
    }

    fn from_segments(segments: &[Segment]) -> Version {
        let text = segments
            .iter()
            .map(|segment| match segment {
                Segment::Number(digits) | Segment::Text(digits) => digits.as_str(),
            })
            .collect::<Vec<_>>()
            .join(".");
        let text = if text.is_empty() { "0".to_owned() } else { text };
        let segments = self::segments(&text);
        let canonical = canonical(&text);
        Version {
            text,
            segments,
            canonical,
        }
    }
}

/// Adds one to a decimal string.
fn increment(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let length = self.canonical.len().max(other.canonical.len());
        for index in 0..length {
            let ordering = match (self.canonical.get(index), other.canonical.get(index)) {
                (Some(left), Some(right)) => left.cmp(right),
                (Some(left), None) => left.cmp_zero(),
                (None, Some(right)) => right.cmp_zero().reverse(),
                (None, None) => Ordering::Equal,
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        Ordering::Equal
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
    /// Writes the version as RubyGems stores it (`1.0-1` becomes `1.0.pre.1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A `Gem::Requirement` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    Pessimistic,
}

/// Gem requirements: `~> 1.2.3, != 1.2.5`; alternatives separated by `||` (an extension for
/// advisory lists such as `patched_versions`, where any entry may match).
#[derive(Clone, Debug)]
pub struct Range {
    input: String,
    alternatives: Vec<Vec<(Operator, Version)>>,
}

impl Range {
    /// Parses requirements; each is `[op] version` with RubyGems' operators.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let mut alternatives = Vec::new();
        for alternative in input.split("||") {
            let mut requirements = Vec::new();
            for part in alternative.split(',') {
                requirements.push(parse_requirement(input, part.trim())?);
            }
            alternatives.push(requirements);
        }
        Ok(Range {
            input: input.to_owned(),
            alternatives,
        })
    }

    /// Returns whether every requirement of one alternative is satisfied.
    pub fn contains(&self, version: &Version) -> bool {
        self.alternatives.iter().any(|requirements| {
            requirements.iter().all(|(operator, bound)| match operator {
                Operator::Equal => version == bound,
                Operator::NotEqual => version != bound,
                Operator::Greater => version > bound,
                Operator::Less => version < bound,
                Operator::GreaterOrEqual => version >= bound,
                Operator::LessOrEqual => version <= bound,
                Operator::Pessimistic => version >= bound && version.release() < bound.bump(),
            })
        })
    }
}

fn parse_requirement(input: &str, text: &str) -> Result<(Operator, Version), VersionError> {
    let spellings = [
        ("~>", Operator::Pessimistic),
        (">=", Operator::GreaterOrEqual),
        ("<=", Operator::LessOrEqual),
        ("!=", Operator::NotEqual),
        ("=", Operator::Equal),
        (">", Operator::Greater),
        ("<", Operator::Less),
    ];
    let (operator, rest) = spellings
        .iter()
        .find_map(|(spelling, operator)| text.strip_prefix(spelling).map(|rest| (*operator, rest)))
        .unwrap_or((Operator::Equal, text));
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(VersionError::range(
            Ecosystem::Gem,
            input,
            format!("requirement `{text}` has no version"),
        ));
    }
    let version = Version::parse(rest).map_err(|error| VersionError::InvalidRange {
        ecosystem: Ecosystem::Gem,
        input: input.to_owned(),
        reason: format!("illformed requirement `{text}`"),
        source: Some(Box::new(error)),
    })?;
    Ok((operator, version))
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
    fn prerelease_letters_sort_first() {
        assert!(version("1.0.a") < version("1.0"));
        assert!(version("1.8.2.a10") > version("1.8.2.a9"));
        assert_eq!(version("1.0.0-beta.1"), version("1.0.0.beta.1"));
        assert_eq!(version("1.0.0-1").to_string(), "1.0.0.pre.1");
        assert!(version("1.0.0-1") < version("1.0.0"));
        assert_eq!(version("1.2.pre.1"), version("1.2.0.pre.1.0"));
        assert_eq!(version(""), version("0"));
    }

    #[test]
    fn pessimistic_requirement() {
        let range = Range::parse("~> 1.2.3").unwrap();
        assert!(range.contains(&version("1.2.9")));
        assert!(!range.contains(&version("1.3.0")));
        let range = Range::parse("~> 1.2").unwrap();
        assert!(range.contains(&version("1.9")));
        assert!(!range.contains(&version("2.0")));
        assert_eq!(version("1.2.3.pre.1").release(), version("1.2.3"));
        assert_eq!(version("9.9").bump(), version("10"));
    }

    #[test]
    fn requirements_and_alternatives() {
        let range = Range::parse(">= 5.2.4.3, < 6.0 || >= 6.0.3.1").unwrap();
        assert!(range.contains(&version("5.2.5")));
        assert!(!range.contains(&version("6.0.3")));
        assert!(range.contains(&version("6.1")));
    }

    #[test]
    fn malformed_names_the_input() {
        for bad in ["1..2", "a1", "1.2 3", "1-", "-1"] {
            let error = Version::parse(bad).unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
    }
}
