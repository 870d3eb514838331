//! SBOM output checked against the official CycloneDX 1.6 and SPDX 2.3 JSON schemas, on crafted
//! catalogs and on the fixture images, and SBOM input read from documents in the shapes that
//! stowaway, Syft and Trivy write.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};
use stowaway_catalog::sbom::{self, DocumentInfo, ImageIdentity, SbomError, SbomFormat};
use stowaway_catalog::{Catalog, CatalogOptions, OsRelease, catalog_image};
use stowaway_image::OpenOptions;
use stowaway_model::{LayerRef, Package, PackageKind, Platform, SourcePackage};

use crate::support::{catalog_layers, fixtures_dir, layer};

const DIFF_ID: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const MANIFEST: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const CONFIG: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("`{}` is not JSON: {e}", path.display()))
}

/// Builds the CycloneDX 1.6 validator with the two schemas it references registered under the
/// URIs its relative references resolve to, and with no retriever, so nothing is fetched.
fn cyclonedx_validator() -> jsonschema::Validator {
    let dir = schema_dir();
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", read_json(&dir.join("spdx.schema.json")))
        .unwrap()
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", read_json(&dir.join("jsf-0.82.schema.json")))
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .offline()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&read_json(&dir.join("bom-1.6.schema.json")))
        .expect("the CycloneDX 1.6 schema compiles")
}

fn spdx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&read_json(&schema_dir().join("spdx-schema.json")))
        .expect("the SPDX 2.3 schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value, label: &str) {
    let errors: Vec<String> = validator.iter_errors(document).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{label} is invalid:\n{}", errors.join("\n"));
}

fn fixed_document() -> DocumentInfo {
    DocumentInfo { created: UNIX_EPOCH + Duration::from_secs(1_767_225_600), id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef) }
}

fn identity() -> ImageIdentity {
    ImageIdentity {
        reference: "oci:/images/app:1.0".into(),
        manifest_digest: Some(MANIFEST.parse().unwrap()),
        config_digest: Some(CONFIG.parse().unwrap()),
        tags: vec!["registry.example:5000/team/app:1.0".into()],
        platform: Platform::new("linux", "arm64", Some("v8")),
    }
}

/// Builds a catalog with every feature the writers handle: an OS, a package with source, layer and
/// metadata, scoped and grouped names, license ids, expressions and free text, a package found
/// twice with the same purl, and one without a purl.
fn crafted_catalog() -> Catalog {
    let layer = LayerRef {
        index: 1,
        diff_id: DIFF_ID.parse().unwrap(),
        digest: None,
        created_by: Some("RUN apt-get install -y libssl3".into()),
    };

    let mut libssl = Package::new(PackageKind::Deb, "libssl3", "3.0.15-1~deb12u1", "var/lib/dpkg/status");
    libssl.purl = Some("pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12".into());
    libssl.architecture = Some("amd64".into());
    libssl.source = Some(SourcePackage { name: "openssl".into(), version: Some("3.0.15-1~deb12u1".into()) });
    libssl.licenses = vec!["Apache-2.0".into(), "GPL-2+".into()];
    libssl.layer = Some(layer.clone());
    libssl.metadata = BTreeMap::from([("maintainer".to_owned(), "Debian OpenSSL Team".to_owned())]);

    let mut babel = Package::new(PackageKind::Npm, "@babel/core", "7.24.0", "app/node_modules/@babel/core/package.json");
    babel.purl = Some("pkg:npm/%40babel/core@7.24.0".into());
    babel.licenses = vec!["MIT".into()];

    let mut log4j = Package::new(PackageKind::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1", "app/lib/log4j-core-2.14.1.jar");
    log4j.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into());
    log4j.licenses = vec!["Apache-2.0".into()];
    log4j.layer = Some(layer);

    let mut requests = Package::new(PackageKind::Pypi, "requests", "2.31.0", "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA");
    requests.purl = Some("pkg:pypi/requests@2.31.0".into());
    requests.licenses = vec!["Apache-2.0 OR MIT".into(), "BSD-3-Clause".into()];
    let mut requests_copy = requests.clone();
    requests_copy.locations = vec!["opt/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA".into()];

    let unnamed = Package::new(PackageKind::Golang, "example.com/tool", "v0.0.0-20240101000000-abcdefabcdef", "usr/bin/tool");

    Catalog {
        os: Some(OsRelease {
            id: "debian".into(),
            version_id: Some("12".into()),
            version_codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            source_file: "etc/os-release".into(),
            ..OsRelease::default()
        }),
        packages: vec![libssl, babel, log4j, requests, requests_copy, unnamed],
        warnings: Vec::new(),
    }
}

fn cyclonedx_json(catalog: &Catalog, image: &ImageIdentity, document: &DocumentInfo) -> Value {
    serde_json::to_value(sbom::cyclonedx::write(catalog, image, document)).unwrap()
}

fn spdx_json(catalog: &Catalog, image: &ImageIdentity, document: &DocumentInfo) -> Value {
    serde_json::to_value(sbom::spdx::write(catalog, image, document)).unwrap()
}

fn strings<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a str> {
    values.into_iter().map(|v| v.as_str().unwrap()).collect()
}

#[test]
fn vendored_schemas_are_complete() {
    // Character counts of the files as published; a truncated or edited copy fails here.
    let expected = [("bom-1.6.schema.json", 262_592), ("spdx.schema.json", 9_451), ("jsf-0.82.schema.json", 10_946), ("spdx-schema.json", 45_297)];
    for (file, chars) in expected {
        let text = std::fs::read_to_string(schema_dir().join(file)).unwrap();
        assert_eq!(text.chars().count(), chars, "{file}");
    }
}

#[test]
fn schemas_reject_broken_documents() {
    // The validators must be able to fail, or the validity tests below prove nothing.
    let good = cyclonedx_json(&crafted_catalog(), &identity(), &fixed_document());
    let cyclonedx = cyclonedx_validator();
    let mut bad_type = good.clone();
    bad_type["components"][1]["type"] = json!("package");
    assert!(!cyclonedx.is_valid(&bad_type), "unknown component type accepted");
    let mut bad_license = good.clone();
    bad_license["components"][1]["licenses"] = json!([{"license": {"id": "Not-A-License"}}]);
    assert!(!cyclonedx.is_valid(&bad_license), "license id outside the SPDX list accepted");
    let mut bad_serial = good;
    bad_serial["serialNumber"] = json!("urn:uuid:not-a-uuid");
    assert!(!cyclonedx.is_valid(&bad_serial), "malformed serial number accepted");

    let good = spdx_json(&crafted_catalog(), &identity(), &fixed_document());
    let spdx = spdx_validator();
    let mut no_id = good.clone();
    no_id["packages"][2].as_object_mut().unwrap().remove("SPDXID");
    assert!(!spdx.is_valid(&no_id), "package without SPDXID accepted");
    let mut bad_category = good;
    bad_category["packages"][2]["externalRefs"][0]["referenceCategory"] = json!("PACKAGE_MANAGER");
    assert!(!spdx.is_valid(&bad_category), "SPDX 2.2 reference category accepted");
}

#[test]
fn cyclonedx_crafted_catalog_is_valid() {
    let bom = cyclonedx_json(&crafted_catalog(), &identity(), &fixed_document());
    assert_valid(&cyclonedx_validator(), &bom, "CycloneDX BOM");

    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["serialNumber"], "urn:uuid:01234567-89ab-cdef-0123-456789abcdef");
    assert_eq!(bom["metadata"]["timestamp"], "2026-01-01T00:00:00Z");
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "stowaway");

    let subject = &bom["metadata"]["component"];
    assert_eq!(subject["type"], "container");
    assert_eq!(subject["name"], "registry.example:5000/team/app:1.0");
    assert_eq!(subject["version"], MANIFEST);
    assert!(subject["purl"].as_str().unwrap().starts_with("pkg:oci/app@sha256:2222"), "{}", subject["purl"]);
    let properties: Vec<(&str, &str)> =
        subject["properties"].as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap())).collect();
    assert!(properties.contains(&("stowaway:image:config_digest", CONFIG)), "{properties:?}");
    assert!(properties.contains(&("stowaway:image:platform", "linux/arm64/v8")), "{properties:?}");
}

#[test]
fn cyclonedx_components_carry_catalog_facts() {
    let bom = cyclonedx_json(&crafted_catalog(), &identity(), &fixed_document());
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), 7, "the OS and six packages");

    let os = &components[0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");

    let libssl = components.iter().find(|c| c["name"] == "libssl3").unwrap();
    assert_eq!(libssl["type"], "library");
    assert_eq!(libssl["licenses"][0]["license"]["id"], "Apache-2.0");
    assert_eq!(libssl["licenses"][1]["license"]["name"], "GPL-2+");
    let properties: BTreeMap<&str, &str> =
        libssl["properties"].as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap())).collect();
    assert_eq!(properties["stowaway:layer:diff_id"], DIFF_ID);
    assert_eq!(properties["stowaway:layer:created_by"], "RUN apt-get install -y libssl3");
    assert_eq!(properties["stowaway:location"], "var/lib/dpkg/status");
    assert_eq!(properties["stowaway:source_package:name"], "openssl");
    assert_eq!(properties["stowaway:metadata:maintainer"], "Debian OpenSSL Team");

    let log4j = components.iter().find(|c| c["name"] == "log4j-core").unwrap();
    assert_eq!(log4j["group"], "org.apache.logging.log4j");

    let requests = components.iter().find(|c| c["name"] == "requests").unwrap();
    assert_eq!(requests["licenses"], json!([{ "expression": "(Apache-2.0 OR MIT) AND BSD-3-Clause" }]));
}

#[test]
fn cyclonedx_refs_are_unique_and_resolve() {
    let bom = cyclonedx_json(&crafted_catalog(), &identity(), &fixed_document());
    let mut refs: Vec<&str> = strings(bom["components"].as_array().unwrap().iter().map(|c| &c["bom-ref"]));
    refs.push(bom["metadata"]["component"]["bom-ref"].as_str().unwrap());
    let unique: HashSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "bom-refs repeat: {refs:?}");
    assert!(unique.contains("pkg:pypi/requests@2.31.0?package-id=2"), "the second copy of requests gets a qualifier: {refs:?}");

    let dependencies = bom["dependencies"].as_array().unwrap();
    assert_eq!(dependencies.len(), 2, "the image and the OS");
    for dependency in dependencies {
        assert!(unique.contains(dependency["ref"].as_str().unwrap()));
        for target in strings(dependency["dependsOn"].as_array().unwrap()) {
            assert!(unique.contains(target), "dangling dependency {target}");
        }
    }
    let os_contains = strings(dependencies[1]["dependsOn"].as_array().unwrap());
    assert_eq!(os_contains, ["pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"]);
    assert_eq!(dependencies[0]["dependsOn"].as_array().unwrap().len(), 6, "the OS and five language packages");
}

#[test]
fn spdx_crafted_catalog_is_valid() {
    let document = spdx_json(&crafted_catalog(), &identity(), &fixed_document());
    assert_valid(&spdx_validator(), &document, "SPDX document");

    assert_eq!(document["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["creationInfo"]["created"], "2026-01-01T00:00:00Z");
    assert_eq!(document["creationInfo"]["creators"], json!([format!("Tool: stowaway-{}", env!("CARGO_PKG_VERSION"))]));
    assert!(document["documentNamespace"].as_str().unwrap().ends_with("-01234567-89ab-cdef-0123-456789abcdef"));

    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 8, "the image, the OS and six packages");
    assert_eq!(packages[0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(packages[0]["checksums"][0]["checksumValue"], CONFIG.trim_start_matches("sha256:"));
    assert_eq!(packages[1]["primaryPackagePurpose"], "OPERATING_SYSTEM");
}

#[test]
fn spdx_ids_are_valid_and_unique() {
    let document = spdx_json(&crafted_catalog(), &identity(), &fixed_document());
    let ids = strings(document["packages"].as_array().unwrap().iter().map(|p| &p["SPDXID"]));
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "SPDX ids repeat: {ids:?}");
    for id in &ids {
        let idstring = id.strip_prefix("SPDXRef-").unwrap_or_else(|| panic!("{id} lacks SPDXRef-"));
        assert!(!idstring.is_empty() && idstring.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'), "{id}");
    }

    let relationships = document["relationships"].as_array().unwrap();
    assert_eq!(relationships[0], json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"}));
    let contained: Vec<&str> = relationships[1..]
        .iter()
        .inspect(|r| assert_eq!(r["relationshipType"], "CONTAINS"))
        .map(|r| r["relatedSpdxElement"].as_str().unwrap())
        .collect();
    assert_eq!(contained.len(), ids.len() - 1, "the image contains every other package");
}

#[test]
fn spdx_licenses_are_expressions_or_noassertion() {
    let document = spdx_json(&crafted_catalog(), &identity(), &fixed_document());
    let packages = document["packages"].as_array().unwrap();
    let declared = |name: &str| packages.iter().find(|p| p["name"] == name).unwrap()["licenseDeclared"].as_str().unwrap().to_owned();

    assert_eq!(declared("libssl3"), "Apache-2.0 AND LicenseRef-GPL-2-");
    assert_eq!(declared("requests"), "(Apache-2.0 OR MIT) AND BSD-3-Clause");
    assert_eq!(declared("example.com/tool"), "NOASSERTION");
    for package in packages {
        let text = package["licenseDeclared"].as_str().unwrap();
        assert!(text == "NOASSERTION" || spdx::Expression::parse(text).is_ok(), "{text}");
    }
    assert_eq!(document["hasExtractedLicensingInfos"], json!([{"licenseId": "LicenseRef-GPL-2-", "extractedText": "GPL-2+", "name": "GPL-2+"}]));

    let libssl = packages.iter().find(|p| p["name"] == "libssl3").unwrap();
    assert_eq!(libssl["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
    assert_eq!(libssl["externalRefs"][0]["referenceType"], "purl");
    let comments = strings(libssl["annotations"].as_array().unwrap().iter().map(|a| &a["comment"]));
    assert!(comments.contains(&format!("stowaway:layer:diff_id={DIFF_ID}").as_str()), "{comments:?}");
}

#[test]
fn spdx_namespace_is_unique_per_document() {
    let catalog = crafted_catalog();
    let first = spdx_json(&catalog, &identity(), &DocumentInfo::now());
    let second = spdx_json(&catalog, &identity(), &DocumentInfo::now());
    assert_ne!(first["documentNamespace"], second["documentNamespace"]);

    let bom_first = cyclonedx_json(&catalog, &identity(), &DocumentInfo::now());
    let bom_second = cyclonedx_json(&catalog, &identity(), &DocumentInfo::now());
    assert_ne!(bom_first["serialNumber"], bom_second["serialNumber"]);
}

#[test]
fn written_documents_read_back() {
    let catalog = crafted_catalog();
    for (format, bytes) in [
        (SbomFormat::CycloneDxJson, serde_json::to_vec(&sbom::cyclonedx::write(&catalog, &identity(), &fixed_document())).unwrap()),
        (SbomFormat::SpdxJson, serde_json::to_vec(&sbom::spdx::write(&catalog, &identity(), &fixed_document())).unwrap()),
    ] {
        let contents = sbom::read(&bytes).unwrap();
        assert_eq!(contents.format, format);
        assert_eq!(contents.os.as_ref().map(|os| os.id.as_str()), Some("debian"), "{format:?}");
        assert_eq!(contents.os.as_ref().and_then(|os| os.version_id.as_deref()), Some("12"), "{format:?}");
        assert_eq!(contents.packages.len(), catalog.packages.len(), "{format:?}");

        for (read, written) in contents.packages.iter().zip(&catalog.packages) {
            assert_eq!(read.name, written.name, "{format:?}");
            assert_eq!(read.version, written.version, "{format:?}");
            assert_eq!(read.purl, written.purl, "{format:?}");
            assert_eq!(read.licenses, written.licenses, "{format:?} {}", written.name);
            let expected_kind = written.purl.as_ref().map(|_| written.kind);
            assert_eq!(read.kind, expected_kind, "{format:?} {}", written.name);
        }
    }
}

/// Catalogs a fixture image and checks that both SBOMs of it are valid and list every package
/// the catalog found.
fn check_fixture(reference: &str) -> Catalog {
    let image = stowaway_image::open(reference, &OpenOptions::default()).unwrap();
    let catalog = catalog_image(&image, &CatalogOptions::default()).unwrap();
    assert!(!catalog.packages.is_empty(), "{reference}: no packages cataloged");
    let identity = ImageIdentity::of(&image);

    let bom = cyclonedx_json(&catalog, &identity, &DocumentInfo::now());
    assert_valid(&cyclonedx_validator(), &bom, reference);
    let document = spdx_json(&catalog, &identity, &DocumentInfo::now());
    assert_valid(&spdx_validator(), &document, reference);

    for bytes in [serde_json::to_vec(&bom).unwrap(), serde_json::to_vec(&document).unwrap()] {
        // Names read back come from the purl, which normalizes some (PyPI), so packages with a
        // purl are compared by purl and version.
        let contents = sbom::read(&bytes).unwrap();
        let key = |name: &str, version: &str, purl: Option<&str>| match purl {
            Some(purl) => format!("{purl} {version}"),
            None => format!("{name} {version}"),
        };
        let read: HashSet<String> = contents.packages.iter().map(|p| key(&p.name, &p.version, p.purl.as_deref())).collect();
        assert_eq!(contents.packages.len(), catalog.packages.len(), "{reference}");
        for package in &catalog.packages {
            assert!(read.contains(&key(&package.name, &package.version, package.purl.as_deref())), "{reference}: {} lost", package.name);
        }
    }
    catalog
}

#[test]
fn fixture_apps_sboms_are_valid() {
    let dir = fixtures_dir().join("apps");
    let catalog = check_fixture(&format!("oci:{}", dir.join("oci").display()));

    let expected = read_json(&dir.join("expectations.json"));
    let names: HashSet<&str> = catalog.packages.iter().map(|p| p.name.as_str()).collect();
    for package in expected["debian_packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        assert!(names.contains(name), "Debian package {name} missing from the catalog");
    }
}

#[test]
fn fixture_debian_sboms_are_valid() {
    check_fixture(&format!("docker-archive:{}", fixtures_dir().join("debian/docker-archive.tar").display()));
}

#[test]
fn crafted_image_sboms_are_valid() {
    // An image from memory has no digests, tags or config: the writers must still produce valid
    // documents, with the layer attribution the catalog computed.
    let base = layer(&[
        ("etc/os-release", b"ID=debian\nVERSION_ID=12\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
        ("var/lib/dpkg/status", b"Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n"),
    ]);
    let app = layer(&[
        ("usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\nLicense: MIT\n"),
        ("app/node_modules/@scope/left-pad/package.json", br#"{"name": "@scope/left-pad", "version": "1.3.0", "license": "WTFPL OR MIT"}"#),
    ]);
    let catalog = catalog_layers(vec![base, app]);
    assert_eq!(catalog.packages.len(), 3, "{:?}", catalog.packages);

    let image = ImageIdentity::of(&stowaway_image::Image::from_layer_blobs(Vec::new()));
    assert_eq!(image.name(), "memory");
    let bom = cyclonedx_json(&catalog, &image, &fixed_document());
    assert_valid(&cyclonedx_validator(), &bom, "CycloneDX BOM of a crafted image");
    let document = spdx_json(&catalog, &image, &fixed_document());
    assert_valid(&spdx_validator(), &document, "SPDX document of a crafted image");

    let layers: BTreeMap<&str, usize> = catalog.packages.iter().map(|p| (p.name.as_str(), p.layer.as_ref().unwrap().index)).collect();
    assert_eq!(layers, BTreeMap::from([("zlib1g", 0), ("PyYAML", 1), ("@scope/left-pad", 1)]));
    let left_pad = bom["components"].as_array().unwrap().iter().find(|c| c["purl"] == "pkg:npm/%40scope/left-pad@1.3.0").unwrap();
    assert_eq!(left_pad["licenses"], json!([{"expression": "WTFPL OR MIT"}]));

    let contents = sbom::read(&serde_json::to_vec(&document).unwrap()).unwrap();
    let kinds: Vec<Option<PackageKind>> = contents.packages.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [Some(PackageKind::Deb), Some(PackageKind::Pypi), Some(PackageKind::Npm)]);
}

#[test]
fn syft_cyclonedx_is_read() {
    let document = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:5b6e1e42-9b0b-4bb1-9a4f-6e1f1f1f1f1f",
        "version": 1,
        "metadata": {
            "timestamp": "2025-01-01T00:00:00Z",
            "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.18.1"}]},
            "component": {"bom-ref": "c3f9f3b6e8d1a2b4", "type": "container", "name": "debian:12", "version": "sha256:abc"}
        },
        "components": [
            {
                "bom-ref": "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12&package-id=0a1b2c3d",
                "type": "library",
                "publisher": "Debian Adduser Developers <adduser@packages.debian.org>",
                "name": "adduser",
                "version": "3.134",
                "licenses": [{"license": {"name": "GPL-2"}}],
                "cpe": "cpe:2.3:a:adduser:adduser:3.134:*:*:*:*:*:*:*",
                "purl": "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12",
                "properties": [{"name": "syft:package:type", "value": "deb"}, {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}]
            },
            {
                "bom-ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?package-id=1",
                "type": "library",
                "group": "org.apache.logging.log4j",
                "name": "log4j-core",
                "version": "2.14.1",
                "licenses": [{"license": {"id": "Apache-2.0"}}],
                "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
            },
            {
                "bom-ref": "os:debian@12",
                "type": "operating-system",
                "name": "debian",
                "version": "12",
                "description": "Debian GNU/Linux 12 (bookworm)",
                "swid": {"tagId": "debian", "name": "debian", "version": "12"}
            },
            {
                "bom-ref": "file-1",
                "type": "file",
                "name": "/etc/passwd",
                "hashes": [{"alg": "SHA-1", "content": "aaaa"}]
            }
        ],
        "dependencies": [{"ref": "os:debian@12", "dependsOn": []}]
    });

    let contents = sbom::read(&serde_json::to_vec(&document).unwrap()).unwrap();
    assert_eq!(contents.format, SbomFormat::CycloneDxJson);
    assert_eq!(contents.os.as_ref().map(|os| (os.id.as_str(), os.version_id.as_deref())), Some(("debian", Some("12"))));
    assert_eq!(contents.packages.len(), 2, "the file component is no package");

    let adduser = &contents.packages[0];
    assert_eq!((adduser.name.as_str(), adduser.version.as_str(), adduser.kind), ("adduser", "3.134", Some(PackageKind::Deb)));
    assert_eq!(adduser.licenses, ["GPL-2"]);
    let log4j = &contents.packages[1];
    assert_eq!(log4j.name, "org.apache.logging.log4j:log4j-core");
    assert_eq!(log4j.kind, Some(PackageKind::Maven));
    assert_eq!(log4j.to_package("sbom.json").unwrap().locations, ["sbom.json"]);
}

#[test]
fn trivy_cyclonedx_is_read() {
    let document = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:2d0a5a9e-36a4-4c33-9f4c-fa6b5d8f6b7e",
        "version": 1,
        "metadata": {
            "timestamp": "2025-01-01T00:00:00+00:00",
            "tools": {"components": [{"type": "application", "group": "aquasecurity", "name": "trivy", "version": "0.58.0"}]},
            "component": {
                "bom-ref": "pkg:oci/app@sha256%3Aabc?arch=amd64&repository_url=index.docker.io%2Flibrary%2Fapp",
                "type": "container",
                "name": "app:latest",
                "purl": "pkg:oci/app@sha256%3Aabc?arch=amd64&repository_url=index.docker.io%2Flibrary%2Fapp",
                "properties": [{"name": "aquasecurity:trivy:SchemaVersion", "value": "2"}]
            }
        },
        "components": [
            {
                "bom-ref": "3a5c1a8e-1111-4b2b-9c3c-000000000001",
                "type": "operating-system",
                "name": "debian",
                "version": "12.8",
                "properties": [{"name": "aquasecurity:trivy:Class", "value": "os-pkgs"}, {"name": "aquasecurity:trivy:Type", "value": "debian"}]
            },
            {
                "bom-ref": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.8",
                "type": "library",
                "supplier": {"name": "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>"},
                "name": "libssl3",
                "version": "3.0.15-1~deb12u1",
                "licenses": [{"license": {"name": "Apache-2.0"}}, {"license": {"name": "Artistic-2.0"}}],
                "purl": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.8",
                "properties": [
                    {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:aaa"},
                    {"name": "aquasecurity:trivy:SrcName", "value": "openssl"}
                ]
            },
            {
                "bom-ref": "3a5c1a8e-1111-4b2b-9c3c-000000000002",
                "type": "application",
                "name": "app/package-lock.json",
                "properties": [{"name": "aquasecurity:trivy:Class", "value": "lang-pkgs"}, {"name": "aquasecurity:trivy:Type", "value": "npm"}]
            },
            {
                "bom-ref": "pkg:npm/%40babel/core@7.24.0",
                "type": "library",
                "group": "@babel",
                "name": "core",
                "version": "7.24.0",
                "licenses": [{"expression": "MIT"}],
                "purl": "pkg:npm/%40babel/core@7.24.0"
            }
        ],
        "dependencies": [],
        "vulnerabilities": []
    });

    let contents = sbom::read(&serde_json::to_vec(&document).unwrap()).unwrap();
    assert_eq!(contents.os.as_ref().map(|os| os.version_id.as_deref()), Some(Some("12.8")));
    let names: Vec<&str> = contents.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["libssl3", "@babel/core"], "the lock file component is no package");
    assert_eq!(contents.packages[0].licenses, ["Apache-2.0", "Artistic-2.0"]);
    assert_eq!(contents.packages[1].kind, Some(PackageKind::Npm));
    assert_eq!(contents.packages[1].licenses, ["MIT"]);
}

#[test]
fn syft_spdx_is_read() {
    let document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "debian",
        "documentNamespace": "https://anchore.com/syft/image/debian-7f6e5d4c",
        "creationInfo": {"licenseListVersion": "3.25", "creators": ["Organization: Anchore, Inc", "Tool: syft-1.18.1"], "created": "2025-01-01T00:00:00Z"},
        "packages": [
            {
                "name": "adduser",
                "SPDXID": "SPDXRef-Package-deb-adduser-3f2b",
                "versionInfo": "3.134",
                "supplier": "Person: Debian Adduser Developers (adduser@packages.debian.org)",
                "originator": "Person: Debian Adduser Developers (adduser@packages.debian.org)",
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "sourceInfo": "acquired package info from DPKG DB: /var/lib/dpkg/status, /usr/share/doc/adduser/copyright",
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "GPL-2.0-only AND LicenseRef-GPL-2",
                "copyrightText": "NOASSERTION",
                "externalRefs": [
                    {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:adduser:adduser:3.134:*:*:*:*:*:*:*"},
                    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"}
                ]
            },
            {
                "name": "requests",
                "SPDXID": "SPDXRef-Package-python-requests-9a8b",
                "versionInfo": "2.31.0",
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "Apache-2.0",
                "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/requests@2.31.0"}]
            },
            {
                "name": "debian",
                "SPDXID": "SPDXRef-OperatingSystem-debian-12",
                "versionInfo": "12",
                "downloadLocation": "NOASSERTION",
                "primaryPackagePurpose": "OPERATING-SYSTEM",
                "description": "Debian GNU/Linux 12 (bookworm)"
            },
            {
                "name": "debian",
                "SPDXID": "SPDXRef-DocumentRoot-Image-debian",
                "versionInfo": "sha256:abc",
                "downloadLocation": "NOASSERTION",
                "primaryPackagePurpose": "CONTAINER",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:oci/debian@sha256%3Aabc"}]
            }
        ],
        "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-GPL-2", "extractedText": "GPL-2"}],
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": "SPDXRef-DocumentRoot-Image-debian", "relationshipType": "DESCRIBES"}]
    });

    let contents = sbom::read(&serde_json::to_vec(&document).unwrap()).unwrap();
    assert_eq!(contents.format, SbomFormat::SpdxJson);
    assert_eq!(contents.os.as_ref().and_then(|os| os.pretty_name.as_deref()), Some("Debian GNU/Linux 12 (bookworm)"));
    assert_eq!(contents.packages.len(), 2, "the OS and the image are no packages");

    let adduser = &contents.packages[0];
    assert_eq!(adduser.kind, Some(PackageKind::Deb));
    assert_eq!(adduser.licenses, ["GPL-2.0-only", "GPL-2"], "LicenseRef ids are replaced by their text");
    let requests = &contents.packages[1];
    assert_eq!(requests.purl.as_deref(), Some("pkg:pypi/requests@2.31.0"), "the old PACKAGE_MANAGER category is accepted");
    assert_eq!(requests.kind, Some(PackageKind::Pypi));
}

#[test]
fn trivy_spdx_is_read() {
    let document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "app:latest",
        "documentNamespace": "http://aquasecurity.github.io/trivy/container_image/app:latest-1b2c",
        "creationInfo": {"creators": ["Organization: aquasecurity", "Tool: trivy-0.58.0"], "created": "2025-01-01T00:00:00Z"},
        "packages": [
            {
                "name": "app:latest",
                "SPDXID": "SPDXRef-ContainerImage-1",
                "downloadLocation": "NONE",
                "primaryPackagePurpose": "CONTAINER",
                "attributionTexts": ["SchemaVersion: 2", "ImageID: sha256:abc"]
            },
            {
                "name": "debian",
                "SPDXID": "SPDXRef-OperatingSystem-2",
                "versionInfo": "12.8",
                "downloadLocation": "NONE",
                "primaryPackagePurpose": "OPERATING-SYSTEM"
            },
            {
                "name": "libssl3",
                "SPDXID": "SPDXRef-Package-3",
                "versionInfo": "3.0.15-1~deb12u1",
                "downloadLocation": "NONE",
                "licenseConcluded": "Apache-2.0 AND Artistic-2.0",
                "licenseDeclared": "Apache-2.0 AND Artistic-2.0",
                "primaryPackagePurpose": "LIBRARY",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.8"}],
                "sourceInfo": "built package from: openssl 3.0.15-1~deb12u1",
                "annotations": [{"annotator": "Tool: trivy-0.58.0", "annotationDate": "2025-01-01T00:00:00Z", "annotationType": "OTHER", "comment": "LayerDiffID: sha256:aaa"}]
            },
            {
                "name": "app/package-lock.json",
                "SPDXID": "SPDXRef-Application-4",
                "downloadLocation": "NONE",
                "primaryPackagePurpose": "APPLICATION"
            },
            {
                "name": "core",
                "SPDXID": "SPDXRef-Package-5",
                "versionInfo": "7.24.0",
                "downloadLocation": "NONE",
                "licenseDeclared": "NONE",
                "primaryPackagePurpose": "LIBRARY",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/%40babel/core@7.24.0"}]
            }
        ],
        "relationships": []
    });

    let contents = sbom::read(&serde_json::to_vec(&document).unwrap()).unwrap();
    assert_eq!(contents.os.as_ref().map(|os| os.id.as_str()), Some("debian"));
    let names: Vec<&str> = contents.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["libssl3", "@babel/core"]);
    assert_eq!(contents.packages[0].licenses, ["Apache-2.0", "Artistic-2.0"]);
    assert!(contents.packages[1].licenses.is_empty(), "NONE is no license");
}

#[test]
fn unknown_documents_are_rejected() {
    assert!(matches!(sbom::read(b"{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}"), Err(SbomError::UnknownFormat)));
    assert!(matches!(sbom::read(b"{\"spdxVersion\": \"SPDX-3.0\"}"), Err(SbomError::UnknownFormat)));
    assert!(matches!(sbom::read(b"not json"), Err(SbomError::Json { .. })));

    let error = sbom::read(br#"{"bomFormat": "CycloneDX", "components": {"name": "x"}}"#).unwrap_err();
    assert!(matches!(error, SbomError::Json { format: "CycloneDX", .. }), "{error}");
    assert_eq!(error.to_string(), "failed to parse the CycloneDX document");
}

#[test]
fn components_without_optional_fields_are_read() {
    let document = br#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
        {"type": "library", "name": "bare"},
        {"type": "framework", "name": "outer", "version": "1", "components": [{"name": "inner", "version": "2", "purl": "pkg:gem/inner@2"}]}
    ]}"#;
    let contents = sbom::read(document).unwrap();
    let found: Vec<(&str, &str, Option<PackageKind>)> = contents.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.kind)).collect();
    assert_eq!(found, [("bare", "", None), ("outer", "1", None), ("inner", "2", Some(PackageKind::Gem))]);
}

#[test]
fn null_arrays_are_read_as_empty() {
    let cyclonedx = br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
        {"type": "library", "name": "zlib", "version": "1.3", "purl": "pkg:apk/alpine/zlib@1.3", "licenses": null, "components": null}
    ]}"#;
    let contents = sbom::read(cyclonedx).unwrap();
    assert_eq!(contents.packages.len(), 1);
    assert!(contents.packages[0].licenses.is_empty());
    assert_eq!(contents.packages[0].kind, Some(PackageKind::Apk));

    let spdx = br#"{"spdxVersion": "SPDX-2.2", "packages": [{"name": "zlib", "versionInfo": "1.3", "externalRefs": null}],
        "hasExtractedLicensingInfos": null}"#;
    let contents = sbom::read(spdx).unwrap();
    assert_eq!(contents.packages.len(), 1);
    assert_eq!(contents.packages[0].purl, None);

    assert!(sbom::read(br#"{"bomFormat": "CycloneDX", "components": null}"#).unwrap().packages.is_empty());
}
