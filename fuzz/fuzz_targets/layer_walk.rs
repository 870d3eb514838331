//! One fuzzed layer blob (plain, gzip or zstd tar), walked as a one-layer image.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_image::Image;
use stowaway_fuzz::walk::walk_image;

fuzz_target!(|data: &[u8]| {
    let image = Image::from_layer_blobs(vec![data.to_vec()]);
    walk_image(&image);
});
