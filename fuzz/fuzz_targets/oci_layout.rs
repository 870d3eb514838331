//! A fuzzed file opened as `oci:PATH`, an OCI image layout tar, then walked.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_fuzz::scratch::write_scratch;
use stowaway_fuzz::walk::{fuzz_open_options, walk_image};
use stowaway_image::open;

fuzz_target!(|data: &[u8]| {
    let path = write_scratch(data);
    if let Ok(image) = open(&format!("oci:{}", path.display()), &fuzz_open_options()) {
        walk_image(&image);
    }
});
