//! Runtime and daemon checks against the machine's Docker Engine: containers started with bad
//! settings and one with good settings, each asserted check by check. Each test removes, by id,
//! only the containers, networks and image it created, also when an assertion fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use stowaway_bench::{BenchOptions, BenchReport, CheckResult, Checklist, Verdict, run_bench};

const SOCKET: &str = "/var/run/docker.sock";

/// Tells whether the engine responds. In CI a missing engine fails the test; elsewhere it is
/// skipped with a note on stderr.
#[allow(clippy::print_stderr)]
fn engine_reachable() -> bool {
    let reachable = Path::new(SOCKET).exists()
        && Command::new("docker")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
    if !reachable {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Docker Engine at `{SOCKET}` is not reachable; scripts/test.sh starts dockerd in CI"
        );
        eprintln!(
            "note: skipping the engine tests, because the Docker Engine at `{SOCKET}` is not reachable"
        );
    }
    reachable
}

fn docker(args: &[&str]) -> String {
    let output = Command::new("docker")
        .args(args)
        .output()
        .expect("failed to run `docker`");
    assert!(
        output.status.success(),
        "`docker {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Containers, networks and an image this test created, removed by id when the guard drops.
#[derive(Default)]
struct Created {
    image: Option<String>,
    containers: Vec<String>,
    networks: Vec<String>,
}

impl Drop for Created {
    fn drop(&mut self) {
        for id in &self.containers {
            let _ = Command::new("docker")
                .args(["rm", "--force", "--volumes", id])
                .output();
        }
        for id in &self.networks {
            let _ = Command::new("docker").args(["network", "rm", id]).output();
        }
        if let Some(image) = &self.image {
            let _ = Command::new("docker")
                .args(["rmi", "--force", image])
                .output();
        }
    }
}

fn fixture_archive() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/stowaway/fixtures")
        });
    let archive = dir.join("debian/docker-archive.tar");
    assert!(
        archive.is_file(),
        "fixture `{}` missing; build it with `scripts/build-fixtures.sh` (as root)",
        archive.display()
    );
    archive
}

/// Imports the Debian fixture's base layer as a new image and returns its id.
///
/// The tag is unique to this run, so no other test's image is touched.
fn import_debian(tag: &str) -> String {
    let archive = fixture_archive();
    let manifest: serde_json::Value =
        serde_json::from_slice(&member(&archive, "manifest.json")).unwrap();
    let base_layer = manifest[0]["Layers"][0]
        .as_str()
        .expect("manifest.json names the layers")
        .to_owned();
    let layer = member(&archive, &base_layer);

    let mut child = Command::new("docker")
        .args(["import", "-", tag])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("failed to run `docker import`");
    child.stdin.take().unwrap().write_all(&layer).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "`docker import` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn member(archive: &Path, name: &str) -> Vec<u8> {
    let mut tar = tar::Archive::new(std::fs::File::open(archive).unwrap());
    let mut entry = tar
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|entry| entry.path().unwrap().to_str() == Some(name))
        .unwrap_or_else(|| panic!("no `{name}` in the fixture archive"));
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    bytes
}

/// Creates a container running `sleep infinity` and starts it; returns whether it started.
///
/// Sandboxed engines (a daemon inside a container) refuse to start privileged containers, which
/// is why the bench is run with `all_containers` and a start failure is tolerated here.
fn run_container(created: &mut Created, name: &str, image: &str, options: &[&str]) -> bool {
    let mut args = vec!["create", "--name", name];
    args.extend_from_slice(options);
    args.extend_from_slice(&[image, "sleep", "infinity"]);
    let id = docker(&args);
    created.containers.push(id.clone());
    Command::new("docker")
        .args(["start", &id])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Returns the first two numbers of a detail line (`3 local images, 1 of them ...`).
fn counts(detail: &str) -> [u64; 2] {
    let numbers: Vec<u64> = detail
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|word| word.parse().ok())
        .collect();
    assert!(numbers.len() >= 2, "no counts in `{detail}`");
    [numbers[0], numbers[1]]
}

fn result<'a>(report: &'a BenchReport, target: &str, id: &str) -> &'a CheckResult {
    report
        .results
        .iter()
        .find(|result| result.target == target && result.check.id == id)
        .unwrap_or_else(|| panic!("no {id} result for `{target}`"))
}

fn assert_verdict(report: &BenchReport, target: &str, id: &str, expected: &Verdict) {
    let found = result(report, target, id);
    assert_eq!(
        &found.verdict, expected,
        "{id} on `{target}`: {:?}",
        found.details
    );
}

#[test]
fn bad_and_good_containers() {
    if !engine_reachable() {
        return;
    }
    let unique = format!("stowaway-bench-{}", std::process::id());
    let mut created = Created::default();
    created.image = Some(import_debian(&format!("{unique}:test")));
    let image = created.image.clone().unwrap();

    let [privileged, socket, host_network, sys_admin, good] =
        ["privileged", "socket", "hostnet", "sysadmin", "good"]
            .map(|kind| format!("{unique}-{kind}"));
    // Sandboxed engines refuse to start a privileged container, so only its creation is required.
    run_container(&mut created, &privileged, &image, &["--privileged"]);
    let bad: [(&str, &[&str]); 3] = [
        (
            &socket,
            &["--volume", "/var/run/docker.sock:/var/run/docker.sock"],
        ),
        (&host_network, &["--network", "host"]),
        (&sys_admin, &["--cap-add", "SYS_ADMIN"]),
    ];
    for (name, options) in bad {
        assert!(
            run_container(&mut created, name, &image, options),
            "container `{name}` did not start"
        );
    }
    let good_options = [
        "--read-only",
        "--memory",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "64",
        "--security-opt",
        "no-new-privileges",
        "--user",
        "1000:1000",
        "--cap-drop",
        "ALL",
        "--restart",
        "on-failure:3",
        "--health-cmd",
        "/bin/true",
    ];
    assert!(
        run_container(&mut created, &good, &image, &good_options),
        "container `{good}` did not start"
    );

    // The engine refuses to start this one, because /tmp is not a shared mount on the host, but
    // its settings are still audited.
    let namespaces = format!("{unique}-namespaces");
    let namespace_options = [
        "--pid",
        "host",
        "--ipc",
        "host",
        "--uts",
        "host",
        "--userns",
        "host",
        "--volume",
        "/etc:/host-etc:ro",
        "--publish",
        "80:8080",
        "--publish",
        "127.0.0.1:8443:8443",
        "--restart",
        "always",
        "--security-opt",
        "seccomp=unconfined",
        "--mount",
        "type=bind,source=/tmp,target=/mnt,bind-propagation=rshared",
        "--device",
        "/dev/null:/dev/stowaway-null:r",
        "--ulimit",
        "nofile=1024:2048",
        "--cgroup-parent",
        "/stowaway-test",
    ];
    run_container(&mut created, &namespaces, &image, &namespace_options);
    docker(&[
        "exec",
        &sys_admin,
        "touch",
        "/changed-1",
        "/changed-2",
        "/changed-3",
    ]);

    // A root exec session that still runs when the bench reads the engine.
    docker(&[
        "exec", "--detach", "--user", "root", &socket, "sleep", "600",
    ]);

    let options = BenchOptions {
        all_containers: true,
        ..BenchOptions::default()
    };
    let report = run_bench(&options, &Checklist::builtin().unwrap()).unwrap();

    let warn = Verdict::Warn;
    let pass = Verdict::Pass;
    assert_verdict(&report, &privileged, "CIS-5.4", &warn);
    assert_verdict(&report, &socket, "CIS-5.31", &warn);
    assert_verdict(&report, &host_network, "CIS-5.9", &warn);
    assert_verdict(&report, &sys_admin, "CIS-5.3", &warn);
    assert_eq!(
        result(&report, &sys_admin, "CIS-5.3").details,
        ["adds SYS_ADMIN (dangerous)"]
    );
    for bad in [&privileged, &socket, &host_network, &sys_admin] {
        for id in [
            "CIS-5.10", "CIS-5.11", "CIS-5.12", "CIS-5.25", "CIS-5.26", "CIS-5.28", "CTR-001",
        ] {
            assert_verdict(&report, bad, id, &warn);
        }
    }
    for id in ["CIS-5.3", "CIS-5.4", "CIS-5.9", "CIS-5.31"] {
        assert_verdict(&report, &good, id, &pass);
    }
    for id in [
        "CIS-5.5", "CIS-5.6", "CIS-5.10", "CIS-5.11", "CIS-5.12", "CIS-5.14", "CIS-5.15",
        "CIS-5.21", "CIS-5.25", "CIS-5.26", "CIS-5.28", "CTR-001", "CTR-002", "CTR-003",
    ] {
        assert_verdict(&report, &good, id, &pass);
    }
    // The other bad containers keep the settings that only one of them breaks.
    assert_verdict(&report, &sys_admin, "CIS-5.4", &pass);
    assert_verdict(&report, &privileged, "CIS-5.31", &pass);
    assert_verdict(&report, &socket, "CIS-5.9", &pass);

    for id in [
        "CIS-5.5", "CIS-5.7", "CIS-5.13", "CIS-5.14", "CIS-5.15", "CIS-5.16", "CIS-5.19",
        "CIS-5.20", "CIS-5.21", "CIS-5.30",
    ] {
        assert_verdict(&report, &namespaces, id, &warn);
        assert_verdict(&report, &good, id, &pass);
    }
    assert_eq!(
        result(&report, &namespaces, "CIS-5.5").details,
        ["mounts /etc read-only"]
    );
    assert_eq!(
        result(&report, &namespaces, "CIS-5.7").details,
        ["host port 80 maps 8080/tcp"]
    );
    assert_eq!(
        result(&report, &namespaces, "CIS-5.13").details,
        ["8080/tcp published on 0.0.0.0:80"]
    );
    assert_eq!(
        result(&report, &namespaces, "CIS-5.19").details,
        ["/mnt uses rshared propagation"]
    );
    assert_verdict(&report, &namespaces, "CIS-5.8", &Verdict::Info);
    assert_eq!(
        result(&report, &namespaces, "CIS-5.8").details,
        [
            "publishes 8080/tcp on 0.0.0.0:80",
            "publishes 8443/tcp on 127.0.0.1:8443"
        ]
    );
    assert_verdict(&report, &namespaces, "CIS-5.17", &warn);
    assert_eq!(
        result(&report, &namespaces, "CIS-5.17").details,
        ["maps host device /dev/null to /dev/stowaway-null with permissions `r`"]
    );
    assert_verdict(&report, &namespaces, "CIS-5.18", &Verdict::Info);
    assert_eq!(
        result(&report, &namespaces, "CIS-5.18").details,
        ["ulimit nofile=1024:2048"]
    );
    assert_verdict(&report, &namespaces, "CIS-5.24", &warn);
    assert_eq!(
        result(&report, &namespaces, "CIS-5.24").details,
        ["cgroup parent is `/stowaway-test`"]
    );
    for id in ["CIS-5.8", "CIS-5.17", "CIS-5.18", "CIS-5.24"] {
        assert_verdict(&report, &good, id, &pass);
    }

    // Exec sessions are seen only while they run: the socket container has one as root.
    assert_verdict(&report, &socket, "CIS-5.23", &warn);
    let root_exec = &result(&report, &socket, "CIS-5.23").details;
    assert_eq!(root_exec.len(), 1);
    assert!(
        root_exec[0].ends_with("runs `sleep 600` as user `root`"),
        "{root_exec:?}"
    );
    assert_verdict(&report, &socket, "CIS-5.22", &pass);
    for id in ["CIS-5.22", "CIS-5.23"] {
        assert!(
            matches!(result(&report, &good, id).verdict, Verdict::NotRun { .. }),
            "{id} on `{good}`"
        );
    }

    // A container that is not running has no processes to list: not run, never a pass.
    assert!(matches!(
        result(&report, &namespaces, "CIS-5.6").verdict,
        Verdict::NotRun { .. }
    ));
    assert!(matches!(
        result(&report, &namespaces, "CTR-002").verdict,
        Verdict::NotRun { .. }
    ));

    // The imported image is audited from its configuration; its files are not exported by the engine.
    let tag = format!("{unique}:test");
    assert_verdict(&report, &tag, "IMG-001", &warn);
    assert_verdict(&report, &tag, "IMG-002", &warn);
    assert_verdict(&report, &tag, "IMG-004", &pass);
    assert_verdict(&report, &tag, "IMG-010", &pass);
    assert!(matches!(
        result(&report, &tag, "IMG-008").verdict,
        Verdict::NotRun { .. }
    ));

    // The daemon checks ran against the engine, never reported as not run.
    let daemon: Vec<_> = report
        .results
        .iter()
        .filter(|result| result.target == "daemon")
        .collect();
    assert_eq!(daemon.len(), 17);
    assert!(
        daemon
            .iter()
            .all(|result| !matches!(result.verdict, Verdict::NotRun { .. })),
        "{daemon:?}"
    );

    // Sections 6 and 7 read the engine's inventory and Swarm state.
    assert_verdict(&report, "engine", "CIS-6.1", &Verdict::Info);
    assert_verdict(&report, "engine", "CIS-6.2", &Verdict::Info);
    let [images, unused] = counts(&result(&report, "engine", "CIS-6.1").details[0]);
    assert!(images >= 1, "the imported image is local");
    assert!(unused <= images);
    let [running, total] = counts(&result(&report, "engine", "CIS-6.2").details[0]);
    assert!(total >= 6, "this test created six containers");
    assert!(running <= total);
    let swarm_state = docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]);
    for id in ["CIS-7.1", "CIS-7.2", "CIS-7.4", "CIS-7.6"] {
        let found = result(&report, "swarm", id);
        if swarm_state == "inactive" {
            assert_eq!(found.verdict, Verdict::Note, "{id}");
            assert_eq!(found.details, ["Swarm is not active"], "{id}");
        } else {
            assert_ne!(found.verdict, Verdict::Note, "{id}");
        }
    }

    // A checklist that drops the host sections, excludes one container and lowers a threshold.
    let text = format!(
        "[select]\nsections = [2, 5]\n[parameters]\nmax_processes = 0\nmax_changed_files = 2\n[exclude]\ncontainers = [\"{privileged}\"]\n"
    );
    let custom = Checklist::parse(&text, "custom.toml").unwrap();
    let tuned = run_bench(&options, &custom).unwrap();

    assert!(
        tuned
            .results
            .iter()
            .all(|result| result.check.id.starts_with("CIS-2.")
                || result.check.id.starts_with("CIS-5.")
                || result.check.id.starts_with("CTR-"))
    );
    assert!(
        tuned
            .results
            .iter()
            .all(|result| result.target != privileged)
    );
    assert_verdict(&tuned, &good, "CTR-002", &warn);
    assert_eq!(
        result(&tuned, &good, "CTR-002").details,
        ["1 processes, more than 0"]
    );
}

#[test]
fn gateway_reach_by_network() {
    if !engine_reachable() {
        return;
    }
    let unique = format!("stowaway-gateway-{}", std::process::id());
    let mut created = Created::default();
    created.image = Some(import_debian(&format!("{unique}:test")));
    let image = created.image.clone().unwrap();
    let internal = docker(&[
        "network",
        "create",
        "--internal",
        &format!("{unique}-internal"),
    ]);
    created.networks.push(internal.clone());

    let [isolated, bridged, offline, joined, chained] =
        ["isolated", "bridged", "offline", "joined", "chained"]
            .map(|kind| format!("{unique}-{kind}"));
    assert!(
        run_container(&mut created, &isolated, &image, &["--network", &internal]),
        "container `{isolated}` did not start"
    );
    assert!(
        run_container(&mut created, &bridged, &image, &[]),
        "container `{bridged}` did not start"
    );
    assert!(
        run_container(&mut created, &offline, &image, &["--network", "none"]),
        "container `{offline}` did not start"
    );
    let owner = format!("container:{bridged}");
    assert!(
        run_container(&mut created, &joined, &image, &["--network", &owner]),
        "container `{joined}` did not start"
    );
    // The engine lets a container join one that itself joins another.
    let second_owner = format!("container:{joined}");
    assert!(
        run_container(
            &mut created,
            &chained,
            &image,
            &["--network", &second_owner]
        ),
        "container `{chained}` did not start"
    );
    let gateway = docker(&[
        "inspect",
        &bridged,
        "--format",
        "{{.NetworkSettings.Networks.bridge.Gateway}}",
    ]);
    assert!(
        !gateway.is_empty(),
        "`{bridged}` has no gateway on the default bridge"
    );

    let checklist = Checklist::parse("[select]\nsections = [5]\n", "runtime.toml").unwrap();
    let report = run_bench(&BenchOptions::default(), &checklist).unwrap();

    assert_verdict(&report, &isolated, "CTR-004", &Verdict::Pass);
    assert_verdict(&report, &offline, "CTR-004", &Verdict::Pass);
    assert_verdict(&report, &bridged, "CIS-5.29", &Verdict::Warn);
    assert_eq!(
        result(&report, &bridged, "CIS-5.29").details,
        ["attached to the default bridge network `bridge`"]
    );
    assert_verdict(&report, &isolated, "CIS-5.29", &Verdict::Pass);
    assert_verdict(&report, &offline, "CIS-5.29", &Verdict::Pass);
    assert_verdict(&report, &bridged, "CTR-004", &Verdict::Warn);
    assert_eq!(
        result(&report, &bridged, "CTR-004").details,
        [format!(
            "network `bridge` (bridge driver) is not internal, so the container reaches gateway {gateway}"
        )]
    );
    let through_bridged = format!(
        "network `bridge` (bridge driver) is not internal, so the container through container `{bridged}` reaches gateway {gateway}"
    );
    for container in [&joined, &chained] {
        assert_verdict(&report, container, "CTR-004", &Verdict::Warn);
        assert_eq!(
            result(&report, container, "CTR-004").details,
            [through_bridged.as_str()],
            "{container}"
        );
    }
}
