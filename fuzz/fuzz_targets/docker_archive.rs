//! A fuzzed file opened as `docker-archive:PATH`, then walked.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_fuzz::scratch::write_scratch;
use stowaway_fuzz::walk::{fuzz_open_options, walk_image};
use stowaway_image::{ImageError, open};

fuzz_target!(|data: &[u8]| {
    let path = write_scratch(data);
    let reference = format!("docker-archive:{}", path.display());

    // An archive with several images needs a selector; take the first so they get walked too.
    let opened = match open(&reference, &fuzz_open_options()) {
        Err(ImageError::AmbiguousImage { .. }) => open(&format!("{reference}:@0"), &fuzz_open_options()),
        other => other,
    };
    if let Ok(image) = opened {
        walk_image(&image);
    }
});
