//! The fixture images: every planted item of `stowaways` is found, and the clean Debian
//! images give nothing above `low`.

use serde::Deserialize;
use stowaway_detect::{DetectOptions, Detection, DetectionKind};
use stowaway_image::{OpenOptions, open};
use stowaway_model::Level;

use crate::support::{detect_image, fixtures_dir, found};

#[derive(Deserialize)]
struct Expectations {
    planted: Vec<Planted>,
    not_secrets: Vec<String>,
    masked_values: Vec<String>,
}

#[derive(Deserialize)]
struct Planted {
    path: Option<String>,
    rule_id: String,
    deleted: bool,
}

fn detect_fixture(reference: &str) -> Vec<Detection> {
    let image = open(reference, &OpenOptions::default()).unwrap();
    detect_image(&image, DetectOptions::default())
}

fn stowaways_expectations() -> Expectations {
    let text = std::fs::read_to_string(fixtures_dir().join("stowaways/expectations.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn check_planted(reference: &str) {
    let expectations = stowaways_expectations();
    let detections = detect_fixture(reference);

    assert!(expectations.planted.len() >= 25, "only {} planted items", expectations.planted.len());
    for planted in &expectations.planted {
        let hit = detections.iter().find(|d| d.rule_id == planted.rule_id && d.path == planted.path);
        let Some(hit) = hit else { panic!("`{}` not found on {:?}; found {:?}", planted.rule_id, planted.path, found(&detections)) };
        assert_eq!(hit.deleted_in_final_image, planted.deleted, "{} on {:?}", planted.rule_id, planted.path);
    }
}

#[test]
fn stowaways_docker_archive_planted_items() {
    check_planted(&format!("docker-archive:{}", fixtures_dir().join("stowaways/docker-archive.tar").display()));
}

#[test]
fn stowaways_oci_planted_items() {
    check_planted(&format!("oci:{}", fixtures_dir().join("stowaways/oci").display()));
}

#[test]
fn stowaways_checksums_hold_no_secrets() {
    let expectations = stowaways_expectations();
    let detections = detect_fixture(&format!("oci:{}", fixtures_dir().join("stowaways/oci").display()));

    for path in &expectations.not_secrets {
        let secrets: Vec<_> = detections.iter().filter(|d| d.kind == DetectionKind::Secret && d.path.as_deref() == Some(path)).collect();
        assert!(secrets.is_empty(), "{path}: {secrets:?}");
    }
}

#[test]
fn stowaways_values_are_masked() {
    let expectations = stowaways_expectations();
    let detections = detect_fixture(&format!("oci:{}", fixtures_dir().join("stowaways/oci").display()));
    let json = serde_json::to_string(&detections).unwrap();
    let debug = format!("{detections:?}");

    for value in &expectations.masked_values {
        assert!(!json.contains(value.as_str()), "`{value}` appears in the JSON detections");
        assert!(!debug.contains(value.as_str()), "`{value}` appears in the Debug output");
    }
}

#[test]
fn stowaways_history_line_is_attached() {
    let detections = detect_fixture(&format!("oci:{}", fixtures_dir().join("stowaways/oci").display()));
    let cron = detections.iter().find(|d| d.rule_id == "persistence-cron").unwrap();

    assert_eq!(cron.layer.as_ref().map(|layer| layer.index), Some(1));
    assert!(cron.history.as_deref().is_some_and(|line| line.contains("curl")), "{:?}", cron.history);
}

fn assert_nothing_above_low(fixture: &str) {
    let detections = detect_fixture(&format!("oci:{}", fixtures_dir().join(fixture).join("oci").display()));
    let loud: Vec<_> = detections.iter().filter(|d| d.severity > Level::Low).map(|d| (&d.rule_id, &d.path, &d.excerpt)).collect();

    assert!(loud.is_empty(), "{fixture}: {loud:#?}");
}

#[test]
fn debian_fixture_is_clean() {
    assert_nothing_above_low("debian");
}

#[test]
fn apps_fixture_is_clean() {
    assert_nothing_above_low("apps");
}
