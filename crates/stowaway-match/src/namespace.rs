//! The namespace of each package: a distribution release for OS packages, an ecosystem for
//! language packages.

use stowaway_advisory::namespace;
use stowaway_catalog::{OsRelease, normalize_python_name};
use stowaway_model::PackageKind;
use stowaway_version::Ecosystem;

/// The release an image runs, as the advisory database keys OS records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsNamespace {
    /// `debian:12`, `alpine:3.19`, `rhel:9`.
    pub namespace: String,
    /// The distribution id (`debian`).
    pub distribution: String,
    /// The release within it (`12`, `3.19`, `edge`).
    pub release: String,
}

/// Distributions whose records are keyed by major release only (`rhel:9` for RHEL 9.4).
const MAJOR_ONLY: [&str; 8] = ["rhel", "centos", "rocky", "almalinux", "ol", "amzn", "fedora", "azurelinux"];

/// Returns the namespace of the image's OS release, or `None` when the release is unknown.
///
/// Debian is keyed by release number, from `VERSION_ID` or, on testing and unstable images that
/// have none, from the codename (`trixie` is `debian:13`). Alpine is keyed by branch: `3.19.4` is
/// `alpine:3.19`, and a version with a `_alpha`/`_rc` suffix is `alpine:edge`. Ubuntu keeps its
/// `YY.MM` version. RHEL and its rebuilds are keyed by major release.
pub fn os_namespace(os: &OsRelease) -> Option<OsNamespace> {
    let distribution = os.id.to_ascii_lowercase();
    let version = os.version_id.as_deref().map(str::trim).filter(|v| !v.is_empty());

    let release = match distribution.as_str() {
        "debian" => match (version, os.version_codename.as_deref()) {
            (Some(version), _) => version.split('.').next().unwrap_or(version).to_owned(),
            (None, Some(codename)) => namespace::debian(codename).trim_start_matches("debian:").to_owned(),
            (None, None) => return None,
        },
        "alpine" => alpine_branch(version?),
        "ubuntu" => version?.to_owned(),
        id if MAJOR_ONLY.contains(&id) => version?.split('.').next()?.to_owned(),
        _ => version?.to_owned(),
    };
    Some(OsNamespace { namespace: format!("{distribution}:{release}"), distribution, release })
}

fn alpine_branch(version: &str) -> String {
    if version.contains('_') {
        return "edge".to_owned();
    }
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => version.to_owned(),
    }
}

/// Returns the namespace that records of a language package kind are stored under, or `None`
/// for OS package kinds.
pub(crate) fn language_namespace(kind: PackageKind) -> Option<&'static str> {
    let namespace = match kind {
        PackageKind::Deb | PackageKind::Rpm | PackageKind::Apk => return None,
        PackageKind::Pypi => "pypi",
        PackageKind::Npm => "npm",
        PackageKind::Maven => "maven",
        PackageKind::Golang => "golang",
        PackageKind::Cargo => "cargo",
        PackageKind::Gem => "gem",
        PackageKind::Composer => "packagist",
        PackageKind::Nuget => "nuget",
    };
    Some(namespace)
}

/// Returns the version ordering of a package kind.
pub(crate) fn ecosystem(kind: PackageKind) -> Ecosystem {
    match kind {
        PackageKind::Deb => Ecosystem::Deb,
        PackageKind::Rpm => Ecosystem::Rpm,
        PackageKind::Apk => Ecosystem::Apk,
        PackageKind::Pypi => Ecosystem::Pypi,
        PackageKind::Npm => Ecosystem::Npm,
        PackageKind::Maven => Ecosystem::Maven,
        PackageKind::Golang => Ecosystem::Golang,
        PackageKind::Cargo => Ecosystem::Cargo,
        PackageKind::Gem => Ecosystem::Gem,
        PackageKind::Composer | PackageKind::Nuget => Ecosystem::Generic,
    }
}

/// Returns the names a language package may be recorded under. PyPI names compare after PEP 503
/// normalization (`PyYAML`, `pyyaml` and `py_yaml` differ only in spelling), and feeds write
/// either form.
pub(crate) fn lookup_names(kind: PackageKind, name: &str) -> Vec<String> {
    let mut names = vec![name.to_owned()];
    if kind == PackageKind::Pypi {
        let normalized = normalize_python_name(name);
        if normalized != name {
            names.push(normalized);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version: Option<&str>, codename: Option<&str>) -> OsRelease {
        OsRelease {
            id: id.to_owned(),
            id_like: Vec::new(),
            version_id: version.map(str::to_owned),
            version_codename: codename.map(str::to_owned),
            pretty_name: None,
            source_file: "/etc/os-release".to_owned(),
        }
    }

    #[test]
    fn releases_map_to_namespaces() {
        let cases = [
            (os("debian", Some("12"), Some("bookworm")), "debian:12"),
            (os("debian", None, Some("trixie")), "debian:13"),
            (os("debian", Some("11.9"), None), "debian:11"),
            (os("alpine", Some("3.19.4"), None), "alpine:3.19"),
            (os("alpine", Some("3.21.0_alpha20240807"), None), "alpine:edge"),
            (os("ubuntu", Some("22.04"), Some("jammy")), "ubuntu:22.04"),
            (os("rhel", Some("9.4"), None), "rhel:9"),
            (os("rocky", Some("8.10"), None), "rocky:8"),
        ];
        for (release, expected) in cases {
            assert_eq!(os_namespace(&release).map(|n| n.namespace).as_deref(), Some(expected), "{release:?}");
        }
    }

    #[test]
    fn unknown_release_has_no_namespace() {
        assert_eq!(os_namespace(&os("debian", None, None)), None);
        assert_eq!(os_namespace(&os("alpine", None, None)), None);
    }

    #[test]
    fn pypi_names_normalize() {
        assert_eq!(lookup_names(PackageKind::Pypi, "PyYAML"), vec!["PyYAML", "pyyaml"]);
        assert_eq!(lookup_names(PackageKind::Pypi, "zope.interface"), vec!["zope.interface", "zope-interface"]);
        assert_eq!(lookup_names(PackageKind::Pypi, "requests"), vec!["requests"]);
        assert_eq!(lookup_names(PackageKind::Npm, "Foo"), vec!["Foo"]);
    }
}
