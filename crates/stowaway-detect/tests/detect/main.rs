//! Integration tests of the detector: each rule family on crafted layers, and the fixture
//! images (the planted `stowaways` image and the clean Debian images).

mod families;
mod fixtures;
mod support;
