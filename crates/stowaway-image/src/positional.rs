//! A layer blob read with positional reads: a file, a byte range of an archive file, or bytes in
//! memory. Every member of an archive is read this way from the one file handle that the archive
//! was indexed and identified through, so each layer gets a cursor of its own without opening the
//! path again.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

use crate::skip::Skip;

/// A blob readable at any offset, by several threads at once.
#[derive(Clone, Debug)]
pub(crate) enum PositionalBlob {
    /// `len` bytes of `file` from `offset`: a whole blob file, or one member of an archive.
    File { file: Arc<File>, offset: u64, len: u64 },
    /// A blob held in memory.
    Memory(Arc<[u8]>),
}

impl PositionalBlob {
    /// Takes the whole of `file`, at its size now.
    pub(crate) fn whole_file(file: File) -> io::Result<PositionalBlob> {
        let len = file.metadata()?.len();
        Ok(PositionalBlob::File { file: Arc::new(file), offset: 0, len })
    }

    /// Returns the blob's size in bytes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            PositionalBlob::File { len, .. } => *len,
            PositionalBlob::Memory(bytes) => bytes.len() as u64,
        }
    }

    /// Reads into `buffer` from `position` within the blob, returning 0 only at its end.
    pub(crate) fn read_at(&self, position: u64, buffer: &mut [u8]) -> io::Result<usize> {
        let left = self.len().saturating_sub(position);
        let count = buffer.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if count == 0 {
            return Ok(0);
        }
        match self {
            PositionalBlob::File { file, offset, .. } => {
                let read = read_file_at(file, &mut buffer[..count], offset + position)?;
                if read == 0 {
                    // The file shrank below the range that was indexed.
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended before the blob did"));
                }
                Ok(read)
            }
            PositionalBlob::Memory(bytes) => {
                let start = position as usize;
                buffer[..count].copy_from_slice(&bytes[start..start + count]);
                Ok(count)
            }
        }
    }

    /// Returns a reader over the blob from its start.
    pub(crate) fn cursor(self) -> BlobCursor {
        BlobCursor { blob: self, position: 0 }
    }
}

#[cfg(unix)]
fn read_file_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_file_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
}

/// Sequential reads over a [`PositionalBlob`], which keeps its own position, so cursors over the
/// same file do not disturb each other.
#[derive(Debug)]
pub(crate) struct BlobCursor {
    blob: PositionalBlob,
    position: u64,
}

impl Read for BlobCursor {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.blob.read_at(self.position, buffer)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl Skip for BlobCursor {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        let target = self.position.checked_add(bytes).filter(|target| *target <= self.blob.len());
        let Some(target) = target else {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the blob ends inside data being skipped"));
        };
        self.position = target;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn file_range_reads_only_its_bytes() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        let blob = PositionalBlob::File { file: Arc::new(file), offset: 3, len: 4 };

        let mut text = String::new();
        blob.clone().cursor().read_to_string(&mut text).unwrap();
        let mut tail = [0u8; 8];
        let read = blob.read_at(2, &mut tail).unwrap();

        assert_eq!(text, "3456");
        assert_eq!(&tail[..read], b"56");
        assert_eq!(blob.read_at(4, &mut tail).unwrap(), 0);
    }

    #[test]
    fn skip_moves_within_the_range() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        let mut cursor = PositionalBlob::File { file: Arc::new(file), offset: 2, len: 6 }.cursor();

        cursor.skip(3).unwrap();
        let mut rest = String::new();
        cursor.read_to_string(&mut rest).unwrap();

        assert_eq!(rest, "567");
        assert_eq!(cursor.skip(1).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn truncated_file_is_an_error() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123").unwrap();
        let blob = PositionalBlob::File { file: Arc::new(file), offset: 2, len: 10 };

        let error = blob.cursor().read_to_end(&mut Vec::new()).unwrap_err();

        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }
}
