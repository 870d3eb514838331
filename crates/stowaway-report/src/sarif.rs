//! SARIF 2.1.0, for code-scanning dashboards: one rule per vulnerability, one result per
//! affected package.

use std::collections::BTreeMap;

use serde_json::{Value, json};
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

    let rules_json: Vec<Value> = ordered.iter().map(|(_, finding)| rule(finding)).collect();
    let results: Vec<Value> = report.findings.iter().map(|finding| result(finding, rules[finding.id.as_str()].0, report)).collect();

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

/// The CVSS score when there is one, else a score in the middle of the level's CVSS band, which
/// code-scanning dashboards read to rank results.
fn security_severity(finding: &Finding) -> f64 {
    if let Some(cvss) = &finding.cvss {
        return cvss.score;
    }
    match finding.severity {
        Level::Critical => 9.5,
        Level::High => 8.0,
        Level::Medium => 5.5,
        Level::Low => 2.0,
        Level::Negligible | Level::Unknown => 0.0,
    }
}
