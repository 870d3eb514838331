//! `stowaway cache`: the size of the caches, and emptying them.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use stowaway_image::{AnalysisCache, CacheUsage};

use super::image_args::cache_root;
use crate::exit::ExitStatus;

/// Arguments of `stowaway cache`.
#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    command: CacheCommand,

    /// The cache folder. Default: `$XDG_CACHE_HOME/stowaway`, or `~/.cache/stowaway`.
    #[arg(long, global = true, env = "STOWAWAY_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CacheCommand {
    /// Print the folders of the caches and how many files and bytes each holds.
    Status,
    /// Remove every layer analysis result and every downloaded layer blob. The advisory
    /// database stays.
    Clean,
}

/// Runs `cache`.
pub fn run(args: &CacheArgs) -> anyhow::Result<ExitStatus> {
    let root = args
        .cache_dir
        .clone()
        .or_else(cache_root)
        .context("missing cache location: neither STOWAWAY_CACHE_DIR, XDG_CACHE_HOME nor HOME is set; pass `--cache-dir DIR`")?;
    // The size bound only matters when a scan writes, so any value does here.
    let analysis = AnalysisCache::new(root.join("analysis"), u64::MAX);
    // Pulls put registry blobs in the XDG cache folder, whatever `--cache-dir` is set to.
    let blobs_root = None;

    let (analysis_usage, blob_usage) = match args.command {
        CacheCommand::Status => (
            analysis.usage().with_context(|| format!("failed to read `{}`", analysis.root().display()))?,
            stowaway_image::blob_cache_usage(blobs_root).context("failed to read the layer blob cache")?,
        ),
        CacheCommand::Clean => (
            analysis.clean().with_context(|| format!("failed to empty `{}`", analysis.root().display()))?,
            stowaway_image::clean_blob_cache(blobs_root).context("failed to empty the layer blob cache")?,
        ),
    };

    let verb = match args.command {
        CacheCommand::Status => "holds",
        CacheCommand::Clean => "removed",
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "layer analysis ({}): {verb} {}", analysis.root().display(), describe(analysis_usage))?;
    writeln!(out, "registry layer blobs: {verb} {}", describe(blob_usage))?;
    Ok(ExitStatus::Success)
}

fn describe(usage: CacheUsage) -> String {
    let plural = if usage.files == 1 { "" } else { "s" };
    format!("{} file{plural}, {:.1} MiB", usage.files, usage.bytes as f64 / f64::from(1 << 20))
}
