//! Lookups for OS packages: the distribution's own records, by source package for Debian and
//! Alpine, by binary package for rpm.

use stowaway_model::{Package, PackageKind};

use crate::finding::MatchBasis;
use crate::matcher::Lookup;
use crate::namespace::{self, OsNamespace};

/// Returns one lookup per OS package, in the release's namespace.
pub(crate) fn lookups(release: &OsNamespace, packages: &[Package]) -> Vec<Lookup> {
    packages
        .iter()
        .enumerate()
        .filter(|(_, package)| package.kind.is_os())
        .map(|(index, package)| {
            let (name, version, basis) = match package.kind {
                // Debian's tracker and DSA lists, and Alpine's secdb, key records by source
                // package and state fixed versions of the source.
                PackageKind::Deb | PackageKind::Apk => {
                    let source = package.source.as_ref();
                    let name = source.map_or(&package.name, |source| &source.name);
                    let version = source.and_then(|source| source.version.as_ref()).unwrap_or(&package.version);
                    (name.clone(), version.clone(), MatchBasis::SourcePackage)
                }
                // An rpm's fixed EVR is its own; the source rpm's EVR is another number line.
                _ => (package.name.clone(), package.version.clone(), MatchBasis::BinaryPackage),
            };
            Lookup {
                package: index,
                namespace: release.namespace.clone(),
                names: vec![name.clone()],
                name,
                version,
                ecosystem: namespace::ecosystem(package.kind),
                basis,
                owned_by: None,
            }
        })
        .collect()
}
