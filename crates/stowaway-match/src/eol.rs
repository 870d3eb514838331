//! Releases past the end of their security support.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use stowaway_model::Level;

use crate::namespace::OsNamespace;

/// The date each release stops receiving security fixes (`YYYY-MM-DD`), the last support the
/// distribution itself gives: Debian's LTS, Ubuntu's standard support, Alpine's branch end, Red
/// Hat's maintenance phase.
const END_OF_LIFE: [(&str, &str); 33] = [
    ("debian:7", "2018-05-31"),
    ("debian:8", "2020-06-30"),
    ("debian:9", "2022-06-30"),
    ("debian:10", "2024-06-30"),
    ("debian:11", "2026-08-31"),
    ("debian:12", "2028-06-30"),
    ("debian:13", "2030-06-30"),
    ("ubuntu:14.04", "2019-04-30"),
    ("ubuntu:16.04", "2021-04-30"),
    ("ubuntu:18.04", "2023-05-31"),
    ("ubuntu:20.04", "2025-05-31"),
    ("ubuntu:22.04", "2027-06-01"),
    ("ubuntu:24.04", "2029-05-31"),
    ("alpine:3.10", "2021-05-01"),
    ("alpine:3.11", "2021-11-01"),
    ("alpine:3.12", "2022-05-01"),
    ("alpine:3.13", "2022-11-01"),
    ("alpine:3.14", "2023-05-01"),
    ("alpine:3.15", "2023-11-01"),
    ("alpine:3.16", "2024-05-23"),
    ("alpine:3.17", "2024-11-22"),
    ("alpine:3.18", "2025-05-09"),
    ("alpine:3.19", "2025-11-01"),
    ("alpine:3.20", "2026-04-01"),
    ("alpine:3.21", "2026-11-01"),
    ("alpine:3.22", "2027-05-01"),
    ("rhel:6", "2020-11-30"),
    ("rhel:7", "2024-06-30"),
    ("rhel:8", "2029-05-31"),
    ("rhel:9", "2032-05-31"),
    ("centos:6", "2020-11-30"),
    ("centos:7", "2024-06-30"),
    ("centos:8", "2021-12-31"),
];

/// A release that no longer receives security fixes: its packages stay vulnerable to whatever
/// is found after that date, and no database can list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndOfLife {
    /// The release's namespace (`debian:10`).
    pub namespace: String,
    /// The last day of security support (`YYYY-MM-DD`).
    pub date: String,
    /// The severity the finding counts as for `--fail-on`.
    pub severity: Level,
}

/// Returns the end-of-life finding of `release` when `today` is past its support end.
pub(crate) fn check(release: &OsNamespace, today: SystemTime) -> Option<EndOfLife> {
    let (_, date) = END_OF_LIFE.iter().find(|(namespace, _)| *namespace == release.namespace)?;
    let end = humantime::parse_rfc3339(&format!("{date}T23:59:59Z")).ok()?;
    (today > end).then(|| EndOfLife { namespace: release.namespace.clone(), date: (*date).to_owned(), severity: Level::High })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(namespace: &str) -> OsNamespace {
        let (distribution, release) = namespace.split_once(':').unwrap();
        OsNamespace { namespace: namespace.to_owned(), distribution: distribution.to_owned(), release: release.to_owned() }
    }

    #[test]
    fn past_support_end_is_reported() {
        let today = humantime::parse_rfc3339("2026-12-04T00:00:00Z").unwrap();
        assert_eq!(check(&release("debian:10"), today).map(|eol| eol.date), Some("2024-06-30".to_owned()));
        assert_eq!(check(&release("debian:12"), today), None);
        assert_eq!(check(&release("debian:sid"), today), None);
    }

    #[test]
    fn support_end_day_itself_is_supported() {
        let last_day = humantime::parse_rfc3339("2024-06-30T12:00:00Z").unwrap();
        assert_eq!(check(&release("debian:10"), last_day), None);
    }
}
