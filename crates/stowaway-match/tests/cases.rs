//! Inputs on which other scanners gave wrong results, with invented advisory records: each
//! asserts the rule, with a control that the rule does not hide real findings.

use stowaway_advisory::{AffectedEntry, NativeRanges, Status};
use stowaway_catalog::OsRelease;
use stowaway_match::{Fix, MatchOptions, Matches, MemorySource, match_inventory, Inventory};
use stowaway_model::{Package, PackageKind, SourcePackage};

fn os(id: &str, version: &str) -> OsRelease {
    OsRelease {
        id: id.to_owned(),
        id_like: Vec::new(),
        version_id: Some(version.to_owned()),
        version_codename: None,
        pretty_name: None,
        source_file: "/etc/os-release".to_owned(),
    }
}

fn record(id: &str, package: &str, status: Status, fixed: Option<&str>) -> AffectedEntry {
    AffectedEntry {
        package: package.to_owned(),
        advisory_id: id.to_owned(),
        source: "invented".to_owned(),
        status,
        fixed_version: fixed.map(str::to_owned),
        ranges: None,
        versions: Vec::new(),
        native_ranges: None,
        ecosystem_specific: None,
        distribution_severity: None,
        aliases: Vec::new(),
        severities: Vec::new(),
        kev: None,
        epss: None,
    }
}

fn ranged(id: &str, package: &str, ranges: serde_json::Value) -> AffectedEntry {
    AffectedEntry { ranges: Some(ranges), ..record(id, package, Status::Fixed, None) }
}

fn package(kind: PackageKind, name: &str, version: &str, source: Option<&str>) -> Package {
    let mut package = Package::new(kind, name, version, "/lib/apk/db/installed");
    package.source = source.map(|name| SourcePackage { name: name.to_owned(), version: None });
    package
}

fn run(os: Option<&OsRelease>, packages: &[Package], source: &MemorySource) -> Matches {
    let options = MatchOptions { today: Some(std::time::UNIX_EPOCH), ..MatchOptions::default() };
    match_inventory(&Inventory { os, packages }, source, &options).unwrap()
}

fn vulnerable(matches: &Matches, name: &str, version: &str) -> Vec<String> {
    matches
        .findings
        .iter()
        .filter(|finding| finding.package.name == name && finding.package.version == version)
        .map(|finding| finding.id.clone())
        .collect()
}

#[test]
fn c01_apk_release_candidate_sorts_before_release() {
    let mut source = MemorySource::new();
    source.add("alpine:3.10", record("CVE-2019-0001", "jq", Status::Fixed, Some("1.6_rc1-r0")));
    let alpine = os("alpine", "3.10.9");

    let packages = [package(PackageKind::Apk, "jq", "1.6-r0", Some("jq")), package(PackageKind::Apk, "jq", "1.5-r5", Some("jq"))];
    let matches = run(Some(&alpine), &packages, &source);

    assert!(vulnerable(&matches, "jq", "1.6-r0").is_empty());
    assert_eq!(vulnerable(&matches, "jq", "1.5-r5"), ["CVE-2019-0001"]);
}

#[test]
fn c02_apk_revision_is_not_a_prerelease() {
    let mut source = MemorySource::new();
    let upstream = serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.5.1"}]}]);
    source.add("alpine:3.14", ranged("CVE-2020-0002", "linux-pam", upstream));
    let alpine = os("alpine", "3.14.2");

    let packages = [
        package(PackageKind::Apk, "linux-pam", "1.5.1-r1", Some("linux-pam")),
        package(PackageKind::Apk, "linux-pam", "1.5.0-r3", Some("linux-pam")),
    ];
    let matches = run(Some(&alpine), &packages, &source);

    assert!(vulnerable(&matches, "linux-pam", "1.5.1-r1").is_empty());
    assert_eq!(vulnerable(&matches, "linux-pam", "1.5.0-r3"), ["CVE-2020-0002"]);
}

#[test]
fn c03_malformed_record_one_warning() {
    let mut source = MemorySource::new();
    source.add("alpine:3.15", record("CVE-2021-0003", "busybox", Status::Fixed, Some("1.34.0_r0")));
    source.add("alpine:3.15", record("CVE-2022-0004", "busybox", Status::Fixed, Some("1.35.0-r0")));
    let alpine = os("alpine", "3.15.4");
    let packages = [
        package(PackageKind::Apk, "busybox", "1.34.1-r3", Some("busybox")),
        package(PackageKind::Apk, "ssl_client", "1.34.1-r3", Some("busybox")),
        package(PackageKind::Apk, "zlib", "1.2.12-r0", Some("zlib")),
    ];

    let matches = run(Some(&alpine), &packages, &source);

    assert_eq!(matches.warnings.len(), 1, "{:?}", matches.warnings);
    let warning = matches.warnings[0].to_string();
    assert!(warning.contains("CVE-2021-0003"), "{warning}");
    assert!(warning.contains("1.34.0_r0"), "{warning}");
    assert_eq!(vulnerable(&matches, "busybox", "1.34.1-r3"), ["CVE-2022-0004"]);
    assert_eq!(vulnerable(&matches, "ssl_client", "1.34.1-r3"), ["CVE-2022-0004"]);
}

#[test]
fn c04_openssl_letter_suffixes() {
    let mut source = MemorySource::new();
    let ranges = serde_json::json!([
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0.2"}, {"fixed": "1.0.2zk"}]},
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.1.1"}, {"fixed": "1.1.1za"}]}
    ]);
    source.add("alpine:3.18", ranged("CVE-2023-0005", "openssl", ranges));
    let alpine = os("alpine", "3.18.6");
    let packages = [
        package(PackageKind::Apk, "libssl1.1", "1.1.1w-r1", Some("openssl")),
        package(PackageKind::Apk, "libcrypto1.1", "1.1.1za-r0", Some("openssl")),
    ];

    let matches = run(Some(&alpine), &packages, &source);

    assert!(matches.warnings.is_empty(), "{:?}", matches.warnings);
    assert_eq!(vulnerable(&matches, "libssl1.1", "1.1.1w-r1"), ["CVE-2023-0005"]);
    assert_eq!(matches.findings[0].fix, Fix::Fixed { version: "1.1.1za".to_owned() });
    assert!(vulnerable(&matches, "libcrypto1.1", "1.1.1za-r0").is_empty());
}

#[test]
fn c05_pep440_zero_padding_is_equal() {
    let mut source = MemorySource::new();
    let ranges = serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "2017.11.05"}, {"fixed": "2022.12.07"}]}]);
    source.add("pypi", ranged("GHSA-0000-0005", "certifi", ranges));
    let packages = [package(PackageKind::Pypi, "certifi", "2022.12.7", None), package(PackageKind::Pypi, "certifi", "2022.12.6", None)];

    let matches = run(None, &packages, &source);

    assert!(vulnerable(&matches, "certifi", "2022.12.7").is_empty());
    assert_eq!(vulnerable(&matches, "certifi", "2022.12.6"), ["GHSA-0000-0005"]);
}

#[test]
fn c06_pep440_release_candidate_fix() {
    let mut source = MemorySource::new();
    let ranges = serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "22.10.0rc1"}]}]);
    source.add("pypi", ranged("PYSEC-0000-6", "twisted", ranges));
    let packages = [package(PackageKind::Pypi, "Twisted", "22.10.0", None), package(PackageKind::Pypi, "Twisted", "22.4.0", None)];

    let matches = run(None, &packages, &source);

    assert!(vulnerable(&matches, "Twisted", "22.10.0").is_empty());
    assert_eq!(vulnerable(&matches, "Twisted", "22.4.0"), ["PYSEC-0000-6"]);
}

#[test]
fn c07_rpm_binary_own_fix() {
    let mut source = MemorySource::new();
    source.add("rhel:7", record("RHSA-2019:0007", "perl", Status::Fixed, Some("4:5.16.3-294.el7_6")));
    source.add("rhel:7", record("RHSA-2019:0007", "perl-Pod-Escapes", Status::Fixed, Some("1:1.04-294.el7_6")));
    let rhel = os("rhel", "7.9");
    let mut current = package(PackageKind::Rpm, "perl-Pod-Escapes", "1:1.04-299.el7_9", Some("perl"));
    current.source = Some(SourcePackage { name: "perl".to_owned(), version: Some("5.16.3-299.el7_9".to_owned()) });
    let mut old = current.clone();
    old.version = "1:1.04-292.el7".to_owned();

    let matches = run(Some(&rhel), &[current, old], &source);

    assert!(vulnerable(&matches, "perl-Pod-Escapes", "1:1.04-299.el7_9").is_empty());
    assert_eq!(vulnerable(&matches, "perl-Pod-Escapes", "1:1.04-292.el7"), ["RHSA-2019:0007"]);
}

#[test]
fn debian_binary_package_matches_through_its_source_version() {
    let mut source = MemorySource::new();
    source.add("debian:12", record("CVE-2024-0001", "openssl", Status::Fixed, Some("3.0.15-1~deb12u1")));
    source.add("debian:12", record("CVE-2024-0002", "openssl", Status::NotAffected, None));
    source.add("debian:12", record("CVE-2024-0003", "openssl", Status::Unfixed, None));
    source.add("debian:12", record("CVE-2024-0004", "openssl", Status::WillNotFix, None));
    source.add("debian:12", record("CVE-2024-0005", "libssl3", Status::Fixed, Some("9.9")));
    let debian = os("debian", "12");
    let mut libssl = Package::new(PackageKind::Deb, "libssl3", "3.0.11-1~deb12u2+b1", "/var/lib/dpkg/status");
    libssl.source = Some(SourcePackage { name: "openssl".to_owned(), version: Some("3.0.11-1~deb12u2".to_owned()) });

    let matches = run(Some(&debian), &[libssl], &source);

    let ids: Vec<&str> = matches.findings.iter().map(|finding| finding.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-0001", "CVE-2024-0003"]);
    let fixed = &matches.findings[0];
    assert_eq!(fixed.rule.describe(), "source package openssl 3.0.11-1~deb12u2 in debian:12, affected: < 3.0.15-1~deb12u1");
    assert_eq!(matches.findings[1].fix, Fix::Unfixed);
    let suppressed: Vec<(&str, &str)> =
        matches.suppressed.iter().map(|finding| (finding.id.as_str(), finding.suppression.as_ref().unwrap().reason.as_str())).collect();
    assert_eq!(suppressed, [("CVE-2024-0002", "not affected in debian:12"), ("CVE-2024-0004", "will not be fixed in debian:12")]);
}

#[test]
fn records_of_one_vulnerability_merge_under_its_cve() {
    let mut source = MemorySource::new();
    let ranges = serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}]);
    let mut pysec = ranged("PYSEC-2018-28", "requests", ranges.clone());
    pysec.aliases = vec!["CVE-2018-18074".to_owned(), "GHSA-x84v-xcm2-53pg".to_owned()];
    let mut ghsa = ranged("GHSA-x84v-xcm2-53pg", "requests", ranges);
    ghsa.aliases = vec!["CVE-2018-18074".to_owned()];
    source.add("pypi", pysec).add("pypi", ghsa);

    let matches = run(None, &[package(PackageKind::Pypi, "requests", "2.19.0", None)], &source);

    assert_eq!(matches.findings.len(), 1);
    assert_eq!(matches.findings[0].id, "CVE-2018-18074");
    assert_eq!(matches.findings[0].aliases, ["GHSA-x84v-xcm2-53pg", "PYSEC-2018-28"]);
}

#[test]
fn os_owned_packages_upstream_flag() {
    let mut source = MemorySource::new();
    let ranges = serde_json::json!([{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.24.6"}]}]);
    source.add("golang", ranged("GO-2025-0001", "stdlib", ranges));
    let debian = os("debian", "13");
    let mut fzf = Package::new(PackageKind::Deb, "fzf", "0.60.3-1", "/var/lib/dpkg/status");
    fzf.files = vec!["/usr/bin/fzf".to_owned()];
    let stdlib = Package::new(PackageKind::Golang, "stdlib", "v1.24.4", "/usr/bin/fzf");
    let loose = Package::new(PackageKind::Golang, "stdlib", "v1.24.4", "/opt/tool");
    let packages = [fzf, stdlib, loose];

    let inventory = Inventory { os: Some(&debian), packages: &packages };
    let default = match_inventory(&inventory, &source, &MatchOptions::default()).unwrap();
    let upstream = match_inventory(&inventory, &source, &MatchOptions { match_os_owned_upstream: true, ..MatchOptions::default() }).unwrap();

    assert_eq!(default.findings.len(), 1);
    assert_eq!(default.findings[0].package.locations, ["/opt/tool"]);
    assert_eq!(default.left_to_os_packages, 1);
    let owners: Vec<Option<&str>> = upstream.findings.iter().map(|finding| finding.owned_by.as_deref()).collect();
    assert_eq!(owners, [None, Some("fzf")]);
}

#[test]
fn native_ranges_match_gems() {
    let mut source = MemorySource::new();
    let mut rubysec = record("CVE-2020-8165", "activesupport", Status::Fixed, None);
    rubysec.native_ranges = Some(NativeRanges { vulnerable: Vec::new(), patched: vec!["~> 5.2.4, >= 5.2.4.3".to_owned(), ">= 6.0.3.1".to_owned()], unaffected: Vec::new() });
    source.add("gem", rubysec);
    let packages = [package(PackageKind::Gem, "activesupport", "5.2.4.2", None), package(PackageKind::Gem, "activesupport", "6.0.3.1", None)];

    let matches = run(None, &packages, &source);

    assert_eq!(vulnerable(&matches, "activesupport", "5.2.4.2"), ["CVE-2020-8165"]);
    assert!(vulnerable(&matches, "activesupport", "6.0.3.1").is_empty());
}

#[test]
fn end_of_life_release_is_reported_once() {
    let source = MemorySource::new();
    let debian = os("debian", "10");
    let packages = [Package::new(PackageKind::Deb, "bash", "5.0-4", "/var/lib/dpkg/status")];
    let options = MatchOptions { today: Some(humantime_now("2026-12-04T00:00:00Z")), ..MatchOptions::default() };

    let matches = match_inventory(&Inventory { os: Some(&debian), packages: &packages }, &source, &options).unwrap();

    assert_eq!(matches.end_of_life.map(|eol| eol.namespace), Some("debian:10".to_owned()));
}

fn humantime_now(text: &str) -> std::time::SystemTime {
    let days = match text {
        "2026-12-04T00:00:00Z" => 20_791,
        other => panic!("no fixed date for {other}"),
    };
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(days * 86_400)
}
