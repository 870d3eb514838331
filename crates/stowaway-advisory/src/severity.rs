//! One severity per finding: CVSS vectors scored, words normalized, and the rating chosen by a
//! fixed precedence.
//!
//! Precedence, first rating present wins:
//!
//! 1. the distribution's own rating for the package in its release (Debian's urgency), because
//!    it weighs how the distribution builds and ships the package;
//! 2. the advisory's own rating, in this order: a CVSS v4 vector, a CVSS v3 vector, a CVSS v2
//!    vector, a bare CVSS score (v4, then v3, then v2), a word such as `HIGH`;
//! 3. NVD's rating of the advisory's CVE ids, in the same order.
//!
//! Vectors are scored with the `cvss` crate (CVSS 2.0, 3.0, 3.1 and 4.0 base scores), and scores
//! map to levels with the CVSS v3 qualitative scale.

use crate::model::Severity;

pub use stowaway_model::Level;

/// The rating chosen for a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Rating {
    /// The level.
    pub level: Level,
    /// The CVSS base score, when the rating is a CVSS vector or score.
    pub score: Option<f64>,
    /// The rater: `distribution`, `advisory` or `nvd`.
    pub source: String,
    /// The vector or word as the feed wrote it.
    pub value: String,
}

/// Scores a CVSS vector (`CVSS:3.1/AV:N/...`, `CVSS:4.0/...`, or a bare v2 vector).
pub fn score_vector(vector: &str) -> Result<f64, String> {
    let parsed: cvss::Cvss = vector.trim().parse().map_err(|error| format!("invalid CVSS vector `{vector}`: {error}"))?;
    Ok(parsed.score())
}

/// Chooses one rating by the precedence in the module documentation. Ratings that cannot be
/// read (a malformed vector, an unknown word) are passed over for the next one.
pub fn choose(distribution_severity: Option<&str>, severities: &[Severity]) -> Option<Rating> {
    if let Some(word) = distribution_severity
        && let Some(level) = Level::from_word(word)
    {
        return Some(Rating { level, score: None, source: "distribution".to_owned(), value: word.to_owned() });
    }

    ["advisory", "nvd"].into_iter().find_map(|source| {
        let ratings: Vec<&Severity> = severities.iter().filter(|severity| severity.source == source).collect();
        KIND_ORDER.iter().find_map(|kind| {
            ratings.iter().filter(|severity| severity.kind == *kind).find_map(|severity| rate(severity))
        })
    })
}

/// Rating kinds, most precise first.
const KIND_ORDER: [&str; 7] = ["CVSS_V4", "CVSS_V3", "CVSS_V2", "CVSS_V4_SCORE", "CVSS_V3_SCORE", "CVSS_V2_SCORE", "text"];

fn rate(severity: &Severity) -> Option<Rating> {
    let (level, score) = match severity.kind.as_str() {
        "CVSS_V4" | "CVSS_V3" | "CVSS_V2" => {
            let score = score_vector(&severity.value).ok()?;
            (Level::from_score(score), Some(score))
        }
        "CVSS_V4_SCORE" | "CVSS_V3_SCORE" | "CVSS_V2_SCORE" => {
            let score: f64 = severity.value.trim().parse().ok().filter(|score| (0.0..=10.0).contains(score))?;
            (Level::from_score(score), Some(score))
        }
        _ => (Level::from_word(&severity.value)?, None),
    };
    Some(Rating { level, score, source: severity.source.clone(), value: severity.value.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn severity(source: &str, kind: &str, value: &str) -> Severity {
        Severity { source: source.to_owned(), kind: kind.to_owned(), value: value.to_owned() }
    }

    #[test]
    fn vectors_score() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ];
        for (vector, expected) in cases {
            assert_eq!(score_vector(vector).unwrap(), expected, "{vector}");
        }
        assert!(score_vector("CVSS:3.1/AV:X").is_err());
    }

    #[test]
    fn levels_from_scores_and_words() {
        assert_eq!(Level::from_score(9.8), Level::Critical);
        assert_eq!(Level::from_score(7.0), Level::High);
        assert_eq!(Level::from_score(6.9), Level::Medium);
        assert_eq!(Level::from_score(0.1), Level::Low);
        assert_eq!(Level::from_word("MODERATE"), Some(Level::Medium));
        assert_eq!(Level::from_word("high**"), Some(Level::High));
        assert_eq!(Level::from_word("unimportant"), Some(Level::Negligible));
        assert_eq!(Level::from_word("not yet assigned"), None);
    }

    #[test]
    fn distribution_rating_wins() {
        let severities = [severity("advisory", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")];
        let rating = choose(Some("low"), &severities).unwrap();
        assert_eq!((rating.level, rating.source.as_str()), (Level::Low, "distribution"));
    }

    #[test]
    fn advisory_vector_before_word_and_nvd() {
        let severities = [
            severity("nvd", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            severity("advisory", "text", "MODERATE"),
            severity("advisory", "CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
        ];
        let rating = choose(Some("not yet assigned"), &severities).unwrap();
        assert_eq!(rating.level, Level::High);
        assert_eq!(rating.score, Some(7.5));
        assert_eq!(rating.source, "advisory");
    }

    #[test]
    fn malformed_vector_falls_through() {
        let severities = [severity("advisory", "CVSS_V3", "CVSS:3.1/broken"), severity("advisory", "text", "LOW")];
        let rating = choose(None, &severities).unwrap();
        assert_eq!((rating.level, rating.score), (Level::Low, None));
        assert_eq!(choose(None, &[]), None);
    }
}
