use std::fmt;

use crate::ImagePath;

/// A problem that did not stop reading the image but that a user should know about, because it
/// can hide content from the analyzers or shows that the image was crafted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// Index of the layer the problem is in, when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The path inside the image concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<ImagePath>,
    /// What happened.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum WarningKind {
    /// A tar entry name climbs above the image root with `..`; the entry was skipped.
    PathEscape {
        /// The entry name as written in the tar.
        name: String,
    },
    /// A hardlink target climbs above the image root; the link was skipped.
    HardlinkEscape {
        /// The link target as written in the tar.
        target: String,
    },
    /// A hardlink names a target that no earlier entry of its layer created.
    HardlinkTargetMissing {
        /// The normalized link target.
        target: ImagePath,
    },
    /// A path or link target is longer than the limit; the entry was skipped.
    PathTooLong {
        /// Length of the name in bytes.
        length: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The same path appears twice in one layer; the later entry wins, as on extraction.
    DuplicateEntry,
    /// A lower-layer file stood where this layer needs a directory; it was replaced by a
    /// directory, as overlay filesystems do.
    ParentNotDirectory {
        /// The path that needed the parent.
        child: ImagePath,
    },
    /// An analyzer failed on one file; the other files and analyzers went on.
    AnalyzerFailed {
        /// Name of the analyzer.
        analyzer: String,
        /// The failure.
        message: String,
    },
    /// A tar entry type that no container runtime extracts (such as a GNU volume header).
    UnsupportedEntryType {
        /// The tar type flag byte.
        type_flag: u8,
    },
    /// More warnings of this layer than are kept; they were counted only.
    Suppressed {
        /// How many warnings were not kept.
        count: u64,
    },
    /// A file of the plain root filesystem source could not be read; it was skipped.
    Unreadable {
        /// The I/O error.
        message: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(layer) = self.layer {
            write!(f, "layer {layer}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "`{path}`: ")?;
        }
        match &self.kind {
            WarningKind::PathEscape { name } => write!(f, "entry `{name}` leaves the image root and was skipped"),
            WarningKind::HardlinkEscape { target } => {
                write!(f, "hardlink target `{target}` leaves the image root; the link was skipped")
            }
            WarningKind::HardlinkTargetMissing { target } => {
                write!(f, "hardlink target `{target}` is not an earlier entry of this layer")
            }
            WarningKind::PathTooLong { length, limit } => {
                write!(f, "name of {length} bytes exceeds the limit of {limit} bytes; the entry was skipped")
            }
            WarningKind::DuplicateEntry => write!(f, "path appears twice in one layer; the later entry wins"),
            WarningKind::ParentNotDirectory { child } => {
                write!(f, "a non-directory stood where `{child}` needs a directory; it was replaced")
            }
            WarningKind::AnalyzerFailed { analyzer, message } => write!(f, "analyzer `{analyzer}` failed: {message}"),
            WarningKind::UnsupportedEntryType { type_flag } => {
                write!(f, "unsupported tar entry type `{}`; the entry was skipped", char::from(*type_flag).escape_default())
            }
            WarningKind::Unreadable { message } => write!(f, "unreadable, skipped: {message}"),
            WarningKind::Suppressed { count } => write!(f, "{count} more warnings not shown"),
        }
    }
}
