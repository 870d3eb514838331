//! The benchmark report: every result, counts per verdict and a score.

use serde::{Deserialize, Serialize};
use stowaway_model::Level;

use crate::check::{CheckResult, Verdict};

/// Version of the report's JSON layout; raised on incompatible changes.
pub const BENCH_SCHEMA_VERSION: u32 = 1;

/// The outcome of one `bench` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    /// Layout version ([`BENCH_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The checklist used: a file path or `built-in default`.
    pub checklist: String,
    /// Every result, in section and check order.
    pub results: Vec<CheckResult>,
    /// Counts per verdict and the score.
    pub summary: Summary,
    /// Problems that left part of the audit out (containers that vanished, a truncated list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Counts per verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Results in the good state.
    pub pass: usize,
    /// Findings.
    pub warn: usize,
    /// Facts to review.
    pub info: usize,
    /// Checks that do not apply.
    pub note: usize,
    /// Checks that could not run.
    pub not_run: usize,
    /// Passes as a percentage of passes and findings, rounded down; `None` when neither exists,
    /// so that a run whose checks could not run has no score rather than a perfect one.
    pub score: Option<u8>,
}

impl Summary {
    /// Counts the results.
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut summary = Summary::default();
        for result in results {
            match result.verdict {
                Verdict::Pass => summary.pass += 1,
                Verdict::Warn => summary.warn += 1,
                Verdict::Info => summary.info += 1,
                Verdict::Note => summary.note += 1,
                Verdict::NotRun { .. } => summary.not_run += 1,
            }
        }
        let scored = summary.pass + summary.warn;
        summary.score = (summary.pass * 100)
            .checked_div(scored)
            .map(|score| score as u8);
        summary
    }
}

impl BenchReport {
    /// Builds the report of `results`.
    pub fn new(checklist: &str, results: Vec<CheckResult>, warnings: Vec<String>) -> BenchReport {
        let summary = Summary::of(&results);
        BenchReport {
            schema_version: BENCH_SCHEMA_VERSION,
            checklist: checklist.to_owned(),
            results,
            summary,
            warnings,
        }
    }

    /// Tells whether any finding is at or above `threshold`.
    pub fn fails(&self, threshold: Level) -> bool {
        self.results.iter().any(|result| result.fails(threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Checklist;

    fn results(verdicts: &[Verdict]) -> Vec<CheckResult> {
        let check = Checklist::builtin().unwrap().checks[0].clone();
        verdicts
            .iter()
            .map(|verdict| CheckResult {
                check: check.clone(),
                target: "host".into(),
                verdict: verdict.clone(),
                details: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn score_counts_passes_and_findings_only() {
        let not_run = Verdict::NotRun {
            reason: "no engine socket".into(),
        };
        let summary = Summary::of(&results(&[
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Warn,
            Verdict::Info,
            Verdict::Note,
            not_run,
        ]));

        assert_eq!(
            (
                summary.pass,
                summary.warn,
                summary.info,
                summary.note,
                summary.not_run
            ),
            (2, 1, 1, 1, 1)
        );
        assert_eq!(summary.score, Some(66));
    }

    #[test]
    fn score_without_scored_results() {
        let summary = Summary::of(&results(&[Verdict::NotRun {
            reason: "no engine socket".into(),
        }]));

        assert_eq!(summary.score, None);
        assert_eq!(summary.not_run, 1);
    }
}
