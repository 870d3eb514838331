//! Parsing of the image references users type: `docker-archive:PATH[:TAG]`, `oci:PATH[:TAG]`,
//! `dir:PATH`, `registry:NAME`, `docker:NAME`, a bare path whose kind is sniffed, or a bare
//! image name (`nginx:1.25`) that is not an existing path, pulled from its registry.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ImageError;

/// The kinds of image source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The tar that `docker save` writes.
    DockerArchive,
    /// An OCI image layout, as a folder or as a tar.
    OciLayout,
    /// A plain root filesystem folder.
    Rootfs,
    /// A registry, through the OCI distribution API.
    Registry,
    /// The local Docker Engine (or Podman's compatible service), through its API.
    DockerEngine,
}

/// The selection of one image from a source that contains several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// A tag (`name:tag`, or for OCI layouts the `org.opencontainers.image.ref.name` value).
    Tag(String),
    /// A position in the source's list of images, written `@N`.
    Index(usize),
}

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageReference {
    /// The kind of source.
    pub kind: SourceKind,
    /// The file or folder; empty for registry and engine references.
    pub path: PathBuf,
    /// The image within the source, when it contains several.
    pub selector: Option<Selector>,
    /// The image name for registry and engine references (`nginx:1.25`,
    /// `127.0.0.1:5000/app@sha256:…`).
    pub name: Option<String>,
}

/// The prefixes of references to images that are not files.
const REMOTE_PREFIXES: [(&str, SourceKind); 2] = [("registry:", SourceKind::Registry), ("docker:", SourceKind::DockerEngine)];

const PREFIXES: [(&str, Option<SourceKind>); 5] = [
    ("docker-archive:", Some(SourceKind::DockerArchive)),
    ("oci-archive:", Some(SourceKind::OciLayout)),
    ("oci:", Some(SourceKind::OciLayout)),
    ("dir:", Some(SourceKind::Rootfs)),
    ("rootfs:", Some(SourceKind::Rootfs)),
];

impl ImageReference {
    /// Parses a reference, looking at the file system to split a path from a trailing `:TAG`
    /// and to sniff the kind of a bare path.
    pub fn parse(reference: &str) -> Result<ImageReference, ImageError> {
        let invalid = |reason: String| ImageError::InvalidReference { reference: reference.to_owned(), reason };

        if let Some((name, kind)) = REMOTE_PREFIXES.iter().find_map(|(prefix, kind)| reference.strip_prefix(prefix).map(|rest| (rest, *kind))) {
            if name.is_empty() {
                return Err(invalid("the image name is empty".to_owned()));
            }
            return Ok(ImageReference::remote(kind, name));
        }

        let prefixed = PREFIXES.iter().find_map(|(prefix, kind)| reference.strip_prefix(prefix).map(|rest| (rest, *kind)));
        let (rest, kind) = prefixed.unwrap_or((reference, None));
        if rest.is_empty() {
            return Err(invalid("the path is empty".to_owned()));
        }

        if kind == Some(SourceKind::Rootfs) {
            let path = PathBuf::from(rest);
            if !path.is_dir() {
                return Err(invalid(format!("`{rest}` is not a folder")));
            }
            return Ok(ImageReference { kind: SourceKind::Rootfs, path, selector: None, name: None });
        }

        let Some((path, selector)) = split_path_and_selector(rest) else {
            if kind.is_none() && looks_like_image_name(rest) {
                return Ok(ImageReference::remote(SourceKind::Registry, rest));
            }
            return Err(invalid(format!(
                "`{rest}` is not an existing file or folder; give a `docker save` tar (docker-archive:PATH), an OCI \
                 layout (oci:PATH), a root filesystem (dir:PATH), or an image name (registry:NAME, docker:NAME)"
            )));
        };

        let kind = match kind {
            Some(kind) => kind,
            None => sniff(&path).map_err(invalid)?,
        };
        if kind == SourceKind::Rootfs && selector.is_some() {
            return Err(invalid("a root filesystem folder holds one image; remove the `:TAG` suffix".to_owned()));
        }
        Ok(ImageReference { kind, path, selector, name: None })
    }

    fn remote(kind: SourceKind, name: &str) -> ImageReference {
        ImageReference { kind, path: PathBuf::new(), selector: None, name: Some(name.to_owned()) }
    }
}

/// Tells whether `text` has the shape of an image name (`nginx`, `nginx:1.25`,
/// `127.0.0.1:5000/team/app@sha256:…`) rather than of a file path: no leading `/` or `.`, and
/// only the characters that names, tags and digests use. A name ending in `.tar` is taken as a
/// missing archive, not pulled.
fn looks_like_image_name(text: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
    !text.starts_with(['/', '.'])
        && !text.ends_with('/')
        && !text.ends_with(".tar")
        && !text.contains("//")
        && text.chars().all(allowed)
}

/// Splits `PATH[:SELECTOR]`, taking the longest prefix that exists as the path, because both
/// paths and tags can contain `:`.
fn split_path_and_selector(text: &str) -> Option<(PathBuf, Option<Selector>)> {
    if Path::new(text).exists() {
        return Some((PathBuf::from(text), None));
    }

    let colons: Vec<usize> = text.match_indices(':').map(|(at, _)| at).collect();
    for &at in colons.iter().rev() {
        let (path, selector) = (&text[..at], &text[at + 1..]);
        if path.is_empty() || selector.is_empty() || !Path::new(path).exists() {
            continue;
        }
        let selector = match selector.strip_prefix('@').map(str::parse::<usize>) {
            Some(Ok(index)) => Selector::Index(index),
            _ => Selector::Tag(selector.to_owned()),
        };
        return Some((PathBuf::from(path), Some(selector)));
    }
    None
}

/// Tells a bare path's kind from its content: a folder with `oci-layout` is an OCI layout, any
/// other folder a root filesystem; a tar with `manifest.json` is a docker-archive and one with
/// `oci-layout` but no `manifest.json` an OCI layout tar.
fn sniff(path: &Path) -> Result<SourceKind, String> {
    if path.is_dir() {
        if path.join("oci-layout").is_file() {
            return Ok(SourceKind::OciLayout);
        }
        return Ok(SourceKind::Rootfs);
    }

    let file = File::open(path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
    let mut archive = tar::Archive::new(file);
    let entries = archive.entries_with_seek().map_err(|e| format!("`{}` is not a tar archive: {e}", path.display()))?;
    let (mut has_manifest, mut has_layout) = (false, false);
    for entry in entries {
        let entry = entry.map_err(|e| format!("`{}` is not a readable tar archive: {e}", path.display()))?;
        match entry.path_bytes().strip_prefix(b"./").unwrap_or(&entry.path_bytes()) {
            b"manifest.json" => has_manifest = true,
            b"oci-layout" => has_layout = true,
            _ => {}
        }
    }

    match (has_manifest, has_layout) {
        (true, _) => Ok(SourceKind::DockerArchive),
        (false, true) => Ok(SourceKind::OciLayout),
        (false, false) => {
            let mut magic = [0u8; 4];
            let _ = File::open(path).and_then(|mut f| f.read(&mut magic));
            if magic.starts_with(&[0x1f, 0x8b]) {
                Err(format!("`{}` is gzip-compressed; decompress it first (`gunzip`), then scan the tar", path.display()))
            } else {
                Err(format!(
                    "`{}` has neither `manifest.json` nor `oci-layout`, so it is not a docker-archive or an OCI layout",
                    path.display()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tag_after_existing_path() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("img.tar");
        std::fs::write(&archive, b"").unwrap();
        let text = format!("{}:stowaway/app:1.0", archive.display());

        let (path, selector) = split_path_and_selector(&text).unwrap();
        assert_eq!(path, archive);
        assert_eq!(selector, Some(Selector::Tag("stowaway/app:1.0".into())));

        let (_, selector) = split_path_and_selector(&format!("{}:@1", archive.display())).unwrap();
        assert_eq!(selector, Some(Selector::Index(1)));
    }

    #[test]
    fn missing_path_is_invalid() {
        let error = ImageReference::parse("docker-archive:/nonexistent/stowaway.tar").unwrap_err();
        assert!(error.to_string().contains("is not an existing file or folder"), "{error}");
    }

    #[test]
    fn prefixed_names_are_remote() {
        let parsed = ImageReference::parse("registry:127.0.0.1:5000/app:1.0").unwrap();
        assert_eq!(parsed.kind, SourceKind::Registry);
        assert_eq!(parsed.name.as_deref(), Some("127.0.0.1:5000/app:1.0"));

        let parsed = ImageReference::parse("docker:debian:trixie").unwrap();
        assert_eq!(parsed.kind, SourceKind::DockerEngine);
        assert_eq!(parsed.name.as_deref(), Some("debian:trixie"));

        assert!(ImageReference::parse("registry:").is_err());
    }

    #[test]
    fn bare_name_is_registry_unless_path() {
        let parsed = ImageReference::parse("nginx:1.25").unwrap();
        assert_eq!(parsed.kind, SourceKind::Registry);
        assert_eq!(parsed.name.as_deref(), Some("nginx:1.25"));

        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("nginx");
        std::fs::create_dir(&folder).unwrap();
        let parsed = ImageReference::parse(folder.to_str().unwrap()).unwrap();
        assert_eq!(parsed.kind, SourceKind::Rootfs);

        let error = ImageReference::parse("./missing.tar").unwrap_err();
        assert!(error.to_string().contains("is not an existing file or folder"), "{error}");
        let error = ImageReference::parse("missing.tar").unwrap_err();
        assert!(error.to_string().contains("is not an existing file or folder"), "{error}");
    }

    #[test]
    fn bare_folder_is_rootfs() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = ImageReference::parse(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(parsed.kind, SourceKind::Rootfs);

        std::fs::write(dir.path().join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        let parsed = ImageReference::parse(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(parsed.kind, SourceKind::OciLayout);
    }
}
