//! node-semver ranges: desugaring to comparators (`classes/range.js`) and matching.
//!
//! The desugaring works on strings, as node-semver does, so every corner of its syntax (`~>`,
//! `1.x - 2`, `>=*`, `||`, loose spellings) behaves the same. The comparators are parsed once,
//! and matching never touches a string.

use std::fmt;
use std::str::FromStr;

use regex::Captures;

use super::syntax::{self, Syntax};
use super::{Options, Version, format_without_build};
use crate::{Ecosystem, VersionError};

/// A comparison operator of a desugared comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// One comparator; `version: None` is node-semver's `ANY`, which matches everything.
#[derive(Clone, Debug)]
struct Comparator {
    operator: Operator,
    version: Option<Version>,
    /// node-semver's `value` (`>=1.2.3-0`, or `` for ANY), used to drop duplicates.
    value: String,
}

impl Comparator {
    /// Parses one desugared comparator as `new Comparator(text)`.
    fn parse(text: &str, options: Options) -> Option<Comparator> {
        let text = syntax::WHITESPACE.split(text.trim()).collect::<Vec<_>>().join(" ");
        let syntax = if options.loose {
            &*syntax::LOOSE
        } else {
            &*syntax::STRICT
        };
        let captures = syntax.comparator.captures(&text)?;

        let operator = match captures.get(1).map_or("", |m| m.as_str()) {
            "<" => Operator::Less,
            "<=" => Operator::LessOrEqual,
            ">" => Operator::Greater,
            ">=" => Operator::GreaterOrEqual,
            _ => Operator::Equal,
        };
        let Some(version_text) = captures.get(2) else {
            return Some(Comparator {
                operator,
                version: None,
                value: String::new(),
            });
        };
        let version = Version::parse_with(version_text.as_str(), options).ok()?;
        let spelling = match operator {
            Operator::Equal => "",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
        };
        let value = format!("{spelling}{}", format_without_build(&version));
        Some(Comparator {
            operator,
            version: Some(version),
            value,
        })
    }

    fn matches(&self, candidate: &Version) -> bool {
        let Some(version) = &self.version else {
            return true;
        };
        let ordering = candidate.cmp(version);
        match self.operator {
            Operator::Equal => ordering.is_eq(),
            Operator::Less => ordering.is_lt(),
            Operator::LessOrEqual => ordering.is_le(),
            Operator::Greater => ordering.is_gt(),
            Operator::GreaterOrEqual => ordering.is_ge(),
        }
    }

    /// `<0.0.0-0`, which nothing satisfies.
    fn is_null_set(&self) -> bool {
        self.value == "<0.0.0-0"
    }
}

/// node-semver's `isX`: a missing part, `x`, `X` or `*`.
fn is_x(part: Option<&str>) -> bool {
    matches!(part, None | Some("" | "x" | "X" | "*"))
}

/// JavaScript's `+part + 1` on a digit string; `None` past `u64` (node-semver would then build a
/// version that fails to parse).
fn plus_one(part: Option<&str>) -> Option<String> {
    part.unwrap_or("0")
        .parse::<u64>()
        .ok()?
        .checked_add(1)
        .map(|n| n.to_string())
}

/// Text of capture `index`, or `None` when the group did not take part.
fn group<'a>(captures: &'a Captures<'_>, index: usize) -> Option<&'a str> {
    captures.get(index).map(|m| m.as_str())
}

const OVERFLOW: &str = "\u{0}overflow";

fn replace_tilde(text: &str, syntax: &Syntax, options: Options) -> String {
    let z = if options.include_prerelease { "-0" } else { "" };
    syntax
        .tilde
        .replace(text, |c: &Captures<'_>| {
            let (major, minor, patch, pre) = (group(c, 1), group(c, 2), group(c, 3), group(c, 4));
            let (m, n) = (major.unwrap_or(""), minor.unwrap_or(""));
            let next_major = plus_one(major).unwrap_or_else(|| OVERFLOW.to_owned());
            let next_minor = plus_one(minor).unwrap_or_else(|| OVERFLOW.to_owned());
            if is_x(major) {
                String::new()
            } else if is_x(minor) {
                format!(">={m}.0.0{z} <{next_major}.0.0-0")
            } else if is_x(patch) {
                format!(">={m}.{n}.0{z} <{m}.{next_minor}.0-0")
            } else if let Some(pre) = pre {
                format!(">={m}.{n}.{}-{pre} <{m}.{next_minor}.0-0", patch.unwrap_or(""))
            } else {
                format!(">={m}.{n}.{} <{m}.{next_minor}.0-0", patch.unwrap_or(""))
            }
        })
        .into_owned()
}

fn replace_caret(text: &str, syntax: &Syntax, options: Options) -> String {
    let z = if options.include_prerelease { "-0" } else { "" };
    syntax
        .caret
        .replace(text, |c: &Captures<'_>| {
            let (major, minor, patch, pre) = (group(c, 1), group(c, 2), group(c, 3), group(c, 4));
            let (m, n, p) = (major.unwrap_or(""), minor.unwrap_or(""), patch.unwrap_or(""));
            let next = |part: Option<&str>| plus_one(part).unwrap_or_else(|| OVERFLOW.to_owned());
            if is_x(major) {
                String::new()
            } else if is_x(minor) {
                format!(">={m}.0.0{z} <{}.0.0-0", next(major))
            } else if is_x(patch) {
                if m == "0" {
                    format!(">={m}.{n}.0{z} <{m}.{}.0-0", next(minor))
                } else {
                    format!(">={m}.{n}.0{z} <{}.0.0-0", next(major))
                }
            } else if let Some(pre) = pre {
                if m == "0" && n == "0" {
                    format!(">={m}.{n}.{p}-{pre} <{m}.{n}.{}-0", next(patch))
                } else if m == "0" {
                    format!(">={m}.{n}.{p}-{pre} <{m}.{}.0-0", next(minor))
                } else {
                    format!(">={m}.{n}.{p}-{pre} <{}.0.0-0", next(major))
                }
            } else if m == "0" && n == "0" {
                format!(">={m}.{n}.{p} <{m}.{n}.{}-0", next(patch))
            } else if m == "0" {
                format!(">={m}.{n}.{p} <{m}.{}.0-0", next(minor))
            } else {
                format!(">={m}.{n}.{p} <{}.0.0-0", next(major))
            }
        })
        .into_owned()
}

fn replace_xrange(text: &str, syntax: &Syntax, options: Options) -> String {
    let text = text.trim();
    syntax
        .xrange
        .replace(text, |c: &Captures<'_>| {
            let whole = c.get(0).map_or("", |m| m.as_str()).to_owned();
            let mut operator = group(c, 1).unwrap_or("").to_owned();
            let (major, minor, patch) = (group(c, 2), group(c, 3), group(c, 4));
            let x_major = is_x(major);
            let x_minor = x_major || is_x(minor);
            let x_patch = x_minor || is_x(patch);
            if operator == "=" && x_patch {
                operator.clear();
            }
            let mut pre = if options.include_prerelease { "-0" } else { "" };
            let next = |part: Option<&str>| plus_one(part).unwrap_or_else(|| OVERFLOW.to_owned());

            if x_major {
                return if operator == ">" || operator == "<" {
                    "<0.0.0-0".to_owned()
                } else {
                    "*".to_owned()
                };
            }
            let m = major.unwrap_or("").to_owned();
            if !operator.is_empty() && x_patch {
                let (mut m, mut n, p) = (
                    m,
                    if x_minor {
                        "0".to_owned()
                    } else {
                        minor.unwrap_or("").to_owned()
                    },
                    "0",
                );
                if operator == ">" {
                    operator = ">=".to_owned();
                    if x_minor {
                        m = next(Some(&m));
                        n = "0".to_owned();
                    } else {
                        n = next(Some(&n));
                    }
                } else if operator == "<=" {
                    operator = "<".to_owned();
                    if x_minor {
                        m = next(Some(&m));
                    } else {
                        n = next(Some(&n));
                    }
                }
                if operator == "<" {
                    pre = "-0";
                }
                return format!("{operator}{m}.{n}.{p}{pre}");
            }
            if x_minor {
                return format!(">={m}.0.0{pre} <{}.0.0-0", next(major));
            }
            if x_patch {
                let n = minor.unwrap_or("");
                return format!(">={m}.{n}.0{pre} <{m}.{}.0-0", next(minor));
            }
            whole
        })
        .into_owned()
}

/// `parseComparator`: build metadata out, then carets, tildes, x-ranges and stars desugared.
fn desugar_comparator(text: &str, syntax: &Syntax, options: Options) -> String {
    let text = syntax::BUILD.replace(text, "");
    let words = |text: &str| {
        syntax::WHITESPACE
            .split(text.trim())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };

    let carets: Vec<String> = words(&text).iter().map(|w| replace_caret(w, syntax, options)).collect();
    let tildes: Vec<String> = words(&carets.join(" "))
        .iter()
        .map(|w| replace_tilde(w, syntax, options))
        .collect();
    let joined = tildes.join(" ");
    let xranges: Vec<String> = syntax::WHITESPACE
        .split(&joined)
        .map(|w| replace_xrange(w, syntax, options))
        .collect();
    syntax::STAR.replace(xranges.join(" ").trim(), "").into_owned()
}

/// `hyphenReplace`: `1.2 - 2.3.4` to `>=1.2.0 <=2.3.4`.
fn replace_hyphen(text: &str, syntax: &Syntax, options: Options) -> String {
    let include = options.include_prerelease;
    syntax
        .hyphen_range
        .replace(text, |c: &Captures<'_>| {
            let from_text = group(c, 1).unwrap_or("");
            let (fm, fn_, fp, fpre) = (group(c, 2), group(c, 3), group(c, 4), group(c, 5));
            let to_text = group(c, 7).unwrap_or("");
            let (tm, tn, tp, tpre) = (group(c, 8), group(c, 9), group(c, 10), group(c, 11));
            let zero = if include { "-0" } else { "" };
            let next = |part: Option<&str>| plus_one(part).unwrap_or_else(|| OVERFLOW.to_owned());

            let from = if is_x(fm) {
                String::new()
            } else if is_x(fn_) {
                format!(">={}.0.0{zero}", fm.unwrap_or(""))
            } else if is_x(fp) {
                format!(">={}.{}.0{zero}", fm.unwrap_or(""), fn_.unwrap_or(""))
            } else if fpre.is_some() {
                format!(">={from_text}")
            } else {
                format!(">={from_text}{zero}")
            };

            let to = if is_x(tm) {
                String::new()
            } else if is_x(tn) {
                format!("<{}.0.0-0", next(tm))
            } else if is_x(tp) {
                format!("<{}.{}.0-0", tm.unwrap_or(""), next(tn))
            } else if let Some(pre) = tpre {
                format!("<={}.{}.{}-{pre}", tm.unwrap_or(""), tn.unwrap_or(""), tp.unwrap_or(""))
            } else if include {
                format!("<{}.{}.{}-0", tm.unwrap_or(""), tn.unwrap_or(""), next(tp))
            } else {
                format!("<={to_text}")
            };
            format!("{from} {to}").trim().to_owned()
        })
        .into_owned()
}

/// Desugars one `||` alternative to its comparators, as `Range.parseRange`. The error contains
/// the comparator that does not parse in strict mode.
fn parse_alternative(text: &str, options: Options) -> Result<Vec<Comparator>, String> {
    let syntax = if options.loose {
        &*syntax::LOOSE
    } else {
        &*syntax::STRICT
    };

    let text = replace_hyphen(text, syntax, options);
    let text = syntax::COMPARATOR_TRIM.replace_all(&text, "$1$2$3");
    let text = syntax::TILDE_TRIM.replace_all(&text, "$1~");
    let text = syntax::CARET_TRIM.replace_all(&text, "$1^");

    let desugared: Vec<String> = text
        .split(' ')
        .map(|part| desugar_comparator(part, syntax, options))
        .collect();
    let joined = desugared.join(" ");
    let gte0 = if options.include_prerelease {
        &*syntax::GTE0_PRERELEASE
    } else {
        &*syntax::GTE0
    };
    let mut parts: Vec<String> = syntax::WHITESPACE
        .split(&joined)
        .map(|part| gte0.replace(part.trim(), "").into_owned())
        .collect();
    if options.loose {
        parts.retain(|part| syntax.comparator.is_match(part));
    }

    // Later duplicates replace earlier ones in place, as in a JavaScript `Map`.
    let mut comparators: Vec<Comparator> = Vec::new();
    for part in &parts {
        let comparator = Comparator::parse(part, options).ok_or_else(|| part.clone())?;
        if comparator.is_null_set() {
            return Ok(vec![comparator]);
        }
        match comparators
            .iter_mut()
            .find(|existing| existing.value == comparator.value)
        {
            Some(existing) => *existing = comparator,
            None => comparators.push(comparator),
        }
    }
    if comparators.len() > 1 {
        comparators.retain(|comparator| !comparator.value.is_empty());
    }
    Ok(comparators)
}

/// An npm range such as `^1.2.3`, `~1.2`, `>=1.0.0 <1.4.0 || 2.x` or `1.2.3 - 2.3.4`.
#[derive(Clone, Debug)]
pub struct Range {
    input: String,
    options: Options,
    alternatives: Vec<Vec<Comparator>>,
}

impl Range {
    /// Parses a range with the strict syntax, as `new Range(input)`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        Range::parse_with(input, Options::default())
    }

    /// Parses a range with node-semver's options.
    pub fn parse_with(input: &str, options: Options) -> Result<Self, VersionError> {
        let raw = syntax::WHITESPACE.replace_all(input.trim(), " ");

        let mut alternatives = Vec::new();
        for alternative in raw.split("||") {
            let comparators = parse_alternative(alternative.trim(), options).map_err(|comparator| {
                VersionError::range(Ecosystem::Npm, input, format!("invalid comparator `{comparator}`"))
            })?;
            if !comparators.is_empty() {
                alternatives.push(comparators);
            }
        }
        if alternatives.is_empty() {
            return Err(VersionError::range(
                Ecosystem::Npm,
                input,
                "no alternative has a valid comparator",
            ));
        }

        // Drop alternatives that match nothing, unless all do; one `*` alternative absorbs the rest.
        if alternatives.len() > 1 {
            let first = alternatives[0].clone();
            alternatives.retain(|comparators| !comparators[0].is_null_set());
            if alternatives.is_empty() {
                alternatives = vec![first];
            } else if let Some(any) = alternatives
                .iter()
                .find(|comparators| comparators.len() == 1 && comparators[0].value.is_empty())
            {
                alternatives = vec![any.clone()];
            }
        }

        Ok(Range {
            input: input.to_owned(),
            options,
            alternatives,
        })
    }

    /// Returns whether `version` satisfies the range, with node-semver's pre-release rule.
    pub fn contains(&self, version: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|comparators| self.alternative_contains(comparators, version))
    }

    /// node-semver's `testSet`.
    fn alternative_contains(&self, comparators: &[Comparator], version: &Version) -> bool {
        if !comparators.iter().all(|comparator| comparator.matches(version)) {
            return false;
        }
        if !version.is_prerelease() || self.options.include_prerelease {
            return true;
        }

        // A pre-release only matches when a comparator names a pre-release of the same release.
        comparators.iter().any(|comparator| {
            comparator
                .version
                .as_ref()
                .is_some_and(|allowed| allowed.is_prerelease() && allowed.release() == version.release())
        })
    }
}

/// Returns node-semver's `satisfies(version, range, options)`: `false` when either does not parse.
pub fn satisfies(version: &str, range: &str, options: Options) -> bool {
    let Ok(range) = Range::parse_with(range, options) else {
        return false;
    };
    Version::parse_with(version, options).is_ok_and(|version| range.contains(&version))
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

    fn strict(range: &str, version: &str) -> bool {
        satisfies(version, range, Options::default())
    }

    #[test]
    fn caret_tilde_and_x_ranges() {
        assert!(strict("^1.2.3", "1.8.1"));
        assert!(!strict("^0.0.1", "0.0.2"));
        assert!(strict("~1.2.1 >=1.2.3", "1.2.3"));
        assert!(strict("1.2.x || 2.x", "2.1.3"));
        assert!(!strict("<0.7.x", "0.7.2"));
    }

    #[test]
    fn prerelease_needs_same_release() {
        assert!(strict("^0.0.1-alpha", "0.0.1-beta"));
        assert!(!strict("^1.2.3", "1.2.3-pre"));
        let options = Options {
            loose: false,
            include_prerelease: true,
        };
        assert!(satisfies("1.0.1-rc1", "^1.0.0", options));
    }

    #[test]
    fn hyphen_ranges() {
        assert!(strict("1.2.3 - 2.3.4", "2.3.4"));
        assert!(!strict("1 - 2", "2.0.0-pre"));
        assert!(strict("x - 1.x", "0.9.7"));
    }

    #[test]
    fn invalid_range_names_the_input() {
        let error = Range::parse(">=1.0.0 foo").unwrap_err();
        assert!(error.to_string().contains("invalid npm range `>=1.0.0 foo`"), "{error}");
    }
}
