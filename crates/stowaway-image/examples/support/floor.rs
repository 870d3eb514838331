//! The decompression floor: a layer blob decompressed into a sink with the same decoders the
//! walker uses (flate2 with the zlib-rs backend for gzip, zstd for zstd, a plain copy for plain
//! tars), and no digest, tar parsing or analyzer. The `inflate` example and the `read_layers`
//! bench both measure against it.

use std::io::{self, BufRead};

use stowaway_image::Compression;

/// Read buffer of the floor, the same size the walker uses for compressed blobs.
pub const BLOB_BUFFER_BYTES: usize = 256 * 1024;

/// Decompresses one blob, whose compression is sniffed from its first bytes, into a sink and
/// returns the uncompressed size.
pub fn decompress(mut blob: impl BufRead) -> io::Result<u64> {
    match Compression::sniff(blob.fill_buf()?) {
        Compression::None => io::copy(&mut blob, &mut io::sink()),
        Compression::Gzip => io::copy(&mut flate2::bufread::MultiGzDecoder::new(blob), &mut io::sink()),
        Compression::Zstd => io::copy(&mut zstd::Decoder::with_buffer(blob)?, &mut io::sink()),
    }
}
