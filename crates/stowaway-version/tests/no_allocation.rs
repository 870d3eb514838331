//! Comparing two parsed versions must not allocate: the matcher compares millions of pairs.
//!
//! A counting global allocator wraps the system one; the test parses first, then counts the
//! allocations made while comparing every pair of each ecosystem's samples.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use stowaway_version::{Ecosystem, Version};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to `System` with the same arguments; the counter has no effect on
// the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`, through `alloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SAMPLES: [(Ecosystem, &[&str]); 10] = [
    (
        Ecosystem::Deb,
        &["1:2.30-1ubuntu2", "2.36-9+deb12u4", "2.2~rc-4", "1.09", "1.9"],
    ),
    (
        Ecosystem::Rpm,
        &["1:1.04-299.el7_9", "1.0~rc1^git1-1", "1.0^git1", "8.32", "8.32-35.el9"],
    ),
    (
        Ecosystem::Apk,
        &["1.6-r0", "1.6_rc1-r0", "1.1.1w-r1", "8.2.0015", "1.0~1234-r1"],
    ),
    (
        Ecosystem::Pypi,
        &[
            "2022.12.7",
            "22.10.0rc1",
            "1.0.post1",
            "1!2.0.dev3+local.7",
            "1.0+local",
        ],
    ),
    (
        Ecosystem::Npm,
        &["4.17.15", "7.5.4-beta.2", "1.2.3-a.10", "1.2.3-a.b", "1.2.3+build"],
    ),
    (
        Ecosystem::Cargo,
        &["1.0.188", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0+a", "0.4.39"],
    ),
    (
        Ecosystem::Golang,
        &[
            "v1.2.3",
            "v0.0.0-20191109021931-daa7c04131f5",
            "v2.0.0+incompatible",
            "v1",
            "v1.2.3-pre.1",
        ],
    ),
    (
        Ecosystem::Maven,
        &[
            "2.14.1",
            "1.0-SNAPSHOT",
            "5.3.18.RELEASE",
            "1-alpha2snapshot",
            "1.0.final-redhat",
        ],
    ),
    (
        Ecosystem::Gem,
        &["6.1.7.3", "1.14.0.rc1", "3.2.0-beta.1", "0.0.1.20220404083012", "5.x"],
    ),
    (
        Ecosystem::Generic,
        &["1.1.1w", "1.1.1za", "1.0~beta2", "3.0.0-rc1", "v2023.12"],
    ),
];

#[test]
fn comparing_parsed_versions_does_not_allocate() {
    for (ecosystem, texts) in SAMPLES {
        let versions: Vec<Version> = texts
            .iter()
            .map(|text| Version::parse(ecosystem, text).unwrap())
            .collect();

        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut orderings = 0usize;
        for a in &versions {
            for b in &versions {
                orderings += usize::from(a.compare(b).unwrap().is_lt());
            }
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;

        assert!(orderings > 0, "{ecosystem}: the samples must not all be equal");
        assert_eq!(allocations, 0, "{ecosystem}: comparing allocated {allocations} times");
    }
}
