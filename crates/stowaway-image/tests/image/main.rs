//! Integration tests of image reading: the source formats, the squash rules, the analyzer
//! interface and hostile input, on crafted images.

mod analyzers;
mod fixtures;
mod formats;
mod hostile;
mod links;
mod registry_server;
mod remote;
mod support;
