use serde::{Deserialize, Serialize};

use crate::Digest;

/// A reference to one layer of an image, as findings and packages record where they came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerRef {
    /// Position of the layer in the image, from 0 at the base.
    pub index: usize,
    /// Digest of the uncompressed layer tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: Digest,
    /// Digest of the blob as stored (compressed), when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// The history line that created the layer (`created_by`), when the config records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}
