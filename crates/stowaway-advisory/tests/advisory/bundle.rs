//! Offline bundles: export and import round trip, and every broken bundle rejected with the
//! current database untouched.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};
use stowaway_advisory::{AdvisoryError, AdvisoryStore, Feed, FeedKind, build, bundle};

use crate::advisories_dir;

/// Builds a small database (the EPSS sample) at `path`.
fn small_database(path: &Path) {
    let feed = Feed {
        name: "first-epss".to_owned(),
        kind: FeedKind::Epss,
        paths: vec![advisories_dir().join("epss/epss_scores-sample.csv")],
    };
    build(path, &[feed]).unwrap();
}

/// Writes a bundle by hand: a zstd tar stream of `manifest.json` and `db.sqlite`.
fn write_bundle(path: &Path, manifest: &Value, database: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut archive = tar::Builder::new(zstd::stream::write::Encoder::new(file, 3).unwrap());
    for (name, contents) in [("manifest.json", serde_json::to_vec(manifest).unwrap()), ("db.sqlite", database.to_vec())] {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        archive.append_data(&mut header, name, contents.as_slice()).unwrap();
    }
    archive.into_inner().unwrap().finish().unwrap();
}

/// Returns a directory with a current database (`current.sqlite`), its bytes, and a second,
/// valid database file for bundles (`other.sqlite`).
fn setup() -> (tempfile::TempDir, PathBuf, Vec<u8>, Vec<u8>) {
    let directory = tempfile::tempdir().unwrap();
    let current = directory.path().join("current.sqlite");
    small_database(&current);
    let other = directory.path().join("other.sqlite");
    small_database(&other);
    let current_bytes = std::fs::read(&current).unwrap();
    let other_bytes = std::fs::read(&other).unwrap();
    std::fs::remove_file(&other).unwrap();
    (directory, current, current_bytes, other_bytes)
}

fn manifest_for(database: &[u8]) -> Value {
    serde_json::json!({
        "format": "stowaway-advisory-bundle",
        "bundle_version": 1,
        "schema_version": stowaway_advisory::SCHEMA_VERSION,
        "built_at": "2026-01-01T00:00:00Z",
        "database_size": database.len(),
        "database_sha256": hex::encode(Sha256::digest(database)),
    })
}

/// Checks that the import failed without touching the current database or leaving files.
fn assert_untouched(directory: &Path, current: &Path, before: &[u8]) {
    assert_eq!(std::fs::read(current).unwrap(), before, "the current database changed");
    AdvisoryStore::open(current).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".stowaway-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn export_import_round_trip() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    small_database(&database);
    let bundle_path = directory.path().join("advisories.bundle");

    let exported = bundle::export(&database, &bundle_path).unwrap();
    let bytes = std::fs::read(&database).unwrap();
    assert_eq!(exported.database_sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(exported.database_size, bytes.len() as u64);

    let imported_path = directory.path().join("imported/db.sqlite");
    let imported = bundle::import(&bundle_path, &imported_path).unwrap();
    assert_eq!(imported, exported);
    assert_eq!(std::fs::read(&imported_path).unwrap(), bytes);
    assert_eq!(AdvisoryStore::open(&imported_path).unwrap().status().unwrap().sources[0].name, "first-epss");
}

#[test]
fn wrong_digest_is_rejected() {
    let (directory, current, before, other) = setup();
    let mut manifest = manifest_for(&other);
    manifest["database_sha256"] = Value::String("0".repeat(64));
    let bundle_path = directory.path().join("wrong.bundle");
    write_bundle(&bundle_path, &manifest, &other);

    let error = bundle::import(&bundle_path, &current).unwrap_err();
    assert!(matches!(error, AdvisoryError::DigestMismatch { .. }), "{error}");
    assert_untouched(directory.path(), &current, &before);
}

#[test]
fn truncated_bundle_is_rejected() {
    let (directory, current, before, other) = setup();
    let bundle_path = directory.path().join("truncated.bundle");
    write_bundle(&bundle_path, &manifest_for(&other), &other);
    let bytes = std::fs::read(&bundle_path).unwrap();
    std::fs::write(&bundle_path, &bytes[..bytes.len() / 2]).unwrap();

    let error = bundle::import(&bundle_path, &current).unwrap_err();
    assert!(error.to_string().contains("truncated.bundle"), "{error}");
    assert_untouched(directory.path(), &current, &before);
}

#[test]
fn corrupt_database_with_matching_digest_is_rejected() {
    let (directory, current, before, mut other) = setup();
    // A valid digest of a damaged file: only SQLite's own checks can catch it.
    other.truncate(other.len() / 2);
    let bundle_path = directory.path().join("corrupt.bundle");
    write_bundle(&bundle_path, &manifest_for(&other), &other);

    let error = bundle::import(&bundle_path, &current);
    assert!(error.is_err(), "a damaged database was installed");
    assert_untouched(directory.path(), &current, &before);
}

#[test]
fn other_schema_version_in_bundle_is_rejected() {
    let (directory, current, before, other) = setup();
    let mut manifest = manifest_for(&other);
    manifest["schema_version"] = Value::from(999);
    let bundle_path = directory.path().join("future.bundle");
    write_bundle(&bundle_path, &manifest, &other);

    let error = bundle::import(&bundle_path, &current).unwrap_err();
    assert!(matches!(error, AdvisoryError::UnsupportedSchema { ref found, .. } if found == "999"), "{error}");
    assert_untouched(directory.path(), &current, &before);
}

#[test]
fn file_that_is_no_bundle_is_rejected() {
    let (directory, current, before, _) = setup();
    let bundle_path = directory.path().join("plain.json");
    std::fs::write(&bundle_path, b"{}").unwrap();

    assert!(bundle::import(&bundle_path, &current).is_err());
    assert_untouched(directory.path(), &current, &before);
}
