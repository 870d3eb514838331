//! Every check of stowaway, in one table: ids, CIS references, titles, rationale and remediation.
//!
//! CIS references follow the numbering of CIS Docker Benchmark 1.3.1. Severities and levels are
//! not here: the checklist sets them, so a user can change them without touching code.

use crate::check::{CheckDefinition, Section};

macro_rules! check {
    ($id:literal, $cis:expr, $section:ident, $title:literal, $rationale:literal, $remediation:literal) => {
        CheckDefinition {
            id: $id,
            cis: $cis,
            section: Section::$section,
            title: $title,
            rationale: $rationale,
            remediation: $remediation,
        }
    };
}

/// All checks, in report order.
pub static CHECKS: &[CheckDefinition] = &[
    // Section 1: host.
    check!(
        "CIS-1.1.2",
        Some("1.1.2"),
        Host,
        "Only trusted users are members of the docker group",
        "Members of the docker group can start privileged containers, which is root on the host.",
        "Remove users who do not administer Docker from the docker group (`gpasswd -d USER docker`)."
    ),
    check!(
        "CIS-1.1.3",
        Some("1.1.3"),
        Host,
        "The Docker daemon binary is audited",
        "Audit records of the daemon binary show who changed or ran it.",
        "Add `-w /usr/bin/dockerd -k docker` to /etc/audit/rules.d/ and reload auditd."
    ),
    check!(
        "CIS-1.1.4",
        Some("1.1.4"),
        Host,
        "/run/containerd is audited",
        "containerd's state folder holds the runtime state of every container.",
        "Add `-a exit,always -F path=/run/containerd -F perm=war -k docker` to the audit rules."
    ),
    check!(
        "CIS-1.1.5",
        Some("1.1.5"),
        Host,
        "/var/lib/docker is audited",
        "The Docker data folder holds images, containers and volumes.",
        "Add `-w /var/lib/docker -k docker` to the audit rules."
    ),
    check!(
        "CIS-1.1.6",
        Some("1.1.6"),
        Host,
        "/etc/docker is audited",
        "/etc/docker holds the daemon configuration and its TLS keys.",
        "Add `-w /etc/docker -k docker` to the audit rules."
    ),
    check!(
        "CIS-1.1.7",
        Some("1.1.7"),
        Host,
        "docker.service is audited",
        "The systemd unit sets the daemon's command line.",
        "Add `-w /lib/systemd/system/docker.service -k docker` (the unit's real path) to the audit rules."
    ),
    check!(
        "CIS-1.1.9",
        Some("1.1.9"),
        Host,
        "docker.socket is audited",
        "The socket unit controls who reaches the Engine API.",
        "Add `-w /lib/systemd/system/docker.socket -k docker` (the unit's real path) to the audit rules."
    ),
    check!(
        "CIS-1.1.11",
        Some("1.1.11"),
        Host,
        "/etc/docker/daemon.json is audited",
        "daemon.json sets the daemon's security options.",
        "Add `-w /etc/docker/daemon.json -k docker` to the audit rules."
    ),
    check!(
        "CIS-1.1.14",
        Some("1.1.14"),
        Host,
        "The containerd binary is audited",
        "containerd runs every container the daemon starts.",
        "Add `-w /usr/bin/containerd -k docker` to the audit rules."
    ),
    check!(
        "CIS-1.1.18",
        Some("1.1.18"),
        Host,
        "The runc binary is audited",
        "runc creates the container processes; a replaced runc controls every container.",
        "Add `-w /usr/bin/runc -k docker` (or /usr/sbin/runc) to the audit rules."
    ),
    // Section 2: daemon options.
    check!(
        "CIS-2.1",
        Some("2.1"),
        Daemon,
        "Network traffic between containers on the default bridge is restricted",
        "With inter-container communication on, every container on the default bridge reaches every other one.",
        "Set `\"icc\": false` in daemon.json and connect containers that must talk through user-defined networks."
    ),
    check!(
        "CIS-2.2",
        Some("2.2"),
        Daemon,
        "The logging level is info",
        "`debug` logs too much to be reviewed and may log sensitive data; lower levels miss security events.",
        "Remove `log-level` from daemon.json or set `\"log-level\": \"info\"`."
    ),
    check!(
        "CIS-2.3",
        Some("2.3"),
        Daemon,
        "Docker is allowed to change iptables",
        "With `iptables` off, the daemon does not write the firewall rules that isolate container networks.",
        "Remove `\"iptables\": false` from daemon.json and `--iptables=false` from the command line."
    ),
    check!(
        "CIS-2.4",
        Some("2.4"),
        Daemon,
        "No insecure registries are used",
        "Pulls from an insecure registry are not protected by TLS, so images can be replaced in transit.",
        "Remove `insecure-registries` from daemon.json and give the registry a trusted TLS certificate."
    ),
    check!(
        "CIS-2.5",
        Some("2.5"),
        Daemon,
        "The aufs storage driver is not used",
        "aufs is unmaintained and has known kernel crashes and security problems.",
        "Use the `overlay2` storage driver."
    ),
    check!(
        "CIS-2.6",
        Some("2.6"),
        Daemon,
        "TCP sockets of the daemon use TLS with client verification",
        "An Engine API on TCP without verified TLS gives root on the host to anyone who reaches the port.",
        "Set `tlsverify`, `tlscacert`, `tlscert` and `tlskey` in daemon.json, or listen on the unix socket only."
    ),
    check!(
        "CIS-2.7",
        Some("2.7"),
        Daemon,
        "Default ulimits are set only where needed",
        "A daemon-wide ulimit applies to every container, including those that need another limit; set one only when the workload needs it.",
        "Review `default-ulimits` in daemon.json (`--default-ulimit`); set per-container limits with `--ulimit` where they differ."
    ),
    check!(
        "CIS-2.8",
        Some("2.8"),
        Daemon,
        "User namespace remapping is enabled",
        "Without remapping, root in a container is root on the host once it escapes.",
        "Set `\"userns-remap\": \"default\"` in daemon.json, or run the daemon rootless."
    ),
    check!(
        "CIS-2.9",
        Some("2.9"),
        Daemon,
        "The default cgroup parent is used",
        "Containers under another cgroup parent escape the limits and accounting that the default parent applies.",
        "Remove `cgroup-parent` from daemon.json and `--cgroup-parent` from the command line unless a policy needs it."
    ),
    check!(
        "CIS-2.10",
        Some("2.10"),
        Daemon,
        "The base device size is not changed",
        "A larger devicemapper base device lets every container fill more of the host's storage.",
        "Remove `dm.basesize` from `storage-opts` in daemon.json and from `--storage-opt`."
    ),
    check!(
        "CIS-2.11",
        Some("2.11"),
        Daemon,
        "An authorization plugin controls client commands",
        "Without one, every client that reaches the socket may run every command.",
        "Install an authorization plugin and name it in `authorization-plugins` in daemon.json."
    ),
    check!(
        "CIS-2.12",
        Some("2.12"),
        Daemon,
        "Container logs go to a remote logging service",
        "Local logs are lost with the host and can be altered by whoever controls it.",
        "Set `log-driver` to a remote driver (syslog, journald forwarded, fluentd, gelf, splunk, awslogs)."
    ),
    check!(
        "CIS-2.13",
        Some("2.13"),
        Daemon,
        "Live restore is enabled",
        "Live restore keeps containers running while the daemon restarts or is upgraded.",
        "Set `\"live-restore\": true` in daemon.json."
    ),
    check!(
        "CIS-2.14",
        Some("2.14"),
        Daemon,
        "The userland proxy is disabled",
        "The userland proxy is one more process exposed on every published port; hairpin NAT does the same job.",
        "Set `\"userland-proxy\": false` in daemon.json."
    ),
    check!(
        "CIS-2.15",
        Some("2.15"),
        Daemon,
        "A seccomp profile applies to every container",
        "seccomp limits the system calls a container can make, which blocks many kernel exploits.",
        "Keep seccomp enabled (never `--seccomp-profile unconfined`); set `seccomp-profile` for a custom one."
    ),
    check!(
        "CIS-2.16",
        Some("2.16"),
        Daemon,
        "Experimental features are off",
        "Experimental features are not meant for production and change without notice.",
        "Remove `\"experimental\": true` from daemon.json."
    ),
    check!(
        "CIS-2.17",
        Some("2.17"),
        Daemon,
        "Containers cannot gain new privileges by default",
        "`no-new-privileges` stops setuid binaries from raising a process's privileges inside containers.",
        "Set `\"no-new-privileges\": true` in daemon.json."
    ),
    // Section 3: daemon files.
    check!(
        "CIS-3.1",
        Some("3.1/3.2"),
        DaemonFiles,
        "docker.service is owned by root and not writable by others",
        "Whoever can write the unit controls the daemon's command line.",
        "`chown root:root` the unit and `chmod 644` it."
    ),
    check!(
        "CIS-3.3",
        Some("3.3/3.4"),
        DaemonFiles,
        "docker.socket is owned by root and not writable by others",
        "Whoever can write the socket unit controls who reaches the Engine API.",
        "`chown root:root` the unit and `chmod 644` it."
    ),
    check!(
        "CIS-3.5",
        Some("3.5/3.6"),
        DaemonFiles,
        "/etc/docker is owned by root and not writable by others",
        "/etc/docker holds the daemon configuration, certificates and keys.",
        "`chown root:root /etc/docker` and `chmod 755 /etc/docker`."
    ),
    check!(
        "CIS-3.7",
        Some("3.7/3.8"),
        DaemonFiles,
        "Registry certificates are owned by root and read-only",
        "A replaced registry certificate lets someone else serve your images.",
        "`chown root:root` the files under /etc/docker/certs.d and `chmod 444` them."
    ),
    check!(
        "CIS-3.9",
        Some("3.9-3.14"),
        DaemonFiles,
        "The daemon's TLS CA, certificate and key are owned by root and read-only",
        "The TLS files authenticate the daemon and its clients; a readable key lets anyone impersonate the daemon.",
        "`chown root:root` the files named by tlscacert, tlscert and tlskey; `chmod 444` the certificates and `chmod 400` the key."
    ),
    check!(
        "CIS-3.15",
        Some("3.15/3.16"),
        DaemonFiles,
        "The Docker socket is owned by root:docker with mode 660 or stricter",
        "Access to the socket is root on the host.",
        "`chown root:docker /var/run/docker.sock` and `chmod 660 /var/run/docker.sock`."
    ),
    check!(
        "CIS-3.17",
        Some("3.17/3.18"),
        DaemonFiles,
        "daemon.json is owned by root and not writable by others",
        "daemon.json turns the daemon's protections on and off.",
        "`chown root:root /etc/docker/daemon.json` and `chmod 644 /etc/docker/daemon.json`."
    ),
    check!(
        "CIS-3.19",
        Some("3.19/3.22"),
        DaemonFiles,
        "/etc/default/docker is owned by root and not writable by others",
        "On Debian-based hosts the file adds options to the daemon's command line.",
        "`chown root:root /etc/default/docker` and `chmod 644 /etc/default/docker`."
    ),
    check!(
        "CIS-3.23",
        Some("3.23/3.24"),
        DaemonFiles,
        "The containerd socket is owned by root with mode 660 or stricter",
        "containerd's socket controls every container without going through the daemon's checks.",
        "`chown root:root /run/containerd/containerd.sock` and `chmod 660` it."
    ),
    // Section 4: images.
    check!(
        "IMG-001",
        Some("4.1"),
        Images,
        "The image runs as a user other than root",
        "A process that runs as root in the container is root on the host once it escapes.",
        "Add a user in the Dockerfile and switch to it with `USER`."
    ),
    check!(
        "IMG-002",
        Some("4.6"),
        Images,
        "The image has a HEALTHCHECK",
        "Without one the engine cannot tell a hung service from a working one.",
        "Add a `HEALTHCHECK` instruction that probes the service."
    ),
    check!(
        "IMG-003",
        Some("4.9"),
        Images,
        "ADD fetches no URL and unpacks no archive",
        "ADD downloads without checksum and unpacks archives silently, so the content is not what the Dockerfile shows.",
        "Use `COPY` for local files, and download with a checksum check in a RUN step."
    ),
    check!(
        "IMG-004",
        Some("4.10"),
        Images,
        "No secrets in the image environment",
        "Every container of the image and everyone who pulls it can read the environment.",
        "Pass secrets at run time (secrets mounts, environment of the orchestrator), never with ENV."
    ),
    check!(
        "IMG-005",
        Some("4.10"),
        Images,
        "No secrets in build arguments or build steps",
        "Build arguments and RUN lines are stored in the image history for everyone who pulls it.",
        "Use `RUN --mount=type=secret` instead of ARG or inline credentials."
    ),
    check!(
        "IMG-006",
        None,
        Images,
        "No package-manager caches are left in the image",
        "Caches make the image larger and ship package indexes that age and mislead scanners.",
        "Clean the cache in the same RUN step that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`)."
    ),
    check!(
        "IMG-007",
        None,
        Images,
        "The build does not use sudo",
        "sudo in a build hints at an image that expects to run as an unprivileged user with a way back to root.",
        "Run privileged build steps as root with `USER root` and switch users after them."
    ),
    check!(
        "IMG-008",
        Some("4.8"),
        Images,
        "No setuid or setgid files beyond the allowed ones",
        "setuid and setgid files are the usual way to escalate privileges inside a container.",
        "Remove the bits in the build: `find / -perm /6000 -type f -exec chmod a-s {} +`."
    ),
    check!(
        "IMG-009",
        None,
        Images,
        "No sensitive ports are exposed",
        "SSH, telnet and unencrypted Engine API ports in an image invite remote administration of containers.",
        "Remove the `EXPOSE` lines of these ports and the services behind them."
    ),
    check!(
        "IMG-010",
        None,
        Images,
        "The image has a tag other than latest",
        "`latest` and untagged images change under the same name, so a deployment cannot say what it runs.",
        "Tag images with a version and deploy by version or digest."
    ),
    check!(
        "IMG-011",
        None,
        Images,
        "No .git folder is copied into the image",
        "A .git folder ships the source history, which may hold removed credentials.",
        "Add `.git` to .dockerignore."
    ),
    check!(
        "IMG-012",
        None,
        Images,
        "No SSH keys or SSH folders are copied into the image",
        "A private key in an image is readable by everyone who pulls it.",
        "Add `.ssh` and key files to .dockerignore and mount keys at build time with `--mount=type=ssh`."
    ),
    check!(
        "IMG-013",
        None,
        Images,
        "No cloud or registry credential folders are copied into the image",
        "Cloud and registry credentials in an image are readable by everyone who pulls it.",
        "Add these folders to .dockerignore and use build secrets."
    ),
    // Section 5: container runtime.
    check!(
        "CIS-5.1",
        Some("5.1"),
        Runtime,
        "An AppArmor profile confines the container",
        "AppArmor limits the files and capabilities a container's processes may use.",
        "Run with the default profile (`docker-default`) or `--security-opt apparmor=PROFILE`, never `unconfined`."
    ),
    check!(
        "CIS-5.2",
        Some("5.2"),
        Runtime,
        "SELinux options are set on the container",
        "SELinux labels confine the container's processes when the host enforces SELinux.",
        "Run with `--security-opt label=level:...` or the daemon's default labels (`--selinux-enabled`)."
    ),
    check!(
        "CIS-5.3",
        Some("5.3"),
        Runtime,
        "No capabilities beyond the allowed ones are added",
        "Capabilities such as SYS_ADMIN or NET_ADMIN give a container most of root's power over the host.",
        "Remove `--cap-add`; start from `--cap-drop ALL` and add back only what the service needs."
    ),
    check!(
        "CIS-5.4",
        Some("5.4"),
        Runtime,
        "The container is not privileged",
        "A privileged container has every capability and every device: it is root on the host.",
        "Remove `--privileged`; add the single capability or device the service needs."
    ),
    check!(
        "CIS-5.5",
        Some("5.5"),
        Runtime,
        "No sensitive host folder is mounted",
        "Mounting /, /etc, /proc or similar folders lets the container change the host.",
        "Mount only the data folders the service needs, read-only where possible."
    ),
    check!(
        "CIS-5.6",
        Some("5.6"),
        Runtime,
        "sshd does not run in the container",
        "An SSH server in a container is one more service to patch and a way around the engine's audit.",
        "Remove sshd and use `docker exec` for administration."
    ),
    check!(
        "CIS-5.7",
        Some("5.7"),
        Runtime,
        "No privileged host port is mapped",
        "Host ports below 1024 are reserved for services that root started.",
        "Publish on a host port of 1024 or above."
    ),
    check!(
        "CIS-5.8",
        Some("5.8"),
        Runtime,
        "Only needed ports are open on the container",
        "Every published or exposed port is a way into the container; ports nobody needs only widen the attack surface.",
        "Remove `EXPOSE` lines and `--publish` options of ports the service does not need."
    ),
    check!(
        "CIS-5.9",
        Some("5.9"),
        Runtime,
        "The host's network namespace is not shared",
        "With host networking the container sees and binds every host interface and local service.",
        "Remove `--network host`."
    ),
    check!(
        "CIS-5.10",
        Some("5.10"),
        Runtime,
        "The container's memory is limited",
        "A container without a memory limit can exhaust the host's memory.",
        "Run with `--memory SIZE`."
    ),
    check!(
        "CIS-5.11",
        Some("5.11"),
        Runtime,
        "The container's CPU use is limited",
        "A container without CPU shares or quota can starve the others.",
        "Run with `--cpus N` or `--cpu-shares N`."
    ),
    check!(
        "CIS-5.12",
        Some("5.12"),
        Runtime,
        "The root filesystem is read-only",
        "A read-only root filesystem stops an intruder from changing the container's programs.",
        "Run with `--read-only` and mount volumes or tmpfs where the service writes."
    ),
    check!(
        "CIS-5.13",
        Some("5.13"),
        Runtime,
        "Published ports are bound to a specific host interface",
        "Ports bound to 0.0.0.0 are reachable on every interface of the host, public ones included.",
        "Publish as `-p IP:HOSTPORT:PORT`."
    ),
    check!(
        "CIS-5.14",
        Some("5.14"),
        Runtime,
        "The restart policy is on-failure with a bounded retry count",
        "`always` restarts a crashing container forever, which can hide an attack and exhaust the host.",
        "Run with `--restart on-failure:5`."
    ),
    check!(
        "CIS-5.15",
        Some("5.15"),
        Runtime,
        "The host's process namespace is not shared",
        "With the host's PID namespace the container sees and can signal every host process.",
        "Remove `--pid host`."
    ),
    check!(
        "CIS-5.16",
        Some("5.16"),
        Runtime,
        "The host's IPC namespace is not shared",
        "With the host's IPC namespace the container reaches the host's shared memory.",
        "Remove `--ipc host`."
    ),
    check!(
        "CIS-5.17",
        Some("5.17"),
        Runtime,
        "No host device is mapped into the container",
        "A mapped host device gives the container direct access to the hardware or kernel interface behind it.",
        "Remove `--device`; when a device is needed, map it with only the permissions needed (`--device /dev/X:/dev/X:r`)."
    ),
    check!(
        "CIS-5.18",
        Some("5.18"),
        Runtime,
        "Default ulimits are overridden only where needed",
        "A container's own ulimits replace the daemon's defaults, so a raised limit lets it use more of the host.",
        "Remove `--ulimit` unless the service needs a limit other than the daemon's default."
    ),
    check!(
        "CIS-5.19",
        Some("5.19"),
        Runtime,
        "No mount uses shared propagation",
        "With shared propagation, mounts made in the container appear on the host.",
        "Use the default `rprivate` propagation."
    ),
    check!(
        "CIS-5.20",
        Some("5.20"),
        Runtime,
        "The host's UTS namespace is not shared",
        "With the host's UTS namespace the container can change the host's name.",
        "Remove `--uts host`."
    ),
    check!(
        "CIS-5.21",
        Some("5.21"),
        Runtime,
        "seccomp is not disabled",
        "Without seccomp the container can make every system call, which many kernel exploits need.",
        "Remove `--security-opt seccomp=unconfined`."
    ),
    check!(
        "CIS-5.22",
        Some("5.22"),
        Runtime,
        "docker exec sessions do not use --privileged",
        "A privileged exec session has every capability, even in a container that was started without them.",
        "Do not run `docker exec --privileged`; allow it only through an authorization plugin."
    ),
    check!(
        "CIS-5.23",
        Some("5.23"),
        Runtime,
        "docker exec sessions do not use --user=root",
        "An exec session as root gives root in a container whose service was meant to run as another user.",
        "Do not run `docker exec --user=root`; allow it only through an authorization plugin."
    ),
    check!(
        "CIS-5.24",
        Some("5.24"),
        Runtime,
        "The container uses the default cgroup parent",
        "A container under another cgroup parent is outside the limits and accounting of the daemon's parent.",
        "Remove `--cgroup-parent` unless a policy needs it."
    ),
    check!(
        "CIS-5.25",
        Some("5.25"),
        Runtime,
        "The container cannot gain new privileges",
        "`no-new-privileges` stops setuid binaries from raising a process's privileges.",
        "Run with `--security-opt no-new-privileges` or set it daemon-wide."
    ),
    check!(
        "CIS-5.26",
        Some("5.26"),
        Runtime,
        "The container's health is checked",
        "Without a health check the engine cannot tell a hung service from a working one.",
        "Add a HEALTHCHECK to the image or run with `--health-cmd`."
    ),
    check!(
        "CIS-5.28",
        Some("5.28"),
        Runtime,
        "The number of processes is limited",
        "A fork bomb in a container without a PIDs limit exhausts the host's process table.",
        "Run with `--pids-limit N`."
    ),
    check!(
        "CIS-5.29",
        Some("5.29"),
        Runtime,
        "The container is not on the default bridge network",
        "On the default bridge (docker0) every container can reach every other one, and name resolution between containers is not available, so services end up linked by address.",
        "Create a user-defined network for the containers that need to talk (`docker network create`) and run them with `--network NAME`."
    ),
    check!(
        "CIS-5.30",
        Some("5.30"),
        Runtime,
        "The host's user namespace is not shared",
        "`--userns host` turns user namespace remapping off for the container.",
        "Remove `--userns host`."
    ),
    check!(
        "CIS-5.31",
        Some("5.31"),
        Runtime,
        "The Docker socket is not mounted",
        "A container with the Docker socket can start a privileged container: it is root on the host.",
        "Remove the mount of /var/run/docker.sock; use a proxy that allows only the calls needed."
    ),
    check!(
        "CTR-001",
        Some("4.1"),
        Runtime,
        "The container runs as a user other than root",
        "A process that runs as root in the container is root on the host once it escapes.",
        "Run with `--user UID:GID` or set `USER` in the image."
    ),
    check!(
        "CTR-002",
        None,
        Runtime,
        "The container runs few processes",
        "Many processes in one container hint at a shell session, a crypto miner or a fork bomb.",
        "Run one service per container; raise `max_processes` in the checklist for services that fork by design."
    ),
    check!(
        "CTR-003",
        None,
        Runtime,
        "Few files differ from the image",
        "Many changed files hint at software installed or modified in a running container.",
        "Rebuild the image with the change; use volumes for data; raise `max_changed_files` for write-heavy services."
    ),
    check!(
        "CTR-004",
        None,
        Runtime,
        "The container is on internal networks only",
        "A container on a non-internal network reaches its gateway; on a bridge the gateway is the host, so the host's services are in reach.",
        "Attach containers that need no outside access to networks made with `docker network create --internal`, or run them with `--network none`."
    ),
    // Section 6: operations.
    check!(
        "CIS-6.1",
        Some("6.1"),
        Operations,
        "Image sprawl is avoided",
        "Unused images pile up with old, unpatched software that can be started again by mistake.",
        "Remove images no container uses (`docker image prune --all`) and keep only the tags you deploy."
    ),
    check!(
        "CIS-6.2",
        Some("6.2"),
        Operations,
        "Container sprawl is avoided",
        "Stopped containers keep their writable layers, settings and secrets on the host.",
        "Remove containers you no longer need (`docker container prune`)."
    ),
    // Section 7: Swarm.
    check!(
        "CIS-7.1",
        Some("7.1"),
        Swarm,
        "Swarm mode is not enabled unless needed",
        "Swarm mode opens management ports and runs a manager or worker that accepts work from the swarm.",
        "Leave the swarm (`docker swarm leave`) on hosts that do not run swarm services."
    ),
    check!(
        "CIS-7.2",
        Some("7.2"),
        Swarm,
        "The number of manager nodes is the minimum needed",
        "Each manager holds the swarm's state and secrets; more managers than fault tolerance needs widen the attack surface.",
        "Demote managers beyond the odd number the swarm's fault tolerance needs (`docker node demote`)."
    ),
    check!(
        "CIS-7.4",
        Some("7.4"),
        Swarm,
        "Overlay networks are encrypted",
        "Traffic between containers on different nodes crosses the hosts' network in clear text unless the overlay is encrypted.",
        "Create overlay networks with `--opt encrypted`."
    ),
    check!(
        "CIS-7.6",
        Some("7.6"),
        Swarm,
        "Swarm managers are auto-locked",
        "Without auto-lock, a manager's TLS keys and the raft log key are stored unencrypted on disk and are usable by whoever copies them.",
        "Run `docker swarm update --autolock=true` and keep the unlock key outside the cluster."
    ),
];

/// Returns the definition of the check with this id.
pub fn definition(id: &str) -> Option<&'static CheckDefinition> {
    CHECKS.iter().find(|definition| definition.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::CHECKS;

    #[test]
    fn ids_are_unique() {
        let ids: BTreeSet<&str> = CHECKS.iter().map(|definition| definition.id).collect();

        assert_eq!(ids.len(), CHECKS.len());
    }

    #[test]
    fn every_check_is_documented() {
        let docs = include_str!("../../../docs/checks.md");

        for definition in CHECKS {
            let heading = format!("### {}: {}", definition.id, definition.title);
            assert!(docs.contains(&heading), "docs/checks.md lacks `{heading}`");
        }
    }

    #[test]
    fn ids_are_in_section_order() {
        let sections: Vec<_> = CHECKS.iter().map(|definition| definition.section).collect();
        let mut sorted = sections.clone();
        sorted.sort();

        assert_eq!(sections, sorted);
    }
}
