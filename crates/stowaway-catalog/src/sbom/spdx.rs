//! SPDX 2.3 JSON: one package for the image, one for the OS and one per cataloged package, with
//! the image described by the document and containing the others.
//!
//! SPDX packages have no free-form properties, so the layer, locations and ecosystem metadata
//! are written as annotations whose comment is `stowaway:<name>=<value>`.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use stowaway_model::Package;

use super::{DocumentInfo, ImageIdentity, License, SbomContents, SbomError, SbomFormat, TOOL_NAME, TOOL_VERSION};
use crate::{Catalog, OsRelease};

/// The specification version written.
pub const SPEC_VERSION: &str = "SPDX-2.3";

/// The value SPDX uses for a field the creator makes no assertion about.
pub const NOASSERTION: &str = "NOASSERTION";

/// The prefix of document namespaces. SPDX requires a URI that the document's creator controls,
/// and nothing is ever fetched from it.
const NAMESPACE_BASE: &str = "https://github.com/stowaway-scanner/stowaway/spdx";

/// The SPDX id of the image package.
const IMAGE_ID: &str = "SPDXRef-Image";

/// An SPDX 2.3 document, with the fields stowaway writes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Always [`SPEC_VERSION`].
    pub spdx_version: &'static str,
    /// Always `CC0-1.0`, as the specification requires.
    pub data_license: &'static str,
    /// Always `SPDXRef-DOCUMENT`.
    #[serde(rename = "SPDXID")]
    pub spdx_id: &'static str,
    /// The image name.
    pub name: String,
    /// A URI unique to this document.
    pub document_namespace: String,
    /// Time and tool.
    pub creation_info: CreationInfo,
    /// The image, the OS and every package.
    pub packages: Vec<SpdxPackage>,
    /// License texts that are not SPDX identifiers, referenced as `LicenseRef-...`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
    /// `DESCRIBES` and `CONTAINS` relationships.
    pub relationships: Vec<Relationship>,
}

/// The `creationInfo` object.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    /// Creation time, RFC 3339 in UTC.
    pub created: String,
    /// `Tool: stowaway-<version>`.
    pub creators: Vec<String>,
    /// Version of the SPDX license list the identifiers were checked against (`3.29`).
    pub license_list_version: String,
}

/// One SPDX package.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    /// Unique `SPDXRef-...` id.
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    /// Always [`NOASSERTION`]: stowaway reads installed packages, not where they came from.
    pub download_location: &'static str,
    /// Always false: the files of the package are not listed.
    pub files_analyzed: bool,
    /// Digests: the image's config digest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    /// The files the package was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    /// Always [`NOASSERTION`]: stowaway does not conclude licenses.
    pub license_concluded: &'static str,
    /// The licenses the package records, as one expression, or [`NOASSERTION`].
    pub license_declared: String,
    /// Always [`NOASSERTION`].
    pub copyright_text: &'static str,
    /// OS pretty name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The purl.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    /// `CONTAINER`, `OPERATING_SYSTEM` or `LIBRARY`; the SPDX 2.3 JSON schema spells the OS
    /// purpose with an underscore although the specification text uses a hyphen.
    pub primary_package_purpose: &'static str,
    /// `stowaway:` facts: layer, locations, metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// A checksum.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    /// `SHA256`, `SHA384` or `SHA512`.
    pub algorithm: &'static str,
    /// Lowercase hex.
    pub checksum_value: String,
}

/// An external reference: the purl.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    /// `PACKAGE-MANAGER`.
    pub reference_category: &'static str,
    /// `purl`.
    pub reference_type: &'static str,
    /// The purl.
    pub reference_locator: String,
}

/// An annotation by stowaway.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    /// The document's creation time.
    pub annotation_date: String,
    /// Always `OTHER`.
    pub annotation_type: &'static str,
    /// `Tool: stowaway-<version>`.
    pub annotator: String,
    /// `stowaway:<name>=<value>`.
    pub comment: String,
}

/// License text that is not an SPDX identifier, named by a `LicenseRef-` id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    /// `LicenseRef-...`.
    pub license_id: String,
    /// The text as the package records it.
    pub extracted_text: String,
    /// The same text, as a name.
    pub name: String,
}

/// A relationship between two elements.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// The element the relationship starts from.
    pub spdx_element_id: String,
    /// `DESCRIBES` or `CONTAINS`.
    pub relationship_type: &'static str,
    /// The element it points to.
    pub related_spdx_element: String,
}

/// Writes a catalog of `image` as an SPDX 2.3 document.
pub fn write(catalog: &Catalog, image: &ImageIdentity, document: &DocumentInfo) -> Document {
    let created = document.created_rfc3339();
    let tool = format!("Tool: {TOOL_NAME}-{TOOL_VERSION}");
    let annotate = |properties: Vec<super::cyclonedx::Property>| -> Vec<Annotation> {
        properties
            .into_iter()
            .map(|property| Annotation {
                annotation_date: created.clone(),
                annotation_type: "OTHER",
                annotator: tool.clone(),
                comment: format!("{}={}", property.name, property.value),
            })
            .collect()
    };

    let mut used_ids = HashSet::from([IMAGE_ID.to_owned()]);
    let mut licenses = LicenseRefs::default();
    let mut packages = vec![image_package(image)];
    let mut relationships = vec![relationship("SPDXRef-DOCUMENT", "DESCRIBES", IMAGE_ID)];

    if let Some(os) = &catalog.os {
        let package = os_package(os, &mut used_ids);
        relationships.push(relationship(IMAGE_ID, "CONTAINS", &package.spdx_id));
        packages.push(package);
    }
    for package in &catalog.packages {
        let base = format!("SPDXRef-Package-{}-{}-{}", package.kind, id_string(&package.name), id_string(&package.version));
        let spdx_id = super::unique_id(base, &mut used_ids);
        relationships.push(relationship(IMAGE_ID, "CONTAINS", &spdx_id));
        packages.push(SpdxPackage {
            spdx_id,
            name: package.name.clone(),
            version_info: Some(package.version.clone()),
            source_info: source_info(package),
            license_declared: licenses.declared(&package.licenses),
            external_refs: package.purl.iter().map(|purl| purl_ref(purl)).collect(),
            primary_package_purpose: "LIBRARY",
            annotations: annotate(super::cyclonedx::package_properties(package)),
            ..bare_package()
        });
    }

    Document {
        spdx_version: SPEC_VERSION,
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: image.name().to_owned(),
        document_namespace: format!("{NAMESPACE_BASE}/{}-{}", id_string(image.name()), document.id),
        creation_info: CreationInfo { created: created.clone(), creators: vec![tool.clone()], license_list_version: license_list_version() },
        packages,
        has_extracted_licensing_infos: licenses.extracted,
        relationships,
    }
}

fn bare_package() -> SpdxPackage {
    SpdxPackage {
        spdx_id: String::new(),
        name: String::new(),
        version_info: None,
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: Vec::new(),
        source_info: None,
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        description: None,
        external_refs: Vec::new(),
        primary_package_purpose: "LIBRARY",
        annotations: Vec::new(),
    }
}

fn image_package(image: &ImageIdentity) -> SpdxPackage {
    let checksums = image
        .config_digest
        .iter()
        .filter_map(|digest| {
            let algorithm = match digest.algorithm().as_str() {
                "sha256" => "SHA256",
                "sha384" => "SHA384",
                "sha512" => "SHA512",
                _ => return None,
            };
            Some(Checksum { algorithm, checksum_value: digest.encoded().to_ascii_lowercase() })
        })
        .collect();

    SpdxPackage {
        spdx_id: IMAGE_ID.to_owned(),
        name: image.name().to_owned(),
        version_info: image.manifest_digest.as_ref().or(image.config_digest.as_ref()).map(ToString::to_string),
        checksums,
        source_info: Some(format!("read from {}", image.reference)),
        external_refs: super::image_purl(image).iter().map(|purl| purl_ref(purl)).collect(),
        primary_package_purpose: "CONTAINER",
        ..bare_package()
    }
}

fn os_package(os: &OsRelease, used_ids: &mut HashSet<String>) -> SpdxPackage {
    SpdxPackage {
        spdx_id: super::unique_id(format!("SPDXRef-OperatingSystem-{}", id_string(&os.id)), used_ids),
        name: os.id.clone(),
        version_info: os.version_id.clone().or_else(|| os.version_codename.clone()),
        source_info: Some(format!("read from {}", os.source_file)),
        description: os.pretty_name.clone(),
        primary_package_purpose: "OPERATING_SYSTEM",
        ..bare_package()
    }
}

fn source_info(package: &Package) -> Option<String> {
    (!package.locations.is_empty()).then(|| format!("read from {}", package.locations.join(", ")))
}

fn purl_ref(purl: &str) -> ExternalRef {
    ExternalRef { reference_category: "PACKAGE-MANAGER", reference_type: "purl", reference_locator: purl.to_owned() }
}

fn relationship(from: &str, relationship_type: &'static str, to: &str) -> Relationship {
    Relationship { spdx_element_id: from.to_owned(), relationship_type, related_spdx_element: to.to_owned() }
}

/// Keeps the characters SPDX allows in an id (`[A-Za-z0-9.-]`) and turns every other into `-`.
fn id_string(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect();
    if cleaned.is_empty() { "unnamed".to_owned() } else { cleaned }
}

/// Returns the license list version as SPDX writes it, `MAJOR.MINOR`.
fn license_list_version() -> String {
    let version = ::spdx::identifiers::VERSION;
    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// The `LicenseRef-` ids given to license texts that are not SPDX, shared by all packages of a
/// document so that one text gets one id.
#[derive(Default)]
struct LicenseRefs {
    ids: BTreeMap<String, String>,
    used_ids: HashSet<String>,
    extracted: Vec<ExtractedLicense>,
}

impl LicenseRefs {
    /// Returns the licenses as one SPDX expression joined with `AND`, or [`NOASSERTION`] when
    /// the package records none.
    fn declared(&mut self, texts: &[String]) -> String {
        let texts: Vec<&str> = texts.iter().map(|text| text.trim()).filter(|text| !text.is_empty()).collect();
        if texts.is_empty() {
            return NOASSERTION.to_owned();
        }

        let parts: Vec<String> = texts
            .iter()
            .map(|text| match super::classify_license(text) {
                License::Id(id) => id.to_owned(),
                License::Expression(expression) if texts.len() > 1 => format!("({expression})"),
                License::Expression(expression) => expression.to_owned(),
                License::Name(name) => self.reference(name),
            })
            .collect();
        let expression = parts.join(" AND ");

        if super::is_valid_expression(&expression) {
            expression
        } else {
            tracing::debug!(%expression, "license expression is invalid, declaring no assertion");
            NOASSERTION.to_owned()
        }
    }

    fn reference(&mut self, text: &str) -> String {
        if let Some(id) = self.ids.get(text) {
            return id.clone();
        }
        let id = super::unique_id(format!("LicenseRef-{}", id_string(text)), &mut self.used_ids);
        self.ids.insert(text.to_owned(), id.clone());
        self.extracted.push(ExtractedLicense { license_id: id.clone(), extracted_text: text.to_owned(), name: text.to_owned() });
        id
    }
}

/// The fields read from an SPDX document; everything else is ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadDocument {
    #[serde(default, deserialize_with = "super::null_as_default")]
    packages: Vec<ReadPackage>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    has_extracted_licensing_infos: Vec<ReadExtractedLicense>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    external_refs: Vec<ReadExternalRef>,
    #[serde(default)]
    license_declared: Option<String>,
    #[serde(default)]
    license_concluded: Option<String>,
    #[serde(default)]
    primary_package_purpose: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadExternalRef {
    #[serde(default)]
    reference_type: Option<String>,
    #[serde(default)]
    reference_locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadExtractedLicense {
    license_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    extracted_text: Option<String>,
}

/// Reads the packages of an SPDX 2.x JSON document.
///
/// Packages whose purpose is `CONTAINER`, `APPLICATION`, `FILE`, `SOURCE` or `ARCHIVE` and that
/// have no purl are skipped: Syft and Trivy use them for the image and for lock files. The
/// `OPERATING-SYSTEM` package becomes [`SbomContents::os`]. `LicenseRef-` ids are replaced by
/// the names the document gives them.
pub fn read(bytes: &[u8]) -> Result<SbomContents, SbomError> {
    let document: ReadDocument = serde_json::from_slice(bytes).map_err(|source| SbomError::Json { format: "SPDX", source })?;
    let license_names: BTreeMap<&str, &str> = document
        .has_extracted_licensing_infos
        .iter()
        .filter_map(|info| {
            let name = info.name.as_deref().filter(|n| !n.is_empty() && *n != NOASSERTION).or(info.extracted_text.as_deref())?;
            Some((info.license_id.as_str(), name))
        })
        .collect();

    let mut contents = SbomContents { format: SbomFormat::SpdxJson, os: None, packages: Vec::new() };
    for package in &document.packages {
        let purpose = package.primary_package_purpose.as_deref().unwrap_or("").to_ascii_uppercase().replace('_', "-");
        let purl = package
            .external_refs
            .iter()
            .find(|reference| reference.reference_type.as_deref() == Some("purl"))
            .and_then(|reference| reference.reference_locator.as_deref());

        if purpose == "OPERATING-SYSTEM" {
            if contents.os.is_none()
                && let Some(name) = &package.name
            {
                contents.os = Some(OsRelease {
                    id: name.to_ascii_lowercase(),
                    version_id: package.version_info.clone(),
                    pretty_name: package.description.clone(),
                    ..OsRelease::default()
                });
            }
            continue;
        }
        if purpose == "CONTAINER" || (purl.is_none() && matches!(purpose.as_str(), "APPLICATION" | "FILE" | "SOURCE" | "ARCHIVE")) {
            continue;
        }

        let expression = [&package.license_declared, &package.license_concluded]
            .into_iter()
            .flatten()
            .map(|text| text.trim())
            .find(|text| !text.is_empty() && *text != NOASSERTION && *text != "NONE");
        let licenses = expression.map_or_else(Vec::new, |expression| {
            super::split_conjunction(expression)
                .into_iter()
                .map(|part| license_names.get(part.as_str()).map_or(part, |name| (*name).to_owned()))
                .collect()
        });

        let version = package.version_info.as_deref().filter(|v| *v != NOASSERTION);
        contents.packages.push(super::sbom_package(package.name.as_deref(), version, purl, licenses));
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_license_joins_and_references() {
        let mut refs = LicenseRefs::default();
        assert_eq!(refs.declared(&[]), NOASSERTION);
        assert_eq!(refs.declared(&["MIT".into()]), "MIT");
        assert_eq!(refs.declared(&["MIT".into(), "Apache-2.0 OR MIT".into()]), "MIT AND (Apache-2.0 OR MIT)");
        assert_eq!(refs.declared(&["GPL-2+".into(), "MIT".into()]), "LicenseRef-GPL-2- AND MIT");
        assert_eq!(refs.declared(&["GPL-2+".into()]), "LicenseRef-GPL-2-");
        assert_eq!(refs.extracted.len(), 1, "one text gets one id");
        assert_eq!(refs.declared(&["GPL_2+".into()]), "LicenseRef-GPL-2--2", "another text gets another id");
    }

    #[test]
    fn ids_keep_allowed_characters() {
        assert_eq!(id_string("libssl3"), "libssl3");
        assert_eq!(id_string("1:2.41.5-0+deb13u1"), "1-2.41.5-0-deb13u1");
        assert_eq!(id_string("@babel/core"), "-babel-core");
        assert_eq!(id_string(""), "unnamed");
    }

    #[test]
    fn license_list_version_is_major_minor() {
        let version = license_list_version();
        assert_eq!(version.split('.').count(), 2, "{version}");
    }
}
