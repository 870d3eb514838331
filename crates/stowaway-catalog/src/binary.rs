//! The parts that the binary catalogers (Go, Rust) share: the files they read, and the cheap
//! checks that skip files that are not executables before any content is buffered.
//!
//! Reading every file of an image (`Interest::all_files`) would hand each one to both catalogers.
//! The catalogers read the folders where images keep programs instead. After the walker's peek,
//! they decline a file unless its mode has an execute bit and it starts with an ELF, Mach-O or
//! PE magic number, so the walker reads no further. A binary elsewhere (`/home/user/tool`,
//! `/data/bin/x`) is not cataloged.

use std::io::Read;

use stowaway_image::{AnalyzerError, FileInfo, Interest};

/// The largest binary read. Go binaries of large programs (`kubectl`, `terraform`) are about
/// 100 MiB; a larger file becomes a warning naming it.
pub(crate) const MAX_BINARY_BYTES: u64 = 256 << 20;

/// The folders where images keep programs, as globs without a leading `/`. A `*` stays in one
/// path component and `**` crosses them, so `*` alone matches files at the root, where
/// `scratch` images often keep their only program.
pub(crate) const BINARY_PATTERNS: &[&str] = &[
    "*",
    "bin/*",
    "sbin/*",
    "usr/bin/*",
    "usr/sbin/*",
    "usr/local/bin/*",
    "usr/local/sbin/*",
    "usr/lib/**",
    "usr/libexec/**",
    "usr/local/lib/**",
    "opt/**",
    "app/**",
    "srv/**",
    "ko-app/*",
    "go/bin/*",
    "root/go/bin/*",
    "home/*/go/bin/*",
    "home/*/.cargo/bin/*",
    "root/.cargo/bin/*",
    "usr/local/cargo/bin/*",
];

/// Builds the interest shared by the binary catalogers.
pub(crate) fn binary_interest() -> Interest {
    Interest::globs(BINARY_PATTERNS, MAX_BINARY_BYTES).expect("binary patterns are valid globs")
}

/// Tells whether a file, from its mode and first bytes, is an executable the catalogers read.
pub(crate) fn is_executable(file: &FileInfo<'_>, head: &[u8]) -> bool {
    file.entry.mode & 0o111 != 0 && is_executable_format(head)
}

/// Tells whether `bytes`, a file's whole content, is an executable the catalogers read, and
/// fails for one cut at the read limit.
pub(crate) fn is_whole_executable(file: &FileInfo<'_>, interest: &Interest, bytes: &[u8]) -> Result<bool, AnalyzerError> {
    if !is_executable(file, bytes) {
        return Ok(false);
    }
    if file.is_truncated(interest) {
        return Err(format!("binary of {} bytes exceeds the limit of {MAX_BINARY_BYTES} bytes and was not read", file.entry.size).into());
    }
    Ok(true)
}

/// Reads an executable whole, or returns `None` without reading past its first four bytes when
/// the file has no execute bit or is not an ELF, Mach-O or PE file.
pub(crate) fn read_executable(file: &FileInfo<'_>, interest: &Interest, content: &mut dyn Read) -> Result<Option<Vec<u8>>, AnalyzerError> {
    if file.entry.mode & 0o111 == 0 {
        return Ok(None);
    }

    let mut bytes = Vec::new();
    Read::take(&mut *content, 4).read_to_end(&mut bytes)?;
    if !is_executable_format(&bytes) {
        return Ok(None);
    }

    if file.is_truncated(interest) {
        return Err(format!("binary of {} bytes exceeds the limit of {MAX_BINARY_BYTES} bytes and was not read", file.entry.size).into());
    }
    content.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Tells whether `prefix` starts with the magic number of an ELF, Mach-O (32 or 64 bit, either
/// byte order, or universal) or PE (`MZ`) file.
pub(crate) fn is_executable_format(prefix: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"MZ",
    ];
    MAGICS.iter().any(|magic| prefix.starts_with(magic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_magic_numbers() {
        assert!(is_executable_format(b"\x7fELF\x02\x01"));
        assert!(is_executable_format(b"\xcf\xfa\xed\xfe"));
        assert!(is_executable_format(b"MZ\x90\x00"));
        assert!(!is_executable_format(b"#!/bin/sh"));
        assert!(!is_executable_format(b"\x7fEL"));
        assert!(!is_executable_format(b""));
    }

    #[test]
    fn patterns_cover_program_folders() {
        let interest = binary_interest();
        for path in ["usr/bin/fzf", "main", "usr/lib/go/bin/go", "opt/tool/bin/tool", "app/server", "home/dev/go/bin/gopls"] {
            assert!(interest.matches(&stowaway_image::ImagePath::new(path)), "{path}");
        }
        for path in ["etc/passwd", "var/lib/dpkg/status", "usr/share/doc/x/copyright", "home/dev/notes"] {
            assert!(!interest.matches(&stowaway_image::ImagePath::new(path)), "{path}");
        }
    }
}
