//! Secrets in `NAME=value` assignments: environment entries, build arguments and build steps.

/// Name components that mark a variable as a credential.
const SECRET_COMPONENTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Component pairs that mark a variable as a credential (`AWS_SECRET_ACCESS_KEY`, `API_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("PRIVATE", "KEY"),
    ("AUTH", "KEY"),
    ("CLIENT", "SECRET"),
];

/// Name components that make the value a reference to a secret kept elsewhere, not the secret itself.
const REFERENCE_COMPONENTS: &[&str] = &[
    "FILE", "PATH", "DIR", "URL", "ENDPOINT", "TYPE", "LENGTH", "ID",
];

/// One secret found, with the value masked.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Secret {
    pub(crate) name: String,
    pub(crate) value: String,
}

impl Secret {
    /// Returns `NAME=<masked, N characters>`, which never shows the value.
    pub(crate) fn masked(&self) -> String {
        format!(
            "{}=<masked, {} characters>",
            self.name,
            self.value.chars().count()
        )
    }
}

/// Returns the secret of one `NAME=value` assignment, if it is one.
///
/// An empty value (`DB_PASSWORD=`) and a reference to another variable (`$DB_PASSWORD`) are not
/// secrets. Package pins such as `libsecret=0.20.5-r0` are not either, because their names are
/// not shell identifiers with a credential component.
pub(crate) fn assignment_secret(assignment: &str) -> Option<Secret> {
    let (name, value) = assignment.split_once('=')?;
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    if value.is_empty() || value.starts_with('$') || !is_identifier(name) || !is_secret_name(name) {
        return None;
    }
    Some(Secret {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// Returns the secrets of a build step: assignments (`ARG TOKEN=x`, buildkit's `|1 TOKEN=x`) and
/// `--password VALUE` or `--token=VALUE` options.
pub(crate) fn command_secrets(command: &str) -> Vec<Secret> {
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|word| !word.is_empty())
        .collect();
    let mut secrets = Vec::new();
    for (position, word) in words.iter().enumerate() {
        let Some(option) = word.strip_prefix("--") else {
            secrets.extend(assignment_secret(word));
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (option, None),
        };
        let identifier = name.replace('-', "_");
        if !is_identifier(&identifier) || !is_secret_name(&identifier) {
            continue;
        }
        let value = inline.or_else(|| {
            words
                .get(position + 1)
                .copied()
                .filter(|next| !next.starts_with('-'))
        });
        if let Some(value) = value
            .map(|value| value.trim_matches(|c| c == '"' || c == '\''))
            .filter(|value| !value.is_empty() && !value.starts_with('$'))
        {
            secrets.push(Secret {
                name: format!("--{name}"),
                value: value.to_owned(),
            });
        }
    }
    secrets
}

/// Returns the build step with the value of every secret in it replaced by `<masked>`.
pub(crate) fn redact(command: &str) -> String {
    command_secrets(command)
        .iter()
        .fold(command.to_owned(), |line, secret| {
            line.replace(&secret.value, "<masked>")
        })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let components: Vec<&str> = upper
        .split('_')
        .filter(|component| !component.is_empty())
        .collect();
    if components
        .last()
        .is_some_and(|last| REFERENCE_COMPONENTS.contains(last))
    {
        return false;
    }
    let single = components
        .iter()
        .any(|component| SECRET_COMPONENTS.contains(component));
    let pair = components
        .windows(2)
        .any(|window| SECRET_PAIRS.contains(&(window[0], window[1])));
    single || pair
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_credential_is_not_secret() {
        assert_eq!(assignment_secret("DB_PASSWORD="), None);
    }

    #[test]
    fn credential_value_is_secret_and_masked() {
        let secret = assignment_secret("DB_PASSWORD=s3cr3t").unwrap();

        assert_eq!(secret.masked(), "DB_PASSWORD=<masked, 6 characters>");
        assert!(!secret.masked().contains("s3cr3t"));
    }

    #[test]
    fn secret_names() {
        for name in [
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "MYSQL_ROOT_PASSWORD",
            "npm_token",
            "DB_PASS",
        ] {
            assert!(
                assignment_secret(&format!("{name}=value1")).is_some(),
                "{name}"
            );
        }
    }

    #[test]
    fn names_that_are_not_secrets() {
        for assignment in [
            "PATH=/usr/bin",
            "PASSWORD_FILE=/run/secrets/db",
            "TOKEN_URL=https://x",
            "PASSENGER=1",
            "TOKEN=$TOKEN",
            "HOME=/root",
        ] {
            assert_eq!(assignment_secret(assignment), None, "{assignment}");
        }
    }

    #[test]
    fn package_pins_are_not_secrets() {
        let command = "/bin/sh -c apk add --no-cache libsecret=0.20.5-r0 py3-token=1.2-r0 openssl=3.1.4-r5 pkg=1.2-r0";

        assert_eq!(command_secrets(command), []);
    }

    #[test]
    fn redact_masks_values() {
        assert_eq!(
            redact("RUN |1 NPM_TOKEN=abc123 /bin/sh -c sudo npm ci"),
            "RUN |1 NPM_TOKEN=<masked> /bin/sh -c sudo npm ci"
        );
    }

    #[test]
    fn build_argument_secrets() {
        let buildkit = command_secrets("RUN |1 NPM_TOKEN=abc123 /bin/sh -c npm ci");
        let option = command_secrets("/bin/sh -c mysql --password hunter2 -e 'select 1'");
        let inline = command_secrets("/bin/sh -c curl --token=xyz https://localhost");

        assert_eq!(
            buildkit,
            [Secret {
                name: "NPM_TOKEN".into(),
                value: "abc123".into()
            }]
        );
        assert_eq!(
            option,
            [Secret {
                name: "--password".into(),
                value: "hunter2".into()
            }]
        );
        assert_eq!(
            inline,
            [Secret {
                name: "--token".into(),
                value: "xyz".into()
            }]
        );
    }
}
