//! OpenVEX documents: statements by a product's maintainers that a vulnerability does not
//! affect it.
//!
//! A statement with status `not_affected` or `fixed` suppresses the findings of its
//! vulnerability in its products. A product is a package URL, matched with or without its
//! version. A product with `subcomponents` applies to those packages, and an image product
//! (`pkg:oci/...`) without subcomponents applies to every package of the scanned image.
//! `affected` and `under_investigation` statements leave findings as they are.

use std::path::Path;

use serde::Deserialize;

use super::{SuppressError, Suppressor, known_as, purl_matches};
use crate::{Finding, Suppression};

#[derive(Debug, Deserialize)]
struct Document {
    statements: Vec<Statement>,
}

#[derive(Debug, Deserialize)]
struct Statement {
    vulnerability: Vulnerability,
    #[serde(default)]
    products: Vec<Product>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    Name(String),
    Object {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Product {
    Id(String),
    Object {
        #[serde(rename = "@id")]
        id: String,
        #[serde(default)]
        subcomponents: Vec<Product>,
    },
}

impl Product {
    fn applies_to(&self, finding: &Finding) -> bool {
        match self {
            Product::Id(id) => id_applies(id, finding),
            Product::Object { id, subcomponents } if subcomponents.is_empty() => id_applies(id, finding),
            Product::Object { subcomponents, .. } => subcomponents.iter().any(|component| component.applies_to(finding)),
        }
    }
}

fn id_applies(id: &str, finding: &Finding) -> bool {
    id.starts_with("pkg:oci/") || purl_matches(id, finding)
}

/// The statements of one OpenVEX document that suppress findings.
#[derive(Debug)]
pub struct VexDocument {
    source: String,
    statements: Vec<Statement>,
}

impl VexDocument {
    /// Reads the OpenVEX JSON document at `path`.
    pub fn load(path: &Path) -> Result<VexDocument, SuppressError> {
        let bytes = std::fs::read(path).map_err(|source| SuppressError::Read { path: path.to_owned(), source })?;
        VexDocument::parse(path, &bytes)
    }

    /// Parses OpenVEX JSON; `path` names the document in errors and reasons.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<VexDocument, SuppressError> {
        let document: Document =
            serde_json::from_slice(bytes).map_err(|error| SuppressError::Parse { path: path.to_owned(), message: format!("not an OpenVEX document: {error}") })?;
        let statements = document.statements.into_iter().filter(|statement| matches!(statement.status.as_str(), "not_affected" | "fixed")).collect();
        Ok(VexDocument { source: path.display().to_string(), statements })
    }

    /// Returns the number of statements that suppress findings.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Tells whether no statement suppresses findings.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

impl Suppressor for VexDocument {
    fn suppression(&self, finding: &Finding) -> Option<Suppression> {
        let statement = self.statements.iter().find(|statement| {
            let names_it = match &statement.vulnerability {
                Vulnerability::Name(name) => known_as(finding, name),
                Vulnerability::Object { name, id, aliases } => {
                    name.iter().chain(id).chain(aliases).any(|candidate| known_as(finding, candidate))
                }
            };
            names_it && statement.products.iter().any(|product| product.applies_to(finding))
        })?;
        let detail = statement.justification.as_deref().or(statement.impact_statement.as_deref()).unwrap_or("no justification given");
        Some(Suppression { by: "vex".to_owned(), reason: format!("{} in {}: {detail}", statement.status, self.source) })
    }
}
