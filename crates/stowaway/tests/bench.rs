//! `stowaway bench` run as a user runs it: against a crafted host root, with and without a
//! checklist, in both formats, with the exit codes of `--fail-on`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn stowaway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Creates a host root with one world-writable daemon.json, a docker group member and no engine socket.
fn host_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc/docker")).unwrap();
    std::fs::write(
        root.path().join("etc/group"),
        "root:x:0:\ndocker:x:998:alice\n",
    )
    .unwrap();
    let daemon_json = root.path().join("etc/docker/daemon.json");
    std::fs::write(&daemon_json, r#"{"icc": false}"#).unwrap();
    std::fs::set_permissions(&daemon_json, std::fs::Permissions::from_mode(0o666)).unwrap();
    root
}

fn bench(root: &Path, extra: &[&str]) -> Output {
    let root = root.to_str().unwrap();
    let socket = format!("{root}/no-engine.sock");
    let mut args = vec!["bench", "--host-root", root, "--docker-socket", &socket];
    args.extend_from_slice(extra);
    stowaway(&args)
}

/// Runs `bench --format json` on `root` without `--docker-socket`, with DOCKER_HOST set to
/// `docker_host` when given.
fn bench_docker_host(root: &Path, docker_host: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "bench",
        "--host-root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .args(&args)
        .env_remove("RUST_LOG")
        .env("DOCKER_HOST", docker_host)
        .output()
        .unwrap();
    json(&output)
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "invalid JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["check"]["id"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

#[test]
fn table_groups_sections_and_scores() {
    let root = host_root();
    let output = bench(root.path(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for heading in [
        "[1] Host configuration: score ",
        "[2] Docker daemon configuration: score ",
        "[3] Docker daemon configuration files: score ",
        "[5] Container runtime: score n/a, 0 pass, 0 warn",
        "[6] Docker security operations: score n/a, 0 pass, 0 warn",
        "[7] Docker Swarm configuration: score n/a, 0 pass, 0 warn",
    ] {
        assert!(stdout.contains(heading), "{heading} missing:\n{stdout}");
    }
    assert!(stdout.contains("WARN     CIS-3.17    medium"), "{stdout}");
    assert!(
        stdout.contains("`alice` is in the docker group"),
        "{stdout}"
    );
    assert!(stdout.contains("NOT RUN  CIS-5.4"), "{stdout}");
    assert!(stdout.contains("no engine socket at"), "{stdout}");
    assert!(
        stdout.lines().last().unwrap().starts_with("Score: "),
        "{stdout}"
    );
}

#[test]
fn json_is_the_report_model() {
    let root = host_root();
    let report = json(&bench(root.path(), &["--format", "json"]));

    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["checklist"], "built-in default");
    assert_eq!(result(&report, "CIS-3.17")["verdict"], "warn");
    assert_eq!(result(&report, "CIS-5.4")["verdict"], "not-run");
    assert!(
        result(&report, "CIS-5.4")["reason"]
            .as_str()
            .unwrap()
            .starts_with("no engine socket at")
    );
    assert_eq!(result(&report, "CIS-1.1.2")["check"]["severity"], "high");
    assert!(report["summary"]["not_run"].as_u64().unwrap() > 0);
    let parsed: stowaway_bench::BenchReport = serde_json::from_value(report).unwrap();
    assert!(
        parsed
            .results
            .iter()
            .any(|result| result.check.id == "CIS-3.17")
    );
}

#[test]
fn docker_host_names_unix_socket() {
    let root = host_root();
    let socket = root.path().join("from-docker-host.sock");
    let report = bench_docker_host(root.path(), &format!("unix://{}", socket.display()), &[]);
    let reason = result(&report, "CIS-5.4")["reason"].as_str().unwrap();

    assert!(
        reason.starts_with(&format!("no engine socket at `{}`", socket.display())),
        "{reason}"
    );
}

#[test]
fn docker_socket_wins_over_docker_host() {
    let root = host_root();
    let socket = root.path().join("option.sock");
    let report = bench_docker_host(
        root.path(),
        "unix:///nonexistent/docker-host.sock",
        &["--docker-socket", socket.to_str().unwrap()],
    );
    let reason = result(&report, "CIS-5.4")["reason"].as_str().unwrap();

    assert!(reason.contains("option.sock"), "{reason}");
    assert!(!reason.contains("docker-host.sock"), "{reason}");
}

#[test]
fn tcp_docker_host_not_run() {
    let root = host_root();
    let report = bench_docker_host(root.path(), "tcp://127.0.0.1:2375", &[]);

    for id in ["CIS-5.4", "CIS-2.4", "CIS-6.1", "CIS-7.1"] {
        let found = result(&report, id);
        assert_eq!(found["verdict"], "not-run", "{id}");
        assert!(
            found["reason"]
                .as_str()
                .unwrap()
                .starts_with("DOCKER_HOST `tcp://127.0.0.1:2375` is a TCP address"),
            "{id}: {found}"
        );
    }
    assert_eq!(result(&report, "CIS-3.17")["verdict"], "warn");
}

#[test]
fn fail_on_exit_codes() {
    let root = host_root();

    assert_eq!(
        bench(root.path(), &["--fail-on", "high"]).status.code(),
        Some(1),
        "CIS-1.1.2 is high"
    );
    assert_eq!(
        bench(root.path(), &["--fail-on", "critical"]).status.code(),
        Some(0)
    );
}

#[test]
fn checklist_drops_section_and_changes_severity() {
    let root = host_root();
    let checklist = root.path().join("checklist.toml");
    std::fs::write(
        &checklist,
        "[select]\nsections = [3]\n\n[checks]\n\"CIS-3.17\" = { severity = \"critical\" }\n",
    )
    .unwrap();
    let output = bench(
        root.path(),
        &[
            "--format",
            "json",
            "--checklist",
            checklist.to_str().unwrap(),
            "--fail-on",
            "critical",
        ],
    );
    let report = json(&output);

    assert_eq!(output.status.code(), Some(1));
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|result| result["check"]["section"] == "daemon-files")
    );
    assert_eq!(result(&report, "CIS-3.17")["check"]["severity"], "critical");
    assert_eq!(report["checklist"], checklist.to_str().unwrap());
}

#[test]
fn invalid_checklist_exits_2_naming_line() {
    let root = host_root();
    let checklist = root.path().join("checklist.toml");
    std::fs::write(
        &checklist,
        "[select]\nskip = [\n  \"CIS-5.4\",\n  \"CIS-9.9\",\n]\n",
    )
    .unwrap();
    let output = bench(root.path(), &["--checklist", checklist.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains(&format!(
            "unknown check id `CIS-9.9` in checklist `{}` at line 4",
            checklist.display()
        )),
        "{stderr}"
    );
}

#[test]
fn missing_host_root_exits_2() {
    let output = stowaway(&["bench", "--host-root", "/nonexistent/host"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the host root `/nonexistent/host` is not a folder")
    );
}

/// Tells whether the machine's engine responds; in CI a missing engine fails the test instead.
#[allow(clippy::print_stderr)]
fn engine_reachable() -> bool {
    let reachable = Path::new("/var/run/docker.sock").exists()
        && Command::new("docker")
            .arg("version")
            .output()
            .is_ok_and(|output| output.status.success());
    if !reachable {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Docker Engine at `/var/run/docker.sock` is not reachable"
        );
        eprintln!(
            "note: skipping, because the Docker Engine at `/var/run/docker.sock` is not reachable"
        );
    }
    reachable
}

#[test]
fn machine_engine_lists_every_section() {
    if !engine_reachable() {
        return;
    }
    let output = stowaway(&["bench", "--format", "json"]);
    let report = json(&output);
    let results = report["results"].as_array().unwrap();

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for section in [
        "host",
        "daemon",
        "daemon-files",
        "images",
        "runtime",
        "operations",
        "swarm",
    ] {
        assert!(
            results
                .iter()
                .any(|result| result["check"]["section"] == section),
            "no {section} results"
        );
    }
    let daemon: Vec<&Value> = results
        .iter()
        .filter(|result| result["check"]["section"] == "daemon")
        .collect();
    assert!(
        daemon.iter().all(|result| result["verdict"] != "not-run"),
        "{daemon:?}"
    );
}
