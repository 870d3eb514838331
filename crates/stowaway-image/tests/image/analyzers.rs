//! The analyzer interface: globs, bounded reads, facts per layer and their visibility.

use std::io::Read;
use std::sync::Mutex;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FileInfo, Image, ImagePath, Interest, Walker, WarningKind};

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
