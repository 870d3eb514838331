//! Integration tests of image reading: the source formats, the squash rules, the analyzer
//! interface and hostile input, on crafted images.

mod analyzers;
mod cache;
mod fixtures;
mod formats;
mod hostile;
mod hostile_registry;
mod links;
mod mock_registry;
mod registry_server;
mod remote;
mod support;
