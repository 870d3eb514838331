//! The Debian security tracker's advisory lists, `data/DSA/list` and `data/DLA/list`: one entry
//! per advisory, a header line followed by tab-indented CVE and per-release fix lines (shown here
//! with spaces).
//!
//! ```text
//! [29 Mar 2023] DSA-5380-1 xorg-server - security update
//!     {CVE-2023-1393}
//!     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
//!     NOTE: fixed in testing at time of DSA
//! ```
//!
//! A release line's version may instead be a marker such as `<not-affected>` or `<unfixed>`;
//! `NOTE:` lines are commentary and are skipped.

use std::path::Path;

use sha2::Sha256;

use super::read::{hex_digest, read_file};
use super::{FeedData, ImportWarning};
use crate::model::{Advisory, Affected, Status};
use crate::{AdvisoryError, namespace};

/// Imports one DSA or DLA list file (plain or gzip-compressed).
pub fn import(feed: &str, path: &Path) -> Result<FeedData, AdvisoryError> {
    let mut hasher = Sha256::default();
    let bytes = read_file(feed, path, &mut hasher)?;
    let text = String::from_utf8(bytes).map_err(|error| AdvisoryError::InvalidFeed {
        feed: feed.to_owned(),
        path: path.to_owned(),
        reason: "the list is not UTF-8 text".to_owned(),
        source: Some(Box::new(error)),
    })?;

    let mut data = parse(&path.to_string_lossy(), &text);
    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Parses the text of a list. `file` names the list in warnings.
pub fn parse(file: &str, text: &str) -> FeedData {
    let mut data = FeedData::default();
    // `None` after a malformed header, so that its indented lines are skipped with it.
    let mut current: Option<Advisory> = None;

    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.starts_with('[') {
            data.advisories.extend(current.take());
            data.record_count += 1;
            match parse_header(line) {
                Ok(advisory) => current = Some(advisory),
                Err(reason) => data.warnings.push(ImportWarning {
                    file: file.to_owned(),
                    record: format!("line {number}"),
                    reason,
                }),
            }
            continue;
        }

        let Some(advisory) = current.as_mut() else {
            continue;
        };
        let body = line.trim();
        if let Some(ids) = body.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            advisory.aliases.extend(ids.split_whitespace().map(str::to_owned));
        } else if body.starts_with('[') {
            match parse_release(body) {
                Ok(affected) => advisory.affected.push(affected),
                Err(reason) => data.warnings.push(ImportWarning {
                    file: file.to_owned(),
                    record: advisory.id.clone(),
                    reason: format!("line {number}: {reason}"),
                }),
            }
        }
    }

    data.advisories.extend(current);
    data
}

/// Parses `[29 Mar 2023] DSA-5380-1 xorg-server - security update`.
fn parse_header(line: &str) -> Result<Advisory, String> {
    let (date, rest) = line[1..].split_once(']').ok_or_else(|| format!("invalid header `{line}`: no `]` after the date"))?;
    let mut words = rest.split_whitespace();
    let id = words.next().ok_or_else(|| format!("invalid header `{line}`: no advisory id"))?;
    let summary = rest.split_once(" - ").map(|(_, summary)| summary.trim().to_owned());

    Ok(Advisory { id: id.to_owned(), published: Some(iso_date(date.trim())?), summary, ..Advisory::default() })
}

/// Converts `29 Mar 2023` to `2023-03-29`.
fn iso_date(date: &str) -> Result<String, String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    let invalid = || format!("invalid date `{date}`, expected `DD Mon YYYY`");
    let [day, month, year] = date.split_whitespace().collect::<Vec<_>>()[..] else {
        return Err(invalid());
    };
    let day: u8 = day.parse().map_err(|_| invalid())?;
    let month = MONTHS.iter().position(|name| *name == month).ok_or_else(invalid)? + 1;
    let year: u16 = year.parse().map_err(|_| invalid())?;
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// Parses `[bullseye] - xorg-server 2:1.20.11-1+deb11u6`.
fn parse_release(body: &str) -> Result<Affected, String> {
    let invalid = || format!("invalid release line `{body}`, expected `[release] - package version`");
    let (release, rest) = body[1..].split_once(']').ok_or_else(invalid)?;
    let rest = rest.trim_start().strip_prefix('-').ok_or_else(invalid)?;
    let mut words = rest.split_whitespace();
    let (Some(package), Some(version)) = (words.next(), words.next()) else {
        return Err(invalid());
    };

    let (status, fixed_version) = match version {
        "<not-affected>" => (Status::NotAffected, None),
        "<unfixed>" | "<postponed>" => (Status::Unfixed, None),
        "<end-of-life>" => (Status::EndOfLife, None),
        "<ignored>" | "<no-dsa>" => (Status::WillNotFix, None),
        marker if marker.starts_with('<') => return Err(format!("unknown marker `{marker}`")),
        version => (Status::Fixed, Some(version.to_owned())),
    };
    Ok(Affected {
        namespace: namespace::debian(release),
        package: package.to_owned(),
        status,
        fixed_version,
        ranges: None,
        versions: Vec::new(),
        native_ranges: None,
        ecosystem_specific: None,
        database_specific: None,
        distribution_severity: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_with_cves_and_release() {
        let text = "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{CVE-2023-1393 CVE-2023-0001}\n\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n\tNOTE: fixed in testing\n";
        let data = parse("list", text);
        assert_eq!(data.record_count, 1);
        assert!(data.warnings.is_empty(), "{:?}", data.warnings);

        let advisory = &data.advisories[0];
        assert_eq!(advisory.id, "DSA-5380-1");
        assert_eq!(advisory.published.as_deref(), Some("2023-03-29"));
        assert_eq!(advisory.aliases, ["CVE-2023-1393", "CVE-2023-0001"]);
        assert_eq!(advisory.affected[0].namespace, "debian:11");
        assert_eq!(advisory.affected[0].fixed_version.as_deref(), Some("2:1.20.11-1+deb11u6"));
        assert_eq!(advisory.affected[0].status, Status::Fixed);
    }

    #[test]
    fn markers_and_malformed_lines() {
        let text = "[01 Foo 2023] DSA-1-1 a - security update\n\t[buster] - a 1.0\n[02 Jan 2023] DSA-2-1 b - security update\n\t[buster] - b <not-affected> (vulnerable code not present)\n\t[stretch] - b\n";
        let data = parse("list", text);
        assert_eq!(data.record_count, 2);
        assert_eq!(data.advisories.len(), 1);
        assert_eq!(data.advisories[0].affected[0].status, Status::NotAffected);
        assert_eq!(data.warnings.len(), 2, "{:?}", data.warnings);
        assert_eq!(data.warnings[0].record, "line 1");
        assert_eq!(data.warnings[1].record, "DSA-2-1");
    }
}
