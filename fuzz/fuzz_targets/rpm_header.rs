//! A fuzzed rpm header blob, read as the rpm cataloger reads each package of a database.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_catalog::rpm::package_from_header;

fuzz_target!(|data: &[u8]| {
    let _ = package_from_header(data, "var/lib/rpm/Packages");
});
