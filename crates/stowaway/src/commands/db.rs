//! `stowaway db`: build the advisory database from local feed files, show its state, and move it
//! to offline machines as a bundle.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use stowaway_advisory::{AdvisoryStore, DatabaseStatus, build, bundle, discover};

use crate::exit::ExitStatus;

/// Record warnings printed per source; the rest are counted.
const WARNINGS_SHOWN_PER_SOURCE: usize = 10;

/// Arguments of `stowaway db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The database file. Default: `$XDG_DATA_HOME/stowaway/db.sqlite`, or
    /// `~/.local/share/stowaway/db.sqlite` when `XDG_DATA_HOME` is not set.
    #[arg(long, global = true, env = "STOWAWAY_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: DbCommand,
}

/// The subcommands of `stowaway db`.
// TODO: `update`: download the configured feeds with conditional requests, retries and an atomic
// replace.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
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
    /// Push the database to a registry as an OCI artifact, for mirrors and offline sites.
    Push(super::db_registry::RegistryArgs),
    /// Pull the database from a registry (an artifact that `db push` wrote) and install it with
    /// the checks of `db import`.
    Pull(super::db_registry::RegistryArgs),
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
        DbCommand::Build(build_args) => {
            let output = match (&build_args.output, &args.db) {
                (Some(output), _) | (None, Some(output)) => output.clone(),
                (None, None) => default_database_path()?,
            };
            run_build(build_args, &output)
        }
        DbCommand::Status(status_args) => run_status(status_args, &database_path(args)?),
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
        DbCommand::Push(registry_args) => super::db_registry::push(registry_args, &database_path(args)?),
        DbCommand::Pull(registry_args) => super::db_registry::pull(registry_args, &database_path(args)?),
    }
}

/// Returns `--db` (or `STOWAWAY_DB`), else the default location.
fn database_path(args: &DbArgs) -> anyhow::Result<PathBuf> {
    match &args.db {
        Some(path) => Ok(path.clone()),
        None => default_database_path(),
    }
}

/// Returns `$XDG_DATA_HOME/stowaway/db.sqlite`, or `$HOME/.local/share/stowaway/db.sqlite`.
fn default_database_path() -> anyhow::Result<PathBuf> {
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|value| !value.is_empty()).map(|home| PathBuf::from(home).join(".local/share")))
        .context("missing database location: neither XDG_DATA_HOME nor HOME is set; pass `--db FILE`")?;
    Ok(data_home.join("stowaway/db.sqlite"))
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

    let report = build(output, &feeds).with_context(|| format!("failed to build advisory database `{}`", output.display()))?;

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
        return Ok(ExitStatus::Success);
    }

    writeln!(stdout, "Database:  {}", path.display())?;
    writeln!(stdout, "Schema:    {}", status.schema_version)?;
    writeln!(stdout, "Built:     {} ({})", status.built_at, status.age.map_or_else(|| "age unknown".to_owned(), format_age))?;
    writeln!(stdout)?;
    writeln!(stdout, "{:<24} {:<15} {:>9} {:>10} {:>8}  DIGEST", "SOURCE", "KIND", "RECORDS", "ADVISORIES", "SKIPPED")?;
    for source in &status.sources {
        writeln!(
            stdout,
            "{:<24} {:<15} {:>9} {:>10} {:>8}  {}",
            source.name, source.kind, source.record_count, source.advisory_count, source.warning_count, source.digest
        )?;
    }
    Ok(ExitStatus::Success)
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
        "sources": sources,
    })
}

/// Formats an age as `3 days old`, `5 hours old` or `12 minutes old`.
fn format_age(age: std::time::Duration) -> String {
    let minutes = age.as_secs() / 60;
    let (count, unit) = match minutes {
        0..60 => (minutes, "minute"),
        60..2880 => (minutes / 60, "hour"),
        _ => (minutes / 1440, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} old")
}
