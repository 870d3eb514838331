//! The update state: per URL, the validators of the last download (`ETag`, `Last-Modified`) and
//! the size of the cached copy, kept in a small JSON file beside the database.
//!
//! The state is only a hint for conditional requests. A missing or unreadable state file means
//! full downloads, never a failed update, and a cached copy whose size differs from the state's
//! is downloaded again without validators.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::AdvisoryError;

const STATE_VERSION: u32 = 1;

/// The validators of every URL downloaded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateState {
    version: u32,
    /// Per URL.
    pub files: BTreeMap<String, FileState>,
}

/// The validators of one URL's last download and the size of its cached copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// The `ETag` response header.
    pub etag: Option<String>,
    /// The `Last-Modified` response header.
    pub last_modified: Option<String>,
    /// The cached copy's size in bytes.
    pub size: u64,
}

/// Returns the state file of the database at `database`: `<database>.update.json`.
pub fn state_path(database: &Path) -> PathBuf {
    let mut name = database.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".update.json");
    database.with_file_name(name)
}

impl UpdateState {
    /// Reads the state at `path`; a missing, unreadable or foreign file gives an empty state.
    pub fn load(path: &Path) -> UpdateState {
        let parsed = std::fs::read(path)
            .map_err(|error| error.to_string())
            .and_then(|bytes| serde_json::from_slice::<UpdateState>(&bytes).map_err(|error| error.to_string()));
        match parsed {
            Ok(state) if state.version == STATE_VERSION => state,
            Ok(state) => {
                tracing::warn!(path = %path.display(), version = state.version, "ignored update state of another version; downloading every feed");
                UpdateState::default()
            }
            Err(reason) => {
                if path.exists() {
                    tracing::warn!(path = %path.display(), reason, "ignored unreadable update state; downloading every feed");
                }
                UpdateState::default()
            }
        }
    }

    /// Writes the state to `path` through a temporary file and a rename.
    pub fn save(&self, path: &Path) -> Result<(), AdvisoryError> {
        let file_error = |operation, path: &Path| {
            let path = path.to_owned();
            move |source| AdvisoryError::File { operation, path, source }
        };
        let directory = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut temporary = tempfile::Builder::new()
            .prefix(".stowaway-state-")
            .tempfile_in(directory)
            .map_err(file_error("create a temporary", directory))?;

        let state = UpdateState { version: STATE_VERSION, files: self.files.clone() };
        let bytes = serde_json::to_vec_pretty(&state).map_err(|error| file_error("write", path)(error.into()))?;
        temporary.write_all(&bytes).map_err(file_error("write", temporary.path()))?;
        temporary.persist(path).map_err(|error| AdvisoryError::File { operation: "replace", path: path.to_owned(), source: error.error })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_state_loads_back() {
        let directory = tempfile::tempdir().unwrap();
        let path = state_path(&directory.path().join("stowaway.db"));
        assert!(path.ends_with("stowaway.db.update.json"));

        let mut state = UpdateState::default();
        let file = FileState { etag: Some("\"abc\"".to_owned()), last_modified: None, size: 12 };
        state.files.insert("http://127.0.0.1/a.zip".to_owned(), file);
        state.save(&path).unwrap();

        assert_eq!(UpdateState::load(&path).files, state.files);
    }

    #[test]
    fn unreadable_state_is_empty() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.json");
        assert_eq!(UpdateState::load(&path), UpdateState::default());
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(UpdateState::load(&path), UpdateState::default());
    }
}
