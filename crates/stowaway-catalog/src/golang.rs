//! Go binaries: the build information that the Go linker embeds in every executable since Go
//! 1.13, which names the Go version, the main module, each dependency module and the build
//! settings (what `go version -m BINARY` prints).
//!
//! The blob starts with the 14-byte magic `\xff Go buildinf:`, then one byte of pointer size and
//! one byte of flags (bit 0: big-endian, bit 1: strings inline). It starts the `.go.buildinfo`
//! section (ELF, PE) or `__go_buildinfo` (Mach-O). A binary whose section headers were stripped
//! is searched for the magic instead.
//!
//! - Go 1.18 and later (strings inline): after the 32-byte header come the Go version and the
//!   module information, each a uvarint length followed by the bytes.
//! - Before Go 1.18: after the 16 bytes of magic, size and flags come two pointers, each to a Go
//!   string header (`data pointer`, `length`) of the version and of the module information, read
//!   through the segments' virtual addresses.
//!
//! The module information is framed by two 16-byte sentinels and contains tab-separated lines:
//! `path`, `mod` (the main module), `dep`, `=>` (a replacement of the line before) and `build`.

use std::io::Read;

use object::{Object, ObjectSection, ObjectSegment};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::binary;
use crate::catalogers::{Attribution, Cataloger, error_chain, package_codec};

const MAGIC: &[u8] = b"\xff Go buildinf:";

/// Size of the header of the Go 1.18+ layout, before the inline strings.
const HEADER_LEN: usize = 32;

/// The maximum length of the version or module information string read. The module information
/// of large programs (`kubectl`) is about 20 KiB, an estimate.
const MAX_STRING_LEN: u64 = 4 << 20;

/// The version main modules report when built from a work tree (`go build` in a checkout).
const DEVEL_VERSION: &str = "(devel)";

/// Reads the build information of Go binaries.
pub(crate) struct GoBinaryCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl GoBinaryCataloger {
    pub(crate) fn new() -> GoBinaryCataloger {
        GoBinaryCataloger { interest: binary::binary_interest(), codec: package_codec("go") }
    }
}

impl Analyzer for GoBinaryCataloger {
    fn name(&self) -> &str {
        "go-binary"
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
        let info = match read_build_info(bytes) {
            Ok(Some(info)) => info,
            Ok(None) => return Ok(None),
            Err(error) => return Err(error_chain(&error).into()),
        };
        let packages = packages(&info, &file.path.to_string());
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for GoBinaryCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Errors reading the build information of a file that has one, or of an executable that
/// cannot be parsed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BuildInfoError {
    /// The executable's headers are malformed.
    #[error("failed to parse the executable")]
    Object(#[source] object::Error),
    /// The build information is cut short or points outside the file.
    #[error("build information is truncated: {0}")]
    Truncated(&'static str),
    /// The pointer size byte is neither 4 nor 8.
    #[error("build information has invalid pointer size {0}")]
    PointerSize(u8),
    /// The Go version is empty, which no toolchain writes.
    #[error("build information has an empty Go version")]
    EmptyVersion,
    /// A string is longer than [`MAX_STRING_LEN`].
    #[error("build information string of {0} bytes exceeds the limit of {MAX_STRING_LEN} bytes")]
    StringTooLong(u64),
}

/// The raw build information: the Go version and the module information text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BuildInfo {
    /// The toolchain version, such as `go1.24.4`.
    pub(crate) go_version: String,
    /// The module information, sentinels removed.
    pub(crate) modules: String,
}

/// Finds and decodes the build information of an executable. Returns `None` when the file is a
/// valid executable without Go build information.
pub(crate) fn read_build_info(bytes: &[u8]) -> Result<Option<BuildInfo>, BuildInfoError> {
    let file = object::File::parse(bytes).map_err(BuildInfoError::Object)?;

    let section = file.section_by_name(".go.buildinfo").or_else(|| file.section_by_name("__go_buildinfo"));
    if let Some(section) = section {
        let data = section.data().map_err(BuildInfoError::Object)?;
        if let Some(at) = find(data, MAGIC) {
            return decode_blob(&data[at..], &file).map(Some);
        }
    }

    // Go 1.13 and later name the section in every ELF binary with section headers, so only ELF
    // files without them (`sstrip`, packers), PE and older Mach-O files are searched. The magic
    // can also appear as a constant in a program that reads build information itself (the `go`
    // command does), so each occurrence is tried until one decodes.
    if file.format() == object::BinaryFormat::Elf && file.sections().next().is_some() {
        return Ok(None);
    }
    let mut rest = bytes;
    while let Some(at) = find(rest, MAGIC) {
        if let Ok(info) = decode_blob(&rest[at..], &file) {
            return Ok(Some(info));
        }
        rest = &rest[at + MAGIC.len()..];
    }
    Ok(None)
}

/// Decodes the blob that starts with the magic.
fn decode_blob(blob: &[u8], file: &object::File<'_>) -> Result<BuildInfo, BuildInfoError> {
    let header = blob.get(..HEADER_LEN).ok_or(BuildInfoError::Truncated("header"))?;
    let pointer_size = header[14];
    let flags = header[15];
    let big_endian = flags & 1 != 0;
    if pointer_size != 4 && pointer_size != 8 {
        return Err(BuildInfoError::PointerSize(pointer_size));
    }

    let (go_version, modules) = if flags & 2 != 0 {
        let (version, rest) = read_varint_string(&blob[HEADER_LEN..])?;
        let (modules, _) = read_varint_string(rest)?;
        (version.to_vec(), modules.to_vec())
    } else {
        let memory = Memory { file, pointer_size, big_endian };
        let size = usize::from(pointer_size);
        let version_address = memory.pointer(&header[16..16 + size]);
        let modules_address = memory.pointer(&header[16 + size..16 + 2 * size]);
        (memory.go_string(version_address)?, memory.go_string(modules_address)?)
    };

    if go_version.is_empty() {
        return Err(BuildInfoError::EmptyVersion);
    }
    Ok(BuildInfo {
        go_version: String::from_utf8_lossy(&go_version).into_owned(),
        modules: String::from_utf8_lossy(strip_sentinels(&modules)).into_owned(),
    })
}

/// Reads a uvarint length and that many bytes; returns them and what follows.
fn read_varint_string(data: &[u8]) -> Result<(&[u8], &[u8]), BuildInfoError> {
    let mut length: u64 = 0;
    let mut shift = 0;
    let mut position = 0;
    loop {
        let byte = *data.get(position).ok_or(BuildInfoError::Truncated("string length"))?;
        position += 1;
        if shift > 63 {
            return Err(BuildInfoError::Truncated("string length overflows"));
        }
        length |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }

    if length > MAX_STRING_LEN {
        return Err(BuildInfoError::StringTooLong(length));
    }
    let end = position + length as usize;
    let text = data.get(position..end).ok_or(BuildInfoError::Truncated("string"))?;
    Ok((text, &data[end..]))
}

/// Removes the 16-byte sentinels that frame the module information since Go 1.13, the way
/// `debug/buildinfo` does: only when the text ends with a newline before the closing sentinel.
fn strip_sentinels(modules: &[u8]) -> &[u8] {
    if modules.len() >= 33 && modules[modules.len() - 17] == b'\n' {
        &modules[16..modules.len() - 16]
    } else {
        modules
    }
}

/// The virtual memory of an executable, for the pointers of the pre-1.18 layout.
struct Memory<'a, 'data> {
    file: &'a object::File<'data>,
    pointer_size: u8,
    big_endian: bool,
}

impl Memory<'_, '_> {
    fn pointer(&self, bytes: &[u8]) -> u64 {
        match (self.pointer_size, self.big_endian) {
            (4, false) => u64::from(u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"))),
            (4, true) => u64::from(u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"))),
            (_, false) => u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
            (_, true) => u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")),
        }
    }

    fn read(&self, address: u64, size: u64) -> Result<&[u8], BuildInfoError> {
        for segment in self.file.segments() {
            if let Ok(Some(data)) = segment.data_range(address, size) {
                return Ok(data);
            }
        }
        Err(BuildInfoError::Truncated("pointer outside the file's segments"))
    }

    /// Reads the Go string whose header (data pointer, length) is at `address`.
    fn go_string(&self, address: u64) -> Result<Vec<u8>, BuildInfoError> {
        let size = u64::from(self.pointer_size);
        let header = self.read(address, 2 * size)?;
        let data = self.pointer(&header[..size as usize]);
        let length = self.pointer(&header[size as usize..]);
        if length > MAX_STRING_LEN {
            return Err(BuildInfoError::StringTooLong(length));
        }
        Ok(self.read(data, length)?.to_vec())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// One module line (`mod` or `dep`) with its replacement.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Module {
    pub(crate) path: String,
    pub(crate) version: String,
    pub(crate) sum: Option<String>,
    /// The `=>` line after it: another module, or a local directory with no version.
    pub(crate) replacement: Option<Box<Module>>,
}

/// The decoded module information.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Modules {
    /// The main package's import path (`path` line).
    pub(crate) main_path: Option<String>,
    /// The main module (`mod` line); absent for binaries built outside module mode, as Debian
    /// builds them.
    pub(crate) main: Option<Module>,
    pub(crate) dependencies: Vec<Module>,
    /// Build settings in order (`-ldflags`, `GOOS`, `vcs.revision`).
    pub(crate) settings: Vec<(String, String)>,
}

/// Parses the module information text. Unknown lines are skipped, as `debug/buildinfo` rejects
/// them but newer toolchains may add kinds.
pub(crate) fn parse_modules(text: &str) -> Modules {
    let mut modules = Modules::default();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        let module = || Module {
            path: fields.clone().next().unwrap_or_default().to_owned(),
            version: fields.clone().nth(1).unwrap_or_default().to_owned(),
            sum: fields.clone().nth(2).filter(|sum| !sum.is_empty()).map(str::to_owned),
            replacement: None,
        };
        match kind {
            "path" => modules.main_path = Some(module().path),
            "mod" => modules.main = Some(module()),
            "dep" => modules.dependencies.push(module()),
            "=>" => {
                let last = modules.dependencies.last_mut().or(modules.main.as_mut());
                if let Some(last) = last {
                    last.replacement = Some(Box::new(module()));
                }
            }
            "build" => {
                let setting = line.strip_prefix("build\t").unwrap_or_default();
                if let Some((key, value)) = split_setting(setting) {
                    modules.settings.push((key, value));
                }
            }
            _ => tracing::trace!(line, "unknown Go module information line"),
        }
    }
    modules
}

/// Splits `key=value`, where Go quotes a key or value that contains a space, tab, `=`, quote
/// or newline (`-ldflags="-s -w"`).
fn split_setting(setting: &str) -> Option<(String, String)> {
    let (key, value) = if let Some(quoted) = setting.strip_prefix('"') {
        let end = closing_quote(quoted)?;
        (unquote(&quoted[..end]), quoted[end + 1..].strip_prefix('=')?)
    } else {
        let (key, value) = setting.split_once('=')?;
        (key.to_owned(), value)
    };
    let value = match value.strip_prefix('"').and_then(|quoted| Some(&quoted[..closing_quote(quoted)?])) {
        Some(quoted) => unquote(quoted),
        None => value.to_owned(),
    };
    Some((key, value))
}

fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(index),
            _ => escaped = false,
        }
    }
    None
}

/// Undoes the escapes `strconv.Quote` writes for the characters Go quotes settings for.
fn unquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Turns a Go toolchain version into the module version form that advisories for the standard
/// library use (`go1.24.4` becomes `v1.24.4`). Suffixes after a space, such as
/// ` X:boringcrypto`, are dropped. Returns `None` for development toolchains (`devel +abc`).
pub(crate) fn stdlib_version(go_version: &str) -> Option<String> {
    let release = go_version.split_whitespace().next()?;
    let number = release.strip_prefix("go")?;
    number.starts_with(|c: char| c.is_ascii_digit()).then(|| format!("v{number}"))
}

/// The version a `(devel)` main module sets through the linker, as release scripts do with
/// `-ldflags "-X main.version=1.2.3"`.
fn version_from_ldflags(settings: &[(String, String)]) -> Option<String> {
    let (_, ldflags) = settings.iter().find(|(key, _)| key == "-ldflags")?;
    let mut words = ldflags.split_whitespace();
    while let Some(word) = words.next() {
        let assignment = match word {
            "-X" => words.next()?,
            _ => match word.strip_prefix("-X=") {
                Some(assignment) => assignment,
                None => continue,
            },
        };
        let assignment = assignment.trim_matches(['\'', '"']);
        if let Some((symbol, value)) = assignment.split_once('=')
            && symbol.rsplit('.').next().is_some_and(|name| name.eq_ignore_ascii_case("version"))
            && !value.is_empty()
        {
            return Some(value.to_owned());
        }
    }
    None
}

/// Builds the packages of one binary: the main module, each dependency and the standard
/// library as `stdlib`.
pub(crate) fn packages(info: &BuildInfo, location: &str) -> Vec<Package> {
    let modules = parse_modules(&info.modules);
    let mut shared = std::collections::BTreeMap::new();
    shared.insert("go_version".to_owned(), info.go_version.clone());
    if let Some(main) = &modules.main {
        shared.insert("main_module".to_owned(), main.path.clone());
    }
    if let Some(path) = &modules.main_path {
        shared.insert("main_path".to_owned(), path.clone());
    }
    let mut settings = std::collections::BTreeMap::new();
    for (key, value) in &modules.settings {
        settings.insert(format!("build:{key}"), value.clone());
    }

    let mut packages = Vec::new();
    if let Some(main) = &modules.main {
        let version = match main.version.as_str() {
            DEVEL_VERSION => version_from_ldflags(&modules.settings).unwrap_or_else(|| DEVEL_VERSION.to_owned()),
            version => version.to_owned(),
        };
        let mut package = Package::new(PackageKind::Golang, &main.path, version, location);
        package.metadata.clone_from(&shared);
        package.metadata.extend(settings.clone());
        package.metadata.insert("module_version".into(), main.version.clone());
        package.metadata.insert("main".into(), "true".into());
        packages.push(package);
    }

    for dependency in &modules.dependencies {
        packages.push(dependency_package(dependency, &shared, location));
    }

    match stdlib_version(&info.go_version) {
        Some(version) => {
            let mut package = Package::new(PackageKind::Golang, "stdlib", version, location);
            package.metadata.clone_from(&shared);
            package.metadata.extend(settings);
            packages.push(package);
        }
        None => tracing::debug!(location, go_version = %info.go_version, "Go version is not a release; no stdlib package"),
    }
    packages
}

/// Builds the package of one dependency. A dependency replaced by another module is reported as
/// the replacement, because that is the code linked in. A replacement by a local directory has
/// no version, so the original module and version are kept with the directory in the metadata.
fn dependency_package(dependency: &Module, shared: &std::collections::BTreeMap<String, String>, location: &str) -> Package {
    let replacement = dependency.replacement.as_deref();
    let (path, version, sum) = match replacement {
        Some(replacement) if !replacement.version.is_empty() => (&replacement.path, &replacement.version, &replacement.sum),
        _ => (&dependency.path, &dependency.version, &dependency.sum),
    };

    let mut package = Package::new(PackageKind::Golang, path, version, location);
    package.metadata.clone_from(shared);
    if let Some(sum) = sum {
        package.metadata.insert("h1_digest".into(), sum.clone());
    }
    if let Some(replacement) = replacement {
        if replacement.version.is_empty() {
            package.metadata.insert("replaced_by".into(), replacement.path.clone());
        } else {
            package.metadata.insert("replaces".into(), format!("{}@{}", dependency.path, dependency.version));
        }
    }
    package
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &[u8] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: &[u8] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    const MODULES: &str = "path\texample.com/tool/cmd/tool\n\
mod\texample.com/tool\t(devel)\t\n\
dep\tgithub.com/a/b\tv1.2.3\th1:abc=\n\
dep\tgolang.org/x/net\tv0.1.0\th1:old=\n\
=>\tgolang.org/x/net\tv0.38.0\th1:new=\n\
dep\texample.com/local\tv0.0.0\n\
=>\t../local\t\n\
build\t-buildmode=exe\n\
build\t-ldflags=\"-s -w -X main.version=1.4.2\"\n\
build\tGOOS=linux\n\
build\tvcs.revision=0123abcd\n";

    fn framed(modules: &str) -> Vec<u8> {
        [START, modules.as_bytes(), END].concat()
    }

    fn varint(mut value: usize, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    /// Builds a Go 1.18+ blob: magic, pointer size 8, flags (inline strings), padding, then the
    /// strings.
    fn inline_blob(version: &str, modules: &[u8]) -> Vec<u8> {
        let mut blob = MAGIC.to_vec();
        blob.extend([8, 2]);
        blob.resize(HEADER_LEN, 0);
        varint(version.len(), &mut blob);
        blob.extend(version.as_bytes());
        varint(modules.len(), &mut blob);
        blob.extend(modules);
        blob
    }

    fn elf_with_section(name: &[u8], data: &[u8]) -> Vec<u8> {
        use object::write::Object;
        let mut elf = Object::new(object::BinaryFormat::Elf, object::Architecture::X86_64, object::Endianness::Little);
        let section = elf.add_section(Vec::new(), name.to_vec(), object::SectionKind::ReadOnlyData);
        elf.append_section_data(section, data, 16);
        elf.write().unwrap()
    }

    #[test]
    fn inline_blob_in_section() {
        let elf = elf_with_section(b".go.buildinfo", &inline_blob("go1.24.4", &framed(MODULES)));
        let info = read_build_info(&elf).unwrap().unwrap();

        assert_eq!(info.go_version, "go1.24.4");
        assert!(info.modules.starts_with("path\texample.com/tool/cmd/tool\n"), "{:?}", info.modules);
        assert!(info.modules.ends_with("vcs.revision=0123abcd\n"));
    }

    #[test]
    fn mach_o_section() {
        let mut macho = object::write::Object::new(object::BinaryFormat::MachO, object::Architecture::Aarch64, object::Endianness::Little);
        let section = macho.add_section(b"__DATA".to_vec(), b"__go_buildinfo".to_vec(), object::SectionKind::Data);
        macho.append_section_data(section, &inline_blob("go1.23.0", &framed("path\tx\n")), 16);

        let info = read_build_info(&macho.write().unwrap()).unwrap().unwrap();
        assert_eq!(info.go_version, "go1.23.0");
        assert_eq!(info.modules, "path\tx\n");
    }

    #[test]
    fn inline_blob_without_section() {
        // A binary without section headers: the blob is somewhere in a segment, after a decoy
        // copy of the magic that does not decode.
        let mut data = MAGIC.to_vec();
        data.extend([3, 2, 0xff]);
        data.resize(64, 0);
        data.extend(inline_blob("go1.22.1", &framed("path\tx\n")));
        let elf = elf_with_segment(0x40_1000, &data);

        let info = read_build_info(&elf).unwrap().unwrap();
        assert_eq!(info.go_version, "go1.22.1");
        assert_eq!(info.modules, "path\tx\n");
    }

    #[test]
    fn pointer_blob_before_go_1_18() {
        // Pre-1.18 layout in one ELF segment at a known address: the header contains pointers to
        // two Go string headers, which point at the string bytes.
        let address: u64 = 0x40_1000;
        let modules = framed("path\told/tool\nmod\told/tool\tv1.0.0\t\n");

        let mut blob = MAGIC.to_vec();
        blob.extend([8, 0]);
        let headers_at = address + 32;
        blob.extend(headers_at.to_le_bytes());
        blob.extend((headers_at + 16).to_le_bytes());
        let strings_at = headers_at + 32;
        blob.extend(strings_at.to_le_bytes());
        blob.extend(8u64.to_le_bytes());
        blob.extend((strings_at + 8).to_le_bytes());
        blob.extend((modules.len() as u64).to_le_bytes());
        blob.extend(b"go1.16.5");
        blob.extend(&modules);

        let info = read_build_info(&elf_with_segment(address, &blob)).unwrap().unwrap();
        assert_eq!(info.go_version, "go1.16.5");
        assert_eq!(info.modules, "path\told/tool\nmod\told/tool\tv1.0.0\t\n");
    }

    /// Builds an executable ELF file without section headers whose one segment, loaded at
    /// `address`, contains `payload`.
    fn elf_with_segment(address: u64, payload: &[u8]) -> Vec<u8> {
        use object::write::elf::{FileHeader, ProgramHeader, Writer};
        let payload_offset: u64 = 0x1000;

        let mut bytes = Vec::new();
        let mut writer = Writer::new(object::Endianness::Little, true, &mut bytes);
        writer.reserve_file_header();
        writer.reserve_program_headers(1);
        writer.reserve_until(payload_offset);
        writer.reserve(payload.len() as u64, 1);
        writer
            .write_file_header(&FileHeader {
                os_abi: object::elf::OsAbi(0),
                abi_version: 0,
                e_type: object::elf::ET_EXEC,
                e_machine: object::elf::EM_X86_64,
                e_entry: address,
                e_flags: object::elf::FileFlags(0),
            })
            .unwrap();
        writer.write_align_program_headers();
        writer.write_program_header(&ProgramHeader {
            p_type: object::elf::PT_LOAD,
            p_flags: object::elf::PF_R,
            p_offset: payload_offset,
            p_vaddr: address,
            p_paddr: address,
            p_filesz: payload.len() as u64,
            p_memsz: payload.len() as u64,
            p_align: 0x1000,
        });
        writer.pad_until(payload_offset);
        writer.write(payload);
        bytes
    }

    #[test]
    fn elf_with_sections_is_not_searched() {
        // The magic outside `.go.buildinfo` in an ELF file with section headers is a constant
        // of some program, not build information.
        let elf = elf_with_section(b".rodata", &inline_blob("go1.22.1", &framed("path\tx\n")));
        assert_eq!(read_build_info(&elf).unwrap(), None);
    }

    #[test]
    fn not_go_and_malformed() {
        let elf = elf_with_section(b".rodata", b"hello");
        assert_eq!(read_build_info(&elf).unwrap(), None);

        let truncated = elf_with_section(b".go.buildinfo", &inline_blob("go1.24.4", b"x")[..34]);
        let error = read_build_info(&truncated).unwrap_err();
        assert!(error.to_string().contains("truncated"), "{error}");

        let error = read_build_info(b"\x7fELF\x02\x01\x01garbage").unwrap_err();
        assert!(matches!(error, BuildInfoError::Object(_)), "{error}");
    }

    #[test]
    fn oversized_length_is_rejected() {
        let mut blob = MAGIC.to_vec();
        blob.extend([8, 2]);
        blob.resize(HEADER_LEN, 0);
        blob.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
        let elf = elf_with_section(b".go.buildinfo", &blob);
        assert!(matches!(read_build_info(&elf), Err(BuildInfoError::StringTooLong(_))));
    }

    #[test]
    fn modules_with_replacements() {
        let modules = parse_modules(MODULES);

        assert_eq!(modules.main_path.as_deref(), Some("example.com/tool/cmd/tool"));
        assert_eq!(modules.main.as_ref().unwrap().version, "(devel)");
        assert_eq!(modules.dependencies.len(), 3);
        assert_eq!(modules.dependencies[1].replacement.as_ref().unwrap().version, "v0.38.0");
        assert_eq!(modules.dependencies[2].replacement.as_ref().unwrap().path, "../local");
        assert_eq!(modules.settings[1], ("-ldflags".to_owned(), "-s -w -X main.version=1.4.2".to_owned()));
        assert_eq!(modules.settings[3], ("vcs.revision".to_owned(), "0123abcd".to_owned()));
    }

    #[test]
    fn packages_of_binary() {
        let info = BuildInfo { go_version: "go1.24.4".into(), modules: MODULES.into() };
        let packages = packages(&info, "/usr/bin/tool");
        let found: Vec<(&str, &str)> = packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();

        assert_eq!(
            found,
            [
                ("example.com/tool", "1.4.2"),
                ("github.com/a/b", "v1.2.3"),
                ("golang.org/x/net", "v0.38.0"),
                ("example.com/local", "v0.0.0"),
                ("stdlib", "v1.24.4"),
            ]
        );
        let main = &packages[0].metadata;
        assert_eq!(main["module_version"], "(devel)");
        assert_eq!(main["build:GOOS"], "linux");
        assert_eq!(main["build:vcs.revision"], "0123abcd");
        assert_eq!(packages[1].metadata["main_module"], "example.com/tool");
        assert_eq!(packages[2].metadata["replaces"], "golang.org/x/net@v0.1.0");
        assert_eq!(packages[3].metadata["replaced_by"], "../local");
        assert_eq!(packages[4].metadata["go_version"], "go1.24.4");
    }

    #[test]
    fn stdlib_versions() {
        assert_eq!(stdlib_version("go1.24.4").as_deref(), Some("v1.24.4"));
        assert_eq!(stdlib_version("go1.21rc2").as_deref(), Some("v1.21rc2"));
        assert_eq!(stdlib_version("go1.20.1 X:boringcrypto").as_deref(), Some("v1.20.1"));
        assert_eq!(stdlib_version("devel go1.23-abc +0000"), None);
    }

    #[test]
    fn quoted_settings() {
        assert_eq!(split_setting("GOOS=linux"), Some(("GOOS".into(), "linux".into())));
        assert_eq!(split_setting("-tags=\"a b\""), Some(("-tags".into(), "a b".into())));
        assert_eq!(split_setting("\"we=ird\"=x\\\"y"), Some(("we=ird".into(), "x\\\"y".into())));
        assert_eq!(split_setting("-gcflags=\"all=-N \\\"x\\\"\""), Some(("-gcflags".into(), "all=-N \"x\"".into())));
        assert_eq!(split_setting("novalue"), None);
    }
}
