//! Integration tests of the catalog, one module per area.

mod binaries;
mod dotnet;
mod java_archives;
mod lang_images;
mod npm;
mod os_packages;
mod php;
mod python;
mod rpm;
mod ruby;
mod sbom;
mod support;
