//! Maven version ranges, as `VersionRange.createFromVersionSpec` parses them.
//!
//! `[1.0,2.0)` is `1.0 <= v < 2.0`, `(,1.0],[1.2,)` is a union, `[1.0]` is exactly 1.0. A bare
//! version such as `1.0` is Maven's soft requirement ("prefer 1.0") and matches every version.

use std::fmt;
use std::str::FromStr;

use super::Version;
use crate::{Ecosystem, VersionError};

/// One bracketed interval.
#[derive(Clone, Debug)]
struct Restriction {
    lower: Option<(Version, bool)>,
    upper: Option<(Version, bool)>,
}

impl Restriction {
    fn contains(&self, version: &Version) -> bool {
        let above = self.lower.as_ref().is_none_or(
            |(lower, inclusive)| {
                if *inclusive { version >= lower } else { version > lower }
            },
        );
        let below = self.upper.as_ref().is_none_or(
            |(upper, inclusive)| {
                if *inclusive { version <= upper } else { version < upper }
            },
        );
        above && below
    }
}

/// A Maven version range or soft requirement.
#[derive(Clone, Debug)]
pub struct Range {
    input: String,
    restrictions: Vec<Restriction>,
}

impl Range {
    /// Parses a range as Maven does, with its errors (unbounded, overlapping, reversed ranges).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let invalid = |reason: &str| VersionError::range(Ecosystem::Maven, input, reason);
        let version = |text: &str| {
            Version::parse(text).map_err(|error| VersionError::InvalidRange {
                ecosystem: Ecosystem::Maven,
                input: input.to_owned(),
                reason: format!("`{text}` is not a version"),
                source: Some(Box::new(error)),
            })
        };

        let mut restrictions: Vec<Restriction> = Vec::new();
        let mut process = input.trim();
        let mut previous_upper: Option<Version> = None;

        while process.starts_with('[') || process.starts_with('(') {
            let close = match (process.find(')'), process.find(']')) {
                (Some(paren), Some(bracket)) => paren.min(bracket),
                (Some(index), None) | (None, Some(index)) => index,
                (None, None) => return Err(invalid("the range is not closed")),
            };
            let restriction = parse_restriction(&process[..=close], &invalid, &version)?;

            // Restrictions must be ordered and must not overlap; like Maven, this is only checked
            // after a restriction with an upper bound.
            if let Some(upper) = &previous_upper {
                let overlaps = restriction.lower.as_ref().is_none_or(|(lower, _)| lower < upper);
                if overlaps {
                    return Err(invalid("the ranges overlap"));
                }
            }
            previous_upper = restriction.upper.as_ref().map(|(upper, _)| upper.clone());
            restrictions.push(restriction);

            process = process[close + 1..].trim();
            if let Some(rest) = process.strip_prefix(',') {
                process = rest.trim();
            }
        }

        if !process.is_empty() {
            if !restrictions.is_empty() {
                return Err(invalid("a bare version cannot follow bracketed ranges"));
            }
            version(process)?;
            restrictions.push(Restriction {
                lower: None,
                upper: None,
            });
        }
        if restrictions.is_empty() {
            return Err(invalid("the range is empty"));
        }
        Ok(Range {
            input: input.to_owned(),
            restrictions,
        })
    }

    /// Returns whether `version` lies in one of the intervals.
    pub fn contains(&self, version: &Version) -> bool {
        self.restrictions
            .iter()
            .any(|restriction| restriction.contains(version))
    }
}

fn parse_restriction(
    text: &str,
    invalid: &dyn Fn(&str) -> VersionError,
    version: &dyn Fn(&str) -> Result<Version, VersionError>,
) -> Result<Restriction, VersionError> {
    let lower_inclusive = text.starts_with('[');
    let upper_inclusive = text.ends_with(']');
    let inner = text[1..text.len() - 1].trim();

    let Some((lower, upper)) = inner.split_once(',') else {
        if !lower_inclusive || !upper_inclusive {
            return Err(invalid("a single version must be written `[1.0]`"));
        }
        let exact = version(inner)?;
        return Ok(Restriction {
            lower: Some((exact.clone(), true)),
            upper: Some((exact, true)),
        });
    };

    let (lower, upper) = (lower.trim(), upper.trim());
    if upper.contains(',') {
        return Err(invalid("an interval has more than two bounds"));
    }
    let lower = if lower.is_empty() { None } else { Some(version(lower)?) };
    let upper = if upper.is_empty() { None } else { Some(version(upper)?) };
    if let (Some(lower), Some(upper)) = (&lower, &upper) {
        let ordering = upper.cmp(lower);
        if ordering.is_lt() || (ordering.is_eq() && !(lower_inclusive && upper_inclusive)) {
            return Err(invalid("the upper bound is below the lower bound"));
        }
    }
    Ok(Restriction {
        lower: lower.map(|lower| (lower, lower_inclusive)),
        upper: upper.map(|upper| (upper, upper_inclusive)),
    })
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

    fn contains(range: &str, version: &str) -> bool {
        Range::parse(range).unwrap().contains(&Version::parse(version).unwrap())
    }

    #[test]
    fn intervals_and_unions() {
        assert!(contains("[1.0,2.0)", "1.5"));
        assert!(!contains("[1.0,2.0)", "2.0"));
        assert!(contains("(,1.0],[1.2,)", "1.3"));
        assert!(!contains("(,1.0],[1.2,)", "1.1"));
        assert!(contains("[1.0]", "1.0.0"));
        assert!(contains("1.0", "7.0"));
    }

    #[test]
    fn maven_rejects_bad_ranges() {
        for bad in ["[1.0,2.0", "(1.0)", "[2.0,1.0]", "[1.0,2.0],[1.5,3.0]", "[1.0,2.0],3.0"] {
            let error = Range::parse(bad).unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
    }
}
