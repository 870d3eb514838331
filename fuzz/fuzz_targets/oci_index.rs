//! A fuzzed `index.json` inside an otherwise valid OCI layout tar, so that every input reaches
//! the index parser, the nested index walk and the platform choice.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_fuzz::archive::oci_layout_with_index;
use stowaway_fuzz::scratch::write_scratch;
use stowaway_fuzz::walk::{fuzz_open_options, walk_image};
use stowaway_image::{ImageError, open};

fuzz_target!(|data: &[u8]| {
    let path = write_scratch(&oci_layout_with_index(data));
    let reference = format!("oci:{}", path.display());

    let opened = match open(&reference, &fuzz_open_options()) {
        Err(ImageError::AmbiguousImage { .. }) => open(&format!("{reference}:@0"), &fuzz_open_options()),
        other => other,
    };
    if let Ok(image) = opened {
        walk_image(&image);
    }
});
