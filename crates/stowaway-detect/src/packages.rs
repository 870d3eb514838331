//! The files of OS packages: the paths dpkg lists and their digests.

use std::collections::{HashMap, HashSet};

use stowaway_image::ImageView;

use crate::system_files::SystemFile;

/// The files that dpkg owns in the final image, from its visible `.list`, `.conffiles` and
/// `.md5sums` files.
#[derive(Debug, Default)]
pub(crate) struct PackageFiles {
    owned: HashSet<String>,
    digests: HashMap<String, [u8; 16]>,
}

impl PackageFiles {
    /// Collects the visible dpkg files that the system files analyzer at position `analyzer` read.
    pub(crate) fn collect(view: &ImageView, analyzer: usize) -> PackageFiles {
        let mut files = PackageFiles::default();
        for (_, _, fact) in view.visible_facts::<SystemFile>(analyzer) {
            match fact {
                SystemFile::Owned(paths) => files.owned.extend(paths.iter().cloned()),
                SystemFile::Md5Sums(entries) => {
                    for (path, digest) in entries {
                        files.owned.insert(path.clone());
                        files.digests.insert(path.clone(), *digest);
                    }
                }
                SystemFile::Text(_) => {}
            }
        }
        files
    }

    /// Tells whether a package owns `path` (absolute). A path reached through a merged-/usr
    /// symlink counts under both spellings (`/bin/sh` and `/usr/bin/sh`).
    pub(crate) fn owns(&self, path: &str) -> bool {
        self.owned.contains(path) || alternate_usr_path(path).is_some_and(|other| self.owned.contains(&other))
    }

    /// Returns the digest dpkg recorded for `path` (absolute).
    pub(crate) fn digest(&self, path: &str) -> Option<&[u8; 16]> {
        self.digests.get(path).or_else(|| self.digests.get(&alternate_usr_path(path)?))
    }
}

/// Returns `/usr/bin/x` for `/bin/x` and the reverse, for the folders that merged-/usr links.
fn alternate_usr_path(path: &str) -> Option<String> {
    const MERGED: &[&str] = &["/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"];
    if let Some(rest) = path.strip_prefix("/usr") {
        return MERGED.iter().any(|dir| rest.starts_with(dir)).then(|| rest.to_owned());
    }
    MERGED.iter().any(|dir| path.starts_with(dir)).then(|| format!("/usr{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_usr_spellings() {
        assert_eq!(alternate_usr_path("/bin/sh").as_deref(), Some("/usr/bin/sh"));
        assert_eq!(alternate_usr_path("/usr/lib/x.so").as_deref(), Some("/lib/x.so"));
        assert_eq!(alternate_usr_path("/usr/share/doc"), None);
        assert_eq!(alternate_usr_path("/etc/passwd"), None);
    }
}
