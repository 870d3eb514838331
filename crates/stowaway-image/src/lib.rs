//! Reads container images without running them, as the file system a container would see.
//!
//! An image is opened from a source ([`open`]): the tar that `docker save` writes, an OCI image
//! layout (folder or tar), a plain root filesystem, a registry or the Docker Engine. Opening a
//! file source reads only the manifest, index and config. A registry pull also downloads the
//! layers missing from the layer cache, and the engine source exports the image to a temporary
//! file. A [`Walker`] then streams each layer once, layers in parallel, hands the files
//! that [`Analyzer`]s asked for to them, verifies every digest, and squashes the layers into
//! a [`FileTree`] with the OCI image spec's whiteout rules.
//!
//! Images are attacker-controlled input. No file of an image is ever extracted to disk, entry
//! names that leave the root are skipped with a [`Warning`], symlinks resolve inside the image
//! root only, and every size that input controls is bounded by [`Limits`].
//!
//! ```no_run
//! use stowaway_image::{OpenOptions, Walker, open};
//!
//! let image = open("docker-archive:debian.tar", &OpenOptions::default())?;
//! let view = Walker::new(&image).run()?;
//! println!("{} paths, {} regular files", view.tree.len(), view.tree.regular_file_count());
//! # Ok::<(), stowaway_image::ImageError>(())
//! ```

#![warn(missing_docs)]

mod analysis_cache;
mod analyzer;
pub mod artifact;
mod blob;
mod blob_buffer;
mod config;
mod deliver;
mod entry;
mod error;
mod fact_codec;
mod file_identity;
mod hash_thread;
mod layer;
mod limits;
mod lru;
mod path;
mod positional;
mod read_ahead;
mod reference;
mod resolve;
mod rootfs_walk;
mod skip;
mod source;
mod squash;
mod tar_guard;
mod walk;
mod warning;

pub use analysis_cache::AnalysisCache;
pub use lru::CacheUsage;
pub use analyzer::{Analyzer, AnalyzerError, Fact, FileInfo, Interest, InterestError};
pub use blob::Compression;
pub use config::{Healthcheck, History, ImageConfig, RootFs, RuntimeConfig};
pub use deliver::PEEK_BYTES;
pub use entry::{Entry, EntryKind};
pub use error::ImageError;
pub use fact_codec::FactCodec;
pub use layer::LayerSummary;
pub use limits::Limits;
pub use path::{ImagePath, PathEscape};
pub use reference::{ImageReference, Selector, SourceKind};
pub use resolve::{MAX_SYMLINK_FOLLOWS, ResolveError};
pub use source::{DEFAULT_MAX_CACHE_BYTES, blob_cache_usage, clean_blob_cache, DownloadEvent, DownloadProgress, Image, Layer, OpenOptions, open};
pub use squash::{FileTree, Node};
pub use walk::{FactRef, ImageView, Walker};
pub use warning::{Warning, WarningKind};
