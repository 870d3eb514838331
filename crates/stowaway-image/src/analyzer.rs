//! The interface between the layer walker and the analyzers (catalogers, detectors) that read
//! files of the image.

use std::any::Any;
use std::io::Read;

use globset::{GlobSet, GlobSetBuilder};

use crate::fact_codec::FactCodec;
use crate::{Entry, ImagePath};

/// The result an analyzer draws from one file: any value, read back with
/// [`ImageView::facts`](crate::ImageView::facts) and downcast by the analyzer that made it.
pub type Fact = Box<dyn Any + Send + Sync>;

/// The error type analyzers return; a failure is recorded as a warning on that file only.
pub type AnalyzerError = Box<dyn std::error::Error + Send + Sync>;

/// The files an analyzer wants to read, and how much of each.
#[derive(Clone, Debug)]
pub struct Interest {
    globs: GlobSet,
    patterns: Vec<String>,
    all_files: bool,
    max_read: u64,
}

/// An invalid glob pattern in an [`Interest`].
#[derive(Debug, thiserror::Error)]
#[error("invalid glob pattern `{pattern}`")]
pub struct InterestError {
    pattern: String,
    #[source]
    source: globset::Error,
}

impl Interest {
    /// Interest in the regular files whose path matches one of `patterns`. Patterns are matched
    /// against the path without its leading `/`; `*` stays within one component and `**` crosses
    /// components, so `**/METADATA` matches at any depth and `etc/os-release` only there.
    pub fn globs<I, S>(patterns: I, max_read: u64) -> Result<Interest, InterestError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = GlobSetBuilder::new();
        let mut kept = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_ref().trim_start_matches('/');
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|source| InterestError { pattern: pattern.to_owned(), source })?;
            builder.add(glob);
            kept.push(pattern.to_owned());
        }
        let globs = builder.build().map_err(|source| InterestError { pattern: kept.join(", "), source })?;
        Ok(Interest { globs, patterns: kept, all_files: false, max_read })
    }

    /// Interest in every regular file of the image, as malware scanners need.
    pub fn all_files(max_read: u64) -> Interest {
        Interest { globs: GlobSet::empty(), patterns: vec!["**".to_owned()], all_files: true, max_read }
    }

    /// Tells whether the file at `path` is wanted.
    pub fn matches(&self, path: &ImagePath) -> bool {
        self.all_files || self.globs.is_match(path.as_path())
    }

    /// Returns the most bytes of one file handed to the analyzer.
    pub fn max_read(&self) -> u64 {
        self.max_read
    }

    /// Returns the patterns, for logs.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

/// A regular file handed to an analyzer.
#[derive(Clone, Copy, Debug)]
pub struct FileInfo<'a> {
    /// The path of the file in the image.
    pub path: &'a ImagePath,
    /// The layer it comes from, from 0 at the base.
    pub layer: usize,
    /// Its metadata; `size` is the full size even when the read is cut at
    /// [`Interest::max_read`].
    pub entry: &'a Entry,
}

impl FileInfo<'_> {
    /// Tells whether the content handed over stops before the end of the file.
    pub fn is_truncated(&self, interest: &Interest) -> bool {
        self.entry.size > interest.max_read
    }
}

/// A reader of image files: a cataloger, a detector.
///
/// Analyzers run on the layer threads, each file in the layer it appears in, including files
/// that an upper layer later deletes; [`ImageView`](crate::ImageView) tells which facts survive
/// in the final file system.
pub trait Analyzer: Sync {
    /// Returns a short, stable name for logs and warnings (`dpkg`, `python`).
    fn name(&self) -> &str;

    /// Returns the files the analyzer requests.
    fn interest(&self) -> &Interest;

    /// Tells whether the analyzer wants the content of a file that its interest matched, from the
    /// file's metadata and its first bytes: at most [`PEEK_BYTES`](crate::PEEK_BYTES), fewer for
    /// a shorter file or a smaller [`Interest::max_read`]. The walker reads no further for
    /// analyzers that return false, so a cheap check here (a magic number, an execute bit) keeps
    /// large files that no analyzer needs out of memory. The default wants every file.
    fn accepts(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        let _ = (file, head);
        true
    }

    /// Reads one file, at most [`Interest::max_read`] bytes of it, and returns what it learned.
    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError>;

    /// Tells whether the analyzer needs each file whole in memory, as parsers of executables
    /// that seek in the file do. When several analyzers accept one file and one of them needs
    /// it whole, the walker reads the file into memory once and passes the same bytes to each
    /// through [`Analyzer::analyze_bytes`], so the file is in memory once rather than once per
    /// analyzer. The default streams.
    fn reads_whole_files(&self) -> bool {
        false
    }

    /// Reads one file from memory, at most [`Interest::max_read`] bytes of it. The default
    /// passes the bytes to [`Analyzer::analyze`] as a reader.
    fn analyze_bytes(&self, file: &FileInfo<'_>, bytes: &[u8]) -> Result<Option<Fact>, AnalyzerError> {
        self.analyze(file, &mut &bytes[..])
    }

    /// Returns how the analyzer's facts are stored in the layer analysis cache. The default,
    /// `None`, means they cannot be stored, and a walk with this analyzer reads every layer
    /// whatever the cache holds.
    fn fact_codec(&self) -> Option<&FactCodec> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_depth_rules() {
        let interest = Interest::globs(["**/*.dist-info/METADATA", "/etc/os-release"], 1024).unwrap();
        assert!(interest.matches(&ImagePath::new("usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA")));
        assert!(interest.matches(&ImagePath::new("etc/os-release")));
        assert!(!interest.matches(&ImagePath::new("usr/etc/os-release")));
        assert!(!interest.matches(&ImagePath::new("METADATA")));
    }

    #[test]
    fn invalid_glob_names_pattern() {
        let error = Interest::globs(["a[b"], 1).unwrap_err();
        assert!(error.to_string().contains("a[b"), "{error}");
    }
}
