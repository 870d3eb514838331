//! `stowaway db build` and `db status` run as a user runs them, on the real shared feeds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn stowaway(args: &[&str], database: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(args)
        .env("STOWAWAY_DB", database)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn advisories_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let dir = shared.join("data/advisories");
    assert!(dir.is_dir(), "advisory feeds not found at {}: set STOWAWAY_SHARED_DIR to the shared folder", dir.display());
    dir
}

#[test]
fn build_then_status_lists_every_source() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    let feeds = advisories_dir();

    let built = stowaway(&["db", "build", "--from", feeds.to_str().unwrap()], &database);
    assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));
    assert!(database.is_file());

    let status = stowaway(&["db", "status", "--json"], &database);
    assert_eq!(status.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&status.stderr));
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    let sources = status["sources"].as_array().unwrap();
    let names: Vec<&str> = sources.iter().map(|source| source["name"].as_str().unwrap()).collect();
    for expected in ["go-vulndb-osv", "pypa-advisory-db", "rustsec-osv", "alpine-secdb-json", "debian-dsa", "debian-dla", "debian-tracker", "cisa-kev", "first-epss", "ruby-advisory-db", "nodejs-security-wg-vuln"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    for source in sources {
        assert!(source["record_count"].as_u64().unwrap() > 0, "{source}");
    }
    assert_eq!(status["schema_version"], 1);

    let text = stowaway(&["db", "status"], &database);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Schema:    1"), "{text}");
    assert!(text.lines().any(|line| line.starts_with("go-vulndb-osv ")), "{text}");
}

#[test]
fn output_flag_overrides_db() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("elsewhere.sqlite");
    let epss = advisories_dir().join("epss/epss_scores-sample.csv");

    let built = stowaway(
        &["db", "build", "--from", epss.to_str().unwrap(), "--output", output.to_str().unwrap()],
        &directory.path().join("unused.sqlite"),
    );
    assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));
    assert!(output.is_file());
    assert!(!directory.path().join("unused.sqlite").exists());
}

#[test]
fn status_without_database_hints_at_build() {
    let directory = tempfile::tempdir().unwrap();
    let output = stowaway(&["db", "status"], &directory.path().join("missing.sqlite"));

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no advisory database at"), "{stderr}");
    assert!(stderr.contains("stowaway db build --from"), "{stderr}");
}

#[test]
fn build_from_missing_path_fails() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    let output = stowaway(&["db", "build", "--from", "/nonexistent/feeds"], &database);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("`/nonexistent/feeds`"), "{stderr}");
    assert!(!database.exists());
}

/// Kills `db build` at several points of a rebuild and checks that the database in place is
/// always complete: the previous one byte for byte, or the new one once renamed.
#[test]
fn killed_build_leaves_old_database_usable() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    let epss = advisories_dir().join("epss/epss_scores-sample.csv");
    let feeds = advisories_dir();
    let small_build = || {
        let built = stowaway(&["db", "build", "--from", epss.to_str().unwrap()], &database);
        assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));
    };

    // Kill points are fractions of a full build's duration on this machine, so that some land
    // while feeds are read and some while the new database is written.
    let started = std::time::Instant::now();
    let full = stowaway(&["db", "build", "--from", feeds.to_str().unwrap(), "--output", directory.path().join("full.sqlite").to_str().unwrap()], &database);
    assert_eq!(full.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&full.stderr));
    let duration = started.elapsed();

    small_build();
    let mut before = std::fs::read(&database).unwrap();
    let mut kills_while_writing = 0;
    for percent in [10, 30, 50, 60, 70, 80, 90, 95] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stowaway"))
            .args(["db", "build", "--from", feeds.to_str().unwrap()])
            .env("STOWAWAY_DB", &database)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration * percent / 100);
        child.kill().unwrap();
        if child.wait().unwrap().success() {
            // The build finished before the kill; start again from the small database, whose
            // build time, and so bytes, are new.
            small_build();
            before = std::fs::read(&database).unwrap();
            continue;
        }

        // The database in place is the old one, or, when the kill came after the rename, the
        // complete new one.
        let status = stowaway(&["db", "status", "--json"], &database);
        assert_eq!(status.status.code(), Some(0), "killed at {percent}%: {}", String::from_utf8_lossy(&status.stderr));
        let after = std::fs::read(&database).unwrap();
        if after != before {
            let status: Value = serde_json::from_slice(&status.stdout).unwrap();
            let sources = status["sources"].as_array().unwrap().len();
            assert!(sources > 1, "killed at {percent}%: the database is neither the old one nor a complete new one");
            small_build();
            before = std::fs::read(&database).unwrap();
            continue;
        }

        // A kill during the write leaves the temporary file, which the next build ignores.
        for entry in std::fs::read_dir(directory.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with(".stowaway-db-") {
                kills_while_writing += 1;
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    assert!(kills_while_writing > 0, "no kill landed while the database was written; the test checked nothing there");
}

#[test]
fn export_then_import_reproduces_database() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db.sqlite");
    let epss = advisories_dir().join("epss/epss_scores-sample.csv");
    let built = stowaway(&["db", "build", "--from", epss.to_str().unwrap()], &database);
    assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));

    let bundle = directory.path().join("advisories.bundle");
    let exported = stowaway(&["db", "export", bundle.to_str().unwrap()], &database);
    assert_eq!(exported.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&exported.stderr));

    let offline = directory.path().join("offline/db.sqlite");
    let imported = stowaway(&["db", "import", bundle.to_str().unwrap()], &offline);
    assert_eq!(imported.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&imported.stderr));
    assert_eq!(std::fs::read(&offline).unwrap(), std::fs::read(&database).unwrap());

    let broken = directory.path().join("broken.bundle");
    std::fs::write(&broken, b"not a bundle").unwrap();
    let rejected = stowaway(&["db", "import", broken.to_str().unwrap()], &offline);
    assert_eq!(rejected.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&rejected.stderr).contains("failed to import"), "{}", String::from_utf8_lossy(&rejected.stderr));
    assert_eq!(std::fs::read(&offline).unwrap(), std::fs::read(&database).unwrap());
}

/// Runs `stowaway` without `STOWAWAY_DB`, with the cache folder `cache` and the given maximum age.
fn stowaway_with_cache(args: &[&str], cache: &Path, max_age: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(args)
        .env_remove("STOWAWAY_DB")
        .env("STOWAWAY_CACHE_DIR", cache)
        .env("XDG_CONFIG_HOME", cache.join("no-config"))
        .env("STOWAWAY_DB_MAX_AGE", max_age)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn status_on_fresh_machine_unpacks_snapshot() {
    let directory = tempfile::tempdir().unwrap();
    let output = stowaway_with_cache(&["db", "status"], directory.path(), "100000d");

    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Origin:    embedded snapshot"), "{stdout}");
    assert!(directory.path().join("db/stowaway.db").is_file());
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn old_snapshot_warning_names_snapshot() {
    let directory = tempfile::tempdir().unwrap();
    let output = stowaway_with_cache(&["db", "status", "--json"], directory.path(), "0s");

    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["embedded_snapshot"], true);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("warning: the advisory database is the embedded snapshot"), "{stderr}");
    assert!(stderr.contains("run `stowaway db update`"), "{stderr}");
}

#[test]
fn old_built_database_warns_with_age() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("db/stowaway.db");
    let epss = advisories_dir().join("epss/epss_scores-sample.csv");
    let built = stowaway_with_cache(&["db", "build", "--from", epss.to_str().unwrap()], directory.path(), "7d");
    assert_eq!(built.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&built.stderr));

    let fresh = stowaway_with_cache(&["db", "status"], directory.path(), "7d");
    assert!(fresh.stderr.is_empty(), "{}", String::from_utf8_lossy(&fresh.stderr));
    assert!(String::from_utf8_lossy(&fresh.stdout).contains("Origin:    built from feeds"));

    let connection = rusqlite::Connection::open(&database).unwrap();
    connection.execute("UPDATE metadata SET value = '2001-01-01T00:00:00Z' WHERE key = 'built_at'", []).unwrap();
    drop(connection);
    let old = stowaway_with_cache(&["db", "status"], directory.path(), "7d");
    assert_eq!(old.status.code(), Some(0));
    let stderr = String::from_utf8(old.stderr).unwrap();
    assert!(stderr.contains("warning: the advisory database was built"), "{stderr}");
    assert!(stderr.contains("over the maximum age of 7 days"), "{stderr}");
    assert!(!stderr.contains("embedded snapshot"), "{stderr}");

    // Without the environment variable, the configuration's `max_age` applies.
    let config_home = directory.path().join("config");
    std::fs::create_dir_all(config_home.join("stowaway")).unwrap();
    std::fs::write(config_home.join("stowaway/feeds.toml"), "max_age = \"100000d\"\n").unwrap();
    let configured = Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(["db", "status"])
        .env_remove("STOWAWAY_DB")
        .env_remove("STOWAWAY_DB_MAX_AGE")
        .env("STOWAWAY_CACHE_DIR", directory.path())
        .env("XDG_CONFIG_HOME", &config_home)
        .output()
        .unwrap();
    assert_eq!(configured.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&configured.stderr));
    assert!(configured.stderr.is_empty(), "{}", String::from_utf8_lossy(&configured.stderr));

    let invalid = stowaway_with_cache(&["db", "status"], directory.path(), "a week");
    assert_eq!(invalid.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("invalid `STOWAWAY_DB_MAX_AGE` value `a week`"));
}
