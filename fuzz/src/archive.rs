//! Tar archives built in memory: the docker-archive and OCI layout forms of the template
//! image, with one document replaced by the fuzz input.

use crate::templates::{self, CONFIG, CONFIG_TWO_LAYERS, LAYER_TAR, LAYER_TAR_GZ, OCI_BLOBS, sha256_hex};

/// The member name of the layer in the legacy docker-archive form (`<v1 id>/layer.tar`); the
/// `repositories` file maps the tag `stowaway/fuzz:latest` to its folder. `fuzz/seeds.py`
/// uses the same name.
pub const LEGACY_LAYER_MEMBER: &str = "5f2b0c1e/layer.tar";

/// Returns a tar of `members`, each a regular file, in the order given.
pub fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, *content)
            .expect("appending to an in-memory tar cannot fail");
    }
    builder.into_inner().expect("finishing an in-memory tar cannot fail")
}

/// Returns a docker-archive whose `manifest.json` is `manifest` and which contains every member
/// the seeds name: both template configs as `<sha256>.json`, the layer under the legacy name,
/// both layer forms as `blobs/sha256/<hex>`, and `repositories`.
pub fn docker_archive_with_manifest(manifest: &[u8]) -> Vec<u8> {
    let config_name = format!("{}.json", sha256_hex(CONFIG));
    let two_layers_name = format!("{}.json", sha256_hex(CONFIG_TWO_LAYERS));
    let layer_blob = format!("blobs/sha256/{}", sha256_hex(LAYER_TAR));
    let gzip_blob = format!("blobs/sha256/{}", sha256_hex(LAYER_TAR_GZ));
    let (legacy_id, _) = LEGACY_LAYER_MEMBER.split_once('/').expect("legacy member has a folder");
    let repositories = format!(r#"{{"stowaway/fuzz": {{"latest": "{legacy_id}"}}}}"#);

    tar_of(&[
        ("manifest.json", manifest),
        (&config_name, CONFIG),
        (&two_layers_name, CONFIG_TWO_LAYERS),
        (LEGACY_LAYER_MEMBER, LAYER_TAR),
        (&layer_blob, LAYER_TAR),
        (&gzip_blob, LAYER_TAR_GZ),
        ("repositories", repositories.as_bytes()),
    ])
}

/// Returns a docker-archive whose one image has `config` as its config, stored under its own
/// sha256 so that the digest check passes, and `layer_count` copies of the template layer.
pub fn docker_archive_with_config(config: &[u8], layer_count: usize) -> Vec<u8> {
    let config_name = format!("{}.json", sha256_hex(config));
    let layers: Vec<&str> = vec![LEGACY_LAYER_MEMBER; layer_count];
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": ["stowaway/fuzz:latest"],
        "Layers": layers,
    }]);
    let manifest = serde_json::to_vec(&manifest).expect("a JSON value always serializes");

    tar_of(&[("manifest.json", &manifest), (&config_name, config), (LEGACY_LAYER_MEMBER, LAYER_TAR)])
}

/// Returns an OCI layout tar whose `index.json` is `index` and whose blobs are every template.
pub fn oci_layout_with_index(index: &[u8]) -> Vec<u8> {
    let blob_names: Vec<String> = OCI_BLOBS.iter().map(|blob| format!("blobs/sha256/{}", sha256_hex(blob))).collect();
    let mut members: Vec<(&str, &[u8])> =
        vec![("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.as_slice()), ("index.json", index)];
    members.extend(blob_names.iter().map(String::as_str).zip(templates::OCI_BLOBS));
    tar_of(&members)
}
