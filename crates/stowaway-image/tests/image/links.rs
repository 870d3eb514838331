//! Symlinks, hardlinks and directory replacement across layers, including the shapes on which
//! other scanners reported packages that a container cannot see.

use stowaway_image::{EntryKind, Image, ImagePath, ResolveError, Walker};

use crate::support::*;

fn walk(blobs: Vec<Vec<u8>>) -> stowaway_image::ImageView {
    let image = Image::from_layer_blobs(blobs);
    Walker::new(&image).run().unwrap()
}

fn log4j_base() -> Vec<u8> {
    layer(&[
        dir("app/"),
        dir("app/lib/"),
        file("app/lib/log4j-core-2.14.1.jar", b"PK jar"),
        file("app/lib/other.jar", b"PK other"),
        file("app/lib/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", b"version=2.14.1\n"),
    ])
}

#[test]
fn directory_replaced_by_symlink_hides_subtree() {
    let view = walk(vec![log4j_base(), layer(&[symlink("app/lib", "/opt/lib")])]);

    assert_eq!(paths(&view), ["/app", "/app/lib"]);
    let node = view.tree.get(&ImagePath::new("app/lib")).unwrap();
    assert!(matches!(node.entry.kind, EntryKind::Symlink { .. }));
}

#[test]
fn opaque_directory_hides_lower_jars() {
    let upper = layer(&[dir("app/lib/"), file("app/lib/.wh..wh..opq", b""), file("app/lib/new.jar", b"PK")]);
    let view = walk(vec![log4j_base(), upper]);

    assert_eq!(paths(&view), ["/app", "/app/lib", "/app/lib/new.jar"]);
}

#[test]
fn plain_whiteout_hides_only_its_file() {
    let upper = layer(&[file("app/lib/.wh.log4j-core-2.14.1.jar", b"")]);
    let view = walk(vec![log4j_base(), upper]);

    assert!(view.tree.get(&ImagePath::new("app/lib/log4j-core-2.14.1.jar")).is_none());
    assert!(view.tree.get(&ImagePath::new("app/lib/other.jar")).is_some());
    assert!(view.tree.get(&ImagePath::new("app/lib/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties")).is_some());
}

#[test]
fn symlink_crossed_twice_resolves() {
    let base = layer(&[
        symlink("bin", "usr/bin"),
        dir("usr/"),
        dir("usr/bin/"),
        file("usr/bin/ksh93", b"\x7fELF"),
        symlink("usr/bin/ksh", "/etc/alternatives/ksh"),
        dir("etc/"),
        dir("etc/alternatives/"),
        symlink("etc/alternatives/ksh", "/bin/ksh93"),
        dir("usr/local/"),
        dir("usr/local/bin/"),
        symlink("usr/local/bin/ksh", "/bin/ksh"),
        dir("loop/"),
        symlink("loop/a", "b"),
        symlink("loop/b", "a"),
    ]);
    let view = walk(vec![base]);

    let ksh = view.tree.resolve(&ImagePath::new("usr/local/bin/ksh")).unwrap();
    assert_eq!(ksh, ImagePath::new("usr/bin/ksh93"));

    let error = view.tree.resolve(&ImagePath::new("loop/a")).unwrap_err();
    assert_eq!(error, ResolveError::Loop { path: ImagePath::new("loop/a") });

    // The loop affects only its own paths.
    assert_eq!(view.tree.resolve(&ImagePath::new("bin/ksh")).unwrap(), ImagePath::new("usr/bin/ksh93"));
    assert!(view.warnings.is_empty());
}

#[test]
fn resolve_reports_missing_and_not_directory() {
    let view = walk(vec![layer(&[dir("etc/"), file("etc/passwd", b"x"), symlink("dangling", "/nowhere/file")])]);

    let missing = view.tree.resolve(&ImagePath::new("dangling")).unwrap_err();
    assert_eq!(missing, ResolveError::NotFound { path: ImagePath::new("dangling"), missing: ImagePath::new("nowhere") });

    let not_dir = view.tree.resolve(&ImagePath::new("etc/passwd/x")).unwrap_err();
    assert!(matches!(not_dir, ResolveError::NotADirectory { .. }), "{not_dir}");

    let unresolved = view.tree.resolve_parent(&ImagePath::new("dangling")).unwrap();
    assert_eq!(unresolved, ImagePath::new("dangling"));
}

#[test]
fn hardlink_survives_deleted_target() {
    let base = layer(&[dir("usr/bin/"), file("usr/bin/perl5.36.0", b"perl"), hardlink("usr/bin/perl", "usr/bin/perl5.36.0")]);
    let upper = layer(&[file("usr/bin/.wh.perl5.36.0", b"")]);
    let view = walk(vec![base, upper]);

    let node = view.tree.get(&ImagePath::new("usr/bin/perl")).unwrap();
    assert_eq!(node.entry.kind, EntryKind::Hardlink { target: ImagePath::new("usr/bin/perl5.36.0") });
    assert!(view.tree.get(&ImagePath::new("usr/bin/perl5.36.0")).is_none());
}

#[test]
fn hardlink_to_missing_target_warns() {
    let view = walk(vec![layer(&[hardlink("a", "not/there")])]);
    assert_eq!(view.warnings.len(), 1);
    assert_eq!(
        view.warnings[0].kind,
        stowaway_image::WarningKind::HardlinkTargetMissing { target: ImagePath::new("not/there") }
    );
}
