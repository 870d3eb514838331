//! The version-level half of the end-to-end scan cases on apk and PyPI: orderings and ranges
//! whose wrong result is a false alarm or a missed vulnerability.

use std::cmp::Ordering;

use stowaway_version::osv::{AffectedVersions, Event, OsvRange, RangeType};
use stowaway_version::{Ecosystem, Range, Version, apk, generic};

fn version(ecosystem: Ecosystem, text: &str) -> Version {
    Version::parse(ecosystem, text).unwrap_or_else(|error| panic!("{error}"))
}

fn fixed_in(ecosystem: Ecosystem, fixed: &str) -> AffectedVersions {
    let range = OsvRange {
        kind: RangeType::Ecosystem,
        events: vec![Event::Introduced("0".to_owned()), Event::Fixed(fixed.to_owned())],
    };
    AffectedVersions::new(ecosystem, &[range], &[]).unwrap_or_else(|error| panic!("{error}"))
}

fn assert_ascending(ecosystem: Ecosystem, ordered: &[&str]) {
    for pair in ordered.windows(2) {
        let (a, b) = (version(ecosystem, pair[0]), version(ecosystem, pair[1]));
        assert_eq!(
            a.compare(&b).unwrap(),
            Ordering::Less,
            "{ecosystem}: {} < {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn apk_rc_sorts_before_release() {
    let affected = fixed_in(Ecosystem::Apk, "1.6_rc1-r0");
    assert!(
        !affected.contains(&version(Ecosystem::Apk, "1.6-r0")).unwrap(),
        "jq 1.6-r0 is past 1.6_rc1"
    );
    assert!(affected.contains(&version(Ecosystem::Apk, "1.6_beta2-r0")).unwrap());
    assert_ascending(
        Ecosystem::Apk,
        &["1.6_alpha", "1.6_beta", "1.6_pre", "1.6_rc", "1.6_rc1", "1.6", "1.6_p1"],
    );
}

#[test]
fn apk_revision_is_packaging_not_prerelease() {
    assert_ascending(Ecosystem::Apk, &["1.5.0-r3", "1.5.1", "1.5.1-r1"]);

    // An upstream (NVD-style) range applies to the version without its `-rN`.
    let upstream_range = generic::Range::parse("< 1.5.1").unwrap();
    let upstream = |text: &str| generic::Version::parse(apk::Version::parse(text).unwrap().upstream()).unwrap();
    assert!(
        !upstream_range.contains(&upstream("1.5.1-r1")),
        "linux-pam 1.5.1-r1 is not below 1.5.1"
    );
    assert!(
        upstream_range.contains(&upstream("1.5.0-r3")),
        "control: 1.5.0-r3 is below 1.5.1"
    );
}

#[test]
fn apk_malformed_fixed_version_is_an_error() {
    let error = Version::parse(Ecosystem::Apk, "1.34.0_r0").unwrap_err();
    assert!(error.to_string().contains("invalid apk version `1.34.0_r0`"), "{error}");

    // The malformed advisory row fails alone; the valid row still matches busybox 1.34.1-r3.
    let malformed = OsvRange {
        kind: RangeType::Ecosystem,
        events: vec![Event::Introduced("0".to_owned()), Event::Fixed("1.34.0_r0".to_owned())],
    };
    let error = AffectedVersions::new(Ecosystem::Apk, &[malformed], &[]).unwrap_err();
    assert!(error.to_string().contains("`1.34.0_r0`"), "{error}");
    let valid = fixed_in(Ecosystem::Apk, "1.35.0-r0");
    assert!(valid.contains(&version(Ecosystem::Apk, "1.34.1-r3")).unwrap());
}

#[test]
fn openssl_letter_suffixes() {
    assert_ascending(
        Ecosystem::Generic,
        &["1.1.1w", "1.1.1y", "1.1.1z", "1.1.1za", "1.1.1zb"],
    );

    // libssl1.1 1.1.1w-r1 against the upstream ranges [1.0.2, 1.0.2zk) and [1.1.1, 1.1.1za).
    let ranges = Range::parse(Ecosystem::Generic, ">= 1.0.2, < 1.0.2zk || >= 1.1.1, < 1.1.1za").unwrap();
    let installed = apk::Version::parse("1.1.1w-r1").unwrap();
    let upstream = version(Ecosystem::Generic, installed.upstream());
    assert!(ranges.contains(&upstream).unwrap(), "1.1.1w is in [1.1.1, 1.1.1za)");

    // apk itself rejects two trailing letters, so the control is compared upstream only.
    assert!(Version::parse(Ecosystem::Apk, "1.1.1za-r0").is_err());
    assert!(
        !ranges.contains(&version(Ecosystem::Generic, "1.1.1za")).unwrap(),
        "control: 1.1.1za is fixed"
    );
}

#[test]
fn pep440_normalisation() {
    assert_eq!(
        version(Ecosystem::Pypi, "2022.12.07"),
        version(Ecosystem::Pypi, "2022.12.7")
    );
    let range = Range::parse(Ecosystem::Pypi, ">=2017.11.05, <2022.12.07").unwrap();
    assert!(
        !range.contains(&version(Ecosystem::Pypi, "2022.12.7")).unwrap(),
        "certifi 2022.12.7 is fixed"
    );
    assert!(
        range.contains(&version(Ecosystem::Pypi, "2022.12.6")).unwrap(),
        "control: 2022.12.6 is affected"
    );
}

#[test]
fn pep440_prereleases() {
    let affected = fixed_in(Ecosystem::Pypi, "22.10.0rc1");
    assert!(
        !affected.contains(&version(Ecosystem::Pypi, "22.10.0")).unwrap(),
        "twisted 22.10.0 is past rc1"
    );
    assert!(affected.contains(&version(Ecosystem::Pypi, "22.10.0b1")).unwrap());
    assert_ascending(
        Ecosystem::Pypi,
        &["1.0.dev1", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"],
    );
    assert_ascending(Ecosystem::Pypi, &["1.0", "1.0+local", "1.0.post1"]);
}
