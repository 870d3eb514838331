//! Progress display on stderr, drawn only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Creates a bar that counts the layers read; it is hidden when stderr is not a terminal.
pub fn layer_bar(layers: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(layers as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} reading layers {pos}/{len} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Creates a spinner with a message for a step of unknown length; hidden when stderr is not a
/// terminal.
pub fn spinner(message: &'static str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner());
    spinner.set_style(style);
    spinner.set_message(message);
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

/// A byte counter for `db update` downloads, one file at a time; hidden when stderr is not a
/// terminal.
pub struct DownloadBar {
    bar: ProgressBar,
}

impl DownloadBar {
    /// Creates the bar, drawn from the first download on.
    pub fn new() -> DownloadBar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
        bar.set_message("requesting feeds");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        DownloadBar { bar }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl stowaway_advisory::update::UpdateProgress for DownloadBar {
    fn download_started(&self, feed: &str, _url: &str, size: Option<u64>) {
        let template = match size {
            Some(_) => "{spinner} {msg} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            None => "{spinner} {msg} {bytes} {bytes_per_sec}",
        };
        self.bar.reset();
        self.bar.set_message(format!("downloading {feed}"));
        self.bar.set_length(size.unwrap_or(0));
        self.bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    }

    fn downloaded(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn building(&self) {
        self.bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
        self.bar.reset();
        self.bar.set_message("building the database");
    }
}
