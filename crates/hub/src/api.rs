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
//! Partners authenticate with their token as on TAXII. Errors are JSON
//! `{"code", "message"}` with a stable `code`, and for 422 the list of problems in `errors`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use exchange::notification::{NotificationState, can_advance_named};
use serde::Serialize;
use serde_json::{Value, json};
use store::{Notification, NotificationFilter, StoreError};

use crate::AppState;
use crate::error::ApiError;

/// Every route of the REST API for partners.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(notifications))
        .route(
            "/api/v1/notifications/{id}/acknowledge",
            post(|s, h, p| report(s, h, p, NotificationState::Acknowledged)),
        )
        .route(
            "/api/v1/notifications/{id}/mitigate",
            post(|s, h, p| report(s, h, p, NotificationState::Mitigated)),
        )
        .route(
            "/api/v1/notifications/{id}/exploited",
            post(|s, h, p| report(s, h, p, NotificationState::Exploited)),
        )
        .route("/api/v1/incidents", post(incidents))
}

/// A failed REST request.
#[derive(Debug)]
pub struct RestError {
    status: StatusCode,
    code: &'static str,
    message: String,
    errors: Vec<String>,
}

impl RestError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> RestError {
        RestError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

impl From<ApiError> for RestError {
    fn from(e: ApiError) -> RestError {
        let code = match e.status {
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            s if s.is_client_error() => "bad_request",
            _ => "internal",
        };
        RestError::new(e.status, code, e.description)
    }
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

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if !self.errors.is_empty() {
            body["errors"] = json!(self.errors);
        }
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

/// The caller's partner id.
async fn caller(app: &AppState, headers: &HeaderMap) -> Result<String, RestError> {
    Ok(app
        .tokens
        .authenticate(&app.pool, headers)
        .await?
        .partner_id)
}

/// Runs store work on a blocking thread with a pooled connection.
async fn blocking<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&mut store::Store) -> Result<T, RestError> + Send + 'static,
) -> Result<T, RestError> {
    app.pool.run(move |store| Ok(f(store))).await?
}

/// The current time as stored (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
fn now() -> Result<String, RestError> {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| exchange::incident::timestamp(&t))
        .ok_or_else(|| ApiError::internal("the clock cannot be read as RFC 3339").into())
}

#[derive(Serialize)]
struct Step<'a> {
    state: &'a str,
    at: &'a str,
}

/// A notification as its partner sees it, with what its alert is about.
fn notification_json(store: &mut store::Store, n: &Notification) -> Result<Value, RestError> {
    let history: Vec<Step<'_>> = n
        .history
        .iter()
        .map(|(state, at)| Step { state, at })
        .collect();
    let alert = store.alert(&n.alert_id)?;
    Ok(json!({
        "id": n.id,
        "alert": n.alert_id,
        "cve": alert.as_ref().map(|a| &a.cve),
        "title": alert.as_ref().map(|a| &a.title),
        "tlp": alert.as_ref().map(|a| a.tlp.as_str()),
        "organisation": n.organisation,
        "assets": n.assets,
        "state": n.state,
        "history": history,
    }))
}

async fn notifications(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, RestError> {
    let partner = caller(&app, &headers).await?;
    let found = blocking(&app, move |store| {
        let found = store.notifications(&NotificationFilter {
            partner_id: Some(partner),
            ..NotificationFilter::default()
        })?;
        found.iter().map(|n| notification_json(store, n)).collect()
    })
    .await?;
    Ok(Json(Value::Array(found)))
}

async fn report(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    to: NotificationState,
) -> Result<Json<Value>, RestError> {
    let partner = caller(&app, &headers).await?;
    let moved = blocking(&app, move |store| {
        let n = store
            .notification(&id)?
            .ok_or(StoreError::UnknownNotification(id.clone()))?;
        if n.partner_id != partner {
            return Err(RestError::new(
                StatusCode::FORBIDDEN,
                "not_addressed_to_caller",
                format!("notification {id} is not addressed to {partner}"),
            ));
        }
        let at = now()?;
        // The move and its audit entry (the notification as the partner now sees it), together.
        store.atomically(|store| {
            let moved = store.advance_notification(&id, to.as_str(), &at, &can_advance_named)?;
            let shown = notification_json(store, &moved)?;
            app::audit::record(
                store,
                &app::Actor::Partner(partner),
                &format!("notification.{}", to.as_str()),
                &[&id],
                shown.to_string().as_bytes(),
            )?;
            Ok(shown)
        })
    })
    .await?;
    Ok(Json(moved))
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
async fn incidents(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), RestError> {
    let partner = caller(&app, &headers).await?;
    let snapshot = app.snapshot.get(&app.pool).await?;
    let release = snapshot.release(&partner);
    if !snapshot
        .collections
        .iter()
        .any(|c| release.can_write(&c.id))
    {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "no_write_agreement",
            format!(
                "{partner} may not report incidents: no sharing agreement grants it write on a collection"
            ),
        ));
    }
    if let Some(pointer) = crate::guard::nul_pointer(&body) {
        return Err(RestError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_incident_report",
            format!("{pointer}: the string holds a NUL character (\\u0000)"),
        ));
    }
    let reported_at = now()?;
    let reports = parse_reports(&body, &partner, &reported_at, &app.validator)?;
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
    let constituency: Vec<String> = match snapshot.partners.get(&partner) {
        Some(p) if !p.constituency_countries.is_empty() => p.constituency_countries.clone(),
        Some(p) => vec![p.country.clone()],
        None => Vec::new(),
    };
    let added = blocking(&app, move |store| {
        let mut named: Vec<&str> = reports
            .iter()
            .flat_map(|r| r.assets.iter().map(String::as_str))
            .collect();
        named.sort_unstable();
        named.dedup();
        let countries = store.asset_countries(&named)?;
        let errors: Vec<String> = reports
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.assets.iter().map(move |a| (i, a)))
            .filter(|(_, a)| {
                !countries
                    .get(a.as_str())
                    .is_some_and(|c| constituency.contains(c))
            })
            .map(|(i, a)| format!("[{i}].assets: {a:?} is not an asset of your constituency"))
            .collect();
        if !errors.is_empty() {
            return Err(RestError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_incident_report",
                message: format!("{} problem(s); nothing stored", errors.len()),
                errors,
            });
        }
        // The incidents and their audit entry (the request body), together.
        store.atomically(|store| {
            let added = store.add_incidents(&reports)?;
            let ids: Vec<&str> = added.iter().map(|(id, _)| id.as_str()).collect();
            app::audit::record(
                store,
                &app::Actor::Partner(partner),
                "incident.add",
                &ids,
                &body,
            )?;
            Ok(added)
        })
    })
    .await?;
    let rows: Vec<Value> = added
        .iter()
        .map(|(id, created)| json!({ "id": id, "created": created }))
        .collect();
    Ok((StatusCode::CREATED, Json(Value::Array(rows))))
}

/// The reports in `body`, submitted by `partner`. Asset ids are checked by the store; atlas
/// STIX ids (`infrastructure--…`) cannot be resolved here and are refused.
fn parse_reports(
    body: &[u8],
    partner: &str,
    reported_at: &str,
    validator: &stix::Validator,
) -> Result<Vec<model::IncidentReport>, RestError> {
    let resolve = |id: &str| (!id.starts_with("infrastructure--")).then(|| id.to_owned());
    let cx = exchange::incident::Context {
        partner: Some(partner),
        reported_at,
        resolve: &resolve,
        validator: Some(validator),
    };
    exchange::incident::parse(body, &cx).map_err(|errors| RestError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_incident_report",
        message: format!("{} problem(s); nothing stored", errors.len()),
        errors: errors.iter().map(ToString::to_string).collect(),
    })
}
