//! Fuzzes the detector. The input becomes one file of a layer, at a path the first byte picks:
//! a system file that the persistence and dpkg checks parse, or a plain file. The image is then
//! walked with the detector's analyzers, and the detections are assembled.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stowaway_detect::{DetectOptions, Detector};
use stowaway_image::{Image, Walker};

/// Paths whose content the detector parses, and one it only scans.
const PATHS: &[&str] = &[
    "etc/passwd",
    "etc/cron.d/job",
    "etc/profile.d/x.sh",
    "root/.ssh/authorized_keys",
    "etc/ld.so.preload",
    "var/lib/dpkg/info/x.md5sums",
    "var/lib/dpkg/info/x.list",
    "usr/bin/x",
    "srv/app/x",
];

static DETECTOR: LazyLock<Detector> = LazyLock::new(|| Detector::new(DetectOptions::default()).expect("the bundled rules compile"));

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else { return };
    let path = PATHS[selector as usize % PATHS.len()];

    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_mode(if selector & 0x80 != 0 { 0o4755 } else { 0o644 });
    header.set_size(content.len() as u64);
    if builder.append_data(&mut header, path, content).is_err() {
        return;
    }
    let Ok(layer) = builder.into_inner() else { return };

    let image = Image::from_layer_blobs(vec![layer]);
    let mut walker = Walker::new(&image);
    for analyzer in DETECTOR.analyzers() {
        walker = walker.analyzer(analyzer);
    }
    if let Ok(view) = walker.run() {
        let _ = DETECTOR.detections(&image, &view, 0);
    }
});
