//! The partners' side of victim notifications and incident reports (§4), under `/api/v1`:
//!
//! - `GET /api/v1/notifications`: the caller's notifications;
//! - `POST /api/v1/notifications/{id}/acknowledge`, `…/mitigate`, `…/exploited`: the caller
//!   reports on a notification addressed to it (403 otherwise), timestamped by the hub on
//!   receipt; moves follow `exchange::notification::can_advance` (409 otherwise);
//! - `POST /api/v1/incidents`: incident reports in the simple JSON form (or a STIX 2.1 bundle
//!   naming assets by `x_meridian_asset_ids`), all or nothing, reported by the caller; see
//!   [`incidents`] for who may file and on which assets.
//!
//! Partners authenticate with their token as on TAXII. Errors are the REST API's
//! ([`crate::rest::RestError`]): `{"code", "message"}` with a stable `code`, and for 422 one
//! `{"pointer", "message"}` per problem in `errors`.

use app::authz::Action;
use app::notifications::Tracked;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use exchange::notification::NotificationState;
use serde::Serialize;
use store::StoreError;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::rest::session::Caller;
use crate::rest::{self, ErrorDto, ProblemDto, RestError};

/// Every route of the REST API for partners.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/{id}/acknowledge", post(acknowledge))
        .route("/api/v1/notifications/{id}/mitigate", post(mitigate))
        .route("/api/v1/notifications/{id}/exploited", post(exploited))
        .route("/api/v1/incidents", post(incidents))
}

impl From<StoreError> for RestError {
    fn from(e: StoreError) -> RestError {
        match e {
            StoreError::UnknownNotification(id) => RestError::new(
                StatusCode::NOT_FOUND,
                "notification_not_found",
                format!("no notification {id}"),
            ),
            e @ StoreError::NotificationTransition { .. } => {
                RestError::new(StatusCode::CONFLICT, "invalid_transition", e.to_string())
            }
            e if e.is_user_error() => {
                RestError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
            }
            e => ApiError::internal(e).into(),
        }
    }
}

/// The partner the caller speaks for, once `action` is authorised: a partner's token, or a
/// partner user.
fn partner_of(actor: &app::Actor, action: Action) -> Result<String, RestError> {
    rest::authorize(actor, action)?;
    actor.partner().map(str::to_owned).ok_or_else(|| {
        RestError::new(
            StatusCode::FORBIDDEN,
            "not_a_partner",
            format!(
                "{} is not a partner; this route is for partner CSIRTs",
                actor.audit_name()
            ),
        )
    })
}

/// The current time as stored (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
fn now() -> Result<String, RestError> {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| exchange::incident::timestamp(&t))
        .ok_or_else(|| ApiError::internal("the clock cannot be read as RFC 3339").into())
}

/// One step of a notification's history.
#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub state: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A notification as its partner sees it, with what its alert is about.
#[derive(Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: String,
    /// The alert it notifies.
    pub alert: String,
    pub cve: Option<String>,
    pub title: Option<String>,
    /// The alert's TLP 2.0 marking (`clear`, `green`, `amber`, `amber+strict`, `red`).
    pub tlp: Option<String>,
    pub organisation: String,
    /// The partner's assets it is about.
    pub assets: Vec<String>,
    pub state: String,
    pub history: Vec<StepDto>,
    /// What the installation awaits from you next and by when; null before sending and after
    /// an outcome.
    pub due: Option<DueDto>,
    /// Past its due date now.
    pub overdue: bool,
}

/// The follow-up a sent notification waits for: the acknowledgement within the installation's
/// `acknowledge_days` of sending, the outcome within `mitigate_days` of sending or by the end of
/// the CVE's KEV `dueDate`, whichever comes first.
#[derive(Serialize, ToSchema)]
pub struct DueDto {
    /// `acknowledgement` or `outcome` (mitigated, or exploited).
    pub awaited: String,
    /// RFC 3339.
    pub by: String,
}

impl DueDto {
    /// What the notification awaits and by when, if anything.
    pub fn of(t: &Tracked) -> Option<DueDto> {
        t.owed().map(|o| DueDto {
            awaited: o.awaited.to_owned(),
            by: o.by,
        })
    }
}

fn notification_dto((t, alert): (Tracked, Option<store::Alert>)) -> NotificationDto {
    let due = DueDto::of(&t);
    let overdue = t.overdue;
    let n = t.notification;
    NotificationDto {
        due,
        overdue,
        id: n.id,
        alert: n.alert_id,
        cve: alert.as_ref().map(|a| a.cve.clone()),
        title: alert.as_ref().map(|a| a.title.clone()),
        tlp: alert.as_ref().map(|a| a.tlp.as_str().to_owned()),
        organisation: n.organisation,
        assets: n.assets,
        state: n.state,
        history: n
            .history
            .into_iter()
            .map(|(state, at)| StepDto { state, at })
            .collect(),
    }
}

/// The caller's notifications.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "partners",
    responses(
        (status = 200, description = "The notifications addressed to the calling partner", body = Vec<NotificationDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "The caller is not a partner", body = ErrorDto),
    ),
    security(("bearer" = [])))]
pub async fn notifications(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<NotificationDto>>, RestError> {
    partner_of(&actor, Action::ReadReleased)?;
    let found = rest::run(&app, move |store| {
        Ok(
            app::notifications::own(store, &actor, OffsetDateTime::now_utc())?
                .into_iter()
                .map(notification_dto)
                .collect(),
        )
    })
    .await?;
    Ok(Json(found))
}

/// The responses of the three report routes.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Read by the OpenAPI derive only.
pub enum ReportResponses {
    /// The notification in its new state.
    #[response(status = 200)]
    Moved(NotificationDto),
    /// No valid credentials.
    #[response(status = 401)]
    Unauthorized(ErrorDto),
    /// Not addressed to the caller.
    #[response(status = 403)]
    Forbidden(ErrorDto),
    /// No such notification.
    #[response(status = 404)]
    NotFound(ErrorDto),
    /// The state machine does not allow the move.
    #[response(status = 409)]
    Conflict(ErrorDto),
}

/// Acknowledges a notification addressed to the caller.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/acknowledge", tag = "partners",
    params(("id" = String, Path, description = "The notification id")),
    responses(ReportResponses), security(("bearer" = [])))]
pub async fn acknowledge(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<NotificationDto>, RestError> {
    report(&app, &actor, id, NotificationState::Acknowledged).await
}

/// Reports a notification addressed to the caller as mitigated.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/mitigate", tag = "partners",
    params(("id" = String, Path, description = "The notification id")),
    responses(ReportResponses), security(("bearer" = [])))]
pub async fn mitigate(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<NotificationDto>, RestError> {
    report(&app, &actor, id, NotificationState::Mitigated).await
}

/// Reports that the vulnerability of a notification addressed to the caller was exploited.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/exploited", tag = "partners",
    params(("id" = String, Path, description = "The notification id")),
    responses(ReportResponses), security(("bearer" = [])))]
pub async fn exploited(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<NotificationDto>, RestError> {
    report(&app, &actor, id, NotificationState::Exploited).await
}

async fn report(
    app: &AppState,
    actor: &app::Actor,
    id: String,
    to: NotificationState,
) -> Result<Json<NotificationDto>, RestError> {
    partner_of(actor, Action::ReportOwnNotifications)?;
    let at = now()?;
    let actor = actor.clone();
    let moved = rest::run(app, move |store| {
        app::notifications::report_own(store, &actor, &id, to, &at)
            .map(notification_dto)
            .map_err(|e| match e {
                app::Error::Forbidden(m) => {
                    RestError::new(StatusCode::FORBIDDEN, "not_addressed_to_caller", m)
                }
                app::Error::Conflict(m) => {
                    RestError::new(StatusCode::CONFLICT, "invalid_transition", m)
                }
                e => e.into(),
            })
    })
    .await?;
    Ok(Json(moved))
}

/// An incident stored from a report.
#[derive(Serialize, ToSchema)]
pub struct AddedIncidentDto {
    pub id: String,
    /// False when the same report was stored before.
    pub created: bool,
}

/// The most incident reports one request may carry.
pub const MAX_REPORTS: usize = 100;

/// `POST /api/v1/incidents`. Incidents feed the ranking's threat score, so filing is limited:
///
/// - only a partner with a sharing agreement granting write on at least one collection may
///   file (403 `no_write_agreement` otherwise): the same trust that lets it publish objects;
/// - a report may name only assets in the partner's constituency (the asset's country is one
///   of its `constituency_countries`, or its own country when it lists none). An asset that does
///   not exist and one outside the constituency get the same 422 message, so the answer does
///   not tell whether an id exists;
/// - at most [`MAX_REPORTS`] reports per request (413 `too_many_reports`), all or nothing;
/// - a string holding NUL is refused (422 naming its JSON pointer).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "partners",
    request_body(content = serde_json::Value, content_type = "application/json",
        description = "An array of incident reports in the simple JSON form, or a STIX 2.1 bundle"),
    responses(
        (status = 201, description = "Stored, all of them", body = Vec<AddedIncidentDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "No sharing agreement grants the caller write", body = ErrorDto),
        (status = 413, description = "More reports than one request may carry", body = ErrorDto),
        (status = 422, description = "Problems, each located; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = [])))]
pub async fn incidents(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<AddedIncidentDto>>), RestError> {
    partner_of(&actor, Action::ReportIncidents)?;
    if let Some(pointer) = crate::guard::nul_pointer(&body) {
        return Err(RestError::invalid(
            "invalid_incident_report",
            vec![ProblemDto {
                pointer,
                message: "the string holds a NUL character (\\u0000)".to_owned(),
            }],
        ));
    }
    let reported_at = now()?;
    let reports = app::incidents::parse_reports(&actor, &body, &reported_at, &app.validator)
        .map_err(incident_error)?;
    if reports.len() > MAX_REPORTS {
        return Err(RestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_reports",
            format!(
                "{} reports in one request; send at most {MAX_REPORTS} per request",
                reports.len()
            ),
        ));
    }
    let added = rest::run(&app, move |store| {
        app::incidents::report(store, &actor, &reports).map_err(incident_error)
    })
    .await?;
    let rows = added
        .into_iter()
        .map(|(id, created)| AddedIncidentDto { id, created })
        .collect();
    Ok((StatusCode::CREATED, Json(rows)))
}

/// The stable codes of incident reports' refusals.
fn incident_error(e: app::Error) -> RestError {
    match e {
        app::Error::Forbidden(m) => RestError::new(StatusCode::FORBIDDEN, "no_write_agreement", m),
        app::Error::Invalid(problems) => RestError::invalid(
            "invalid_incident_report",
            problems
                .into_iter()
                .map(|p| ProblemDto {
                    pointer: p.pointer,
                    message: p.message,
                })
                .collect(),
        ),
        e => e.into(),
    }
}
