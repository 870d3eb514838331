//! Fuzzes the Java archive reader, nested archives included, as the Java cataloger reads jars.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = stowaway_catalog::fuzzing::java_archive(data);
});
