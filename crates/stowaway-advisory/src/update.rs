//! `db update`: download the configured feeds and rebuild the database from them, atomically.
//!
//! The steps, each of which can fail or be killed without harming the database in use:
//!
//! 1. Take the cache's lock file, so that two updates never share a cache, and remove staging
//!    folders that killed updates left behind.
//! 2. Fetch every URL into a new staging folder of the cache. A URL with a cached copy gets a
//!    conditional request (`If-None-Match`, `If-Modified-Since`). On `304 Not Modified` the
//!    cached copy is used, so the rebuilt database has the same content.
//! 3. Build the database from the staged and cached files ([`crate::build`]): a temporary file
//!    beside the target, checked (integrity, schema version, every feed with records) and renamed
//!    over it.
//! 4. Only then move the staged downloads over the cached copies and save the validators in the
//!    state file beside the database, so that the cache always contains what the database was
//!    built from. Cached copies of feeds and URLs no longer configured are removed.

pub mod config;
pub mod defaults;
mod download;
pub mod state;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::build::{BuildOptions, BuildReport, build_with_options};
use crate::feed::Feed;
use crate::AdvisoryError;
use config::{FeedSource, RemoteFile, UpdateConfig};
use download::{Fetched, Request};
use state::UpdateState;

/// Progress of an update, for a progress bar. Every method does nothing by default.
pub trait UpdateProgress {
    /// Starts showing a body that begins to arrive, of `Content-Length` `size`.
    fn download_started(&self, feed: &str, url: &str, size: Option<u64>) {
        let _ = (feed, url, size);
    }

    /// `bytes` more bytes of the current body arrived.
    fn downloaded(&self, bytes: u64) {
        let _ = bytes;
    }

    /// Ends the current body, complete or not.
    fn download_finished(&self) {}

    /// Shows the database build, which starts once every file is fetched.
    fn building(&self) {}
}

/// No progress display.
impl UpdateProgress for () {}

/// The result of an update: each URL's outcome and the build.
#[derive(Debug)]
pub struct UpdateReport {
    /// One entry per URL, in configuration order.
    pub files: Vec<FileReport>,
    /// The build of the new database.
    pub build: BuildReport,
}

/// The outcome of one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    /// The feed name.
    pub feed: String,
    /// The URL.
    pub url: String,
    /// The outcome.
    pub outcome: FileOutcome,
}

/// Whether a URL was downloaded or its cached copy reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileOutcome {
    /// A new body of this many bytes.
    Downloaded {
        /// The body's size.
        bytes: u64,
    },
    /// The server returned `304 Not Modified`, and the cached copy was used.
    NotModified,
}

/// Downloads the feeds of `config` into `cache_dir/feeds` and rebuilds the database at
/// `database` from them; the old database stays in place unless every step succeeds.
pub fn update(database: &Path, cache_dir: &Path, config: &UpdateConfig, progress: &dyn UpdateProgress) -> Result<UpdateReport, AdvisoryError> {
    let feeds_dir = cache_dir.join("feeds");
    let _lock = lock_cache(&feeds_dir)?;
    remove_stale_staging(&feeds_dir);
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(&feeds_dir)
        .map_err(file_error("create a staging folder in", &feeds_dir))?;

    let state_path = state::state_path(database);
    let mut fetcher = Fetcher {
        client: download::client(&config.download)?,
        config,
        feeds_dir: &feeds_dir,
        staging: staging.path(),
        old_state: UpdateState::load(&state_path),
        new_state: UpdateState::default(),
        staged: Vec::new(),
    };
    let mut files = Vec::new();
    let mut feeds = Vec::new();
    for source in &config.feeds {
        let mut paths = Vec::new();
        for (index, remote) in source.files.iter().enumerate() {
            let (path, outcome) = fetcher.fetch(source, index, remote, progress)?;
            paths.push(path);
            files.push(FileReport { feed: source.name.clone(), url: remote.url.clone(), outcome });
        }
        feeds.push(Feed { name: source.name.clone(), kind: source.kind, paths });
    }

    progress.building();
    let options = BuildOptions { require_records: true, ..BuildOptions::default() };
    let build = build_with_options(database, &feeds, options).map_err(|error| name_urls(error, config))?;

    // The database now comes from the staged files, so they replace the cached copies.
    for (staged_path, cached_path) in &fetcher.staged {
        create_parent(cached_path)?;
        std::fs::rename(staged_path, cached_path).map_err(file_error("move a download to", cached_path))?;
    }
    fetcher.new_state.save(&state_path)?;
    let in_use: Vec<PathBuf> = feeds.iter().flat_map(|feed| feed.paths.iter()).map(|path| cached_copy(&feeds_dir, staging.path(), path)).collect();
    remove_unused_copies(&feeds_dir, &in_use);
    Ok(UpdateReport { files, build })
}

/// The downloads of one update: what was fetched, staged and validated so far.
struct Fetcher<'a> {
    client: reqwest::blocking::Client,
    config: &'a UpdateConfig,
    feeds_dir: &'a Path,
    staging: &'a Path,
    old_state: UpdateState,
    new_state: UpdateState,
    /// Staged downloads and the cached copies they replace once the build succeeds.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Fetcher<'_> {
    /// Fetches one URL of a feed, and returns the file the build reads: the staged download, or
    /// the cached copy on `304 Not Modified`.
    fn fetch(&mut self, source: &FeedSource, index: usize, remote: &RemoteFile, progress: &dyn UpdateProgress) -> Result<(PathBuf, FileOutcome), AdvisoryError> {
        // The index keeps apart files of one feed with the same name (`v3.19/main.json`,
        // `v3.20/main.json`) and keeps their order.
        let file_name = format!("{index:02}-{}", remote.file_name);
        let cached_path = self.feeds_dir.join(&source.name).join(&file_name);
        let staged_path = self.staging.join(&source.name).join(&file_name);
        create_parent(&staged_path)?;

        let cached = self.old_state.files.get(&remote.url).filter(|state| file_size(&cached_path) == Some(state.size));
        let request = Request { feed: &source.name, url: &remote.url, cached, destination: &staged_path };
        match download::fetch(&self.client, &self.config.download, &request, progress)? {
            Fetched::NotModified => {
                let Some(cached) = cached else {
                    return Err(AdvisoryError::Download {
                        feed: source.name.clone(),
                        url: remote.url.clone(),
                        reason: "the server returned 304 Not Modified to a request without validators".to_owned(),
                        source: None,
                    });
                };
                tracing::debug!(feed = source.name, url = remote.url, "not modified, using the cached copy");
                self.new_state.files.insert(remote.url.clone(), cached.clone());
                Ok((cached_path, FileOutcome::NotModified))
            }
            Fetched::Downloaded(file_state) => {
                let bytes = file_state.size;
                tracing::debug!(feed = source.name, url = remote.url, bytes, "downloaded");
                self.new_state.files.insert(remote.url.clone(), file_state);
                self.staged.push((staged_path.clone(), cached_path));
                Ok((staged_path, FileOutcome::Downloaded { bytes }))
            }
        }
    }
}

/// Wraps an import error of one feed with the feed's URLs, because the files it names are cache
/// copies that the user never chose.
fn name_urls(error: AdvisoryError, config: &UpdateConfig) -> AdvisoryError {
    let Some(source) = error.feed_name().and_then(|name| config.feeds.iter().find(|feed| feed.name == name)) else {
        return error;
    };
    let urls: Vec<String> = source.files.iter().map(|file| format!("`{}`", file.url)).collect();
    AdvisoryError::ImportDownloaded { feed: source.name.clone(), urls: urls.join(", "), source: Box::new(error) }
}

/// Returns the cache path of a file the build read, staged or cached.
fn cached_copy(feeds_dir: &Path, staging: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(staging).map_or_else(|_| path.to_owned(), |relative| feeds_dir.join(relative))
}

/// Removes cached copies the last build did not read: feeds or URLs no longer configured.
fn remove_unused_copies(feeds_dir: &Path, in_use: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(feeds_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') || !path.is_dir() {
            continue;
        }
        if !in_use.iter().any(|used| used.starts_with(&path)) {
            tracing::debug!(path = %path.display(), "removing the cache of a feed no longer configured");
            let _ = std::fs::remove_dir_all(&path);
            continue;
        }
        for file in std::fs::read_dir(&path).into_iter().flatten().flatten() {
            if !in_use.contains(&file.path()) {
                tracing::debug!(path = %file.path().display(), "removing the cached copy of a URL no longer configured");
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
}

/// Takes the exclusive lock of the download cache, held until the returned file is dropped.
fn lock_cache(feeds_dir: &Path) -> Result<File, AdvisoryError> {
    std::fs::create_dir_all(feeds_dir).map_err(file_error("create the download cache", feeds_dir))?;
    let path = feeds_dir.join(".lock");
    let file = File::options().create(true).truncate(false).write(true).open(&path).map_err(file_error("open the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(AdvisoryError::CacheBusy { path }),
        Err(std::fs::TryLockError::Error(source)) => Err(AdvisoryError::File { operation: "lock", path, source }),
    }
}

/// Removes the staging folders of updates that were killed; the lock guarantees none is running.
fn remove_stale_staging(feeds_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(feeds_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".staging-") {
            tracing::debug!(path = %entry.path().display(), "removing a staging folder left by an interrupted update");
            if let Err(error) = std::fs::remove_dir_all(entry.path()) {
                tracing::warn!(path = %entry.path().display(), %error, "failed to remove a leftover staging folder");
            }
        }
    }
}

fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file).map(|metadata| metadata.len())
}

fn create_parent(path: &Path) -> Result<(), AdvisoryError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(file_error("create the folder", parent))
}

fn file_error(operation: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AdvisoryError {
    let path: PathBuf = path.to_owned();
    move |source| AdvisoryError::File { operation, path, source }
}
