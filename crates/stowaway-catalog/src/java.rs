//! Java archives: jars, wars, ears and the Jenkins plugin archives (`.jpi`, `.hpi`), with the
//! archives nested in them (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, jars in ears).
//!
//! Each archive is identified by the first of these that names it:
//!
//! 1. `META-INF/maven/GROUP/ARTIFACT/pom.properties`, written by Maven when it builds the jar:
//!    `groupId`, `artifactId` and `version` are authoritative. A shaded (fat) jar contains one per
//!    bundled artifact, and each becomes a package.
//! 2. `META-INF/MANIFEST.MF`: the version from `Implementation-Version`, `Bundle-Version` or
//!    `Specification-Version`; the group from `Implementation-Vendor-Id`, which Maven sets to the
//!    group id.
//! 3. The file name, `ARTIFACT-VERSION.jar`, split before the last `-` that a digit follows:
//!    `log4j-core-2.14.1.jar` is `log4j-core` 2.14.1 and `guava-31.1-jre.jar` is `guava`
//!    31.1-jre. The name also comes from there when the manifest gives the version, because
//!    manifest titles are prose (`Apache Log4j Core`). A file name without a version
//!    (`app.jar`) gives way to the manifest's `Implementation-Title`, `Bundle-SymbolicName` or
//!    `Specification-Title`.
//!
//! Nested archives are read in memory, at most [`ArchiveLimits::max_depth`] levels deep and
//! within [`ArchiveLimits::max_uncompressed_bytes`] per outer archive, so a zip bomb stops at the
//! limit. Their packages are located at `/outer.war!WEB-INF/lib/inner.jar`.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use sha1::{Digest, Sha1};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};
use zip::ZipArchive;
use zip::result::ZipError;

use crate::catalogers::{Attribution, Cataloger, PartialPackages, error_chain, package_codec};

/// The largest archive read from the image. A larger one becomes a warning naming it.
const MAX_ARCHIVE_BYTES: u64 = 256 << 20;

/// The largest `pom.properties` or manifest read; real ones are a few KiB at most.
const MAX_METADATA_BYTES: u64 = 1 << 20;

/// The maximum number of problems reported for one archive of the image and its nested archives.
const MAX_PROBLEMS: usize = 20;

const EXTENSIONS: &[&str] = &["jar", "war", "ear", "jpi", "hpi"];

/// Bounds on reading the archives nested in one archive of the image.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArchiveLimits {
    /// How many levels of nested archives are opened; the archive of the image is level 0.
    pub(crate) max_depth: usize,
    /// The maximum number of bytes decompressed from one archive of the image and everything
    /// nested in it.
    pub(crate) max_uncompressed_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> ArchiveLimits {
        // NOTE: an estimate. Spring Boot jars of large services contain about 150 MiB of nested
        // jars, and the budget leaves room for that while keeping a zip bomb from filling memory.
        ArchiveLimits { max_depth: 4, max_uncompressed_bytes: 512 << 20 }
    }
}

/// Reads Java archives.
pub(crate) struct JavaCataloger {
    interest: Interest,
    codec: FactCodec,
    limits: ArchiveLimits,
}

impl JavaCataloger {
    pub(crate) fn new() -> JavaCataloger {
        let patterns = EXTENSIONS.iter().map(|extension| format!("**/*.{extension}"));
        let interest = Interest::globs(patterns, MAX_ARCHIVE_BYTES).expect("java patterns are valid globs");
        let limits = ArchiveLimits::default();
        let codec = package_codec(&format!("java {limits:?}")).with::<PartialPackages>();
        JavaCataloger { interest, codec, limits }
    }
}

impl Analyzer for JavaCataloger {
    fn name(&self) -> &str {
        "java"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        if file.is_truncated(&self.interest) {
            return Err(format!("archive of {} bytes exceeds the limit of {MAX_ARCHIVE_BYTES} bytes and was not read", file.entry.size).into());
        }
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;

        let found = read_archive(&bytes, &file.path.to_string(), self.limits).map_err(|error| error_chain(&error))?;
        if found.problems.is_empty() {
            Ok(Some(Box::new(found.packages)))
        } else {
            Ok(Some(Box::new(found)))
        }
    }
}

impl Cataloger for JavaCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Errors reading one archive or one of its entries.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArchiveError {
    /// The archive is not a readable zip file.
    #[error("failed to open the zip archive")]
    Open(#[source] ZipError),
    /// An entry's header cannot be read, or it uses a compression method other than deflate.
    #[error("failed to open entry `{entry}`")]
    Entry {
        entry: String,
        #[source]
        source: ZipError,
    },
    /// An entry's compressed data is corrupt.
    #[error("failed to decompress entry `{entry}`")]
    Read {
        entry: String,
        #[source]
        source: std::io::Error,
    },
    /// An entry decompresses to more than its limit.
    #[error("entry `{entry}` decompresses to more than the limit of {limit} bytes")]
    EntryTooLarge { entry: String, limit: u64 },
    /// The archive and its nested archives decompress to more than the budget of the archive of
    /// the image.
    #[error("entry `{entry}` exceeds the limit of {limit} uncompressed bytes for one archive and its nested archives")]
    BudgetExhausted { entry: String, limit: u64 },
}

/// Reads an archive and its nested archives. Fails only when the archive itself cannot be
/// opened. A nested archive or an entry that cannot be read becomes one of the problems
/// returned beside the packages.
pub(crate) fn read_archive(bytes: &[u8], location: &str, limits: ArchiveLimits) -> Result<PartialPackages, ArchiveError> {
    let mut reader = ArchiveReader { limits, remaining: limits.max_uncompressed_bytes, packages: Vec::new(), problems: Vec::new() };
    reader.read(bytes, location, 0)?;
    Ok(PartialPackages { packages: reader.packages, problems: reader.problems })
}

struct ArchiveReader {
    limits: ArchiveLimits,
    /// Bytes left to decompress for the archive of the image.
    remaining: u64,
    packages: Vec<Package>,
    problems: Vec<String>,
}

/// The entries of one archive that identify it or hold other archives.
#[derive(Default)]
struct Contents {
    pom_properties: Vec<(usize, String)>,
    manifest: Option<(usize, String)>,
    nested: Vec<(usize, String)>,
}

impl ArchiveReader {
    fn read(&mut self, bytes: &[u8], location: &str, depth: usize) -> Result<(), ArchiveError> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(ArchiveError::Open)?;
        let contents = list_contents(&archive);

        let mut pom_properties = Vec::new();
        for (index, name) in &contents.pom_properties {
            match self.read_entry(&mut archive, *index, name, Some(MAX_METADATA_BYTES)) {
                Ok(text) => pom_properties.push((name.clone(), parse_properties(&String::from_utf8_lossy(&text)))),
                Err(error) => self.problem(location, &error),
            }
        }
        let manifest = match &contents.manifest {
            Some((index, name)) => match self.read_entry(&mut archive, *index, name, Some(MAX_METADATA_BYTES)) {
                Ok(text) => Some(parse_manifest(&String::from_utf8_lossy(&text))),
                Err(error) => {
                    self.problem(location, &error);
                    None
                }
            },
            None => None,
        };

        let file_name = location.rsplit(['/', '!']).next().unwrap_or(location);
        let sha1 = hex::encode(Sha1::digest(bytes));
        self.packages.extend(identify(&pom_properties, manifest.as_ref(), file_name, location, &sha1));

        for (index, name) in &contents.nested {
            let nested_location = format!("{location}!{name}");
            if depth + 1 > self.limits.max_depth {
                let max_depth = self.limits.max_depth;
                self.push_problem(format!("nested archive `{nested_location}` is more than {max_depth} levels deep and was not opened"));
                continue;
            }
            let nested = match self.read_entry(&mut archive, *index, name, None) {
                Ok(nested) => nested,
                Err(error) => {
                    self.problem(location, &error);
                    continue;
                }
            };
            if let Err(error) = self.read(&nested, &nested_location, depth + 1) {
                self.problem(&nested_location, &error);
            }
        }
        Ok(())
    }

    /// Decompresses one entry, at most `entry_limit` bytes when given and within the remaining
    /// budget. The size an entry declares is checked first but not trusted, because reading
    /// stops at the limit whatever the header declares.
    fn read_entry(&mut self, archive: &mut ZipArchive<Cursor<&[u8]>>, index: usize, name: &str, entry_limit: Option<u64>) -> Result<Vec<u8>, ArchiveError> {
        let entry = archive.by_index(index).map_err(|source| ArchiveError::Entry { entry: name.to_owned(), source })?;
        let allowed = entry_limit.unwrap_or(u64::MAX).min(self.remaining);
        let exceeded = || match entry_limit {
            Some(limit) if limit <= self.remaining => ArchiveError::EntryTooLarge { entry: name.to_owned(), limit },
            _ => ArchiveError::BudgetExhausted { entry: name.to_owned(), limit: self.limits.max_uncompressed_bytes },
        };
        if entry.size() > allowed {
            return Err(exceeded());
        }

        let mut bytes = Vec::new();
        entry.take(allowed + 1).read_to_end(&mut bytes).map_err(|source| ArchiveError::Read { entry: name.to_owned(), source })?;
        if bytes.len() as u64 > allowed {
            return Err(exceeded());
        }
        self.remaining -= bytes.len() as u64;
        Ok(bytes)
    }

    fn problem(&mut self, location: &str, error: &ArchiveError) {
        self.push_problem(format!("`{location}`: {}", error_chain(error)));
    }

    /// Records a problem, up to [`MAX_PROBLEMS`] per archive of the image so that a crafted
    /// archive of many broken entries yields a bounded number of warnings.
    fn push_problem(&mut self, message: String) {
        match self.problems.len() {
            count if count < MAX_PROBLEMS => self.problems.push(message),
            MAX_PROBLEMS => self.problems.push(format!("more than {MAX_PROBLEMS} problems in this archive, so the others are not listed")),
            _ => {}
        }
    }
}

/// Sorts the entry names into the ones this cataloger reads. Names that are not valid UTF-8 or
/// CP437 are skipped.
fn list_contents(archive: &ZipArchive<Cursor<&[u8]>>) -> Contents {
    let mut contents = Contents::default();
    for index in 0..archive.len() {
        let Some(Ok(name)) = archive.name_for_index(index) else { continue };
        if name.ends_with('/') {
            continue;
        }
        let name = name.into_owned();
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            contents.pom_properties.push((index, name));
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            contents.manifest = Some((index, name));
        } else if is_archive_name(&name) {
            contents.nested.push((index, name));
        }
    }
    contents
}

fn is_archive_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, extension)| EXTENSIONS.iter().any(|known| extension.eq_ignore_ascii_case(known)))
}

/// Names the packages of one archive from its `pom.properties` files, else from its manifest
/// and file name.
fn identify(pom_properties: &[(String, BTreeMap<String, String>)], manifest: Option<&BTreeMap<String, String>>, file_name: &str, location: &str, sha1: &str) -> Vec<Package> {
    let mut packages: Vec<Package> = Vec::new();
    for (path, properties) in pom_properties {
        let (Some(artifact), Some(version)) = (properties.get("artifactId"), properties.get("version")) else {
            tracing::debug!(location, path, "pom.properties without artifactId or version");
            continue;
        };
        let group = properties.get("groupId").filter(|group| !group.is_empty());
        let package = maven_package(group, artifact, version, "pom.properties", location, sha1);
        if !packages.iter().any(|known| known.name == package.name && known.version == package.version) {
            packages.push(package);
        }
    }
    if !packages.is_empty() {
        return packages;
    }

    let (file_artifact, file_version) = split_file_name(file_name);
    let manifest_field = |names: &[&str]| {
        let manifest = manifest?;
        names.iter().find_map(|name| manifest.get(&name.to_ascii_lowercase())).filter(|value| !value.is_empty())
    };
    let manifest_version = manifest_field(&["Implementation-Version", "Bundle-Version", "Specification-Version"]);
    let artifact = match file_version {
        Some(_) => file_artifact.to_owned(),
        None => manifest_field(&["Implementation-Title", "Bundle-SymbolicName", "Specification-Title"])
            .map(|name| name.split(';').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_else(|| file_artifact.to_owned()),
    };
    let (version, source) = match (manifest_version, file_version) {
        (Some(version), _) => (version.clone(), "manifest"),
        (None, Some(version)) => (version.to_owned(), "file name"),
        (None, None) => {
            // NOTE: an archive with no version anywhere is not reported, because a package
            // without a version can be matched against no advisory.
            tracing::debug!(location, "no version in pom.properties, manifest or file name");
            return packages;
        }
    };
    // OSGi bundles name themselves `GROUP.ARTIFACT` (`org.mongodb.bson` for `org.mongodb:bson`),
    // so a symbolic name that ends with the artifact gives the group when Maven's own
    // `Implementation-Vendor-Id` is missing.
    let bundle_group = manifest_field(&["Bundle-SymbolicName"])
        .and_then(|name| name.split(';').next())
        .and_then(|name| name.trim().strip_suffix(artifact.as_str())?.strip_suffix('.').map(str::to_owned))
        .filter(|group| !group.is_empty());
    let group = manifest_field(&["Implementation-Vendor-Id"]).cloned().or(bundle_group);
    let mut package = maven_package(group.as_ref(), &artifact, &version, source, location, sha1);
    for (field, key) in [
        ("implementation-title", "implementation_title"),
        ("implementation-vendor", "implementation_vendor"),
        ("bundle-symbolicname", "bundle_symbolic_name"),
    ] {
        if let Some(value) = manifest.and_then(|manifest| manifest.get(field)) {
            package.metadata.insert(key.into(), value.clone());
        }
    }
    packages.push(package);
    packages
}

fn maven_package(group: Option<&String>, artifact: &str, version: &str, source: &str, location: &str, sha1: &str) -> Package {
    let name = match group {
        Some(group) => format!("{group}:{artifact}"),
        None => artifact.to_owned(),
    };
    let mut package = Package::new(PackageKind::Maven, name, version, location);
    if let Some(group) = group {
        package.metadata.insert("group_id".into(), group.clone());
    }
    package.metadata.insert("artifact_id".into(), artifact.to_owned());
    package.metadata.insert("source".into(), source.to_owned());
    package.metadata.insert("sha1".into(), sha1.to_owned());
    package
}

/// Splits `ARTIFACT-VERSION.jar` before the last `-` that a digit follows. Returns the stem
/// and no version when there is no such `-`.
pub(crate) fn split_file_name(file_name: &str) -> (&str, Option<&str>) {
    let stem = match file_name.rsplit_once('.') {
        Some((stem, extension)) if EXTENSIONS.iter().any(|known| extension.eq_ignore_ascii_case(known)) => stem,
        _ => file_name,
    };
    let split = stem.char_indices().rev().find(|&(index, c)| c == '-' && index > 0 && stem[index + 1..].starts_with(|next: char| next.is_ascii_digit()));
    match split {
        Some((index, _)) => (&stem[..index], Some(&stem[index + 1..])),
        None => (stem, None),
    }
}

/// Parses Java properties as Maven writes `pom.properties`: `key=value` or `key: value`
/// lines, `#` and `!` comments, backslash escapes. Line continuations are not joined, because
/// Maven writes none.
pub(crate) fn parse_properties(text: &str) -> BTreeMap<String, String> {
    let mut properties = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with(['#', '!']) {
            continue;
        }
        let split = line.find(['=', ':']);
        let (key, value) = match split {
            Some(at) => (&line[..at], &line[at + 1..]),
            None => (line, ""),
        };
        properties.insert(unescape(key.trim()), unescape(value.trim()));
    }
    properties
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => out.extend(chars.next()),
            (c, false) => out.push(c),
        }
    }
    out
}

/// Parses the main section of a manifest into lowercase field names and values. Lines longer
/// than 72 bytes continue on lines that start with one space; the main section ends at the
/// first empty line.
pub(crate) fn parse_manifest(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(continued) = line.strip_prefix(' ') {
            if let Some(value) = last.as_ref().and_then(|key| fields.get_mut(key)) {
                let value: &mut String = value;
                value.push_str(continued);
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim().to_ascii_lowercase();
            fields.insert(key.clone(), value.trim().to_owned());
            last = Some(key);
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer.start_file(*name, SimpleFileOptions::default()).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    const POM: &[u8] = b"groupId=com.example\nartifactId=lib\nversion=1.0\n";

    #[test]
    fn budget_spans_nested_archives() {
        let inner = archive(&[("META-INF/maven/com.example/lib/pom.properties", POM), ("data.bin", &[7; 300_000])]);
        let outer = archive(&[("lib/a.jar", &inner), ("lib/b.jar", &inner), ("lib/c.jar", &inner)]);
        // Each nested jar costs its own size plus its pom.properties: room for two and a half.
        let per_jar = (inner.len() + POM.len()) as u64;
        let limits = ArchiveLimits { max_depth: 4, max_uncompressed_bytes: per_jar * 5 / 2 };

        let found = read_archive(&outer, "/outer.jar", limits).unwrap();
        let locations: Vec<&str> = found.packages.iter().map(|p| p.locations[0].as_str()).collect();
        assert_eq!(locations, ["/outer.jar!lib/a.jar", "/outer.jar!lib/b.jar"]);
        assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
        assert!(found.problems[0].contains("`lib/c.jar` exceeds the limit of"), "{}", found.problems[0]);
        assert!(found.problems[0].contains("for one archive and its nested archives"), "{}", found.problems[0]);
    }

    #[test]
    fn executable_jar_with_script_prefix() {
        // Spring Boot's "fully executable" jars start with a shell script before the zip data.
        let jar = archive(&[("META-INF/maven/com.example/lib/pom.properties", POM)]);
        let prefixed = [&b"#!/bin/bash\nexec java -jar \"$0\" \"$@\"\n"[..], &jar].concat();

        let found = read_archive(&prefixed, "/app/app.jar", ArchiveLimits::default()).unwrap();
        assert_eq!(found.packages.len(), 1, "{:?}", found.problems);
        assert_eq!(found.packages[0].name, "com.example:lib");
    }

    #[test]
    fn understated_entry_size_is_not_trusted() {
        // Rewrite the declared uncompressed size of the nested jar to 100 bytes in the local
        // and central headers, as a crafted bomb would.
        let inner = archive(&[("META-INF/maven/com.example/lib/pom.properties", POM), ("zeros.bin", &vec![0; 4 << 20])]);
        let mut outer = archive(&[("lib/bomb.jar", &inner)]);
        let local = outer.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        outer[local + 22..local + 26].copy_from_slice(&100u32.to_le_bytes());
        let central = outer.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        outer[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
        let limits = ArchiveLimits { max_depth: 4, max_uncompressed_bytes: 1 << 20 };

        let found = read_archive(&outer, "/outer.jar", limits).unwrap();
        assert!(found.packages.is_empty());
        assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
        assert!(found.problems[0].contains("lib/bomb.jar"), "{}", found.problems[0]);
        // The zip reader itself stops at the declared size, before the budget is reached.
        assert!(found.problems[0].contains("failed to decompress entry"), "{}", found.problems[0]);
    }

    #[test]
    fn file_name_versions() {
        assert_eq!(split_file_name("log4j-core-2.14.1.jar"), ("log4j-core", Some("2.14.1")));
        assert_eq!(split_file_name("guava-31.1-jre.jar"), ("guava", Some("31.1-jre")));
        assert_eq!(split_file_name("foo-1.0-SNAPSHOT.war"), ("foo", Some("1.0-SNAPSHOT")));
        assert_eq!(split_file_name("log4j-1.2-1.2.17.jar"), ("log4j-1.2", Some("1.2.17")));
        assert_eq!(split_file_name("httpclient.jar"), ("httpclient", None));
        assert_eq!(split_file_name("app.JAR"), ("app", None));
    }

    #[test]
    fn properties_format() {
        let text = "#Generated by Maven\n#Thu Dec 22 14:49:00 UTC 2022\nversion=2.19.0\ngroupId = org.apache.logging.log4j\nartifactId: log4j-core\npath=C\\:\\\\x\n";
        let properties = parse_properties(text);

        assert_eq!(properties["version"], "2.19.0");
        assert_eq!(properties["groupId"], "org.apache.logging.log4j");
        assert_eq!(properties["artifactId"], "log4j-core");
        assert_eq!(properties["path"], "C:\\x");
        assert_eq!(properties.len(), 4);
    }

    #[test]
    fn manifest_main_section() {
        let text = "Manifest-Version: 1.0\r\nImplementation-Title: Apache Log4j Co\r\n re\r\nBundle-Version: 2.19.0\r\n\r\nName: org/x/\r\nImplementation-Version: 9\r\n";
        let manifest = parse_manifest(text);

        assert_eq!(manifest["implementation-title"], "Apache Log4j Core");
        assert_eq!(manifest["bundle-version"], "2.19.0");
        assert_eq!(manifest.get("implementation-version"), None);
    }

    #[test]
    fn manifest_version_file_name_artifact() {
        let manifest = parse_manifest("Implementation-Title: Apache Commons Codec\nImplementation-Version: 1.18.0\nImplementation-Vendor-Id: commons-codec\n");
        let packages = identify(&[], Some(&manifest), "commons-codec-1.18.0.jar", "/x.jar", "00");

        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "commons-codec:commons-codec");
        assert_eq!(packages[0].version, "1.18.0");
        assert_eq!(packages[0].metadata["source"], "manifest");
        assert_eq!(packages[0].metadata["implementation_title"], "Apache Commons Codec");
    }

    #[test]
    fn unversioned_file_name_uses_title() {
        let bundle = parse_manifest("Bundle-SymbolicName: org.mongodb.bson\nBundle-Version: 3.6.3\nBundle-Name: bson\n");
        let packages = identify(&[], Some(&bundle), "bson-3.6.3.jar", "/usr/share/java/bson-3.6.3.jar", "00");
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "org.mongodb:bson");
        assert_eq!(packages[0].metadata.get("group_id").map(String::as_str), Some("org.mongodb"));

        let manifest = parse_manifest("Bundle-SymbolicName: org.example.service;singleton:=true\nBundle-Version: 3.2.1\n");
        let packages = identify(&[], Some(&manifest), "app.jar", "/app/app.jar", "00");
        assert_eq!(packages[0].name, "org.example.service");
        assert_eq!(packages[0].version, "3.2.1");

        let packages = identify(&[], None, "app.jar", "/app/app.jar", "00");
        assert!(packages.is_empty());
    }
}
