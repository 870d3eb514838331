//! CycloneDX 1.6 JSON: the image as `metadata.component`, one component per package.
//!
//! Facts CycloneDX has no field for (layer, location, source package, ecosystem metadata) go
//! into properties whose names start with `stowaway:`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use stowaway_model::{Package, PackageKind};

use super::{DocumentInfo, ImageIdentity, License, SbomContents, SbomError, SbomFormat, TOOL_NAME, TOOL_VERSION};
use crate::{Catalog, OsRelease};

/// The specification version written.
pub const SPEC_VERSION: &str = "1.6";

/// A CycloneDX BOM, with the fields stowaway writes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    /// The JSON schema the document conforms to.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `CycloneDX`.
    pub bom_format: &'static str,
    /// Always [`SPEC_VERSION`].
    pub spec_version: &'static str,
    /// `urn:uuid:` and the document id.
    pub serial_number: String,
    /// Revision of this BOM; always 1, since stowaway never revises one.
    pub version: u32,
    /// Time, tool and subject.
    pub metadata: Metadata,
    /// The OS and every package.
    pub components: Vec<Component>,
    /// Which component contains or depends on which.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
}

/// The `metadata` object.
#[derive(Clone, Debug, Serialize)]
pub struct Metadata {
    /// Creation time, RFC 3339.
    pub timestamp: String,
    /// The tool that made the BOM.
    pub tools: Tools,
    /// The subject of the BOM: the image.
    pub component: Component,
}

/// The `metadata.tools` object (the 1.5+ form; the bare array is deprecated).
#[derive(Clone, Debug, Serialize)]
pub struct Tools {
    /// Tools as components.
    pub components: Vec<Component>,
}

/// One component: the image, the OS, a package or the tool.
#[derive(Clone, Debug, Serialize)]
pub struct Component {
    /// `container`, `operating-system`, `library` or `application`.
    #[serde(rename = "type")]
    pub component_type: &'static str,
    /// Unique reference within the BOM, which `dependencies` use.
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// Group: the Maven group id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Free text (the OS's pretty name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Licenses: identifiers and names, or one expression.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// `stowaway:` properties.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// One entry of `licenses`: a license object or an expression. CycloneDX allows either a list
/// of license objects or a single expression, never both.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    /// A license by SPDX id or by name.
    License {
        /// The license.
        license: LicenseObject,
    },
    /// An SPDX license expression.
    Expression {
        /// The expression.
        expression: String,
    },
}

/// A license by SPDX identifier or by name; exactly one is set.
#[derive(Clone, Debug, Serialize)]
pub struct LicenseObject {
    /// SPDX license list identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Any other license text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A name and value pair.
#[derive(Clone, Debug, Serialize)]
pub struct Property {
    /// Name in the `stowaway:` namespace.
    pub name: String,
    /// Value.
    pub value: String,
}

/// What one component depends on or contains.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The `bom-ref` of the component.
    #[serde(rename = "ref")]
    pub bom_ref: String,
    /// The `bom-ref`s it depends on.
    pub depends_on: Vec<String>,
}

/// Writes a catalog of `image` as a CycloneDX 1.6 BOM.
///
/// The dependencies state only the relations the catalog records: the image contains the OS and
/// the language packages, and the OS contains its packages. Dependencies between packages are not
/// cataloged, so none are written.
pub fn write(catalog: &Catalog, image: &ImageIdentity, document: &DocumentInfo) -> Bom {
    let mut used_ids = HashSet::new();
    let subject = image_component(image, &mut used_ids);
    let image_ref = subject.bom_ref.clone().unwrap_or_default();

    let mut components = Vec::with_capacity(catalog.packages.len() + 1);
    let os = catalog.os.as_ref().map(|os| os_component(os, &mut used_ids));
    let os_ref = os.as_ref().and_then(|os| os.bom_ref.clone());
    components.extend(os);

    let (mut image_contains, mut os_contains) = (Vec::new(), Vec::new());
    for package in &catalog.packages {
        let component = package_component(package, &mut used_ids);
        let bom_ref = component.bom_ref.clone().unwrap_or_default();
        match &os_ref {
            Some(_) if package.kind.is_os() => os_contains.push(bom_ref),
            _ => image_contains.push(bom_ref),
        }
        components.push(component);
    }

    let mut dependencies = Vec::new();
    if let Some(os_ref) = os_ref {
        image_contains.insert(0, os_ref.clone());
        dependencies.push(Dependency { bom_ref: os_ref, depends_on: os_contains });
    }
    dependencies.insert(0, Dependency { bom_ref: image_ref, depends_on: image_contains });

    Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: format!("urn:uuid:{}", document.id),
        version: 1,
        metadata: Metadata {
            timestamp: document.created_rfc3339(),
            tools: Tools { components: vec![tool_component()] },
            component: subject,
        },
        components,
        dependencies,
    }
}

fn tool_component() -> Component {
    Component {
        component_type: "application",
        bom_ref: None,
        group: None,
        name: TOOL_NAME.to_owned(),
        version: Some(TOOL_VERSION.to_owned()),
        description: None,
        licenses: Vec::new(),
        purl: None,
        properties: Vec::new(),
    }
}

fn image_component(image: &ImageIdentity, used_ids: &mut HashSet<String>) -> Component {
    let purl = super::image_purl(image);
    let bom_ref = super::unique_id(purl.clone().unwrap_or_else(|| format!("image:{}", image.name())), used_ids);
    let digest = image.manifest_digest.as_ref().or(image.config_digest.as_ref());

    let mut properties = vec![property("stowaway:image:reference", &image.reference)];
    if let Some(digest) = &image.manifest_digest {
        properties.push(property("stowaway:image:manifest_digest", digest));
    }
    if let Some(digest) = &image.config_digest {
        properties.push(property("stowaway:image:config_digest", digest));
    }
    for tag in &image.tags {
        properties.push(property("stowaway:image:tag", tag));
    }
    // A root filesystem has no config, so its platform is unknown rather than `linux/`.
    if !image.platform.architecture.is_empty() {
        properties.push(property("stowaway:image:platform", &image.platform));
    }

    Component {
        component_type: "container",
        bom_ref: Some(bom_ref),
        group: None,
        name: image.name().to_owned(),
        version: digest.map(ToString::to_string),
        description: None,
        licenses: Vec::new(),
        purl,
        properties,
    }
}

fn os_component(os: &OsRelease, used_ids: &mut HashSet<String>) -> Component {
    let version = os.version_id.clone().or_else(|| os.version_codename.clone());
    let base = match &version {
        Some(version) => format!("os:{}@{version}", os.id),
        None => format!("os:{}", os.id),
    };

    let mut properties = vec![property("stowaway:location", &os.source_file)];
    if let Some(codename) = &os.version_codename {
        properties.push(property("stowaway:os:version_codename", codename));
    }
    for like in &os.id_like {
        properties.push(property("stowaway:os:id_like", like));
    }

    Component {
        component_type: "operating-system",
        bom_ref: Some(super::unique_id(base, used_ids)),
        group: None,
        name: os.id.clone(),
        version,
        description: os.pretty_name.clone(),
        licenses: Vec::new(),
        purl: None,
        properties,
    }
}

fn package_component(package: &Package, used_ids: &mut HashSet<String>) -> Component {
    let base = package.purl.clone().unwrap_or_else(|| format!("{}:{}@{}", package.kind, package.name, package.version));
    let (group, name) = match package.kind {
        PackageKind::Maven => match package.name.split_once(':') {
            Some((group, artifact)) => (Some(group.to_owned()), artifact.to_owned()),
            None => (None, package.name.clone()),
        },
        _ => (None, package.name.clone()),
    };

    Component {
        component_type: "library",
        bom_ref: Some(unique_package_ref(base, used_ids)),
        group,
        name,
        version: Some(package.version.clone()),
        description: None,
        licenses: licenses(&package.licenses),
        purl: package.purl.clone(),
        properties: package_properties(package),
    }
}

/// Returns `base`, or for a package found more than once `base` with a `package-id=N` qualifier,
/// as Syft marks copies: a plain `-N` suffix after a purl would read as part of the version.
fn unique_package_ref(base: String, used_ids: &mut HashSet<String>) -> String {
    if used_ids.insert(base.clone()) {
        return base;
    }

    let separator = if base.contains('?') { '&' } else { '?' };
    (2..)
        .map(|n| format!("{base}{separator}package-id={n}"))
        .find(|candidate| used_ids.insert(candidate.clone()))
        .expect("some package-id is free")
}

/// Writes licenses as license objects, or as one expression when the package records an
/// expression: CycloneDX forbids mixing the two. When an expression sits beside text that is not
/// SPDX, the expression is kept as a license name so that nothing is dropped.
fn licenses(texts: &[String]) -> Vec<LicenseChoice> {
    let classified: Vec<License<'_>> = texts.iter().map(|text| super::classify_license(text)).collect();
    let has_expression = classified.iter().any(|license| matches!(license, License::Expression(_)));
    let all_spdx = classified.iter().all(|license| !matches!(license, License::Name(_)));

    if has_expression && all_spdx {
        let parts: Vec<String> = classified
            .iter()
            .map(|license| match license {
                License::Expression(text) if classified.len() > 1 => format!("({text})"),
                License::Id(text) | License::Expression(text) | License::Name(text) => (*text).to_owned(),
            })
            .collect();
        return vec![LicenseChoice::Expression { expression: parts.join(" AND ") }];
    }

    classified
        .into_iter()
        .filter(|license| !matches!(license, License::Name("")))
        .map(|license| {
            let license = match license {
                License::Id(id) => LicenseObject { id: Some(id.to_owned()), name: None },
                License::Expression(text) | License::Name(text) => LicenseObject { id: None, name: Some(text.to_owned()) },
            };
            LicenseChoice::License { license }
        })
        .collect()
}

/// Returns the `stowaway:` properties of a package. SPDX writes the same facts as annotations.
///
/// NOTE: the files a package owns (`Package::files`) are not written, because dpkg lists
/// thousands per image.
pub(super) fn package_properties(package: &Package) -> Vec<Property> {
    let mut properties = vec![property("stowaway:package:kind", package.kind)];
    if let Some(architecture) = &package.architecture {
        properties.push(property("stowaway:package:architecture", architecture));
    }
    for location in &package.locations {
        properties.push(property("stowaway:location", location));
    }
    if let Some(layer) = &package.layer {
        properties.push(property("stowaway:layer:index", layer.index));
        properties.push(property("stowaway:layer:diff_id", &layer.diff_id));
        if let Some(digest) = &layer.digest {
            properties.push(property("stowaway:layer:digest", digest));
        }
        if let Some(created_by) = &layer.created_by {
            properties.push(property("stowaway:layer:created_by", created_by));
        }
    }
    if let Some(source) = &package.source {
        properties.push(property("stowaway:source_package:name", &source.name));
        if let Some(version) = &source.version {
            properties.push(property("stowaway:source_package:version", version));
        }
    }
    for (key, value) in &package.metadata {
        properties.push(property(&format!("stowaway:metadata:{key}"), value));
    }
    properties
}

fn property(name: &str, value: impl ToString) -> Property {
    Property { name: name.to_owned(), value: value.to_string() }
}

/// The fields read from a CycloneDX document; everything else is ignored.
#[derive(Deserialize)]
struct ReadBom {
    #[serde(default, deserialize_with = "super::null_as_default")]
    components: Vec<ReadComponent>,
}

#[derive(Deserialize)]
struct ReadComponent {
    #[serde(rename = "type", default)]
    component_type: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    licenses: Vec<ReadLicenseChoice>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    components: Vec<ReadComponent>,
}

#[derive(Deserialize)]
struct ReadLicenseChoice {
    #[serde(default)]
    license: Option<ReadLicense>,
    #[serde(default)]
    expression: Option<String>,
}

#[derive(Deserialize)]
struct ReadLicense {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Reads the packages of a CycloneDX JSON document of any 1.x version.
///
/// A component is a package when it has a purl, or when it is a `library` or `framework`:
/// Trivy lists each lock file as an `application` component without a purl, and those are not
/// packages. The `operating-system` component becomes [`SbomContents::os`].
pub fn read(bytes: &[u8]) -> Result<SbomContents, SbomError> {
    let bom: ReadBom = serde_json::from_slice(bytes).map_err(|source| SbomError::Json { format: "CycloneDX", source })?;
    let mut contents = SbomContents { format: SbomFormat::CycloneDxJson, os: None, packages: Vec::new() };
    collect(&bom.components, &mut contents);
    Ok(contents)
}

fn collect(components: &[ReadComponent], contents: &mut SbomContents) {
    for component in components {
        let component_type = component.component_type.as_deref().unwrap_or("library");

        if component_type == "operating-system" && component.purl.is_none() {
            if contents.os.is_none()
                && let Some(name) = &component.name
            {
                contents.os = Some(OsRelease {
                    id: name.to_ascii_lowercase(),
                    version_id: component.version.clone(),
                    pretty_name: component.description.clone(),
                    ..OsRelease::default()
                });
            }
        } else if component.purl.is_some() || matches!(component_type, "library" | "framework") {
            let name = match (&component.group, &component.name) {
                (Some(group), Some(name)) if !group.is_empty() => Some(format!("{group}:{name}")),
                _ => component.name.clone(),
            };
            let licenses = component
                .licenses
                .iter()
                .flat_map(|choice| {
                    let license = choice.license.as_ref();
                    match &choice.expression {
                        Some(expression) => super::split_conjunction(expression),
                        None => license.and_then(|l| l.id.clone().or_else(|| l.name.clone())).into_iter().collect(),
                    }
                })
                .collect();
            let package = super::sbom_package(name.as_deref(), component.version.as_deref(), component.purl.as_deref(), licenses);
            contents.packages.push(package);
        }

        collect(&component.components, contents);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expression_of(choices: &[LicenseChoice]) -> Option<&str> {
        match choices {
            [LicenseChoice::Expression { expression }] => Some(expression),
            _ => None,
        }
    }

    #[test]
    fn package_copies_get_package_id() {
        let mut used = HashSet::new();
        assert_eq!(unique_package_ref("pkg:npm/a@1".into(), &mut used), "pkg:npm/a@1");
        assert_eq!(unique_package_ref("pkg:npm/a@1".into(), &mut used), "pkg:npm/a@1?package-id=2");
        assert_eq!(unique_package_ref("pkg:npm/a@1".into(), &mut used), "pkg:npm/a@1?package-id=3");
        assert_eq!(unique_package_ref("pkg:deb/debian/b@1?arch=all".into(), &mut used), "pkg:deb/debian/b@1?arch=all");
        assert_eq!(unique_package_ref("pkg:deb/debian/b@1?arch=all".into(), &mut used), "pkg:deb/debian/b@1?arch=all&package-id=2");
    }

    #[test]
    fn license_ids_and_names_stay_objects() {
        let choices = licenses(&["MIT".into(), "GPL-2+".into()]);
        assert_eq!(choices.len(), 2);
        let LicenseChoice::License { license } = &choices[0] else { panic!("expected a license object") };
        assert_eq!(license.id.as_deref(), Some("MIT"));
        let LicenseChoice::License { license } = &choices[1] else { panic!("expected a license object") };
        assert_eq!(license.name.as_deref(), Some("GPL-2+"));
    }

    #[test]
    fn expressions_are_joined_into_one() {
        let choices = licenses(&["MIT OR Apache-2.0".into()]);
        assert_eq!(expression_of(&choices), Some("MIT OR Apache-2.0"));

        let choices = licenses(&["BSD-3-Clause".into(), "MIT OR Apache-2.0".into()]);
        assert_eq!(expression_of(&choices), Some("BSD-3-Clause AND (MIT OR Apache-2.0)"));
        assert!(super::super::is_valid_expression(expression_of(&choices).unwrap()));
    }

    #[test]
    fn expression_beside_free_text_becomes_name() {
        let choices = licenses(&["MIT OR Apache-2.0".into(), "public domain".into()]);
        assert_eq!(choices.len(), 2);
        assert!(choices.iter().all(|choice| matches!(choice, LicenseChoice::License { license } if license.name.is_some())));
    }
}
