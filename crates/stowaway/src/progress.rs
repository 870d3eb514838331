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

/// Creates a bar that counts the bytes of layers downloaded from a registry. It stays hidden
/// until a download starts, and also when stderr is not a terminal.
pub fn download_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template("{spinner} downloading {msg} {bytes}/{total_bytes} {bytes_per_sec} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Feeds the download events of an image pull into `bar`.
pub fn download_events(bar: ProgressBar) -> stowaway_image::DownloadProgress {
    stowaway_image::DownloadProgress::new(move |event| match event {
        stowaway_image::DownloadEvent::Started { layers, bytes } => {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_length(bytes);
            bar.set_message(format!("{layers} layers"));
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        stowaway_image::DownloadEvent::Received { bytes } => bar.inc(bytes),
    })
}
