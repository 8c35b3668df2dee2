//! Alerts over REST (all through [`app::alerts`]): list, show with their notifications, the
//! stored CSAF 2.0 advisory, and issuing one: built from the CVE's active findings, routed to
//! the partners whose constituency holds an affected asset, its STIX package published and the
//! victim notifications drafted, as `meridian alert new` does. Staff read; analysts and
//! administrators issue; partners are refused (403: they read what is released to them).

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::coordination::AdminNotificationDto;
use super::session::Caller;
use super::{ErrorDto, Page, PageParams, RestError, authorize, body, page_of, run, tlp};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/alerts", get(alerts).post(create))
        .route("/api/v1/alerts/{id}", get(alert))
        .route("/api/v1/alerts/{id}/csaf", get(csaf))
}

/// An alert about a CVE.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDto {
    /// `ALERT-YYYY-NNNN`.
    pub id: String,
    pub cve: String,
    pub title: String,
    /// TLP 2.0 label of the package and the notifications.
    pub tlp: String,
    /// The TLP 1.0 label its CSAF advisory carries.
    pub csaf_tlp: String,
    pub remediation: String,
    pub created_at: String,
    /// The collection its STIX package was published into.
    pub collection: Option<String>,
    /// The ids of the STIX package's objects.
    pub stix_ids: Vec<String>,
    /// The affected assets.
    pub assets: Vec<String>,
    /// The partners it was routed to.
    pub partners: Vec<String>,
}

impl From<store::Alert> for AlertDto {
    fn from(a: store::Alert) -> AlertDto {
        AlertDto {
            id: a.id,
            cve: a.cve,
            title: a.title,
            tlp: a.tlp.as_str().to_owned(),
            csaf_tlp: app::cvd::csaf_tlp(a.tlp).to_owned(),
            remediation: a.remediation,
            created_at: a.created_at,
            collection: a.collection_id,
            stix_ids: a.stix_ids,
            assets: a.assets,
            partners: a.partners,
        }
    }
}

/// An alert with the notifications drafted for it.
#[derive(Serialize, ToSchema)]
pub struct AlertDetailDto {
    pub alert: AlertDto,
    pub notifications: Vec<AdminNotificationDto>,
}

impl AlertDetailDto {
    /// The alert with its notifications as they stand now.
    fn of(
        store: &mut store::Store,
        (alert, notifications): (store::Alert, Vec<store::Notification>),
    ) -> app::Result<AlertDetailDto> {
        Ok(AlertDetailDto {
            alert: alert.into(),
            notifications: super::coordination::tracked(store, notifications)?,
        })
    }
}

/// Every alert, by id.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "coordination", params(PageParams),
    responses(
        (status = 200, description = "A page of alerts, by id", body = Page<AlertDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners read released alerts over TAXII", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn alerts(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AlertDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let found = run(&app, |store| Ok(app::alerts::list(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |a| &a.id,
        AlertDto::from,
    )?))
}

/// One alert with its notifications.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "coordination",
    params(("id" = String, Path, description = "The alert id")),
    responses(
        (status = 200, description = "The alert", body = AlertDetailDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners read released alerts over TAXII", body = ErrorDto),
        (status = 404, description = "No such alert", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn alert(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<AlertDetailDto>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let shown = run(&app, move |store| {
        let shown = app::alerts::show(store, &id)?;
        Ok(AlertDetailDto::of(store, shown)?)
    })
    .await?;
    Ok(Json(shown))
}

/// The alert's CSAF 2.0 advisory as stored.
#[utoipa::path(get, path = "/api/v1/alerts/{id}/csaf", tag = "coordination",
    params(("id" = String, Path, description = "The alert id")),
    responses(
        (status = 200, description = "The advisory (CSAF 2.0 JSON)", body = Object),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners read released alerts over TAXII", body = ErrorDto),
        (status = 404, description = "No such alert", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn csaf(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let document = run(&app, move |store| Ok(app::alerts::csaf(store, &id)?)).await?;
    Ok(Json(document))
}

/// An alert to issue about a CVE.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlertDto {
    /// The CVE id, any case.
    pub cve: String,
    /// Only findings from these inventory items (as the findings list shows them).
    #[serde(default)]
    pub findings: Vec<String>,
    /// Only findings on these assets.
    #[serde(default)]
    pub assets: Vec<String>,
    /// TLP 2.0 label; default `AMBER`.
    pub tlp: Option<String>,
    /// The collection to publish the STIX package into (not published without one).
    pub collection: Option<String>,
    pub title: Option<String>,
    /// The fix or workaround.
    #[serde(default)]
    pub remediation: String,
    /// The hub's organisation: the STIX identity and the CSAF publisher (default `Meridian`).
    pub publisher: Option<String>,
}

/// Issues an alert: routes it, publishes its STIX package and drafts the notifications.
#[utoipa::path(post, path = "/api/v1/alerts", tag = "coordination",
    request_body(content = NewAlertDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued, with its drafted notifications", body = AlertDetailDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators issue alerts", body = ErrorDto),
        (status = 404, description = "No such collection", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer (no active finding of the CVE, say); nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<AlertDetailDto>), RestError> {
    authorize(&actor, Action::ManageAlerts)?;
    let new: NewAlertDto = body(&app, request).await?;
    let args = app::alerts::NewAlert {
        cve: new.cve.trim().to_ascii_uppercase(),
        findings: new.findings,
        assets: new.assets,
        tlp: new
            .tlp
            .as_deref()
            .map(|t| tlp("/tlp", t))
            .transpose()?
            .unwrap_or(model::Tlp::Amber),
        collection: new.collection,
        title: new.title,
        remediation: new.remediation,
        publisher: new.publisher.unwrap_or_else(|| "Meridian".to_owned()),
        at: None,
    };
    let home = super::analysis::home(&app)?;
    let issued = run(&app, move |store| {
        let issued = app::alerts::create(store, &actor, home, &args, &())?;
        Ok(AlertDetailDto::of(store, issued)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}
