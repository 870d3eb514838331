//! Debian packages: `/var/lib/dpkg/status`, the per-package files of distroless images under
//! `/var/lib/dpkg/status.d/`, and the file lists under `/var/lib/dpkg/info/`.

use std::collections::HashMap;
use std::io::Read;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, ImageView, Interest};
use stowaway_model::{Package, PackageKind, SourcePackage};

use crate::catalogers::{Attribution, Cataloger, package_codec};

/// The largest dpkg database file read. A full Debian desktop's status file is about 3 MiB.
const MAX_STATUS_BYTES: u64 = 64 << 20;

const STATUS: &[u8] = b"var/lib/dpkg/status";
const STATUS_D: &[u8] = b"var/lib/dpkg/status.d/";
const INFO: &[u8] = b"var/lib/dpkg/info/";

/// The files a package owns, from `/var/lib/dpkg/info/NAME[:ARCH].list`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct FileList {
    package: String,
    files: Vec<String>,
}

/// Reads dpkg's database.
pub(crate) struct DpkgCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl DpkgCataloger {
    pub(crate) fn new() -> DpkgCataloger {
        let patterns = ["var/lib/dpkg/status", "var/lib/dpkg/status.d/*", "var/lib/dpkg/info/*.list"];
        DpkgCataloger { interest: Interest::globs(patterns, MAX_STATUS_BYTES).expect("dpkg patterns are valid globs"), codec: package_codec("dpkg").with::<FileList>() }
    }
}

impl Analyzer for DpkgCataloger {
    fn name(&self) -> &str {
        "dpkg"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let path = file.path.as_bytes();
        // Distroless images keep `NAME.md5sums` beside each stanza file; those are checksums.
        if path.starts_with(STATUS_D) && path.ends_with(b".md5sums") {
            return Ok(None);
        }
        if file.is_truncated(&self.interest) {
            return Err(format!("file of {} bytes exceeds the dpkg database limit of {MAX_STATUS_BYTES} bytes", file.entry.size).into());
        }

        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes);

        if path.starts_with(INFO) {
            let name = String::from_utf8_lossy(file.path.file_name());
            let package = name.trim_end_matches(".list").split(':').next().unwrap_or_default().to_owned();
            let files = text.lines().filter(|line| !line.is_empty() && *line != "/.").map(str::to_owned).collect();
            return Ok(Some(Box::new(FileList { package, files })));
        }

        let location = file.path.to_string();
        let require_status = path == STATUS;
        let packages = parse_status(&text, &location, require_status)?;
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for DpkgCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::Database
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }

    fn finish(&self, view: &ImageView, analyzer: usize, packages: &mut [Package]) {
        let mut lists: HashMap<&str, &Vec<String>> = HashMap::new();
        for (_, _, list) in view.visible_facts::<FileList>(analyzer) {
            lists.insert(list.package.as_str(), &list.files);
        }
        for package in packages.iter_mut().filter(|package| package.kind == PackageKind::Deb) {
            if let Some(files) = lists.get(package.name.as_str()) {
                package.files = (*files).clone();
            }
        }
    }
}

/// Parses a status file (or one distroless stanza file) into the packages it lists as
/// installed.
///
/// The second and third words of `Status:` decide: `config-files` and `not-installed` packages
/// are gone from the system and are dropped; packages caught mid-install (`half-configured`,
/// `unpacked`, ...) are kept, because their files are on disk, and flagged in the `status`
/// metadata. Distroless stanza files have no `Status:` at all and are installed.
pub(crate) fn parse_status(text: &str, location: &str, require_status: bool) -> Result<Vec<Package>, AnalyzerError> {
    let mut packages = Vec::new();
    for stanza in stanzas(text) {
        let field = |name: &str| stanza.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str());

        let (Some(name), Some(version)) = (field("Package"), field("Version")) else {
            if field("Package").is_some() {
                return Err(format!("stanza of package `{}` has no Version field", field("Package").unwrap_or_default()).into());
            }
            continue;
        };

        let state = field("Status").and_then(|status| status.split_whitespace().nth(2));
        match state {
            Some("not-installed" | "config-files") => continue,
            None if require_status => continue,
            _ => {}
        }

        let mut package = Package::new(PackageKind::Deb, name, version, location);
        package.architecture = field("Architecture").map(str::to_owned);
        package.source = field("Source").map(parse_source);
        if let Some(state) = state.filter(|state| *state != "installed") {
            package.metadata.insert("status".into(), state.to_owned());
        }
        if let Some(size) = field("Installed-Size") {
            package.metadata.insert("installed_size_kib".into(), size.to_owned());
        }
        if let Some(maintainer) = field("Maintainer") {
            package.metadata.insert("maintainer".into(), maintainer.to_owned());
        }
        packages.push(package);
    }
    Ok(packages)
}

/// `Source: openssl (3.0.11-1)` names the source package and, when it differs from the binary
/// package's version, the source version in parentheses.
fn parse_source(value: &str) -> SourcePackage {
    match value.split_once('(') {
        Some((name, version)) => SourcePackage {
            name: name.trim().to_owned(),
            version: Some(version.trim().trim_end_matches(')').trim().to_owned()),
        },
        None => SourcePackage { name: value.trim().to_owned(), version: None },
    }
}

/// Splits deb822 text into stanzas of `(field, value)`; continuation lines (starting with a
/// space or tab) extend the previous field's value.
fn stanzas(text: &str) -> Vec<Vec<(String, String)>> {
    let mut stanzas = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();

    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                stanzas.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if !current.is_empty() {
        stanzas.push(current);
    }
    stanzas
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS_TEXT: &str = "\
Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: git
Status: deinstall ok config-files
Architecture: amd64
Version: 1:2.39.2-1.1

Package: libssl3
Status: install ok half-configured
Architecture: amd64
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1

Package: old
Status: purge ok not-installed
Version: 1.0
";

    #[test]
    fn keeps_installed_drops_removed() {
        let packages = parse_status(STATUS_TEXT, "/var/lib/dpkg/status", true).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();

        assert_eq!(names, ["bash", "libssl3"]);
        assert_eq!(packages[0].version, "5.2.15-2+b2");
        assert!(!packages[0].metadata.contains_key("status"));
        assert_eq!(packages[1].metadata.get("status").map(String::as_str), Some("half-configured"));
    }

    #[test]
    fn source_with_own_version() {
        let packages = parse_status(STATUS_TEXT, "/var/lib/dpkg/status", true).unwrap();
        let source = packages[1].source.as_ref().unwrap();

        assert_eq!(source.name, "openssl");
        assert_eq!(source.version.as_deref(), Some("3.0.11-1~deb12u2"));
    }

    #[test]
    fn distroless_stanza_needs_no_status() {
        let text = "Package: libssl1.1\nVersion: 1.1.1n-0+deb11u3\nArchitecture: amd64\nSource: openssl\n";
        let packages = parse_status(text, "/var/lib/dpkg/status.d/libssl1.1", false).unwrap();

        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].source.as_ref().unwrap().name, "openssl");
        assert_eq!(packages[0].source.as_ref().unwrap().version, None);
    }

    #[test]
    fn missing_version_is_an_error() {
        let error = parse_status("Package: broken\nStatus: install ok installed\n", "/s", true).unwrap_err();
        assert!(error.to_string().contains("`broken`"), "{error}");
    }
}
