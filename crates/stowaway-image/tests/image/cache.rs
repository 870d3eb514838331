//! The layer analysis cache: a warm walk reads no blob and gives the same view, and damaged,
//! foreign or evicted entries only cost a new read.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use stowaway_image::{AnalysisCache, Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, ImageView, Interest, OpenOptions, Walker, open};

use crate::support::*;
use crate::support::dir as dir_item;

/// Keeps each file's text as a `String` fact, counts the files it read, and can be cached.
struct TextAnalyzer {
    interest: Interest,
    codec: FactCodec,
    reads: AtomicUsize,
}

impl TextAnalyzer {
    fn new(version: &str) -> TextAnalyzer {
        TextAnalyzer {
            interest: Interest::globs(["etc/**", "opt/**"], 1024).unwrap(),
            codec: FactCodec::new(version).with::<String>(),
            reads: AtomicUsize::new(0),
        }
    }

    fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }
}

impl Analyzer for TextAnalyzer {
    fn name(&self) -> &str {
        "text"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, _file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let mut text = String::new();
        content.read_to_string(&mut text)?;
        Ok(Some(Box::new(text)))
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }
}

/// Writes an OCI layout of three layers with whiteouts, an opaque folder, links, a name that is not
/// UTF-8 and an entry that escapes the root (a warning), in all three compressions.
fn layout(folder: &Path) -> PathBuf {
    let base = layer(&[
        dir("etc"),
        file("etc/os-release", b"ID=debian"),
        file("etc/motd", b"hello"),
        dir("opt"),
        dir("opt/app"),
        file("opt/app/config", b"old"),
        symlink("etc/localtime", "/usr/share/zoneinfo/UTC"),
    ]);
    let middle = layer(&[
        file("etc/.wh.motd", b""),
        dir("opt/app"),
        file("opt/app/.wh..wh..opq", b""),
        file("opt/app/new", b"new"),
        hardlink("opt/app/link", "opt/app/new"),
        file("../escape", b"outside"),
    ]);
    let top = layer(&[Item::File(b"etc/n\xffme", b"byte")]);

    let blobs = [Blob::gzip(base), Blob::zstd(middle), Blob::plain(top)];
    oci_layout(folder, &[OciImage { blobs: &blobs, platform: None, ref_name: None }])
}

fn walk(root: &Path, analyzer: &TextAnalyzer, cache: Option<&AnalysisCache>) -> Result<ImageView, stowaway_image::ImageError> {
    let image = open(&format!("oci:{}", root.display()), &OpenOptions::default()).unwrap();
    let mut walker = Walker::new(&image).analyzer(analyzer);
    if let Some(cache) = cache {
        walker = walker.cache(cache);
    }
    walker.run()
}

/// Returns everything a caller reads from a view, as comparable text.
fn describe(view: &ImageView) -> Vec<String> {
    let mut lines: Vec<String> = view.tree.iter().map(|(path, node)| format!("{:?} {node:?}", path.as_bytes())).collect();
    lines.extend(view.warnings.iter().map(ToString::to_string));
    lines.extend(view.facts(0).map(|fact| {
        let text = fact.fact.downcast_ref::<String>().unwrap();
        format!("fact {} layer {} visible {} {text}", fact.path, fact.layer, fact.visible)
    }));
    lines.extend(view.layers.iter().map(|layer| format!("layer {} entries {} bytes {}", layer.index, layer.entries, layer.uncompressed_size)));
    lines
}

/// Overwrites every layer blob of the layout with bytes of the same length, so that any read
/// of a layer fails its digest check.
fn damage_layers(root: &Path, view: &ImageView) {
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_owned();
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("blobs/sha256").join(manifest_digest)).unwrap()).unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        let path = root.join("blobs/sha256").join(layer["digest"].as_str().unwrap().trim_start_matches("sha256:"));
        let length = std::fs::metadata(&path).unwrap().len() as usize;
        std::fs::write(&path, vec![b'x'; length]).unwrap();
    }
    assert_eq!(view.layers.len(), 3);
}

fn entry_files(cache: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cache).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn warm_walk_reads_no_blob() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");

    let cold = walk(&root, &analyzer, Some(&cache)).unwrap();
    damage_layers(&root, &cold);
    let warm = walk(&root, &analyzer, Some(&cache)).unwrap();
    let uncached = walk(&root, &analyzer, None);

    assert_eq!(describe(&warm), describe(&cold));
    assert_eq!(entry_files(cache.root()).len(), 3);
    assert!(uncached.is_err(), "the damaged blobs were not read: {:?}", uncached.map(|view| describe(&view)));
}

#[test]
fn cached_view_keeps_crafted_entries() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");

    walk(&root, &analyzer, Some(&cache)).unwrap();
    let warm = walk(&root, &analyzer, Some(&cache)).unwrap();
    let lines = describe(&warm);

    assert!(warm.tree.get(&stowaway_image::ImagePath::from_tar_name(b"etc/n\xffme").unwrap()).is_some(), "{lines:#?}");
    assert!(warm.tree.get(&stowaway_image::ImagePath::new("etc/motd")).is_none(), "{lines:#?}");
    assert!(warm.tree.get(&stowaway_image::ImagePath::new("opt/app/config")).is_none(), "{lines:#?}");
    assert!(warm.tree.get(&stowaway_image::ImagePath::new("opt/app/link")).is_some(), "{lines:#?}");
    assert!(lines.iter().any(|line| line.contains("leaves the image root")), "{lines:#?}");
    assert!(lines.iter().any(|line| line.contains("fact /opt/app/new layer 1 visible true new")), "{lines:#?}");
}

#[test]
fn damaged_entry_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");
    let cold = walk(&root, &analyzer, Some(&cache)).unwrap();

    let files = entry_files(cache.root());
    std::fs::write(&files[0], b"not zstd").unwrap();
    let bytes = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[1], &bytes[..bytes.len() / 2]).unwrap();
    let again = walk(&root, &analyzer, Some(&cache)).unwrap();

    assert_eq!(describe(&again), describe(&cold));
    assert_eq!(entry_files(cache.root()), files, "damaged entries are written again");
    assert_ne!(std::fs::read(&files[0]).unwrap(), b"not zstd");
}

#[test]
fn other_analyzer_version_misses() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);

    walk(&root, &TextAnalyzer::new("text/1"), Some(&cache)).unwrap();
    walk(&root, &TextAnalyzer::new("text/2"), Some(&cache)).unwrap();

    assert_eq!(entry_files(cache.root()).len(), 6);
}

#[test]
fn analyzer_without_codec_bypasses_cache() {
    struct Plain(Interest);
    impl Analyzer for Plain {
        fn name(&self) -> &str {
            "plain"
        }
        fn interest(&self) -> &Interest {
            &self.0
        }
        fn analyze(&self, _file: &FileInfo<'_>, _content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
            Ok(None)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let plain = Plain(Interest::all_files(16));
    let image = open(&format!("oci:{}", root.display()), &OpenOptions::default()).unwrap();

    Walker::new(&image).analyzer(&plain).cache(&cache).run().unwrap();

    assert!(!cache.root().exists());
}

#[test]
fn bound_evicts_entries() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), 0);
    let analyzer = TextAnalyzer::new("text/1");

    let view = walk(&root, &analyzer, Some(&cache)).unwrap();

    assert_eq!(view.layers.len(), 3);
    assert_eq!(cache.usage().unwrap().files, 0);
}

#[test]
fn clean_empties_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    walk(&root, &TextAnalyzer::new("text/1"), Some(&cache)).unwrap();
    let before = cache.usage().unwrap();

    let removed = cache.clean().unwrap();

    assert_eq!(before.files, 3);
    assert_eq!(removed, before);
    assert_eq!(cache.usage().unwrap().files, 0);
}

#[test]
fn concurrent_walks_share_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = layout(dir.path());
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");
    let expected = describe(&walk(&root, &analyzer, None).unwrap());

    let views: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| describe(&walk(&root, &analyzer, Some(&cache)).unwrap()))).collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });

    for view in views {
        assert_eq!(view, expected);
    }
    assert_eq!(entry_files(cache.root()).len(), 3);
}

#[test]
fn claimed_diff_id_cannot_borrow_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");
    let harmless = layer(&[dir_item("etc"), file("etc/motd", b"harmless")]);
    let planted = layer(&[dir_item("etc"), file("etc/motd", b"planted")]);

    // A docker-archive layer read with its digests checked has its analysis kept under its
    // diff_id.
    let archive = docker_archive(dir.path(), &[("harmless:1", &[Blob::plain(harmless.clone())])]);
    let verify = OpenOptions { verify_digests: true, ..OpenOptions::default() };
    let archive_image = open(&format!("docker-archive:{}", archive.display()), &verify).unwrap();
    Walker::new(&archive_image).analyzer(&analyzer).cache(&cache).run().unwrap();

    // An OCI image whose config claims that diff_id for a layer with other content.
    let blobs = [Blob::gzip(planted)];
    let root = oci_layout(dir.path(), &[OciImage { blobs: &blobs, platform: None, ref_name: None }]);
    let config_path = claim_diff_id(&root, &sha256(&harmless));
    let view = walk(&root, &analyzer, Some(&cache)).unwrap();
    let texts: Vec<&String> = view.facts(0).map(|fact| fact.fact.downcast_ref::<String>().unwrap()).collect();

    assert!(config_path.is_file());
    // One entry under the archive layer's diff_id, one under the OCI blob's digest.
    assert_eq!(entry_files(cache.root()).len(), 2);
    assert_eq!(texts, [&"planted".to_owned()]);
}

/// Waits until a file written just now counts as settled for the cache.
fn settle() {
    std::thread::sleep(Duration::from_millis(250));
}

fn walk_archive(path: &Path, analyzer: &TextAnalyzer, cache: &AnalysisCache) -> ImageView {
    let image = open(&format!("docker-archive:{}", path.display()), &OpenOptions::default()).unwrap();
    Walker::new(&image).analyzer(analyzer).cache(cache).run().unwrap()
}

fn texts(view: &ImageView) -> Vec<String> {
    view.facts(0).map(|fact| fact.fact.downcast_ref::<String>().unwrap().clone()).collect()
}

/// Writes a docker-archive at `path` whose config claims the diff_id of `claimed` for a layer
/// that contains `actual`.
fn write_claiming_archive(path: &Path, claimed: &[u8], actual: &[u8]) {
    let config = config_json(&[Blob::plain(claimed.to_vec())], "amd64");
    let config_name = format!("{}.json", sha256(&config).encoded());
    let layer_name = format!("{}/layer.tar", sha256(claimed).encoded());
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": ["app:1"], "Layers": [layer_name]}]);
    let mut archive = Archive::new();
    archive.add(&config_name, &config).add(&layer_name, actual).add("manifest.json", manifest.to_string().as_bytes());
    archive.write(path);
}

#[test]
fn docker_archive_is_cached_by_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");
    let harmless = layer(&[dir_item("etc"), file("etc/motd", b"harmless")]);
    let planted = layer(&[dir_item("etc"), file("etc/motd", b"planted!")]);
    let path = dir.path().join("app.tar");
    write_claiming_archive(&path, &harmless, &harmless);
    settle();

    let cold = walk_archive(&path, &analyzer, &cache);
    let warm = walk_archive(&path, &analyzer, &cache);
    let reads_after_warm = analyzer.reads();

    // The same file rewritten in place, of the same size, still claiming the harmless diff_id.
    write_claiming_archive(&path, &harmless, &planted);
    settle();
    let rewritten = walk_archive(&path, &analyzer, &cache);
    // Another file with the same claim.
    let copy = dir.path().join("copy.tar");
    write_claiming_archive(&copy, &harmless, &planted);
    settle();
    let other_file = walk_archive(&copy, &analyzer, &cache);

    assert_eq!(texts(&cold), ["harmless"]);
    assert_eq!(describe(&warm), describe(&cold));
    assert_eq!(reads_after_warm, 1, "the warm walk read the layer again");
    assert_eq!(texts(&rewritten), ["planted!"]);
    assert_eq!(texts(&other_file), ["planted!"]);
    assert_eq!(entry_files(cache.root()).len(), 3);
}

#[test]
fn docker_archive_changed_recently_is_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    let cache = AnalysisCache::new(dir.path().join("cache"), u64::MAX);
    let analyzer = TextAnalyzer::new("text/1");
    let harmless = layer(&[dir_item("etc"), file("etc/motd", b"harmless")]);
    let path = dir.path().join("app.tar");
    write_claiming_archive(&path, &harmless, &harmless);
    // A modification time ahead of the clock acts as a write within the last clock tick,
    // which the timestamps cannot tell from the write before it.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(3600)).unwrap();
    drop(file);

    let first = walk_archive(&path, &analyzer, &cache);
    let second = walk_archive(&path, &analyzer, &cache);

    assert_eq!(texts(&first), ["harmless"]);
    assert_eq!(texts(&second), ["harmless"]);
    assert_eq!(analyzer.reads(), 2);
    assert!(!cache.root().exists() || entry_files(cache.root()).is_empty());
}

/// Rewrites the layout's config to claim `diff_id` for its only layer, and the manifest and
/// index to point at the new config. Returns the new config's path.
fn claim_diff_id(root: &Path, diff_id: &stowaway_model::Digest) -> PathBuf {
    let blobs = root.join("blobs/sha256");
    let read_json = |digest: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(blobs.join(digest.trim_start_matches("sha256:"))).unwrap()).unwrap()
    };
    let put = |value: &serde_json::Value| -> (String, usize) {
        let bytes = serde_json::to_vec(value).unwrap();
        let digest = sha256(&bytes);
        std::fs::write(blobs.join(digest.encoded()), &bytes).unwrap();
        (digest.to_string(), bytes.len())
    };

    let mut index: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("index.json")).unwrap()).unwrap();
    let mut manifest = read_json(index["manifests"][0]["digest"].as_str().unwrap());
    let mut config = read_json(manifest["config"]["digest"].as_str().unwrap());
    config["rootfs"]["diff_ids"] = serde_json::json!([diff_id.to_string()]);
    let (config_digest, config_size) = put(&config);
    manifest["config"]["digest"] = config_digest.clone().into();
    manifest["config"]["size"] = config_size.into();
    let (manifest_digest, manifest_size) = put(&manifest);
    index["manifests"][0]["digest"] = manifest_digest.into();
    index["manifests"][0]["size"] = manifest_size.into();
    std::fs::write(root.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    blobs.join(config_digest.trim_start_matches("sha256:"))
}
