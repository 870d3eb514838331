//! `package-lock.json` and `npm-shrinkwrap.json`, which share one format. Lockfile version 1 nests a `dependencies` tree, and versions 2 and 3
//! list every installed folder in a flat `packages` map keyed by install path. Version 2 writes
//! both, and the `packages` map is read when present.
//!
//! npm writes `"resolved": false` and other odd types in some entries, so fields are read one
//! by one: an unexpected type in an optional field skips that field, and one in a name, version
//! or entry fails the whole file with an error naming the entry, which becomes a warning.

use serde_json::{Map, Value};
use stowaway_image::AnalyzerError;
use stowaway_model::{Package, PackageKind};

use super::{licenses, name_from_install_path};
use crate::manifest::{is_flag_set, json_type, required_string, string_field};

/// Lists the packages of a lockfile, without the application itself (the root entry `""`).
pub(super) fn parse(lockfile: &Value, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    if !lockfile.is_object() {
        return Err(format!("package-lock.json is {}, expected an object", json_type(lockfile)).into());
    }

    let mut packages = Vec::new();
    match (lockfile.get("packages"), lockfile.get("dependencies")) {
        (Some(Value::Object(entries)), _) => parse_packages_map(entries, location, &mut packages)?,
        (Some(other), _) => return Err(format!("field `packages` is {}, expected an object", json_type(other)).into()),
        (None, Some(Value::Object(tree))) => parse_dependencies(tree, "", location, &mut packages)?,
        (None, Some(other)) => return Err(format!("field `dependencies` is {}, expected an object", json_type(other)).into()),
        (None, None) => {}
    }
    Ok(packages)
}

/// Reads the `packages` map of lockfile versions 2 and 3. Keys outside `node_modules` are the
/// application's own workspace folders, and `link` entries point at them; neither is a
/// dependency.
fn parse_packages_map(entries: &Map<String, Value>, location: &str, packages: &mut Vec<Package>) -> Result<(), AnalyzerError> {
    for (install_path, entry) in entries {
        let Some(path_name) = name_from_install_path(install_path) else { continue };
        if !entry.is_object() {
            return Err(format!("entry `{install_path}` is {}, expected an object", json_type(entry)).into());
        }
        if is_flag_set(entry, "link") {
            continue;
        }

        // An aliased install (`npm install alias@npm:real@1.0.0`) records the real name.
        let name = string_field(entry, "name").unwrap_or(path_name);
        let version = required_string(entry, "version", install_path)?;
        packages.push(lock_package(name, version, install_path, entry, location));
    }
    Ok(())
}

/// Reads the nested `dependencies` tree of lockfile version 1, rebuilding each entry's install
/// path from its position in the tree.
fn parse_dependencies(tree: &Map<String, Value>, parent: &str, location: &str, packages: &mut Vec<Package>) -> Result<(), AnalyzerError> {
    for (name, entry) in tree {
        let install_path = if parent.is_empty() { format!("node_modules/{name}") } else { format!("{parent}/node_modules/{name}") };
        if !entry.is_object() {
            return Err(format!("entry `{install_path}` is {}, expected an object", json_type(entry)).into());
        }

        let version = required_string(entry, "version", &install_path)?;
        packages.push(lock_package(name, version, &install_path, entry, location));

        match entry.get("dependencies") {
            Some(Value::Object(children)) => parse_dependencies(children, &install_path, location, packages)?,
            Some(other) => return Err(format!("field `dependencies` of `{install_path}` is {}, expected an object", json_type(other)).into()),
            None => {}
        }
    }
    Ok(())
}

fn lock_package(name: &str, version: &str, install_path: &str, entry: &Value, location: &str) -> Package {
    let mut package = Package::new(PackageKind::Npm, name, version, location);
    package.licenses = licenses(entry);
    package.metadata.insert("install_path".into(), install_path.to_owned());
    // Version 1 marks bundled dependencies `bundled`, versions 2 and 3 `inBundle`.
    let flags = [("bundled", "bundled"), ("inBundle", "bundled"), ("dev", "dev"), ("optional", "optional"), ("devOptional", "dev_optional")];
    for (flag, key) in flags {
        if is_flag_set(entry, flag) {
            package.metadata.insert(key.into(), "true".into());
        }
    }
    if let Some(resolved) = string_field(entry, "resolved") {
        package.metadata.insert("resolved".into(), resolved.to_owned());
    }
    package
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn summary(packages: &[Package]) -> Vec<(String, String, String)> {
        packages.iter().map(|p| (p.name.clone(), p.version.clone(), p.metadata["install_path"].clone())).collect()
    }

    #[test]
    fn v3_packages_map() {
        let lockfile = json!({
            "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
            "packages": {
                "": {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0", "a": "^1.0.0"}},
                "node_modules/a": {"version": "1.0.0", "license": "ISC"},
                "node_modules/a/node_modules/lodash": {"version": "3.10.1", "dev": true, "inBundle": true},
                "node_modules/lodash": {"version": "4.17.20", "resolved": "https://example.invalid/lodash-4.17.20.tgz"},
                "node_modules/@types/node": {"version": "20.1.0", "devOptional": true},
                "node_modules/real-alias": {"name": "real", "version": "2.0.0"},
                "packages/lib": {"name": "lib", "version": "0.1.0"},
                "node_modules/lib": {"resolved": "packages/lib", "link": true}
            }
        });
        let packages = parse(&lockfile, "/app/package-lock.json").unwrap();
        let found = summary(&packages);

        assert!(found.contains(&("lodash".into(), "4.17.20".into(), "node_modules/lodash".into())));
        assert!(found.contains(&("lodash".into(), "3.10.1".into(), "node_modules/a/node_modules/lodash".into())));
        assert!(found.contains(&("@types/node".into(), "20.1.0".into(), "node_modules/@types/node".into())));
        assert!(found.contains(&("real".into(), "2.0.0".into(), "node_modules/real-alias".into())));
        assert_eq!(packages.len(), 5, "{found:?}");

        let nested = packages.iter().find(|p| p.version == "3.10.1").unwrap();
        assert_eq!(nested.metadata.get("dev").map(String::as_str), Some("true"));
        assert_eq!(nested.metadata.get("bundled").map(String::as_str), Some("true"));
        let types = packages.iter().find(|p| p.name == "@types/node").unwrap();
        assert_eq!(types.metadata.get("dev_optional").map(String::as_str), Some("true"));
        assert_eq!(packages.iter().find(|p| p.name == "a").unwrap().licenses, ["ISC"]);
    }

    #[test]
    fn v1_tree_with_bundled_child() {
        let lockfile = json!({
            "name": "app", "version": "1.0.0", "lockfileVersion": 1,
            "dependencies": {
                "a-tool": {
                    "version": "2.0.0", "resolved": "https://example.invalid/a-tool-2.0.0.tgz",
                    "requires": {"left-pad": "^1.3.0"},
                    "dependencies": {
                        "left-pad": {"version": "1.3.0", "resolved": false, "bundled": true}
                    }
                }
            }
        });
        let packages = parse(&lockfile, "/app/package-lock.json").unwrap();

        assert_eq!(summary(&packages), [
            ("a-tool".into(), "2.0.0".into(), "node_modules/a-tool".into()),
            ("left-pad".into(), "1.3.0".into(), "node_modules/a-tool/node_modules/left-pad".into()),
        ]);
        assert_eq!(packages[1].metadata.get("bundled").map(String::as_str), Some("true"));
        assert_eq!(packages[1].metadata.get("resolved"), None);
        assert_eq!(packages[0].metadata.get("bundled"), None);
    }

    #[test]
    fn version_of_wrong_type_names_entry() {
        let lockfile = json!({"lockfileVersion": 3, "packages": {"node_modules/x": {"version": 4}}});
        let error = parse(&lockfile, "/p").unwrap_err().to_string();
        assert!(error.contains("`node_modules/x`"), "{error}");
        assert!(error.contains("a number"), "{error}");
    }

    #[test]
    fn entry_of_wrong_type_names_entry() {
        let lockfile = json!({"lockfileVersion": 1, "dependencies": {"x": "1.0.0"}});
        let error = parse(&lockfile, "/p").unwrap_err().to_string();
        assert!(error.contains("`node_modules/x`"), "{error}");
    }

    #[test]
    fn packages_of_wrong_type_is_error() {
        let error = parse(&json!({"packages": []}), "/p").unwrap_err().to_string();
        assert!(error.contains("`packages`"), "{error}");
    }
}
