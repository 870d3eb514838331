//! Python package versions (PEP 440) and version specifiers.
//!
//! Parsing, normalisation and ordering come from `pep440_rs` 0.7, because the newer `uv-pep440`
//! needs Rust 1.97. It agrees with `packaging` 26.4 on the orderings of packaging's own test
//! suite. PEP 440 quirks handled there: `2022.12.07 == 2022.12.7`, `1.0 == 1.0.0`, spellings such
//! as `1.0-RC1` and `1.0.post` normalise, and `1.0.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 <
//! 1.0+local < 1.0.post1`.
//!
//! Specifier matching is written here because `pep440_rs` rejects `3.0.0a7` for `<3.0.0a8`, which
//! `packaging` accepts, and clones both versions on every check. [`Range`] follows the range model
//! of `packaging` 26 with pre-releases allowed, which is what a vulnerability range needs:
//! - `<V` excludes the pre-releases of `V` unless `V` is a pre-release (`2.0.dev1` is not `<2`);
//! - `>V` excludes the post-releases and local versions of `V` unless `V` is a post-release;
//! - `==V` and `<=V` accept local versions of `V` when `V` has no local label;
//! - `==V.*` is `[V.dev0, next.dev0)`, `~=V.N` is `>=V.N, ==V.*`;
//! - `===V` compares strings, ignoring letter case.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use pep440_rs::Operator;

use crate::{Ecosystem, VersionError};

/// A PEP 440 version.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
    version: pep440_rs::Version,
}

impl Version {
    /// Parses and normalises a PEP 440 version; legacy versions (`0.1dev-r123`) are errors.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        match pep440_rs::Version::from_str(input.trim()) {
            Ok(version) => Ok(Version {
                input: input.to_owned(),
                version,
            }),
            Err(error) => Err(VersionError::InvalidVersion {
                ecosystem: Ecosystem::Pypi,
                input: input.to_owned(),
                reason: "not a PEP 440 version".to_owned(),
                source: Some(Box::new(error)),
            }),
        }
    }

    /// Returns the `pep440_rs` version, for its accessors (epoch, release, pre, post, dev, local).
    pub fn as_pep440(&self) -> &pep440_rs::Version {
        &self.version
    }

    /// Returns the version as written, before normalisation.
    pub fn as_written(&self) -> &str {
        &self.input
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version.cmp(&other.version)
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
    /// Writes the normalised form (`2022.12.07` becomes `2022.12.7`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.version.fmt(f)
    }
}

/// The smallest PEP 440 version; `<V` with a bound at or below it matches nothing.
static MIN_VERSION: LazyLock<pep440_rs::Version> = LazyLock::new(|| pep440_rs::Version::new([0u64]).with_dev(Some(0)));

/// One specifier, reduced at parse time to the bounds `packaging` derives from it.
#[derive(Clone, Debug)]
enum Bound {
    /// `>=V`, and `>V` for a dev or post-release `V` with its next version as the bound.
    AtLeast(pep440_rs::Version),
    /// `<=V`: at most `V`, or a local version of `V`.
    AtMostOrLocalOf(pep440_rs::Version),
    /// `>V` for a final or pre-release `V`: above `V` and above every post-release of `V`.
    AbovePostsOf(pep440_rs::Version),
    /// `<V`, with `V.dev0` as the bound when `V` is final; `None` matches nothing.
    Below(Option<pep440_rs::Version>),
    /// `==V` where `V` has a local label: exactly `V`.
    Exactly(pep440_rs::Version),
    /// `==V` where `V` has no local label: `V` or a local version of `V`.
    PublicEqual(pep440_rs::Version),
    /// `[low, high)`: `==V.*` and `~=V`.
    Between(pep440_rs::Version, pep440_rs::Version),
    /// The negation of the inner bound: `!=V`, `!=V.*`.
    Not(Box<Bound>),
    /// `===V`: the version string, ignoring letter case.
    Arbitrary(String),
}

/// Returns the release without trailing zeros, keeping at least one component.
fn trim_release(release: &[u64]) -> &[u64] {
    let length = release
        .iter()
        .rposition(|&n| n != 0)
        .map_or(1.min(release.len()), |i| i + 1);
    &release[..length]
}

/// Returns whether `candidate` has the epoch, release (ignoring trailing zeros) and pre-release of
/// `version`, the part both families below share.
fn same_base(version: &pep440_rs::Version, candidate: &pep440_rs::Version) -> bool {
    version.epoch() == candidate.epoch()
        && trim_release(version.release()) == trim_release(candidate.release())
        && version.pre() == candidate.pre()
}

/// `V+anything`: the same public version with any local label.
fn is_local_of(version: &pep440_rs::Version, candidate: &pep440_rs::Version) -> bool {
    same_base(version, candidate) && version.post() == candidate.post() && version.dev() == candidate.dev()
}

/// `V`, `V+local`, `V.postN`, `V.postN+local`: what `>V` skips.
fn is_post_of(version: &pep440_rs::Version, candidate: &pep440_rs::Version) -> bool {
    same_base(version, candidate) && (version.dev() == candidate.dev() || candidate.post().is_some())
}

/// The first version past the prefix `release`: `1.2` gives `1.3.dev0`.
fn next_prefix_dev0(epoch: u64, release: &[u64]) -> pep440_rs::Version {
    let mut next = release.to_vec();
    if let Some(last) = next.last_mut() {
        *last += 1;
    }
    pep440_rs::Version::new(next).with_epoch(epoch).with_dev(Some(0))
}

impl Bound {
    fn new(operator: Operator, version: &pep440_rs::Version, written: &str) -> Bound {
        let v = version.clone();
        match operator {
            Operator::GreaterThanEqual => Bound::AtLeast(v),
            Operator::LessThanEqual => Bound::AtMostOrLocalOf(v),
            Operator::GreaterThan => match (v.dev(), v.post()) {
                (Some(dev), _) => Bound::AtLeast(v.with_dev(Some(dev + 1)).without_local()),
                (None, Some(post)) => Bound::AtLeast(v.with_post(Some(post + 1)).with_dev(Some(0)).without_local()),
                (None, None) => Bound::AbovePostsOf(v),
            },
            Operator::LessThan => {
                let bound = if v.any_prerelease() {
                    v
                } else {
                    v.with_dev(Some(0)).without_local()
                };
                Bound::Below((bound > *MIN_VERSION).then_some(bound))
            }
            Operator::Equal if v.is_local() => Bound::Exactly(v),
            Operator::Equal => Bound::PublicEqual(v),
            Operator::NotEqual => Bound::Not(Box::new(Bound::new(Operator::Equal, version, written))),
            Operator::EqualStar => {
                let low = pep440_rs::Version::new(v.release())
                    .with_epoch(v.epoch())
                    .with_dev(Some(0));
                Bound::Between(low, next_prefix_dev0(v.epoch(), v.release()))
            }
            Operator::NotEqualStar => Bound::Not(Box::new(Bound::new(Operator::EqualStar, version, written))),
            Operator::TildeEqual => {
                let prefix = &v.release()[..v.release().len().saturating_sub(1)];
                let high = next_prefix_dev0(v.epoch(), prefix);
                Bound::Between(v, high)
            }
            #[allow(deprecated)]
            Operator::ExactEqual => Bound::Arbitrary(written.to_lowercase()),
        }
    }

    fn contains(&self, candidate: &Version) -> bool {
        let c = &candidate.version;
        match self {
            Bound::AtLeast(v) => c >= v,
            Bound::AtMostOrLocalOf(v) => c <= v || is_local_of(v, c),
            Bound::AbovePostsOf(v) => c > v && !is_post_of(v, c),
            Bound::Below(bound) => bound.as_ref().is_some_and(|bound| c < bound),
            Bound::Exactly(v) => c == v,
            Bound::PublicEqual(v) => c >= v && (c <= v || is_local_of(v, c)),
            Bound::Between(low, high) => c >= low && c < high,
            Bound::Not(bound) => !bound.contains(candidate),
            Bound::Arbitrary(text) => candidate.input.trim().to_lowercase() == *text,
        }
    }
}

/// A PEP 440 specifier set such as `>=2017.11.05, <2022.12.07`, evaluated with pre-releases
/// allowed.
#[derive(Clone, Debug)]
pub struct Range {
    input: String,
    bounds: Vec<Bound>,
}

impl Range {
    /// Parses comma-separated specifiers; every one must hold.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let mut bounds = Vec::new();
        for part in input.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(VersionError::range(Ecosystem::Pypi, input, "a specifier is empty"));
            }
            let specifier =
                pep440_rs::VersionSpecifier::from_str(part).map_err(|error| VersionError::InvalidRange {
                    ecosystem: Ecosystem::Pypi,
                    input: input.to_owned(),
                    reason: format!("`{part}` is not a PEP 440 specifier"),
                    source: Some(Box::new(error)),
                })?;
            let written = part.trim_start_matches(['=', '!', '<', '>', '~']).trim();
            bounds.push(Bound::new(*specifier.operator(), specifier.version(), written));
        }
        Ok(Range {
            input: input.to_owned(),
            bounds,
        })
    }

    /// Returns whether `version` satisfies every specifier.
    pub fn contains(&self, version: &Version) -> bool {
        self.bounds.iter().all(|bound| bound.contains(version))
    }
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

    fn contains(range: &str, candidate: &str) -> bool {
        Range::parse(range).unwrap().contains(&version(candidate))
    }

    #[test]
    fn normalisation_makes_equal() {
        assert_eq!(version("2022.12.07"), version("2022.12.7"));
        assert_eq!(version("1.0-RC1"), version("1.0rc1"));
        assert_eq!(version("2022.12.07").to_string(), "2022.12.7");
    }

    #[test]
    fn prerelease_order() {
        let ordered = ["1.0.dev1", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0+local", "1.0.post1"];
        for pair in ordered.windows(2) {
            assert!(version(pair[0]) < version(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn less_than_skips_own_prereleases() {
        assert!(!contains("<2", "2.0.dev1"));
        assert!(contains("<3.0.0a8", "3.0.0a7"));
        assert!(contains("<2", "1.9"));
    }

    #[test]
    fn greater_than_skips_own_post_and_local() {
        assert!(!contains(">2", "2.0.post1"));
        assert!(!contains(">2", "2.0+local"));
        assert!(contains(">1.0a1", "1.0a2+local"));
        assert!(contains(">1.0.post1", "1.0.post2"));
    }

    #[test]
    fn wildcard_and_compatible() {
        assert!(contains("==2.*", "2.dev1"));
        assert!(!contains("==2.0.*", "2.1"));
        assert!(contains("~=1.0", "1.9"));
        assert!(!contains("~=1.0.0", "1.1.0"));
        assert!(contains("===1.0", "1.0"));
        assert!(!contains("===1.0", "1.0.0"));
    }

    #[test]
    fn malformed_specifier_names_the_input() {
        let error = Range::parse(">=1.0, lolwat").unwrap_err();
        assert!(error.to_string().contains("`>=1.0, lolwat`"), "{error}");
    }
}
