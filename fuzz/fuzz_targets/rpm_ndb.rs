//! A fuzzed rpm NDB file (`Packages.db`), read to its packages as the rpm cataloger reads it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stowaway_catalog::rpm::{RpmdbFormat, read_packages};

fuzz_target!(|data: &[u8]| {
    let _ = read_packages(RpmdbFormat::Ndb, data, "var/lib/rpm/database");
});
