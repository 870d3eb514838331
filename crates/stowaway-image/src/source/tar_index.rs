//! Random access to the members of a tar file (a docker-archive or an OCI layout tar), so that
//! each layer can be streamed on its own thread without unpacking the archive.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::positional::{BlobCursor, PositionalBlob};
use crate::file_identity::FileIdentity;
use crate::{ImageError, ImagePath, Limits};

/// The position of one member's data inside the archive file.
#[derive(Clone, Copy, Debug)]
struct Member {
    offset: u64,
    size: u64,
}

/// The index of an archive's regular members, by normalized name.
///
/// The archive stays open, and every member is read from that one open file, so a file put in
/// its place after the index was built is never read.
#[derive(Debug)]
pub(crate) struct TarIndex {
    path: PathBuf,
    file: Arc<File>,
    identity: FileIdentity,
    indexed_at: SystemTime,
    members: HashMap<ImagePath, Member>,
}

/// How many hops between links inside an archive are followed before giving up.
const MAX_MEMBER_LINK_HOPS: usize = 8;

impl TarIndex {
    /// Reads the headers of every member once, seeking over the data.
    pub(crate) fn build(path: &Path, limits: &Limits) -> Result<TarIndex, ImageError> {
        let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let indexed_at = SystemTime::now();
        let identity = FileIdentity::of(&file).map_err(|e| ImageError::io(path, e))?;
        let mut archive = tar::Archive::new(&file);
        let mut members = HashMap::new();
        let mut links: Vec<(ImagePath, Vec<u8>)> = Vec::new();

        let entries = archive.entries_with_seek().map_err(|e| ImageError::io(path, e))?;
        for (count, entry) in entries.enumerate() {
            if count as u64 >= limits.max_entries {
                return Err(ImageError::io(path, io::Error::other(format!("more than {} members", limits.max_entries))));
            }
            let entry = entry.map_err(|e| ImageError::io(path, e))?;
            let Ok(name) = ImagePath::from_tar_name(&entry.path_bytes()) else {
                tracing::warn!(archive = %path.display(), "skipping archive member whose name leaves the archive root");
                continue;
            };

            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let member = Member { offset: entry.raw_file_position(), size: entry.size() };
                    members.insert(name, member);
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    if let Some(target) = entry.link_name_bytes() {
                        let is_symlink = entry.header().entry_type() == tar::EntryType::Symlink;
                        // Symlink targets are relative to the link's folder, hardlink targets to
                        // the archive root, as docker save writes them.
                        let base = if is_symlink { name.parent().unwrap_or_default() } else { ImagePath::root() };
                        let mut joined = base.as_bytes().to_vec();
                        joined.push(b'/');
                        joined.extend_from_slice(&target);
                        links.push((name, joined));
                    }
                }
                _ => {}
            }
        }

        resolve_member_links(&mut members, links);
        Ok(TarIndex { path: path.to_owned(), file: Arc::new(file), identity, indexed_at, members })
    }

    /// Returns the archive's path on disk.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Tells whether the archive has a regular member (or a link to one) named `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        ImagePath::from_tar_name(name.as_bytes()).is_ok_and(|name| self.members.contains_key(&name))
    }

    /// Returns the size of member `name`.
    pub(crate) fn size(&self, name: &str) -> Option<u64> {
        let name = ImagePath::from_tar_name(name.as_bytes()).ok()?;
        self.members.get(&name).map(|member| member.size)
    }

    /// Returns the identity the archive file had when the index was built.
    pub(crate) fn identity(&self) -> &FileIdentity {
        &self.identity
    }

    /// Tells whether the archive file had been left alone long enough, when the index was built,
    /// for its identity to serve as a key for its content.
    pub(crate) fn settled(&self) -> bool {
        self.identity.settled_at(self.indexed_at)
    }

    /// Tells whether the archive file still has the identity it had when the index was built.
    pub(crate) fn unchanged(&self) -> bool {
        FileIdentity::of(&self.file).is_ok_and(|now| now == self.identity)
    }

    /// Returns the offset and size of member `name` inside the archive file.
    pub(crate) fn member_range(&self, name: &str) -> Option<(u64, u64)> {
        let name = ImagePath::from_tar_name(name.as_bytes()).ok()?;
        self.members.get(&name).map(|member| (member.offset, member.size))
    }

    /// Returns member `name` as a blob that can be read at any offset.
    pub(crate) fn blob(&self, name: &str) -> Option<PositionalBlob> {
        let (offset, len) = self.member_range(name)?;
        Some(PositionalBlob::File { file: Arc::clone(&self.file), offset, len })
    }

    /// Opens member `name` for reading from its start.
    pub(crate) fn open(&self, name: &str) -> Option<BlobCursor> {
        self.blob(name).map(PositionalBlob::cursor)
    }
}

fn resolve_member_links(members: &mut HashMap<ImagePath, Member>, mut links: Vec<(ImagePath, Vec<u8>)>) {
    // A link may point at another link, so resolve in rounds until nothing changes.
    for _ in 0..MAX_MEMBER_LINK_HOPS {
        let before = links.len();
        links.retain(|(name, target)| {
            let Ok(target) = ImagePath::from_tar_name(target) else { return false };
            match members.get(&target).copied() {
                Some(member) => {
                    members.insert(name.clone(), member);
                    false
                }
                None => true,
            }
        });
        if links.len() == before {
            break;
        }
    }
}
