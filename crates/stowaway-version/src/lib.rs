//! Version ordering and range checks per package ecosystem.

#![warn(missing_docs)]
