use std::io;
use std::path::PathBuf;

use stowaway_model::Digest;

/// Errors from reading an image.
///
/// Each names the input it failed on (file, blob digest, layer and path inside the layer) so that
/// the user can find the fault without a debugger.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The image reference could not be understood.
    #[error("invalid image reference `{reference}`: {reason}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// The reason it is invalid, with the form expected.
        reason: String,
    },

    /// Reading a file of the source failed.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },

    /// A JSON document of the image (manifest, index, config) is malformed.
    #[error("invalid JSON in `{document}`")]
    Json {
        /// The document: a file name inside the source or a blob digest.
        document: String,
        /// The parser's error, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// A JSON document is larger than the limit.
    #[error("`{document}` is larger than the limit of {limit} bytes for JSON documents")]
    JsonTooLarge {
        /// The document.
        document: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// A manifest names a blob that the source does not contain.
    #[error("blob `{blob}` named by `{referenced_by}` is missing from `{}`", source_path.display())]
    MissingBlob {
        /// The blob (digest or file name inside the archive).
        blob: String,
        /// The document that names it.
        referenced_by: String,
        /// The archive or layout folder.
        source_path: PathBuf,
    },

    /// A blob's content does not match the digest that names it.
    #[error("digest mismatch for {what}: expected `{expected}`, computed `{actual}`")]
    DigestMismatch {
        /// The object verified (a layer, a config, a manifest).
        what: String,
        /// The digest the manifest or config records.
        expected: Digest,
        /// The digest of the bytes read.
        actual: Digest,
    },

    /// A blob's length does not match its descriptor.
    #[error("size mismatch for {what}: the descriptor says {expected} bytes, the blob has {actual}")]
    SizeMismatch {
        /// The object verified.
        what: String,
        /// The size in the descriptor.
        expected: u64,
        /// The size read.
        actual: u64,
    },

    /// The image index has no manifest for the requested platform.
    #[error("no image for platform `{wanted}` in `{reference}`; platforms present: {}", summarize(available))]
    NoMatchingPlatform {
        /// The requested platform.
        wanted: String,
        /// The image reference.
        reference: String,
        /// The platforms the index lists.
        available: Vec<String>,
    },

    /// The source holds several images and the reference does not say which one to read.
    #[error("`{reference}` holds {} images; select one with `{reference}:TAG` or `{reference}:@INDEX`; tags: {}", choices.len(), summarize(choices))]
    AmbiguousImage {
        /// The reference as given.
        reference: String,
        /// The tags (or indices) to choose from.
        choices: Vec<String>,
    },

    /// The requested tag or index is not in the source.
    #[error("image `{wanted}` not found in `{reference}`; available: {}", summarize(available))]
    ImageNotFound {
        /// The tag or index requested.
        wanted: String,
        /// The reference of the source.
        reference: String,
        /// The tags or indices present.
        available: Vec<String>,
    },

    /// A manifest, index or layer has a media type stowaway cannot read.
    #[error("unsupported media type `{media_type}` for {what}")]
    UnsupportedMediaType {
        /// The object that carries the media type.
        what: String,
        /// The media type.
        media_type: String,
    },

    /// The config and the manifest disagree on the layers.
    #[error("the image config lists {diff_ids} layer diff_ids but the manifest lists {layers} layers")]
    LayerCountMismatch {
        /// Layers in the manifest.
        layers: usize,
        /// diff_ids in the config.
        diff_ids: usize,
    },

    /// Reading or decompressing a layer failed (truncated or corrupt data).
    #[error("failed to read layer {layer} (`{blob}`){}", after.as_ref().map(|p| format!(" after entry `{p}`")).unwrap_or_default())]
    LayerRead {
        /// Index of the layer from the base.
        layer: usize,
        /// The layer's blob (digest or file name).
        blob: String,
        /// The last entry read completely before the failure.
        after: Option<String>,
        /// The cause.
        #[source]
        source: io::Error,
    },

    /// The uncompressed content of the image exceeds the limit.
    #[error("layer {layer} (`{blob}`) takes the image past the limit of {limit} uncompressed bytes; raise it with `--max-image-size` if the image is trusted")]
    ImageTooLarge {
        /// The layer being read when the limit was hit.
        layer: usize,
        /// The layer's blob.
        blob: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// One file is larger than the per-file limit.
    #[error("layer {layer}: `{path}` declares {size} bytes, over the limit of {limit} bytes per file; raise it with `--max-file-size` if the image is trusted")]
    FileTooLarge {
        /// The layer.
        layer: usize,
        /// The file.
        path: String,
        /// The size its header declares.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },

    /// The paths of the image's entries add up to more bytes than the limit.
    #[error("layer {layer} (`{blob}`) takes the image's entry paths past the limit of {limit} bytes in all")]
    PathBytesExceeded {
        /// The layer being read when the limit was hit.
        layer: usize,
        /// The layer's blob.
        blob: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// A registry request failed.
    #[error("failed to {operation} from the registry for `{reference}`{hint}")]
    Registry {
        /// The reference as given.
        reference: String,
        /// The request, naming the manifest or blob.
        operation: String,
        /// The next step for the user, after a `; `, or empty.
        hint: String,
        /// The client's error.
        #[source]
        source: Box<oci_client::errors::OciDistributionError>,
    },

    /// The connection broke while a blob was downloaded.
    #[error("failed to download blob `{blob}` for `{reference}`")]
    BlobDownload {
        /// The blob's digest.
        blob: String,
        /// The reference as given.
        reference: String,
        /// The cause.
        #[source]
        source: io::Error,
    },

    /// An artifact's blob is larger than the caller accepts.
    #[error("the blob of {document} has {size} bytes, over the limit of {limit} bytes")]
    ArtifactTooLarge {
        /// The artifact's manifest.
        document: String,
        /// The size the manifest declares.
        size: u64,
        /// The limit.
        limit: u64,
    },

    /// A Docker Engine request failed.
    #[error("failed to {operation} from the Docker Engine for `{reference}`; {hint}")]
    Engine {
        /// The reference as given.
        reference: String,
        /// The request.
        operation: String,
        /// The next step for the user.
        hint: &'static str,
        /// The client's error.
        #[source]
        source: Box<bollard::errors::Error>,
    },

    /// The image has more tar entries than the limit.
    #[error("layer {layer} (`{blob}`) takes the image past the limit of {limit} entries; raise it with `--max-entries` if the image is trusted")]
    TooManyEntries {
        /// The layer being read when the limit was hit.
        layer: usize,
        /// The layer's blob.
        blob: String,
        /// The limit.
        limit: u64,
    },
}

/// Joins the first items of a list for a message, so that a hostile source listing thousands of
/// images cannot make an error message huge.
fn summarize(items: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> ImageError {
        ImageError::Io { path: path.into(), source }
    }
}
