//! Software bills of materials: a [`Catalog`] written as CycloneDX 1.6 or SPDX 2.3 JSON, and the
//! packages read back from an SBOM that any tool wrote.
//!
//! Writing keeps every fact of the catalog that the format can carry: purls, licenses, the layer
//! that added each package and the file it was found in. Reading is lenient: it takes the name,
//! version, purl and licenses of each package and ignores every other field, so SBOMs from
//! Syft, Trivy and other tools can be scanned.
//!
//! ```no_run
//! use stowaway_catalog::sbom::{DocumentInfo, ImageIdentity};
//! use stowaway_image::{OpenOptions, open};
//!
//! let image = open("oci:debian", &OpenOptions::default())?;
//! let catalog = stowaway_catalog::catalog_image(&image, &Default::default())?;
//! let bom = stowaway_catalog::sbom::cyclonedx::write(&catalog, &ImageIdentity::of(&image), &DocumentInfo::now());
//! let json = serde_json::to_string_pretty(&bom).unwrap();
//! # Ok::<(), stowaway_catalog::CatalogError>(())
//! ```

pub mod cyclonedx;
pub mod spdx;

use std::collections::HashSet;
use std::time::SystemTime;

use packageurl::PackageUrl;
use serde::{Deserialize, Serialize};
use stowaway_image::Image;
use stowaway_model::{Digest, Package, PackageKind, Platform};

use crate::OsRelease;

/// The name tools write into the documents they create.
pub(crate) const TOOL_NAME: &str = "stowaway";

/// The version written next to [`TOOL_NAME`].
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The identity of the image an SBOM describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageIdentity {
    /// The reference as the user gave it (`oci:debian:latest`).
    pub reference: String,
    /// Digest of the manifest, when the source has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    /// Digest of the config blob: the image ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    /// Tags the source records for the image (`stowaway-fixture/debian:latest`).
    pub tags: Vec<String>,
    /// The platform of the image config.
    pub platform: Platform,
}

impl ImageIdentity {
    /// Takes the identity of an opened image.
    pub fn of(image: &Image) -> ImageIdentity {
        ImageIdentity {
            reference: image.reference.clone(),
            manifest_digest: image.manifest_digest.clone(),
            config_digest: image.config_digest.clone(),
            tags: image.tags.clone(),
            platform: image.config.platform(),
        }
    }

    /// Returns the name SBOMs give the image: its first tag that names a repository
    /// (`debian:12`), else the reference. OCI layouts often tag an image with a bare `latest`,
    /// which names no image.
    pub fn name(&self) -> &str {
        self.tags.iter().find(|tag| split_tag(tag).0.is_some()).unwrap_or(&self.reference)
    }
}

/// The facts of one SBOM document that are not about the image: when it was made and its unique
/// id. Tests fix both so that documents compare byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Creation time, written in UTC to the second.
    pub created: SystemTime,
    /// Unique id: the CycloneDX serial number and the last part of the SPDX document namespace.
    pub id: uuid::Uuid,
}

impl DocumentInfo {
    /// Returns the facts of a document made now, with a random id.
    pub fn now() -> DocumentInfo {
        DocumentInfo { created: SystemTime::now(), id: uuid::Uuid::new_v4() }
    }

    /// Returns the creation time as RFC 3339 in UTC (`2026-12-04T21:00:00Z`).
    pub(crate) fn created_rfc3339(&self) -> String {
        humantime::format_rfc3339_seconds(self.created).to_string()
    }
}

/// The SBOM formats stowaway reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SbomFormat {
    /// CycloneDX JSON (written as 1.6, read in any 1.x version).
    CycloneDxJson,
    /// SPDX JSON (written as 2.3, read in any 2.x version).
    SpdxJson,
}

/// The OS and packages of an SBOM, as [`read`] returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbomContents {
    /// The format the document was in.
    pub format: SbomFormat,
    /// The operating system, when the SBOM has an operating-system component or package.
    pub os: Option<OsRelease>,
    /// Every package, in document order; nested CycloneDX components are included.
    pub packages: Vec<SbomPackage>,
}

/// One package read from an SBOM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbomPackage {
    /// Name as its ecosystem spells it, taken from the purl when there is one. Tools differ in
    /// what they put in the name field: Syft writes a Maven artifact without its group.
    pub name: String,
    /// Version; empty when neither the document nor the purl has one.
    pub version: String,
    /// Package URL as the document writes it.
    pub purl: Option<String>,
    /// The ecosystem, from the purl type; `None` without a purl or for a type stowaway does not
    /// catalog (`generic`, `github`).
    pub kind: Option<PackageKind>,
    /// License ids, expressions or names, as the document writes them.
    pub licenses: Vec<String>,
}

impl SbomPackage {
    /// Converts the package into a catalog [`Package`] found at `location` (the SBOM file), or
    /// `None` when its ecosystem is unknown.
    pub fn to_package(&self, location: &str) -> Option<Package> {
        let mut package = Package::new(self.kind?, &self.name, &self.version, location);
        package.purl = self.purl.clone();
        package.licenses = self.licenses.clone();
        Some(package)
    }
}

/// Errors of reading an SBOM.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The document is not JSON, or a field that is read has the wrong type.
    #[error("failed to parse the {format} document")]
    Json {
        /// The format the document declares, or `JSON` before it is known.
        format: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The document is JSON but neither CycloneDX nor SPDX 2.
    #[error(
        "the document is neither CycloneDX JSON (`\"bomFormat\": \"CycloneDX\"`) nor SPDX 2 JSON (`\"spdxVersion\": \"SPDX-2.x\"`)"
    )]
    UnknownFormat,
}

/// Reads the packages of a CycloneDX or SPDX JSON document, telling the format from its content.
pub fn read(bytes: &[u8]) -> Result<SbomContents, SbomError> {
    #[derive(serde::Deserialize)]
    struct Header {
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde_json::Value>,
        #[serde(rename = "spdxVersion")]
        spdx_version: Option<serde_json::Value>,
    }

    let header: Header = serde_json::from_slice(bytes).map_err(|source| SbomError::Json { format: "JSON", source })?;
    let is_cyclonedx = header.bom_format.as_ref().and_then(|v| v.as_str()) == Some("CycloneDX");
    let is_spdx = header.spdx_version.as_ref().and_then(|v| v.as_str()).is_some_and(|v| v.starts_with("SPDX-2."));

    if is_cyclonedx {
        cyclonedx::read(bytes)
    } else if is_spdx {
        spdx::read(bytes)
    } else {
        Err(SbomError::UnknownFormat)
    }
}

/// Builds a package read from a document out of the fields every format has.
pub(crate) fn sbom_package(name: Option<&str>, version: Option<&str>, purl: Option<&str>, licenses: Vec<String>) -> SbomPackage {
    let parsed = purl.and_then(|text| text.parse::<PackageUrl<'_>>().ok());
    let kind = parsed.as_ref().and_then(|p| kind_from_purl_type(p.ty()));

    let name = match (&parsed, kind) {
        (Some(parsed), Some(kind)) => name_from_purl(parsed, kind),
        _ => name.or(parsed.as_ref().map(PackageUrl::name)).unwrap_or_default().to_owned(),
    };
    let version = version
        .filter(|v| !v.is_empty())
        .or(parsed.as_ref().and_then(PackageUrl::version))
        .unwrap_or_default()
        .to_owned();

    SbomPackage { name, version, purl: purl.map(str::to_owned), kind, licenses }
}

/// Deserializes `null` as the default value: some tools write `"licenses": null` or
/// `"components": null` where the schema has an array.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Returns the kind whose purl type is `ty`.
pub(crate) fn kind_from_purl_type(ty: &str) -> Option<PackageKind> {
    let kind = match ty.to_ascii_lowercase().as_str() {
        "deb" => PackageKind::Deb,
        "rpm" => PackageKind::Rpm,
        "apk" => PackageKind::Apk,
        "pypi" => PackageKind::Pypi,
        "npm" => PackageKind::Npm,
        "maven" => PackageKind::Maven,
        "golang" => PackageKind::Golang,
        "cargo" => PackageKind::Cargo,
        "gem" => PackageKind::Gem,
        "composer" => PackageKind::Composer,
        "nuget" => PackageKind::Nuget,
        _ => return None,
    };
    Some(kind)
}

/// Rebuilds the name as the ecosystem spells it from a purl's namespace and name: the inverse
/// of the split in `purl.rs`.
fn name_from_purl(purl: &PackageUrl<'_>, kind: PackageKind) -> String {
    let name = purl.name();
    match (kind, purl.namespace()) {
        (PackageKind::Maven, Some(group)) => format!("{group}:{name}"),
        (PackageKind::Npm | PackageKind::Golang | PackageKind::Composer, Some(namespace)) => format!("{namespace}/{name}"),
        _ => name.to_owned(),
    }
}

/// A license as a package records it, sorted by what SBOM formats can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum License<'a> {
    /// One identifier of the SPDX license list, spelled exactly as the list does (`MIT`).
    Id(&'a str),
    /// A valid SPDX license expression that is not a bare list identifier
    /// (`MIT OR Apache-2.0`, `GPL-2.0-or-later WITH Classpath-exception-2.0`, `LicenseRef-x`).
    Expression(&'a str),
    /// Any other text (`GPL-2+`, `BSD-style`), as Debian copyright files write it.
    Name(&'a str),
}

/// SPDX expression syntax as the specification defines it, but deprecated identifiers such as
/// `GPL-2.0` and `GPL-2.0+` are accepted, because the license list keeps them valid and packages
/// still use them.
const EXPRESSION_MODE: ::spdx::ParseMode =
    ::spdx::ParseMode { allow_deprecated: true, allow_postfix_plus_on_gpl: true, ..::spdx::ParseMode::STRICT };

/// Sorts a license string into an SPDX identifier, an SPDX expression or free text.
pub(crate) fn classify_license(text: &str) -> License<'_> {
    let text = text.trim();
    if ::spdx::license_id(text).is_some_and(|id| id.name == text) {
        return License::Id(text);
    }
    if is_valid_expression(text) {
        return License::Expression(text);
    }
    License::Name(text)
}

/// Tells whether `text` is a valid SPDX license expression.
pub(crate) fn is_valid_expression(text: &str) -> bool {
    ::spdx::Expression::parse_mode(text, EXPRESSION_MODE).is_ok()
}

/// Splits a valid SPDX expression at its top-level `AND`s and drops the parentheses around each
/// part: the inverse of how the writers join a package's licenses. Other text is returned whole.
pub(crate) fn split_conjunction(expression: &str) -> Vec<String> {
    let expression = expression.trim();
    if !is_valid_expression(expression) {
        return vec![expression.to_owned()];
    }

    let bytes = expression.as_bytes();
    let (mut parts, mut depth, mut start, mut at) = (Vec::new(), 0usize, 0, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 && bytes.len() - at >= 5 && bytes[at..at + 5].eq_ignore_ascii_case(b" AND ") => {
                parts.push(&expression[start..at]);
                at += 5;
                start = at;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    parts.push(&expression[start..]);

    parts.into_iter().map(|part| strip_outer_parentheses(part.trim()).to_owned()).filter(|part| !part.is_empty()).collect()
}

/// Removes one pair of parentheses that encloses the whole of `text`.
fn strip_outer_parentheses(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) else { return text };
    let mut depth = 0usize;
    for byte in inner.bytes() {
        match byte {
            b'(' => depth += 1,
            b')' if depth == 0 => return text,
            b')' => depth -= 1,
            _ => {}
        }
    }
    inner.trim()
}

/// Returns `base`, or `base` with the lowest `-N` suffix not yet in `used_ids`, and records it there.
pub(crate) fn unique_id(base: String, used_ids: &mut HashSet<String>) -> String {
    if used_ids.insert(base.clone()) {
        return base;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}-{n}");
        if used_ids.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// Returns the purl of the image (`pkg:oci/debian@sha256:...`), when it has a digest to pin and
/// a tag that names its repository.
///
/// The purl-spec `oci` type takes the last path segment of the repository as the name, the
/// manifest digest as the version and the repository in `repository_url`.
pub(crate) fn image_purl(image: &ImageIdentity) -> Option<String> {
    let digest = image.manifest_digest.as_ref().or(image.config_digest.as_ref())?;
    let (repository, tag) = image.tags.iter().map(|tag| split_tag(tag)).find(|(repository, _)| repository.is_some())?;
    let repository = repository?;
    let name = repository.rsplit('/').next().unwrap_or(repository).to_ascii_lowercase();

    let mut purl = PackageUrl::new("oci", name).ok()?;
    purl.with_version(digest.to_string()).ok()?;
    if !image.platform.architecture.is_empty() {
        purl.add_qualifier("arch", image.platform.architecture.clone()).ok()?;
    }
    purl.add_qualifier("repository_url", repository.to_owned()).ok()?;
    if let Some(tag) = tag {
        purl.add_qualifier("tag", tag.to_owned()).ok()?;
    }
    Some(purl.to_string())
}

/// Splits `repository:tag` into its parts. A registry port stays in the repository
/// (`host:5000/app`), and a bare word is a tag without a repository (`latest`, as OCI layouts
/// name images).
fn split_tag(text: &str) -> (Option<&str>, Option<&str>) {
    match text.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (Some(repository), Some(tag)),
        _ if text.contains('/') || text.contains(':') => (Some(text), None),
        _ => (None, Some(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_types_map_to_kinds() {
        for kind in [PackageKind::Deb, PackageKind::Rpm, PackageKind::Apk, PackageKind::Pypi, PackageKind::Npm, PackageKind::Maven] {
            assert_eq!(kind_from_purl_type(kind.purl_type()), Some(kind));
        }
        for kind in [PackageKind::Golang, PackageKind::Cargo, PackageKind::Gem, PackageKind::Composer, PackageKind::Nuget] {
            assert_eq!(kind_from_purl_type(kind.purl_type()), Some(kind));
        }
        assert_eq!(kind_from_purl_type("generic"), None);
    }

    #[test]
    fn names_come_from_purls() {
        let cases = [
            ("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core", "org.apache.logging.log4j:log4j-core"),
            ("pkg:npm/%40babel/core@7.0.0", "core", "@babel/core"),
            ("pkg:golang/github.com/junegunn/fzf@v0.60.0", "fzf", "github.com/junegunn/fzf"),
            ("pkg:deb/debian/libssl3@3.0.15-1?arch=amd64", "libssl3", "libssl3"),
            ("pkg:pypi/pyyaml@5.3", "PyYAML", "pyyaml"),
        ];
        for (purl, document_name, expected) in cases {
            let package = sbom_package(Some(document_name), None, Some(purl), Vec::new());
            assert_eq!(package.name, expected, "{purl}");
            assert!(!package.version.is_empty(), "{purl}: version from the purl");
        }
    }

    #[test]
    fn unknown_purl_type_keeps_document_name() {
        let package = sbom_package(Some("left-pad"), Some("1.0"), Some("pkg:generic/left-pad@1.0"), Vec::new());
        assert_eq!(package.kind, None);
        assert_eq!(package.name, "left-pad");
        assert!(package.to_package("sbom.json").is_none());
    }

    #[test]
    fn licenses_are_classified() {
        assert_eq!(classify_license("MIT"), License::Id("MIT"));
        assert_eq!(classify_license("GPL-2.0"), License::Id("GPL-2.0"));
        assert_eq!(classify_license("GPL-2.0+"), License::Expression("GPL-2.0+"));
        assert_eq!(classify_license("MIT OR Apache-2.0"), License::Expression("MIT OR Apache-2.0"));
        assert_eq!(classify_license("LicenseRef-custom"), License::Expression("LicenseRef-custom"));
        assert_eq!(classify_license("GPL-2+"), License::Name("GPL-2+"));
        assert_eq!(classify_license("mit"), License::Name("mit"));
        assert_eq!(classify_license("BSD-style"), License::Name("BSD-style"));
    }

    #[test]
    fn conjunctions_split_into_licenses() {
        assert_eq!(split_conjunction("MIT"), ["MIT"]);
        assert_eq!(split_conjunction("BSD-3-Clause AND (MIT OR Apache-2.0)"), ["BSD-3-Clause", "MIT OR Apache-2.0"]);
        assert_eq!(split_conjunction("MIT and LicenseRef-GPL-2-"), ["MIT", "LicenseRef-GPL-2-"]);
        assert_eq!(split_conjunction("(MIT OR Apache-2.0)"), ["MIT OR Apache-2.0"]);
        assert_eq!(split_conjunction("(MIT) OR (Apache-2.0)"), ["(MIT) OR (Apache-2.0)"]);
        assert_eq!(split_conjunction("GPL and LGPL"), ["GPL and LGPL"], "free text is not split");
    }

    #[test]
    fn unique_ids_get_suffixes() {
        let mut used_ids = HashSet::new();
        assert_eq!(unique_id("a".into(), &mut used_ids), "a");
        assert_eq!(unique_id("a".into(), &mut used_ids), "a-2");
        assert_eq!(unique_id("a".into(), &mut used_ids), "a-3");
    }

    #[test]
    fn tags_split_into_repository_and_tag() {
        assert_eq!(split_tag("debian:12"), (Some("debian"), Some("12")));
        assert_eq!(split_tag("localhost:5000/team/app:1.0"), (Some("localhost:5000/team/app"), Some("1.0")));
        assert_eq!(split_tag("localhost:5000/team/app"), (Some("localhost:5000/team/app"), None));
        assert_eq!(split_tag("latest"), (None, Some("latest")));
    }

    #[test]
    fn bare_tag_names_no_image() {
        let image = ImageIdentity {
            reference: "oci:/images/app".into(),
            manifest_digest: Some("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse().unwrap()),
            config_digest: None,
            tags: vec!["latest".into()],
            platform: Platform::new("linux", "amd64", None),
        };
        assert_eq!(image.name(), "oci:/images/app");
        assert_eq!(image_purl(&image), None);
    }

    #[test]
    fn image_purl_pins_digest_and_repository() {
        let image = ImageIdentity {
            reference: "oci:/tmp/x".into(),
            manifest_digest: Some("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse().unwrap()),
            config_digest: None,
            tags: vec!["localhost:5000/team/app:1.0".into()],
            platform: Platform::new("linux", "amd64", None),
        };
        let purl = image_purl(&image).unwrap();
        assert!(purl.starts_with("pkg:oci/app@sha256:e3b0c442"), "{purl}");
        assert!(purl.contains("repository_url=localhost:5000%2Fteam%2Fapp"), "{purl}");
        assert!(purl.contains("tag=1.0"), "{purl}");
    }
}
