//! The feeds `db update` downloads when the configuration lists none: the public locations each
//! project documents for its data. No test contacts them.

use crate::feed::FeedKind;
use crate::update::config::{FeedSource, RemoteFile};

/// The osv.dev ecosystems downloaded, as named in osv.dev's bucket (one `all.zip` each).
const OSV_ECOSYSTEMS: [&str; 10] = ["Go", "PyPI", "crates.io", "npm", "Maven", "RubyGems", "NuGet", "Packagist", "Hex", "Pub"];

/// Alpine branches whose secdb is downloaded.
const ALPINE_BRANCHES: [&str; 6] = ["v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "edge"];

/// The first and last year of NVD's yearly CVE files.
// NOTE: the last year is fixed here; records of later years arrive through the `modified` file
// until this list grows.
const NVD_YEARS: std::ops::RangeInclusive<u32> = 2002..=2026;

/// Returns the built-in feed list.
pub fn feeds() -> Vec<FeedSource> {
    let mut feeds: Vec<FeedSource> = OSV_ECOSYSTEMS
        .iter()
        .map(|ecosystem| {
            let name = format!("osv-{}", ecosystem.to_ascii_lowercase().replace('.', "-"));
            let url = format!("https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip");
            feed(&name, FeedKind::Osv, vec![(url, None)])
        })
        .collect();

    let alpine = ALPINE_BRANCHES
        .iter()
        .flat_map(|branch| {
            ["main", "community"].map(|repository| {
                (format!("https://secdb.alpinelinux.org/{branch}/{repository}.json"), Some(format!("{branch}-{repository}.json")))
            })
        })
        .collect();
    feeds.push(feed("alpine-secdb", FeedKind::AlpineSecdb, alpine));

    let tracker = "https://security-tracker.debian.org/tracker/data/json";
    feeds.push(feed("debian-tracker", FeedKind::DebianTracker, vec![(tracker.to_owned(), Some("debian-tracker.json".to_owned()))]));
    for list in ["DSA", "DLA"] {
        let url = format!("https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/{list}/list");
        let name = format!("debian-{}", list.to_ascii_lowercase());
        feeds.push(feed(&name, FeedKind::DebianList, vec![(url, Some(format!("{list}-list")))]));
    }

    let ruby = "https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz";
    feeds.push(feed("ruby-advisory-db", FeedKind::RubySec, vec![(ruby.to_owned(), Some("ruby-advisory-db.tar.gz".to_owned()))]));
    let node = "https://github.com/nodejs/security-wg/archive/refs/heads/main.tar.gz";
    feeds.push(feed("nodejs-security-wg", FeedKind::NodeSecurityWg, vec![(node.to_owned(), Some("security-wg.tar.gz".to_owned()))]));

    let nvd = NVD_YEARS
        .map(|year| format!("https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-{year}.json.gz"))
        .chain(std::iter::once("https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-modified.json.gz".to_owned()))
        .map(|url| (url, None))
        .collect();
    feeds.push(feed("nvd", FeedKind::Nvd, nvd));

    let kev = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
    feeds.push(feed("cisa-kev", FeedKind::Kev, vec![(kev.to_owned(), None)]));
    let epss = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";
    feeds.push(feed("first-epss", FeedKind::Epss, vec![(epss.to_owned(), None)]));
    feeds
}

fn feed(name: &str, kind: FeedKind, urls: Vec<(String, Option<String>)>) -> FeedSource {
    let files = urls
        .into_iter()
        .map(|(url, file_name)| RemoteFile::new(url, file_name).expect("built-in feed URLs are valid"))
        .collect();
    FeedSource { name: name.to_owned(), kind, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_are_unique_and_files_named() {
        let feeds = feeds();
        let mut names: Vec<&str> = feeds.iter().map(|feed| feed.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), feeds.len());
        assert!(feeds.iter().any(|feed| feed.kind == FeedKind::Nvd));
        for file in feeds.iter().flat_map(|feed| &feed.files) {
            assert!(file.file_name.contains('.') || file.file_name.ends_with("-list"), "{file:?}");
        }
    }
}
