//! The installation's side of notifications ([`app::notifications`]: list, send, advance), its
//! incidents ([`app::incidents::list`]) and the federation's remotes ([`app::federation`]) over
//! REST. The partners' own notification and incident routes are in [`crate::api`]; these are
//! under `/api/v1/admin/notifications` so as not to clash with theirs.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use exchange::notification::NotificationState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session::Caller;
use super::{ErrorDto, Page, ProblemDto, RestError, authorize, body, query, run};
use crate::AppState;
use crate::api::{DueDto, StepDto};
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/notifications", get(notifications))
        .route("/api/v1/admin/notifications/send", post(send))
        .route("/api/v1/admin/notifications/report", get(report))
        .route("/api/v1/admin/notifications/{id}/advance", post(advance))
        .route("/api/v1/incidents", get(incidents))
        .route("/api/v1/admin/incidents", post(add_incident))
        .route("/api/v1/admin/incidents/import", post(import_incidents))
        .route("/api/v1/remotes", get(remotes).post(add_remote))
        .route("/api/v1/remotes/{name}", delete(remove_remote))
}

/// A 422 with one problem at `pointer`.
pub(super) fn invalid(pointer: &str, message: String) -> RestError {
    RestError::invalid(
        "invalid",
        vec![ProblemDto {
            pointer: pointer.to_owned(),
            message,
        }],
    )
}

/// A notification as the installation sees it.
#[derive(Serialize, ToSchema)]
pub struct AdminNotificationDto {
    /// `<alert id>.<n>`.
    pub id: String,
    pub alert: String,
    /// The CVE of its alert.
    pub cve: Option<String>,
    /// The partner CSIRT it is addressed to.
    pub partner: String,
    pub organisation: String,
    pub assets: Vec<String>,
    /// `drafted`, `sent`, `acknowledged`, `mitigated`, `exploited` or `closed`.
    pub state: String,
    pub history: Vec<StepDto>,
    /// What the partner owes next and by when; null before sending and after an outcome.
    pub due: Option<DueDto>,
    /// Past its due date now.
    pub overdue: bool,
}

impl From<app::notifications::Tracked> for AdminNotificationDto {
    fn from(t: app::notifications::Tracked) -> AdminNotificationDto {
        let due = DueDto::of(&t);
        let n = t.notification;
        AdminNotificationDto {
            id: n.id,
            alert: n.alert_id,
            cve: t.cve,
            partner: n.partner_id,
            organisation: n.organisation,
            assets: n.assets,
            state: n.state,
            history: n
                .history
                .into_iter()
                .map(|(state, at)| StepDto { state, at })
                .collect(),
            due,
            overdue: t.overdue,
        }
    }
}

/// The notifications as the installation sees them, with what each waits for now.
pub(super) fn tracked(
    store: &mut store::Store,
    found: Vec<store::Notification>,
) -> app::Result<Vec<AdminNotificationDto>> {
    let now = time::OffsetDateTime::now_utc();
    Ok(app::notifications::track(store, found, now, &())?
        .into_iter()
        .map(AdminNotificationDto::from)
        .collect())
}

/// The query of `GET /api/v1/admin/notifications`; every condition given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// The alert id.
    pub alert: Option<String>,
    /// The partner id.
    pub partner: Option<String>,
    /// `drafted`, `sent`, `acknowledged`, `mitigated`, `exploited` or `closed`.
    pub state: Option<String>,
}

fn state(pointer: &str, name: &str) -> Result<NotificationState, RestError> {
    NotificationState::parse(name).ok_or_else(|| {
        let all: Vec<&str> = NotificationState::ALL.iter().map(|s| s.as_str()).collect();
        invalid(
            pointer,
            format!("{name:?}: expected one of {}", all.join(", ")),
        )
    })
}

/// Every notification of every partner, filtered.
#[utoipa::path(get, path = "/api/v1/admin/notifications", tag = "coordination",
    params(NotificationParams),
    responses(
        (status = 200, description = "The notifications, in one page", body = Page<AdminNotificationDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners see only their own (`GET /api/v1/notifications`)", body = ErrorDto),
        (status = 422, description = "An unknown state (`/state`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn notifications(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AdminNotificationDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let params: NotificationParams = query(raw.as_deref())?;
    let filter = store::NotificationFilter {
        alert_id: params.alert,
        partner_id: params.partner,
        state: params
            .state
            .as_deref()
            .map(|s| state("/state", s).map(|s| s.as_str().to_owned()))
            .transpose()?,
    };
    let items = run(&app, move |store| {
        let found = app::notifications::list(store, &filter)?;
        Ok(tracked(store, found)?)
    })
    .await?;
    Ok(Json(Page { items, next: None }))
}

/// Median and mean of a duration, in hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursSpreadDto {
    pub count: usize,
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

impl From<app::notifications::Spread> for HoursSpreadDto {
    fn from(s: app::notifications::Spread) -> HoursSpreadDto {
        HoursSpreadDto {
            count: s.count,
            median: s.median,
            mean: s.mean,
        }
    }
}

/// The figures of a set of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresDto {
    pub notifications: usize,
    /// How many are in each state.
    pub by_state: BTreeMap<String, usize>,
    /// Drafted → sent.
    pub time_to_notify_hours: HoursSpreadDto,
    /// Sent → acknowledged.
    pub time_to_acknowledge_hours: HoursSpreadDto,
    /// Those mitigated or exploited, with evidence to compare.
    pub decided: usize,
    pub mitigated_before_exploitation: usize,
    /// Null when none is decided.
    pub share_mitigated_before_exploitation: Option<f64>,
}

impl From<app::notifications::Figures> for FiguresDto {
    fn from(f: app::notifications::Figures) -> FiguresDto {
        FiguresDto {
            notifications: f.notifications,
            by_state: f
                .by_state
                .into_iter()
                .map(|(state, n)| (state.to_owned(), n))
                .collect(),
            time_to_notify_hours: f.time_to_notify_hours.into(),
            time_to_acknowledge_hours: f.time_to_acknowledge_hours.into(),
            decided: f.decided,
            mitigated_before_exploitation: f.mitigated_before_exploitation,
            share_mitigated_before_exploitation: f.share_mitigated_before_exploitation,
        }
    }
}

/// The notification report: per alert and overall.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationReportDto {
    pub alerts: BTreeMap<String, FiguresDto>,
    pub overall: FiguresDto,
}

/// Time to notify, time to acknowledge and the share mitigated before the first exploitation
/// evidence (KEV, incidents, the partner's own report), per alert and overall.
#[utoipa::path(get, path = "/api/v1/admin/notifications/report", tag = "coordination",
    responses(
        (status = 200, description = "The report", body = NotificationReportDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the report", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn report(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<NotificationReportDto>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let report = run(&app, |store| {
        Ok(app::notifications::report_stored(store, &())?)
    })
    .await?;
    Ok(Json(NotificationReportDto {
        alerts: report
            .alerts
            .into_iter()
            .map(|(alert, f)| (alert, f.into()))
            .collect(),
        overall: report.overall.into(),
    }))
}

/// The time of a move: RFC 3339, or now.
fn at(given: Option<&str>) -> Result<String, RestError> {
    match given {
        Some(text) => app::incidents::parse_time(text).map_err(|e| invalid("/at", e)),
        None => Ok(app::incidents::now()),
    }
}

/// What to mark sent: one notification (`id`) or every drafted one of an alert (`alert`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendDto {
    pub id: Option<String>,
    pub alert: Option<String>,
    /// RFC 3339; default now.
    pub at: Option<String>,
}

/// Marks notifications sent: one, or every drafted one of an alert; all or nothing.
#[utoipa::path(post, path = "/api/v1/admin/notifications/send", tag = "coordination",
    request_body(content = SendDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Sent; the notifications as they now are", body = Vec<AdminNotificationDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators send notifications", body = ErrorDto),
        (status = 404, description = "No such notification", body = ErrorDto),
        (status = 409, description = "The alert has no drafted notification", body = ErrorDto),
        (status = 422, description = "Neither or both of `id` and `alert`, an unknown alert, a bad time, a notification no longer drafted", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn send(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<Vec<AdminNotificationDto>>, RestError> {
    authorize(&actor, Action::SendNotifications)?;
    let sending: SendDto = body(&app, request).await?;
    let what = match (sending.id, sending.alert) {
        (Some(id), None) => app::notifications::Sending::One(id),
        (None, Some(alert)) => app::notifications::Sending::Alert(alert),
        _ => {
            return Err(invalid(
                "",
                "name either a notification (`id`) or an alert (`alert`)".to_owned(),
            ));
        }
    };
    let at = at(sending.at.as_deref())?;
    let sent = run(&app, move |store| {
        let sent = app::notifications::send(store, &actor, what, &at)?;
        Ok(tracked(store, sent)?)
    })
    .await?;
    Ok(Json(sent))
}

/// Where a notification moves.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceDto {
    /// `sent`, `acknowledged`, `mitigated`, `exploited` or `closed`.
    pub to: String,
    /// RFC 3339; default now.
    pub at: Option<String>,
}

/// Moves a notification along its states, as the state machine allows.
#[utoipa::path(post, path = "/api/v1/admin/notifications/{id}/advance", tag = "coordination",
    params(("id" = String, Path, description = "The notification id")),
    request_body(content = AdvanceDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved", body = AdminNotificationDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators and coordinators advance notifications", body = ErrorDto),
        (status = 404, description = "No such notification", body = ErrorDto),
        (status = 422, description = "An unknown state (`/to`), a bad time (`/at`), or a move the state machine does not allow", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn advance(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<AdminNotificationDto>, RestError> {
    authorize(&actor, Action::AdvanceNotifications)?;
    let moving: AdvanceDto = body(&app, request).await?;
    let to = state("/to", &moving.to)?;
    let at = at(moving.at.as_deref())?;
    let mut moved = run(&app, move |store| {
        let moved = app::notifications::advance(store, &actor, &id, to, &at)?;
        Ok(tracked(store, vec![moved])?)
    })
    .await?;
    Ok(Json(moved.remove(0)))
}

/// An incident, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentRowDto {
    /// `INC-YYYY-NNNN`.
    pub id: String,
    /// `cyber` or `physical`.
    pub kind: String,
    pub category: String,
    pub description: String,
    /// 1 (lowest) to 5.
    pub severity: u8,
    pub occurred_at: String,
    pub reported_at: String,
    /// The partner id, or the analyst's name.
    pub reporter: String,
    /// The reporting partner; null when the hub's own analysts reported it.
    pub partner: Option<String>,
    pub assets: Vec<String>,
    /// The STIX incident or sighting it came from.
    pub stix_id: Option<String>,
}

/// The query of `GET /api/v1/incidents`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentParams {
    /// Only the incidents naming this asset id.
    pub asset: Option<String>,
}

/// Every incident, newest first (partners report theirs with `POST /api/v1/incidents`).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "coordination",
    params(IncidentParams),
    responses(
        (status = 200, description = "The incidents, in one page, newest first", body = Page<IncidentRowDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the installation's incidents", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn incidents(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<IncidentRowDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let params: IncidentParams = query(raw.as_deref())?;
    let found = run(&app, move |store| {
        Ok(app::incidents::list(store, params.asset.as_deref())?)
    })
    .await?;
    Ok(Json(Page {
        items: found
            .into_iter()
            .map(|i| IncidentRowDto {
                id: i.id,
                kind: i.report.kind.as_str().to_owned(),
                category: i.report.category,
                description: i.report.description,
                severity: i.report.severity,
                occurred_at: i.report.occurred_at,
                reported_at: i.report.reported_at,
                reporter: i.report.reporter,
                partner: i.report.partner_id,
                assets: i.report.assets,
                stix_id: i.report.stix_id,
            })
            .collect(),
        next: None,
    }))
}

/// An incident a partner reported by other means (a call, an e-mail), recorded by staff.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncidentDto {
    /// The partner CSIRT that reported it.
    pub partner: String,
    /// The affected asset ids.
    pub assets: Vec<String>,
    /// `cyber` or `physical`.
    pub kind: String,
    /// ransomware, intrusion, sabotage, explosive-device, natural-hazard, …
    pub category: String,
    /// When it happened: RFC 3339 or `YYYY-MM-DD`.
    pub occurred_at: String,
    /// 1 (lowest) to 5.
    pub severity: u8,
    #[serde(default)]
    pub description: String,
}

/// Records an incident a partner reported, as `meridian incident add` does (partners file
/// theirs with `POST /api/v1/incidents`).
#[utoipa::path(post, path = "/api/v1/admin/incidents", tag = "coordination",
    request_body(content = NewIncidentDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = crate::api::AddedIncidentDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators, analysts and coordinators record incidents", body = ErrorDto),
        (status = 422, description = "An unknown partner (`/partner`) or asset (`/assets`), a bad kind, time or severity; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_incident(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<crate::api::AddedIncidentDto>), RestError> {
    authorize(&actor, Action::ManageIncidents)?;
    let new: NewIncidentDto = body(&app, request).await?;
    let kind = store::IncidentKind::parse(&new.kind).ok_or_else(|| {
        invalid(
            "/kind",
            format!("{:?}: expected cyber or physical", new.kind),
        )
    })?;
    let new = app::incidents::NewIncident {
        partner: new.partner,
        assets: new.assets,
        kind,
        category: new.category,
        occurred_at: new.occurred_at,
        severity: new.severity,
        description: new.description,
    };
    let mut added = run(&app, move |store| {
        Ok(app::incidents::add(store, &actor, new)?)
    })
    .await?;
    let (id, created) = added.remove(0);
    Ok((
        StatusCode::CREATED,
        Json(crate::api::AddedIncidentDto { id, created }),
    ))
}

/// The query of `POST /api/v1/admin/incidents/import`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentImportParams {
    /// The file's name, used to locate problems (default `incidents`).
    pub name: Option<String>,
    /// The reporting partner, for reports that name none (a STIX bundle's).
    pub partner: Option<String>,
}

/// Imports incident reports in bulk, all or nothing, as `meridian incident import` does: a
/// STIX 2.1 bundle (`incident` and `sighting` objects linked to assets by
/// `x_meridian_asset_ids` or relationships to the atlas STIX export's infrastructure ids) or the
/// simple JSON form, a list of `{partner, assets, kind, category, occurred_at, description,
/// severity}`. Reports stored before (same STIX id) are left as they are.
#[utoipa::path(post, path = "/api/v1/admin/incidents/import", tag = "coordination",
    params(IncidentImportParams, super::jobs::AsyncParams),
    request_body(content = String, content_type = "application/json",
        description = "A STIX 2.1 bundle or a JSON list of reports"),
    responses(
        (status = 200, description = "Every report, stored now or before", body = Vec<crate::api::AddedIncidentDto>),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = super::jobs::JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators, analysts and coordinators record incidents", body = ErrorDto),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorDto),
        (status = 422, description = "A report that does not read, an unknown partner or asset; the problem names the file and where in it; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import_incidents(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
    mode: super::jobs::Mode,
    body: Body,
) -> Result<axum::response::Response, RestError> {
    authorize(&actor, Action::ManageIncidents)?;
    let params: IncidentImportParams = query(raw.as_deref())?;
    let bytes = super::body_bytes(&app, body).await?;
    let name = params.name.unwrap_or_else(|| "incidents".to_owned());
    super::jobs::respond(
        &app,
        actor,
        mode,
        "incident_import",
        Action::ManageIncidents,
        move |store, _progress, actor| {
            let added =
                app::incidents::import(store, actor, &name, &bytes, params.partner.as_deref())?;
            Ok(added
                .into_iter()
                .map(|(id, created)| crate::api::AddedIncidentDto { id, created })
                .collect::<Vec<_>>())
        },
    )
    .await
}

/// A federation remote; its credential is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteDto {
    pub name: String,
    /// The remote's TAXII 2.1 API root.
    pub url: String,
    /// The remote collection.
    pub collection: String,
    pub local_collection: String,
    /// The HTTP Basic user name; empty: a bearer token.
    pub user: String,
    /// The local partner standing for the remote hub's organisation.
    pub partner: String,
    pub pull: bool,
    pub push: bool,
    pub last_sync: Option<String>,
}

/// Every federation remote, by name.
#[utoipa::path(get, path = "/api/v1/remotes", tag = "coordination",
    responses(
        (status = 200, description = "Every remote, in one page", body = Page<RemoteDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the federation's remotes", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remotes(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Page<RemoteDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let found = run(&app, |store| Ok(app::federation::remotes(store)?)).await?;
    Ok(Json(Page {
        items: found.into_iter().map(RemoteDto::from).collect(),
        next: None,
    }))
}

impl From<store::Remote> for RemoteDto {
    fn from(r: store::Remote) -> RemoteDto {
        RemoteDto {
            name: r.name,
            url: r.api_root,
            collection: r.collection_id,
            local_collection: r.local_collection,
            user: r.user,
            partner: r.partner_id,
            pull: r.pull,
            push: r.push,
            last_sync: r.last_sync,
        }
    }
}

/// A remote to add: one collection of a remote TAXII 2.1 API root paired with a local one.
/// `Debug` is not derived: it carries a credential.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRemoteDto {
    /// 1–64 lowercase letters, digits, `-`, `_` or `.`.
    pub name: String,
    /// The API root URL, ending with `/`; HTTPS (plain HTTP only to the loopback interface).
    pub url: String,
    /// The remote collection's id.
    pub collection: String,
    pub local_collection: String,
    /// The HTTP Basic user name; none: the token is sent as a bearer token.
    pub user: Option<String>,
    /// The credential presented to the remote; stored sealed, never shown again.
    pub token: String,
    /// The local partner standing for the remote hub's organisation.
    pub partner: String,
    /// Directions; neither means both.
    #[serde(default)]
    pub pull: bool,
    #[serde(default)]
    pub push: bool,
}

/// Adds a federation remote; its token is sealed with the server's secret key.
#[utoipa::path(post, path = "/api/v1/remotes", tag = "coordination",
    request_body(content = NewRemoteDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Added (without its credential)", body = RemoteDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage remotes", body = ErrorDto),
        (status = 409, description = "A remote with this name exists", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer; nothing stored", body = ErrorDto),
        (status = 503, description = "The server has no secret key to seal the credential with", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_remote(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<RemoteDto>), RestError> {
    authorize(&actor, Action::ManageRemotes)?;
    let Some(key) = app.secret_key.clone() else {
        return Err(RestError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_secret_key",
            "this server has no secret key to seal remote credentials; use `meridian remote add`",
        ));
    };
    let new: NewRemoteDto = body(&app, request).await?;
    let new = app::federation::NewRemote {
        name: new.name,
        url: new.url,
        collection: new.collection,
        local_collection: new.local_collection,
        user: new.user,
        token: new.token,
        partner: new.partner,
        pull: new.pull,
        push: new.push,
    };
    let added = run(&app, move |store| {
        Ok(app::federation::add_remote(store, &actor, &key, new)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes a federation remote.
#[utoipa::path(delete, path = "/api/v1/remotes/{name}", tag = "coordination",
    params(("name" = String, Path, description = "The remote's name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage remotes", body = ErrorDto),
        (status = 404, description = "No such remote", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove_remote(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::ManageRemotes)?;
    run(&app, move |store| {
        Ok(app::federation::remove_remote(store, &actor, &name)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
