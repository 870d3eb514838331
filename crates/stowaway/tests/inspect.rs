//! `stowaway inspect` run as a user runs it, on the real fixture images and on broken input.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn stowaway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway")).args(args).output().unwrap()
}

fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(
        dir.join("debian/expectations.json").is_file(),
        "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root)",
        dir.display()
    );
    dir
}

fn inspect_json(reference: &str) -> Value {
    let output = stowaway(&["inspect", "--format", "json", reference]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn both_forms_print_same_counts_and_layers() {
    let dir = fixtures_dir().join("debian");
    let expected: Value = serde_json::from_slice(&std::fs::read(dir.join("expectations.json")).unwrap()).unwrap();

    let archive = inspect_json(&format!("docker-archive:{}", dir.join("docker-archive.tar").display()));
    let layout = inspect_json(&format!("oci:{}", dir.join("oci").display()));

    assert_eq!(archive["squashed"], layout["squashed"]);
    assert_eq!(archive["squashed"]["entries"], expected["squashed"]["entries"]);
    assert_eq!(archive["squashed"]["regular_files"], expected["squashed"]["regular_files"]);
    assert_eq!(archive["image_id"], expected["image_id"]);
    assert_eq!(layout["manifest_digest"], expected["oci_manifest_digest"]);
    assert_eq!(archive["platform"], "linux/amd64");

    let diff_ids = |report: &Value| -> Vec<Value> { report["layers"].as_array().unwrap().iter().map(|l| l["diff_id"].clone()).collect() };
    assert_eq!(diff_ids(&archive), diff_ids(&layout));
    assert_eq!(archive["layers"][1]["created_by"], layout["layers"][1]["created_by"]);
    assert_eq!(layout["layers"][1]["compression"], "zstd");
}

#[test]
fn table_output_names_layers() {
    let dir = fixtures_dir().join("debian");
    let output = stowaway(&["inspect", &format!("docker-archive:{}", dir.join("docker-archive.tar").display())]);

    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Tags:      stowaway-fixture/debian:latest"), "{stdout}");
    assert!(stdout.contains("debootstrap --variant=minbase"), "{stdout}");
    assert!(stdout.contains("Squashed:"), "{stdout}");
}

#[test]
fn missing_image_exits_2_with_hint() {
    let output = stowaway(&["inspect", "docker-archive:/nonexistent/image.tar"]);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: failed to open image `docker-archive:/nonexistent/image.tar`"), "{stderr}");
    assert!(stderr.contains("is not an existing file or folder"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn invalid_platform_is_rejected() {
    let output = stowaway(&["inspect", "--platform", "linux", "dir:/tmp"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid platform `linux`"));
}

#[test]
fn limit_error_names_flag() {
    let dir = fixtures_dir().join("debian");
    let reference = format!("docker-archive:{}", dir.join("docker-archive.tar").display());
    let output = stowaway(&["inspect", "--max-image-size", "1M", &reference]);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("limit of 1048576 uncompressed bytes"), "{stderr}");
    assert!(stderr.contains("--max-image-size"), "{stderr}");
}
