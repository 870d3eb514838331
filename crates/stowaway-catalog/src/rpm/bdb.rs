//! The Berkeley DB hash file that rpm used before 4.16 (`/var/lib/rpm/Packages`).
//!
//! Page 0 is the hash metadata page. Hash pages hold key/value pairs: an index of 2-byte item
//! offsets after the 26-byte page header, keys at even positions and values at odd ones. rpm's
//! keys are the 4-byte package numbers, and its values are header blobs, which are large enough
//! to live on chains of overflow pages (`H_OFFPAGE` items). Layouts are from Berkeley DB's
//! `dbinc/db_page.h`. The byte order is the writer's, detected from the magic number.

/// Berkeley DB hash magic number (`DB_HASHMAGIC`).
const HASH_MAGIC: u32 = 0x0006_1561;
/// Size of the generic page header (`PAGE` in `db_page.h`).
const PAGE_HEADER_SIZE: usize = 26;
/// Size of the metadata fields read here: the generic `DBMETA` part of the hash metadata page.
const META_SIZE: usize = 72;

const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;

const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
/// Size of an `H_OFFPAGE` item: type, 3 unused bytes, first overflow page, total length.
const HOFFPAGE_SIZE: usize = 12;

/// A malformed Berkeley DB hash file. Each variant names the value that is out of bounds.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BdbError {
    /// The file is too short for the metadata page.
    #[error("file of {len} bytes is too short for a Berkeley DB metadata page")]
    TooShort {
        /// File length in bytes.
        len: usize,
    },
    /// The magic number is not a hash database's.
    #[error("magic number {magic:#010x} is not a Berkeley DB hash database's (0x00061561)")]
    Magic {
        /// The magic number found, read little-endian.
        magic: u32,
    },
    /// The database is encrypted.
    #[error("database is encrypted (algorithm {algorithm})")]
    Encrypted {
        /// The encryption algorithm number.
        algorithm: u8,
    },
    /// The page size is not a power of two between 512 and 65536.
    #[error("page size {page_size} is not a power of two between 512 and 65536")]
    PageSize {
        /// The page size.
        page_size: u32,
    },
    /// A page number is past the last page of the file.
    #[error("page {page} referenced from page {from} is out of range: the file has {pages} pages")]
    PageOutOfRange {
        /// The page number.
        page: u32,
        /// The page that refers to it.
        from: u32,
        /// Pages in the file.
        pages: u32,
    },
    /// A hash page's item index or an item reaches past the page.
    #[error("hash page {page}: item {item} at offset {offset} is out of bounds")]
    Item {
        /// The page number.
        page: u32,
        /// The item position in the page index.
        item: usize,
        /// The offset of the item in the page.
        offset: usize,
    },
    /// An overflow chain is not a chain of overflow pages of the declared length.
    #[error("overflow chain from page {first} is invalid at page {page}: expected {expected} bytes")]
    OverflowChain {
        /// The first page of the chain.
        first: u32,
        /// The page where the chain breaks.
        page: u32,
        /// The total length the item declares.
        expected: u32,
    },
}

/// Reads integers in the file's byte order.
#[derive(Clone, Copy)]
struct ByteOrder {
    big_endian: bool,
}

impl ByteOrder {
    fn u16(self, bytes: &[u8], at: usize) -> u16 {
        let raw = [bytes[at], bytes[at + 1]];
        if self.big_endian { u16::from_be_bytes(raw) } else { u16::from_le_bytes(raw) }
    }

    fn u32(self, bytes: &[u8], at: usize) -> u32 {
        let raw = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if self.big_endian { u32::from_be_bytes(raw) } else { u32::from_le_bytes(raw) }
    }
}

/// Returns the header blobs of every package, in page order.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, BdbError> {
    let database = Database::open(bytes)?;
    let mut blobs = Vec::new();

    for page_number in 1..database.pages {
        let page = database.page(page_number);
        if !matches!(page[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        let offsets = database.item_offsets(page_number)?;

        // Items are pairs: the key at the even position, the value after it.
        for pair in (0..offsets.len() / 2).map(|pair| pair * 2) {
            let key = database.item(page_number, &offsets, pair)?;
            let value = database.item(page_number, &offsets, pair + 1)?;
            match value[0] {
                H_OFFPAGE => blobs.push(database.overflow_value(page_number, pair + 1, value)?),
                // An inline value under the all-zero key is rpm's counter of the next package
                // number, not a header; other inline values are small headers.
                H_KEYDATA if key[0] == H_KEYDATA && key[1..].iter().all(|&byte| byte == 0) => {}
                H_KEYDATA => blobs.push(value[1..].to_vec()),
                _ => {}
            }
        }
    }
    Ok(blobs)
}

struct Database<'a> {
    bytes: &'a [u8],
    order: ByteOrder,
    page_size: usize,
    pages: u32,
}

impl<'a> Database<'a> {
    fn open(bytes: &'a [u8]) -> Result<Database<'a>, BdbError> {
        if bytes.len() < META_SIZE {
            return Err(BdbError::TooShort { len: bytes.len() });
        }
        let order = match u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) {
            HASH_MAGIC => ByteOrder { big_endian: false },
            magic if magic.swap_bytes() == HASH_MAGIC => ByteOrder { big_endian: true },
            magic => return Err(BdbError::Magic { magic }),
        };
        if bytes[24] != 0 {
            return Err(BdbError::Encrypted { algorithm: bytes[24] });
        }
        let page_size = order.u32(bytes, 20);
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(BdbError::PageSize { page_size });
        }

        // The metadata's last page number can be stale or hostile; the file length bounds it.
        let last_page = order.u32(bytes, 32);
        let pages_in_file = u32::try_from(bytes.len() / page_size as usize).unwrap_or(u32::MAX);
        let pages = last_page.saturating_add(1).min(pages_in_file);
        Ok(Database { bytes, order, page_size: page_size as usize, pages })
    }

    fn page(&self, number: u32) -> &'a [u8] {
        let start = number as usize * self.page_size;
        &self.bytes[start..start + self.page_size]
    }

    /// Returns the item offsets of a hash page, each checked to fall inside the page.
    fn item_offsets(&self, number: u32) -> Result<Vec<usize>, BdbError> {
        let page = self.page(number);
        let entries = usize::from(self.order.u16(page, 20));
        let index_end = PAGE_HEADER_SIZE + entries * 2;
        if index_end > self.page_size {
            return Err(BdbError::Item { page: number, item: entries, offset: index_end });
        }

        let mut offsets = Vec::with_capacity(entries);
        for item in 0..entries {
            let offset = usize::from(self.order.u16(page, PAGE_HEADER_SIZE + item * 2));
            if offset < index_end || offset >= self.page_size {
                return Err(BdbError::Item { page: number, item, offset });
            }
            offsets.push(offset);
        }
        Ok(offsets)
    }

    /// Returns an item's bytes. Items are packed from the end of the page downwards, so an
    /// item ends where the previous one starts (`LEN_HITEM` in `db_page.h`).
    fn item(&self, number: u32, offsets: &[usize], item: usize) -> Result<&'a [u8], BdbError> {
        let page = self.page(number);
        let start = offsets[item];
        let end = if item == 0 { self.page_size } else { offsets[item - 1] };
        if end <= start {
            return Err(BdbError::Item { page: number, item, offset: start });
        }
        Ok(&page[start..end])
    }

    /// Follows an `H_OFFPAGE` item's chain of overflow pages and concatenates their data.
    /// Each overflow page stores its data length in the header's free-offset field.
    fn overflow_value(&self, from: u32, item: usize, value: &[u8]) -> Result<Vec<u8>, BdbError> {
        if value.len() < HOFFPAGE_SIZE {
            return Err(BdbError::Item { page: from, item, offset: value.len() });
        }
        let first = self.order.u32(value, 4);
        let expected = self.order.u32(value, 8);
        let broken = |page| BdbError::OverflowChain { first, page, expected };

        // The declared length is checked against the file before reserving memory for it.
        if expected as usize > self.bytes.len() {
            return Err(broken(first));
        }
        let mut data = Vec::with_capacity(expected as usize);
        let mut number = first;
        let mut previous = from;
        while number != 0 {
            if number >= self.pages {
                return Err(BdbError::PageOutOfRange { page: number, from: previous, pages: self.pages });
            }
            let page = self.page(number);
            let length = usize::from(self.order.u16(page, 22));
            if page[25] != P_OVERFLOW || PAGE_HEADER_SIZE + length > self.page_size || data.len() + length > expected as usize {
                return Err(broken(number));
            }
            data.extend_from_slice(&page[PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + length]);
            previous = number;
            number = self.order.u32(page, 16);

            // Every page adds data, so a cycle runs into the declared length; a cycle of
            // empty pages is caught here.
            if length == 0 && number != 0 {
                return Err(broken(number));
            }
        }
        if data.len() != expected as usize {
            return Err(broken(previous));
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;

    /// Builds a little-endian hash database of three pages: metadata, one hash page with the pair
    /// (package 1, `H_OFFPAGE` item) and one overflow page containing `value`.
    fn database(value: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0u8; 3 * PAGE];
        bytes[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        bytes[20..24].copy_from_slice(&(PAGE as u32).to_le_bytes());
        bytes[25] = 8;
        bytes[32..36].copy_from_slice(&2u32.to_le_bytes());

        let hash = &mut bytes[PAGE..2 * PAGE];
        hash[20..22].copy_from_slice(&2u16.to_le_bytes());
        hash[25] = P_HASH;
        let (key_at, value_at) = (PAGE - 5, PAGE - 5 - HOFFPAGE_SIZE);
        hash[26..28].copy_from_slice(&(key_at as u16).to_le_bytes());
        hash[28..30].copy_from_slice(&(value_at as u16).to_le_bytes());
        hash[key_at] = H_KEYDATA;
        hash[key_at + 1..key_at + 5].copy_from_slice(&1u32.to_le_bytes());
        hash[value_at] = H_OFFPAGE;
        hash[value_at + 4..value_at + 8].copy_from_slice(&2u32.to_le_bytes());
        hash[value_at + 8..value_at + 12].copy_from_slice(&(value.len() as u32).to_le_bytes());

        let overflow = &mut bytes[2 * PAGE..];
        overflow[22..24].copy_from_slice(&(value.len() as u16).to_le_bytes());
        overflow[25] = P_OVERFLOW;
        overflow[PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + value.len()].copy_from_slice(value);
        bytes
    }

    /// Offset of the `H_OFFPAGE` item's first overflow page number.
    const FIRST_OVERFLOW_PAGE: usize = PAGE + PAGE - 5 - HOFFPAGE_SIZE + 4;

    #[test]
    fn reads_overflow_value() {
        assert_eq!(header_blobs(&database(b"header")).unwrap(), [b"header".to_vec()]);
    }

    #[test]
    fn overflow_page_out_of_range() {
        let mut bytes = database(b"header");
        bytes[FIRST_OVERFLOW_PAGE..FIRST_OVERFLOW_PAGE + 4].copy_from_slice(&99u32.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert_eq!(error, BdbError::PageOutOfRange { page: 99, from: 1, pages: 3 });
        assert!(error.to_string().contains("page 99"), "{error}");
    }

    #[test]
    fn overflow_cycle_is_rejected() {
        let mut bytes = database(b"header");
        // The overflow page names itself as the next page.
        bytes[2 * PAGE + 16..2 * PAGE + 20].copy_from_slice(&2u32.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert_eq!(error, BdbError::OverflowChain { first: 2, page: 2, expected: 6 });
    }

    #[test]
    fn declared_length_larger_than_file() {
        let mut bytes = database(b"header");
        let length_at = FIRST_OVERFLOW_PAGE + 4;
        bytes[length_at..length_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert!(matches!(error, BdbError::OverflowChain { expected: u32::MAX, .. }), "{error}");
    }

    #[test]
    fn item_offset_outside_page() {
        let mut bytes = database(b"header");
        bytes[PAGE + 26..PAGE + 28].copy_from_slice(&4000u16.to_le_bytes());

        let error = header_blobs(&bytes).unwrap_err();
        assert_eq!(error, BdbError::Item { page: 1, item: 0, offset: 4000 });
    }

    #[test]
    fn last_page_past_file_end_is_clamped() {
        let mut bytes = database(b"header");
        bytes[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(header_blobs(&bytes).unwrap().len(), 1);
    }

    #[test]
    fn bad_magic_and_page_size() {
        let mut bytes = database(b"header");
        bytes[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert_eq!(header_blobs(&bytes).unwrap_err(), BdbError::PageSize { page_size: 1000 });

        bytes[12..16].copy_from_slice(&0x1234u32.to_le_bytes());
        assert_eq!(header_blobs(&bytes).unwrap_err(), BdbError::Magic { magic: 0x1234 });
        assert_eq!(header_blobs(&bytes[..10]).unwrap_err(), BdbError::TooShort { len: 10 });
    }
}
