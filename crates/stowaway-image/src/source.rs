//! Image sources: where the manifest, config and layer blobs of an image come from.

mod credentials;
mod docker_archive;
mod docker_engine;
pub(crate) mod layer_cache;
mod oci_layout;
pub(crate) mod registry;
mod rootfs;
mod tar_index;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use stowaway_model::{Digest, Platform};

use crate::config::ImageConfig;
use crate::positional::PositionalBlob;
use crate::reference::{ImageReference, SourceKind};
use crate::{ImageError, Limits};

pub use layer_cache::{DEFAULT_MAX_CACHE_BYTES, blob_cache_usage, clean_blob_cache};
pub(crate) use tar_index::TarIndex;

/// Options for opening an image.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The platform to select from a multi-platform index. Without one, the host's platform is
    /// preferred and a single-platform image is taken as it is.
    pub platform: Option<Platform>,
    /// Bounds on what reading the image may cost.
    pub limits: Limits,
    /// Checks the digests that a docker-archive's config claims for its layers (the diff_ids)
    /// while reading them, as `docker load` does. Registries and OCI layouts always have their
    /// blob digests checked.
    pub verify_digests: bool,
    /// Talks plain HTTP to registries instead of HTTPS.
    pub insecure: bool,
    /// The folder of the layer cache for registry pulls; `None` for
    /// `$XDG_CACHE_HOME/stowaway/layers` or `~/.cache/stowaway/layers`.
    pub layer_cache: Option<PathBuf>,
    /// The size in bytes past which the layer cache removes its least recently used blobs.
    pub max_layer_cache_bytes: u64,
    /// The folder of the Docker client configuration whose `config.json` contains registry
    /// credentials; `None` for `$DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config: Option<PathBuf>,
    /// Receives the progress of layer downloads from registries.
    pub progress: Option<DownloadProgress>,
}

/// A progress event of the layer downloads of one registry pull.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadEvent {
    /// Downloads start for the layers missing from the cache.
    Started {
        /// The number of layers to download.
        layers: usize,
        /// Their total size in bytes, as the manifest declares.
        bytes: u64,
    },
    /// Bytes of some layer arrived.
    Received {
        /// The number of bytes.
        bytes: u64,
    },
}

/// A callback for [`DownloadEvent`]s, called from the thread that opens the image.
#[derive(Clone)]
pub struct DownloadProgress(Arc<dyn Fn(DownloadEvent) + Send + Sync>);

impl DownloadProgress {
    /// Wraps `callback`.
    pub fn new(callback: impl Fn(DownloadEvent) + Send + Sync + 'static) -> DownloadProgress {
        DownloadProgress(Arc::new(callback))
    }

    pub(crate) fn report(&self, event: DownloadEvent) {
        (self.0)(event);
    }
}

impl std::fmt::Debug for DownloadProgress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DownloadProgress")
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            platform: None,
            limits: Limits::default(),
            verify_digests: false,
            insecure: false,
            layer_cache: None,
            max_layer_cache_bytes: DEFAULT_MAX_CACHE_BYTES,
            docker_config: None,
            progress: None,
        }
    }
}

/// An opened image: its identity, configuration and layers, ready to be walked.
#[derive(Debug, Serialize)]
pub struct Image {
    /// The reference as the user gave it.
    pub reference: String,
    /// The kind of source.
    pub source: SourceKind,
    /// Digest of the manifest, when the source has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    /// Digest of the config blob, which is the image ID Docker shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    /// Tags the source records for this image.
    pub tags: Vec<String>,
    /// The image configuration.
    pub config: ImageConfig,
    /// The layers from the base up.
    pub layers: Vec<Layer>,
    #[serde(skip)]
    pub(crate) store: BlobStore,
    /// A temporary file the image is read from, removed when the image is dropped.
    #[serde(skip)]
    pub(crate) temporary: Option<Arc<tempfile::TempPath>>,
    /// Whether walks check the layer digests the source claims.
    #[serde(skip)]
    pub(crate) claims: LayerClaims,
}

/// The trust a walk gives the digests that a source claims for its layers, which also decides
/// what the analysis cache keys the layers by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LayerClaims {
    /// Each claim is checked against the content as the layer is read, and the cache keys a
    /// layer by its claimed digest, stored only once a read verified it. A registry or an OCI
    /// layout names every blob by its digest, which any runtime checks before it runs the image.
    Verified,
    /// The claims come from a source that computed them from the content itself (the Docker
    /// Engine's export), so they are neither checked nor distrusted.
    Trusted,
    /// The claims are the config's word only (a docker-archive file) and are not checked,
    /// because hashing a plain layer costs several times what reading it does. A layer is then
    /// read as it is, and the cache keys it by the archive file's identity and the member's
    /// place in it, which no other file can claim.
    Unchecked,
}

/// One layer of an [`Image`].
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    /// Position from the base, starting at 0.
    pub index: usize,
    /// The digest of the uncompressed tar that the config records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
    /// The digest of the blob as stored, when the manifest records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// The media type the manifest declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The stored size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The history line that created the layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(skip)]
    pub(crate) blob: BlobLocation,
}

impl Layer {
    /// Names the layer's blob in messages: its digest, else its name inside the source.
    pub fn blob_name(&self) -> String {
        match (&self.digest, &self.blob) {
            (Some(digest), _) => digest.to_string(),
            (None, BlobLocation::Member(name)) => name.clone(),
            (None, BlobLocation::File(path)) => path.display().to_string(),
            (None, BlobLocation::Rootfs) => "root filesystem".to_owned(),
            (None, BlobLocation::Memory(position)) => format!("memory blob {position}"),
        }
    }
}

/// The storage that contains the blobs of an image.
#[derive(Debug, Clone)]
pub(crate) enum BlobStore {
    /// Members of a tar archive.
    Archive(Arc<TarIndex>),
    /// Files under a folder.
    Directory(PathBuf),
    /// A plain root filesystem, read as one synthetic layer.
    Rootfs(PathBuf),
    /// Layer blobs held in memory, for fuzzing and benchmarks.
    Memory(Vec<Arc<[u8]>>),
}

/// The position of one layer's blob within its [`BlobStore`].
#[derive(Debug, Clone)]
pub(crate) enum BlobLocation {
    /// A member of the archive, by name.
    Member(String),
    /// A file of the folder.
    File(PathBuf),
    /// The whole root filesystem.
    Rootfs,
    /// A blob of a [`BlobStore::Memory`], by position.
    Memory(usize),
}

impl BlobStore {
    /// Opens a blob for streaming.
    pub(crate) fn open(&self, location: &BlobLocation) -> io::Result<Box<dyn Read + Send>> {
        match (self, location) {
            (BlobStore::Directory(_), BlobLocation::File(path)) => Ok(Box::new(File::open(path)?)),
            _ => Ok(Box::new(self.open_blob(location)?.cursor())),
        }
    }

    /// Opens a blob for positional reads, an archive member through the archive's one file handle.
    pub(crate) fn open_blob(&self, location: &BlobLocation) -> io::Result<PositionalBlob> {
        match (self, location) {
            (BlobStore::Archive(index), BlobLocation::Member(name)) => index
                .blob(name)
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("member `{name}` not found"))),
            (BlobStore::Directory(_), BlobLocation::File(path)) => PositionalBlob::whole_file(File::open(path)?),
            (BlobStore::Memory(blobs), BlobLocation::Memory(position)) => {
                let blob = blobs.get(*position).cloned().ok_or_else(|| io::Error::other("no such blob"))?;
                Ok(PositionalBlob::Memory(blob))
            }
            _ => Err(io::Error::other("blob location does not belong to this store")),
        }
    }

    /// Returns a path that names the store in messages.
    pub(crate) fn path(&self) -> &Path {
        match self {
            BlobStore::Archive(index) => index.path(),
            BlobStore::Directory(path) | BlobStore::Rootfs(path) => path,
            BlobStore::Memory(_) => Path::new("memory"),
        }
    }
}

impl Image {
    /// Builds an image from layer blobs in memory (plain, gzip or zstd tars), with no digests to
    /// verify. Fuzz targets and benchmarks use it to read layers without a source on disk.
    #[doc(hidden)]
    pub fn from_layer_blobs(blobs: Vec<Vec<u8>>) -> Image {
        let layers = (0..blobs.len())
            .map(|position| Layer {
                index: position,
                diff_id: None,
                digest: None,
                media_type: None,
                size: None,
                created_by: None,
                blob: BlobLocation::Memory(position),
            })
            .collect();
        Image {
            reference: "memory".to_owned(),
            source: SourceKind::OciLayout,
            manifest_digest: None,
            config_digest: None,
            tags: Vec::new(),
            config: ImageConfig::default(),
            layers,
            store: BlobStore::Memory(blobs.into_iter().map(Arc::from).collect()),
            temporary: None,
            claims: LayerClaims::Verified,
        }
    }
}

/// Opens the image that `reference` names.
///
/// Opening a file source reads only the small documents (manifest, index, config), and the
/// layers are streamed later by a [`Walker`](crate::Walker). A registry pull also downloads
/// the layers missing from the layer cache, and the Docker Engine source exports the image to
/// a temporary file.
pub fn open(reference: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let parsed = ImageReference::parse(reference)?;
    tracing::debug!(?parsed, "opening image");

    let image = match parsed.kind {
        SourceKind::DockerArchive => docker_archive::open(reference, &parsed, options)?,
        SourceKind::OciLayout => oci_layout::open(reference, &parsed, options)?,
        SourceKind::Rootfs => rootfs::open(reference, &parsed)?,
        SourceKind::Registry => registry::open(reference, parsed.name.as_deref().unwrap_or_default(), options)?,
        SourceKind::DockerEngine => docker_engine::open(reference, parsed.name.as_deref().unwrap_or_default(), options)?,
    };

    // Sources without an index (a docker-archive, a layout listing one manifest without a
    // platform) only reveal the platform in the config, so the request is checked here.
    // Configs often omit the variant that the index records, so only a variant the config
    // states is compared.
    let declared = image.config.platform();
    if let Some(wanted) = &options.platform
        && image.source != SourceKind::Rootfs
        && !(declared.satisfies(wanted) || declared.variant.is_none() && declared.satisfies(&Platform { variant: None, ..wanted.clone() }))
    {
        return Err(ImageError::NoMatchingPlatform {
            wanted: wanted.to_string(),
            reference: reference.to_owned(),
            available: vec![image.config.platform().to_string()],
        });
    }
    Ok(image)
}

/// Reads a small JSON document from `reader`, bounded by the JSON limit.
pub(crate) fn read_json_bytes(mut reader: impl Read, document: &str, limits: &Limits) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::new();
    let read = reader
        .by_ref()
        .take(limits.max_json_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImageError::io(document, e))?;
    if read as u64 > limits.max_json_bytes {
        return Err(ImageError::JsonTooLarge { document: document.to_owned(), limit: limits.max_json_bytes });
    }
    Ok(bytes)
}

/// Parses a JSON document, naming it in the error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], document: &str) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|source| ImageError::Json { document: document.to_owned(), source })
}

/// Checks that `bytes` hash to `expected`.
pub(crate) fn verify_digest(bytes: &[u8], expected: &Digest, what: &str) -> Result<(), ImageError> {
    let mut hasher = stowaway_model::Hasher::new(expected.algorithm());
    hasher.update(bytes);
    let actual = hasher.finish();
    if &actual != expected {
        return Err(ImageError::DigestMismatch { what: what.to_owned(), expected: expected.clone(), actual });
    }
    Ok(())
}

/// Returns the platform of the machine stowaway runs on, in the OCI naming, to prefer when an index has
/// several platforms and none was requested.
pub(crate) fn host_platform() -> Platform {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    Platform::new("linux", architecture, None)
}
