//! The coordination register over REST ([`app::coordination`]): records of every kind
//! (international activities are `kind: activity`), deconfliction flags and their resolution,
//! and the Measures of Effectiveness with their drill-down, targets and the quarterly review
//! ([`app::measures`]).

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::coordination::invalid;
use super::session::Caller;
use super::{ErrorDto, Page, Paging, RestError, authorize, body, body_bytes, page, query, run};
use crate::AppState;
use app::authz::Action;
use app::coordination::deconflict::{self, Resolution};
use app::coordination::{self, Record};
use app::measures::report::{self, Format};
use app::measures::{self, Quarter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/records", get(records).post(add_record))
        .route("/api/v1/records/import", post(import_records))
        .route(
            "/api/v1/records/{id}",
            get(record).put(edit_record).delete(remove_record),
        )
        .route("/api/v1/deconfliction/flags", get(flags))
        .route("/api/v1/deconfliction/run", post(run_deconfliction))
        .route("/api/v1/deconfliction/flags/{id}/resolve", post(resolve))
        .route("/api/v1/measures", get(measure_values))
        .route("/api/v1/measures/review", get(review))
        .route("/api/v1/measures/targets", get(targets).put(set_target))
        .route("/api/v1/measures/targets/import", post(import_plan))
        .route("/api/v1/measures/{id}", get(measure))
}

/// A record of the register: `id`, `kind`, `office`, `start`, `end` and the kind's own fields
/// (see `meridian record kinds`).
#[derive(Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct RegisterRecordDto(serde_json::Value);

impl From<Record> for RegisterRecordDto {
    fn from(r: Record) -> RegisterRecordDto {
        RegisterRecordDto(r.to_json())
    }
}

/// The query of `GET /api/v1/records`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// Only records of this kind (`activity`, `survey`, …).
    pub kind: Option<String>,
    /// Page size, 1..=1000 (default 100).
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// The register's records by start date then id, a page at a time.
#[utoipa::path(get, path = "/api/v1/records", tag = "register",
    params(RecordParams),
    responses(
        (status = 200, description = "A page of records", body = Page<RegisterRecordDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the register", body = ErrorDto),
        (status = 422, description = "An unknown kind, a bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn records(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<RegisterRecordDto>>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let params: RecordParams = query(raw.as_deref())?;
    let paging = Paging {
        limit: params.limit,
        cursor: params.cursor,
    };
    let limit = paging
        .limit()
        .map_err(|p| RestError::invalid("invalid", vec![p]))?;
    let after = paging
        .after()
        .map_err(|p| RestError::invalid("invalid", vec![p]))?;
    let kind = match params.kind.as_deref() {
        Some(k) => Some(
            coordination::parse_kind(k)
                .ok_or_else(|| invalid("/kind", format!("{k:?} is not a kind of record")))?,
        ),
        None => None,
    };
    let mut found = run(&app, move |store| Ok(coordination::list(store, kind)?)).await?;
    // The cursor is the last record's `start id`: the order of the list.
    let key = |r: &Record| format!("{} {}", r.start, r.id);
    if let Some(after) = after {
        found.retain(|r| key(r) > after);
    }
    found.truncate(usize::try_from(limit + 1).unwrap_or(usize::MAX));
    let keyed: Vec<(String, Record)> = found.into_iter().map(|r| (key(&r), r)).collect();
    Ok(Json(page(
        keyed,
        limit,
        |(k, _): &(String, Record)| k.as_str(),
        |(_, r)| r.into(),
    )))
}

/// One record.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "register",
    params(("id" = String, Path, description = "The record id, `ACT-000001`")),
    responses(
        (status = 200, description = "The record", body = RegisterRecordDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the register", body = ErrorDto),
        (status = 404, description = "No such record", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn record(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<RegisterRecordDto>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let found = run(&app, move |store| Ok(coordination::get(store, &id)?)).await?;
    Ok(Json(found.into()))
}

async fn read_record(app: &AppState, request: Body) -> Result<Record, RestError> {
    let value: serde_json::Value = body(app, request).await?;
    Ok(Record::from_json(value, "").map_err(app::Error::Invalid)?)
}

/// Adds a record (deconfliction runs after an activity).
#[utoipa::path(post, path = "/api/v1/records", tag = "register",
    request_body(content = RegisterRecordDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored, with its id", body = RegisterRecordDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators write the register", body = ErrorDto),
        (status = 422, description = "Each problem at the field's JSON pointer", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_record(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<RegisterRecordDto>), RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let record = read_record(&app, request).await?;
    let stored = run(&app, move |store| {
        Ok(coordination::add(store, &actor, record)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Replaces a record with the body (same kind; `id` in the body, if any, is the path's).
#[utoipa::path(put, path = "/api/v1/records/{id}", tag = "register",
    params(("id" = String, Path, description = "The record id")),
    request_body(content = RegisterRecordDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored", body = RegisterRecordDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators write the register", body = ErrorDto),
        (status = 404, description = "No such record", body = ErrorDto),
        (status = 422, description = "Each problem at the field's JSON pointer", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn edit_record(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<RegisterRecordDto>, RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let mut record = read_record(&app, request).await?;
    if !record.id.is_empty() && record.id != id {
        return Err(invalid(
            "/id",
            format!("{} is not the record of the path, {id}", record.id),
        ));
    }
    record.id = id;
    let stored = run(&app, move |store| {
        Ok(coordination::edit(store, &actor, record)?)
    })
    .await?;
    Ok(Json(stored.into()))
}

/// Deletes a record (an activity's open flags go with it).
#[utoipa::path(delete, path = "/api/v1/records/{id}", tag = "register",
    params(("id" = String, Path, description = "The record id")),
    responses(
        (status = 200, description = "Deleted; the record as it was", body = RegisterRecordDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators write the register", body = ErrorDto),
        (status = 404, description = "No such record", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove_record(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<RegisterRecordDto>, RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let removed = run(&app, move |store| {
        Ok(coordination::remove(store, &actor, &id)?)
    })
    .await?;
    Ok(Json(removed.into()))
}

/// The name an uploaded file goes by, `body.csv` (`Content-Type: text/csv`) or `body.json`:
/// it tells the parser the format, and the problems where they are.
fn body_name(headers: &HeaderMap) -> &'static str {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if csv { "body.csv" } else { "body.json" }
}

/// Imports records, all or nothing.
///
/// A JSON array of record objects (without ids), or CSV with a header row (`Content-Type: text/csv`; `kind`, `office`, `start`, `end` and the kinds'
/// fields, lists separated by `;`), as `meridian record import` reads a file.
#[utoipa::path(post, path = "/api/v1/records/import", tag = "register",
    request_body(content(
        (Vec<RegisterRecordDto> = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 200, description = "Stored, with their ids", body = Vec<RegisterRecordDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators write the register", body = ErrorDto),
        (status = 422, description = "Each problem as `body:LINE:/field`; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import_records(
    State(app): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    request: Body,
) -> Result<Json<Vec<RegisterRecordDto>>, RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let name = body_name(&headers);
    let bytes = body_bytes(&app, request).await?;
    let stored = run(&app, move |store| {
        Ok(coordination::import(store, &actor, name, &bytes)?)
    })
    .await?;
    Ok(Json(stored.into_iter().map(Into::into).collect()))
}

/// A deconfliction flag.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeconflictFlagDto {
    /// `FLAG-` and 10 hex digits of the fingerprint.
    pub id: String,
    pub activity_a: String,
    pub activity_b: String,
    /// `overlap`, `window` or `duplicate`.
    pub reason: String,
    pub detail: String,
    /// `open` or `resolved`.
    pub status: String,
    /// `merge` or `keep`.
    pub resolution: Option<String>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub detected_at: String,
}

impl From<store::DeconflictFlag> for DeconflictFlagDto {
    fn from(f: store::DeconflictFlag) -> DeconflictFlagDto {
        DeconflictFlagDto {
            id: f.id,
            activity_a: f.activity_a,
            activity_b: f.activity_b,
            reason: f.reason,
            detail: f.detail,
            status: f.status,
            resolution: f.resolution,
            note: f.note,
            resolved_by: f.resolved_by,
            resolved_at: f.resolved_at,
            detected_at: f.detected_at,
        }
    }
}

/// Every deconfliction flag, open ones first.
#[utoipa::path(get, path = "/api/v1/deconfliction/flags", tag = "register",
    responses(
        (status = 200, description = "The flags", body = Vec<DeconflictFlagDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the register", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn flags(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<DeconflictFlagDto>>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let found = run(&app, move |store| Ok(deconflict::flags(store, &actor)?)).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// How to run deconfliction.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeconflictRunDto {
    /// Days within which activities collide (kept for later runs); default the stored one.
    pub window: Option<i64>,
}

/// What a deconfliction run changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeconflictRunResultDto {
    pub window: i64,
    /// Flags found for the first time.
    pub added: u64,
    /// Open flags no longer found, removed.
    pub removed: u64,
}

/// Runs deconfliction over the register.
#[utoipa::path(post, path = "/api/v1/deconfliction/run", tag = "register",
    request_body(content = DeconflictRunDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Run", body = DeconflictRunResultDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators run deconfliction", body = ErrorDto),
        (status = 422, description = "A window outside 0..=3650 (`/window`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn run_deconfliction(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<DeconflictRunResultDto>, RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let asked: DeconflictRunDto = body(&app, request).await?;
    let done = run(&app, move |store| {
        let sync = deconflict::run(store, &actor, asked.window)?;
        Ok(DeconflictRunResultDto {
            window: deconflict::window(store)?,
            added: sync.added,
            removed: sync.removed,
        })
    })
    .await?;
    Ok(Json(done))
}

/// How a flag is resolved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveFlagDto {
    /// `merge` (fold the second activity into the first) or `keep` (both).
    pub resolution: String,
    /// Why; required.
    pub note: String,
}

/// Resolves an open flag.
#[utoipa::path(post, path = "/api/v1/deconfliction/flags/{id}/resolve", tag = "register",
    params(("id" = String, Path, description = "The flag id")),
    request_body(content = ResolveFlagDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Resolved", body = DeconflictFlagDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators resolve flags", body = ErrorDto),
        (status = 404, description = "No such flag", body = ErrorDto),
        (status = 409, description = "Resolved already", body = ErrorDto),
        (status = 422, description = "An unknown resolution or an empty note", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn resolve(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<DeconflictFlagDto>, RestError> {
    authorize(&actor, Action::ManageActivities)?;
    let asked: ResolveFlagDto = body(&app, request).await?;
    let how = Resolution::parse(&asked.resolution).ok_or_else(|| {
        invalid(
            "/resolution",
            format!("{:?}: expected merge or keep", asked.resolution),
        )
    })?;
    let done = run(&app, move |store| {
        Ok(deconflict::resolve(store, &actor, &id, how, &asked.note)?)
    })
    .await?;
    Ok(Json(done.into()))
}

/// The quarter of a measures query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterParams {
    /// `2026Q3`; default the last complete quarter.
    pub quarter: Option<String>,
    /// For the review: `json` (default), `csv`, `md` or `html`.
    pub format: Option<String>,
}

impl QuarterParams {
    fn quarter(&self) -> Result<Quarter, RestError> {
        match self.quarter.as_deref() {
            None => Ok(Quarter::current().previous()),
            Some(text) => Quarter::parse(text)
                .ok_or_else(|| invalid("/quarter", format!("{text:?}: expected 2026Q3"))),
        }
    }
}

/// A measure's value for a quarter, with what it counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureValueDto {
    /// `1.1a`.
    pub measure: String,
    pub objective: String,
    pub name: String,
    pub definition: String,
    /// `count` or `percent`.
    pub unit: String,
    pub quarter: String,
    pub value: f64,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// Record, partner, notification ids and `audit:SEQ` entries behind the value.
    pub records: Vec<String>,
}

impl From<measures::Value> for MeasureValueDto {
    fn from(v: measures::Value) -> MeasureValueDto {
        MeasureValueDto {
            measure: v.measure.id.to_owned(),
            objective: v.measure.objective.to_owned(),
            name: v.measure.name.to_owned(),
            definition: v.measure.definition.to_owned(),
            unit: match v.measure.unit {
                measures::Unit::Count => "count",
                measures::Unit::Percent => "percent",
            }
            .to_owned(),
            quarter: v.quarter.to_string(),
            value: v.value,
            numerator: v.numerator,
            denominator: v.denominator,
            records: v.records,
        }
    }
}

/// Every measure's value for a quarter.
#[utoipa::path(get, path = "/api/v1/measures", tag = "register",
    params(QuarterParams),
    responses(
        (status = 200, description = "The 20 measures", body = Vec<MeasureValueDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the measures", body = ErrorDto),
        (status = 422, description = "A bad quarter (`/quarter`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn measure_values(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<MeasureValueDto>>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let quarter = query::<QuarterParams>(raw.as_deref())?.quarter()?;
    let values = run(&app, move |store| {
        Ok(measures::values(store, &actor, quarter)?)
    })
    .await?;
    Ok(Json(values.into_iter().map(Into::into).collect()))
}

/// One measure for a quarter, with its drill-down.
#[utoipa::path(get, path = "/api/v1/measures/{id}", tag = "register",
    params(("id" = String, Path, description = "The measure, `2.3b`"), QuarterParams),
    responses(
        (status = 200, description = "The measure", body = MeasureValueDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the measures", body = ErrorDto),
        (status = 404, description = "No such measure", body = ErrorDto),
        (status = 422, description = "A bad quarter (`/quarter`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn measure(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<MeasureValueDto>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let quarter = query::<QuarterParams>(raw.as_deref())?.quarter()?;
    let value = run(&app, move |store| {
        Ok(measures::value(store, &actor, &id, quarter)?)
    })
    .await?;
    Ok(Json(value.into()))
}

/// The quarterly review in one of four formats carrying the same numbers: JSON, CSV,
/// Markdown, or a self-contained HTML page with SVG trend charts.
#[utoipa::path(get, path = "/api/v1/measures/review", tag = "register",
    params(QuarterParams),
    responses(
        (status = 200, description = "The review (`application/json`, `text/csv`, `text/markdown` or `text/html`)", content_type = "application/json", body = Object),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the measures", body = ErrorDto),
        (status = 422, description = "A bad quarter or format", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn review(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let params: QuarterParams = query(raw.as_deref())?;
    let quarter = params.quarter()?;
    let format = match params.format.as_deref() {
        None => Format::Json,
        Some(text) => Format::parse(text).ok_or_else(|| {
            invalid(
                "/format",
                format!("{text:?}: expected json, csv, md or html"),
            )
        })?,
    };
    let review = run(&app, move |store| {
        Ok(measures::review(store, &actor, quarter)?)
    })
    .await?;
    let content_type = match format {
        Format::Json => "application/json",
        Format::Csv => "text/csv; charset=utf-8",
        Format::Markdown => "text/markdown; charset=utf-8",
        Format::Html => "text/html; charset=utf-8",
    };
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        report::render(&review, format),
    )
        .into_response())
}

/// A measure's target for a quarter.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureTargetDto {
    /// `1.1a`.
    pub measure: String,
    /// `2026Q3`.
    pub quarter: String,
    pub target: f64,
}

/// The annual plan's targets.
#[utoipa::path(get, path = "/api/v1/measures/targets", tag = "register",
    responses(
        (status = 200, description = "Every target", body = Vec<MeasureTargetDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners do not read the measures", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn targets(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<MeasureTargetDto>>, RestError> {
    authorize(&actor, Action::ReadCoordination)?;
    let all = run(&app, |store| Ok(measures::targets(store)?)).await?;
    Ok(Json(
        all.into_iter()
            .flat_map(|(measure, per)| {
                per.into_iter()
                    .map(move |(quarter, target)| MeasureTargetDto {
                        measure: measure.clone(),
                        quarter,
                        target,
                    })
            })
            .collect(),
    ))
}

/// Sets a measure's target for a quarter.
#[utoipa::path(put, path = "/api/v1/measures/targets", tag = "register",
    request_body(content = MeasureTargetDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Set", body = MeasureTargetDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators set targets", body = ErrorDto),
        (status = 422, description = "An unknown measure, a bad quarter, a target out of range", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_target(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<MeasureTargetDto>, RestError> {
    authorize(&actor, Action::ManageMeasures)?;
    let asked: MeasureTargetDto = body(&app, request).await?;
    let quarter = Quarter::parse(&asked.quarter)
        .ok_or_else(|| invalid("/quarter", format!("{:?}: expected 2026Q3", asked.quarter)))?;
    let (measure, target) = (asked.measure.clone(), asked.target);
    run(&app, move |store| {
        Ok(measures::set_target(
            store, &actor, &measure, quarter, target,
        )?)
    })
    .await?;
    Ok(Json(asked))
}

/// Imports the annual plan, all or nothing: targets per measure and quarter, as `meridian
/// measures target import` reads a file. A JSON array of `{measure, quarter, target}`, or CSV
/// with the header `measure,quarter,target` (`Content-Type: text/csv`). Targets the body does
/// not name are left as they are.
#[utoipa::path(post, path = "/api/v1/measures/targets/import", tag = "register",
    request_body(content(
        (Vec<MeasureTargetDto> = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 200, description = "The targets set, in the body's order", body = Vec<MeasureTargetDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators set targets", body = ErrorDto),
        (status = 422, description = "Each problem as `body:LINE:/field`; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import_plan(
    State(app): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    request: Body,
) -> Result<Json<Vec<MeasureTargetDto>>, RestError> {
    authorize(&actor, Action::ManageMeasures)?;
    let name = body_name(&headers);
    let bytes = body_bytes(&app, request).await?;
    let set = run(&app, move |store| {
        Ok(measures::import_plan(store, &actor, name, &bytes)?)
    })
    .await?;
    Ok(Json(
        set.into_iter()
            .map(|(measure, quarter, target)| MeasureTargetDto {
                measure: measure.to_owned(),
                quarter: quarter.to_string(),
                target,
            })
            .collect(),
    ))
}
