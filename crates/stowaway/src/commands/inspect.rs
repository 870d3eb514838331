//! `stowaway inspect`: an image's identity, layers and file counts.

use std::io::Write;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use stowaway_image::{EntryKind, Image, ImageView, Walker, Warning};
use stowaway_model::Digest;

use super::image_args::ImageArgs;
use crate::exit::ExitStatus;
use crate::progress;

/// Arguments of `stowaway inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    image: ImageArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    format: InspectFormat,
}

/// Output formats of `inspect`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum InspectFormat {
    /// Aligned text for people.
    Table,
    /// One JSON document.
    Json,
}

/// The JSON document `inspect --format json` prints.
#[derive(Debug, Serialize)]
struct Inspection<'a> {
    reference: &'a str,
    source: stowaway_image::SourceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest_digest: Option<&'a Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_id: Option<&'a Digest>,
    tags: &'a [String],
    platform: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<&'a str>,
    layers: Vec<LayerRow<'a>>,
    squashed: SquashedCounts,
    warnings: &'a [Warning],
}

#[derive(Debug, Serialize)]
struct LayerRow<'a> {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff_id: Option<&'a Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compression: Option<stowaway_image::Compression>,
    uncompressed_size: u64,
    entries: u64,
    whiteouts: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
}

/// Counts of the squashed file system by entry kind.
#[derive(Debug, Default, Serialize)]
struct SquashedCounts {
    entries: usize,
    regular_files: usize,
    directories: usize,
    symlinks: usize,
    hardlinks: usize,
    other: usize,
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitStatus> {
    let image = args.image.open()?;

    let bar = progress::layer_bar(image.layers.len());
    let view = Walker::new(&image)
        .limits(args.image.limits())
        .on_layer_done(|_| bar.inc(1))
        .run()
        .with_context(|| format!("failed to read the layers of `{}`", image.reference))?;
    bar.finish_and_clear();

    let inspection = build(&image, &view);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        InspectFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &inspection)?;
            writeln!(stdout)?;
        }
        InspectFormat::Table => {
            write_table(&mut stdout, &inspection)?;
            crate::exit::print_warnings(&view.warnings);
        }
    }
    Ok(ExitStatus::Success)
}

fn build<'a>(image: &'a Image, view: &'a ImageView) -> Inspection<'a> {
    let layers = image
        .layers
        .iter()
        .zip(&view.layers)
        .map(|(layer, summary)| LayerRow {
            index: layer.index,
            digest: layer.digest.as_ref(),
            diff_id: layer.diff_id.as_ref().or(summary.computed_diff_id.as_ref()),
            media_type: layer.media_type.as_deref(),
            size: layer.size,
            compression: summary.compression,
            uncompressed_size: summary.uncompressed_size,
            entries: summary.entries,
            whiteouts: summary.whiteouts,
            created_by: layer.created_by.as_deref(),
        })
        .collect();

    let mut squashed = SquashedCounts { entries: view.tree.len(), ..SquashedCounts::default() };
    for (_, node) in view.tree.iter() {
        match node.entry.kind {
            EntryKind::File => squashed.regular_files += 1,
            EntryKind::Directory => squashed.directories += 1,
            EntryKind::Symlink { .. } => squashed.symlinks += 1,
            EntryKind::Hardlink { .. } => squashed.hardlinks += 1,
            _ => squashed.other += 1,
        }
    }

    Inspection {
        reference: &image.reference,
        source: image.source,
        manifest_digest: image.manifest_digest.as_ref(),
        image_id: image.config_digest.as_ref(),
        tags: &image.tags,
        platform: image.config.platform().to_string(),
        created: image.config.created.as_deref(),
        layers,
        squashed,
        warnings: &view.warnings,
    }
}

fn write_table(out: &mut impl Write, inspection: &Inspection<'_>) -> std::io::Result<()> {
    let none = "-".to_owned();
    writeln!(out, "Image:     {}", inspection.reference)?;
    writeln!(out, "Source:    {}", serde_json::to_value(inspection.source).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())?;
    writeln!(out, "Manifest:  {}", inspection.manifest_digest.map_or(none.clone(), ToString::to_string))?;
    writeln!(out, "Image ID:  {}", inspection.image_id.map_or(none.clone(), ToString::to_string))?;
    writeln!(out, "Tags:      {}", if inspection.tags.is_empty() { none.clone() } else { inspection.tags.join(", ") })?;
    writeln!(out, "Platform:  {}", inspection.platform)?;
    writeln!(out, "Created:   {}", inspection.created.unwrap_or("-"))?;

    writeln!(out)?;
    writeln!(out, "{:<5} {:<19} {:<19} {:>12} {:>12} {:>8}  CREATED BY", "LAYER", "DIGEST", "DIFF ID", "SIZE", "UNPACKED", "ENTRIES")?;
    for layer in &inspection.layers {
        let short = |digest: Option<&Digest>| digest.map_or(none.clone(), |d| d.to_string()[..19].to_owned());
        writeln!(
            out,
            "{:<5} {:<19} {:<19} {:>12} {:>12} {:>8}  {}",
            layer.index,
            short(layer.digest),
            short(layer.diff_id),
            layer.size.map_or(none.clone(), |s| s.to_string()),
            layer.uncompressed_size,
            layer.entries,
            layer.created_by.map(one_line).unwrap_or_default(),
        )?;
    }

    let counts = &inspection.squashed;
    writeln!(out)?;
    writeln!(
        out,
        "Squashed:  {} entries ({} regular files, {} directories, {} symlinks, {} hardlinks, {} other)",
        counts.entries, counts.regular_files, counts.directories, counts.symlinks, counts.hardlinks, counts.other
    )?;
    Ok(())
}

/// Shortens a history line to one line of at most 80 characters.
fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}
