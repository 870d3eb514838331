//! Catalog integration tests, one module per area.

mod rpm;
