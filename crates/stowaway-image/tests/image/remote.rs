//! Registry and Docker Engine sources against real components: Debian's `docker-registry` on
//! 127.0.0.1 (anonymous and with htpasswd basic auth) with images pushed by `skopeo`, and the
//! machine's Docker Engine.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use stowaway_image::{DownloadEvent, DownloadProgress, Image, ImageError, OpenOptions, SourceKind, Walker, open};

use crate::fixtures::{all_paths, expectations, fixtures_dir};
use crate::registry_server::{LocalRegistry, docker_config};
use crate::support::*;

fn options(cache: &Path) -> OpenOptions {
    OpenOptions { insecure: true, layer_cache: Some(cache.to_owned()), ..OpenOptions::default() }
}

fn layer_digests(image: &Image) -> Vec<String> {
    image.layers.iter().map(|layer| layer.digest.as_ref().unwrap().to_string()).collect()
}

#[test]
fn registry_image_equals_layout() {
    let registry = LocalRegistry::start(false);
    let layout = fixtures_dir().join("apps/oci");
    registry.push(&format!("oci:{}", layout.display()), "apps:1", false);
    let cache = tempfile::tempdir().unwrap();

    let pulled = open(&format!("registry:{}/apps:1", registry.address), &options(cache.path())).unwrap();
    let local = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();

    assert_eq!(pulled.source, SourceKind::Registry);
    assert_eq!(pulled.config_digest, local.config_digest);
    assert_eq!(pulled.manifest_digest, local.manifest_digest);
    assert_eq!(layer_digests(&pulled), layer_digests(&local));
    let pulled_view = Walker::new(&pulled).run().unwrap();
    let local_view = Walker::new(&local).run().unwrap();
    assert_eq!(all_paths(&pulled_view), all_paths(&local_view));
    assert_eq!(pulled.config_digest.unwrap().to_string(), expectations("apps")["image_id"].as_str().unwrap());
}

#[test]
fn second_pull_downloads_no_layer() {
    let registry = LocalRegistry::start(false);
    registry.push(&format!("oci:{}", fixtures_dir().join("debian/oci").display()), "debian:1", false);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/debian:1", registry.address);

    let events = Arc::new(Mutex::new(Vec::new()));
    let recorded = events.clone();
    let progress = DownloadProgress::new(move |event| recorded.lock().unwrap().push(event));
    let with_progress = OpenOptions { progress: Some(progress), ..options(cache.path()) };

    let first = open(&reference, &with_progress).unwrap();
    let first_events = std::mem::take(&mut *events.lock().unwrap());
    let digests = layer_digests(&first);
    let after_first: Vec<usize> = digests.iter().map(|digest| registry.blob_downloads(digest)).collect();
    let second = open(&reference, &with_progress).unwrap();
    let after_second: Vec<usize> = digests.iter().map(|digest| registry.blob_downloads(digest)).collect();

    assert!(!digests.is_empty());
    let total: u64 = first.layers.iter().map(|layer| layer.size.unwrap()).sum();
    assert_eq!(first_events[0], DownloadEvent::Started { layers: digests.len(), bytes: total });
    let received: u64 = first_events.iter().map(|event| if let DownloadEvent::Received { bytes } = event { *bytes } else { 0 }).sum();
    assert_eq!(received, total);
    assert!(events.lock().unwrap().is_empty(), "the second pull reports no download");
    assert_eq!(after_first, vec![1; digests.len()], "each layer is downloaded once by the first pull");
    assert_eq!(after_second, after_first, "the second pull downloads no layer");
    assert_eq!(layer_digests(&second), digests);
    Walker::new(&second).run().unwrap();
}

#[test]
fn basic_auth_uses_docker_config() {
    let registry = LocalRegistry::start(true);
    registry.push(&format!("oci:{}", fixtures_dir().join("debian/oci").display()), "private/debian:1", false);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("registry:{}/private/debian:1", registry.address);

    let config = tempfile::tempdir().unwrap();
    let anonymous = OpenOptions { docker_config: Some(config.path().to_owned()), ..options(cache.path()) };
    let error = open(&reference, &anonymous).unwrap_err();
    assert!(matches!(error, ImageError::Registry { .. }), "{error}");

    docker_config(config.path(), &registry.address);
    let image = open(&reference, &anonymous).unwrap();
    assert_eq!(image.layers.len(), 2);
    let message = format!("{image:?}");
    assert!(!message.contains(crate::registry_server::PASSWORD), "the password leaks into the image: {message}");
}

#[test]
fn registry_index_selects_platform() {
    let dir = tempfile::tempdir().unwrap();
    let amd = vec![Blob::gzip(layer(&[file("arch", b"amd64")]))];
    let arm = vec![Blob::gzip(layer(&[file("arch", b"arm64")]))];
    let layout = oci_layout(
        dir.path(),
        &[
            OciImage { blobs: &amd, platform: Some(("linux", "amd64", None)), ref_name: None },
            OciImage { blobs: &arm, platform: Some(("linux", "arm64", Some("v8"))), ref_name: None },
        ],
    );
    wrap_in_index(&layout, "multi");
    let registry = LocalRegistry::start(false);
    registry.push(&format!("oci:{}:multi", layout.display()), "multi:1", true);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("registry:{}/multi:1", registry.address);

    let arm_options = OpenOptions { platform: Some("linux/arm64".parse().unwrap()), ..options(cache.path()) };
    let image = open(&reference, &arm_options).unwrap();
    assert_eq!(image.config.architecture, "arm64");
    let view = Walker::new(&image).run().unwrap();
    assert_eq!(paths(&view), ["/arch"]);

    let amd_options = OpenOptions { platform: Some("linux/amd64".parse().unwrap()), ..options(cache.path()) };
    assert_eq!(open(&reference, &amd_options).unwrap().config.architecture, "amd64");

    let s390x = OpenOptions { platform: Some("linux/s390x".parse().unwrap()), ..options(cache.path()) };
    let error = open(&reference, &s390x).unwrap_err();
    assert!(matches!(error, ImageError::NoMatchingPlatform { .. }), "{error}");
    assert!(error.to_string().contains("linux/arm64/v8"), "{error}");
}

/// Rewrites a layout whose `index.json` lists platform manifests so that it names one image
/// index holding them, tagged `name`, the shape `skopeo copy --all` pushes as a multi-platform image.
fn wrap_in_index(layout: &Path, name: &str) {
    let index_path = layout.join("index.json");
    let listed: serde_json::Value = serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let nested = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": listed["manifests"],
    }))
    .unwrap();
    let digest = sha256(&nested);
    std::fs::write(layout.join("blobs/sha256").join(digest.encoded()), &nested).unwrap();
    let top = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": digest.to_string(),
        "size": nested.len(),
        "annotations": {"org.opencontainers.image.ref.name": name},
    }]});
    std::fs::write(&index_path, serde_json::to_vec(&top).unwrap()).unwrap();
}

/// Loads the apps fixture into the Docker Engine, reads it back through the engine source, and
/// removes it by id unless an image with that id was there before.
#[test]
fn engine_image_equals_archive() {
    assert!(
        Path::new("/var/run/docker.sock").exists() || std::env::var_os("DOCKER_HOST").is_some(),
        "the Docker Engine is required: /var/run/docker.sock is missing and DOCKER_HOST is not set"
    );
    let archive = fixtures_dir().join("apps/docker-archive.tar");
    let image_id = expectations("apps")["image_id"].as_str().unwrap().to_owned();
    let existed = Command::new("docker").args(["image", "inspect", &image_id]).output().unwrap().status.success();
    let load = Command::new("docker").arg("load").arg("-q").arg("-i").arg(&archive).output().unwrap();
    assert!(load.status.success(), "docker load failed: {}", String::from_utf8_lossy(&load.stderr));

    let from_engine = open(&format!("docker:{image_id}"), &OpenOptions::default());
    if !existed {
        let remove = Command::new("docker").args(["image", "rm", &image_id]).output().unwrap();
        assert!(remove.status.success(), "docker image rm failed: {}", String::from_utf8_lossy(&remove.stderr));
    }
    let from_engine = from_engine.unwrap();
    let from_file = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();

    assert_eq!(from_engine.source, SourceKind::DockerEngine);
    assert_eq!(from_engine.config_digest, from_file.config_digest);
    let engine_view = Walker::new(&from_engine).run().unwrap();
    let file_view = Walker::new(&from_file).run().unwrap();
    assert_eq!(all_paths(&engine_view), all_paths(&file_view));
}

#[test]
fn engine_missing_image_is_clear() {
    let error = open("docker:stowaway-test/never-built:none", &OpenOptions::default()).unwrap_err();
    assert!(matches!(error, ImageError::Engine { .. }), "{error}");
    assert!(error.to_string().contains("the engine has no such image"), "{error}");
}
