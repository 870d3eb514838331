//! Fuzzes the dpkg status parser with arbitrary bytes, as the dpkg cataloger reads `/var/lib/dpkg/status`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = stowaway_catalog::fuzzing::dpkg_status(data);
});
