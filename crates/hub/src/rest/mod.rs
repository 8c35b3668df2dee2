//! The REST API under `/api/v1`: the atlas ([`atlas`]), the partners' notifications and
//! incident reports ([`crate::api`]), its OpenAPI 3.1 document and reference page
//! ([`openapi`]).
//!
//! Every answer is JSON. A failure is `{"code", "message", "errors"}` with a stable snake_case
//! `code` and, for 422, one `{"pointer", "message"}` per problem (see [`RestError`]). Lists are
//! pages `{"items", "next"}`: `next` is an opaque cursor to pass back as `cursor`, null on the
//! last page ([`Page`]).

pub mod alerts;
pub mod analysis;
pub mod atlas;
pub mod bundles;
pub mod coordination;
pub mod cvd;
pub mod exchange;
pub mod federation;
pub mod feeds;
pub mod intel;
pub mod jobs;
pub mod objects;
pub mod openapi;
pub mod register;
pub mod scenarios;
pub mod session;
pub mod users;

use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;

/// Every route of the REST API.
pub fn router() -> Router<AppState> {
    crate::api::router()
        .merge(alerts::router())
        .merge(analysis::router())
        .merge(atlas::router())
        .merge(bundles::router())
        .merge(exchange::router())
        .merge(federation::router())
        .merge(feeds::router())
        .merge(coordination::router())
        .merge(cvd::router())
        .merge(intel::router())
        .merge(jobs::router())
        .merge(objects::router())
        .merge(openapi::router())
        .merge(scenarios::router())
        .merge(register::router())
        .merge(session::router())
        .merge(users::router())
}

/// One problem with a request: where (a JSON pointer into the body, or `/name` for a query
/// parameter) and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemDto {
    pub pointer: String,
    pub message: String,
}

/// A failed request, as every REST route answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDto {
    /// Stable and machine-readable: `invalid`, `asset_not_found`, `unauthorized`, …
    pub code: String,
    /// For people.
    pub message: String,
    /// The problems of a 422, each located.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemDto>,
}

/// A failed REST request.
#[derive(Debug)]
pub struct RestError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub errors: Vec<ProblemDto>,
}

impl RestError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> RestError {
        RestError {
            status,
            code: code.to_owned(),
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// 422 with one entry per problem; nothing was stored.
    pub fn invalid(code: &str, errors: Vec<ProblemDto>) -> RestError {
        RestError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code.to_owned(),
            message: format!("{} problem(s); nothing stored", errors.len()),
            errors,
        }
    }
}

impl From<ApiError> for RestError {
    fn from(e: ApiError) -> RestError {
        let code = match e.status {
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            s if s.is_client_error() => "bad_request",
            _ => "internal",
        };
        RestError::new(e.status, code, e.description)
    }
}

impl From<app::Error> for RestError {
    fn from(e: app::Error) -> RestError {
        match e {
            app::Error::Invalid(problems) => RestError::invalid(
                "invalid",
                problems
                    .into_iter()
                    .map(|p| ProblemDto {
                        pointer: p.pointer,
                        message: p.message,
                    })
                    .collect(),
            ),
            e @ app::Error::NotFound { what, .. } => RestError::new(
                StatusCode::NOT_FOUND,
                &format!("{}_not_found", what.replace(' ', "_")),
                e.to_string(),
            ),
            app::Error::Conflict(m) => RestError::new(StatusCode::CONFLICT, "conflict", m),
            app::Error::Forbidden(m) => RestError::new(StatusCode::FORBIDDEN, "forbidden", m),
            app::Error::Unavailable(m) => RestError::new(StatusCode::BAD_GATEWAY, "unavailable", m),
            app::Error::Cancelled(m) => RestError::new(StatusCode::CONFLICT, "cancelled", m),
            app::Error::Store(e) if e.is_user_error() => {
                RestError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
            }
            app::Error::Store(e) => ApiError::internal(e).into(),
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = ErrorDto {
            code: self.code,
            message: self.message,
            errors: self.errors,
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"meridian\", Bearer"),
            );
        }
        response
    }
}

/// Passes when the actor's role allows `action` (403 otherwise): every route asks.
pub fn authorize(actor: &app::Actor, action: app::authz::Action) -> Result<(), RestError> {
    Ok(app::authz::authorize(actor, action)?)
}

/// A TLP 2.0 label read from the request at `pointer` (422 naming the labels otherwise).
pub fn tlp(pointer: &str, text: &str) -> Result<model::Tlp, RestError> {
    model::Tlp::parse(text).ok_or_else(|| {
        RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer: pointer.to_owned(),
                message: format!("{text:?}: expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED"),
            }],
        )
    })
}

/// Runs a use case on a blocking thread with a pooled store connection.
pub async fn run<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&mut store::Store) -> Result<T, RestError> + Send + 'static,
) -> Result<T, RestError> {
    app.pool.run(move |store| Ok(f(store))).await?
}

/// The page size when the client names none, and the largest.
pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 1000;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// How much of a list to read: `limit` and the `cursor` of the previous page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Paging {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl Paging {
    /// The page size, checked.
    pub fn limit(&self) -> Result<u64, ProblemDto> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(n) => Err(ProblemDto {
                pointer: "/limit".to_owned(),
                message: format!("limit {n} is not in 1..={MAX_LIMIT}"),
            }),
        }
    }

    /// The key the previous page ended at, decoded from the cursor.
    pub fn after(&self) -> Result<Option<String>, ProblemDto> {
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| ProblemDto {
                pointer: "/cursor".to_owned(),
                message: "not a cursor this API gave out".to_owned(),
            })
    }
}

/// The query of a list read by cursor and nothing else.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The page size and the key the previous page ended at, from the query string; 422
    /// naming each problem.
    pub fn read(raw: Option<&str>) -> Result<(u64, Option<String>), RestError> {
        let params: PageParams = query(raw)?;
        let paging = Paging {
            limit: params.limit,
            cursor: params.cursor,
        };
        match (paging.limit(), paging.after()) {
            (Ok(limit), Ok(after)) => Ok((limit, after)),
            (limit, after) => Err(RestError::invalid(
                "invalid",
                [limit.err(), after.err()].into_iter().flatten().collect(),
            )),
        }
    }
}

impl PageParams {
    /// [`PageParams::read`] for lists keyed by a number (a job id, a row's `seq`).
    pub fn read_numbered(raw: Option<&str>) -> Result<(u64, Option<i64>), RestError> {
        let (limit, after) = PageParams::read(raw)?;
        let after = after
            .map(|key| key.parse::<i64>())
            .transpose()
            .map_err(|_| {
                RestError::invalid(
                    "invalid",
                    vec![ProblemDto {
                        pointer: "/cursor".to_owned(),
                        message: "not a cursor this API gave out".to_owned(),
                    }],
                )
            })?;
        Ok((limit, after))
    }
}

/// The cursor of a page that ended at `key`.
pub fn cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

/// A page of a short list read whole (users, partners, collections, agreements): its items
/// ordered by `key`, those after the cursor's key, at most the query's `limit`.
pub fn page_of<T, D>(
    raw: Option<&str>,
    mut all: Vec<T>,
    key: impl Fn(&T) -> &str,
    dto: impl Fn(T) -> D,
) -> Result<Page<D>, RestError> {
    let (limit, after) = PageParams::read(raw)?;
    all.sort_by(|a, b| key(a).cmp(key(b)));
    if let Some(after) = after {
        all.retain(|item| key(item) > after.as_str());
    }
    Ok(page(all, limit, key, dto))
}

/// A page of at most `limit` items from `found`, read with `limit + 1` so that a next page is
/// known to exist; `key` gives the key the next page starts after.
pub fn page<T, D>(
    mut found: Vec<T>,
    limit: u64,
    key: impl Fn(&T) -> &str,
    dto: impl Fn(T) -> D,
) -> Page<D> {
    let more = found.len() as u64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = more
        .then(|| found.last().map(|last| key(last).as_bytes().to_vec()))
        .flatten()
        .map(|key| cursor(&String::from_utf8_lossy(&key)));
    Page {
        items: found.into_iter().map(dto).collect(),
        next,
    }
}

/// Reads a query string into `T`, a 422 naming the problem otherwise.
pub fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, RestError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
        RestError::invalid(
            "invalid_query",
            vec![ProblemDto {
                pointer: String::new(),
                message: format!("the query string: {e}"),
            }],
        )
    })
}

/// The bytes of a body; 413 above the server's limit.
pub async fn body_bytes(
    app: &AppState,
    body: axum::body::Body,
) -> Result<axum::body::Bytes, RestError> {
    axum::body::to_bytes(body, app.max_body).await.map_err(|_| {
        RestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} bytes", app.max_body),
        )
    })
}

/// Reads a JSON body into `T`: 413 above the server's limit, 422 with the pointer of the first
/// problem otherwise (a NUL in a string, a missing or mistyped field, not JSON at all).
pub async fn body<T: serde::de::DeserializeOwned>(
    app: &AppState,
    body: axum::body::Body,
) -> Result<T, RestError> {
    let bytes = body_bytes(app, body).await?;
    if let Some(pointer) = crate::guard::nul_pointer(&bytes) {
        return Err(RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer,
                message: "the string holds a NUL character (\\u0000)".to_owned(),
            }],
        ));
    }
    let mut json = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => Some(format!("/{key}")),
                serde_path_to_error::Segment::Enum { variant } => Some(format!("/{variant}")),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer,
                message: e.inner().to_string(),
            }],
        )
    })
}
