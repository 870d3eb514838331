//! The database's age against the maximum a scan accepts without a warning.
//!
//! The maximum is `STOWAWAY_DB_MAX_AGE` when set, else `max_age` in the update configuration,
//! else seven days. Values are a number with `d`, `h`, `m` or `s` (`7d`, `36h`).

use std::path::Path;
use std::time::Duration;

use crate::AdvisoryError;
use crate::store::DatabaseStatus;
use crate::update::config::{UpdateConfig, default_config_path, max_age};

/// Returns the maximum database age: `STOWAWAY_DB_MAX_AGE`, else the `max_age` of the
/// configuration at `config_path` (or at the default location when `None`), else seven days.
pub fn configured_max_age(config_path: Option<&Path>) -> Result<Duration, AdvisoryError> {
    let config = match config_path {
        Some(path) => UpdateConfig::load(path, false)?,
        None => match default_config_path() {
            Some(path) => UpdateConfig::load(&path, true)?,
            None => UpdateConfig::default(),
        },
    };
    max_age(&config)
}

/// Returns the warning a scan prints when the database is older than `max_age` or its build time
/// is unreadable. The warning states the age and the command to run. Returns `None` for a
/// database recent enough.
pub fn age_warning(status: &DatabaseStatus, max_age: Duration) -> Option<String> {
    let what = if status.embedded_snapshot {
        "the advisory database is the embedded snapshot that ships with stowaway (facts only, no summaries) and"
    } else {
        "the advisory database"
    };
    let Some(age) = status.age else {
        return Some(format!(
            "{what} has an unreadable or future build time `{}`; run `stowaway db update` to replace it",
            status.built_at
        ));
    };
    if age <= max_age {
        return None;
    }
    Some(format!(
        "{what} was built {} ago ({}), over the maximum age of {}; run `stowaway db update` to download current advisories",
        format_duration(age),
        status.built_at,
        format_duration(max_age)
    ))
}

/// Formats a duration as whole days, hours or minutes (`12 days`, `5 hours`, `1 minute`).
pub fn format_duration(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (count, unit) = match minutes {
        0..60 => (minutes, "minute"),
        60..2880 => (minutes / 60, "hour"),
        _ => (minutes / 1440, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(age: Option<Duration>, embedded_snapshot: bool) -> DatabaseStatus {
        DatabaseStatus {
            schema_version: crate::SCHEMA_VERSION,
            built_at: "2026-08-29T10:40:00Z".to_owned(),
            age,
            sources: Vec::new(),
            embedded_snapshot,
        }
    }

    const WEEK: Duration = Duration::from_secs(7 * 86_400);

    #[test]
    fn recent_database_has_no_warning() {
        assert_eq!(age_warning(&status(Some(Duration::from_secs(3600)), false), WEEK), None);
        assert_eq!(age_warning(&status(Some(WEEK), false), WEEK), None);
    }

    #[test]
    fn old_database_warning_says_age_and_command() {
        let warning = age_warning(&status(Some(Duration::from_secs(12 * 86_400)), false), WEEK).unwrap();
        assert!(warning.contains("built 12 days ago"), "{warning}");
        assert!(warning.contains("maximum age of 7 days"), "{warning}");
        assert!(warning.contains("run `stowaway db update`"), "{warning}");
        assert!(!warning.contains("embedded snapshot"), "{warning}");
    }

    #[test]
    fn old_snapshot_warning_names_snapshot() {
        let warning = age_warning(&status(Some(Duration::from_secs(40 * 86_400)), true), WEEK).unwrap();
        assert!(warning.contains("embedded snapshot"), "{warning}");
        assert!(warning.contains("40 days"), "{warning}");
    }

    #[test]
    fn unknown_age_warns() {
        let warning = age_warning(&status(None, false), WEEK).unwrap();
        assert!(warning.contains("unreadable or future build time"), "{warning}");
    }

    #[test]
    fn durations_format_in_largest_unit() {
        assert_eq!(format_duration(Duration::from_secs(59)), "0 minutes");
        assert_eq!(format_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(format_duration(Duration::from_secs(5 * 3600)), "5 hours");
        assert_eq!(format_duration(Duration::from_secs(3 * 86_400)), "3 days");
    }
}
