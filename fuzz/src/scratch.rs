//! The file that the targets write their image to, because sources are opened by path.

use std::path::PathBuf;
use std::sync::OnceLock;

/// Writes `bytes` to this process's scratch file and returns its path.
///
/// The file lives in `$STOWAWAY_FUZZ_SCRATCH` (`scripts/fuzz.sh` points it at a folder in
/// `/dev/shm` and removes it afterwards), else in the system temp folder, and is named after
/// the process id so that parallel fuzzer jobs do not share it. Every input overwrites it.
///
/// # Panics
/// When the file cannot be written, because every later input would fail the same way.
pub fn write_scratch(bytes: &[u8]) -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        let folder = std::env::var_os("STOWAWAY_FUZZ_SCRATCH").map_or_else(std::env::temp_dir, PathBuf::from);
        folder.join(format!("stowaway-fuzz-{}.tar", std::process::id()))
    });
    if let Err(error) = std::fs::write(path, bytes) {
        panic!("failed to write the scratch image `{}`: {error}", path.display());
    }
    path
}
