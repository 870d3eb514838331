//! Lookups for language packages: their ecosystem's records, unless an OS package owns them.

use stowaway_model::Package;

use crate::finding::MatchBasis;
use crate::matcher::Lookup;
use crate::namespace;
use crate::ownership::Ownership;

/// Returns one lookup per language package, and how many were left to their OS package.
///
/// A package whose file an OS package owns (a Debian `python3-*` package's `dist-info`, a Go
/// binary shipped in a `.deb`) is matched as that OS package, because distributions backport
/// fixes without changing the upstream version. With `upstream` it is also matched by its
/// ecosystem, and the lookup names the owner.
pub(crate) fn lookups(packages: &[Package], ownership: &Ownership<'_>, upstream: bool) -> (Vec<Lookup>, usize) {
    let mut lookups = Vec::new();
    let mut left_to_os = 0;
    for (index, package) in packages.iter().enumerate() {
        let Some(namespace) = namespace::language_namespace(package.kind) else { continue };
        let owner = ownership.owner_of(package);
        if owner.is_some() && !upstream {
            left_to_os += 1;
            continue;
        }
        lookups.push(Lookup {
            package: index,
            namespace: namespace.to_owned(),
            names: namespace::lookup_names(package.kind, &package.name),
            name: package.name.clone(),
            version: package.version.clone(),
            ecosystem: namespace::ecosystem(package.kind),
            basis: MatchBasis::Ecosystem,
            owned_by: owner.map(str::to_owned),
        });
    }
    (lookups, left_to_os)
}
