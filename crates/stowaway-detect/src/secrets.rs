//! Confirming and masking secret matches.
//!
//! The YARA rules in `rules/secrets.yar` find candidates. The checks here drop those that are
//! part of a longer token or that contain no real value. What remains is masked, so no full
//! value leaves the detector.

/// The confirmation a secret rule's match needs, from the rule's `check` metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretCheck {
    /// The match alone is enough. The excerpt is its first line, which contains no value.
    None,
    /// The match must be a whole token.
    Token,
    /// `NAME = value`: the value must look random.
    Assignment,
}

impl SecretCheck {
    pub(crate) fn from_name(name: &str) -> Option<SecretCheck> {
        match name {
            "none" => Some(SecretCheck::None),
            "token" => Some(SecretCheck::Token),
            "assignment" => Some(SecretCheck::Assignment),
            _ => None,
        }
    }
}

/// The minimum length, in characters, of a generic secret's value.
const MIN_ASSIGNED_LENGTH: usize = 12;
/// The least Shannon entropy, in bits per character, of a generic secret. Random alphanumeric
/// strings of 16 characters score about 3.8; words and identifiers mostly score below 3.
const MIN_ASSIGNED_ENTROPY: f64 = 3.2;
/// Words that mark a documented example or a placeholder rather than a real value.
const PLACEHOLDERS: &[&str] = &["example", "changeme", "change_me", "placeholder", "dummy", "redacted", "xxxxxx", "your", "sample", "<", "${", "$(", "{{", "%("];

/// Environment variable name parts that mark the value as a credential.
const SENSITIVE_NAME_PARTS: &[&str] =
    &["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY"];
/// Name suffixes of variables that point to a credential instead of holding one
/// (`DB_PASSWORD_FILE=/run/secrets/db`).
const REFERENCE_NAME_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR", "_NAME", "_URL_FILE", "_LENGTH", "_MIN_LENGTH"];

/// Confirms a match of `len` bytes at `offset` in `content` and returns its masked excerpt,
/// or `None` when the match is not a secret.
pub(crate) fn confirm(check: SecretCheck, content: &[u8], offset: usize, len: usize) -> Option<String> {
    let end = offset.checked_add(len)?.min(content.len());
    let matched = String::from_utf8_lossy(content.get(offset..end)?);

    match check {
        SecretCheck::None => Some(matched.lines().next().unwrap_or_default().trim().to_owned()),
        SecretCheck::Token => {
            let before = offset.checked_sub(1).and_then(|i| content.get(i)).copied();
            let after = content.get(end).copied();
            // A URL's `//` may precede a token (`https://TOKEN@host`); a single `/` is base64.
            let after_url_slashes = offset >= 2 && &content[offset - 2..offset] == b"//";
            // `=` ends base64 but starts a value (`KEY=TOKEN`), so it bounds a token on the left.
            let joined_before = before.is_some_and(|b| b != b'=' && is_token_byte(b)) && !after_url_slashes;
            if joined_before || after.is_some_and(is_token_byte) {
                return None;
            }
            if matched.contains("EXAMPLE") {
                return None;
            }
            Some(mask(&matched))
        }
        SecretCheck::Assignment => {
            if content.get(end).is_some_and(|b| matches!(b, b'(' | b'[')) {
                return None;
            }
            let (name, value) = split_assignment(&matched)?;
            is_random_value(value).then(|| format!("{name}={}", mask(value)))
        }
    }
}

/// Checks one `NAME=value` environment variable: a credential-like name with a real value.
/// Returns the masked `NAME=value`.
pub(crate) fn sensitive_env(variable: &str) -> Option<String> {
    let (name, value) = variable.split_once('=')?;
    let upper = name.to_ascii_uppercase();
    if !SENSITIVE_NAME_PARTS.iter().any(|part| upper.contains(part)) {
        return None;
    }
    if REFERENCE_NAME_SUFFIXES.iter().any(|suffix| upper.ends_with(suffix)) {
        return None;
    }

    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if value.is_empty() || is_placeholder(value) || value.starts_with('/') {
        return None;
    }
    Some(format!("{name}={}", mask(value)))
}

/// Masks a secret: at most its first 4 characters, never more than a quarter of it, followed
/// by a fixed run of `*` that does not tell the length.
pub(crate) fn mask(value: &str) -> String {
    let shown = (value.chars().count() / 4).min(4);
    let prefix: String = value.chars().take(shown).collect();
    format!("{prefix}****")
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=' | b'_' | b'-')
}

/// Splits `name = "value"` at the first `=` or `:`, trimming quotes and spaces.
fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let split = text.find(['=', ':'])?;
    let name = text[..split].trim().trim_matches(|c| c == '"' || c == '\'');
    let value = text[split + 1..].trim().trim_matches(|c| c == '"' || c == '\'');
    Some((name, value))
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|word| lower.contains(word))
}

/// Tells whether an assigned value looks generated: long enough, letters and digits, high
/// entropy, not a placeholder.
fn is_random_value(value: &str) -> bool {
    if value.chars().count() < MIN_ASSIGNED_LENGTH || is_placeholder(value) {
        return false;
    }
    let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    has_letter && has_digit && shannon_entropy(value) >= MIN_ASSIGNED_ENTROPY
}

/// Shannon entropy of the characters of `value`, in bits per character.
fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let total = value.chars().count() as f64;
    counts
        .values()
        .map(|&count| {
            let p = count as f64 / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_inside_longer_token_is_rejected() {
        let content = b"h1:xLTAI4FwqVn7bK9pQ2sT3uX8yZ1aBcz0=";
        let offset = 4;
        assert_eq!(confirm(SecretCheck::Token, content, offset, 24), None);
    }

    #[test]
    fn whole_token_is_masked() {
        let content = b"ALIBABA_ACCESS_KEY_ID=LTAI4FwqVn7bK9pQ2sT3uX8y\n";
        let excerpt = confirm(SecretCheck::Token, content, 22, 24).unwrap();
        assert_eq!(excerpt, "LTAI****");
    }

    #[test]
    fn documented_example_key_is_rejected() {
        let content = b"AKIAIOSFODNN7EXAMPLE";
        assert_eq!(confirm(SecretCheck::Token, content, 0, content.len()), None);
    }

    #[test]
    fn random_assignment_is_found_and_masked() {
        let content = b"api_key = \"q8Xv2LmZ7rT4wK9pN3bY\"\n";
        let excerpt = confirm(SecretCheck::Assignment, content, 0, 31).unwrap();
        assert_eq!(excerpt, "api_key=q8Xv****");
        assert!(!excerpt.contains("q8Xv2LmZ"));
    }

    #[test]
    fn code_and_placeholders_are_not_secrets() {
        for text in ["token = get_token_value(", "password: your_password_here1", "secret_key = changeme12345678", "token=tokenizer_module"] {
            let len = text.trim_end_matches('(').len();
            assert_eq!(confirm(SecretCheck::Assignment, text.as_bytes(), 0, len), None, "{text}");
        }
    }

    #[test]
    fn empty_env_password_is_not_a_secret() {
        assert_eq!(sensitive_env("DB_PASSWORD="), None);
        assert_eq!(sensitive_env("DB_PASSWORD_FILE=/run/secrets/db"), None);
        assert_eq!(sensitive_env("PATH=/usr/bin"), None);
    }

    #[test]
    fn env_password_is_a_masked_secret() {
        let excerpt = sensitive_env("DB_PASSWORD=s3cr3t").unwrap();
        assert_eq!(excerpt, "DB_PASSWORD=s****");
    }

    #[test]
    fn mask_hides_most_of_the_value() {
        assert_eq!(mask("ab"), "****");
        assert_eq!(mask("ghp_0123456789abcdef0123456789abcdef0123"), "ghp_****");
    }
}
