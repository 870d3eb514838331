//! Section 5: how each running container is run, from its engine inspection, processes and changes.

mod exec;
mod gateway;

use bollard::models::{HealthStatusEnum, HostConfig, Network, RestartPolicyNameEnum};

use crate::checklist::Parameters;
use crate::engine::ContainerSnapshot;
use crate::outcome::{CheckFn, Outcome};

/// Paths of the Docker socket inside a host.
const DOCKER_SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock"];

/// Input of the runtime checks: one container, the engine's networks, and whether the engine
/// reports AppArmor and SELinux.
pub(crate) struct ContainerSubject<'a> {
    pub(crate) container: &'a ContainerSnapshot,
    pub(crate) networks: &'a [Network],
    pub(crate) apparmor: bool,
    pub(crate) selinux: bool,
}

impl ContainerSubject<'_> {
    fn host_config(&self) -> HostConfig {
        self.container
            .inspect
            .host_config
            .clone()
            .unwrap_or_default()
    }

    fn security_options(&self) -> Vec<String> {
        self.host_config().security_opt.unwrap_or_default()
    }

    fn mounts(&self) -> impl Iterator<Item = &bollard::models::MountPoint> {
        self.container.inspect.mounts.iter().flatten()
    }

    /// Returns every published port binding as (container port, host IP, host port). A running
    /// container reports its bindings in the network settings. A created or stopped one has them
    /// only in its host configuration.
    fn bindings(&self) -> Vec<(String, String, String)> {
        let live = self
            .container
            .inspect
            .network_settings
            .as_ref()
            .and_then(|settings| settings.ports.clone())
            .filter(|ports| !ports.is_empty());
        let ports = live
            .or_else(|| self.host_config().port_bindings)
            .unwrap_or_default();
        let mut bindings: Vec<(String, String, String)> = ports
            .into_iter()
            .flat_map(|(port, bindings)| {
                bindings
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |binding| {
                        (
                            port.clone(),
                            binding.host_ip.unwrap_or_default(),
                            binding.host_port.unwrap_or_default(),
                        )
                    })
            })
            .collect();
        bindings.sort();
        bindings
    }
}

/// Returns the runtime checks, in report order.
pub(crate) fn container_table<'a>() -> [(&'static str, CheckFn<ContainerSubject<'a>>); 34] {
    [
        ("CIS-5.1", apparmor),
        ("CIS-5.2", selinux),
        ("CIS-5.3", capabilities),
        ("CIS-5.4", |subject, _| {
            flag(
                subject.host_config().privileged,
                "the container is privileged",
            )
        }),
        ("CIS-5.5", sensitive_mounts),
        ("CIS-5.6", sshd),
        ("CIS-5.7", privileged_ports),
        ("CIS-5.8", open_ports),
        ("CIS-5.9", |subject, _| {
            namespace(subject.host_config().network_mode, "network")
        }),
        ("CIS-5.10", memory),
        ("CIS-5.11", cpu),
        ("CIS-5.12", |subject, _| {
            if subject.host_config().readonly_rootfs == Some(true) {
                Outcome::pass()
            } else {
                Outcome::warn("the root filesystem is writable")
            }
        }),
        ("CIS-5.13", all_interfaces),
        ("CIS-5.14", restart_policy),
        ("CIS-5.15", |subject, _| {
            namespace(subject.host_config().pid_mode, "PID")
        }),
        ("CIS-5.16", |subject, _| {
            namespace(subject.host_config().ipc_mode, "IPC")
        }),
        ("CIS-5.17", devices),
        ("CIS-5.18", ulimits),
        ("CIS-5.19", propagation),
        ("CIS-5.20", |subject, _| {
            namespace(subject.host_config().uts_mode, "UTS")
        }),
        ("CIS-5.21", seccomp),
        ("CIS-5.22", exec::privileged_exec),
        ("CIS-5.23", exec::root_exec),
        ("CIS-5.24", |subject, _| {
            match subject.host_config().cgroup_parent.as_deref() {
                None | Some("") => Outcome::pass(),
                Some(parent) => Outcome::warn(format!("cgroup parent is `{parent}`")),
            }
        }),
        ("CIS-5.25", no_new_privileges),
        ("CIS-5.26", health),
        ("CIS-5.28", pids_limit),
        ("CIS-5.29", default_bridge),
        ("CIS-5.30", |subject, _| {
            namespace(subject.host_config().userns_mode, "user")
        }),
        ("CIS-5.31", docker_socket),
        ("CTR-001", root_user),
        ("CTR-002", process_count),
        ("CTR-003", changed_files),
        ("CTR-004", gateway::gateway_reach),
    ]
}

/// The option the engine sets on the network it creates at start (`docker0`, named `bridge`).
const DEFAULT_BRIDGE_OPTION: &str = "com.docker.network.bridge.default_bridge";

/// Warns when the container is attached to the engine's default bridge network, where every
/// container can reach every other one unless inter-container communication is off.
fn default_bridge(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let default_networks: Vec<&str> = subject
        .networks
        .iter()
        .filter(|network| {
            network
                .options
                .as_ref()
                .and_then(|options| options.get(DEFAULT_BRIDGE_OPTION))
                .is_some_and(|value| value == "true")
        })
        .filter_map(|network| network.name.as_deref())
        .collect();
    let attached = subject
        .container
        .inspect
        .network_settings
        .as_ref()
        .and_then(|settings| settings.networks.as_ref());

    // Without the engine's network list, the default bridge is known by its fixed name.
    let is_default = |name: &str| {
        default_networks.contains(&name) || (subject.networks.is_empty() && name == "bridge")
    };
    match attached
        .into_iter()
        .flat_map(|networks| networks.keys())
        .find(|name| is_default(name))
    {
        Some(name) => Outcome::warn(format!(
            "attached to the default bridge network `{name}`"
        )),
        None => Outcome::pass(),
    }
}

fn flag(value: Option<bool>, problem: &str) -> Outcome {
    if value == Some(true) {
        Outcome::warn(problem)
    } else {
        Outcome::pass()
    }
}

fn namespace(mode: Option<String>, kind: &str) -> Outcome {
    if mode.as_deref() == Some("host") {
        Outcome::warn(format!("the container shares the host's {kind} namespace"))
    } else {
        Outcome::pass()
    }
}

fn apparmor(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    if !subject.apparmor {
        return Outcome::note("AppArmor is not enabled on the host");
    }
    match subject
        .container
        .inspect
        .app_armor_profile
        .as_deref()
        .unwrap_or("")
    {
        "" | "unconfined" => Outcome::warn("no AppArmor profile confines the container"),
        _ => Outcome::pass(),
    }
}

fn selinux(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    if !subject.selinux {
        return Outcome::note("SELinux is not enabled in the daemon");
    }
    let labeled = subject
        .security_options()
        .iter()
        .any(|option| option.starts_with("label"));
    let process_label = subject
        .container
        .inspect
        .process_label
        .as_deref()
        .is_some_and(|label| !label.is_empty());
    if labeled || process_label {
        Outcome::pass()
    } else {
        Outcome::warn("no SELinux label options")
    }
}

fn capabilities(subject: &ContainerSubject<'_>, parameters: &Parameters) -> Outcome {
    let added = subject.host_config().cap_add.unwrap_or_default();
    let problems = added
        .iter()
        .map(|capability| {
            capability
                .to_ascii_uppercase()
                .trim_start_matches("CAP_")
                .to_owned()
        })
        .filter(|capability| !parameters.allowed_capabilities.contains(capability))
        .map(|capability| {
            let dangerous = if parameters.dangerous_capabilities.contains(&capability) {
                " (dangerous)"
            } else {
                ""
            };
            format!("adds {capability}{dangerous}")
        })
        .collect();
    Outcome::from_problems(problems)
}

/// Warns on a bind mount of a sensitive host folder, or of anything below one other than `/`.
fn sensitive_mounts(subject: &ContainerSubject<'_>, parameters: &Parameters) -> Outcome {
    let problems = subject
        .mounts()
        .filter_map(|mount| {
            mount
                .source
                .as_deref()
                .map(|source| (source, mount.rw.unwrap_or(true)))
        })
        .filter(|(source, _)| {
            parameters.sensitive_mounts.iter().any(|sensitive| {
                let below = sensitive != "/"
                    && source
                        .strip_prefix(sensitive.as_str())
                        .is_some_and(|rest| rest.starts_with('/'));
                source == sensitive || below
            })
        })
        .map(|(source, writable)| {
            format!(
                "mounts {source}{}",
                if writable {
                    " read-write"
                } else {
                    " read-only"
                }
            )
        })
        .collect();
    Outcome::from_problems(problems)
}

fn sshd(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    match &subject.container.processes {
        Ok(processes) => {
            let sshd = processes
                .iter()
                .filter(|command| {
                    command
                        .split_whitespace()
                        .next()
                        .is_some_and(|program| program.rsplit('/').next() == Some("sshd"))
                })
                .map(|command| format!("runs `{command}`"))
                .collect();
            Outcome::from_problems(sshd)
        }
        Err(reason) => Outcome::not_run(format!(
            "failed to list the container's processes: {reason}"
        )),
    }
}

fn privileged_ports(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .bindings()
        .into_iter()
        .filter(|(_, _, host_port)| host_port.parse::<u16>().is_ok_and(|port| port < 1024))
        .map(|(port, _, host_port)| format!("host port {host_port} maps {port}"))
        .collect();
    Outcome::from_problems(problems)
}

/// Lists the published and exposed ports for review, because only the service's owner knows
/// which ones it needs.
fn open_ports(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let bindings = subject.bindings();
    let mut details: Vec<String> = bindings
        .iter()
        .map(|(port, host_ip, host_port)| {
            let host_ip = if host_ip.is_empty() {
                "0.0.0.0"
            } else {
                host_ip
            };
            format!("publishes {port} on {host_ip}:{host_port}")
        })
        .collect();
    let mut exposed = subject
        .container
        .inspect
        .config
        .as_ref()
        .and_then(|config| config.exposed_ports.clone())
        .unwrap_or_default();
    exposed.sort();
    details.extend(
        exposed
            .into_iter()
            .filter(|port| !bindings.iter().any(|(published, _, _)| published == port))
            .map(|port| format!("exposes {port} to containers on its networks")),
    );
    Outcome::review(details)
}

fn devices(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .host_config()
        .devices
        .unwrap_or_default()
        .into_iter()
        .map(|device| {
            format!(
                "maps host device {} to {} with permissions `{}`",
                device.path_on_host.unwrap_or_default(),
                device.path_in_container.unwrap_or_default(),
                device.cgroup_permissions.unwrap_or_default()
            )
        })
        .collect();
    Outcome::from_problems(problems)
}

/// Lists the ulimits that override the daemon's defaults, for review.
fn ulimits(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let details: Vec<String> = subject
        .host_config()
        .ulimits
        .unwrap_or_default()
        .into_iter()
        .map(|ulimit| {
            format!(
                "ulimit {}={}:{}",
                ulimit.name.unwrap_or_default(),
                ulimit.soft.unwrap_or_default(),
                ulimit.hard.unwrap_or_default()
            )
        })
        .collect();
    Outcome::review(details)
}

fn memory(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    if subject.host_config().memory.unwrap_or(0) > 0 {
        Outcome::pass()
    } else {
        Outcome::warn("no memory limit")
    }
}

/// Passes on CPU shares other than the default 1024, a CPU quota or a CPU count.
fn cpu(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let config = subject.host_config();
    let shares = config
        .cpu_shares
        .is_some_and(|shares| shares != 0 && shares != 1024);
    let quota = config.cpu_quota.unwrap_or(0) > 0 || config.nano_cpus.unwrap_or(0) > 0;
    if shares || quota {
        Outcome::pass()
    } else {
        Outcome::warn("no CPU shares or quota")
    }
}

fn all_interfaces(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .bindings()
        .into_iter()
        .filter(|(_, host_ip, _)| matches!(host_ip.as_str(), "" | "0.0.0.0" | "::"))
        .map(|(port, host_ip, host_port)| {
            format!(
                "{port} published on {}:{host_port}",
                if host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    &host_ip
                }
            )
        })
        .collect();
    Outcome::from_problems(problems)
}

fn restart_policy(subject: &ContainerSubject<'_>, parameters: &Parameters) -> Outcome {
    let policy = subject.host_config().restart_policy.unwrap_or_default();
    let retries = policy.maximum_retry_count.unwrap_or(0);
    match policy.name {
        Some(RestartPolicyNameEnum::ALWAYS) => Outcome::warn("restart policy `always`"),
        Some(RestartPolicyNameEnum::UNLESS_STOPPED) => {
            Outcome::warn("restart policy `unless-stopped`")
        }
        Some(RestartPolicyNameEnum::ON_FAILURE)
            if retries == 0 || retries > parameters.max_restart_retries =>
        {
            Outcome::warn(format!(
                "restart policy `on-failure` with {retries} retries, more than {}",
                parameters.max_restart_retries
            ))
        }
        _ => Outcome::pass(),
    }
}

fn propagation(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .mounts()
        .filter(|mount| matches!(mount.propagation.as_deref(), Some("shared" | "rshared")))
        .map(|mount| {
            format!(
                "{} uses {} propagation",
                mount.destination.as_deref().unwrap_or("?"),
                mount.propagation.as_deref().unwrap_or("")
            )
        })
        .collect();
    Outcome::from_problems(problems)
}

fn seccomp(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let unconfined = subject
        .security_options()
        .iter()
        .any(|option| matches!(option.as_str(), "seccomp=unconfined" | "seccomp:unconfined"));
    if unconfined {
        Outcome::warn("seccomp=unconfined")
    } else {
        Outcome::pass()
    }
}

fn no_new_privileges(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let set = subject.security_options().iter().any(|option| {
        matches!(
            option.as_str(),
            "no-new-privileges" | "no-new-privileges=true" | "no-new-privileges:true"
        )
    });
    if set {
        Outcome::pass()
    } else {
        Outcome::warn("no-new-privileges is not set")
    }
}

fn health(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let status = subject
        .container
        .inspect
        .state
        .as_ref()
        .and_then(|state| state.health.as_ref())
        .and_then(|health| health.status);
    match status {
        None | Some(HealthStatusEnum::EMPTY | HealthStatusEnum::NONE) => {
            Outcome::warn("no health check")
        }
        Some(HealthStatusEnum::UNHEALTHY) => Outcome::warn("the container is unhealthy"),
        Some(_) => Outcome::pass(),
    }
}

fn pids_limit(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    if subject.host_config().pids_limit.unwrap_or(0) > 0 {
        Outcome::pass()
    } else {
        Outcome::warn("no PIDs limit")
    }
}

fn docker_socket(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .mounts()
        .filter(|mount| {
            mount
                .source
                .as_deref()
                .is_some_and(|source| DOCKER_SOCKETS.contains(&source))
        })
        .map(|mount| {
            format!(
                "mounts {} at {}",
                mount.source.as_deref().unwrap_or(""),
                mount.destination.as_deref().unwrap_or("?")
            )
        })
        .collect();
    Outcome::from_problems(problems)
}

fn root_user(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let user = subject
        .container
        .inspect
        .config
        .as_ref()
        .and_then(|config| config.user.clone())
        .unwrap_or_default();
    match user.split(':').next().unwrap_or("") {
        "" => Outcome::warn("no user is set, so the container runs as root"),
        "root" | "0" => Outcome::warn(format!("runs as `{user}`")),
        _ => Outcome::pass(),
    }
}

fn process_count(subject: &ContainerSubject<'_>, parameters: &Parameters) -> Outcome {
    match &subject.container.processes {
        Ok(processes) if processes.len() as u64 > parameters.max_processes => {
            Outcome::warn(format!(
                "{} processes, more than {}",
                processes.len(),
                parameters.max_processes
            ))
        }
        Ok(_) => Outcome::pass(),
        Err(reason) => Outcome::not_run(format!(
            "failed to list the container's processes: {reason}"
        )),
    }
}

fn changed_files(subject: &ContainerSubject<'_>, parameters: &Parameters) -> Outcome {
    match &subject.container.changed_files {
        Ok(count) if *count as u64 > parameters.max_changed_files => Outcome::warn(format!(
            "{count} paths changed from the image, more than {}",
            parameters.max_changed_files
        )),
        Ok(_) => Outcome::pass(),
        Err(reason) => {
            Outcome::not_run(format!("failed to list the container's changes: {reason}"))
        }
    }
}
