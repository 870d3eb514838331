//! Queries the matcher makes, on a database built once from the shared feeds.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use stowaway_advisory::{AdvisoryStore, Status, build, discover, severity};

use crate::advisories_dir;

/// Builds the database from every shared feed once per test run.
fn database() -> PathBuf {
    static DATABASE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_directory, path) = DATABASE.get_or_init(|| {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("db.sqlite");
        build(&path, &discover(&advisories_dir()).unwrap().feeds).unwrap();
        (directory, path)
    });
    path.clone()
}

#[test]
fn go_module_with_imports_kev_and_aliases() {
    let store = AdvisoryStore::open(&database()).unwrap();
    let entries = store.affected("golang", &["golang.org/x/net"]).unwrap();
    let entry = entries.iter().find(|entry| entry.advisory_id == "GO-2022-0969").unwrap();

    assert_eq!(entry.source, "go-vulndb-osv");
    assert_eq!(entry.status, Status::Fixed);
    assert!(entry.aliases.contains(&"CVE-2022-27664".to_owned()), "{:?}", entry.aliases);
    assert_eq!(entry.ecosystem_specific.as_ref().unwrap()["imports"][0]["path"], "golang.org/x/net/http2");
    assert!(entries.iter().all(|entry| entry.package == "golang.org/x/net"));
}

#[test]
fn debian_package_from_lists_and_tracker() {
    let store = AdvisoryStore::open(&database()).unwrap();
    let entries = store.affected("debian:11", &["xorg-server"]).unwrap();
    let dsa = entries.iter().find(|entry| entry.advisory_id == "DSA-5380-1").unwrap();
    assert_eq!(dsa.fixed_version.as_deref(), Some("2:1.20.11-1+deb11u6"));
    assert_eq!(dsa.aliases, ["CVE-2023-1393"]);

    let apparmor = store.affected("debian:12", &["apparmor"]).unwrap();
    let open = apparmor.iter().find(|entry| entry.advisory_id == "CVE-2016-1585").unwrap();
    assert_eq!(open.status, Status::Unfixed);
    assert_eq!(open.distribution_severity.as_deref(), Some("unimportant"));
}

#[test]
fn kev_and_epss_attach_by_cve() {
    let store = AdvisoryStore::open(&database()).unwrap();
    let kev = store.kev(&["CVE-2025-48384".to_owned(), "CVE-0000-0000".to_owned()]).unwrap();
    assert_eq!(kev.len(), 1);
    assert_eq!(kev["CVE-2025-48384"].vendor_project, "Git");

    let epss = store.epss(&["CVE-1999-0016".to_owned()]).unwrap();
    assert_eq!(epss["CVE-1999-0016"].score, 0.95739);
}

#[test]
fn batched_query_of_500_packages() {
    let path = database();
    let connection = rusqlite::Connection::open(&path).unwrap();
    let mut statement = connection
        .prepare(
            "SELECT DISTINCT f.package FROM affected f JOIN advisories a ON a.advisory_key = f.advisory_key
             WHERE f.namespace = 'pypi' AND a.withdrawn IS NULL ORDER BY f.package LIMIT 450",
        )
        .unwrap();
    let mut names: Vec<String> = statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(names.len(), 450);
    // Packages with no advisory, as most of an image's packages are.
    names.extend((0..50).map(|index| format!("stowaway-no-such-package-{index}")));
    let queried: Vec<&str> = names.iter().map(String::as_str).collect();

    let store = AdvisoryStore::open(&path).unwrap();
    let entries = store.affected("pypi", &queried).unwrap();
    let found: BTreeSet<&str> = entries.iter().map(|entry| entry.package.as_str()).collect();

    assert_eq!(found.len(), 450);
    assert!(found.iter().all(|name| !name.starts_with("stowaway-no-such-package")));
    // Entries come back in the order the names were given.
    let order: Vec<&str> = entries.iter().map(|entry| entry.package.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|name| queried.iter().position(|queried| queried == name));
    assert_eq!(order, sorted);
}

#[test]
fn store_is_read_only() {
    let store = AdvisoryStore::open(&database()).unwrap();
    drop(store);
    let connection = rusqlite::Connection::open_with_flags(database(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let error = connection.execute("DELETE FROM epss", []).unwrap_err();
    assert!(error.to_string().contains("readonly"), "{error}");
}

#[test]
fn every_stored_cvss_vector_scores() {
    let connection = rusqlite::Connection::open(database()).unwrap();
    let mut statement = connection.prepare("SELECT value FROM severities WHERE kind IN ('CVSS_V2', 'CVSS_V3', 'CVSS_V4')").unwrap();
    let vectors: Vec<String> = statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(vectors.len() > 100, "only {} vectors stored", vectors.len());

    // One record in the feeds writes `U`, which CVSS 3 does not define, for two impact metrics.
    // The scorer rejects it, so the severity precedence moves on to the next rating.
    let failures: Vec<&str> =
        vectors.iter().filter(|vector| severity::score_vector(vector).is_err()).map(String::as_str).collect();
    assert_eq!(failures, ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U"], "of {} vectors", vectors.len());
}

#[test]
fn severity_precedence_on_real_entries() {
    let store = AdvisoryStore::open(&database()).unwrap();

    let apparmor = store.affected("debian:12", &["apparmor"]).unwrap();
    let open = apparmor.iter().find(|entry| entry.advisory_id == "CVE-2016-1585").unwrap();
    let rating = open.severity().unwrap();
    assert_eq!((rating.level, rating.source.as_str()), (severity::Level::Negligible, "distribution"));

    let uri_js = store.affected("npm", &["uri-js"]).unwrap();
    let rating = uri_js.iter().find(|entry| entry.advisory_id == "NSWG-ECO-100").unwrap().severity().unwrap();
    assert_eq!((rating.level, rating.score), (severity::Level::High, Some(7.5)));
}

#[test]
fn cve_shared_by_several_gems_matches_each() {
    let store = AdvisoryStore::open(&database()).unwrap();
    // RubySec lists CVE-2019-15224 (malicious releases) in one file per gem.
    let gems = ["rest-client", "coin_base", "capistrano-colors", "bitcoin_vanity", "awesome-bot"];
    let entries = store.affected("gem", &gems).unwrap();

    for gem in gems {
        let found = entries.iter().any(|entry| entry.package == gem && entry.advisory_id == "CVE-2019-15224");
        assert!(found, "{gem} has no entry for CVE-2019-15224");
    }
    let rest_client: Vec<_> = entries.iter().filter(|entry| entry.package == "rest-client" && entry.advisory_id == "CVE-2019-15224").collect();
    assert_eq!(rest_client.len(), 1);
}
