//! The address of the Docker Engine API, and its parsing from a `DOCKER_HOST` value.
//!
//! The benchmark reads the engine over a unix socket only. Its host and daemon-file checks read
//! the files of the machine it runs on, which are the engine's own files only when the engine is
//! local. A TCP, SSH or named-pipe address is kept with the reason, and every check that needs
//! the engine is reported as not run with that reason.

use std::path::PathBuf;

/// The Docker Engine's default socket on Linux.
pub const DEFAULT_DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// The address of the Docker Engine API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineAddress {
    /// A unix socket.
    Unix(PathBuf),
    /// An address the benchmark does not use, with the reason shown in not-run results.
    Unsupported {
        /// The address, with any user name masked.
        address: String,
        /// The reason the benchmark does not use it, and what to do instead.
        reason: String,
    },
}

impl Default for EngineAddress {
    fn default() -> Self {
        EngineAddress::Unix(PathBuf::from(DEFAULT_DOCKER_SOCKET))
    }
}

impl EngineAddress {
    /// Parses a `DOCKER_HOST` value as the docker CLI does: an empty value is the default socket,
    /// `unix://PATH` a socket (`unix://` alone the default one), and a value without a scheme a
    /// TCP address.
    ///
    /// NOTE: docker CLI contexts (`DOCKER_CONTEXT`, `docker context use`) are not read.
    pub fn from_docker_host(value: &str) -> EngineAddress {
        let value = value.trim();
        if value.is_empty() {
            return EngineAddress::default();
        }
        let (scheme, rest) = value.split_once("://").unwrap_or(("tcp", value));
        if scheme == "unix" {
            let path = if rest.is_empty() {
                DEFAULT_DOCKER_SOCKET
            } else {
                rest
            };
            return EngineAddress::Unix(PathBuf::from(path));
        }

        let address = masked(scheme, rest);
        let kind = match scheme {
            "tcp" | "http" | "https" => "a TCP address",
            "ssh" => "an SSH address",
            "npipe" => "a Windows named pipe",
            _ => "an address of an unknown scheme",
        };
        let reason = format!(
            "DOCKER_HOST `{address}` is {kind}, but bench reads the engine over a unix socket only, \
             because its host checks must see the engine's own host; run bench on that host, or \
             pass `--docker-socket`"
        );
        EngineAddress::Unsupported { address, reason }
    }
}

/// Rebuilds the address with the user name and password, if any, replaced by `***`.
fn masked(scheme: &str, rest: &str) -> String {
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => format!("{scheme}://{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(path: &str) -> EngineAddress {
        EngineAddress::Unix(PathBuf::from(path))
    }

    fn unsupported_address(value: &str) -> String {
        match EngineAddress::from_docker_host(value) {
            EngineAddress::Unsupported { address, .. } => address,
            other => panic!("`{value}` parsed as {other:?}"),
        }
    }

    #[test]
    fn unix_addresses_name_sockets() {
        let cases = [
            (
                "unix:///run/user/1000/docker.sock",
                "/run/user/1000/docker.sock",
            ),
            ("unix://", DEFAULT_DOCKER_SOCKET),
            ("", DEFAULT_DOCKER_SOCKET),
            ("  unix:///tmp/d.sock  ", "/tmp/d.sock"),
        ];

        for (value, path) in cases {
            assert_eq!(
                EngineAddress::from_docker_host(value),
                unix(path),
                "`{value}`"
            );
        }
    }

    #[test]
    fn remote_addresses_are_unsupported() {
        assert_eq!(
            unsupported_address("tcp://10.0.0.5:2376"),
            "tcp://10.0.0.5:2376"
        );
        assert_eq!(unsupported_address("10.0.0.5:2375"), "tcp://10.0.0.5:2375");
        assert_eq!(
            unsupported_address("npipe:////./pipe/docker_engine"),
            "npipe:////./pipe/docker_engine"
        );
    }

    #[test]
    fn user_names_are_masked() {
        assert_eq!(
            unsupported_address("ssh://alice@build-host"),
            "ssh://***@build-host"
        );
        assert_eq!(
            unsupported_address("tcp://alice:secret@10.0.0.5:2375/path@x"),
            "tcp://***@10.0.0.5:2375/path@x"
        );
    }

    #[test]
    fn reason_names_kind_and_fix() {
        let EngineAddress::Unsupported { reason, .. } =
            EngineAddress::from_docker_host("ssh://alice@build-host")
        else {
            panic!("an SSH address parsed as a socket");
        };

        assert!(
            reason.starts_with("DOCKER_HOST `ssh://***@build-host` is an SSH address"),
            "{reason}"
        );
        assert!(reason.ends_with("pass `--docker-socket`"), "{reason}");
        assert!(!reason.contains("alice"), "{reason}");
    }
}
