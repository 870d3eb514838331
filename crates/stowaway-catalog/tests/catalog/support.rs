//! Helpers to build crafted images and find the fixture images.

use std::path::PathBuf;

use stowaway_catalog::{Catalog, CatalogOptions, catalog_image};
use stowaway_image::Image;

/// Builds a layer tar from `(path, content)` pairs; a path ending in `/` is a folder.
pub fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_mtime(0);
        if path.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder.append_data(&mut header, path, &[][..]).unwrap();
        } else {
            header.set_size(content.len() as u64);
            builder.append_data(&mut header, path, *content).unwrap();
        }
    }
    builder.into_inner().unwrap()
}

/// Catalogs an image made of the given layer tars.
pub fn catalog_layers(layers: Vec<Vec<u8>>) -> Catalog {
    let image = Image::from_layer_blobs(layers);
    catalog_image(&image, &CatalogOptions::default()).unwrap()
}

/// The fixture folder built by `scripts/build-fixtures.sh`.
pub fn fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("STOWAWAY_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stowaway/fixtures"));
    assert!(
        dir.join("apps/expectations.json").is_file(),
        "fixture images missing in `{}`; build them with `scripts/build-fixtures.sh` (as root)",
        dir.display()
    );
    dir
}
