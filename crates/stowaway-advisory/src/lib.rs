//! The advisory database: feed importers, the SQLite file they build, and the read-only store the
//! matcher queries.
//!
//! A build reads every feed into [`Advisory`] records. A malformed record is skipped with an
//! [`ImportWarning`], and an unreadable feed fails the build. The build writes the records into a
//! new SQLite file beside the target, checks it, and renames it over the target, so a failed or
//! interrupted build leaves the previous database in place. Scans open the file with [`AdvisoryStore::open`], which
//! is read-only and rejects a file of another [`SCHEMA_VERSION`].
//!
//! ```no_run
//! use std::path::Path;
//! use stowaway_advisory::{AdvisoryStore, build, discover};
//!
//! let discovery = discover(Path::new("feeds/")).unwrap();
//! build(Path::new("db.sqlite"), &discovery.feeds).unwrap();
//!
//! let store = AdvisoryStore::open(Path::new("db.sqlite")).unwrap();
//! for entry in store.affected("debian:12", &["openssl", "curl"]).unwrap() {
//!     println!("{} {} {:?}", entry.package, entry.advisory_id, entry.fixed_version);
//! }
//! ```
//!
//! # Feeds
//!
//! | feed | module | record |
//! |---|---|---|
//! | OSV JSON and YAML: files, directories, tar and zip archives | [`import::osv`] | one record file |
//! | Alpine secdb, JSON or YAML | [`import::alpine`] | one `packages[]` entry |
//! | Debian security tracker JSON | [`import::debian_tracker`] | one source package and CVE |
//! | Debian DSA and DLA lists | [`import::debian_list`] | one advisory |
//! | RubySec YAML (gems and Ruby interpreters) | [`import::rubysec`] | one advisory file |
//! | Node.js security-wg JSON, npm packages and Node.js itself | [`import::nodejs`] | one advisory file |
//! | CISA KEV JSON | [`import::kev`] | one catalog entry |
//! | FIRST EPSS CSV | [`import::epss`] | one score row |
//! | NVD CVE API 2.0 JSON | [`import::nvd`] | one CVE |
//!
//! [`update::update`] downloads the configured feeds with conditional requests and retries, and
//! rebuilds the database from them. [`default_database`] returns the user's database, or unpacks
//! the embedded facts-only snapshot, and [`age_warning`] returns the warning a scan prints when the
//! database is old.

#![warn(missing_docs)]

pub mod age;
mod build;
pub mod bundle;
mod error;
mod feed;
mod location;
pub mod import;
mod model;
pub mod namespace;
mod schema;
mod snapshot;
pub mod severity;
mod store;
mod time;
pub mod update;

pub use build::{BuildOptions, BuildReport, SourceReport, build, build_with_options};
pub use error::AdvisoryError;
pub use feed::{Discovery, Feed, FeedKind, discover};
pub use import::{FeedData, ImportWarning};
pub use location::{DATABASE_VARIABLE, database_path, default_cache_dir};
pub use model::{Advisory, Affected, EpssScore, KevEntry, NativeRanges, Severity, Status};
pub use age::{age_warning, configured_max_age};
pub use schema::SCHEMA_VERSION;
pub use snapshot::{SnapshotInfo, default_database, snapshot_info, unpack_snapshot};
pub use store::{AdvisoryStore, AffectedEntry, DatabaseStatus, SourceStatus};
