//! The CIS Docker Benchmark as code: checks of images, running containers, the Docker daemon and
//! its host, selected and tuned by checklists.
//!
//! Every check has a stable id (`IMG-001`, `CIS-5.4`), its CIS Docker Benchmark 1.3.1 reference
//! where one exists, and a severity and level from the [`Checklist`]. A check that cannot run
//! (no engine socket, permission denied) is reported as [`Verdict::NotRun`], never as a pass.
//!
//! ```no_run
//! use stowaway_bench::{Checklist, image_checks};
//! use stowaway_image::{OpenOptions, Walker, open};
//!
//! let checklist = Checklist::builtin()?;
//! let image = open("docker-archive:app.tar", &OpenOptions::default())?;
//! let view = Walker::new(&image).run()?;
//! for result in image_checks(&image, Some(&view), &checklist) {
//!     println!("{} {} {}", result.verdict.label(), result.check.id, result.check.title);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod address;
mod bench;
mod catalog;
mod check;
mod checklist;
mod container;
mod daemon;
mod engine;
mod error;
mod host;
mod image;
mod operations;
mod outcome;
mod report;
mod swarm;

pub use address::{DEFAULT_DOCKER_SOCKET, EngineAddress};
pub use bench::{BenchOptions, run_bench};
pub use catalog::{CHECKS, definition};
pub use check::{Check, CheckDefinition, CheckResult, Section, Verdict};
pub use checklist::{Checklist, Exclusions, Parameters};
pub use error::BenchError;
pub use image::image_checks;
pub use report::{BENCH_SCHEMA_VERSION, BenchReport, Summary};
