//! SUSE's NDB rpm database (`Packages.db`, rpm's `lib/backend/ndb/rpmpkg.c`), little-endian.
//!
//! The file opens with slot pages of 4096 bytes: a 32-byte header (magic `RpmP`, version,
//! generation, slot page count) in the place of the first two slots, then 16-byte slots
//! (magic `Slot`, package index, block offset, block count). A slot points at a blob in
//! 16-byte blocks: a head (magic `BlbS`, package index, generation, length), the header blob,
//! padding, and a tail (Adler-32 of head, blob and padding, length, magic `BlbE`).

const HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const SUPPORTED_VERSION: u32 = 0;

const SLOT_PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
/// The header takes the place of the first two slots.
const HEADER_SIZE: usize = 2 * SLOT_SIZE;
const BLOCK_SIZE: usize = 16;
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

/// A malformed NDB file. Each variant names the value that is out of bounds.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NdbError {
    /// The file is too short for its header or its slot pages.
    #[error("file of {len} bytes is too short for {slot_pages} NDB slot pages")]
    TooShort {
        /// File length in bytes.
        len: usize,
        /// Slot pages the header declares (0 when the header itself is cut).
        slot_pages: u32,
    },
    /// The magic number or version is not NDB's.
    #[error("header magic {magic:#010x} version {version} is not an NDB database's (magic `RpmP`, version 0)")]
    Header {
        /// The magic number found.
        magic: u32,
        /// The version found.
        version: u32,
    },
    /// A slot has a bad magic number.
    #[error("slot {slot} has magic {magic:#010x}, expected `Slot`")]
    SlotMagic {
        /// The slot position.
        slot: usize,
        /// The magic number found.
        magic: u32,
    },
    /// A slot's blob lies outside the file or is too small for a head and a tail.
    #[error("slot {slot} of package {package}: blob at block {block_offset} of {block_count} blocks is out of range")]
    BlobRange {
        /// The slot position.
        slot: usize,
        /// The package index.
        package: u32,
        /// The first block of the blob.
        block_offset: u32,
        /// The length of the blob in blocks.
        block_count: u32,
    },
    /// A blob's head or tail disagrees with its slot or with itself.
    #[error("blob of package {package} at block {block_offset} is invalid: {problem}")]
    Blob {
        /// The package index.
        package: u32,
        /// The first block of the blob.
        block_offset: u32,
        /// The problem, with the value found.
        problem: String,
    },
}

/// Returns the header blobs of every package, in package index order as rpm lists them.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, NdbError> {
    if bytes.len() < HEADER_SIZE {
        return Err(NdbError::TooShort { len: bytes.len(), slot_pages: 0 });
    }
    let (magic, version) = (le_u32(bytes, 0), le_u32(bytes, 4));
    if magic != HEADER_MAGIC || version != SUPPORTED_VERSION {
        return Err(NdbError::Header { magic, version });
    }
    let slot_pages = le_u32(bytes, 12);
    let slots_end = (slot_pages as usize).checked_mul(SLOT_PAGE_SIZE).filter(|&end| end <= bytes.len() && end > 0);
    let Some(slots_end) = slots_end else {
        return Err(NdbError::TooShort { len: bytes.len(), slot_pages });
    };

    let mut found = Vec::new();
    for (slot, entry) in bytes[HEADER_SIZE..slots_end].chunks_exact(SLOT_SIZE).enumerate() {
        let magic = le_u32(entry, 0);
        if magic != SLOT_MAGIC {
            return Err(NdbError::SlotMagic { slot, magic });
        }
        let package = le_u32(entry, 4);
        // Package index 0 marks a free slot.
        if package == 0 {
            continue;
        }
        let blob = read_blob(bytes, slot, package, le_u32(entry, 8), le_u32(entry, 12))?;
        found.push((package, blob));
    }

    found.sort_by_key(|(package, _)| *package);
    Ok(found.into_iter().map(|(_, blob)| blob.to_vec()).collect())
}

/// Reads and checks the blob a slot points at, as rpm's `rpmpkgReadBlob` does.
fn read_blob(bytes: &[u8], slot: usize, package: u32, block_offset: u32, block_count: u32) -> Result<&[u8], NdbError> {
    let start = block_offset as usize * BLOCK_SIZE;
    let end = start + block_count as usize * BLOCK_SIZE;
    if end > bytes.len() || end - start < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE {
        return Err(NdbError::BlobRange { slot, package, block_offset, block_count });
    }
    let blob = &bytes[start..end];
    let invalid = |problem: String| NdbError::Blob { package, block_offset, problem };

    let head_magic = le_u32(blob, 0);
    if head_magic != BLOB_HEAD_MAGIC {
        return Err(invalid(format!("head magic {head_magic:#010x}, expected `BlbS`")));
    }
    let head_package = le_u32(blob, 4);
    if head_package != package {
        return Err(invalid(format!("head names package {head_package}")));
    }
    let length = le_u32(blob, 12) as usize;
    let needed_blocks = (BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE).div_ceil(BLOCK_SIZE);
    if needed_blocks != block_count as usize {
        return Err(invalid(format!("length {length} needs {needed_blocks} blocks, the slot has {block_count}")));
    }

    let tail = blob.len() - BLOB_TAIL_SIZE;
    let (checksum, tail_length, tail_magic) = (le_u32(blob, tail), le_u32(blob, tail + 4), le_u32(blob, tail + 8));
    if tail_magic != BLOB_TAIL_MAGIC || tail_length as usize != length {
        return Err(invalid(format!("tail magic {tail_magic:#010x} and length {tail_length}, expected `BlbE` and {length}")));
    }
    let computed = adler32(&blob[..tail]);
    if checksum != computed {
        return Err(invalid(format!("Adler-32 {computed:#010x} differs from the stored {checksum:#010x}")));
    }
    Ok(&blob[BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + length])
}

/// Adler-32 (RFC 1950) starting from 1, as rpm's `update_adler32` with `ADLER32_INIT`.
fn adler32(bytes: &[u8]) -> u32 {
    const MODULUS: u32 = 65521;
    // 5552 is the longest run that cannot overflow u32 before the modulo (zlib's NMAX).
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MODULUS;
        b %= MODULUS;
    }
    (b << 16) | a
}

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds one slot page with one package whose blob contains `value`, followed by the blob.
    fn database(value: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0u8; SLOT_PAGE_SIZE];
        bytes[0..4].copy_from_slice(b"RpmP");
        bytes[12..16].copy_from_slice(&1u32.to_le_bytes());
        for slot in bytes[HEADER_SIZE..].chunks_exact_mut(SLOT_SIZE) {
            slot[0..4].copy_from_slice(b"Slot");
        }
        let block_count = (BLOB_HEAD_SIZE + value.len() + BLOB_TAIL_SIZE).div_ceil(BLOCK_SIZE);
        let slot = &mut bytes[HEADER_SIZE..HEADER_SIZE + SLOT_SIZE];
        slot[4..8].copy_from_slice(&7u32.to_le_bytes());
        slot[8..12].copy_from_slice(&((SLOT_PAGE_SIZE / BLOCK_SIZE) as u32).to_le_bytes());
        slot[12..16].copy_from_slice(&(block_count as u32).to_le_bytes());

        let mut blob = vec![0u8; block_count * BLOCK_SIZE];
        blob[0..4].copy_from_slice(b"BlbS");
        blob[4..8].copy_from_slice(&7u32.to_le_bytes());
        blob[12..16].copy_from_slice(&(value.len() as u32).to_le_bytes());
        blob[BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + value.len()].copy_from_slice(value);
        let tail = blob.len() - BLOB_TAIL_SIZE;
        let checksum = adler32(&blob[..tail]);
        blob[tail..tail + 4].copy_from_slice(&checksum.to_le_bytes());
        blob[tail + 4..tail + 8].copy_from_slice(&(value.len() as u32).to_le_bytes());
        blob[tail + 8..].copy_from_slice(b"BlbE");
        bytes.extend_from_slice(&blob);
        bytes
    }

    #[test]
    fn adler32_of_known_text() {
        // A widely quoted reference value: Adler-32 of "Wikipedia" is 0x11E60398.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn reads_blob() {
        assert_eq!(header_blobs(&database(b"header")).unwrap(), [b"header".to_vec()]);
    }

    #[test]
    fn blob_past_end_of_file() {
        let mut bytes = database(b"header");
        bytes[HEADER_SIZE + 8..HEADER_SIZE + 12].copy_from_slice(&u32::MAX.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert!(matches!(error, NdbError::BlobRange { block_offset: u32::MAX, .. }), "{error}");
    }

    #[test]
    fn checksum_mismatch() {
        let mut bytes = database(b"header");
        bytes[SLOT_PAGE_SIZE + BLOB_HEAD_SIZE] ^= 1;

        let error = header_blobs(&bytes).unwrap_err();
        assert!(error.to_string().contains("Adler-32"), "{error}");
    }

    #[test]
    fn blob_length_larger_than_slot() {
        let mut bytes = database(b"header");
        bytes[SLOT_PAGE_SIZE + 12..SLOT_PAGE_SIZE + 16].copy_from_slice(&u32::MAX.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert!(error.to_string().contains("length 4294967295"), "{error}");
    }

    #[test]
    fn slot_pages_past_end_of_file() {
        let mut bytes = database(b"header");
        bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(header_blobs(&bytes).unwrap_err(), NdbError::TooShort { len: bytes.len(), slot_pages: u32::MAX });
    }
}
