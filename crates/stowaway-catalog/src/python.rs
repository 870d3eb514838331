//! Python distributions: the core metadata (`METADATA`, `PKG-INFO`) that pip, setuptools and
//! Debian's python3 packages install beside the code, and the lists of installed files
//! (`RECORD` in a `.dist-info`, `installed-files.txt` in an `.egg-info` written by pip).
//!
//! The metadata layouts read:
//! - `NAME-VERSION.dist-info/METADATA` (wheels, pip, Debian's newer python3 packages);
//! - `NAME-VERSION.egg-info/PKG-INFO` and a plain `NAME-VERSION.egg-info` file, since setuptools
//!   writes either form;
//! - `NAME-VERSION.egg/EGG-INFO/PKG-INFO`, eggs installed unzipped, and the same member of a
//!   zipped `.egg` file.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, ImageView, Interest};
use stowaway_model::{Package, PackageKind};

use crate::catalogers::{Attribution, Cataloger, package_codec};
use crate::manifest::{parent_dir, read_text};

/// The largest file read: a zipped egg, a metadata or a `RECORD` file. Long descriptions make
/// `METADATA` files of a few hundred KiB, the largest `RECORD`s (big native packages) are a few
/// MiB, and eggs bundle the package's code.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// The largest `PKG-INFO` read out of a zipped egg, a bound on what a zip bomb can inflate.
const MAX_EGG_PKG_INFO_BYTES: u64 = 16 << 20;

/// The files one distribution owns, from its `.dist-info/RECORD` or
/// `.egg-info/installed-files.txt`, as absolute paths.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RecordFiles {
    /// The `.dist-info` or `.egg-info` directory, as a `/`-rooted path.
    metadata_dir: String,
    files: Vec<String>,
}

/// Reads Python distribution metadata.
pub(crate) struct PythonCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl PythonCataloger {
    pub(crate) fn new() -> PythonCataloger {
        let patterns = [
            "**/*.dist-info/METADATA",
            "**/*.dist-info/RECORD",
            "**/*.egg-info/PKG-INFO",
            "**/*.egg-info/installed-files.txt",
            "**/*.egg-info",
            "**/*.egg/EGG-INFO/PKG-INFO",
            "**/*.egg",
        ];
        PythonCataloger { interest: Interest::globs(patterns, MAX_FILE_BYTES).expect("python patterns are valid globs"), codec: package_codec("python").with::<RecordFiles>() }
    }
}

impl Analyzer for PythonCataloger {
    fn name(&self) -> &str {
        "python"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let location = file.path.to_string();
        if location.ends_with(".egg") {
            if file.is_truncated(&self.interest) {
                return Err(format!("egg of {} bytes exceeds the limit of {MAX_FILE_BYTES} bytes", file.entry.size).into());
            }
            let mut bytes = Vec::new();
            content.read_to_end(&mut bytes)?;
            let text = read_zipped_pkg_info(bytes)?;
            return Ok(Some(Box::new(vec![parse_metadata(&text, &location)?])));
        }

        let text = read_text(file, &self.interest, content)?;

        let metadata_dir = parent_dir(&location);
        if file.path.file_name() == b"RECORD" {
            let files = parse_record(&text, site_packages_of(&location));
            return Ok(Some(Box::new(RecordFiles { metadata_dir: metadata_dir.to_owned(), files })));
        }
        if file.path.file_name() == b"installed-files.txt" {
            // pip writes these paths relative to the `.egg-info` directory itself.
            let files = text.lines().filter(|line| !line.trim().is_empty()).map(|line| resolve(metadata_dir, line.trim())).collect();
            return Ok(Some(Box::new(RecordFiles { metadata_dir: metadata_dir.to_owned(), files })));
        }

        let package = parse_metadata(&text, &location)?;
        Ok(Some(Box::new(vec![package])))
    }
}

impl Cataloger for PythonCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }

    fn finish(&self, view: &ImageView, analyzer: usize, packages: &mut [Package]) {
        let mut records: HashMap<&str, &Vec<String>> = HashMap::new();
        for (_, _, record) in view.visible_facts::<RecordFiles>(analyzer) {
            records.insert(record.metadata_dir.as_str(), &record.files);
        }
        for package in packages.iter_mut().filter(|package| package.kind == PackageKind::Pypi) {
            let Some(location) = package.locations.first() else { continue };
            if let Some(files) = records.get(parent_dir(location)) {
                package.files = (*files).clone();
            }
        }
    }
}

/// Reads `EGG-INFO/PKG-INFO` out of a zipped egg.
fn read_zipped_pkg_info(bytes: Vec<u8>) -> Result<String, AnalyzerError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| format!("invalid zip archive: {error}"))?;
    let member = archive.by_name("EGG-INFO/PKG-INFO").map_err(|error| format!("failed to read `EGG-INFO/PKG-INFO`: {error}"))?;

    let mut pkg_info = Vec::new();
    member.take(MAX_EGG_PKG_INFO_BYTES + 1).read_to_end(&mut pkg_info)?;
    if pkg_info.len() as u64 > MAX_EGG_PKG_INFO_BYTES {
        return Err(format!("`EGG-INFO/PKG-INFO` inflates past the limit of {MAX_EGG_PKG_INFO_BYTES} bytes").into());
    }
    Ok(String::from_utf8_lossy(&pkg_info).into_owned())
}

/// Parses core metadata (the RFC 822 header block of `METADATA` or `PKG-INFO`) into a package.
/// The version is kept as written; PEP 440 normalization happens when versions are compared.
fn parse_metadata(text: &str, location: &str) -> Result<Package, AnalyzerError> {
    let headers = headers(text);
    let field = |name: &str| headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str());

    let Some(name) = field("Name").filter(|name| !name.is_empty()) else {
        return Err("metadata has no `Name` field".into());
    };
    let Some(version) = field("Version").filter(|version| !version.is_empty()) else {
        return Err(format!("metadata of `{name}` has no `Version` field").into());
    };

    let mut package = Package::new(PackageKind::Pypi, name, version, location);
    package.licenses = licenses(&headers);
    package.metadata.insert("site_packages".into(), site_packages_of(location).to_owned());
    if let Some(metadata_version) = field("Metadata-Version") {
        package.metadata.insert("metadata_version".into(), metadata_version.to_owned());
    }
    Ok(package)
}

/// Picks the licenses a distribution declares, the most precise source first:
/// `License-Expression` (an SPDX expression, metadata 2.4), then a short `License` value, then
/// the `License ::` trove classifiers. `License` often holds the whole license text, and
/// `UNKNOWN` is what old setuptools writes when nothing was declared; both are skipped.
fn licenses(headers: &[(String, String)]) -> Vec<String> {
    let values = |name: &'static str| headers.iter().filter(move |(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str());

    if let Some(expression) = values("License-Expression").find(|value| !value.is_empty()) {
        return vec![expression.to_owned()];
    }
    if let Some(license) = values("License").find(|value| is_license_name(value)) {
        return vec![license.to_owned()];
    }
    values("Classifier")
        .filter_map(|classifier| classifier.strip_prefix("License ::"))
        .filter_map(|trove| trove.rsplit("::").next())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty() && name != "OSI Approved")
        .collect()
}

fn is_license_name(value: &str) -> bool {
    !value.is_empty() && !value.eq_ignore_ascii_case("UNKNOWN") && !value.contains('\n') && value.len() <= 120
}

/// Splits the header block into `(field, value)` pairs. The block ends at the first blank line,
/// where the long description starts, and a line that starts with whitespace continues the
/// previous value.
fn headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    headers
}

/// Returns the directory that contains the metadata directory or file: the `site-packages` or
/// `dist-packages` folder for installed distributions.
fn site_packages_of(location: &str) -> &str {
    let is_metadata_file = location.ends_with(".egg-info") || location.ends_with(".egg");
    let metadata_dir = if is_metadata_file { location } else { parent_dir(location) };
    let site = parent_dir(metadata_dir);
    // An unzipped egg keeps its metadata one level deeper, in `NAME.egg/EGG-INFO/`.
    if metadata_dir.ends_with("/EGG-INFO") { parent_dir(site) } else { site }
}

/// Reads the paths of a `RECORD` file (CSV of path, hash, size), relative to `site_packages`,
/// as absolute paths with `..` resolved. Scripts installed to `bin/` are listed as `../../../bin/x`.
///
/// NOTE: `pip install --target` writes the RECORD for its temporary prefix, so there the `../`
/// paths of scripts point one level off the installed file.
fn parse_record(text: &str, site_packages: &str) -> Vec<String> {
    text.lines()
        .filter_map(record_path)
        .filter(|path| !path.is_empty())
        .map(|path| resolve(site_packages, &path))
        .collect()
}

/// Returns the first CSV field of a `RECORD` line; paths with a comma are written quoted.
fn record_path(line: &str) -> Option<String> {
    if let Some(quoted) = line.strip_prefix('"') {
        let mut path = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('"', Some('"')) => {
                    path.push('"');
                    chars.next();
                }
                ('"', _) => return Some(path),
                _ => path.push(c),
            }
        }
        return None;
    }
    line.split(',').next().map(str::to_owned)
}

fn resolve(base: &str, relative: &str) -> String {
    let mut components: Vec<&str> = if relative.starts_with('/') { Vec::new() } else { base.split('/').filter(|c| !c.is_empty()).collect() };
    for component in relative.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                components.pop();
            }
            other => components.push(other),
        }
    }
    format!("/{}", components.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYYAML: &str = "\
Metadata-Version: 2.1
Name: PyYAML
Version: 5.3
Summary: YAML parser and emitter for Python
License: MIT
Platform: Any
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=2.7, !=3.0.*

YAML is a data serialization format designed for human readability
License: not a header, part of the description
";

    #[test]
    fn metadata_fields_and_site_packages() {
        let location = "/usr/local/lib/python3.13/dist-packages/pyyaml-5.3.dist-info/METADATA";
        let package = parse_metadata(PYYAML, location).unwrap();

        assert_eq!(package.name, "PyYAML");
        assert_eq!(package.version, "5.3");
        assert_eq!(package.licenses, ["MIT"]);
        assert_eq!(package.metadata["site_packages"], "/usr/local/lib/python3.13/dist-packages");
        assert_eq!(package.locations, [location]);
    }

    #[test]
    fn license_expression_wins() {
        let text = "Name: certifi\nVersion: 2025.8.3\nLicense-Expression: MPL-2.0\nLicense: Mozilla\n";
        assert_eq!(parse_metadata(text, "/x/a.dist-info/METADATA").unwrap().licenses, ["MPL-2.0"]);
    }

    #[test]
    fn classifiers_when_license_unknown() {
        let text = "\
Name: chardet
Version: 3.0.4
License: UNKNOWN
Classifier: License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)
Classifier: License :: OSI Approved :: BSD License
";
        let package = parse_metadata(text, "/x/chardet.egg-info/PKG-INFO").unwrap();
        assert_eq!(package.licenses, ["GNU Library or Lesser General Public License (LGPL)", "BSD License"]);
    }

    #[test]
    fn long_license_text_falls_back() {
        let text = "Name: x\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n";
        assert_eq!(parse_metadata(text, "/x/x.dist-info/METADATA").unwrap().licenses, ["MIT License"]);
    }

    #[test]
    fn version_kept_as_written() {
        let text = "Name: Foo_Bar\nVersion: 1.0.0-RC1\n";
        let package = parse_metadata(text, "/x/foo.dist-info/METADATA").unwrap();
        assert_eq!(package.version, "1.0.0-RC1");
        assert_eq!(package.name, "Foo_Bar");
    }

    #[test]
    fn missing_version_names_package() {
        let error = parse_metadata("Metadata-Version: 2.1\nName: broken\n", "/x").unwrap_err();
        assert!(error.to_string().contains("`broken`"), "{error}");
    }

    #[test]
    fn site_packages_of_each_layout() {
        assert_eq!(site_packages_of("/usr/lib/python3/dist-packages/six-1.16.0.egg-info"), "/usr/lib/python3/dist-packages");
        assert_eq!(site_packages_of("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"), "/usr/lib/python3/dist-packages");
        assert_eq!(site_packages_of("/opt/site-packages/tool-1.0-py3.11.egg/EGG-INFO/PKG-INFO"), "/opt/site-packages");
        assert_eq!(site_packages_of("/opt/site-packages/tool-1.0-py3.11.egg"), "/opt/site-packages");
    }

    fn zipped_egg(members: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;

        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in members {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn zipped_egg_pkg_info() {
        let egg = zipped_egg(&[("tool/__init__.py", ""), ("EGG-INFO/PKG-INFO", "Metadata-Version: 1.2\nName: tool\nVersion: 1.0\n")]);
        let text = read_zipped_pkg_info(egg).unwrap();
        assert_eq!(parse_metadata(&text, "/s/tool-1.0-py3.11.egg").unwrap().version, "1.0");
    }

    #[test]
    fn zipped_egg_errors() {
        let without_pkg_info = zipped_egg(&[("tool/__init__.py", "")]);
        let missing = read_zipped_pkg_info(without_pkg_info).unwrap_err().to_string();
        assert!(missing.contains("`EGG-INFO/PKG-INFO`"), "{missing}");

        let corrupt = read_zipped_pkg_info(b"PK\x03\x04 not a zip".to_vec()).unwrap_err().to_string();
        assert!(corrupt.contains("invalid zip archive"), "{corrupt}");
    }

    #[test]
    fn record_paths_resolved() {
        let record = "\
../../../bin/chardetect,sha256=EF9X6ThcmPtgDjkqLFdVDhyHtPLbmbRgXSdJb5rVkJk,169
chardet/__init__.py,sha256=YsP5wQlsHJ2auF1RZJfypiSrCA7_bQiRm3ES_NI76-Y,1559
\"chardet/odd,name.py\",,
chardet-3.0.4.dist-info/RECORD,,
";
        let files = parse_record(record, "/usr/local/lib/python3.13/dist-packages");
        assert_eq!(
            files,
            [
                "/usr/local/bin/chardetect",
                "/usr/local/lib/python3.13/dist-packages/chardet/__init__.py",
                "/usr/local/lib/python3.13/dist-packages/chardet/odd,name.py",
                "/usr/local/lib/python3.13/dist-packages/chardet-3.0.4.dist-info/RECORD",
            ]
        );
    }
}
