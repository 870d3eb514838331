//! NVD CVE API 2.0 records. The shared data contains no NVD file, so `tests/data/nvd` has two
//! written by hand in NVD's 2.0 shape, with invented CVE ids (`CVE-2099-*`): a response of four
//! records (one without an id) and a single-record file.

use std::path::PathBuf;

use stowaway_advisory::{AdvisoryStore, FeedKind, build, discover};

fn nvd_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/nvd")
}

#[test]
fn nvd_files_are_discovered_and_imported() {
    let discovery = discover(&nvd_dir()).unwrap();
    assert_eq!(discovery.feeds.len(), 2, "{:?}", discovery.feeds);
    assert!(discovery.feeds.iter().all(|feed| feed.kind == FeedKind::Nvd));

    let response = discovery.feeds.iter().find(|feed| feed.paths[0].ends_with("nvdcve-2.0-sample.json")).unwrap();
    let data = response.import().unwrap();
    assert_eq!(data.record_count, 4);
    assert_eq!(data.advisories.len(), 3);
    assert_eq!(data.warnings.len(), 1);
    assert_eq!(data.warnings[0].record, "vulnerabilities[3]");

    let first = &data.advisories[0];
    assert_eq!(first.id, "CVE-2099-1001");
    assert_eq!(first.summary, None);
    assert_eq!(first.weaknesses, ["CWE-787", "CWE-120"]);
    let kinds: Vec<&str> = first.severities.iter().map(|severity| severity.kind.as_str()).collect();
    assert_eq!(kinds, ["CVSS_V4", "CVSS_V3"]);
    assert!(first.severities.iter().all(|severity| severity.source == "nvd"));
    assert!(data.advisories[1].withdrawn.is_some());
    assert!(data.advisories[2].weaknesses.is_empty(), "NVD-CWE-noinfo is no CWE id");

    let single = discovery.feeds.iter().find(|feed| feed.paths[0].ends_with("CVE-2099-1004.json")).unwrap().import().unwrap();
    assert_eq!(single.record_count, 1);
    assert_eq!(single.advisories[0].severities[0].kind, "CVSS_V3");
    assert_eq!(single.advisories[0].weaknesses, ["CWE-400"]);
}

#[test]
fn nvd_ratings_and_weaknesses_reach_other_advisories() {
    let directory = tempfile::tempdir().unwrap();
    let osv = directory.path().join("osv");
    std::fs::create_dir(&osv).unwrap();
    let record = r#"{"id": "EXAMPLE-2099-1", "modified": "2099-01-01T00:00:00Z", "aliases": ["CVE-2099-1001"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "invented"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}]}"#;
    std::fs::write(osv.join("EXAMPLE-2099-1.json"), record).unwrap();

    let mut feeds = discover(&nvd_dir()).unwrap().feeds;
    feeds.extend(discover(&osv).unwrap().feeds);
    let database = directory.path().join("db.sqlite");
    build(&database, &feeds).unwrap();
    let store = AdvisoryStore::open(&database).unwrap();

    let entries = store.affected("pypi", &["invented"]).unwrap();
    assert_eq!(entries.len(), 1);
    let nvd: Vec<&str> = entries[0].severities.iter().filter(|severity| severity.source == "nvd").map(|severity| severity.kind.as_str()).collect();
    assert_eq!(nvd, ["CVSS_V4", "CVSS_V3"]);
    let rating = entries[0].severity().unwrap();
    assert_eq!(rating.source, "nvd");

    let weaknesses = store.weaknesses(&["CVE-2099-1001".to_owned(), "EXAMPLE-2099-1".to_owned()]).unwrap();
    assert_eq!(weaknesses.get("CVE-2099-1001").unwrap(), &["CWE-120", "CWE-787"]);
    assert!(!weaknesses.contains_key("EXAMPLE-2099-1"));
}

#[test]
fn advisory_without_nvd_record_keeps_own_ratings() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    build(&database, &discover(&nvd_dir()).unwrap().feeds).unwrap();
    let store = AdvisoryStore::open(&database).unwrap();

    assert!(store.affected("pypi", &["invented"]).unwrap().is_empty());
    assert!(store.weaknesses(&["CVE-2099-9999".to_owned()]).unwrap().is_empty());
}
