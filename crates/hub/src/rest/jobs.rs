//! Long work as jobs ([`app::jobs`]). The routes of long work (storing a ranking, Monte Carlo,
//! the atlas and intel imports) answer synchronously by default; with `?async=true` or
//! `Prefer: respond-async` they answer `202 Accepted` at once with the job and
//! `Location: /api/v1/jobs/{id}`, and the work runs on the server's blocking pool.
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
        .route("/api/v1/jobs/{id}", get(show))
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

/// Runs `work` now and answers its result (200), or — when the caller asked for a job —
/// submits a job of `kind` (the caller must be allowed `action`), answers 202 with it and runs
/// `work` in the background, reporting its progress to the job.
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
    if !mode.run_async {
        let out = run(app, move |store| work(store, &(), &actor)).await?;
        return Ok(Json(out).into_response());
    }
    let requester = actor.clone();
    let job = run(app, move |store| {
        Ok(app::jobs::submit(store, &requester, action, kind)?)
    })
    .await?;
    let id = job.id;
    tokio::spawn(execute(app.clone(), id, actor, work));
    let mut response = (StatusCode::ACCEPTED, Json(JobDto::from(job))).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/v1/jobs/{id}"))
            .map_err(crate::error::ApiError::internal)?,
    );
    Ok(response)
}

/// Runs job `id`: marks it running, writes its progress while `work` runs, then its outcome.
async fn execute<D: Serialize + Send + 'static>(
    app: AppState,
    id: i64,
    actor: app::Actor,
    work: impl FnOnce(&mut store::Store, &dyn app::Progress, &app::Actor) -> Result<D, RestError>
    + Send
    + 'static,
) {
    let tracker = std::sync::Arc::new(app::jobs::Tracker::new());
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let reporter = tokio::spawn({
        let (app, tracker) = (app.clone(), tracker.clone());
        async move {
            let mut tick = tokio::time::interval(app::jobs::REPORT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = &mut stopped => break,
                }
                if let Some(progress) = tracker.due(Instant::now()) {
                    let written = run(&app, move |store| {
                        Ok(app::jobs::report(store, id, &progress)?)
                    })
                    .await;
                    if let Err(e) = written {
                        tracing::warn!(job = id, error = %e.message, "writing a job's progress");
                    }
                }
            }
        }
    });
    let outcome = run(&app, move |store| {
        if !app::jobs::start(store, id)? {
            return Ok(None);
        }
        Ok(Some(work(store, &*tracker, &actor)))
    })
    .await;
    let _ = stop.send(());
    let _ = reporter.await;
    let outcome = match outcome {
        Ok(None) => return, // interrupted before it started
        Ok(Some(Ok(out))) => serde_json::to_value(out).map_err(|e| app::jobs::Failure {
            code: "internal".to_owned(),
            message: format!("presenting the result: {e}"),
            problems: Vec::new(),
        }),
        Ok(Some(Err(e))) | Err(e) => Err(app::jobs::Failure {
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
        }),
    };
    if let Err(e) = run(&app, move |store| {
        Ok(app::jobs::finish(store, id, outcome)?)
    })
    .await
    {
        tracing::error!(job = id, error = %e.message, "writing a job's outcome");
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
    /// `rank`, `montecarlo`, `atlas_import` or `intel_import`.
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
    /// the server running it stopped).
    pub error: Option<ErrorDto>,
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
    let id: i64 = id.parse().map_err(|_| {
        RestError::new(
            StatusCode::NOT_FOUND,
            "job_not_found",
            format!("job {id} not found"),
        )
    })?;
    let job = run(&app, move |store| Ok(app::jobs::get(store, &actor, id)?)).await?;
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
