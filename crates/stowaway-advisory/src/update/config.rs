//! The update configuration: which feeds `db update` downloads, how, and the maximum database
//! age before scans warn.
//!
//! The file is TOML. Every key is optional; without `[[feeds]]` the built-in defaults apply.
//!
//! ```toml
//! max_age = "7d"            # a number with `d`, `h`, `m` or `s`
//!
//! [download]
//! retries = 4               # retries after the first attempt
//! backoff_ms = 1000         # the first retry's delay; each retry doubles it
//! max_retry_delay_secs = 60 # the cap on one delay, `Retry-After` included
//! timeout_secs = 900        # one request, body included
//! max_bytes = 4294967296    # one downloaded file
//!
//! [[feeds]]
//! name = "go-osv"
//! kind = "osv"
//! urls = ["https://example.org/Go/all.zip"]
//!
//! [[feeds]]
//! name = "debian-tracker"
//! kind = "debian-tracker"
//! urls = [{ url = "https://example.org/tracker/data/json", file = "tracker.json" }]
//! ```
//!
//! The importer reads a download by the extension of its file name (`.zip`, `.tar.gz`, `.gz`,
//! `.json`, `.yaml`). The file name is the last segment of the URL's path unless `file` sets one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::feed::FeedKind;
use crate::update::defaults;
use crate::AdvisoryError;

/// The environment variable that overrides `max_age`.
pub const MAX_AGE_VARIABLE: &str = "STOWAWAY_DB_MAX_AGE";

/// The maximum database age when neither the environment nor the configuration sets one.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// A validated update configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateConfig {
    /// The feeds to download, in order.
    pub feeds: Vec<FeedSource>,
    /// Retry, timeout and size settings.
    pub download: DownloadSettings,
    /// The age past which scans warn that the database is old.
    pub max_age: Duration,
}

/// One feed to download: its source name, its format and its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedSource {
    /// The source name the database records.
    pub name: String,
    /// The format of every file of the feed.
    pub kind: FeedKind,
    /// The files, in the order the importer reads them.
    pub files: Vec<RemoteFile>,
}

/// One URL of a feed, and the file name its download is kept under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    /// An `http` or `https` URL.
    pub url: String,
    /// The cache file name. Its extension selects the importer's decoder (`.zip`, `.gz`).
    pub file_name: String,
}

/// Retry, timeout and size settings of downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadSettings {
    /// Retries after the first attempt, on connection errors, 429 and 5xx responses.
    pub retries: u32,
    /// The delay before the first retry; each further retry doubles it.
    pub backoff: Duration,
    /// The cap on one delay, a server's `Retry-After` included.
    pub max_retry_delay: Duration,
    /// The time one request may take, body included.
    pub timeout: Duration,
    /// The size limit of one downloaded file, in bytes.
    pub max_bytes: u64,
}

impl Default for DownloadSettings {
    fn default() -> DownloadSettings {
        DownloadSettings {
            retries: 4,
            backoff: Duration::from_secs(1),
            max_retry_delay: Duration::from_secs(60),
            // NOTE: a whole-request timeout, not an idle one: the blocking client has no idle
            // timeout, and 15 minutes lets the largest osv.dev archive arrive at ~1 MB/s.
            timeout: Duration::from_secs(900),
            max_bytes: 4 << 30,
        }
    }
}

impl Default for UpdateConfig {
    fn default() -> UpdateConfig {
        UpdateConfig { feeds: defaults::feeds(), download: DownloadSettings::default(), max_age: DEFAULT_MAX_AGE }
    }
}

impl UpdateConfig {
    /// Reads the configuration at `path`; a missing file yields the defaults only when
    /// `missing_is_default` is set (the default location), and is an error otherwise.
    pub fn load(path: &Path, missing_is_default: bool) -> Result<UpdateConfig, AdvisoryError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && missing_is_default => {
                tracing::debug!(path = %path.display(), "no update configuration, using the built-in feeds");
                return Ok(UpdateConfig::default());
            }
            Err(error) => {
                return Err(config_error(path, "the file cannot be read; pass an existing file to `--config`", Some(Box::new(error))));
            }
        };
        UpdateConfig::parse(path, &text)
    }

    /// Parses configuration text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<UpdateConfig, AdvisoryError> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| config_error(path, "invalid TOML", Some(Box::new(error))))?;
        raw.validate().map_err(|reason| config_error(path, &reason, None))
    }
}

/// Returns `$XDG_CONFIG_HOME/stowaway/feeds.toml`, or `~/.config/stowaway/feeds.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    crate::location::config_home().map(|home| home.join("stowaway/feeds.toml"))
}

/// Returns the maximum database age: `STOWAWAY_DB_MAX_AGE` when set, else the configuration's
/// `max_age`, else seven days.
pub fn max_age(config: &UpdateConfig) -> Result<Duration, AdvisoryError> {
    match std::env::var(MAX_AGE_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => parse_duration(&text).map_err(|reason| AdvisoryError::InvalidSetting {
            name: MAX_AGE_VARIABLE,
            value: text.clone(),
            reason,
        }),
        _ => Ok(config.max_age),
    }
}

fn config_error(path: &Path, reason: &str, source: Option<Box<dyn std::error::Error + Send + Sync>>) -> AdvisoryError {
    AdvisoryError::InvalidConfig { path: path.to_owned(), reason: reason.to_owned(), source }
}

/// Parses `7d`, `36h`, `90m` or `3600s` (a bare number is days).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| format!("invalid duration `{text}`: expected a number with `d`, `h`, `m` or `s`"))?;
    let seconds = match unit.trim() {
        "" | "d" => number.checked_mul(86_400),
        "h" => number.checked_mul(3600),
        "m" => number.checked_mul(60),
        "s" => Some(number),
        other => return Err(format!("invalid duration unit `{other}` in `{text}`: expected `d`, `h`, `m` or `s`")),
    };
    seconds.map(Duration::from_secs).ok_or_else(|| format!("duration `{text}` is too large"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    max_age: Option<String>,
    #[serde(default)]
    download: RawDownload,
    #[serde(default)]
    feeds: Option<Vec<RawFeed>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDownload {
    retries: Option<u32>,
    backoff_ms: Option<u64>,
    max_retry_delay_secs: Option<u64>,
    timeout_secs: Option<u64>,
    max_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    kind: String,
    urls: Vec<RawUrl>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawUrl {
    Plain(String),
    Named { url: String, file: String },
}

impl RawConfig {
    fn validate(self) -> Result<UpdateConfig, String> {
        let defaults = DownloadSettings::default();
        let download = DownloadSettings {
            retries: self.download.retries.unwrap_or(defaults.retries),
            backoff: self.download.backoff_ms.map_or(defaults.backoff, Duration::from_millis),
            max_retry_delay: self.download.max_retry_delay_secs.map_or(defaults.max_retry_delay, Duration::from_secs),
            timeout: self.download.timeout_secs.map_or(defaults.timeout, Duration::from_secs),
            max_bytes: self.download.max_bytes.unwrap_or(defaults.max_bytes),
        };
        if download.timeout.is_zero() || download.max_bytes == 0 {
            return Err("`download.timeout_secs` and `download.max_bytes` must be above 0".to_owned());
        }
        let max_age = match self.max_age {
            Some(text) => parse_duration(&text).map_err(|reason| format!("invalid `max_age`: {reason}"))?,
            None => DEFAULT_MAX_AGE,
        };

        let feeds = match self.feeds {
            Some(raw) => raw.into_iter().map(RawFeed::validate).collect::<Result<Vec<_>, _>>()?,
            None => defaults::feeds(),
        };
        if feeds.is_empty() {
            return Err("`feeds` is empty; list at least one `[[feeds]]`, or leave `feeds` out for the built-in ones".to_owned());
        }
        let mut names = BTreeSet::new();
        for feed in &feeds {
            if !names.insert(feed.name.as_str()) {
                return Err(format!("feed name `{}` is listed twice; each feed needs its own name", feed.name));
            }
        }
        Ok(UpdateConfig { feeds, download, max_age })
    }
}

impl RawFeed {
    fn validate(self) -> Result<FeedSource, String> {
        let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if self.name.is_empty() || self.name.starts_with('.') || !self.name.chars().all(is_name_char) {
            return Err(format!("invalid feed name `{}`: use letters, digits, `-`, `_` and `.`", self.name));
        }
        let kind: FeedKind = self.kind.parse().map_err(|reason| format!("feed `{}`: {reason}", self.name))?;
        if self.urls.is_empty() {
            return Err(format!("feed `{}` lists no URL", self.name));
        }

        let files = self
            .urls
            .into_iter()
            .map(|raw| {
                let (url, file) = match raw {
                    RawUrl::Plain(url) => (url, None),
                    RawUrl::Named { url, file } => (url, Some(file)),
                };
                RemoteFile::new(url, file).map_err(|reason| format!("feed `{}`: {reason}", self.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FeedSource { name: self.name, kind, files })
    }
}

impl RemoteFile {
    /// Checks the URL's scheme and the file name, which defaults to the URL path's last segment.
    pub fn new(url: String, file_name: Option<String>) -> Result<RemoteFile, String> {
        let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
            return Err(format!("invalid URL `{url}`: only http and https are supported"));
        };
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        let last_segment = path.split_once('/').map(|(_, path)| path.rsplit('/').next().unwrap_or_default()).unwrap_or_default();
        let file_name = file_name.unwrap_or_else(|| last_segment.to_owned());

        let is_plain_name = !file_name.is_empty() && !file_name.starts_with('.') && !file_name.contains(['/', '\\']);
        if !is_plain_name {
            return Err(format!("URL `{url}` needs a file name: write it as {{ url = \"...\", file = \"NAME.EXT\" }}"));
        }
        Ok(RemoteFile { url, file_name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2 * 86_400)));
        assert_eq!(parse_duration(" 90m "), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("7 weeks").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn feeds_and_settings() {
        let text = r#"
            max_age = "36h"
            [download]
            retries = 1
            backoff_ms = 5
            [[feeds]]
            name = "kev"
            kind = "cisa-kev"
            urls = ["http://127.0.0.1:1/kev.json.gz", { url = "http://127.0.0.1:1/data/json", file = "tracker.json" }]
        "#;
        let config = UpdateConfig::parse(Path::new("feeds.toml"), text).unwrap();

        assert_eq!(config.max_age, Duration::from_secs(36 * 3600));
        assert_eq!(config.download.retries, 1);
        assert_eq!(config.download.backoff, Duration::from_millis(5));
        assert_eq!(config.download.max_bytes, DownloadSettings::default().max_bytes);
        let feed = &config.feeds[0];
        assert_eq!(feed.kind, FeedKind::Kev);
        assert_eq!(feed.files[0].file_name, "kev.json.gz");
        assert_eq!(feed.files[1].file_name, "tracker.json");
    }

    #[test]
    fn no_feeds_means_defaults() {
        let config = UpdateConfig::parse(Path::new("feeds.toml"), "max_age = \"1d\"").unwrap();
        assert_eq!(config.feeds, defaults::feeds());
    }

    #[test]
    fn invalid_configurations() {
        let cases = [
            ("[[feeds]]\nname = \"a\"\nkind = \"nope\"\nurls = [\"https://h/a.json\"]", "unknown feed kind `nope`"),
            ("[[feeds]]\nname = \"a\"\nkind = \"osv\"\nurls = [\"ftp://h/a.zip\"]", "only http and https"),
            ("[[feeds]]\nname = \"a\"\nkind = \"osv\"\nurls = [\"https://h/\"]", "needs a file name"),
            ("[[feeds]]\nname = \"../a\"\nkind = \"osv\"\nurls = [\"https://h/a.zip\"]", "invalid feed name"),
            ("max_age = \"soon\"", "invalid `max_age`"),
            ("colour = true", "invalid TOML"),
            ("feeds = []", "`feeds` is empty"),
        ];
        for (text, expected) in cases {
            let error = UpdateConfig::parse(Path::new("feeds.toml"), text).unwrap_err();
            let message = format!("{error} {:?}", std::error::Error::source(&error).map(ToString::to_string));
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn duplicate_feed_names() {
        let feed = "[[feeds]]\nname = \"a\"\nkind = \"osv\"\nurls = [\"https://h/a.zip\"]\n";
        let error = UpdateConfig::parse(Path::new("feeds.toml"), &format!("{feed}{feed}")).unwrap_err();
        assert!(error.to_string().contains("listed twice"), "{error}");
    }
}
