//! npm packages: the `package.json` of each installed package (`node_modules/` trees and
//! Debian's `/usr/share/nodejs`, `/usr/lib/nodejs`), and the lockfiles of applications
//! (`package-lock.json`, its published form `npm-shrinkwrap.json`, `yarn.lock`).
//!
//! Only a package's own `package.json` counts: the one directly in `node_modules/NAME/` or
//! `node_modules/@scope/NAME/`. Packages ship test fixtures with `package.json` files of their
//! own deeper inside, some in `node_modules` folders of their own, and those are not installed
//! packages. Lockfiles inside `node_modules` or Debian's nodejs folders come from published
//! packages, were never used to install anything and are ignored.

mod lockfile;
mod yarn;

use std::io::Read;

use serde_json::Value;
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::catalogers::{Attribution, Cataloger, package_codec};
use crate::manifest::{json_type, parse_json, read_text, required_string};

/// The largest `package.json` or lockfile read. Lockfiles of large monorepos reach tens of MiB.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// Reads npm manifests and lockfiles.
pub(crate) struct NpmCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl NpmCataloger {
    pub(crate) fn new() -> NpmCataloger {
        let patterns = [
            "**/node_modules/*/package.json",
            "**/node_modules/@*/*/package.json",
            "usr/share/nodejs/*/package.json",
            "usr/share/nodejs/@*/*/package.json",
            "usr/lib/nodejs/*/package.json",
            "usr/lib/nodejs/@*/*/package.json",
            "**/package-lock.json",
            "**/npm-shrinkwrap.json",
            "**/yarn.lock",
        ];
        NpmCataloger { interest: Interest::globs(patterns, MAX_MANIFEST_BYTES).expect("npm patterns are valid globs"), codec: package_codec("npm") }
    }
}

impl Analyzer for NpmCataloger {
    fn name(&self) -> &str {
        "npm"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let location = file.path.to_string();
        let file_name = file.path.file_name();
        let is_lockfile = matches!(file_name, b"package-lock.json" | b"npm-shrinkwrap.json" | b"yarn.lock");
        if is_lockfile && is_inside_package(&location) {
            tracing::trace!(%location, "lockfile inside an installed package skipped");
            return Ok(None);
        }
        if !is_lockfile && !is_installed_package_json(&location) {
            tracing::trace!(%location, "package.json outside an install tree skipped");
            return Ok(None);
        }

        let text = read_text(file, &self.interest, content)?;
        let packages = match file_name {
            b"package-lock.json" | b"npm-shrinkwrap.json" => lockfile::parse(&parse_json(&text)?, &location)?,
            b"yarn.lock" => yarn::parse(&text, &location)?,
            _ => parse_package_json(&parse_json(&text)?, &location)?.into_iter().collect(),
        };
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for NpmCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// The folders where Debian installs npm packages, each package directly inside.
const DEBIAN_NODEJS_ROOTS: [&str; 2] = ["/usr/share/nodejs/", "/usr/lib/nodejs/"];

fn is_inside_package(location: &str) -> bool {
    location.contains("/node_modules/") || DEBIAN_NODEJS_ROOTS.iter().any(|root| location.starts_with(root))
}

/// Tells whether a `package.json` is an installed package's own: from the install root (the
/// first `node_modules` folder, or a Debian nodejs folder) down, the path alternates package
/// folders (`NAME` or `@scope/NAME`) and `node_modules`. A `package.json` in a package's
/// `test/node_modules/x/` breaks the chain and is a fixture. pnpm's store
/// (`node_modules/.pnpm/NAME@VERSION/node_modules/NAME`) is part of the chain.
fn is_installed_package_json(location: &str) -> bool {
    let tail = if let Some(root) = DEBIAN_NODEJS_ROOTS.iter().find(|root| location.starts_with(*root)) {
        &location[root.len()..]
    } else if let Some((_, tail)) = location.split_once("/node_modules/") {
        tail
    } else {
        return false;
    };

    let mut components = tail.split('/').peekable();
    loop {
        let Some(component) = components.next() else { return false };
        if component == ".pnpm" {
            // The store entry (`NAME@VERSION`) is followed by its own `node_modules`.
            components.next();
        } else {
            if component.starts_with('@') {
                components.next();
            }
            if components.peek() == Some(&"package.json") {
                return components.nth(1).is_none();
            }
        }
        if components.next() != Some("node_modules") {
            return false;
        }
    }
}

/// Reads an installed package's `package.json`. A file without a name or version (a private
/// project folder that happens to sit under `node_modules`) lists no package.
fn parse_package_json(manifest: &Value, location: &str) -> Result<Option<Package>, AnalyzerError> {
    if !manifest.is_object() {
        return Err(format!("package.json is {}, expected an object", json_type(manifest)).into());
    }
    if manifest.get("name").is_none() || manifest.get("version").is_none() {
        return Ok(None);
    }

    let name = required_string(manifest, "name", location)?;
    let version = required_string(manifest, "version", location)?;
    let mut package = Package::new(PackageKind::Npm, name, version, location);
    package.licenses = licenses(manifest);
    Ok(Some(package))
}

/// Reads the license of a `package.json` or lockfile entry: an SPDX expression string
/// (`"license": "MIT"`), or the legacy forms `"license": {"type": "MIT"}` and
/// `"licenses": [{"type": "MIT"}, "BSD"]`. Values of other types are skipped.
pub(crate) fn licenses(manifest: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["license", "licenses"] {
        match manifest.get(key) {
            Some(Value::Array(items)) => found.extend(items.iter().filter_map(license_name)),
            Some(value) => found.extend(license_name(value)),
            None => {}
        }
    }
    found
}

fn license_name(value: &Value) -> Option<String> {
    let name = match value {
        Value::String(name) => name.as_str(),
        Value::Object(object) => object.get("type").and_then(Value::as_str)?,
        _ => return None,
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Returns the package name at the end of an install path: `node_modules/a/node_modules/@s/b`
/// is `@s/b`.
pub(crate) fn name_from_install_path(path: &str) -> Option<&str> {
    let (_, tail) = path.rsplit_once("node_modules/")?;
    (!tail.is_empty()).then_some(tail)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn package_json_fields() {
        let manifest = json!({"name": "lodash", "version": "4.17.15", "license": "MIT", "main": "lodash.js"});
        let package = parse_package_json(&manifest, "/srv/app/node_modules/lodash/package.json").unwrap().unwrap();

        assert_eq!(package.name, "lodash");
        assert_eq!(package.version, "4.17.15");
        assert_eq!(package.licenses, ["MIT"]);
    }

    #[test]
    fn legacy_license_forms() {
        let object = json!({"license": {"type": "MIT", "url": "http://x"}});
        let array = json!({"licenses": [{"type": "MIT"}, "Apache-2.0", 7]});
        let wrong = json!({"license": false});

        assert_eq!(licenses(&object), ["MIT"]);
        assert_eq!(licenses(&array), ["MIT", "Apache-2.0"]);
        assert!(licenses(&wrong).is_empty());
    }

    #[test]
    fn version_of_wrong_type_is_error() {
        let manifest = json!({"name": "x", "version": 1});
        let error = parse_package_json(&manifest, "/n/x/package.json").unwrap_err();
        assert!(error.to_string().contains("`version`"), "{error}");
    }

    #[test]
    fn nameless_manifest_lists_nothing() {
        assert_eq!(parse_package_json(&json!({"private": true}), "/x").unwrap(), None);
    }

    #[test]
    fn installed_package_json_paths() {
        let cases = [
            ("/app/node_modules/lodash/package.json", true),
            ("/app/node_modules/@babel/core/package.json", true),
            ("/app/node_modules/a/node_modules/@s/b/node_modules/c/package.json", true),
            ("/app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", true),
            ("/usr/share/nodejs/semver/package.json", true),
            ("/usr/lib/nodejs/@types/node/package.json", true),
            ("/usr/share/nodejs/acorn/node_modules/x/package.json", true),
            ("/app/node_modules/@babel/package.json", false),
            ("/usr/share/nodejs/@types/package.json", false),
            ("/app/node_modules/resolve/test/resolver/node_modules/x/package.json", false),
            ("/app/node_modules/a/test/package.json", false),
            ("/usr/share/nodejs/semver/test/node_modules/x/package.json", false),
            ("/app/package.json", false),
        ];
        for (location, expected) in cases {
            assert_eq!(is_installed_package_json(location), expected, "{location}");
        }
    }

    #[test]
    fn install_path_names() {
        assert_eq!(name_from_install_path("node_modules/a/node_modules/@s/b"), Some("@s/b"));
        assert_eq!(name_from_install_path("node_modules/lodash"), Some("lodash"));
        assert_eq!(name_from_install_path("packages/app"), None);
    }
}
