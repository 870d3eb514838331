use stowaway_image::{ImageError, OpenOptions, Walker, open};

use crate::support::*;

fn two_layers() -> Vec<Blob> {
    let base = layer(&[
        dir("etc/"),
        file("etc/os-release", b"ID=debian\n"),
        file("etc/motd", b"old\n"),
        dir("usr/share/doc/"),
        file("usr/share/doc/a", b"a"),
        file("usr/share/doc/b", b"b"),
    ]);
    let upper = layer(&[
        file("etc/.wh.motd", b""),
        dir("usr/share/doc/"),
        file("usr/share/doc/.wh..wh..opq", b""),
        file("usr/share/doc/c", b"c"),
        file("opt/added", b"new"),
    ]);
    vec![Blob::plain(base), Blob::gzip(upper)]
}

const EXPECTED: [&str; 5] = ["/etc", "/etc/os-release", "/opt/added", "/usr/share/doc", "/usr/share/doc/c"];

fn expected_paths() -> Vec<String> {
    EXPECTED.iter().map(|p| p.to_string()).collect()
}

#[test]
fn docker_archive_squashes_layers() {
    let dir = tempfile::tempdir().unwrap();
    let archive = docker_archive(dir.path(), &[("stowaway/test:1", &two_layers())]);

    let image = open(&format!("docker-archive:{}", archive.display()), &OpenOptions::default()).unwrap();
    let view = Walker::new(&image).run().unwrap();

    assert_eq!(image.tags, ["stowaway/test:1"]);
    assert_eq!(image.layers.len(), 2);
    assert_eq!(image.layers[1].created_by.as_deref(), Some("RUN step 1"));
    assert_eq!(paths(&view), expected_paths());
    assert!(view.warnings.is_empty(), "{:?}", view.warnings);
}

#[test]
fn bare_path_is_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let archive = docker_archive(dir.path(), &[("stowaway/test:1", &two_layers())]);

    let image = open(archive.to_str().unwrap(), &OpenOptions::default()).unwrap();
    assert_eq!(image.source, stowaway_image::SourceKind::DockerArchive);

    let layout = oci_layout(dir.path(), &[OciImage { blobs: &two_layers(), platform: None, ref_name: Some("latest") }]);
    let image = open(layout.to_str().unwrap(), &OpenOptions::default()).unwrap();
    assert_eq!(image.source, stowaway_image::SourceKind::OciLayout);
}

#[test]
fn oci_folder_and_tar_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = vec![Blob::gzip(two_layers().remove(0).tar), Blob::zstd(two_layers().remove(1).tar)];
    let layout = oci_layout(dir.path(), &[OciImage { blobs: &blobs, platform: None, ref_name: Some("latest") }]);
    let layout_tar = dir.path().join("layout.tar");
    tar_folder(&layout, &layout_tar);

    let from_folder = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();
    let from_tar = open(&format!("oci:{}:latest", layout_tar.display()), &OpenOptions::default()).unwrap();

    assert_eq!(from_folder.manifest_digest, from_tar.manifest_digest);
    assert_eq!(from_tar.tags, ["latest"]);
    let folder_view = Walker::new(&from_folder).run().unwrap();
    let tar_view = Walker::new(&from_tar).run().unwrap();
    assert_eq!(paths(&folder_view), expected_paths());
    assert_eq!(paths(&tar_view), expected_paths());
    assert_eq!(tar_view.layers[1].compression, Some(stowaway_image::Compression::Zstd));
}

#[test]
fn media_type_that_lies_is_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let mut blob = Blob::gzip(two_layers().remove(0).tar);
    blob.media_type = "application/vnd.oci.image.layer.v1.tar";
    let layout = oci_layout(dir.path(), &[OciImage { blobs: &[blob], platform: None, ref_name: None }]);

    let image = open(&format!("oci:{}", layout.display()), &OpenOptions::default()).unwrap();
    let view = Walker::new(&image).run().unwrap();

    assert_eq!(view.layers[0].compression, Some(stowaway_image::Compression::Gzip));
    assert!(view.tree.get(&stowaway_image::ImagePath::new("etc/motd")).is_some());
}

#[test]
fn archive_with_two_images_selects_by_tag() {
    let dir = tempfile::tempdir().unwrap();
    let other = vec![Blob::plain(layer(&[file("only-in-b", b"b")]))];
    let archive = docker_archive(dir.path(), &[("stowaway/a:1", &two_layers()), ("stowaway/b:2", &other)]);
    let reference = format!("docker-archive:{}", archive.display());

    let error = open(&reference, &OpenOptions::default()).unwrap_err();
    assert!(matches!(error, ImageError::AmbiguousImage { .. }), "{error}");
    assert!(error.to_string().contains("stowaway/b:2"), "{error}");

    let image = open(&format!("{reference}:stowaway/b:2"), &OpenOptions::default()).unwrap();
    assert_eq!(image.tags, ["stowaway/b:2"]);
    let view = Walker::new(&image).run().unwrap();
    assert_eq!(paths(&view), ["/only-in-b"]);

    let by_index = open(&format!("{reference}:@0"), &OpenOptions::default()).unwrap();
    assert_eq!(by_index.tags, ["stowaway/a:1"]);

    let error = open(&format!("{reference}:stowaway/c:3"), &OpenOptions::default()).unwrap_err();
    assert!(matches!(error, ImageError::ImageNotFound { .. }), "{error}");
    assert!(error.to_string().contains("stowaway/a:1"), "{error}");
}

#[test]
fn index_selects_platform() {
    let dir = tempfile::tempdir().unwrap();
    let amd = vec![Blob::gzip(layer(&[file("arch", b"amd64")]))];
    let arm = vec![Blob::gzip(layer(&[file("arch", b"arm64")]))];
    let arm7 = vec![Blob::gzip(layer(&[file("arch", b"armv7")]))];
    let layout = oci_layout(
        dir.path(),
        &[
            OciImage { blobs: &amd, platform: Some(("linux", "amd64", None)), ref_name: None },
            OciImage { blobs: &arm, platform: Some(("linux", "arm64", Some("v8"))), ref_name: None },
            OciImage { blobs: &arm7, platform: Some(("linux", "arm", Some("v7"))), ref_name: None },
        ],
    );
    let reference = format!("oci:{}", layout.display());

    let options = OpenOptions { platform: Some("linux/arm64".parse().unwrap()), ..OpenOptions::default() };
    let image = open(&reference, &options).unwrap();
    assert_eq!(image.config.architecture, "arm64");

    let options = OpenOptions { platform: Some("linux/arm/v7".parse().unwrap()), ..OpenOptions::default() };
    assert_eq!(open(&reference, &options).unwrap().config.architecture, "arm");

    let options = OpenOptions { platform: Some("linux/s390x".parse().unwrap()), ..OpenOptions::default() };
    let error = open(&reference, &options).unwrap_err();
    assert!(matches!(error, ImageError::NoMatchingPlatform { .. }), "{error}");
    let message = error.to_string();
    for platform in ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"] {
        assert!(message.contains(platform), "{platform} missing from: {message}");
    }
}

#[test]
fn rootfs_folder_reads_as_one_layer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), b"ID=debian\n").unwrap();
    std::os::unix::fs::symlink("/etc/os-release", root.join("os-release")).unwrap();

    let image = open(&format!("dir:{}", root.display()), &OpenOptions::default()).unwrap();
    let view = Walker::new(&image).run().unwrap();

    assert_eq!(paths(&view), ["/etc", "/etc/os-release", "/os-release"]);
    let resolved = view.tree.resolve(&stowaway_image::ImagePath::new("os-release")).unwrap();
    assert_eq!(resolved, stowaway_image::ImagePath::new("etc/os-release"));
}

#[test]
fn single_image_platform_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let archive = docker_archive(dir.path(), &[("stowaway/test:1", &two_layers())]);
    let reference = format!("docker-archive:{}", archive.display());

    let options = OpenOptions { platform: Some("linux/amd64".parse().unwrap()), ..OpenOptions::default() };
    assert!(open(&reference, &options).is_ok());

    let options = OpenOptions { platform: Some("linux/arm64".parse().unwrap()), ..OpenOptions::default() };
    let error = open(&reference, &options).unwrap_err();
    assert!(matches!(error, ImageError::NoMatchingPlatform { .. }), "{error}");
    assert!(error.to_string().contains("platforms present: linux/amd64"), "{error}");
}
