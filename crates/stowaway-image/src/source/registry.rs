//! Images pulled from a registry with the OCI distribution API (`registry:NAME`, or a bare image
//! name). Names follow Docker Hub's defaults (`docker.io`, `library/`), and credentials come from
//! the Docker `config.json`. An image index is resolved to one platform. The layers are kept in
//! the [`LayerCache`], so the walk reads them from disk.

use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use oci_spec::image::{ImageIndex, ImageManifest};
use stowaway_model::{Digest, Platform};

use super::layer_cache::LayerCache;
use super::oci_layout::{Candidate, INDEX_MEDIA_TYPES, choose, convert_digest, parse_image_manifest};
use super::{BlobLocation, BlobStore, DownloadEvent, DownloadProgress, Image, Layer, LayerClaims, OpenOptions, parse_json, verify_digest};
use crate::reference::SourceKind;
use crate::{ImageConfig, ImageError};

/// The manifest media types requested. Schema 1 is accepted only to reject it with a clear error.
const ACCEPTED_MANIFESTS: [&str; 6] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v1+json",
];

/// Layer blobs downloaded at the same time.
const CONCURRENT_DOWNLOADS: usize = 3;

/// Attempts of one request that fails with 429 or a 5xx status or a connection error.
const ATTEMPTS: u32 = 4;

/// The wait before the first retry; it doubles for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// Opens the image `name` from its registry, downloading the layers missing from the cache.
pub(super) fn open(reference: &str, name: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let target = parse_name(reference, name)?;
    runtime()?.block_on(pull(reference, &target, options))
}

/// Parses an image name with Docker Hub's defaults (`docker.io`, `library/`).
pub(crate) fn parse_name(reference: &str, name: &str) -> Result<Reference, ImageError> {
    name.parse().map_err(|error| ImageError::InvalidReference {
        reference: reference.to_owned(),
        reason: format!("`{name}` is not a valid image name ({error})"),
    })
}

/// Builds the single-threaded runtime that runs registry requests.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ImageError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ImageError::io("the async runtime", error))
}

/// Makes rustls use the ring provider, the only one compiled in.
fn install_crypto_provider() {
    // NOTE: rustls 0.23.48 deprecates ring's provider because it lacks post-quantum key
    // exchange. The aws-lc-rs provider has it, but it compiles C for about a minute.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    // Fails only when a provider is already installed, which serves as well.
    let _ = provider.install_default();
}

/// A connection to one registry for one image or artifact.
pub(crate) struct Registry<'a> {
    pub(crate) client: Client,
    pub(crate) auth: RegistryAuth,
    target: &'a Reference,
    reference: &'a str,
    insecure: bool,
    progress: Option<DownloadProgress>,
}

async fn pull(reference: &str, target: &Reference, options: &OpenOptions) -> Result<Image, ImageError> {
    let registry = Registry::connect(reference, target, options);
    let limit = options.limits.max_json_bytes;

    // An index (or Docker manifest list) names one manifest per platform.
    let (mut manifest_bytes, mut manifest_digest) = registry.manifest(target, limit).await?;
    if is_index(&manifest_bytes, &format!("manifest of `{}`", target.whole()))? {
        let document = format!("index `{manifest_digest}`");
        let index: ImageIndex = parse_json(&manifest_bytes, &document)?;
        let candidates = candidates(&index, &document)?;
        let chosen = choose(reference, candidates, None, options.platform.as_ref())?;
        tracing::debug!(digest = %chosen.digest, platform = ?chosen.platform, "platform selected from the index");
        let by_digest = target.clone_with_digest(chosen.digest.to_string());
        (manifest_bytes, manifest_digest) = registry.manifest(&by_digest, limit).await?;
        verify_digest(&manifest_bytes, &chosen.digest, &document)?;
    }

    let document = format!("manifest `{manifest_digest}`");
    let (manifest, config_digest) = parse_image_manifest(&manifest_bytes, &document)?;
    let config_bytes = registry.small_blob(&config_digest, manifest.config().size(), limit).await?;
    let config: ImageConfig = parse_json(&config_bytes, &format!("config `{config_digest}`"))?;

    let cache = LayerCache::open(options.layer_cache.as_deref(), options.max_layer_cache_bytes)?;
    let layers = registry.layers(&cache, &manifest, &config, &document).await?;
    let kept: Vec<Digest> = layers.iter().filter_map(|layer| layer.digest.clone()).collect();
    cache.evict(&kept);

    Ok(Image {
        reference: reference.to_owned(),
        source: SourceKind::Registry,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        tags: vec![target.whole()],
        config,
        layers,
        store: BlobStore::Directory(cache.root().to_owned()),
        temporary: None,
        claims: LayerClaims::Verified,
    })
}

impl<'a> Registry<'a> {
    pub(crate) fn connect(reference: &'a str, target: &'a Reference, options: &OpenOptions) -> Registry<'a> {
        install_crypto_provider();
        let config = ClientConfig {
            protocol: if options.insecure { ClientProtocol::Http } else { ClientProtocol::Https },
            // stowaway chooses the platform itself, with the same rules as for OCI layouts.
            platform_resolver: None,
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: Some(Duration::from_secs(120)),
            ..ClientConfig::default()
        };
        let auth = super::credentials::lookup(target.resolve_registry(), options.docker_config.as_deref());
        Registry { client: Client::new(config), auth, target, reference, insecure: options.insecure, progress: options.progress.clone() }
    }

    pub(crate) fn failed(&self, operation: String, source: OciDistributionError) -> ImageError {
        let host = self.target.resolve_registry();
        let hint = match &source {
            OciDistributionError::UnauthorizedError { .. } | OciDistributionError::AuthenticationFailure(_) => {
                format!("; the registry requires credentials: run `docker login {host}`, or add them to the Docker config.json")
            }
            OciDistributionError::RequestError(error) if error.is_connect() && !self.insecure => {
                format!("; if `{host}` serves plain HTTP, pass `--insecure`")
            }
            _ => String::new(),
        };
        ImageError::Registry { reference: self.reference.to_owned(), operation, hint, source: Box::new(source) }
    }

    /// Fetches a manifest or index, verified against the digest the registry or the reference
    /// names, and rejects one over `limit` bytes.
    pub(crate) async fn manifest(&self, target: &Reference, limit: u64) -> Result<(Vec<u8>, Digest), ImageError> {
        let operation = || format!("fetch the manifest of `{}`", target.whole());
        // NOTE: oci-client reads the whole response body before it returns, so the limit
        // bounds what is kept and parsed, not what a hostile registry can make it buffer.
        let (bytes, digest) = retry(|| self.client.pull_manifest_raw(target, &self.auth, &ACCEPTED_MANIFESTS))
            .await
            .map_err(|error| self.failed(operation(), error))?;
        if bytes.len() as u64 > limit {
            return Err(ImageError::JsonTooLarge { document: format!("manifest of `{}`", target.whole()), limit });
        }
        let digest = digest.parse().map_err(|error: stowaway_model::DigestError| {
            self.failed(operation(), OciDistributionError::GenericError(Some(error.to_string())))
        })?;
        Ok((bytes.to_vec(), digest))
    }

    /// Fetches a small blob (the config) into memory, bounded by `limit` and verified.
    async fn small_blob(&self, digest: &Digest, size: u64, limit: u64) -> Result<Vec<u8>, ImageError> {
        let document = format!("config `{digest}`");
        if size > limit {
            return Err(ImageError::JsonTooLarge { document, limit });
        }
        let descriptor = OciDescriptor { digest: digest.to_string(), size: size as i64, ..OciDescriptor::default() };
        let mut stream = retry(|| self.client.pull_blob_stream(self.target, &descriptor))
            .await
            .map_err(|error| self.failed(format!("fetch {document}"), error))?;

        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| ImageError::BlobDownload { blob: digest.to_string(), reference: self.reference.to_owned(), source: error })?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > size {
                return Err(ImageError::SizeMismatch { what: document, expected: size, actual: bytes.len() as u64 });
            }
        }
        verify_digest(&bytes, digest, &document)?;
        if bytes.len() as u64 != size {
            return Err(ImageError::SizeMismatch { what: document, expected: size, actual: bytes.len() as u64 });
        }
        Ok(bytes)
    }

    /// Makes every layer of `manifest` available in the cache, downloading the missing ones a
    /// few at a time, and returns the layers in order.
    async fn layers(&self, cache: &LayerCache, manifest: &ImageManifest, config: &ImageConfig, document: &str) -> Result<Vec<Layer>, ImageError> {
        let diff_ids = &config.rootfs.diff_ids;
        if diff_ids.len() != manifest.layers().len() {
            return Err(ImageError::LayerCountMismatch { layers: manifest.layers().len(), diff_ids: diff_ids.len() });
        }
        let history = config.layer_history();

        let mut wanted = Vec::with_capacity(diff_ids.len());
        for descriptor in manifest.layers() {
            wanted.push((convert_digest(descriptor, document)?, descriptor.size(), descriptor.media_type().to_string()));
        }
        // The layers are looked up first, so the progress display gets the size left to download.
        let found: Vec<Option<PathBuf>> = wanted.iter().map(|(digest, size, _)| cache.lookup(digest, *size)).collect();
        let missing: Vec<u64> = wanted.iter().zip(&found).filter(|(_, path)| path.is_none()).map(|((_, size, _), _)| *size).collect();
        tracing::debug!(layers = wanted.len(), missing = missing.len(), "layers looked up in the cache");
        if let Some(progress) = &self.progress
            && !missing.is_empty()
        {
            progress.report(DownloadEvent::Started { layers: missing.len(), bytes: missing.iter().sum() });
        }

        let fetches = wanted.iter().zip(found).map(|((digest, size, _), path)| async move {
            match path {
                Some(path) => Ok(path),
                None => self.fetch_layer(cache, digest, *size).await,
            }
        });
        let paths: Vec<PathBuf> = futures_util::stream::iter(fetches)
            .buffered(CONCURRENT_DOWNLOADS)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;

        let layers = wanted
            .into_iter()
            .zip(paths)
            .enumerate()
            .map(|(position, ((digest, size, media_type), path))| Layer {
                index: position,
                diff_id: Some(diff_ids[position].clone()),
                digest: Some(digest),
                media_type: Some(media_type),
                size: Some(size),
                created_by: history[position].clone(),
                blob: BlobLocation::File(path),
            })
            .collect();
        Ok(layers)
    }

    /// Returns the cached file of a layer, downloading it first when it is missing.
    pub(crate) async fn cached_layer(&self, cache: &LayerCache, digest: &Digest, size: u64) -> Result<PathBuf, ImageError> {
        if let Some(path) = cache.lookup(digest, size) {
            tracing::debug!(%digest, "layer found in the cache");
            return Ok(path);
        }
        self.fetch_layer(cache, digest, size).await
    }

    /// Downloads a layer into the cache, retrying transient failures with backoff.
    async fn fetch_layer(&self, cache: &LayerCache, digest: &Digest, size: u64) -> Result<PathBuf, ImageError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.download(cache, digest, size).await {
                Err(Failure::Transient(error)) if attempt < ATTEMPTS => {
                    tracing::warn!(%digest, attempt, %error, "layer download failed, retrying");
                    tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1)).await;
                }
                Err(Failure::Transient(error) | Failure::Final(error)) => return Err(error),
                Ok(path) => return Ok(path),
            }
        }
    }

    /// Streams one blob into the cache, hashing and counting it on the way.
    async fn download(&self, cache: &LayerCache, digest: &Digest, size: u64) -> Result<PathBuf, Failure> {
        tracing::debug!(%digest, size, "downloading layer");
        let descriptor = OciDescriptor { digest: digest.to_string(), size: size as i64, ..OciDescriptor::default() };
        let mut stream = match self.client.pull_blob_stream(self.target, &descriptor).await {
            Ok(stream) => stream,
            Err(error) if is_transient(&error) => return Err(Failure::Transient(self.failed(format!("fetch layer `{digest}`"), error))),
            Err(error) => return Err(Failure::Final(self.failed(format!("fetch layer `{digest}`"), error))),
        };

        let mut writer = cache.writer(digest, size).map_err(Failure::Final)?;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    writer.write(&bytes).map_err(Failure::Final)?;
                    if let Some(progress) = &self.progress {
                        progress.report(DownloadEvent::Received { bytes: bytes.len() as u64 });
                    }
                }
                // oci-client fails the stream's end when the digest differs; with every byte
                // received, the cache's own check names the digests.
                Err(_) if writer.written() == size => return writer.commit().map_err(Failure::Final),
                Err(error) => {
                    let error = ImageError::BlobDownload { blob: digest.to_string(), reference: self.reference.to_owned(), source: error };
                    return Err(Failure::Transient(error));
                }
            }
        }
        writer.commit().map_err(Failure::Final)
    }
}

/// A failed download: worth retrying (a dropped connection, 429, 5xx) or not.
enum Failure {
    Transient(ImageError),
    Final(ImageError),
}

/// Runs a registry request, retrying with exponential backoff while it fails transiently.
pub(crate) async fn retry<T, F, Fut>(mut request: F) -> Result<T, OciDistributionError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, OciDistributionError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match request().await {
            Err(error) if attempt < ATTEMPTS && is_transient(&error) => {
                tracing::warn!(attempt, %error, "registry request failed, retrying");
                tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1)).await;
            }
            outcome => return outcome,
        }
    }
}

/// Tells whether a request may succeed when repeated: rate limits, server errors and dropped
/// connections, but not redirect loops.
fn is_transient(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::ServerError { code, .. } => *code == 429 || (500..600).contains(code),
        OciDistributionError::RequestError(error) => (error.is_connect() || error.is_timeout()) && !error.is_redirect(),
        _ => false,
    }
}

/// Tells whether a manifest document is an index, from its media type.
fn is_index(bytes: &[u8], document: &str) -> Result<bool, ImageError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
    }
    let head: Head = parse_json(bytes, document)?;
    Ok(match head.media_type {
        Some(media_type) => INDEX_MEDIA_TYPES.contains(&media_type.as_str()),
        // An OCI index may omit its media type; its `manifests` list gives it away.
        None => head.manifests.is_some(),
    })
}

/// Lists the platform manifests of an index. Registries do not nest indexes, so a nested one
/// is rejected.
fn candidates(index: &ImageIndex, document: &str) -> Result<Vec<Candidate>, ImageError> {
    let mut candidates = Vec::new();
    for descriptor in index.manifests() {
        let media_type = descriptor.media_type().to_string();
        if INDEX_MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(ImageError::UnsupportedMediaType { what: format!("{document}, which nests another index"), media_type });
        }
        let platform = descriptor
            .platform()
            .as_ref()
            .map(|p| Platform::new(&p.os().to_string(), &p.architecture().to_string(), p.variant().as_deref()));
        // BuildKit stores provenance attestations as manifests for `unknown/unknown`.
        if platform.as_ref().is_some_and(|p| p.os == "unknown" && p.architecture == "unknown") {
            continue;
        }
        let digest = convert_digest(descriptor, document)?;
        candidates.push(Candidate { descriptor: descriptor.clone(), digest, ref_name: None, platform });
    }
    Ok(candidates)
}
