//! Progress bars on stderr: drawn only on a terminal and never with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps (or a spinner when `len` is `None`), hidden when output is not a TTY.
pub fn bar(quiet: bool, len: Option<u64>, what: &str) -> ProgressBar {
    let pb = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{msg:>12} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, eta {eta})",
            )
            .expect("static progress template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{msg:>12} [{elapsed_precise}] {spinner} {human_pos}")
                .expect("static progress template"),
        ),
    };
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_message(what.to_owned());
    pb
}
