//! The cost of detection on the Debian apps fixture, against the package catalog's own cost.
//!
//! Groups, each over the apps fixture's OCI layout (three layers, gzip and zstd):
//! - `walk`: [`Walker`] with no analyzer, the cost of reading the layers.
//! - `catalog`: [`stowaway_catalog::catalog_image`], every cataloger in one walk.
//! - `detect`: a walk with the detector's analyzers (every YARA rule over every regular file
//!   up to 64 MiB, the system files) followed by [`Detector::detections`].
//! - `content_in_memory`: the detector's content analyzer alone on one thread, over every
//!   regular file of the image held in memory, which is the rules' and digests' own cost.
//!
//! Detection's added time is `detect - walk` and the catalog's own time is `catalog - walk`;
//! the target is that the first is at most the second. The fixtures come from
//! `scripts/build-fixtures.sh`, found through `STOWAWAY_FIXTURES_DIR` (default
//! `~/.cache/stowaway/fixtures`).

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stowaway_catalog::{CatalogOptions, catalog_image};
use stowaway_detect::{DetectOptions, Detector};
use stowaway_image::{Analyzer, AnalyzerError, Entry, Fact, FileInfo, Image, ImagePath, Interest, OpenOptions, Walker, open};

/// Keeps every regular file's path, metadata and content.
struct Collect {
    interest: Interest,
}

impl Analyzer for Collect {
    fn name(&self) -> &str {
        "collect"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        Ok(Some(Box::new((file.path.clone(), file.entry.clone(), bytes))))
    }
}

fn apps_image() -> Image {
    let dir = match std::env::var_os("STOWAWAY_FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/stowaway/fixtures"),
    };
    let layout = dir.join("apps/oci");
    assert!(layout.is_dir(), "fixture image `{}` not found; build it with scripts/build-fixtures.sh or set STOWAWAY_FIXTURES_DIR", layout.display());
    open(&format!("oci:{}", layout.display()), &OpenOptions::default()).expect("the apps fixture opens")
}

fn detection_cost(c: &mut Criterion) {
    let image = apps_image();
    let detector = Detector::new(DetectOptions::default()).expect("the bundled rules compile");
    let mut group = c.benchmark_group("apps");

    group.bench_function("walk", |b| b.iter(|| Walker::new(&image).run().expect("the walk succeeds")));
    group.bench_function("catalog", |b| b.iter(|| catalog_image(&image, &CatalogOptions::default()).expect("the catalog succeeds")));
    group.bench_function("detect", |b| {
        b.iter(|| {
            let mut walker = Walker::new(&image);
            for analyzer in detector.analyzers() {
                walker = walker.analyzer(analyzer);
            }
            let view = walker.run().expect("the walk succeeds");
            detector.detections(&image, &view, 0)
        })
    });
    group.finish();

    let collect = Collect { interest: Interest::all_files(stowaway_detect::DEFAULT_MAX_FILE_SIZE) };
    let view = Walker::new(&image).analyzer(&collect).run().expect("the walk succeeds");
    let files: Vec<&(ImagePath, Entry, Vec<u8>)> = view.facts(0).filter_map(|fact| fact.fact.downcast_ref()).collect();
    let bytes: usize = files.iter().map(|(_, _, content)| content.len()).sum();
    let content_analyzer = detector.analyzers()[0];

    let mut group = c.benchmark_group("apps");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("content_in_memory", |b| {
        b.iter(|| {
            for (path, entry, content) in &files {
                let info = FileInfo { path, layer: 0, entry };
                let _ = content_analyzer.analyze(&info, &mut content.as_slice());
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(3));
    targets = detection_cost
}
criterion_main!(benches);
