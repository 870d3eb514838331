//! Rust binaries built with `cargo auditable`, which embeds the dependency tree as
//! zlib-compressed JSON in a `.dep-v0` section (ELF, PE) or `__dep-v0` (Mach-O). Binaries built
//! with plain `cargo build` carry no such list and yield no packages.

use std::io::Read;

use auditable_info::Error as AuditError;
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::binary;
use crate::catalogers::{Attribution, Cataloger, package_codec};

/// The largest decompressed dependency list read. The list of a binary with 1,000 crates is
/// about 100 KiB.
const MAX_JSON_BYTES: usize = 8 << 20;

/// The section name, which also appears in the section name table of an audited binary.
const SECTION_NAME: &[u8] = b"dep-v0";

/// Reads the dependency lists of binaries built with `cargo auditable`.
pub(crate) struct RustBinaryCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl RustBinaryCataloger {
    pub(crate) fn new() -> RustBinaryCataloger {
        RustBinaryCataloger { interest: binary::binary_interest(), codec: package_codec("rust") }
    }
}

impl Analyzer for RustBinaryCataloger {
    fn name(&self) -> &str {
        "rust-binary"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn accepts(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        binary::is_executable(file, head)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        match binary::read_executable(file, &self.interest, content)? {
            Some(bytes) => self.analyze_bytes(file, &bytes),
            None => Ok(None),
        }
    }

    fn reads_whole_files(&self) -> bool {
        true
    }

    fn analyze_bytes(&self, file: &FileInfo<'_>, bytes: &[u8]) -> Result<Option<Fact>, AnalyzerError> {
        if !binary::is_whole_executable(file, &self.interest, bytes)? {
            return Ok(None);
        }
        // The crate's errors already print their cause, so the message takes no source chain.
        match packages(bytes, &file.path.to_string()) {
            Ok(packages) => Ok(packages.map(|packages| Box::new(packages) as Fact)),
            Err(error) => Err(format!("failed to read the cargo-auditable dependency list: {error}").into()),
        }
    }
}

impl Cataloger for RustBinaryCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Builds one package per crate of the embedded dependency list. Returns `None` for a binary
/// without one.
///
/// A binary that the section reader cannot parse is an error only when it names a `dep-v0`
/// section: the Go cataloger already reports executables with malformed headers, and one warning
/// per file is enough.
pub(crate) fn packages(bytes: &[u8], location: &str) -> Result<Option<Vec<Package>>, AuditError> {
    let info = match auditable_info::audit_info_from_slice(bytes, MAX_JSON_BYTES) {
        Ok(info) => info,
        Err(AuditError::NoAuditData) => return Ok(None),
        Err(AuditError::BinaryParsing(error)) if !contains(bytes, SECTION_NAME) => {
            tracing::trace!(location, %error, "executable not parsed for a cargo-auditable section");
            return Ok(None);
        }
        Err(error) => return Err(error),
    };

    let packages = info
        .packages
        .iter()
        .map(|krate| {
            let mut package = Package::new(PackageKind::Cargo, &krate.name, krate.version.to_string(), location);
            package.metadata.insert("source".into(), String::from(krate.source.clone()));
            let kind = match krate.kind {
                auditable_serde::DependencyKind::Build => "build",
                auditable_serde::DependencyKind::Runtime => "runtime",
            };
            package.metadata.insert("dependency_kind".into(), kind.into());
            if krate.root {
                package.metadata.insert("root".into(), "true".into());
            }
            package
        })
        .collect();
    Ok(Some(packages))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    pub(crate) const DEPENDENCIES: &str = r#"{"packages":[
        {"name":"tool","version":"0.3.1","source":"local","dependencies":[1,2],"root":true},
        {"name":"serde","version":"1.0.219","source":"crates.io"},
        {"name":"cc","version":"1.2.0","source":"crates.io","kind":"build"}
    ]}"#;

    /// Builds an ELF object with a `.dep-v0` section holding `json`, zlib-compressed as
    /// `cargo auditable` writes it.
    pub(crate) fn audited_elf(json: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(json).unwrap();
        let compressed = encoder.finish().unwrap();

        let mut elf = object::write::Object::new(object::BinaryFormat::Elf, object::Architecture::X86_64, object::Endianness::Little);
        let section = elf.add_section(Vec::new(), b".dep-v0".to_vec(), object::SectionKind::ReadOnlyData);
        elf.append_section_data(section, &compressed, 1);
        elf.write().unwrap()
    }

    #[test]
    fn crates_from_section() {
        let packages = packages(&audited_elf(DEPENDENCIES.as_bytes()), "/usr/local/bin/tool").unwrap().unwrap();
        let found: Vec<(&str, &str)> = packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();

        assert_eq!(found, [("tool", "0.3.1"), ("serde", "1.0.219"), ("cc", "1.2.0")]);
        assert_eq!(packages[0].metadata.get("root").map(String::as_str), Some("true"));
        assert_eq!(packages[1].metadata.get("root"), None);
        assert_eq!(packages[1].metadata["source"], "crates.io");
        assert_eq!(packages[2].metadata["dependency_kind"], "build");
        assert_eq!(packages[0].locations, ["/usr/local/bin/tool"]);
    }

    #[test]
    fn binary_without_section() {
        let mut elf = object::write::Object::new(object::BinaryFormat::Elf, object::Architecture::X86_64, object::Endianness::Little);
        let section = elf.add_section(Vec::new(), b".rodata".to_vec(), object::SectionKind::ReadOnlyData);
        elf.append_section_data(section, b"plain", 1);

        assert_eq!(packages(&elf.write().unwrap(), "/bin/plain").unwrap(), None);
    }

    #[test]
    fn malformed_list_is_error() {
        let error = packages(&audited_elf(b"{\"packages\": [oops"), "/bin/bad").unwrap_err();
        assert!(matches!(error, AuditError::Json(_)), "{error}");

        let mut corrupt = audited_elf(DEPENDENCIES.as_bytes());
        let at = corrupt.windows(2).position(|w| w == [0x78, 0x9c]).unwrap();
        corrupt[at + 2..at + 12].fill(0xff);
        assert!(packages(&corrupt, "/bin/bad").is_err());
    }
}
