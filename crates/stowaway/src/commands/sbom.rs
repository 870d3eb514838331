//! `stowaway sbom`: the packages of an image, as an SBOM document or a table.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use stowaway_catalog::sbom::{self, DocumentInfo, ImageIdentity};
use stowaway_catalog::{Catalog, CatalogOptions};

use super::image_args::ImageArgs;
use crate::exit::ExitStatus;
use crate::progress;

/// Arguments of `stowaway sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    image: ImageArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SbomFormat::Table)]
    format: SbomFormat,

    /// File to write the output to, replacing it if it exists; stdout when not given.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Output formats of `sbom`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SbomFormat {
    /// stowaway's catalog as JSON: the image identity, OS, packages and warnings.
    Json,
    /// CycloneDX 1.6 JSON.
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// Aligned NAME, VERSION, KIND and LAYER columns for people.
    Table,
}

/// The document `sbom --format json` prints: the serde form of the catalog beside the image
/// identity.
#[derive(Debug, Serialize)]
struct CatalogDocument<'a> {
    image: &'a ImageIdentity,
    #[serde(flatten)]
    catalog: &'a Catalog,
}

/// Runs `sbom`.
pub fn run(args: &SbomArgs) -> anyhow::Result<ExitStatus> {
    let image = args.image.open()?;

    let bar = progress::layer_bar(image.layers.len());
    let options = CatalogOptions { limits: args.image.limits(), cache: args.image.analysis_cache(None) };
    let catalog = stowaway_catalog::catalog_image_with_progress(&image, &options, |_| bar.inc(1))
        .with_context(|| format!("failed to catalog `{}`", image.reference))?;
    bar.finish_and_clear();
    crate::exit::print_warnings(&catalog.warnings);

    let identity = ImageIdentity::of(&image);
    match &args.output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("failed to create `{}`", path.display()))?;
            let mut out = BufWriter::new(file);
            write(&mut out, args.format, &catalog, &identity)
                .and_then(|()| out.flush())
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }
        None => write(&mut std::io::stdout().lock(), args.format, &catalog, &identity)?,
    }
    Ok(ExitStatus::Success)
}

fn write(out: &mut impl Write, format: SbomFormat, catalog: &Catalog, image: &ImageIdentity) -> std::io::Result<()> {
    match format {
        SbomFormat::Json => serde_json::to_writer_pretty(&mut *out, &CatalogDocument { image, catalog })?,
        SbomFormat::CyclonedxJson => serde_json::to_writer_pretty(&mut *out, &sbom::cyclonedx::write(catalog, image, &DocumentInfo::now()))?,
        SbomFormat::SpdxJson => serde_json::to_writer_pretty(&mut *out, &sbom::spdx::write(catalog, image, &DocumentInfo::now()))?,
        SbomFormat::Table => return write_table(out, catalog),
    }
    writeln!(out)
}

/// Writes one row per package, columns padded to their widest cell. The layer is its index and
/// the first 12 hex digits of its diff ID, or `-` when unknown.
fn write_table(out: &mut impl Write, catalog: &Catalog) -> std::io::Result<()> {
    let header = ["NAME", "VERSION", "KIND", "LAYER"].map(str::to_owned);
    let rows: Vec<[String; 4]> = catalog
        .packages
        .iter()
        .map(|package| {
            let layer = package.layer.as_ref().map_or_else(
                || "-".to_owned(),
                |layer| format!("{} {}:{}", layer.index, layer.diff_id.algorithm().as_str(), short_hex(layer.diff_id.encoded())),
            );
            [package.name.clone(), package.version.clone(), package.kind.to_string(), layer]
        })
        .collect();

    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    for row in std::iter::once(&header).chain(&rows) {
        let line = format!("{:<w0$}  {:<w1$}  {:<w2$}  {}", row[0], row[1], row[2], row[3], w0 = widths[0], w1 = widths[1], w2 = widths[2]);
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn short_hex(encoded: &str) -> &str {
    encoded.get(..12).unwrap_or(encoded)
}
