//! Long work as jobs ([`app::jobs`]). The routes of long work (storing a ranking, Monte Carlo,
//! percolation, the atlas and intel imports, a federation sync) answer synchronously when the
//! work ends within the server's synchronous wait (`serve --sync-wait`, 5 s by default); a
//! call that takes longer, or one made with `?async=true` or `Prefer: respond-async`, answers
//! `202 Accepted` with the job and `Location: /api/v1/jobs/{id}` while the work goes on, so
//! no client is left waiting on an open connection (and no proxy cuts it). At most
//! `serve --max-jobs` long works run at once; the others wait their turn, their jobs `queued`,
//! so a burst of heavy requests queues instead of starving the server.
//! `DELETE /api/v1/jobs/{id}` cancels a job: one still queued fails as `cancelled` at once; a
//! running one is asked to stop (`cancel_requested`), and stops at its next check, before it
//! stores anything, failing as `cancelled` (whichever server runs it: it reads the request back
//! from its job's row each time it writes the progress); one that ends first keeps its outcome
//! (the intel and incident imports and the sync have no check yet: they run to their end).
//! `GET /api/v1/jobs/{id}` reports its state and progress and, once over, the result the
//! synchronous call would have answered (`result`) or its error (`error`, as a failed
//! synchronous call's body). A job is visible to its requester and to administrators only.
//!
//! While a job runs, its progress (stage, steps done of total) is written at most twice a
//! second and the row touched at least every 10 s; a job whose server went silent for a minute
//! (it died) is failed as `interrupted` at the next server's start or sweep.

use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session::Caller;
use super::{ErrorDto, Page, PageParams, ProblemDto, RestError, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/jobs", get(list))
        .route("/api/v1/jobs/{id}", get(show).delete(cancel))
}

/// The query parameter that turns long work into a job.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsyncParams {
    /// `true`: answer 202 at once with a job (as `Prefer: respond-async` does).
    #[serde(rename = "async")]
    #[param(rename = "async")]
    pub run_async: Option<bool>,
}

/// Whether the caller asked for a job: `?async=true` or `Prefer: respond-async`.
pub struct Mode {
    pub run_async: bool,
}

impl FromRequestParts<AppState> for Mode {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Mode, RestError> {
        let params: AsyncParams = serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map_err(|e| {
                RestError::invalid(
                    "invalid_query",
                    vec![ProblemDto {
                        pointer: "/async".to_owned(),
                        message: format!("true or false: {e}"),
                    }],
                )
            })?;
        let prefer = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim().eq_ignore_ascii_case("respond-async"));
        Ok(Mode {
            run_async: params.run_async.unwrap_or(false) || prefer,
        })
    }
}

/// The work of a long route: it runs on a blocking thread with a store, reporting its progress.
type Work<D> = Box<
    dyn FnOnce(&mut store::Store, &dyn app::Progress, &app::Actor) -> Result<D, RestError> + Send,
>;

/// Where a long work stands with its job, decided under one lock so that exactly one of the
/// work and its follower marks the job running.
enum Slot {
    /// No job (yet), and the work has not started.
    Waiting,
    /// A job the work has not started: the work marks it running when its turn comes, and
    /// does not run at all if the job is no longer queued (cancelled, interrupted).
    Job(i64),
    /// The work started; a job attached now is marked running by its follower.
    Running,
}

type SharedSlot = std::sync::Arc<std::sync::Mutex<Slot>>;

/// Attaches job `id` to the work; true when the work has started already.
fn attach(slot: &SharedSlot, id: i64) -> bool {
    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
    match *slot {
        Slot::Waiting => {
            *slot = Slot::Job(id);
            false
        }
        Slot::Job(_) | Slot::Running => true,
    }
}

/// Runs `work` and answers its result (200) if it ends within the server's synchronous wait
/// ([`crate::ServeOptions::sync_wait`]); past that wait, or at once when the caller asked for a
/// job, the call becomes a job of `kind` (the caller must be allowed `action`): 202 with the job
/// and its `Location`, the work going on in the background and its outcome written to the job.
/// At most [`crate::ServeOptions::max_jobs`] long works run at once, synchronous or not; the
/// others wait their turn (a job meanwhile is `queued`, and may be cancelled).
pub async fn respond<D: Serialize + Send + 'static>(
    app: &AppState,
    actor: app::Actor,
    mode: Mode,
    kind: &'static str,
    action: Action,
    work: impl FnOnce(&mut store::Store, &dyn app::Progress, &app::Actor) -> Result<D, RestError>
    + Send
    + 'static,
) -> Result<Response, RestError> {
    let slot: SharedSlot = std::sync::Arc::new(std::sync::Mutex::new(Slot::Waiting));
    let asked = if mode.run_async {
        let job = submit(app, &actor, action, kind).await?;
        attach(&slot, job.id);
        Some(job)
    } else {
        None
    };
    let tracker = std::sync::Arc::new(app::jobs::Tracker::new());
    let mut running = tokio::spawn(perform(
        app.clone(),
        tracker.clone(),
        slot.clone(),
        actor.clone(),
        Box::new(work),
    ));
    let (job, started) = match asked {
        Some(job) => (job, false),
        None => match tokio::time::timeout(app.sync_wait, &mut running).await {
            Ok(joined) => {
                let out = joined.map_err(crate::error::ApiError::internal)??;
                return Ok(Json(out).into_response());
            }
            Err(_) => {
                let job = submit(app, &actor, action, kind).await?;
                let started = attach(&slot, job.id);
                (job, started)
            }
        },
    };
    let id = job.id;
    tokio::spawn(follow(app.clone(), id, tracker, started, running));
    let mut response = (StatusCode::ACCEPTED, Json(JobDto::from(job))).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/v1/jobs/{id}"))
            .map_err(crate::error::ApiError::internal)?,
    );
    Ok(response)
}

/// Stores a queued job of `kind` for `actor`.
async fn submit(
    app: &AppState,
    actor: &app::Actor,
    action: Action,
    kind: &'static str,
) -> Result<app::jobs::Job, RestError> {
    let actor = actor.clone();
    run(app, move |store| {
        Ok(app::jobs::submit(store, &actor, action, kind)?)
    })
    .await
}

/// Waits for a turn among the long works, marks its job running if it has one (and gives up
/// if that job is no longer queued), then runs `work`.
async fn perform<D: Send + 'static>(
    app: AppState,
    tracker: std::sync::Arc<app::jobs::Tracker>,
    slot: SharedSlot,
    actor: app::Actor,
    work: Work<D>,
) -> Result<D, RestError> {
    let _turn = app.long_work_turn().await?;
    run(&app, move |store| {
        let job = {
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            let job = match *slot {
                Slot::Job(id) => Some(id),
                Slot::Waiting | Slot::Running => None,
            };
            *slot = Slot::Running;
            job
        };
        if let Some(id) = job
            && !app::jobs::start(store, id)?
        {
            return Err(app::Error::Conflict(format!(
                "job {id} is no longer queued (cancelled or interrupted): not run"
            ))
            .into());
        }
        work(store, &*tracker, &actor)
    })
    .await
}

/// Keeps job `id` in step with its `running` work: marks it running if the work `started`
/// before the job existed, writes its progress (and that this server is alive) while it waits
/// and runs, then its outcome.
async fn follow<D: Serialize + Send + 'static>(
    app: AppState,
    id: i64,
    tracker: std::sync::Arc<app::jobs::Tracker>,
    started: bool,
    mut running: tokio::task::JoinHandle<Result<D, RestError>>,
) {
    if started {
        let written = run(&app, move |store| Ok(app::jobs::start(store, id)?)).await;
        if let Err(e) = written {
            tracing::warn!(job = id, error = %e.message, "marking a job running");
        }
    }
    let mut tick = tokio::time::interval(app::jobs::REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let joined = loop {
        tokio::select! {
            joined = &mut running => break joined,
            _ = tick.tick() => {
                if let Some(progress) = tracker.due(Instant::now()) {
                    let tracker = tracker.clone();
                    let written = run(&app, move |store| {
                        Ok(app::jobs::report(store, id, &tracker, &progress)?)
                    })
                    .await;
                    if let Err(e) = written {
                        tracing::warn!(job = id, error = %e.message, "writing a job's progress");
                    }
                }
            }
        }
    };
    let outcome = match joined {
        Ok(Ok(out)) => serde_json::to_value(out).map_err(|e| app::jobs::Failure {
            code: "internal".to_owned(),
            message: format!("presenting the result: {e}"),
            problems: Vec::new(),
        }),
        Ok(Err(e)) => Err(failure(e)),
        Err(e) => Err(failure(crate::error::ApiError::internal(e).into())),
    };
    // False when the job ended otherwise (cancelled, interrupted): that outcome stands.
    if let Err(e) = run(&app, move |store| {
        Ok(app::jobs::finish(store, id, outcome)?)
    })
    .await
    {
        tracing::error!(job = id, error = %e.message, "writing a job's outcome");
    }
}

/// A failed work's error as its job records it.
fn failure(e: RestError) -> app::jobs::Failure {
    app::jobs::Failure {
        code: e.code,
        message: e.message,
        problems: e
            .errors
            .into_iter()
            .map(|p| app::jobs::FailureProblem {
                pointer: p.pointer,
                message: p.message,
            })
            .collect(),
    }
}

/// Fails the jobs of servers that died, now and every [`app::jobs::STALE`] after.
pub async fn sweep(app: AppState) {
    let mut tick = tokio::time::interval(app::jobs::STALE / 2);
    loop {
        tick.tick().await;
        let swept = run(&app, |store| {
            Ok(app::jobs::interrupt_stale(
                store,
                time::OffsetDateTime::now_utc(),
            )?)
        })
        .await;
        match swept {
            Ok(ids) if !ids.is_empty() => {
                tracing::warn!(jobs = ?ids, "jobs interrupted: their server stopped");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "interrupting stale jobs"),
        }
    }
}

/// Progress of the current stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobProgressDto {
    /// What the job is doing (`loading`, `trials`, …); empty before its first stage.
    pub stage: String,
    pub done: u64,
    /// Null when the stage's length is not known.
    pub total: Option<u64>,
}

/// A job: long work running in the background, and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    pub id: i64,
    /// `rank`, `montecarlo`, `percolation`, `atlas_import`, `intel_import`, `intel_sync`,
    /// `incident_import` or `sync`.
    pub kind: String,
    /// `user:NAME`.
    pub requested_by: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    pub progress: JobProgressDto,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Once succeeded: what the synchronous call would have answered.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Once failed: the error the synchronous call would have answered (`interrupted` when
    /// the server running it stopped, `cancelled` when cancelled).
    pub error: Option<ErrorDto>,
    /// Someone asked the job to stop while it ran: it fails as `cancelled` at its next check,
    /// unless it ended first (then its outcome stands).
    pub cancel_requested: bool,
}

impl From<app::jobs::Job> for JobDto {
    fn from(j: app::jobs::Job) -> JobDto {
        JobDto {
            id: j.id,
            kind: j.kind,
            requested_by: j.requested_by,
            state: j.state.as_str().to_owned(),
            progress: JobProgressDto {
                stage: j.stage,
                done: j.done,
                total: j.total,
            },
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            result: j.result,
            cancel_requested: j.cancel_requested_by.is_some(),
            error: j.error.map(|f| ErrorDto {
                code: f.code,
                message: f.message,
                errors: f
                    .problems
                    .into_iter()
                    .map(|p| ProblemDto {
                        pointer: p.pointer,
                        message: p.message,
                    })
                    .collect(),
            }),
        }
    }
}

/// A job's state, progress and outcome.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 404, description = "No such job, or not the caller's (administrators see all)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn show(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<JobDto>, RestError> {
    let id = job_id(&id)?;
    let job = run(&app, move |store| Ok(app::jobs::get(store, &actor, id)?)).await?;
    Ok(Json(job.into()))
}

/// A job id from the path; not found when it is not one.
fn job_id(text: &str) -> Result<i64, RestError> {
    text.parse().map_err(|_| {
        RestError::new(
            StatusCode::NOT_FOUND,
            "job_not_found",
            format!("job {text} not found"),
        )
    })
}

/// Cancels a job (audited as `job.cancel`). A queued job fails as `cancelled` and never runs.
/// A running job is asked to stop: the answer shows it still `running` with
/// `cancel_requested: true`; the work stops at its next check, before it stores anything, and
/// the job fails as `cancelled` (the message names who cancelled it and that nothing was
/// stored). A job that ends before it checks keeps its outcome (a success stays a success).
/// Cancelling again changes nothing.
#[utoipa::path(delete, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job: failed as `cancelled` if it was queued, else still running with `cancel_requested: true`", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 404, description = "No such job, or not the caller's (administrators see all)", body = ErrorDto),
        (status = 409, description = "The job is over: it stays as it ended", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn cancel(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<JobDto>, RestError> {
    let id = job_id(&id)?;
    let job = run(&app, move |store| Ok(app::jobs::cancel(store, &actor, id)?)).await?;
    Ok(Json(job.into()))
}

/// The caller's jobs (an administrator's: everyone's), newest first.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(PageParams),
    responses(
        (status = 200, description = "A page of jobs", body = Page<JobDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<JobDto>>, RestError> {
    let (limit, before) = PageParams::read_numbered(raw.as_deref())?;
    let found = run(&app, move |store| {
        Ok(app::jobs::list(store, &actor, before, limit + 1)?)
    })
    .await?;
    let keyed: Vec<(String, app::jobs::Job)> =
        found.into_iter().map(|j| (j.id.to_string(), j)).collect();
    Ok(Json(super::page(
        keyed,
        limit,
        |(key, _)| key,
        |(_, j)| j.into(),
    )))
}
