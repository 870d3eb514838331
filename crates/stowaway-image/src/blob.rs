//! Blob streams: compression sniffing, digests computed while the bytes pass, and the shared
//! budget of uncompressed bytes.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use stowaway_model::{Digest, DigestAlgorithm};

use crate::blob_buffer::BlobBuffer;
use crate::hash_thread::DigestState;
use crate::read_ahead::ReadAhead;
use crate::skip::{Skip, skip_by_reading};

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

impl<R: Skip> Skip for HashingReader<R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        if self.digest.is_some() {
            return skip_by_reading(self, bytes);
        }
        self.inner.skip(bytes)?;
        self.bytes += bytes;
        Ok(())
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

impl<R: Skip> Skip for Decompressor<BlobBuffer<R>> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        match self {
            Decompressor::Plain(reader) => reader.skip(bytes),
            Decompressor::Gzip(_) | Decompressor::Zstd(_) => skip_by_reading(self, bytes),
        }
    }
}

/// A layer's uncompressed bytes: read where a plain layer is, or, for a compressed layer, from a
/// thread that decompresses ahead of the reader.
enum Uncompressed<R: Read> {
    Direct(Decompressed<R>),
    Ahead(ReadAhead<Decompressed<R>>),
}

impl<R: Read> Read for Uncompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Uncompressed::Direct(reader) => reader.read(buf),
            Uncompressed::Ahead(reader) => reader.read(buf),
        }
    }
}

impl<R: Skip> Skip for Uncompressed<R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        match self {
            Uncompressed::Direct(reader) => reader.skip(bytes),
            Uncompressed::Ahead(reader) => reader.skip(bytes),
        }
    }
}

impl<R: Read + Send + 'static> Uncompressed<R> {
    /// Returns the decompressor once the stream is read to its end.
    fn into_decompressed(self) -> io::Result<Decompressed<R>> {
        match self {
            Uncompressed::Direct(reader) => Ok(reader),
            Uncompressed::Ahead(reader) => reader.finish(),
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

impl<R: Skip> Skip for Budgeted<'_, R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        // Skipped bytes count as read, so a limit means the same whether analyzers want the
        // files or not.
        if !self.budget.take(bytes) {
            self.exhausted = true;
            return Err(io::Error::other(BudgetExhausted));
        }
        self.inner.skip(bytes)
    }
}

type RawStream<R> = HashingReader<R>;
type Decompressed<R> = Decompressor<BlobBuffer<RawStream<R>>>;

/// The uncompressed tar stream of one layer, with the digests of both the stored blob and the
/// uncompressed tar computed on the way.
pub(crate) struct LayerStream<'b, R: Read> {
    inner: HashingReader<Budgeted<'b, Uncompressed<R>>>,
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

impl<'b, R: Read + Send + 'static> LayerStream<'b, R> {
    pub(crate) fn open(blob: R, plan: DigestPlan, budget: &'b ByteBudget) -> io::Result<Self> {
        let mut buffered = BlobBuffer::with_capacity(BLOB_BUFFER_BYTES, HashingReader::new(blob, plan.blob));
        let compression = Compression::sniff(buffered.fill_buf()?);

        let decompressor = match compression {
            Compression::None => Decompressor::Plain(buffered),
            Compression::Gzip => Decompressor::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered))),
            Compression::Zstd => Decompressor::Zstd(Box::new(zstd::Decoder::with_buffer(buffered)?)),
        };
        // Inflating takes most of a compressed layer's read time, so it gets a thread of its
        // own, which the tar parsing and the analyzers on this thread then keep pace with.
        let uncompressed = match compression {
            Compression::None => Uncompressed::Direct(decompressor),
            Compression::Gzip | Compression::Zstd => Uncompressed::Ahead(ReadAhead::start(decompressor)?),
        };
        let budgeted = Budgeted { inner: uncompressed, budget, exhausted: false };

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
        let mut buffered = budgeted.inner.into_decompressed()?.into_inner();
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

impl<R: Skip> Skip for LayerStream<'_, R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        self.inner.skip(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Seek, SeekFrom};
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::skip::ForwardSeek;

    /// Builds a plain tar with a small file and a large one.
    fn plain_tar(large: usize) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, size) in [("small", 10), ("large", large)] {
            let mut header = tar::Header::new_gnu();
            header.set_size(size as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, name, vec![7u8; size].as_slice()).unwrap();
        }
        builder.into_inner().unwrap()
    }

    /// Reads a slice and counts the bytes read, skipping by moving its position.
    struct CountingReader {
        bytes: Vec<u8>,
        position: usize,
        read: Arc<AtomicUsize>,
    }

    impl CountingReader {
        fn new(bytes: Vec<u8>) -> (CountingReader, Arc<AtomicUsize>) {
            let read = Arc::new(AtomicUsize::new(0));
            (CountingReader { bytes, position: 0, read: Arc::clone(&read) }, read)
        }
    }

    impl Read for CountingReader {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let count = (&self.bytes[self.position.min(self.bytes.len())..]).read(buffer)?;
            self.position += count;
            self.read.fetch_add(count, Ordering::Relaxed);
            Ok(count)
        }
    }

    impl Skip for CountingReader {
        fn skip(&mut self, bytes: u64) -> io::Result<()> {
            self.position += bytes as usize;
            Ok(())
        }
    }

    /// Lists the entries of a layer stream without reading any entry's data, and returns the
    /// bytes read from the blob and the uncompressed size the stream counted.
    fn list_entries(blob: Vec<u8>, plan: DigestPlan) -> (usize, u64) {
        let budget = ByteBudget::new(u64::MAX);
        let (source, read) = CountingReader::new(blob);
        let mut stream = LayerStream::open(source, plan, &budget).unwrap();
        let mut archive = tar::Archive::new(ForwardSeek::new(&mut stream));
        let names: Vec<String> = archive
            .entries_with_seek()
            .unwrap()
            .map(|entry| entry.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["small", "large"]);
        let digests = stream.finish().unwrap();
        (read.load(Ordering::Relaxed), digests.uncompressed_size)
    }

    #[test]
    fn plain_layer_without_digests_skips_unread_data() {
        let tar = plain_tar(8 << 20);
        let total = tar.len();

        let (read, size) = list_entries(tar.clone(), DigestPlan { blob: None, diff_id: None });
        let (read_hashed, _) = list_entries(tar, DigestPlan { blob: None, diff_id: Some(DigestAlgorithm::Sha256) });

        assert!(read < 2 * BLOB_BUFFER_BYTES, "read {read} of {total} bytes");
        assert_eq!(size, total as u64);
        assert_eq!(read_hashed, total);
    }

    #[test]
    fn gzip_layer_is_read_whole_through_the_thread() {
        let tar = plain_tar(1 << 20);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut encoder, &tar).unwrap();
        let compressed = encoder.finish().unwrap();
        let total = compressed.len();

        let (read, size) = list_entries(compressed, DigestPlan { blob: None, diff_id: None });

        assert_eq!(read, total);
        assert_eq!(size, tar.len() as u64);
    }

    #[test]
    fn forward_seek_rejects_moving_back() {
        let budget = ByteBudget::new(u64::MAX);
        let (source, _) = CountingReader::new(plain_tar(10));
        let stream = LayerStream::open(source, DigestPlan { blob: None, diff_id: None }, &budget).unwrap();
        let mut seekable = ForwardSeek::new(stream);

        assert!(seekable.seek(SeekFrom::Current(-1)).is_err());
        assert_eq!(seekable.seek(SeekFrom::Current(512)).unwrap(), 512);
    }
}
