//! A fuzzed `manifest.json` inside an otherwise valid docker-archive, so that every input
//! reaches the manifest parser and valid ones reach the config, the layers and the walk.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_fuzz::archive::docker_archive_with_manifest;
use stowaway_fuzz::scratch::write_scratch;
use stowaway_fuzz::walk::{fuzz_open_options, walk_image};
use stowaway_image::{ImageError, open};

fuzz_target!(|data: &[u8]| {
    let path = write_scratch(&docker_archive_with_manifest(data));
    let reference = format!("docker-archive:{}", path.display());

    let opened = match open(&reference, &fuzz_open_options()) {
        Err(ImageError::AmbiguousImage { .. }) => open(&format!("{reference}:@0"), &fuzz_open_options()),
        other => other,
    };
    if let Ok(image) = opened {
        walk_image(&image);
    }
});
