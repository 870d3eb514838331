//! The fixed blobs of the structure-aware targets, written by `fuzz/seeds.py`: a one-layer
//! image whose documents the seeds reference by digest.

use stowaway_model::Digest;

/// The layer as a plain tar: folders, files, an absolute and a relative symlink, a hardlink.
pub const LAYER_TAR: &[u8] = include_bytes!("../templates/layer.tar");
/// The same layer gzip-compressed.
pub const LAYER_TAR_GZ: &[u8] = include_bytes!("../templates/layer.tar.gz");
/// The image config, whose one diff_id is the digest of [`LAYER_TAR`].
pub const CONFIG: &[u8] = include_bytes!("../templates/config.json");
/// An image config with two diff_ids, both the digest of [`LAYER_TAR`].
pub const CONFIG_TWO_LAYERS: &[u8] = include_bytes!("../templates/config-two-layers.json");
/// An OCI image manifest naming [`CONFIG`] and [`LAYER_TAR_GZ`].
pub const OCI_MANIFEST: &[u8] = include_bytes!("../templates/oci-manifest.json");
/// A Docker v2 image manifest naming [`CONFIG`] and [`LAYER_TAR_GZ`].
pub const DOCKER_MANIFEST: &[u8] = include_bytes!("../templates/docker-manifest.json");
/// An OCI index naming [`OCI_MANIFEST`] for `linux/amd64`, for nested index walks.
pub const NESTED_INDEX: &[u8] = include_bytes!("../templates/nested-index.json");

/// Every template that an OCI layout stores as a content-addressed blob.
pub const OCI_BLOBS: [&[u8]; 7] =
    [LAYER_TAR, LAYER_TAR_GZ, CONFIG, CONFIG_TWO_LAYERS, OCI_MANIFEST, DOCKER_MANIFEST, NESTED_INDEX];

/// Returns the lowercase hex sha256 of `bytes`, the form blob names use.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Digest::sha256_of(bytes).encoded().to_owned()
}
