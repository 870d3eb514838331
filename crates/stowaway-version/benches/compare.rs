//! Comparisons per second of two already-parsed versions, per ecosystem.
//!
//! Run with `cargo bench -p stowaway-version --bench compare`; criterion reports the throughput
//! in elements (comparisons) per second. Each ecosystem compares every ordered pair of a list of
//! realistic versions, so the numbers include the early exits and the long equal prefixes that a
//! matcher meets.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stowaway_version::{Ecosystem, Version};

/// Versions as installed packages and advisories write them.
const SAMPLES: [(Ecosystem, &[&str]); 10] = [
    (
        Ecosystem::Deb,
        &[
            "1:2.30-1ubuntu2",
            "2.36-9+deb12u4",
            "2.36-9+deb12u10",
            "3.0.11-1~deb12u2",
            "1.2.13.dfsg-1",
            "1.2.13.dfsg-1+b1",
            "7.88.1-10+deb12u5",
            "2.2~rc-4",
        ],
    ),
    (
        Ecosystem::Rpm,
        &[
            "1:1.04-299.el7_9",
            "1:1.04-294.el7_6",
            "4:5.16.3-299.el7_9",
            "2.28-225.el8_8.6",
            "3.0.7-24.el9",
            "1.0~rc1^git1-1.fc39",
            "0:8.32-35.el9",
            "8.32-35.el9",
        ],
    ),
    (
        Ecosystem::Apk,
        &[
            "1.6-r0",
            "1.6_rc1-r0",
            "1.1.1w-r1",
            "1.1.1z-r0",
            "3.1.4-r5",
            "1.36.1-r15",
            "1.34.1-r3",
            "2.4.7_p20230101-r0",
        ],
    ),
    (
        Ecosystem::Pypi,
        &[
            "2022.12.7",
            "2022.12.07",
            "22.10.0",
            "22.10.0rc1",
            "1.0.post1",
            "2.31.0",
            "3.0.0a7",
            "1!2.0.dev3+local.7",
        ],
    ),
    (
        Ecosystem::Npm,
        &[
            "4.17.15",
            "4.17.21",
            "1.2.0",
            "1.2.6",
            "7.5.4",
            "7.5.4-beta.2",
            "10.0.0-rc.1",
            "0.0.1",
        ],
    ),
    (
        Ecosystem::Cargo,
        &[
            "1.0.188",
            "1.0.0-alpha.1",
            "0.4.38",
            "0.4.39",
            "2.0.0-rc.3",
            "1.28.1",
            "0.10.0",
            "0.9.9",
        ],
    ),
    (
        Ecosystem::Golang,
        &[
            "v1.2.3",
            "v0.0.0-20191109021931-daa7c04131f5",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v2.0.0+incompatible",
            "v1.10.0",
            "v1.9.9",
            "v0.17.0",
            "v1.2.3-pre",
        ],
    ),
    (
        Ecosystem::Maven,
        &[
            "2.14.1",
            "2.17.0",
            "1.0-SNAPSHOT",
            "5.3.18.RELEASE",
            "9.0.0.M1",
            "2.15.0-rc1",
            "1.2.3-sp1",
            "31.1-jre",
        ],
    ),
    (
        Ecosystem::Gem,
        &[
            "6.1.7.3",
            "7.0.4.3",
            "1.13.10",
            "1.14.0.rc1",
            "3.2.0-beta.1",
            "2.7.4",
            "0.0.1.20220404083012",
            "5.x",
        ],
    ),
    (
        Ecosystem::Generic,
        &[
            "1.1.1w",
            "1.1.1za",
            "1.5.1",
            "2.4.57",
            "10.45",
            "1.0~beta2",
            "3.0.0-rc1",
            "2023.12",
        ],
    ),
];

fn compare(c: &mut Criterion) {
    let mut group = c.benchmark_group("compare");
    for (ecosystem, texts) in SAMPLES {
        let versions: Vec<Version> = texts
            .iter()
            .map(|text| Version::parse(ecosystem, text).unwrap_or_else(|error| panic!("{error}")))
            .collect();
        let pairs: Vec<(&Version, &Version)> = versions
            .iter()
            .flat_map(|a| versions.iter().map(move |b| (a, b)))
            .collect();

        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(ecosystem.purl_type(), |bencher| {
            bencher.iter(|| {
                for (a, b) in &pairs {
                    black_box(black_box(a).compare(black_box(b)).ok());
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
