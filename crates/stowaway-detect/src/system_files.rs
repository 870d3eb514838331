//! The analyzer that reads the small system files the persistence and package checks need:
//! dpkg's file lists and digests, cron tables, shell start-up files, `/etc/passwd`, root's SSH
//! keys and `/etc/ld.so.preload`.

use std::io::Read;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};

/// The largest system file read. dpkg's lists of the largest Debian packages are a few MiB.
const MAX_SYSTEM_FILE_BYTES: u64 = 16 << 20;

/// Cron tables.
pub(crate) const CRON_PATTERNS: &[&str] =
    &["etc/crontab", "etc/cron.d/*", "etc/cron.hourly/*", "etc/cron.daily/*", "etc/cron.weekly/*", "etc/cron.monthly/*", "var/spool/cron/**"];
/// Shell start-up files, system-wide and per user.
pub(crate) const STARTUP_PATTERNS: &[&str] = &[
    "etc/profile",
    "etc/profile.d/*",
    "etc/bash.bashrc",
    "etc/bashrc",
    "etc/rc.local",
    "etc/zsh/zshrc",
    "root/.bashrc",
    "root/.profile",
    "root/.bash_profile",
    "root/.bash_login",
    "root/.zshrc",
    "home/*/.bashrc",
    "home/*/.profile",
    "home/*/.bash_profile",
    "home/*/.zshrc",
];
/// Root's authorized SSH keys.
pub(crate) const ROOT_KEYS_PATTERNS: &[&str] = &["root/.ssh/authorized_keys", "root/.ssh/authorized_keys2"];
const OTHER_PATTERNS: &[&str] = &["etc/passwd", "etc/ld.so.preload"];
const DPKG_PATTERNS: &[&str] = &["var/lib/dpkg/info/*.md5sums", "var/lib/dpkg/info/*.list", "var/lib/dpkg/info/*.conffiles"];

/// The content the system files analyzer keeps of one file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum SystemFile {
    /// A dpkg `.md5sums` file: each path (absolute) with its digest.
    Md5Sums(Vec<(String, [u8; 16])>),
    /// A dpkg `.list` or `.conffiles` file: paths (absolute) that a package owns.
    Owned(Vec<String>),
    /// Any other file of interest, as text.
    Text(String),
}

/// Reads the files of [`SystemFile`].
pub(crate) struct SystemFilesAnalyzer {
    interest: Interest,
    codec: FactCodec,
}

impl SystemFilesAnalyzer {
    pub(crate) fn new() -> SystemFilesAnalyzer {
        let patterns = [CRON_PATTERNS, STARTUP_PATTERNS, ROOT_KEYS_PATTERNS, OTHER_PATTERNS, DPKG_PATTERNS].concat();
        let interest = Interest::globs(patterns, MAX_SYSTEM_FILE_BYTES).expect("system file patterns are valid globs");
        let codec = FactCodec::new(format!("detect-system-files/{}/1", env!("CARGO_PKG_VERSION"))).with::<SystemFile>();
        SystemFilesAnalyzer { interest, codec }
    }
}

impl Analyzer for SystemFilesAnalyzer {
    fn name(&self) -> &str {
        "detect-system-files"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        if file.is_truncated(&self.interest) {
            return Err(format!("file of {} bytes exceeds the system file limit of {MAX_SYSTEM_FILE_BYTES} bytes", file.entry.size).into());
        }
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes);

        let name = file.path.file_name();
        let fact = if file.path.as_bytes().starts_with(b"var/lib/dpkg/info/") {
            if name.ends_with(b".md5sums") {
                SystemFile::Md5Sums(parse_md5sums(&text))
            } else {
                SystemFile::Owned(text.lines().filter(|line| line.starts_with('/') && *line != "/.").map(str::to_owned).collect())
            }
        } else {
            SystemFile::Text(text.into_owned())
        };
        Ok(Some(Box::new(fact)))
    }
}

/// Parses `md5sums` lines (`<32 hex digits>  <path relative to />`); malformed lines are
/// skipped, because a missing digest only means one file goes unchecked.
fn parse_md5sums(text: &str) -> Vec<(String, [u8; 16])> {
    text.lines()
        .filter_map(|line| {
            let (digest, path) = line.split_once("  ")?;
            let mut bytes = [0u8; 16];
            hex::decode_to_slice(digest.trim(), &mut bytes).ok()?;
            Some((format!("/{}", path.trim_start_matches('/')), bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5sums_lines_parse() {
        let text = "d41d8cd98f00b204e9800998ecf8427e  usr/bin/true\nnot a line\nzz  usr/bin/bad\n";
        let parsed = parse_md5sums(text);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].0, "/usr/bin/true");
        assert_eq!(parsed[0].1[0], 0xd4);
    }
}
