//! Image checks on crafted images (each check's true positive and true negative) and on the
//! real Debian fixture images.

use std::path::PathBuf;

use stowaway_bench::{CheckResult, Checklist, Verdict, image_checks};
use stowaway_image::{Image, ImageConfig, ImageView, OpenOptions, Walker, open};

/// One file of a crafted layer: path, mode and content.
type File<'a> = (&'a str, u32, &'a [u8]);

fn layer(files: &[File<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(*mode);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Builds an image from one layer of `files` and a config given as JSON.
fn crafted(files: &[File<'_>], config: serde_json::Value, tags: &[&str]) -> (Image, ImageView) {
    let mut image = Image::from_layer_blobs(vec![layer(files)]);
    image.config = serde_json::from_value::<ImageConfig>(config).unwrap();
    image.tags = tags.iter().map(|tag| tag.to_string()).collect();
    let view = Walker::new(&image).run().unwrap();
    (image, view)
}

fn verdict<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|result| result.check.id == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

fn run(files: &[File<'_>], config: serde_json::Value, tags: &[&str]) -> Vec<CheckResult> {
    let (image, view) = crafted(files, config, tags);
    image_checks(&image, Some(&view), &Checklist::builtin().unwrap())
}

fn good_config() -> serde_json::Value {
    serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {
            "User": "app", "Env": ["PATH=/usr/bin", "DB_PASSWORD="],
            "Healthcheck": {"Test": ["CMD", "/bin/true"]},
            "ExposedPorts": {"8080/tcp": {}}
        },
        "history": [
            {"created_by": "ADD rootfs.tar.xz / # buildkit"},
            {"created_by": "RUN /bin/sh -c apk add --no-cache libsecret=0.20.5-r0 pkg=1.2-r0 # buildkit"},
            {"created_by": "COPY app /app # buildkit"}
        ]
    })
}

fn bad_config() -> serde_json::Value {
    serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {
            "User": "0:0", "Env": ["PATH=/usr/bin", "DB_PASSWORD=s3cr3t"],
            "Healthcheck": {"Test": ["NONE"]},
            "ExposedPorts": {"22/tcp": {}, "2375/tcp": {}, "8080/tcp": {}}
        },
        "history": [
            {"created_by": "ADD rootfs.tar.xz / # buildkit"},
            {"created_by": "ADD https://localhost/tool.tgz /opt/ # buildkit"},
            {"created_by": "RUN |1 NPM_TOKEN=abc123 /bin/sh -c sudo npm ci # buildkit"},
            {"created_by": "ENV DB_PASSWORD=s3cr3t", "empty_layer": true}
        ]
    })
}

const GOOD_FILES: &[File<'_>] = &[
    ("app/server", 0o755, b"binary"),
    ("var/lib/apt/lists/lock", 0o640, b""),
    ("usr/bin/ping", 0o755, b"binary"),
];

const BAD_FILES: &[File<'_>] = &[
    ("usr/bin/su", 0o4755, b"binary"),
    ("usr/bin/wall", 0o2755, b"binary"),
    (
        "var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease",
        0o644,
        b"index",
    ),
    ("var/cache/apk/APKINDEX.tar.gz", 0o644, b"index"),
    ("app/.git/HEAD", 0o644, b"ref: refs/heads/main"),
    ("root/.ssh/authorized_keys", 0o600, b"ssh-ed25519 AAAA"),
    (
        "home/dev/keys/id_ed25519",
        0o600,
        b"-----BEGIN OPENSSH PRIVATE KEY-----",
    ),
    ("root/.aws/credentials", 0o600, b"[default]"),
    ("home/dev/.docker/config.json", 0o600, b"{}"),
];

#[test]
fn good_image_passes_every_check() {
    let results = run(
        GOOD_FILES,
        good_config(),
        &["registry.local:5000/app:1.4.2", "app:latest"],
    );

    for result in &results {
        assert_eq!(
            result.verdict,
            Verdict::Pass,
            "{} {:?}",
            result.check.id,
            result.details
        );
    }
    assert_eq!(results.len(), 13);
}

#[test]
fn bad_image_fails_every_check() {
    let results = run(BAD_FILES, bad_config(), &["app:latest"]);

    for result in &results {
        assert_eq!(
            result.verdict,
            Verdict::Warn,
            "{} {:?}",
            result.check.id,
            result.details
        );
    }
    assert_eq!(results.len(), 13);
}

#[test]
fn bad_image_details_name_the_problems() {
    let results = run(BAD_FILES, bad_config(), &["app:latest"]);

    assert_eq!(verdict(&results, "IMG-001").details, ["USER is `0:0`"]);
    assert_eq!(
        verdict(&results, "IMG-003").details,
        ["ADD https://localhost/tool.tgz /opt/ # buildkit"]
    );
    assert_eq!(
        verdict(&results, "IMG-004").details,
        ["DB_PASSWORD=<masked, 6 characters>"]
    );
    assert_eq!(
        verdict(&results, "IMG-005").details,
        ["NPM_TOKEN=<masked, 6 characters>"]
    );
    assert_eq!(
        verdict(&results, "IMG-006").details,
        [
            "/var/lib/apt/lists: 1 files, 5 bytes",
            "/var/cache/apk: 1 files, 5 bytes"
        ]
    );
    assert_eq!(
        verdict(&results, "IMG-008").details,
        ["/usr/bin/su (mode 4755)", "/usr/bin/wall (mode 2755)"]
    );
    assert_eq!(
        verdict(&results, "IMG-009").details,
        ["EXPOSE 22/tcp", "EXPOSE 2375/tcp"]
    );
    assert_eq!(verdict(&results, "IMG-011").details, ["/app/.git"]);
    assert_eq!(
        verdict(&results, "IMG-012").details,
        ["/home/dev/keys/id_ed25519", "/root/.ssh/authorized_keys"]
    );
    assert_eq!(
        verdict(&results, "IMG-013").details,
        ["/home/dev/.docker/config.json", "/root/.aws/credentials"]
    );
}

#[test]
fn secret_values_never_reported() {
    let results = run(BAD_FILES, bad_config(), &["app:latest"]);
    let json = serde_json::to_string(&results).unwrap();

    assert!(!json.contains("s3cr3t"));
    assert!(!json.contains("abc123"));
}

#[test]
fn untagged_image_warns() {
    let results = run(GOOD_FILES, good_config(), &[]);

    assert_eq!(
        verdict(&results, "IMG-010").details,
        ["the image has no tag"]
    );
}

#[test]
fn latest_tags_warn() {
    for tags in [
        &["app:latest"][..],
        &["registry.local:5000/team/app"],
        &["latest"],
    ] {
        let results = run(GOOD_FILES, good_config(), tags);

        assert_eq!(
            verdict(&results, "IMG-010").verdict,
            Verdict::Warn,
            "{tags:?}"
        );
    }
}

#[test]
fn versioned_tags_pass() {
    for tags in [
        &["registry.local:5000/app:1.4.2"][..],
        &["1.4.2"],
        &["app:latest", "app:2"],
    ] {
        let results = run(GOOD_FILES, good_config(), tags);

        assert_eq!(
            verdict(&results, "IMG-010").verdict,
            Verdict::Pass,
            "{tags:?}"
        );
    }
}

#[test]
fn file_checks_not_run_without_view() {
    let (image, _) = crafted(BAD_FILES, bad_config(), &["app:1"]);
    let results = image_checks(&image, None, &Checklist::builtin().unwrap());

    let not_run = |id| matches!(verdict(&results, id).verdict, Verdict::NotRun { .. });
    assert!(
        ["IMG-006", "IMG-008", "IMG-011", "IMG-012", "IMG-013"]
            .into_iter()
            .all(not_run)
    );
    assert_eq!(verdict(&results, "IMG-001").verdict, Verdict::Warn);
}

#[test]
fn checklist_selects_and_tunes_image_checks() {
    let text = "[select]\nskip = [\"IMG-010\"]\n[parameters]\nsensitive_ports = [8080]\nallowed_setuid = [\"/usr/bin/su\"]\n";
    let checklist = Checklist::parse(text, "custom.toml").unwrap();
    let (image, view) = crafted(BAD_FILES, bad_config(), &["app:latest"]);
    let results = image_checks(&image, Some(&view), &checklist);

    assert!(results.iter().all(|result| result.check.id != "IMG-010"));
    assert_eq!(verdict(&results, "IMG-009").details, ["EXPOSE 8080/tcp"]);
    assert_eq!(
        verdict(&results, "IMG-008").details,
        ["/usr/bin/wall (mode 2755)"]
    );
}

/// The fixture folder. Building it needs root and a Debian mirror, so a missing folder fails
/// the test with the command to run rather than skipping it.
fn fixture(name: &str) -> String {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/stowaway/fixtures")
        });
    let archive = dir.join(name).join("docker-archive.tar");
    assert!(
        archive.is_file(),
        "fixture `{}` missing; build it with `scripts/build-fixtures.sh` (as root)",
        archive.display()
    );
    format!("docker-archive:{}", archive.display())
}

#[test]
fn debian_fixture_verdicts() {
    let image = open(&fixture("debian"), &OpenOptions::default()).unwrap();
    let view = Walker::new(&image).run().unwrap();
    let results = image_checks(&image, Some(&view), &Checklist::builtin().unwrap());

    for (id, expected) in [
        ("IMG-001", Verdict::Warn),
        ("IMG-002", Verdict::Warn),
        ("IMG-003", Verdict::Pass),
        ("IMG-004", Verdict::Pass),
        ("IMG-005", Verdict::Pass),
        ("IMG-006", Verdict::Pass),
        ("IMG-007", Verdict::Pass),
        ("IMG-008", Verdict::Warn),
        ("IMG-009", Verdict::Pass),
        ("IMG-010", Verdict::Warn),
        ("IMG-011", Verdict::Pass),
        ("IMG-012", Verdict::Pass),
        ("IMG-013", Verdict::Pass),
    ] {
        assert_eq!(
            verdict(&results, id).verdict,
            expected,
            "{id} {:?}",
            verdict(&results, id).details
        );
    }
    // Debian's minimal base ships these setuid and setgid programs.
    let setuid = &verdict(&results, "IMG-008").details;
    assert_eq!(setuid.len(), 11, "{setuid:?}");
    assert!(setuid.contains(&"/usr/bin/su (mode 4755)".to_owned()));
    assert!(setuid.contains(&"/usr/bin/chage (mode 2755)".to_owned()));
    assert_eq!(results[0].target, "stowaway-fixture/debian:latest");
}
