//! Severity levels, shared by vulnerability findings and detections.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A qualitative severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A rating exists but no level could be read from it.
    Unknown,
    /// Debian's `unimportant`: affected, but no security impact in practice.
    Negligible,
    /// Low.
    Low,
    /// Medium (GitHub's `MODERATE`).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Level {
    /// Returns the lowercase name (`low`, `critical`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unknown => "unknown",
            Level::Negligible => "negligible",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Maps a CVSS base score to a level with the CVSS v3 qualitative scale: 0.1-3.9 low,
    /// 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical. A score of 0 is negligible.
    pub fn from_score(score: f64) -> Level {
        match score {
            score if score >= 9.0 => Level::Critical,
            score if score >= 7.0 => Level::High,
            score if score >= 4.0 => Level::Medium,
            score if score > 0.0 => Level::Low,
            _ => Level::Negligible,
        }
    }

    /// Reads a word rating: GitHub's `LOW`/`MODERATE`/`HIGH`/`CRITICAL`, Debian's urgencies
    /// (`unimportant`, `low`, `medium`, `high`, with a trailing `*` or `**` for a guessed
    /// urgency), and the Node.js working group's lowercase words. Returns `None` for anything
    /// else, such as Debian's `not yet assigned`.
    pub fn from_word(word: &str) -> Option<Level> {
        let word = word.trim().trim_end_matches('*').to_ascii_lowercase();
        let level = match word.as_str() {
            "unimportant" | "negligible" => Level::Negligible,
            "low" => Level::Low,
            "medium" | "moderate" => Level::Medium,
            "high" | "important" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        };
        Some(level)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    /// Reads a level's own name (`unknown`, `negligible`, `low`, `medium`, `high`, `critical`)
    /// in any case, as command-line flags and policy files write it.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let level = match input.trim().to_ascii_lowercase().as_str() {
            "unknown" => Level::Unknown,
            "negligible" => Level::Negligible,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return Err(format!("unknown severity `{input}`; expected unknown, negligible, low, medium, high or critical")),
        };
        Ok(level)
    }
}
