//! Operating system detection from `os-release` and the older distribution marker files.

use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, ImageView, Interest};

use crate::catalogers::facts_version;

/// The operating system of an image, as `os-release(5)` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OsRelease {
    /// Lowercase distribution id (`debian`, `alpine`, `rhel`).
    pub id: String,
    /// Ids of related distributions, closest first (`rhel fedora` for Rocky Linux).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// Version (`12`, `3.19.1`, `9.3`); absent on rolling releases such as Debian testing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Release codename (`bookworm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    /// Human-readable name (`Debian GNU/Linux 12 (bookworm)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// The file the facts come from.
    pub source_file: String,
}

/// Files read for OS detection, best first: `os-release` wins over the marker files, which
/// remain for images too old or too small to carry one.
const CANDIDATES: [&str; 6] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/debian_version",
];

/// The largest OS file read; real ones are under 1 KiB.
const MAX_OS_FILE_BYTES: u64 = 64 * 1024;

/// The analyzer that reads the OS files.
pub(crate) struct OsDetector {
    interest: Interest,
    codec: FactCodec,
}

impl OsDetector {
    pub(crate) fn new() -> OsDetector {
        let interest = Interest::globs(CANDIDATES, MAX_OS_FILE_BYTES).expect("OS file patterns are valid globs");
        OsDetector { interest, codec: FactCodec::new(facts_version("os-release")).with::<OsRelease>() }
    }
}

impl Analyzer for OsDetector {
    fn name(&self) -> &str {
        "os-release"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes);
        let path = file.path.as_bytes();
        let source_file = file.path.to_string();

        let release = if path.ends_with(b"os-release") {
            parse_os_release(&text, source_file)
        } else if path == b"etc/alpine-release" {
            first_line(&text).map(|version| OsRelease { id: "alpine".into(), version_id: Some(version), source_file, ..OsRelease::default() })
        } else if path == b"etc/debian_version" {
            first_line(&text).map(|version| parse_debian_version(&version, source_file))
        } else {
            first_line(&text).and_then(|line| parse_redhat_release(&line, source_file))
        };
        Ok(release.map(|release| Box::new(release) as Fact))
    }
}

/// Picks the best OS description among the visible OS files.
pub(crate) fn detect(view: &ImageView, analyzer: usize) -> Option<OsRelease> {
    let found: Vec<&OsRelease> = view.visible_facts::<OsRelease>(analyzer).map(|(_, _, release)| release).collect();
    CANDIDATES.iter().find_map(|candidate| {
        let wanted = format!("/{candidate}");
        found.iter().find(|release| release.source_file == wanted).map(|release| (*release).clone())
    })
}

fn parse_os_release(text: &str, source_file: String) -> Option<OsRelease> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            fields.insert(key.trim(), unquote(value.trim()));
        }
    }

    let id = fields.get("ID").map(|id| id.to_lowercase())?;
    let nonempty = |key: &str| fields.get(key).filter(|value| !value.is_empty()).cloned();
    Some(OsRelease {
        id,
        id_like: nonempty("ID_LIKE").map(|ids| ids.split_whitespace().map(str::to_lowercase).collect()).unwrap_or_default(),
        version_id: nonempty("VERSION_ID"),
        version_codename: nonempty("VERSION_CODENAME"),
        pretty_name: nonempty("PRETTY_NAME"),
        source_file,
    })
}

/// Removes the shell quoting `os-release` allows: double or single quotes, and backslash
/// escapes inside double quotes.
fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && bytes[0] == bytes[bytes.len() - 1] && (bytes[0] == b'"' || bytes[0] == b'\'') {
        let inner = &value[1..value.len() - 1];
        if bytes[0] == b'"' {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => out.extend(chars.next()),
                    other => out.push(other),
                }
            }
            return out;
        }
        return inner.to_owned();
    }
    value.to_owned()
}

fn first_line(text: &str) -> Option<String> {
    text.lines().map(str::trim).find(|line| !line.is_empty()).map(str::to_owned)
}

/// `/etc/debian_version` holds `12.5` on a stable release and `trixie/sid` on testing.
fn parse_debian_version(version: &str, source_file: String) -> OsRelease {
    let mut release = OsRelease { id: "debian".into(), source_file, ..OsRelease::default() };
    if version.starts_with(|c: char| c.is_ascii_digit()) {
        release.version_id = Some(version.split('.').next().unwrap_or(version).to_owned());
    } else {
        release.version_codename = version.split('/').next().map(str::to_owned);
    }
    release
}

/// Parses `Red Hat Enterprise Linux release 8.9 (Ootpa)` and its CentOS and Rocky relatives.
fn parse_redhat_release(line: &str, source_file: String) -> Option<OsRelease> {
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_owned();
    let lower = name.to_lowercase();
    let id = if lower.contains("centos") {
        "centos"
    } else if lower.contains("rocky") {
        "rocky"
    } else if lower.contains("alma") {
        "almalinux"
    } else if lower.contains("fedora") {
        "fedora"
    } else {
        "rhel"
    };
    Some(OsRelease { id: id.into(), version_id: Some(version), pretty_name: Some(line.to_owned()), source_file, ..OsRelease::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debian_os_release() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
        let release = parse_os_release(text, "/etc/os-release".into()).unwrap();

        assert_eq!(release.id, "debian");
        assert_eq!(release.version_id.as_deref(), Some("12"));
        assert_eq!(release.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(release.pretty_name.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
    }

    #[test]
    fn parses_rocky_id_like() {
        let text = "NAME=\"Rocky Linux\"\nID='rocky'\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n# comment\n";
        let release = parse_os_release(text, "/etc/os-release".into()).unwrap();

        assert_eq!(release.id, "rocky");
        assert_eq!(release.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(release.version_id.as_deref(), Some("9.3"));
    }

    #[test]
    fn os_release_without_id_is_ignored() {
        assert!(parse_os_release("NAME=thing\n", "/etc/os-release".into()).is_none());
    }

    #[test]
    fn unquotes_escapes() {
        assert_eq!(unquote(r#""a \"b\" c""#), r#"a "b" c"#);
        assert_eq!(unquote("'x y'"), "x y");
        assert_eq!(unquote("plain"), "plain");
    }

    #[test]
    fn debian_version_forms() {
        let stable = parse_debian_version("12.5", "/etc/debian_version".into());
        assert_eq!(stable.version_id.as_deref(), Some("12"));
        let testing = parse_debian_version("trixie/sid", "/etc/debian_version".into());
        assert_eq!(testing.version_codename.as_deref(), Some("trixie"));
        assert_eq!(testing.version_id, None);
    }

    #[test]
    fn redhat_release_forms() {
        let rhel = parse_redhat_release("Red Hat Enterprise Linux release 8.9 (Ootpa)", String::new()).unwrap();
        assert_eq!((rhel.id.as_str(), rhel.version_id.as_deref()), ("rhel", Some("8.9")));
        let centos = parse_redhat_release("CentOS Linux release 7.9.2009 (Core)", String::new()).unwrap();
        assert_eq!((centos.id.as_str(), centos.version_id.as_deref()), ("centos", Some("7.9.2009")));
    }
}
