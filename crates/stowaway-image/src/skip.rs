//! Skipping over the data of tar entries that no analyzer wants.
//!
//! Each reader of a layer's chain skips in its own way. A blob read with positional reads moves
//! its position, and a plain layer passes the skip down when no digest needs the bytes. A
//! decompressor or a digest reads the bytes and drops them. On a plain layer whose digests are
//! not computed (a docker-archive's, by default), only the tar headers and the files that
//! analyzers want are then read from the file at all.

use std::io::{self, Read, Seek, SeekFrom};

/// A reader that can pass over bytes without handing them to the caller.
pub(crate) trait Skip: Read {
    /// Passes over the next `bytes` bytes, failing with `UnexpectedEof` when the stream ends
    /// first.
    fn skip(&mut self, bytes: u64) -> io::Result<()>;
}

/// Skips by reading into a scratch buffer, for readers that must see every byte.
pub(crate) fn skip_by_reading<R: Read + ?Sized>(reader: &mut R, mut bytes: u64) -> io::Result<()> {
    let mut scratch = [0u8; 32 * 1024];
    while bytes > 0 {
        let count = bytes.min(scratch.len() as u64) as usize;
        let read = reader.read(&mut scratch[..count])?;
        if read == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the stream ended inside data it was skipping"));
        }
        bytes -= read as u64;
    }
    Ok(())
}

impl<R: Skip + ?Sized> Skip for &mut R {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        (**self).skip(bytes)
    }
}

/// Offers a [`Skip`] reader to the `tar` crate as a seekable one, which is how that crate skips
/// entry data. Only forward moves from the current position are supported, and the crate makes
/// no other.
pub(crate) struct ForwardSeek<R> {
    inner: R,
    position: u64,
}

impl<R: Skip> ForwardSeek<R> {
    pub(crate) fn new(inner: R) -> Self {
        ForwardSeek { inner, position: 0 }
    }
}

impl<R: Skip> Read for ForwardSeek<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: Skip> Seek for ForwardSeek<R> {
    fn seek(&mut self, target: SeekFrom) -> io::Result<u64> {
        let forward = match target {
            SeekFrom::Current(delta) => u64::try_from(delta).ok(),
            SeekFrom::Start(offset) => offset.checked_sub(self.position),
            SeekFrom::End(_) => None,
        };
        let Some(forward) = forward else {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "a layer stream only moves forward"));
        };
        self.inner.skip(forward)?;
        self.position += forward;
        Ok(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a slice, and skips by moving its position, counting the bytes it skipped.
    struct Counting<'a> {
        bytes: &'a [u8],
        skipped: u64,
    }

    impl Read for Counting<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            self.bytes.read(buffer)
        }
    }

    impl Skip for Counting<'_> {
        fn skip(&mut self, bytes: u64) -> io::Result<()> {
            let Some(rest) = self.bytes.get(bytes as usize..) else {
                return Err(io::ErrorKind::UnexpectedEof.into());
            };
            self.bytes = rest;
            self.skipped += bytes;
            Ok(())
        }
    }

    #[test]
    fn forward_seek_skips_and_counts() {
        let mut stream = ForwardSeek::new(Counting { bytes: b"0123456789", skipped: 0 });
        let mut two = [0u8; 2];

        stream.read_exact(&mut two).unwrap();
        let position = stream.seek(SeekFrom::Current(5)).unwrap();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();

        assert_eq!(&two, b"01");
        assert_eq!(position, 7);
        assert_eq!(rest, b"789");
        assert_eq!(stream.inner.skipped, 5);
        assert!(stream.seek(SeekFrom::Current(-1)).is_err());
    }

    #[test]
    fn skip_past_end_is_an_error() {
        let mut bytes: &[u8] = b"abc";
        let error = skip_by_reading(&mut bytes, 5).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }
}
