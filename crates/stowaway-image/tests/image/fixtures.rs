//! The real fixture images built from Debian packages by `scripts/build-fixtures.sh`, read in
//! every form and checked against the builder's independent expectations.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use stowaway_image::{ImagePath, ImageView, OpenOptions, Walker, open};

/// The fixture folder. Building it needs root and a Debian mirror, so a missing folder fails
/// the test with the command to run rather than skipping it.
pub fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(
        dir.join("debian/expectations.json").is_file(),
        "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root) or set STOWAWAY_FIXTURES_DIR",
        dir.display()
    );
    dir
}

pub fn expectations(name: &str) -> Value {
    let path = fixtures_dir().join(name).join("expectations.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn read(reference: &str) -> (stowaway_image::Image, ImageView) {
    let image = open(reference, &OpenOptions::default()).unwrap_or_else(|e| panic!("open {reference}: {e}"));
    let view = Walker::new(&image).run().unwrap_or_else(|e| panic!("walk {reference}: {e}"));
    (image, view)
}

fn forms(name: &str) -> Vec<String> {
    let dir = fixtures_dir().join(name);
    vec![
        format!("docker-archive:{}", dir.join("docker-archive.tar").display()),
        format!("oci:{}", dir.join("oci").display()),
        format!("oci:{}:latest", dir.join("oci.tar").display()),
    ]
}

fn path(text: &str) -> ImagePath {
    ImagePath::from_tar_name(text.as_bytes()).unwrap()
}

pub fn all_paths(view: &ImageView) -> Vec<ImagePath> {
    view.tree.iter().map(|(path, _)| path.clone()).collect()
}

#[test]
fn debian_forms_agree_with_expectations() {
    let expected = expectations("debian");
    let mut path_sets = Vec::new();

    for reference in forms("debian") {
        let (image, view) = read(&reference);

        assert_eq!(view.tree.len() as u64, expected["squashed"]["entries"].as_u64().unwrap(), "{reference}");
        assert_eq!(view.tree.regular_file_count() as u64, expected["squashed"]["regular_files"].as_u64().unwrap(), "{reference}");
        assert_eq!(image.config_digest.as_ref().unwrap().to_string(), expected["image_id"].as_str().unwrap(), "{reference}");
        assert_eq!(image.layers.len(), 2, "{reference}");
        for (layer, expected_layer) in image.layers.iter().zip(expected["layers"].as_array().unwrap()) {
            assert_eq!(layer.diff_id.as_ref().unwrap().to_string(), expected_layer["diff_id"].as_str().unwrap());
            assert_eq!(layer.created_by.as_deref(), expected_layer["created_by"].as_str());
        }
        path_sets.push(all_paths(&view));
    }

    assert_eq!(path_sets[0], path_sets[1], "docker-archive and OCI folder differ");
    assert_eq!(path_sets[1], path_sets[2], "OCI folder and OCI tar differ");
}

#[test]
fn debian_upper_layer_changes_apply() {
    let expected = expectations("debian");
    let (_, view) = read(&forms("debian")[1]);

    for deleted in expected["deleted"].as_array().unwrap() {
        for hidden in deleted["hidden"].as_array().unwrap() {
            assert!(view.tree.get(&path(hidden.as_str().unwrap())).is_none(), "{hidden} should be deleted");
        }
    }
    for opaque in expected["opaque_directories"].as_array().unwrap() {
        assert!(view.tree.get(&path(opaque["path"].as_str().unwrap())).is_some());
        for hidden in opaque["hidden"].as_array().unwrap() {
            assert!(view.tree.get(&path(hidden.as_str().unwrap())).is_none(), "{hidden} should be hidden");
        }
        for added in opaque["added"].as_array().unwrap() {
            assert!(view.tree.get(&path(added.as_str().unwrap())).is_some(), "{added} should be present");
        }
    }
    for added in expected["added"].as_array().unwrap() {
        let node = view.tree.get(&path(added["path"].as_str().unwrap())).expect("added path present");
        assert_eq!(node.layer, 1, "{added}");
    }
    for overridden in expected["overridden"].as_array().unwrap() {
        assert_eq!(view.tree.get(&path(overridden["path"].as_str().unwrap())).unwrap().layer, 1);
    }
}

#[test]
fn debian_symlinks_resolve() {
    let (_, view) = read(&forms("debian")[0]);

    // Debian's merged /usr: /bin is a symlink to usr/bin.
    assert_eq!(view.tree.resolve(&path("bin/sh")).unwrap(), view.tree.resolve(&path("usr/bin/sh")).unwrap());
    for added in expectations("debian")["added"].as_array().unwrap() {
        if added["kind"] == "symlink" {
            let resolved = view.tree.resolve(&path(added["path"].as_str().unwrap()));
            assert!(resolved.is_ok(), "{added}: {resolved:?}");
        }
    }
}

#[test]
fn apps_forms_agree_with_expectations() {
    let expected = expectations("apps");

    for reference in forms("apps") {
        let (image, view) = read(&reference);

        assert_eq!(image.layers.len(), expected["layers"].as_array().unwrap().len(), "{reference}");
        assert_eq!(view.tree.len() as u64, expected["squashed"]["entries"].as_u64().unwrap(), "{reference}");
        for package in expected["python_packages"].as_array().unwrap().iter().chain(expected["npm_packages"].as_array().unwrap()) {
            assert!(view.tree.get(&path(package["path"].as_str().unwrap())).is_some(), "{package}");
        }
        for jar in expected["jars"].as_array().unwrap() {
            assert!(view.tree.get(&path(jar["path"].as_str().unwrap())).is_some(), "{jar}");
        }
    }
}

#[test]
fn multi_archive_selects_each_image() {
    let archive = fixtures_dir().join("multi/docker-archive.tar");

    let error = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap_err();
    assert!(matches!(error, stowaway_image::ImageError::AmbiguousImage { .. }), "{error}");

    for name in ["debian", "apps"] {
        let reference = format!("docker-archive:{}:stowaway-fixture/{name}:latest", archive.display());
        let (image, view) = read(&reference);
        assert_eq!(image.config_digest.unwrap().to_string(), expectations(name)["image_id"].as_str().unwrap());
        assert_eq!(view.tree.len() as u64, expectations(name)["squashed"]["entries"].as_u64().unwrap());
    }
}

/// Loads the debian archive into the running Docker Engine, saves it back, and checks that
/// Docker's own export squashes to the same file list as our reading of the original. Removes
/// the loaded image by id, unless an image with that id was there before.
#[test]
#[allow(clippy::print_stderr)]
fn docker_save_reads_back_the_same() {
    if !std::path::Path::new("/var/run/docker.sock").exists() {
        assert!(std::env::var_os("CI").is_none(), "the Docker Engine is required in CI but /var/run/docker.sock is missing");
        eprintln!("skipping: no Docker Engine socket");
        return;
    }
    let original = fixtures_dir().join("debian/docker-archive.tar");
    let expected_id = expectations("debian")["image_id"].as_str().unwrap().to_owned();

    // An image with this id that existed before the test belongs to someone else: keep it.
    let existed = Command::new("docker").args(["image", "inspect", &expected_id]).output().unwrap().status.success();
    let load = Command::new("docker").arg("load").arg("-q").arg("-i").arg(&original).output().unwrap();
    assert!(load.status.success(), "docker load failed: {}", String::from_utf8_lossy(&load.stderr));

    let saved_dir = tempfile::tempdir().unwrap();
    let saved = saved_dir.path().join("saved.tar");
    let save = Command::new("docker").args(["save", "-o"]).arg(&saved).arg(&expected_id).output().unwrap();
    if !existed {
        let remove = Command::new("docker").args(["image", "rm", &expected_id]).output().unwrap();
        assert!(remove.status.success(), "docker image rm failed: {}", String::from_utf8_lossy(&remove.stderr));
    }
    assert!(save.status.success(), "docker save failed: {}", String::from_utf8_lossy(&save.stderr));

    let (_, ours) = read(&format!("docker-archive:{}", original.display()));
    let (saved_image, theirs) = read(&format!("docker-archive:{}", saved.display()));

    assert_eq!(saved_image.config_digest.unwrap().to_string(), expected_id);
    assert_eq!(all_paths(&theirs), all_paths(&ours));
}
