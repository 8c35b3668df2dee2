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

/// [`app::Progress`] drawn as one [`bar`] per stage.
pub struct Bars {
    quiet: bool,
    current: std::sync::Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            current: std::sync::Mutex::new(None),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        f(&mut self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }
}

impl app::Progress for Bars {
    fn start(&self, what: &str, total: Option<u64>) {
        let quiet = self.quiet;
        self.with(|current| {
            if let Some(old) = current.replace(bar(quiet, total, what)) {
                old.finish_and_clear();
            }
        });
    }

    fn advance(&self, n: u64) {
        self.with(|current| {
            if let Some(bar) = current {
                bar.inc(n);
            }
        });
    }

    fn finish(&self) {
        self.with(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }
}
