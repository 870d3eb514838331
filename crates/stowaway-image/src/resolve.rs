//! Symlink resolution inside the squashed view, confined to the image root.

use crate::squash::FileTree;
use crate::{EntryKind, ImagePath};

/// How many symlinks one resolution follows before it reports a loop; the Linux kernel stops
/// at 40 too (`MAXSYMLINKS`).
pub const MAX_SYMLINK_FOLLOWS: usize = 40;

/// A path that cannot be resolved in the image. Only that path is affected; the rest of the
/// image reads as usual.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// A component does not exist.
    #[error("cannot resolve `{path}`: `{missing}` does not exist in the image")]
    NotFound {
        /// The path being resolved.
        path: ImagePath,
        /// The first component that is missing.
        missing: ImagePath,
    },
    /// A component that is not a directory is used as one.
    #[error("cannot resolve `{path}`: `{file}` is not a directory")]
    NotADirectory {
        /// The path being resolved.
        path: ImagePath,
        /// The non-directory component.
        file: ImagePath,
    },
    /// More than [`MAX_SYMLINK_FOLLOWS`] symlinks, which means a loop.
    #[error("cannot resolve `{path}`: more than {MAX_SYMLINK_FOLLOWS} symlinks followed, likely a loop")]
    Loop {
        /// The path being resolved.
        path: ImagePath,
    },
}

impl FileTree {
    /// Resolves every symlink in `path`, the last component included, as a process inside the
    /// container would. Absolute targets start again from the image root and `..` stops at the
    /// root, so no resolution ever leaves the image.
    pub fn resolve(&self, path: &ImagePath) -> Result<ImagePath, ResolveError> {
        self.resolve_inner(path, true)
    }

    /// Resolves the symlinks in the parent folders of `path` but not in its last component, as
    /// `lstat` does.
    pub fn resolve_parent(&self, path: &ImagePath) -> Result<ImagePath, ResolveError> {
        self.resolve_inner(path, false)
    }

    fn resolve_inner(&self, path: &ImagePath, follow_last: bool) -> Result<ImagePath, ResolveError> {
        // Components still to walk, last first, and the resolved path so far as one buffer with
        // the length before each component, so a step costs the length of one component.
        let mut pending: Vec<Vec<u8>> = path.components().rev().map(<[u8]>::to_vec).collect();
        let mut resolved: Vec<u8> = Vec::with_capacity(path.as_bytes().len());
        let mut boundaries: Vec<usize> = Vec::new();
        let mut follows = 0;

        while let Some(component) = pending.pop() {
            match component.as_slice() {
                b"" | b"." => continue,
                b".." => {
                    if let Some(length) = boundaries.pop() {
                        resolved.truncate(length);
                    }
                    continue;
                }
                _ => {
                    boundaries.push(resolved.len());
                    if !resolved.is_empty() {
                        resolved.push(b'/');
                    }
                    resolved.extend_from_slice(&component);
                }
            }

            let is_last = pending.is_empty();
            let Some(node) = self.get_bytes(&resolved) else {
                // Tars may omit parent folders; a path with entries below it is a folder.
                if !is_last && self.has_descendants(&resolved) {
                    continue;
                }
                return Err(ResolveError::NotFound { path: path.clone(), missing: owned(&resolved) });
            };

            match &node.entry.kind {
                EntryKind::Symlink { target } if follow_last || !is_last => {
                    follows += 1;
                    if follows > MAX_SYMLINK_FOLLOWS {
                        return Err(ResolveError::Loop { path: path.clone() });
                    }
                    let length = boundaries.pop().unwrap_or(0);
                    resolved.truncate(length);
                    if target.starts_with(b"/") {
                        resolved.clear();
                        boundaries.clear();
                    }
                    pending.extend(target.split(|b| *b == b'/').rev().map(<[u8]>::to_vec));
                }
                EntryKind::Directory => {}
                _ if is_last => {}
                _ => return Err(ResolveError::NotADirectory { path: path.clone(), file: owned(&resolved) }),
            }
        }
        Ok(owned(&resolved))
    }
}

fn owned(bytes: &[u8]) -> ImagePath {
    ImagePath::from_tar_name(bytes).unwrap_or_default()
}
