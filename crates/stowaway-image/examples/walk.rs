//! Opens an image, walks its layers and prints one line of totals, for timing and peak memory
//! measurements (`benches/layer-throughput.sh` runs it under `/usr/bin/time -v`).
//!
//! Usage: `walk REFERENCE [--all-files] [--resolve-symlinks]`. `--all-files` adds an analyzer
//! that reads the first 4 KiB of every regular file. `--resolve-symlinks` resolves every
//! symlink of the squashed tree after the walk and prints how long that took.
//! `RAYON_NUM_THREADS` sets how many layers are read at once.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line example reports on stdout")]

use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

use stowaway_image::{Analyzer, AnalyzerError, EntryKind, Fact, FileInfo, ImageView, Interest, OpenOptions, Walker, open};

/// Reads the first 4 KiB of every regular file.
struct FirstBytes {
    interest: Interest,
}

impl Analyzer for FirstBytes {
    fn name(&self) -> &str {
        "first-bytes"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, _file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut buffer = Vec::with_capacity(4096);
        content.read_to_end(&mut buffer)?;
        Ok(None)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((reference, flags)) = args.split_first() else {
        eprintln!("usage: walk REFERENCE [--all-files] [--resolve-symlinks]");
        return ExitCode::from(2);
    };
    let all_files = flags.iter().any(|flag| flag == "--all-files");
    let resolve_symlinks = flags.iter().any(|flag| flag == "--resolve-symlinks");
    if let Some(unknown) = flags.iter().find(|flag| !matches!(flag.as_str(), "--all-files" | "--resolve-symlinks")) {
        eprintln!("error: unknown flag `{unknown}`; usage: walk REFERENCE [--all-files] [--resolve-symlinks]");
        return ExitCode::from(2);
    }

    let started = Instant::now();
    let image = match open(reference, &OpenOptions::default()) {
        Ok(image) => image,
        Err(error) => {
            eprintln!("error: failed to open `{reference}`: {error}");
            return ExitCode::FAILURE;
        }
    };
    let first_bytes = FirstBytes { interest: Interest::all_files(4096) };
    let walker = Walker::new(&image);
    let walker = if all_files { walker.analyzer(&first_bytes) } else { walker };
    let view = match walker.run() {
        Ok(view) => view,
        Err(error) => {
            eprintln!("error: failed to walk `{reference}`: {error}");
            return ExitCode::FAILURE;
        }
    };

    let uncompressed: u64 = view.layers.iter().map(|layer| layer.uncompressed_size).sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} layers, {} paths, {} uncompressed bytes, {:.3} s, {:.0} MB/s",
        view.layers.len(),
        view.tree.len(),
        uncompressed,
        seconds,
        uncompressed as f64 / seconds / 1e6
    );
    if resolve_symlinks {
        print_symlink_resolution(&view);
    }
    ExitCode::SUCCESS
}

fn print_symlink_resolution(view: &ImageView) {
    let started = Instant::now();
    let (mut resolved, mut failed) = (0, 0);
    for (path, node) in view.tree.iter() {
        if !matches!(node.entry.kind, EntryKind::Symlink { .. }) {
            continue;
        }
        match view.tree.resolve(path) {
            Ok(_) => resolved += 1,
            Err(_) => failed += 1,
        }
    }
    println!("{resolved} symlinks resolved, {failed} failed, {:.3} s", started.elapsed().as_secs_f64());
}
