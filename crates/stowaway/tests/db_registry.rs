//! `stowaway db push` and `db pull` through Debian's `docker-registry` on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// The registry process helper of the image tests, shared rather than copied.
#[path = "../../stowaway-image/tests/image/registry_server.rs"]
#[allow(dead_code)]
mod registry_server;

use registry_server::LocalRegistry;

fn stowaway(args: &[&str], database: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(args)
        .env("STOWAWAY_DB", database)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn epss_sample() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let file = shared.join("data/advisories/epss/epss_scores-sample.csv");
    assert!(file.is_file(), "advisory feeds not found at {}: set STOWAWAY_SHARED_DIR to the shared folder", file.display());
    file
}

#[test]
fn push_then_pull_reproduces_database() {
    let registry = LocalRegistry::start(false);
    let directory = tempfile::tempdir().unwrap();
    let cache = directory.path().join("cache");
    let database = directory.path().join("db.sqlite");
    let built = stowaway(&["db", "build", "--from", epss_sample().to_str().unwrap()], &database, &cache);
    assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));
    let reference = format!("{}/stowaway/advisory-db:1", registry.address);

    let pushed = stowaway(&["db", "push", "--insecure", &reference], &database, &cache);
    assert_eq!(pushed.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&pushed.stderr));

    let mirror = directory.path().join("mirror/db.sqlite");
    let pulled = stowaway(&["db", "pull", "--insecure", &reference], &mirror, &cache);
    assert_eq!(pulled.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&pulled.stderr));
    assert_eq!(std::fs::read(&mirror).unwrap(), std::fs::read(&database).unwrap());

    let updated = directory.path().join("updated/db.sqlite");
    let update = stowaway(&["db", "update", "--from-registry", &reference, "--insecure"], &updated, &cache);
    assert_eq!(update.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&update.stderr));
    assert_eq!(std::fs::read(&updated).unwrap(), std::fs::read(&database).unwrap());

    let status = stowaway(&["db", "status", "--json"], &mirror, &cache);
    assert_eq!(status.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&status.stderr));
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["schema_version"], 1);
}

#[test]
fn pull_of_missing_tag_fails_clearly() {
    let registry = LocalRegistry::start(false);
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    let reference = format!("{}/stowaway/advisory-db:missing", registry.address);

    let pulled = stowaway(&["db", "pull", "--insecure", &reference], &database, &directory.path().join("cache"));

    assert_eq!(pulled.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&pulled.stderr);
    assert!(stderr.contains("failed to pull the database"), "{stderr}");
    assert!(stderr.contains("MANIFEST_UNKNOWN") || stderr.contains("manifest unknown"), "{stderr}");
    assert!(!database.exists(), "a failed pull leaves no database behind");
}
