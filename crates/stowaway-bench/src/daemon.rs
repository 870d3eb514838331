//! Section 2: the daemon's options, from the engine's info, daemon.json and the daemon's command line.

use std::path::Path;

use bollard::models::{SystemInfo, SystemInfoCgroupDriverEnum};

use crate::checklist::Parameters;
use crate::host::{HostRoot, ReadError};
use crate::outcome::{CheckFn, Outcome};

/// The largest daemon.json read.
const MAX_DAEMON_JSON_BYTES: u64 = 1 << 20;

/// Loopback ranges the engine always lists as insecure registries.
const DEFAULT_INSECURE_CIDRS: &[&str] = &["127.0.0.0/8", "::1/128"];

/// The daemon's configuration as written: daemon.json and the command line of the running dockerd.
#[derive(Debug, Default)]
pub struct DaemonConfig {
    /// daemon.json's top-level object, empty when the file does not exist.
    pub json: serde_json::Map<String, serde_json::Value>,
    /// dockerd's arguments, without the program name; empty when no dockerd process was found.
    pub args: Vec<String>,
}

impl DaemonConfig {
    /// Reads `/etc/docker/daemon.json` and the first `dockerd` process's command line under the host root.
    pub fn read(root: &HostRoot) -> Result<DaemonConfig, ReadError> {
        let json = match root
            .read_bounded(Path::new("etc/docker/daemon.json"), MAX_DAEMON_JSON_BYTES)?
        {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|error| ReadError::Invalid {
                path: root.display(Path::new("etc/docker/daemon.json")),
                reason: error.to_string(),
            })?,
            None => serde_json::Map::new(),
        };
        let args = root.process_args("dockerd").unwrap_or_default();
        Ok(DaemonConfig { json, args })
    }

    /// Returns a setting as text, from the command line (`--name=value`, `--name value`, a bare
    /// `--name` for true) or else from daemon.json. The command line wins, as in dockerd.
    pub fn setting(&self, name: &str) -> Option<String> {
        let flag = format!("--{name}");
        for (position, argument) in self.args.iter().enumerate() {
            if let Some(value) = argument
                .strip_prefix(&flag)
                .and_then(|rest| rest.strip_prefix('='))
            {
                return Some(value.to_owned());
            }
            if *argument == flag {
                let next = self
                    .args
                    .get(position + 1)
                    .filter(|next| !next.starts_with('-'));
                return Some(next.cloned().unwrap_or_else(|| "true".to_owned()));
            }
        }
        self.json.get(name).map(|value| match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// Returns every value of a repeatable option: each `--flag=value` or `--flag value` on the
    /// command line, else the daemon.json `key` as a list (an array's strings, an object's entries
    /// as `NAME=VALUE`, a single string). dockerd refuses to start when an option is in both places.
    pub fn values(&self, flag: &str, key: &str) -> Vec<String> {
        let flag = format!("--{flag}");
        let mut values = Vec::new();
        let mut arguments = self.args.iter();
        while let Some(argument) = arguments.next() {
            if let Some(value) = argument
                .strip_prefix(&flag)
                .and_then(|rest| rest.strip_prefix('='))
            {
                values.push(value.to_owned());
            } else if *argument == flag {
                values.extend(arguments.next().cloned());
            }
        }
        if !values.is_empty() {
            return values;
        }

        match self.json.get(key) {
            Some(serde_json::Value::Array(items)) => items.iter().map(json_text).collect(),
            Some(serde_json::Value::Object(entries)) => entries
                .iter()
                .map(|(name, value)| format!("{name}={}", json_text(value)))
                .collect(),
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(other) => vec![json_text(other)],
        }
    }

    /// Returns the sockets the daemon listens on (`-H`, `--host`, daemon.json `hosts`).
    pub fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .json
            .get("hosts")
            .and_then(|value| value.as_array())
            .into_iter()
            .flatten()
            .filter_map(|host| host.as_str().map(str::to_owned))
            .collect();
        let mut arguments = self.args.iter();
        while let Some(argument) = arguments.next() {
            if let Some(value) = argument
                .strip_prefix("--host=")
                .or_else(|| argument.strip_prefix("-H="))
            {
                hosts.push(value.to_owned());
            } else if argument == "-H" || argument == "--host" {
                hosts.extend(arguments.next().cloned());
            }
        }
        hosts
    }
}

/// Returns a JSON value as the text an option would have on the command line.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        // daemon.json writes a ulimit as `{"Name": "nofile", "Soft": 1024, "Hard": 2048}`.
        serde_json::Value::Object(fields) if fields.contains_key("Soft") => format!(
            "{}:{}",
            fields.get("Soft").map(json_text).unwrap_or_default(),
            fields.get("Hard").map(json_text).unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// Input of the daemon checks. Either source may be missing, and the checks that need it are then not run.
pub(crate) struct DaemonSubject<'a> {
    pub(crate) info: Result<&'a SystemInfo, &'a str>,
    pub(crate) bridge_icc: Option<bool>,
    pub(crate) config: Result<&'a DaemonConfig, &'a str>,
}

impl DaemonSubject<'_> {
    fn security_options(&self) -> Vec<&str> {
        self.info
            .ok()
            .and_then(|info| info.security_options.as_deref())
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .collect()
    }
}

/// Returns the daemon checks, in report order.
pub(crate) fn daemon_table<'a>() -> [(&'static str, CheckFn<DaemonSubject<'a>>); 17] {
    [
        ("CIS-2.1", icc),
        ("CIS-2.2", log_level),
        ("CIS-2.3", iptables),
        ("CIS-2.4", insecure_registries),
        ("CIS-2.5", storage_driver),
        ("CIS-2.6", tcp_tls),
        ("CIS-2.7", default_ulimits),
        ("CIS-2.8", userns),
        ("CIS-2.9", cgroup_parent),
        ("CIS-2.10", base_device_size),
        ("CIS-2.11", authorization),
        ("CIS-2.12", remote_logging),
        ("CIS-2.13", live_restore),
        ("CIS-2.14", userland_proxy),
        ("CIS-2.15", seccomp),
        ("CIS-2.16", experimental),
        ("CIS-2.17", no_new_privileges),
    ]
}

/// Runs `check` on the engine info, or reports why the info is missing.
fn with_info(subject: &DaemonSubject<'_>, check: impl FnOnce(&SystemInfo) -> Outcome) -> Outcome {
    match subject.info {
        Ok(info) => check(info),
        Err(reason) => Outcome::not_run(reason),
    }
}

/// Runs `check` on the daemon configuration, or reports why it is missing.
fn with_config(
    subject: &DaemonSubject<'_>,
    check: impl FnOnce(&DaemonConfig) -> Outcome,
) -> Outcome {
    match subject.config {
        Ok(config) => check(config),
        Err(reason) => Outcome::not_run(reason),
    }
}

/// Reads the default bridge's effective option, or the configuration when the engine has no
/// default bridge.
fn icc(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    match subject.bridge_icc {
        Some(false) => Outcome::pass(),
        Some(true) => Outcome::warn("the default bridge allows inter-container communication"),
        None => with_config(subject, |config| match config.setting("icc").as_deref() {
            Some("false") => Outcome::pass(),
            _ => Outcome::warn("`icc` is not set to false"),
        }),
    }
}

fn log_level(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        match config
            .setting("log-level")
            .or_else(|| short_flag(config, "-l"))
            .as_deref()
        {
            None | Some("info") => Outcome::pass(),
            Some(level) => Outcome::warn(format!("log level is `{level}`")),
        }
    })
}

fn short_flag(config: &DaemonConfig, flag: &str) -> Option<String> {
    let position = config.args.iter().position(|argument| argument == flag)?;
    config.args.get(position + 1).cloned()
}

fn iptables(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        match config.setting("iptables").as_deref() {
            Some("false") => Outcome::warn("`iptables` is false"),
            _ => Outcome::pass(),
        }
    })
}

fn insecure_registries(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |info| {
        let Some(registries) = &info.registry_config else {
            return Outcome::pass();
        };
        let mut problems: Vec<String> = registries
            .insecure_registry_cidrs
            .iter()
            .flatten()
            .filter(|cidr| !DEFAULT_INSECURE_CIDRS.contains(&cidr.as_str()))
            .map(|cidr| format!("insecure registry range {cidr}"))
            .collect();
        let mut names: Vec<&String> = registries
            .index_configs
            .iter()
            .flatten()
            .filter(|(_, index)| index.secure == Some(false))
            .map(|(name, _)| name)
            .collect();
        names.sort();
        problems.extend(
            names
                .into_iter()
                .map(|name| format!("insecure registry {name}")),
        );
        Outcome::from_problems(problems)
    })
}

fn storage_driver(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |info| match info.driver.as_deref() {
        Some("aufs") => Outcome::warn("storage driver is aufs"),
        _ => Outcome::pass(),
    })
}

fn tcp_tls(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        let tcp: Vec<String> = config
            .hosts()
            .into_iter()
            .filter(|host| host.starts_with("tcp://"))
            .collect();
        if tcp.is_empty() {
            return Outcome::note("the daemon listens on no TCP socket");
        }
        let verified = config.setting("tlsverify").as_deref() == Some("true");
        let keyed = config.setting("tlscert").is_some() && config.setting("tlskey").is_some();
        match (verified, keyed) {
            (true, true) => Outcome::pass(),
            (false, true) => Outcome::warn(format!(
                "TLS without client verification on {}",
                tcp.join(", ")
            )),
            _ => Outcome::warn(format!("no TLS on {}", tcp.join(", "))),
        }
    })
}

/// Lists the default ulimits for review, because whether a limit is needed depends on the workload.
fn default_ulimits(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        let ulimits = config
            .values("default-ulimit", "default-ulimits")
            .into_iter()
            .map(|ulimit| format!("default ulimit {ulimit}"))
            .collect();
        Outcome::review(ulimits)
    })
}

/// Warns on a cgroup parent other than the default of the engine's cgroup driver: `/docker` for
/// cgroupfs, `system.slice` for systemd. Without the engine's info, either default passes.
fn cgroup_parent(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        let Some(parent) = config
            .setting("cgroup-parent")
            .filter(|parent| !parent.is_empty())
        else {
            return Outcome::pass();
        };
        let driver = subject.info.ok().and_then(|info| info.cgroup_driver);
        let is_default = match driver {
            Some(SystemInfoCgroupDriverEnum::SYSTEMD) => parent == "system.slice",
            Some(SystemInfoCgroupDriverEnum::CGROUPFS) => parent == "/docker",
            _ => parent == "/docker" || parent == "system.slice",
        };
        if is_default {
            Outcome::pass()
        } else {
            Outcome::warn(format!("cgroup parent is `{parent}`"))
        }
    })
}

/// Warns when `dm.basesize` changes the devicemapper base device size.
fn base_device_size(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        let problems = config
            .values("storage-opt", "storage-opts")
            .into_iter()
            .filter(|option| option.trim_start().starts_with("dm.basesize"))
            .map(|option| format!("storage option `{option}`"))
            .collect();
        Outcome::from_problems(problems)
    })
}

fn userns(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |_| {
        let options = subject.security_options();
        if options.contains(&"name=rootless") {
            Outcome {
                verdict: crate::Verdict::Pass,
                details: vec!["the daemon runs rootless".to_owned()],
            }
        } else if options
            .iter()
            .any(|option| option.starts_with("name=userns"))
        {
            Outcome::pass()
        } else {
            Outcome::warn("user namespace remapping is off")
        }
    })
}

fn authorization(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |info| {
        let plugins = info
            .plugins
            .as_ref()
            .and_then(|plugins| plugins.authorization.as_ref())
            .filter(|plugins| !plugins.is_empty());
        if plugins.is_some() {
            Outcome::pass()
        } else {
            Outcome::warn("no authorization plugin")
        }
    })
}

fn remote_logging(subject: &DaemonSubject<'_>, parameters: &Parameters) -> Outcome {
    with_info(subject, |info| {
        let driver = info.logging_driver.as_deref().unwrap_or("json-file");
        if parameters
            .local_log_drivers
            .iter()
            .any(|local| local == driver)
        {
            Outcome::warn(format!("log driver `{driver}` keeps logs on the host"))
        } else {
            Outcome::pass()
        }
    })
}

fn live_restore(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |info| {
        if info.live_restore_enabled == Some(true) {
            Outcome::pass()
        } else {
            Outcome::warn("live restore is off")
        }
    })
}

fn userland_proxy(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        match config.setting("userland-proxy").as_deref() {
            Some("false") => Outcome::pass(),
            _ => Outcome::warn("the userland proxy is on"),
        }
    })
}

fn seccomp(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |_| {
        let options = subject.security_options();
        let Some(option) = options
            .iter()
            .find(|option| option.starts_with("name=seccomp"))
        else {
            return Outcome::warn("seccomp is not enabled");
        };
        let profile = option
            .split(',')
            .find_map(|part| part.strip_prefix("profile="))
            .unwrap_or("default");
        match profile {
            "unconfined" => Outcome::warn("the daemon-wide seccomp profile is unconfined"),
            "default" | "builtin" => Outcome::info("the engine's default seccomp profile applies"),
            _ => Outcome::pass(),
        }
    })
}

fn experimental(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_info(subject, |info| {
        if info.experimental_build == Some(true) {
            Outcome::warn("experimental features are on")
        } else {
            Outcome::pass()
        }
    })
}

fn no_new_privileges(subject: &DaemonSubject<'_>, _: &Parameters) -> Outcome {
    with_config(subject, |config| {
        match config.setting("no-new-privileges").as_deref() {
            Some("true") => Outcome::pass(),
            _ => Outcome::warn("`no-new-privileges` is not set"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str, args: &[&str]) -> DaemonConfig {
        DaemonConfig {
            json: serde_json::from_str(json).unwrap(),
            args: args.iter().map(|arg| arg.to_string()).collect(),
        }
    }

    #[test]
    fn command_line_wins_over_json() {
        let config = config(
            r#"{"icc": true, "log-level": "debug"}"#,
            &["--icc=false", "--live-restore", "-H", "fd://"],
        );

        assert_eq!(config.setting("icc").as_deref(), Some("false"));
        assert_eq!(config.setting("log-level").as_deref(), Some("debug"));
        assert_eq!(config.setting("live-restore").as_deref(), Some("true"));
        assert_eq!(config.setting("iptables"), None);
    }

    #[test]
    fn values_from_flags_or_json() {
        let flags = config(
            r#"{"storage-opts": ["dm.basesize=20G"]}"#,
            &[
                "--storage-opt",
                "dm.basesize=50G",
                "--storage-opt=dm.fs=xfs",
            ],
        );
        let json = config(
            r#"{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}}}"#,
            &[],
        );

        assert_eq!(
            flags.values("storage-opt", "storage-opts"),
            ["dm.basesize=50G", "dm.fs=xfs"]
        );
        assert_eq!(
            json.values("default-ulimit", "default-ulimits"),
            ["nofile=1024:2048"]
        );
        assert!(json.values("storage-opt", "storage-opts").is_empty());
    }

    #[test]
    fn cgroup_parent_default_follows_driver() {
        let systemd: SystemInfo =
            serde_json::from_value(serde_json::json!({"CgroupDriver": "systemd"})).unwrap();
        let cgroupfs_default = config("{}", &["--cgroup-parent=/docker"]);
        let systemd_default = config(r#"{"cgroup-parent": "system.slice"}"#, &[]);
        let run = |config: &DaemonConfig| {
            let subject = DaemonSubject {
                info: Ok(&systemd),
                bridge_icc: None,
                config: Ok(config),
            };
            cgroup_parent(&subject, &Parameters::default())
        };

        let cgroupfs_on_systemd = run(&cgroupfs_default);
        assert_eq!(cgroupfs_on_systemd.verdict, crate::Verdict::Warn);
        assert_eq!(cgroupfs_on_systemd.details, ["cgroup parent is `/docker`"]);
        assert_eq!(run(&systemd_default).verdict, crate::Verdict::Pass);
    }

    #[test]
    fn hosts_from_both_sources() {
        let config = config(
            r#"{"hosts": ["unix:///var/run/docker.sock"]}"#,
            &["-H", "tcp://0.0.0.0:2375", "--host=fd://"],
        );

        assert_eq!(
            config.hosts(),
            ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375", "fd://"]
        );
    }
}
