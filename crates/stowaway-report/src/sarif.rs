//! SARIF 2.1.0, for code-scanning dashboards: one rule per vulnerability, one result per
//! affected package.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use stowaway_detect::Detection;
use stowaway_match::{Finding, Fix};
use stowaway_model::Level;

use crate::Report;

/// Writes the report's findings as a SARIF 2.1.0 log.
pub fn write(report: &Report) -> Value {
    let mut rules: BTreeMap<&str, (usize, &Finding)> = BTreeMap::new();
    for finding in &report.findings {
        let next = rules.len();
        rules.entry(finding.id.as_str()).or_insert((next, finding));
    }
    let mut ordered: Vec<&(usize, &Finding)> = rules.values().collect();
    ordered.sort_by_key(|(index, _)| *index);

    let mut rules_json: Vec<Value> = ordered.iter().map(|(_, finding)| rule(finding)).collect();
    let mut results: Vec<Value> = report.findings.iter().map(|finding| result(finding, rules[finding.id.as_str()].0, report)).collect();

    let mut detection_rules: BTreeMap<&str, usize> = BTreeMap::new();
    for detection in &report.detections {
        let index = *detection_rules.entry(detection.rule_id.as_str()).or_insert_with(|| {
            rules_json.push(detection_rule(detection));
            rules_json.len() - 1
        });
        results.push(detection_result(detection, index, report));
    }

    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "informationUri": "https://github.com/stowaway-scanner/stowaway",
                    "rules": rules_json,
                }
            },
            "results": results,
            "properties": {
                "target": report.target.reference,
                "imageId": report.target.image_id,
            }
        }]
    })
}

fn rule(finding: &Finding) -> Value {
    let text = format!("{} in {} {}", finding.id, finding.package.name, finding.package.version);
    let mut tags = vec!["security".to_owned(), "vulnerability".to_owned(), finding.severity.to_string()];
    tags.extend(finding.aliases.iter().cloned());
    json!({
        "id": finding.id,
        "name": finding.id.replace(['-', ':'], "_"),
        "shortDescription": { "text": text },
        "fullDescription": { "text": format!("{} ({} severity, from {})", finding.id, finding.severity, finding.source) },
        "helpUri": help_uri(&finding.id),
        "help": { "text": help(finding) },
        "defaultConfiguration": { "level": level(finding.severity) },
        "properties": {
            "tags": tags,
            "security-severity": format!("{:.1}", security_severity(finding)),
        }
    })
}

fn result(finding: &Finding, rule_index: usize, report: &Report) -> Value {
    let uri = finding.package.locations.first().map_or_else(|| report.target.reference.clone(), |location| location.trim_start_matches('/').to_owned());
    let message = format!(
        "{} {} is affected by {} ({}). {}",
        finding.package.name,
        finding.package.version,
        finding.id,
        finding.severity,
        help(finding)
    );
    json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": 1 }
            },
            "message": { "text": format!("{} {}", finding.package.name, finding.package.version) }
        }],
        "partialFingerprints": {
            "stowaway/v1": format!("{}|{}|{}|{}", finding.id, finding.package.kind, finding.package.name, uri),
        },
        "properties": {
            "purl": finding.package.purl,
            "fixedVersion": finding.fix.version(),
            "rule": finding.rule.describe(),
        }
    })
}

fn help(finding: &Finding) -> String {
    let fix = match &finding.fix {
        Fix::Fixed { version } => format!("Upgrade {} to {version} or later.", finding.package.name),
        Fix::FixedUnknownVersion => format!("A fix exists; upgrade {} to the latest release.", finding.package.name),
        Fix::Unfixed => "No fix is published yet.".to_owned(),
        Fix::WillNotFix => "The distribution will not fix it.".to_owned(),
        Fix::EndOfLife => "The release no longer receives fixes; move to a supported release.".to_owned(),
        Fix::NotAffected => "The distribution states it is not affected.".to_owned(),
    };
    format!("{fix} Matched on {}.", finding.rule.describe())
}

fn help_uri(id: &str) -> String {
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

/// SARIF's levels: `error` for critical and high, `warning` for medium, `note` below.
fn level(severity: Level) -> &'static str {
    match severity {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low | Level::Negligible | Level::Unknown => "note",
    }
}

/// Returns the CVSS score when there is one, else the middle of the level's CVSS band, which
/// code-scanning dashboards read to rank results.
fn security_severity(finding: &Finding) -> f64 {
    match &finding.cvss {
        Some(cvss) => cvss.score,
        None => band_middle(finding.severity),
    }
}

/// Returns the middle of a level's CVSS band.
fn band_middle(severity: Level) -> f64 {
    match severity {
        Level::Critical => 9.5,
        Level::High => 8.0,
        Level::Medium => 5.5,
        Level::Low => 2.0,
        Level::Negligible | Level::Unknown => 0.0,
    }
}

fn detection_rule(detection: &Detection) -> Value {
    json!({
        "id": detection.rule_id,
        "name": detection.rule_id.replace(['-', ':', '.'], "_"),
        "shortDescription": { "text": detection.title },
        "fullDescription": { "text": format!("{} ({} {})", detection.title, detection.severity, detection.kind.as_str()) },
        "helpUri": "https://github.com/stowaway-scanner/stowaway/blob/main/docs/detections.md",
        "defaultConfiguration": { "level": level(detection.severity) },
        "properties": {
            "tags": ["security", detection.kind.as_str(), detection.severity.to_string()],
            "security-severity": format!("{:.1}", band_middle(detection.severity)),
        }
    })
}

fn detection_result(detection: &Detection, rule_index: usize, report: &Report) -> Value {
    let uri = detection.path.as_deref().map_or_else(|| report.target.reference.clone(), |path| path.trim_start_matches('/').to_owned());
    let mut message = format!("{}: {}", detection.title, detection.why);
    if let Some(excerpt) = &detection.excerpt {
        message.push_str(&format!(" ({excerpt})"));
    }
    if detection.deleted_in_final_image {
        message.push_str(" The file is deleted by a later layer but still ships in the image.");
    }
    json!({
        "ruleId": detection.rule_id,
        "ruleIndex": rule_index,
        "level": level(detection.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": uri }, "region": { "startLine": 1 } }
        }],
        "partialFingerprints": {
            "stowaway/v1": format!("{}|{}", detection.rule_id, uri),
        },
        "properties": {
            "kind": detection.kind.as_str(),
            "layer": detection.layer.as_ref().map(|layer| layer.index),
            "history": detection.history,
        }
    })
}
