//! Size-bounded cache folders: the least recently used files go first.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

/// The size of a cache folder, or what was removed from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CacheUsage {
    /// The number of files.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// Counts the files of `folder` whose name `selected` accepts. A missing folder is empty.
pub(crate) fn folder_usage(folder: &Path, selected: impl Fn(&str) -> bool) -> io::Result<CacheUsage> {
    let mut usage = CacheUsage::default();
    for file in selected_files(folder, selected)? {
        usage.files += 1;
        usage.bytes += file.size;
    }
    Ok(usage)
}

/// Removes the files of `folder` whose name `selected` accepts, and returns what was removed.
/// A file that another process removes first is skipped.
pub(crate) fn remove_files(folder: &Path, selected: impl Fn(&str) -> bool) -> io::Result<CacheUsage> {
    let mut removed = CacheUsage::default();
    for file in selected_files(folder, selected)? {
        match fs::remove_file(&file.path) {
            Ok(()) => {
                removed.files += 1;
                removed.bytes += file.size;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(removed)
}

/// One file of a cache folder.
struct CacheFile {
    path: PathBuf,
    size: u64,
    /// The last use: entries are touched when read. A system without modification times gives
    /// the epoch, so such files go first.
    modified: SystemTime,
}

fn selected_files(folder: &Path, selected: impl Fn(&str) -> bool) -> io::Result<Vec<CacheFile>> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        if metadata.is_file() && selected(&entry.file_name().to_string_lossy()) {
            let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            files.push(CacheFile { path: entry.path(), size: metadata.len(), modified });
        }
    }
    Ok(files)
}

/// Removes the least recently used files of `folder`, oldest modification time first, until the
/// files left take at most `max_bytes`, and returns the bytes removed. Files in `keep` and files
/// whose name starts with `.` (writes in progress, possibly of another process) stay. A file
/// that another process removes first is skipped.
pub(crate) fn evict_least_recently_used(folder: &Path, max_bytes: u64, keep: &[PathBuf]) -> u64 {
    let Ok(mut files) = selected_files(folder, |name| !name.starts_with('.')) else { return 0 };
    let mut total: u64 = files.iter().map(|file| file.size).sum();
    files.sort_by(|left, right| left.modified.cmp(&right.modified).then_with(|| left.path.cmp(&right.path)));

    let mut removed = 0;
    for file in files {
        if total <= max_bytes {
            break;
        }
        if keep.contains(&file.path) {
            continue;
        }
        if fs::remove_file(&file.path).is_ok() {
            tracing::debug!(path = %file.path.display(), size = file.size, "removed a cache entry");
            total -= file.size;
            removed += file.size;
        }
    }
    removed
}
