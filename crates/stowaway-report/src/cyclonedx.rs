//! CycloneDX 1.6 with a `vulnerabilities` section: the catalog's SBOM, each vulnerability
//! pointing at the components it affects.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use stowaway_catalog::sbom::cyclonedx::Bom;
use stowaway_match::{Finding, Fix};
use stowaway_model::Level;

use crate::Report;

/// Adds the report's findings, and its suppressed findings with their analysis, to `bom`.
pub fn write(bom: &Bom, report: &Report) -> Result<Value, serde_json::Error> {
    let mut document = serde_json::to_value(bom)?;

    let mut refs: HashMap<&str, Vec<&str>> = HashMap::new();
    for component in &bom.components {
        if let (Some(purl), Some(bom_ref)) = (component.purl.as_deref(), component.bom_ref.as_deref()) {
            refs.entry(purl).or_default().push(bom_ref);
        }
    }

    // One vulnerability per id, affecting every component it was found in.
    let mut vulnerabilities: BTreeMap<&str, Value> = BTreeMap::new();
    for finding in report.findings.iter().chain(&report.suppressed) {
        let affects: Vec<Value> = finding
            .package
            .purl
            .as_deref()
            .and_then(|purl| refs.get(purl))
            .into_iter()
            .flatten()
            .map(|bom_ref| json!({ "ref": bom_ref, "versions": [{ "version": finding.package.version, "status": status(finding) }] }))
            .collect();
        let entry = vulnerabilities.entry(finding.id.as_str()).or_insert_with(|| vulnerability(finding));
        if let Some(list) = entry.get_mut("affects").and_then(Value::as_array_mut) {
            // Two instances of one purl share their components, which are listed once.
            for affect in affects {
                if !list.iter().any(|listed| listed["ref"] == affect["ref"]) {
                    list.push(affect);
                }
            }
        }
    }

    let list: Vec<Value> = vulnerabilities.into_values().filter(|v| v["affects"].as_array().is_some_and(|a| !a.is_empty())).collect();
    if let Some(object) = document.as_object_mut() {
        object.insert("vulnerabilities".to_owned(), Value::Array(list));
    }
    Ok(document)
}

fn vulnerability(finding: &Finding) -> Value {
    let mut value = json!({
        "bom-ref": format!("vulnerability:{}", finding.id),
        "id": finding.id,
        "source": { "name": finding.source },
        "references": finding.aliases.iter().map(|alias| json!({ "id": alias, "source": { "name": alias_source(alias) } })).collect::<Vec<_>>(),
        "ratings": [rating(finding)],
        "affects": [],
    });
    if let Some(version) = finding.fix.version() {
        value["recommendation"] = json!(format!("Upgrade {} to {version} or later.", finding.package.name));
    }
    if let Some(suppression) = &finding.suppression {
        let state = match finding.fix {
            Fix::NotAffected => "not_affected",
            Fix::WillNotFix => "exploitable",
            _ if suppression.by == "vex" => "not_affected",
            _ => "false_positive",
        };
        value["analysis"] = json!({ "state": state, "detail": format!("{}: {}", suppression.by, suppression.reason) });
    }
    value
}

fn rating(finding: &Finding) -> Value {
    let severity = match finding.severity {
        Level::Critical => "critical",
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
        Level::Negligible => "info",
        Level::Unknown => "unknown",
    };
    let mut rating = json!({ "severity": severity, "source": { "name": finding.severity_source.clone().unwrap_or_else(|| finding.source.clone()) } });
    if let Some(cvss) = &finding.cvss {
        rating["score"] = json!(cvss.score);
        rating["vector"] = json!(cvss.vector);
        rating["method"] = json!(method(&cvss.vector));
    }
    rating
}

fn method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3") {
        "CVSSv3"
    } else {
        "CVSSv2"
    }
}

fn status(finding: &Finding) -> &'static str {
    match (&finding.fix, &finding.suppression) {
        (Fix::NotAffected, _) => "unaffected",
        (_, Some(suppression)) if suppression.by == "vex" => "unaffected",
        (_, Some(_)) => "unknown",
        _ => "affected",
    }
}

fn alias_source(alias: &str) -> &'static str {
    match alias.split('-').next().unwrap_or_default() {
        "CVE" => "NVD",
        "GHSA" => "GitHub",
        "PYSEC" => "PyPA",
        "GO" => "Go",
        "RUSTSEC" => "RustSec",
        "DSA" | "DLA" => "Debian",
        _ => "OSV",
    }
}
