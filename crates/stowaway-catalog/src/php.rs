//! PHP Composer packages: an application's `composer.lock` and the
//! `vendor/composer/installed.json` that Composer writes beside the installed code.
//! `installed.json` is a bare array up to Composer 1 and
//! `{"packages": [...], "dev-package-names": [...]}` since Composer 2.

use std::collections::HashSet;
use std::io::Read;

use serde_json::Value;
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::catalogers::{Attribution, Cataloger, package_codec};
use crate::manifest::{json_type, parse_json, read_text, required_string, string_field};

/// The largest `composer.lock` or `installed.json` read. Large applications have lockfiles of a
/// few MiB.
const MAX_LOCK_BYTES: u64 = 32 << 20;

/// Reads Composer lockfiles and installed package lists.
pub(crate) struct ComposerCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl ComposerCataloger {
    pub(crate) fn new() -> ComposerCataloger {
        let patterns = ["**/composer.lock", "**/vendor/composer/installed.json"];
        ComposerCataloger { interest: Interest::globs(patterns, MAX_LOCK_BYTES).expect("composer patterns are valid globs"), codec: package_codec("composer") }
    }
}

impl Analyzer for ComposerCataloger {
    fn name(&self) -> &str {
        "composer"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let text = read_text(file, &self.interest, content)?;
        let document = parse_json(&text)?;
        let location = file.path.to_string();
        let packages = if file.path.file_name() == b"composer.lock" {
            parse_composer_lock(&document, &location)?
        } else {
            parse_installed(&document, &location)?
        };
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for ComposerCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Lists `packages` and `packages-dev` of a `composer.lock`, marking the latter `dev`.
fn parse_composer_lock(document: &Value, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    let mut packages = Vec::new();
    for (key, is_dev) in [("packages", false), ("packages-dev", true)] {
        for entry in array_field(document, key)? {
            let mut package = composer_package(entry, location)?;
            if is_dev {
                package.metadata.insert("dev".into(), "true".into());
            }
            packages.push(package);
        }
    }
    Ok(packages)
}

/// Lists the packages of an `installed.json` in either of its two layouts.
fn parse_installed(document: &Value, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    let (entries, dev_names): (&[Value], HashSet<&str>) = match document {
        Value::Array(entries) => (entries, HashSet::new()),
        Value::Object(_) => {
            let dev_names = array_field(document, "dev-package-names")?.iter().filter_map(Value::as_str).collect();
            (array_field(document, "packages")?, dev_names)
        }
        other => return Err(format!("installed.json is {}, expected an array or an object", json_type(other)).into()),
    };

    let mut packages = Vec::new();
    for entry in entries {
        let mut package = composer_package(entry, location)?;
        if dev_names.contains(package.name.as_str()) {
            package.metadata.insert("dev".into(), "true".into());
        }
        packages.push(package);
    }
    Ok(packages)
}

/// Returns the array field `key`, empty when missing, and an error when of another type.
fn array_field<'a>(document: &'a Value, key: &str) -> Result<&'a [Value], AnalyzerError> {
    match document.get(key) {
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("field `{key}` is {}, expected an array", json_type(other)).into()),
        None => Ok(&[]),
    }
}

/// Reads one package entry. The version is kept as Composer writes it, `v` prefix included
/// (`v5.4.0`); `version_normalized` is recorded beside it when present.
fn composer_package(entry: &Value, location: &str) -> Result<Package, AnalyzerError> {
    if !entry.is_object() {
        return Err(format!("package entry is {}, expected an object", json_type(entry)).into());
    }
    let name = required_string(entry, "name", "package entry")?;
    let version = required_string(entry, "version", name)?;

    let mut package = Package::new(PackageKind::Composer, name, version, location);
    package.licenses = match entry.get("license") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(license)) => vec![license.clone()],
        _ => Vec::new(),
    };
    for key in ["type", "version_normalized"] {
        if let Some(value) = string_field(entry, key) {
            package.metadata.insert(key.into(), value.to_owned());
        }
    }
    Ok(package)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn composer_lock_with_dev() {
        let lock = json!({
            "_readme": ["This file locks the dependencies of your project to a known state"],
            "content-hash": "0123",
            "packages": [
                {"name": "symfony/http-foundation", "version": "v5.4.0", "license": ["MIT"], "type": "library"},
                {"name": "guzzlehttp/guzzle", "version": "7.4.1", "license": ["MIT"]}
            ],
            "packages-dev": [{"name": "phpunit/phpunit", "version": "9.5.10", "license": ["BSD-3-Clause"]}]
        });
        let packages = parse_composer_lock(&lock, "/app/composer.lock").unwrap();

        assert_eq!(packages.len(), 3);
        assert_eq!(packages[0].name, "symfony/http-foundation");
        assert_eq!(packages[0].version, "v5.4.0");
        assert_eq!(packages[0].licenses, ["MIT"]);
        assert_eq!(packages[2].metadata.get("dev").map(String::as_str), Some("true"));
        assert_eq!(packages[0].metadata.get("dev"), None);
    }

    #[test]
    fn installed_json_both_layouts() {
        let v1 = json!([{"name": "monolog/monolog", "version": "1.25.1", "version_normalized": "1.25.1.0"}]);
        let v2 = json!({
            "packages": [
                {"name": "monolog/monolog", "version": "2.3.5", "license": "MIT"},
                {"name": "phpunit/phpunit", "version": "9.5.10"}
            ],
            "dev": true,
            "dev-package-names": ["phpunit/phpunit"]
        });

        let old = parse_installed(&v1, "/app/vendor/composer/installed.json").unwrap();
        assert_eq!((old[0].name.as_str(), old[0].version.as_str()), ("monolog/monolog", "1.25.1"));
        assert_eq!(old[0].metadata["version_normalized"], "1.25.1.0");

        let new = parse_installed(&v2, "/app/vendor/composer/installed.json").unwrap();
        assert_eq!(new.len(), 2);
        assert_eq!(new[0].licenses, ["MIT"]);
        assert_eq!(new[1].metadata.get("dev").map(String::as_str), Some("true"));
    }

    #[test]
    fn entry_without_version_names_package() {
        let error = parse_composer_lock(&json!({"packages": [{"name": "a/b"}]}), "/l").unwrap_err();
        assert!(error.to_string().contains("`a/b`"), "{error}");
    }
}
