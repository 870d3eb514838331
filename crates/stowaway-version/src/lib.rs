//! Version ordering and range checks for every package ecosystem stowaway matches.
//!
//! Every vulnerability verdict ends in one comparison: is the installed version below the fixed
//! one? This crate orders versions exactly as each ecosystem's own package manager does. A
//! version it cannot parse is an error that names the ecosystem and the string, never a guess.
//! It also evaluates the ranges that advisories and policies are written in.
//!
//! ```
//! use std::cmp::Ordering;
//! use stowaway_version::{Ecosystem, Range, Version};
//!
//! // apk: `_rc` sorts before the release, `-r1` is a packaging revision.
//! let fixed = Version::parse(Ecosystem::Apk, "1.6_rc1-r0").unwrap();
//! let installed = Version::parse(Ecosystem::Apk, "1.6-r0").unwrap();
//! assert_eq!(installed.compare(&fixed).unwrap(), Ordering::Greater);
//!
//! // PEP 440 normalises `2022.12.07` to `2022.12.7`.
//! let range = Range::parse(Ecosystem::Pypi, ">=2017.11.05, <2022.12.07").unwrap();
//! let certifi = Version::parse(Ecosystem::Pypi, "2022.12.7").unwrap();
//! assert!(!range.contains(&certifi).unwrap());
//!
//! // A malformed version is an error naming the ecosystem and the string.
//! let error = Version::parse(Ecosystem::Apk, "1.34.0_r0").unwrap_err();
//! assert!(error.to_string().starts_with("invalid apk version `1.34.0_r0`"));
//! ```
//!
//! # Layout
//!
//! One module per ecosystem, each with the same shape: a `Version` (parse, `Ord`, `Display`) and
//! a `Range` in the ecosystem's range syntax. [`Version`] and [`Range`] wrap them behind an
//! [`Ecosystem`], and [`osv`] evaluates OSV `affected[]` entries for the advisory matcher.
//!
//! | ecosystem | module | reference implementation | exact |
//! |---|---|---|---|
//! | `deb` | [`dpkg`] | dpkg 1.22 `verrevcmp` | yes |
//! | `rpm` | [`rpm`] | rpm 4.18 `rpmvercmp` | yes |
//! | `apk` | [`apk`] | apk-tools 3 `version.c` | yes |
//! | `pypi` | [`pypi`] | `packaging` 26 (through `pep440_rs`) | yes |
//! | `npm` | [`npm`] | node-semver 7 | yes |
//! | `cargo` | [`cargo`] | the `semver` crate Cargo uses | yes |
//! | `golang` | [`golang`] | `golang.org/x/mod/semver` | yes |
//! | `maven` | [`maven`] | Maven 4 `ComparableVersion` | yes |
//! | `gem` | [`rubygems`] | RubyGems 3.6 `Gem::Version` | yes |
//! | `generic` | [`generic`] | none: an approximation | no |
//!
//! Each module's documentation lists the quirks of its ecosystem and where they are handled.
//! Comparing two parsed versions never allocates.

#![warn(missing_docs)]

pub mod apk;
pub mod cargo;
pub mod comparator;
pub mod dpkg;
mod ecosystem;
mod error;
pub mod generic;
pub mod golang;
pub mod maven;
pub mod npm;
pub mod osv;
pub mod pypi;
mod range;
pub mod rpm;
pub mod rubygems;
mod version;

pub use ecosystem::Ecosystem;
pub use error::{Source, VersionError};
pub use range::Range;
pub use version::Version;
