//! `stowaway db`: download or build the advisory database, show its state, and move it to
//! offline machines as a bundle.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use stowaway_advisory::age::format_duration;
use stowaway_advisory::update::config::{UpdateConfig, default_config_path};
use stowaway_advisory::update::{FileOutcome, UpdateReport, update};
use stowaway_advisory::{AdvisoryStore, BuildOptions, age_warning, configured_max_age, DatabaseStatus, build_with_options, bundle, default_cache_dir, discover};

use crate::exit::ExitStatus;

/// Record warnings printed per source; the rest are counted.
const WARNINGS_SHOWN_PER_SOURCE: usize = 10;

/// Arguments of `stowaway db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The database file. Default: `db/stowaway.db` in the cache folder.
    #[arg(long, global = true, env = "STOWAWAY_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// The cache folder: the default database and the downloaded feeds. Default:
    /// `$XDG_CACHE_HOME/stowaway`, or `~/.cache/stowaway` when `XDG_CACHE_HOME` is not set.
    #[arg(long, global = true, env = "STOWAWAY_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: DbCommand,
}

/// The subcommands of `stowaway db`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the configured feeds and rebuild the database from them, replacing the current
    /// one only once the new one is complete. Unchanged feeds are not downloaded again.
    Update(UpdateArgs),
    /// Build the database from local feed files and directories, replacing the current one only
    /// once the new one is complete.
    Build(BuildArgs),
    /// Show the database's schema version, build time, age and sources.
    Status(StatusArgs),
    /// Write the whole database to a compressed bundle file, with its SHA-256 digest, for a
    /// machine without network access.
    Export(BundleArgs),
    /// Install the database from a bundle file, after checking its digest, schema version and
    /// integrity.
    Import(BundleArgs),
}

/// Arguments of `stowaway db export` and `db import`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The bundle file.
    #[arg(value_name = "FILE")]
    pub bundle: PathBuf,
}

/// Arguments of `stowaway db build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A feed file or a directory searched for feeds: OSV JSON or YAML (files, directories,
    /// `.tar.zst`/`.tar.gz`/`.zip` archives), RubySec and Node.js security-wg archives, Alpine
    /// secdb, Debian tracker JSON, DSA/DLA lists, CISA KEV JSON, FIRST EPSS CSV. Repeat for
    /// several.
    #[arg(long = "from", value_name = "PATH", required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,

    /// The file to write the database to; overrides `--db`.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Keep facts only: ids, aliases, affected packages, severities, weaknesses, references,
    /// KEV and EPSS, without the advisories' summaries (as the embedded snapshot does).
    #[arg(long)]
    pub facts_only: bool,
}

/// Arguments of `stowaway db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The feed configuration (TOML). Default: `$XDG_CONFIG_HOME/stowaway/feeds.toml`, or
    /// `~/.config/stowaway/feeds.toml`; the built-in public feeds when that file is missing.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Arguments of `stowaway db status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `db`.
pub fn run(args: &DbArgs) -> anyhow::Result<ExitStatus> {
    match &args.command {
        DbCommand::Update(update_args) => run_update(update_args, &cache_dir(args)?, &database_path(args)?),
        DbCommand::Build(build_args) => {
            let output = match &build_args.output {
                Some(output) => output.clone(),
                None => database_path(args)?,
            };
            run_build(build_args, &output)
        }
        DbCommand::Status(status_args) => {
            // Without `--db`, status reports the database a scan would use, the embedded
            // snapshot on a machine that has none.
            let database = match &args.db {
                Some(path) => path.clone(),
                None => stowaway_advisory::default_database(&cache_dir(args)?)?,
            };
            run_status(status_args, &database)
        }
        DbCommand::Export(bundle_args) => {
            let database = database_path(args)?;
            let manifest = bundle::export(&database, &bundle_args.bundle)
                .with_context(|| format!("failed to export `{}`", database.display()))?;
            writeln!(std::io::stdout().lock(), "exported {} (sha256:{})", bundle_args.bundle.display(), manifest.database_sha256)?;
            Ok(ExitStatus::Success)
        }
        DbCommand::Import(bundle_args) => {
            let database = database_path(args)?;
            let manifest = bundle::import(&bundle_args.bundle, &database)
                .with_context(|| format!("failed to import `{}`", bundle_args.bundle.display()))?;
            writeln!(std::io::stdout().lock(), "imported {} (built {})", database.display(), manifest.built_at)?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Returns `--db` (or `STOWAWAY_DB`), else `db/stowaway.db` in the cache folder.
fn database_path(args: &DbArgs) -> anyhow::Result<PathBuf> {
    match &args.db {
        Some(path) => Ok(path.clone()),
        None => Ok(stowaway_advisory::database_path(&cache_dir(args)?)),
    }
}

/// Returns `--cache-dir` (or `STOWAWAY_CACHE_DIR`), else the XDG cache folder.
fn cache_dir(args: &DbArgs) -> anyhow::Result<PathBuf> {
    match &args.cache_dir {
        Some(path) => Ok(path.clone()),
        None => default_cache_dir().context("missing cache location: neither XDG_CACHE_HOME nor HOME is set; pass `--cache-dir DIR`"),
    }
}

fn run_update(args: &UpdateArgs, cache_dir: &Path, database: &Path) -> anyhow::Result<ExitStatus> {
    let config = match &args.config {
        Some(path) => UpdateConfig::load(path, false)?,
        None => match default_config_path() {
            Some(path) => UpdateConfig::load(&path, true)?,
            None => UpdateConfig::default(),
        },
    };

    let bar = crate::progress::DownloadBar::new();
    let result = update(database, cache_dir, &config, &bar);
    bar.finish();
    let report = result.with_context(|| {
        format!(
            "failed to update advisory database `{}`, the current database was kept\n\
             hint: check the feed's URL in the configuration and the network, then run `stowaway db update` again",
            database.display()
        )
    })?;

    print_record_warnings(&report.build);
    print_update_report(database, &report)?;
    Ok(ExitStatus::Success)
}

fn print_update_report(database: &Path, report: &UpdateReport) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "updated {}", database.display())?;
    writeln!(stdout, "{:<24} {:<14} URL", "FEED", "RESULT")?;
    for file in &report.files {
        let outcome = match file.outcome {
            FileOutcome::Downloaded { bytes } => format!("{bytes} bytes"),
            FileOutcome::NotModified => "not modified".to_owned(),
        };
        writeln!(stdout, "{:<24} {:<14} {}", file.feed, outcome, file.url)?;
    }
    Ok(())
}

fn run_build(args: &BuildArgs, output: &Path) -> anyhow::Result<ExitStatus> {
    let mut feeds = Vec::new();
    for path in &args.from {
        let discovery = discover(path).with_context(|| format!("failed to find feeds in `{}`", path.display()))?;
        for (file, reason) in &discovery.skipped {
            tracing::info!(file = %file.display(), reason, "skipped file");
        }
        feeds.extend(discovery.feeds);
    }
    anyhow::ensure!(!feeds.is_empty(), "no advisory feed found in the `--from` paths");

    let options = BuildOptions { facts_only: args.facts_only, ..BuildOptions::default() };
    let report = build_with_options(output, &feeds, options).with_context(|| format!("failed to build advisory database `{}`", output.display()))?;

    print_record_warnings(&report);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "built {}", output.display())?;
    writeln!(stdout, "{:<24} {:<15} {:>9} {:>10} {:>8}", "SOURCE", "KIND", "RECORDS", "ADVISORIES", "SKIPPED")?;
    for source in &report.sources {
        writeln!(
            stdout,
            "{:<24} {:<15} {:>9} {:>10} {:>8}",
            source.name,
            source.kind.as_str(),
            source.record_count,
            source.advisory_count,
            source.warnings.len()
        )?;
    }
    Ok(ExitStatus::Success)
}

#[allow(clippy::print_stderr)]
fn print_record_warnings(report: &stowaway_advisory::BuildReport) {
    for source in &report.sources {
        for warning in source.warnings.iter().take(WARNINGS_SHOWN_PER_SOURCE) {
            eprintln!("warning: {}: {warning}", source.name);
        }
        let hidden = source.warnings.len().saturating_sub(WARNINGS_SHOWN_PER_SOURCE);
        if hidden > 0 {
            eprintln!("warning: {}: {hidden} more records skipped", source.name);
        }
    }
}

fn run_status(args: &StatusArgs, path: &Path) -> anyhow::Result<ExitStatus> {
    if !path.exists() {
        anyhow::bail!(
            "no advisory database at `{}`\nhint: build one with `stowaway db build --from PATH`",
            path.display()
        );
    }
    let store = AdvisoryStore::open(path)?;
    let status = store.status()?;

    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &status_json(path, &status))?;
        writeln!(stdout)?;
        print_age_warning(&status)?;
        return Ok(ExitStatus::Success);
    }

    let origin = if status.embedded_snapshot {
        "embedded snapshot (facts only; `stowaway db update` downloads current advisories)"
    } else {
        "built from feeds"
    };
    let age = status.age.map_or_else(|| "age unknown".to_owned(), |age| format!("{} old", format_duration(age)));
    writeln!(stdout, "Database:  {}", path.display())?;
    writeln!(stdout, "Origin:    {origin}")?;
    writeln!(stdout, "Schema:    {}", status.schema_version)?;
    writeln!(stdout, "Built:     {} ({age})", status.built_at)?;
    writeln!(stdout)?;
    writeln!(stdout, "{:<24} {:<15} {:>9} {:>10} {:>8}  DIGEST", "SOURCE", "KIND", "RECORDS", "ADVISORIES", "SKIPPED")?;
    for source in &status.sources {
        writeln!(
            stdout,
            "{:<24} {:<15} {:>9} {:>10} {:>8}  {}",
            source.name, source.kind, source.record_count, source.advisory_count, source.warning_count, source.digest
        )?;
    }
    print_age_warning(&status)?;
    Ok(ExitStatus::Success)
}

/// Prints the warning a scan would print about the database's age.
#[allow(clippy::print_stderr)]
fn print_age_warning(status: &DatabaseStatus) -> anyhow::Result<()> {
    let max_age = configured_max_age(None)?;
    if let Some(warning) = age_warning(status, max_age) {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

fn status_json(path: &Path, status: &DatabaseStatus) -> serde_json::Value {
    let sources: Vec<serde_json::Value> = status
        .sources
        .iter()
        .map(|source| {
            serde_json::json!({
                "name": source.name,
                "kind": source.kind,
                "digest": source.digest,
                "record_count": source.record_count,
                "advisory_count": source.advisory_count,
                "warning_count": source.warning_count,
            })
        })
        .collect();
    serde_json::json!({
        "path": path,
        "schema_version": status.schema_version,
        "built_at": status.built_at,
        "age_seconds": status.age.map(|age| age.as_secs()),
        "embedded_snapshot": status.embedded_snapshot,
        "sources": sources,
    })
}
