//! NVD CVE records in the API 2.0 JSON format: a response or yearly feed file
//! (`{"vulnerabilities": [{"cve": {...}}]}`), plain or gzip-compressed, or a file of one record
//! (`{"cve": {...}}` or the bare `cve` object).
//!
//! NVD is read for its ratings and weaknesses. Each record becomes an advisory with its CVSS v2,
//! v3.x and v4.0 vectors as severities of source `nvd` (NVD's own `Primary` ratings before the
//! CNAs' `Secondary` ones), its CWE ids and its reference URLs. A `Rejected` record is stored as
//! withdrawn. Descriptions are prose and are not kept.
//!
//! NOTE: the CPE `configurations` are not imported, so NVD records name no affected package and
//! match nothing on their own. They rate and classify the advisories of other feeds.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::read::{hex_digest, read_file};
use super::{FeedData, ImportWarning, null_as_default};
use crate::AdvisoryError;
use crate::model::{Advisory, Severity};

/// Imports one NVD file.
pub fn import(feed: &str, path: &Path) -> Result<FeedData, AdvisoryError> {
    let mut hasher = Sha256::default();
    let bytes = read_file(feed, path, &mut hasher)?;
    let invalid = |reason: &str, source: Option<serde_json::Error>| AdvisoryError::InvalidFeed {
        feed: feed.to_owned(),
        path: path.to_owned(),
        reason: reason.to_owned(),
        source: source.map(|error| Box::new(error) as _),
    };
    let document: Value = serde_json::from_slice(&bytes).map_err(|error| invalid("not JSON", Some(error)))?;
    let records = records(document).ok_or_else(|| invalid("not an NVD CVE API 2.0 document: no `vulnerabilities`, `cve` or CVE `id`", None))?;

    let file = path.to_string_lossy().into_owned();
    let mut data = FeedData { record_count: records.len(), ..FeedData::default() };
    for (index, record) in records.into_iter().enumerate() {
        let id = record.get("id").and_then(Value::as_str).map_or_else(|| format!("vulnerabilities[{index}]"), str::to_owned);
        match serde_json::from_value::<RawCve>(record) {
            Ok(raw) => data.advisories.push(raw.into_advisory()),
            Err(error) => data.warnings.push(ImportWarning { file: file.clone(), record: id, reason: error.to_string() }),
        }
    }

    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Returns the `cve` objects of a document in any of the three shapes, or `None` for another
/// document.
fn records(document: Value) -> Option<Vec<Value>> {
    let Value::Object(mut object) = document else {
        return None;
    };
    if let Some(Value::Array(entries)) = object.remove("vulnerabilities") {
        return Some(entries.into_iter().map(|mut entry| entry.get_mut("cve").map(Value::take).unwrap_or(entry)).collect());
    }
    if let Some(cve) = object.remove("cve") {
        return Some(vec![cve]);
    }
    is_cve_object(&object).then(|| vec![Value::Object(object)])
}

/// Returns whether a JSON object is a bare NVD `cve` record, for feed discovery too.
pub(crate) fn is_cve_object(object: &serde_json::Map<String, Value>) -> bool {
    let has_cve_id = object.get("id").and_then(Value::as_str).is_some_and(|id| id.starts_with("CVE-"));
    has_cve_id && (object.contains_key("metrics") || object.contains_key("vulnStatus") || object.contains_key("sourceIdentifier"))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCve {
    id: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    metrics: RawMetrics,
    #[serde(default, deserialize_with = "null_as_default")]
    weaknesses: Vec<RawWeakness>,
    #[serde(default, deserialize_with = "null_as_default")]
    references: Vec<RawReference>,
}

#[derive(Debug, Default, Deserialize)]
struct RawMetrics {
    #[serde(default, rename = "cvssMetricV40", deserialize_with = "null_as_default")]
    v40: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV31", deserialize_with = "null_as_default")]
    v31: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV30", deserialize_with = "null_as_default")]
    v30: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV2", deserialize_with = "null_as_default")]
    v2: Vec<RawMetric>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetric {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    cvss_data: RawCvssData,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvssData {
    vector_string: String,
}

#[derive(Debug, Deserialize)]
struct RawWeakness {
    #[serde(default, deserialize_with = "null_as_default")]
    description: Vec<RawText>,
}

#[derive(Debug, Deserialize)]
struct RawText {
    value: String,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    url: String,
}

impl RawCve {
    fn into_advisory(self) -> Advisory {
        let mut severities = Vec::new();
        let versions = [("CVSS_V4", self.metrics.v40), ("CVSS_V3", self.metrics.v31), ("CVSS_V3", self.metrics.v30), ("CVSS_V2", self.metrics.v2)];
        for (kind, mut metrics) in versions {
            // NVD's own analysis is `Primary`; the CNA's is `Secondary`.
            metrics.sort_by_key(|metric| metric.kind.as_deref() != Some("Primary"));
            for metric in metrics {
                let severity = Severity { source: "nvd".to_owned(), kind: kind.to_owned(), value: metric.cvss_data.vector_string };
                if !severities.contains(&severity) {
                    severities.push(severity);
                }
            }
        }

        // NVD writes `NVD-CWE-Other` and `NVD-CWE-noinfo` when no CWE fits; those are no CWE ids.
        let mut weaknesses: Vec<String> = Vec::new();
        for text in self.weaknesses.into_iter().flat_map(|weakness| weakness.description) {
            if text.value.starts_with("CWE-") && !weaknesses.contains(&text.value) {
                weaknesses.push(text.value);
            }
        }

        let withdrawn = (self.vuln_status.as_deref() == Some("Rejected")).then(|| self.last_modified.clone().unwrap_or_default());
        Advisory {
            id: self.id,
            published: self.published,
            modified: self.last_modified,
            withdrawn,
            severities,
            weaknesses,
            references: self.references.into_iter().map(|reference| reference.url).collect(),
            ..Advisory::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The ids are invented; the shape follows NVD's CVE API 2.0 schema.
    const RECORD: &str = r#"{"id": "CVE-2099-0001", "sourceIdentifier": "cna@example.org", "vulnStatus": "Analyzed",
        "published": "2099-01-02T03:04:05.000", "lastModified": "2099-02-03T04:05:06.000",
        "descriptions": [{"lang": "en", "value": "prose that is not kept"}],
        "metrics": {
            "cvssMetricV31": [
                {"source": "cna@example.org", "type": "Secondary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}},
                {"source": "nvd@nist.gov", "type": "Primary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
            ],
            "cvssMetricV2": [{"type": "Primary", "cvssData": {"version": "2.0", "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}}]
        },
        "weaknesses": [{"type": "Primary", "description": [{"lang": "en", "value": "CWE-79"}, {"lang": "en", "value": "NVD-CWE-Other"}]}],
        "references": [{"url": "https://example.org/advisory"}]}"#;

    #[test]
    fn record_ratings_and_weaknesses() {
        let raw: RawCve = serde_json::from_str(RECORD).unwrap();
        let advisory = raw.into_advisory();

        assert_eq!(advisory.id, "CVE-2099-0001");
        assert_eq!(advisory.summary, None);
        assert_eq!(advisory.withdrawn, None);
        assert_eq!(advisory.weaknesses, ["CWE-79"]);
        let vectors: Vec<(&str, &str)> = advisory.severities.iter().map(|severity| (severity.kind.as_str(), severity.value.as_str())).collect();
        assert_eq!(
            vectors,
            [
                ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
                ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            ]
        );
        assert!(advisory.severities.iter().all(|severity| severity.source == "nvd"));
    }

    #[test]
    fn three_document_shapes() {
        let record: Value = serde_json::from_str(RECORD).unwrap();
        let response = serde_json::json!({"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": record.clone()}]});
        let wrapped = serde_json::json!({"cve": record.clone()});
        for document in [response, wrapped, record] {
            let found = records(document).unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0]["id"], "CVE-2099-0001");
        }
        assert!(records(serde_json::json!({"id": "GHSA-1", "affected": []})).is_none());
    }

    #[test]
    fn rejected_record_is_withdrawn() {
        let raw: RawCve = serde_json::from_str(r#"{"id": "CVE-2099-0002", "vulnStatus": "Rejected", "lastModified": "2099-03-01T00:00:00.000"}"#).unwrap();
        assert_eq!(raw.into_advisory().withdrawn.as_deref(), Some("2099-03-01T00:00:00.000"));
    }
}
