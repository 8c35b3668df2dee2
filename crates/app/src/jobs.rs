//! Long work as jobs: storing a ranking, a Monte Carlo run or an import can take minutes, so a
//! server may run it in the background and answer at once with the job it [`submit`]ted. The
//! job's row holds its state (queued → running → succeeded or failed), the progress of its
//! current stage (a [`Tracker`] collects it; the server writes it with [`report`] when
//! [`Tracker::due`] says so, at most [`REPORT_EVERY`]) and its outcome: the result as the
//! adapter presents it, or a [`Failure`].
//!
//! A job is read by whoever requested it and by administrators; to anyone else it does not
//! exist. Submitting is audited (`job.submit`); the work itself audits its own writes. The
//! bookkeeping of a running job (start, progress, finish) is the server's and not audited.
//!
//! The server running a job says it is alive at least every [`HEARTBEAT`]; a job still queued
//! or running whose server was silent for [`STALE`] (a server that died) is failed as
//! `interrupted` by [`interrupt_stale`], which servers call at startup and periodically.
//!
//! [`cancel`] fails a queued job at once (it never runs). A running job is asked to stop: the
//! request is written to its row (the source of truth, whichever server runs it), the running
//! server reads it back each time it writes the progress ([`report`] tells the [`Tracker`]), and
//! the work stops at its next check ([`crate::Progress::stop_requested`]), where stopping
//! leaves nothing half written; it then fails as `cancelled`. A job that ends before it checks
//! keeps its outcome.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::authz::{self, Action};
use crate::{Actor, Error, Problem, Result, Role};

/// The most often a job's progress is written.
pub const REPORT_EVERY: Duration = Duration::from_millis(500);
/// The least often a running job's server says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// A job whose server was silent this long is interrupted.
pub const STALE: Duration = Duration::from_secs(60);

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
        }
    }

    fn parse(text: &str) -> State {
        match text {
            "queued" => State::Queued,
            "running" => State::Running,
            "succeeded" => State::Succeeded,
            // Fail closed: a state this build does not know is over.
            _ => State::Failed,
        }
    }
}

/// Why a job failed: a stable code, a message for people, and the located problems of bad
/// input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub problems: Vec<FailureProblem>,
}

/// A [`Problem`] as a failed job keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureProblem {
    pub pointer: String,
    pub message: String,
}

impl From<Problem> for FailureProblem {
    fn from(p: Problem) -> FailureProblem {
        FailureProblem {
            pointer: p.pointer,
            message: p.message,
        }
    }
}

/// A job as its requester sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: i64,
    /// What runs (`rank`, `montecarlo`, `percolation`, `atlas_import`, `intel_import`,
    /// `intel_sync`, `incident_import`, `sync`).
    pub kind: String,
    /// The actor as the audit log names it.
    pub requested_by: String,
    pub state: State,
    /// The current stage, its steps done and their number (unknown: `None`).
    pub stage: String,
    pub done: u64,
    pub total: Option<u64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The result as the adapter presented it, once succeeded.
    pub result: Option<serde_json::Value>,
    /// Why it failed, once failed.
    pub error: Option<Failure>,
    /// Who asked it to stop while it ran, if anyone did.
    pub cancel_requested_by: Option<String>,
}

impl From<store::Job> for Job {
    fn from(j: store::Job) -> Job {
        let unreadable = |what: &str| Failure {
            code: "internal".to_owned(),
            message: format!("the job's stored {what} is not readable"),
            problems: Vec::new(),
        };
        let result = j.result.as_deref().map(serde_json::from_str).transpose();
        let (result, mut error) = match result {
            Ok(result) => (result, None),
            Err(_) => (None, Some(unreadable("result"))),
        };
        if let Some(text) = &j.error {
            error = Some(serde_json::from_str(text).unwrap_or_else(|_| unreadable("error")));
        }
        Job {
            id: j.id,
            kind: j.kind,
            requested_by: j.requested_by,
            state: State::parse(&j.state),
            stage: j.stage,
            done: j.done,
            total: j.total,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            result,
            error,
            cancel_requested_by: j.cancel_requested_by,
        }
    }
}

/// Stores a queued job of `kind` for `actor`, who must be allowed `action` (the work's own
/// permission). Audited as `job.submit`.
pub fn submit(store: &mut store::Store, actor: &Actor, action: Action, kind: &str) -> Result<Job> {
    authz::authorize(actor, action)?;
    let requested_by = actor.audit_name();
    let id = crate::audit::audited(
        store,
        actor,
        "job.submit",
        |store| Ok(store.add_job(kind, &requested_by, &crate::now())?),
        |id| (vec![id.to_string()], kind.to_owned()),
    )?;
    read(store, id)
}

fn read(store: &mut store::Store, id: i64) -> Result<Job> {
    store.job(id)?.map(Job::from).ok_or_else(|| not_found(id))
}

fn not_found(id: i64) -> Error {
    Error::NotFound {
        what: "job",
        id: id.to_string(),
    }
}

/// The job `id`, for its requester or an administrator; not found for anyone else.
pub fn get(store: &mut store::Store, actor: &Actor, id: i64) -> Result<Job> {
    let job = store.job(id)?.ok_or_else(|| not_found(id))?;
    if actor.role() != Role::Admin && job.requested_by != actor.audit_name() {
        return Err(not_found(id));
    }
    Ok(job.into())
}

/// The jobs `actor` may read (an administrator: all), newest first, older than `before`.
pub fn list(
    store: &mut store::Store,
    actor: &Actor,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Job>> {
    if limit == 0 {
        return Err(Error::invalid("/limit", "must be at least 1"));
    }
    let filter = store::JobFilter {
        requested_by: (actor.role() != Role::Admin).then(|| actor.audit_name()),
        before,
        limit,
    };
    Ok(store.jobs(&filter)?.into_iter().map(Job::from).collect())
}

/// Cancels job `id`, for its requester or an administrator (not found for anyone else): a queued
/// job fails as `cancelled` and never runs; a running one is asked to stop (see the module's
/// documentation), and asking again changes nothing. A job that is over stays as it ended: that
/// conflicts. Audited as `job.cancel`.
pub fn cancel(store: &mut store::Store, actor: &Actor, id: i64) -> Result<Job> {
    let job = get(store, actor, id)?;
    let over = || Error::Conflict(format!("job {id} is over: it stays as it ended"));
    if matches!(job.state, State::Succeeded | State::Failed) {
        return Err(over());
    }
    let by = actor.audit_name();
    let failure = Failure {
        code: "cancelled".to_owned(),
        message: format!("cancelled by {by} before it ran"),
        problems: Vec::new(),
    };
    let error = serde_json::to_string(&failure)
        .map_err(|e| Error::Conflict(format!("the failure cannot be written: {e}")))?;
    crate::audit::audited(
        store,
        actor,
        "job.cancel",
        |store| {
            // Queued, or running (it may have started since it was read).
            if store.cancel_job(id, &error, &crate::now())? || store.request_job_cancel(id, &by)? {
                Ok(())
            } else {
                // It ended since it was read.
                Err(over())
            }
        },
        |()| (vec![id.to_string()], job.kind.clone()),
    )?;
    read(store, id)
}

/// Marks a queued job running; false when it was not queued (interrupted meanwhile).
pub fn start(store: &mut store::Store, id: i64) -> Result<bool> {
    Ok(store.start_job(id, &crate::now())?)
}

/// Writes a live job's progress (and that its server is alive), and tells its `tracker` when
/// someone asked it to stop; false when it is over.
pub fn report(
    store: &mut store::Store,
    id: i64,
    tracker: &Tracker,
    progress: &Snapshot,
) -> Result<bool> {
    let live = store.job_progress(
        id,
        &progress.stage,
        progress.done,
        progress.total,
        &crate::now(),
    )?;
    if let Some(Some(by)) = &live {
        tracker.stop(by);
    }
    Ok(live.is_some())
}

/// Ends a live job with its result (as the adapter presents it) or why it failed; false when
/// it was over already.
pub fn finish(
    store: &mut store::Store,
    id: i64,
    outcome: std::result::Result<serde_json::Value, Failure>,
) -> Result<bool> {
    let text = match &outcome {
        Ok(result) => serde_json::to_string(result),
        Err(failure) => serde_json::to_string(failure),
    }
    .map_err(|e| Error::Conflict(format!("the job's outcome cannot be written: {e}")))?;
    let outcome = match outcome {
        Ok(_) => Ok(text.as_str()),
        Err(_) => Err(text.as_str()),
    };
    Ok(store.finish_job(id, outcome, &crate::now())?)
}

/// Fails as `interrupted` every job still queued or running whose server has been silent for
/// [`STALE`] at `now`; their ids.
pub fn interrupt_stale(store: &mut store::Store, now: time::OffsetDateTime) -> Result<Vec<i64>> {
    let failure = Failure {
        code: "interrupted".to_owned(),
        message: "interrupted: the server running the job stopped before it finished; submit \
                  it again"
            .to_owned(),
        problems: Vec::new(),
    };
    let error = serde_json::to_string(&failure)
        .map_err(|e| Error::Conflict(format!("the failure cannot be written: {e}")))?;
    Ok(store.interrupt_jobs(
        &crate::timestamp(now - STALE),
        &error,
        &crate::timestamp(now),
    )?)
}

/// A job's progress at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub stage: String,
    pub done: u64,
    pub total: Option<u64>,
}

/// Collects a running job's progress from the engines (any thread), and tells the server when
/// to write it: when it changed and [`REPORT_EVERY`] passed, or [`HEARTBEAT`] passed anyway.
/// It carries a request to stop back to the work ([`report`] learns it from the job's row).
#[derive(Default)]
pub struct Tracker {
    stage: Mutex<(String, Option<u64>)>,
    done: AtomicU64,
    written: Mutex<Option<(Instant, Snapshot)>>,
    stop: Mutex<Option<String>>,
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker::default()
    }

    /// Asks the work to stop on behalf of `by` (the first to ask is kept).
    pub fn stop(&self, by: &str) {
        self.stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| by.to_owned());
    }

    /// The progress now.
    pub fn snapshot(&self) -> Snapshot {
        let (stage, total) = self.stage.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Snapshot {
            stage,
            done: self.done.load(Ordering::Relaxed),
            total,
        }
    }

    /// The progress to write at `now`, if it is time (see the type's documentation); the
    /// caller writes it with [`report`].
    pub fn due(&self, now: Instant) -> Option<Snapshot> {
        let snapshot = self.snapshot();
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let due = match &*written {
            None => true,
            Some((at, last)) => {
                let since = now.saturating_duration_since(*at);
                since >= HEARTBEAT || (since >= REPORT_EVERY && *last != snapshot)
            }
        };
        due.then(|| {
            *written = Some((now, snapshot.clone()));
            snapshot
        })
    }
}

impl crate::Progress for Tracker {
    fn start(&self, what: &str, len: Option<u64>) {
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = (what.to_owned(), len);
        self.done.store(0, Ordering::Relaxed);
    }

    fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
    }

    fn finish(&self) {
        let total = self.stage.lock().unwrap_or_else(|p| p.into_inner()).1;
        if let Some(total) = total {
            self.done.store(total, Ordering::Relaxed);
        }
    }

    fn stop_requested(&self) -> Option<String> {
        self.stop.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests;
