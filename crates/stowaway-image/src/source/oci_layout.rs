//! OCI image layouts, as a folder or as a tar of that folder: `oci-layout`, `index.json` and
//! content-addressed blobs under `blobs/<algorithm>/<hex>`.

use std::sync::Arc;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use stowaway_model::{Digest, Platform};

use super::{BlobLocation, BlobStore, Image, Layer, LayerClaims, OpenOptions, TarIndex, host_platform, parse_json, read_json_bytes, verify_digest};
use crate::reference::{ImageReference, Selector, SourceKind};
use crate::{ImageConfig, ImageError, Limits};

pub(super) const INDEX_MEDIA_TYPES: [&str; 2] =
    ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const MANIFEST_MEDIA_TYPES: [&str; 2] =
    ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];
const CONFIG_MEDIA_TYPES: [&str; 2] =
    ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// Nested indexes deeper than this are rejected; real layouts use one or two levels.
const MAX_INDEX_DEPTH: usize = 4;

/// One image manifest listed, directly or through nested indexes, by `index.json`.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) descriptor: Descriptor,
    pub(super) digest: Digest,
    pub(super) ref_name: Option<String>,
    pub(super) platform: Option<Platform>,
}

/// The layout's files, in a folder or in a tar.
struct Layout<'a> {
    store: BlobStore,
    limits: &'a Limits,
}

impl Layout<'_> {
    fn read_file(&self, name: &str, referenced_by: &str) -> Result<Vec<u8>, ImageError> {
        let location = self.location(name);
        let reader = self.store.open(&location).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ImageError::MissingBlob {
                blob: name.to_owned(),
                referenced_by: referenced_by.to_owned(),
                source_path: self.store.path().to_owned(),
            },
            _ => ImageError::io(self.store.path().join(name), error),
        })?;
        read_json_bytes(reader, name, self.limits)
    }

    fn location(&self, name: &str) -> BlobLocation {
        match &self.store {
            BlobStore::Directory(root) => BlobLocation::File(root.join(name)),
            _ => BlobLocation::Member(name.to_owned()),
        }
    }

    /// Reads a small blob (index, manifest, config), checking its size and digest.
    fn read_blob(&self, descriptor: &Descriptor, digest: &Digest, referenced_by: &str) -> Result<Vec<u8>, ImageError> {
        let bytes = self.read_file(&blob_name(digest), referenced_by)?;
        let what = format!("blob `{digest}`");
        verify_digest(&bytes, digest, &what)?;
        if bytes.len() as u64 != descriptor.size() {
            return Err(ImageError::SizeMismatch { what, expected: descriptor.size(), actual: bytes.len() as u64 });
        }
        Ok(bytes)
    }
}

pub(super) fn open(reference: &str, parsed: &ImageReference, options: &OpenOptions) -> Result<Image, ImageError> {
    let store = if parsed.path.is_dir() {
        BlobStore::Directory(parsed.path.clone())
    } else {
        BlobStore::Archive(Arc::new(TarIndex::build(&parsed.path, &options.limits)?))
    };
    let layout = Layout { store, limits: &options.limits };

    let index: ImageIndex = parse_json(&layout.read_file("index.json", "the OCI image layout")?, "index.json")?;
    let mut candidates = Vec::new();
    collect_candidates(&layout, &index, None, 0, &mut candidates, &mut SeenIndexes::new())?;
    let chosen = choose(reference, candidates, parsed.selector.as_ref(), options.platform.as_ref())?;

    let manifest_bytes = layout.read_blob(&chosen.descriptor, &chosen.digest, "index.json")?;
    let manifest_document = format!("manifest `{}`", chosen.digest);
    let (manifest, config_digest) = parse_image_manifest(&manifest_bytes, &manifest_document)?;
    let config_descriptor = manifest.config();
    let config_bytes = layout.read_blob(config_descriptor, &config_digest, &manifest_document)?;
    let config: ImageConfig = parse_json(&config_bytes, &format!("config `{config_digest}`"))?;

    let layers = build_layers(&layout, &manifest, &config, &manifest_document)?;
    Ok(Image {
        reference: reference.to_owned(),
        source: SourceKind::OciLayout,
        manifest_digest: Some(chosen.digest),
        config_digest: Some(config_digest),
        tags: chosen.ref_name.into_iter().collect(),
        config,
        layers,
        store: layout.store,
        temporary: None,
        claims: LayerClaims::Verified,
    })
}

fn build_layers(layout: &Layout<'_>, manifest: &ImageManifest, config: &ImageConfig, document: &str) -> Result<Vec<Layer>, ImageError> {
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != manifest.layers().len() {
        return Err(ImageError::LayerCountMismatch { layers: manifest.layers().len(), diff_ids: diff_ids.len() });
    }

    let history = config.layer_history();
    let mut layers = Vec::with_capacity(diff_ids.len());
    for (position, descriptor) in manifest.layers().iter().enumerate() {
        let digest = convert_digest(descriptor, document)?;
        layers.push(Layer {
            index: position,
            diff_id: Some(diff_ids[position].clone()),
            media_type: Some(descriptor.media_type().to_string()),
            size: Some(descriptor.size()),
            created_by: history[position].clone(),
            blob: layout.location(&blob_name(&digest)),
            digest: Some(digest),
        });
    }
    Ok(layers)
}

/// Parses an image manifest and returns it with its config's digest, after checking that it is
/// an image manifest whose config is a container image config.
pub(super) fn parse_image_manifest(bytes: &[u8], document: &str) -> Result<(ImageManifest, Digest), ImageError> {
    check_manifest_media_type(bytes, document)?;
    let manifest: ImageManifest = parse_json(bytes, document)?;

    let config_media_type = manifest.config().media_type().to_string();
    if !CONFIG_MEDIA_TYPES.contains(&config_media_type.as_str()) {
        return Err(ImageError::UnsupportedMediaType {
            what: format!("the config of {document}, which is not a container image"),
            media_type: config_media_type,
        });
    }
    let config_digest = convert_digest(manifest.config(), document)?;
    Ok((manifest, config_digest))
}

/// Rejects manifests that are not image manifests, before the typed parse gives a vaguer error.
fn check_manifest_media_type(bytes: &[u8], document: &str) -> Result<(), ImageError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        #[serde(default)]
        schema_version: Option<u32>,
        #[serde(default)]
        media_type: Option<String>,
    }
    let head: Head = parse_json(bytes, document)?;

    if head.schema_version == Some(1) {
        return Err(ImageError::UnsupportedMediaType {
            what: format!("{document}, a Docker schema 1 manifest that registries stopped serving in 2019"),
            media_type: head.media_type.unwrap_or_else(|| "application/vnd.docker.distribution.manifest.v1+json".into()),
        });
    }
    match head.media_type {
        Some(media_type) if !MANIFEST_MEDIA_TYPES.contains(&media_type.as_str()) => {
            Err(ImageError::UnsupportedMediaType { what: document.to_owned(), media_type })
        }
        _ => Ok(()),
    }
}

/// The maximum number of image manifests an index may list, nested indexes included. Multi-platform images
/// list a few dozen; a hostile layout could otherwise list one manifest millions of times.
const MAX_CANDIDATES: usize = 10_000;

/// Indexes already read, so that one listed many times is read once.
type SeenIndexes = std::collections::HashSet<Digest>;

fn collect_candidates(
    layout: &Layout<'_>,
    index: &ImageIndex,
    inherited_name: Option<&str>,
    depth: usize,
    candidates: &mut Vec<Candidate>,
    seen: &mut SeenIndexes,
) -> Result<(), ImageError> {
    for descriptor in index.manifests() {
        let digest = convert_digest(descriptor, "index.json")?;
        if candidates.len() >= MAX_CANDIDATES {
            return Err(ImageError::UnsupportedMediaType {
                what: format!("the image index, which lists more than {MAX_CANDIDATES} manifests"),
                media_type: descriptor.media_type().to_string(),
            });
        }
        let annotations = descriptor.annotations().as_ref();
        let ref_name = annotations
            .and_then(|a| a.get(REF_NAME).or_else(|| a.get(CONTAINERD_NAME)))
            .map(String::as_str)
            .or(inherited_name);
        let media_type = descriptor.media_type().to_string();

        if INDEX_MEDIA_TYPES.contains(&media_type.as_str()) {
            if depth >= MAX_INDEX_DEPTH {
                return Err(ImageError::UnsupportedMediaType {
                    what: format!("index `{digest}`, nested more than {MAX_INDEX_DEPTH} levels deep"),
                    media_type,
                });
            }
            if !seen.insert(digest.clone()) {
                continue;
            }
            let bytes = layout.read_blob(descriptor, &digest, "index.json")?;
            let nested: ImageIndex = parse_json(&bytes, &format!("index `{digest}`"))?;
            collect_candidates(layout, &nested, ref_name, depth + 1, candidates, seen)?;
            continue;
        }

        let platform = descriptor.platform().as_ref().map(|p| {
            Platform::new(&p.os().to_string(), &p.architecture().to_string(), p.variant().as_deref())
        });
        // BuildKit stores provenance attestations as manifests for `unknown/unknown`.
        if platform.as_ref().is_some_and(|p| p.os == "unknown" && p.architecture == "unknown") {
            continue;
        }
        let duplicate = candidates.iter().any(|c| c.digest == digest && c.ref_name.as_deref() == ref_name);
        if !duplicate {
            candidates.push(Candidate { descriptor: descriptor.clone(), digest, ref_name: ref_name.map(str::to_owned), platform });
        }
    }
    Ok(())
}

pub(super) fn choose(reference: &str, candidates: Vec<Candidate>, selector: Option<&Selector>, platform: Option<&Platform>) -> Result<Candidate, ImageError> {
    let base_reference = match selector {
        Some(_) => reference.rsplit_once(':').map_or(reference, |(head, _)| head),
        None => reference,
    };

    let mut candidates = match selector {
        None => candidates,
        Some(Selector::Index(position)) => {
            let count = candidates.len();
            let chosen = candidates.into_iter().nth(*position).ok_or_else(|| ImageError::ImageNotFound {
                wanted: format!("@{position}"),
                reference: base_reference.to_owned(),
                available: (0..count).map(|p| format!("@{p}")).collect(),
            })?;
            vec![chosen]
        }
        Some(Selector::Tag(tag)) => {
            let available: Vec<String> = candidates.iter().filter_map(|c| c.ref_name.clone()).collect();
            let suffix = format!(":{tag}");
            let matching: Vec<Candidate> = candidates
                .into_iter()
                .filter(|c| c.ref_name.as_deref().is_some_and(|name| name == tag || name.ends_with(&suffix)))
                .collect();
            if matching.is_empty() {
                return Err(ImageError::ImageNotFound { wanted: tag.clone(), reference: base_reference.to_owned(), available });
            }
            matching
        }
    };

    let describe = |candidates: &[Candidate]| -> Vec<String> {
        candidates.iter().map(|c| c.platform.as_ref().map_or_else(|| "unspecified".to_owned(), Platform::to_string)).collect()
    };
    let wanted = platform.cloned();
    let platform_filter = wanted.clone().or_else(|| (candidates.len() > 1).then(host_platform));
    if let Some(wanted_platform) = &platform_filter {
        let available = describe(&candidates);
        candidates.retain(|c| c.platform.as_ref().is_none_or(|p| p.satisfies(wanted_platform)));
        if candidates.is_empty() {
            return Err(ImageError::NoMatchingPlatform {
                wanted: wanted_platform.to_string(),
                reference: reference.to_owned(),
                available,
            });
        }
    }

    match candidates.len() {
        0 => Err(ImageError::ImageNotFound { wanted: "any image".into(), reference: reference.to_owned(), available: vec![] }),
        1 => Ok(candidates.remove(0)),
        _ => {
            let choices = candidates
                .iter()
                .enumerate()
                .map(|(position, c)| c.ref_name.clone().unwrap_or_else(|| format!("@{position}")))
                .collect();
            Err(ImageError::AmbiguousImage { reference: reference.to_owned(), choices })
        }
    }
}

/// Validates a descriptor's digest with stowaway's own rules, which reject anything that could
/// act as a path when the blob file name is built from it.
pub(super) fn convert_digest(descriptor: &Descriptor, document: &str) -> Result<Digest, ImageError> {
    let text = descriptor.digest().to_string();
    text.parse().map_err(|error: stowaway_model::DigestError| ImageError::Json {
        document: document.to_owned(),
        source: serde::de::Error::custom(error),
    })
}

fn blob_name(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().as_str(), digest.encoded())
}
