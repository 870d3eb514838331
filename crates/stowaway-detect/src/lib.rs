//! Finds what was hidden in a container image: cryptominers, reverse shells, web shells,
//! malware markers, persistence hooks, tampered package files and secrets.
//!
//! The [`Detector`] adds two analyzers to the image walk, so every file is read in the same
//! streaming pass as the catalogers. One runs YARA rules (the bundled `rules/` folder plus the
//! user's) over every regular file up to a size limit. The other reads the system files that
//! the persistence and package checks need. After the walk, [`Detector::detections`] weighs the
//! facts against the final file system, the image config and the files OS packages own. A file
//! that an upper layer deleted is still reported, one severity level lower, because the image
//! still ships its bytes.
//!
//! ```no_run
//! use stowaway_detect::{DetectOptions, Detector};
//! use stowaway_image::{OpenOptions, Walker, open};
//!
//! let image = open("oci:suspect", &OpenOptions::default())?;
//! let detector = Detector::new(DetectOptions::default())?;
//! let mut walker = Walker::new(&image);
//! for analyzer in detector.analyzers() {
//!     walker = walker.analyzer(analyzer);
//! }
//! let view = walker.run()?;
//! for detection in detector.detections(&image, &view, 0) {
//!     println!("{} {} {:?}", detection.severity, detection.rule_id, detection.path);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod allowlist;
mod candidate;
mod commands;
mod content;
mod detection;
mod detector;
mod error;
mod filesystem;
mod heuristics;
mod image_config;
mod packages;
mod persistence;
mod rules;
mod secrets;
mod system_files;

use std::path::PathBuf;

pub use allowlist::Allowlist;
pub use detection::{Detection, DetectionKind};
pub use detector::Detector;
pub use error::DetectError;

/// The default size limit of one file for the YARA rules. Larger files are scanned for their
/// first 64 MiB only.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// The detector's rule files, size limit, scanner families and allowlist.
#[derive(Clone, Debug)]
pub struct DetectOptions {
    /// User YARA rule files and folders (searched recursively for `.yar` and `.yara`), added to
    /// the bundled rules.
    pub rules: Vec<PathBuf>,
    /// Bytes of one file the rules read; the rest of a larger file is not scanned.
    pub max_file_size: u64,
    /// The families of checks to run.
    pub scanners: Scanners,
    /// Paths and rule ids never reported.
    pub allowlist: Allowlist,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions { rules: Vec::new(), max_file_size: DEFAULT_MAX_FILE_SIZE, scanners: Scanners::default(), allowlist: Allowlist::default() }
    }
}

/// The families of checks, as `--scanners` selects them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanners {
    /// YARA malware rules, command heuristics, persistence, suspicious files and modified
    /// package files.
    pub malware: bool,
    /// Keys and tokens in files, environment variables, labels and history lines.
    pub secret: bool,
    /// Configuration weaknesses of the file system: setuid and setgid executables added after
    /// the base layer.
    pub misconfig: bool,
}

impl Default for Scanners {
    fn default() -> Self {
        Scanners { malware: true, secret: true, misconfig: true }
    }
}

impl Scanners {
    /// Tells whether any family is on.
    pub fn any(self) -> bool {
        self.malware || self.secret || self.misconfig
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<crate::DetectError>();
    }
}
