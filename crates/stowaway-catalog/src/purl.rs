//! Package URLs (purl spec, `github.com/package-url/purl-spec`), computed once the OS is known
//! because OS package purls carry the distribution.

use packageurl::PackageUrl;
use stowaway_model::{Package, PackageKind};

use crate::OsRelease;

/// Sets the purl of every package that has none.
pub(crate) fn assign(packages: &mut [Package], os: Option<&OsRelease>) {
    for package in packages.iter_mut().filter(|package| package.purl.is_none()) {
        match build(package, os) {
            Ok(purl) => package.purl = Some(purl),
            Err(error) => tracing::debug!(name = %package.name, %error, "no purl for package"),
        }
    }
}

fn build(package: &Package, os: Option<&OsRelease>) -> Result<String, packageurl::Error> {
    let (namespace, name) = split_name(package, os);
    let mut purl = PackageUrl::new(package.kind.purl_type(), name)?;
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace)?;
    }
    // An rpm purl carries the epoch in its `epoch` qualifier, so its version is `version-release`.
    let epoch_prefix = package.metadata.get("epoch").filter(|_| package.kind == PackageKind::Rpm).map(|epoch| format!("{epoch}:"));
    let version = epoch_prefix.and_then(|prefix| package.version.strip_prefix(&prefix)).unwrap_or(&package.version);
    purl.with_version(version)?;

    if package.kind.is_os() {
        if let Some(architecture) = &package.architecture {
            purl.add_qualifier("arch", architecture.as_str())?;
        }
        if let Some(epoch) = package.metadata.get("epoch") {
            purl.add_qualifier("epoch", epoch.as_str())?;
        }
        if let Some(source) = &package.source {
            let upstream = match &source.version {
                Some(version) => format!("{}@{version}", source.name),
                None => source.name.clone(),
            };
            purl.add_qualifier("upstream", upstream)?;
        }
        if let Some(os) = os
            && let Some(version) = os.version_id.as_ref().or(os.version_codename.as_ref())
        {
            purl.add_qualifier("distro", format!("{}-{version}", os.id))?;
        }
    }
    Ok(purl.to_string())
}

/// Splits a package name into the purl namespace and name, by the rules of each type.
fn split_name<'a>(package: &'a Package, os: Option<&'a OsRelease>) -> (Option<String>, String) {
    let name = package.name.as_str();
    match package.kind {
        PackageKind::Deb | PackageKind::Rpm | PackageKind::Apk => {
            let vendor = os.map_or_else(|| default_vendor(package.kind).to_owned(), |os| os.id.clone());
            (Some(vendor), name.to_owned())
        }
        // PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become one `-`.
        PackageKind::Pypi => (None, normalize_python_name(name)),
        PackageKind::Npm => match name.strip_prefix('@').and_then(|scoped| scoped.split_once('/')) {
            Some((scope, bare)) => (Some(format!("@{scope}")), bare.to_owned()),
            None => (None, name.to_owned()),
        },
        PackageKind::Maven | PackageKind::Composer => match name.split_once([':', '/']) {
            Some((group, artifact)) => (Some(group.to_owned()), artifact.to_owned()),
            None => (None, name.to_owned()),
        },
        PackageKind::Golang => match name.rsplit_once('/') {
            Some((namespace, last)) => (Some(namespace.to_owned()), last.to_owned()),
            None => (None, name.to_owned()),
        },
        PackageKind::Cargo | PackageKind::Gem | PackageKind::Nuget => (None, name.to_owned()),
    }
}

fn default_vendor(kind: PackageKind) -> &'static str {
    match kind {
        PackageKind::Deb => "debian",
        PackageKind::Apk => "alpine",
        _ => "redhat",
    }
}

/// Normalizes a Python distribution name as PEP 503 does: lowercase, and each run of `-`, `_`
/// and `.` as one `-`.
pub fn normalize_python_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut previous_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !previous_separator {
                normalized.push('-');
            }
            previous_separator = true;
        } else {
            normalized.extend(c.to_lowercase());
            previous_separator = false;
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use stowaway_model::SourcePackage;

    use super::*;

    fn debian_12() -> OsRelease {
        OsRelease { id: "debian".into(), version_id: Some("12".into()), ..OsRelease::default() }
    }

    #[test]
    fn deb_purl_has_arch_distro_upstream() {
        let mut package = Package::new(PackageKind::Deb, "libssl3", "3.0.15-1~deb12u1", "/var/lib/dpkg/status");
        package.architecture = Some("amd64".into());
        package.source = Some(SourcePackage { name: "openssl".into(), version: None });

        let purl = build(&package, Some(&debian_12())).unwrap();
        assert_eq!(purl, "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl");
    }

    #[test]
    fn rpm_epoch_is_qualifier_only() {
        let mut package = Package::new(PackageKind::Rpm, "perl-Pod-Escapes", "1:1.04-299.el7_9", "/var/lib/rpm/Packages");
        package.metadata.insert("epoch".into(), "1".into());

        assert_eq!(build(&package, None).unwrap(), "pkg:rpm/redhat/perl-Pod-Escapes@1.04-299.el7_9?epoch=1");
    }

    #[test]
    fn pypi_name_is_normalized() {
        let package = Package::new(PackageKind::Pypi, "PyYAML", "5.3", "/x");
        assert_eq!(build(&package, None).unwrap(), "pkg:pypi/pyyaml@5.3");
        assert_eq!(normalize_python_name("Foo__Bar.baz"), "foo-bar-baz");
    }

    #[test]
    fn npm_scope_is_namespace() {
        let package = Package::new(PackageKind::Npm, "@babel/core", "7.0.0", "/x");
        assert_eq!(build(&package, None).unwrap(), "pkg:npm/%40babel/core@7.0.0");
    }

    #[test]
    fn maven_and_golang_namespaces() {
        let jar = Package::new(PackageKind::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1", "/x");
        assert_eq!(build(&jar, None).unwrap(), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        let module = Package::new(PackageKind::Golang, "github.com/junegunn/fzf", "v0.60.0", "/x");
        assert_eq!(build(&module, None).unwrap(), "pkg:golang/github.com/junegunn/fzf@v0.60.0");
    }
}
