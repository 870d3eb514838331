//! Reads what the runtime and daemon checks need from the Docker Engine API, once, into plain data.
//!
//! The checks themselves are pure functions of this snapshot. The tokio runtime that bollard
//! needs is created here and lives only for the duration of [`read_engine`].

use std::collections::BTreeSet;
use std::path::Path;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, ExecInspectResponse, Network, SystemInfo};
use bollard::query_parameters::ListContainersOptionsBuilder;
use stowaway_image::ImageConfig;

/// Seconds a single Engine API request may take.
const REQUEST_TIMEOUT_SECONDS: u64 = 60;

/// Containers read at most; a larger host is audited on the first ones, with a warning.
const MAX_CONTAINERS: usize = 1000;

/// Local images read at most, with the same warning beyond.
const MAX_IMAGES: usize = 1000;

/// Containers followed at most from one that joins another's network namespace to the one that
/// owns it, so that a cycle ends.
const MAX_NETWORK_JOINS: usize = 10;

/// The engine's state as read once.
#[derive(Debug)]
pub struct EngineSnapshot {
    /// `GET /info`.
    pub info: SystemInfo,
    /// The default bridge's `com.docker.network.bridge.enable_icc` option, when the bridge exists.
    pub bridge_icc: Option<bool>,
    /// Every network of the engine (`GET /networks`), empty when the listing failed.
    pub networks: Vec<Network>,
    /// The running containers.
    pub containers: Vec<ContainerSnapshot>,
    /// The local images, when they were requested.
    pub images: Vec<EngineImage>,
    /// The local images and the images containers use, when they were requested.
    pub inventory: Option<Inventory>,
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
    /// The inspection of the container that owns the network namespace this one joins
    /// (`--network container:NAME`, followed through containers that join another one), or why it
    /// could not be read. `None` for other network modes.
    pub network_owner: Option<Result<ContainerInspectResponse, String>>,
    /// The container's exec sessions (`ExecIDs`), each inspected or with the reason it could not be.
    /// NOTE: the engine lists an exec session only while it runs, so finished ones are missing.
    pub exec_sessions: Vec<Result<ExecInspectResponse, String>>,
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

/// One local image as the engine describes it: no files, only its configuration and history.
#[derive(Debug)]
pub struct EngineImage {
    /// Image id (`sha256:...`).
    pub id: String,
    /// Repository tags (`debian:13`).
    pub tags: Vec<String>,
    /// The configuration, with the history from `GET /images/{id}/history`.
    pub config: ImageConfig,
}

/// The ids of every local image and of the images that containers in any state use.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Every local image id (`sha256:...`), none left out.
    pub images: Vec<String>,
    /// The image ids of every container, running or not.
    pub used_images: BTreeSet<String>,
}

/// Parts to read besides the info and the default bridge.
#[derive(Debug, Clone, Copy)]
pub struct EngineRequest {
    /// Containers in every state rather than the running ones.
    pub all_containers: bool,
    /// The local images.
    pub images: bool,
    /// The image and container inventory.
    pub inventory: bool,
}

/// The reason the engine could not be read, which the checks that need it report as not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineUnavailable {
    /// Permission denied, no socket, or the engine's error, with the socket path.
    pub reason: String,
}

/// Connects to the engine's unix socket and reads the info, the default bridge, the containers
/// and the local images that `request` names.
#[tracing::instrument(skip(request))]
pub fn read_engine(
    socket: &Path,
    request: EngineRequest,
) -> Result<EngineSnapshot, EngineUnavailable> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| EngineUnavailable {
            reason: format!("failed to start the async runtime: {error}"),
        })?;
    runtime.block_on(read_snapshot(socket, request))
}

async fn read_snapshot(
    socket: &Path,
    request: EngineRequest,
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

    let networks = match docker.list_networks(None).await {
        Ok(networks) => networks,
        Err(error) => {
            warnings.push(format!("failed to list the engine's networks: {error}"));
            Vec::new()
        }
    };

    let options = ListContainersOptionsBuilder::default()
        .all(request.all_containers)
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
    let image_summaries = if request.images || request.inventory {
        docker
            .list_images(None::<bollard::query_parameters::ListImagesOptions>)
            .await
            .map_err(unavailable)?
    } else {
        Vec::new()
    };
    let inventory = if request.inventory {
        Some(
            read_inventory(&docker, &image_summaries)
                .await
                .map_err(unavailable)?,
        )
    } else {
        None
    };
    let images = if request.images {
        read_images(&docker, image_summaries, &mut warnings).await
    } else {
        Vec::new()
    };
    Ok(EngineSnapshot {
        info,
        bridge_icc,
        networks,
        containers,
        images,
        inventory,
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

    let network_owner = match joined_container(&inspect) {
        Some(owner) => Some(read_network_owner(docker, owner).await),
        None => None,
    };
    let mut exec_sessions = Vec::new();
    for exec_id in inspect.exec_ids.iter().flatten() {
        let session = docker
            .inspect_exec(exec_id)
            .await
            .map_err(|error| format!("failed to inspect exec session `{exec_id}`: {error}"));
        exec_sessions.push(session);
    }
    Ok(ContainerSnapshot {
        inspect,
        processes,
        changed_files,
        network_owner,
        exec_sessions,
    })
}

/// Lists the image of every container, in any state, beside the local images.
async fn read_inventory(
    docker: &Docker,
    images: &[bollard::models::ImageSummary],
) -> Result<Inventory, bollard::errors::Error> {
    let options = ListContainersOptionsBuilder::default().all(true).build();
    let used_images = docker
        .list_containers(Some(options))
        .await?
        .into_iter()
        .filter_map(|summary| summary.image_id)
        .collect();
    Ok(Inventory {
        images: images.iter().map(|image| image.id.clone()).collect(),
        used_images,
    })
}

/// Returns the container named by a `container:NAME` network mode.
fn joined_container(inspect: &ContainerInspectResponse) -> Option<&str> {
    inspect
        .host_config
        .as_ref()
        .and_then(|config| config.network_mode.as_deref())
        .and_then(|mode| mode.strip_prefix("container:"))
}

/// Inspects the container that owns the network namespace a container joins, following
/// containers that themselves join another one, as Docker Engine 20.10 allows.
async fn read_network_owner(
    docker: &Docker,
    joined: &str,
) -> Result<ContainerInspectResponse, String> {
    let mut name = joined.to_owned();
    for _ in 0..MAX_NETWORK_JOINS {
        let owner = docker
            .inspect_container(&name, None)
            .await
            .map_err(|error| error.to_string())?;
        match joined_container(&owner) {
            Some(next) => name = next.to_owned(),
            None => return Ok(owner),
        }
    }
    Err(format!(
        "more than {MAX_NETWORK_JOINS} containers join each other's network namespace"
    ))
}

async fn read_images(
    docker: &Docker,
    mut summaries: Vec<bollard::models::ImageSummary>,
    warnings: &mut Vec<String>,
) -> Vec<EngineImage> {
    if summaries.len() > MAX_IMAGES {
        warnings.push(format!(
            "{} local images; only the first {MAX_IMAGES} are audited",
            summaries.len()
        ));
        summaries.truncate(MAX_IMAGES);
    }

    let mut images = Vec::new();
    for summary in summaries {
        match read_image(docker, &summary.id).await {
            Ok(config) => images.push(EngineImage {
                id: summary.id,
                tags: summary.repo_tags,
                config,
            }),
            Err(error) => warnings.push(format!("failed to read image `{}`: {error}", summary.id)),
        }
    }
    images
}

/// Builds the image configuration from the engine's inspection and history. The history API
/// lists the newest step first and has no `empty_layer` flag, so steps of size 0 count as empty.
async fn read_image(docker: &Docker, id: &str) -> Result<ImageConfig, String> {
    let inspect = docker
        .inspect_image(id)
        .await
        .map_err(|error| error.to_string())?;
    let history = docker
        .image_history(id)
        .await
        .map_err(|error| error.to_string())?;
    let steps: Vec<serde_json::Value> = history
        .iter()
        .rev()
        .map(|step| serde_json::json!({"created_by": step.created_by, "empty_layer": step.size == 0}))
        .collect();
    let document = serde_json::json!({
        "architecture": inspect.architecture,
        "os": inspect.os,
        "config": inspect.config,
        "history": steps,
    });
    serde_json::from_value(document)
        .map_err(|error| format!("invalid image configuration: {error}"))
}

fn no_socket(socket: &Path) -> String {
    format!(
        "no engine socket at `{}`; start the Docker daemon, or pass `--docker-socket` or set `DOCKER_HOST=unix://PATH`",
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
