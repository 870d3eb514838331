//! Helpers for the language cataloger tests: crafted images built from in-memory layers, and
//! the real fixture images.

use std::path::PathBuf;

use stowaway_catalog::{Catalog, CatalogOptions, catalog_image};
use stowaway_image::{Image, OpenOptions, WarningKind};
use stowaway_model::{Package, PackageKind};

/// Writes a layer tar of regular text files, given as `(path, content)`.
pub fn layer(files: &[(&str, &str)]) -> Vec<u8> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(path, content)| (*path, content.as_bytes())).collect();
    binary_layer(&files)
}

/// Writes a layer tar of regular files with any content.
pub fn binary_layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content).expect("append a file to the layer tar");
    }
    builder.into_inner().expect("finish the layer tar")
}

/// Catalogs an image made of the given layers, the first at the base.
pub fn catalog_layers(layers: Vec<Vec<u8>>) -> Catalog {
    let image = Image::from_layer_blobs(layers);
    catalog_image(&image, &CatalogOptions::default()).expect("catalog the crafted image")
}

/// Catalogs a one-layer image of the given files.
pub fn catalog_files(files: &[(&str, &str)]) -> Catalog {
    catalog_layers(vec![layer(files)])
}

/// Catalogs a real fixture image in OCI layout (`apps`, `debian`).
pub fn catalog_fixture(name: &str) -> (Catalog, serde_json::Value) {
    let dir = fixtures_dir().join(name);
    let expectations_path = dir.join("expectations.json");
    let expectations = std::fs::read(&expectations_path).unwrap_or_else(|error| {
        panic!("fixture image `{}` is missing ({error}); build the fixtures with `scripts/build-fixtures.sh` (as root) or set STOWAWAY_FIXTURES_DIR", dir.display())
    });
    let expectations = serde_json::from_slice(&expectations).expect("expectations.json is valid JSON");

    let reference = format!("oci:{}", dir.join("oci").display());
    let image = stowaway_image::open(&reference, &OpenOptions::default()).expect("open the fixture image");
    (catalog_image(&image, &CatalogOptions::default()).expect("catalog the fixture image"), expectations)
}

fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STOWAWAY_FIXTURES_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").expect("HOME or STOWAWAY_FIXTURES_DIR is set");
    PathBuf::from(home).join(".cache/stowaway/fixtures")
}

/// Returns the packages of one kind as `(name, version, first location)`, sorted.
pub fn summary(catalog: &Catalog, kind: PackageKind) -> Vec<(String, String, String)> {
    let mut found: Vec<_> = of_kind(catalog, kind).map(|p| (p.name.clone(), p.version.clone(), p.locations[0].clone())).collect();
    found.sort();
    found
}

pub fn of_kind(catalog: &Catalog, kind: PackageKind) -> impl Iterator<Item = &Package> {
    catalog.packages.iter().filter(move |package| package.kind == kind)
}

/// Returns the messages of analyzer failures on the file at `path`.
pub fn failures_on<'a>(catalog: &'a Catalog, path: &str) -> Vec<&'a str> {
    catalog
        .warnings
        .iter()
        .filter(|warning| warning.path.as_ref().is_some_and(|p| p.to_string() == path))
        .filter_map(|warning| match &warning.kind {
            WarningKind::AnalyzerFailed { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

pub fn tuple(name: &str, version: &str, location: &str) -> (String, String, String) {
    (name.to_owned(), version.to_owned(), location.to_owned())
}
