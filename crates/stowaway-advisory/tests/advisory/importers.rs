//! Each importer on the real feed files: the record counts must equal what the files contain,
//! counted here without the importers.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use stowaway_advisory::{Advisory, Feed, FeedKind, Status};

use crate::{advisories_dir, count_members, read_gzip};

fn feed(name: &str, kind: FeedKind, relative: &str) -> Feed {
    Feed { name: name.to_owned(), kind, paths: vec![advisories_dir().join(relative)] }
}

#[test]
fn osv_archives_import_every_record() {
    let cases = [
        ("osv/go-vulndb-osv.tar.zst", ".json"),
        ("osv/rustsec-osv.tar.zst", ".json"),
        ("osv/pypa-advisory-db.tar.zst", ".yaml"),
    ];
    for (relative, suffix) in cases {
        let expected = count_members(&advisories_dir().join(relative), |path| path.ends_with(suffix));
        let data = feed(relative, FeedKind::Osv, relative).import().unwrap();

        assert_eq!(data.record_count, expected, "{relative}: records");
        assert!(data.warnings.is_empty(), "{relative}: {:?}", &data.warnings[..data.warnings.len().min(3)]);
        assert_eq!(data.advisories.len(), expected, "{relative}: advisories");
        assert!(data.digest.starts_with("sha256:"), "{relative}: {}", data.digest);
    }
}

#[test]
fn osv_go_keeps_imports_and_ranges() {
    let data = feed("go", FeedKind::Osv, "osv/go-vulndb-osv.tar.zst").import().unwrap();
    let advisory = data.advisories.iter().find(|advisory| advisory.id == "GO-2022-0969").unwrap();

    assert!(advisory.aliases.contains(&"CVE-2022-27664".to_owned()));
    let net = advisory.affected.iter().find(|affected| affected.package == "golang.org/x/net").unwrap();
    assert_eq!(net.namespace, "golang");
    assert_eq!(net.status, Status::Fixed);
    assert_eq!(net.fixed_version.as_deref(), Some("0.0.0-20220906165146-f3363e06e74c"));
    assert_eq!(net.ecosystem_specific.as_ref().unwrap()["imports"][0]["path"], "golang.org/x/net/http2");
    let stdlib = advisory.affected.iter().find(|affected| affected.package == "stdlib").unwrap();
    assert_eq!(stdlib.ranges.as_ref().unwrap()[0]["events"].as_array().unwrap().len(), 4);
}

#[test]
fn osv_pypa_yaml_keeps_versions() {
    let data = feed("pypa", FeedKind::Osv, "osv/pypa-advisory-db.tar.zst").import().unwrap();
    let advisory = data.advisories.iter().find(|advisory| advisory.id == "PYSEC-2021-335").unwrap();
    let affected = &advisory.affected[0];

    assert_eq!(affected.namespace, "pypi");
    assert_eq!(affected.package, "accesscontrol");
    assert_eq!(affected.versions, ["4.0", "4.1", "4.2", "5.0", "5.1"]);
    // A GIT range and an ECOSYSTEM range, each with a fix: no single fixed version.
    assert_eq!(affected.fixed_version, None);
    assert_eq!(affected.ranges.as_ref().unwrap().as_array().unwrap().len(), 2);
}

#[test]
fn osv_samples_directory_maps_distributions() {
    let data = feed("samples", FeedKind::Osv, "osv-dev-samples").import().unwrap();
    let expected = std::fs::read_dir(advisories_dir().join("osv-dev-samples"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|extension| extension == "json"))
        .count();

    // The directory walk also reads the `vulnfeeds-parts` files, which are no OSV records and are
    // reported as skipped records; only the top-level files become advisories.
    let ids: Vec<&str> = data.advisories.iter().map(|advisory| advisory.id.as_str()).collect();
    assert_eq!(ids.len(), expected, "{ids:?}");
    let dsa = data.advisories.iter().find(|advisory| advisory.id == "DSA-3029-1").unwrap();
    assert_eq!(dsa.affected[0].namespace, "debian:7");
    assert_eq!(dsa.affected[0].fixed_version.as_deref(), Some("1.2.1-2.2+wheezy3"));
}

/// Counts secdb package entries and fixed-version-to-CVE mappings from the JSON files.
fn count_secdb(root: &PathBuf) -> (usize, usize) {
    let (mut packages, mut mappings) = (0, 0);
    for branch in std::fs::read_dir(root).unwrap() {
        for file in std::fs::read_dir(branch.unwrap().path()).unwrap() {
            let document: Value = serde_json::from_slice(&std::fs::read(file.unwrap().path()).unwrap()).unwrap();
            for entry in document["packages"].as_array().into_iter().flatten() {
                packages += 1;
                for cves in entry["pkg"]["secfixes"].as_object().into_iter().flat_map(|map| map.values()) {
                    // An empty list is sometimes written as `""`, a single id as a bare string.
                    mappings += match cves {
                        Value::Array(ids) => ids.len(),
                        Value::String(id) if !id.is_empty() => 1,
                        _ => 0,
                    };
                }
            }
        }
    }
    (packages, mappings)
}

#[test]
fn rubysec_imports_every_advisory() {
    let archive = advisories_dir().join("native/ruby-advisory-db.tar.zst");
    let expected = count_members(&archive, |path| path.ends_with(".yml"));
    let data = feed("rubysec", FeedKind::RubySec, "native/ruby-advisory-db.tar.zst").import().unwrap();

    assert_eq!(data.record_count, expected);
    assert!(data.warnings.is_empty(), "{:?}", &data.warnings[..data.warnings.len().min(3)]);
    let namespaces: BTreeSet<&str> = data.advisories.iter().map(|advisory| advisory.affected[0].namespace.as_str()).collect();
    assert_eq!(namespaces, BTreeSet::from(["gem", "ruby-engine"]));

    let arabic = data.advisories.iter().find(|advisory| advisory.id == "CVE-2014-2322").unwrap();
    assert_eq!(arabic.affected[0].package, "Arabic-Prawn");
    assert_eq!(arabic.affected[0].status, Status::Unfixed);
    assert_eq!(arabic.aliases, ["GHSA-hgmw-x865-hf9x", "OSVDB-104365"]);
}

#[test]
fn nodejs_imports_every_npm_and_core_advisory() {
    let archive = advisories_dir().join("native/nodejs-security-wg-vuln.tar.zst");
    let advisory_in = |directory: &'static str| {
        move |path: &str| path.contains(directory) && path.ends_with(".json") && !path.ends_with("/index.json")
    };
    let all_npm = count_members(&archive, advisory_in("/npm/"));
    let all_core = count_members(&archive, advisory_in("/core/"));
    let data = feed("nodejs", FeedKind::NodeSecurityWg, "native/nodejs-security-wg-vuln.tar.zst").import().unwrap();

    assert!(all_core > 100, "{all_core}");
    assert_eq!(data.record_count, all_npm + all_core);
    assert_eq!(data.advisories.len() + data.warnings.len(), all_npm + all_core);
    let core: Vec<&Advisory> = data.advisories.iter().filter(|advisory| advisory.id.starts_with("NSWG-CORE-")).collect();
    assert_eq!(core.len(), all_core);
    assert!(core.iter().all(|advisory| advisory.affected[0].namespace == "nodejs" && advisory.affected[0].package == "node"));
    let spawn = core.iter().find(|advisory| advisory.aliases.contains(&"CVE-2024-27980".to_owned())).unwrap();
    assert_eq!(spawn.affected[0].native_ranges.as_ref().unwrap().vulnerable, ["18.x || 20.x || 21.x"]);
    assert!(data.warnings.is_empty(), "{:?}", &data.warnings[..data.warnings.len().min(3)]);
    let uri_js = data.advisories.iter().find(|advisory| advisory.id == "NSWG-ECO-100").unwrap();
    let ranges = uri_js.affected[0].native_ranges.as_ref().unwrap();
    assert_eq!(uri_js.affected[0].package, "uri-js");
    assert_eq!(ranges.vulnerable, ["<=2.1.1"]);
    assert_eq!(ranges.patched, [">=3.0.0"]);
}

#[test]
fn alpine_secdb_json_and_yaml_agree() {
    let (packages, mappings) = count_secdb(&advisories_dir().join("alpine-secdb/json"));
    let json = feed("alpine-json", FeedKind::AlpineSecdb, "alpine-secdb/json").import().unwrap();
    let yaml = feed("alpine-yaml", FeedKind::AlpineSecdb, "alpine-secdb/yaml").import().unwrap();

    for data in [&json, &yaml] {
        assert_eq!(data.record_count, packages);
        let affected: usize = data.advisories.iter().map(|advisory| advisory.affected.len()).sum();
        assert_eq!(affected + data.warnings.len(), mappings, "{:?}", data.warnings);
    }
    assert_eq!(json.advisories, yaml.advisories);
}

#[test]
fn alpine_fixed_version_zero_is_not_affected() {
    let data = feed("alpine", FeedKind::AlpineSecdb, "alpine-secdb/json").import().unwrap();
    let zero = data
        .advisories
        .iter()
        .flat_map(|advisory| &advisory.affected)
        .find(|affected| affected.status == Status::NotAffected)
        .expect("the secdb lists at least one `0` fix");
    assert_eq!(zero.fixed_version, None);
    assert!(zero.namespace.starts_with("alpine:3."), "{}", zero.namespace);
}

#[test]
fn debian_tracker_sample() {
    let path = advisories_dir().join("debian/tracker-json-sample.json");
    let document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let pairs: usize = document.as_object().unwrap().values().map(|issues| issues.as_object().unwrap().len()).sum();

    let data = feed("tracker", FeedKind::DebianTracker, "debian/tracker-json-sample.json").import().unwrap();
    assert_eq!(data.record_count, pairs);
    assert!(data.warnings.is_empty(), "{:?}", data.warnings);

    let open = data.advisories.iter().find(|advisory| advisory.id == "CVE-2016-1585").unwrap();
    let bookworm = open.affected.iter().find(|affected| affected.namespace == "debian:12").unwrap();
    assert_eq!(bookworm.status, Status::Unfixed);
    assert_eq!(bookworm.distribution_severity.as_deref(), Some("unimportant"));
    let sid = open.affected.iter().find(|affected| affected.namespace == "debian:sid").unwrap();
    assert_eq!(sid.fixed_version.as_deref(), Some("3.0.12-1"));
    let never = data.advisories.iter().find(|advisory| advisory.id == "CVE-2014-1424").unwrap();
    assert!(never.affected.iter().all(|affected| affected.status == Status::NotAffected));
}

#[test]
fn debian_lists_count_every_entry() {
    for (relative, prefix) in [("debian/DSA-list.gz", "DSA-"), ("debian/DLA-list.gz", "DLA-")] {
        let text = read_gzip(&advisories_dir().join(relative));
        let expected = text.lines().filter(|line| line.starts_with('[')).count();

        let data = feed(relative, FeedKind::DebianList, relative).import().unwrap();
        assert_eq!(data.record_count, expected, "{relative}");
        assert_eq!(data.advisories.len() + data.warnings.len(), expected, "{relative}");
        assert!(data.warnings.is_empty(), "{relative}: {:?}", &data.warnings[..data.warnings.len().min(3)]);
        assert!(data.advisories.iter().all(|advisory| advisory.id.starts_with(prefix)), "{relative}");
    }

    let data = feed("dsa", FeedKind::DebianList, "debian/DSA-list.gz").import().unwrap();
    let xorg = data.advisories.iter().find(|advisory| advisory.id == "DSA-5380-1").unwrap();
    assert_eq!(xorg.aliases, ["CVE-2023-1393"]);
    assert_eq!(xorg.affected[0].namespace, "debian:11");
    assert_eq!(xorg.affected[0].fixed_version.as_deref(), Some("2:1.20.11-1+deb11u6"));
}

#[test]
fn kev_catalog_counts_match() {
    let path = advisories_dir().join("kev/known_exploited_vulnerabilities.json.gz");
    let document: Value = serde_json::from_str(&read_gzip(&path)).unwrap();
    let entries = document["vulnerabilities"].as_array().unwrap().len();
    assert_eq!(document["count"].as_u64(), Some(entries as u64), "the catalog's own count");

    let data = feed("kev", FeedKind::Kev, "kev/known_exploited_vulnerabilities.json.gz").import().unwrap();
    assert_eq!(data.record_count, entries);
    assert_eq!(data.kev.len(), entries, "{:?}", data.warnings);
    assert!(data.kev.iter().any(|entry| entry.cve_id == "CVE-2025-48384" && entry.product == "Git"));
}

#[test]
fn epss_sample_counts_match() {
    let path = advisories_dir().join("epss/epss_scores-sample.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let rows = text.lines().filter(|line| line.starts_with("CVE-")).count();

    let data = feed("epss", FeedKind::Epss, "epss/epss_scores-sample.csv").import().unwrap();
    assert_eq!(data.record_count, rows);
    assert_eq!(data.epss.len(), rows, "{:?}", data.warnings);
    let first = &data.epss[0];
    assert_eq!((first.cve_id.as_str(), first.score, first.percentile), ("CVE-1999-0001", 0.03351, 0.88255));
}

#[test]
fn malformed_record_is_counted_and_named() {
    let directory = tempfile::tempdir().unwrap();
    let good = std::fs::read(advisories_dir().join("osv-dev-samples/DSA-3029-1.json")).unwrap();
    std::fs::write(directory.path().join("DSA-3029-1.json"), good).unwrap();
    std::fs::write(directory.path().join("BROKEN-1.json"), br#"{"id": "BROKEN-1", "affected": "oops"}"#).unwrap();

    let feed = Feed { name: "local".to_owned(), kind: FeedKind::Osv, paths: vec![directory.path().to_owned()] };
    let data = feed.import().unwrap();
    assert_eq!(data.record_count, 2);
    assert_eq!(data.advisories.len(), 1);
    assert_eq!(data.warnings.len(), 1);
    assert_eq!(data.warnings[0].record, "BROKEN-1");
    assert!(data.warnings[0].file.ends_with("BROKEN-1.json"), "{}", data.warnings[0].file);
}

#[test]
fn unreadable_feed_names_the_feed() {
    let directory = tempfile::tempdir().unwrap();
    let archive = directory.path().join("corrupt.tar.zst");
    std::fs::write(&archive, b"not zstd at all").unwrap();

    let feed = Feed { name: "corrupt-osv".to_owned(), kind: FeedKind::Osv, paths: vec![archive] };
    let error = feed.import().unwrap_err();
    assert!(error.to_string().starts_with("failed to read feed `corrupt-osv`"), "{error}");
}

#[test]
fn native_ranges_parse_as_ecosystem_ranges() {
    let cases = [
        (FeedKind::RubySec, "native/ruby-advisory-db.tar.zst", stowaway_version::Ecosystem::Gem),
        (FeedKind::NodeSecurityWg, "native/nodejs-security-wg-vuln.tar.zst", stowaway_version::Ecosystem::Npm),
    ];
    for (kind, relative, ecosystem) in cases {
        let data = feed(relative, kind, relative).import().unwrap();
        let mut failures = Vec::new();
        let mut total = 0;
        for affected in data.advisories.iter().flat_map(|advisory| &advisory.affected) {
            let Some(ranges) = &affected.native_ranges else { continue };
            for range in ranges.vulnerable.iter().chain(&ranges.patched).chain(&ranges.unaffected) {
                total += 1;
                if let Err(error) = stowaway_version::Range::parse(ecosystem, range) {
                    failures.push(format!("{}: {error}", affected.package));
                }
            }
        }
        assert!(total > 0, "{relative}");
        assert!(failures.is_empty(), "{relative}: {} of {total} ranges fail: {:?}", failures.len(), &failures[..failures.len().min(8)]);
    }
}

#[test]
fn osv_zip_archive_as_osv_dev_publishes() {
    let directory = tempfile::tempdir().unwrap();
    let archive = directory.path().join("all.zip");
    let samples = advisories_dir().join("osv-dev-samples");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in ["DSA-3029-1.json", "USN-6332-1.json"] {
        writer.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut writer, &std::fs::read(samples.join(name)).unwrap()).unwrap();
    }
    writer.start_file("BROKEN-1.json", options).unwrap();
    std::io::Write::write_all(&mut writer, b"{").unwrap();
    writer.finish().unwrap();

    let discovery = stowaway_advisory::discover(&archive).unwrap();
    assert_eq!(discovery.feeds.len(), 1);
    assert_eq!((discovery.feeds[0].name.as_str(), discovery.feeds[0].kind), ("all", FeedKind::Osv));

    let data = discovery.feeds[0].import().unwrap();
    assert_eq!(data.record_count, 3);
    let ids: BTreeSet<&str> = data.advisories.iter().map(|advisory| advisory.id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["DSA-3029-1", "USN-6332-1"]));
    assert_eq!(data.warnings.len(), 1);
    assert_eq!(data.warnings[0].record, "BROKEN-1");
}

#[test]
fn corrupt_zip_archive_fails_the_feed() {
    let directory = tempfile::tempdir().unwrap();
    let archive = directory.path().join("all.zip");
    std::fs::write(&archive, b"PK\x03\x04 not really a zip").unwrap();

    let feed = Feed { name: "osv-zip".to_owned(), kind: FeedKind::Osv, paths: vec![archive] };
    let error = feed.import().unwrap_err();
    assert!(error.to_string().starts_with("failed to read feed `osv-zip`"), "{error}");
}

#[test]
fn zip_member_over_limit_fails_feed() {
    let directory = tempfile::tempdir().unwrap();
    let archive = directory.path().join("all.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("BOMB-1.json", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..65 {
        std::io::Write::write_all(&mut writer, &zeros).unwrap();
    }
    writer.finish().unwrap();
    assert!(std::fs::metadata(&archive).unwrap().len() < 1 << 20, "the test archive should be small compressed");

    let feed = Feed { name: "bomb".to_owned(), kind: FeedKind::Osv, paths: vec![archive] };
    let error = feed.import().unwrap_err();
    assert!(error.to_string().starts_with("failed to read feed `bomb`"), "{error}");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("member `BOMB-1.json` is over the limit of 67108864 bytes"), "{cause}");
}
