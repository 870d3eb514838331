use serde::Serialize;

use crate::ImagePath;

/// One file system entry of a layer or of the squashed view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The kind, with the link target for links.
    pub kind: EntryKind,
    /// Size in bytes of a regular file's content; 0 for other kinds.
    pub size: u64,
    /// Permission and mode bits (`0o4755` for a setuid executable).
    pub mode: u32,
    /// Owner user id.
    pub uid: u64,
    /// Owner group id.
    pub gid: u64,
}

/// The kinds of [`Entry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link, with its target exactly as written (absolute or relative).
    Symlink {
        /// The target bytes.
        #[serde(serialize_with = "serialize_lossy")]
        target: Box<[u8]>,
    },
    /// A hard link to another path of the same layer, which shares its content.
    Hardlink {
        /// The normalized target path.
        target: ImagePath,
    },
    /// A character device node.
    CharDevice,
    /// A block device node.
    BlockDevice,
    /// A named pipe.
    Fifo,
}

impl Entry {
    /// Tells whether the entry is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Directory
    }

    /// Tells whether the entry is a regular file (not a hardlink to one).
    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::File
    }
}

fn serialize_lossy<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}
