//! Catalogs what a container image contains: the operating system, and the OS and language
//! packages with the layer that added each one.
//!
//! Every cataloger is an [`Analyzer`](stowaway_image::Analyzer) of the image walker: it names the
//! files it reads (package databases, manifests, archives, binaries) and turns each into
//! [`Package`]s. One walk runs them all, so each layer is read once. The results are then
//! assembled: facts from files that an upper layer deleted are dropped, each package is attributed
//! to the layer that added it, and purls are computed once the OS is known.
//!
//! ```no_run
//! use stowaway_image::{OpenOptions, open};
//!
//! let image = open("oci:debian", &OpenOptions::default())?;
//! let catalog = stowaway_catalog::catalog_image(&image, &Default::default())?;
//! for package in &catalog.packages {
//!     println!("{} {} {}", package.kind, package.name, package.version);
//! }
//! # Ok::<(), stowaway_catalog::CatalogError>(())
//! ```

#![warn(missing_docs)]

mod apk;
mod assemble;
mod binary;
mod catalogers;
mod dotnet;
mod dpkg;
#[doc(hidden)]
pub mod fuzzing;
mod golang;
mod java;
mod manifest;
mod npm;
mod os;
mod php;
mod purl;
mod python;
mod ruby;
mod rust;
pub mod rpm;
pub mod sbom;

use serde::Serialize;
use stowaway_image::{AnalysisCache, Analyzer, Image, ImageError, ImageView, LayerSummary, Limits, Walker, Warning};
use stowaway_model::Package;

pub use catalogers::Cataloger;
pub use os::OsRelease;
pub use purl::normalize_python_name;

/// The result of cataloging one image.
#[derive(Debug, Serialize)]
pub struct Catalog {
    /// The operating system, when the image has an `os-release` or a distribution marker file.
    pub os: Option<OsRelease>,
    /// Every package found, OS packages first, each sorted by kind, name and version.
    pub packages: Vec<Package>,
    /// Problems found while reading the image, such as a malformed package database.
    pub warnings: Vec<Warning>,
}

/// Options for [`catalog_image`].
#[derive(Clone, Debug, Default)]
pub struct CatalogOptions {
    /// Bounds on reading the image.
    pub limits: Limits,
    /// The cache that keeps each layer's analysis between runs. With `None`, every layer is read.
    pub cache: Option<AnalysisCache>,
}

/// Errors that stop a catalog: the image cannot be read. Malformed package databases and
/// manifests are warnings in the [`Catalog`] instead.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Reading the image failed.
    #[error("failed to read the image")]
    Image(#[from] ImageError),
}

/// Walks the image once with every cataloger and assembles the catalog.
pub fn catalog_image(image: &Image, options: &CatalogOptions) -> Result<Catalog, CatalogError> {
    catalog_image_with_progress(image, options, |_| {})
}

/// Catalogs the image like [`catalog_image`], calling `on_layer_done` as each layer is read, from
/// that layer's thread, for progress display.
pub fn catalog_image_with_progress(
    image: &Image,
    options: &CatalogOptions,
    on_layer_done: impl Fn(&LayerSummary) + Sync,
) -> Result<Catalog, CatalogError> {
    catalog_image_with(image, options, &[], on_layer_done).map(|run| run.catalog)
}

/// A catalog with the walk it came from, for analyzers that ran beside the catalogers.
pub struct CatalogRun {
    /// The catalog.
    pub catalog: Catalog,
    /// The walk's per-layer facts and squashed view.
    pub view: ImageView,
    /// The walker index of the first of the extra analyzers.
    pub first_extra_analyzer: usize,
}

/// Catalogs the image in one walk with `extra` analyzers (malware and secret detectors, for
/// example), registered after the catalogers, so each layer is still read once.
pub fn catalog_image_with(
    image: &Image,
    options: &CatalogOptions,
    extra: &[&dyn Analyzer],
    on_layer_done: impl Fn(&LayerSummary) + Sync,
) -> Result<CatalogRun, CatalogError> {
    let catalogers = catalogers::all();
    let os_detector = os::OsDetector::new();
    let mut walker = Walker::new(image).limits(options.limits.clone()).on_layer_done(on_layer_done).analyzer(&os_detector);
    for cataloger in &catalogers {
        walker = walker.analyzer(cataloger.as_analyzer());
    }
    for analyzer in extra {
        walker = walker.analyzer(*analyzer);
    }
    if let Some(cache) = &options.cache {
        walker = walker.cache(cache);
    }

    let view = walker.run()?;
    let catalog = assemble::assemble(image, &view, &catalogers);
    Ok(CatalogRun { catalog, view, first_extra_analyzer: catalogers.len() + 1 })
}
