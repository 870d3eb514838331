//! CIS 5.22 and 5.23: `docker exec` sessions started with `--privileged` or `--user=root`.
//!
//! The benchmark reads these from the daemon's audit log. The Engine API has a partial source
//! instead: the container's `ExecIDs`, which the engine lists only while a session runs (Docker
//! Engine 20.10 drops a session from the list when it exits). So running sessions are audited, and
//! a container with none is reported as not run, because earlier sessions are not recorded.

use bollard::models::{ExecInspectResponse, ProcessConfig};

use super::ContainerSubject;
use crate::Verdict;
use crate::checklist::Parameters;
use crate::outcome::Outcome;

/// The reason a container without a running exec session cannot be judged.
const NO_SESSION: &str = "no exec session runs, and the engine keeps no record of finished ones; \
                          the daemon's audit log has them";

pub(super) fn privileged_exec(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    audit_sessions(subject, |config| {
        (config.privileged == Some(true)).then(|| "with --privileged".to_owned())
    })
}

pub(super) fn root_exec(subject: &ContainerSubject<'_>, _: &Parameters) -> Outcome {
    audit_sessions(subject, |config| {
        let user = config.user.as_deref().unwrap_or("");
        let name = user.split(':').next().unwrap_or("");
        matches!(name, "root" | "0").then(|| format!("as user `{user}`"))
    })
}

/// Warns on each running session for which `problem` returns how it was started. Passes when
/// none does, saying how many were audited.
fn audit_sessions(
    subject: &ContainerSubject<'_>,
    problem: impl Fn(&ProcessConfig) -> Option<String>,
) -> Outcome {
    let sessions = &subject.container.exec_sessions;
    if sessions.is_empty() {
        return Outcome::not_run(NO_SESSION);
    }

    let mut problems = Vec::new();
    let mut failures = Vec::new();
    for session in sessions {
        match session {
            Ok(session) => {
                let config = session.process_config.clone().unwrap_or_default();
                if let Some(how) = problem(&config) {
                    problems.push(format!(
                        "exec session `{}` runs `{}` {how}",
                        short_id(session),
                        command(&config)
                    ));
                }
            }
            Err(reason) => failures.push(reason.as_str()),
        }
    }

    if problems.is_empty() && !failures.is_empty() {
        return Outcome::not_run(failures.join("; "));
    }
    if problems.is_empty() {
        let audited = sessions.len() - failures.len();
        return Outcome {
            verdict: Verdict::Pass,
            details: vec![format!(
                "{audited} running exec sessions audited; finished ones are only in the daemon's audit log"
            )],
        };
    }
    Outcome::from_problems(problems)
}

fn short_id(session: &ExecInspectResponse) -> &str {
    let id = session.id.as_deref().unwrap_or("?");
    id.get(..12).unwrap_or(id)
}

fn command(config: &ProcessConfig) -> String {
    let mut words = vec![config.entrypoint.clone().unwrap_or_default()];
    words.extend(config.arguments.iter().flatten().cloned());
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ContainerSnapshot;

    /// An exec session from `GET /exec/{id}/json`, modeled on one that Docker Engine 20.10
    /// returned for `docker exec --detach --user root CONTAINER sleep 60`.
    fn session(privileged: bool, user: &str) -> ExecInspectResponse {
        let document = serde_json::json!({
            "ID": "2a5d4e361ba4c6f49bf7bac8fbcdde39cac7ac05ea89dce170aa0abee831e241",
            "Running": true,
            "ExitCode": null,
            "ProcessConfig": {
                "tty": false,
                "entrypoint": "sleep",
                "arguments": ["60"],
                "privileged": privileged,
                "user": user
            },
            "OpenStdin": false,
            "OpenStderr": false,
            "OpenStdout": false,
            "CanRemove": false,
            "ContainerID": "0b5ad6bd577d161c0eb45093952357104b09c8462cb467b067ca834e35983f71",
            "DetachKeys": "",
            "Pid": 4242
        });
        serde_json::from_value(document).unwrap()
    }

    fn container(sessions: Vec<ExecInspectResponse>) -> ContainerSnapshot {
        ContainerSnapshot {
            inspect: Default::default(),
            processes: Ok(Vec::new()),
            changed_files: Ok(0),
            network_owner: None,
            exec_sessions: sessions.into_iter().map(Ok).collect(),
        }
    }

    fn subject(container: &ContainerSnapshot) -> ContainerSubject<'_> {
        ContainerSubject {
            container,
            networks: &[],
            apparmor: false,
            selinux: false,
        }
    }

    #[test]
    fn privileged_session_warns() {
        let container = container(vec![session(true, "")]);
        let outcome = privileged_exec(&subject(&container), &Parameters::default());

        assert_eq!(outcome.verdict, Verdict::Warn);
        assert_eq!(
            outcome.details,
            ["exec session `2a5d4e361ba4` runs `sleep 60` with --privileged"]
        );
    }

    #[test]
    fn unprivileged_session_passes() {
        let container = container(vec![session(false, "1000")]);
        let privileged = privileged_exec(&subject(&container), &Parameters::default());
        let root = root_exec(&subject(&container), &Parameters::default());

        assert_eq!(privileged.verdict, Verdict::Pass);
        assert_eq!(root.verdict, Verdict::Pass);
    }

    #[test]
    fn root_session_warns() {
        let container = container(vec![session(false, "0:0")]);
        let outcome = root_exec(&subject(&container), &Parameters::default());

        assert_eq!(outcome.verdict, Verdict::Warn);
        assert_eq!(
            outcome.details,
            ["exec session `2a5d4e361ba4` runs `sleep 60` as user `0:0`"]
        );
    }

    #[test]
    fn no_session_is_not_run() {
        let container = container(Vec::new());
        let outcome = root_exec(&subject(&container), &Parameters::default());

        assert!(matches!(outcome.verdict, Verdict::NotRun { .. }));
    }
}
