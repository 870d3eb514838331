//! Downloading one feed file: a conditional GET, retried with exponential backoff, streamed to a
//! file under a size limit.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};

use crate::AdvisoryError;
use crate::update::UpdateProgress;
use crate::update::config::DownloadSettings;
use crate::update::state::FileState;

/// The server's response to one URL.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// `304 Not Modified`: the cached copy is current.
    NotModified,
    /// A new body, written to the requested file.
    Downloaded(FileState),
}

/// One failed attempt, and whether another may succeed.
struct Failure {
    reason: String,
    source: Option<reqwest::Error>,
    retry: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(reason: String) -> Failure {
        Failure { reason, source: None, retry: false, retry_after: None }
    }

    fn transient(reason: String, source: Option<reqwest::Error>) -> Failure {
        Failure { reason, source, retry: true, retry_after: None }
    }
}

/// A feed file to fetch.
pub struct Request<'a> {
    /// The feed name, for errors and progress.
    pub feed: &'a str,
    /// The URL.
    pub url: &'a str,
    /// The validators of the cached copy, when there is one.
    pub cached: Option<&'a FileState>,
    /// The file a new body is written to.
    pub destination: &'a Path,
}

/// Creates the HTTP client every download of one update shares.
pub fn client(settings: &DownloadSettings) -> Result<Client, AdvisoryError> {
    Client::builder()
        .user_agent(concat!("stowaway/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .timeout(settings.timeout)
        .build()
        .map_err(|source| AdvisoryError::HttpClient { source })
}

/// Fetches `request.url`, retrying on connection errors, cut-short bodies, 429 and 5xx after
/// [`retry_delay`].
pub fn fetch(client: &Client, settings: &DownloadSettings, request: &Request<'_>, progress: &dyn UpdateProgress) -> Result<Fetched, AdvisoryError> {
    let mut attempt = 0;
    loop {
        let failure = match fetch_once(client, settings, request, progress) {
            Ok(fetched) => return Ok(fetched),
            Err(failure) => failure,
        };

        if !failure.retry || attempt >= settings.retries {
            let attempts = attempt + 1;
            let plural = if attempts == 1 { "" } else { "s" };
            return Err(AdvisoryError::Download {
                feed: request.feed.to_owned(),
                url: request.url.to_owned(),
                reason: format!("{} (after {attempts} attempt{plural})", failure.reason),
                source: failure.source,
            });
        }

        let delay = retry_delay(settings, attempt, failure.retry_after);
        tracing::warn!(feed = request.feed, url = request.url, reason = failure.reason, retry_in_ms = delay.as_millis() as u64, "download failed, retrying");
        std::thread::sleep(delay);
        attempt += 1;
    }
}

/// Returns the delay before retry `attempt` (from 0): the server's `Retry-After` when it sent one,
/// else `backoff * 2^attempt`, capped at `max_retry_delay` either way.
fn retry_delay(settings: &DownloadSettings, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let backoff = settings.backoff.saturating_mul(1 << attempt.min(16));
    retry_after.unwrap_or(backoff).min(settings.max_retry_delay)
}

fn fetch_once(client: &Client, settings: &DownloadSettings, request: &Request<'_>, progress: &dyn UpdateProgress) -> Result<Fetched, Failure> {
    let mut builder = client.get(request.url);
    if let Some(cached) = request.cached {
        if let Some(etag) = &cached.etag {
            builder = builder.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &cached.last_modified {
            builder = builder.header(IF_MODIFIED_SINCE, last_modified);
        }
    }

    let response = builder.send().map_err(|error| {
        // An invalid URL or a redirect loop fails the same way every time.
        let retry = !(error.is_builder() || error.is_redirect());
        Failure { reason: "the request failed".to_owned(), source: Some(error), retry, retry_after: None }
    })?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        // NOTE: only the delay-seconds form of `Retry-After` is read; an HTTP date falls back to
        // the backoff.
        let retry_after = header(&response, RETRY_AFTER).and_then(|value| value.trim().parse::<u64>().ok()).map(Duration::from_secs);
        return Err(Failure { reason: format!("the server returned {status}"), source: None, retry: true, retry_after });
    }
    if !status.is_success() {
        return Err(Failure::fatal(format!("the server returned {status}")));
    }

    let expected = header(&response, CONTENT_LENGTH).and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = expected
        && length > settings.max_bytes
    {
        return Err(Failure::fatal(format!(
            "the file is {length} bytes, over the limit of {} bytes (`download.max_bytes` raises it)",
            settings.max_bytes
        )));
    }

    let validators = (header(&response, ETAG), header(&response, LAST_MODIFIED));
    progress.download_started(request.feed, request.url, expected);
    let size = write_body(response, settings, request.destination, expected, progress);
    progress.download_finished();
    let size = size?;

    Ok(Fetched::Downloaded(FileState { etag: validators.0, last_modified: validators.1, size }))
}

/// Streams the body to `destination`, and fails when it is over the limit or shorter than its
/// `Content-Length`.
fn write_body(
    mut response: Response,
    settings: &DownloadSettings,
    destination: &Path,
    expected: Option<u64>,
    progress: &dyn UpdateProgress,
) -> Result<u64, Failure> {
    let local = |error: std::io::Error| Failure::fatal(format!("failed to write `{}`: {error}", destination.display()));
    let mut writer = BufWriter::new(File::create(destination).map_err(local)?);
    let mut buffer = vec![0; 64 * 1024];
    let mut size: u64 = 0;
    loop {
        let count = match response.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) => {
                let received = format!("received {size} of {} bytes", expected.map_or_else(|| "?".to_owned(), |length| length.to_string()));
                return Err(Failure::transient(format!("the download was cut short ({received}): {error}"), None));
            }
        };
        size += count as u64;
        if size > settings.max_bytes {
            return Err(Failure::fatal(format!("the file is over the limit of {} bytes (`download.max_bytes` raises it)", settings.max_bytes)));
        }
        writer.write_all(&buffer[..count]).map_err(local)?;
        progress.downloaded(count as u64);
    }

    if let Some(length) = expected
        && size != length
    {
        return Err(Failure::transient(format!("the download was cut short (received {size} of {length} bytes)"), None));
    }
    let file = writer.into_inner().map_err(|error| local(error.into_error()))?;
    file.sync_all().map_err(local)?;
    Ok(size)
}

fn header(response: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_and_cap() {
        let settings = DownloadSettings { backoff: Duration::from_secs(1), max_retry_delay: Duration::from_secs(60), ..DownloadSettings::default() };
        let delays: Vec<u64> = (0..8).map(|attempt| retry_delay(&settings, attempt, None).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn retry_after_wins_within_cap() {
        let settings = DownloadSettings { backoff: Duration::from_secs(1), max_retry_delay: Duration::from_secs(60), ..DownloadSettings::default() };
        assert_eq!(retry_delay(&settings, 3, Some(Duration::from_secs(5))), Duration::from_secs(5));
        assert_eq!(retry_delay(&settings, 0, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(retry_delay(&settings, 0, Some(Duration::from_secs(3600))), Duration::from_secs(60));
    }
}
