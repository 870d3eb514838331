//! Alpine packages: `/lib/apk/db/installed`.

use std::io::Read;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind, SourcePackage};

use crate::catalogers::{Attribution, Cataloger, package_codec};

/// The largest apk database read; a large Alpine image's is a few MiB.
const MAX_INSTALLED_BYTES: u64 = 64 << 20;

/// Reads apk's installed database.
pub(crate) struct ApkCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl ApkCataloger {
    pub(crate) fn new() -> ApkCataloger {
        ApkCataloger { interest: Interest::globs(["lib/apk/db/installed"], MAX_INSTALLED_BYTES).expect("apk pattern is a valid glob"), codec: package_codec("apk") }
    }
}

impl Analyzer for ApkCataloger {
    fn name(&self) -> &str {
        "apk"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        if file.is_truncated(&self.interest) {
            return Err(format!("file of {} bytes exceeds the apk database limit of {MAX_INSTALLED_BYTES} bytes", file.entry.size).into());
        }
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        let packages = parse_installed(&String::from_utf8_lossy(&bytes), &file.path.to_string())?;
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for ApkCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::Database
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Parses the installed database: one stanza per package, one `X:value` line per field. The
/// fields used are `P` name, `V` version, `A` architecture, `L` license, `o` origin (the source
/// package that Alpine's secdb names), `c` the aports commit, and `F`/`R` pairs listing each folder
/// and the files in it.
pub(crate) fn parse_installed(text: &str, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    let mut packages = Vec::new();
    for (number, stanza) in text.split("\n\n").enumerate() {
        let mut fields: Vec<(char, &str)> = Vec::new();
        for line in stanza.lines().filter(|line| !line.is_empty()) {
            let mut chars = line.chars();
            let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
                return Err(format!("stanza {} has a line that is not `X:value`: `{line}`", number + 1).into());
            };
            fields.push((key, &line[key.len_utf8() + 1..]));
        }
        if fields.is_empty() {
            continue;
        }

        let field = |key: char| fields.iter().find(|(k, _)| *k == key).map(|(_, value)| *value);
        let (Some(name), Some(version)) = (field('P'), field('V')) else {
            return Err(format!("stanza {} has no `P:` name or no `V:` version", number + 1).into());
        };

        let mut package = Package::new(PackageKind::Apk, name, version, location);
        package.architecture = field('A').map(str::to_owned);
        package.licenses = field('L').map(|license| vec![license.to_owned()]).unwrap_or_default();
        package.source = field('o').map(|origin| SourcePackage { name: origin.to_owned(), version: Some(version.to_owned()) });
        if let Some(commit) = field('c') {
            package.metadata.insert("commit".into(), commit.to_owned());
        }
        package.files = owned_files(&fields);
        packages.push(package);
    }
    Ok(packages)
}

fn owned_files(fields: &[(char, &str)]) -> Vec<String> {
    let mut files = Vec::new();
    let mut folder = "";
    for (key, value) in fields {
        match key {
            'F' => folder = value,
            'R' if folder.is_empty() => files.push(format!("/{value}")),
            'R' => files.push(format!("/{folder}/{value}")),
            _ => {}
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALLED: &str = "\
C:Q1p78yvTLG094tHE1+dToJGbmYzQE=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1698767245
c:d3cad4b5e0d8bc7b6d9b4ce0a6cd6d2d3c1b4a37
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1vq3bsHx6ZmMqvRdbcz/bkahKzyc=
R:libc.musl-x86_64.so.1

C:Q1abc=
P:ssl_client
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
F:usr
F:usr/bin
R:ssl_client
";

    #[test]
    fn parses_packages_origin_and_files() {
        let packages = parse_installed(INSTALLED, "/lib/apk/db/installed").unwrap();

        assert_eq!(packages.len(), 2);
        assert_eq!((packages[0].name.as_str(), packages[0].version.as_str()), ("musl", "1.2.4-r2"));
        assert_eq!(packages[0].licenses, ["MIT"]);
        assert_eq!(packages[0].files, ["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"]);
        assert_eq!(packages[1].source.as_ref().unwrap().name, "busybox");
        assert_eq!(packages[1].files, ["/usr/bin/ssl_client"]);
    }

    #[test]
    fn stanza_without_version_is_an_error() {
        let error = parse_installed("P:broken\nA:x86_64\n", "/lib/apk/db/installed").unwrap_err();
        assert!(error.to_string().contains("stanza 1"), "{error}");
    }

    #[test]
    fn garbage_line_is_an_error() {
        let error = parse_installed("P:ok\nV:1\nthis is not apk\n", "/x").unwrap_err();
        assert!(error.to_string().contains("not `X:value`"), "{error}");
    }
}
