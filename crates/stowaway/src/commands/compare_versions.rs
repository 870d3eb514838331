//! `stowaway compare-versions`: how stowaway orders two versions, or whether a version is in a
//! range, for a user who wants to check a surprising finding.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use stowaway_version::{Ecosystem, Range, Version, npm};

use crate::exit::ExitStatus;

/// The long help of `compare-versions`, which `--help` prints.
pub const LONG_ABOUT: &str = "Compare two versions, or test a version against a range, with the rules \
stowaway's matcher uses. Use it when a finding surprises you.

`stowaway compare-versions ECOSYSTEM A B` prints `<`, `=` or `>` (A compared with B); \
`stowaway compare-versions ECOSYSTEM VERSION --range RANGE` prints `in` or `out`. Both exit 0 \
with an answer and 2 when a version or range is malformed.

ECOSYSTEM is a purl type or an OSV ecosystem name: deb (Debian, Ubuntu), rpm, apk (Alpine, \
Wolfi), pypi, npm, cargo (crates.io), golang (Go), maven, gem (RubyGems), or generic, whose \
ordering is approximate.

RANGE uses the ecosystem's own syntax: npm `^1.2.3 || 2.x`, cargo `>=1.2, <1.4`, pypi \
`>=2.0, <2.3`, maven `[1.0,2.0)`, gem `~> 1.2, != 1.2.5`; deb, rpm, apk, golang and generic \
take comparators such as `>= 1.0, < 2.0 || = 3.0` (apk also `~`, `<~`, `>~`).";

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

    /// npm only: accept node-semver's loose syntax (`=v1.2.3`, `1.2.3beta`).
    #[arg(long)]
    pub loose: bool,

    /// npm only: let ranges match pre-releases of any version (node-semver's `includePrerelease`).
    #[arg(long)]
    pub include_prerelease: bool,
}

/// Runs `compare-versions`.
pub fn run(args: &CompareVersionsArgs) -> anyhow::Result<ExitStatus> {
    let ecosystem: Ecosystem = args.ecosystem.parse()?;
    if ecosystem != Ecosystem::Npm && (args.loose || args.include_prerelease) {
        anyhow::bail!("`--loose` and `--include-prerelease` only apply to npm, not to {ecosystem}");
    }
    if !ecosystem.is_exact() {
        tracing::warn!("the {ecosystem} ordering is approximate: it follows no package manager's rules");
    }

    let result = match (&args.other, &args.range) {
        (_, Some(range)) => {
            let inside = contains(ecosystem, args, range)?;
            if inside { "in" } else { "out" }
        }
        (Some(other), None) => {
            let version = parse_version(ecosystem, args, &args.version)?;
            let other = parse_version(ecosystem, args, other)?;
            match version.compare(&other)? {
                std::cmp::Ordering::Less => "<",
                std::cmp::Ordering::Equal => "=",
                std::cmp::Ordering::Greater => ">",
            }
        }
        (None, None) => anyhow::bail!("give a second version or `--range`"),
    };

    print_result(result).context("failed to write the result to stdout")?;
    Ok(ExitStatus::Success)
}

fn npm_options(args: &CompareVersionsArgs) -> npm::Options {
    npm::Options {
        loose: args.loose,
        include_prerelease: args.include_prerelease,
    }
}

fn parse_version(ecosystem: Ecosystem, args: &CompareVersionsArgs, text: &str) -> anyhow::Result<Version> {
    if ecosystem == Ecosystem::Npm {
        return Ok(Version::Npm(npm::Version::parse_with(text, npm_options(args))?));
    }
    Ok(Version::parse(ecosystem, text)?)
}

fn contains(ecosystem: Ecosystem, args: &CompareVersionsArgs, range: &str) -> anyhow::Result<bool> {
    let version = parse_version(ecosystem, args, &args.version)?;
    if let Version::Npm(version) = &version {
        let range = npm::Range::parse_with(range, npm_options(args))?;
        return Ok(range.contains(version));
    }
    Ok(Range::parse(ecosystem, range)?.contains(&version)?)
}

/// Writes the result (`<`, `=`, `>`, `in` or `out`), the command's only output, to stdout.
#[allow(clippy::print_stdout)]
fn print_result(result: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{result}")
}
