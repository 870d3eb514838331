//! `stowaway bench`: the CIS Docker Benchmark checks of the host, the daemon and the running containers.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use stowaway_bench::{
    BenchOptions, BenchReport, CheckResult, Checklist, EngineAddress, Section, Summary, Verdict,
};
use stowaway_model::Level;

use crate::exit::ExitStatus;

/// Details start under the title column of the table.
const DETAIL_INDENT: &str = "                                 ";

/// Arguments of `stowaway bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Checklist in TOML laid over the built-in one: sections, skipped checks, severities, levels,
    /// parameters and exclusions (see docs/checks.md).
    #[arg(long, value_name = "FILE")]
    checklist: Option<PathBuf>,

    /// Folder read as the host's `/` for host files, daemon.json and the daemon's command line.
    #[arg(long, value_name = "DIR", default_value = "/")]
    host_root: PathBuf,

    /// The Docker Engine's unix socket [default: the socket DOCKER_HOST names as `unix://PATH`,
    /// else /var/run/docker.sock].
    #[arg(long, value_name = "PATH")]
    docker_socket: Option<PathBuf>,

    /// Also audit created, stopped and paused containers, whose settings apply when they start.
    #[arg(long)]
    all_containers: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    format: BenchFormat,

    /// File to write the report to, replacing it if it exists; stdout when not given.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit with 1 when a WARN result's severity is at or above this (`low`, `medium`, `high`, `critical`).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_level)]
    fail_on: Option<Level>,

    /// No warnings on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Output formats of `bench`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum BenchFormat {
    /// Results grouped by section, with a score, for people.
    Table,
    /// The bench report as JSON.
    Json,
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
}

/// Runs `bench`.
pub fn run(args: &BenchArgs) -> anyhow::Result<ExitStatus> {
    let checklist = match &args.checklist {
        Some(path) => Checklist::load(path)?,
        None => Checklist::builtin()?,
    };
    let options = BenchOptions {
        host_root: args.host_root.clone(),
        engine: engine_address(args.docker_socket.as_deref()),
        all_containers: args.all_containers,
    };
    let report = stowaway_bench::run_bench(&options, &checklist)?;
    if !args.quiet {
        crate::exit::print_messages(&report.warnings);
    }

    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("failed to create `{}`", path.display()))?;
            let mut out = BufWriter::new(file);
            write_report(&mut out, args.format, &report)
                .and_then(|()| out.flush().map_err(Into::into))
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }
        None => write_report(&mut std::io::stdout().lock(), args.format, &report)?,
    }

    let failed = args
        .fail_on
        .is_some_and(|threshold| report.fails(threshold));
    Ok(if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// Picks the engine as the docker CLI does: the option first, then `DOCKER_HOST`, then the
/// default socket.
fn engine_address(docker_socket: Option<&Path>) -> EngineAddress {
    if let Some(socket) = docker_socket {
        return EngineAddress::Unix(socket.to_owned());
    }
    let Some(docker_host) = std::env::var_os("DOCKER_HOST") else {
        return EngineAddress::default();
    };
    let address = EngineAddress::from_docker_host(&docker_host.to_string_lossy());
    tracing::debug!(?address, "engine address from DOCKER_HOST");
    address
}

fn write_report(
    out: &mut impl Write,
    format: BenchFormat,
    report: &BenchReport,
) -> anyhow::Result<()> {
    match format {
        BenchFormat::Table => write_table(out, report)?,
        BenchFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Writes one block per section, one line per result with its details below, then the score.
fn write_table(out: &mut impl Write, report: &BenchReport) -> std::io::Result<()> {
    for section in Section::ALL {
        let results: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|result| result.check.section == section)
            .collect();
        if results.is_empty() {
            continue;
        }
        let owned: Vec<CheckResult> = results.iter().map(|result| (*result).clone()).collect();
        let summary = Summary::of(&owned);
        writeln!(
            out,
            "[{}] {}: score {}, {} pass, {} warn",
            section.number(),
            section.title(),
            score_text(summary.score),
            summary.pass,
            summary.warn
        )?;
        for result in results {
            writeln!(
                out,
                "  {:<7}  {:<10}  {:<8}  {}  ({})",
                result.verdict.label(),
                result.check.id,
                result.check.severity.as_str(),
                result.check.title,
                result.target
            )?;
            if let Verdict::NotRun { reason } = &result.verdict {
                writeln!(out, "{DETAIL_INDENT}{reason}")?;
            }
            for detail in &result.details {
                writeln!(out, "{DETAIL_INDENT}{detail}")?;
            }
        }
        writeln!(out)?;
    }

    let summary = &report.summary;
    writeln!(
        out,
        "Score: {} ({} pass, {} warn, {} info, {} note, {} not run); checklist: {}",
        score_text(summary.score),
        summary.pass,
        summary.warn,
        summary.info,
        summary.note,
        summary.not_run,
        report.checklist
    )
}

/// Formats a score as `75%`, or `n/a` when no check passed or warned.
fn score_text(score: Option<u8>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |score| format!("{score}%"))
}
