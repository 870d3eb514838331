//! Entry points for the fuzz targets into parsers that are otherwise private. Not a stable API.

use crate::java::{ArchiveLimits, read_archive};

/// Parses bytes as a dpkg status file and returns how many packages it lists.
pub fn dpkg_status(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    crate::dpkg::parse_status(&text, "/var/lib/dpkg/status", true).map_or(0, |packages| packages.len())
}

/// Parses bytes as an apk installed database and returns how many packages it lists.
pub fn apk_installed(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    crate::apk::parse_installed(&text, "/lib/apk/db/installed").map_or(0, |packages| packages.len())
}

/// Reads bytes as a Java archive, nested archives included, with limits small enough for a
/// fuzzer, and returns how many packages it yields.
pub fn java_archive(bytes: &[u8]) -> usize {
    let limits = ArchiveLimits { max_depth: 4, max_uncompressed_bytes: 64 << 20 };
    read_archive(bytes, "/app/fuzz.jar", limits).map_or(0, |partial| partial.packages.len())
}
