//! Feeds: what a path given to a build contains, found by file name and content.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::Sha256;

use crate::AdvisoryError;
use crate::import::read::{is_tar_archive, is_zip_archive, list_files, read_file};
use crate::import::{self, FeedData};

/// The format of a feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// OSV records (JSON or YAML): files, directories, tar archives.
    Osv,
    /// RubySec's own YAML advisories.
    RubySec,
    /// The Node.js security working group's npm advisories.
    NodeSecurityWg,
    /// Alpine secdb files.
    AlpineSecdb,
    /// The Debian security tracker's JSON export.
    DebianTracker,
    /// The Debian security tracker's DSA or DLA list.
    DebianList,
    /// CISA's Known Exploited Vulnerabilities catalog.
    Kev,
    /// FIRST EPSS scores.
    Epss,
    /// NVD CVE records (API 2.0 JSON).
    Nvd,
}

impl FeedKind {
    /// Returns the name stored in the `sources` table.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Osv => "osv",
            FeedKind::RubySec => "rubysec",
            FeedKind::NodeSecurityWg => "nodejs-security-wg",
            FeedKind::AlpineSecdb => "alpine-secdb",
            FeedKind::DebianTracker => "debian-tracker",
            FeedKind::DebianList => "debian-list",
            FeedKind::Kev => "cisa-kev",
            FeedKind::Epss => "first-epss",
            FeedKind::Nvd => "nvd",
        }
    }
}

impl std::str::FromStr for FeedKind {
    type Err = String;

    fn from_str(name: &str) -> Result<FeedKind, String> {
        const ALL: [FeedKind; 9] = [
            FeedKind::Osv,
            FeedKind::RubySec,
            FeedKind::NodeSecurityWg,
            FeedKind::AlpineSecdb,
            FeedKind::DebianTracker,
            FeedKind::DebianList,
            FeedKind::Kev,
            FeedKind::Epss,
            FeedKind::Nvd,
        ];
        ALL.into_iter().find(|kind| kind.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|kind| kind.as_str()).collect();
            format!("unknown feed kind `{name}`, expected one of {}", names.join(", "))
        })
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One feed: a source name, its format, and the files that make it up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    /// The source name the database records (`go-vulndb-osv`, `debian-dsa`, `cisa-kev`).
    pub name: String,
    /// The format.
    pub kind: FeedKind,
    /// The files, directories or archives to read, in order.
    pub paths: Vec<PathBuf>,
}

impl Feed {
    /// Reads and parses the feed.
    pub fn import(&self) -> Result<FeedData, AdvisoryError> {
        let _span = tracing::debug_span!("import", feed = %self.name, kind = %self.kind).entered();
        match self.kind {
            FeedKind::Osv => import::osv::import(&self.name, &self.paths),
            FeedKind::RubySec => import::rubysec::import(&self.name, &self.paths),
            FeedKind::NodeSecurityWg => import::nodejs::import(&self.name, &self.paths),
            FeedKind::AlpineSecdb => import::alpine::import(&self.name, &self.paths),
            FeedKind::DebianTracker => self.import_each(import::debian_tracker::import),
            FeedKind::DebianList => self.import_each(import::debian_list::import),
            FeedKind::Kev => self.import_each(import::kev::import),
            FeedKind::Epss => self.import_each(import::epss::import),
            FeedKind::Nvd => self.import_each(import::nvd::import),
        }
    }

    /// Imports single-file feeds one file at a time and merges the results.
    fn import_each(&self, import_file: fn(&str, &Path) -> Result<FeedData, AdvisoryError>) -> Result<FeedData, AdvisoryError> {
        let mut merged = FeedData::default();
        let mut digests = Vec::new();
        for path in &self.paths {
            let data = import_file(&self.name, path)?;
            merged.advisories.extend(data.advisories);
            merged.kev.extend(data.kev);
            merged.epss.extend(data.epss);
            merged.record_count += data.record_count;
            merged.warnings.extend(data.warnings);
            digests.push(data.digest);
        }
        merged.digest = if digests.len() == 1 { digests.remove(0) } else { combined_digest(&digests) };
        Ok(merged)
    }
}

fn combined_digest(digests: &[String]) -> String {
    use sha2::Digest;
    let mut hasher = Sha256::default();
    for digest in digests {
        hasher.update(digest.as_bytes());
        hasher.update(b"\n");
    }
    import::read::hex_digest(hasher)
}

/// The feeds found under a path, and the files that are no feed.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The feeds, sorted by name.
    pub feeds: Vec<Feed>,
    /// Files under a directory that no importer reads, with the reason.
    pub skipped: Vec<(PathBuf, &'static str)>,
}

/// The classification of one file.
enum FileKind {
    Feed(FeedKind),
    Unsupported(&'static str),
}

/// Finds the feeds in `path`: a feed file, or a directory searched recursively.
///
/// A file given directly must be a feed; inside a directory, files that are no feed (READMEs,
/// JSON schemas) are listed in [`Discovery::skipped`].
pub fn discover(path: &Path) -> Result<Discovery, AdvisoryError> {
    let label = path.to_string_lossy();
    let files = list_files(&label, path)?;
    let is_directory = path.is_dir();

    let mut discovery = Discovery::default();
    // Loose OSV and secdb files are grouped into one feed per directory they share.
    let mut groups: BTreeMap<(FeedKind, PathBuf), Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let kind = match classify(&label, &file)? {
            FileKind::Feed(kind) => kind,
            FileKind::Unsupported(reason) if is_directory => {
                tracing::debug!(file = %file.display(), reason, "skipped file");
                discovery.skipped.push((file, reason));
                continue;
            }
            FileKind::Unsupported(_) => return Err(AdvisoryError::UnrecognizedFeed { path: file }),
        };

        let single = |name: String| Feed { name, kind, paths: vec![file.clone()] };
        match kind {
            FeedKind::Osv | FeedKind::RubySec | FeedKind::NodeSecurityWg if is_tar_archive(&file) || is_zip_archive(&file) => {
                discovery.feeds.push(single(archive_stem(&file)));
            }
            FeedKind::RubySec | FeedKind::NodeSecurityWg => {
                discovery.skipped.push((file, "native advisory files are read only from their repository's archive"));
            }
            FeedKind::Osv => groups.entry((kind, group_directory(path, &file, 1))).or_default().push(file),
            FeedKind::AlpineSecdb => groups.entry((kind, group_directory(path, &file, 2))).or_default().push(file),
            FeedKind::DebianList => discovery.feeds.push(single(debian_list_name(&file))),
            FeedKind::DebianTracker | FeedKind::Kev | FeedKind::Epss | FeedKind::Nvd => discovery.feeds.push(single(kind.as_str().to_owned())),
        }
    }

    drop_duplicate_secdb(&mut groups, &mut discovery.skipped);

    // A directory of nothing but loose OSV files (an unpacked advisory database) is one feed.
    let only_osv = discovery.feeds.is_empty() && groups.keys().all(|(kind, _)| *kind == FeedKind::Osv);
    if is_directory && only_osv && groups.len() > 1 {
        let paths = std::mem::take(&mut groups).into_values().flatten().collect();
        groups.insert((FeedKind::Osv, path.to_owned()), paths);
    }

    for ((kind, directory), paths) in groups {
        let base = directory.file_name().map_or_else(|| kind.as_str().to_owned(), |name| name.to_string_lossy().into_owned());
        let name = match kind {
            FeedKind::AlpineSecdb if !base.starts_with("alpine") => format!("alpine-secdb-{base}"),
            _ => base,
        };
        discovery.feeds.push(Feed { name, kind, paths });
    }

    make_names_unique(&mut discovery.feeds);
    Ok(discovery)
}

/// Removes secdb YAML files whose branch and repository also come as JSON (`v3.10/main.yaml`
/// beside `v3.10/main.json`), so that one secdb given in both formats is stored once. JSON is
/// kept because it is the format Alpine publishes today.
///
/// NOTE: files are paired by their folder and file stem, as Alpine lays them out, not by the
/// `distroversion` and `reponame` inside.
fn drop_duplicate_secdb(groups: &mut BTreeMap<(FeedKind, PathBuf), Vec<PathBuf>>, skipped: &mut Vec<(PathBuf, &'static str)>) {
    let branch_and_repository = |file: &Path| {
        let branch = file.parent().and_then(Path::file_name).map(|name| name.to_os_string());
        (branch, file.file_stem().map(|stem| stem.to_os_string()))
    };
    let is_json = |file: &Path| file.extension().is_some_and(|extension| extension == "json");
    let json: std::collections::BTreeSet<_> = groups
        .iter()
        .filter(|((kind, _), _)| *kind == FeedKind::AlpineSecdb)
        .flat_map(|(_, files)| files.iter().filter(|file| is_json(file)).map(|file| branch_and_repository(file)))
        .collect();

    let mut dropped = 0;
    for ((kind, _), files) in groups.iter_mut() {
        if *kind != FeedKind::AlpineSecdb {
            continue;
        }
        files.retain(|file| {
            let duplicate = !is_json(file) && json.contains(&branch_and_repository(file));
            if duplicate {
                skipped.push((file.clone(), "the same Alpine secdb branch and repository is read from its JSON file"));
                dropped += 1;
            }
            !duplicate
        });
    }
    groups.retain(|_, files| !files.is_empty());
    if dropped > 0 {
        tracing::warn!(files = dropped, "Alpine secdb given as both JSON and YAML, reading the JSON files only");
    }
}

/// Returns the directory `levels` above `file`, but never above `root`.
fn group_directory(root: &Path, file: &Path, levels: usize) -> PathBuf {
    let mut directory = file.to_owned();
    for _ in 0..levels {
        if directory == root || !directory.pop() {
            break;
        }
    }
    if directory.starts_with(root) { directory } else { root.to_owned() }
}

fn archive_stem(file: &Path) -> String {
    let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    [".tar.zst", ".tar.gz", ".tgz", ".tar", ".zip"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(&name)
        .to_owned()
}

fn debian_list_name(file: &Path) -> String {
    let text = file.to_string_lossy().to_ascii_uppercase();
    if text.contains("DLA") {
        "debian-dla".to_owned()
    } else if text.contains("DSA") {
        "debian-dsa".to_owned()
    } else {
        "debian-list".to_owned()
    }
}

fn make_names_unique(feeds: &mut [Feed]) {
    feeds.sort_by(|a, b| a.name.cmp(&b.name));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for feed in feeds.iter_mut() {
        let count = seen.entry(feed.name.clone()).or_default();
        *count += 1;
        if *count > 1 {
            feed.name = format!("{}-{count}", feed.name);
        }
    }
}

/// Decides what a file is from its name and, for JSON, YAML, CSV and lists, its content.
fn classify(label: &str, file: &Path) -> Result<FileKind, AdvisoryError> {
    let name = file.file_name().map(|name| name.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let plain = name.strip_suffix(".gz").unwrap_or(&name);

    if is_zip_archive(file) {
        return Ok(FileKind::Feed(FeedKind::Osv));
    }
    if is_tar_archive(file) {
        // Native archives are recognized by their repositories' names.
        let kind = if name.contains("ruby-advisory-db") {
            FeedKind::RubySec
        } else if name.contains("security-wg") {
            FeedKind::NodeSecurityWg
        } else {
            FeedKind::Osv
        };
        return Ok(FileKind::Feed(kind));
    }

    let is_json = plain.ends_with(".json");
    let is_yaml = plain.ends_with(".yaml") || plain.ends_with(".yml");
    let is_csv = plain.ends_with(".csv");
    let is_list = plain == "list" || plain.starts_with("dsa-list") || plain.starts_with("dla-list");
    if !(is_json || is_yaml || is_csv || is_list) {
        return Ok(FileKind::Unsupported("no importer reads this file type"));
    }

    // Sniffing reads the file once more than the import; the feeds large enough for that to
    // matter come as archives, which are classified by name.
    let bytes = read_file(label, file, &mut Sha256::default())?;
    let kind = if is_csv {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        text.lines().any(|line| line.trim() == "cve,epss,percentile").then_some(FeedKind::Epss)
    } else if is_list {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        text.lines().next().is_some_and(|line| line.starts_with('[')).then_some(FeedKind::DebianList)
    } else if is_json {
        serde_json::from_slice::<Value>(&bytes).ok().as_ref().and_then(classify_document)
    } else {
        serde_yaml_ng::from_slice::<Value>(&bytes).ok().as_ref().and_then(classify_document)
    };

    Ok(kind.map_or(FileKind::Unsupported("the content matches no feed format"), FileKind::Feed))
}

fn classify_document(document: &Value) -> Option<FeedKind> {
    let object = document.as_object()?;
    if object.contains_key("vulnerabilities") && object.contains_key("catalogVersion") {
        return Some(FeedKind::Kev);
    }
    if object.get("vulnerabilities").and_then(Value::as_array).and_then(|entries| entries.first()).is_some_and(|entry| entry.get("cve").is_some())
        || object.get("cve").is_some_and(Value::is_object)
        || import::nvd::is_cve_object(object)
    {
        return Some(FeedKind::Nvd);
    }
    if object.contains_key("distroversion") {
        return Some(FeedKind::AlpineSecdb);
    }
    if object.contains_key("id") && ["affected", "modified", "schema_version"].iter().any(|key| object.contains_key(*key)) {
        return Some(FeedKind::Osv);
    }

    // The tracker maps source packages to objects keyed by CVE (or TEMP-) ids.
    let first_package = object.values().next()?.as_object()?;
    let first_issue = first_package.keys().next()?;
    (first_issue.starts_with("CVE-") || first_issue.starts_with("TEMP-")).then_some(FeedKind::DebianTracker)
}
