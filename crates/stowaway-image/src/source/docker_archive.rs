//! The tar that `docker save` writes: `manifest.json` naming each image's config and layer
//! files, the legacy `repositories` map of tags, and the layer tars (plain, or gzip- or
//! zstd-compressed by other tools). Docker 25 and later store the blobs as an OCI layout inside
//! the same tar and still write `manifest.json`, so one reader serves both.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use stowaway_model::Digest;

use super::{BlobLocation, BlobStore, Image, Layer, LayerClaims, OpenOptions, TarIndex, parse_json, read_json_bytes, verify_digest};
use crate::reference::{ImageReference, Selector, SourceKind};
use crate::{ImageConfig, ImageError};

/// One entry of `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// The legacy `repositories` file: repository name → tag → image id.
type Repositories = BTreeMap<String, BTreeMap<String, String>>;

pub(super) fn open(reference: &str, parsed: &ImageReference, options: &OpenOptions) -> Result<Image, ImageError> {
    let limits = &options.limits;
    let index = Arc::new(TarIndex::build(&parsed.path, limits)?);
    let read_member = |name: &str| -> Result<Vec<u8>, ImageError> {
        let member = index.open(name).ok_or_else(|| ImageError::MissingBlob {
            blob: name.to_owned(),
            referenced_by: "manifest.json".to_owned(),
            source_path: parsed.path.clone(),
        })?;
        read_json_bytes(member, name, limits)
    };

    if !index.contains("manifest.json") {
        return Err(ImageError::MissingBlob {
            blob: "manifest.json".to_owned(),
            referenced_by: "the docker-archive format".to_owned(),
            source_path: parsed.path.clone(),
        });
    }
    let entries: Vec<ManifestEntry> = parse_json(&read_member("manifest.json")?, "manifest.json")?;
    let entry = select(reference, &entries, parsed.selector.as_ref())?;

    let config_bytes = read_member(&entry.config)?;
    if let Some(expected) = digest_from_member_name(&entry.config) {
        verify_digest(&config_bytes, &expected, &format!("config `{}`", entry.config))?;
    }
    let config: ImageConfig = parse_json(&config_bytes, &entry.config)?;

    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != entry.layers.len() {
        return Err(ImageError::LayerCountMismatch { layers: entry.layers.len(), diff_ids: diff_ids.len() });
    }

    let history = config.layer_history();
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (position, name) in entry.layers.iter().enumerate() {
        let size = index.size(name).ok_or_else(|| ImageError::MissingBlob {
            blob: name.clone(),
            referenced_by: "manifest.json".to_owned(),
            source_path: parsed.path.clone(),
        })?;
        layers.push(Layer {
            index: position,
            diff_id: Some(diff_ids[position].clone()),
            digest: digest_from_member_name(name),
            media_type: None,
            size: Some(size),
            created_by: history[position].clone(),
            blob: BlobLocation::Member(name.clone()),
        });
    }

    let mut tags = entry.repo_tags.clone().unwrap_or_default();
    if tags.is_empty()
        && index.contains("repositories")
        && let Some(top_layer) = entry.layers.last()
    {
        let repositories: Repositories = parse_json(&read_member("repositories")?, "repositories")?;
        tags = tags_from_repositories(&repositories, top_layer);
    }

    Ok(Image {
        reference: reference.to_owned(),
        source: SourceKind::DockerArchive,
        manifest_digest: None,
        config_digest: Some(Digest::sha256_of(&config_bytes)),
        tags,
        config,
        layers,
        store: BlobStore::Archive(index),
        temporary: None,
        claims: if options.verify_digests { LayerClaims::Verified } else { LayerClaims::Unchecked },
    })
}

/// Picks the manifest entry the selector names, or the only one.
fn select<'m>(reference: &str, entries: &'m [ManifestEntry], selector: Option<&Selector>) -> Result<&'m ManifestEntry, ImageError> {
    let describe = |entries: &[ManifestEntry]| -> Vec<String> {
        entries
            .iter()
            .enumerate()
            .map(|(position, entry)| match entry.repo_tags.as_deref() {
                Some([first, ..]) => first.clone(),
                _ => format!("@{position}"),
            })
            .collect()
    };
    let reference_without_selector = reference.rsplit_once(':').map_or(reference, |(head, _)| head);

    match selector {
        None => match entries {
            [only] => Ok(only),
            [] => Err(ImageError::ImageNotFound {
                wanted: "any image".to_owned(),
                reference: reference.to_owned(),
                available: Vec::new(),
            }),
            _ => Err(ImageError::AmbiguousImage { reference: reference.to_owned(), choices: describe(entries) }),
        },
        Some(Selector::Index(position)) => entries.get(*position).ok_or_else(|| ImageError::ImageNotFound {
            wanted: format!("@{position}"),
            reference: reference_without_selector.to_owned(),
            available: (0..entries.len()).map(|p| format!("@{p}")).collect(),
        }),
        Some(Selector::Tag(tag)) => {
            let with_latest = format!("{tag}:latest");
            let matches = |entry: &&ManifestEntry| {
                entry.repo_tags.iter().flatten().any(|candidate| {
                    candidate == tag || *candidate == with_latest || candidate.strip_prefix("docker.io/library/") == Some(tag)
                })
            };
            entries.iter().find(matches).ok_or_else(|| ImageError::ImageNotFound {
                wanted: tag.clone(),
                reference: reference_without_selector.to_owned(),
                available: entries.iter().flat_map(|e| e.repo_tags.clone().unwrap_or_default()).collect(),
            })
        }
    }
}

/// Reads the digest that names a member, for the names Docker gives blobs: `<hex>.json` for
/// configs and `blobs/sha256/<hex>` in the OCI form. Other names (`<id>/layer.tar`) carry none.
fn digest_from_member_name(name: &str) -> Option<Digest> {
    let trimmed = name.trim_start_matches("./");
    if let Some(hex) = trimmed.strip_prefix("blobs/sha256/") {
        return format!("sha256:{hex}").parse().ok();
    }
    let hex = trimmed.strip_suffix(".json")?;
    format!("sha256:{hex}").parse().ok()
}

/// Reads the tags of an image from the legacy `repositories` file, for archives whose
/// `manifest.json` names none. That file maps each tag to the v1 id of the image's top layer,
/// which is the folder name of the last layer (`<id>/layer.tar`).
fn tags_from_repositories(repositories: &Repositories, top_layer: &str) -> Vec<String> {
    let Some((top_id, _)) = top_layer.trim_start_matches("./").split_once('/') else {
        return Vec::new();
    };
    let mut tags = Vec::new();
    for (repository, tag_ids) in repositories {
        for (tag, id) in tag_ids {
            if id == top_id {
                tags.push(format!("{repository}:{tag}"));
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_from_names() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(digest_from_member_name(&format!("{hex}.json")).is_some());
        assert!(digest_from_member_name(&format!("blobs/sha256/{hex}")).is_some());
        assert!(digest_from_member_name("abc/layer.tar").is_none());
    }

    #[test]
    fn tags_from_legacy_repositories() {
        let repositories: Repositories =
            serde_json::from_str(r#"{"stowaway/app": {"1.0": "top", "old": "other"}}"#).unwrap();
        assert_eq!(tags_from_repositories(&repositories, "top/layer.tar"), ["stowaway/app:1.0"]);
        assert!(tags_from_repositories(&repositories, "blobs/sha256").is_empty());
    }
}
