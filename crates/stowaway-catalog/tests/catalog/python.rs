//! The Python cataloger on the apps fixture image and on crafted images.

use stowaway_model::PackageKind;

use std::io::{Cursor, Write};

use crate::lang_images::{binary_layer, catalog_files, catalog_fixture, catalog_layers, failures_on, layer, of_kind, summary, tuple};

const DEBIAN_SITE: &str = "usr/lib/python3/dist-packages";

#[test]
fn apps_fixture_python_packages() {
    let (catalog, expectations) = catalog_fixture("apps");
    let site_dir = expectations["python_site_dir"].as_str().unwrap();

    let mut expected: Vec<_> = expectations["python_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| tuple(p["name"].as_str().unwrap(), p["version"].as_str().unwrap(), &format!("{}/METADATA", p["path"].as_str().unwrap())))
        .collect();
    expected.sort();

    assert_eq!(summary(&catalog, PackageKind::Pypi), expected);
    for package in of_kind(&catalog, PackageKind::Pypi) {
        assert_eq!(package.metadata["site_packages"], site_dir, "{}", package.name);
        assert_eq!(package.layer.as_ref().map(|layer| layer.index), Some(2), "{}", package.name);
    }
}

#[test]
fn apps_fixture_purls_licenses_files() {
    let (catalog, _) = catalog_fixture("apps");
    let find = |name: &str| of_kind(&catalog, PackageKind::Pypi).find(|p| p.name == name).unwrap();

    assert_eq!(find("PyYAML").purl.as_deref(), Some("pkg:pypi/pyyaml@5.3"));
    assert_eq!(find("PyYAML").licenses, ["MIT"]);
    assert_eq!(find("certifi").licenses, ["MPL-2.0"]);

    // The fixture was installed with `pip install --target`, whose RECORD lists the script as
    // `../../bin/chardetect` relative to pip's temporary prefix, one level short of the real
    // `/usr/local/bin`. The path is resolved as the RECORD writes it.
    let chardet = find("chardet");
    assert_eq!(chardet.files.len(), 51, "{:?}", chardet.files);
    assert!(chardet.files.iter().any(|f| f == "/usr/local/lib/python3.13/dist-packages/chardet/__init__.py"));
    assert!(chardet.files.iter().any(|f| f == "/usr/local/lib/bin/chardetect"), "{:?}", chardet.files);
}

/// The layouts of Debian's python3 packages (bookworm's python3-yaml has a `.dist-info` with a
/// RECORD, python3-six an `.egg-info` directory, python3-apt a plain `.egg-info` file), pip's
/// `installed-files.txt`, and an egg installed unzipped.
#[test]
fn debian_dist_packages_layouts() {
    let yaml_record = "\
PyYAML-6.0.dist-info/METADATA,sha256=Q56A1jQxEnzMMCyqgYkqM5Egvr9y18VExGF3ciGLjlY,2005
PyYAML-6.0.dist-info/RECORD,,
_yaml/__init__.py,sha256=04Ae_5osxahpJHa3XBZUAf4wi6XX32gR8D6X6p64GEA,1402
yaml/__init__.py,sha256=NDS7GjGRdSvtaHJx9mZY2nkzchTT9Kk8rIJvKkTyTa8,12311
";
    let catalog = catalog_files(&[
        (&format!("{DEBIAN_SITE}/PyYAML-6.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\nLicense: MIT\n"),
        (&format!("{DEBIAN_SITE}/PyYAML-6.0.dist-info/RECORD"), yaml_record),
        (&format!("{DEBIAN_SITE}/six-1.16.0.egg-info/PKG-INFO"), "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\nPlatform: UNKNOWN\n"),
        (&format!("{DEBIAN_SITE}/six-1.16.0.egg-info/top_level.txt"), "six\n"),
        (&format!("{DEBIAN_SITE}/python_apt-2.6.0.egg-info"), "Metadata-Version: 1.1\nName: python-apt\nVersion: 2.6.0\nLicense: GNU GPL\n"),
        ("usr/local/lib/python3.11/dist-packages/idna-3.4.egg-info/PKG-INFO", "Metadata-Version: 2.1\nName: idna\nVersion: 3.4\n"),
        ("usr/local/lib/python3.11/dist-packages/idna-3.4.egg-info/installed-files.txt", "../idna/__init__.py\nPKG-INFO\n"),
        (
            "opt/venv/lib/python3.11/site-packages/tool-1.0-py3.11.egg/EGG-INFO/PKG-INFO",
            "Metadata-Version: 1.2\nName: tool\nVersion: 1.0\n",
        ),
    ]);

    assert_eq!(summary(&catalog, PackageKind::Pypi), [
        tuple("PyYAML", "6.0", "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"),
        tuple("idna", "3.4", "/usr/local/lib/python3.11/dist-packages/idna-3.4.egg-info/PKG-INFO"),
        tuple("python-apt", "2.6.0", "/usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info"),
        tuple("six", "1.16.0", "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"),
        tuple("tool", "1.0", "/opt/venv/lib/python3.11/site-packages/tool-1.0-py3.11.egg/EGG-INFO/PKG-INFO"),
    ]);

    let site_of = |name: &str| of_kind(&catalog, PackageKind::Pypi).find(|p| p.name == name).unwrap().metadata["site_packages"].clone();
    for name in ["PyYAML", "six", "python-apt"] {
        assert_eq!(site_of(name), "/usr/lib/python3/dist-packages", "{name}");
    }
    assert_eq!(site_of("idna"), "/usr/local/lib/python3.11/dist-packages");
    assert_eq!(site_of("tool"), "/opt/venv/lib/python3.11/site-packages");

    let files_of = |name: &str| of_kind(&catalog, PackageKind::Pypi).find(|p| p.name == name).unwrap().files.clone();
    assert_eq!(files_of("PyYAML").len(), 4);
    assert!(files_of("PyYAML").contains(&"/usr/lib/python3/dist-packages/yaml/__init__.py".to_owned()));
    assert_eq!(files_of("idna"), [
        "/usr/local/lib/python3.11/dist-packages/idna/__init__.py",
        "/usr/local/lib/python3.11/dist-packages/idna-3.4.egg-info/PKG-INFO",
    ]);
    assert!(files_of("six").is_empty());
}

#[test]
fn malformed_metadata_is_warning() {
    let broken = format!("/{DEBIAN_SITE}/broken-1.0.dist-info/METADATA");
    let catalog = catalog_files(&[
        (&broken[1..], "Metadata-Version: 2.1\nName: broken\n"),
        (&format!("{DEBIAN_SITE}/six-1.17.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n"),
    ]);

    let failures = failures_on(&catalog, &broken);
    assert_eq!(failures.len(), 1, "{:?}", catalog.warnings);
    assert!(failures[0].contains("`broken`"), "{}", failures[0]);
    assert_eq!(summary(&catalog, PackageKind::Pypi).len(), 1);
}

#[test]
fn deleted_distribution_not_reported() {
    let lower = layer(&[
        (&format!("{DEBIAN_SITE}/six-1.17.0.dist-info/METADATA"), "Name: six\nVersion: 1.17.0\n"),
        (&format!("{DEBIAN_SITE}/idna-3.10.dist-info/METADATA"), "Name: idna\nVersion: 3.10\n"),
    ]);
    let upper = layer(&[(&format!("{DEBIAN_SITE}/.wh.six-1.17.0.dist-info"), "")]);
    let catalog = catalog_layers(vec![lower, upper]);

    let names: Vec<_> = summary(&catalog, PackageKind::Pypi).into_iter().map(|(name, ..)| name).collect();
    assert_eq!(names, ["idna"]);
}

fn zipped_egg(members: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in members {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zipped_egg_and_corrupt_egg() {
    let site = "opt/app/lib/python3.11/site-packages";
    let egg = zipped_egg(&[
        ("simplejson/__init__.py", "__version__ = '3.19.2'\n"),
        ("EGG-INFO/PKG-INFO", "Metadata-Version: 1.1\nName: simplejson\nVersion: 3.19.2\nLicense: MIT License\n"),
    ]);
    let egg_path = format!("{site}/simplejson-3.19.2-py3.11.egg");
    let corrupt_path = format!("{site}/corrupt-1.0-py3.11.egg");
    let catalog = catalog_layers(vec![binary_layer(&[(&egg_path, &egg), (&corrupt_path, b"PK\x03\x04 truncated")])]);

    assert_eq!(summary(&catalog, PackageKind::Pypi), [tuple("simplejson", "3.19.2", &format!("/{egg_path}"))]);
    let simplejson = of_kind(&catalog, PackageKind::Pypi).next().unwrap();
    assert_eq!(simplejson.metadata["site_packages"], format!("/{site}"));
    assert_eq!(simplejson.licenses, ["MIT License"]);

    let failures = failures_on(&catalog, &format!("/{corrupt_path}"));
    assert_eq!(failures.len(), 1, "{:?}", catalog.warnings);
    assert!(failures[0].contains("invalid zip archive"), "{}", failures[0]);
}
