//! `stowaway compare-versions`: how stowaway orders two versions, or whether a version is in a
//! range.

use clap::Args;

use crate::exit::ExitStatus;

/// Arguments of `stowaway compare-versions`.
#[derive(Debug, Args)]
pub struct CompareVersionsArgs {
    /// Ecosystem whose rules apply: a purl type or an OSV ecosystem name (deb, rpm, apk, pypi,
    /// npm, cargo, golang, maven, gem, generic).
    pub ecosystem: String,

    /// The version to compare, or to test against `--range`.
    pub version: String,

    /// The version to compare against (omit it when `--range` is given).
    #[arg(required_unless_present = "range", conflicts_with = "range")]
    pub other: Option<String>,

    /// A range in the ecosystem's own syntax; prints `in` or `out`.
    #[arg(long)]
    pub range: Option<String>,
}

/// Runs `compare-versions`.
pub fn run(args: &CompareVersionsArgs) -> anyhow::Result<ExitStatus> {
    // TODO: wire to stowaway-version once its `Version` and `Range` types land.
    anyhow::bail!("compare-versions for `{}` is not available yet", args.ecosystem)
}
