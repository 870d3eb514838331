//! Fuzzes the apk database parser with arbitrary bytes, as the apk cataloger reads `/lib/apk/db/installed`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = stowaway_catalog::fuzzing::apk_installed(data);
});
