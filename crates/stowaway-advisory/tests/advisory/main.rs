//! The advisory database against the real feeds in the shared data folder:
//! `$STOWAWAY_SHARED_DIR/data/advisories` (default: the `shared` folder beside the workspace
//! root).

mod build;
mod bundle;
mod importers;
mod nvd;
mod snapshot;
mod store;

use std::io::Read;
use std::path::{Path, PathBuf};

/// Returns the shared advisories folder, failing loudly when it is missing.
pub fn advisories_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let dir = shared.join("data/advisories");
    assert!(dir.is_dir(), "advisory feeds not found at {}: set STOWAWAY_SHARED_DIR to the shared folder", dir.display());
    dir
}

/// Counts the regular files of a `.tar.zst` archive whose path `wanted` accepts, independently of
/// the importers.
pub fn count_members(archive: &Path, wanted: impl Fn(&str) -> bool) -> usize {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    tar.entries()
        .unwrap()
        .map(Result::unwrap)
        .filter(|entry| entry.header().entry_type().is_file())
        .filter(|entry| wanted(&entry.path().unwrap().to_string_lossy()))
        .count()
}

/// Reads a gzip-compressed file as text.
pub fn read_gzip(path: &Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    text
}
