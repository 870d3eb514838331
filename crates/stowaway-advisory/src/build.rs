//! Writing a database from imported feeds, atomically.
//!
//! Every feed is read and parsed before the first byte is written, so a feed that fails leaves
//! nothing behind. The database is written to a temporary file in the target's directory, checked
//! (`PRAGMA integrity_check` and the schema version read back), flushed to disk, and renamed over
//! the target. A rename within one directory is atomic, so a reader, even one starting after a
//! crash at any point, opens either the old database or the new one, never a partial file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::{Connection, Transaction, params};

use crate::feed::{Feed, FeedKind};
use crate::import::{FeedData, ImportWarning};
use crate::model::Advisory;
use crate::schema::{CREATE, SCHEMA_VERSION};
use crate::store::read_schema_version;
use crate::{AdvisoryError, time};

/// The summary of a build, per source.
#[derive(Debug)]
pub struct BuildReport {
    /// One entry per feed, in the order built.
    pub sources: Vec<SourceReport>,
}

/// The contribution of one feed to a build.
#[derive(Debug)]
pub struct SourceReport {
    /// The source name.
    pub name: String,
    /// The feed format.
    pub kind: FeedKind,
    /// Records in the feed, skipped ones included.
    pub record_count: usize,
    /// Advisories written.
    pub advisory_count: usize,
    /// The records skipped.
    pub warnings: Vec<ImportWarning>,
}

/// Build choices beyond the defaults: what to keep and what to check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Drop the advisories' prose (summaries), keeping ids, aliases, affected packages,
    /// severities, weaknesses, references, KEV and EPSS, as the embedded snapshot does.
    pub facts_only: bool,
    /// Fail when a feed contains no record, as a downloaded error page would.
    pub require_records: bool,
}

/// Imports `feeds` and writes them as a new database at `output`, replacing any database there
/// only once the new one is complete and checked.
pub fn build(output: &Path, feeds: &[Feed]) -> Result<BuildReport, AdvisoryError> {
    build_with_options(output, feeds, BuildOptions::default())
}

/// Builds like [`build`], with the choices of `options`.
pub fn build_with_options(output: &Path, feeds: &[Feed], options: BuildOptions) -> Result<BuildReport, AdvisoryError> {
    let imported = feeds
        .iter()
        .map(|feed| {
            let mut data = feed.import()?;
            tracing::debug!(feed = %feed.name, records = data.record_count, warnings = data.warnings.len(), "imported feed");
            if options.require_records && data.record_count == 0 {
                return Err(AdvisoryError::EmptyFeed { feed: feed.name.clone(), paths: feed.paths.clone() });
            }
            if options.facts_only {
                data.advisories.iter_mut().for_each(|advisory| advisory.summary = None);
            }
            Ok((feed, data))
        })
        .collect::<Result<Vec<_>, AdvisoryError>>()?;

    let directory = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_error = |operation, path: &Path| {
        let path = path.to_owned();
        move |source| AdvisoryError::File { operation, path, source }
    };
    std::fs::create_dir_all(&directory).map_err(file_error("create the directory of", output))?;
    let temporary = tempfile::Builder::new()
        .prefix(".stowaway-db-")
        .suffix(".tmp")
        .tempfile_in(&directory)
        .map_err(file_error("create a temporary", &directory))?;

    write(temporary.path(), &imported)?;
    temporary.as_file().sync_all().map_err(file_error("flush", temporary.path()))?;
    // Temporary files are created private (0600); the database is no secret and other users'
    // scans may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = std::fs::Permissions::from_mode(0o644);
        temporary.as_file().set_permissions(readable).map_err(file_error("set permissions of", temporary.path()))?;
    }
    // NOTE: a build killed before this rename leaves its `.stowaway-db-*.tmp` file behind. The
    // database itself is untouched, and the next build does not remove the leftover.
    temporary.persist(output).map_err(|error| AdvisoryError::File {
        operation: "replace",
        path: output.to_owned(),
        source: error.error,
    })?;
    // NOTE: the rename is durable only once the directory entry is flushed too.
    if let Ok(handle) = std::fs::File::open(&directory) {
        let _ = handle.sync_all();
    }

    let sources = imported
        .into_iter()
        .map(|(feed, data)| SourceReport {
            name: feed.name.clone(),
            kind: feed.kind,
            record_count: data.record_count,
            advisory_count: data.advisories.len(),
            warnings: data.warnings,
        })
        .collect();
    Ok(BuildReport { sources })
}

/// Writes the schema and every feed into the empty file at `path`, then checks the result.
fn write(path: &Path, imported: &[(&Feed, FeedData)]) -> Result<(), AdvisoryError> {
    let database_error = |operation| {
        let path = path.to_owned();
        move |source| AdvisoryError::Database { operation, path, source }
    };
    let mut connection = Connection::open(path).map_err(database_error("create"))?;
    // The file is private until renamed, and a failed build deletes it, so a journal buys nothing.
    connection
        .execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;")
        .map_err(database_error("configure"))?;
    connection.execute_batch(CREATE).map_err(database_error("create the schema of"))?;

    let transaction = connection.transaction().map_err(database_error("write"))?;
    let built_at = time::rfc3339(SystemTime::now());
    insert_metadata(&transaction, &built_at).map_err(database_error("write metadata to"))?;
    for (feed, data) in imported {
        insert_feed(&transaction, feed, data, &built_at).map_err(database_error("write a feed to"))?;
    }
    transaction.commit().map_err(database_error("commit"))?;

    connection.execute_batch("ANALYZE;").map_err(database_error("analyze"))?;
    let integrity: String =
        connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).map_err(database_error("check"))?;
    if integrity != "ok" {
        return Err(AdvisoryError::IntegrityCheck { path: path.to_owned(), report: integrity });
    }
    read_schema_version(&connection, path)?;
    connection.close().map_err(|(_, source)| AdvisoryError::Database { operation: "close", path: path.to_owned(), source })
}

fn insert_metadata(transaction: &Transaction<'_>, built_at: &str) -> rusqlite::Result<()> {
    let mut statement = transaction.prepare("INSERT INTO metadata (key, value) VALUES (?1, ?2)")?;
    statement.execute(params!["schema_version", SCHEMA_VERSION.to_string()])?;
    statement.execute(params!["built_at", built_at])?;
    statement.execute(params!["generator", concat!("stowaway-advisory ", env!("CARGO_PKG_VERSION"))])?;
    Ok(())
}

fn insert_feed(transaction: &Transaction<'_>, feed: &Feed, data: &FeedData, built_at: &str) -> rusqlite::Result<()> {
    transaction.execute(
        "INSERT INTO sources (name, kind, digest, record_count, warning_count, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![feed.name, feed.kind.as_str(), data.digest, count(data.record_count), count(data.warnings.len()), built_at],
    )?;

    for advisory in &data.advisories {
        insert_advisory(transaction, &feed.name, advisory)?;
    }

    let mut kev = transaction.prepare_cached(
        "INSERT OR REPLACE INTO kev (cve_id, vendor_project, product, date_added, due_date, known_ransomware_campaign_use)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for entry in &data.kev {
        kev.execute(params![
            entry.cve_id,
            entry.vendor_project,
            entry.product,
            entry.date_added,
            entry.due_date,
            entry.known_ransomware_campaign_use
        ])?;
    }

    let mut epss = transaction.prepare_cached("INSERT OR REPLACE INTO epss (cve_id, score, percentile) VALUES (?1, ?2, ?3)")?;
    for score in &data.epss {
        epss.execute(params![score.cve_id, score.score, score.percentile])?;
    }
    Ok(())
}

/// Converts a count for SQLite, whose integers are `i64`.
fn count(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn insert_advisory(transaction: &Transaction<'_>, source: &str, advisory: &Advisory) -> rusqlite::Result<()> {
    let mut insert = transaction.prepare_cached(
        "INSERT INTO advisories (source, id, published, modified, withdrawn, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (source, id) DO NOTHING",
    )?;
    let inserted = insert.execute(params![
        source,
        advisory.id,
        advisory.published,
        advisory.modified,
        advisory.withdrawn,
        advisory.summary
    ])?;
    // A feed may list one id in several records: RubySec writes one file per gem, and gems
    // that shipped the same malicious code share a CVE. The later records add their packages,
    // aliases and ratings to the first one's advisory, whose dates and summary stay.
    let key = if inserted == 0 {
        tracing::debug!(source, id = advisory.id, "advisory id listed again in one feed, merged into the first");
        transaction.query_row("SELECT advisory_key FROM advisories WHERE source = ?1 AND id = ?2", params![source, advisory.id], |row| row.get(0))?
    } else {
        transaction.last_insert_rowid()
    };

    let mut alias = transaction.prepare_cached("INSERT OR IGNORE INTO aliases (advisory_key, alias) VALUES (?1, ?2)")?;
    for name in &advisory.aliases {
        alias.execute(params![key, name])?;
    }

    let mut affected = transaction.prepare_cached(
        "INSERT INTO affected (advisory_key, namespace, package, status, fixed_version, ranges, versions,
             native_ranges, ecosystem_specific, database_specific, distribution_severity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for entry in &advisory.affected {
        let versions = (!entry.versions.is_empty()).then(|| serde_json::to_string(&entry.versions).unwrap_or_default());
        affected.execute(params![
            key,
            entry.namespace,
            entry.package,
            entry.status.as_str(),
            entry.fixed_version,
            entry.ranges.as_ref().map(ToString::to_string),
            versions,
            entry.native_ranges.as_ref().map(|ranges| serde_json::to_string(ranges).unwrap_or_default()),
            entry.ecosystem_specific.as_ref().map(ToString::to_string),
            entry.database_specific.as_ref().map(ToString::to_string),
            entry.distribution_severity,
        ])?;
    }

    let mut severity = transaction.prepare_cached(
        "INSERT INTO severities (advisory_key, source, kind, value) SELECT ?1, ?2, ?3, ?4
         WHERE NOT EXISTS (SELECT 1 FROM severities WHERE advisory_key = ?1 AND source = ?2 AND kind = ?3 AND value = ?4)",
    )?;
    for rating in &advisory.severities {
        severity.execute(params![key, rating.source, rating.kind, rating.value])?;
    }

    let mut weakness = transaction.prepare_cached("INSERT OR IGNORE INTO weaknesses (advisory_key, cwe_id) VALUES (?1, ?2)")?;
    for cwe_id in &advisory.weaknesses {
        weakness.execute(params![key, cwe_id])?;
    }

    let mut reference = transaction.prepare_cached(
        "INSERT INTO advisory_references (advisory_key, url) SELECT ?1, ?2
         WHERE NOT EXISTS (SELECT 1 FROM advisory_references WHERE advisory_key = ?1 AND url = ?2)",
    )?;
    for url in &advisory.references {
        reference.execute(params![key, url])?;
    }
    Ok(())
}
