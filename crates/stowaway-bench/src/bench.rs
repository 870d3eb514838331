//! One benchmark run: host files, the daemon, every running container and every local image.

use std::path::PathBuf;

use crate::BenchError;
use crate::address::EngineAddress;
use stowaway_image::Image;

use crate::check::{CheckResult, Section};
use crate::checklist::Checklist;
use crate::container::{ContainerSubject, container_table};
use crate::daemon::{DaemonConfig, DaemonSubject, daemon_table};
use crate::engine::{EngineRequest, EngineSnapshot, EngineUnavailable, read_engine};
use crate::host::{HostRoot, HostSubject, host_table};
use crate::image::{image_checks, image_table};
use crate::operations::{OperationsSubject, operations_table};
use crate::outcome::{Outcome, run_table, same_for_all};
use crate::report::BenchReport;
use crate::swarm::{SwarmSubject, swarm_table};

/// Locations the benchmark reads.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The host's `/`, under which host files and `/proc` are read.
    pub host_root: PathBuf,
    /// The Docker Engine API's address.
    pub engine: EngineAddress,
    /// Also audit containers that are created, stopped or paused, whose settings apply when they start.
    pub all_containers: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            host_root: PathBuf::from("/"),
            engine: EngineAddress::default(),
            all_containers: false,
        }
    }
}

/// Runs every check the checklist selects and returns the report.
///
/// An unreachable engine or an unreadable host file does not fail the run: the checks that need
/// them are reported as not run, with the reason.
pub fn run_bench(options: &BenchOptions, checklist: &Checklist) -> Result<BenchReport, BenchError> {
    let root = HostRoot::new(&options.host_root)?;
    let config = DaemonConfig::read(&root).map_err(|error| error.to_string());
    let needs_engine = [
        Section::DaemonFiles,
        Section::Daemon,
        Section::Images,
        Section::Runtime,
        Section::Operations,
        Section::Swarm,
    ]
    .into_iter()
    .any(|section| checklist.runs_section(section));
    let request = EngineRequest {
        all_containers: options.all_containers,
        images: checklist.runs_section(Section::Images),
        inventory: checklist.runs_section(Section::Operations),
    };
    let engine = needs_engine.then(|| match &options.engine {
        EngineAddress::Unix(socket) => read_engine(socket, request),
        EngineAddress::Unsupported { reason, .. } => Err(EngineUnavailable {
            reason: reason.clone(),
        }),
    });
    let engine: Result<&EngineSnapshot, &str> = match &engine {
        Some(Ok(snapshot)) => Ok(snapshot),
        Some(Err(unavailable)) => Err(&unavailable.reason),
        None => Err("no selected check needs the engine"),
    };

    let warnings = engine
        .map(|snapshot| snapshot.warnings.clone())
        .unwrap_or_default();
    let security_options = engine
        .ok()
        .and_then(|snapshot| snapshot.info.security_options.clone())
        .unwrap_or_default();
    let rootless = security_options
        .iter()
        .any(|option| option == "name=rootless");

    let mut results = Vec::new();
    let host = HostSubject {
        root: &root,
        config: config.as_ref().ok(),
        rootless,
    };
    results.extend(run_table(checklist, "host", &host, &host_table()));

    let daemon = DaemonSubject {
        info: engine.map(|snapshot| &snapshot.info),
        bridge_icc: engine.ok().and_then(|snapshot| snapshot.bridge_icc),
        config: config.as_ref().map_err(String::as_str),
    };
    results.extend(run_table(checklist, "daemon", &daemon, &daemon_table()));
    results.extend(image_results(checklist, engine));
    results.extend(container_results(checklist, engine, &security_options));
    results.extend(operations_results(checklist, engine));
    results.extend(swarm_results(checklist, engine));

    // Host and daemon-file checks share one table, so the sections are put in order here.
    results.sort_by_key(|result| result.check.section);
    Ok(BenchReport::new(&checklist.origin, results, warnings))
}

/// Runs the image checks on the configuration of every local image.
///
/// The engine API does not export an image's files, so the checks that read files are reported as not run.
fn image_results(checklist: &Checklist, engine: Result<&EngineSnapshot, &str>) -> Vec<CheckResult> {
    let snapshot = match engine {
        Ok(snapshot) => snapshot,
        Err(reason) => {
            return same_for_all(
                checklist,
                "images",
                &image_table(),
                &Outcome::not_run(reason),
            );
        }
    };
    if snapshot.images.is_empty() {
        return same_for_all(
            checklist,
            "images",
            &image_table(),
            &Outcome::note("no local images"),
        );
    }

    let mut results = Vec::new();
    for engine_image in &snapshot.images {
        let mut image = Image::from_layer_blobs(Vec::new());
        image.reference = engine_image.id.clone();
        image.tags = engine_image
            .tags
            .iter()
            .filter(|tag| *tag != "<none>:<none>")
            .cloned()
            .collect();
        image.config = engine_image.config.clone();
        results.extend(image_checks(&image, None, checklist));
    }
    results
}

fn operations_results(
    checklist: &Checklist,
    engine: Result<&EngineSnapshot, &str>,
) -> Vec<CheckResult> {
    let target = "engine";
    match engine {
        Ok(EngineSnapshot {
            info,
            inventory: Some(inventory),
            ..
        }) => {
            let subject = OperationsSubject { info, inventory };
            run_table(checklist, target, &subject, &operations_table())
        }
        Ok(_) => Vec::new(),
        Err(reason) => same_for_all(
            checklist,
            target,
            &operations_table(),
            &Outcome::not_run(reason),
        ),
    }
}

fn swarm_results(checklist: &Checklist, engine: Result<&EngineSnapshot, &str>) -> Vec<CheckResult> {
    let target = "swarm";
    match engine {
        Ok(snapshot) => {
            let subject = SwarmSubject {
                info: &snapshot.info,
                networks: &snapshot.networks,
            };
            run_table(checklist, target, &subject, &swarm_table())
        }
        Err(reason) => same_for_all(checklist, target, &swarm_table(), &Outcome::not_run(reason)),
    }
}

fn container_results(
    checklist: &Checklist,
    engine: Result<&EngineSnapshot, &str>,
    security_options: &[String],
) -> Vec<CheckResult> {
    let snapshot = match engine {
        Ok(snapshot) => snapshot,
        Err(reason) => {
            return same_for_all(
                checklist,
                "containers",
                &container_table(),
                &Outcome::not_run(reason),
            );
        }
    };
    if snapshot.containers.is_empty() {
        return same_for_all(
            checklist,
            "containers",
            &container_table(),
            &Outcome::note("no running containers"),
        );
    }

    let apparmor = security_options
        .iter()
        .any(|option| option.starts_with("name=apparmor"));
    let selinux = security_options
        .iter()
        .any(|option| option.starts_with("name=selinux"));
    let mut results = Vec::new();
    for container in &snapshot.containers {
        let labels = container
            .inspect
            .config
            .as_ref()
            .and_then(|config| config.labels.clone())
            .unwrap_or_default();
        if checklist
            .exclude
            .excludes(container.name(), &labels.into_iter().collect())
        {
            tracing::debug!(container = container.name(), "excluded by the checklist");
            continue;
        }
        let subject = ContainerSubject {
            container,
            networks: &snapshot.networks,
            apparmor,
            selinux,
        };
        results.extend(run_table(
            checklist,
            container.name(),
            &subject,
            &container_table(),
        ));
    }
    results
}
