//! Integration tests of the catalog, one module per area.

mod sbom;
