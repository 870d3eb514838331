//! Joins an image's packages with the advisory database and explains every finding.
//!
//! Matching is a pure function of an [`Inventory`] (the OS and the packages a catalog found) and
//! an [`AdvisorySource`] (the read-only advisory store, or records in memory for tests). The rules
//! are those that keep a scanner quiet where it must be:
//!
//! - OS packages are matched only against their distribution's own records, in the namespace of
//!   the release the image runs (`debian:12`, `alpine:3.19`, `rhel:9`). Debian and Alpine key
//!   their records by source package, so a binary package is looked up through its source, with
//!   the source version where it differs. An rpm is compared with its own fixed EVR.
//! - A record's status decides the verdict: `fixed` is vulnerable while the installed version is
//!   lower, `unfixed` is vulnerable with no fix yet, `not-affected` and `will-not-fix` are kept
//!   out of the findings (the report lists them on request), and a release past its end of life
//!   is reported once.
//! - Language packages are matched by ecosystem (OSV ranges and version lists, or the
//!   ecosystem's own range syntax). A language package whose files an OS package owns is matched
//!   as that OS package, because distributions backport fixes without changing upstream version
//!   numbers; [`MatchOptions::match_os_owned_upstream`] also matches it upstream, and those
//!   findings name the owning OS package.
//!
//! Every [`Finding`] carries the advisory, the package as installed, the namespace and rule that
//! matched, the fix, and the severity with its source.
//!
//! ```no_run
//! use std::path::Path;
//! use stowaway_advisory::AdvisoryStore;
//! use stowaway_match::{Inventory, MatchOptions, match_inventory};
//!
//! # let catalog: stowaway_catalog::Catalog = unimplemented!();
//! let store = AdvisoryStore::open(Path::new("stowaway.db"))?;
//! let inventory = Inventory { os: catalog.os.as_ref(), packages: &catalog.packages };
//! let matches = match_inventory(&inventory, &store, &MatchOptions::default())?;
//! for finding in &matches.findings {
//!     println!("{} {} {}", finding.id, finding.package.name, finding.rule.describe());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod evaluate;
mod eol;
mod finding;
mod language;
mod matcher;
mod namespace;
mod os;
mod ownership;
mod source;
pub mod suppress;

pub use eol::EndOfLife;
pub use finding::{Cvss, Epss, Finding, FindingPackage, Fix, Kev, MatchBasis, MatchRule, Suppression};
pub use matcher::{MatchError, MatchOptions, MatchWarning, Matches, match_inventory};
pub use namespace::os_namespace;
pub use source::{AdvisorySource, MemorySource};

use stowaway_catalog::OsRelease;
use stowaway_model::Package;

/// The input of matching: the image's OS, when known, and its packages.
#[derive(Clone, Copy, Debug)]
pub struct Inventory<'a> {
    /// The operating system, from the catalog.
    pub os: Option<&'a OsRelease>,
    /// Every package the catalog found.
    pub packages: &'a [Package],
}
