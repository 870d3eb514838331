//! The Composer cataloger on a crafted PHP application image.

use stowaway_model::PackageKind;

use crate::lang_images::{catalog_files, failures_on, of_kind, summary, tuple};

#[test]
fn composer_lock_and_installed_json() {
    let lock = r#"{
  "content-hash": "0123",
  "packages": [{"name": "symfony/http-foundation", "version": "v5.4.0", "license": ["MIT"], "type": "library"}],
  "packages-dev": [{"name": "phpunit/phpunit", "version": "9.5.10", "license": ["BSD-3-Clause"]}]
}"#;
    let installed_v2 = r#"{"packages": [{"name": "monolog/monolog", "version": "2.3.5", "license": ["MIT"]}], "dev": false, "dev-package-names": []}"#;
    let installed_v1 = r#"[{"name": "guzzlehttp/guzzle", "version": "6.5.5", "license": ["MIT"]}]"#;
    let catalog = catalog_files(&[
        ("var/www/app/composer.lock", lock),
        ("var/www/app/vendor/composer/installed.json", installed_v2),
        ("opt/legacy/vendor/composer/installed.json", installed_v1),
        ("opt/broken/composer.lock", r#"{"packages": {"name": "not/an-array"}}"#),
    ]);

    assert_eq!(summary(&catalog, PackageKind::Composer), [
        tuple("guzzlehttp/guzzle", "6.5.5", "/opt/legacy/vendor/composer/installed.json"),
        tuple("monolog/monolog", "2.3.5", "/var/www/app/vendor/composer/installed.json"),
        tuple("phpunit/phpunit", "9.5.10", "/var/www/app/composer.lock"),
        tuple("symfony/http-foundation", "v5.4.0", "/var/www/app/composer.lock"),
    ]);
    let symfony = of_kind(&catalog, PackageKind::Composer).find(|p| p.name == "symfony/http-foundation").unwrap();
    assert_eq!(symfony.purl.as_deref(), Some("pkg:composer/symfony/http-foundation@v5.4.0"));
    let phpunit = of_kind(&catalog, PackageKind::Composer).find(|p| p.name == "phpunit/phpunit").unwrap();
    assert_eq!(phpunit.metadata.get("dev").map(String::as_str), Some("true"));

    let failures = failures_on(&catalog, "/opt/broken/composer.lock");
    assert_eq!(failures.len(), 1, "{:?}", catalog.warnings);
    assert!(failures[0].contains("`packages`"), "{}", failures[0]);
}
