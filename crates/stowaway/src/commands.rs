//! The subcommands, one file each.

mod bench;
mod cache;
mod compare_versions;
mod db;
mod db_registry;
mod image_args;
mod inspect;
mod sbom;
mod scan;

use clap::Subcommand;

use crate::exit::ExitStatus;

/// The subcommands of `stowaway`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit the Docker host, daemon and running containers against the CIS Docker Benchmark.
    Bench(bench::BenchArgs),
    /// Show or empty the caches: layer analysis results and registry layer blobs.
    Cache(cache::CacheArgs),
    /// Compare two versions, or test a version against a range, the way stowaway's matcher does.
    #[command(long_about = compare_versions::LONG_ABOUT)]
    CompareVersions(compare_versions::CompareVersionsArgs),
    /// Build the advisory database from feed files, or show its state.
    Db(db::DbArgs),
    /// Show an image's identity, layers and file counts without running it.
    Inspect(inspect::InspectArgs),
    /// List an image's packages as a CycloneDX or SPDX SBOM, stowaway's JSON catalog or a table.
    Sbom(sbom::SbomArgs),
    /// Find the known vulnerabilities of an image's packages, explained, as a table, JSON, SARIF or CycloneDX.
    Scan(scan::ScanArgs),
}

/// Runs one subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Bench(args) => bench::run(&args),
        Command::Cache(args) => cache::run(&args),
        Command::CompareVersions(args) => compare_versions::run(&args),
        Command::Db(args) => db::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Sbom(args) => sbom::run(&args),
        Command::Scan(args) => scan::run(&args),
    }
}
