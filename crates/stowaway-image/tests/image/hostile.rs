//! Hostile input: every case gives a specific error or warning, never a panic.

use stowaway_image::{EntryKind, Image, ImageError, ImagePath, Interest, Limits, OpenOptions, Walker, WarningKind, open};

use crate::support::*;

fn walk_blobs(blobs: Vec<Vec<u8>>, limits: Limits) -> Result<stowaway_image::ImageView, ImageError> {
    let image = Image::from_layer_blobs(blobs);
    Walker::new(&image).limits(limits).run()
}

#[test]
fn dot_dot_entry_is_skipped_with_warning() {
    let tar = layer(&[file("../../etc/cron.d/evil", b"* * * * * root sh"), file("etc/ok", b"ok")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    assert_eq!(paths(&view), ["/etc/ok"]);
    assert_eq!(view.warnings.len(), 1);
    assert_eq!(view.warnings[0].kind, WarningKind::PathEscape { name: "../../etc/cron.d/evil".into() });
    assert_eq!(view.warnings[0].layer, Some(0));
}

#[test]
fn absolute_entry_lands_under_root() {
    let tar = layer(&[file("/etc/passwd", b"root:x:0:0")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();
    assert_eq!(paths(&view), ["/etc/passwd"]);
}

#[test]
fn hardlink_escape_is_skipped() {
    let tar = layer(&[hardlink("etc/shadow-copy", "../../../etc/shadow"), file("etc/ok", b"ok")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    assert_eq!(paths(&view), ["/etc/ok"]);
    assert_eq!(view.warnings[0].kind, WarningKind::HardlinkEscape { target: "../../../etc/shadow".into() });
    assert_eq!(view.warnings[0].path, Some(ImagePath::new("etc/shadow-copy")));
}

#[test]
fn symlink_escape_resolves_inside_root() {
    let tar = layer(&[dir("etc/"), file("etc/passwd", b"image"), symlink("app/evil", "../../../../../etc/passwd")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    let resolved = view.tree.resolve(&ImagePath::new("app/evil")).unwrap();
    assert_eq!(resolved, ImagePath::new("etc/passwd"));
}

#[test]
fn gzip_bomb_hits_image_limit() {
    let huge = vec![0u8; 8 << 20];
    let tar = layer(&[file("zeros", &huge)]);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &tar).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 64 << 10, "the bomb compresses to {} bytes", bomb.len());

    let limits = Limits { max_image_bytes: 1 << 20, ..Limits::default() };
    let error = walk_blobs(vec![bomb], limits).unwrap_err();

    assert!(matches!(error, ImageError::ImageTooLarge { layer: 0, limit: 1048576, .. }), "{error}");
    assert!(error.to_string().contains("--max-image-size"), "{error}");
}

#[test]
fn skipped_plain_data_counts_toward_image_limit() {
    // A docker-archive's plain layer is read without digests, so the data of files no analyzer
    // wants is skipped without being read. It still counts toward the limit.
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::plain(layer(&[file("data/unwanted", &vec![0u8; 2 << 20])]))];
    let archive = docker_archive(dir.path(), &[("app:1", &blobs)]);
    let image = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();

    let error = Walker::new(&image).limits(Limits { max_image_bytes: 1 << 20, ..Limits::default() }).run().unwrap_err();

    assert!(matches!(error, ImageError::ImageTooLarge { layer: 0, limit: 1048576, .. }), "{error}");
}

#[test]
fn file_over_limit_names_path() {
    let tar = layer(&[file("big/blob", &vec![7u8; 4096])]);
    let limits = Limits { max_file_bytes: 1024, ..Limits::default() };
    let error = walk_blobs(vec![tar], limits).unwrap_err();

    match &error {
        ImageError::FileTooLarge { layer, path, size, limit } => {
            assert_eq!((*layer, path.as_str(), *size, *limit), (0, "/big/blob", 4096, 1024));
        }
        other => panic!("expected FileTooLarge, got {other}"),
    }
}

#[test]
fn many_tiny_entries_hit_entry_limit() {
    let names: Vec<String> = (0..5000).map(|i| format!("f/{i}")).collect();
    let items: Vec<Item<'_>> = names.iter().map(|name| file(name, b"")).collect();
    let limits = Limits { max_entries: 1000, ..Limits::default() };
    let error = walk_blobs(vec![layer(&items)], limits).unwrap_err();

    assert!(matches!(error, ImageError::TooManyEntries { layer: 0, limit: 1000, .. }), "{error}");
}

#[test]
fn truncated_gzip_names_layer_and_entry() {
    let tar = layer(&[file("first", &vec![1u8; 100_000]), file("second", &vec![2u8; 100_000])]);
    let mut compressed = gzip(&tar);
    compressed.truncate(compressed.len() * 2 / 3);
    let good = layer(&[file("fine", b"x")]);

    let error = walk_blobs(vec![good, compressed], Limits::default()).unwrap_err();
    match &error {
        ImageError::LayerRead { layer, .. } => assert_eq!(*layer, 1),
        other => panic!("expected LayerRead, got {other}"),
    }
    assert!(error.to_string().contains("layer 1"), "{error}");
}

#[test]
fn truncated_plain_tar_is_an_error() {
    let mut tar = layer(&[file("a", &vec![1u8; 10_000])]);
    tar.truncate(3000);
    let error = walk_blobs(vec![tar], Limits::default()).unwrap_err();
    assert!(matches!(error, ImageError::LayerRead { layer: 0, .. }), "{error}");
}

#[test]
fn garbage_layer_is_an_error() {
    let error = walk_blobs(vec![b"this is not a tar archive at all, just text".repeat(20)], Limits::default()).unwrap_err();
    assert!(matches!(error, ImageError::LayerRead { layer: 0, .. }), "{error}");
}

#[test]
fn non_utf8_names_are_kept() {
    let tar = layer(&[Item::File(b"opt/caf\xe9", b"bytes"), file("opt/plain", b"x")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    let raw = ImagePath::from_tar_name(b"opt/caf\xe9").unwrap();
    assert!(view.tree.get(&raw).is_some());
    assert_eq!(view.tree.len(), 2);
}

#[test]
fn duplicate_entry_later_wins() {
    let tar = layer(&[file("etc/hosts", b"first"), file("etc/hosts", b"second!")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    assert_eq!(view.tree.get(&ImagePath::new("etc/hosts")).unwrap().entry.size, 7);
    assert_eq!(view.warnings.len(), 1);
    assert_eq!(view.warnings[0].kind, WarningKind::DuplicateEntry);
}

#[test]
fn device_files_are_listed_not_read() {
    let tar = layer(&[Item::CharDevice(b"dev/null"), Item::Fifo(b"run/pipe")]);
    let view = walk_blobs(vec![tar], Limits::default()).unwrap();

    assert_eq!(view.tree.get(&ImagePath::new("dev/null")).unwrap().entry.kind, EntryKind::CharDevice);
    assert_eq!(view.tree.get(&ImagePath::new("run/pipe")).unwrap().entry.kind, EntryKind::Fifo);
    assert_eq!(view.tree.regular_file_count(), 0);
}

#[test]
fn long_name_over_limit_is_skipped() {
    let tar = layer(&[file("a/very/long/name/indeed", b"x"), file("ok", b"y")]);
    let limits = Limits { max_path_bytes: 10, ..Limits::default() };
    let view = walk_blobs(vec![tar], limits).unwrap();

    assert_eq!(paths(&view), ["/ok"]);
    assert_eq!(view.warnings[0].kind, WarningKind::PathTooLong { length: 23, limit: 10 });
}

#[test]
fn missing_blob_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::gzip(layer(&[file("a", b"a")]))];
    let layout = oci_layout(dir.path(), &[OciImage { blobs: &blobs, platform: None, ref_name: None }]);
    let layer_digest = sha256(&blobs[0].stored);
    std::fs::remove_file(layout.join("blobs/sha256").join(layer_digest.encoded())).unwrap();

    let image = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();
    let error = Walker::new(&image).run().unwrap_err();
    assert!(error.to_string().contains(&layer_digest.to_string()), "{error}");

    let archive_dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::new();
    archive.add("manifest.json", br#"[{"Config": "missing.json", "RepoTags": ["a:1"], "Layers": []}]"#);
    let path = archive_dir.path().join("a.tar");
    archive.write(&path);
    let error = open(&format!("docker-archive:{}", path.display()), &OpenOptions::default()).unwrap_err();
    assert!(matches!(&error, ImageError::MissingBlob { blob, .. } if blob == "missing.json"), "{error}");
}

#[test]
fn malformed_manifest_json_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::new();
    archive.add("manifest.json", b"[{\"Config\": ");
    let path = dir.path().join("a.tar");
    archive.write(&path);

    let error = open(&format!("docker-archive:{}", path.display()), &OpenOptions::default()).unwrap_err();
    assert!(matches!(&error, ImageError::Json { document, .. } if document == "manifest.json"), "{error}");
}

#[test]
fn malformed_config_json_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::new();
    archive.add("config.json", b"{\"rootfs\": 5}");
    archive.add("manifest.json", br#"[{"Config": "config.json", "Layers": []}]"#);
    let path = dir.path().join("a.tar");
    archive.write(&path);

    let error = open(&format!("docker-archive:{}", path.display()), &OpenOptions::default()).unwrap_err();
    assert!(matches!(&error, ImageError::Json { document, .. } if document == "config.json"), "{error}");
}

#[test]
fn oversized_json_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::new();
    archive.add("manifest.json", &vec![b' '; 4096]);
    let path = dir.path().join("a.tar");
    archive.write(&path);

    let options = OpenOptions { limits: Limits { max_json_bytes: 1024, ..Limits::default() }, ..OpenOptions::default() };
    let error = open(&format!("docker-archive:{}", path.display()), &options).unwrap_err();
    assert!(matches!(error, ImageError::JsonTooLarge { limit: 1024, .. }), "{error}");
}

#[test]
fn tampered_layer_fails_digest_check() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::gzip(layer(&[file("a", b"a")]))];
    let layout = oci_layout(dir.path(), &[OciImage { blobs: &blobs, platform: None, ref_name: None }]);
    let expected = sha256(&blobs[0].stored);
    let replacement = gzip(&layer(&[file("a", b"b")]));
    let mut padded = replacement.clone();
    padded.resize(blobs[0].stored.len().max(replacement.len()), 0);
    std::fs::write(layout.join("blobs/sha256").join(expected.encoded()), &replacement).unwrap();

    let image = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();
    let error = Walker::new(&image).run().unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ImageError::DigestMismatch { .. } | ImageError::SizeMismatch { .. }),
        "{message}"
    );
    if let ImageError::DigestMismatch { expected: named, actual, .. } = &error {
        assert_eq!(named, &expected);
        assert_eq!(actual, &sha256(&replacement));
    }
}

#[test]
fn docker_archive_diff_id_is_verified_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::plain(layer(&[file("a", b"a")]))];
    let archive = docker_archive(dir.path(), &[("t:1", &blobs)]);

    // Rewrite the archive with a layer that differs from the diff_id in the config.
    let image = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();
    let config_name = format!("{}.json", image.config_digest.as_ref().unwrap().encoded());
    let config = config_json(&blobs, "amd64");
    let layer_name = format!("{}/layer.tar", sha256(&blobs[0].stored).encoded());
    let mut tampered = Archive::new();
    tampered.add(&config_name, &config);
    tampered.add(&layer_name, &layer(&[file("a", b"evil")]));
    tampered.add("manifest.json", serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": [layer_name]}]).to_string().as_bytes());
    let path = dir.path().join("tampered.tar");
    tampered.write(&path);

    let reference = format!("docker-archive:{}", path.display());
    let unchecked = Walker::new(&open(&reference, &OpenOptions::default()).unwrap()).run();
    let verify = OpenOptions { verify_digests: true, ..OpenOptions::default() };
    let error = Walker::new(&open(&reference, &verify).unwrap()).run().unwrap_err();

    // By default the claim is not checked, and the layer is read as it is.
    assert_eq!(unchecked.unwrap().tree.get(&stowaway_image::ImagePath::new("a")).unwrap().entry.size, 4);
    match error {
        ImageError::DigestMismatch { expected, .. } => assert_eq!(expected, sha256(&blobs[0].tar)),
        other => panic!("expected DigestMismatch, got {other}"),
    }
}

#[test]
fn nothing_is_written_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::gzip(layer(&[file("../../escape", b"x"), symlink("link", "/../../../tmp"), file("a", b"a")]))];
    let archive = docker_archive(dir.path(), &[("t:1", &blobs)]);
    let before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();

    let image = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();
    Walker::new(&image).run().unwrap();

    let after: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(before, after);
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}

fn regression_input(target: &str, name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions").join(target).join(name)
}

#[test]
fn huge_long_name_rejected_before_buffering() {
    let blob = std::fs::read(regression_input("layer_walk", "gnu-longname-48mib.tar.gz")).unwrap();
    let error = walk_blobs(vec![blob], Limits::default()).unwrap_err();

    assert!(matches!(error, ImageError::LayerRead { layer: 0, .. }), "{error}");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("declares 50331648 bytes, over the limit of 1048576 bytes"), "{cause}");
}

#[test]
fn deep_symlink_targets_resolve() {
    let blob = std::fs::read(regression_input("layer_walk", "resolve-deep-symlink-targets.tar.gz")).unwrap();
    let view = walk_blobs(vec![blob], Limits::default()).unwrap();

    let symlinks: Vec<ImagePath> = view
        .tree
        .iter()
        .filter(|(_, node)| matches!(node.entry.kind, EntryKind::Symlink { .. }))
        .map(|(path, _)| path.clone())
        .collect();
    assert_eq!(symlinks.len(), 40);
    for symlink in &symlinks {
        let resolved = view.tree.resolve(symlink).unwrap();
        assert_eq!(resolved.components().count(), 2000);
    }
}

#[test]
fn deep_duplicate_paths_read() {
    let archive = regression_input("docker_archive", "deep-path-entries.tar");
    let image = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();
    let view = Walker::new(&image).run().unwrap();

    assert_eq!(view.tree.len(), 1);
    assert!(view.warnings.len() <= 101, "{} warnings kept", view.warnings.len());
}

#[test]
fn repeated_warnings_are_counted() {
    let items: Vec<Item<'_>> = (0..500).map(|_| file("same", b"x")).collect();
    let view = walk_blobs(vec![layer(&items)], Limits::default()).unwrap();

    assert_eq!(view.warnings.len(), 101);
    assert_eq!(view.warnings[100].kind, WarningKind::Suppressed { count: 399 });
}

#[test]
fn path_bytes_budget_is_enforced() {
    let names: Vec<String> = (0..100).map(|i| format!("folder/{i:080}")).collect();
    let items: Vec<Item<'_>> = names.iter().map(|name| file(name, b"")).collect();
    let limits = Limits { max_total_path_bytes: 2000, ..Limits::default() };
    let error = walk_blobs(vec![layer(&items)], limits).unwrap_err();

    assert!(matches!(error, ImageError::PathBytesExceeded { layer: 0, limit: 2000, .. }), "{error}");
}

#[test]
fn many_pending_hardlinks_read_once_each() {
    struct Counter(Interest);
    impl stowaway_image::Analyzer for Counter {
        fn name(&self) -> &str {
            "counter"
        }
        fn interest(&self) -> &Interest {
            &self.0
        }
        fn analyze(&self, _: &stowaway_image::FileInfo<'_>, _: &mut dyn std::io::Read) -> Result<Option<stowaway_image::Fact>, stowaway_image::AnalyzerError> {
            Ok(Some(Box::new(())))
        }
    }

    let blob = std::fs::read(regression_input("layer_walk", "many-pending-hardlinks.tar.gz")).unwrap();
    let image = Image::from_layer_blobs(vec![blob]);
    let counter = Counter(Interest::all_files(4096));
    let view = Walker::new(&image).analyzer(&counter).run().unwrap();

    assert_eq!(view.tree.len(), 20_000);
    assert_eq!(view.facts(0).count(), 10_000);
}

#[test]
fn repeated_nested_indexes_read_once() {
    let layout = regression_input("oci_layout", "nested-index-fanout.tar");

    // The one manifest listed 160,000 times through nested indexes is one image.
    let image = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();
    assert_eq!(image.layers.len(), image.config.rootfs.diff_ids.len());
}
