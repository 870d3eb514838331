//! The `stowaway` command line: argument parsing, output and exit codes. The work itself lives in
//! the library crates.

mod commands;
mod progress;
mod exit;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;
use crate::exit::ExitStatus;

/// Container image security scanner.
#[derive(Debug, Parser)]
#[command(name = "stowaway", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Log verbosity: -v for debug, -vv for trace. `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);

    let status = match commands::run(cli.command) {
        Ok(status) => status,
        Err(error) if exit::is_broken_pipe(&error) => ExitStatus::Success,
        Err(error) => {
            exit::print_error(&error);
            ExitStatus::Error
        }
    };
    status.into()
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
