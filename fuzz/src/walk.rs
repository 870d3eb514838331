//! The walk every target ends with: analyzers that read file content, then symlink
//! resolution over the squashed tree, with the invariants a caller relies on checked.

use std::io::Read;

use stowaway_image::{
    Analyzer, AnalyzerError, EntryKind, Fact, FileInfo, Image, ImagePath, ImageView, Interest, Limits, OpenOptions, Walker,
};

/// Limits small enough that one input costs at most a fraction of a second. The limits not
/// named here keep their defaults, so that the harness tests what users run.
pub fn fuzz_limits() -> Limits {
    Limits {
        max_image_bytes: 64 << 20,
        max_file_bytes: 64 << 20,
        max_entries: 100_000,
        max_json_bytes: 1 << 20,
        ..Limits::default()
    }
}

/// Options to open an image with [`fuzz_limits`].
pub fn fuzz_open_options() -> OpenOptions {
    OpenOptions { limits: fuzz_limits(), ..OpenOptions::default() }
}

/// Reads up to 4 KiB of every regular file, as a malware scanner would. It fails on files that
/// start with `!`, so that the warning path for analyzer errors runs too.
struct ContentReader {
    interest: Interest,
}

impl Analyzer for ContentReader {
    fn name(&self) -> &str {
        "fuzz-content"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut buffer = Vec::new();
        content.read_to_end(&mut buffer)?;
        assert!(buffer.len() as u64 <= self.interest.max_read(), "analyzer got more than `max_read` bytes of `{}`", file.path);
        assert!(buffer.len() as u64 <= file.entry.size, "analyzer got more bytes than `{}` declares", file.path);

        match buffer.first() {
            None => Ok(None),
            Some(b'!') => Err(format!("`{}` starts with `!`", file.path).into()),
            Some(_) => Ok(Some(Box::new(buffer.len()))),
        }
    }
}

/// Reads the first bytes of shared libraries and of `/etc`, so that files wanted by two
/// analyzers take the buffered path and hardlinks to them take the second pass.
struct HeaderReader {
    interest: Interest,
}

impl Analyzer for HeaderReader {
    fn name(&self) -> &str {
        "fuzz-header"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, _file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut header = [0u8; 4];
        let read = content.read(&mut header)?;
        Ok(Some(Box::new(header[..read].to_vec())))
    }
}

/// Walks `image` with both analyzers, reads the facts back and resolves every symlink of the
/// squashed tree. Errors are expected outcomes; panics are bugs.
pub fn walk_image(image: &Image) {
    let content = ContentReader { interest: Interest::all_files(4096) };
    let header = HeaderReader {
        interest: Interest::globs(["**/*.so*", "etc/**"], 64).expect("the header globs are valid"),
    };
    let walked = Walker::new(image).limits(fuzz_limits()).analyzer(&content).analyzer(&header).run();
    let Ok(view) = walked else { return };

    check_facts(&view);
    for warning in &view.warnings {
        let _ = warning.to_string();
    }
    serde_json::to_vec(&view.layers).expect("layer summaries serialize");
    resolve_symlinks(&view);
}

fn check_facts(view: &ImageView) {
    for fact in view.facts(0) {
        assert!(fact.fact.downcast_ref::<usize>().is_some(), "fact of analyzer 0 has another type");
        assert!(fact.layer < view.layers.len(), "fact names layer {} of {}", fact.layer, view.layers.len());
    }
    for (path, _, _) in view.visible_facts::<usize>(0) {
        assert!(view.tree.get(path).is_some(), "visible fact of `{path}` has no node in the tree");
    }
    let _ = view.visible_facts::<Vec<u8>>(1).count();
}

fn resolve_symlinks(view: &ImageView) {
    let symlinks: Vec<ImagePath> = view
        .tree
        .iter()
        .inspect(|(path, _)| assert_normal(path))
        .filter(|(_, node)| matches!(node.entry.kind, EntryKind::Symlink { .. }))
        .map(|(path, _)| path.clone())
        .collect();

    for path in &symlinks {
        if let Ok(resolved) = view.tree.resolve(path) {
            assert_normal(&resolved);
        }
        if let Ok(resolved) = view.tree.resolve_parent(path) {
            assert_normal(&resolved);
        }
    }
}

/// Checks the [`ImagePath`] invariant: no empty, `.` or `..` component, no leading `/`.
fn assert_normal(path: &ImagePath) {
    let bytes = path.as_bytes();
    assert!(!bytes.starts_with(b"/") && !bytes.ends_with(b"/"), "path `{path}` has an outer `/`");
    for component in bytes.split(|b| *b == b'/') {
        assert!(
            !matches!(component, b"" | b"." | b"..") || bytes.is_empty(),
            "path `{path}` has an empty, `.` or `..` component"
        );
    }
}
