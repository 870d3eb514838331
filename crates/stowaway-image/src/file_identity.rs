//! The identity of an archive file on disk, which changes whenever the file does. The analysis
//! cache keys the layers of a docker-archive by it, because the digests inside such an archive
//! are claims that only reading the layer could verify.
//!
//! The identity is the device, the inode, the size and both timestamps. The kernel sets the
//! change time (ctime) on every write, and no user can set it back, so a file rewritten in place
//! or replaced by another one gets a new identity. A write within the same clock tick as the
//! `fstat` keeps the timestamps, though. So a file counts as settled, and its identity as a key,
//! only once it has not changed for [`SETTLE_TIME`], or [`COARSE_SETTLE_TIME`] on file systems
//! whose timestamps have whole seconds.

use std::fs::File;
use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a file must have stayed unchanged, for file systems with sub-second timestamps. The
/// kernel's coarse clock, which stamps writes, advances at least every 10 ms.
const SETTLE_TIME: Duration = Duration::from_millis(100);

/// The same for file systems whose timestamps have whole seconds (FAT, some network mounts).
const COARSE_SETTLE_TIME: Duration = Duration::from_secs(2);

/// The identity of an open file, from `fstat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileIdentity {
    /// Reads the identity of `file`.
    #[cfg(unix)]
    pub(crate) fn of(file: &File) -> io::Result<FileIdentity> {
        use std::os::unix::fs::MetadataExt;

        let metadata = file.metadata()?;
        Ok(FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
            size: metadata.size(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
            changed: (metadata.ctime(), metadata.ctime_nsec()),
        })
    }

    /// Reads the identity of `file`. Other systems have no change time, so no identity is known.
    #[cfg(not(unix))]
    pub(crate) fn of(_file: &File) -> io::Result<FileIdentity> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "file identities need a Unix change time"))
    }

    /// Tells whether the file had stayed unchanged long enough by `now` for its identity to
    /// serve as a key for its content.
    pub(crate) fn settled_at(&self, now: SystemTime) -> bool {
        let whole_seconds = self.modified.1 == 0 && self.changed.1 == 0;
        let settle = if whole_seconds { COARSE_SETTLE_TIME } else { SETTLE_TIME };
        let latest = self.modified.max(self.changed);
        let Ok(since_epoch) = now.duration_since(UNIX_EPOCH) else { return false };
        let Some(settled_before) = since_epoch.checked_sub(settle) else { return false };
        let latest_nanos = i128::from(latest.0) * 1_000_000_000 + i128::from(latest.1);
        latest_nanos < settled_before.as_nanos() as i128
    }

    /// Returns the identity as text for a cache key.
    pub(crate) fn key_text(&self) -> String {
        format!(
            "device {} inode {} size {} mtime {}.{:09} ctime {}.{:09}",
            self.device, self.inode, self.size, self.modified.0, self.modified.1, self.changed.0, self.changed.1
        )
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn rewrite_changes_identity() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"first").unwrap();
        let before = FileIdentity::of(file.as_file()).unwrap();
        std::thread::sleep(Duration::from_millis(20));

        std::fs::write(file.path(), b"other").unwrap();
        let after = FileIdentity::of(file.as_file()).unwrap();

        assert_ne!(before, after);
    }

    #[test]
    fn fresh_file_is_not_settled() {
        let file = tempfile::tempfile().unwrap();
        let identity = FileIdentity::of(&file).unwrap();

        assert!(!identity.settled_at(SystemTime::now()));
        assert!(identity.settled_at(SystemTime::now() + Duration::from_secs(3)));
    }
}
