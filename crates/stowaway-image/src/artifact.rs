//! Files carried through registries as OCI artifacts: one blob (a layer of its own media type),
//! an empty config, the artifact type and annotations in the manifest. The advisory database
//! travels this way, so a site can mirror it in any OCI registry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use oci_spec::image::ImageManifest;
use stowaway_model::Digest;

use crate::source::layer_cache::LayerCache;
use crate::source::registry::{Registry, parse_name, runtime};
use crate::source::{OpenOptions, parse_json};
use crate::ImageError;

/// The media type of the empty config that artifacts carry, with its one-byte-pair content `{}`.
const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

/// The kind of artifact: the manifest's artifact type and the media type of its one blob.
#[derive(Clone, Copy, Debug)]
pub struct ArtifactKind<'a> {
    /// The manifest's `artifactType`.
    pub artifact_type: &'a str,
    /// The media type of the blob.
    pub media_type: &'a str,
}

/// An artifact pulled into the layer cache.
#[derive(Debug)]
pub struct PulledArtifact {
    /// The blob's file in the layer cache, verified against its digest.
    pub path: PathBuf,
    /// The manifest's digest.
    pub manifest_digest: Digest,
    /// The manifest's annotations.
    pub annotations: BTreeMap<String, String>,
}

/// Pushes the file at `file` to `name` (`registry.example/stowaway/db:1`) as an artifact of
/// `kind` with `annotations`, and returns the manifest's URL.
///
/// NOTE: the file is read into memory to be pushed, so it suits files of tens of megabytes
/// such as database bundles.
pub fn push(name: &str, file: &Path, kind: ArtifactKind<'_>, annotations: BTreeMap<String, String>, options: &OpenOptions) -> Result<String, ImageError> {
    let target = parse_name(name, name)?;
    let data = std::fs::read(file).map_err(|error| ImageError::io(file, error))?;
    let layers = [ImageLayer { data: data.into(), media_type: kind.media_type.to_owned(), annotations: None }];
    let config = Config { data: b"{}".to_vec().into(), media_type: EMPTY_CONFIG_MEDIA_TYPE.to_owned(), annotations: None };
    let mut manifest = OciImageManifest::build(&layers, &config, Some(annotations));
    manifest.artifact_type = Some(kind.artifact_type.to_owned());

    let registry = Registry::connect(name, &target, options);
    runtime()?.block_on(async {
        let response = registry
            .client
            .push(&target, &layers, config.clone(), &registry.auth, Some(manifest.clone()))
            .await
            .map_err(|error| registry.failed(format!("push the artifact `{}`", file.display()), error))?;
        Ok(response.manifest_url)
    })
}

/// Pulls the artifact `name` of `kind` into the layer cache and returns its file.
pub fn pull(name: &str, kind: ArtifactKind<'_>, max_bytes: u64, options: &OpenOptions) -> Result<PulledArtifact, ImageError> {
    let target = parse_name(name, name)?;
    let registry = Registry::connect(name, &target, options);
    let cache = LayerCache::open(options.layer_cache.as_deref(), options.max_layer_cache_bytes)?;

    runtime()?.block_on(async {
        let (bytes, manifest_digest) = registry.manifest(&target, options.limits.max_json_bytes).await?;
        let document = format!("manifest `{manifest_digest}` of `{name}`");
        let manifest: ImageManifest = parse_json(&bytes, &document)?;

        let found_type = manifest.artifact_type().as_ref().map(ToString::to_string);
        if found_type.as_deref() != Some(kind.artifact_type) {
            return Err(ImageError::UnsupportedMediaType {
                what: format!("{document}, which is not a `{}` artifact", kind.artifact_type),
                media_type: found_type.unwrap_or_else(|| manifest.config().media_type().to_string()),
            });
        }
        let [layer] = manifest.layers().as_slice() else {
            return Err(ImageError::UnsupportedMediaType {
                what: format!("{document}, which has {} blobs instead of one", manifest.layers().len()),
                media_type: kind.artifact_type.to_owned(),
            });
        };
        if layer.media_type().to_string() != kind.media_type {
            return Err(ImageError::UnsupportedMediaType { what: format!("the blob of {document}"), media_type: layer.media_type().to_string() });
        }
        if layer.size() > max_bytes {
            return Err(ImageError::ArtifactTooLarge { document, size: layer.size(), limit: max_bytes });
        }

        let digest: Digest = layer.digest().to_string().parse().map_err(|error: stowaway_model::DigestError| ImageError::InvalidReference {
            reference: name.to_owned(),
            reason: format!("the artifact's blob digest is invalid ({error})"),
        })?;
        let path = registry.cached_layer(&cache, &digest, layer.size()).await?;
        let annotations = manifest.annotations().clone().unwrap_or_default().into_iter().collect();
        Ok(PulledArtifact { path, manifest_digest, annotations })
    })
}
