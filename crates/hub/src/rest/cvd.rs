//! Coordinated vulnerability disclosure cases over REST (all through [`app::cvd`]): list, show,
//! open, advance, revise a published advisory, and a published case's CSAF 2.0 advisory. Staff
//! read; analysts and administrators write (audited as `cvd.create`, `cvd.advance`,
//! `cvd.revise`); partners are refused (403).

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session::Caller;
use super::{
    ErrorDto, Page, PageParams, ProblemDto, RestError, authorize, body, page_of, query, run, tlp,
};
use crate::AppState;
use app::authz::Action;
use store::{AffectedProduct, CvdState, NewCvdCase};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cvd", get(cases).post(create))
        .route("/api/v1/cvd/{id}", get(case))
        .route("/api/v1/cvd/{id}/advance", post(advance))
        .route("/api/v1/cvd/{id}/revisions", post(revise))
        .route("/api/v1/cvd/{id}/csaf", get(csaf))
}

/// An affected product and its version range.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CvdProductDto {
    pub vendor: String,
    pub product: String,
    /// A version range (`<2.4.1`, `*`).
    pub versions: String,
}

/// When a case entered a state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CvdStepDto {
    pub state: String,
    pub at: String,
}

/// A CVD case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CvdCaseDto {
    /// `MERIDIAN-YYYY-NNNN`.
    pub id: String,
    pub title: String,
    /// `reported`, `vendor_notified`, `fix_available` or `published`.
    pub state: String,
    /// TLP 2.0 label (`AMBER+STRICT`).
    pub tlp: String,
    pub cves: Vec<String>,
    pub reporter: String,
    pub vendor: String,
    pub vendor_country: String,
    pub vendor_csirt: String,
    pub products: Vec<CvdProductDto>,
    /// `YYYY-MM-DD`.
    pub embargo: Option<String>,
    pub remediation: String,
    /// The coordinator's working notes (never exported).
    pub notes: String,
    pub history: Vec<CvdStepDto>,
    /// The revisions of its advisory since publication (version 1), oldest first.
    pub revisions: Vec<CvdRevisionDto>,
}

/// A revision of a published advisory.
#[derive(Debug, Serialize, ToSchema)]
pub struct CvdRevisionDto {
    /// The advisory's version it made (2 onwards).
    pub number: u32,
    pub at: String,
    /// What changed.
    pub summary: String,
}

impl From<store::CvdCase> for CvdCaseDto {
    fn from(c: store::CvdCase) -> CvdCaseDto {
        let case = c.case;
        CvdCaseDto {
            id: c.id,
            title: case.title,
            state: c.state.as_str().to_owned(),
            tlp: case.tlp.as_str().to_owned(),
            cves: case.cves,
            reporter: case.reporter,
            vendor: case.vendor,
            vendor_country: case.vendor_country,
            vendor_csirt: case.vendor_csirt,
            products: case
                .products
                .into_iter()
                .map(|p| CvdProductDto {
                    vendor: p.vendor,
                    product: p.product,
                    versions: p.versions,
                })
                .collect(),
            embargo: case.embargo,
            remediation: case.remediation,
            notes: case.notes,
            history: c
                .history
                .into_iter()
                .map(|(state, at)| CvdStepDto {
                    state: state.as_str().to_owned(),
                    at,
                })
                .collect(),
            revisions: c
                .revisions
                .into_iter()
                .map(|r| CvdRevisionDto {
                    number: r.number,
                    at: r.at,
                    summary: r.summary,
                })
                .collect(),
        }
    }
}

/// Every CVD case, by id.
#[utoipa::path(get, path = "/api/v1/cvd", tag = "intel", params(PageParams),
    responses(
        (status = 200, description = "A page of cases, by id", body = Page<CvdCaseDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read CVD cases", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn cases(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<CvdCaseDto>>, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let found = run(&app, |store| Ok(app::cvd::cases(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |c| &c.id,
        CvdCaseDto::from,
    )?))
}

/// One CVD case with its history.
#[utoipa::path(get, path = "/api/v1/cvd/{id}", tag = "intel",
    params(("id" = String, Path, description = "The case id")),
    responses(
        (status = 200, description = "The case", body = CvdCaseDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read CVD cases", body = ErrorDto),
        (status = 404, description = "No such case", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn case(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<CvdCaseDto>, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let found = run(&app, move |store| Ok(app::cvd::case(store, &id)?)).await?;
    Ok(Json(found.into()))
}

/// A case to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCvdCaseDto {
    pub title: String,
    #[serde(default)]
    pub cves: Vec<String>,
    pub reporter: String,
    pub vendor: String,
    /// ISO 3166-1 alpha-2, any case.
    pub vendor_country: String,
    #[serde(default)]
    pub vendor_csirt: String,
    #[serde(default)]
    pub products: Vec<CvdProductDto>,
    /// `YYYY-MM-DD`: publishing before it is refused unless forced.
    pub embargo: Option<String>,
    /// TLP 2.0 label; default `AMBER`.
    pub tlp: Option<String>,
    #[serde(default)]
    pub remediation: String,
    #[serde(default)]
    pub notes: String,
}

/// Opens a case in state `reported`.
#[utoipa::path(post, path = "/api/v1/cvd", tag = "intel",
    request_body(content = NewCvdCaseDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Opened", body = CvdCaseDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators open cases", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<CvdCaseDto>), RestError> {
    authorize(&actor, Action::ManageCvdCases)?;
    let new: NewCvdCaseDto = body(&app, request).await?;
    let tlp = new
        .tlp
        .as_deref()
        .map(|t| tlp("/tlp", t))
        .transpose()?
        .unwrap_or(model::Tlp::Amber);
    let case = NewCvdCase {
        title: new.title,
        cves: new.cves,
        reporter: new.reporter,
        vendor: new.vendor,
        vendor_country: new.vendor_country,
        vendor_csirt: new.vendor_csirt,
        products: new
            .products
            .into_iter()
            .map(|p| AffectedProduct {
                vendor: p.vendor,
                product: p.product,
                versions: p.versions,
            })
            .collect(),
        embargo: new.embargo,
        tlp,
        remediation: new.remediation,
        notes: new.notes,
    };
    let stored = run(&app, move |store| {
        Ok(app::cvd::create_case(store, case, &actor)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Where to move a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CvdAdvanceDto {
    /// `vendor_notified`, `fix_available` or `published`; never back.
    pub to: String,
    /// Publish before the embargo date.
    #[serde(default)]
    pub force: bool,
}

/// Moves a case forward.
#[utoipa::path(post, path = "/api/v1/cvd/{id}/advance", tag = "intel",
    params(("id" = String, Path, description = "The case id")),
    request_body(content = CvdAdvanceDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved", body = CvdCaseDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators advance cases", body = ErrorDto),
        (status = 404, description = "No such case", body = ErrorDto),
        (status = 409, description = "Under embargo (pass force), or not forward", body = ErrorDto),
        (status = 422, description = "An unknown state", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn advance(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<CvdCaseDto>, RestError> {
    authorize(&actor, Action::ManageCvdCases)?;
    let step: CvdAdvanceDto = body(&app, request).await?;
    let to = CvdState::parse(&step.to).ok_or_else(|| {
        RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer: "/to".to_owned(),
                message: format!(
                    "{:?} is not a state (reported, vendor_notified, fix_available, published)",
                    step.to
                ),
            }],
        )
    })?;
    let moved = run(&app, move |store| {
        Ok(app::cvd::advance(store, &id, to, step.force, &actor)?)
    })
    .await?;
    Ok(Json(moved.into()))
}

/// A revision of a published advisory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CvdReviseDto {
    /// What changed (at most 2,000 characters); it goes into the advisory's revision history.
    pub summary: String,
}

/// Revises a published case's advisory: its next version, with the summary in its revision
/// history and now as its current release date (the served provider follows).
#[utoipa::path(post, path = "/api/v1/cvd/{id}/revisions", tag = "intel",
    params(("id" = String, Path, description = "The case id")),
    request_body(content = CvdReviseDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Revised", body = CvdCaseDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators revise advisories", body = ErrorDto),
        (status = 404, description = "No such case", body = ErrorDto),
        (status = 409, description = "The case is not published", body = ErrorDto),
        (status = 422, description = "An empty, overlong or control-character summary", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn revise(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<CvdCaseDto>, RestError> {
    authorize(&actor, Action::ManageCvdCases)?;
    let revision: CvdReviseDto = body(&app, request).await?;
    let revised = run(&app, move |store| {
        Ok(app::cvd::revise(store, &id, &revision.summary, &actor)?)
    })
    .await?;
    Ok(Json(revised.into()))
}

/// The query of `GET /api/v1/cvd/{id}/csaf`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsafParams {
    /// Where the provider directory is served (the advisory's URLs use it).
    pub base_url: Option<String>,
    /// The publisher named in the advisory (default `Meridian`).
    pub publisher: Option<String>,
}

/// A published case's CSAF 2.0 advisory, as `meridian cvd export` writes it.
#[utoipa::path(get, path = "/api/v1/cvd/{id}/csaf", tag = "intel",
    params(("id" = String, Path, description = "The case id"), CsafParams),
    responses(
        (status = 200, description = "The advisory (CSAF 2.0 JSON)", body = Object),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read CVD cases", body = ErrorDto),
        (status = 404, description = "No such case", body = ErrorDto),
        (status = 409, description = "The case is not published", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn csaf(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let params: CsafParams = query(raw.as_deref())?;
    let placed = run(&app, move |store| {
        let base_url = params
            .base_url
            .unwrap_or_else(|| app::cvd::DEFAULT_BASE_URL.to_owned());
        let publisher = params
            .publisher
            .unwrap_or_else(|| app::cvd::DEFAULT_PUBLISHER.to_owned());
        let site = app::cvd::Site::new(&base_url, &publisher);
        Ok(app::cvd::advisory_of(store, &id, &site, &actor)?)
    })
    .await?;
    let mut response = placed.bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
