//! The YARA rule set: stowaway's bundled rules plus the user's, compiled once with boreal.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use boreal::scanner::ScanParams;
use boreal::{Compiler, MetadataValue, Scanner};
use regex::Regex;
use stowaway_model::{DigestAlgorithm, Hasher, Level};

use crate::{DetectError, DetectionKind};

/// The bundled rule files, written for stowaway and embedded at build time.
const BUNDLED: &[(&str, &str)] = &[
    ("cryptominers.yar", include_str!("../../../rules/cryptominers.yar")),
    ("reverse-shells.yar", include_str!("../../../rules/reverse-shells.yar")),
    ("webshells.yar", include_str!("../../../rules/webshells.yar")),
    ("linux-malware.yar", include_str!("../../../rules/linux-malware.yar")),
    ("packers.yar", include_str!("../../../rules/packers.yar")),
    ("secrets.yar", include_str!("../../../rules/secrets.yar")),
];

/// The namespace of the bundled rules; user files get one namespace each, so a user rule may
/// reuse a bundled rule's name.
const BUNDLED_NAMESPACE: &str = "stowaway";

/// Matches kept per string, which bounds memory on a file full of one pattern.
const MAX_MATCHES_PER_STRING: u32 = 4;
/// Bytes of one match kept for the excerpt.
const MAX_MATCH_BYTES: usize = 256;
/// Time one file's scan may take before it is cut short. Boreal's matching is linear in the
/// input, so this only guards against a pathological user rule.
const SCAN_TIMEOUT: Duration = Duration::from_secs(10);

/// The metadata of one rule that the detector uses.
#[derive(Clone, Debug)]
pub(crate) struct RuleInfo {
    /// The `id` metadata, or the rule's name for a user rule without one.
    pub(crate) id: String,
    pub(crate) severity: Level,
    pub(crate) kind: DetectionKind,
    /// The `description` metadata, or the rule's name.
    pub(crate) description: String,
    /// True for rules that skip files owned by OS packages (`outside_packages = true`).
    pub(crate) outside_packages: bool,
}

/// The compiled rules and each rule's metadata, by namespace and name.
#[derive(Debug)]
pub(crate) struct RuleSet {
    pub(crate) scanner: Scanner,
    info: HashMap<(String, String), RuleInfo>,
    /// The SHA-256 of every rule source compiled, which names the rule set in cache keys.
    fingerprint: String,
}

impl RuleSet {
    /// Compiles the bundled rules and every `.yar`/`.yara` file of `user_paths` (files or folders,
    /// searched recursively).
    pub(crate) fn compile(user_paths: &[PathBuf]) -> Result<RuleSet, DetectError> {
        let mut compiler = Compiler::new();
        let mut sources = HashMap::new();
        let mut hasher = Hasher::new(DigestAlgorithm::Sha256);

        for (name, text) in BUNDLED {
            hasher.update(name.as_bytes());
            hasher.update(text.as_bytes());
            compiler
                .add_rules_str_in_namespace(text, BUNDLED_NAMESPACE)
                .map_err(|source| DetectError::RuleCompile { name: format!("bundled {name}"), source })?;
        }
        sources.insert(BUNDLED_NAMESPACE.to_owned(), "bundled rules".to_owned());

        for (position, file) in user_rule_files(user_paths)?.into_iter().enumerate() {
            let namespace = format!("user{position}");
            let text = std::fs::read(&file).map_err(|source| DetectError::RulePath { path: file.clone(), source })?;
            hasher.update(file.as_os_str().as_encoded_bytes());
            hasher.update(&text);
            hash_included_files(&file, &text, &mut hasher, &mut HashSet::new(), 0);
            compiler
                .add_rules_file_in_namespace(&file, &namespace)
                .map_err(|source| DetectError::RuleCompile { name: file.display().to_string(), source })?;
            sources.insert(namespace, file.display().to_string());
        }

        let mut scanner = compiler.finalize();
        scanner.set_scan_params(
            ScanParams::default()
                .compute_full_matches(true)
                .string_max_nb_matches(MAX_MATCHES_PER_STRING)
                .match_max_length(MAX_MATCH_BYTES)
                .timeout_duration(Some(SCAN_TIMEOUT)),
        );
        let info = read_rule_info(&scanner, &sources)?;
        tracing::debug!(rules = info.len(), "YARA rules compiled");
        Ok(RuleSet { scanner, info, fingerprint: hasher.finish().encoded().to_owned() })
    }

    /// Returns the SHA-256 of the rule sources, which changes whenever a rule does.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Returns the metadata of the rule `name` in `namespace`.
    pub(crate) fn info(&self, namespace: &str, name: &str) -> Option<&RuleInfo> {
        self.info.get(&(namespace.to_owned(), name.to_owned()))
    }

    /// Iterates over every rule's metadata, for the id list tests.
    #[cfg(test)]
    pub(crate) fn all_info(&self) -> impl Iterator<Item = &RuleInfo> {
        self.info.values()
    }
}

/// Maximum depth of `include` directives followed for the fingerprint.
const MAX_INCLUDE_DEPTH: usize = 16;

/// `include "PATH"` directives of a YARA file.
static INCLUDE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?m)^\s*include\s+"([^"\n]*)""#).expect("valid regex"));

/// Adds to the fingerprint every file that `file` pulls in with `include`, resolved as boreal
/// resolves them (relative to the including file), so that changing an included file changes
/// the fingerprint. A directive inside a comment is hashed too, which only makes the
/// fingerprint change more often than needed. A file that cannot be read is left out, because
/// the compiler reports it.
fn hash_included_files(file: &Path, text: &[u8], hasher: &mut Hasher, seen: &mut HashSet<PathBuf>, depth: usize) {
    if depth >= MAX_INCLUDE_DEPTH {
        return;
    }
    let text = String::from_utf8_lossy(text);
    for capture in INCLUDE.captures_iter(&text) {
        let folder = file.parent().unwrap_or(Path::new("."));
        let Ok(included) = folder.join(&capture[1]).canonicalize() else { continue };
        if !seen.insert(included.clone()) {
            continue;
        }
        let Ok(contents) = std::fs::read(&included) else { continue };
        hasher.update(included.as_os_str().as_encoded_bytes());
        hasher.update(&contents);
        hash_included_files(&included, &contents, hasher, seen, depth + 1);
    }
}

/// Lists the rule files of `paths` in a stable order: files as given, folders walked
/// recursively for `.yar` and `.yara` files.
fn user_rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DetectError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| DetectError::RulePath { path: path.clone(), source })?;
        if !metadata.is_dir() {
            files.push(path.clone());
            continue;
        }

        let before = files.len();
        collect_rule_files(path, &mut files)?;
        if files.len() == before {
            return Err(DetectError::NoRuleFiles { path: path.clone() });
        }
    }
    Ok(files)
}

fn collect_rule_files(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), DetectError> {
    let read_error = |source| DetectError::RulePath { path: folder.to_owned(), source };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(read_error)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    entries.sort();

    for entry in entries {
        if entry.is_dir() {
            collect_rule_files(&entry, files)?;
        } else if entry.extension().is_some_and(|ext| ext == "yar" || ext == "yara") {
            files.push(entry);
        }
    }
    Ok(())
}

/// Reads `id`, `severity`, `kind`, `description` and `outside_packages` from each rule.
/// Bundled rules must have all but the last; user rules get defaults (their name, `medium`,
/// `malware`).
fn read_rule_info(scanner: &Scanner, sources: &HashMap<String, String>) -> Result<HashMap<(String, String), RuleInfo>, DetectError> {
    let mut info = HashMap::new();

    for rule in scanner.rules() {
        let bundled = rule.namespace == BUNDLED_NAMESPACE;
        let source_name = sources.get(rule.namespace).cloned().unwrap_or_default();
        let problem = |problem: String| DetectError::RuleMetadata { rule: rule.name.to_owned(), source_name: source_name.clone(), problem };

        let mut meta: HashMap<&str, MetadataValue> = HashMap::new();
        for entry in rule.metadatas {
            meta.insert(scanner.get_string_symbol(entry.name), entry.value);
        }
        let text = |key: &str| match meta.get(key) {
            Some(MetadataValue::Bytes(symbol)) => Some(String::from_utf8_lossy(scanner.get_bytes_symbol(*symbol)).into_owned()),
            _ => None,
        };

        let id = text("id");
        if bundled && id.is_none() {
            return Err(problem("bundled rule has no `id` metadata".to_owned()));
        }
        let severity = match text("severity") {
            Some(word) => Level::from_word(&word).ok_or_else(|| problem(format!("invalid `severity` value `{word}`; expected low, medium, high or critical")))?,
            None if bundled => return Err(problem("bundled rule has no `severity` metadata".to_owned())),
            None => Level::Medium,
        };
        let kind = match text("kind") {
            Some(word) => DetectionKind::from_name(&word).ok_or_else(|| problem(format!("invalid `kind` value `{word}`; expected malware, suspicious, persistence or secret")))?,
            None => DetectionKind::Malware,
        };
        let outside_packages = matches!(meta.get("outside_packages"), Some(MetadataValue::Boolean(true)));

        let entry = RuleInfo {
            id: id.unwrap_or_else(|| rule.name.to_owned()),
            severity,
            kind,
            description: text("description").unwrap_or_else(|| rule.name.to_owned()),
            outside_packages,
        };
        info.insert((rule.namespace.to_owned(), rule.name.to_owned()), entry);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_compile_with_unique_ids() {
        let rules = RuleSet::compile(&[]).unwrap();
        let ids: Vec<&str> = rules.all_info().map(|info| info.id.as_str()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();

        assert!(ids.len() >= 30, "{ids:?}");
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
    }

    #[test]
    fn bundled_ids_are_documented() {
        let docs = include_str!("../../../docs/detections.md");
        for info in RuleSet::compile(&[]).unwrap().all_info() {
            assert!(docs.contains(&format!("`{}`", info.id)), "`{}` is missing from docs/detections.md", info.id);
        }
    }

    #[test]
    fn user_rule_error_names_file_and_line() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("broken.yar");
        std::fs::write(&file, "rule ok { condition: true }\n\nrule broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n").unwrap();

        let error = RuleSet::compile(&[folder.path().to_owned()]).unwrap_err();
        let cause = std::error::Error::source(&error).map(ToString::to_string).unwrap_or_default();

        assert!(error.to_string().contains("broken.yar`"), "{error}");
        assert!(cause.contains("broken.yar:5:"), "{cause}");
    }

    #[test]
    fn user_rule_folder_loads_with_defaults() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join("nested")).unwrap();
        std::fs::write(folder.path().join("nested/mine.yara"), "rule canary { strings: $a = \"canary-7f3e\" condition: $a }").unwrap();
        std::fs::write(folder.path().join("notes.txt"), "not a rule").unwrap();

        let rules = RuleSet::compile(&[folder.path().to_owned()]).unwrap();
        let info = rules.info("user0", "canary").unwrap();

        assert_eq!(info.id, "canary");
        assert_eq!(info.severity, Level::Medium);
        assert_eq!(info.kind, DetectionKind::Malware);
    }

    #[test]
    fn included_file_changes_fingerprint() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join("parts")).unwrap();
        let main = folder.path().join("main.yar");
        std::fs::write(&main, "include \"parts/strings.yar\"\nrule main { condition: canary }\n").unwrap();
        std::fs::write(folder.path().join("parts/strings.yar"), "include \"deeper.inc\"\n").unwrap();
        let deeper = folder.path().join("parts/deeper.inc");
        std::fs::write(&deeper, "rule canary { strings: $a = \"first\" condition: $a }\n").unwrap();
        let first = RuleSet::compile(std::slice::from_ref(&main)).unwrap().fingerprint().to_owned();

        std::fs::write(&deeper, "rule canary { strings: $a = \"other\" condition: $a }\n").unwrap();
        let second = RuleSet::compile(std::slice::from_ref(&main)).unwrap().fingerprint().to_owned();
        let again = RuleSet::compile(std::slice::from_ref(&main)).unwrap().fingerprint().to_owned();

        assert_ne!(first, second);
        assert_eq!(second, again);
    }

    #[test]
    fn empty_rule_folder_is_an_error() {
        let folder = tempfile::tempdir().unwrap();
        let error = RuleSet::compile(&[folder.path().to_owned()]).unwrap_err();
        assert!(matches!(error, DetectError::NoRuleFiles { .. }), "{error}");
    }

    #[test]
    fn missing_rule_path_is_named() {
        let error = RuleSet::compile(&[PathBuf::from("/nonexistent/rules.yar")]).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/rules.yar"), "{error}");
    }
}
