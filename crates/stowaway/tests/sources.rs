//! `stowaway sbom` on the apps fixture read from its OCI layout, from Debian's `docker-registry`
//! on 127.0.0.1, and from the Docker Engine: the packages must be the same.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

// The registry process helper of the image tests, shared rather than copied.
#[path = "../../stowaway-image/tests/image/registry_server.rs"]
#[allow(dead_code)]
mod registry_server;

use registry_server::LocalRegistry;

fn stowaway(args: &[&str], cache: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway")).args(args).env("XDG_CACHE_HOME", cache).env_remove("RUST_LOG").output().unwrap()
}

fn apps_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"))
        .join("apps");
    assert!(dir.join("expectations.json").is_file(), "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root)", dir.display());
    dir
}

/// Runs `stowaway` and lists each package it reports, by identity and by the layer (diff_id)
/// that added it, sorted.
fn packages(args: &[&str], cache: &std::path::Path) -> Vec<String> {
    let output = stowaway(args, cache);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    package_list(&output.stdout)
}

/// Lists the packages of a JSON catalog. Layer blob digests are left out, because a
/// `docker save` tar stores layers uncompressed.
fn package_list(catalog: &[u8]) -> Vec<String> {
    let catalog: Value = serde_json::from_slice(catalog).unwrap();
    let mut listed: Vec<String> = catalog["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| format!("{} {} {} {} {}", package["purl"], package["name"], package["version"], package["locations"], package["layer"]["diff_id"]))
        .collect();
    listed.sort();
    listed
}

#[test]
fn registry_and_engine_match_layout() {
    let cache = tempfile::tempdir().unwrap();
    let layout = apps_dir().join("oci");
    let from_file = packages(&["sbom", "--format", "json", &format!("oci:{}", layout.display())], cache.path());

    let registry = LocalRegistry::start(false);
    registry.push(&format!("oci:{}", layout.display()), "apps:1", false);
    let reference = format!("registry:{}/apps:1", registry.address);
    let from_registry = packages(&["sbom", "--format", "json", "--insecure", &reference], cache.path());

    let image_id = {
        let expectations: Value = serde_json::from_slice(&std::fs::read(apps_dir().join("expectations.json")).unwrap()).unwrap();
        expectations["image_id"].as_str().unwrap().to_owned()
    };
    let existed = Command::new("docker").args(["image", "inspect", &image_id]).output().unwrap().status.success();
    let load = Command::new("docker").arg("load").arg("-q").arg("-i").arg(apps_dir().join("docker-archive.tar")).output().unwrap();
    assert!(load.status.success(), "docker load failed: {}", String::from_utf8_lossy(&load.stderr));
    let from_engine = stowaway(&["sbom", "--format", "json", &format!("docker:{image_id}")], cache.path());
    if !existed {
        let remove = Command::new("docker").args(["image", "rm", &image_id]).output().unwrap();
        assert!(remove.status.success(), "docker image rm failed: {}", String::from_utf8_lossy(&remove.stderr));
    }
    assert_eq!(from_engine.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_engine.stderr));

    assert!(from_file.len() > 100, "only {} packages read from the layout", from_file.len());
    assert_eq!(from_registry, from_file);
    assert_eq!(package_list(&from_engine.stdout), from_file);
}

/// Pulls from a registry with htpasswd basic auth, with the password coming from a
/// `docker-credential-*` helper that the Docker configuration names in `credHelpers`.
#[test]
fn credential_helper_unlocks_registry() {
    use std::os::unix::fs::PermissionsExt;

    let registry = LocalRegistry::start(true);
    registry.push(&format!("oci:{}", apps_dir().join("oci").display()), "private/apps:1", false);
    let folder = tempfile::tempdir().unwrap();
    let helper = folder.path().join("docker-credential-stowawaytest");
    let answer = serde_json::json!({"ServerURL": registry.address, "Username": registry_server::USER, "Secret": registry_server::PASSWORD});
    std::fs::write(&helper, format!("#!/bin/sh\ncat >/dev/null\necho '{answer}'\n")).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = serde_json::json!({"credHelpers": {registry.address.clone(): "stowawaytest"}});
    std::fs::write(folder.path().join("config.json"), config.to_string()).unwrap();
    let path = format!("{}:{}", folder.path().display(), std::env::var("PATH").unwrap_or_default());
    let reference = format!("registry:{}/private/apps:1", registry.address);

    let run = |docker_config: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_stowaway"))
            .args(["inspect", "--insecure", &reference])
            .env("DOCKER_CONFIG", docker_config)
            .env("PATH", &path)
            .env("XDG_CACHE_HOME", folder.path().join("cache"))
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    let without = run(&folder.path().join("no-such-config"));
    let with = run(folder.path());

    assert_eq!(without.status.code(), Some(2), "an anonymous pull must be refused");
    assert!(String::from_utf8_lossy(&without.stderr).contains("docker login"), "{}", String::from_utf8_lossy(&without.stderr));
    assert_eq!(with.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&with.stderr));
    assert!(String::from_utf8_lossy(&with.stdout).contains("private/apps:1"));
    let printed = format!("{}{}", String::from_utf8_lossy(&with.stdout), String::from_utf8_lossy(&with.stderr));
    assert!(!printed.contains(registry_server::PASSWORD), "the password is printed: {printed}");
}
