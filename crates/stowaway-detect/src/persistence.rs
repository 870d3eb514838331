//! Persistence: cron entries, root's SSH keys, preloaded libraries, shell start-up files that
//! launch programs, and extra uid-0 accounts, read from the files of the final image.

use globset::{Glob, GlobSet, GlobSetBuilder};
use stowaway_image::ImageView;
use stowaway_model::Level;

use crate::candidate::Candidate;
use crate::commands::{launches_program, suspicious_command};
use crate::heuristics::heuristic_by_id;
use crate::packages::PackageFiles;
use crate::secrets::mask;
use crate::system_files::{CRON_PATTERNS, ROOT_KEYS_PATTERNS, STARTUP_PATTERNS, SystemFile};

/// Entries reported per file; a long crontab is one finding to review, not dozens.
const MAX_PER_FILE: usize = 3;

/// Checks the visible text files that the system files analyzer at position `analyzer` read.
pub(crate) fn check(view: &ImageView, analyzer: usize, packages: &PackageFiles) -> Vec<Candidate> {
    let cron = glob_set(CRON_PATTERNS);
    let startup = glob_set(STARTUP_PATTERNS);
    let root_keys = glob_set(ROOT_KEYS_PATTERNS);
    let mut found = Vec::new();

    for (path, layer, fact) in view.visible_facts::<SystemFile>(analyzer) {
        let SystemFile::Text(text) = fact else { continue };
        let absolute = path.to_string();

        let file_candidates = if cron.is_match(path.as_path()) {
            if packages.owns(&absolute) { Vec::new() } else { cron_entries(&absolute, text) }
        } else if startup.is_match(path.as_path()) {
            startup_launches(text)
        } else if root_keys.is_match(path.as_path()) {
            authorized_keys(text)
        } else if absolute == "/etc/ld.so.preload" {
            preloads(text)
        } else if absolute == "/etc/passwd" {
            uid0_users(text)
        } else {
            Vec::new()
        };

        found.extend(file_candidates.into_iter().take(MAX_PER_FILE).map(|mut candidate| {
            candidate.path = Some(absolute.clone());
            candidate.layer = Some(layer);
            candidate
        }));
    }
    found
}

fn glob_set(patterns: &[&str]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).expect("persistence patterns are valid globs"));
    }
    builder.build().expect("persistence patterns are valid globs")
}

/// Lines that are neither blank nor comments.
fn active_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Reports the commands of a cron table or cron script. A command that downloads, decodes or
/// launches from a temporary folder raises the severity to high.
fn cron_entries(path: &str, text: &str) -> Vec<Candidate> {
    let heuristic = heuristic_by_id("persistence-cron");
    let is_script = ["/etc/cron.hourly/", "/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/"].iter().any(|dir| path.starts_with(dir));

    active_lines(text)
        .filter(|line| !is_variable_assignment(line) && !line.starts_with("#!"))
        .map(|line| {
            let severity = if launches_program(line) { Level::High } else { heuristic.severity };
            let why = if is_script { "a cron script that no OS package installed runs this command periodically" } else { "a cron entry that no OS package installed runs this command on a schedule" };
            Candidate::heuristic(heuristic, None, None, Some(line.to_owned()), why.to_owned()).with_severity(severity)
        })
        .collect()
}

/// `NAME=value` lines of a crontab (`SHELL=/bin/sh`, `PATH=...`).
fn is_variable_assignment(line: &str) -> bool {
    line.split_once('=').is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn startup_launches(text: &str) -> Vec<Candidate> {
    let heuristic = heuristic_by_id("persistence-shell-startup");
    active_lines(text)
        .filter(|line| launches_program(line))
        .map(|line| {
            let mut why = "every login shell runs this line, which starts a program".to_owned();
            if let Some(command) = suspicious_command(line).first() {
                why = format!("every login shell runs this line, which matches `{}`", command.id);
            }
            Candidate::heuristic(heuristic, None, None, Some(line.to_owned()), why)
        })
        .collect()
}

/// Reports each key line, with the key itself masked.
fn authorized_keys(text: &str) -> Vec<Candidate> {
    let heuristic = heuristic_by_id("persistence-root-authorized-keys");
    active_lines(text)
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let key_type = fields.find(|field| field.starts_with("ssh-") || field.starts_with("ecdsa-") || field.starts_with("sk-"))?;
            let key = fields.next().unwrap_or_default();
            let excerpt = format!("{key_type} {}", mask(key));
            Some(Candidate::heuristic(heuristic, None, None, Some(excerpt), "anyone holding this key's private half can log in as root over SSH".to_owned()))
        })
        .collect()
}

fn preloads(text: &str) -> Vec<Candidate> {
    let heuristic = heuristic_by_id("persistence-ld-preload");
    active_lines(text)
        .map(|line| {
            let why = "the dynamic linker loads this library into every program, which is how user-space rootkits hide".to_owned();
            Candidate::heuristic(heuristic, None, None, Some(line.to_owned()), why)
        })
        .collect()
}

fn uid0_users(text: &str) -> Vec<Candidate> {
    let heuristic = heuristic_by_id("persistence-uid0-user");
    active_lines(text)
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let uid = fields.nth(1)?;
            (uid == "0" && name != "root").then(|| {
                let why = format!("account `{name}` has user id 0, so it logs in with root's rights under another name");
                Candidate::heuristic(heuristic, None, None, Some(format!("{name}:x:0:...")), why)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(candidates: &[Candidate]) -> Vec<(&str, Level)> {
        candidates.iter().map(|c| (c.rule_id.as_str(), c.severity)).collect()
    }

    #[test]
    fn cron_entries_skip_variables_and_comments() {
        let text = "SHELL=/bin/sh\n# m h dom mon dow command\n*/5 * * * * root /var/tmp/.x/update >/dev/null 2>&1\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n";
        let found = cron_entries("/etc/cron.d/update", text);
        assert_eq!(ids(&found), [("persistence-cron", Level::High), ("persistence-cron", Level::Medium)]);
    }

    #[test]
    fn startup_file_launch_is_found() {
        let text = "# ~/.bashrc\nexport PS1='\\u@\\h:\\w\\$ '\nnohup /var/tmp/.x/update >/dev/null 2>&1 &\n";
        let found = startup_launches(text);
        assert_eq!(ids(&found), [("persistence-shell-startup", Level::High)]);
    }

    #[test]
    fn debian_startup_lines_are_quiet() {
        let text = "if [ \"$PS1\" ]; then\n  if [ \"$BASH\" ] && [ \"$BASH\" != \"/bin/sh\" ]; then\n    if [ -f /etc/bash.bashrc ]; then\n      . /etc/bash.bashrc\n    fi\n  fi\nfi\nfor i in /etc/profile.d/*.sh; do\n  if [ -r $i ]; then\n    . $i\n  fi\ndone\n";
        assert!(startup_launches(text).is_empty());
    }

    #[test]
    fn root_key_is_masked() {
        let found = authorized_keys("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2 planted@stowaways\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].excerpt.as_deref(), Some("ssh-ed25519 AAAA****"));
    }

    #[test]
    fn only_extra_uid0_accounts() {
        let text = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\ntoor:x:0:0::/root:/bin/bash\n";
        let found = uid0_users(text);
        assert_eq!(ids(&found), [("persistence-uid0-user", Level::High)]);
        assert!(found[0].why.contains("`toor`"));
    }

    #[test]
    fn preload_lines() {
        assert_eq!(preloads("# none\n\n").len(), 0);
        assert_eq!(preloads("/usr/local/lib/libprocesshider.so\n").len(), 1);
    }
}
