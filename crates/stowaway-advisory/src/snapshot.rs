//! The embedded default database: a facts-only snapshot built from the shared real feeds by
//! `scripts/build-snapshot.sh`, compressed with zstd and compiled into the binary, so that a scan
//! on a machine without network access has advisories to match.
//!
//! The snapshot keeps ids, aliases, affected packages with their ranges, versions, fixed versions
//! and statuses, severities and CVSS vectors, weaknesses, references, KEV and EPSS, and none of
//! the advisories' summaries. `db update` or `db build` replaces it with full records.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{AdvisoryError, AdvisoryStore, location};

/// The compressed snapshot.
const SNAPSHOT: &[u8] = include_bytes!("../snapshot/stowaway.db.zst");

/// The SHA-256 and size of the unpacked snapshot, recorded when it was built.
const SNAPSHOT_INFO: &str = include_str!("../snapshot/stowaway.db.json");

/// The digest and size of the unpacked snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SnapshotInfo {
    /// The SHA-256 of the unpacked database, in hex.
    pub sha256: String,
    /// The size of the unpacked database in bytes.
    pub size: u64,
}

/// Returns what the snapshot's build recorded about it.
pub fn snapshot_info() -> SnapshotInfo {
    serde_json::from_str(SNAPSHOT_INFO).expect("the snapshot's record is written by scripts/build-snapshot.sh")
}

/// Returns the database to scan with: the one at [`location::database_path`] (`$STOWAWAY_DB`,
/// else `db/stowaway.db` under `cache_dir`) when it exists, else the embedded snapshot,
/// unpacked there first.
pub fn default_database(cache_dir: &Path) -> Result<PathBuf, AdvisoryError> {
    let path = location::database_path(cache_dir);
    if path.exists() {
        return Ok(path);
    }
    tracing::info!(path = %path.display(), "no advisory database, unpacking the embedded snapshot");
    unpack_snapshot(&path)?;
    Ok(path)
}

/// Unpacks the embedded snapshot to `target` through a temporary file beside it, which is
/// renamed over `target` only once its SHA-256 matches the recorded one and it opens as a
/// database of this schema version.
pub fn unpack_snapshot(target: &Path) -> Result<(), AdvisoryError> {
    let file_error = |operation, path: &Path| {
        let path = path.to_owned();
        move |source| AdvisoryError::File { operation, path, source }
    };
    let directory = target.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory).map_err(file_error("create the directory of", target))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".stowaway-db-")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(file_error("create a temporary", directory))?;

    let mut hasher = Sha256::default();
    let size = unpack_into(temporary.as_file_mut(), &mut hasher).map_err(file_error("write", temporary.path()))?;
    let expected = snapshot_info();
    let digest = hex::encode(hasher.finalize());
    if size != expected.size || digest != expected.sha256 {
        return Err(AdvisoryError::SnapshotMismatch {
            expected: format!("{} bytes, sha256:{}", expected.size, expected.sha256),
            actual: format!("{size} bytes, sha256:{digest}"),
        });
    }
    temporary.as_file().sync_all().map_err(file_error("flush", temporary.path()))?;
    AdvisoryStore::open(temporary.path())?;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = std::fs::Permissions::from_mode(0o644);
        temporary.as_file().set_permissions(readable).map_err(file_error("set permissions of", temporary.path()))?;
    }
    temporary.persist(target).map_err(|error| AdvisoryError::File { operation: "replace", path: target.to_owned(), source: error.error })?;
    Ok(())
}

fn unpack_into(writer: &mut impl Write, hasher: &mut Sha256) -> io::Result<u64> {
    let mut decoder = zstd::stream::read::Decoder::new(SNAPSHOT)?;
    crate::bundle::copy_hashing(&mut decoder, writer, hasher)
}

/// Returns whether the file at `path` is the embedded snapshot, unchanged: its size, then its
/// SHA-256, equal the recorded ones. Only a file of the snapshot's size is hashed.
pub(crate) fn is_embedded_snapshot(path: &Path) -> bool {
    let expected = snapshot_info();
    if std::fs::metadata(path).map(|metadata| metadata.len()).ok() != Some(expected.size) {
        return false;
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut hasher = Sha256::default();
    if io::copy(&mut file, &mut hasher).is_err() {
        return false;
    }
    hex::encode(hasher.finalize()) == expected.sha256
}
