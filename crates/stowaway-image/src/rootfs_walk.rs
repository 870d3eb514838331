//! Reading a plain root filesystem folder as one layer, without following symlinks and without
//! leaving the folder.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::layer::{LayerContents, WalkContext, warning};
use crate::{Entry, EntryKind, ImageError, ImagePath, WarningKind};

/// Walks `root` depth-first in name order and hands wanted files to the analyzers.
pub(crate) fn read_rootfs(context: &WalkContext<'_>, root: &Path) -> Result<LayerContents, ImageError> {
    let mut contents = LayerContents::default();
    let mut pending = vec![ImagePath::root()];
    let skipped = virtual_mounts(root);

    while let Some(directory) = pending.pop() {
        if skipped.contains(directory.as_path()) {
            tracing::debug!(path = %directory, "skipping a virtual filesystem");
            continue;
        }
        let on_disk = root.join(directory.as_path());
        let mut children = match fs::read_dir(&on_disk) {
            Ok(children) => children.filter_map(Result::ok).map(|child| child.file_name()).collect::<Vec<_>>(),
            Err(error) if directory.is_root() => return Err(ImageError::io(&on_disk, error)),
            Err(error) => {
                contents.warn(warning(0, &directory, WarningKind::Unreadable { message: error.to_string() }));
                continue;
            }
        };
        children.sort();

        for name in children.iter().rev() {
            use std::os::unix::ffi::OsStrExt;
            let path = directory.join(name.as_bytes());
            let full = root.join(path.as_path());
            let metadata = match fs::symlink_metadata(&full) {
                Ok(metadata) => metadata,
                Err(error) => {
                    contents.warn(warning(0, &path, WarningKind::Unreadable { message: error.to_string() }));
                    continue;
                }
            };
            let Some(entry) = entry_from_metadata(&full, &metadata, &path, &mut contents) else { continue };
            contents.summary.entries += 1;
            context.take_entry(0, || root.display().to_string())?;
            context.take_path_bytes(0, || root.display().to_string(), path.as_bytes().len())?;

            if entry.is_dir() {
                pending.push(path.clone());
            } else if entry.is_file() {
                contents.summary.uncompressed_size += entry.size;
                analyze_file(context, &full, &path, &entry, &mut contents);
            }
            contents.entries.push((path, entry));
        }
    }
    contents.summary.peak_buffered_bytes = contents.buffered.peak();
    Ok(contents)
}

fn entry_from_metadata(full: &Path, metadata: &fs::Metadata, path: &ImagePath, contents: &mut LayerContents) -> Option<Entry> {
    let file_type = metadata.file_type();
    let kind = if file_type.is_dir() {
        EntryKind::Directory
    } else if file_type.is_file() {
        EntryKind::File
    } else if file_type.is_symlink() {
        match fs::read_link(full) {
            Ok(target) => {
                use std::os::unix::ffi::OsStrExt;
                EntryKind::Symlink { target: target.as_os_str().as_bytes().into() }
            }
            Err(error) => {
                contents.warn(warning(0, path, WarningKind::Unreadable { message: error.to_string() }));
                return None;
            }
        }
    } else if file_type.is_char_device() {
        EntryKind::CharDevice
    } else if file_type.is_block_device() {
        EntryKind::BlockDevice
    } else if file_type.is_fifo() {
        EntryKind::Fifo
    } else {
        return None;
    };

    Some(Entry {
        size: if kind == EntryKind::File { metadata.len() } else { 0 },
        mode: metadata.mode() & 0o7777,
        uid: u64::from(metadata.uid()),
        gid: u64::from(metadata.gid()),
        kind,
    })
}

fn analyze_file(context: &WalkContext<'_>, full: &Path, path: &ImagePath, entry: &Entry, contents: &mut LayerContents) {
    let wanted = context.analyzers.iter().any(|analyzer| analyzer.interest().matches(path));
    if !wanted {
        return;
    }

    // NOTE: the file is opened by path after `symlink_metadata`, so a folder that changes while
    // it is read could swap the file for a symlink in between. Scan folders that are at rest.
    let file = File::open(full);
    let outcome = file.and_then(|mut file| {
        crate::layer::hand_to_analyzers(context, 0, path, entry, &mut file, contents).map(|_| ())
    });
    if let Err(error) = outcome {
        let error: io::Error = error;
        contents.warn(warning(0, path, WarningKind::Unreadable { message: error.to_string() }));
    }
}

/// Filesystem types whose files are made up by the kernel or live only in memory: reading them
/// is meaningless for an inventory and can block (`/proc/kmsg`) or never end. `tmpfs` is kept:
/// `/dev/shm` and `/run` hold real files, and droppers like them.
const VIRTUAL_FILESYSTEMS: [&str; 20] = [
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "pstore",
    "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc", "efivarfs", "selinuxfs", "nsfs",
];

/// Returns the mount points below `root` whose filesystem is virtual, relative to `root`, from
/// `/proc/self/mountinfo`. Scanning a live system (`dir:/`) then skips `/proc`, `/sys`, `/dev`
/// and the like; an exported root filesystem has no mounts and loses nothing.
fn virtual_mounts(root: &Path) -> HashSet<PathBuf> {
    let Ok(root) = root.canonicalize() else { return HashSet::new() };
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else { return HashSet::new() };
    mountinfo
        .lines()
        .filter_map(|line| {
            let (fields, rest) = line.split_once(" - ")?;
            let mount_point = fields.split(' ').nth(4)?;
            let filesystem = rest.split(' ').next()?;
            VIRTUAL_FILESYSTEMS.contains(&filesystem).then(|| unescape_mount_point(mount_point))
        })
        .filter_map(|mount_point| mount_point.strip_prefix(&root).ok().map(Path::to_path_buf))
        .filter(|relative| !relative.as_os_str().is_empty())
        .collect()
}

/// Decodes the octal escapes (`\040` for a space) mountinfo writes in paths.
fn unescape_mount_point(text: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;

    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes.get(index + 1..index + 4).filter(|digits| bytes[index] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)));
        match escaped {
            Some(digits) => {
                out.push(digits.iter().fold(0u8, |value, digit| value.wrapping_mul(8).wrapping_add(digit - b'0')));
                index += 4;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_unescape() {
        assert_eq!(unescape_mount_point("/mnt/a\\040b"), PathBuf::from("/mnt/a b"));
        assert_eq!(unescape_mount_point("/proc"), PathBuf::from("/proc"));
    }

    #[test]
    fn live_root_skips_proc_and_sys() {
        let skipped = virtual_mounts(Path::new("/"));
        assert!(skipped.contains(Path::new("proc")), "{skipped:?}");
        assert!(skipped.contains(Path::new("sys")), "{skipped:?}");
    }
}
