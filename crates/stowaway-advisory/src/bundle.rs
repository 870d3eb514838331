//! Offline bundles: a whole database in one compressed file, with its SHA-256 digest recorded in
//! the bundle and checked on import.
//!
//! A bundle is a zstd-compressed tar stream of two members, in this order:
//!
//! - `manifest.json`: `{"format": "stowaway-advisory-bundle", "bundle_version": 1,
//!   "schema_version": 1, "built_at": "...", "database_size": N, "database_sha256": "..."}`;
//! - `db.sqlite`: the database file.
//!
//! Import writes the database to a temporary file beside the target while hashing it, and then
//! checks the size and digest against the manifest. It also checks the schema version and
//! SQLite's integrity, and only then renames the file over the target. A truncated, corrupt or
//! foreign bundle leaves the current database untouched.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::schema::SCHEMA_VERSION;
use crate::{AdvisoryError, AdvisoryStore};

const FORMAT: &str = "stowaway-advisory-bundle";
const BUNDLE_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "db.sqlite";

/// The first member of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `stowaway-advisory-bundle`.
    pub format: String,
    /// The bundle layout version.
    pub bundle_version: u32,
    /// The schema version of the database inside.
    pub schema_version: u32,
    /// When the database was built (RFC 3339, UTC).
    pub built_at: String,
    /// The database size in bytes.
    pub database_size: u64,
    /// The database's SHA-256, in hex.
    pub database_sha256: String,
}

fn bundle_error(path: &Path, reason: impl Into<String>) -> AdvisoryError {
    AdvisoryError::InvalidBundle { path: path.to_owned(), reason: reason.into(), source: None }
}

fn io_error<'a>(operation: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> AdvisoryError + 'a {
    move |source| AdvisoryError::File { operation, path: path.to_owned(), source }
}

/// Writes the database at `database` as a bundle at `output`, through a temporary file and a
/// rename, and returns the manifest written.
pub fn export(database: &Path, output: &Path) -> Result<Manifest, AdvisoryError> {
    // Opening checks the schema version. Stowaway never modifies a database in place, because
    // builds and imports rename a new file over it, so the bytes read are a consistent snapshot.
    let built_at = AdvisoryStore::open(database)?.status()?.built_at;
    let bytes = std::fs::read(database).map_err(io_error("read", database))?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        bundle_version: BUNDLE_VERSION,
        schema_version: SCHEMA_VERSION,
        built_at,
        database_size: bytes.len() as u64,
        database_sha256: hex::encode(Sha256::digest(&bytes)),
    };

    let directory = parent_directory(output);
    let temporary = tempfile::Builder::new()
        .prefix(".stowaway-bundle-")
        .suffix(".tmp")
        .tempfile_in(&directory)
        .map_err(io_error("create a temporary", &directory))?;
    let encoder = zstd::stream::write::Encoder::new(temporary.as_file(), 19).map_err(io_error("compress", output))?;
    let mut archive = tar::Builder::new(encoder);
    let manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    append(&mut archive, MANIFEST, &manifest_json).map_err(io_error("write", output))?;
    append(&mut archive, DATABASE, &bytes).map_err(io_error("write", output))?;
    let encoder = archive.into_inner().map_err(io_error("write", output))?;
    encoder.finish().and_then(|file| file.sync_all()).map_err(io_error("write", output))?;

    temporary.persist(output).map_err(|error| AdvisoryError::File { operation: "replace", path: output.to_owned(), source: error.error })?;
    Ok(manifest)
}

fn append<W: Write>(archive: &mut tar::Builder<W>, name: &str, contents: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(contents.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    archive.append_data(&mut header, name, contents)
}

/// Installs the database in the bundle at `bundle` as `target`, after checking its digest,
/// schema version and integrity, and returns the bundle's manifest.
pub fn import(bundle: &Path, target: &Path) -> Result<Manifest, AdvisoryError> {
    let file = File::open(bundle).map_err(io_error("open", bundle))?;
    let decoder = zstd::stream::read::Decoder::new(BufReader::new(file)).map_err(io_error("read", bundle))?;
    let mut archive = tar::Archive::new(decoder);
    let mut entries = archive.entries().map_err(io_error("read", bundle))?;

    // The manifest comes first, so that the database can be checked while it streams.
    let mut manifest_entry = entries.next().ok_or_else(|| bundle_error(bundle, "the bundle is empty"))?.map_err(io_error("read", bundle))?;
    if manifest_entry.path().map_err(io_error("read", bundle))?.as_os_str() != MANIFEST {
        return Err(bundle_error(bundle, format!("the first member is not `{MANIFEST}`")));
    }
    let mut manifest_bytes = Vec::new();
    manifest_entry.read_to_end(&mut manifest_bytes).map_err(io_error("read", bundle))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|error| AdvisoryError::InvalidBundle {
        path: bundle.to_owned(),
        reason: format!("invalid `{MANIFEST}`"),
        source: Some(Box::new(error)),
    })?;
    check_manifest(bundle, &manifest)?;

    let mut database_entry = entries
        .next()
        .ok_or_else(|| bundle_error(bundle, format!("no `{DATABASE}` member")))?
        .map_err(io_error("read", bundle))?;
    if database_entry.path().map_err(io_error("read", bundle))?.as_os_str() != DATABASE {
        return Err(bundle_error(bundle, format!("the second member is not `{DATABASE}`")));
    }

    let directory = parent_directory(target);
    std::fs::create_dir_all(&directory).map_err(io_error("create the directory of", target))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".stowaway-db-")
        .suffix(".tmp")
        .tempfile_in(&directory)
        .map_err(io_error("create a temporary", &directory))?;
    let mut hasher = Sha256::default();
    let size = copy_hashing(&mut database_entry, temporary.as_file_mut(), &mut hasher).map_err(io_error("read", bundle))?;

    let digest = hex::encode(hasher.finalize());
    if size != manifest.database_size || digest != manifest.database_sha256 {
        return Err(AdvisoryError::DigestMismatch {
            path: bundle.to_owned(),
            expected: format!("{} bytes, sha256:{}", manifest.database_size, manifest.database_sha256),
            actual: format!("{size} bytes, sha256:{digest}"),
        });
    }
    temporary.as_file().sync_all().map_err(io_error("flush", temporary.path()))?;
    verify_database(temporary.path())?;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = std::fs::Permissions::from_mode(0o644);
        temporary.as_file().set_permissions(readable).map_err(io_error("set permissions of", temporary.path()))?;
    }
    temporary.persist(target).map_err(|error| AdvisoryError::File { operation: "replace", path: target.to_owned(), source: error.error })?;
    Ok(manifest)
}

fn check_manifest(bundle: &Path, manifest: &Manifest) -> Result<(), AdvisoryError> {
    if manifest.format != FORMAT {
        return Err(bundle_error(bundle, format!("unknown bundle format `{}`", manifest.format)));
    }
    if manifest.bundle_version != BUNDLE_VERSION {
        return Err(bundle_error(bundle, format!("bundle version {} is not {BUNDLE_VERSION}", manifest.bundle_version)));
    }
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(AdvisoryError::UnsupportedSchema {
            path: bundle.to_owned(),
            found: manifest.schema_version.to_string(),
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Opens the unpacked database as a scan would, and runs SQLite's integrity check on it.
fn verify_database(path: &Path) -> Result<(), AdvisoryError> {
    let store = AdvisoryStore::open(path)?;
    let report = store.integrity_check()?;
    if report != "ok" {
        return Err(AdvisoryError::IntegrityCheck { path: path.to_owned(), report });
    }
    Ok(())
}

/// Copies `reader` to `writer`, adding every byte to `hasher`, and returns the bytes copied.
pub(crate) fn copy_hashing(reader: &mut impl Read, writer: &mut impl Write, hasher: &mut Sha256) -> io::Result<u64> {
    let mut buffer = vec![0; 64 * 1024];
    let mut total = 0;
    loop {
        let count = reader.read(&mut buffer)?;
        if count == 0 {
            return Ok(total);
        }
        hasher.update(&buffer[..count]);
        writer.write_all(&buffer[..count])?;
        total += count as u64;
    }
}

fn parent_directory(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => std::path::PathBuf::from("."),
    }
}
