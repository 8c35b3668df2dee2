//! The partner portal: a partner user's notifications (acknowledge, report mitigation or
//! exploitation), the incident report form, and what has been shared with its CSIRT — only
//! what the one release decision lets through ([`app::sharing::shared_with`]).

use app::authz::Action;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use exchange::notification::{NotificationState, can_advance_named};
use maud::html;
use serde::Deserialize;
use serde_json::json;

use super::layout::{self, Area, segment, tlp};
use super::{Viewer, WebError, run};
use crate::AppState;

/// Shared objects listed.
const SHARED: usize = 200;

/// What a partner may report on its notifications.
const REPORTS: [(&str, &str); 3] = [
    ("acknowledged", "Acknowledge"),
    ("mitigated", "Report mitigated"),
    ("exploited", "Report exploited"),
];

#[derive(Default, Deserialize)]
pub struct PortalParams {
    /// Set after a report: what was stored, with its seal (see [`Viewer::notice`]).
    done: Option<String>,
    seal: Option<String>,
}

/// The incident form's fields, as typed.
#[derive(Default, Deserialize)]
pub struct IncidentForm {
    #[serde(default)]
    assets: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    description: String,
}

pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params: PortalParams = super::query(raw.as_deref())?;
    portal(
        &app,
        &viewer,
        viewer.notice(&params.done, &params.seal),
        &IncidentForm::default(),
        &[],
    )
    .await
    .map(IntoResponse::into_response)
}

async fn portal(
    app: &AppState,
    viewer: &Viewer,
    done: Option<String>,
    form: &IncidentForm,
    problems: &[app::Problem],
) -> Result<maud::Markup, WebError> {
    viewer.may(Action::ReadReleased)?;
    let actor = viewer.actor.clone();
    let (own, shared) = run(app, move |store| {
        Ok((
            app::notifications::own(store, &actor, time::OffsetDateTime::now_utc())?,
            app::sharing::shared_with(store, &actor, SHARED)?,
        ))
    })
    .await?;
    let reporting = viewer.can(Action::ReportOwnNotifications);
    let content = html! {
        @if let Some(done) = done { div.notice role="status" { (done) } }
        section aria-labelledby="own-h" {
            h2 #own-h { "Notifications to your CSIRT (" (own.len()) ")" }
            @if own.is_empty() {
                (layout::empty("Nothing has been addressed to your CSIRT yet.", ""))
            } @else {
                table.list {
                    thead { tr { th scope="col" { "Notification" } th scope="col" { "Alert" } th scope="col" { "TLP" } th scope="col" { "Organisation" } th scope="col" { "Assets" } th scope="col" { "State" } th scope="col" { "Due" } th scope="col" { "Report" } } }
                    tbody { @for (t, alert) in &own { @let n = &t.notification; tr.overdue[t.overdue] {
                        td { code { (n.id) } }
                        td { @if let Some(a) = alert { (a.title) br; span.meta { (a.remediation) } } }
                        td { @if let Some(a) = alert { (tlp(a.tlp)) } }
                        td { (n.organisation) }
                        td { @for a in &n.assets { code { (a) } " " } }
                        td { span.state { (n.state) } br; span.meta { "since " (n.reached(&n.state).unwrap_or("")) } }
                        td { (super::exchange::due(t)) }
                        td {
                            @if reporting {
                                form.inline method="post" action={ "/portal/notifications/" (segment(&n.id)) } {
                                    (layout::csrf(viewer))
                                    @for (to, label) in REPORTS {
                                        @if can_advance_named(&n.state, to) {
                                            button type="submit" name="to" value=(to) aria-label={ (label) " " (n.id) } { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    } } }
                }
            }
        }
        section aria-labelledby="incident-h" {
            h2 #incident-h { "Report an incident" }
            (layout::problems(problems))
            form.stack method="post" action="/portal/incidents" {
                (layout::csrf(viewer))
                label for="i-assets" { "Assets (ids in your constituency, separated by commas)" }
                input #i-assets type="text" name="assets" value=(form.assets) required;
                label for="i-kind" { "Kind" }
                select #i-kind name="kind" {
                    option value="cyber" selected[form.kind == "cyber"] { "cyber" }
                    option value="physical" selected[form.kind == "physical"] { "physical" }
                }
                label for="i-category" { "Category (ransomware, intrusion, sabotage, natural-hazard, …)" }
                input #i-category type="text" name="category" value=(form.category) required;
                label for="i-severity" { "Severity (1 lowest to 5)" }
                input #i-severity type="number" min="1" max="5" name="severity" value=(form.severity) required;
                label for="i-occurred" { "Occurred at (RFC 3339, e.g. 2026-01-03T08:00:00Z)" }
                input #i-occurred type="text" name="occurred_at" value=(form.occurred_at) required;
                label for="i-description" { "Description" }
                textarea #i-description name="description" rows="3" { (form.description) }
                button type="submit" { "Send the report" }
            }
        }
        section aria-labelledby="shared-h" {
            h2 #shared-h { "Shared with your CSIRT (" (shared.len()) @if shared.len() == SHARED { "+" } ")" }
            @if shared.is_empty() {
                (layout::empty("Nothing has been shared with your CSIRT yet: the installation shares through sharing agreements.", ""))
            } @else {
                table.list {
                    thead { tr { th scope="col" { "Object" } th scope="col" { "Type" } th scope="col" { "Name" } th scope="col" { "TLP" } th scope="col" { "Collection" } th scope="col" { "Added" } } }
                    tbody { @for o in &shared { tr {
                        td { code { (o.id) } } td { (o.kind) } td { (o.name.as_deref().unwrap_or("")) } td { (tlp(o.tlp)) }
                        td { code { (o.collection) } } td { (o.date_added) }
                    } } }
                }
            }
        }
    };
    Ok(layout::page(
        viewer,
        Area::Portal,
        "Partner portal",
        content,
    ))
}

/// The partner reports on one of its notifications (audited), then back to the portal.
pub async fn report(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: super::exchange::Move = viewer.form(&app, body).await?;
    let to = NotificationState::parse(&form.to)
        .filter(|s| REPORTS.iter().any(|(name, _)| *name == s.as_str()))
        .ok_or_else(|| {
            WebError::from(app::Error::invalid(
                "/to",
                format!("{:?} is not acknowledged, mitigated or exploited", form.to),
            ))
        })?;
    let actor = viewer.actor.clone();
    let moved = run(&app, move |store| {
        app::notifications::report_own(store, &actor, &id, to, &app::incidents::now())
    })
    .await?;
    let done = format!(
        "Notification {} is now {}.",
        moved.0.notification.id, moved.0.notification.state
    );
    Ok(viewer.noticed("/portal", &[], done).into_response())
}

/// Files an incident report from the form, as the partner API does with its simple JSON form;
/// the form again with each problem on a refusal (nothing stored).
pub async fn incident(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: IncidentForm = viewer.form(&app, body).await?;
    viewer.may(Action::ReportIncidents)?;
    let assets: Vec<&str> = form
        .assets
        .split([',', ' '])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let severity = form
        .severity
        .trim()
        .parse::<u8>()
        .map_or_else(|_| json!(form.severity), |n| json!(n));
    let simple = json!([{
        "assets": assets,
        "kind": form.kind,
        "category": form.category,
        "severity": severity,
        "occurred_at": form.occurred_at,
        "description": form.description,
    }]);
    let body = simple.to_string().into_bytes();
    let actor = viewer.actor.clone();
    let validator = app.validator.clone();
    let filed = run(&app, move |store| {
        Ok(
            app::incidents::parse_reports(&actor, &body, &app::incidents::now(), &validator)
                .and_then(|reports| app::incidents::report(store, &actor, &reports)),
        )
    })
    .await?;
    match filed {
        Ok(added) => {
            let ids: Vec<String> = added.into_iter().map(|(id, _)| id).collect();
            let done = format!("Incident report stored: {}.", ids.join(", "));
            Ok(viewer.noticed("/portal", &[], done).into_response())
        }
        Err(e) => {
            let problems = layout::invalid(e)?;
            let page = portal(&app, &viewer, None, &form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
