//! Intel feeds over REST ([`app::feeds`]): the configured KEV, EPSS and CVE URLs, and a sync
//! that fetches them (and URLs given for one run) and imports what changed, all or nothing.
//! Only administrators configure and sync feeds (the server fetches the URLs they name);
//! analysts read the list. A sync is long work: past the synchronous wait it becomes a job.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::intel::ImportedDto;
use super::jobs::{AsyncParams, JobDto, Mode, respond};
use super::session::Caller;
use super::{ErrorDto, RestError, authorize, body, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/intel/feeds", get(list).post(add))
        .route("/api/v1/intel/feeds/{name}", delete(remove))
        .route("/api/v1/intel/sync", post(sync))
}

/// A configured feed, fetched by every sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedDto {
    pub name: String,
    pub url: String,
    pub added_at: String,
}

impl From<store::Feed> for FeedDto {
    fn from(f: store::Feed) -> FeedDto {
        FeedDto {
            name: f.name,
            url: f.url,
            added_at: f.added_at,
        }
    }
}

/// A feed to configure.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedDto {
    /// 1 to 64 letters, digits, `.`, `_` or `-`.
    pub name: String,
    /// HTTPS (plain HTTP only on the loopback interface).
    pub url: String,
}

/// The configured feeds, by name.
#[utoipa::path(get, path = "/api/v1/intel/feeds", tag = "intel",
    responses(
        (status = 200, description = "The feeds", body = Vec<FeedDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to read intel", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<FeedDto>>, RestError> {
    let feeds = run(&app, move |store| Ok(app::feeds::list(store, &actor)?)).await?;
    Ok(Json(feeds.into_iter().map(FeedDto::from).collect()))
}

/// Configures a feed (audited as `feed.add`).
#[utoipa::path(post, path = "/api/v1/intel/feeds", tag = "intel",
    request_body(content = NewFeedDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Configured", body = FeedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators configure feeds", body = ErrorDto),
        (status = 409, description = "A feed with this name exists", body = ErrorDto),
        (status = 422, description = "A bad name or URL, located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<FeedDto>), RestError> {
    authorize(&actor, Action::Sync)?;
    let new: NewFeedDto = body(&app, request).await?;
    let feed = run(&app, move |store| {
        Ok(app::feeds::add(store, &actor, &new.name, &new.url)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(feed.into())))
}

/// Stops fetching a feed (audited as `feed.remove`).
#[utoipa::path(delete, path = "/api/v1/intel/feeds/{name}", tag = "intel",
    params(("name" = String, Path, description = "The feed's name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators configure feeds", body = ErrorDto),
        (status = 404, description = "No such feed", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::Sync)?;
    run(&app, move |store| {
        Ok(app::feeds::remove(store, &actor, &name)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to sync besides the configured feeds.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequestDto {
    /// URLs fetched for this run only (HTTPS; plain HTTP only on the loopback interface).
    #[serde(default)]
    pub urls: Vec<String>,
}

/// What a sync did with one URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncRowDto {
    pub url: String,
    /// The configured feed's name; null for a URL given for this run only.
    pub feed: Option<String>,
    /// `not modified` (HTTP 304), `created` or `unchanged`.
    pub status: String,
    /// Bytes received.
    pub bytes: u64,
    /// The stored document; null when not modified.
    pub import: Option<ImportedDto>,
}

/// The most URLs one sync request may add to the configured feeds.
const MAX_SYNC_URLS: usize = 100;

/// Fetches every configured feed and the given URLs, then imports what changed, all or
/// nothing: when a fetch fails or a document is invalid, nothing is stored.
#[utoipa::path(post, path = "/api/v1/intel/sync", tag = "intel", params(AsyncParams),
    request_body(content = SyncRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "What each URL gave", body = Vec<SyncRowDto>),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators sync feeds", body = ErrorDto),
        (status = 422, description = "Nothing to sync, a bad URL or an invalid document; nothing stored", body = ErrorDto),
        (status = 502, description = "A URL could not be fetched (each is named); nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn sync(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
    request: Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::Sync)?;
    let request: SyncRequestDto = body(&app, request).await?;
    if request.urls.len() > MAX_SYNC_URLS {
        return Err(app::Error::invalid(
            "/urls",
            format!("at most {MAX_SYNC_URLS} URLs, not {}", request.urls.len()),
        )
        .into());
    }
    respond(
        &app,
        actor,
        mode,
        "intel_sync",
        Action::Sync,
        move |store, progress, actor| {
            let rows = app::feeds::sync(store, actor, &request.urls, progress)?;
            Ok(rows
                .into_iter()
                .map(|r| SyncRowDto {
                    url: r.url,
                    feed: r.feed,
                    status: r.status,
                    bytes: r.bytes as u64,
                    import: r.import.map(ImportedDto::from),
                })
                .collect::<Vec<_>>())
        },
    )
    .await
}
