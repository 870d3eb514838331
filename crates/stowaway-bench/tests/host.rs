//! Host and daemon-file checks against crafted host root folders, and the not-run verdicts of an
//! unreachable engine.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use stowaway_bench::{BenchOptions, BenchReport, Checklist, EngineAddress, Verdict, run_bench};

fn write(root: &Path, path: &str, content: &str, mode: u32) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, content).unwrap();
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs the bench on `root` with no engine, so only host and file results are meaningful.
fn bench(root: &Path) -> BenchReport {
    let options = BenchOptions {
        host_root: root.to_owned(),
        engine: EngineAddress::Unix(root.join("no-engine.sock")),
        all_containers: false,
    };
    run_bench(&options, &Checklist::builtin().unwrap()).unwrap()
}

fn verdict<'a>(report: &'a BenchReport, id: &str) -> (&'a Verdict, &'a [String]) {
    let result = report
        .results
        .iter()
        .find(|result| result.check.id == id)
        .unwrap_or_else(|| panic!("no result for {id}"));
    (&result.verdict, &result.details)
}

const AUDIT_RULES: &str = "\
-w /usr/bin/dockerd -k docker
-a exit,always -F path=/run/containerd -F perm=war -k docker
-w /var/lib/docker -k docker
-w /etc/docker -k docker
-w /lib/systemd/system/docker.service -k docker
-w /lib/systemd/system/docker.socket -k docker
-w /etc/docker/daemon.json -k docker
-w /usr/bin/containerd -k docker
-w /usr/sbin/runc -k docker
";

/// Writes a host as CIS wants it: audited paths, root-owned files with tight permissions.
fn good_host(root: &Path) {
    write(root, "etc/group", "root:x:0:\ndocker:x:998:\n", 0o644);
    write(root, "etc/audit/rules.d/docker.rules", AUDIT_RULES, 0o640);
    write(
        root,
        "lib/systemd/system/docker.service",
        "[Service]\n",
        0o644,
    );
    write(
        root,
        "lib/systemd/system/docker.socket",
        "[Socket]\n",
        0o644,
    );
    write(
        root,
        "etc/docker/daemon.json",
        r#"{"icc": false, "tlscacert": "/etc/docker/tls/ca.pem", "tlskey": "/etc/docker/tls/key.pem"}"#,
        0o644,
    );
    write(root, "etc/docker/tls/ca.pem", "ca", 0o444);
    write(root, "etc/docker/tls/key.pem", "key", 0o400);
    write(
        root,
        "etc/docker/certs.d/registry.local:5000/ca.crt",
        "ca",
        0o444,
    );
    write(root, "etc/default/docker", "DOCKER_OPTS=\n", 0o644);
    std::fs::set_permissions(
        root.join("etc/docker"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

#[test]
fn good_host_passes() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    let report = bench(root.path());

    for id in [
        "CIS-1.1.2",
        "CIS-1.1.3",
        "CIS-1.1.4",
        "CIS-1.1.5",
        "CIS-1.1.6",
        "CIS-1.1.7",
        "CIS-1.1.9",
        "CIS-1.1.11",
        "CIS-1.1.14",
        "CIS-1.1.18",
        "CIS-3.1",
        "CIS-3.3",
        "CIS-3.5",
        "CIS-3.7",
        "CIS-3.9",
        "CIS-3.17",
        "CIS-3.19",
    ] {
        let (found, details) = verdict(&report, id);
        assert_eq!(found, &Verdict::Pass, "{id}: {details:?}");
    }
}

#[test]
fn bad_host_warns() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    write(
        root.path(),
        "etc/group",
        "root:x:0:\ndocker:x:998:alice,bob\n",
        0o644,
    );
    write(
        root.path(),
        "etc/audit/rules.d/docker.rules",
        "-w /etc/docker -k docker\n",
        0o640,
    );
    write(
        root.path(),
        "lib/systemd/system/docker.service",
        "[Service]\n",
        0o666,
    );
    write(root.path(), "etc/docker/tls/key.pem", "key", 0o644);
    write(
        root.path(),
        "etc/docker/daemon.json",
        r#"{"tlskey": "/etc/docker/tls/key.pem"}"#,
        0o664,
    );
    std::os::unix::fs::chown(root.path().join("etc/default/docker"), Some(1000), None).unwrap();
    let report = bench(root.path());

    assert_eq!(
        verdict(&report, "CIS-1.1.2").1,
        [
            "`alice` is in the docker group",
            "`bob` is in the docker group"
        ]
    );
    assert_eq!(
        verdict(&report, "CIS-1.1.3").1,
        ["no audit rule watches /usr/bin/dockerd or /usr/sbin/dockerd"]
    );
    assert_eq!(verdict(&report, "CIS-1.1.6").0, &Verdict::Pass);
    let service = verdict(&report, "CIS-3.1");
    assert_eq!(service.0, &Verdict::Warn);
    assert!(
        service.1[0].ends_with(
            "docker.service: owner 0:0 mode 666, expected root:root with mode 644 or stricter"
        ),
        "{:?}",
        service.1
    );
    let key = verdict(&report, "CIS-3.9");
    assert!(
        key.1[0]
            .ends_with("key.pem: owner 0:0 mode 644, expected root:root with mode 400 or stricter"),
        "{:?}",
        key.1
    );
    assert_eq!(verdict(&report, "CIS-3.17").0, &Verdict::Warn);
    assert!(verdict(&report, "CIS-3.19").1[0].contains("owner 1000:0"));
}

#[test]
fn missing_files_do_not_apply() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "etc/group", "root:x:0:\n", 0o644);
    let report = bench(root.path());

    assert_eq!(verdict(&report, "CIS-1.1.2").0, &Verdict::Pass);
    assert_eq!(
        verdict(&report, "CIS-1.1.3").1,
        ["no audit rules (`/etc/audit/audit.rules` and `/etc/audit/rules.d/` are missing)"]
    );
    for id in [
        "CIS-1.1.7",
        "CIS-3.1",
        "CIS-3.3",
        "CIS-3.5",
        "CIS-3.7",
        "CIS-3.9",
        "CIS-3.15",
        "CIS-3.17",
        "CIS-3.19",
        "CIS-3.23",
    ] {
        assert_eq!(verdict(&report, id).0, &Verdict::Note, "{id}");
    }
}

#[test]
fn daemon_command_line_read_from_proc() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    write(root.path(), "proc/4242/comm", "dockerd\n", 0o444);
    write(
        root.path(),
        "proc/4242/cmdline",
        "/usr/bin/dockerd\0-H\0tcp://0.0.0.0:2375\0--tlskey=/etc/docker/tls/key.pem\0",
        0o444,
    );
    let report = bench(root.path());

    // Without an engine the info-based checks are not run, but the configuration-based ones are.
    let (tls, details) = verdict(&report, "CIS-2.6");
    assert_eq!(tls, &Verdict::Warn);
    assert_eq!(details, ["no TLS on tcp://0.0.0.0:2375"]);
    assert_eq!(verdict(&report, "CIS-2.1").0, &Verdict::Pass);
}

#[test]
fn daemon_options_left_default_pass() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    let report = bench(root.path());

    for id in ["CIS-2.7", "CIS-2.9", "CIS-2.10"] {
        let (found, details) = verdict(&report, id);
        assert_eq!(found, &Verdict::Pass, "{id}: {details:?}");
    }
}

#[test]
fn changed_daemon_options_reported() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    write(
        root.path(),
        "etc/docker/daemon.json",
        r#"{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}},
            "storage-opts": ["dm.basesize=50G", "dm.fs=xfs"]}"#,
        0o644,
    );
    write(root.path(), "proc/4242/comm", "dockerd\n", 0o444);
    write(
        root.path(),
        "proc/4242/cmdline",
        "/usr/bin/dockerd\0--cgroup-parent\0/batch\0",
        0o444,
    );
    let report = bench(root.path());

    assert_eq!(verdict(&report, "CIS-2.7").0, &Verdict::Info);
    assert_eq!(
        verdict(&report, "CIS-2.7").1,
        ["default ulimit nofile=1024:4096"]
    );
    assert_eq!(verdict(&report, "CIS-2.9").0, &Verdict::Warn);
    assert_eq!(verdict(&report, "CIS-2.9").1, ["cgroup parent is `/batch`"]);
    assert_eq!(verdict(&report, "CIS-2.10").0, &Verdict::Warn);
    assert_eq!(
        verdict(&report, "CIS-2.10").1,
        ["storage option `dm.basesize=50G`"]
    );
}

#[test]
fn unreachable_engine_is_never_a_pass() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    let report = bench(root.path());

    let engine_checks: Vec<_> = report
        .results
        .iter()
        .filter(|result| {
            ["containers", "engine", "swarm"].contains(&result.target.as_str())
                || ["CIS-2.4", "CIS-2.5", "CIS-2.8", "CIS-2.11", "CIS-2.13"]
                    .contains(&result.check.id.as_str())
        })
        .collect();
    assert_eq!(engine_checks.len(), 34 + 2 + 4 + 5);
    for result in engine_checks {
        let Verdict::NotRun { reason } = &result.verdict else {
            panic!("{} is {:?}", result.check.id, result.verdict)
        };
        assert!(reason.starts_with("no engine socket at"), "{reason}");
    }
    assert!(report.summary.not_run >= 45);
}

#[test]
fn missing_host_root_is_an_error() {
    let options = BenchOptions {
        host_root: "/nonexistent/host".into(),
        ..BenchOptions::default()
    };
    let error = run_bench(&options, &Checklist::builtin().unwrap()).unwrap_err();

    assert_eq!(
        error.to_string(),
        "the host root `/nonexistent/host` is not a folder"
    );
}

#[test]
fn invalid_daemon_json_is_not_run() {
    let root = tempfile::tempdir().unwrap();
    good_host(root.path());
    write(
        root.path(),
        "etc/docker/daemon.json",
        "{\"icc\": false,",
        0o644,
    );
    let report = bench(root.path());

    let (found, _) = verdict(&report, "CIS-2.17");
    let Verdict::NotRun { reason } = found else {
        panic!("CIS-2.17 is {found:?}")
    };
    assert!(
        reason.starts_with("invalid `") && reason.contains("etc/docker/daemon.json`"),
        "{reason}"
    );
    assert!(matches!(
        verdict(&report, "CIS-3.9").0,
        Verdict::NotRun { .. }
    ));
}
