//! `stowaway sbom` run as a user runs it, on the real fixture images and on broken input.

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
        dir.join("apps/expectations.json").is_file(),
        "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root)",
        dir.display()
    );
    dir
}

fn apps_archive() -> String {
    format!("docker-archive:{}", fixtures_dir().join("apps/docker-archive.tar").display())
}

fn sbom_json(format: &str, reference: &str) -> Value {
    let output = stowaway(&["sbom", "--format", format, reference]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Names of the Debian packages the apps fixture's expectations list. Only they are counted,
/// because the image also contains Python, npm, Java and Go packages for other catalogers.
fn expected_debian_packages() -> Vec<String> {
    let path = fixtures_dir().join("apps/expectations.json");
    let expected: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    expected["debian_packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn cyclonedx_lists_fixture_packages() {
    let bom = sbom_json("cyclonedx-json", &apps_archive());

    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["component"]["type"], "container");
    assert_eq!(bom["metadata"]["component"]["name"], "stowaway-fixture/apps:latest");

    let names: Vec<&str> = bom["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    for expected in expected_debian_packages() {
        assert!(names.contains(&expected.as_str()), "{expected} missing from the BOM");
    }
}

#[test]
fn spdx_lists_fixture_packages() {
    let document = sbom_json("spdx-json", &apps_archive());

    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["SPDXID"], "SPDXRef-DOCUMENT");
    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages[0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(packages[1]["primaryPackagePurpose"], "OPERATING_SYSTEM");
    let debs = packages.iter().filter(|p| p["externalRefs"][0]["referenceLocator"].as_str().is_some_and(|purl| purl.starts_with("pkg:deb/"))).count();
    assert_eq!(debs, expected_debian_packages().len());
}

#[test]
fn json_is_catalog_with_identity() {
    let catalog = sbom_json("json", &apps_archive());

    assert_eq!(catalog["image"]["tags"][0], "stowaway-fixture/apps:latest");
    assert_eq!(catalog["image"]["platform"]["architecture"], "amd64");
    assert_eq!(catalog["os"]["id"], "debian");
    let debs: Vec<&Value> = catalog["packages"].as_array().unwrap().iter().filter(|p| p["kind"] == "deb").collect();
    assert_eq!(debs.len(), expected_debian_packages().len());
    assert!(debs.iter().all(|p| p["purl"].as_str().unwrap().starts_with("pkg:deb/debian/")));
    assert!(debs.iter().all(|p| p["layer"]["diff_id"].as_str().unwrap().starts_with("sha256:")));
}

#[test]
fn table_is_aligned_by_column() {
    let output = stowaway(&["sbom", &apps_archive()]);

    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("NAME "), "{stdout}");
    let version_column = lines[0].find("VERSION").unwrap();
    let kind_column = lines[0].find("KIND").unwrap();
    let mut debs = 0;
    for line in &lines[1..] {
        assert_eq!(line.as_bytes()[version_column - 1], b' ', "{line}");
        assert_eq!(line.as_bytes()[kind_column - 1], b' ', "{line}");
        assert!(line.contains(" sha256:"), "{line}");
        debs += usize::from(line[kind_column..].starts_with("deb "));
    }
    assert_eq!(debs, expected_debian_packages().len(), "{stdout}");
    assert!(lines.iter().any(|line| line.starts_with("base-files ")), "{stdout}");
}

#[test]
fn output_file_replaces_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("apps.cdx.json");
    let output = stowaway(&["sbom", "--format", "cyclonedx-json", "--output", path.to_str().unwrap(), &apps_archive()]);

    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());
    let bom: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(bom["bomFormat"], "CycloneDX");
}

#[test]
fn unwritable_output_exits_2() {
    let output = stowaway(&["sbom", "--output", "/nonexistent/dir/sbom.json", &apps_archive()]);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: failed to create `/nonexistent/dir/sbom.json`"), "{stderr}");
}

#[test]
fn missing_image_exits_2() {
    let output = stowaway(&["sbom", "docker-archive:/nonexistent/image.tar"]);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: failed to open image `docker-archive:/nonexistent/image.tar`"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn unknown_format_is_rejected() {
    let output = stowaway(&["sbom", "--format", "spdx-tag-value", "dir:/tmp"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'spdx-tag-value'"));
}

#[test]
fn root_filesystem_has_no_layers() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(root.path().join("etc/os-release"), "ID=debian\nVERSION_ID=12\n").unwrap();
    let status = "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n";
    std::fs::write(root.path().join("var/lib/dpkg/status"), status).unwrap();
    let reference = format!("dir:{}", root.path().display());

    let output = stowaway(&["sbom", &reference]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().nth(1), Some("zlib1g  1:1.2.13.dfsg-1  deb   -"), "{stdout}");

    let bom = sbom_json("cyclonedx-json", &reference);
    let subject = &bom["metadata"]["component"];
    assert_eq!(subject["name"], reference.as_str());
    assert!(subject.get("purl").is_none(), "an image without a digest has no purl");
    let names: Vec<&str> = subject["properties"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["stowaway:image:reference"], "no platform without a config");
}

/// Appends a member with `bytes` to a tar being built.
fn append(builder: &mut tar::Builder<Vec<u8>>, name: &str, bytes: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    builder.append_data(&mut header, name, bytes).unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Writes a docker-archive whose config claims the diff_id of one layer while the archive contains
/// another, with an os-release and a dpkg status of one package.
fn tampered_archive(folder: &std::path::Path) -> PathBuf {
    let layer = |version: &str| {
        let mut builder = tar::Builder::new(Vec::new());
        append(&mut builder, "etc/os-release", b"ID=debian\nVERSION_ID=12\n");
        let status = format!("Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n");
        append(&mut builder, "var/lib/dpkg/status", status.as_bytes());
        builder.into_inner().unwrap()
    };
    let claimed = layer("1:1.2.13.dfsg-1");
    let actual = layer("1:1.2.11.dfsg-2");
    let config = format!(r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}}}}"#, sha256_hex(&claimed));
    let config_name = format!("{}.json", sha256_hex(config.as_bytes()));
    let layer_name = format!("{}/layer.tar", sha256_hex(&claimed));
    let manifest = format!(r#"[{{"Config":"{config_name}","RepoTags":["app:1"],"Layers":["{layer_name}"]}}]"#);

    let mut archive = tar::Builder::new(Vec::new());
    append(&mut archive, &config_name, config.as_bytes());
    append(&mut archive, &layer_name, &actual);
    append(&mut archive, "manifest.json", manifest.as_bytes());
    let path = folder.join("tampered.tar");
    std::fs::write(&path, archive.into_inner().unwrap()).unwrap();
    path
}

#[test]
fn verify_digests_rejects_tampered_layer() {
    let folder = tempfile::tempdir().unwrap();
    let reference = format!("docker-archive:{}", tampered_archive(folder.path()).display());

    let unchecked = stowaway(&["sbom", "--no-cache", "--format", "json", &reference]);
    let checked = stowaway(&["sbom", "--no-cache", "--verify-digests", "--format", "json", &reference]);

    // Without the check, the layer is read as it is: the version found is the one it contains.
    assert_eq!(unchecked.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&unchecked.stderr));
    let stdout = String::from_utf8(unchecked.stdout).unwrap();
    assert!(stdout.contains("1:1.2.11.dfsg-2"), "{stdout}");
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8(checked.stderr).unwrap();
    assert!(stderr.contains("digest mismatch for the uncompressed content (diff_id)"), "{stderr}");
}
