//! FIRST EPSS scores, as the daily CSV (plain or gzip-compressed):
//!
//! ```text
//! #model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z
//! cve,epss,percentile
//! CVE-1999-0001,0.03351,0.88255
//! ```
//!
//! The `#` line is optional; the column header is required, so that a file in another layout
//! fails the feed instead of loading nonsense.

use std::path::Path;

use sha2::Sha256;

use super::read::{hex_digest, read_file};
use super::{FeedData, ImportWarning};
use crate::AdvisoryError;
use crate::model::EpssScore;

const HEADER: &str = "cve,epss,percentile";

/// Imports one EPSS CSV file.
pub fn import(feed: &str, path: &Path) -> Result<FeedData, AdvisoryError> {
    let mut hasher = Sha256::default();
    let bytes = read_file(feed, path, &mut hasher)?;
    let invalid = |reason: String| AdvisoryError::InvalidFeed { feed: feed.to_owned(), path: path.to_owned(), reason, source: None };
    let text = String::from_utf8(bytes).map_err(|_| invalid("the file is not UTF-8 text".to_owned()))?;

    let mut data = parse(&path.to_string_lossy(), &text).map_err(invalid)?;
    data.digest = hex_digest(hasher);
    Ok(data)
}

/// Parses the CSV text; `file` names it in warnings. Fails when the column header is missing.
pub fn parse(file: &str, text: &str) -> Result<FeedData, String> {
    let mut lines = text.lines().enumerate().filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim() == HEADER => {}
        Some((_, header)) => return Err(format!("invalid header `{header}`, expected `{HEADER}`")),
        None => return Err(format!("no `{HEADER}` header")),
    }

    let mut data = FeedData::default();
    for (index, line) in lines {
        data.record_count += 1;
        match parse_row(line) {
            Ok(score) => data.epss.push(score),
            Err(reason) => data.warnings.push(ImportWarning {
                file: file.to_owned(),
                record: line.split(',').next().filter(|id| !id.is_empty()).map_or_else(|| format!("line {}", index + 1), str::to_owned),
                reason,
            }),
        }
    }
    Ok(data)
}

fn parse_row(line: &str) -> Result<EpssScore, String> {
    let [cve_id, score, percentile] = line.trim().split(',').collect::<Vec<_>>()[..] else {
        return Err(format!("invalid row `{line}`, expected three columns"));
    };
    let probability = |text: &str| -> Result<f64, String> {
        text.parse::<f64>()
            .ok()
            .filter(|value| (0.0..=1.0).contains(value))
            .ok_or_else(|| format!("invalid probability `{text}`, expected a number from 0 to 1"))
    };
    Ok(EpssScore { cve_id: cve_id.to_owned(), score: probability(score)?, percentile: probability(percentile)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_bad_rows() {
        let text = "#model_version:v1\ncve,epss,percentile\nCVE-1-1,0.5,0.9\nCVE-1-2,1.5,0.9\nCVE-1-3,0.1\n";
        let data = parse("scores.csv", text).unwrap();
        assert_eq!(data.record_count, 3);
        assert_eq!(data.epss, [EpssScore { cve_id: "CVE-1-1".to_owned(), score: 0.5, percentile: 0.9 }]);
        assert_eq!(data.warnings.len(), 2);
        assert_eq!(data.warnings[0].record, "CVE-1-2");
    }

    #[test]
    fn missing_header_fails() {
        let error = parse("scores.csv", "CVE-1-1,0.5,0.9\n").unwrap_err();
        assert!(error.contains("invalid header"), "{error}");
    }
}
