//! Image checks that read the squashed file system.

use std::collections::BTreeSet;

use stowaway_image::{ImagePath, Node};

use super::ImageSubject;
use crate::checklist::Parameters;
use crate::outcome::Outcome;

/// The reason given when the caller did not read the image's files.
const FILES_NOT_READ: &str = "the image's files were not read";

/// Folders whose files are package-manager caches or indexes.
const CACHE_FOLDERS: &[&str] = &[
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/apk",
    "var/cache/yum",
    "var/cache/dnf",
    "root/.cache/pip",
    "root/.npm/_cacache",
    "usr/local/share/.cache/yarn",
];

/// Files inside cache folders that belong to an empty cache.
const CACHE_SKELETON: &[&str] = &["lock", "partial"];

/// File names of SSH private keys.
const SSH_KEY_NAMES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_ecdsa_sk",
    "id_ed25519_sk",
];

/// Path endings of cloud and registry credentials.
const CREDENTIAL_SUFFIXES: &[&str] = &[
    ".aws/credentials",
    ".aws/config",
    ".config/gcloud/credentials.db",
    ".config/gcloud/access_tokens.db",
    ".config/gcloud/application_default_credentials.json",
    ".azure/accessTokens.json",
    ".azure/msal_token_cache.json",
    ".kube/config",
    ".docker/config.json",
];

/// Runs `find` over the regular files of the view, or reports the check as not run without one.
fn over_files(subject: &ImageSubject<'_>, find: impl Fn(&str, &Node) -> Option<String>) -> Outcome {
    let Some(view) = subject.view else {
        return Outcome::not_run(FILES_NOT_READ);
    };
    let problems = view
        .tree
        .iter()
        .filter(|(_, node)| node.entry.is_file())
        .filter_map(|(path, node)| find(&String::from_utf8_lossy(path.as_bytes()), node))
        .collect();
    Outcome::from_problems(problems)
}

pub(super) fn package_caches(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let Some(view) = subject.view else {
        return Outcome::not_run(FILES_NOT_READ);
    };
    let problems = CACHE_FOLDERS
        .iter()
        .filter_map(|folder| {
            let (count, bytes) = view
                .tree
                .descendants(&ImagePath::new(folder))
                .filter(|(path, node)| node.entry.is_file() && !is_skeleton(path))
                .fold((0u64, 0u64), |(count, bytes), (_, node)| {
                    (count + 1, bytes + node.entry.size)
                });
            (count > 0).then(|| format!("/{folder}: {count} files, {bytes} bytes"))
        })
        .collect();
    Outcome::from_problems(problems)
}

fn is_skeleton(path: &ImagePath) -> bool {
    let text = String::from_utf8_lossy(path.as_bytes());
    text.split('/')
        .any(|component| CACHE_SKELETON.contains(&component))
}

pub(super) fn setuid_files(subject: &ImageSubject<'_>, parameters: &Parameters) -> Outcome {
    over_files(subject, |path, node| {
        let absolute = format!("/{path}");
        let special = node.entry.mode & 0o6000;
        (special != 0 && !parameters.allowed_setuid.contains(&absolute))
            .then(|| format!("{absolute} (mode {:o})", node.entry.mode & 0o7777))
    })
}

pub(super) fn git_folders(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let Some(view) = subject.view else {
        return Outcome::not_run(FILES_NOT_READ);
    };

    // A layer may hold the files of a `.git` folder without an entry for the folder itself.
    let folders: BTreeSet<String> = view
        .tree
        .iter()
        .filter_map(|(path, _)| {
            let text = String::from_utf8_lossy(path.as_bytes());
            let end = text.split('/').position(|component| component == ".git")?;
            Some(format!(
                "/{}",
                text.split('/').take(end + 1).collect::<Vec<_>>().join("/")
            ))
        })
        .collect();
    Outcome::from_problems(folders.into_iter().collect())
}

/// Warns on private keys anywhere, host keys under /etc/ssh, and any file in a `.ssh` folder.
pub(super) fn ssh_material(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    over_files(subject, |path, _| {
        let name = path.rsplit('/').next().unwrap_or(path);
        let in_ssh_folder = path
            .split('/')
            .rev()
            .skip(1)
            .any(|component| component == ".ssh");
        let host_key = path.starts_with("etc/ssh/ssh_host_") && path.ends_with("_key");
        (in_ssh_folder || host_key || SSH_KEY_NAMES.contains(&name)).then(|| format!("/{path}"))
    })
}

pub(super) fn cloud_credentials(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    over_files(subject, |path, _| {
        CREDENTIAL_SUFFIXES
            .iter()
            .any(|suffix| {
                path.ends_with(suffix)
                    && (path.len() == suffix.len()
                        || path[..path.len() - suffix.len()].ends_with('/'))
            })
            .then(|| format!("/{path}"))
    })
}
