//! Sources of advisory records: the database, or a list in memory.

use std::collections::HashMap;

use stowaway_advisory::{AdvisoryError, AdvisoryStore, AffectedEntry};

/// A source of affected entries, looked up by namespace and package names.
///
/// [`AdvisoryStore`] is the real one; [`MemorySource`] contains invented records for tests and for
/// matching without a database file.
pub trait AdvisorySource {
    /// Returns the affected entries of `names` in `namespace`.
    fn affected(&self, namespace: &str, names: &[&str]) -> Result<Vec<AffectedEntry>, AdvisoryError>;
}

impl AdvisorySource for AdvisoryStore {
    fn affected(&self, namespace: &str, names: &[&str]) -> Result<Vec<AffectedEntry>, AdvisoryError> {
        AdvisoryStore::affected(self, namespace, names)
    }
}

/// Affected entries held in memory, keyed by namespace and package name.
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    entries: HashMap<(String, String), Vec<AffectedEntry>>,
}

impl MemorySource {
    /// Creates an empty source.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// Adds `entry` under `namespace` and the entry's own package name.
    pub fn add(&mut self, namespace: &str, entry: AffectedEntry) -> &mut MemorySource {
        self.entries.entry((namespace.to_owned(), entry.package.clone())).or_default().push(entry);
        self
    }
}

impl AdvisorySource for MemorySource {
    fn affected(&self, namespace: &str, names: &[&str]) -> Result<Vec<AffectedEntry>, AdvisoryError> {
        let found = names
            .iter()
            .filter_map(|name| self.entries.get(&(namespace.to_owned(), (*name).to_owned())))
            .flatten()
            .cloned()
            .collect();
        Ok(found)
    }
}
