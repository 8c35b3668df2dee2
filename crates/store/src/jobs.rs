//! Jobs: long work a server runs in the background, its progress and its outcome (table
//! `jobs`). The SQL text is the same on both dialects; timestamps are RFC 3339 text compared as
//! text.

use crate::Result;
use crate::db::{self, Columns, Param, Tx};

/// A stored job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    /// What runs (`rank`, `montecarlo`, `atlas_import`, `intel_import`).
    pub kind: String,
    /// The actor as the audit log names it.
    pub requested_by: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    /// The current stage's name, its steps done and their number (unknown: `None`).
    pub stage: String,
    pub done: u64,
    pub total: Option<u64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub heartbeat_at: String,
    /// The presentation of the result (succeeded) or of the error (failed).
    pub result: Option<String>,
    pub error: Option<String>,
    /// Who asked the running job to stop, if anyone did.
    pub cancel_requested_by: Option<String>,
}

/// Which jobs to list: those of one requester (all when `None`), newest first, after the id
/// `before` (exclusive), at most `limit`.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub requested_by: Option<String>,
    pub before: Option<i64>,
    pub limit: u64,
}

const COLUMNS: &str = "SELECT id, kind, requested_by, state, stage, done, total, created_at, \
    started_at, finished_at, heartbeat_at, result, error, cancel_requested_by FROM jobs";

fn read(r: &dyn Columns) -> Result<Job> {
    Ok(Job {
        id: r.int(0)?,
        kind: r.text(1)?,
        requested_by: r.text(2)?,
        state: r.text(3)?,
        stage: r.text(4)?,
        done: u64::try_from(r.int(5)?).unwrap_or(0),
        total: r.opt_int(6)?.map(|t| u64::try_from(t).unwrap_or(0)),
        created_at: r.text(7)?,
        started_at: r.opt_text(8)?,
        finished_at: r.opt_text(9)?,
        heartbeat_at: r.text(10)?,
        result: r.opt_text(11)?,
        error: r.opt_text(12)?,
        cancel_requested_by: r.opt_text(13)?,
    })
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Stores a queued job of `kind` for `requested_by`; its id.
pub(crate) fn add(tx: &mut Tx<'_, '_>, kind: &str, requested_by: &str, at: &str) -> Result<i64> {
    db::query_int(
        tx,
        "INSERT INTO jobs (kind, requested_by, state, created_at, heartbeat_at) \
         VALUES ($1, $2, 'queued', $3, $3) RETURNING id",
        &[
            Param::Text(kind),
            Param::Text(requested_by),
            Param::Text(at),
        ],
    )
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: i64) -> Result<Option<Job>> {
    Ok(db::query(
        tx,
        &format!("{COLUMNS} WHERE id = $1"),
        &[Param::Int(id)],
        read,
    )?
    .pop())
}

pub(crate) fn list(tx: &mut Tx<'_, '_>, filter: &JobFilter) -> Result<Vec<Job>> {
    let before = filter.before.unwrap_or(i64::MAX);
    let limit = int(filter.limit);
    match &filter.requested_by {
        Some(actor) => db::query(
            tx,
            &format!("{COLUMNS} WHERE requested_by = $1 AND id < $2 ORDER BY id DESC LIMIT $3"),
            &[Param::Text(actor), Param::Int(before), Param::Int(limit)],
            read,
        ),
        None => db::query(
            tx,
            &format!("{COLUMNS} WHERE id < $1 ORDER BY id DESC LIMIT $2"),
            &[Param::Int(before), Param::Int(limit)],
            read,
        ),
    }
}

/// Marks a queued job running at `at`; false when it was not queued.
pub(crate) fn start(tx: &mut Tx<'_, '_>, id: i64, at: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE jobs SET state = 'running', started_at = $1, heartbeat_at = $1 \
         WHERE id = $2 AND state = 'queued'",
        &[Param::Text(at), Param::Int(id)],
    )? > 0)
}

/// Fails a job still queued with `error` at `at` (it never runs); false when it was not queued.
pub(crate) fn cancel(tx: &mut Tx<'_, '_>, id: i64, error: &str, at: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE jobs SET state = 'failed', error = $1, finished_at = $2, heartbeat_at = $2 \
         WHERE id = $3 AND state = 'queued'",
        &[Param::Text(error), Param::Text(at), Param::Int(id)],
    )? > 0)
}

/// Asks a running job to stop on behalf of `by` (the first to ask is kept); false when it is not
/// running.
pub(crate) fn request_cancel(tx: &mut Tx<'_, '_>, id: i64, by: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE jobs SET cancel_requested_by = COALESCE(cancel_requested_by, $1) \
         WHERE id = $2 AND state = 'running'",
        &[Param::Text(by), Param::Int(id)],
    )? > 0)
}

/// Records the progress of a job still queued or running, and that its server is alive at `at`;
/// `None` when the job is over, else who asked it to stop (if anyone did).
pub(crate) fn progress(
    tx: &mut Tx<'_, '_>,
    id: i64,
    stage: &str,
    done: u64,
    total: Option<u64>,
    at: &str,
) -> Result<Option<Option<String>>> {
    Ok(db::query(
        tx,
        "UPDATE jobs SET stage = $1, done = $2, total = $3, heartbeat_at = $4 \
         WHERE id = $5 AND state IN ('queued', 'running') RETURNING cancel_requested_by",
        &[
            Param::Text(stage),
            Param::Int(int(done)),
            Param::OptInt(total.map(int)),
            Param::Text(at),
            Param::Int(id),
        ],
        |r| r.opt_text(0),
    )?
    .pop())
}

/// Ends a job still queued or running: `succeeded` with `result`, or `failed` with `error`.
pub(crate) fn finish(
    tx: &mut Tx<'_, '_>,
    id: i64,
    outcome: std::result::Result<&str, &str>,
    at: &str,
) -> Result<bool> {
    let (state, result, error) = match outcome {
        Ok(result) => ("succeeded", Some(result), None),
        Err(error) => ("failed", None, Some(error)),
    };
    Ok(db::execute(
        tx,
        "UPDATE jobs SET state = $1, result = $2, error = $3, finished_at = $4, heartbeat_at = $4 \
         WHERE id = $5 AND state IN ('queued', 'running')",
        &[
            Param::Text(state),
            Param::OptText(result),
            Param::OptText(error),
            Param::Text(at),
            Param::Int(id),
        ],
    )? > 0)
}

/// Fails with `error` every job still queued or running whose server was last alive before
/// `stale`; the ids failed.
pub(crate) fn interrupt(
    tx: &mut Tx<'_, '_>,
    stale: &str,
    error: &str,
    at: &str,
) -> Result<Vec<i64>> {
    let ids = db::query(
        tx,
        "SELECT id FROM jobs WHERE state IN ('queued', 'running') AND heartbeat_at < $1 \
         ORDER BY id",
        &[Param::Text(stale)],
        |r| r.int(0),
    )?;
    for &id in &ids {
        finish(tx, id, Err(error), at)?;
    }
    Ok(ids)
}
