//! Reads what the runtime and daemon checks need from the Docker Engine API, once, into plain data.
//!
//! The checks themselves are pure functions of this snapshot. The tokio runtime that bollard
//! needs is created here and lives only for the duration of [`read_engine`].

use std::path::Path;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, SystemInfo};
use bollard::query_parameters::ListContainersOptionsBuilder;

/// Seconds a single Engine API request may take.
const REQUEST_TIMEOUT_SECONDS: u64 = 60;

/// Containers read at most; a larger host is audited on the first ones, with a warning.
const MAX_CONTAINERS: usize = 1000;

/// What the engine reported.
#[derive(Debug)]
pub struct EngineSnapshot {
    /// `GET /info`.
    pub info: SystemInfo,
    /// The default bridge's `com.docker.network.bridge.enable_icc` option, when the bridge exists.
    pub bridge_icc: Option<bool>,
    /// The running containers.
    pub containers: Vec<ContainerSnapshot>,
    /// Problems that left part of the snapshot empty.
    pub warnings: Vec<String>,
}

/// One running container.
#[derive(Debug)]
pub struct ContainerSnapshot {
    /// `GET /containers/{id}/json`.
    pub inspect: ContainerInspectResponse,
    /// The command lines of its processes (`top`), or why they could not be read.
    pub processes: Result<Vec<String>, String>,
    /// The number of paths changed from the image (`changes`), or why it could not be read.
    pub changed_files: Result<usize, String>,
}

impl ContainerSnapshot {
    /// Returns the container's name without the engine's leading `/`.
    pub fn name(&self) -> &str {
        self.inspect
            .name
            .as_deref()
            .unwrap_or("")
            .trim_start_matches('/')
    }
}

/// Why the engine could not be read; the checks that need it are reported as not run with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineUnavailable {
    /// Permission denied, no socket, or the engine's error, with the socket path.
    pub reason: String,
}

/// Connects to the engine's unix socket and reads the info, the default bridge and every running
/// container, or every container with `all_containers`.
pub fn read_engine(
    socket: &Path,
    all_containers: bool,
) -> Result<EngineSnapshot, EngineUnavailable> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| EngineUnavailable {
            reason: format!("failed to start the async runtime: {error}"),
        })?;
    runtime.block_on(read_snapshot(socket, all_containers))
}

async fn read_snapshot(
    socket: &Path,
    all_containers: bool,
) -> Result<EngineSnapshot, EngineUnavailable> {
    let unavailable = |error: bollard::errors::Error| EngineUnavailable {
        reason: describe(socket, &error),
    };
    if !socket.exists() {
        return Err(EngineUnavailable {
            reason: no_socket(socket),
        });
    }

    let docker = Docker::connect_with_unix(
        &socket.to_string_lossy(),
        REQUEST_TIMEOUT_SECONDS,
        bollard::API_DEFAULT_VERSION,
    )
    .map_err(unavailable)?;
    // Older engines reject requests for a newer API version than their own.
    let docker = docker.negotiate_version().await.map_err(unavailable)?;
    let info = docker.info().await.map_err(unavailable)?;
    tracing::debug!(version = ?info.server_version, "read the engine info");

    let mut warnings = Vec::new();
    let bridge_icc = match docker.inspect_network("bridge", None).await {
        Ok(network) => network
            .options
            .as_ref()
            .and_then(|options| options.get("com.docker.network.bridge.enable_icc"))
            .map(|value| value != "false"),
        Err(error) => {
            tracing::debug!(%error, "no default bridge network");
            None
        }
    };

    let options = ListContainersOptionsBuilder::default()
        .all(all_containers)
        .build();
    let mut summaries = docker
        .list_containers(Some(options))
        .await
        .map_err(unavailable)?;
    if summaries.len() > MAX_CONTAINERS {
        warnings.push(format!(
            "{} containers run; only the first {MAX_CONTAINERS} are audited",
            summaries.len()
        ));
        summaries.truncate(MAX_CONTAINERS);
    }

    let mut containers = Vec::new();
    for id in summaries.into_iter().filter_map(|summary| summary.id) {
        match read_container(&docker, &id).await {
            Ok(container) => containers.push(container),
            // A container that stopped between the listing and its inspection has nothing to audit.
            Err(error) => warnings.push(format!("failed to inspect container `{id}`: {error}")),
        }
    }
    Ok(EngineSnapshot {
        info,
        bridge_icc,
        containers,
        warnings,
    })
}

async fn read_container(
    docker: &Docker,
    id: &str,
) -> Result<ContainerSnapshot, bollard::errors::Error> {
    let inspect = docker.inspect_container(id, None).await?;

    let processes = docker
        .top_processes(id, None)
        .await
        .map_err(|error| error.to_string())
        .map(|top| {
            let titles = top.titles.unwrap_or_default();
            let command = titles
                .iter()
                .position(|title| title == "CMD" || title == "COMMAND")
                .unwrap_or(titles.len().saturating_sub(1));
            top.processes
                .unwrap_or_default()
                .into_iter()
                .map(|process| process.get(command).cloned().unwrap_or_default())
                .collect()
        });
    let changed_files = docker
        .container_changes(id)
        .await
        .map_err(|error| error.to_string())
        .map(|changes| changes.map_or(0, |changes| changes.len()));
    Ok(ContainerSnapshot {
        inspect,
        processes,
        changed_files,
    })
}

fn no_socket(socket: &Path) -> String {
    format!(
        "no engine socket at `{}`; start the Docker daemon or pass `--docker-socket`",
        socket.display()
    )
}

/// Describes a failed request, telling permission denied and a missing socket from other failures.
fn describe(socket: &Path, error: &bollard::errors::Error) -> String {
    let io_kind = std::iter::successors(std::error::Error::source(error), |cause| cause.source())
        .find_map(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind)
        });
    match io_kind {
        Some(std::io::ErrorKind::PermissionDenied) => {
            format!(
                "permission denied on the engine socket `{}`; run as root or as a member of the docker group",
                socket.display()
            )
        }
        Some(std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            no_socket(socket)
        }
        _ => format!(
            "failed to read the engine at `{}`: {error}",
            socket.display()
        ),
    }
}
