//! CTR-004: whether a container can reach a network gateway, decided from the engine's records of
//! its networks and never by running a probe inside the container.
//!
//! A container reaches the gateway of every network it is attached to unless the network is
//! internal (`docker network create --internal`), which gives it no route out. On a bridge network
//! the gateway is an address of the host itself, so the container also reaches the host's services.

use std::collections::HashMap;

use bollard::models::{ContainerInspectResponse, EndpointSettings, Network};

use super::ContainerSubject;
use crate::checklist::Parameters;
use crate::outcome::Outcome;

pub(super) fn gateway_reach(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    let inspect = &subject.container.inspect;
    let mode = network_mode(inspect);
    let Some(owner) = mode.strip_prefix("container:") else {
        return reach(inspect, subject.networks, None);
    };

    // The container joins another container's network namespace, so that container's networks apply.
    match &subject.container.network_owner {
        Some(Ok(owner_inspect)) => {
            let name = owner_inspect
                .name
                .as_deref()
                .map_or(owner, |name| name.trim_start_matches('/'));
            reach(owner_inspect, subject.networks, Some(name))
        }
        Some(Err(reason)) => Outcome::not_run(format!(
            "failed to inspect container `{owner}`, whose network the container joins: {reason}"
        )),
        None => Outcome::not_run(format!(
            "container `{owner}`, whose network the container joins, was not inspected"
        )),
    }
}

fn network_mode(inspect: &ContainerInspectResponse) -> String {
    inspect
        .host_config
        .as_ref()
        .and_then(|config| config.network_mode.clone())
        .unwrap_or_default()
}

/// Lists the non-internal networks of `inspect` with their gateways. `owner` names the container
/// whose networks these are when they are not the audited container's own.
fn reach(inspect: &ContainerInspectResponse, networks: &[Network], owner: Option<&str>) -> Outcome {
    let via = owner
        .map(|owner| format!(" through container `{owner}`"))
        .unwrap_or_default();
    match network_mode(inspect).as_str() {
        "host" => {
            return Outcome::warn(format!(
                "host network mode{via}: the container uses the host's interfaces and routes"
            ));
        }
        "none" => return Outcome::pass(),
        _ => {}
    }

    let endpoints: HashMap<String, EndpointSettings> = inspect
        .network_settings
        .as_ref()
        .and_then(|settings| settings.networks.clone())
        .unwrap_or_default();
    let mut names: Vec<&String> = endpoints.keys().collect();
    names.sort();

    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        let endpoint = &endpoints[name];
        // A created container's endpoint has no network id yet, only the network's name as key.
        let Some(network) = networks.iter().find(|network| {
            let id = endpoint.network_id.as_deref().unwrap_or("");
            (!id.is_empty() && network.id.as_deref() == Some(id))
                || network.name.as_deref() == Some(name.as_str())
        }) else {
            unknown.push(name.as_str());
            continue;
        };
        let driver = network.driver.as_deref().unwrap_or("unknown");
        if network.internal == Some(true) || driver == "null" {
            continue;
        }
        let gateway = match gateway(endpoint, network) {
            Some(gateway) => format!("reaches gateway {gateway}"),
            None => "has a route out, though the engine records no gateway address".to_owned(),
        };
        problems.push(format!(
            "network `{name}` ({driver} driver) is not internal, so the container{via} {gateway}"
        ));
    }

    if problems.is_empty() && !unknown.is_empty() {
        return Outcome::not_run(format!(
            "the engine lists no network named `{}`",
            unknown.join("`, `")
        ));
    }
    Outcome::from_problems(problems)
}

/// Returns the endpoint's gateway, or the network's when the container has not started and its
/// endpoint has no address yet.
fn gateway(endpoint: &EndpointSettings, network: &Network) -> Option<String> {
    let own = [&endpoint.gateway, &endpoint.ipv6_gateway]
        .into_iter()
        .flatten()
        .find(|gateway| !gateway.is_empty())
        .cloned();
    own.or_else(|| {
        network
            .ipam
            .as_ref()
            .and_then(|ipam| ipam.config.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|config| config.gateway.clone())
            .find(|gateway| !gateway.is_empty())
    })
}
