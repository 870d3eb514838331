//! Sections 1 and 3: the host's docker group and audit rules, and the ownership and permissions
//! of the daemon's files and sockets, read under a host root folder.

mod files;

use std::io::Read as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use crate::checklist::Parameters;
use crate::daemon::DaemonConfig;
use crate::outcome::{CheckFn, Outcome};

/// The largest /etc/group or audit rules file read.
const MAX_TEXT_FILE_BYTES: u64 = 4 << 20;

/// The largest `/proc/PID/comm` read; the kernel writes at most 16 bytes.
const MAX_COMM_BYTES: u64 = 64;

/// The largest `/proc/PID/cmdline` read.
const MAX_COMMAND_LINE_BYTES: u64 = 1 << 20;

/// Processes scanned at most when looking for dockerd under `/proc`.
const MAX_PROCESSES: usize = 100_000;

/// The host's file system, seen from a root folder (`/` for the machine itself).
#[derive(Clone, Debug)]
pub struct HostRoot {
    root: PathBuf,
}

/// Failure to use a host file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file exists but cannot be read.
    PermissionDenied {
        /// The path as shown.
        path: String,
    },
    /// The file is larger than the limit or not valid for its format.
    Invalid {
        /// The path as shown.
        path: String,
        /// The problem.
        reason: String,
    },
    /// Another I/O failure.
    Io {
        /// The path as shown.
        path: String,
        /// The error.
        reason: String,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::PermissionDenied { path } => {
                write!(f, "permission denied reading `{path}`; run as root")
            }
            ReadError::Invalid { path, reason } => write!(f, "invalid `{path}`: {reason}"),
            ReadError::Io { path, reason } => write!(f, "failed to read `{path}`: {reason}"),
        }
    }
}

/// Owner, group and permission bits of a host file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ownership {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) mode: u32,
}

impl HostRoot {
    /// Uses `root` as the host's `/`.
    pub fn new(root: &Path) -> Result<HostRoot, crate::BenchError> {
        if !root.is_dir() {
            return Err(crate::BenchError::HostRoot {
                path: root.to_owned(),
            });
        }
        Ok(HostRoot {
            root: root.to_owned(),
        })
    }

    /// Returns the host path under the root, for a path relative to the host's `/`.
    fn resolve(&self, relative: &Path) -> PathBuf {
        self.root
            .join(relative.strip_prefix("/").unwrap_or(relative))
    }

    /// Returns the path as shown to users: absolute on the host, with the root prefix when it is not `/`.
    pub(crate) fn display(&self, relative: &Path) -> String {
        self.resolve(relative).display().to_string()
    }

    fn error(&self, relative: &Path, error: &std::io::Error) -> ReadError {
        let path = self.display(relative);
        match error.kind() {
            std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied { path },
            _ => ReadError::Io {
                path,
                reason: error.to_string(),
            },
        }
    }

    /// Reads a file of at most `limit` bytes; `None` when it does not exist.
    pub(crate) fn read_bounded(
        &self,
        relative: &Path,
        limit: u64,
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let file = match std::fs::File::open(self.resolve(relative)) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(self.error(relative, &error)),
        };
        let mut bytes = Vec::new();
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| self.error(relative, &error))?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::Invalid {
                path: self.display(relative),
                reason: format!("larger than {limit} bytes"),
            });
        }
        Ok(Some(bytes))
    }

    /// Reads a text file; `None` when it does not exist.
    pub(crate) fn read_text(&self, relative: &Path) -> Result<Option<String>, ReadError> {
        Ok(self
            .read_bounded(relative, MAX_TEXT_FILE_BYTES)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Returns owner, group and mode, following symlinks; `None` when the path does not exist.
    pub(crate) fn ownership(&self, relative: &Path) -> Result<Option<Ownership>, ReadError> {
        match std::fs::metadata(self.resolve(relative)) {
            Ok(metadata) => Ok(Some(Ownership {
                uid: metadata.uid(),
                gid: metadata.gid(),
                mode: metadata.mode() & 0o7777,
            })),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(self.error(relative, &error)),
        }
    }

    /// Lists the entries of a folder as paths relative to the host's `/`; empty when it does not exist.
    pub(crate) fn list(&self, relative: &Path) -> Result<Vec<PathBuf>, ReadError> {
        let entries = match std::fs::read_dir(self.resolve(relative)) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(self.error(relative, &error)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| relative.join(entry.file_name()))
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Returns the arguments of the first process named `name` under `/proc`, without the program.
    pub(crate) fn process_args(&self, name: &str) -> Option<Vec<String>> {
        let processes = std::fs::read_dir(self.resolve(Path::new("proc"))).ok()?;
        for entry in processes.filter_map(Result::ok).take(MAX_PROCESSES) {
            let file_name = entry.file_name();
            if !file_name
                .to_string_lossy()
                .bytes()
                .all(|byte| byte.is_ascii_digit())
            {
                continue;
            }
            let process = Path::new("proc").join(&file_name);
            let comm = self
                .read_bounded(&process.join("comm"), MAX_COMM_BYTES)
                .ok()
                .flatten()
                .unwrap_or_default();
            if String::from_utf8_lossy(&comm).trim() != name {
                continue;
            }
            let command_line = self
                .read_bounded(&process.join("cmdline"), MAX_COMMAND_LINE_BYTES)
                .ok()??;
            let args = command_line
                .split(|byte| *byte == 0)
                .filter(|arg| !arg.is_empty())
                .skip(1)
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect();
            return Some(args);
        }
        None
    }
}

/// Input of the host and daemon-file checks.
pub(crate) struct HostSubject<'a> {
    pub(crate) root: &'a HostRoot,
    pub(crate) config: Option<&'a DaemonConfig>,
    pub(crate) rootless: bool,
}

/// Returns the host and daemon-file checks, in report order.
pub(crate) fn host_table<'a>() -> [(&'static str, CheckFn<HostSubject<'a>>); 19] {
    [
        ("CIS-1.1.2", docker_group),
        ("CIS-1.1.3", |subject, _| {
            audited(subject, &["/usr/bin/dockerd", "/usr/sbin/dockerd"])
        }),
        ("CIS-1.1.4", |subject, _| {
            audited(subject, &["/run/containerd"])
        }),
        ("CIS-1.1.5", |subject, _| {
            audited(subject, &["/var/lib/docker"])
        }),
        ("CIS-1.1.6", |subject, _| audited(subject, &["/etc/docker"])),
        ("CIS-1.1.7", |subject, _| {
            audited_unit(subject, "docker.service")
        }),
        ("CIS-1.1.9", |subject, _| {
            audited_unit(subject, "docker.socket")
        }),
        ("CIS-1.1.11", |subject, _| {
            audited(subject, &["/etc/docker/daemon.json"])
        }),
        ("CIS-1.1.14", |subject, _| {
            audited(subject, &["/usr/bin/containerd", "/usr/sbin/containerd"])
        }),
        ("CIS-1.1.18", |subject, _| {
            audited(subject, &["/usr/bin/runc", "/usr/sbin/runc"])
        }),
        ("CIS-3.1", files::service_unit),
        ("CIS-3.3", files::socket_unit),
        ("CIS-3.5", files::config_folder),
        ("CIS-3.7", files::registry_certificates),
        ("CIS-3.9", files::tls_files),
        ("CIS-3.15", files::docker_socket),
        ("CIS-3.17", files::daemon_json),
        ("CIS-3.19", files::default_file),
        ("CIS-3.23", files::containerd_socket),
    ]
}

/// Folders where systemd units of packages and administrators live.
pub(crate) const UNIT_FOLDERS: &[&str] = &[
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/etc/systemd/system",
];

fn docker_group(subject: &HostSubject<'_>, parameters: &Parameters) -> Outcome {
    let group = match subject.root.read_text(Path::new("etc/group")) {
        Ok(Some(group)) => group,
        Ok(None) => {
            return Outcome::not_run(format!(
                "no `{}`",
                subject.root.display(Path::new("etc/group"))
            ));
        }
        Err(error) => return Outcome::not_run(error.to_string()),
    };
    let members: Vec<&str> = group
        .lines()
        .filter_map(|line| line.strip_prefix("docker:"))
        .flat_map(|rest| rest.splitn(3, ':').nth(2).unwrap_or("").split(','))
        .filter(|member| !member.is_empty())
        .collect();
    let untrusted = members
        .into_iter()
        .filter(|member| {
            !parameters
                .trusted_docker_users
                .iter()
                .any(|trusted| trusted == member)
        })
        .map(|member| format!("`{member}` is in the docker group"))
        .collect();
    Outcome::from_problems(untrusted)
}

/// Reads every audit rule line of `/etc/audit/audit.rules` and `/etc/audit/rules.d/*.rules`.
fn audit_rules(root: &HostRoot) -> Result<Option<Vec<String>>, ReadError> {
    let mut files = vec![PathBuf::from("etc/audit/audit.rules")];
    files.extend(
        root.list(Path::new("etc/audit/rules.d"))?
            .into_iter()
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "rules")
            }),
    );
    let mut lines = Vec::new();
    let mut found = false;
    for file in files {
        if let Some(text) = root.read_text(&file)? {
            found = true;
            lines.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.starts_with('#'))
                    .map(str::to_owned),
            );
        }
    }
    Ok(found.then_some(lines))
}

/// Passes when an audit rule watches any of the paths: `-w PATH` or `-F path=PATH`.
fn audited(subject: &HostSubject<'_>, paths: &[&str]) -> Outcome {
    if subject.rootless {
        return Outcome::not_run(
            "rootless daemon: its files are under the user's home, not the host paths the rule names",
        );
    }
    let rules = match audit_rules(subject.root) {
        Ok(Some(rules)) => rules,
        Ok(None) => {
            return Outcome::warn(
                "no audit rules (`/etc/audit/audit.rules` and `/etc/audit/rules.d/` are missing)",
            );
        }
        Err(error) => return Outcome::not_run(error.to_string()),
    };
    let watched = rules.iter().any(|rule| {
        let words: Vec<&str> = rule.split_whitespace().collect();
        paths.iter().any(|path| {
            words.windows(2).any(|pair| pair == ["-w", *path])
                || words.contains(&format!("path={path}").as_str())
        })
    });
    if watched {
        Outcome::pass()
    } else {
        Outcome::warn(format!("no audit rule watches {}", paths.join(" or ")))
    }
}

/// Audits the unit's real path; without the unit on the host the check does not apply.
fn audited_unit(subject: &HostSubject<'_>, unit: &str) -> Outcome {
    let existing: Vec<String> = UNIT_FOLDERS
        .iter()
        .map(|folder| format!("{folder}/{unit}"))
        .filter(|path| {
            subject
                .root
                .ownership(Path::new(path))
                .ok()
                .flatten()
                .is_some()
        })
        .collect();
    if existing.is_empty() {
        return Outcome::note(format!("no {unit} unit on the host"));
    }
    audited(
        subject,
        &existing.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}
