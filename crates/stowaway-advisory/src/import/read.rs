//! Reading feed files: plain, gzip or zstd compressed, tar archives, and directories, while
//! hashing the bytes as stored so that each source's digest identifies exactly what was read.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::AdvisoryError;

/// A reader that hashes everything read through it.
struct HashingReader<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        self.hasher.update(&buf[..count]);
        Ok(count)
    }
}

/// The size limit of one archive member, decompressed. Advisory records are a few KB, so only a
/// hostile or broken archive comes near it.
const MEMBER_LIMIT: u64 = 64 << 20;

/// The size limit of one feed file, decompressed. NVD's yearly CVE files are the largest feed
/// files read whole, a few hundred MB each (an estimate from their compressed size).
const FILE_LIMIT: u64 = 4 << 30;

/// Reads all of `reader` into a buffer, and fails when it is longer than `limit` bytes.
fn read_bounded(reader: &mut impl Read, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!("{what} is over the limit of {limit} bytes decompressed")));
    }
    Ok(bytes)
}

fn read_error(feed: &str, path: &Path) -> impl FnOnce(io::Error) -> AdvisoryError {
    let feed = feed.to_owned();
    let path = path.to_owned();
    move |source| AdvisoryError::ReadFeed { feed, path, source }
}

/// Wraps a raw file reader in the decoder its extension names (`.gz`, `.zst`), or none.
fn decoder<'a>(path: &Path, raw: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    if name.ends_with(".gz") || name.ends_with(".tgz") {
        Ok(Box::new(MultiGzDecoder::new(raw)))
    } else if name.ends_with(".zst") {
        Ok(Box::new(zstd::stream::read::Decoder::new(raw)?))
    } else {
        Ok(Box::new(raw))
    }
}

/// Reads one feed file, decompressed, and adds its stored bytes to `hasher`.
pub(crate) fn read_file(feed: &str, path: &Path, hasher: &mut Sha256) -> Result<Vec<u8>, AdvisoryError> {
    let file = File::open(path).map_err(read_error(feed, path))?;
    let raw = HashingReader { inner: BufReader::new(file), hasher };

    decoder(path, raw)
        .and_then(|mut reader| read_bounded(&mut reader, FILE_LIMIT, "the file"))
        .map_err(read_error(feed, path))
}

/// Returns whether the file name is a tar archive this module reads.
pub(crate) fn is_tar_archive(path: &Path) -> bool {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    [".tar", ".tar.gz", ".tgz", ".tar.zst"].iter().any(|suffix| name.ends_with(suffix))
}

/// Streams the regular files of a tar archive to `visit` as (member path, contents), and adds the
/// archive's stored bytes to `hasher`.
///
/// The archive is read once, front to back. Only one member at a time is held in memory, so a
/// feed of several hundred MB never is whole.
pub(crate) fn for_each_member(
    feed: &str,
    path: &Path,
    hasher: &mut Sha256,
    mut visit: impl FnMut(&str, Vec<u8>),
) -> Result<(), AdvisoryError> {
    let file = File::open(path).map_err(read_error(feed, path))?;
    let mut raw = HashingReader { inner: BufReader::new(file), hasher };

    {
        let reader = decoder(path, &mut raw).map_err(read_error(feed, path))?;
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries().map_err(read_error(feed, path))? {
            let mut entry = entry.map_err(read_error(feed, path))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }

            let member = entry.path().map_err(read_error(feed, path))?.to_string_lossy().into_owned();
            let contents = read_bounded(&mut entry, MEMBER_LIMIT, &format!("member `{member}`")).map_err(read_error(feed, path))?;
            visit(&member, contents);
        }
    }

    // The tar reader stops at the end-of-archive marker; hash the padding after it too, so that
    // the digest covers the whole file.
    io::copy(&mut raw, &mut io::sink()).map_err(read_error(feed, path))?;
    Ok(())
}

/// Lists the files under `root`, recursively, in sorted order; `root` itself when it is a file.
pub(crate) fn list_files(feed: &str, root: &Path) -> Result<Vec<PathBuf>, AdvisoryError> {
    let metadata = std::fs::metadata(root).map_err(read_error(feed, root))?;
    if !metadata.is_dir() {
        return Ok(vec![root.to_owned()]);
    }

    let mut files = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).map_err(read_error(feed, &directory))? {
            let entry = entry.map_err(read_error(feed, &directory))?;
            let file_type = entry.file_type().map_err(read_error(feed, &entry.path()))?;
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if file_type.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Returns whether the file name is a zip archive, as osv.dev publishes each ecosystem's records.
pub(crate) fn is_zip_archive(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("zip"))
}

/// Visits the regular files of a zip archive as (member path, contents), and adds the archive's
/// bytes to `hasher`.
///
/// A zip's index sits at its end, so the file is hashed in a first pass and read by member in a
/// second. Only one member at a time is held in memory.
pub(crate) fn for_each_zip_member(
    feed: &str,
    path: &Path,
    hasher: &mut Sha256,
    mut visit: impl FnMut(&str, Vec<u8>),
) -> Result<(), AdvisoryError> {
    let file = File::open(path).map_err(read_error(feed, path))?;
    let mut raw = HashingReader { inner: BufReader::new(file), hasher };
    io::copy(&mut raw, &mut io::sink()).map_err(read_error(feed, path))?;

    let file = File::open(path).map_err(read_error(feed, path))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|error| read_error(feed, path)(io::Error::other(error)))?;
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).map_err(|error| read_error(feed, path)(io::Error::other(error)))?;
        if !member.is_file() {
            continue;
        }
        let name = member.name().map_err(|error| read_error(feed, path)(io::Error::other(error)))?.into_owned();
        let contents = read_bounded(&mut member, MEMBER_LIMIT, &format!("member `{name}`")).map_err(read_error(feed, path))?;
        visit(&name, contents);
    }
    Ok(())
}

/// Visits every file of `paths` to `visit` as (label for warnings, member or file name, contents):
/// the members of tar archives, the files under directories, and plain files. Only names that
/// `wanted` accepts are read; the rest are passed over unread.
pub(crate) fn for_each_file(
    feed: &str,
    paths: &[PathBuf],
    hasher: &mut Sha256,
    wanted: impl Fn(&str) -> bool,
    mut visit: impl FnMut(&str, &str, Vec<u8>),
) -> Result<(), AdvisoryError> {
    for path in paths {
        if is_zip_archive(path) {
            for_each_zip_member(feed, path, hasher, |member, bytes| {
                if wanted(member) {
                    visit(&format!("{}:{member}", path.display()), member, bytes);
                }
            })?;
            continue;
        }
        if is_tar_archive(path) {
            for_each_member(feed, path, hasher, |member, bytes| {
                if wanted(member) {
                    visit(&format!("{}:{member}", path.display()), member, bytes);
                }
            })?;
            continue;
        }

        for file in list_files(feed, path)? {
            let name = file.to_string_lossy().into_owned();
            if wanted(&name) {
                let bytes = read_file(feed, &file, hasher)?;
                visit(&name, &name, bytes);
            }
        }
    }
    Ok(())
}

/// Returns the hex SHA-256 a hasher has accumulated.
pub(crate) fn hex_digest(hasher: Sha256) -> String {
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_read_at_and_over_limit() {
        assert_eq!(read_bounded(&mut &b"12345"[..], 5, "the file").unwrap(), b"12345");
        let error = read_bounded(&mut &b"123456"[..], 5, "member `a.json`").unwrap_err();
        assert_eq!(error.to_string(), "member `a.json` is over the limit of 5 bytes decompressed");
    }
}
