//! The .NET cataloger on a crafted image with a published application.

use stowaway_model::PackageKind;

use crate::lang_images::{catalog_files, failures_on, of_kind, summary, tuple};

#[test]
fn deps_json_packages() {
    let deps = r#"{
  "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0", "signature": ""},
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "webapp/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.1"}, "runtime": {"webapp.dll": {}}},
      "Newtonsoft.Json/13.0.1": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {"assemblyVersion": "13.0.0.0"}}}
    }
  },
  "libraries": {
    "webapp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Newtonsoft.Json/13.0.1": {
      "type": "package", "serviceable": true,
      "sha512": "sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==",
      "path": "newtonsoft.json/13.0.1", "hashPath": "newtonsoft.json.13.0.1.nupkg.sha512"
    }
  }
}"#;
    let catalog = catalog_files(&[("app/webapp.deps.json", deps), ("app/broken.deps.json", r#"{"libraries": ["x"]}"#)]);

    assert_eq!(summary(&catalog, PackageKind::Nuget), [tuple("Newtonsoft.Json", "13.0.1", "/app/webapp.deps.json")]);
    let json = of_kind(&catalog, PackageKind::Nuget).next().unwrap();
    assert_eq!(json.purl.as_deref(), Some("pkg:nuget/Newtonsoft.Json@13.0.1"));

    let failures = failures_on(&catalog, "/app/broken.deps.json");
    assert_eq!(failures.len(), 1, "{:?}", catalog.warnings);
}
