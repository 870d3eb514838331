//! The layer analysis cache: what the analyzers found in each layer, kept by the layer's digest
//! so that a second walk of the layer, in the same image or in another one built on it, reads
//! nothing from the blob.
//!
//! An entry contains everything a walk draws from one layer: its entries, whiteouts, warnings,
//! summary and the analyzers' facts. Its file name is the SHA-256 of a key made of the layer
//! digest that the walk verified while reading it, the walker's limits, and each analyzer's name,
//! interest and [`FactCodec`] version. A walk with other analyzers or other limits therefore
//! looks for other files.
//!
//! A layer is named in the key by what vouches for its content (see [`LayerClaims`]):
//!
//! - a digest, which names content, so a hit stands for the very bytes that were read when the
//!   entry was written. Such an entry is written under a digest the read verified (or that the
//!   Docker Engine computed), and looked up by the digest the image's manifest (or, without one,
//!   its config) claims for the layer. An image whose blob does not match its claimed digest is
//!   therefore caught on a cache miss only.
//! - for a docker-archive, whose digests are unchecked claims, the archive file's identity on
//!   disk and the member's place in it. Such an entry is written only when the file did not
//!   change while it was read, and a hit needs the same file, unchanged since.
//!
//! Entries are written to a temporary file and renamed into place, so several stowaway
//! processes can share the folder without a lock and a reader never sees a partial entry. An
//! entry that cannot be read back is removed and the layer is read again.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use stowaway_model::Digest;

use crate::analyzer::{Analyzer, AnalyzerError};
use crate::fact_codec::FactCodec;
use crate::layer::{LayerContents, LayerSummary, RawFact};
use crate::lru::{CacheUsage, evict_least_recently_used, folder_usage, remove_files};
use crate::source::{BlobLocation, BlobStore, Image, Layer, LayerClaims};
use crate::{Entry, EntryKind, ImagePath, Limits, Warning};

/// Changes whenever the layout of [`CachedLayer`] or the walker's reading rules change.
const FORMAT: &str = "stowaway-layer-analysis/2";

/// Maximum size of one decompressed entry. An entry is written by stowaway itself, so
/// only a damaged or planted file reaches this.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The file name suffix of entries.
const SUFFIX: &str = ".cbor.zst";

/// A folder of per-layer analysis results.
#[derive(Clone, Debug)]
pub struct AnalysisCache {
    root: PathBuf,
    max_bytes: u64,
}

/// The cache key of one walk configuration: the analyzers and the limits, without the layer.
#[derive(Clone, Debug)]
pub(crate) struct WalkKey<'a> {
    text: String,
    codecs: Vec<&'a FactCodec>,
}

impl AnalysisCache {
    /// Uses `root` as the cache folder, created on the first write, and keeps its entries to
    /// about `max_bytes` in all.
    pub fn new(root: impl Into<PathBuf>, max_bytes: u64) -> AnalysisCache {
        AnalysisCache { root: root.into(), max_bytes }
    }

    /// Returns the cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Counts the entries and their bytes.
    pub fn usage(&self) -> io::Result<CacheUsage> {
        folder_usage(&self.root, is_entry)
    }

    /// Removes every entry, and temporary files left by interrupted writes, and returns what was
    /// removed. Entries that another process writes meanwhile may stay.
    pub fn clean(&self) -> io::Result<CacheUsage> {
        remove_files(&self.root, |name| is_entry(name) || name.starts_with(".partial-"))
    }

    /// Returns the layer's cached contents under the name the image gives it (see
    /// [`lookup_name`]), or `None`. A damaged entry is removed.
    pub(crate) fn load(&self, walk: &WalkKey<'_>, image: &Image, layer: &Layer) -> Option<LayerContents> {
        let name = lookup_name(image, layer)?;
        let key = walk.layer_key(&name);
        let path = self.entry_path(&key);
        match read_entry(&path, &key, &walk.codecs) {
            Ok(Some(mut contents)) => {
                // The modification time orders entries for eviction, so a hit counts as a use.
                if let Ok(file) = File::options().append(true).open(&path) {
                    let _ = file.set_modified(SystemTime::now());
                }
                contents.summary.index = layer.index;
                contents.summary.peak_buffered_bytes = 0;
                tracing::debug!(layer = layer.index, name, "layer analysis read from the cache");
                Some(contents)
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "removing a damaged entry from the analysis cache");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores what a walk read from a layer, when something vouches for the content that was
    /// read (see [`store_name`]), and returns whether it stored it. Failures are logged only, because a
    /// scan does not need the cache to succeed.
    pub(crate) fn store(&self, walk: &WalkKey<'_>, image: &Image, layer: &Layer, contents: &LayerContents) -> bool {
        let Some(name) = store_name(image, layer, contents) else {
            tracing::debug!(layer = layer.index, "nothing vouches for the layer's content; not caching its analysis");
            return false;
        };
        let key = walk.layer_key(&name);
        if let Err(error) = self.write_entry(&key, walk, contents) {
            tracing::warn!(folder = %self.root.display(), %error, "failed to write to the analysis cache");
            return false;
        }
        true
    }

    /// Removes the least recently used entries until the cache is within its bound.
    pub(crate) fn evict(&self) {
        let removed = evict_least_recently_used(&self.root, self.max_bytes, &[]);
        if removed > 0 {
            tracing::debug!(removed, "analysis cache trimmed");
        }
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        let digest = Digest::sha256_of(key.as_bytes());
        self.root.join(format!("{}{SUFFIX}", digest.encoded()))
    }

    fn write_entry(&self, key: &str, walk: &WalkKey<'_>, contents: &LayerContents) -> Result<(), AnalyzerError> {
        let cached = CachedLayer::from_contents(key, &walk.codecs, contents)?;

        fs::create_dir_all(&self.root)?;
        let mut file = tempfile::Builder::new().prefix(".partial-").tempfile_in(&self.root)?;
        {
            let mut encoder = zstd::Encoder::new(&mut file, 3)?;
            ciborium::into_writer(&cached, &mut encoder)?;
            encoder.finish()?.flush()?;
        }
        file.persist(self.entry_path(key)).map_err(|error| error.error)?;
        Ok(())
    }
}

impl<'a> WalkKey<'a> {
    /// Builds the key of a walk, or returns `None` when an analyzer has no fact codec, because
    /// then its facts cannot be stored.
    pub(crate) fn new(analyzers: &[&'a dyn Analyzer], limits: &Limits) -> Option<WalkKey<'a>> {
        let mut text = format!("{FORMAT}\nlimits {limits:?}\n");
        let mut codecs = Vec::with_capacity(analyzers.len());
        for analyzer in analyzers {
            let codec = analyzer.fact_codec()?;
            let interest = analyzer.interest();
            let _ = writeln!(
                text,
                "analyzer {} codec {} max_read {} patterns {:?} whole {}",
                analyzer.name(),
                codec.version(),
                interest.max_read(),
                interest.patterns(),
                analyzer.reads_whole_files()
            );
            codecs.push(codec);
        }
        Some(WalkKey { text, codecs })
    }

    fn layer_key(&self, layer_name: &str) -> String {
        format!("{}layer {layer_name}\n", self.text)
    }
}

fn is_entry(name: &str) -> bool {
    name.ends_with(SUFFIX)
}

fn read_entry(path: &Path, key: &str, codecs: &[&FactCodec]) -> Result<Option<LayerContents>, AnalyzerError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    // Decoding from memory is several times faster than decoding from the zstd stream, which
    // CBOR would read a few bytes at a time.
    let mut bytes = Vec::new();
    zstd::Decoder::new(BufReader::new(file))?.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes)?;
    let cached: CachedLayer = ciborium::from_reader(bytes.as_slice())?;
    if cached.key != key {
        return Err("the entry was written for another key".into());
    }
    cached.into_contents(codecs).map(Some)
}

/// One layer's contents as stored. Paths are CBOR byte strings, because tar names need not be
/// UTF-8.
#[derive(Serialize, Deserialize)]
struct CachedLayer {
    key: String,
    entries: Vec<CachedEntry>,
    whiteouts: Vec<ByteBuf>,
    opaque_dirs: Vec<ByteBuf>,
    warnings: Vec<Warning>,
    suppressed_warnings: u64,
    facts: Vec<CachedFact>,
    summary: LayerSummary,
}

#[derive(Serialize, Deserialize)]
struct CachedEntry {
    #[serde(with = "serde_bytes")]
    path: Vec<u8>,
    kind: CachedKind,
    size: u64,
    mode: u32,
    uid: u64,
    gid: u64,
}

#[derive(Serialize, Deserialize)]
enum CachedKind {
    File,
    Directory,
    Symlink(#[serde(with = "serde_bytes")] Vec<u8>),
    Hardlink(#[serde(with = "serde_bytes")] Vec<u8>),
    CharDevice,
    BlockDevice,
    Fifo,
}

#[derive(Serialize, Deserialize)]
struct CachedFact {
    analyzer: usize,
    #[serde(with = "serde_bytes")]
    path: Vec<u8>,
    #[serde(with = "serde_bytes")]
    fact: Vec<u8>,
}

impl CachedLayer {
    fn from_contents(key: &str, codecs: &[&FactCodec], contents: &LayerContents) -> Result<CachedLayer, AnalyzerError> {
        let entries = contents.entries.iter().map(|(path, entry)| CachedEntry::new(path, entry)).collect();
        let mut facts = Vec::with_capacity(contents.facts.len());
        for raw in &contents.facts {
            let codec = codecs.get(raw.analyzer).ok_or("fact of an unknown analyzer")?;
            facts.push(CachedFact { analyzer: raw.analyzer, path: raw.path.as_bytes().to_vec(), fact: codec.encode(&raw.fact)? });
        }
        Ok(CachedLayer {
            key: key.to_owned(),
            entries,
            whiteouts: contents.whiteouts.iter().map(|path| ByteBuf::from(path.as_bytes())).collect(),
            opaque_dirs: contents.opaque_dirs.iter().map(|path| ByteBuf::from(path.as_bytes())).collect(),
            warnings: contents.warnings.clone(),
            suppressed_warnings: contents.suppressed_warnings,
            facts,
            summary: contents.summary.clone(),
        })
    }

    fn into_contents(self, codecs: &[&FactCodec]) -> Result<LayerContents, AnalyzerError> {
        let mut contents = LayerContents {
            whiteouts: self.whiteouts.iter().map(|path| image_path(path)).collect::<Result<_, _>>()?,
            opaque_dirs: self.opaque_dirs.iter().map(|path| image_path(path)).collect::<Result<_, _>>()?,
            warnings: self.warnings,
            suppressed_warnings: self.suppressed_warnings,
            summary: self.summary,
            ..LayerContents::default()
        };
        contents.entries.reserve(self.entries.len());
        for entry in self.entries {
            contents.entries.push(entry.into_entry()?);
        }
        contents.facts.reserve(self.facts.len());
        for fact in self.facts {
            let codec = codecs.get(fact.analyzer).ok_or("fact of an unknown analyzer")?;
            contents.facts.push(RawFact { analyzer: fact.analyzer, path: image_path(&fact.path)?, fact: codec.decode(&fact.fact)? });
        }
        Ok(contents)
    }
}

impl CachedEntry {
    fn new(path: &ImagePath, entry: &Entry) -> CachedEntry {
        let kind = match &entry.kind {
            EntryKind::File => CachedKind::File,
            EntryKind::Directory => CachedKind::Directory,
            EntryKind::Symlink { target } => CachedKind::Symlink(target.to_vec()),
            EntryKind::Hardlink { target } => CachedKind::Hardlink(target.as_bytes().to_vec()),
            EntryKind::CharDevice => CachedKind::CharDevice,
            EntryKind::BlockDevice => CachedKind::BlockDevice,
            EntryKind::Fifo => CachedKind::Fifo,
        };
        CachedEntry { path: path.as_bytes().to_vec(), kind, size: entry.size, mode: entry.mode, uid: entry.uid, gid: entry.gid }
    }

    fn into_entry(self) -> Result<(ImagePath, Entry), AnalyzerError> {
        let kind = match self.kind {
            CachedKind::File => EntryKind::File,
            CachedKind::Directory => EntryKind::Directory,
            CachedKind::Symlink(target) => EntryKind::Symlink { target: target.into_boxed_slice() },
            CachedKind::Hardlink(target) => EntryKind::Hardlink { target: image_path(&target)? },
            CachedKind::CharDevice => EntryKind::CharDevice,
            CachedKind::BlockDevice => EntryKind::BlockDevice,
            CachedKind::Fifo => EntryKind::Fifo,
        };
        let entry = Entry { kind, size: self.size, mode: self.mode, uid: self.uid, gid: self.gid };
        Ok((image_path(&self.path)?, entry))
    }
}

/// Rebuilds a path, rejecting one that the walker could not have produced.
fn image_path(bytes: &[u8]) -> Result<ImagePath, AnalyzerError> {
    let path = ImagePath::from_tar_name(bytes)?;
    if path.as_bytes() != bytes {
        return Err(format!("path `{}` is not in normal form", String::from_utf8_lossy(bytes)).into());
    }
    Ok(path)
}

/// Returns the name to look a layer's analysis up by, before reading it.
fn lookup_name(image: &Image, layer: &Layer) -> Option<String> {
    match image.claims {
        LayerClaims::Verified | LayerClaims::Trusted => key_digest(layer).map(|digest| format!("digest {digest}")),
        LayerClaims::Unchecked => archive_member_name(image, layer),
    }
}

/// Returns the name to store a layer's analysis under after reading it, or `None` when nothing
/// vouches that the content read is the content the name identifies.
fn store_name(image: &Image, layer: &Layer, contents: &LayerContents) -> Option<String> {
    match image.claims {
        LayerClaims::Verified => contents.verified_digest.as_ref().map(|digest| format!("digest {digest}")),
        LayerClaims::Trusted => key_digest(layer).map(|digest| format!("digest {digest}")),
        LayerClaims::Unchecked => match &image.store {
            // A file changed during the read may have been read partly old and partly new.
            BlobStore::Archive(index) if index.unchanged() => archive_member_name(image, layer),
            _ => None,
        },
    }
}

/// Names a layer of an archive by the archive file's identity and the member's place in it,
/// while the file had settled when it was indexed.
fn archive_member_name(image: &Image, layer: &Layer) -> Option<String> {
    let (BlobStore::Archive(index), BlobLocation::Member(member)) = (&image.store, &layer.blob) else {
        return None;
    };
    if !index.settled() {
        return None;
    }
    let (offset, size) = index.member_range(member)?;
    let claimed = layer.diff_id.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string);
    Some(format!("archive {} member {offset}+{size} diff_id {claimed}", index.identity().key_text()))
}

/// Returns the digest a layer's analysis is kept under: the blob digest when the manifest gives
/// one, else the diff_id from the config.
///
/// A layer with a blob digest is never looked up by its diff_id, because a walk that verifies
/// the blob digest skips hashing the uncompressed tar. A config could otherwise claim the
/// diff_id of a harmless layer seen before, and have its own layer go unread.
fn key_digest(layer: &Layer) -> Option<&Digest> {
    layer.digest.as_ref().or(layer.diff_id.as_ref())
}

/// Returns the digest to store the layer's analysis under when the read computed that digest
/// from the content and it matched the claim, else `None`.
pub(crate) fn verified_digest(layer: &Layer, computed_blob: Option<&Digest>, computed_diff_id: Option<&Digest>) -> Option<Digest> {
    let computed = if layer.digest.is_some() { computed_blob } else { computed_diff_id };
    match (key_digest(layer), computed) {
        (Some(claimed), Some(computed)) if claimed == computed => Some(claimed.clone()),
        _ => None,
    }
}
