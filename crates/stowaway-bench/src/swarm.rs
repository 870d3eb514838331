//! Section 7: Swarm mode, from the engine's info and networks.
//!
//! A node that is not part of a swarm has nothing to audit here, so every check is a note. The
//! cluster settings (auto-lock, manager count) are in the info of manager nodes only.

use bollard::models::{LocalNodeState, Network, SystemInfo};

use crate::checklist::Parameters;
use crate::outcome::{CheckFn, Outcome};

/// Input of the Swarm checks.
pub(crate) struct SwarmSubject<'a> {
    pub(crate) info: &'a SystemInfo,
    pub(crate) networks: &'a [Network],
}

impl SwarmSubject<'_> {
    /// Returns the node's Swarm state, or `None` when Swarm is not active.
    fn state(&self) -> Option<LocalNodeState> {
        let state = self
            .info
            .swarm
            .as_ref()
            .and_then(|swarm| swarm.local_node_state)?;
        (!matches!(state, LocalNodeState::INACTIVE | LocalNodeState::EMPTY)).then_some(state)
    }

    fn is_manager(&self) -> bool {
        self.info
            .swarm
            .as_ref()
            .and_then(|swarm| swarm.control_available)
            == Some(true)
    }
}

/// Returns the Swarm checks, in report order.
pub(crate) fn swarm_table<'a>() -> [(&'static str, CheckFn<SwarmSubject<'a>>); 4] {
    [
        ("CIS-7.1", |subject, parameters| {
            when_active(subject, parameters, swarm_mode)
        }),
        ("CIS-7.2", |subject, parameters| {
            when_active(subject, parameters, managers)
        }),
        ("CIS-7.4", |subject, parameters| {
            when_active(subject, parameters, overlay_encryption)
        }),
        ("CIS-7.6", |subject, parameters| {
            when_active(subject, parameters, auto_lock)
        }),
    ]
}

/// Runs `check` when the node takes part in a swarm.
fn when_active<'a>(
    subject: &SwarmSubject<'a>,
    parameters: &Parameters,
    check: CheckFn<SwarmSubject<'a>>,
) -> Outcome {
    if subject.state().is_none() {
        return Outcome::note("Swarm is not active");
    }
    check(subject, parameters)
}

fn swarm_mode(subject: &SwarmSubject<'_>, _: &Parameters) -> Outcome {
    let role = if subject.is_manager() {
        "manager"
    } else {
        "worker"
    };
    let state = subject
        .state()
        .map(|state| state.to_string())
        .unwrap_or_default();
    Outcome::warn(format!("Swarm is {state} on this node, a {role}"))
}

/// Lists the manager and node counts for review. A swarm needs an odd number of managers, and no
/// more than its fault tolerance calls for.
fn managers(subject: &SwarmSubject<'_>, _: &Parameters) -> Outcome {
    if !subject.is_manager() {
        return Outcome::note("this node is a worker; run the bench on a manager");
    }
    let swarm = subject.info.swarm.as_ref();
    let managers = swarm.and_then(|swarm| swarm.managers).unwrap_or(0);
    let nodes = swarm.and_then(|swarm| swarm.nodes).unwrap_or(0);
    Outcome::info(format!("{managers} managers among {nodes} nodes"))
}

fn overlay_encryption(subject: &SwarmSubject<'_>, _: &Parameters) -> Outcome {
    let mut problems: Vec<String> = subject
        .networks
        .iter()
        .filter(|network| network.driver.as_deref() == Some("overlay"))
        .filter(|network| {
            !network
                .options
                .as_ref()
                .is_some_and(|options| options.contains_key("encrypted"))
        })
        .map(|network| {
            format!(
                "overlay network `{}` is not encrypted",
                network.name.as_deref().unwrap_or("?")
            )
        })
        .collect();
    problems.sort();
    Outcome::from_problems(problems)
}

fn auto_lock(subject: &SwarmSubject<'_>, _: &Parameters) -> Outcome {
    if subject.state() == Some(LocalNodeState::LOCKED) {
        return Outcome::pass();
    }
    if !subject.is_manager() {
        return Outcome::note("this node is a worker; only managers report the auto-lock setting");
    }
    let auto_lock = subject
        .info
        .swarm
        .as_ref()
        .and_then(|swarm| swarm.cluster.as_ref())
        .and_then(|cluster| cluster.spec.as_ref())
        .and_then(|spec| spec.encryption_config.as_ref())
        .and_then(|encryption| encryption.auto_lock_managers);
    if auto_lock == Some(true) {
        Outcome::pass()
    } else {
        Outcome::warn("manager auto-lock is off")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verdict;

    /// The `Swarm` part of `GET /info` on a manager of a three-node swarm, in the Engine API's
    /// field names. NOTE: written by hand, because the test engine does not run Swarm.
    fn manager_info(auto_lock: bool) -> SystemInfo {
        let document = serde_json::json!({
            "Swarm": {
                "NodeID": "k3vwvq9l5vjvmxr0mqbd1yx0w",
                "NodeAddr": "192.168.1.10",
                "LocalNodeState": "active",
                "ControlAvailable": true,
                "Error": "",
                "RemoteManagers": [{"NodeID": "k3vwvq9l5vjvmxr0mqbd1yx0w", "Addr": "192.168.1.10:2377"}],
                "Nodes": 3,
                "Managers": 1,
                "Cluster": {
                    "ID": "tzy4u7kcbd4m3n0zhkgwp5ni4",
                    "Spec": {
                        "Name": "default",
                        "EncryptionConfig": {"AutoLockManagers": auto_lock}
                    }
                }
            }
        });
        serde_json::from_value(document).unwrap()
    }

    fn overlay(name: &str, encrypted: bool) -> Network {
        let options = if encrypted {
            serde_json::json!({"encrypted": ""})
        } else {
            serde_json::json!({})
        };
        serde_json::from_value(serde_json::json!({
            "Name": name, "Driver": "overlay", "Internal": false, "Options": options
        }))
        .unwrap()
    }

    fn run(info: &SystemInfo, networks: &[Network], id: &str) -> Outcome {
        let subject = SwarmSubject { info, networks };
        let (_, check) = swarm_table()
            .into_iter()
            .find(|(check_id, _)| *check_id == id)
            .unwrap();
        check(&subject, &Parameters::default())
    }

    #[test]
    fn active_manager_without_auto_lock() {
        let info = manager_info(false);
        let networks = [overlay("ingress", false), overlay("backend", true)];

        let mode = run(&info, &networks, "CIS-7.1");
        let managers = run(&info, &networks, "CIS-7.2");
        let encryption = run(&info, &networks, "CIS-7.4");
        let lock = run(&info, &networks, "CIS-7.6");

        assert_eq!(mode.verdict, Verdict::Warn);
        assert_eq!(mode.details, ["Swarm is active on this node, a manager"]);
        assert_eq!(managers.verdict, Verdict::Info);
        assert_eq!(managers.details, ["1 managers among 3 nodes"]);
        assert_eq!(encryption.verdict, Verdict::Warn);
        assert_eq!(
            encryption.details,
            ["overlay network `ingress` is not encrypted"]
        );
        assert_eq!(lock.verdict, Verdict::Warn);
    }

    #[test]
    fn auto_lock_manager_passes() {
        let info = manager_info(true);

        assert_eq!(run(&info, &[], "CIS-7.6").verdict, Verdict::Pass);
        assert_eq!(run(&info, &[], "CIS-7.4").verdict, Verdict::Pass);
    }

    #[test]
    fn inactive_swarm_is_noted() {
        let info: SystemInfo =
            serde_json::from_value(serde_json::json!({"Swarm": {"LocalNodeState": "inactive"}}))
                .unwrap();

        for id in ["CIS-7.1", "CIS-7.2", "CIS-7.4", "CIS-7.6"] {
            let outcome = run(&info, &[overlay("ingress", false)], id);
            assert_eq!(outcome.verdict, Verdict::Note, "{id}");
            assert_eq!(outcome.details, ["Swarm is not active"], "{id}");
        }
    }
}
