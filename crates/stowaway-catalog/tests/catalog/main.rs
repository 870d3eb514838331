//! Integration tests of the catalog, one module per area.

mod lang_images;
mod python;
mod npm;
mod ruby;
mod php;
mod dotnet;
