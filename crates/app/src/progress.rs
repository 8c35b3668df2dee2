//! How long use cases report their progress. The CLI draws it as progress bars, the server as a
//! job's progress; a caller that does not care passes `&()`.

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
}

/// No progress reporting.
impl Progress for () {}

impl dyn Progress + '_ {
    /// The current stage's step counter, as the engines (`graph::montecarlo::run`, …) take it.
    pub fn ticker(&self) -> impl Fn(u64) + Sync + '_ {
        move |steps| self.advance(steps)
    }
}
