//! Helpers to build crafted layers, run the detector over them and find the fixture images.

use std::io::Read;
use std::path::PathBuf;

use stowaway_detect::{DetectOptions, Detection, Detector};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FileInfo, Image, Interest, Walker};

/// A file of a crafted layer: path, mode and content. A path ending in `/` is a folder, and a
/// name starting with `.wh.` is a whiteout.
pub type File<'a> = (&'a str, u32, &'a [u8]);

/// Builds a layer tar.
pub fn layer(files: &[File<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_mode(*mode);
        header.set_mtime(0);
        if path.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder.append_data(&mut header, path, &[][..]).unwrap();
        } else {
            header.set_size(content.len() as u64);
            builder.append_data(&mut header, path, *content).unwrap();
        }
    }
    builder.into_inner().unwrap()
}

/// An analyzer placed before the detector's, so every test also checks that detections read
/// their facts at `first_analyzer` and not at position 0.
pub struct OtherAnalyzer {
    interest: Interest,
}

impl OtherAnalyzer {
    pub fn new() -> OtherAnalyzer {
        OtherAnalyzer { interest: Interest::all_files(1024) }
    }
}

impl Analyzer for OtherAnalyzer {
    fn name(&self) -> &str {
        "other"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, _file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        Ok(Some(Box::new(bytes.len())))
    }
}

/// Walks `image` with another analyzer first and the detector's after it, then returns the
/// detections.
pub fn detect_image(image: &Image, options: DetectOptions) -> Vec<Detection> {
    let detector = Detector::new(options).unwrap();
    let other = OtherAnalyzer::new();
    let mut walker = Walker::new(image).analyzer(&other);
    for analyzer in detector.analyzers() {
        walker = walker.analyzer(analyzer);
    }
    let view = walker.run().unwrap();
    detector.detections(image, &view, 1)
}

/// Detects on an image made of crafted layers, with the default options.
pub fn detect_layers(layers: Vec<Vec<u8>>) -> Vec<Detection> {
    detect_image(&Image::from_layer_blobs(layers), DetectOptions::default())
}

/// Returns the `(rule_id, path)` pairs of `detections`.
pub fn found(detections: &[Detection]) -> Vec<(String, String)> {
    detections.iter().map(|d| (d.rule_id.clone(), d.path.clone().unwrap_or_default())).collect()
}

/// Tells whether `rule_id` was detected on `path`.
pub fn has(detections: &[Detection], rule_id: &str, path: &str) -> bool {
    detections.iter().any(|d| d.rule_id == rule_id && d.path.as_deref() == Some(path))
}

/// The fixture folder that `scripts/build-fixtures.sh` builds.
pub fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(
        dir.join("stowaways/expectations.json").is_file(),
        "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root) or set STOWAWAY_FIXTURES_DIR",
        dir.display()
    );
    dir
}
