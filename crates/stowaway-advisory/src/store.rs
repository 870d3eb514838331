//! Reading a database: the read-only handle scans use.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params_from_iter};
use serde_json::Value;

use crate::model::{EpssScore, KevEntry, NativeRanges, Severity, Status};
use crate::schema::SCHEMA_VERSION;
use crate::severity::{self, Rating};
use crate::{AdvisoryError, time};

/// Package names per query; SQLite allows 32766 parameters, and a few hundred keep each
/// statement's plan small.
const BATCH_SIZE: usize = 256;

/// A database opened read-only.
#[derive(Debug)]
pub struct AdvisoryStore {
    connection: Connection,
    path: PathBuf,
}

/// The state of a database as `db status` prints it: schema version, build time and sources.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseStatus {
    /// The schema version stored in the file.
    pub schema_version: u32,
    /// When the database was built (RFC 3339, UTC).
    pub built_at: String,
    /// Time since the build, or `None` when the build time is unreadable or in the future.
    pub age: Option<Duration>,
    /// The sources, sorted by name.
    pub sources: Vec<SourceStatus>,
    /// Whether the file is the embedded snapshot, unchanged.
    pub embedded_snapshot: bool,
}

/// One source as the `sources` table records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceStatus {
    /// The source name.
    pub name: String,
    /// The feed format (`osv`, `alpine-secdb`, ...).
    pub kind: String,
    /// The SHA-256 of the feed files as read.
    pub digest: String,
    /// Records in the feed, skipped ones included.
    pub record_count: u64,
    /// Records skipped as malformed.
    pub warning_count: u64,
    /// Advisories stored from this source.
    pub advisory_count: u64,
}

/// One affected entry found for a package, with what the matcher and the report need about its
/// advisory.
#[derive(Clone, Debug, PartialEq)]
pub struct AffectedEntry {
    /// The package name, as queried.
    pub package: String,
    /// The advisory id.
    pub advisory_id: String,
    /// The source the advisory came from.
    pub source: String,
    /// Whether and how the package is fixed.
    pub status: Status,
    /// The first fixed version, when the feed states a single one.
    pub fixed_version: Option<String>,
    /// The OSV `ranges` array, for `stowaway_version::osv`.
    pub ranges: Option<Value>,
    /// Explicitly affected versions.
    pub versions: Vec<String>,
    /// Ranges in the ecosystem's own syntax, for feeds that are not OSV.
    pub native_ranges: Option<NativeRanges>,
    /// OSV `ecosystem_specific` (Go imports and symbols, for example).
    pub ecosystem_specific: Option<Value>,
    /// The distribution's own rating for this package and release.
    pub distribution_severity: Option<String>,
    /// The advisory's other ids.
    pub aliases: Vec<String>,
    /// The advisory's ratings, then NVD's ratings of its CVE id or CVE aliases.
    pub severities: Vec<Severity>,
    /// The KEV entry of the advisory's CVE id, or of its first CVE alias listed in KEV.
    pub kev: Option<KevEntry>,
    /// The EPSS score of the advisory's CVE id, or of its first CVE alias scored.
    pub epss: Option<EpssScore>,
}

impl AffectedEntry {
    /// Chooses the entry's one severity: the distribution's rating, else the advisory's, else
    /// NVD's (see [`crate::severity`]).
    pub fn severity(&self) -> Option<Rating> {
        severity::choose(self.distribution_severity.as_deref(), &self.severities)
    }
}

/// Reads the schema version from `metadata`, and rejects a database of another version.
pub(crate) fn read_schema_version(connection: &Connection, path: &Path) -> Result<u32, AdvisoryError> {
    let stored: Option<String> = connection
        .query_row("SELECT value FROM metadata WHERE key = 'schema_version'", [], |row| row.get(0))
        .optional()
        .unwrap_or(None);
    match stored.as_deref().map(str::parse::<u32>) {
        Some(Ok(version)) if version == SCHEMA_VERSION => Ok(version),
        _ => Err(AdvisoryError::UnsupportedSchema {
            path: path.to_owned(),
            found: stored.unwrap_or_else(|| "none".to_owned()),
            expected: SCHEMA_VERSION,
        }),
    }
}

impl AdvisoryStore {
    /// Opens the database at `path` read-only, and rejects it unless its schema version is
    /// [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<AdvisoryStore, AdvisoryError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(|source| AdvisoryError::Database {
            operation: "open",
            path: path.to_owned(),
            source,
        })?;
        read_schema_version(&connection, path)?;
        Ok(AdvisoryStore { connection, path: path.to_owned() })
    }

    fn database_error(&self, operation: &'static str) -> impl FnOnce(rusqlite::Error) -> AdvisoryError + '_ {
        move |source| AdvisoryError::Database { operation, path: self.path.clone(), source }
    }

    /// Runs SQLite's `PRAGMA integrity_check` and returns its first line, `ok` when the file is
    /// sound.
    pub fn integrity_check(&self) -> Result<String, AdvisoryError> {
        self.connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).map_err(self.database_error("check"))
    }

    /// Returns the schema version, build time, age and sources.
    pub fn status(&self) -> Result<DatabaseStatus, AdvisoryError> {
        let built_at: String = self
            .connection
            .query_row("SELECT value FROM metadata WHERE key = 'built_at'", [], |row| row.get(0))
            .map_err(self.database_error("read metadata from"))?;
        let age = time::parse_rfc3339(&built_at)
            .and_then(|seconds| SystemTime::now().duration_since(UNIX_EPOCH + Duration::from_secs(seconds)).ok());

        let mut statement = self
            .connection
            .prepare(
                "SELECT s.name, s.kind, s.digest, s.record_count, s.warning_count,
                        (SELECT count(*) FROM advisories a WHERE a.source = s.name)
                 FROM sources s ORDER BY s.name",
            )
            .map_err(self.database_error("read sources from"))?;
        let sources = statement
            .query_map([], |row| {
                Ok(SourceStatus {
                    name: row.get(0)?,
                    kind: row.get(1)?,
                    digest: row.get(2)?,
                    record_count: count(row, 3)?,
                    warning_count: count(row, 4)?,
                    advisory_count: count(row, 5)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(self.database_error("read sources from"))?;

        let embedded_snapshot = crate::snapshot::is_embedded_snapshot(&self.path);
        Ok(DatabaseStatus { schema_version: SCHEMA_VERSION, built_at, age, sources, embedded_snapshot })
    }

    /// Looks up the affected entries of `names` in `namespace`, skipping withdrawn advisories.
    ///
    /// Names are queried in batches through the `(namespace, package)` index. Entries come back
    /// grouped by package, in the order of `names`, with the advisory's aliases, severities, KEV
    /// entry and EPSS score attached.
    pub fn affected(&self, namespace: &str, names: &[&str]) -> Result<Vec<AffectedEntry>, AdvisoryError> {
        let mut rows = Vec::new();
        for batch in names.chunks(BATCH_SIZE) {
            let sql = format!(
                "SELECT a.advisory_key, f.package, a.id, a.source, f.status, f.fixed_version, f.ranges, f.versions,
                        f.ecosystem_specific, f.distribution_severity, f.native_ranges
                 FROM affected f JOIN advisories a ON a.advisory_key = f.advisory_key
                 WHERE f.namespace = ?1 AND f.package IN ({}) AND a.withdrawn IS NULL",
                placeholders(2, batch.len())
            );
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let parameters = std::iter::once(namespace).chain(batch.iter().copied());
            let batch_rows = statement
                .query_map(params_from_iter(parameters), AffectedRow::from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            rows.extend(batch_rows);
        }

        let order: HashMap<&str, usize> = names.iter().enumerate().map(|(index, name)| (*name, index)).collect();
        rows.sort_by(|a, b| {
            let position = |row: &AffectedRow| order.get(row.package.as_str()).copied().unwrap_or(usize::MAX);
            position(a).cmp(&position(b)).then_with(|| a.advisory_id.cmp(&b.advisory_id))
        });
        self.attach_details(rows)
    }

    /// Loads aliases, severities, KEV entries and EPSS scores for the rows' advisories, in one
    /// batched query per table.
    fn attach_details(&self, rows: Vec<AffectedRow>) -> Result<Vec<AffectedEntry>, AdvisoryError> {
        let keys: Vec<i64> = rows.iter().map(|row| row.key).collect::<BTreeSet<_>>().into_iter().collect();
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for (key, alias) in self.query_by_keys("SELECT advisory_key, alias FROM aliases", &keys, |row| Ok((row.get(0)?, row.get(1)?)))? {
            aliases.entry(key).or_default().push(alias);
        }
        let mut severities: HashMap<i64, Vec<Severity>> = HashMap::new();
        let severity_rows = self.query_by_keys("SELECT advisory_key, source, kind, value FROM severities", &keys, |row| {
            Ok((row.get(0)?, Severity { source: row.get(1)?, kind: row.get(2)?, value: row.get(3)? }))
        })?;
        for (key, severity) in severity_rows {
            severities.entry(key).or_default().push(severity);
        }

        let mut cves = BTreeSet::new();
        for row in &rows {
            let own = std::iter::once(&row.advisory_id);
            let others = aliases.get(&row.key).into_iter().flatten();
            cves.extend(own.chain(others).filter(|id| id.starts_with("CVE-")).cloned());
        }
        let cves: Vec<String> = cves.into_iter().collect();
        let kev = self.kev(&cves)?;
        let epss = self.epss(&cves)?;
        let nvd = self.nvd_severities(&cves)?;

        let entries = rows
            .into_iter()
            .map(|row| {
                let aliases = aliases.get(&row.key).cloned().unwrap_or_default();
                let ids: Vec<&String> = std::iter::once(&row.advisory_id).chain(&aliases).collect();
                let mut own_severities = severities.remove(&row.key).unwrap_or_default();
                for rating in ids.iter().filter_map(|id| nvd.get(id.as_str())).flatten() {
                    if !own_severities.contains(rating) {
                        own_severities.push(rating.clone());
                    }
                }
                AffectedEntry {
                    kev: ids.iter().find_map(|id| kev.get(id.as_str())).cloned(),
                    epss: ids.iter().find_map(|id| epss.get(id.as_str())).cloned(),
                    severities: own_severities,
                    aliases,
                    package: row.package,
                    advisory_id: row.advisory_id,
                    source: row.source,
                    status: row.status,
                    fixed_version: row.fixed_version,
                    ranges: row.ranges,
                    versions: row.versions,
                    native_ranges: row.native_ranges,
                    ecosystem_specific: row.ecosystem_specific,
                    distribution_severity: row.distribution_severity,
                }
            })
            .collect();
        Ok(entries)
    }

    /// Returns the KEV entries of `cve_ids`, keyed by CVE id.
    pub fn kev(&self, cve_ids: &[String]) -> Result<HashMap<String, KevEntry>, AdvisoryError> {
        let mut found = HashMap::new();
        for batch in cve_ids.chunks(BATCH_SIZE) {
            let sql = format!(
                "SELECT cve_id, vendor_project, product, date_added, due_date, known_ransomware_campaign_use
                 FROM kev WHERE cve_id IN ({})",
                placeholders(1, batch.len())
            );
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let entries = statement
                .query_map(params_from_iter(batch), |row| {
                    Ok(KevEntry {
                        cve_id: row.get(0)?,
                        vendor_project: row.get(1)?,
                        product: row.get(2)?,
                        date_added: row.get(3)?,
                        due_date: row.get(4)?,
                        known_ransomware_campaign_use: row.get(5)?,
                    })
                })
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            found.extend(entries.into_iter().map(|entry| (entry.cve_id.clone(), entry)));
        }
        Ok(found)
    }

    /// Returns the EPSS scores of `cve_ids`, keyed by CVE id.
    pub fn epss(&self, cve_ids: &[String]) -> Result<HashMap<String, EpssScore>, AdvisoryError> {
        let mut found = HashMap::new();
        for batch in cve_ids.chunks(BATCH_SIZE) {
            let sql = format!("SELECT cve_id, score, percentile FROM epss WHERE cve_id IN ({})", placeholders(1, batch.len()));
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let scores = statement
                .query_map(params_from_iter(batch), |row| {
                    Ok(EpssScore { cve_id: row.get(0)?, score: row.get(1)?, percentile: row.get(2)? })
                })
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            found.extend(scores.into_iter().map(|score| (score.cve_id.clone(), score)));
        }
        Ok(found)
    }

    /// Returns NVD's ratings of `cve_ids`, keyed by CVE id, in the order NVD lists them.
    fn nvd_severities(&self, cve_ids: &[String]) -> Result<HashMap<String, Vec<Severity>>, AdvisoryError> {
        let mut found: HashMap<String, Vec<Severity>> = HashMap::new();
        for batch in cve_ids.chunks(BATCH_SIZE) {
            let sql = format!(
                "SELECT a.id, s.source, s.kind, s.value FROM severities s JOIN advisories a ON a.advisory_key = s.advisory_key
                 WHERE s.source = 'nvd' AND a.id IN ({}) ORDER BY s.rowid",
                placeholders(1, batch.len())
            );
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let ratings = statement
                .query_map(params_from_iter(batch), |row| {
                    Ok((row.get::<_, String>(0)?, Severity { source: row.get(1)?, kind: row.get(2)?, value: row.get(3)? }))
                })
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            for (id, rating) in ratings {
                found.entry(id).or_default().push(rating);
            }
        }
        Ok(found)
    }

    /// Returns the CWE ids of the advisories with the given ids (of any source), keyed by
    /// advisory id. A database written before the `weaknesses` table existed has none.
    pub fn weaknesses(&self, advisory_ids: &[String]) -> Result<HashMap<String, Vec<String>>, AdvisoryError> {
        let has_table: bool = self
            .connection
            .query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'weaknesses'", [], |row| row.get(0))
            .map_err(self.database_error("query"))?;
        let mut found: HashMap<String, Vec<String>> = HashMap::new();
        if !has_table {
            return Ok(found);
        }

        for batch in advisory_ids.chunks(BATCH_SIZE) {
            let sql = format!(
                "SELECT a.id, w.cwe_id FROM weaknesses w JOIN advisories a ON a.advisory_key = w.advisory_key
                 WHERE a.id IN ({}) ORDER BY a.id, w.cwe_id",
                placeholders(1, batch.len())
            );
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let rows = statement
                .query_map(params_from_iter(batch), |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            for (id, cwe_id) in rows {
                let ids = found.entry(id).or_default();
                if !ids.contains(&cwe_id) {
                    ids.push(cwe_id);
                }
            }
        }
        Ok(found)
    }

    /// Runs `select` (a statement without `WHERE`) for the given advisory keys, in batches.
    fn query_by_keys<T>(
        &self,
        select: &str,
        keys: &[i64],
        map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, AdvisoryError> {
        let mut found = Vec::new();
        for batch in keys.chunks(BATCH_SIZE) {
            let sql = format!("{select} WHERE advisory_key IN ({})", placeholders(1, batch.len()));
            let mut statement = self.connection.prepare_cached(&sql).map_err(self.database_error("query"))?;
            let rows = statement
                .query_map(params_from_iter(batch), &map)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(self.database_error("query"))?;
            found.extend(rows);
        }
        Ok(found)
    }
}

/// Reads a count, stored as SQLite's `i64`.
fn count(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<u64> {
    let value: i64 = row.get(index)?;
    u64::try_from(value).map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Integer, Box::new(error)))
}

/// Returns `?first, ?first+1, ...` for `count` parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|index| format!("?{index}")).collect::<Vec<_>>().join(", ")
}

/// Converts a JSON column to its type, as a conversion error of column `index` when it fails.
fn typed_json<T: serde::de::DeserializeOwned>(value: Option<Value>, index: usize) -> rusqlite::Result<Option<T>> {
    value
        .map(serde_json::from_value)
        .transpose()
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(error)))
}

/// An `affected` row joined with its advisory, before details are attached.
struct AffectedRow {
    key: i64,
    package: String,
    advisory_id: String,
    source: String,
    status: Status,
    fixed_version: Option<String>,
    ranges: Option<Value>,
    versions: Vec<String>,
    native_ranges: Option<NativeRanges>,
    ecosystem_specific: Option<Value>,
    distribution_severity: Option<String>,
}

impl AffectedRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AffectedRow> {
        let json = |index: usize| -> rusqlite::Result<Option<Value>> {
            let text: Option<String> = row.get(index)?;
            text.map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(error)))
        };
        let status: String = row.get(4)?;
        let status = status
            .parse::<Status>()
            .map_err(|reason| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, reason.into()))?;
        let versions: Option<Vec<String>> = typed_json(json(7)?, 7)?;
        let native_ranges: Option<NativeRanges> = typed_json(json(10)?, 10)?;

        Ok(AffectedRow {
            key: row.get(0)?,
            package: row.get(1)?,
            advisory_id: row.get(2)?,
            source: row.get(3)?,
            status,
            fixed_version: row.get(5)?,
            ranges: json(6)?,
            versions: versions.unwrap_or_default(),
            native_ranges,
            ecosystem_specific: json(8)?,
            distribution_severity: row.get(9)?,
        })
    }
}
