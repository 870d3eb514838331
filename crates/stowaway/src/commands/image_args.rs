//! Options shared by every command that reads an image.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use stowaway_image::{AnalysisCache, Limits, OpenOptions};
use stowaway_model::Platform;

use crate::progress;

/// How to select and bound the image to read.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: `docker-archive:PATH[:TAG]`, `oci:PATH[:TAG]`, `dir:PATH`, `registry:NAME`,
    /// `docker:NAME` (the local Docker Engine), a bare path whose kind is detected, or a bare
    /// image name (`nginx:1.25`) pulled from its registry.
    pub image: String,

    /// Talk plain HTTP to the registry instead of HTTPS (for a local or lab registry).
    #[arg(long)]
    pub insecure: bool,

    /// Platform to select from a multi-platform image, as `os/arch[/variant]` (`linux/arm64`).
    #[arg(long, value_parser = parse_platform)]
    pub platform: Option<Platform>,

    /// Maximum uncompressed bytes read from all layers together; suffixes K, M, G, T (powers of 1024).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64G")]
    pub max_image_size: u64,

    /// Maximum size of one file inside a layer; suffixes K, M, G, T.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "16G")]
    pub max_file_size: u64,

    /// Maximum number of tar entries in all layers together.
    #[arg(long, value_name = "COUNT", default_value_t = Limits::default().max_entries)]
    pub max_entries: u64,

    /// Check that each layer of a docker-archive matches the digest (diff_id) its config claims, as
    /// `docker load` does. Registry and OCI layout blobs are always checked.
    #[arg(long)]
    pub verify_digests: bool,

    /// Read every layer even when the layer analysis cache contains its results, and store nothing
    /// there.
    #[arg(long)]
    pub no_cache: bool,

    /// Bound of the layer analysis cache, whose least recently used entries are removed past it;
    /// suffixes K, M, G, T.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1G", env = "STOWAWAY_CACHE_MAX_SIZE")]
    pub cache_max_size: u64,
}

impl ImageArgs {
    /// Returns the limits the options set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_image_bytes: self.max_image_size,
            max_file_bytes: self.max_file_size,
            max_entries: self.max_entries,
            ..Limits::default()
        }
    }

    /// Returns the layer analysis cache under `cache_dir` (`analysis/`), or `None` with
    /// `--no-cache` or when no cache folder can be found. `cache_dir` defaults to
    /// `$STOWAWAY_CACHE_DIR`, then to the XDG cache folder.
    pub fn analysis_cache(&self, cache_dir: Option<&Path>) -> Option<AnalysisCache> {
        if self.no_cache {
            return None;
        }
        let Some(root) = cache_dir.map(Path::to_owned).or_else(cache_root) else {
            tracing::debug!("no cache folder: neither STOWAWAY_CACHE_DIR, XDG_CACHE_HOME nor HOME is set; reading every layer");
            return None;
        };
        Some(AnalysisCache::new(root.join("analysis"), self.cache_max_size))
    }

    /// Opens the image.
    pub fn open(&self) -> anyhow::Result<stowaway_image::Image> {
        let bar = progress::download_bar();
        let options = OpenOptions {
            platform: self.platform.clone(),
            limits: self.limits(),
            verify_digests: self.verify_digests,
            insecure: self.insecure,
            progress: Some(progress::download_events(bar.clone())),
            ..OpenOptions::default()
        };
        let image = stowaway_image::open(&self.image, &options);
        bar.finish_and_clear();
        image.with_context(|| format!("failed to open image `{}`", self.image))
    }
}

/// Returns `$STOWAWAY_CACHE_DIR`, else `$XDG_CACHE_HOME/stowaway` or `~/.cache/stowaway`.
pub fn cache_root() -> Option<PathBuf> {
    std::env::var_os("STOWAWAY_CACHE_DIR")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(stowaway_advisory::default_cache_dir)
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    text.parse().map_err(|error: stowaway_model::PlatformError| error.to_string())
}

/// Parses `123`, `512K`, `64M`, `16G` or `1T` into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (digits, shift) = match trimmed.char_indices().last() {
        Some((at, 'K' | 'k')) => (&trimmed[..at], 10),
        Some((at, 'M' | 'm')) => (&trimmed[..at], 20),
        Some((at, 'G' | 'g')) => (&trimmed[..at], 30),
        Some((at, 'T' | 't')) => (&trimmed[..at], 40),
        _ => (trimmed, 0),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size `{text}`: expected a whole number with an optional K, M, G or T suffix"))?;
    value.checked_mul(1 << shift).ok_or_else(|| format!("size `{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("64G"), Ok(64 << 30));
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
