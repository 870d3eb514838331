//! Checks on the final file system's metadata: setuid files, executables in temporary or hidden
//! folders, systemd units and miner file names, each weighed against what OS packages own.

use stowaway_image::{FileTree, ImagePath, Node};

use crate::candidate::Candidate;
use crate::heuristics::heuristic_by_id;
use crate::packages::PackageFiles;

/// The base layer, whose content is the distribution the image starts from.
const BASE_LAYER: usize = 0;

/// File names of widely deployed cryptocurrency miners and of the Kinsing miner.
const MINER_FILE_NAMES: &[&str] =
    &["xmrig", "xmrig-notls", "xmr-stak", "xmr-stak-cpu", "cpuminer", "cpuminer-multi", "minerd", "ccminer", "nbminer", "lolminer", "t-rex", "ethminer", "kdevtmpfsi"];

/// Folders of systemd unit files.
const UNIT_DIRS: &[&str] = &["etc/systemd/system/", "lib/systemd/system/", "usr/lib/systemd/system/"];

/// Temporary folders, which are for data, not programs.
const TEMP_DIRS: &[&str] = &["tmp/", "var/tmp/", "dev/shm/"];

/// Checks every regular file of the squashed `tree`.
pub(crate) fn check(tree: &FileTree, packages: &PackageFiles) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (path, node) in tree.iter() {
        if !node.entry.is_file() {
            continue;
        }
        let absolute = path.to_string();
        let owned = packages.owns(&absolute);
        found.extend(check_file(path, &absolute, node, owned));
    }
    found
}

fn check_file(path: &ImagePath, absolute: &str, node: &Node, owned: bool) -> Vec<Candidate> {
    let mut found = Vec::new();
    let text = String::from_utf8_lossy(path.as_bytes());
    let name = String::from_utf8_lossy(path.file_name());
    let mode = node.entry.mode;
    let executable = mode & 0o111 != 0;
    let at = |id: &str, why: String| Candidate::heuristic(heuristic_by_id(id), Some(absolute.to_owned()), Some(node.layer), Some(format!("mode {mode:o}")), why);

    if MINER_FILE_NAMES.iter().any(|miner| name.eq_ignore_ascii_case(miner)) {
        found.push(at("miner-file-name", format!("the file is named `{name}`, like a known miner")));
    }
    if executable && mode & 0o6000 != 0 && node.layer > BASE_LAYER && !owned {
        found.push(at("setuid-added", format!("layer {} added this setuid/setgid executable and no OS package lists it", node.layer)));
    }
    if executable && TEMP_DIRS.iter().any(|dir| text.starts_with(dir)) {
        found.push(at("executable-in-temp", "temporary folders hold data; an executable there is usually a dropped payload".to_owned()));
    }
    if executable && !owned && in_hidden_dir(path) {
        found.push(at("executable-in-hidden-dir", "an executable inside a folder whose name starts with `.` is hidden from a plain `ls`".to_owned()));
    }
    let is_unit = UNIT_DIRS.iter().any(|dir| text.starts_with(dir)) && [".service", ".timer", ".socket", ".path"].iter().any(|ext| name.ends_with(ext));
    if is_unit && node.layer > BASE_LAYER && !owned {
        found.push(at("persistence-systemd-unit", format!("layer {} added this unit and no OS package lists it", node.layer)));
    }
    found
}

/// Tells whether a folder on the path (not the file itself) has a name that starts with `.`.
fn in_hidden_dir(path: &ImagePath) -> bool {
    let components: Vec<&[u8]> = path.components().collect();
    let folders = &components[..components.len().saturating_sub(1)];
    folders.iter().any(|component| component.first() == Some(&b'.') && *component != b"." && *component != b"..")
}

#[cfg(test)]
mod tests {
    use stowaway_image::{Entry, EntryKind};

    use super::*;

    fn node(mode: u32, layer: usize) -> Node {
        Node { entry: Entry { kind: EntryKind::File, size: 10, mode, uid: 0, gid: 0 }, layer }
    }

    fn ids(path: &str, mode: u32, layer: usize, owned: bool) -> Vec<String> {
        let path = ImagePath::new(path);
        check_file(&path, &path.to_string(), &node(mode, layer), owned).into_iter().map(|c| c.rule_id).collect()
    }

    #[test]
    fn setuid_after_base_outside_packages() {
        assert_eq!(ids("usr/local/bin/helper", 0o4755, 1, false), ["setuid-added"]);
        assert!(ids("usr/bin/passwd", 0o4755, 1, true).is_empty());
        assert!(ids("usr/bin/su", 0o4755, 0, false).is_empty());
    }

    #[test]
    fn executables_in_temp_and_hidden_dirs() {
        assert_eq!(ids("dev/shm/run", 0o755, 1, false), ["executable-in-temp"]);
        assert_eq!(ids("var/tmp/.x/update", 0o755, 1, false), ["executable-in-temp", "executable-in-hidden-dir"]);
        assert!(ids("tmp/notes.txt", 0o644, 1, false).is_empty());
        assert!(ids("root/.bashrc", 0o644, 1, false).is_empty());
    }

    #[test]
    fn miner_names_and_units() {
        assert_eq!(ids("usr/local/bin/xmrig", 0o755, 1, false), ["miner-file-name"]);
        assert!(ids("usr/local/bin/xmrig-report.txt", 0o644, 1, false).is_empty());
        assert_eq!(ids("etc/systemd/system/update.service", 0o644, 2, false), ["persistence-systemd-unit"]);
        assert!(ids("lib/systemd/system/cron.service", 0o644, 2, true).is_empty());
    }
}
