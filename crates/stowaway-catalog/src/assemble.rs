//! Turning the walk's per-file facts into one catalog: visible files only, one layer per
//! package, purls.

use std::collections::BTreeMap;

use stowaway_image::{Image, ImagePath, ImageView, Warning, WarningKind};
use stowaway_model::{LayerRef, Package};

use crate::catalogers::{Attribution, Cataloger, PartialPackages};
use crate::{Catalog, OsRelease, purl};

/// Analyzer position of the OS detector; the catalogers follow it.
pub(crate) const OS_ANALYZER: usize = 0;

pub(crate) fn assemble(image: &Image, view: &ImageView, catalogers: &[Box<dyn Cataloger>]) -> Catalog {
    let os = crate::os::detect(view, OS_ANALYZER);
    let mut packages = Vec::new();
    let mut warnings = view.warnings.clone();

    for (position, cataloger) in catalogers.iter().enumerate() {
        let analyzer = position + 1;
        match cataloger.attribution() {
            Attribution::File => {
                for (_, layer, found) in view.visible_facts::<Vec<Package>>(analyzer) {
                    packages.extend(found.iter().cloned().map(|package| with_layer(package, image, view, layer)));
                }
                for (path, layer, partial) in view.visible_facts::<PartialPackages>(analyzer) {
                    packages.extend(partial.packages.iter().cloned().map(|package| with_layer(package, image, view, layer)));
                    warnings.extend(partial.problems.iter().map(|message| Warning {
                        layer: Some(layer),
                        path: Some(path.clone()),
                        kind: WarningKind::AnalyzerFailed { analyzer: cataloger.name().to_owned(), message: message.clone() },
                    }));
                }
            }
            Attribution::Database => packages.extend(attribute_database_versions(image, view, analyzer)),
        }
    }
    for (position, cataloger) in catalogers.iter().enumerate() {
        cataloger.finish(view, position + 1, &mut packages);
    }

    purl::assign(&mut packages, os.as_ref());
    packages.sort_by(|a, b| {
        (!a.kind.is_os(), a.kind, &a.name, &a.version, &a.locations).cmp(&(!b.kind.is_os(), b.kind, &b.name, &b.version, &b.locations))
    });
    tracing::debug!(packages = packages.len(), os = ?os.as_ref().map(|o: &OsRelease| &o.id), "catalog assembled");

    Catalog { os, packages, warnings }
}

/// Attributes the packages of each visible database file to the lowest layer from which every
/// later version of that file lists them. A package that an upper layer upgraded belongs to the
/// upper layer, because the lower version no longer matches.
fn attribute_database_versions(image: &Image, view: &ImageView, analyzer: usize) -> Vec<Package> {
    // Each database path's versions from the base up: layer, visibility and the packages listed.
    type Versions<'a> = Vec<(usize, bool, &'a Vec<Package>)>;
    let mut versions: BTreeMap<&ImagePath, Versions<'_>> = BTreeMap::new();
    for fact in view.facts(analyzer) {
        if let Some(found) = fact.fact.downcast_ref::<Vec<Package>>() {
            versions.entry(fact.path).or_default().push((fact.layer, fact.visible, found));
        }
    }

    let mut packages = Vec::new();
    for history in versions.values() {
        let Some(&(top_layer, true, current)) = history.last() else { continue };
        for package in current {
            let mut layer = top_layer;
            for &(older_layer, _, older) in history.iter().rev().skip(1) {
                if !older.iter().any(|candidate| same_install(candidate, package)) {
                    break;
                }
                layer = older_layer;
            }
            packages.push(with_layer(package.clone(), image, view, layer));
        }
    }
    packages
}

fn same_install(a: &Package, b: &Package) -> bool {
    a.name == b.name && a.version == b.version && a.architecture == b.architecture
}

fn with_layer(mut package: Package, image: &Image, view: &ImageView, layer: usize) -> Package {
    let diff_id = image.layers.get(layer).and_then(|l| l.diff_id.clone()).or_else(|| view.layers.get(layer)?.computed_diff_id.clone());
    if let Some(diff_id) = diff_id {
        let source = image.layers.get(layer);
        package.layer = Some(LayerRef {
            index: layer,
            diff_id,
            digest: source.and_then(|l| l.digest.clone()),
            created_by: source.and_then(|l| l.created_by.clone()),
        });
    }
    package
}
