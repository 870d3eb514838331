//! Integration tests of the catalogers on crafted and real images.

mod binaries;
mod java_archives;
mod os_packages;
mod support;
