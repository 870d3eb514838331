//! Decompresses layer blobs one after the other on one thread and prints one line of totals:
//! the one-core floor that `benches/compare-peers.sh` sets a whole `stowaway sbom` against.
//!
//! Usage: `inflate BLOB...`, where each BLOB is a layer blob file (plain, gzip or zstd tar).
//! The script extracts the blobs of a docker-archive to files first, so the floor reads each
//! blob from its own file in both forms.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line example reports on stdout")]

use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use std::time::Instant;

#[path = "support/floor.rs"]
mod floor;

fn main() -> ExitCode {
    let blobs: Vec<String> = std::env::args().skip(1).collect();
    if blobs.is_empty() {
        eprintln!("usage: inflate BLOB...");
        return ExitCode::from(2);
    }

    let started = Instant::now();
    let mut uncompressed = 0;
    for blob in &blobs {
        let decompressed = File::open(blob)
            .and_then(|file| floor::decompress(BufReader::with_capacity(floor::BLOB_BUFFER_BYTES, file)));
        match decompressed {
            Ok(bytes) => uncompressed += bytes,
            Err(error) => {
                eprintln!("error: failed to decompress `{blob}`: {error}");
                return ExitCode::FAILURE;
            }
        }
    }

    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} blobs, {} uncompressed bytes, {:.3} s, {:.0} MB/s",
        blobs.len(),
        uncompressed,
        seconds,
        uncompressed as f64 / seconds / 1e6
    );
    ExitCode::SUCCESS
}
