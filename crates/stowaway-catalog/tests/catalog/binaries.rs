//! The Go and Rust binary catalogers on crafted executables and on the apps fixture's `fzf`.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::OnceLock;

use stowaway_catalog::{Catalog, CatalogOptions, catalog_image};
use stowaway_image::{OpenOptions, WarningKind, open};
use stowaway_model::{Package, PackageKind};

use crate::support::*;

/// The catalog of the apps fixture and its expectations, computed once for the tests of every
/// cataloger.
pub fn apps_catalog() -> &'static (Catalog, serde_json::Value) {
    static APPS: OnceLock<(Catalog, serde_json::Value)> = OnceLock::new();
    APPS.get_or_init(|| {
        let dir = fixtures_dir().join("apps");
        let expectations = serde_json::from_slice(&std::fs::read(dir.join("expectations.json")).unwrap()).unwrap();
        let image = open(&format!("oci:{}", dir.join("oci").display()), &OpenOptions::default()).unwrap();
        (catalog_image(&image, &CatalogOptions::default()).unwrap(), expectations)
    })
}

/// Builds a layer tar of regular files with the given modes.
fn layer_with_modes(files: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_mode(*mode);
        header.set_mtime(0);
        header.set_size(content.len() as u64);
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Builds an ELF object with one section.
fn elf_with_section(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut elf = object::write::Object::new(object::BinaryFormat::Elf, object::Architecture::X86_64, object::Endianness::Little);
    let section = elf.add_section(Vec::new(), name.to_vec(), object::SectionKind::ReadOnlyData);
    elf.append_section_data(section, data, 16);
    elf.write().unwrap()
}

/// Builds a Go 1.18+ build information blob: magic, pointer size 8, flags (strings inline),
/// then the version and the framed module information, each after a one-byte length.
fn go_build_info(version: &str, modules: &str) -> Vec<u8> {
    let framed = [&b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"[..], modules.as_bytes(), b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2"].concat();
    assert!(version.len() < 128, "one-byte lengths only");
    assert!(framed.len() < 128, "one-byte lengths only");

    let mut blob = b"\xff Go buildinf:".to_vec();
    blob.extend([8, 2]);
    blob.resize(32, 0);
    blob.push(version.len() as u8);
    blob.extend(version.as_bytes());
    blob.push(framed.len() as u8);
    blob.extend(framed);
    blob
}

fn go_packages(catalog: &Catalog) -> Vec<&Package> {
    catalog.packages.iter().filter(|p| p.kind == PackageKind::Golang).collect()
}

fn warnings_of(catalog: &Catalog, name: &str) -> Vec<String> {
    catalog
        .warnings
        .iter()
        .filter(|w| matches!(&w.kind, WarningKind::AnalyzerFailed { analyzer, .. } if analyzer == name))
        .map(ToString::to_string)
        .collect()
}

const MODULES: &str = "path\texample.com/tool\nmod\texample.com/tool\tv1.2.0\th1:x=\ndep\tgolang.org/x/net\tv0.30.0\th1:y=\n";

#[test]
fn go_binary_modules_and_stdlib() {
    let tool = elf_with_section(b".go.buildinfo", &go_build_info("go1.22.5", MODULES));
    let catalog = catalog_layers(vec![layer_with_modes(&[("usr/local/bin/tool", 0o755, &tool)])]);

    let found: Vec<(&str, &str)> = go_packages(&catalog).iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();
    assert_eq!(found, [("example.com/tool", "v1.2.0"), ("golang.org/x/net", "v0.30.0"), ("stdlib", "v1.22.5")]);
    let net = go_packages(&catalog)[1];
    assert_eq!(net.purl.as_deref(), Some("pkg:golang/golang.org/x/net@v0.30.0"));
    assert_eq!(net.locations, ["/usr/local/bin/tool"]);
    assert_eq!(net.metadata["go_version"], "go1.22.5");
    assert_eq!(go_packages(&catalog)[2].purl.as_deref(), Some("pkg:golang/stdlib@v1.22.5"));
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

#[test]
fn non_executable_files_are_skipped() {
    let tool = elf_with_section(b".go.buildinfo", &go_build_info("go1.22.5", MODULES));
    let catalog = catalog_layers(vec![layer_with_modes(&[
        ("usr/lib/tool/tool.debug", 0o644, &tool),
        ("usr/share/tool", 0o755, &tool),
        ("usr/bin/script", 0o755, b"#!/bin/sh\necho hi\n"),
    ])]);

    assert!(go_packages(&catalog).is_empty(), "{:?}", go_packages(&catalog));
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

#[test]
fn malformed_binary_is_warning() {
    let tool = elf_with_section(b".go.buildinfo", &go_build_info("go1.22.5", MODULES));
    let truncated = elf_with_section(b".go.buildinfo", &go_build_info("go1.22.5", MODULES)[..40]);
    let catalog = catalog_layers(vec![layer_with_modes(&[
        ("usr/bin/good", 0o755, &tool),
        ("usr/bin/garbage", 0o755, b"\x7fELF\x02\x01\x01 this is no ELF header"),
        ("usr/bin/truncated", 0o755, &truncated),
    ])]);

    let locations: BTreeSet<&str> = go_packages(&catalog).iter().map(|p| p.locations[0].as_str()).collect();
    assert_eq!(locations, BTreeSet::from(["/usr/bin/good"]));
    let warnings = warnings_of(&catalog, "go-binary");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("/usr/bin/garbage") && w.contains("failed to parse the executable")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("/usr/bin/truncated") && w.contains("truncated")), "{warnings:?}");
    assert!(warnings_of(&catalog, "rust-binary").is_empty(), "{:?}", catalog.warnings);
}

/// Builds an ELF object with a `.dep-v0` section holding `json`, zlib-compressed as
/// `cargo auditable` writes it.
fn audited_elf(json: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(json).unwrap();
    elf_with_section(b".dep-v0", &encoder.finish().unwrap())
}

#[test]
fn auditable_rust_binary() {
    let json = br#"{"packages":[
        {"name":"server","version":"0.4.0","source":"local","dependencies":[1],"root":true},
        {"name":"hyper","version":"1.6.0","source":"crates.io"}
    ]}"#;
    let catalog = catalog_layers(vec![layer_with_modes(&[
        ("app/server", 0o755, &audited_elf(json)),
        ("usr/bin/broken", 0o755, &audited_elf(b"{\"packages\": [")),
    ])]);

    let crates: Vec<&Package> = catalog.packages.iter().filter(|p| p.kind == PackageKind::Cargo).collect();
    assert_eq!(crates.len(), 2, "{crates:#?}");
    let server = crates.iter().find(|p| p.name == "server").unwrap();
    assert_eq!(server.metadata["root"], "true");
    assert_eq!(server.locations, ["/app/server"]);
    let hyper = crates.iter().find(|p| p.name == "hyper").unwrap();
    assert_eq!(hyper.purl.as_deref(), Some("pkg:cargo/hyper@1.6.0"));
    assert_eq!(hyper.metadata.get("root"), None);
    let warnings = warnings_of(&catalog, "rust-binary");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("/usr/bin/broken"), "{}", warnings[0]);
}

#[test]
fn fzf_of_apps_fixture() {
    let (catalog, expectations) = apps_catalog();

    let expected = &expectations["go_binaries"][0];
    assert_eq!(expected["path"], "/usr/bin/fzf");
    let go = go_packages(catalog);
    let locations: BTreeSet<&str> = go.iter().map(|p| p.locations[0].as_str()).collect();
    assert_eq!(locations, BTreeSet::from(["/usr/bin/fzf"]));

    // Debian builds fzf outside module mode, so the binary names its main package but no
    // module: only the standard library is a package.
    let stdlib = go.iter().find(|p| p.name == "stdlib").expect("stdlib package of fzf");
    let go_version = expected["go_version"].as_str().unwrap();
    assert_eq!(stdlib.version, go_version.replacen("go", "v", 1));
    assert_eq!(stdlib.metadata["go_version"], go_version);
    assert_eq!(stdlib.metadata["main_path"], expected["main_path"].as_str().unwrap());
    assert_eq!(stdlib.metadata["build:GOOS"], "linux");
    assert!(expected["main_module"].is_null());
    assert!(!go.iter().any(|p| p.metadata.contains_key("main")), "{go:#?}");

    assert!(warnings_of(catalog, "go-binary").is_empty(), "{:?}", catalog.warnings);
    assert!(warnings_of(catalog, "rust-binary").is_empty(), "{:?}", catalog.warnings);
    assert!(!catalog.packages.iter().any(|p| p.kind == PackageKind::Cargo));
}
