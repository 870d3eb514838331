//! .NET NuGet packages from the `APP.deps.json` file that the .NET SDK writes beside each
//! published application. Its `libraries` map is keyed `NAME/VERSION`; entries of type
//! `package` came from NuGet, while `project` entries are the application's own assemblies.

use std::io::Read;

use serde_json::Value;
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::catalogers::{Attribution, Cataloger, package_codec};
use crate::manifest::{json_type, parse_json, read_text, string_field};

/// The largest `deps.json` read. Large ASP.NET applications write a few MiB.
const MAX_DEPS_BYTES: u64 = 32 << 20;

/// Reads .NET `deps.json` files.
pub(crate) struct DotnetCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl DotnetCataloger {
    pub(crate) fn new() -> DotnetCataloger {
        DotnetCataloger { interest: Interest::globs(["**/*.deps.json"], MAX_DEPS_BYTES).expect("dotnet patterns are valid globs"), codec: package_codec("dotnet") }
    }
}

impl Analyzer for DotnetCataloger {
    fn name(&self) -> &str {
        "dotnet"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let text = read_text(file, &self.interest, content)?;
        let packages = parse_deps(&parse_json(&text)?, &file.path.to_string())?;
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for DotnetCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Lists the `package` libraries of a `deps.json`.
fn parse_deps(document: &Value, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    let libraries = match document.get("libraries") {
        Some(Value::Object(libraries)) => libraries,
        Some(other) => return Err(format!("field `libraries` is {}, expected an object", json_type(other)).into()),
        None => return Ok(Vec::new()),
    };

    let mut packages = Vec::new();
    for (key, library) in libraries {
        if string_field(library, "type") != Some("package") {
            continue;
        }
        let Some((name, version)) = key.split_once('/').filter(|(name, version)| !name.is_empty() && !version.is_empty()) else {
            return Err(format!("library key `{key}` is not of the form NAME/VERSION").into());
        };

        let mut package = Package::new(PackageKind::Nuget, name, version, location);
        if let Some(sha512) = string_field(library, "sha512") {
            package.metadata.insert("sha512".into(), sha512.to_owned());
        }
        packages.push(package);
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn package_libraries_only() {
        let deps = json!({
            "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0", "signature": ""},
            "targets": {".NETCoreApp,Version=v8.0": {"webapp/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.1"}}}},
            "libraries": {
                "webapp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
                "Newtonsoft.Json/13.0.1": {
                    "type": "package", "serviceable": true,
                    "sha512": "sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==",
                    "path": "newtonsoft.json/13.0.1", "hashPath": "newtonsoft.json.13.0.1.nupkg.sha512"
                },
                "System.Text.Json/4.6.0": {"type": "package", "serviceable": true, "sha512": "sha512-x"}
            }
        });
        let packages = parse_deps(&deps, "/app/webapp.deps.json").unwrap();
        let found: Vec<(&str, &str)> = packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();

        assert_eq!(found, [("Newtonsoft.Json", "13.0.1"), ("System.Text.Json", "4.6.0")]);
        assert!(packages[0].metadata["sha512"].starts_with("sha512-"));
    }

    #[test]
    fn key_without_version_is_error() {
        let deps = json!({"libraries": {"Broken": {"type": "package"}}});
        let error = parse_deps(&deps, "/a.deps.json").unwrap_err();
        assert!(error.to_string().contains("`Broken`"), "{error}");
    }
}
