//! The squashed file system: layers applied from the base up with the OCI image spec's rules.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::Serialize;

use crate::layer::{LayerContents, MAX_WARNINGS_PER_LAYER, warning};
use crate::{Entry, EntryKind, ImagePath, Warning, WarningKind};

/// One path of the squashed view: the topmost entry and the layer it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The entry.
    #[serde(flatten)]
    pub entry: Entry,
    /// The layer that wrote it, from 0 at the base.
    pub layer: usize,
}

/// The warnings of one layer's squash, capped like the layer's own.
#[derive(Debug, Default)]
pub(crate) struct LayerWarnings {
    pub(crate) kept: Vec<Warning>,
    pub(crate) suppressed: u64,
}

impl LayerWarnings {
    fn push(&mut self, warning: Warning) {
        if self.kept.len() < MAX_WARNINGS_PER_LAYER {
            self.kept.push(warning);
        } else {
            self.suppressed += 1;
        }
    }
}

fn parent_bytes(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|b| *b == b'/') {
        Some(slash) => &path[..slash],
        None => &[],
    }
}

/// The file system a container of the image would see.
#[derive(Debug, Default)]
pub struct FileTree {
    nodes: BTreeMap<ImagePath, Node>,
}

impl FileTree {
    /// Applies one layer on top of the tree.
    ///
    /// The layer's whiteouts and opaque markers hide lower content only, so they are applied
    /// before the layer's own entries, whatever their order in the tar (OCI image spec, "Whiteouts").
    /// An entry then replaces the path below it. When anything but a directory replaces a
    /// directory, the lower directory's whole subtree goes with it, as on extraction. Duplicate
    /// paths and hardlinks to nothing within the layer are reported here, where both are cheap to
    /// see.
    pub(crate) fn apply(&mut self, layer: usize, contents: &LayerContents) -> LayerWarnings {
        let mut warnings = LayerWarnings::default();

        for directory in &contents.opaque_dirs {
            self.remove_descendants(directory);
        }
        for hidden in &contents.whiteouts {
            self.nodes.remove(hidden);
            self.remove_descendants(hidden);
        }

        let mut checked_parent: &[u8] = &[];
        for (path, entry) in &contents.entries {
            // Tars list siblings together, so most entries share the parent checked just before.
            let parent = parent_bytes(path.as_bytes());
            if parent != checked_parent {
                self.replace_non_directory_ancestor(layer, path, &mut warnings);
                checked_parent = parent;
            }
            if let EntryKind::Hardlink { target } = &entry.kind
                && self.nodes.get(target).is_none_or(|node| node.layer != layer)
            {
                let kind = WarningKind::HardlinkTargetMissing { target: target.clone() };
                warnings.push(warning(layer, path, kind));
            }

            let replaced = self.nodes.insert(path.clone(), Node { entry: entry.clone(), layer });
            if replaced.as_ref().is_some_and(|old| old.layer == layer) {
                warnings.push(warning(layer, path, WarningKind::DuplicateEntry));
            }
            // Anything but a directory hides what lay below its path, including entries whose
            // folder entry the tar omitted.
            if !entry.is_dir() {
                self.remove_descendants(path);
            }
        }
        warnings
    }

    /// Drops the non-directory (a file or a symlink) that stands where `path` needs a folder,
    /// because overlay filesystems show a directory there.
    ///
    /// No node of the tree ever has a non-directory ancestor: inserting a non-directory removes
    /// its subtree. So the walk up stops at the first ancestor that exists.
    fn replace_non_directory_ancestor(&mut self, layer: usize, path: &ImagePath, warnings: &mut LayerWarnings) {
        let mut ancestor = parent_bytes(path.as_bytes());
        while !ancestor.is_empty() {
            if let Some(node) = self.nodes.get(ancestor) {
                if !node.entry.is_dir() {
                    let key = ImagePath::from_tar_name(ancestor).unwrap_or_default();
                    self.nodes.remove(ancestor);
                    warnings.push(warning(layer, &key, WarningKind::ParentNotDirectory { child: path.clone() }));
                }
                return;
            }
            ancestor = parent_bytes(ancestor);
        }
    }

    fn remove_descendants(&mut self, path: &ImagePath) {
        let (low, high) = path.descendant_bounds();
        let doomed: Vec<ImagePath> = self
            .nodes
            .range((Bound::Included(low), Bound::Excluded(high)))
            .map(|(key, _)| key.clone())
            .collect();
        for key in doomed {
            self.nodes.remove(&key);
        }
    }

    /// Returns the node at `path`, without following symlinks.
    pub fn get(&self, path: &ImagePath) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Returns the node at a path given as normalized bytes.
    pub(crate) fn get_bytes(&self, path: &[u8]) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Tells whether any path lies below `path`, given as normalized bytes.
    pub(crate) fn has_descendants(&self, path: &[u8]) -> bool {
        let mut low = path.to_vec();
        low.push(b'/');
        let mut high = path.to_vec();
        high.push(b'0');
        self.nodes.range::<[u8], _>((Bound::Included(low.as_slice()), Bound::Excluded(high.as_slice()))).next().is_some()
    }

    /// Iterates over every path in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&ImagePath, &Node)> {
        self.nodes.iter()
    }

    /// Returns the number of paths.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Tells whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Returns the number of regular files (hardlinks not included).
    pub fn regular_file_count(&self) -> usize {
        self.nodes.values().filter(|node| node.entry.is_file()).count()
    }

    /// Iterates over the direct and indirect children of `path`.
    pub fn descendants(&self, path: &ImagePath) -> impl Iterator<Item = (&ImagePath, &Node)> {
        let (low, high) = path.descendant_bounds();
        self.nodes.range((Bound::Included(low), Bound::Excluded(high)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Entry {
        Entry { kind: EntryKind::File, size: 1, mode: 0o644, uid: 0, gid: 0 }
    }

    fn dir() -> Entry {
        Entry { kind: EntryKind::Directory, size: 0, mode: 0o755, uid: 0, gid: 0 }
    }

    fn symlink(target: &str) -> Entry {
        Entry { kind: EntryKind::Symlink { target: target.as_bytes().into() }, size: 0, mode: 0o777, uid: 0, gid: 0 }
    }

    fn layer(entries: &[(&str, Entry)]) -> LayerContents {
        LayerContents {
            entries: entries.iter().map(|(path, entry)| (ImagePath::new(path), entry.clone())).collect(),
            ..LayerContents::default()
        }
    }

    fn paths(tree: &FileTree) -> Vec<String> {
        tree.iter().map(|(path, _)| path.to_string()).collect()
    }

    #[test]
    fn upper_file_overrides_lower() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("etc", dir()), ("etc/motd", file())]));
        tree.apply(1, &layer(&[("etc/motd", Entry { size: 9, ..file() })]));

        let node = tree.get(&ImagePath::new("etc/motd")).unwrap();
        assert_eq!(node.layer, 1);
        assert_eq!(node.entry.size, 9);
    }

    #[test]
    fn whiteout_removes_file_and_subtree() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("a", dir()), ("a/b", dir()), ("a/b/c", file()), ("a/bc", file())]));
        let mut upper = layer(&[]);
        upper.whiteouts.push(ImagePath::new("a/b"));
        tree.apply(1, &upper);

        assert_eq!(paths(&tree), ["/a", "/a/bc"]);
    }

    #[test]
    fn opaque_hides_lower_children_only() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("d", dir()), ("d/old1", file()), ("d/sub", dir()), ("d/sub/old2", file())]));
        let mut upper = layer(&[("d", dir()), ("d/new", file())]);
        upper.opaque_dirs.push(ImagePath::new("d"));
        tree.apply(1, &upper);

        assert_eq!(paths(&tree), ["/d", "/d/new"]);
    }

    #[test]
    fn whiteout_spares_same_layer_entry() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("f", file())]));
        let mut upper = layer(&[("f", Entry { size: 5, ..file() })]);
        upper.whiteouts.push(ImagePath::new("f"));
        tree.apply(1, &upper);

        assert_eq!(tree.get(&ImagePath::new("f")).unwrap().entry.size, 5);
    }

    #[test]
    fn symlink_replacing_directory_hides_subtree() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("app", dir()), ("app/lib", dir()), ("app/lib/log4j-core-2.14.1.jar", file())]));
        tree.apply(1, &layer(&[("app/lib", symlink("/opt/lib"))]));

        assert_eq!(paths(&tree), ["/app", "/app/lib"]);
    }

    #[test]
    fn entry_under_lower_file_replaces_it() {
        let mut tree = FileTree::default();
        tree.apply(0, &layer(&[("x", file())]));
        let warnings = tree.apply(1, &layer(&[("x/y", file())])).kept;

        assert_eq!(paths(&tree), ["/x/y"]);
        assert_eq!(warnings.len(), 1);
        assert!(matches!(warnings[0].kind, WarningKind::ParentNotDirectory { .. }));
    }
}
