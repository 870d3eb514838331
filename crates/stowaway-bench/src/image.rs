//! Section 4: checks of an image's configuration, build history and squashed files.

mod files;
mod secrets;

use stowaway_image::{Image, ImageView, RuntimeConfig};

use crate::check::CheckResult;
use crate::checklist::{Checklist, Parameters};
use crate::outcome::{CheckFn, Outcome, run_table};

/// History lines are cut to this many characters in details.
const MAX_LINE_CHARS: usize = 120;

/// File name endings of archives that ADD unpacks.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

/// Input of the image checks: the image, and its squashed files when they were read.
pub struct ImageSubject<'a> {
    image: &'a Image,
    view: Option<&'a ImageView>,
}

/// Returns the image checks, in report order.
pub(crate) fn image_table<'a>() -> [(&'static str, CheckFn<ImageSubject<'a>>); 13] {
    [
        ("IMG-001", runs_as_root),
        ("IMG-002", healthcheck),
        ("IMG-003", add_instructions),
        ("IMG-004", environment_secrets),
        ("IMG-005", history_secrets),
        ("IMG-006", files::package_caches),
        ("IMG-007", sudo_use),
        ("IMG-008", files::setuid_files),
        ("IMG-009", sensitive_ports),
        ("IMG-010", tags),
        ("IMG-011", files::git_folders),
        ("IMG-012", files::ssh_material),
        ("IMG-013", files::cloud_credentials),
    ]
}

/// Runs the image checks the checklist selects on one image.
///
/// `view` is the image's squashed file system from a [`stowaway_image::Walker`] run; without it
/// the checks that read files are reported as not run.
pub fn image_checks(
    image: &Image,
    view: Option<&ImageView>,
    checklist: &Checklist,
) -> Vec<CheckResult> {
    let target = image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| image.reference.clone());
    run_table(
        checklist,
        &target,
        &ImageSubject { image, view },
        &image_table(),
    )
}

impl ImageSubject<'_> {
    fn runtime(&self) -> Option<&RuntimeConfig> {
        self.image.config.config.as_ref()
    }

    /// Returns the build steps as written, with the classic builder's `/bin/sh -c #(nop) ` prefix removed.
    fn history(&self) -> impl Iterator<Item = &str> {
        self.image
            .config
            .history
            .iter()
            .filter_map(|step| step.created_by.as_deref())
            .map(|line| {
                let line = line.trim();
                line.strip_prefix("/bin/sh -c #(nop)")
                    .map_or(line, str::trim_start)
            })
    }
}

/// Returns a build step for display: secrets masked, cut to `MAX_LINE_CHARS`.
fn shortened(line: &str) -> String {
    let line = secrets::redact(line);
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

fn runs_as_root(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let user = subject
        .runtime()
        .and_then(|config| config.user.as_deref())
        .unwrap_or("")
        .trim();
    let name = user.split(':').next().unwrap_or("");
    match name {
        "" => Outcome::warn("no USER is set, so containers run as root"),
        "root" | "0" => Outcome::warn(format!("USER is `{user}`")),
        _ => Outcome::pass(),
    }
}

fn healthcheck(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let test = subject
        .runtime()
        .and_then(|config| config.healthcheck.as_ref())
        .map(|check| check.test.as_slice())
        .unwrap_or_default();
    match test.first().map(String::as_str) {
        None => Outcome::warn("no HEALTHCHECK instruction"),
        Some("NONE") => Outcome::warn("HEALTHCHECK NONE disables the health check"),
        Some(_) => Outcome::pass(),
    }
}

/// Warns on ADD of a URL or of an archive. The first build step is the base image's root
/// filesystem, which official images add from an archive by design, so it is left out.
fn add_instructions(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .history()
        .skip(1)
        .filter_map(|line| {
            let arguments = line.strip_prefix("ADD ")?;
            let words: Vec<&str> = arguments
                .split_whitespace()
                .take_while(|word| *word != "#")
                .filter(|word| !word.starts_with("--"))
                .collect();
            let (_, sources) = words.split_last()?;
            let remote = sources
                .iter()
                .any(|source| source.starts_with("http://") || source.starts_with("https://"));
            let archive = sources.iter().any(|source| {
                ARCHIVE_SUFFIXES
                    .iter()
                    .any(|suffix| source.ends_with(suffix))
            });
            (remote || archive).then(|| shortened(line))
        })
        .collect();
    Outcome::from_problems(problems)
}

fn environment_secrets(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let environment = subject
        .runtime()
        .map(|config| config.env.as_slice())
        .unwrap_or_default();
    let problems = environment
        .iter()
        .filter_map(|entry| secrets::assignment_secret(entry))
        .map(|secret| secret.masked())
        .collect();
    Outcome::from_problems(problems)
}

/// Warns on secrets in build steps. Assignments still in the final environment are left to IMG-004.
fn history_secrets(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let environment = subject
        .runtime()
        .map(|config| config.env.as_slice())
        .unwrap_or_default();
    let mut problems: Vec<String> = subject
        .history()
        .flat_map(secrets::command_secrets)
        .filter(|secret| {
            !environment
                .iter()
                .any(|entry| *entry == format!("{}={}", secret.name, secret.value))
        })
        .map(|secret| secret.masked())
        .collect();
    problems.dedup();
    Outcome::from_problems(problems)
}

fn sudo_use(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let problems = subject
        .history()
        .filter(|line| {
            line.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '('))
                .any(|word| word == "sudo")
        })
        .map(shortened)
        .collect();
    Outcome::from_problems(problems)
}

fn sensitive_ports(subject: &ImageSubject<'_>, parameters: &Parameters) -> Outcome {
    let Some(config) = subject.runtime() else {
        return Outcome::pass();
    };
    let problems = config
        .exposed_ports
        .keys()
        .filter(|key| {
            let port = key
                .split('/')
                .next()
                .and_then(|number| number.parse::<u16>().ok());
            port.is_some_and(|port| parameters.sensitive_ports.contains(&port))
        })
        .map(|key| format!("EXPOSE {key}"))
        .collect();
    Outcome::from_problems(problems)
}

/// Returns the tag of an image name: the text after the last `:` that follows the last `/`, so
/// a registry port is not taken for a tag. A name with a repository and no tag means `latest`,
/// and a bare word is an OCI layout's tag (`1.4.2`).
fn tag_of(name: &str) -> &str {
    let (repository, last) = name
        .rsplit_once('/')
        .map_or(("", name), |(repository, last)| (repository, last));
    match last.rsplit_once(':') {
        Some((_, tag)) => tag,
        None if !repository.is_empty() => "latest",
        None => last,
    }
}

/// Warns when the image has no tag, or only `latest`.
fn tags(subject: &ImageSubject<'_>, _: &Parameters) -> Outcome {
    let tags = &subject.image.tags;
    if tags.is_empty() {
        return Outcome::warn("the image has no tag");
    }
    let versioned = tags.iter().any(|tag| tag_of(tag) != "latest");
    if versioned {
        Outcome::pass()
    } else {
        Outcome::warn(format!("only tagged `latest`: {}", tags.join(", ")))
    }
}
