//! Feed importers: each reads one feed format into [`FeedData`].
//!
//! Importers are lenient per record and strict per feed. A record that does not parse is skipped
//! and reported as an [`ImportWarning`] naming the file and the record. A feed whose file cannot
//! be read, or whose top level is not the feed's format, fails with an [`AdvisoryError`] naming
//! the feed, so that a build never silently writes a database that lacks a whole source.

pub mod alpine;
pub mod debian_list;
pub mod debian_tracker;
pub mod epss;
pub mod kev;
pub mod nodejs;
pub mod nvd;
pub mod osv;
pub(crate) mod read;
pub mod rubysec;

use std::fmt;

use crate::model::{Advisory, EpssScore, KevEntry};

/// Everything one feed contributed.
#[derive(Debug, Default)]
pub struct FeedData {
    /// The advisories, one per id.
    pub advisories: Vec<Advisory>,
    /// KEV entries (the CISA KEV feed only).
    pub kev: Vec<KevEntry>,
    /// EPSS scores (the EPSS feed only).
    pub epss: Vec<EpssScore>,
    /// The number of records the feed contains, counted as the feed counts them (OSV files,
    /// secdb package entries, tracker package-CVE pairs, DSA entries, KEV entries, EPSS rows),
    /// skipped records included.
    pub record_count: usize,
    /// The records skipped.
    pub warnings: Vec<ImportWarning>,
    /// The SHA-256 of the feed's files as read, in hex.
    pub digest: String,
}

/// A record an importer skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    /// The file, or the archive member, holding the record.
    pub file: String,
    /// The record's id, or its position when it has no readable id.
    pub record: String,
    /// The reason, in a few words.
    pub reason: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped record `{}` in `{}`: {}", self.record, self.file, self.reason)
    }
}

/// Deserializes a field that a feed writes as `null` or leaves out as its default.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    let value: Option<T> = serde::Deserialize::deserialize(deserializer)?;
    Ok(value.unwrap_or_default())
}
