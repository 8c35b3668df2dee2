//! Triggering a federation sync over REST (`POST /api/v1/remotes/{name}/sync`, through
//! [`app::federation::sync`]): pull from and push to one remote hub, as `meridian sync NAME`
//! does. Administrators only (audited by the use case). It talks to another hub, so it may
//! take a while: `?async=true` runs it as a job ([`super::jobs`]).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::jobs::{AsyncParams, JobDto, Mode, respond};
use super::session::Caller;
use super::{ErrorDto, ProblemDto, RestError, authorize, body};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/remotes/{name}/sync", post(sync))
}

/// How to sync; every field may be left out (`{}`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequestDto {
    /// Only pull.
    #[serde(default)]
    pub pull_only: bool,
    /// Only push.
    #[serde(default)]
    pub push_only: bool,
    /// Objects asked of the remote per page, 1 to 10000; default 1000.
    pub page_size: Option<u32>,
}

/// What a sync with one remote did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncReportDto {
    pub remote: String,
    pub pulled: u64,
    pub duplicates: u64,
    /// Pulled objects refused as not STIX 2.1.
    pub invalid: u64,
    pub pushed: u64,
    /// Objects the TLP rules keep from the remote.
    pub withheld: u64,
    pub push_failures: u64,
    pub push_pending: u64,
    /// Why the sync with the remote stopped, if it did.
    pub error: Option<String>,
}

/// The most objects asked per page.
const MAX_PAGE_SIZE: u32 = 10_000;

/// Pulls from and pushes to one remote hub now.
#[utoipa::path(post, path = "/api/v1/remotes/{name}/sync", tag = "coordination",
    params(("name" = String, Path, description = "The remote's name"), AsyncParams),
    request_body(content = SyncRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Synced (a failure with the remote is in `error`)", body = SyncReportDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators sync", body = ErrorDto),
        (status = 404, description = "No such remote", body = ErrorDto),
        (status = 422, description = "pull_only with push_only, a page size out of bounds", body = ErrorDto),
        (status = 503, description = "This server has no secret key to open the remote's credential", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn sync(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
    Path(name): Path<String>,
    request: Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::Sync)?;
    let request: SyncRequestDto = body(&app, request).await?;
    let page_size = request.page_size.unwrap_or(1000);
    let mut problems = Vec::new();
    if request.pull_only && request.push_only {
        problems.push(ProblemDto {
            pointer: "/push_only".to_owned(),
            message: "give pull_only or push_only, not both".to_owned(),
        });
    }
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        problems.push(ProblemDto {
            pointer: "/page_size".to_owned(),
            message: format!("page_size {page_size} is not in 1..={MAX_PAGE_SIZE}"),
        });
    }
    if !problems.is_empty() {
        return Err(RestError::invalid("invalid", problems));
    }
    let Some(key) = app.secret_key.clone() else {
        return Err(RestError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_secret_key",
            "this server has no secret key to open remote credentials; use `meridian sync`",
        ));
    };
    let options = app::federation::SyncOptions {
        names: vec![name],
        pull_only: request.pull_only,
        push_only: request.push_only,
        page_size,
    };
    respond(
        &app,
        actor,
        mode,
        "sync",
        Action::Sync,
        move |store, progress, actor| {
            let mut reports = app::federation::sync(store, actor, &key, &options, progress)?;
            let r = reports.pop().ok_or_else(|| {
                RestError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the sync reported no remote",
                )
            })?;
            Ok(SyncReportDto {
                remote: r.remote,
                pulled: r.pulled,
                duplicates: r.duplicates,
                invalid: r.invalid,
                pushed: r.pushed,
                withheld: r.withheld,
                push_failures: r.push_failures,
                push_pending: r.push_pending,
                error: r.error,
            })
        },
    )
    .await
}
