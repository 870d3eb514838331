//! Harness code shared by the stowaway-image fuzz targets: the walk that every target ends
//! with, and small valid images built in memory around a fuzzed document.
//!
//! The targets live in `fuzz_targets/`; `scripts/fuzz.sh` builds and runs them and
//! `fuzz/seeds.py` writes their seed corpora and the templates that [`templates`] embeds.

#![warn(missing_docs)]

pub mod archive;
pub mod scratch;
pub mod templates;
pub mod walk;
