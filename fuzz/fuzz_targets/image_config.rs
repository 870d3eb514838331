//! A fuzzed image config: parsed on its own, checked to survive a serialize round trip, then
//! read through a docker-archive that stores it under its own digest.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_fuzz::archive::docker_archive_with_config;
use stowaway_fuzz::scratch::write_scratch;
use stowaway_fuzz::walk::{fuzz_open_options, walk_image};
use stowaway_image::{ImageConfig, open};

/// More layers than this are not walked: each is a copy of the template layer, so a long
/// `diff_ids` list would only repeat the same read.
const MAX_WALKED_LAYERS: usize = 16;

fuzz_target!(|data: &[u8]| {
    let layer_count = match serde_json::from_slice::<ImageConfig>(data) {
        Ok(config) => {
            check_round_trip(&config);
            config.rootfs.diff_ids.len()
        }
        Err(_) => 1,
    };

    let path = write_scratch(&docker_archive_with_config(data, layer_count.min(MAX_WALKED_LAYERS)));
    if let Ok(image) = open(&format!("docker-archive:{}", path.display()), &fuzz_open_options()) {
        walk_image(&image);
    }
});

/// What stowaway writes into a report must read back as the same config.
fn check_round_trip(config: &ImageConfig) {
    let _ = config.platform().to_string();
    assert_eq!(config.layer_history().len(), config.rootfs.diff_ids.len());

    let written = serde_json::to_vec(config).expect("an image config serializes");
    let reread: ImageConfig = serde_json::from_slice(&written).expect("a serialized image config parses again");
    assert_eq!(serde_json::to_vec(&reread).expect("an image config serializes"), written, "round trip changed the config");
}
