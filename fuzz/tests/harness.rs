//! The structure-aware targets only reach deep code when the archives they build around a
//! seed are valid, so these tests open and walk each built form with a seed-shaped document.

use stowaway_fuzz::archive::{LEGACY_LAYER_MEMBER, docker_archive_with_config, docker_archive_with_manifest, oci_layout_with_index};
use stowaway_fuzz::templates::{CONFIG, NESTED_INDEX, OCI_MANIFEST, sha256_hex};
use stowaway_fuzz::walk::fuzz_open_options;
use stowaway_image::{ImageView, Walker, open};

fn walk_archive(kind: &str, bytes: &[u8]) -> ImageView {
    let folder = std::env::temp_dir().join(format!("stowaway-fuzz-harness-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(format!("{kind}.tar"));
    std::fs::write(&path, bytes).unwrap();

    let image = open(&format!("{kind}:{}", path.display()), &fuzz_open_options()).unwrap();
    let view = Walker::new(&image).run().unwrap();
    std::fs::remove_file(&path).unwrap();
    view
}

fn assert_template_tree(view: &ImageView) {
    let paths: Vec<String> = view.tree.iter().map(|(path, _)| path.to_string()).collect();
    assert!(paths.contains(&"/etc/os-release".to_owned()), "{paths:?}");
    assert!(paths.contains(&"/usr/bin/rbash".to_owned()), "{paths:?}");
    assert!(view.warnings.is_empty(), "{:?}", view.warnings);
}

#[test]
fn manifest_archive_walks() {
    let manifest = format!(
        r#"[{{"Config": "{}.json", "RepoTags": ["stowaway/fuzz:latest"], "Layers": ["{LEGACY_LAYER_MEMBER}"]}}]"#,
        sha256_hex(CONFIG)
    );
    let view = walk_archive("docker-archive", &docker_archive_with_manifest(manifest.as_bytes()));
    assert_template_tree(&view);
}

#[test]
fn config_archive_walks() {
    let view = walk_archive("docker-archive", &docker_archive_with_config(CONFIG, 1));
    assert_template_tree(&view);
}

#[test]
fn index_layout_walks() {
    let direct = format!(
        r#"{{"schemaVersion": 2, "manifests": [{{"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:{}", "size": {}}}]}}"#,
        sha256_hex(OCI_MANIFEST),
        OCI_MANIFEST.len()
    );
    assert_template_tree(&walk_archive("oci", &oci_layout_with_index(direct.as_bytes())));

    let nested = format!(
        r#"{{"schemaVersion": 2, "manifests": [{{"mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": "sha256:{}", "size": {}}}]}}"#,
        sha256_hex(NESTED_INDEX),
        NESTED_INDEX.len()
    );
    assert_template_tree(&walk_archive("oci", &oci_layout_with_index(nested.as_bytes())));
}
