//! Default locations of the database, the download cache and the update configuration, after the
//! XDG base directory specification.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that names the database file.
pub const DATABASE_VARIABLE: &str = "STOWAWAY_DB";

/// Returns `$XDG_CACHE_HOME/stowaway`, or `~/.cache/stowaway`: the folder of the database
/// (`db/stowaway.db`) and of the downloaded feeds (`feeds/`).
pub fn default_cache_dir() -> Option<PathBuf> {
    base_dir("XDG_CACHE_HOME", ".cache").map(|home| home.join("stowaway"))
}

/// Returns the database path: `$STOWAWAY_DB` when set, else `db/stowaway.db` under `cache_dir`.
pub fn database_path(cache_dir: &std::path::Path) -> PathBuf {
    non_empty(std::env::var_os(DATABASE_VARIABLE)).map_or_else(|| cache_dir.join("db/stowaway.db"), PathBuf::from)
}

/// Returns `$XDG_CONFIG_HOME`, or `~/.config`.
pub(crate) fn config_home() -> Option<PathBuf> {
    base_dir("XDG_CONFIG_HOME", ".config")
}

fn base_dir(variable: &str, under_home: &str) -> Option<PathBuf> {
    non_empty(std::env::var_os(variable))
        .map(PathBuf::from)
        .or_else(|| non_empty(std::env::var_os("HOME")).map(|home| PathBuf::from(home).join(under_home)))
}

fn non_empty(value: Option<OsString>) -> Option<OsString> {
    value.filter(|value| !value.is_empty())
}
