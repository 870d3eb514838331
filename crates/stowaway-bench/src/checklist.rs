//! Checklists: which checks run, with which severities, levels and parameters, as TOML.
//!
//! The built-in checklist (`checklists/default.toml` in the repository) is embedded at build
//! time. A user's checklist is laid over it key by key, so a file of three lines can drop a
//! section or change one threshold.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::Path;

use serde::Deserialize;
use stowaway_model::Level;
use toml::Spanned;

use crate::BenchError;
use crate::catalog::{self, CHECKS};
use crate::check::{Check, Section};

/// The built-in checklist's text.
const DEFAULT_CHECKLIST: &str = include_str!("../../../checklists/default.toml");

/// Checklists larger than this are rejected; the built-in one is about 6 KiB.
const MAX_CHECKLIST_BYTES: u64 = 1 << 20;

/// A validated checklist.
#[derive(Clone, Debug)]
pub struct Checklist {
    /// Source: a file path, or `built-in default`.
    pub origin: String,
    /// The checks that run, in report order.
    pub checks: Vec<Check>,
    /// The checks' parameters.
    pub parameters: Parameters,
    /// Containers the runtime checks leave out.
    pub exclude: Exclusions,
}

/// The tunable values of the checks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// Capabilities a container may add (CIS-5.3).
    pub allowed_capabilities: Vec<String>,
    /// Capabilities named as dangerous (CIS-5.3).
    pub dangerous_capabilities: Vec<String>,
    /// Ports an image should not expose (IMG-009).
    pub sensitive_ports: Vec<u16>,
    /// Host folders a container should not mount (CIS-5.5).
    pub sensitive_mounts: Vec<String>,
    /// Setuid or setgid files an image may contain (IMG-008).
    pub allowed_setuid: Vec<String>,
    /// Processes per container above which CTR-002 warns.
    pub max_processes: u64,
    /// Changed files per container above which CTR-003 warns.
    pub max_changed_files: u64,
    /// Highest accepted on-failure retry count (CIS-5.14).
    pub max_restart_retries: i64,
    /// Users who may be in the docker group (CIS-1.1.2).
    pub trusted_docker_users: Vec<String>,
    /// Log drivers that keep logs on the host only (CIS-2.12).
    pub local_log_drivers: Vec<String>,
}

/// Containers left out of the runtime checks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Exclusions {
    /// Names, without the engine's leading `/`.
    pub containers: Vec<String>,
    /// `KEY` or `KEY=VALUE`.
    pub labels: Vec<String>,
}

impl Exclusions {
    /// Tells whether a container with this name and these labels is left out.
    pub fn excludes(&self, name: &str, labels: &BTreeMap<String, String>) -> bool {
        let name = name.trim_start_matches('/');
        if self.containers.iter().any(|excluded| excluded == name) {
            return true;
        }
        self.labels.iter().any(|rule| match rule.split_once('=') {
            Some((key, value)) => labels.get(key).is_some_and(|actual| actual == value),
            None => labels.contains_key(rule),
        })
    }
}

/// The file as written: every key optional, so a user's file can set only what it changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    #[serde(default)]
    select: RawSelect,
    #[serde(default)]
    parameters: toml::Table,
    #[serde(default)]
    exclude: Option<Exclusions>,
    #[serde(default)]
    checks: BTreeMap<Spanned<String>, RawCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelect {
    sections: Option<Vec<Spanned<i64>>>,
    skip: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    severity: Option<Level>,
    level: Option<Spanned<i64>>,
    enabled: Option<bool>,
}

/// Severity, level and selection of one check once the layers are merged.
#[derive(Clone, Copy, Debug)]
struct Setting {
    severity: Level,
    level: u8,
    enabled: bool,
}

impl Checklist {
    /// Returns the built-in checklist.
    pub fn builtin() -> Result<Checklist, BenchError> {
        Checklist::layered(None)
    }

    /// Reads a user's checklist file and lays it over the built-in one.
    pub fn load(path: &Path) -> Result<Checklist, BenchError> {
        let read_error = |source| BenchError::ChecklistRead {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut text = String::new();
        file.take(MAX_CHECKLIST_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_error)?;
        if text.len() as u64 > MAX_CHECKLIST_BYTES {
            return Err(BenchError::ChecklistTooLarge {
                path: path.to_owned(),
                limit: MAX_CHECKLIST_BYTES,
            });
        }
        Checklist::parse(&text, &path.display().to_string())
    }

    /// Parses a user's checklist text, naming it `origin` in errors, and lays it over the built-in one.
    pub fn parse(text: &str, origin: &str) -> Result<Checklist, BenchError> {
        Checklist::layered(Some((text, origin)))
    }

    /// Returns the configured check with this id, if it runs.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|check| check.id == id)
    }

    /// Tells whether any check of the section runs.
    pub fn runs_section(&self, section: Section) -> bool {
        self.checks.iter().any(|check| check.section == section)
    }

    fn layered(user: Option<(&str, &str)>) -> Result<Checklist, BenchError> {
        let builtin_origin = "built-in default";
        let builtin = parse_raw(DEFAULT_CHECKLIST, builtin_origin)?;
        let mut settings = check_settings(&builtin, DEFAULT_CHECKLIST, builtin_origin, None)?;
        let mut sections = selected_sections(&builtin.select, DEFAULT_CHECKLIST, builtin_origin)?
            .unwrap_or_default();
        let mut skip =
            skip_list(&builtin.select, DEFAULT_CHECKLIST, builtin_origin)?.unwrap_or_default();
        let mut parameters = builtin.parameters;
        let mut exclude = builtin.exclude.unwrap_or_default();
        let mut origin = builtin_origin.to_owned();

        // Each key the user's file sets replaces the built-in one.
        if let Some((text, user_origin)) = user {
            let raw = parse_raw(text, user_origin)?;
            settings = check_settings(&raw, text, user_origin, Some(settings))?;
            sections = selected_sections(&raw.select, text, user_origin)?.unwrap_or(sections);
            skip = skip_list(&raw.select, text, user_origin)?.unwrap_or(skip);
            parameters.extend(raw.parameters);
            exclude = raw.exclude.unwrap_or(exclude);
            origin = user_origin.to_owned();
        }

        let parameters =
            Parameters::deserialize(toml::Value::Table(parameters)).map_err(|source| {
                BenchError::ChecklistSyntax {
                    origin: origin.clone(),
                    source: Box::new(source),
                }
            })?;
        let checks = CHECKS
            .iter()
            .filter(|definition| {
                sections.contains(&definition.section) && !skip.contains(definition.id)
            })
            .filter_map(|definition| {
                let setting = settings.get(definition.id)?;
                setting
                    .enabled
                    .then(|| Check::new(definition, setting.severity, setting.level))
            })
            .collect();
        Ok(Checklist {
            origin,
            checks,
            parameters,
            exclude,
        })
    }
}

fn parse_raw(text: &str, origin: &str) -> Result<RawChecklist, BenchError> {
    toml::from_str(text).map_err(|source| BenchError::ChecklistSyntax {
        origin: origin.to_owned(),
        source: Box::new(source),
    })
}

/// Returns the 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

/// Merges the `[checks]` table over `base`; without a base every check must be listed.
fn check_settings(
    raw: &RawChecklist,
    text: &str,
    origin: &str,
    base: Option<BTreeMap<&'static str, Setting>>,
) -> Result<BTreeMap<&'static str, Setting>, BenchError> {
    let is_builtin = base.is_none();
    let mut settings = base.unwrap_or_default();
    for (id, entry) in &raw.checks {
        let line = line_of(text, id.span().start);
        let definition =
            catalog::definition(id.get_ref()).ok_or_else(|| BenchError::UnknownCheck {
                origin: origin.to_owned(),
                line,
                id: id.get_ref().clone(),
            })?;
        let level = match &entry.level {
            Some(level) if matches!(level.get_ref(), 1 | 2) => Some(*level.get_ref() as u8),
            Some(level) => {
                return Err(BenchError::InvalidLevel {
                    origin: origin.to_owned(),
                    line: line_of(text, level.span().start),
                    id: definition.id.to_owned(),
                    level: *level.get_ref(),
                });
            }
            None => None,
        };
        let previous = settings.get(definition.id).copied();
        let setting = Setting {
            severity: entry
                .severity
                .or(previous.map(|setting| setting.severity))
                .unwrap_or(Level::Medium),
            level: level.or(previous.map(|setting| setting.level)).unwrap_or(1),
            enabled: entry
                .enabled
                .or(previous.map(|setting| setting.enabled))
                .unwrap_or(true),
        };
        settings.insert(definition.id, setting);
    }

    if is_builtin
        && let Some(missing) = CHECKS
            .iter()
            .find(|definition| !settings.contains_key(definition.id))
    {
        return Err(BenchError::MissingCheck {
            id: missing.id.to_owned(),
        });
    }
    Ok(settings)
}

fn selected_sections(
    select: &RawSelect,
    text: &str,
    origin: &str,
) -> Result<Option<BTreeSet<Section>>, BenchError> {
    let Some(numbers) = &select.sections else {
        return Ok(None);
    };
    numbers
        .iter()
        .map(|number| {
            Section::from_number(*number.get_ref()).ok_or_else(|| BenchError::UnknownSection {
                origin: origin.to_owned(),
                line: line_of(text, number.span().start),
                number: *number.get_ref(),
            })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn skip_list(
    select: &RawSelect,
    text: &str,
    origin: &str,
) -> Result<Option<BTreeSet<&'static str>>, BenchError> {
    let Some(ids) = &select.skip else {
        return Ok(None);
    };
    ids.iter()
        .map(|id| {
            catalog::definition(id.get_ref())
                .map(|definition| definition.id)
                .ok_or_else(|| BenchError::UnknownCheck {
                    origin: origin.to_owned(),
                    line: line_of(text, id.span().start),
                    id: id.get_ref().clone(),
                })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_every_check() {
        let checklist = Checklist::builtin().unwrap();

        assert_eq!(checklist.checks.len(), CHECKS.len());
        assert_eq!(checklist.parameters.sensitive_ports, [22, 23, 2375, 2376]);
        assert_eq!(
            checklist.check("CIS-5.4").unwrap().severity,
            Level::Critical
        );
    }

    #[test]
    fn user_file_drops_section_and_changes_threshold() {
        let text = "[select]\nsections = [1, 2, 3, 5]\n\n[parameters]\nmax_processes = 7\n\n[checks]\n\"CIS-5.10\" = { severity = \"critical\" }\n";
        let checklist = Checklist::parse(text, "custom.toml").unwrap();

        assert!(!checklist.runs_section(Section::Images));
        assert!(checklist.runs_section(Section::Runtime));
        assert_eq!(checklist.parameters.max_processes, 7);
        assert_eq!(checklist.parameters.max_changed_files, 100);
        assert_eq!(
            checklist.check("CIS-5.10").unwrap().severity,
            Level::Critical
        );
        assert_eq!(checklist.check("CIS-5.10").unwrap().level, 1);
    }

    #[test]
    fn skip_and_disable_remove_checks() {
        let text = "[select]\nskip = [\"IMG-010\"]\n[checks]\n\"IMG-002\" = { enabled = false }\n";
        let checklist = Checklist::parse(text, "custom.toml").unwrap();

        assert!(checklist.check("IMG-010").is_none());
        assert!(checklist.check("IMG-002").is_none());
        assert!(checklist.check("IMG-001").is_some());
    }

    #[test]
    fn unknown_check_names_file_and_line() {
        let text = "[checks]\n\"CIS-5.4\" = { severity = \"low\" }\n\"CIS-9.9\" = { severity = \"low\" }\n";
        let error = Checklist::parse(text, "custom.toml").unwrap_err();

        assert_eq!(
            error.to_string(),
            "unknown check id `CIS-9.9` in checklist `custom.toml` at line 3; docs/checks.md lists the ids"
        );
    }

    #[test]
    fn unknown_skip_id_names_line() {
        let error =
            Checklist::parse("[select]\nskip = [\n  \"IMG-999\",\n]\n", "custom.toml").unwrap_err();

        assert!(
            matches!(error, BenchError::UnknownCheck { line: 3, .. }),
            "{error}"
        );
    }

    #[test]
    fn unknown_section_and_level_rejected() {
        let section = Checklist::parse("[select]\nsections = [8]\n", "custom.toml").unwrap_err();
        let level =
            Checklist::parse("[checks]\n\"IMG-001\" = { level = 3 }\n", "custom.toml").unwrap_err();

        assert!(
            matches!(
                section,
                BenchError::UnknownSection {
                    number: 8,
                    line: 2,
                    ..
                }
            ),
            "{section}"
        );
        assert!(
            matches!(
                level,
                BenchError::InvalidLevel {
                    level: 3,
                    line: 2,
                    ..
                }
            ),
            "{level}"
        );
    }

    #[test]
    fn unknown_parameter_rejected() {
        let error = Checklist::parse("[parameters]\nmax_procs = 3\n", "custom.toml").unwrap_err();

        assert!(
            matches!(error, BenchError::ChecklistSyntax { .. }),
            "{error}"
        );
    }

    #[test]
    fn exclusions_match_name_and_labels() {
        let exclude = Exclusions {
            containers: vec!["db".into()],
            labels: vec!["team=infra".into(), "skip".into()],
        };
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };

        assert!(exclude.excludes("/db", &BTreeMap::new()));
        assert!(exclude.excludes("web", &labels(&[("team", "infra")])));
        assert!(exclude.excludes("web", &labels(&[("skip", "")])));
        assert!(!exclude.excludes("web", &labels(&[("team", "apps")])));
    }
}
