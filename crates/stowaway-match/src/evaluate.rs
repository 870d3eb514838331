//! Deciding whether one installed version is affected by one advisory record.

use std::cmp::Ordering;

use serde_json::Value;
use stowaway_advisory::{AffectedEntry, NativeRanges, Status};
use stowaway_version::osv::{AffectedVersions, Event, OsvRange, RangeType};
use stowaway_version::{Ecosystem, Range, Version};

use crate::finding::Fix;

/// The verdict of one record on one installed version, when the record concerns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Evaluation {
    /// Whether the installed version is affected; `false` only for not-affected records.
    pub affected: bool,
    /// The fix state.
    pub fix: Fix,
    /// The record's affected versions as it states them.
    pub constraint: String,
}

/// Evaluates `entry` for the `installed` version.
///
/// Returns `Ok(None)` when the installed version is outside the record's affected versions. A
/// record that cannot be read (a fixed version the ecosystem rejects, a malformed range) is an
/// error naming the value, so that the caller reports it and goes on.
pub(crate) fn evaluate(entry: &AffectedEntry, ecosystem: Ecosystem, installed: &Version) -> Result<Option<Evaluation>, String> {
    let never_affected = entry.status == Status::NotAffected || entry.fixed_version.as_deref() == Some("0");
    if never_affected {
        return Ok(Some(Evaluation { affected: false, fix: Fix::NotAffected, constraint: "not affected".to_owned() }));
    }

    let has_ranges = entry.ranges.as_ref().is_some_and(|ranges| ranges.as_array().is_some_and(|array| !array.is_empty()));
    if has_ranges || !entry.versions.is_empty() {
        return evaluate_osv(entry, ecosystem, installed);
    }
    if let Some(native) = &entry.native_ranges {
        return evaluate_native(entry, native, ecosystem, installed);
    }
    evaluate_status(entry, ecosystem, installed)
}

/// OSV `ranges` and `versions`.
fn evaluate_osv(entry: &AffectedEntry, ecosystem: Ecosystem, installed: &Version) -> Result<Option<Evaluation>, String> {
    let ranges = match &entry.ranges {
        Some(value) => parse_ranges(value)?,
        None => Vec::new(),
    };
    let affected = AffectedVersions::new(ecosystem, &ranges, &entry.versions).map_err(|error| error.to_string())?;
    if !affected.contains(installed).map_err(|error| error.to_string())? {
        return Ok(None);
    }

    let fixed_above = lowest_fixed_above(&ranges, ecosystem, installed);
    let has_last_affected = ranges.iter().flat_map(|range| &range.events).any(|event| matches!(event, Event::LastAffected(_)));
    let fix = match (fixed_above, entry.status) {
        (Some(version), _) => Fix::Fixed { version },
        (None, Status::WillNotFix) => Fix::WillNotFix,
        (None, Status::EndOfLife) => Fix::EndOfLife,
        (None, _) if has_last_affected => Fix::FixedUnknownVersion,
        (None, _) => Fix::Unfixed,
    };
    Ok(Some(Evaluation { affected: true, fix, constraint: describe_ranges(&ranges, &entry.versions) }))
}

/// RubySec and Node.js security-wg ranges: affected when inside a vulnerable range (or there
/// are none), and inside no patched or unaffected range.
fn evaluate_native(entry: &AffectedEntry, native: &NativeRanges, ecosystem: Ecosystem, installed: &Version) -> Result<Option<Evaluation>, String> {
    let any_contains = |texts: &[String]| -> Result<bool, String> {
        for text in texts {
            let range = Range::parse(ecosystem, text).map_err(|error| error.to_string())?;
            if range.contains(installed).map_err(|error| error.to_string())? {
                return Ok(true);
            }
        }
        Ok(false)
    };

    let vulnerable = native.vulnerable.is_empty() || any_contains(&native.vulnerable)?;
    if !vulnerable || any_contains(&native.patched)? || any_contains(&native.unaffected)? {
        return Ok(None);
    }

    let fix = match (native.patched.is_empty(), entry.status) {
        (false, _) => Fix::Fixed { version: native.patched.join(" || ") },
        (true, Status::WillNotFix) => Fix::WillNotFix,
        (true, _) => Fix::Unfixed,
    };
    let mut parts = Vec::new();
    if !native.vulnerable.is_empty() {
        parts.push(format!("vulnerable {}", native.vulnerable.join(" || ")));
    }
    if !native.patched.is_empty() {
        parts.push(format!("patched {}", native.patched.join(" || ")));
    }
    if !native.unaffected.is_empty() {
        parts.push(format!("unaffected {}", native.unaffected.join(" || ")));
    }
    Ok(Some(Evaluation { affected: true, fix, constraint: parts.join("; ") }))
}

/// Records with a status and at most one fixed version, as the Debian tracker and Alpine secdb
/// publish them.
fn evaluate_status(entry: &AffectedEntry, ecosystem: Ecosystem, installed: &Version) -> Result<Option<Evaluation>, String> {
    let unversioned = |fix: Fix, constraint: &str| Ok(Some(Evaluation { affected: true, fix, constraint: constraint.to_owned() }));
    match (entry.status, entry.fixed_version.as_deref()) {
        (Status::Fixed, Some(fixed)) => {
            let fixed_version = Version::parse(ecosystem, fixed).map_err(|error| format!("fixed version: {error}"))?;
            match installed.compare(&fixed_version).map_err(|error| error.to_string())? {
                Ordering::Less => Ok(Some(Evaluation {
                    affected: true,
                    fix: Fix::Fixed { version: fixed.to_owned() },
                    constraint: format!("< {fixed}"),
                })),
                _ => Ok(None),
            }
        }
        (Status::Fixed, None) => Err("the record says fixed but names no fixed version".to_owned()),
        (Status::Unfixed, _) => unversioned(Fix::Unfixed, "all versions, no fix yet"),
        (Status::WillNotFix, _) => unversioned(Fix::WillNotFix, "all versions, will not be fixed"),
        (Status::EndOfLife, _) => unversioned(Fix::EndOfLife, "all versions, release end-of-life"),
        (Status::NotAffected, _) => Ok(Some(Evaluation { affected: false, fix: Fix::NotAffected, constraint: "not affected".to_owned() })),
    }
}

/// Reads an OSV `ranges` array.
fn parse_ranges(value: &Value) -> Result<Vec<OsvRange>, String> {
    let array = value.as_array().ok_or("`ranges` is not an array")?;
    let mut ranges = Vec::with_capacity(array.len());
    for range in array {
        let kind = range.get("type").and_then(Value::as_str).ok_or("a range has no `type`")?;
        let kind: RangeType = kind.parse()?;
        let mut events = Vec::new();
        for event in range.get("events").and_then(Value::as_array).ok_or("a range has no `events` array")? {
            let object = event.as_object().ok_or("a range event is not an object")?;
            for (key, text) in object {
                let Some(text) = text.as_str() else { continue };
                let text = text.to_owned();
                events.push(match key.as_str() {
                    "introduced" => Event::Introduced(text),
                    "fixed" => Event::Fixed(text),
                    "last_affected" => Event::LastAffected(text),
                    "limit" => Event::Limit(text),
                    other => return Err(format!("unknown range event `{other}`")),
                });
            }
        }
        ranges.push(OsvRange { kind, events });
    }
    Ok(ranges)
}

/// Returns the lowest `fixed` event above the installed version, the version to upgrade to.
fn lowest_fixed_above(ranges: &[OsvRange], ecosystem: Ecosystem, installed: &Version) -> Option<String> {
    let mut best: Option<(Version, String)> = None;
    for range in ranges.iter().filter(|range| range.kind != RangeType::Git) {
        for event in &range.events {
            let Event::Fixed(text) = event else { continue };
            let Ok(fixed) = Version::parse(ecosystem, text) else { continue };
            if !matches!(installed.compare(&fixed), Ok(Ordering::Less)) {
                continue;
            }
            let lower = best.as_ref().is_none_or(|(current, _)| matches!(fixed.compare(current), Ok(Ordering::Less)));
            if lower {
                best = Some((fixed, text.clone()));
            }
        }
    }
    best.map(|(_, text)| text)
}

/// Writes ranges as `>=1.0 <1.4.2, >=2.0 <2.1.3` and a listed-versions note.
fn describe_ranges(ranges: &[OsvRange], versions: &[String]) -> String {
    let mut parts = Vec::new();
    for range in ranges.iter().filter(|range| range.kind != RangeType::Git) {
        // Each `introduced` opens an interval; the events after it, up to the next one, close it.
        let mut intervals: Vec<Vec<String>> = Vec::new();
        for event in &range.events {
            if matches!(event, Event::Introduced(_)) || intervals.is_empty() {
                intervals.push(Vec::new());
            }
            let bound = match event {
                Event::Introduced(v) if v == "0" => None,
                Event::Introduced(v) => Some(format!(">={v}")),
                Event::Fixed(v) => Some(format!("<{v}")),
                Event::LastAffected(v) => Some(format!("<={v}")),
                Event::Limit(v) if v == "*" => None,
                Event::Limit(v) => Some(format!("<{v} (limit)")),
            };
            if let (Some(bound), Some(interval)) = (bound, intervals.last_mut()) {
                interval.push(bound);
            }
        }
        for interval in intervals {
            parts.push(if interval.is_empty() { "all versions".to_owned() } else { interval.join(" ") });
        }
    }
    if !versions.is_empty() {
        parts.push(format!("{} listed versions", versions.len()));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: Status, fixed: Option<&str>) -> AffectedEntry {
        AffectedEntry {
            package: "pkg".to_owned(),
            advisory_id: "TEST-1".to_owned(),
            source: "test".to_owned(),
            status,
            fixed_version: fixed.map(str::to_owned),
            ranges: None,
            versions: Vec::new(),
            native_ranges: None,
            ecosystem_specific: None,
            distribution_severity: None,
            aliases: Vec::new(),
            severities: Vec::new(),
            kev: None,
            epss: None,
        }
    }

    fn version(ecosystem: Ecosystem, text: &str) -> Version {
        Version::parse(ecosystem, text).unwrap()
    }

    #[test]
    fn fixed_status_compares_with_the_fixed_version() {
        let record = entry(Status::Fixed, Some("3.0.15-1~deb12u1"));
        let old = evaluate(&record, Ecosystem::Deb, &version(Ecosystem::Deb, "3.0.11-1~deb12u2")).unwrap().unwrap();
        assert_eq!(old.fix, Fix::Fixed { version: "3.0.15-1~deb12u1".to_owned() });
        assert_eq!(evaluate(&record, Ecosystem::Deb, &version(Ecosystem::Deb, "3.0.15-1~deb12u1")).unwrap(), None);
    }

    #[test]
    fn fixed_version_zero_means_never_affected() {
        let record = entry(Status::Fixed, Some("0"));
        let verdict = evaluate(&record, Ecosystem::Apk, &version(Ecosystem::Apk, "1.0-r0")).unwrap().unwrap();
        assert!(!verdict.affected);
    }

    #[test]
    fn malformed_fixed_version_is_an_error_naming_it() {
        let record = entry(Status::Fixed, Some("1.34.0_r0"));
        let error = evaluate(&record, Ecosystem::Apk, &version(Ecosystem::Apk, "1.34.1-r3")).unwrap_err();
        assert!(error.contains("1.34.0_r0"), "{error}");
    }

    #[test]
    fn osv_ranges_give_the_lowest_fix_above() {
        let mut record = entry(Status::Fixed, None);
        record.ranges = Some(serde_json::json!([
            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}, {"fixed": "3.1"}]}
        ]));
        let verdict = evaluate(&record, Ecosystem::Pypi, &version(Ecosystem::Pypi, "2.19.0")).unwrap().unwrap();
        assert_eq!(verdict.fix, Fix::Fixed { version: "2.20.0".to_owned() });
        assert_eq!(verdict.constraint, "<2.20.0, >=3.0 <3.1");
        let mut one_range = entry(Status::Fixed, None);
        one_range.ranges = Some(serde_json::json!([
            {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.23.12"}, {"introduced": "1.24.0"}, {"fixed": "1.24.6"}]}
        ]));
        let go = evaluate(&one_range, Ecosystem::Golang, &version(Ecosystem::Golang, "v1.24.4")).unwrap().unwrap();
        assert_eq!(go.constraint, "<1.23.12, >=1.24.0 <1.24.6");
        assert_eq!(evaluate(&record, Ecosystem::Pypi, &version(Ecosystem::Pypi, "2.20.0")).unwrap(), None);
    }

    #[test]
    fn range_without_fix_is_unfixed() {
        let mut record = entry(Status::Fixed, None);
        record.ranges = Some(serde_json::json!([{"type": "SEMVER", "events": [{"introduced": "0"}]}]));
        let verdict = evaluate(&record, Ecosystem::Npm, &version(Ecosystem::Npm, "1.0.0")).unwrap().unwrap();
        assert_eq!(verdict.fix, Fix::Unfixed);
    }

    #[test]
    fn native_ranges_respect_patched() {
        let mut record = entry(Status::Fixed, None);
        record.native_ranges = Some(NativeRanges {
            vulnerable: Vec::new(),
            patched: vec![">= 2.3.1".to_owned()],
            unaffected: vec!["< 1.0".to_owned()],
        });
        let gem = |text| version(Ecosystem::Gem, text);
        assert!(evaluate(&record, Ecosystem::Gem, &gem("2.0")).unwrap().is_some());
        assert_eq!(evaluate(&record, Ecosystem::Gem, &gem("2.3.1")).unwrap(), None);
        assert_eq!(evaluate(&record, Ecosystem::Gem, &gem("0.9")).unwrap(), None);
    }
}
