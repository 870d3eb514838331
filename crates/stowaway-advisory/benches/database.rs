//! Build time of the advisory database from every shared feed, and lookups per second for a
//! realistic image's package list.
//!
//! Run with `cargo bench -p stowaway-advisory --bench database` and `STOWAWAY_SHARED_DIR` set to
//! the shared folder (default: `shared` beside the workspace root). The query benchmark looks up
//! 500 package names in one namespace per call, as the matcher does for one image. The names are
//! Debian 9 source packages that the DSA and DLA lists name, padded with names no advisory
//! mentions, because most of an image's packages have none. The database size is printed once to stderr.

#![allow(clippy::print_stderr)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stowaway_advisory::{AdvisoryStore, build, discover};

/// Package names per lookup, about the package count of a full Debian image.
const PACKAGES: usize = 500;

fn advisories_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    shared.join("data/advisories")
}

fn bench_database(criterion: &mut Criterion) {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("db.sqlite");
    let feeds = discover(&advisories_dir()).unwrap().feeds;

    let mut group = criterion.benchmark_group("database");
    group.sample_size(10);
    group.bench_function("build_all_shared_feeds", |bencher| bencher.iter(|| build(&output, black_box(&feeds)).unwrap()));
    group.finish();
    eprintln!("database size: {} bytes", std::fs::metadata(&output).unwrap().len());

    let names = package_names(&output);
    let queried: Vec<&str> = names.iter().map(String::as_str).collect();
    let store = AdvisoryStore::open(&output).unwrap();
    let found = store.affected("debian:9", &queried).unwrap().len();
    eprintln!("one lookup of {PACKAGES} names returns {found} affected entries");

    let mut group = criterion.benchmark_group("query");
    group.throughput(Throughput::Elements(PACKAGES as u64));
    group.bench_function("affected_500_packages", |bencher| {
        bencher.iter(|| store.affected(black_box("debian:9"), black_box(&queried)).unwrap());
    });
    group.finish();
}

/// Returns 300 Debian 9 package names with advisories and 200 without.
fn package_names(database: &std::path::Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT DISTINCT package FROM affected WHERE namespace = 'debian:9' ORDER BY package LIMIT 300")
        .unwrap();
    let mut names: Vec<String> = statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(names.len(), 300, "the shared feeds name fewer Debian 9 packages than expected");
    names.extend((0..PACKAGES - 300).map(|index| format!("no-advisory-package-{index}")));
    names
}

criterion_group!(benches, bench_database);
criterion_main!(benches);
