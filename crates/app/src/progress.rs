//! How long use cases report their progress, and learn that they are to stop. The CLI draws it
//! as progress bars (its stop is Ctrl-C), the server as a job's progress (a job cancelled while
//! running is asked to stop); a caller that does not care passes `&()`.
//!
//! Stopping is cooperative: a use case checks [`dyn Progress::go_on`] where stopping leaves
//! nothing half done (before it writes, or inside its write transaction before the commit, so
//! that the error rolls it back), and runs the pure engines through [`dyn Progress::engine`],
//! which stops them at their next step.

use crate::{Error, Result};

/// Receives the stages of a long use case and the steps done in each. Engines may report steps
/// from several threads at once.
pub trait Progress: Sync {
    /// A new stage named `what` ("loading", "trials") of `len` steps, or of unknown length.
    fn start(&self, what: &str, len: Option<u64>) {
        let _ = (what, len);
    }

    /// `steps` more steps of the current stage are done.
    fn advance(&self, steps: u64) {
        let _ = steps;
    }

    /// The current stage is over.
    fn finish(&self) {}

    /// Who asked the use case to stop (the actor as the audit log names it), once someone did.
    fn stop_requested(&self) -> Option<String> {
        None
    }
}

/// No progress reporting.
impl Progress for () {}

/// What unwinds an engine asked to stop, with who asked; [`dyn Progress::engine`] catches it.
struct Stop(String);

/// The error of a use case stopped on `by`'s request.
fn cancelled(by: &str) -> Error {
    Error::Cancelled(format!(
        "cancelled by {by} while it ran; nothing was stored"
    ))
}

impl dyn Progress + '_ {
    /// An error when someone asked the use case to stop: it fails as [`Error::Cancelled`].
    pub fn go_on(&self) -> Result<()> {
        self.stop_requested()
            .map_or(Ok(()), |by| Err(cancelled(&by)))
    }

    /// Runs a pure engine (`graph::montecarlo::run`, …) with the current stage's step counter,
    /// stopping it at its next step once someone asked the use case to stop. The engine is
    /// unwound from inside its step counter: it holds no store and no lock outside itself, and
    /// what it computed so far is dropped.
    pub fn engine<T>(&self, run: impl FnOnce(&(dyn Fn(u64) + Sync)) -> T) -> Result<T> {
        let tick = |steps: u64| {
            self.advance(steps);
            if let Some(by) = self.stop_requested() {
                // Not a panic: no panic hook runs, and rayon carries it back to this thread.
                std::panic::resume_unwind(Box::new(Stop(by)));
            }
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&tick))).or_else(|payload| {
            match payload.downcast::<Stop>() {
                Ok(stop) => Err(cancelled(&stop.0)),
                Err(other) => std::panic::resume_unwind(other),
            }
        })
    }
}
