//! The outcome of one check function, and the loop that runs a table of them for a checklist.

use crate::check::{CheckResult, Verdict};
use crate::checklist::{Checklist, Parameters};

/// Details listed per result at most; the rest are counted in one last line.
const MAX_DETAILS: usize = 20;

/// A verdict with the facts behind it.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) verdict: Verdict,
    pub(crate) details: Vec<String>,
}

impl Outcome {
    /// Passes when `problems` is empty and warns with them otherwise.
    pub(crate) fn from_problems(problems: Vec<String>) -> Outcome {
        let verdict = if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Warn
        };
        Outcome {
            verdict,
            details: problems,
        }
    }

    /// Passes when `facts` is empty and lists them as INFO for review by hand otherwise.
    pub(crate) fn review(facts: Vec<String>) -> Outcome {
        let verdict = if facts.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Info
        };
        Outcome {
            verdict,
            details: facts,
        }
    }

    pub(crate) fn pass() -> Outcome {
        Outcome {
            verdict: Verdict::Pass,
            details: Vec::new(),
        }
    }

    pub(crate) fn warn(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Warn,
            details: vec![detail.into()],
        }
    }

    pub(crate) fn info(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Info,
            details: vec![detail.into()],
        }
    }

    pub(crate) fn note(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Note,
            details: vec![detail.into()],
        }
    }

    pub(crate) fn not_run(reason: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::NotRun {
                reason: reason.into(),
            },
            details: Vec::new(),
        }
    }
}

/// A check function of some subject (an image, a container, the daemon, the host).
pub(crate) type CheckFn<S> = fn(&S, &Parameters) -> Outcome;

/// Runs the checks of `table` that the checklist selects on one subject.
pub(crate) fn run_table<S>(
    checklist: &Checklist,
    target: &str,
    subject: &S,
    table: &[(&str, CheckFn<S>)],
) -> Vec<CheckResult> {
    table
        .iter()
        .filter_map(|(id, function)| {
            let check = checklist.check(id)?;
            let outcome = function(subject, &checklist.parameters);
            Some(CheckResult {
                check: check.clone(),
                target: target.to_owned(),
                verdict: outcome.verdict,
                details: capped(outcome.details),
            })
        })
        .collect()
}

/// Gives every check of `table` that the checklist selects the same outcome (engine unreachable).
pub(crate) fn same_for_all<S>(
    checklist: &Checklist,
    target: &str,
    table: &[(&str, CheckFn<S>)],
    outcome: &Outcome,
) -> Vec<CheckResult> {
    table
        .iter()
        .filter_map(|(id, _)| {
            let check = checklist.check(id)?;
            Some(CheckResult {
                check: check.clone(),
                target: target.to_owned(),
                verdict: outcome.verdict.clone(),
                details: outcome.details.clone(),
            })
        })
        .collect()
}

fn capped(mut details: Vec<String>) -> Vec<String> {
    if details.len() > MAX_DETAILS {
        let more = details.len() - MAX_DETAILS;
        details.truncate(MAX_DETAILS);
        details.push(format!("and {more} more"));
    }
    details
}
