//! The subcommands, one file each.

use clap::Subcommand;

use crate::exit::ExitStatus;

/// The subcommands of `stowaway`.
#[derive(Debug, Subcommand)]
pub enum Command {
}

/// Runs one subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitStatus> {
    match command {}
}
