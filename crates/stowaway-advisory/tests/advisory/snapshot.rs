//! The embedded snapshot: it unpacks to the database its build recorded, and it contains what
//! `scripts/build-snapshot.sh` builds from the shared feeds today, so it cannot go stale silently.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::Connection;
use stowaway_advisory::{AdvisoryStore, BuildOptions, build_with_options, discover, snapshot_info, unpack_snapshot};

use crate::advisories_dir;

fn rows(database: &Path, sql: &str) -> BTreeSet<String> {
    let connection = Connection::open(database).unwrap();
    let mut statement = connection.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| Ok((0..columns).map(|index| cell_text(row.get_ref(index).unwrap())).collect::<Vec<_>>().join("|")))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

const ADVISORY_IDS: &str = "SELECT source, id FROM advisories";
const AFFECTED_ROWS: &str = "SELECT a.source, a.id, f.namespace, f.package, f.status, f.fixed_version, f.ranges, f.versions, f.native_ranges
     FROM affected f JOIN advisories a ON a.advisory_key = f.advisory_key";

#[test]
fn snapshot_equals_build_from_shared_feeds() {
    let directory = tempfile::tempdir().unwrap();
    let snapshot = directory.path().join("snapshot.db");
    let rebuilt = directory.path().join("rebuilt.db");
    unpack_snapshot(&snapshot).unwrap();
    let feeds = discover(&advisories_dir()).unwrap().feeds;
    build_with_options(&rebuilt, &feeds, BuildOptions { facts_only: true, ..BuildOptions::default() }).unwrap();

    let stale = "the committed snapshot differs from the shared feeds; run scripts/build-snapshot.sh";
    let (snapshot_ids, rebuilt_ids) = (rows(&snapshot, ADVISORY_IDS), rows(&rebuilt, ADVISORY_IDS));
    assert!(rebuilt_ids.len() > 10_000, "{}", rebuilt_ids.len());
    assert_eq!(snapshot_ids.len(), rebuilt_ids.len(), "{stale}");
    assert!(snapshot_ids == rebuilt_ids, "{stale}: first difference {:?}", snapshot_ids.symmetric_difference(&rebuilt_ids).next());
    let (snapshot_affected, rebuilt_affected) = (rows(&snapshot, AFFECTED_ROWS), rows(&rebuilt, AFFECTED_ROWS));
    assert!(
        snapshot_affected == rebuilt_affected,
        "{stale}: first difference {:?}",
        snapshot_affected.symmetric_difference(&rebuilt_affected).next()
    );
}

#[test]
fn snapshot_keeps_no_summaries() {
    let directory = tempfile::tempdir().unwrap();
    let snapshot = directory.path().join("snapshot.db");
    unpack_snapshot(&snapshot).unwrap();

    assert_eq!(rows(&snapshot, "SELECT count(*) FROM advisories WHERE summary IS NOT NULL"), BTreeSet::from(["0".to_owned()]));
    let severities = rows(&snapshot, "SELECT count(*) FROM severities");
    assert_ne!(severities, BTreeSet::from(["0".to_owned()]));
}

#[test]
fn unpacked_snapshot_is_recognized() {
    let directory = tempfile::tempdir().unwrap();
    let snapshot = directory.path().join("db/stowaway.db");
    unpack_snapshot(&snapshot).unwrap();

    assert_eq!(std::fs::metadata(&snapshot).unwrap().len(), snapshot_info().size);
    let status = AdvisoryStore::open(&snapshot).unwrap().status().unwrap();
    assert!(status.embedded_snapshot);
    assert!(status.sources.iter().all(|source| source.record_count > 0));
    let names: Vec<_> = std::fs::read_dir(snapshot.parent().unwrap()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(names, ["stowaway.db"], "a temporary file was left behind");
}

#[test]
fn changed_snapshot_is_not_recognized() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("stowaway.db");
    unpack_snapshot(&database).unwrap();
    let connection = Connection::open(&database).unwrap();
    connection.execute("UPDATE metadata SET value = '2000-01-01T00:00:00Z' WHERE key = 'built_at'", []).unwrap();
    drop(connection);

    assert_eq!(std::fs::metadata(&database).unwrap().len(), snapshot_info().size);
    assert!(!AdvisoryStore::open(&database).unwrap().status().unwrap().embedded_snapshot);
}

/// Returns a cell as readable text for comparisons and failure messages.
fn cell_text(value: rusqlite::types::ValueRef<'_>) -> String {
    match value {
        rusqlite::types::ValueRef::Null => "NULL".to_owned(),
        rusqlite::types::ValueRef::Integer(number) => number.to_string(),
        rusqlite::types::ValueRef::Real(number) => number.to_string(),
        rusqlite::types::ValueRef::Text(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        rusqlite::types::ValueRef::Blob(bytes) => format!("blob of {} bytes", bytes.len()),
    }
}
