//! One streaming pass over one layer: tar entries become [`Entry`] values, whiteouts are
//! collected for the squash, and the files the analyzers want are handed to them as they pass.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use stowaway_model::{Digest, DigestAlgorithm};

use crate::analysis_cache::verified_digest;
use crate::analyzer::{Analyzer, Fact, FileInfo};
use crate::blob::{ByteBudget, Compression, DigestPlan, LayerStream};
use crate::deliver::{BufferGauge, Delivery, deliver};
use crate::skip::{ForwardSeek, Skip};
use crate::tar_guard::TarGuard;
use crate::source::{Image, Layer, LayerClaims};
use crate::{Entry, EntryKind, ImageError, ImagePath, Limits, Warning, WarningKind};

/// The marker file name that makes its folder opaque.
const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";
/// The prefix of a whiteout file name.
const WHITEOUT_PREFIX: &[u8] = b".wh.";

/// Warnings kept per layer; further ones are only counted, because a hostile layer can produce
/// one per entry.
pub(crate) const MAX_WARNINGS_PER_LAYER: usize = 100;

/// The contents of one layer, in tar order.
#[derive(Debug, Default)]
pub(crate) struct LayerContents {
    pub(crate) entries: Vec<(ImagePath, Entry)>,
    pub(crate) whiteouts: Vec<ImagePath>,
    pub(crate) opaque_dirs: Vec<ImagePath>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) suppressed_warnings: u64,
    pub(crate) facts: Vec<RawFact>,
    pub(crate) summary: LayerSummary,
    /// File content held in memory while analyzers read it.
    pub(crate) buffered: BufferGauge,
    /// The claimed digest of the layer that the read checked against its content, which the
    /// analysis cache stores the contents under.
    pub(crate) verified_digest: Option<Digest>,
}

impl LayerContents {
    /// Records a warning, or only counts it once the layer has [`MAX_WARNINGS_PER_LAYER`].
    pub(crate) fn warn(&mut self, warning: Warning) {
        if self.warnings.len() < MAX_WARNINGS_PER_LAYER {
            self.warnings.push(warning);
        } else {
            self.suppressed_warnings += 1;
        }
    }
}

/// A fact from one analyzer about one file of one layer.
#[derive(Debug)]
pub(crate) struct RawFact {
    pub(crate) analyzer: usize,
    pub(crate) path: ImagePath,
    pub(crate) fact: Fact,
}

/// Counts and digests of one layer, measured while reading it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LayerSummary {
    /// Position from the base.
    pub index: usize,
    /// Tar entries read, whiteout markers included.
    pub entries: u64,
    /// Whiteout and opaque markers among them.
    pub whiteouts: u64,
    /// Bytes of the uncompressed tar.
    pub uncompressed_size: u64,
    /// Compression found by sniffing the blob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// The diff_id computed from the content, when it was computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_diff_id: Option<Digest>,
    /// The most bytes of file content the walker held in memory at once while analyzers read
    /// this layer's files.
    pub peak_buffered_bytes: u64,
}

/// Shared state of one image walk, read by all layer threads.
pub(crate) struct WalkContext<'a> {
    pub(crate) image: &'a Image,
    pub(crate) analyzers: &'a [&'a dyn Analyzer],
    pub(crate) limits: &'a Limits,
    pub(crate) bytes: ByteBudget,
    pub(crate) entries_left: AtomicU64,
    pub(crate) path_bytes_left: AtomicU64,
}

impl WalkContext<'_> {
    /// Charges one entry to the image's entry budget.
    pub(crate) fn take_entry(&self, layer: usize, blob: impl Fn() -> String) -> Result<(), ImageError> {
        if !take(&self.entries_left, 1) {
            return Err(ImageError::TooManyEntries { layer, blob: blob(), limit: self.limits.max_entries });
        }
        Ok(())
    }

    /// Charges the bytes of one kept path to the image's path budget.
    pub(crate) fn take_path_bytes(&self, layer: usize, blob: impl Fn() -> String, bytes: usize) -> Result<(), ImageError> {
        if !take(&self.path_bytes_left, bytes as u64) {
            return Err(ImageError::PathBytesExceeded { layer, blob: blob(), limit: self.limits.max_total_path_bytes });
        }
        Ok(())
    }
}

impl WalkContext<'_> {
    /// Charges a layer read from the analysis cache to the image's budgets, as reading it would,
    /// so that an image over a limit fails the same way whether its layers are cached or not.
    pub(crate) fn take_cached_layer(&self, layer: &Layer, contents: &LayerContents) -> Result<(), ImageError> {
        let path_bytes: u64 = contents.entries.iter().map(|(path, _)| path.as_bytes().len() as u64).sum();
        if !take(&self.entries_left, contents.summary.entries) {
            return Err(ImageError::TooManyEntries { layer: layer.index, blob: layer.blob_name(), limit: self.limits.max_entries });
        }
        if !take(&self.path_bytes_left, path_bytes) {
            return Err(ImageError::PathBytesExceeded {
                layer: layer.index,
                blob: layer.blob_name(),
                limit: self.limits.max_total_path_bytes,
            });
        }
        if !self.bytes.take(contents.summary.uncompressed_size) {
            return Err(ImageError::ImageTooLarge { layer: layer.index, blob: layer.blob_name(), limit: self.limits.max_image_bytes });
        }
        Ok(())
    }
}

fn take(budget: &AtomicU64, amount: u64) -> bool {
    budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(amount)).is_ok()
}

/// Reads one layer blob completely, verifying its digests.
pub(crate) fn read_layer(context: &WalkContext<'_>, layer: &Layer) -> Result<LayerContents, ImageError> {
    let read_error = |after: Option<&ImagePath>, source: io::Error| ImageError::LayerRead {
        layer: layer.index,
        blob: layer.blob_name(),
        after: after.map(ToString::to_string),
        source,
    };

    let blob = context.image.store.open_blob(&layer.blob).map_err(|e| read_error(None, e))?.cursor();
    let plan = digest_plan(context.image.claims, layer);
    let mut stream = LayerStream::open(blob, plan, &context.bytes).map_err(|e| read_error(None, e))?;
    let compression = stream.compression();

    let mut contents = LayerContents::default();
    let mut pending_links = Vec::new();
    let outcome = read_entries(context, layer, &mut stream, &mut contents, &mut pending_links);
    if let Err(error) = outcome {
        return Err(match error {
            EntryError::Image(error) => error,
            EntryError::Io(_) if stream.budget_exhausted() => ImageError::ImageTooLarge {
                layer: layer.index,
                blob: layer.blob_name(),
                limit: context.limits.max_image_bytes,
            },
            EntryError::Io(source) => read_error(contents.entries.last().map(|(path, _)| path), source),
        });
    }

    let digests = match stream.finish() {
        Ok(digests) => digests,
        Err(source) => {
            return Err(read_error(contents.entries.last().map(|(path, _)| path), source));
        }
    };
    verify_layer_digests(layer, &digests)?;
    contents.verified_digest = verified_digest(layer, digests.blob_digest.as_ref(), digests.diff_id.as_ref());

    if !pending_links.is_empty() {
        read_hardlink_targets(context, layer, &pending_links, &mut contents)?;
    }

    contents.summary.index = layer.index;
    contents.summary.uncompressed_size = digests.uncompressed_size;
    contents.summary.compression = Some(compression);
    contents.summary.computed_diff_id = digests.diff_id;
    contents.summary.peak_buffered_bytes = contents.buffered.peak();
    Ok(contents)
}

/// Chooses the digests to compute while reading `layer`: those that check its claims when they
/// are to be checked, and the diff_id when the config claims none, because reports name
/// layers by it.
fn digest_plan(claims: LayerClaims, layer: &Layer) -> DigestPlan {
    let diff_id_algorithm = layer.diff_id.as_ref().map_or(DigestAlgorithm::Sha256, Digest::algorithm);
    match claims {
        LayerClaims::Verified => DigestPlan { blob: layer.digest.as_ref().map(Digest::algorithm), diff_id: Some(diff_id_algorithm) },
        LayerClaims::Trusted | LayerClaims::Unchecked => {
            DigestPlan { blob: None, diff_id: layer.diff_id.is_none().then_some(diff_id_algorithm) }
        }
    }
}

fn verify_layer_digests(layer: &Layer, digests: &crate::blob::LayerDigests) -> Result<(), ImageError> {
    let what = format!("layer {} (`{}`)", layer.index, layer.blob_name());

    if let Some(size) = layer.size
        && size != digests.blob_size
    {
        return Err(ImageError::SizeMismatch { what, expected: size, actual: digests.blob_size });
    }
    if let (Some(expected), Some(actual)) = (&layer.digest, &digests.blob_digest)
        && expected != actual
    {
        return Err(ImageError::DigestMismatch { what, expected: expected.clone(), actual: actual.clone() });
    }
    if let (Some(expected), Some(actual)) = (&layer.diff_id, &digests.diff_id)
        && expected != actual
    {
        return Err(ImageError::DigestMismatch {
            what: format!("the uncompressed content (diff_id) of {what}"),
            expected: expected.clone(),
            actual: actual.clone(),
        });
    }
    Ok(())
}

/// A failure inside the entry loop: an I/O error is mapped by the caller, which can tell whether the
/// byte budget ran out.
pub(crate) enum EntryError {
    Image(ImageError),
    Io(io::Error),
}

impl From<io::Error> for EntryError {
    fn from(error: io::Error) -> Self {
        EntryError::Io(error)
    }
}

/// A hardlink that an analyzer wants, whose target content it has not seen in this layer.
pub(crate) struct PendingLink {
    path: ImagePath,
    target: ImagePath,
    entry: Entry,
    analyzers: Vec<usize>,
}

fn read_entries<R: Skip>(
    context: &WalkContext<'_>,
    layer: &Layer,
    stream: &mut R,
    contents: &mut LayerContents,
    pending_links: &mut Vec<PendingLink>,
) -> Result<(), EntryError> {
    // The tar crate skips the data of entries left unread by seeking, which the layer's chain of
    // readers turns into a skip without reading where it can.
    let mut archive = tar::Archive::new(ForwardSeek::new(TarGuard::new(stream, context.limits.max_extension_bytes)));
    // Which analyzers saw each file of this layer, so that a hardlink to it can reuse the fact.
    let mut seen_paths: std::collections::HashMap<ImagePath, Vec<usize>> = std::collections::HashMap::new();

    for entry in archive.entries_with_seek()? {
        let mut entry = entry?;
        contents.summary.entries += 1;
        context.take_entry(layer.index, || layer.blob_name()).map_err(EntryError::Image)?;

        let Some((path, kind)) = classify(context.limits, layer.index, &entry, contents)? else {
            continue;
        };
        context.take_path_bytes(layer.index, || layer.blob_name(), path.as_bytes().len()).map_err(EntryError::Image)?;
        let header = entry.header();
        let metadata = Entry {
            size: if kind == EntryKind::File { entry.size() } else { 0 },
            mode: header.mode().unwrap_or(0),
            uid: header.uid().unwrap_or(0),
            gid: header.gid().unwrap_or(0),
            kind,
        };

        if metadata.is_file() && metadata.size > context.limits.max_file_bytes {
            return Err(EntryError::Image(ImageError::FileTooLarge {
                layer: layer.index,
                path: path.to_string(),
                size: metadata.size,
                limit: context.limits.max_file_bytes,
            }));
        }
        match &metadata.kind {
            EntryKind::File => {
                let visited = hand_to_analyzers(context, layer.index, &path, &metadata, &mut entry, contents)?;
                if !visited.is_empty() {
                    seen_paths.insert(path.clone(), visited);
                }
            }
            EntryKind::Hardlink { target } => {
                let already_seen = seen_paths.get(target).cloned().unwrap_or_default();
                let analyzers: Vec<usize> = interested_analyzers(context, &path)
                    .filter(|index| !already_seen.contains(index))
                    .collect();
                if !analyzers.is_empty() {
                    let target = target.clone();
                    pending_links.push(PendingLink { path: path.clone(), target, entry: metadata.clone(), analyzers });
                }
            }
            _ => {}
        }
        contents.entries.push((path, metadata));
    }
    Ok(())
}

/// Turns a tar entry into a normalized path and kind, or records a whiteout or a warning and
/// returns `None` for entries that do not appear in the file system.
fn classify<R: Read>(
    limits: &Limits,
    layer: usize,
    entry: &tar::Entry<'_, R>,
    contents: &mut LayerContents,
) -> Result<Option<(ImagePath, EntryKind)>, EntryError> {
    let raw_name = entry.path_bytes();
    if raw_name.len() > limits.max_path_bytes {
        let kind = WarningKind::PathTooLong { length: raw_name.len(), limit: limits.max_path_bytes };
        contents.warn(Warning { layer: Some(layer), path: None, kind });
        return Ok(None);
    }
    let path = match ImagePath::from_tar_name(&raw_name) {
        Ok(path) if path.is_root() => return Ok(None),
        Ok(path) => path,
        Err(escape) => {
            let kind = WarningKind::PathEscape { name: String::from_utf8_lossy(&escape.0).into_owned() };
            contents.warn(Warning { layer: Some(layer), path: None, kind });
            return Ok(None);
        }
    };

    let name = path.file_name();
    if name == OPAQUE_MARKER {
        contents.summary.whiteouts += 1;
        contents.opaque_dirs.push(path.parent().unwrap_or_default());
        return Ok(None);
    }
    if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
        contents.summary.whiteouts += 1;
        // `.wh..wh.*` names other than the opaque marker are aufs bookkeeping, not deletions.
        if !hidden.starts_with(WHITEOUT_PREFIX) && !hidden.is_empty() {
            contents.whiteouts.push(path.parent().unwrap_or_default().join(hidden));
        }
        return Ok(None);
    }

    let link_target = || -> Option<Vec<u8>> { entry.link_name_bytes().map(|name| name.into_owned()) };
    let header_type = entry.header().entry_type();
    let kind = match header_type {
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => EntryKind::File,
        tar::EntryType::Directory => EntryKind::Directory,
        tar::EntryType::Char => EntryKind::CharDevice,
        tar::EntryType::Block => EntryKind::BlockDevice,
        tar::EntryType::Fifo => EntryKind::Fifo,
        tar::EntryType::Symlink => {
            let target = link_target().unwrap_or_default();
            if target.len() > limits.max_path_bytes {
                let kind = WarningKind::PathTooLong { length: target.len(), limit: limits.max_path_bytes };
                contents.warn(warning(layer, &path, kind));
                return Ok(None);
            }
            EntryKind::Symlink { target: target.into_boxed_slice() }
        }
        tar::EntryType::Link => {
            let raw_target = link_target().unwrap_or_default();
            match ImagePath::from_tar_name(&raw_target) {
                Ok(target) if !target.is_root() && raw_target.len() <= limits.max_path_bytes => EntryKind::Hardlink { target },
                _ => {
                    let target = String::from_utf8_lossy(&raw_target).into_owned();
                    contents.warn(warning(layer, &path, WarningKind::HardlinkEscape { target }));
                    return Ok(None);
                }
            }
        }
        other => {
            let kind = WarningKind::UnsupportedEntryType { type_flag: other.as_byte() };
            contents.warn(warning(layer, &path, kind));
            return Ok(None);
        }
    };
    Ok(Some((path, kind)))
}

fn interested_analyzers<'a>(context: &'a WalkContext<'_>, path: &'a ImagePath) -> impl Iterator<Item = usize> + 'a {
    context
        .analyzers
        .iter()
        .enumerate()
        .filter(move |(_, analyzer)| analyzer.interest().matches(path))
        .map(|(index, _)| index)
}

/// Hands one file to every analyzer whose interest matches it and returns their indices,
/// including those that declined the content after a peek.
pub(crate) fn hand_to_analyzers(
    context: &WalkContext<'_>,
    layer: usize,
    path: &ImagePath,
    metadata: &Entry,
    content: &mut dyn Read,
    contents: &mut LayerContents,
) -> io::Result<Vec<usize>> {
    let wanted: Vec<usize> = interested_analyzers(context, path).collect();
    if wanted.is_empty() {
        return Ok(wanted);
    }

    let deliveries = wanted.iter().map(|&analyzer| Delivery { analyzer, info: FileInfo { path, layer, entry: metadata } }).collect();
    let outcomes = deliver(context.analyzers, deliveries, content, &contents.buffered)?;
    for (delivery, outcome) in outcomes {
        record_outcome(delivery.analyzer, context.analyzers[delivery.analyzer], &delivery.info, outcome, contents);
    }
    Ok(wanted)
}

fn record_outcome(
    index: usize,
    analyzer: &dyn Analyzer,
    info: &FileInfo<'_>,
    outcome: Result<Option<Fact>, crate::analyzer::AnalyzerError>,
    contents: &mut LayerContents,
) {
    match outcome {
        Ok(Some(fact)) => contents.facts.push(RawFact { analyzer: index, path: info.path.clone(), fact }),
        Ok(None) => {}
        Err(error) => {
            tracing::debug!(analyzer = analyzer.name(), path = %info.path, %error, "analyzer failed");
            let kind = WarningKind::AnalyzerFailed { analyzer: analyzer.name().to_owned(), message: error.to_string() };
            contents.warn(warning(info.layer, info.path, kind));
        }
    }
}

/// Streams the layer a second time to hand hardlink targets to the analyzers that want the
/// links. Rare: only links whose path an analyzer wants and whose target it did not read.
fn read_hardlink_targets(
    context: &WalkContext<'_>,
    layer: &Layer,
    pending: &[PendingLink],
    contents: &mut LayerContents,
) -> Result<(), ImageError> {
    tracing::debug!(layer = layer.index, links = pending.len(), "second pass for hardlink targets");
    let read_error = |source: io::Error| ImageError::LayerRead { layer: layer.index, blob: layer.blob_name(), after: None, source };

    // The byte budget was already charged for this layer, so the second pass gets its own.
    let budget = ByteBudget::new(context.limits.max_image_bytes);
    let blob = context.image.store.open_blob(&layer.blob).map_err(read_error)?.cursor();
    let plan = DigestPlan { blob: None, diff_id: None };
    let mut stream = LayerStream::open(blob, plan, &budget).map_err(read_error)?;
    let mut archive = tar::Archive::new(TarGuard::new(&mut stream, context.limits.max_extension_bytes));

    let mut by_target: std::collections::HashMap<&ImagePath, Vec<&PendingLink>> = std::collections::HashMap::new();
    for link in pending {
        by_target.entry(&link.target).or_default().push(link);
    }

    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let Ok(path) = ImagePath::from_tar_name(&entry.path_bytes()) else { continue };
        let Some(links) = by_target.get(&path) else { continue };
        let links = links.clone();

        let size = entry.size();
        let linked: Vec<Entry> = links.iter().map(|link| Entry { kind: EntryKind::File, size, ..link.entry.clone() }).collect();
        let deliveries = links
            .iter()
            .zip(&linked)
            .flat_map(|(link, entry)| {
                let info = FileInfo { path: &link.path, layer: layer.index, entry };
                link.analyzers.iter().map(move |&analyzer| Delivery { analyzer, info })
            })
            .collect();
        let outcomes = deliver(context.analyzers, deliveries, &mut entry, &contents.buffered).map_err(read_error)?;
        for (delivery, outcome) in outcomes {
            record_outcome(delivery.analyzer, context.analyzers[delivery.analyzer], &delivery.info, outcome, contents);
        }
    }
    Ok(())
}

pub(crate) fn warning(layer: usize, path: &ImagePath, kind: WarningKind) -> Warning {
    Warning { layer: Some(layer), path: Some(path.clone()), kind }
}
