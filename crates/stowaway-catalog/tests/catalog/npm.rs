//! The npm cataloger on the apps fixture image and on crafted images, with the lockfile cases.

use std::collections::BTreeMap;

use stowaway_model::{Package, PackageKind};
use stowaway_version::{Ecosystem, Range, Version};

use crate::lang_images::{catalog_files, catalog_fixture, failures_on, of_kind, summary, tuple};

fn lodash_json(version: &str) -> String {
    format!(r#"{{"name": "lodash", "version": "{version}", "license": "MIT", "main": "lodash.js"}}"#)
}

fn metadata<'a>(package: &'a Package, key: &str) -> Option<&'a str> {
    package.metadata.get(key).map(String::as_str)
}

#[test]
fn apps_fixture_npm_packages() {
    let (catalog, expectations) = catalog_fixture("apps");

    let mut expected: Vec<_> = expectations["npm_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| tuple(p["name"].as_str().unwrap(), p["version"].as_str().unwrap(), p["path"].as_str().unwrap()))
        .collect();
    expected.sort();

    assert_eq!(summary(&catalog, PackageKind::Npm), expected);
    let lodash = of_kind(&catalog, PackageKind::Npm).find(|p| p.name == "lodash").unwrap();
    assert_eq!(lodash.purl.as_deref(), Some("pkg:npm/lodash@4.17.15"));
    assert_eq!(lodash.licenses, ["MIT"]);
}

#[test]
fn installed_package_json_rules() {
    let catalog = catalog_files(&[
        ("app/node_modules/lodash/package.json", &lodash_json("4.17.15")),
        ("app/node_modules/lodash/test/fixtures/package.json", r#"{"name": "fixture", "version": "0.0.1"}"#),
        ("app/node_modules/resolve/package.json", r#"{"name": "resolve", "version": "1.22.8"}"#),
        ("app/node_modules/resolve/test/resolver/node_modules/fake/package.json", r#"{"name": "fake", "version": "9.9.9"}"#),
        ("usr/share/nodejs/semver/package-lock.json", r#"{"lockfileVersion": 3, "packages": {"node_modules/tap": {"version": "16.0.0"}}}"#),
        ("app/node_modules/@babel/core/package.json", r#"{"name": "@babel/core", "version": "7.24.0", "license": "MIT"}"#),
        ("app/node_modules/@babel/package.json", r#"{"name": "not-a-package", "version": "1.0.0"}"#),
        ("app/node_modules/a/node_modules/minimist/package.json", r#"{"name": "minimist", "version": "0.0.8"}"#),
        ("usr/share/nodejs/semver/package.json", r#"{"name": "semver", "version": "7.6.3", "license": "ISC"}"#),
        ("usr/share/nodejs/semver/test/package.json", r#"{"name": "semver-fixture", "version": "0.0.0"}"#),
        ("usr/lib/nodejs/@types/node/package.json", r#"{"name": "@types/node", "version": "20.1.0"}"#),
        ("app/package.json", r#"{"name": "app", "version": "1.0.0"}"#),
    ]);

    assert_eq!(summary(&catalog, PackageKind::Npm), [
        tuple("@babel/core", "7.24.0", "/app/node_modules/@babel/core/package.json"),
        tuple("@types/node", "20.1.0", "/usr/lib/nodejs/@types/node/package.json"),
        tuple("lodash", "4.17.15", "/app/node_modules/lodash/package.json"),
        tuple("minimist", "0.0.8", "/app/node_modules/a/node_modules/minimist/package.json"),
        tuple("resolve", "1.22.8", "/app/node_modules/resolve/package.json"),
        tuple("semver", "7.6.3", "/usr/share/nodejs/semver/package.json"),
    ]);
    let babel = of_kind(&catalog, PackageKind::Npm).find(|p| p.name == "@babel/core").unwrap();
    assert_eq!(babel.purl.as_deref(), Some("pkg:npm/%40babel/core@7.24.0"));
}

/// Lockfile v3 with only a `packages` map: both installed lodash versions are listed with
/// their install paths, and the lower one is inside an advisory range `< 4.17.21`.
#[test]
fn lockfile_v3_two_lodash_versions() {
    let lockfile = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "4.17.20"}},
    "node_modules/a/node_modules/lodash": {"version": "4.17.21"},
    "node_modules/lodash": {"version": "4.17.20"}
  }
}"#;
    let catalog = catalog_files(&[("app/package-lock.json", lockfile)]);

    let lodash: BTreeMap<&str, &str> = of_kind(&catalog, PackageKind::Npm)
        .filter(|p| p.name == "lodash")
        .map(|p| (metadata(p, "install_path").unwrap(), p.version.as_str()))
        .collect();
    assert_eq!(lodash, BTreeMap::from([("node_modules/a/node_modules/lodash", "4.17.21"), ("node_modules/lodash", "4.17.20")]));

    let advisory = Range::parse(Ecosystem::Npm, "<4.17.21").unwrap();
    let affected: Vec<&str> = of_kind(&catalog, PackageKind::Npm)
        .filter(|p| p.name == "lodash")
        .filter(|p| advisory.contains(&Version::parse(Ecosystem::Npm, &p.version).unwrap()).unwrap())
        .map(|p| metadata(p, "install_path").unwrap())
        .collect();
    assert_eq!(affected, ["node_modules/lodash"]);
    assert!(of_kind(&catalog, PackageKind::Npm).all(|p| p.locations == ["/app/package-lock.json"]));
}

/// Lockfiles shipped inside an installed package are not an application: only the root
/// lockfile counts, so a dependency listed only inside `node_modules` is not reported.
#[test]
fn lockfiles_in_node_modules_ignored() {
    let root_lock = r#"{"name": "app", "lockfileVersion": 3, "packages": {
        "": {"name": "app", "dependencies": {"pdf-lib-x": "1.0.0"}},
        "node_modules/pdf-lib-x": {"version": "1.0.0"}}}"#;
    let inner_lock = r#"{"name": "pdf-lib-x", "lockfileVersion": 3, "packages": {
        "": {"name": "pdf-lib-x", "version": "1.0.0"},
        "node_modules/old-dep": {"version": "0.1.0"}}}"#;
    let inner_yarn = "# yarn lockfile v1\n\nold-dep@^0.1.0:\n  version \"0.1.0\"\n";
    let catalog = catalog_files(&[
        ("app/package-lock.json", root_lock),
        ("app/node_modules/pdf-lib-x/package.json", r#"{"name": "pdf-lib-x", "version": "1.0.0"}"#),
        ("app/node_modules/pdf-lib-x/package-lock.json", inner_lock),
        ("app/node_modules/pdf-lib-x/yarn.lock", inner_yarn),
    ]);

    assert_eq!(summary(&catalog, PackageKind::Npm), [
        tuple("pdf-lib-x", "1.0.0", "/app/node_modules/pdf-lib-x/package.json"),
        tuple("pdf-lib-x", "1.0.0", "/app/package-lock.json"),
    ]);
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

/// Lockfile v1 with a bundled child whose `resolved` is `false`: the file parses and the child
/// is marked bundled.
#[test]
fn lockfile_v1_bundled_child() {
    let lockfile = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "a-tool": {
      "version": "2.0.0",
      "resolved": "https://registry.example.invalid/a-tool/-/a-tool-2.0.0.tgz",
      "integrity": "sha512-AAAA",
      "requires": {"left-pad": "^1.3.0"},
      "dependencies": {
        "left-pad": {"version": "1.3.0", "resolved": false, "bundled": true}
      }
    }
  }
}"#;
    let catalog = catalog_files(&[("app/package-lock.json", lockfile)]);

    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    let packages: Vec<&Package> = of_kind(&catalog, PackageKind::Npm).collect();
    assert_eq!(packages.len(), 2);
    let tool = packages.iter().find(|p| p.name == "a-tool").unwrap();
    let left_pad = packages.iter().find(|p| p.name == "left-pad").unwrap();
    assert_eq!(tool.version, "2.0.0");
    assert_eq!(metadata(tool, "bundled"), None);
    assert_eq!(left_pad.version, "1.3.0");
    assert_eq!(metadata(left_pad, "bundled"), Some("true"));
    assert_eq!(metadata(left_pad, "install_path"), Some("node_modules/a-tool/node_modules/left-pad"));
}

#[test]
fn malformed_lockfile_is_warning() {
    let wrong_type = r#"{"lockfileVersion": 3, "packages": {"node_modules/x": {"version": ["1.0.0"]}}}"#;
    let catalog = catalog_files(&[
        ("app/package-lock.json", wrong_type),
        ("other/package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {"),
        ("app/node_modules/lodash/package.json", &lodash_json("4.17.15")),
    ]);

    let type_failures = failures_on(&catalog, "/app/package-lock.json");
    assert_eq!(type_failures.len(), 1, "{:?}", catalog.warnings);
    assert!(type_failures[0].contains("`node_modules/x`"), "{}", type_failures[0]);
    let syntax_failures = failures_on(&catalog, "/other/package-lock.json");
    assert_eq!(syntax_failures.len(), 1, "{:?}", catalog.warnings);
    assert!(syntax_failures[0].contains("invalid JSON"), "{}", syntax_failures[0]);

    assert_eq!(summary(&catalog, PackageKind::Npm), [tuple("lodash", "4.17.15", "/app/node_modules/lodash/package.json")]);
}

#[test]
fn shrinkwrap_read_as_lockfile() {
    let shrinkwrap = r#"{"name": "cli", "lockfileVersion": 2, "packages": {"": {"name": "cli"}, "node_modules/semver": {"version": "5.7.1"}},
        "dependencies": {"semver": {"version": "5.7.1"}}}"#;
    let catalog = catalog_files(&[("usr/local/lib/cli/npm-shrinkwrap.json", shrinkwrap)]);

    assert_eq!(summary(&catalog, PackageKind::Npm), [tuple("semver", "5.7.1", "/usr/local/lib/cli/npm-shrinkwrap.json")]);
}

#[test]
fn yarn_lock_at_root() {
    let yarn_v1 = "# yarn lockfile v1\n\n\"@babel/core@^7.0.0\":\n  version \"7.24.0\"\n\nlodash@^4.17.0:\n  version \"4.17.20\"\n";
    let berry = "__metadata:\n  version: 8\n\n\"web@workspace:.\":\n  version: 0.0.0-use.local\n\n\"minimist@npm:^1.2.0\":\n  version: 1.2.8\n";
    let catalog = catalog_files(&[("srv/app/yarn.lock", yarn_v1), ("srv/web/yarn.lock", berry)]);

    assert_eq!(summary(&catalog, PackageKind::Npm), [
        tuple("@babel/core", "7.24.0", "/srv/app/yarn.lock"),
        tuple("lodash", "4.17.20", "/srv/app/yarn.lock"),
        tuple("minimist", "1.2.8", "/srv/web/yarn.lock"),
    ]);
}
