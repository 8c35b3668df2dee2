//! Progress bars on stderr: drawn only on a terminal and never with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

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

/// The bars of one command, one stage at a time, as an `app` use case reports its progress.
pub struct Bars {
    quiet: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            current: Mutex::new(None),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl app::Progress for Bars {
    /// A bar, or a ticking spinner for a stage of unknown length.
    fn start(&self, what: &str, len: Option<u64>) {
        let pb = bar(self.quiet, len, what);
        if len.is_none() {
            pb.enable_steady_tick(Duration::from_millis(120));
        }
        if let Some(previous) = self.current().replace(pb) {
            previous.finish_and_clear();
        }
    }

    fn advance(&self, steps: u64) {
        if let Some(pb) = self.current().as_ref() {
            pb.inc(steps);
        }
    }

    fn finish(&self) {
        if let Some(pb) = self.current().take() {
            pb.finish_and_clear();
        }
    }
}
