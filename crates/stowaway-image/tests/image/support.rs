//! Builders for crafted layers and images, including hostile ones that `tar::Builder` would
//! refuse to write.

use std::io::Write;
use std::path::{Path, PathBuf};

use stowaway_model::Digest;

/// One crafted tar entry. Names are written verbatim into the header, `..` included.
pub enum Item<'a> {
    File(&'a [u8], &'a [u8]),
    Executable(&'a [u8], &'a [u8]),
    Dir(&'a [u8]),
    Symlink(&'a [u8], &'a [u8]),
    Hardlink(&'a [u8], &'a [u8]),
    CharDevice(&'a [u8]),
    Fifo(&'a [u8]),
}

pub fn file<'a>(name: &'a str, content: &'a [u8]) -> Item<'a> {
    Item::File(name.as_bytes(), content)
}

pub fn executable<'a>(name: &'a str, content: &'a [u8]) -> Item<'a> {
    Item::Executable(name.as_bytes(), content)
}

pub fn dir(name: &str) -> Item<'_> {
    Item::Dir(name.as_bytes())
}

pub fn symlink<'a>(name: &'a str, target: &'a str) -> Item<'a> {
    Item::Symlink(name.as_bytes(), target.as_bytes())
}

pub fn hardlink<'a>(name: &'a str, target: &'a str) -> Item<'a> {
    Item::Hardlink(name.as_bytes(), target.as_bytes())
}

/// Writes a layer tar with the given entries.
pub fn layer(items: &[Item<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let (name, link, kind, mode, content): (&[u8], &[u8], tar::EntryType, u32, &[u8]) = match item {
            Item::File(name, content) => (name, b"", tar::EntryType::Regular, 0o644, content),
            Item::Executable(name, content) => (name, b"", tar::EntryType::Regular, 0o755, content),
            Item::Dir(name) => (name, b"", tar::EntryType::Directory, 0o755, b""),
            Item::Symlink(name, target) => (name, target, tar::EntryType::Symlink, 0o777, b""),
            Item::Hardlink(name, target) => (name, target, tar::EntryType::Link, 0o644, b""),
            Item::CharDevice(name) => (name, b"", tar::EntryType::Char, 0o666, b""),
            Item::Fifo(name) => (name, b"", tar::EntryType::Fifo, 0o644, b""),
        };
        let mut header = tar::Header::new_gnu();
        {
            let raw = header.as_old_mut();
            raw.name[..name.len()].copy_from_slice(name);
            raw.linkname[..link.len()].copy_from_slice(link);
        }
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(content.len() as u64);
        header.set_mtime(0);
        header.set_cksum();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(content);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

pub fn sha256(bytes: &[u8]) -> Digest {
    Digest::sha256_of(bytes)
}

/// A layer as stored: the blob bytes and the uncompressed tar they decompress to.
pub struct Blob {
    pub stored: Vec<u8>,
    pub tar: Vec<u8>,
    pub media_type: &'static str,
}

impl Blob {
    pub fn plain(tar: Vec<u8>) -> Blob {
        Blob { stored: tar.clone(), tar, media_type: "application/vnd.oci.image.layer.v1.tar" }
    }

    pub fn gzip(tar: Vec<u8>) -> Blob {
        Blob { stored: gzip(&tar), tar, media_type: "application/vnd.oci.image.layer.v1.tar+gzip" }
    }

    pub fn zstd(tar: Vec<u8>) -> Blob {
        Blob { stored: zstd(&tar), tar, media_type: "application/vnd.oci.image.layer.v1.tar+zstd" }
    }
}

/// The config JSON of an image made of `blobs`.
pub fn config_json(blobs: &[Blob], architecture: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = blobs.iter().map(|b| sha256(&b.tar).to_string()).collect();
    let history: Vec<serde_json::Value> = (0..blobs.len())
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i}")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": architecture,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// Members of an outer archive.
pub struct Archive {
    members: Vec<(String, Vec<u8>)>,
}

impl Archive {
    pub fn new() -> Archive {
        Archive { members: Vec::new() }
    }

    pub fn add(&mut self, name: &str, bytes: &[u8]) -> &mut Archive {
        self.members.push((name.to_owned(), bytes.to_vec()));
        self
    }

    pub fn write(&self, path: &Path) {
        let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
        for (name, bytes) in &self.members {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            builder.append_data(&mut header, name, bytes.as_slice()).unwrap();
        }
        builder.finish().unwrap();
    }
}

/// Writes a docker-archive holding one image per `(tag, blobs)` pair and returns its path.
pub fn docker_archive(dir: &Path, images: &[(&str, &[Blob])]) -> PathBuf {
    let mut archive = Archive::new();
    let mut manifest = Vec::new();
    for (tag, blobs) in images {
        let config = config_json(blobs, "amd64");
        let config_name = format!("{}.json", sha256(&config).encoded());
        archive.add(&config_name, &config);
        let mut layer_names = Vec::new();
        for blob in blobs.iter() {
            let name = format!("{}/layer.tar", sha256(&blob.stored).encoded());
            archive.add(&name, &blob.stored);
            layer_names.push(name);
        }
        manifest.push(serde_json::json!({"Config": config_name, "RepoTags": [tag], "Layers": layer_names}));
    }
    archive.add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    let path = dir.join("image.tar");
    archive.write(&path);
    path
}

/// One platform-specific image in an OCI layout.
pub struct OciImage<'a> {
    pub blobs: &'a [Blob],
    pub platform: Option<(&'a str, &'a str, Option<&'a str>)>,
    pub ref_name: Option<&'a str>,
}

/// Writes an OCI layout folder. With one image it is listed directly in `index.json`; with
/// several, `index.json` points at a nested image index carrying the platforms.
pub fn oci_layout(dir: &Path, images: &[OciImage<'_>]) -> PathBuf {
    let root = dir.join("layout");
    let blobs_dir = root.join("blobs/sha256");
    std::fs::create_dir_all(&blobs_dir).unwrap();
    let put = |bytes: &[u8]| -> Digest {
        let digest = sha256(bytes);
        std::fs::write(blobs_dir.join(digest.encoded()), bytes).unwrap();
        digest
    };

    let mut descriptors = Vec::new();
    for image in images {
        let architecture = image.platform.map_or("amd64", |p| p.1);
        let config = config_json(image.blobs, architecture);
        let config_digest = put(&config);
        let layers: Vec<serde_json::Value> = image
            .blobs
            .iter()
            .map(|blob| serde_json::json!({"mediaType": blob.media_type, "digest": put(&blob.stored).to_string(), "size": blob.stored.len()}))
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.to_string(), "size": config.len()},
            "layers": layers,
        }))
        .unwrap();
        let mut descriptor = serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": put(&manifest).to_string(),
            "size": manifest.len(),
        });
        if let Some((os, architecture, variant)) = image.platform {
            let mut platform = serde_json::json!({"os": os, "architecture": architecture});
            if let Some(variant) = variant {
                platform["variant"] = variant.into();
            }
            descriptor["platform"] = platform;
        }
        if let Some(name) = image.ref_name {
            descriptor["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": name});
        }
        descriptors.push(descriptor);
    }

    let index = serde_json::json!({"schemaVersion": 2, "manifests": descriptors});
    std::fs::write(root.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(root.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    root
}

/// Tars a folder (an OCI layout) into `target`.
pub fn tar_folder(folder: &Path, target: &Path) {
    let mut builder = tar::Builder::new(std::fs::File::create(target).unwrap());
    builder.append_dir_all(".", folder).unwrap();
    builder.finish().unwrap();
}

/// Lists the squashed view's paths as strings.
pub fn paths(view: &stowaway_image::ImageView) -> Vec<String> {
    view.tree.iter().map(|(path, _)| path.to_string()).collect()
}
