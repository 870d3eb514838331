//! `stowaway db update` against a loopback HTTP server that serves the real shared feeds, run as
//! a user runs it: conditional requests, retries, broken downloads and a kill mid-download.

mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rusqlite::Connection;
use server::{Behavior, FeedServer, LAST_MODIFIED};
use stowaway_advisory::discover;

fn advisories_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let dir = shared.join("data/advisories");
    assert!(dir.is_dir(), "advisory feeds not found at {}: set STOWAWAY_SHARED_DIR to the shared folder", dir.display());
    dir
}

/// A scratch folder with a database, a cache folder and a configuration file.
struct Workspace {
    directory: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        Workspace { directory: tempfile::tempdir().unwrap() }
    }

    fn database(&self) -> PathBuf {
        self.directory.path().join("db/stowaway.db")
    }

    fn config(&self) -> PathBuf {
        self.directory.path().join("feeds.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stowaway"));
        command
            .args(args)
            .env("STOWAWAY_DB", self.database())
            .env("STOWAWAY_CACHE_DIR", self.directory.path().join("cache"))
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn update(&self) -> Output {
        self.run(&["db", "update", "--config", self.config().to_str().unwrap()])
    }

    /// Writes a configuration of `feeds`: (name, kind, paths relative to the shared folder).
    fn write_config(&self, server: &FeedServer, feeds: &[(String, String, Vec<String>)]) {
        let mut text = String::from("[download]\nretries = 2\nbackoff_ms = 10\nmax_retry_delay_secs = 1\n");
        for (name, kind, paths) in feeds {
            let urls: Vec<String> = paths.iter().map(|path| format!("\"{}\"", server.url(&format!("/{path}")))).collect();
            text.push_str(&format!("\n[[feeds]]\nname = \"{name}\"\nkind = \"{kind}\"\nurls = [{}]\n", urls.join(", ")));
        }
        std::fs::write(self.config(), text).unwrap();
    }
}

/// Returns the feeds `db build --from` finds in the shared folder, as configuration entries.
fn shared_feeds() -> Vec<(String, String, Vec<String>)> {
    let root = advisories_dir();
    discover(&root)
        .unwrap()
        .feeds
        .into_iter()
        .map(|feed| {
            let paths = feed.paths.iter().map(|path| path.strip_prefix(&root).unwrap().to_string_lossy().into_owned()).collect();
            (feed.name, feed.kind.as_str().to_owned(), paths)
        })
        .collect()
}

/// Three small feeds, for the tests of failures.
fn small_feeds() -> Vec<(String, String, Vec<String>)> {
    vec![
        ("cisa-kev".to_owned(), "cisa-kev".to_owned(), vec!["kev/known_exploited_vulnerabilities.json.gz".to_owned()]),
        ("debian-tracker".to_owned(), "debian-tracker".to_owned(), vec!["debian/tracker-json-sample.json".to_owned()]),
        ("first-epss".to_owned(), "first-epss".to_owned(), vec!["epss/epss_scores-sample.csv".to_owned()]),
    ]
}

fn assert_success(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "stdout: {}\nstderr: {}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

fn assert_failure(output: &Output, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    for text in expected {
        assert!(stderr.contains(text), "`{text}` missing from stderr: {stderr}");
    }
}

/// Returns every table's rows as sorted text, with advisories named by source and id rather than by key,
/// and without build times.
fn table_contents(database: &Path) -> Vec<(&'static str, Vec<String>)> {
    let connection = Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let advisory = "(SELECT source || ' ' || id FROM advisories a WHERE a.advisory_key = t.advisory_key)";
    let queries = [
        ("sources", "SELECT name, kind, digest, record_count, warning_count FROM sources t".to_owned()),
        ("advisories", "SELECT source, id, published, modified, withdrawn, summary FROM advisories t".to_owned()),
        ("aliases", format!("SELECT {advisory}, alias FROM aliases t")),
        (
            "affected",
            format!(
                "SELECT {advisory}, namespace, package, status, fixed_version, ranges, versions, native_ranges,
                        ecosystem_specific, database_specific, distribution_severity FROM affected t"
            ),
        ),
        ("severities", format!("SELECT {advisory}, source, kind, value FROM severities t")),
        ("weaknesses", format!("SELECT {advisory}, cwe_id FROM weaknesses t")),
        ("references", format!("SELECT {advisory}, url FROM advisory_references t")),
        ("kev", "SELECT * FROM kev t".to_owned()),
        ("epss", "SELECT * FROM epss t".to_owned()),
    ];
    queries
        .into_iter()
        .map(|(table, sql)| {
            let mut statement = connection.prepare(&sql).unwrap();
            let columns = statement.column_count();
            let mut rows: Vec<String> = statement
                .query_map([], |row| {
                    let values: Vec<String> = (0..columns).map(|index| cell_text(row.get_ref(index).unwrap())).collect();
                    Ok(values.join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (table, rows)
        })
        .collect()
}

fn assert_same_contents(left: &Path, right: &Path) {
    for ((table, left_rows), (_, right_rows)) in table_contents(left).into_iter().zip(table_contents(right)) {
        assert!(!left_rows.is_empty() || table == "weaknesses", "table `{table}` is empty");
        assert_eq!(left_rows.len(), right_rows.len(), "row counts of `{table}` differ");
        let first_difference = left_rows.iter().zip(&right_rows).find(|(left, right)| left != right);
        assert!(first_difference.is_none(), "`{table}` differs: {first_difference:?}");
    }
}

#[test]
fn update_equals_build_then_revalidates() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &shared_feeds());

    let built = workspace.directory.path().join("built.db");
    assert_success(&workspace.run(&["db", "build", "--from", advisories_dir().to_str().unwrap(), "--output", built.to_str().unwrap()]));
    let first = workspace.update();
    assert_success(&first);
    assert_same_contents(&workspace.database(), &built);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("bytes"), "{stdout}");
    assert!(!stdout.contains("not modified"), "{stdout}");
    // stderr is a pipe here, so no progress bar is drawn.
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(!stderr.contains("downloading"), "{stderr}");

    // The second run sends the validators of the first and gets 304 for every file.
    let first_requests = server.requests();
    assert!(first_requests.iter().all(|request| request.if_none_match.is_none() && request.status == 200), "{first_requests:?}");
    server.clear_log();
    let second = workspace.update();
    assert_success(&second);
    let requests = server.requests();
    assert_eq!(requests.len(), first_requests.len());
    for request in &requests {
        assert!(request.if_none_match.as_deref().is_some_and(|etag| etag.starts_with('"')), "{request:?}");
        assert_eq!(request.if_modified_since.as_deref(), Some(LAST_MODIFIED), "{request:?}");
        assert_eq!(request.status, 304, "{request:?}");
    }
    assert_same_contents(&workspace.database(), &built);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(!stdout.contains("bytes"), "{stdout}");
}

#[test]
fn server_error_then_success_is_retried() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    let kev = "/kev/known_exploited_vulnerabilities.json.gz";
    server.queue(kev, vec![Behavior::Status(500, None), Behavior::Status(429, Some(0))]);

    assert_success(&workspace.update());

    let statuses: Vec<u16> = server.requests().iter().filter(|request| request.path == kev).map(|request| request.status).collect();
    assert_eq!(statuses, [500, 429, 200]);
    let status = workspace.run(&["db", "status", "--json"]);
    assert_success(&status);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["sources"].as_array().unwrap().len(), 3);
}

/// Runs a first update of the small feeds, then `break_it`, then a second update that must
/// fail with `expected` in its message and leave the first database byte for byte.
fn assert_failed_update_keeps_database(workspace: &Workspace, break_it: impl FnOnce(), expected: &[&str]) {
    assert_success(&workspace.update());
    let before = std::fs::read(workspace.database()).unwrap();

    break_it();
    let failed = workspace.update();
    assert_failure(&failed, expected);
    assert_failure(&failed, &["the current database was kept", "hint: "]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    let last_line = stderr.lines().last().unwrap_or_default();
    assert!(last_line.starts_with("hint: "), "the hint is not the last line: {stderr}");

    assert_eq!(std::fs::read(workspace.database()).unwrap(), before, "the database changed");
    assert_success(&workspace.run(&["db", "status"]));
}

#[test]
fn persistent_server_error_fails() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    let kev = "/kev/known_exploited_vulnerabilities.json.gz";

    let break_it = || server.always(kev, Behavior::Status(503, None));
    let url = server.url(kev);
    assert_failed_update_keeps_database(&workspace, break_it, &["feed `cisa-kev`", &url, "503", "after 3 attempts"]);
}

#[test]
fn truncated_download_fails() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    let tracker = "/debian/tracker-json-sample.json";

    let break_it = || server.always(tracker, Behavior::Truncate);
    assert_failed_update_keeps_database(&workspace, break_it, &["feed `debian-tracker`", "cut short"]);
}

#[test]
fn corrupt_zip_fails() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());

    let break_it = || {
        let mut feeds = small_feeds();
        feeds.push(("osv-go".to_owned(), "osv".to_owned(), vec!["go/all.zip".to_owned()]));
        workspace.write_config(&server, &feeds);
        server.body("/go/all.zip", b"PK\x03\x04 this is no zip archive".to_vec());
    };
    let url = server.url("/go/all.zip");
    assert_failed_update_keeps_database(&workspace, break_it, &["failed to import feed `osv-go` downloaded from", &url]);
}

#[test]
fn html_error_page_fails_as_empty_feed() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());

    let break_it = || server.body("/epss/epss_scores-sample.csv", b"cve,epss,percentile\n".to_vec());
    let url = server.url("/epss/epss_scores-sample.csv");
    assert_failed_update_keeps_database(&workspace, break_it, &["feed `first-epss` contains no records", &url]);
}

#[test]
fn killed_update_leaves_old_database_usable() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    assert_success(&workspace.update());
    let before = std::fs::read(workspace.database()).unwrap();

    // The tracker's body stalls halfway; the kill comes once the server logged that request.
    let tracker = "/debian/tracker-json-sample.json";
    server.queue(tracker, vec![Behavior::Stall]);
    server.clear_log();
    let mut child = workspace
        .command(&["db", "update", "--config", workspace.config().to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while !server.requests().iter().any(|request| request.path == tracker) {
        assert!(child.try_wait().unwrap().is_none(), "the update ended before the stalled download");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // A second update meanwhile finds the cache locked.
    let concurrent = workspace.update();
    assert_failure(&concurrent, &["another `stowaway db update` is using the download cache"]);
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(std::fs::read(workspace.database()).unwrap(), before, "the database changed");
    assert_success(&workspace.run(&["db", "status"]));
    let staging: Vec<_> = std::fs::read_dir(workspace.directory.path().join("cache/feeds"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".staging-"))
        .collect();
    assert_eq!(staging.len(), 1, "the killed update left no staging folder: the kill came too late to test anything");

    // The next update removes the leftovers and succeeds.
    assert_success(&workspace.update());
    let leftovers = std::fs::read_dir(workspace.directory.path().join("cache/feeds"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_string_lossy().starts_with(".staging-"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn other_schema_version_is_rejected() {
    let workspace = Workspace::new();
    let epss = advisories_dir().join("epss/epss_scores-sample.csv");
    assert_success(&workspace.run(&["db", "build", "--from", epss.to_str().unwrap()]));
    let connection = Connection::open(workspace.database()).unwrap();
    connection.execute("UPDATE metadata SET value = '999' WHERE key = 'schema_version'", []).unwrap();
    drop(connection);

    let status = workspace.run(&["db", "status"]);
    assert_failure(&status, &["schema version 999", "stowaway db update"]);
    let error = stowaway_advisory::AdvisoryStore::open(&workspace.database()).unwrap_err();
    assert!(error.to_string().contains("run `stowaway db update`"), "{error}");
}

#[test]
fn download_over_size_limit_fails() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    let config = std::fs::read_to_string(workspace.config()).unwrap();
    std::fs::write(workspace.config(), config.replace("[download]\n", "[download]\nmax_bytes = 1000\n")).unwrap();

    let output = workspace.update();
    assert_failure(&output, &["feed `cisa-kev`", "over the limit of 1000 bytes", "`download.max_bytes`", "after 1 attempt)"]);
    assert!(!workspace.database().exists());
}

#[test]
fn default_config_location_is_read() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    let config_home = workspace.directory.path().join("config");
    std::fs::create_dir_all(config_home.join("stowaway")).unwrap();
    std::fs::rename(workspace.config(), config_home.join("stowaway/feeds.toml")).unwrap();

    let output = workspace.command(&["db", "update"]).env("XDG_CONFIG_HOME", &config_home).output().unwrap();
    assert_success(&output);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn unconfigured_feed_cache_is_removed() {
    let server = FeedServer::start(advisories_dir());
    let workspace = Workspace::new();
    workspace.write_config(&server, &small_feeds());
    assert_success(&workspace.update());
    let cache = workspace.directory.path().join("cache/feeds");
    assert!(cache.join("first-epss/00-epss_scores-sample.csv").is_file());

    workspace.write_config(&server, &small_feeds()[..2]);
    assert_success(&workspace.update());

    assert!(!cache.join("first-epss").exists());
    assert!(cache.join("cisa-kev/00-known_exploited_vulnerabilities.json.gz").is_file());
    assert!(cache.join("debian-tracker/00-tracker-json-sample.json").is_file());
}

#[test]
fn missing_config_file_fails() {
    let workspace = Workspace::new();
    let output = workspace.run(&["db", "update", "--config", "/nonexistent/feeds.toml"]);
    assert_failure(&output, &["invalid update configuration `/nonexistent/feeds.toml`"]);
    assert!(!workspace.database().exists());
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
