//! Ignore files and OpenVEX documents move findings to the suppressed list, with their reason.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stowaway_match::suppress::{self, IgnoreFile, Suppressor, VexDocument};
use stowaway_match::{Finding, FindingPackage, Fix, MatchBasis, MatchRule, Matches};
use stowaway_model::{Level, PackageKind};

/// 2026-12-04, so that expiry dates in the tests do not depend on the clock.
fn today() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(20_791 * 86_400)
}

fn finding(id: &str, alias: &str, name: &str, version: &str, location: &str) -> Finding {
    Finding {
        id: id.to_owned(),
        advisory_id: alias.to_owned(),
        aliases: vec![alias.to_owned()],
        source: "invented".to_owned(),
        package: FindingPackage {
            name: name.to_owned(),
            version: version.to_owned(),
            kind: PackageKind::Pypi,
            purl: Some(format!("pkg:pypi/{name}@{version}")),
            locations: vec![location.to_owned()],
            layer: None,
        },
        rule: MatchRule {
            namespace: "pypi".to_owned(),
            package: name.to_owned(),
            version: version.to_owned(),
            basis: MatchBasis::Ecosystem,
            constraint: "<9".to_owned(),
        },
        fix: Fix::Fixed { version: "9".to_owned() },
        severity: Level::High,
        severity_source: None,
        cvss: None,
        kev: None,
        epss: None,
        owned_by: None,
        suppression: None,
    }
}

fn sample() -> Matches {
    Matches {
        findings: vec![
            finding("CVE-2018-18074", "PYSEC-2018-28", "requests", "2.19.0", "/usr/local/lib/python3.13/dist-packages/requests-2.19.0.dist-info/METADATA"),
            finding("CVE-2019-11324", "PYSEC-2019-133", "urllib3", "1.23", "/usr/local/lib/python3.13/dist-packages/urllib3-1.23.dist-info/METADATA"),
            finding("CVE-2020-14343", "PYSEC-2021-142", "pyyaml", "5.3", "/opt/app/pyyaml-5.3.dist-info/METADATA"),
        ],
        ..Matches::default()
    }
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|finding| finding.id.as_str()).collect()
}

#[test]
fn ignore_file_toml_fields() {
    let text = r#"
[[ignore]]
id = "PYSEC-2018-28"
reason = "proxy credentials never sent"

[[ignore]]
purl = "pkg:pypi/urllib3@1.22"

[[ignore]]
path = "/opt/app/**"
expires = "2027-01-31"
"#;
    let ignore = IgnoreFile::parse(Path::new(".stowawayignore"), text, today()).unwrap();
    let mut matches = sample();

    let moved = suppress::apply(&mut matches, &[&ignore]);

    assert_eq!(moved, 2);
    assert_eq!(ids(&matches.findings), ["CVE-2019-11324"]);
    assert_eq!(ids(&matches.suppressed), ["CVE-2018-18074", "CVE-2020-14343"]);
    assert_eq!(matches.suppressed[0].suppression.as_ref().unwrap().reason, "proxy credentials never sent");
}

#[test]
fn expired_entries_stop_applying_and_are_reported() {
    let text = "ignore:\n  - id: CVE-2018-18074\n    expires: 2026-12-03\n    reason: until the upgrade\n";
    let ignore = IgnoreFile::parse(Path::new("ignore.yaml"), text, today()).unwrap();
    let mut matches = sample();

    assert_eq!(suppress::apply(&mut matches, &[&ignore]), 0);
    assert_eq!(ignore.expired().len(), 1);
    assert!(ignore.expired()[0].contains("expired on 2026-12-03"), "{}", ignore.expired()[0]);
}

#[test]
fn invalid_entries_name_the_entry() {
    let error = IgnoreFile::parse(Path::new(".stowawayignore"), "[[ignore]]\nreason = \"x\"\n", today()).unwrap_err();
    assert_eq!(error.to_string(), "`.stowawayignore`: entry 1: give at least one of `id`, `purl` and `path`");
    let error = IgnoreFile::parse(Path::new(".stowawayignore"), "[[ignore]]\nid = \"CVE-1\"\nexpires = \"soon\"\n", today()).unwrap_err();
    assert!(error.to_string().contains("invalid `expires` date `soon`"), "{error}");
    let error = IgnoreFile::parse(Path::new(".stowawayignore"), "[[ignore]\nid = 1", today()).unwrap_err();
    assert!(error.to_string().starts_with("failed to parse `.stowawayignore`"), "{error}");
}

#[test]
fn vex_statuses_that_suppress() {
    let document = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "statements": [
            {"vulnerability": {"name": "CVE-2018-18074"}, "products": [{"@id": "pkg:pypi/requests"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
            {"vulnerability": "CVE-2019-11324", "products": ["pkg:pypi/urllib3@1.23"], "status": "affected"},
            {"vulnerability": {"name": "CVE-2020-14343"}, "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:pypi/pyyaml@5.3"}]}], "status": "fixed"}
        ]
    });
    let vex = VexDocument::parse(Path::new("app.vex.json"), document.to_string().as_bytes()).unwrap();
    let mut matches = sample();

    suppress::apply(&mut matches, &[&vex]);

    assert_eq!(ids(&matches.findings), ["CVE-2019-11324"]);
    let reason = &matches.suppressed[0].suppression.as_ref().unwrap().reason;
    assert_eq!(reason, "not_affected in app.vex.json: vulnerable_code_not_in_execute_path");
}

#[test]
fn vex_for_another_package_suppresses_nothing() {
    let document = serde_json::json!({
        "statements": [{"vulnerability": {"name": "CVE-2018-18074"}, "products": [{"@id": "pkg:pypi/other"}], "status": "not_affected"}]
    });
    let vex = VexDocument::parse(Path::new("other.json"), document.to_string().as_bytes()).unwrap();
    assert!(vex.suppression(&sample().findings[0]).is_none());
}
