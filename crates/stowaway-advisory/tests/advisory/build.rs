//! Building a database from the shared feeds: discovery, sources, atomic replacement, and the
//! schema version check.

use std::path::Path;

use stowaway_advisory::{AdvisoryError, AdvisoryStore, Feed, FeedKind, SCHEMA_VERSION, build, discover};

use crate::advisories_dir;

/// The source names discovery finds in the shared folder, and each feed's kind.
const EXPECTED_SOURCES: [(&str, FeedKind); 11] = [
    ("alpine-secdb-json", FeedKind::AlpineSecdb),
    ("cisa-kev", FeedKind::Kev),
    ("debian-dla", FeedKind::DebianList),
    ("debian-dsa", FeedKind::DebianList),
    ("debian-tracker", FeedKind::DebianTracker),
    ("first-epss", FeedKind::Epss),
    ("go-vulndb-osv", FeedKind::Osv),
    ("nodejs-security-wg-vuln", FeedKind::NodeSecurityWg),
    ("osv-dev-samples", FeedKind::Osv),
    ("pypa-advisory-db", FeedKind::Osv),
    ("ruby-advisory-db", FeedKind::RubySec),
];

#[test]
fn discovery_finds_every_feed() {
    let discovery = discover(&advisories_dir()).unwrap();
    let mut found: Vec<(&str, FeedKind)> = discovery.feeds.iter().map(|feed| (feed.name.as_str(), feed.kind)).collect();
    found.retain(|(name, _)| *name != "rustsec-osv");

    assert_eq!(found, EXPECTED_SOURCES);
    assert!(discovery.feeds.iter().any(|feed| feed.name == "rustsec-osv"));
    // The KEV schema and the osv.dev intermediate parts are no feeds, and the secdb YAML files
    // repeat the JSON ones.
    let skipped: Vec<String> = discovery.skipped.iter().map(|(path, _)| path.to_string_lossy().into_owned()).collect();
    assert!(skipped.iter().any(|path| path.ends_with("known_exploited_vulnerabilities_schema.json")), "{skipped:?}");
    assert_eq!(skipped.iter().filter(|path| path.contains("alpine-secdb/yaml/")).count(), 18, "{skipped:?}");
    let expected_skip = |path: &String| path.ends_with("_schema.json") || path.contains("vulnfeeds-parts") || path.contains("alpine-secdb/yaml/");
    assert!(skipped.iter().all(expected_skip), "{skipped:?}");
}

#[test]
fn build_records_every_source() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("db.sqlite");
    let discovery = discover(&advisories_dir()).unwrap();

    let report = build(&output, &discovery.feeds).unwrap();
    assert_eq!(report.sources.len(), discovery.feeds.len());

    let status = AdvisoryStore::open(&output).unwrap().status().unwrap();
    assert_eq!(status.schema_version, SCHEMA_VERSION);
    assert!(status.age.is_some(), "built_at `{}` unreadable", status.built_at);
    assert_eq!(status.sources.len(), discovery.feeds.len());
    for source in &status.sources {
        assert!(source.record_count > 0, "{source:?}");
        assert!(source.digest.starts_with("sha256:"), "{source:?}");
        let from_report = report.sources.iter().find(|report| report.name == source.name).unwrap();
        assert_eq!(source.record_count, from_report.record_count as u64, "{}", source.name);
    }

    // Only the temporary file's rename produced the database: nothing else is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(directory.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["db.sqlite"]);
}

fn build_small(output: &Path) {
    let feed = Feed {
        name: "first-epss".to_owned(),
        kind: FeedKind::Epss,
        paths: vec![advisories_dir().join("epss/epss_scores-sample.csv")],
    };
    build(output, &[feed]).unwrap();
}

#[test]
fn failed_build_keeps_the_old_database() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("db.sqlite");
    build_small(&output);
    let before = std::fs::read(&output).unwrap();

    let corrupt = directory.path().join("corrupt.tar.zst");
    std::fs::write(&corrupt, b"\x28\xb5\x2f\xfd truncated").unwrap();
    let feeds = [
        Feed { name: "first-epss".to_owned(), kind: FeedKind::Epss, paths: vec![advisories_dir().join("epss/epss_scores-sample.csv")] },
        Feed { name: "corrupt".to_owned(), kind: FeedKind::Osv, paths: vec![corrupt] },
    ];
    let error = build(&output, &feeds).unwrap_err();

    assert!(matches!(error, AdvisoryError::ReadFeed { ref feed, .. } if feed == "corrupt"), "{error}");
    assert_eq!(std::fs::read(&output).unwrap(), before, "the old database changed");
    AdvisoryStore::open(&output).unwrap();
    let names: Vec<_> = std::fs::read_dir(directory.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "a temporary file was left behind: {names:?}");
}

#[test]
fn other_schema_version_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("db.sqlite");
    build_small(&output);
    let connection = rusqlite::Connection::open(&output).unwrap();
    connection.execute("UPDATE metadata SET value = '999' WHERE key = 'schema_version'", []).unwrap();
    drop(connection);

    let error = AdvisoryStore::open(&output).unwrap_err();
    assert!(matches!(error, AdvisoryError::UnsupportedSchema { ref found, .. } if found == "999"), "{error}");
    assert!(error.to_string().contains(&format!("reads version {SCHEMA_VERSION}")), "{error}");
}

#[test]
fn file_without_metadata_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("other.sqlite");
    rusqlite::Connection::open(&output).unwrap().execute_batch("CREATE TABLE unrelated (x);").unwrap();

    let error = AdvisoryStore::open(&output).unwrap_err();
    assert!(matches!(error, AdvisoryError::UnsupportedSchema { ref found, .. } if found == "none"), "{error}");
}

#[test]
fn secdb_in_json_and_yaml_is_stored_once() {
    let directory = tempfile::tempdir().unwrap();
    let both = directory.path().join("both.sqlite");
    let json_only = directory.path().join("json.sqlite");
    let secdb = advisories_dir().join("alpine-secdb");

    let discovery = discover(&secdb).unwrap();
    assert_eq!(discovery.feeds.len(), 1, "{:?}", discovery.feeds);
    assert!(discovery.feeds[0].paths.iter().all(|path| path.extension().unwrap() == "json"));
    build(&both, &discovery.feeds).unwrap();
    build(&json_only, &discover(&secdb.join("json")).unwrap().feeds).unwrap();

    let affected_rows = |path: &Path| -> i64 {
        let connection = rusqlite::Connection::open(path).unwrap();
        connection.query_row("SELECT count(*) FROM affected", [], |row| row.get(0)).unwrap()
    };
    assert!(affected_rows(&json_only) > 10_000);
    assert_eq!(affected_rows(&both), affected_rows(&json_only));
}

#[test]
fn secdb_in_yaml_alone_is_read() {
    let discovery = discover(&advisories_dir().join("alpine-secdb/yaml")).unwrap();
    assert_eq!(discovery.feeds.len(), 1);
    assert_eq!(discovery.feeds[0].paths.len(), 18);
    assert!(discovery.skipped.is_empty(), "{:?}", discovery.skipped);
}
