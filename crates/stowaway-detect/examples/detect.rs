//! Opens an image, runs the detector with the default options and prints the detections as
//! JSON, one per line, then the time the walk took on stderr.
//!
//! Usage: `detect REFERENCE [RULES_PATH...]`. Each `RULES_PATH` is a YARA file or folder added
//! to the bundled rules.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line example reports on stdout")]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use stowaway_detect::{DetectOptions, Detector};
use stowaway_image::{OpenOptions, Walker, open};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(reference) = args.next() else {
        eprintln!("usage: detect REFERENCE [RULES_PATH...]");
        return ExitCode::from(2);
    };
    let options = DetectOptions { rules: args.map(PathBuf::from).collect(), ..Default::default() };

    let detector = match Detector::new(options) {
        Ok(detector) => detector,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let image = match open(&reference, &OpenOptions::default()) {
        Ok(image) => image,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let mut walker = Walker::new(&image);
    for analyzer in detector.analyzers() {
        walker = walker.analyzer(analyzer);
    }
    let view = match walker.run() {
        Ok(view) => view,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let detections = detector.detections(&image, &view, 0);
    let elapsed = started.elapsed();

    for detection in &detections {
        println!("{}", serde_json::to_string(detection).expect("detections serialize"));
    }
    eprintln!("{} detections in {:.2?}", detections.len(), elapsed);
    ExitCode::SUCCESS
}
