//! CISA's Known Exploited Vulnerabilities catalog, as JSON (plain or gzip-compressed).
//!
//! Only the facts a scan reports are kept: CVE, vendor, product, dates and the ransomware flag;
//! the catalog's descriptions and required actions are not.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::read::{hex_digest, read_file};
use super::{FeedData, ImportWarning};
use crate::AdvisoryError;
use crate::model::KevEntry;

/// Imports one KEV catalog file.
pub fn import(feed: &str, path: &Path) -> Result<FeedData, AdvisoryError> {
    let mut hasher = Sha256::default();
    let bytes = read_file(feed, path, &mut hasher)?;
    let catalog: RawCatalog = serde_json::from_slice(&bytes).map_err(|error| AdvisoryError::InvalidFeed {
        feed: feed.to_owned(),
        path: path.to_owned(),
        reason: "not a KEV catalog".to_owned(),
        source: Some(Box::new(error)),
    })?;

    let mut data = FeedData { record_count: catalog.vulnerabilities.len(), ..FeedData::default() };
    for (index, entry) in catalog.vulnerabilities.into_iter().enumerate() {
        let record = entry.get("cveID").and_then(Value::as_str).map_or_else(|| format!("vulnerabilities[{index}]"), str::to_owned);
        match serde_json::from_value::<RawEntry>(entry) {
            Ok(raw) => data.kev.push(raw.into()),
            Err(error) => data.warnings.push(ImportWarning {
                file: path.to_string_lossy().into_owned(),
                record,
                reason: error.to_string(),
            }),
        }
    }

    data.digest = hex_digest(hasher);
    Ok(data)
}

#[derive(Debug, Deserialize)]
struct RawCatalog {
    vulnerabilities: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    date_added: String,
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: String,
}

impl From<RawEntry> for KevEntry {
    fn from(raw: RawEntry) -> KevEntry {
        KevEntry {
            cve_id: raw.cve_id,
            vendor_project: raw.vendor_project,
            product: raw.product,
            date_added: raw.date_added,
            due_date: raw.due_date,
            known_ransomware_campaign_use: raw.known_ransomware_campaign_use,
        }
    }
}
