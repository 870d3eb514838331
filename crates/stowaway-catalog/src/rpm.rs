//! RPM packages: the package database in each of rpm's three on-disk formats, under
//! `/var/lib/rpm/` or `/usr/lib/sysimage/rpm/`.
//!
//! | file | format | written by |
//! |---|---|---|
//! | `Packages` | Berkeley DB hash | rpm before 4.16 (RHEL 8, CentOS 7, Amazon Linux 2) |
//! | `Packages.db` | NDB | SUSE (SLES 15, openSUSE) |
//! | `rpmdb.sqlite` | SQLite | rpm 4.16 and later (Fedora 33+, RHEL 9, CBL-Mariner 2) |
//!
//! Each format stores one header blob per installed package; [`Header`] reads the blobs. The
//! readers are written here because the `rpmdb` crate pins a `rusqlite` that cannot link beside
//! this crate's.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use std::error::Error as _;
use std::io::Read;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind, SourcePackage};

pub use bdb::BdbError;
pub use header::{Header, HeaderError};
pub use ndb::NdbError;

use crate::catalogers::{Attribution, Cataloger, package_codec};
use header::tag;

/// The largest rpm database file read. A Berkeley DB `Packages` file keeps every header with its
/// file list and changelog, so large servers reach an estimated 100 to 200 MiB.
const MAX_DATABASE_BYTES: u64 = 512 << 20;

/// The name of the pseudo-packages through which rpm stores imported signing keys.
const GPG_PUBKEY: &str = "gpg-pubkey";

/// An rpm database format, detected from the file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpmdbFormat {
    /// Berkeley DB hash (`Packages`).
    BerkeleyDb,
    /// SUSE's NDB (`Packages.db`).
    Ndb,
    /// SQLite (`rpmdb.sqlite`).
    Sqlite,
}

impl RpmdbFormat {
    /// Returns the format of a database file by its name, or `None` for another file.
    pub fn from_file_name(name: &[u8]) -> Option<RpmdbFormat> {
        match name {
            b"Packages" => Some(RpmdbFormat::BerkeleyDb),
            b"Packages.db" => Some(RpmdbFormat::Ndb),
            b"rpmdb.sqlite" => Some(RpmdbFormat::Sqlite),
            _ => None,
        }
    }
}

/// A malformed or unreadable rpm database. `path` names the database file.
#[derive(Debug, thiserror::Error)]
pub enum RpmdbError {
    /// The Berkeley DB hash file is malformed.
    #[error("invalid Berkeley DB rpm database `{path}`")]
    BerkeleyDb {
        /// The database file.
        path: String,
        /// The malformation found.
        #[source]
        source: BdbError,
    },
    /// The NDB file is malformed.
    #[error("invalid NDB rpm database `{path}`")]
    Ndb {
        /// The database file.
        path: String,
        /// The malformation found.
        #[source]
        source: NdbError,
    },
    /// The file is too short to be a SQLite database.
    #[error("invalid SQLite rpm database `{path}`: {len} bytes is shorter than the 100-byte file header")]
    SqliteTooShort {
        /// The database file.
        path: String,
        /// File length in bytes.
        len: usize,
    },
    /// SQLite failed to read the database.
    #[error("failed to read the SQLite rpm database `{path}`")]
    Sqlite {
        /// The database file.
        path: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A header blob is malformed.
    #[error("invalid rpm header of package {position} in `{path}`")]
    Header {
        /// The database file.
        path: String,
        /// Position of the blob in the database, from 0.
        position: usize,
        /// The malformation found.
        #[source]
        source: HeaderError,
    },
}

/// Returns the header blobs a database stores, one per package, in the order rpm lists them.
pub fn header_blobs(format: RpmdbFormat, bytes: &[u8], path: &str) -> Result<Vec<Vec<u8>>, RpmdbError> {
    let path = || path.to_owned();
    match format {
        RpmdbFormat::BerkeleyDb => bdb::header_blobs(bytes).map_err(|source| RpmdbError::BerkeleyDb { path: path(), source }),
        RpmdbFormat::Ndb => ndb::header_blobs(bytes).map_err(|source| RpmdbError::Ndb { path: path(), source }),
        RpmdbFormat::Sqlite if bytes.len() < sqlite::FILE_HEADER_SIZE => {
            Err(RpmdbError::SqliteTooShort { path: path(), len: bytes.len() })
        }
        RpmdbFormat::Sqlite => sqlite::header_blobs(bytes).map_err(|source| RpmdbError::Sqlite { path: path(), source }),
    }
}

/// Reads the installed packages of a database file; `path` becomes their location.
///
/// rpm's `gpg-pubkey` pseudo-packages are skipped, because they contain imported signing keys
/// and no software.
///
/// NOTE: one malformed header fails the whole database, because an analyzer returns either
/// packages or an error. rpm itself skips such a header with a warning.
pub fn read_packages(format: RpmdbFormat, bytes: &[u8], path: &str) -> Result<Vec<Package>, RpmdbError> {
    let blobs = header_blobs(format, bytes, path)?;

    let mut packages = Vec::with_capacity(blobs.len());
    for (position, blob) in blobs.iter().enumerate() {
        let package = package_from_header(blob, path).map_err(|source| RpmdbError::Header { path: path.to_owned(), position, source })?;
        match package {
            Some(package) => packages.push(package),
            None => tracing::trace!(path, position, "skipped a gpg-pubkey pseudo-package"),
        }
    }
    Ok(packages)
}

/// Builds the package a header blob describes, or `None` for a `gpg-pubkey` pseudo-package.
pub fn package_from_header(blob: &[u8], location: &str) -> Result<Option<Package>, HeaderError> {
    let header = Header::parse(blob)?;
    let required = |tag| header.string(tag)?.ok_or(HeaderError::Missing { tag });

    let name = required(tag::NAME)?;
    if name == GPG_PUBKEY {
        return Ok(None);
    }
    let version = required(tag::VERSION)?;
    let release = header.string(tag::RELEASE)?;
    let epoch = header.int32(tag::EPOCH)?;

    let mut evr = String::new();
    if let Some(epoch) = epoch {
        evr.push_str(&format!("{epoch}:"));
    }
    evr.push_str(&version);
    if let Some(release) = &release {
        evr.push_str(&format!("-{release}"));
    }

    let mut package = Package::new(PackageKind::Rpm, name, evr, location);
    package.architecture = header.string(tag::ARCH)?;
    package.licenses = header.string(tag::LICENSE)?.into_iter().collect();
    package.files = header.files()?;

    let metadata = &mut package.metadata;
    if let Some(epoch) = epoch {
        metadata.insert("epoch".into(), epoch.to_string());
    }
    metadata.insert("version".into(), version);
    if let Some(release) = release {
        metadata.insert("release".into(), release);
    }
    if let Some(vendor) = header.string(tag::VENDOR)? {
        metadata.insert("vendor".into(), vendor);
    }
    if let Some(summary) = header.string(tag::SUMMARY)? {
        metadata.insert("summary".into(), summary);
    }
    if let Some(size) = header.int32(tag::SIZE)? {
        metadata.insert("installed_size_bytes".into(), size.to_string());
    }
    if let Some(digest) = header.binary(tag::SIGMD5)? {
        metadata.insert("sigmd5".into(), digest.iter().map(|byte| format!("{byte:02x}")).collect());
    }
    if let Some(sourcerpm) = header.string(tag::SOURCERPM)? {
        package.source = parse_source_rpm(&sourcerpm);
        package.metadata.insert("sourcerpm".into(), sourcerpm);
    }
    Ok(Some(package))
}

/// Splits a source rpm file name into the source package's name and `version-release`:
/// `perl-5.16.3-299.el7_9.src.rpm` is `perl` at `5.16.3-299.el7_9`. Names may contain `-` but
/// version and release may not, so the split is from the right.
fn parse_source_rpm(file_name: &str) -> Option<SourcePackage> {
    let stem = file_name.strip_suffix(".rpm")?;
    let stem = stem.strip_suffix(".src").or_else(|| stem.strip_suffix(".nosrc")).unwrap_or(stem);
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some(SourcePackage { name: name.to_owned(), version: Some(format!("{version}-{release}")) })
}

/// Reads rpm databases.
pub(crate) struct RpmCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl RpmCataloger {
    pub(crate) fn new() -> RpmCataloger {
        let patterns = ["var/lib/rpm/{Packages,Packages.db,rpmdb.sqlite}", "usr/lib/sysimage/rpm/{Packages,Packages.db,rpmdb.sqlite}"];
        RpmCataloger { interest: Interest::globs(patterns, MAX_DATABASE_BYTES).expect("rpm patterns are valid globs"), codec: package_codec("rpm") }
    }
}

impl Analyzer for RpmCataloger {
    fn name(&self) -> &str {
        "rpm"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let Some(format) = RpmdbFormat::from_file_name(file.path.file_name()) else { return Ok(None) };
        if file.is_truncated(&self.interest) {
            return Err(format!("file of {} bytes exceeds the rpm database limit of {MAX_DATABASE_BYTES} bytes", file.entry.size).into());
        }

        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        let packages = read_packages(format, &bytes, &file.path.to_string()).map_err(|error| with_causes(&error))?;
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for RpmCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::Database
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Joins an error and its causes into one message, because the walker keeps only the message
/// of an analyzer's error in its warning.
fn with_causes(error: &RpmdbError) -> AnalyzerError {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        message.push_str(&format!(": {current}"));
        cause = current.source();
    }
    message.into()
}

#[cfg(test)]
mod tests {
    use super::header::build::*;
    use super::*;

    #[test]
    fn source_rpm_names() {
        let cases = [
            ("perl-5.16.3-299.el7_9.src.rpm", Some(("perl", "5.16.3-299.el7_9"))),
            ("skelcd-bci-2021.05.14-150300.4.8.1.src.rpm", Some(("skelcd-bci", "2021.05.14-150300.4.8.1"))),
            ("kernel-5.14.0-1.nosrc.rpm", Some(("kernel", "5.14.0-1"))),
            ("(none)", None),
            ("noversion.src.rpm", None),
            ("-1-2.src.rpm", None),
        ];
        for (file_name, expected) in cases {
            let parsed = parse_source_rpm(file_name);
            let parsed = parsed.as_ref().map(|source| (source.name.as_str(), source.version.as_deref().unwrap()));
            assert_eq!(parsed, expected, "{file_name}");
        }
    }

    #[test]
    fn package_with_epoch_and_source() {
        let blob = blob(&[
            string(tag::NAME, "perl-Pod-Escapes"),
            string(tag::VERSION, "1.04"),
            string(tag::RELEASE, "299.el7_9"),
            int32s(tag::EPOCH, &[1]),
            string(tag::ARCH, "noarch"),
            string(tag::LICENSE, "GPL+ or Artistic"),
            string(tag::SOURCERPM, "perl-5.16.3-299.el7_9.src.rpm"),
        ]);
        let package = package_from_header(&blob, "var/lib/rpm/Packages").unwrap().unwrap();

        assert_eq!(package.version, "1:1.04-299.el7_9");
        assert_eq!(package.metadata["epoch"], "1");
        assert_eq!(package.metadata["release"], "299.el7_9");
        assert_eq!(package.licenses, ["GPL+ or Artistic"]);
        let source = package.source.unwrap();
        assert_eq!((source.name.as_str(), source.version.as_deref()), ("perl", Some("5.16.3-299.el7_9")));
    }

    #[test]
    fn gpg_pubkey_is_skipped() {
        let blob = blob(&[string(tag::NAME, "gpg-pubkey"), string(tag::VERSION, "fd431d51"), string(tag::RELEASE, "4ae0493b")]);
        assert_eq!(package_from_header(&blob, "rpmdb.sqlite").unwrap(), None);
    }

    #[test]
    fn missing_name_is_an_error() {
        let blob = blob(&[string(tag::VERSION, "1.0")]);
        assert_eq!(package_from_header(&blob, "x").unwrap_err(), HeaderError::Missing { tag: tag::NAME });
    }

    #[test]
    fn error_names_file_and_value() {
        let error = read_packages(RpmdbFormat::BerkeleyDb, &[0; 4096], "var/lib/rpm/Packages").unwrap_err();
        let message = with_causes(&error).to_string();

        assert!(message.contains("`var/lib/rpm/Packages`"), "{message}");
        assert!(message.contains("magic number 0x00000000"), "{message}");
    }

    #[test]
    fn short_sqlite_file_is_an_error() {
        let error = read_packages(RpmdbFormat::Sqlite, b"SQLite format 3\0", "rpmdb.sqlite").unwrap_err();
        assert!(matches!(error, RpmdbError::SqliteTooShort { len: 16, .. }), "{error}");
    }
}
