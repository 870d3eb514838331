//! OS detection and the dpkg and apk catalogers.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::Command;
use std::sync::Mutex;

use stowaway_catalog::{CatalogOptions, catalog_image};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FileInfo, Interest, OpenOptions, Walker, open};
use stowaway_model::PackageKind;

use crate::support::*;

const DEBIAN_11: &[u8] = b"PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"11\"\n";

#[test]
fn removed_packages_are_dropped() {
    let status = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-2\nArchitecture: amd64\n\n\
Package: git\nStatus: deinstall ok config-files\nVersion: 1:2.30.2-1\nArchitecture: amd64\n\n\
Package: tzdata\nStatus: install ok half-configured\nVersion: 2024a-0+deb11u1\nArchitecture: all\n\n\
Package: purged\nStatus: purge ok not-installed\nVersion: 1.0\nArchitecture: all\n";
    let catalog = catalog_layers(vec![layer(&[("var/lib/dpkg/status", status)])]);

    let names: Vec<&str> = catalog.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bash", "tzdata"]);
    assert_eq!(catalog.packages[1].metadata.get("status").map(String::as_str), Some("half-configured"));
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

#[test]
fn distroless_status_folder_is_read() {
    let base_files = b"Package: base-files\nVersion: 11.1+deb11u8\nArchitecture: amd64\n";
    let libssl = b"Package: libssl1.1\nSource: openssl\nVersion: 1.1.1n-0+deb11u3\nArchitecture: amd64\n";
    let md5sums = b"0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libssl.so.1.1\n";
    let catalog = catalog_layers(vec![layer(&[
        ("etc/os-release", DEBIAN_11),
        ("var/lib/dpkg/status.d/base-files", base_files),
        ("var/lib/dpkg/status.d/libssl1.1", libssl),
        ("var/lib/dpkg/status.d/libssl1.1.md5sums", md5sums),
    ])]);

    let os = catalog.os.as_ref().unwrap();
    assert_eq!((os.id.as_str(), os.version_id.as_deref()), ("debian", Some("11")));
    assert_eq!(catalog.packages.len(), 2);
    let libssl = catalog.packages.iter().find(|p| p.name == "libssl1.1").unwrap();
    assert_eq!(libssl.source.as_ref().unwrap().name, "openssl");
    assert_eq!(
        libssl.purl.as_deref(),
        Some("pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11&upstream=openssl")
    );
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

#[test]
fn packages_attributed_to_adding_layer() {
    let base = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-2\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.11\n";
    let with_curl = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-2\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.11\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.74.0-1.3\n";
    let upgraded = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-2+deb11u1\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.11\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.74.0-1.3\n";
    let catalog = catalog_layers(vec![
        layer(&[("var/lib/dpkg/status", base)]),
        layer(&[("var/lib/dpkg/status", with_curl)]),
        layer(&[("var/lib/dpkg/status", upgraded)]),
    ]);

    let layer_of = |name: &str| catalog.packages.iter().find(|p| p.name == name).and_then(|p| p.layer.as_ref()).map(|l| l.index);
    assert_eq!(layer_of("zlib1g"), Some(0));
    assert_eq!(layer_of("curl"), Some(1));
    assert_eq!(layer_of("bash"), Some(2));
}

#[test]
fn deleted_database_lists_nothing() {
    let status = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-2\n";
    let catalog = catalog_layers(vec![
        layer(&[("var/lib/dpkg/status", status)]),
        layer(&[("var/lib/dpkg/.wh.status", b"")]),
    ]);
    assert!(catalog.packages.is_empty());
}

#[test]
fn malformed_database_warns_others_still_found() {
    let status = b"Package: broken\nStatus: install ok installed\nArchitecture: amd64\n";
    let apk = b"P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n";
    let catalog = catalog_layers(vec![layer(&[("var/lib/dpkg/status", status), ("lib/apk/db/installed", apk)])]);

    assert_eq!(catalog.packages.len(), 1);
    assert_eq!(catalog.packages[0].kind, PackageKind::Apk);
    assert_eq!(catalog.warnings.len(), 1);
    let warning = catalog.warnings[0].to_string();
    assert!(warning.contains("/var/lib/dpkg/status"), "{warning}");
    assert!(warning.contains("dpkg"), "{warning}");
}

#[test]
fn alpine_packages_and_os() {
    let release = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
    let apk = b"P:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\nP:ssl_client\nV:1.36.1-r15\nA:x86_64\no:busybox\n";
    let catalog = catalog_layers(vec![layer(&[("etc/os-release", release), ("lib/apk/db/installed", apk)])]);

    assert_eq!(catalog.os.as_ref().unwrap().id, "alpine");
    let ssl = catalog.packages.iter().find(|p| p.name == "ssl_client").unwrap();
    assert_eq!(ssl.source.as_ref().unwrap().name, "busybox");
    assert_eq!(ssl.purl.as_deref(), Some("pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox%401.36.1-r15"));
}

#[test]
fn scratch_image_has_no_os() {
    let catalog = catalog_layers(vec![layer(&[("app/server", b"\x7fELF")])]);
    assert!(catalog.os.is_none());
    assert!(catalog.packages.is_empty());
}

/// Captures the visible `/var/lib/dpkg/status` of an image.
struct StatusCapture {
    interest: Interest,
    content: Mutex<Vec<(usize, Vec<u8>)>>,
}

impl Analyzer for StatusCapture {
    fn name(&self) -> &str {
        "status-capture"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        self.content.lock().unwrap().push((file.layer, bytes));
        Ok(None)
    }
}

#[test]
fn fixture_dpkg_list_equals_dpkg_query() {
    for name in ["debian", "apps"] {
        let reference = format!("oci:{}", fixtures_dir().join(name).join("oci").display());
        let image = open(&reference, &OpenOptions::default()).unwrap();
        let catalog = catalog_image(&image, &CatalogOptions::default()).unwrap();

        let capture = StatusCapture { interest: Interest::globs(["var/lib/dpkg/status"], 64 << 20).unwrap(), content: Mutex::new(Vec::new()) };
        Walker::new(&image).analyzer(&capture).run().unwrap();
        let (_, status) = capture.content.lock().unwrap().iter().max_by_key(|(layer, _)| *layer).cloned().unwrap();
        let admindir = tempfile::tempdir().unwrap();
        std::fs::write(admindir.path().join("status"), &status).unwrap();
        std::fs::create_dir(admindir.path().join("updates")).unwrap();

        let output = Command::new("dpkg-query")
            .arg(format!("--admindir={}", admindir.path().display()))
            .args(["-W", "-f", "${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Status}\\n"])
            .output()
            .expect("dpkg-query runs");
        assert!(output.status.success(), "dpkg-query failed: {}", String::from_utf8_lossy(&output.stderr));
        let expected: BTreeSet<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|line| !line.ends_with("\tconfig-files") && !line.ends_with("\tnot-installed"))
            .map(|line| line.rsplit_once('\t').unwrap().0.to_owned())
            .collect();

        let ours: BTreeSet<String> = catalog
            .packages
            .iter()
            .filter(|p| p.kind == PackageKind::Deb)
            .map(|p| format!("{}\t{}\t{}", p.name, p.version, p.architecture.as_deref().unwrap_or("")))
            .collect();
        assert!(expected.len() > 50, "{name}: dpkg-query listed only {} packages", expected.len());
        assert_eq!(ours, expected, "{name}");

        let os = catalog.os.as_ref().unwrap();
        assert_eq!(os.id, "debian", "{name}");
    }
}

#[test]
fn fixture_packages_match_expectations() {
    let dir = fixtures_dir().join("apps");
    let expected: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("expectations.json")).unwrap()).unwrap();
    let image = open(&format!("docker-archive:{}", dir.join("docker-archive.tar").display()), &OpenOptions::default()).unwrap();
    let catalog = catalog_image(&image, &CatalogOptions::default()).unwrap();

    for wanted in expected["debian_packages"].as_array().unwrap() {
        let name = wanted["name"].as_str().unwrap();
        let package = catalog.packages.iter().find(|p| p.kind == PackageKind::Deb && p.name == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(package.version, wanted["version"].as_str().unwrap(), "{name}");
        let source = package.source.as_ref().map_or(name, |s| s.name.as_str());
        assert_eq!(source, wanted["source"].as_str().unwrap(), "{name}");
        assert!(package.layer.is_some(), "{name} has no layer");
    }

    // curl comes from the apps layer, bash from the debootstrap base.
    let layer_of = |name: &str| catalog.packages.iter().find(|p| p.name == name).unwrap().layer.clone().unwrap();
    assert_eq!(layer_of("bash").index, 0);
    let curl = layer_of("curl");
    assert_eq!(curl.index, 1);
    assert_eq!(curl.created_by.as_deref(), expected["layers"][1]["created_by"].as_str());
    let bash = catalog.packages.iter().find(|p| p.name == "bash").unwrap();
    assert!(bash.files.iter().any(|file| file == "/bin/bash" || file == "/usr/bin/bash"), "{:?}", &bash.files[..bash.files.len().min(5)]);
}
