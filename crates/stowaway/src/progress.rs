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
