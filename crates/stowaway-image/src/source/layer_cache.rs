//! Layer blobs pulled from registries, kept by digest so that a second scan of an image, or of
//! another image on the same base, downloads no layer again.
//!
//! A blob is written to a temporary file in the cache folder while its SHA-256 and size are
//! computed. It is renamed to `sha256/<hex>` only when both match the manifest, so a reader
//! never finds a partial or wrong blob under a digest's name. A cache hit is hashed again, and a file
//! changed in the cache since is removed and downloaded again.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use stowaway_model::{Digest, Hasher};

use crate::ImageError;
use crate::lru::{CacheUsage, evict_least_recently_used, folder_usage, remove_files};

/// The default bound of the cache's size. Once a pull takes the cache past it, the least
/// recently used blobs are removed, except those of the image being opened.
pub const DEFAULT_MAX_CACHE_BYTES: u64 = 16 << 30;

/// A folder of layer blobs named by digest.
#[derive(Clone, Debug)]
pub(crate) struct LayerCache {
    root: PathBuf,
    max_bytes: u64,
}

impl LayerCache {
    /// Opens (and creates) the cache at `root`, or at the default location:
    /// `$XDG_CACHE_HOME/stowaway/layers`, else `$HOME/.cache/stowaway/layers`.
    pub(crate) fn open(root: Option<&Path>, max_bytes: u64) -> Result<LayerCache, ImageError> {
        let root = match root {
            Some(root) => root.to_owned(),
            None => default_root().ok_or_else(|| ImageError::InvalidReference {
                reference: "the layer cache".to_owned(),
                reason: "neither XDG_CACHE_HOME nor HOME is set; set one to choose the cache folder".to_owned(),
            })?,
        };
        let blobs = root.join("sha256");
        fs::create_dir_all(&blobs).map_err(|e| ImageError::io(&blobs, e))?;
        Ok(LayerCache { root, max_bytes })
    }

    /// Returns the folder of the cache.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Returns the file a blob is stored in.
    pub(crate) fn path(&self, digest: &Digest) -> PathBuf {
        self.root.join(digest.algorithm().as_str()).join(digest.encoded())
    }

    /// Returns the cached file of a blob when one with the expected size and digest exists, and
    /// marks it used. A file that fails the check is removed, so that it is downloaded again.
    pub(crate) fn lookup(&self, digest: &Digest, size: u64) -> Option<PathBuf> {
        let path = self.path(digest);
        let mut file = File::options().read(true).append(true).open(&path).ok()?;
        if file.metadata().ok()?.len() != size || !hashes_to(&mut file, digest) {
            tracing::warn!(path = %path.display(), %digest, "removing a damaged layer from the cache");
            let _ = fs::remove_file(&path);
            return None;
        }
        // The modification time orders blobs for eviction, so a hit counts as a use.
        let _ = file.set_modified(SystemTime::now());
        Some(path)
    }

    /// Starts writing a blob; [`BlobWriter::commit`] moves it into place once verified.
    pub(crate) fn writer(&self, digest: &Digest, size: u64) -> Result<BlobWriter, ImageError> {
        let folder = self.root.join(digest.algorithm().as_str());
        fs::create_dir_all(&folder).map_err(|e| ImageError::io(&folder, e))?;
        let file = tempfile::Builder::new().prefix(".partial-").tempfile_in(&folder).map_err(|e| ImageError::io(&folder, e))?;
        Ok(BlobWriter { file, hasher: Hasher::new(digest.algorithm()), written: 0, expected: digest.clone(), size, target: self.path(digest) })
    }

    /// Removes the least recently used blobs until the cache is within its bound, keeping the
    /// blobs in `keep`. Returns the bytes removed.
    ///
    /// NOTE: another stowaway process sharing the cache keeps no lock on its blobs, so a pull
    /// that evicts can remove a layer that the other process opened but has not walked yet; its
    /// walk then fails to open that layer, and a retry downloads it again.
    pub(crate) fn evict(&self, keep: &[Digest]) -> u64 {
        let kept: Vec<PathBuf> = keep.iter().map(|digest| self.path(digest)).collect();
        evict_least_recently_used(&self.root.join("sha256"), self.max_bytes, &kept)
    }
}

/// Counts the blobs of the registry layer cache at `root`, or at the default location.
pub fn blob_cache_usage(root: Option<&Path>) -> io::Result<CacheUsage> {
    match root.map(Path::to_owned).or_else(default_root) {
        Some(root) => folder_usage(&root.join("sha256"), |_| true),
        None => Ok(CacheUsage::default()),
    }
}

/// Removes every blob of the registry layer cache at `root`, or at the default location, and
/// partial downloads with them, and returns what was removed.
pub fn clean_blob_cache(root: Option<&Path>) -> io::Result<CacheUsage> {
    match root.map(Path::to_owned).or_else(default_root) {
        Some(root) => remove_files(&root.join("sha256"), |_| true),
        None => Ok(CacheUsage::default()),
    }
}

/// Tells whether the content of `file` hashes to `digest`.
fn hashes_to(file: &mut File, digest: &Digest) -> bool {
    let mut hasher = Hasher::new(digest.algorithm());
    let mut buffer = vec![0; 1 << 16];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => hasher.update(&buffer[..read]),
            Err(_) => return false,
        }
    }
    &hasher.finish() == digest
}

fn default_root() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(cache.join("stowaway").join("layers"))
}

/// A blob being written to the cache, hashed and counted as it arrives.
pub(crate) struct BlobWriter {
    file: tempfile::NamedTempFile,
    hasher: Hasher,
    written: u64,
    expected: Digest,
    size: u64,
    target: PathBuf,
}

impl BlobWriter {
    /// Appends bytes, failing as soon as the blob is longer than the manifest declares.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), ImageError> {
        self.written += bytes.len() as u64;
        if self.written > self.size {
            return Err(ImageError::SizeMismatch {
                what: format!("blob `{}` from the registry", self.expected),
                expected: self.size,
                actual: self.written,
            });
        }
        self.hasher.update(bytes);
        self.file.write_all(bytes).map_err(|e| ImageError::io(self.file.path(), e))
    }

    /// Returns the bytes written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Checks the size and digest, then moves the blob to its name in the cache.
    pub(crate) fn commit(self) -> Result<PathBuf, ImageError> {
        let what = format!("blob `{}` from the registry", self.expected);
        if self.written != self.size {
            return Err(ImageError::SizeMismatch { what, expected: self.size, actual: self.written });
        }
        let actual = self.hasher.finish();
        if actual != self.expected {
            return Err(ImageError::DigestMismatch { what, expected: self.expected, actual });
        }

        let file = self.file.as_file();
        file.sync_all().map_err(|e| ImageError::io(self.file.path(), e))?;
        self.file.persist(&self.target).map_err(|e| ImageError::io(&self.target, e.error))?;
        Ok(self.target)
    }
}

impl std::fmt::Debug for BlobWriter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("BlobWriter").field("expected", &self.expected).field("written", &self.written).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(cache: &LayerCache, bytes: &[u8]) -> Digest {
        let digest = Digest::sha256_of(bytes);
        let mut writer = cache.writer(&digest, bytes.len() as u64).unwrap();
        writer.write(bytes).unwrap();
        writer.commit().unwrap();
        digest
    }

    #[test]
    fn committed_blob_is_found() {
        let folder = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(Some(folder.path()), u64::MAX).unwrap();
        let digest = store(&cache, b"layer bytes");

        assert_eq!(cache.lookup(&digest, 11), Some(cache.path(&digest)));
        assert_eq!(cache.lookup(&digest, 12), None);
    }

    #[test]
    fn damaged_blob_is_removed() {
        let folder = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(Some(folder.path()), u64::MAX).unwrap();
        let digest = store(&cache, b"layer bytes");
        fs::write(cache.path(&digest), b"LAYER BYTES").unwrap();

        assert_eq!(cache.lookup(&digest, 11), None);
        assert!(!cache.path(&digest).exists());
    }

    #[test]
    fn wrong_digest_is_not_committed() {
        let folder = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(Some(folder.path()), u64::MAX).unwrap();
        let digest = Digest::sha256_of(b"expected");
        let mut writer = cache.writer(&digest, 8).unwrap();
        writer.write(b"tampered").unwrap();

        let error = writer.commit().unwrap_err();
        assert!(matches!(error, ImageError::DigestMismatch { .. }), "{error}");
        assert_eq!(fs::read_dir(folder.path().join("sha256")).unwrap().count(), 0);
    }

    #[test]
    fn longer_blob_fails_early() {
        let folder = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(Some(folder.path()), u64::MAX).unwrap();
        let mut writer = cache.writer(&Digest::sha256_of(b"four"), 4).unwrap();

        let error = writer.write(b"fourteen").unwrap_err();
        assert!(matches!(error, ImageError::SizeMismatch { expected: 4, actual: 8, .. }), "{error}");
    }

    #[test]
    fn eviction_removes_oldest_first() {
        let folder = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(Some(folder.path()), 20).unwrap();
        let oldest = store(&cache, &[1; 10]);
        let kept = store(&cache, &[2; 10]);
        let newest = store(&cache, &[3; 10]);
        let hour_ago = SystemTime::now() - std::time::Duration::from_secs(3600);
        for digest in [&oldest, &kept] {
            File::options().append(true).open(cache.path(digest)).unwrap().set_modified(hour_ago).unwrap();
        }

        let removed = cache.evict(std::slice::from_ref(&kept));

        assert_eq!(removed, 10);
        assert!(!cache.path(&oldest).exists());
        assert!(cache.path(&kept).exists());
        assert!(cache.path(&newest).exists());
    }
}
