//! Section 3: ownership and permissions of the daemon's files and sockets.

use std::path::Path;

use super::{HostSubject, Ownership, UNIT_FOLDERS};
use crate::checklist::Parameters;
use crate::outcome::Outcome;

/// Required owner of a file: root, with group root or the docker group.
#[derive(Clone, Copy)]
enum Owner {
    Root,
    RootDockerGroup,
}

/// One rule: the file, who owns it, and the widest permission bits allowed.
struct Rule<'a> {
    path: &'a str,
    owner: Owner,
    max_mode: u32,
}

/// Checks each existing path against its rule; a check whose files all are missing does not apply.
fn check_rules(subject: &HostSubject<'_>, rules: &[Rule<'_>], missing: &str) -> Outcome {
    let docker_gid = docker_group_id(subject);
    let mut problems = Vec::new();
    let mut found = false;
    for rule in rules {
        let ownership = match subject.root.ownership(Path::new(rule.path)) {
            Ok(Some(ownership)) => ownership,
            Ok(None) => continue,
            Err(error) => return Outcome::not_run(error.to_string()),
        };
        found = true;
        problems.extend(problem(subject, rule, ownership, docker_gid));
    }
    if found {
        Outcome::from_problems(problems)
    } else {
        Outcome::note(missing)
    }
}

fn problem(
    subject: &HostSubject<'_>,
    rule: &Rule<'_>,
    ownership: Ownership,
    docker_gid: Option<u32>,
) -> Option<String> {
    let group_ok = match rule.owner {
        Owner::Root => ownership.gid == 0,
        Owner::RootDockerGroup => ownership.gid == 0 || Some(ownership.gid) == docker_gid,
    };
    let mode_ok = ownership.mode & !rule.max_mode & 0o7777 == 0;
    if ownership.uid == 0 && group_ok && mode_ok {
        return None;
    }
    let expected_group = match rule.owner {
        Owner::Root => "root",
        Owner::RootDockerGroup => "docker",
    };
    Some(format!(
        "{}: owner {}:{} mode {:o}, expected root:{expected_group} with mode {:o} or stricter",
        subject.root.display(Path::new(rule.path)),
        ownership.uid,
        ownership.gid,
        ownership.mode,
        rule.max_mode
    ))
}

fn docker_group_id(subject: &HostSubject<'_>) -> Option<u32> {
    let group = subject
        .root
        .read_text(Path::new("etc/group"))
        .ok()
        .flatten()?;
    group.lines().find_map(|line| {
        line.strip_prefix("docker:")?
            .split(':')
            .nth(1)?
            .parse()
            .ok()
    })
}

fn rootful(subject: &HostSubject<'_>) -> Option<Outcome> {
    subject.rootless.then(|| {
        Outcome::not_run("rootless daemon: its sockets and files are under the user's home")
    })
}

fn units<'a>(unit: &str, paths: &'a mut Vec<String>) -> Vec<Rule<'a>> {
    *paths = UNIT_FOLDERS
        .iter()
        .map(|folder| format!("{folder}/{unit}"))
        .collect();
    paths
        .iter()
        .map(|path| Rule {
            path,
            owner: Owner::Root,
            max_mode: 0o644,
        })
        .collect()
}

pub(super) fn service_unit(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    let mut paths = Vec::new();
    rootful(subject).unwrap_or_else(|| {
        check_rules(
            subject,
            &units("docker.service", &mut paths),
            "no docker.service unit on the host",
        )
    })
}

pub(super) fn socket_unit(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    let mut paths = Vec::new();
    rootful(subject).unwrap_or_else(|| {
        check_rules(
            subject,
            &units("docker.socket", &mut paths),
            "no docker.socket unit on the host",
        )
    })
}

pub(super) fn config_folder(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    rootful(subject).unwrap_or_else(|| {
        check_rules(
            subject,
            &[Rule {
                path: "/etc/docker",
                owner: Owner::Root,
                max_mode: 0o755,
            }],
            "no /etc/docker on the host",
        )
    })
}

pub(super) fn registry_certificates(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    if let Some(outcome) = rootful(subject) {
        return outcome;
    }
    let registries = match subject.root.list(Path::new("/etc/docker/certs.d")) {
        Ok(registries) => registries,
        Err(error) => return Outcome::not_run(error.to_string()),
    };
    let mut files = Vec::new();
    for registry in registries {
        match subject.root.list(&registry) {
            Ok(entries) => files.extend(entries.into_iter().map(|path| path.display().to_string())),
            Err(error) => return Outcome::not_run(error.to_string()),
        }
    }
    let rules: Vec<Rule<'_>> = files
        .iter()
        .map(|path| Rule {
            path,
            owner: Owner::Root,
            max_mode: 0o444,
        })
        .collect();
    check_rules(
        subject,
        &rules,
        "no registry certificates under /etc/docker/certs.d",
    )
}

pub(super) fn tls_files(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    let Some(config) = subject.config else {
        return Outcome::not_run("the daemon configuration could not be read");
    };
    let files: Vec<(String, u32)> = [("tlscacert", 0o444), ("tlscert", 0o444), ("tlskey", 0o400)]
        .into_iter()
        .filter_map(|(setting, mode)| config.setting(setting).map(|path| (path, mode)))
        .collect();
    let rules: Vec<Rule<'_>> = files
        .iter()
        .map(|(path, mode)| Rule {
            path,
            owner: Owner::Root,
            max_mode: *mode,
        })
        .collect();
    check_rules(subject, &rules, "the daemon has no TLS files configured")
}

pub(super) fn docker_socket(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    let rules = [
        Rule {
            path: "/var/run/docker.sock",
            owner: Owner::RootDockerGroup,
            max_mode: 0o660,
        },
        Rule {
            path: "/run/docker.sock",
            owner: Owner::RootDockerGroup,
            max_mode: 0o660,
        },
    ];
    // `/var/run` is usually a link to `/run`, so the same socket must be reported once.
    let rules = if is_link(subject, "var/run") {
        &rules[..1]
    } else {
        &rules[..]
    };
    rootful(subject)
        .unwrap_or_else(|| check_rules(subject, rules, "no Docker socket at /var/run/docker.sock"))
}

fn is_link(subject: &HostSubject<'_>, relative: &str) -> bool {
    std::fs::symlink_metadata(subject.root.display(Path::new(relative)))
        .is_ok_and(|metadata| metadata.file_type().is_symlink())
}

pub(super) fn daemon_json(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    rootful(subject).unwrap_or_else(|| {
        check_rules(
            subject,
            &[Rule {
                path: "/etc/docker/daemon.json",
                owner: Owner::Root,
                max_mode: 0o644,
            }],
            "no /etc/docker/daemon.json on the host",
        )
    })
}

pub(super) fn default_file(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    check_rules(
        subject,
        &[Rule {
            path: "/etc/default/docker",
            owner: Owner::Root,
            max_mode: 0o644,
        }],
        "no /etc/default/docker on the host",
    )
}

/// Checks the system containerd's socket and the one a dockerd-managed containerd uses.
pub(super) fn containerd_socket(subject: &HostSubject<'_>, _: &Parameters) -> Outcome {
    let rules = [
        Rule {
            path: "/run/containerd/containerd.sock",
            owner: Owner::Root,
            max_mode: 0o660,
        },
        Rule {
            path: "/run/docker/containerd/containerd.sock",
            owner: Owner::Root,
            max_mode: 0o660,
        },
    ];
    rootful(subject)
        .unwrap_or_else(|| check_rules(subject, &rules, "no containerd socket under /run"))
}
