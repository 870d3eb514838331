use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::LayerRef;

/// The kind of a package: which package manager or language ecosystem installed it. The names
/// are the package-url types, so a kind and a purl always agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageKind {
    /// A Debian package (dpkg).
    Deb,
    /// An RPM package.
    Rpm,
    /// An Alpine package (apk).
    Apk,
    /// A Python distribution.
    Pypi,
    /// An npm package.
    Npm,
    /// A Java archive with Maven coordinates.
    Maven,
    /// A Go module linked into a binary.
    Golang,
    /// A Rust crate linked into a binary built with cargo-auditable.
    Cargo,
    /// A Ruby gem.
    Gem,
    /// A PHP Composer package.
    Composer,
    /// A .NET NuGet package.
    Nuget,
}

impl PackageKind {
    /// Returns the package-url type (`deb`, `pypi`).
    pub fn purl_type(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Rpm => "rpm",
            PackageKind::Apk => "apk",
            PackageKind::Pypi => "pypi",
            PackageKind::Npm => "npm",
            PackageKind::Maven => "maven",
            PackageKind::Golang => "golang",
            PackageKind::Cargo => "cargo",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::Nuget => "nuget",
        }
    }

    /// Tells whether packages of this kind come from the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, PackageKind::Deb | PackageKind::Rpm | PackageKind::Apk)
    }
}

impl fmt::Display for PackageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// The source package a binary package was built from, which distribution advisories name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name (`openssl` for `libssl3`).
    pub name: String,
    /// Source version, when it differs from the binary package's version or is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One package found in an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The package manager or ecosystem.
    pub kind: PackageKind,
    /// Name as the ecosystem spells it (`curl`, `requests`, `org.apache.logging.log4j:log4j-core`).
    pub name: String,
    /// Version as the ecosystem writes it; for rpm the full `[epoch:]version-release`.
    pub version: String,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// CPU architecture for OS packages (`amd64`, `x86_64`, `noarch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// The source package, for OS packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Licenses as the package records them (SPDX expressions where the ecosystem uses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Files where the package was found: the database or manifest that lists it.
    pub locations: Vec<String>,
    /// The layer that added the package, with its history line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Files the package owns, as its package database or install record (Python `RECORD`) lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Ecosystem-specific facts (`epoch`, `release`, `status`, `group_id`, `go_version`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl Package {
    /// Builds a package with the required fields; the others start empty.
    pub fn new(kind: PackageKind, name: impl Into<String>, version: impl Into<String>, location: impl Into<String>) -> Package {
        Package {
            kind,
            name: name.into(),
            version: version.into(),
            purl: None,
            architecture: None,
            source: None,
            licenses: Vec::new(),
            locations: vec![location.into()],
            layer: None,
            files: Vec::new(),
            metadata: BTreeMap::new(),
        }
    }
}
