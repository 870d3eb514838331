//! Integration tests of the catalogers on crafted and real images.

mod os_packages;
mod support;
