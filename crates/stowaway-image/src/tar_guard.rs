//! A reader that follows the block structure of a tar stream as it passes and rejects oversized
//! extension headers before the `tar` crate buffers them.
//!
//! The `tar` crate (0.4) reads a GNU long name (`L`, `K`) or a PAX extended header (`x`, `g`)
//! into memory whole before it returns the entry, so a layer of a few KB could make it allocate
//! gigabytes. The guard reads each 512-byte header as it streams past, and fails the stream as
//! soon as an extension header declares more than the limit. To stay in step with the tar
//! crate it tracks entry data sizes the same way: the header's size field (octal or base-256),
//! the size override of a PAX `size=` record, and the extension blocks of old GNU sparse headers.

use std::io::{self, Read};

use crate::skip::{Skip, skip_by_reading};

const BLOCK: usize = 512;
const SIZE_FIELD: std::ops::Range<usize> = 124..136;
const TYPE_FLAG: usize = 156;
/// Offset of the `isextended` flag in an old GNU sparse header and in its extension blocks.
const GNU_SPARSE_EXTENDED: usize = 482;
const GNU_SPARSE_BLOCK_EXTENDED: usize = 504;

/// An extension header larger than the limit.
#[derive(Debug, thiserror::Error)]
#[error("tar extension header (type `{}`) declares {size} bytes, over the limit of {limit} bytes", char::from(*type_flag).escape_default())]
pub(crate) struct ExtensionTooLarge {
    pub(crate) type_flag: u8,
    pub(crate) size: u64,
    pub(crate) limit: u64,
}

pub(crate) struct TarGuard<R> {
    inner: R,
    limit: u64,
    block: [u8; BLOCK],
    filled: usize,
    /// Data bytes (padded to blocks) of the current entry still to pass.
    data_left: u64,
    /// Data of the current PAX header, kept to find its `size=` record.
    pax: Option<Vec<u8>>,
    pax_left: u64,
    /// The size a PAX `size=` record set for the next entry.
    size_override: Option<u64>,
    /// Old GNU sparse headers are followed by extension blocks before the data.
    sparse_extension: bool,
    sparse_data: u64,
    /// Set once the stream stops looking like tar; the tar crate then reports the error.
    lost: bool,
}

impl<R: Read> TarGuard<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        TarGuard {
            inner,
            limit,
            block: [0; BLOCK],
            filled: 0,
            data_left: 0,
            pax: None,
            pax_left: 0,
            size_override: None,
            sparse_extension: false,
            sparse_data: 0,
            lost: false,
        }
    }

    fn observe(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() && !self.lost {
            if self.data_left > 0 {
                let skip = (self.data_left.min(bytes.len() as u64)) as usize;
                if let Some(pax) = &mut self.pax {
                    let wanted = (self.pax_left.min(skip as u64)) as usize;
                    pax.extend_from_slice(&bytes[..wanted]);
                    self.pax_left -= wanted as u64;
                }
                self.data_left -= skip as u64;
                bytes = &bytes[skip..];
                if self.data_left == 0 {
                    self.finish_pax();
                }
                continue;
            }

            let take = (BLOCK - self.filled).min(bytes.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled == BLOCK {
                self.filled = 0;
                self.on_block()?;
            }
        }
        Ok(())
    }

    fn on_block(&mut self) -> io::Result<()> {
        if self.sparse_extension {
            self.sparse_extension = self.block[GNU_SPARSE_BLOCK_EXTENDED] != 0;
            if !self.sparse_extension {
                self.data_left = self.sparse_data;
            }
            return Ok(());
        }

        let Some(declared) = parse_size(&self.block[SIZE_FIELD]) else {
            self.lost = true;
            return Ok(());
        };
        let type_flag = self.block[TYPE_FLAG];
        let is_extension = matches!(type_flag, b'L' | b'K' | b'x' | b'g' | b'X');
        if is_extension && declared > self.limit {
            return Err(io::Error::other(ExtensionTooLarge { type_flag, size: declared, limit: self.limit }));
        }

        // A PAX `size=` record replaces the size field of the entry that follows it.
        let size = match (is_extension, self.size_override.take()) {
            (false, Some(size)) => size,
            (true, pending) => {
                self.size_override = pending;
                declared
            }
            (false, None) => declared,
        };
        let padded = size.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64);

        if type_flag == b'x' || type_flag == b'X' {
            self.pax = Some(Vec::with_capacity(size as usize));
            self.pax_left = size;
        }
        if type_flag == b'S' && self.block[GNU_SPARSE_EXTENDED] != 0 {
            self.sparse_extension = true;
            self.sparse_data = padded;
        } else {
            self.data_left = padded;
            if padded == 0 {
                self.finish_pax();
            }
        }
        Ok(())
    }

    fn finish_pax(&mut self) {
        let Some(pax) = self.pax.take() else { return };
        for record in pax.split(|b| *b == b'\n') {
            // Records are `LENGTH key=value`.
            let Some(space) = record.iter().position(|b| *b == b' ') else { continue };
            let Some(value) = record[space + 1..].strip_prefix(b"size=") else { continue };
            if let Some(size) = std::str::from_utf8(value).ok().and_then(|text| text.parse().ok()) {
                self.size_override = Some(size);
            }
        }
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.observe(&buf[..read])?;
        Ok(read)
    }
}

impl<R: Skip> Skip for TarGuard<R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        // Inside an entry's data the guard has nothing to look at, so the skip can pass down.
        // Anywhere else the bytes go through `observe`.
        let inside_data = !self.lost && self.filled == 0 && self.pax.is_none() && !self.sparse_extension;
        if !inside_data || bytes > self.data_left {
            return skip_by_reading(self, bytes);
        }
        self.inner.skip(bytes)?;
        self.data_left -= bytes;
        Ok(())
    }
}

/// Parses a tar size field: octal digits padded with spaces or NULs, or base-256 when the high
/// bit of the first byte is set.
fn parse_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for byte in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(*byte))?;
        }
        return Some(value);
    }
    let text = field.iter().copied().skip_while(|b| *b == b' ').take_while(|b| (b'0'..=b'7').contains(b));
    let mut value: u64 = 0;
    for digit in text {
        value = value.checked_mul(8)?.checked_add(u64::from(digit - b'0'))?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_read(bytes: &[u8], limit: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // Small reads exercise headers split across calls.
        let mut guard = TarGuard::new(bytes, limit);
        let mut chunk = [0u8; 7];
        loop {
            let read = guard.read(&mut chunk)?;
            if read == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&chunk[..read]);
        }
    }

    fn header(type_flag: u8, size: u64) -> Vec<u8> {
        let mut block = vec![0u8; BLOCK];
        block[..4].copy_from_slice(b"name");
        let octal = format!("{size:011o}\0");
        block[SIZE_FIELD].copy_from_slice(octal.as_bytes());
        block[TYPE_FLAG] = type_flag;
        block
    }

    #[test]
    fn large_long_name_is_rejected() {
        let mut stream = header(b'L', 48 << 20);
        stream.extend(vec![b'a'; 4096]);
        let error = guard_read(&stream, 4096).unwrap_err();
        let inner = error.get_ref().unwrap().downcast_ref::<ExtensionTooLarge>().unwrap();
        assert_eq!((inner.type_flag, inner.size, inner.limit), (b'L', 48 << 20, 4096));
    }

    #[test]
    fn long_name_after_file_data_is_seen() {
        let mut stream = header(b'0', 1000);
        stream.extend(vec![b'L'; 1024]);
        stream.extend(header(b'L', 1 << 30));
        assert!(guard_read(&stream, 4096).is_err());
    }

    #[test]
    fn pax_size_override_keeps_framing() {
        let record = b"16 size=1000000\n";
        let mut stream = header(b'x', record.len() as u64);
        let mut data = record.to_vec();
        data.resize(BLOCK, 0);
        stream.extend(data);
        // The file's own size field is 0, but the PAX record sets 1,000,000 bytes.
        stream.extend(header(b'0', 0));
        stream.extend(vec![b'K'; 1_000_448]);
        stream.extend(header(b'K', 1 << 30));
        assert!(guard_read(&stream, 4096).is_err(), "the guard lost track of the framing");
    }

    #[test]
    fn ordinary_stream_passes_unchanged() {
        let mut stream = header(b'0', 3);
        stream.extend(b"abc");
        stream.resize(2 * BLOCK, 0);
        stream.extend(vec![0u8; 2 * BLOCK]);
        assert_eq!(guard_read(&stream, 4096).unwrap(), stream);
    }

    #[test]
    fn base256_size() {
        let mut field = [0u8; 12];
        field[0] = 0x80;
        field[11] = 0x02;
        field[10] = 0x01;
        assert_eq!(parse_size(&field), Some(258));
        assert_eq!(parse_size(b"00000001750\0"), Some(1000));
        assert_eq!(parse_size(b"     1750 \0\0"), Some(1000));
    }
}
