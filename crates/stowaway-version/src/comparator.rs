//! The comparator-list range syntax shared by the ecosystems that have no range syntax of their
//! own (deb, rpm, apk, golang, generic).
//!
//! A range is one or more alternatives separated by `||`; an alternative is one or more
//! comparators separated by `,`, all of which must hold. A comparator is an operator followed by a
//! version, with optional spaces between them: `>= 1.2, < 1.4 || = 2.0`. The operators are `<`,
//! `<=`, `=` (also `==`), `!=`, `>=` and `>`. deb also accepts dpkg's `<<` and `>>` for `<` and
//! `>`, and apk its fuzzy `~`, `<~` and `>~`. A bare version means `=`, and `*` matches every
//! version.
//!
//! NOTE: dpkg's deprecated relations `<` and `>` meant `<=` and `>=`; here they are strict, as
//! in every other ecosystem.

use std::cmp::Ordering;
use std::fmt;

use crate::{Ecosystem, VersionError};

/// A version type that the comparator syntax can hold.
pub(crate) trait Comparable: Ord + Sized {
    /// The ecosystem named in errors.
    const ECOSYSTEM: Ecosystem;

    /// Whether the fuzzy operators `~`, `<~` and `>~` are accepted.
    const FUZZY: bool = false;

    /// Parses one version.
    fn parse_version(input: &str) -> Result<Self, VersionError>;

    /// Compares a version with the bound of a comparator; rpm overrides it to skip the release
    /// when the bound has none, as `rpm` evaluates `Requires: foo >= 1.0`.
    fn range_cmp(&self, bound: &Self) -> Ordering {
        self.cmp(bound)
    }

    /// Compares where `Equal` also means "`other` is a prefix of `self`"; only apk defines it.
    fn fuzzy_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `<`, also dpkg's `<<`.
    Less,
    /// `<=`.
    LessOrEqual,
    /// `=` or `==`.
    Equal,
    /// `!=`.
    NotEqual,
    /// `>=`.
    GreaterOrEqual,
    /// `>`, also dpkg's `>>`.
    Greater,
    /// apk's `~`: the version starts with the given one, component by component.
    FuzzyEqual,
    /// apk's `<~`: less than, or fuzzy-equal to, the given version.
    FuzzyLessOrEqual,
    /// apk's `>~`: greater than, or fuzzy-equal to, the given version.
    FuzzyGreaterOrEqual,
}

impl Operator {
    /// Splits a leading operator off `input`; the longest spelling wins.
    fn split(input: &str, ecosystem: Ecosystem, fuzzy: bool) -> (Option<Operator>, &str) {
        let mut spellings: Vec<(&str, Operator)> = vec![
            ("<=", Operator::LessOrEqual),
            (">=", Operator::GreaterOrEqual),
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
        ];
        if ecosystem == Ecosystem::Deb {
            spellings.push(("<<", Operator::Less));
            spellings.push((">>", Operator::Greater));
        }
        if fuzzy {
            spellings.push(("<~", Operator::FuzzyLessOrEqual));
            spellings.push((">~", Operator::FuzzyGreaterOrEqual));
        }
        spellings.extend([("<", Operator::Less), (">", Operator::Greater), ("=", Operator::Equal)]);
        if fuzzy {
            spellings.push(("~", Operator::FuzzyEqual));
        }

        for (spelling, operator) in spellings {
            if let Some(rest) = input.strip_prefix(spelling) {
                return (Some(operator), rest);
            }
        }
        (None, input)
    }

    fn as_str(self) -> &'static str {
        match self {
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
            Operator::GreaterOrEqual => ">=",
            Operator::Greater => ">",
            Operator::FuzzyEqual => "~",
            Operator::FuzzyLessOrEqual => "<~",
            Operator::FuzzyGreaterOrEqual => ">~",
        }
    }
}

/// One operator and version.
#[derive(Clone, Debug)]
pub(crate) struct Comparator<V> {
    operator: Operator,
    version: V,
}

impl<V: Comparable> Comparator<V> {
    fn matches(&self, version: &V) -> bool {
        let ordering = || version.range_cmp(&self.version);
        match self.operator {
            Operator::Less => ordering().is_lt(),
            Operator::LessOrEqual => ordering().is_le(),
            Operator::Equal => ordering().is_eq(),
            Operator::NotEqual => ordering().is_ne(),
            Operator::GreaterOrEqual => ordering().is_ge(),
            Operator::Greater => ordering().is_gt(),
            Operator::FuzzyEqual => version.fuzzy_cmp(&self.version).is_eq(),
            Operator::FuzzyLessOrEqual => version.fuzzy_cmp(&self.version).is_le(),
            Operator::FuzzyGreaterOrEqual => version.fuzzy_cmp(&self.version).is_ge(),
        }
    }
}

/// Alternatives of comparator lists; an empty list is `*`.
#[derive(Clone, Debug)]
pub(crate) struct ComparatorSet<V> {
    input: String,
    alternatives: Vec<Vec<Comparator<V>>>,
}

impl<V: Comparable> ComparatorSet<V> {
    /// Parses the syntax described in the module documentation.
    pub(crate) fn parse(input: &str) -> Result<Self, VersionError> {
        let ecosystem = V::ECOSYSTEM;
        if input.trim().is_empty() {
            return Err(VersionError::range(
                ecosystem,
                input,
                "the range is empty (write `*` for every version)",
            ));
        }

        let mut alternatives = Vec::new();
        for alternative in input.split("||") {
            let mut comparators = Vec::new();
            for part in alternative.split(',') {
                let part = part.trim();
                if part == "*" {
                    continue;
                }
                if part.is_empty() {
                    return Err(VersionError::range(ecosystem, input, "a comparator is empty"));
                }

                let (operator, rest) = Operator::split(part, ecosystem, V::FUZZY);
                let text = rest.trim();
                if text.is_empty() {
                    return Err(VersionError::range(
                        ecosystem,
                        input,
                        format!("`{part}` has no version"),
                    ));
                }
                let version = V::parse_version(text).map_err(|error| VersionError::InvalidRange {
                    ecosystem,
                    input: input.to_owned(),
                    reason: format!("`{text}` is not a version"),
                    source: Some(Box::new(error)),
                })?;
                comparators.push(Comparator {
                    operator: operator.unwrap_or(Operator::Equal),
                    version,
                });
            }
            alternatives.push(comparators);
        }

        Ok(ComparatorSet {
            input: input.to_owned(),
            alternatives,
        })
    }

    /// Returns whether every comparator of at least one alternative holds.
    pub(crate) fn contains(&self, version: &V) -> bool {
        self.alternatives
            .iter()
            .any(|comparators| comparators.iter().all(|comparator| comparator.matches(version)))
    }

    /// Returns the operators and versions, alternative by alternative.
    pub(crate) fn alternatives(&self) -> impl Iterator<Item = Vec<(Operator, &V)>> {
        self.alternatives
            .iter()
            .map(|comparators| comparators.iter().map(|c| (c.operator, &c.version)).collect())
    }
}

impl<V> fmt::Display for ComparatorSet<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.input)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares the `Range` type of a comparator-syntax ecosystem module.
macro_rules! comparator_range {
    ($version:ty, $doc:literal) => {
        #[doc = $doc]
        ///
        /// The syntax is the comparator list of [`crate::comparator`]: `>= 1.0, < 2.0 || = 3.0`.
        #[derive(Clone, Debug)]
        pub struct Range($crate::comparator::ComparatorSet<$version>);

        impl Range {
            /// Parses a comparator list.
            pub fn parse(input: &str) -> Result<Self, $crate::VersionError> {
                $crate::comparator::ComparatorSet::parse(input).map(Range)
            }

            /// Returns whether `version` satisfies the range.
            pub fn contains(&self, version: &$version) -> bool {
                self.0.contains(version)
            }

            /// Returns the comparators, one list per `||` alternative.
            pub fn alternatives(&self) -> impl Iterator<Item = Vec<($crate::comparator::Operator, &$version)>> {
                self.0.alternatives()
            }
        }

        impl std::str::FromStr for Range {
            type Err = $crate::VersionError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Range::parse(input)
            }
        }

        impl std::fmt::Display for Range {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use comparator_range;
