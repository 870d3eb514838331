//! A detection before the detector adds the layer reference and applies the allowlist.

use stowaway_model::Level;

use crate::DetectionKind;
use crate::content::RuleHit;
use crate::heuristics::Heuristic;

/// A detection with the layer as an index.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub(crate) kind: DetectionKind,
    pub(crate) rule_id: String,
    pub(crate) severity: Level,
    pub(crate) title: String,
    /// Absolute path in the image.
    pub(crate) path: Option<String>,
    pub(crate) layer: Option<usize>,
    pub(crate) excerpt: Option<String>,
    pub(crate) why: String,
    pub(crate) deleted: bool,
}

impl Candidate {
    /// Creates a detection of a Rust heuristic on the file `path` of `layer`.
    pub(crate) fn heuristic(heuristic: &Heuristic, path: Option<String>, layer: Option<usize>, excerpt: Option<String>, why: String) -> Candidate {
        Candidate {
            kind: heuristic.kind,
            rule_id: heuristic.id.to_owned(),
            severity: heuristic.severity,
            title: heuristic.title.to_owned(),
            path,
            layer,
            excerpt,
            why,
            deleted: false,
        }
    }

    /// Creates a detection of a YARA rule.
    pub(crate) fn rule(hit: &RuleHit, path: Option<String>, layer: Option<usize>, why: String) -> Candidate {
        Candidate {
            kind: hit.kind,
            rule_id: hit.id.clone(),
            severity: hit.severity,
            title: hit.title.clone(),
            path,
            layer,
            excerpt: hit.excerpt.clone(),
            why,
            deleted: false,
        }
    }

    /// Sets the severity.
    pub(crate) fn with_severity(mut self, severity: Level) -> Candidate {
        self.severity = severity;
        self
    }
}
