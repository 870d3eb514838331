//! A plain root filesystem folder (a mounted or exported container filesystem), read as an image
//! of one layer without digests.

use super::{BlobLocation, BlobStore, Image, Layer, LayerClaims};
use crate::reference::{ImageReference, SourceKind};
use crate::{ImageConfig, ImageError};

pub(super) fn open(reference: &str, parsed: &ImageReference) -> Result<Image, ImageError> {
    let metadata = std::fs::metadata(&parsed.path).map_err(|e| ImageError::io(&parsed.path, e))?;
    if !metadata.is_dir() {
        return Err(ImageError::InvalidReference {
            reference: reference.to_owned(),
            reason: format!("`{}` is not a folder", parsed.path.display()),
        });
    }

    let config = ImageConfig { os: "linux".to_owned(), ..ImageConfig::default() };
    let layer = Layer {
        index: 0,
        diff_id: None,
        digest: None,
        media_type: None,
        size: None,
        created_by: None,
        blob: BlobLocation::Rootfs,
    };
    Ok(Image {
        reference: reference.to_owned(),
        source: SourceKind::Rootfs,
        manifest_digest: None,
        config_digest: None,
        tags: Vec::new(),
        config,
        layers: vec![layer],
        store: BlobStore::Rootfs(parsed.path.clone()),
        temporary: None,
        claims: LayerClaims::Verified,
    })
}
