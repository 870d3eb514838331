//! The layer analysis cache as a user meets it: `sbom` twice, `--no-cache`, and
//! `stowaway cache status` and `clean`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stowaway(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway")).args(args).env("STOWAWAY_CACHE_DIR", cache).env_remove("RUST_LOG").output().unwrap()
}

fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(dir.join("apps/expectations.json").is_file(), "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh`", dir.display());
    dir
}

fn sbom(cache: &Path, extra: &[&str]) -> String {
    let image = format!("oci:{}", fixtures_dir().join("apps/oci").display());
    let mut args = vec!["sbom", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(&image);
    let output = stowaway(cache, &args);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn cache_command(cache: &Path, command: &str) -> String {
    let output = stowaway(cache, &["cache", command]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn warm_sbom_matches_cold_sbom() {
    let cache = tempfile::tempdir().unwrap();

    let cold = sbom(cache.path(), &[]);
    let warm = sbom(cache.path(), &[]);

    assert!(cold.contains("\"packages\""));
    assert_eq!(warm, cold);
}

#[test]
fn no_cache_stores_nothing() {
    let cache = tempfile::tempdir().unwrap();

    sbom(cache.path(), &["--no-cache"]);

    assert!(!cache.path().join("analysis").exists());
}

#[test]
fn status_and_clean_count_entries() {
    let cache = tempfile::tempdir().unwrap();
    sbom(cache.path(), &[]);

    let status = cache_command(cache.path(), "status");
    let clean = cache_command(cache.path(), "clean");
    let after = cache_command(cache.path(), "status");

    // The apps fixture has three layers, one entry each.
    assert!(status.contains("holds 3 files"), "{status}");
    assert!(clean.contains("removed 3 files"), "{clean}");
    assert!(after.contains("holds 0 files"), "{after}");
}
