//! Layer reading throughput on the Debian fixture image, against the floor of decompressing
//! every layer blob once.
//!
//! Groups, each with the uncompressed size of all layers as its throughput:
//! - `floor`: every layer blob read from its file and decompressed into a sink (flate2 with
//!   the zlib-rs backend for gzip, zstd for zstd, a plain copy for plain tars), on one core.
//! - `walk`: [`Walker`] with no analyzer, on a rayon pool of 1 and of 2 threads.
//! - `walk_all_files`: the same with one analyzer that reads the first 4 KiB of every file.
//!
//! The fixtures come from `scripts/build-fixtures.sh`, found through `STOWAWAY_FIXTURES_DIR`
//! (default `~/.cache/stowaway/fixtures`). `benches/layer-throughput.sh` runs this bench and
//! turns the results into MB/s and ratios to the floor.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FileInfo, Image, Interest, OpenOptions, Walker, open};

#[path = "../examples/support/floor.rs"]
mod floor;

/// One form of the fixture image and where its layer blobs are.
struct Form {
    name: &'static str,
    reference: String,
    blobs: Vec<BlobRange>,
}

/// A layer blob as a byte range of a file: a whole blob file, or a member of an archive.
struct BlobRange {
    path: PathBuf,
    offset: u64,
    size: u64,
}

fn fixtures_dir() -> PathBuf {
    let dir = match std::env::var_os("STOWAWAY_FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/stowaway/fixtures"),
    };
    assert!(
        dir.join("debian").is_dir(),
        "fixture image `{}` not found; build it with scripts/build-fixtures.sh or set STOWAWAY_FIXTURES_DIR",
        dir.join("debian").display()
    );
    dir
}

fn oci_form(debian: &Path) -> Form {
    let layout = debian.join("oci");
    let reference = format!("oci:{}", layout.display());
    let image = open(&reference, &OpenOptions::default()).expect("the OCI fixture opens");

    let blobs = image
        .layers
        .iter()
        .map(|layer| {
            let digest = layer.digest.as_ref().expect("OCI layers have digests");
            let path = layout.join("blobs").join(digest.algorithm().as_str()).join(digest.encoded());
            let size = std::fs::metadata(&path).expect("layer blob exists").len();
            BlobRange { path, offset: 0, size }
        })
        .collect();
    Form { name: "oci", reference, blobs }
}

fn docker_archive_form(debian: &Path) -> Form {
    let archive_path = debian.join("docker-archive.tar");
    let reference = format!("docker-archive:{}", archive_path.display());

    // Find each layer member's data range, in the order manifest.json lists them.
    let mut members = std::collections::HashMap::new();
    let mut manifest = Vec::new();
    let mut archive = tar::Archive::new(File::open(&archive_path).expect("the docker-archive fixture opens"));
    for entry in archive.entries_with_seek().expect("the docker-archive is a tar") {
        let mut entry = entry.expect("tar entry reads");
        let name = entry.path().expect("member name").to_string_lossy().into_owned();
        if name == "manifest.json" {
            entry.read_to_end(&mut manifest).expect("manifest.json reads");
        }
        members.insert(name, (entry.raw_file_position(), entry.size()));
    }
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).expect("manifest.json parses");
    let layers = manifest[0]["Layers"].as_array().expect("manifest.json lists layers");

    let blobs = layers
        .iter()
        .map(|name| {
            let name = name.as_str().expect("layer names are strings");
            let (offset, size) = members[name];
            BlobRange { path: archive_path.clone(), offset, size }
        })
        .collect();
    Form { name: "docker-archive", reference, blobs }
}

/// Decompresses one blob into a sink and returns the uncompressed size.
fn decompress_blob(blob: &BlobRange) -> io::Result<u64> {
    let mut file = File::open(&blob.path)?;
    file.seek(SeekFrom::Start(blob.offset))?;
    floor::decompress(BufReader::with_capacity(floor::BLOB_BUFFER_BYTES, file.take(blob.size)))
}

fn decompress_all(form: &Form) -> u64 {
    form.blobs.iter().map(|blob| decompress_blob(blob).expect("layer blob decompresses")).sum()
}

/// Reads the first 4 KiB of every regular file, as a malware scanner would.
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
        let mut buffer = [0u8; 4096];
        let mut filled = 0;
        while filled < buffer.len() {
            match content.read(&mut buffer[filled..])? {
                0 => break,
                read => filled += read,
            }
        }
        Ok(None)
    }
}

fn walk(image: &Image, pool: &rayon::ThreadPool, analyzer: Option<&FirstBytes>) -> usize {
    pool.install(|| {
        let walker = Walker::new(image);
        let walker = match analyzer {
            Some(analyzer) => walker.analyzer(analyzer),
            None => walker,
        };
        walker.run().expect("the fixture image walks").tree.len()
    })
}

fn read_layers(c: &mut Criterion) {
    let debian = fixtures_dir().join("debian");
    let forms = [oci_form(&debian), docker_archive_form(&debian)];
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|threads| (threads, rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("rayon pool")))
        .collect();
    let first_bytes = FirstBytes { interest: Interest::all_files(4096) };

    for form in &forms {
        let uncompressed = decompress_all(form);
        let image = open(&form.reference, &OpenOptions::default()).expect("the fixture opens");

        let mut floor = c.benchmark_group("floor");
        floor.throughput(Throughput::BytesDecimal(uncompressed));
        floor.bench_function(form.name, |b| b.iter(|| decompress_all(form)));
        floor.finish();

        for (group, analyzer) in [("walk", None), ("walk_all_files", Some(&first_bytes))] {
            let mut walks = c.benchmark_group(group);
            walks.throughput(Throughput::BytesDecimal(uncompressed));
            for (threads, pool) in &pools {
                let id = BenchmarkId::new(form.name, format!("threads-{threads}"));
                walks.bench_function(id, |b| b.iter(|| walk(&image, pool, analyzer)));
            }
            walks.finish();
        }
    }
}

criterion_group! {
    name = benches;
    // One iteration reads the whole image (0.1 to 0.5 s here), so 10 samples give stable means.
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(2));
    targets = read_layers
}
criterion_main!(benches);
