//! Evaluation of OSV `affected[]` entries: `ranges` with `introduced`, `fixed`,
//! `last_affected` and `limit` events, and explicit `versions` lists.
//!
//! The rules follow the evaluation section of the OSV schema (1.6):
//! - events are sorted by version, and `introduced: "0"` sorts below every version;
//! - a version is affected when the last event at or below it is an `introduced`, so `fixed: V`
//!   ends the range at `V` and `last_affected: V` just after `V`;
//! - when a range has `limit` events, only versions below one of them can be affected, and
//!   `limit: "*"` is no limit.
//!
//! `ECOSYSTEM` ranges use the ecosystem's ordering, `SEMVER` ranges SemVer 2.0 precedence.
//! `GIT` ranges name commits, which no version ordering can place. As the schema specifies, the
//! `versions` list carries the affected tags, and [`GitRange`] evaluates a commit against a
//! history the caller supplies.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Ecosystem, Version, VersionError};

/// The `type` of an OSV range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeType {
    /// Versions ordered by the ecosystem's rules.
    Ecosystem,
    /// SemVer 2.0 versions, without a `v` prefix.
    Semver,
    /// Full commit hashes of a git repository.
    Git,
}

impl FromStr for RangeType {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input {
            "ECOSYSTEM" => Ok(RangeType::Ecosystem),
            "SEMVER" => Ok(RangeType::Semver),
            "GIT" => Ok(RangeType::Git),
            other => Err(format!("unknown OSV range type `{other}`")),
        }
    }
}

/// One event of an OSV range, with the version or commit as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `introduced`: the first affected version; `"0"` means every version before the next event.
    Introduced(String),
    /// `fixed`: the first version no longer affected.
    Fixed(String),
    /// `last_affected`: the last affected version.
    LastAffected(String),
    /// `limit`: versions at or above it are never affected; `"*"` is no limit.
    Limit(String),
}

impl Event {
    fn text(&self) -> &str {
        match self {
            Event::Introduced(text) | Event::Fixed(text) | Event::LastAffected(text) | Event::Limit(text) => text,
        }
    }
}

/// One entry of `affected[].ranges`, as the advisory database deserialises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsvRange {
    /// The range type.
    pub kind: RangeType,
    /// The events, in any order.
    pub events: Vec<Event>,
}

/// A point on a range's version line.
#[derive(Clone, Debug)]
enum Point {
    /// `introduced: "0"`, below every version.
    Zero,
    Version(Version),
    Semver(semver::Version),
}

impl Point {
    fn cmp(&self, other: &Point) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) => Ordering::Equal,
            (Point::Zero, _) => Ordering::Less,
            (_, Point::Zero) => Ordering::Greater,
            (Point::Version(a), Point::Version(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (Point::Semver(a), Point::Semver(b)) => a.cmp_precedence(b),
            // A range contains points of one type only.
            _ => Ordering::Equal,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
}

/// An `ECOSYSTEM` or `SEMVER` range with its events parsed and sorted.
#[derive(Clone, Debug)]
struct CompiledRange {
    kind: RangeType,
    events: Vec<(EventKind, Point)>,
    /// Upper limits; empty when the range has none or one of them is `*`.
    limits: Vec<Point>,
}

impl CompiledRange {
    fn new(ecosystem: Ecosystem, range: &OsvRange) -> Result<CompiledRange, VersionError> {
        let invalid = |reason: String| VersionError::InvalidOsvRange { ecosystem, reason };
        if !range.events.iter().any(|event| matches!(event, Event::Introduced(_))) {
            return Err(invalid("the range has no `introduced` event".to_owned()));
        }

        let point = |text: &str, allow_zero: bool| -> Result<Point, VersionError> {
            if allow_zero && text == "0" {
                return Ok(Point::Zero);
            }
            match range.kind {
                RangeType::Semver => {
                    semver::Version::parse(text)
                        .map(Point::Semver)
                        .map_err(|error| VersionError::InvalidVersion {
                            ecosystem,
                            input: text.to_owned(),
                            reason: "not a SemVer 2.0 version in an OSV SEMVER range".to_owned(),
                            source: Some(Box::new(error)),
                        })
                }
                _ => Version::parse(ecosystem, text).map(Point::Version),
            }
        };

        let mut events = Vec::new();
        let mut limits = Vec::new();
        let mut unlimited = false;
        for event in &range.events {
            match event {
                Event::Introduced(text) => events.push((EventKind::Introduced, point(text, true)?)),
                Event::Fixed(text) => events.push((EventKind::Fixed, point(text, false)?)),
                Event::LastAffected(text) => events.push((EventKind::LastAffected, point(text, false)?)),
                Event::Limit(text) if text == "*" => unlimited = true,
                Event::Limit(text) => limits.push(point(text, false)?),
            }
        }
        if unlimited {
            limits.clear();
        }
        events.sort_by(|(_, a), (_, b)| a.cmp(b));
        Ok(CompiledRange {
            kind: range.kind,
            events,
            limits,
        })
    }

    /// Returns whether the version is inside; `compare` orders the version against a point.
    fn contains(&self, compare: &dyn Fn(&Point) -> Ordering) -> bool {
        if !self.limits.is_empty() && !self.limits.iter().any(|limit| compare(limit).is_lt()) {
            return false;
        }

        let mut affected = false;
        for (kind, point) in &self.events {
            let ordering = compare(point);
            if ordering.is_lt() {
                break;
            }
            match kind {
                EventKind::Introduced => affected = true,
                EventKind::Fixed => affected = false,
                EventKind::LastAffected if ordering.is_gt() => affected = false,
                EventKind::LastAffected => {}
            }
        }
        affected
    }
}

/// A listed version of `affected[].versions`.
#[derive(Clone, Debug)]
enum Listed {
    Parsed(Version),
    /// A string the ecosystem's rules reject; it matches only the identical string.
    Unparsed(String),
}

/// The versions of one package that an OSV `affected[]` entry covers, parsed once.
///
/// ```
/// use stowaway_version::osv::{AffectedVersions, Event, OsvRange, RangeType};
/// use stowaway_version::{Ecosystem, Version};
///
/// let range = OsvRange {
///     kind: RangeType::Ecosystem,
///     events: vec![Event::Introduced("0".into()), Event::Fixed("1.6_rc1-r0".into())],
/// };
/// let affected = AffectedVersions::new(Ecosystem::Apk, &[range], &[]).unwrap();
/// let installed = Version::parse(Ecosystem::Apk, "1.6-r0").unwrap();
/// assert!(!affected.contains(&installed).unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct AffectedVersions {
    ecosystem: Ecosystem,
    ranges: Vec<CompiledRange>,
    git_ranges: Vec<GitRange>,
    versions: Vec<Listed>,
}

impl AffectedVersions {
    /// Parses the events of `ranges` and the `versions` list of one `affected[]` entry.
    ///
    /// An event version the ecosystem rejects is an error, because the range cannot be evaluated
    /// without it. A listed version it rejects is kept as a string, and
    /// [`AffectedVersions::unparsed_versions`] returns it for the caller to report.
    pub fn new(ecosystem: Ecosystem, ranges: &[OsvRange], versions: &[String]) -> Result<Self, VersionError> {
        let mut compiled = Vec::new();
        let mut git_ranges = Vec::new();
        for range in ranges {
            if range.events.is_empty() {
                return Err(VersionError::InvalidOsvRange {
                    ecosystem,
                    reason: "the range has no events".to_owned(),
                });
            }
            match range.kind {
                RangeType::Git => git_ranges.push(GitRange {
                    events: range.events.clone(),
                }),
                RangeType::Ecosystem | RangeType::Semver => compiled.push(CompiledRange::new(ecosystem, range)?),
            }
        }

        let versions = versions
            .iter()
            .map(|text| match Version::parse(ecosystem, text) {
                Ok(version) => Listed::Parsed(version),
                Err(_) => Listed::Unparsed(text.clone()),
            })
            .collect();
        Ok(AffectedVersions {
            ecosystem,
            ranges: compiled,
            git_ranges,
            versions,
        })
    }

    /// Returns whether `version` is listed or inside an `ECOSYSTEM` or `SEMVER` range.
    ///
    /// Errors when `version` belongs to another ecosystem, or a `SEMVER` range meets a version
    /// that is not SemVer 2.0.
    pub fn contains(&self, version: &Version) -> Result<bool, VersionError> {
        if version.ecosystem() != self.ecosystem {
            return Err(VersionError::EcosystemMismatch {
                left: self.ecosystem,
                left_input: "OSV range".to_owned(),
                right: version.ecosystem(),
                right_input: version.to_string(),
            });
        }

        let listed = self.versions.iter().any(|listed| match listed {
            Listed::Parsed(candidate) => candidate == version,
            Listed::Unparsed(text) => *text == version.to_string(),
        });
        if listed {
            return Ok(true);
        }

        let by_ecosystem = |point: &Point| match point {
            Point::Version(bound) => version.partial_cmp(bound).unwrap_or(Ordering::Equal),
            _ => Ordering::Greater,
        };
        let mut semver = None;
        for range in &self.ranges {
            let inside = match range.kind {
                RangeType::Semver => {
                    if semver.is_none() {
                        semver = Some(Point::Semver(as_semver(version)?));
                    }
                    let semver = semver.as_ref().unwrap_or(&Point::Zero);
                    range.contains(&|point: &Point| semver.cmp(point))
                }
                _ => range.contains(&by_ecosystem),
            };
            if inside {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Returns the listed versions that the ecosystem's rules reject, for a caller to report.
    pub fn unparsed_versions(&self) -> impl Iterator<Item = &str> {
        self.versions.iter().filter_map(|listed| match listed {
            Listed::Unparsed(text) => Some(text.as_str()),
            Listed::Parsed(_) => None,
        })
    }

    /// Returns the `GIT` ranges, which [`AffectedVersions::contains`] does not evaluate.
    pub fn git_ranges(&self) -> &[GitRange] {
        &self.git_ranges
    }
}

/// Reads a version as SemVer 2.0 for a `SEMVER` range.
fn as_semver(version: &Version) -> Result<semver::Version, VersionError> {
    let text = match version {
        Version::Cargo(version) => return Ok(version.as_semver().clone()),
        Version::Golang(version) => version.canonical().trim_start_matches('v').to_owned(),
        other => other.to_string(),
    };
    semver::Version::parse(&text).map_err(|error| VersionError::InvalidVersion {
        ecosystem: version.ecosystem(),
        input: version.to_string(),
        reason: "not a SemVer 2.0 version, which an OSV SEMVER range needs".to_owned(),
        source: Some(Box::new(error)),
    })
}

/// A `GIT` range: events that name commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRange {
    events: Vec<Event>,
}

impl GitRange {
    /// Returns the events as written.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Returns whether `commit` is affected, given `history`: the commits of the branch that
    /// contains it, oldest first. Commits match by full hash or by a prefix of at least 7
    /// characters, ignoring letter case; `None` when `commit` is not in `history`.
    ///
    /// NOTE: events whose commit is not in `history` (other branches) are ignored; a merge-aware
    /// evaluation needs the commit graph, not one linear history.
    pub fn contains_commit(&self, commit: &str, history: &[&str]) -> Option<bool> {
        let position = |wanted: &str| history.iter().position(|candidate| same_commit(candidate, wanted));
        let target = position(commit)?;

        let mut events: Vec<(usize, &Event)> = Vec::new();
        let mut limits = Vec::new();
        for event in &self.events {
            let text = event.text();
            let index = match (event, text) {
                (Event::Introduced(_), "0") => Some(0),
                (Event::Limit(_), "*") => None,
                _ => position(text),
            };
            let Some(index) = index else { continue };
            match event {
                Event::Limit(_) => limits.push(index),
                _ => events.push((index, event)),
            }
        }
        if !limits.is_empty() && !limits.iter().any(|&limit| target < limit) {
            return Some(false);
        }
        events.sort_by_key(|(index, _)| *index);

        let mut affected = false;
        for (index, event) in events {
            match event {
                Event::Introduced(_) if index <= target => affected = true,
                Event::Fixed(_) if index <= target => affected = false,
                Event::LastAffected(_) if index < target => affected = false,
                _ => {}
            }
        }
        Some(affected)
    }
}

fn same_commit(a: &str, b: &str) -> bool {
    let length = a.len().min(b.len());
    length >= 7 && a[..length].eq_ignore_ascii_case(&b[..length])
}

impl fmt::Display for RangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Semver => "SEMVER",
            RangeType::Git => "GIT",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn introduced(text: &str) -> Event {
        Event::Introduced(text.to_owned())
    }

    fn fixed(text: &str) -> Event {
        Event::Fixed(text.to_owned())
    }

    fn affected(ecosystem: Ecosystem, kind: RangeType, events: Vec<Event>) -> AffectedVersions {
        AffectedVersions::new(ecosystem, &[OsvRange { kind, events }], &[]).unwrap()
    }

    fn check(affected: &AffectedVersions, ecosystem: Ecosystem, version: &str) -> bool {
        affected.contains(&Version::parse(ecosystem, version).unwrap()).unwrap()
    }

    #[test]
    fn introduced_and_fixed() {
        let range = affected(
            Ecosystem::Pypi,
            RangeType::Ecosystem,
            vec![introduced("1.0"), fixed("1.5"), introduced("2.0"), fixed("2.1")],
        );
        assert!(!check(&range, Ecosystem::Pypi, "0.9"));
        assert!(check(&range, Ecosystem::Pypi, "1.0"));
        assert!(check(&range, Ecosystem::Pypi, "1.4.9"));
        assert!(!check(&range, Ecosystem::Pypi, "1.5"));
        assert!(check(&range, Ecosystem::Pypi, "2.0.1"));
        assert!(!check(&range, Ecosystem::Pypi, "2.1"));
    }

    #[test]
    fn events_in_any_order() {
        let range = affected(Ecosystem::Npm, RangeType::Semver, vec![fixed("1.2.3"), introduced("0")]);
        assert!(check(&range, Ecosystem::Npm, "1.2.2"));
        assert!(check(&range, Ecosystem::Npm, "0.0.0"));
        assert!(!check(&range, Ecosystem::Npm, "1.2.3"));
    }

    #[test]
    fn last_affected_includes_its_version() {
        let range = affected(
            Ecosystem::Cargo,
            RangeType::Semver,
            vec![introduced("0"), Event::LastAffected("1.2.3".into())],
        );
        assert!(check(&range, Ecosystem::Cargo, "1.2.3"));
        assert!(!check(&range, Ecosystem::Cargo, "1.2.4"));
    }

    #[test]
    fn limit_caps_the_range() {
        let range = affected(
            Ecosystem::Generic,
            RangeType::Ecosystem,
            vec![introduced("1.0"), Event::Limit("2.0".into())],
        );
        assert!(check(&range, Ecosystem::Generic, "1.9"));
        assert!(!check(&range, Ecosystem::Generic, "2.0"));
        let unlimited = affected(
            Ecosystem::Generic,
            RangeType::Ecosystem,
            vec![introduced("1.0"), Event::Limit("*".into())],
        );
        assert!(check(&unlimited, Ecosystem::Generic, "9.0"));
    }

    #[test]
    fn go_versions_in_semver_ranges() {
        let range = affected(
            Ecosystem::Golang,
            RangeType::Semver,
            vec![introduced("0"), fixed("0.0.0-20220314234659-1baeb1ce4c0b")],
        );
        assert!(check(&range, Ecosystem::Golang, "v0.0.0-20210817164053-32db794688a5"));
        assert!(!check(&range, Ecosystem::Golang, "v0.1.0"));
    }

    #[test]
    fn listed_versions_match() {
        let versions = ["1.0".to_owned(), "0.1dev-r123".to_owned()];
        let affected = AffectedVersions::new(Ecosystem::Pypi, &[], &versions).unwrap();
        assert!(check(&affected, Ecosystem::Pypi, "1.0.0"));
        assert!(!check(&affected, Ecosystem::Pypi, "1.1"));
        assert_eq!(affected.unparsed_versions().collect::<Vec<_>>(), ["0.1dev-r123"]);
    }

    #[test]
    fn malformed_event_is_an_error_naming_it() {
        let range = OsvRange {
            kind: RangeType::Ecosystem,
            events: vec![introduced("0"), fixed("1.34.0_r0")],
        };
        let error = AffectedVersions::new(Ecosystem::Apk, &[range], &[]).unwrap_err();
        assert!(error.to_string().contains("`1.34.0_r0`"), "{error}");
        let range = OsvRange {
            kind: RangeType::Ecosystem,
            events: vec![fixed("1.0")],
        };
        assert!(AffectedVersions::new(Ecosystem::Apk, &[range], &[]).is_err());
    }

    #[test]
    fn other_ecosystem_is_an_error() {
        let range = affected(Ecosystem::Apk, RangeType::Ecosystem, vec![introduced("0")]);
        let version = Version::parse(Ecosystem::Deb, "1.0").unwrap();
        assert!(range.contains(&version).is_err());
    }

    #[test]
    fn git_range_against_history() {
        let history = ["aaaaaaa1", "bbbbbbb2", "ccccccc3", "ddddddd4"];
        let range = GitRange {
            events: vec![introduced("bbbbbbb2"), fixed("ddddddd4")],
        };
        assert_eq!(range.contains_commit("aaaaaaa", &history), Some(false));
        assert_eq!(range.contains_commit("CCCCCCC3", &history), Some(true));
        assert_eq!(range.contains_commit("ddddddd4", &history), Some(false));
        assert_eq!(range.contains_commit("eeeeeee5", &history), None);
    }
}
