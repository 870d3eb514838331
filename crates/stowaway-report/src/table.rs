//! The terminal table: findings grouped by target, with severity counts.
//!
//! A target is the OS (its packages) or one application: the Python, npm, Ruby, PHP or .NET
//! packages of the image, and each Go binary, Rust binary and Java archive on its own, since each
//! is upgraded on its own.

use std::collections::BTreeMap;
use std::io::{self, Write};

use stowaway_match::Finding;
use stowaway_model::{Level, PackageKind};

use crate::{Report, SeverityCounts};

/// How to draw the table.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    /// Colour severities with ANSI escapes.
    pub color: bool,
    /// List suppressed findings with their reasons.
    pub show_suppressed: bool,
}

/// Writes the report as tables, one per target.
pub fn write(out: &mut impl Write, report: &Report, options: TableOptions) -> io::Result<()> {
    let target = &report.target;
    writeln!(out, "{} ({}, {} packages)", target.reference, target.os.as_deref().unwrap_or("unknown OS"), target.packages)?;
    if let Some(eol) = &report.end_of_life {
        let line = format!("end of life: {} stopped receiving security fixes on {}; no database lists what was found since", eol.namespace, eol.date);
        writeln!(out, "{}", paint(&line, eol.severity, options.color))?;
    }
    writeln!(out)?;

    let groups = group(&report.findings);
    if groups.is_empty() {
        writeln!(out, "No vulnerabilities found.")?;
    }
    for (title, with_path, findings) in &groups {
        let counts = SeverityCounts::of(findings.iter().map(|finding| finding.severity));
        writeln!(out, "{title}: {} findings ({})", counts.total(), counts.describe())?;
        let mut header = vec!["PACKAGE", "INSTALLED", "VULNERABILITY", "SEVERITY", "FIXED IN"];
        if *with_path {
            header.push("PATH");
        }
        header.push("NOTES");
        let rows: Vec<Vec<(String, Option<Level>)>> = findings.iter().map(|finding| finding_row(finding, *with_path)).collect();
        write_rows(out, &header, &rows, options.color)?;
        writeln!(out)?;
    }

    if !report.detections.is_empty() {
        write_detections(out, report, options.color)?;
    }

    let suppressed = report.suppressed.len();
    if options.show_suppressed && suppressed > 0 {
        writeln!(out, "Suppressed: {suppressed} findings")?;
        let rows: Vec<Vec<(String, Option<Level>)>> = report
            .suppressed
            .iter()
            .map(|finding| {
                let reason = finding.suppression.as_ref().map_or_else(String::new, |s| format!("{}: {}", s.by, s.reason));
                vec![
                    (finding.package.name.clone(), None),
                    (finding.package.version.clone(), None),
                    (finding.id.clone(), None),
                    (finding.severity.to_string(), Some(finding.severity)),
                    (reason, None),
                ]
            })
            .collect();
        write_rows(out, &["PACKAGE", "INSTALLED", "VULNERABILITY", "SEVERITY", "REASON"], &rows, options.color)?;
        writeln!(out)?;
    } else if suppressed > 0 {
        writeln!(out, "{suppressed} findings suppressed (not affected, will not fix, ignored or VEX); --show-suppressed lists them.")?;
    }

    let total = report.summary.findings.total();
    let detections = report.summary.detections.total();
    writeln!(
        out,
        "Total: {total} vulnerabilities ({}), {} with no fix yet; {detections} detections ({}).",
        report.summary.findings.describe(),
        report.summary.unfixed,
        report.summary.detections.describe()
    )?;
    Ok(())
}

/// Writes the malware, persistence, secret and misconfiguration detections: what, where, in
/// which layer, and why.
fn write_detections(out: &mut impl Write, report: &Report, color: bool) -> io::Result<()> {
    let counts = SeverityCounts::of(report.detections.iter().map(|detection| detection.severity));
    writeln!(out, "Detections: {} ({})", counts.total(), counts.describe())?;
    let rows: Vec<Vec<(String, Option<Level>)>> = report
        .detections
        .iter()
        .map(|detection| {
            let mut place = detection.path.clone().unwrap_or_else(|| "image config".to_owned());
            if detection.deleted_in_final_image {
                place.push_str(" (deleted by a later layer)");
            }
            let layer = detection.layer.as_ref().map_or_else(|| "-".to_owned(), |layer| layer.index.to_string());
            let why = match &detection.excerpt {
                Some(excerpt) => format!("{}: {excerpt}", detection.why),
                None => detection.why.clone(),
            };
            vec![
                (detection.kind.as_str().to_owned(), None),
                (detection.rule_id.clone(), None),
                (detection.severity.to_string(), Some(detection.severity)),
                (place, None),
                (layer, None),
                (why, None),
            ]
        })
        .collect();
    write_rows(out, &["KIND", "ID", "SEVERITY", "PATH", "LAYER", "WHY"], &rows, color)?;
    writeln!(out)
}

/// Groups findings by target, OS first, in a stable order. A target that gathers packages from
/// several places (all Python packages) shows each finding's path.
fn group(findings: &[Finding]) -> Vec<(String, bool, Vec<&Finding>)> {
    let mut groups: BTreeMap<(u8, String), Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        groups.entry(target_of(finding)).or_default().push(finding);
    }
    groups.into_iter().map(|((rank, title), findings)| (title, rank == 2, findings)).collect()
}

fn target_of(finding: &Finding) -> (u8, String) {
    let package = &finding.package;
    let location = package.locations.first().map_or("", String::as_str);
    match package.kind {
        kind if kind.is_os() => (0, format!("OS packages ({})", finding.rule.namespace)),
        PackageKind::Golang => (1, format!("Go binary {location}")),
        PackageKind::Cargo => (1, format!("Rust binary {location}")),
        PackageKind::Maven => (1, format!("Java archive {}", location.split('!').next().unwrap_or(location))),
        PackageKind::Pypi => (2, "Python packages".to_owned()),
        PackageKind::Npm => (2, "npm packages".to_owned()),
        PackageKind::Gem => (2, "Ruby gems".to_owned()),
        PackageKind::Composer => (2, "PHP packages".to_owned()),
        PackageKind::Nuget => (2, ".NET packages".to_owned()),
        kind => (3, format!("{kind} packages")),
    }
}

fn finding_row(finding: &Finding, with_path: bool) -> Vec<(String, Option<Level>)> {
    let fixed = match &finding.fix {
        stowaway_match::Fix::Fixed { version } => version.clone(),
        stowaway_match::Fix::FixedUnknownVersion => "fixed (version unknown)".to_owned(),
        stowaway_match::Fix::Unfixed => "no fix yet".to_owned(),
        stowaway_match::Fix::WillNotFix => "will not fix".to_owned(),
        stowaway_match::Fix::EndOfLife => "end of life".to_owned(),
        stowaway_match::Fix::NotAffected => "not affected".to_owned(),
    };
    let mut notes = Vec::new();
    if finding.kev.is_some() {
        notes.push("known exploited (KEV)".to_owned());
    }
    if let Some(owner) = &finding.owned_by {
        notes.push(format!("in OS package {owner}"));
    }
    if finding.package.kind.is_os() && finding.rule.package != finding.package.name {
        notes.push(format!("source {}", finding.rule.package));
    }
    let mut row = vec![
        (finding.package.name.clone(), None),
        (finding.package.version.clone(), None),
        (finding.id.clone(), None),
        (finding.severity.to_string(), Some(finding.severity)),
        (fixed, None),
    ];
    if with_path {
        row.push((finding.package.locations.first().cloned().unwrap_or_default(), None));
    }
    row.push((notes.join("; "), None));
    row
}

/// Writes a header and rows with columns padded to their widest cell. A cell with a level is
/// coloured after padding, so escapes never count toward widths.
fn write_rows(out: &mut impl Write, header: &[&str], rows: &[Vec<(String, Option<Level>)>], color: bool) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, (cell, _)) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let header_row: Vec<(String, Option<Level>)> = header.iter().map(|cell| ((*cell).to_owned(), None)).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (index, ((cell, level), width)) in row.iter().zip(&widths).enumerate() {
            let last = index + 1 == row.len();
            let padded = if last { cell.clone() } else { format!("{cell:<width$}  ") };
            match level {
                Some(level) => line.push_str(&paint(&padded, *level, color)),
                None => line.push_str(&padded),
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Colours text by severity: red for critical and high, yellow for medium, blue for low.
fn paint(text: &str, level: Level, color: bool) -> String {
    let code = match level {
        Level::Critical => "1;31",
        Level::High => "31",
        Level::Medium => "33",
        Level::Low => "34",
        Level::Negligible | Level::Unknown => return text.to_owned(),
    };
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}
