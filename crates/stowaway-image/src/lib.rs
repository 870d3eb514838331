//! Reads container images.
#![warn(missing_docs)]
