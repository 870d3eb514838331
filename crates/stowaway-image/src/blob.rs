//! Blob streams: compression sniffing, digests computed while the bytes pass, and the shared
//! budget of uncompressed bytes.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use stowaway_model::{Digest, DigestAlgorithm};

use crate::hash_thread::DigestState;

/// The compression of a layer blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip, possibly in several members.
    Gzip,
    /// Zstandard.
    Zstd,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

impl Compression {
    /// Detects the compression from the first bytes of a blob. Media types are only a hint,
    /// because registries and tools are known to label gzip layers as plain tar and back.
    pub fn sniff(prefix: &[u8]) -> Compression {
        if prefix.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if prefix.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// Returns the compression a layer media type declares, or `None` for a media type that is
    /// not a layer.
    pub fn from_media_type(media_type: &str) -> Option<Compression> {
        let compression = match media_type {
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Compression::None,
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Compression::Gzip,
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Compression::Zstd,
            _ => return None,
        };
        Some(compression)
    }
}

/// A reader that feeds every byte it passes through a digest, computed on a thread of its own,
/// and counts them.
pub(crate) struct HashingReader<R> {
    inner: R,
    digest: Option<DigestState>,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R, algorithm: Option<DigestAlgorithm>) -> Self {
        HashingReader { inner, digest: algorithm.map(DigestState::start), bytes: 0 }
    }

    /// Reads the rest of the stream, so the digest covers all of it, and returns the digest, the
    /// byte count and the inner reader.
    pub(crate) fn finish(mut self) -> io::Result<(Option<Digest>, u64, R)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = self.digest.map(DigestState::finish).transpose()?;
        Ok((digest, self.bytes, self.inner))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(digest) = &mut self.digest {
            digest.update(&buf[..read]);
        }
        self.bytes += read as u64;
        Ok(read)
    }
}

/// The uncompressed bytes that all layers of one image may still produce, shared by the layers
/// read in parallel.
#[derive(Debug)]
pub(crate) struct ByteBudget {
    remaining: AtomicU64,
}

/// Marker error raised inside a layer stream when the [`ByteBudget`] runs out.
#[derive(Debug, thiserror::Error)]
#[error("uncompressed byte limit reached")]
pub(crate) struct BudgetExhausted;

impl ByteBudget {
    pub(crate) fn new(limit: u64) -> Self {
        ByteBudget { remaining: AtomicU64::new(limit) }
    }

    pub(crate) fn take(&self, bytes: u64) -> bool {
        self.remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(bytes))
            .is_ok()
    }
}

/// The decompressor chosen for one layer.
enum Decompressor<R: BufRead> {
    Plain(R),
    Gzip(Box<flate2::bufread::MultiGzDecoder<R>>),
    Zstd(Box<zstd::Decoder<'static, R>>),
}

impl<R: BufRead> Read for Decompressor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decompressor::Plain(reader) => reader.read(buf),
            Decompressor::Gzip(reader) => reader.read(buf),
            Decompressor::Zstd(reader) => reader.read(buf),
        }
    }
}

impl<R: BufRead> Decompressor<R> {
    fn into_inner(self) -> R {
        match self {
            Decompressor::Plain(reader) => reader,
            Decompressor::Gzip(reader) => reader.into_inner(),
            Decompressor::Zstd(reader) => reader.finish(),
        }
    }
}

/// Decompressed bytes of one layer, charged to the image's byte budget.
pub(crate) struct Budgeted<'b, R> {
    inner: R,
    budget: &'b ByteBudget,
    pub(crate) exhausted: bool,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if !self.budget.take(read as u64) {
            self.exhausted = true;
            return Err(io::Error::other(BudgetExhausted));
        }
        Ok(read)
    }
}

type RawStream<R> = HashingReader<R>;
type Decompressed<R> = Decompressor<BufReader<RawStream<R>>>;

/// The uncompressed tar stream of one layer, with the digests of both the stored blob and the
/// uncompressed tar computed on the way.
pub(crate) struct LayerStream<'b, R: Read> {
    inner: HashingReader<Budgeted<'b, Decompressed<R>>>,
    compression: Compression,
}

/// The digests and sizes of a layer once it is read to the end.
#[derive(Debug)]
pub(crate) struct LayerDigests {
    pub(crate) blob_digest: Option<Digest>,
    pub(crate) blob_size: u64,
    pub(crate) diff_id: Option<Digest>,
    pub(crate) uncompressed_size: u64,
}

/// The digests to compute while reading a layer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DigestPlan {
    pub(crate) blob: Option<DigestAlgorithm>,
    pub(crate) diff_id: Option<DigestAlgorithm>,
}

/// Read buffer of the compressed stream. It is large enough that the decompressor rarely waits on a
/// system call, and small enough to keep memory flat with layers read in parallel.
const BLOB_BUFFER_BYTES: usize = 256 * 1024;

impl<'b, R: Read> LayerStream<'b, R> {
    pub(crate) fn open(blob: R, plan: DigestPlan, budget: &'b ByteBudget) -> io::Result<Self> {
        let mut buffered = BufReader::with_capacity(BLOB_BUFFER_BYTES, HashingReader::new(blob, plan.blob));
        let compression = Compression::sniff(buffered.fill_buf()?);

        let decompressor = match compression {
            Compression::None => Decompressor::Plain(buffered),
            Compression::Gzip => Decompressor::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered))),
            Compression::Zstd => Decompressor::Zstd(Box::new(zstd::Decoder::with_buffer(buffered)?)),
        };
        let budgeted = Budgeted { inner: decompressor, budget, exhausted: false };

        // A verified blob digest already fixes every uncompressed byte, and hashing the
        // uncompressed tar as well costs a quarter of a gzip layer's read time. So the diff_id
        // is computed only when no blob digest is known (docker-archive layers), and for a plain
        // tar the blob digest is the diff_id.
        // NOTE: a layout whose config lists a diff_id that does not match its own verified
        // blob is therefore not detected. Such an image is malformed, not tampered with.
        let diff_id_algorithm = match plan.blob {
            Some(_) => None,
            None => plan.diff_id,
        };
        Ok(LayerStream { inner: HashingReader::new(budgeted, diff_id_algorithm), compression })
    }

    pub(crate) fn compression(&self) -> Compression {
        self.compression
    }

    pub(crate) fn budget_exhausted(&self) -> bool {
        self.inner.inner.exhausted
    }

    /// Reads both streams to their ends and returns the digests.
    pub(crate) fn finish(self) -> io::Result<LayerDigests> {
        let compression = self.compression;
        let (diff_id, uncompressed_size, budgeted) = self.inner.finish()?;

        // Bytes after the end of the compressed stream still belong to the blob and its digest.
        let mut buffered = budgeted.inner.into_inner();
        io::copy(&mut buffered, &mut io::sink())?;
        let (blob_digest, blob_size, _) = buffered.into_inner().finish()?;

        let diff_id = match compression {
            Compression::None => diff_id.or_else(|| blob_digest.clone()),
            Compression::Gzip | Compression::Zstd => diff_id,
        };
        Ok(LayerDigests { blob_digest, blob_size, diff_id, uncompressed_size })
    }
}

impl<R: Read> Read for LayerStream<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
