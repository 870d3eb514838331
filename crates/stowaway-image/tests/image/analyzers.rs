//! The analyzer interface: globs, bounded reads, facts per layer and their visibility.

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use stowaway_image::{Analyzer, AnalyzerError, Fact, FileInfo, Image, ImagePath, Interest, PEEK_BYTES, Walker, WarningKind};

use crate::support::*;

/// Records the content it was handed, as a `String` fact.
struct Recorder {
    interest: Interest,
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    fn new(interest: Interest) -> Recorder {
        Recorder { interest, calls: Mutex::new(Vec::new()) }
    }
}

impl Analyzer for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut text = String::new();
        content.read_to_string(&mut text)?;
        self.calls.lock().unwrap().push(file.path.to_string());
        if text.contains("fail") {
            return Err("content says fail".into());
        }
        Ok(Some(Box::new(text)))
    }
}

#[test]
fn glob_interest_gets_matching_files_only() {
    let tar = layer(&[file("etc/os-release", b"ID=debian"), file("etc/hostname", b"box"), file("usr/etc/os-release", b"no")]);
    let image = Image::from_layer_blobs(vec![tar]);
    let recorder = Recorder::new(Interest::globs(["etc/os-release"], 1024).unwrap());

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    assert_eq!(*recorder.calls.lock().unwrap(), ["/etc/os-release"]);
    let facts: Vec<_> = view.visible_facts::<String>(0).collect();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].2, "ID=debian");
}

#[test]
fn reads_are_bounded() {
    let tar = layer(&[file("big.txt", &b"x".repeat(10_000))]);
    let image = Image::from_layer_blobs(vec![tar]);
    let recorder = Recorder::new(Interest::all_files(100));

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    let (_, _, text) = view.visible_facts::<String>(0).next().unwrap();
    assert_eq!(text.len(), 100);
}

#[test]
fn deleted_file_fact_is_hidden_not_lost() {
    let base = layer(&[file("tmp/xmrig.json", b"stratum+tcp://pool"), file("etc/ok", b"ok")]);
    let upper = layer(&[file("tmp/.wh.xmrig.json", b"")]);
    let image = Image::from_layer_blobs(vec![base, upper]);
    let recorder = Recorder::new(Interest::all_files(1024));

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    let hidden: Vec<_> = view.facts(0).filter(|fact| !fact.visible).collect();
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0].path, &ImagePath::new("tmp/xmrig.json"));
    assert_eq!(hidden[0].layer, 0);
    assert_eq!(view.visible_facts::<String>(0).count(), 1);
}

#[test]
fn overridden_file_keeps_upper_fact() {
    let base = layer(&[file("etc/os-release", b"ID=debian")]);
    let upper = layer(&[file("etc/os-release", b"ID=alpine")]);
    let image = Image::from_layer_blobs(vec![base, upper]);
    let recorder = Recorder::new(Interest::globs(["etc/os-release"], 1024).unwrap());

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    let visible: Vec<_> = view.visible_facts::<String>(0).collect();
    assert_eq!(visible.len(), 1);
    assert_eq!((visible[0].1, visible[0].2.as_str()), (1, "ID=alpine"));
}

#[test]
fn two_analyzers_share_one_read() {
    let tar = layer(&[file("etc/os-release", b"ID=debian")]);
    let image = Image::from_layer_blobs(vec![tar]);
    let first = Recorder::new(Interest::globs(["etc/*"], 4).unwrap());
    let second = Recorder::new(Interest::all_files(1024));

    let view = Walker::new(&image).analyzer(&first).analyzer(&second).run().unwrap();

    assert_eq!(view.visible_facts::<String>(0).next().unwrap().2, "ID=d");
    assert_eq!(view.visible_facts::<String>(1).next().unwrap().2, "ID=debian");
}

#[test]
fn hardlink_gets_target_content() {
    let tar = layer(&[file("usr/lib/real.so", b"library bytes"), hardlink("opt/app/METADATA", "usr/lib/real.so")]);
    let image = Image::from_layer_blobs(vec![tar]);
    let recorder = Recorder::new(Interest::globs(["**/METADATA"], 1024).unwrap());

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    let facts: Vec<_> = view.visible_facts::<String>(0).collect();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].0, &ImagePath::new("opt/app/METADATA"));
    assert_eq!(facts[0].2, "library bytes");
}

#[test]
fn analyzer_failure_is_a_warning() {
    let tar = layer(&[file("a", b"fail here"), file("b", b"fine")]);
    let image = Image::from_layer_blobs(vec![tar]);
    let recorder = Recorder::new(Interest::all_files(1024));

    let view = Walker::new(&image).analyzer(&recorder).run().unwrap();

    assert_eq!(view.visible_facts::<String>(0).count(), 1);
    assert_eq!(view.warnings.len(), 1);
    assert!(matches!(&view.warnings[0].kind, WarningKind::AnalyzerFailed { analyzer, .. } if analyzer == "recorder"));
}

/// Reads ELF executables whole without keeping them, and counts the bytes and calls it got.
/// With `whole`, it asks for whole files in memory, as the binary catalogers do.
struct ExecutableCounter {
    interest: Interest,
    whole: bool,
    bytes: AtomicU64,
    calls: AtomicU64,
}

impl ExecutableCounter {
    fn new() -> ExecutableCounter {
        let interest = Interest::globs(["usr/lib/**"], 256 << 20).unwrap();
        ExecutableCounter { interest, whole: false, bytes: AtomicU64::new(0), calls: AtomicU64::new(0) }
    }

    fn whole_files() -> ExecutableCounter {
        ExecutableCounter { whole: true, ..ExecutableCounter::new() }
    }
}

impl Analyzer for ExecutableCounter {
    fn name(&self) -> &str {
        "executable-counter"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn accepts(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        file.entry.mode & 0o111 != 0 && head.starts_with(b"\x7fELF")
    }

    fn analyze(&self, _file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let read = std::io::copy(content, &mut std::io::sink())?;
        self.bytes.fetch_add(read, Ordering::Relaxed);
        Ok(Some(Box::new(read)))
    }

    fn reads_whole_files(&self) -> bool {
        self.whole
    }

    fn analyze_bytes(&self, _file: &FileInfo<'_>, bytes: &[u8]) -> Result<Option<Fact>, AnalyzerError> {
        assert!(self.whole, "analyze_bytes called on a streaming analyzer");
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(Some(Box::new(bytes.len() as u64)))
    }
}

/// Content of `size` bytes that starts with the ELF magic number.
fn elf_like(size: usize) -> Vec<u8> {
    let mut bytes = b"\x7fELF".to_vec();
    bytes.resize(size, b'x');
    bytes
}

const LARGE_FILE_BYTES: usize = 32 << 20;

#[test]
fn large_executable_streams_to_both() {
    let content = elf_like(LARGE_FILE_BYTES);
    let tar = layer(&[executable("usr/lib/tool/tool", &content)]);
    let image = Image::from_layer_blobs(vec![tar]);
    let (go, rust) = (ExecutableCounter::new(), ExecutableCounter::new());

    let view = Walker::new(&image).analyzer(&go).analyzer(&rust).run().unwrap();

    assert_eq!(go.bytes.load(Ordering::Relaxed), LARGE_FILE_BYTES as u64);
    assert_eq!(rust.bytes.load(Ordering::Relaxed), LARGE_FILE_BYTES as u64);
    assert_eq!(view.visible_facts::<u64>(0).count(), 1);
    assert_eq!(view.visible_facts::<u64>(1).count(), 1);
    let peak = view.layers[0].peak_buffered_bytes;
    assert!(peak > 0, "the walker reported no buffered bytes");
    assert!(peak <= 1 << 20, "the walker held {peak} bytes of a {LARGE_FILE_BYTES}-byte file");
}

#[test]
fn whole_file_readers_share_one_copy() {
    let content = elf_like(LARGE_FILE_BYTES);
    let tar = layer(&[executable("usr/lib/tool/tool", &content)]);
    let image = Image::from_layer_blobs(vec![tar]);
    let (go, rust) = (ExecutableCounter::whole_files(), ExecutableCounter::whole_files());

    let view = Walker::new(&image).analyzer(&go).analyzer(&rust).run().unwrap();

    assert_eq!(go.calls.load(Ordering::Relaxed), 1);
    assert_eq!(go.bytes.load(Ordering::Relaxed), LARGE_FILE_BYTES as u64);
    assert_eq!(rust.bytes.load(Ordering::Relaxed), LARGE_FILE_BYTES as u64);
    assert_eq!(view.layers[0].peak_buffered_bytes, LARGE_FILE_BYTES as u64, "the file is held once, not once per analyzer");
}

#[test]
fn declined_file_is_read_no_further() {
    let content = vec![0u8; LARGE_FILE_BYTES];
    let tar = layer(&[file("usr/lib/data.bin", &content), executable("usr/lib/script", b"#!/bin/sh\n")]);
    let image = Image::from_layer_blobs(vec![tar]);
    let (go, rust) = (ExecutableCounter::new(), ExecutableCounter::new());

    let view = Walker::new(&image).analyzer(&go).analyzer(&rust).run().unwrap();

    assert_eq!(go.calls.load(Ordering::Relaxed), 0);
    assert_eq!(rust.calls.load(Ordering::Relaxed), 0);
    assert_eq!(view.layers[0].peak_buffered_bytes, PEEK_BYTES as u64);
}

#[test]
fn shared_file_reads_stay_bounded() {
    let tar = layer(&[executable("usr/lib/tool", &elf_like(200_000))]);
    let image = Image::from_layer_blobs(vec![tar]);
    let small = Recorder::new(Interest::globs(["usr/lib/*"], 10).unwrap());
    let whole = ExecutableCounter::new();

    let view = Walker::new(&image).analyzer(&small).analyzer(&whole).run().unwrap();

    assert_eq!(view.visible_facts::<String>(0).next().unwrap().2.len(), 10);
    assert_eq!(whole.bytes.load(Ordering::Relaxed), 200_000);
}
