//! The rpm header format, as package databases store it: the header without its 8-byte lead
//! (magic and reserved bytes), so a blob opens with the index count.
//!
//! Layout, all integers big-endian: `il` (u32 index entries), `dl` (u32 data store length),
//! then `il` entries of 16 bytes (`tag`, `type`, `offset` into the data store, `count`), then
//! the `dl` bytes of the data store. Every read checks the entry against the data store, so a
//! hostile blob gives a [`HeaderError`] and never an out-of-bounds read or a large allocation.

/// The tags read here, from rpm's `rpmtag.h`.
pub(crate) mod tag {
    pub(crate) const SIGMD5: u32 = 261;
    pub(crate) const NAME: u32 = 1000;
    pub(crate) const VERSION: u32 = 1001;
    pub(crate) const RELEASE: u32 = 1002;
    pub(crate) const EPOCH: u32 = 1003;
    pub(crate) const SUMMARY: u32 = 1004;
    pub(crate) const SIZE: u32 = 1009;
    pub(crate) const VENDOR: u32 = 1011;
    pub(crate) const LICENSE: u32 = 1014;
    pub(crate) const ARCH: u32 = 1022;
    pub(crate) const OLDFILENAMES: u32 = 1027;
    pub(crate) const SOURCERPM: u32 = 1044;
    pub(crate) const DIRINDEXES: u32 = 1116;
    pub(crate) const BASENAMES: u32 = 1117;
    pub(crate) const DIRNAMES: u32 = 1118;
}

/// Data types of index entries, from rpm's `rpmtag.h` (`rpmTagType`).
mod kind {
    pub(super) const INT32: u32 = 4;
    pub(super) const STRING: u32 = 6;
    pub(super) const BIN: u32 = 7;
    pub(super) const STRING_ARRAY: u32 = 8;
    pub(super) const I18NSTRING: u32 = 9;
    pub(super) const MAX: u32 = 9;
}

/// The maximum count of index entries rpm itself accepts in a header (`hdrchkTags` in rpm's `header.c`).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
/// The largest data store rpm itself accepts (`hdrchkData`): 256 MiB.
const MAX_DATA_LENGTH: u32 = 0x0fff_ffff;
const INDEX_ENTRY_SIZE: usize = 16;
const INTRO_SIZE: usize = 8;

/// A malformed header blob. Each variant names the value that is out of bounds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The blob is shorter than the index count and data length.
    #[error("header blob of {len} bytes is shorter than its 8-byte intro")]
    TooShort {
        /// Blob length in bytes.
        len: usize,
    },
    /// The index count is larger than rpm allows or than the blob holds.
    #[error("header index count {count} does not fit in a blob of {len} bytes")]
    IndexCount {
        /// The index count.
        count: u32,
        /// Blob length in bytes.
        len: usize,
    },
    /// The data store length is larger than rpm allows or than the blob holds.
    #[error("header data length {data_length} does not fit in a blob of {len} bytes after {count} index entries")]
    DataLength {
        /// The data store length.
        data_length: u32,
        /// The index count.
        count: u32,
        /// Blob length in bytes.
        len: usize,
    },
    /// An entry's type is not one rpm defines, or not the one its tag needs.
    #[error("header tag {tag} has type {kind}, expected {expected}")]
    Type {
        /// The tag.
        tag: u32,
        /// The type found.
        kind: u32,
        /// The type the tag needs.
        expected: u32,
    },
    /// An entry's values reach past the end of the data store.
    #[error("header tag {tag}: {count} values at offset {offset} reach past the data store of {data_length} bytes")]
    Bounds {
        /// The tag.
        tag: u32,
        /// The offset into the data store.
        offset: i32,
        /// The value count.
        count: u32,
        /// The data store length.
        data_length: usize,
    },
    /// A required tag is missing.
    #[error("header has no tag {tag}")]
    Missing {
        /// The tag.
        tag: u32,
    },
    /// The file list tags disagree with each other.
    #[error("header file list is inconsistent: {basenames} basenames, {dirindexes} directory indexes, {dirnames} directories, index {index} out of range")]
    FileList {
        /// Count of BASENAMES.
        basenames: usize,
        /// Count of DIRINDEXES.
        dirindexes: usize,
        /// Count of DIRNAMES.
        dirnames: usize,
        /// The first directory index out of range, or the count when the lengths differ.
        index: u32,
    },
}

/// One index entry.
#[derive(Clone, Copy, Debug)]
struct IndexEntry {
    tag: u32,
    kind: u32,
    offset: i32,
    count: u32,
}

/// A parsed header: its index and its data store, borrowed from the blob.
#[derive(Debug)]
pub struct Header<'a> {
    entries: Vec<IndexEntry>,
    data: &'a [u8],
}

impl<'a> Header<'a> {
    /// Parses a header blob as rpm databases store it, checking the index count and data
    /// length against the blob. Entries are checked when read.
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let len = blob.len();
        if len < INTRO_SIZE {
            return Err(HeaderError::TooShort { len });
        }
        let count = be_u32(&blob[0..4]);
        let data_length = be_u32(&blob[4..8]);

        let index_end = (count as usize).checked_mul(INDEX_ENTRY_SIZE).and_then(|size| size.checked_add(INTRO_SIZE));
        let index_end = match index_end {
            Some(end) if count <= MAX_INDEX_ENTRIES && end <= len => end,
            _ => return Err(HeaderError::IndexCount { count, len }),
        };
        let data_end = index_end + data_length as usize;
        if data_length > MAX_DATA_LENGTH || data_end > len {
            return Err(HeaderError::DataLength { data_length, count, len });
        }

        let entries = blob[INTRO_SIZE..index_end]
            .chunks_exact(INDEX_ENTRY_SIZE)
            .map(|entry| IndexEntry {
                tag: be_u32(&entry[0..4]),
                kind: be_u32(&entry[4..8]),
                offset: be_u32(&entry[8..12]) as i32,
                count: be_u32(&entry[12..16]),
            })
            .collect();
        Ok(Header { entries, data: &blob[index_end..data_end] })
    }

    /// Returns a string tag (`STRING`, or the first value of an `I18NSTRING` or
    /// `STRING_ARRAY`), or `None` when the header lacks it.
    pub fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        let Some(entry) = self.entry(tag) else { return Ok(None) };
        match entry.kind {
            kind::STRING | kind::I18NSTRING | kind::STRING_ARRAY => {}
            kind => return Err(HeaderError::Type { tag, kind, expected: kind::STRING }),
        }
        let values = self.strings(entry, 1)?;
        Ok(values.into_iter().next())
    }

    /// Returns every value of a `STRING_ARRAY` tag; empty when the header lacks it.
    pub fn string_array(&self, tag: u32) -> Result<Vec<String>, HeaderError> {
        let Some(entry) = self.entry(tag) else { return Ok(Vec::new()) };
        if entry.kind != kind::STRING_ARRAY {
            return Err(HeaderError::Type { tag, kind: entry.kind, expected: kind::STRING_ARRAY });
        }
        self.strings(entry, entry.count)
    }

    /// Returns every value of an `INT32` tag; empty when the header lacks it.
    pub fn int32_array(&self, tag: u32) -> Result<Vec<u32>, HeaderError> {
        let Some(entry) = self.entry(tag) else { return Ok(Vec::new()) };
        if entry.kind != kind::INT32 {
            return Err(HeaderError::Type { tag, kind: entry.kind, expected: kind::INT32 });
        }
        let bytes = self.values(entry, 4)?;
        Ok(bytes.chunks_exact(4).map(be_u32).collect())
    }

    /// Returns the first value of an `INT32` tag, or `None` when the header lacks it.
    pub fn int32(&self, tag: u32) -> Result<Option<u32>, HeaderError> {
        Ok(self.int32_array(tag)?.first().copied())
    }

    /// Returns the bytes of a `BIN` tag, or `None` when the header lacks it.
    pub fn binary(&self, tag: u32) -> Result<Option<&'a [u8]>, HeaderError> {
        let Some(entry) = self.entry(tag) else { return Ok(None) };
        if entry.kind != kind::BIN {
            return Err(HeaderError::Type { tag, kind: entry.kind, expected: kind::BIN });
        }
        self.values(entry, 1).map(Some)
    }

    /// Returns the files the package owns: `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, or
    /// `OLDFILENAMES` in old headers written before rpm compressed its file lists.
    pub fn files(&self) -> Result<Vec<String>, HeaderError> {
        let basenames = self.string_array(tag::BASENAMES)?;
        if basenames.is_empty() {
            return self.string_array(tag::OLDFILENAMES);
        }

        let dirindexes = self.int32_array(tag::DIRINDEXES)?;
        let dirnames = self.string_array(tag::DIRNAMES)?;
        let inconsistent = |index| HeaderError::FileList {
            basenames: basenames.len(),
            dirindexes: dirindexes.len(),
            dirnames: dirnames.len(),
            index,
        };
        if dirindexes.len() != basenames.len() {
            return Err(inconsistent(dirindexes.len() as u32));
        }

        let mut files = Vec::with_capacity(basenames.len());
        for (basename, &index) in basenames.iter().zip(&dirindexes) {
            let dirname = dirnames.get(index as usize).ok_or_else(|| inconsistent(index))?;
            files.push(format!("{dirname}{basename}"));
        }
        Ok(files)
    }

    fn entry(&self, tag: u32) -> Option<IndexEntry> {
        self.entries.iter().find(|entry| entry.tag == tag).copied()
    }

    /// Returns the bytes of `entry.count` fixed-size values, checked against the data store.
    fn values(&self, entry: IndexEntry, size: u64) -> Result<&'a [u8], HeaderError> {
        let bounds = self.bounds_error(entry);
        let start = u64::try_from(entry.offset).map_err(|_| bounds.clone())?;
        let end = start + u64::from(entry.count) * size;
        if end > self.data.len() as u64 {
            return Err(bounds);
        }
        Ok(&self.data[start as usize..end as usize])
    }

    /// Reads `wanted` NUL-terminated strings from the entry's offset. Each string takes at
    /// least one byte, so the count is checked against the bytes left before any allocation.
    fn strings(&self, entry: IndexEntry, wanted: u32) -> Result<Vec<String>, HeaderError> {
        let bounds = self.bounds_error(entry);
        let start = usize::try_from(entry.offset).map_err(|_| bounds.clone())?;
        if entry.kind > kind::MAX || start >= self.data.len() || wanted as usize > self.data.len() - start {
            return Err(bounds);
        }

        let mut rest = &self.data[start..];
        let mut strings = Vec::with_capacity(wanted as usize);
        for _ in 0..wanted {
            let end = rest.iter().position(|&byte| byte == 0).ok_or_else(|| bounds.clone())?;
            strings.push(String::from_utf8_lossy(&rest[..end]).into_owned());
            rest = &rest[end + 1..];
        }
        Ok(strings)
    }

    fn bounds_error(&self, entry: IndexEntry) -> HeaderError {
        HeaderError::Bounds { tag: entry.tag, offset: entry.offset, count: entry.count, data_length: self.data.len() }
    }
}

fn be_u32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Builds header blobs for unit tests.
#[cfg(test)]
pub(crate) mod build {
    /// Builds a header blob from `(tag, type, value bytes, count)` entries laid out in order.
    pub(crate) fn blob(entries: &[(u32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, bytes, count) in entries {
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend_from_slice(&index);
        blob.extend_from_slice(&data);
        blob
    }

    /// Builds a `STRING` entry.
    pub(crate) fn string(tag: u32, value: &str) -> (u32, u32, Vec<u8>, u32) {
        (tag, 6, [value.as_bytes(), b"\0"].concat(), 1)
    }

    /// Builds a `STRING_ARRAY` entry.
    pub(crate) fn strings(tag: u32, values: &[&str]) -> (u32, u32, Vec<u8>, u32) {
        let bytes = values.iter().flat_map(|value| [value.as_bytes(), b"\0"].concat()).collect();
        (tag, 8, bytes, values.len() as u32)
    }

    /// Builds an `INT32` entry.
    pub(crate) fn int32s(tag: u32, values: &[u32]) -> (u32, u32, Vec<u8>, u32) {
        (tag, 4, values.iter().flat_map(|value| value.to_be_bytes()).collect(), values.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    fn sample() -> Vec<u8> {
        blob(&[
            string(tag::NAME, "bash"),
            int32s(tag::EPOCH, &[1]),
            strings(tag::BASENAMES, &["bash", "sh"]),
            int32s(tag::DIRINDEXES, &[0, 0]),
            strings(tag::DIRNAMES, &["/usr/bin/"]),
        ])
    }

    #[test]
    fn reads_strings_ints_files() {
        let blob = sample();
        let header = Header::parse(&blob).unwrap();

        assert_eq!(header.string(tag::NAME).unwrap().as_deref(), Some("bash"));
        assert_eq!(header.int32(tag::EPOCH).unwrap(), Some(1));
        assert_eq!(header.string(tag::VERSION).unwrap(), None);
        assert_eq!(header.files().unwrap(), ["/usr/bin/bash", "/usr/bin/sh"]);
    }

    #[test]
    fn old_filenames_when_no_basenames() {
        let blob = blob(&[strings(tag::OLDFILENAMES, &["/bin/ls"])]);
        assert_eq!(Header::parse(&blob).unwrap().files().unwrap(), ["/bin/ls"]);
    }

    #[test]
    fn truncated_blob_is_rejected() {
        let blob = sample();
        for len in [0, 7] {
            assert_eq!(Header::parse(&blob[..len]).unwrap_err(), HeaderError::TooShort { len });
        }
        let error = Header::parse(&blob[..blob.len() - 1]).unwrap_err();
        assert!(matches!(error, HeaderError::DataLength { .. }), "{error}");
    }

    #[test]
    fn index_count_larger_than_blob() {
        let mut blob = sample();
        blob[0..4].copy_from_slice(&0x0fff_ffffu32.to_be_bytes());
        let error = Header::parse(&blob).unwrap_err();

        assert_eq!(error, HeaderError::IndexCount { count: 0x0fff_ffff, len: blob.len() });
        assert!(error.to_string().contains("268435455"), "{error}");
    }

    #[test]
    fn value_count_larger_than_data() {
        // The BASENAMES entry is the third: its count field is at 8 + 2 * 16 + 12.
        let mut blob = sample();
        blob[52..56].copy_from_slice(&u32::MAX.to_be_bytes());
        let header = Header::parse(&blob).unwrap();

        let error = header.files().unwrap_err();
        assert!(matches!(error, HeaderError::Bounds { tag: tag::BASENAMES, count: u32::MAX, .. }), "{error}");
    }

    #[test]
    fn offset_past_end_of_data() {
        // The NAME entry is the first: its offset field is at 8 + 8.
        for offset in [0x7fff_0000u32, u32::MAX] {
            let mut blob = sample();
            blob[16..20].copy_from_slice(&offset.to_be_bytes());
            let header = Header::parse(&blob).unwrap();

            let error = header.string(tag::NAME).unwrap_err();
            assert!(matches!(error, HeaderError::Bounds { tag: tag::NAME, .. }), "{error}");
        }
    }

    #[test]
    fn string_without_terminator() {
        let blob = blob(&[(tag::NAME, 6, b"bash".to_vec(), 1)]);
        let error = Header::parse(&blob).unwrap().string(tag::NAME).unwrap_err();
        assert!(matches!(error, HeaderError::Bounds { .. }), "{error}");
    }

    #[test]
    fn directory_index_out_of_range() {
        let blob = blob(&[strings(tag::BASENAMES, &["sh"]), int32s(tag::DIRINDEXES, &[7]), strings(tag::DIRNAMES, &["/bin/"])]);
        let error = Header::parse(&blob).unwrap().files().unwrap_err();
        assert!(matches!(error, HeaderError::FileList { index: 7, .. }), "{error}");
    }

    #[test]
    fn wrong_type_is_rejected() {
        let blob = blob(&[int32s(tag::NAME, &[3])]);
        let error = Header::parse(&blob).unwrap().string(tag::NAME).unwrap_err();
        assert_eq!(error, HeaderError::Type { tag: tag::NAME, kind: 4, expected: 6 });
    }
}
