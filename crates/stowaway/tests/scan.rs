//! `stowaway scan` run as a user runs it: the real fixture images against a database built from
//! the real shared feeds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn stowaway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(args)
        .env("STOWAWAY_DB", database())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn shared_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    assert!(shared.join("data/advisories").is_dir(), "shared data not found at {}: set STOWAWAY_SHARED_DIR", shared.display());
    shared
}

fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(dir.join("apps/expectations.json").is_file(), "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh`", dir.display());
    dir
}

/// Builds one database from every shared feed, once for the whole test binary.
fn database() -> &'static Path {
    static DATABASE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DATABASE.get_or_init(|| {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("db.sqlite");
        let feeds = shared_dir().join("data/advisories");
        let output = Command::new(env!("CARGO_BIN_EXE_stowaway"))
            .args(["db", "build", "--from", feeds.to_str().unwrap(), "--output", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "db build failed: {}", String::from_utf8_lossy(&output.stderr));
        (directory, path)
    });
    path
}

fn image(name: &str) -> String {
    format!("oci:{}", fixtures_dir().join(name).join("oci").display())
}

fn scan_json(extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json", "-q"];
    args.extend_from_slice(extra);
    let output = stowaway(&args);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn findings_of<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|finding| finding["package"]["name"] == name).collect()
}

fn ids(findings: &[&Value]) -> Vec<String> {
    let mut ids: Vec<String> = findings.iter().map(|finding| finding["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

#[test]
fn apps_fixture_reports_old_pip_packages_with_explanations() {
    let report = scan_json(&[&image("apps")]);

    let requests = findings_of(&report, "requests");
    assert!(ids(&requests).contains(&"CVE-2018-18074".to_owned()), "{:?}", ids(&requests));
    let proxy = requests.iter().find(|finding| finding["id"] == "CVE-2018-18074").unwrap();
    assert_eq!(proxy["package"]["version"], "2.19.0");
    assert_eq!(proxy["rule"]["namespace"], "pypi");
    assert_eq!(proxy["fix"], serde_json::json!({"state": "fixed", "version": "2.20.0"}));
    assert_eq!(proxy["source"], "pypa-advisory-db");
    assert!(proxy["advisory_id"].as_str().unwrap().starts_with("PYSEC-"), "{proxy}");
    assert!(proxy["package"]["locations"][0].as_str().unwrap().contains("requests-2.19.0.dist-info"), "{proxy}");
    assert!(proxy["package"]["layer"]["diff_id"].as_str().unwrap().starts_with("sha256:"), "{proxy}");

    let urllib3 = ids(&findings_of(&report, "urllib3"));
    assert!(urllib3.contains(&"CVE-2019-11324".to_owned()), "{urllib3:?}");
    let pyyaml = ids(&findings_of(&report, "PyYAML"));
    assert!(pyyaml.contains(&"CVE-2020-14343".to_owned()), "{pyyaml:?}");
    assert!(pyyaml.contains(&"CVE-2020-1747".to_owned()), "{pyyaml:?}");
}

#[test]
fn go_stdlib_needs_match_upstream() {
    let default = scan_json(&[&image("apps")]);
    let upstream = scan_json(&["--match-upstream", &image("apps")]);

    assert!(findings_of(&default, "stdlib").is_empty(), "stdlib matched without --match-upstream");
    assert!(default["summary"]["findings"].as_object().is_some());
    let stdlib = findings_of(&upstream, "stdlib");
    assert!(!stdlib.is_empty(), "no Go standard library findings with --match-upstream");
    assert!(stdlib.iter().all(|finding| finding["owned_by"] == "fzf"), "{:?}", stdlib.first());
    assert!(stdlib.iter().all(|finding| finding["package"]["locations"][0] == "/usr/bin/fzf"));
}

#[test]
fn debian_base_fixture_has_no_findings() {
    let report = scan_json(&[&image("debian")]);

    assert_eq!(report["target"]["os_namespace"], "debian:13");
    assert!(report["target"]["packages"].as_u64().unwrap() > 50);
    assert_eq!(report["findings"], serde_json::json!([]));
}

#[test]
fn json_report_round_trips_through_the_model() {
    let report = scan_json(&["--match-upstream", &image("apps")]);

    let model: stowaway_report::Report = serde_json::from_value(report.clone()).unwrap();
    assert_eq!(model.schema_version, stowaway_report::SCHEMA_VERSION);
    assert_eq!(serde_json::to_value(&model).unwrap(), report);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let apps = image("apps");

    let high = stowaway(&["scan", "-q", "--fail-on", "high", &apps]);
    assert_eq!(high.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&high.stderr));
    let critical = stowaway(&["scan", "-q", "--fail-on", "critical", &apps]);
    assert_eq!(critical.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&critical.stderr));
    let filtered = stowaway(&["scan", "-q", "--fail-on", "high", "--severity", "medium", &apps]);
    assert_eq!(filtered.status.code(), Some(0), "--severity medium keeps no high finding");
}

#[test]
fn missing_database_exits_two() {
    let output = Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(["scan", "--db", "/nonexistent/stowaway.db", &image("debian")])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no advisory database at `/nonexistent/stowaway.db`"), "{stderr}");
    assert!(stderr.contains("stowaway db build"), "{stderr}");
}

#[test]
fn table_groups_by_target_without_colour_when_piped() {
    let output = stowaway(&["scan", &image("apps")]);
    let table = String::from_utf8(output.stdout).unwrap();

    assert!(table.contains("Python packages: "), "{table}");
    assert!(table.contains("npm packages: "), "{table}");
    assert!(table.contains("CVE-2018-18074"), "{table}");
    assert!(!table.contains('\x1b'), "colour escapes in piped output");
    assert!(table.lines().last().unwrap().starts_with("Total: "), "{table}");
}

#[test]
fn ignore_file_and_vex_suppress_and_count() {
    let directory = tempfile::tempdir().unwrap();
    let ignore = directory.path().join("ignore.toml");
    std::fs::write(&ignore, "[[ignore]]\nid = \"CVE-2018-18074\"\nreason = \"no proxy in use\"\n").unwrap();
    let vex = directory.path().join("app.vex.json");
    let statement = serde_json::json!({"statements": [{"vulnerability": {"name": "CVE-2020-14343"}, "products": [{"@id": "pkg:pypi/pyyaml"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]});
    std::fs::write(&vex, statement.to_string()).unwrap();

    let report = scan_json(&["--ignore-file", ignore.to_str().unwrap(), "--vex", vex.to_str().unwrap(), &image("apps")]);

    assert!(!ids(&findings_of(&report, "requests")).contains(&"CVE-2018-18074".to_owned()));
    assert!(!ids(&findings_of(&report, "PyYAML")).contains(&"CVE-2020-14343".to_owned()));
    assert_eq!(report["summary"]["suppressed"]["ignore-file"], 1);
    assert_eq!(report["summary"]["suppressed"]["vex"], 1);
}

/// An SBOM carries no file lists, so a Go binary inside a `.deb` looks like one copied in. Go
/// findings are left out of the comparison.
#[test]
fn sbom_scan_finds_what_the_image_scan_finds() {
    let directory = tempfile::tempdir().unwrap();
    let bom = directory.path().join("apps.cdx.json");
    let written = stowaway(&["sbom", "--format", "cyclonedx-json", "--output", bom.to_str().unwrap(), &image("apps")]);
    assert_eq!(written.status.code(), Some(0));

    let from_image = scan_json(&[&image("apps")]);
    let from_sbom = scan_json(&[&format!("sbom:{}", bom.display())]);

    let key = |report: &Value| -> Vec<String> {
        let mut keys: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["package"]["kind"] != "golang")
            .map(|finding| format!("{} {} {}", finding["package"]["name"].as_str().unwrap().to_lowercase(), finding["package"]["version"], finding["id"]))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    assert!(!key(&from_image).is_empty());
    assert_eq!(key(&from_sbom), key(&from_image));
    assert_eq!(from_sbom["target"]["kind"], "sbom");
}

/// Reads the official SARIF 2.1.0 schema, which the serde-sarif crate ships in its sources.
fn sarif_schema() -> Value {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    let registry = cargo_home.join("registry/src");
    let schema = std::fs::read_dir(&registry)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten())
        .map(|crate_dir| crate_dir.path().join("src/schema.json"))
        .find(|path| path.to_string_lossy().contains("serde-sarif-") && path.is_file())
        .unwrap_or_else(|| panic!("serde-sarif's schema.json not found under {}; run `cargo fetch`", registry.display()));
    let mut schema: Value = serde_json::from_slice(&std::fs::read(schema).unwrap()).unwrap();
    // The schema's `language` patterns have a stray `]` that strict ECMA-262 parsers reject
    // when they check the schema itself. stowaway never writes `language`, so those patterns
    // are dropped rather than the schema check.
    for owner in ["run", "toolComponent"] {
        if let Some(language) = schema.pointer_mut(&format!("/definitions/{owner}/properties/language")).and_then(Value::as_object_mut) {
            language.remove("pattern");
        }
    }
    schema
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let output = stowaway(&["scan", "-q", "--format", "sarif", &image("apps")]);
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();

    let validator = jsonschema::options().offline().build(&sarif_schema()).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF is invalid:\n{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|result| result["ruleId"] == "CVE-2018-18074"));
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(sarif).unwrap();
    assert_eq!(typed.runs.len(), 1);
}

#[test]
fn cyclonedx_report_lists_vulnerabilities_against_components() {
    let output = stowaway(&["scan", "-q", "--format", "cyclonedx-json", &image("apps")]);
    assert_eq!(output.status.code(), Some(0));
    let bom: Value = serde_json::from_slice(&output.stdout).unwrap();

    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stowaway-catalog/tests/schemas");
    let read = |name: &str| -> Value { serde_json::from_slice(&std::fs::read(schemas.join(name)).unwrap()).unwrap() };
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", read("spdx.schema.json"))
        .unwrap()
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", read("jsf-0.82.schema.json"))
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options().offline().with_registry(&registry).build(&read("bom-1.6.schema.json")).unwrap();
    let errors: Vec<String> = validator.iter_errors(&bom).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "CycloneDX is invalid:\n{}", errors.join("\n"));

    let vulnerabilities = bom["vulnerabilities"].as_array().unwrap();
    let proxy = vulnerabilities.iter().find(|v| v["id"] == "CVE-2018-18074").expect("CVE-2018-18074 listed");
    let target = proxy["affects"][0]["ref"].as_str().unwrap();
    let component = bom["components"].as_array().unwrap().iter().find(|c| c["bom-ref"] == target).unwrap();
    assert_eq!(component["name"], "requests");
    assert_eq!(proxy["affects"][0]["versions"][0]["status"], "affected");
}

#[test]
fn stowaways_fixture_reports_planted_items() {
    let report = scan_json(&[&image("stowaways")]);

    let detections = report["detections"].as_array().unwrap();
    let found = |rule: &str, path: &str| detections.iter().any(|d| d["rule_id"] == rule && d["path"] == path);
    assert!(found("miner-stratum-url", "/opt/.cache/miner/config.json"));
    assert!(found("revshell-bash-dev-tcp", "/usr/local/share/stowaway/revshell-bash.sh"));
    assert!(found("persistence-cron", "/etc/cron.d/stowaway-update"));
    assert!(found("persistence-root-authorized-keys", "/root/.ssh/authorized_keys"));
    let deleted = detections.iter().find(|d| d["path"] == "/srv/app/upload/shell.php").unwrap();
    assert_eq!(deleted["deleted_in_final_image"], true);
    let secret = detections.iter().find(|d| d["rule_id"] == "secret-env-variable").unwrap();
    assert!(secret["excerpt"].as_str().unwrap().contains("****"), "{secret}");
    assert!(!report.to_string().contains("DB_PASSWORD=s3cr3t"), "a secret value leaked into the report");
}

#[test]
fn clean_fixtures_have_no_detection_above_low() {
    for name in ["debian", "apps"] {
        let report = scan_json(&[&image(name)]);
        let loud: Vec<&Value> = report["detections"].as_array().map_or(Vec::new(), |d| d.iter().filter(|d| d["severity"] != "low").collect());
        assert!(loud.is_empty(), "{name}: {loud:?}");
    }
}

#[test]
fn scanners_flag_selects_what_runs() {
    let report = scan_json(&["--scanners", "vuln", &image("stowaways")]);
    assert!(report.get("detections").is_none(), "detections ran with --scanners vuln");

    let secrets = scan_json(&["--scanners", "secret", &image("stowaways")]);
    let kinds: Vec<&str> = secrets["detections"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|kind| *kind == "secret"), "{kinds:?}");
    assert!(secrets.get("database").is_none(), "the database was read without the vuln scanner");
}

#[test]
fn user_rules_and_broken_rules() {
    let directory = tempfile::tempdir().unwrap();
    let rules = directory.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("local.yar"), "rule local_marker : stowaway {\n  meta:\n    id = \"local-marker\"\n    severity = \"high\"\n    description = \"marker planted by the test\"\n  strings:\n    $a = \"pool.stowaway.invalid\"\n  condition:\n    $a\n}\n").unwrap();

    let report = scan_json(&["--scanners", "malware", "--rules", rules.to_str().unwrap(), &image("stowaways")]);
    let ids: Vec<&str> = report["detections"].as_array().unwrap().iter().map(|d| d["rule_id"].as_str().unwrap()).collect();
    assert!(ids.iter().any(|id| id.contains("local")), "{ids:?}");

    let broken = directory.path().join("broken.yar");
    std::fs::write(&broken, "rule broken {\n  strings:\n    $a = \"x\"\n  condition:\n    $b\n}\n").unwrap();
    let output = stowaway(&["scan", "-q", "--rules", broken.to_str().unwrap(), &image("debian")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yar"), "{stderr}");
    assert!(stderr.contains(":5"), "{stderr}");
}

#[test]
fn misconfig_scanner_runs_image_checks() {
    let default = scan_json(&[&image("apps")]);
    let checked = scan_json(&["--scanners", "misconfig", &image("apps")]);

    assert!(default.get("detections").is_none(), "misconfiguration checks ran by default");
    let ids: Vec<&str> = checked["detections"].as_array().unwrap().iter().map(|d| d["rule_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"IMG-001"), "{ids:?}");
    assert!(ids.contains(&"IMG-002"), "{ids:?}");
    let kinds: Vec<&str> = checked["detections"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|kind| *kind == "misconfiguration"), "{kinds:?}");
}

/// Scans with every scanner and the given cache folder, without the report's timestamp.
fn scan_with_cache(cache: &Path, extra: &[&str]) -> Value {
    let cache = cache.to_str().unwrap();
    let mut args = vec!["--cache-dir", cache, "--scanners", "vuln,malware,secret,misconfig"];
    args.extend_from_slice(extra);
    let mut report = scan_json(&args);
    report.as_object_mut().unwrap().remove("created_at");
    report
}

#[test]
fn warm_scan_matches_cold_scan() {
    let cache = tempfile::tempdir().unwrap();
    let reference = image("stowaways");

    let cold = scan_with_cache(cache.path(), &[&reference]);
    let entries = std::fs::read_dir(cache.path().join("analysis")).unwrap().count();
    let warm = scan_with_cache(cache.path(), &[&reference]);
    let uncached = scan_with_cache(cache.path(), &["--no-cache", &reference]);

    assert!(entries > 0, "the cold scan stored no layer analysis");
    assert!(!cold["detections"].as_array().unwrap().is_empty());
    assert_eq!(warm, cold);
    assert_eq!(uncached, cold);
}
