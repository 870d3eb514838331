//! Types shared by every stage of stowaway's pipeline.
//!
//! Content digests ([`Digest`]), platforms ([`Platform`]) and layer references ([`LayerRef`]) are
//! validated once when they are parsed, so the crates downstream never check them again.
//! [`Package`] is what the catalogers find and what matching, reports and SBOMs read.
//!
//! ```
//! use stowaway_model::Digest;
//!
//! let digest: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
//!     .parse()
//!     .unwrap();
//! assert_eq!(digest.algorithm().as_str(), "sha256");
//! ```

#![warn(missing_docs)]

mod digest;
mod layer;
mod package;
mod platform;
mod severity;

pub use digest::{Digest, DigestAlgorithm, DigestError, Hasher};
pub use layer::LayerRef;
pub use package::{Package, PackageKind, SourcePackage};
pub use platform::{Platform, PlatformError};
pub use severity::Level;
