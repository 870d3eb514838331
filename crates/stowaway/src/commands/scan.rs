//! `stowaway scan`: the image's packages joined with the advisory database, as a report.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use stowaway_advisory::{AdvisoryStore, age_warning, configured_max_age, default_cache_dir};
use stowaway_catalog::sbom::{self, DocumentInfo, ImageIdentity};
use stowaway_catalog::{Catalog, CatalogOptions};
use stowaway_match::suppress::{self, IgnoreFile, Suppressor, VexDocument};
use stowaway_detect::{DetectOptions, Detection, DetectionKind, Detector, Scanners};
use stowaway_match::{Inventory, MatchOptions, Matches};
use stowaway_model::Level;
use stowaway_report::table::TableOptions;
use stowaway_report::{DatabaseInfo, Report, SCHEMA_VERSION, Summary, Target, Tool};

use super::image_args::ImageArgs;
use crate::exit::ExitStatus;
use crate::progress;

/// The ignore file read from the working folder when `--ignore-file` is not given.
const DEFAULT_IGNORE_FILE: &str = ".stowawayignore";

/// Arguments of `stowaway scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    image: ImageArgs,

    /// The advisory database.
    #[arg(long, value_name = "FILE", env = "STOWAWAY_DB")]
    db: Option<PathBuf>,

    /// The cache folder holding the default database and the layer analysis cache. Default: `$XDG_CACHE_HOME/stowaway`, or
    /// `~/.cache/stowaway`.
    #[arg(long, env = "STOWAWAY_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    format: ScanFormat,

    /// File to write the report to, replacing it if it exists; stdout when not given.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Report only these severities, comma-separated (`high,critical`).
    #[arg(long, value_delimiter = ',', value_name = "LEVELS", value_parser = parse_level)]
    severity: Vec<Level>,

    /// Leave out findings that have no fix yet.
    #[arg(long)]
    ignore_unfixed: bool,

    /// Exit with 1 when a finding is at or above this severity (`low`, `medium`, `high`, `critical`).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_level)]
    fail_on: Option<Level>,

    /// List suppressed findings (not affected, will not fix, ignored, VEX) with their reasons.
    #[arg(long)]
    show_suppressed: bool,

    /// Ignore file in TOML or YAML; `.stowawayignore` in the working folder is read when present.
    #[arg(long, value_name = "FILE")]
    ignore_file: Option<PathBuf>,

    /// OpenVEX document whose `not_affected` and `fixed` statements suppress findings. Repeat for several.
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,

    /// Also match language packages that an OS package owns (a Go binary in a `.deb`) against their
    /// upstream advisories; their findings name the owning package.
    #[arg(long)]
    match_upstream: bool,

    /// Scanners to run, comma-separated: `vuln` (known vulnerabilities of packages), `malware`
    /// (YARA rules, persistence and suspicious files), `secret` (keys and tokens), `misconfig`
    /// (the image configuration checks of the CIS Docker Benchmark, and setuid files added after
    /// the base layer). `misconfig` is off unless named, because most images fail some of its checks.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Scanner::Vuln, Scanner::Malware, Scanner::Secret])]
    scanners: Vec<Scanner>,

    /// YARA rule file or folder (searched for `.yar` and `.yara`) added to the bundled rules. Repeat for several.
    #[arg(long, value_name = "PATH")]
    rules: Vec<PathBuf>,

    /// No progress display and no warnings on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScanFormat {
    /// Findings grouped by target, for people.
    Table,
    /// The report model as JSON (see docs/report.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// CycloneDX 1.6 JSON: the SBOM with a vulnerabilities section.
    CyclonedxJson,
}

/// Scanner families of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scanner {
    /// Known vulnerabilities of OS and language packages.
    Vuln,
    /// Cryptominers, reverse shells, web shells, persistence, modified package files.
    Malware,
    /// Private keys, cloud and SaaS tokens, passwords.
    Secret,
    /// Configuration weaknesses of the file system.
    Misconfig,
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
}

/// The input of a scan: an image, or the packages of an SBOM.
enum Subject {
    Image(Box<stowaway_image::Image>),
    Sbom(PathBuf),
}

/// Runs `scan`.
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitStatus> {
    let today = SystemTime::now();
    let mut warnings = Vec::new();

    let vulnerabilities = args.scanners.contains(&Scanner::Vuln);
    let (database, store) = if vulnerabilities {
        let database = database_path(args)?;
        let store = open_database(&database)?;
        (database, Some(store))
    } else {
        (PathBuf::new(), None)
    };
    let status = store
        .as_ref()
        .map(|store| store.status().with_context(|| format!("failed to read the status of `{}`", database.display())))
        .transpose()?;
    if let Some(status) = &status {
        let max_age = configured_max_age(None).context("failed to read the maximum database age")?;
        warnings.extend(age_warning(status, max_age));
    }
    let detector = detector(args)?;

    let subject = match args.image.image.strip_prefix("sbom:") {
        Some(path) => Subject::Sbom(PathBuf::from(path)),
        None => Subject::Image(Box::new(args.image.open()?)),
    };
    let started = Instant::now();
    let (catalog, identity, detections) = match &subject {
        Subject::Image(image) => {
            let (catalog, detections, image_warnings) = catalog_image(args, image, detector.as_ref())?;
            warnings.extend(image_warnings);
            (catalog, Some(ImageIdentity::of(image)), detections)
        }
        Subject::Sbom(path) => (read_sbom(path)?, None, Vec::new()),
    };

    let cataloged = started.elapsed();

    let spinner = if args.quiet { indicatif::ProgressBar::hidden() } else { progress::spinner("matching packages with advisories") };
    let options = MatchOptions { match_os_owned_upstream: args.match_upstream, today: Some(today) };
    let inventory = Inventory { os: catalog.os.as_ref(), packages: &catalog.packages };
    let matching = Instant::now();
    let mut matches = match &store {
        Some(store) => stowaway_match::match_inventory(&inventory, store, &options).context("failed to match the packages with the advisory database")?,
        None => Matches::default(),
    };
    spinner.finish_and_clear();
    tracing::debug!(
        catalog_ms = cataloged.as_millis() as u64,
        match_ms = matching.elapsed().as_millis() as u64,
        packages = catalog.packages.len(),
        findings = matches.findings.len(),
        "scan phases"
    );
    warnings.extend(apply_suppressions(args, &mut matches, today)?);
    filter(args, &mut matches);

    let database_info = status.as_ref().map(|status| DatabaseInfo {
        path: database.display().to_string(),
        schema_version: status.schema_version,
        built_at: status.built_at.clone(),
        sources: status.sources.iter().map(|source| source.name.clone()).collect(),
    });
    let detections = filter_detections(args, detections);
    let report = build_report(args, &catalog, identity.as_ref(), database_info, matches, detections, warnings);
    if !args.quiet {
        crate::exit::print_messages(&report.warnings);
        crate::exit::print_messages(&report.match_warnings.iter().map(ToString::to_string).collect::<Vec<_>>());
    }
    write_report(args, &report, &catalog, identity.as_ref())?;

    let failed = args.fail_on.is_some_and(|threshold| report.fails(threshold));
    Ok(if failed { ExitStatus::Findings } else { ExitStatus::Success })
}

/// Returns `--db` (or `STOWAWAY_DB`), else the database in the cache folder, unpacking the
/// embedded snapshot there when the machine has none, so a first scan works offline.
fn database_path(args: &ScanArgs) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.db {
        return Ok(path.clone());
    }
    let cache_dir = match &args.cache_dir {
        Some(path) => path.clone(),
        None => default_cache_dir().context("missing cache location: neither XDG_CACHE_HOME nor HOME is set; pass `--cache-dir DIR` or `--db FILE`")?,
    };
    stowaway_advisory::default_database(&cache_dir).context("failed to prepare the default advisory database")
}

fn open_database(path: &Path) -> anyhow::Result<AdvisoryStore> {
    if !path.exists() {
        anyhow::bail!(
            "no advisory database at `{}`\nhint: build one with `stowaway db build --from PATH`, or pass `--db FILE`",
            path.display()
        );
    }
    AdvisoryStore::open(path).with_context(|| format!("failed to open the advisory database `{}`", path.display()))
}

/// Builds the detector for the malware, secret and misconfiguration scanners that are on, or
/// `None` when none is.
fn detector(args: &ScanArgs) -> anyhow::Result<Option<Detector>> {
    let scanners = Scanners {
        malware: args.scanners.contains(&Scanner::Malware),
        secret: args.scanners.contains(&Scanner::Secret),
        misconfig: args.scanners.contains(&Scanner::Misconfig),
    };
    if !scanners.any() {
        return Ok(None);
    }
    let options = DetectOptions { rules: args.rules.clone(), scanners, ..DetectOptions::default() };
    let detector = Detector::new(options).context("failed to load the detection rules")?;
    Ok(Some(detector))
}

/// Walks the image once with the catalogers and the detector's analyzers.
fn catalog_image(args: &ScanArgs, image: &stowaway_image::Image, detector: Option<&Detector>) -> anyhow::Result<(Catalog, Vec<Detection>, Vec<String>)> {
    let bar = if args.quiet { indicatif::ProgressBar::hidden() } else { progress::layer_bar(image.layers.len()) };
    let options = CatalogOptions { limits: args.image.limits(), cache: args.image.analysis_cache(args.cache_dir.as_deref()) };
    let extra = detector.map(Detector::analyzers).unwrap_or_default();
    let run = stowaway_catalog::catalog_image_with(image, &options, &extra, |_| bar.inc(1))
        .with_context(|| format!("failed to catalog `{}`", image.reference))?;
    bar.finish_and_clear();

    let mut detections = detector.map(|detector| detector.detections(image, &run.view, run.first_extra_analyzer)).unwrap_or_default();
    if args.scanners.contains(&Scanner::Misconfig) {
        detections.extend(configuration_checks(image, &run.view, args.scanners.contains(&Scanner::Secret))?);
    }
    let warnings = run.catalog.warnings.iter().map(ToString::to_string).collect();
    Ok((run.catalog, detections, warnings))
}

/// Runs the image configuration checks of the CIS Docker Benchmark (root user, no health
/// check, remote `ADD`, sensitive ports, copied credential folders) and reports each failed one
/// as a misconfiguration. The environment-secret checks are left to the secret scanner when it
/// runs, so one secret is reported once.
fn configuration_checks(image: &stowaway_image::Image, view: &stowaway_image::ImageView, secrets_scanned: bool) -> anyhow::Result<Vec<Detection>> {
    const SECRET_CHECKS: [&str; 2] = ["IMG-004", "IMG-005"];
    let checklist = stowaway_bench::Checklist::builtin().context("failed to load the built-in checklist")?;
    let detections = stowaway_bench::image_checks(image, Some(view), &checklist)
        .into_iter()
        .filter(|result| result.verdict == stowaway_bench::Verdict::Warn)
        .filter(|result| !(secrets_scanned && SECRET_CHECKS.contains(&result.check.id.as_str())))
        .map(|result| {
            let reference = result.check.cis.as_deref().map_or_else(String::new, |cis| format!(" (CIS {cis})"));
            Detection {
                kind: DetectionKind::Misconfiguration,
                rule_id: result.check.id.clone(),
                severity: result.check.severity,
                title: result.check.title.clone(),
                path: None,
                layer: None,
                history: None,
                excerpt: (!result.details.is_empty()).then(|| result.details.join("; ")),
                why: format!("{}{reference}. {}", result.check.title, result.check.remediation.trim_end_matches('.')),
                deleted_in_final_image: false,
            }
        })
        .collect();
    Ok(detections)
}

/// Applies `--severity` to detections, most severe first.
fn filter_detections(args: &ScanArgs, mut detections: Vec<Detection>) -> Vec<Detection> {
    if !args.severity.is_empty() {
        detections.retain(|detection| args.severity.contains(&detection.severity));
    }
    detections.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.rule_id.cmp(&b.rule_id)).then_with(|| a.path.cmp(&b.path)));
    detections
}

/// Reads the packages of a CycloneDX or SPDX document. OS packages keep their source package
/// from the purl's `upstream` qualifier, as stowaway and Syft write it.
///
/// NOTE: SBOMs carry no file lists, so a language package inside an OS package (a Go binary
/// shipped in a `.deb`) is matched upstream, as `--match-upstream` does for images.
fn read_sbom(path: &Path) -> anyhow::Result<Catalog> {
    let bytes = std::fs::read(path).with_context(|| format!("failed to read the SBOM `{}`", path.display()))?;
    let contents = sbom::read(&bytes).with_context(|| format!("failed to read the SBOM `{}`", path.display()))?;
    let location = path.display().to_string();
    let packages = contents
        .packages
        .iter()
        .filter_map(|package| {
            let mut found = package.to_package(&location)?;
            found.source = package.purl.as_deref().and_then(upstream_source);
            Some(found)
        })
        .collect();
    Ok(Catalog { os: contents.os, packages, warnings: Vec::new() })
}

/// Returns the source package a purl's `upstream` qualifier names (`openssl@3.0.11-1`).
fn upstream_source(purl: &str) -> Option<stowaway_model::SourcePackage> {
    let parsed: packageurl::PackageUrl<'_> = purl.parse().ok()?;
    let upstream = parsed.qualifiers().get("upstream")?;
    let (name, version) = match upstream.split_once('@') {
        Some((name, version)) => (name, Some(version.to_owned())),
        None => (upstream.as_ref(), None),
    };
    Some(stowaway_model::SourcePackage { name: name.to_owned(), version })
}

fn apply_suppressions(args: &ScanArgs, matches: &mut Matches, today: SystemTime) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    let ignore_path = args.ignore_file.clone().or_else(|| Path::new(DEFAULT_IGNORE_FILE).is_file().then(|| PathBuf::from(DEFAULT_IGNORE_FILE)));
    let ignore = ignore_path.map(|path| IgnoreFile::load(&path, today)).transpose()?;
    if let Some(ignore) = &ignore {
        warnings.extend(ignore.expired().iter().cloned());
    }
    let vex: Vec<VexDocument> = args.vex.iter().map(|path| VexDocument::load(path)).collect::<Result<_, _>>()?;

    let mut suppressors: Vec<&dyn Suppressor> = Vec::new();
    suppressors.extend(ignore.as_ref().map(|ignore| ignore as &dyn Suppressor));
    suppressors.extend(vex.iter().map(|document| document as &dyn Suppressor));
    suppress::apply(matches, &suppressors);
    Ok(warnings)
}

/// Applies `--severity` and `--ignore-unfixed`.
fn filter(args: &ScanArgs, matches: &mut Matches) {
    if !args.severity.is_empty() {
        matches.findings.retain(|finding| args.severity.contains(&finding.severity));
        if matches.end_of_life.as_ref().is_some_and(|eol| !args.severity.contains(&eol.severity)) {
            matches.end_of_life = None;
        }
    }
    if args.ignore_unfixed {
        matches.findings.retain(|finding| finding.fix.is_fixed());
    }
}

fn build_report(
    args: &ScanArgs,
    catalog: &Catalog,
    identity: Option<&ImageIdentity>,
    database: Option<DatabaseInfo>,
    matches: Matches,
    detections: Vec<Detection>,
    warnings: Vec<String>,
) -> Report {
    let kind = match identity {
        None => "sbom",
        Some(_) if args.image.image.starts_with("dir:") || args.image.image.starts_with("rootfs:") => "rootfs",
        Some(_) => "image",
    };
    let os = catalog.os.as_ref().map(|os| os.pretty_name.clone().unwrap_or_else(|| format!("{} {}", os.id, os.version_id.as_deref().unwrap_or(""))));
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: "stowaway".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
        created_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        target: Target {
            reference: args.image.image.clone(),
            kind: kind.to_owned(),
            image_id: identity.and_then(|identity| identity.config_digest.as_ref()).map(ToString::to_string),
            manifest_digest: identity.and_then(|identity| identity.manifest_digest.as_ref()).map(ToString::to_string),
            os: os.map(|os| os.trim().to_owned()),
            os_namespace: matches.os_namespace.clone(),
            packages: catalog.packages.len(),
        },
        database,
        end_of_life: matches.end_of_life,
        summary: Summary::of(&matches.findings, &matches.suppressed, &detections),
        detections,
        findings: matches.findings,
        suppressed: matches.suppressed,
        match_warnings: matches.warnings,
        warnings,
    }
}

fn write_report(args: &ScanArgs, report: &Report, catalog: &Catalog, identity: Option<&ImageIdentity>) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("failed to create `{}`", path.display()))?;
            let mut out = BufWriter::new(file);
            write_format(&mut out, args, report, catalog, identity, false)
                .and_then(|()| out.flush().map_err(Into::into))
                .with_context(|| format!("failed to write `{}`", path.display()))
        }
        None => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
            write_format(&mut std::io::stdout().lock(), args, report, catalog, identity, color)
        }
    }
}

fn write_format(out: &mut impl Write, args: &ScanArgs, report: &Report, catalog: &Catalog, identity: Option<&ImageIdentity>, color: bool) -> anyhow::Result<()> {
    match args.format {
        ScanFormat::Table => stowaway_report::table::write(out, report, TableOptions { color, show_suppressed: args.show_suppressed })?,
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
        ScanFormat::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &stowaway_report::sarif::write(report))?;
            writeln!(out)?;
        }
        ScanFormat::CyclonedxJson => {
            let fallback = ImageIdentity {
                reference: report.target.reference.clone(),
                manifest_digest: None,
                config_digest: None,
                tags: Vec::new(),
                platform: stowaway_model::Platform::new("unknown", "unknown", None),
            };
            let bom = sbom::cyclonedx::write(catalog, identity.unwrap_or(&fallback), &DocumentInfo::now());
            serde_json::to_writer_pretty(&mut *out, &stowaway_report::cyclonedx::write(&bom, report)?)?;
            writeln!(out)?;
        }
    }
    Ok(())
}
