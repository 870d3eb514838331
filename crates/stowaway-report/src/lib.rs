//! The scan report: one model, written in every format.
//!
//! [`Report`] contains what a scan found: the target, the database it used, the vulnerability
//! findings (and those suppressed, with their reasons), the end-of-life status of the OS, and
//! warnings. Every output format is a view of it: [`table`] for people, JSON (the serde form of
//! [`Report`], versioned by [`SCHEMA_VERSION`] and described in `docs/report.md`), [`sarif`] for
//! code-scanning dashboards, and [`cyclonedx`] for SBOM tools.

#![warn(missing_docs)]

pub mod cyclonedx;
mod model;
pub mod sarif;
pub mod table;

pub use model::{DatabaseInfo, Report, SCHEMA_VERSION, SeverityCounts, Summary, Target, Tool};
