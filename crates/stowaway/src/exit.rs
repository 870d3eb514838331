//! Exit statuses and the error printer of the command line.

#![allow(clippy::print_stderr)]

use std::process::ExitCode;

/// The outcome of a `stowaway` run, as its exit code reports it to a CI job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the command completed and found nothing at or above the threshold.
    Success,
    /// 1: findings at or above the threshold, a policy denial, or a comparison whose result is "no".
    #[allow(dead_code)]
    Findings,
    /// 2: the command could not complete (invalid input, unreadable image, I/O failure).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Findings => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Prints `error:` with the error, one `caused by:` line per cause, and a hint where one helps.
///
/// A hint is the part of the outermost message from a line starting with `hint: `. It is printed
/// after the causes, so it is the last line a user reads.
pub fn print_error(error: &anyhow::Error) {
    let message = error.to_string();
    let (message, hint) = match message.split_once("\nhint: ") {
        Some((message, hint)) => (message, Some(hint)),
        None => (message.as_str(), None),
    };
    eprintln!("error: {message}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
}

/// Prints image warnings to stderr, one line each.
pub fn print_warnings(warnings: &[stowaway_image::Warning]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Tells whether the error is a closed stdout (`stowaway ... | head`), which ends the run quietly.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Prints messages to stderr as `warning:` lines.
pub fn print_messages(messages: &[String]) {
    for message in messages {
        eprintln!("warning: {message}");
    }
}
