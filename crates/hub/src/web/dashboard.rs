//! The dashboard: what an analyst or coordinator must act on first — the top foreign
//! priorities, the notifications by state and the overdue ones, the most urgent
//! findings, the newest alerts and incidents. A partner user goes to its portal instead.

use app::authz::Action;
use app::measures::Status;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use store::NotificationFilter;

use super::layout::{self, Area, asset_link, decision, fixed, movement, tlp};
use super::{Viewer, WebError, home, run};
use crate::AppState;

/// How many rows each panel shows.
const TOP: usize = 10;

/// The notification states in their order.
pub const STATES: [&str; 6] = [
    "drafted",
    "sent",
    "acknowledged",
    "mitigated",
    "exploited",
    "closed",
];

/// The findings the dashboard shows: how many are listed (active), how many count (active and
/// not candidates) and are candidates, and the most urgent that count.
#[derive(Default)]
struct Triage {
    listed: usize,
    counted: usize,
    candidates: usize,
    top: Vec<app::intel::FindingRow>,
}

pub async fn show(State(app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    if viewer.actor.partner().is_some() {
        return Ok(Redirect::to("/portal").into_response());
    }
    viewer.may(Action::ReadAnalysis)?;
    let home_code = home(&app)?;
    let query = app::analysis::RankQuery {
        home: app.home.0.clone(),
        limit: Some(TOP),
        ..Default::default()
    };
    let intel = viewer.can(Action::ReadIntel);
    let exchange = viewer.can(Action::ReadExchange);
    let coordination = viewer.can(Action::ReadCoordination);
    let quarter = app::measures::Quarter::current().previous();
    let actor = viewer.actor.clone();
    let home_name = app.home.0.clone();
    let state = app.clone();
    let (changes, ranking, notifications, findings, alerts, incidents, measures) =
        run(&app, move |store| {
            let changes = app::changes::since_previous_login(store, &actor, &home_name)?;
            let ranking = match app::analysis::stored_ranking(store, &query) {
                Ok(r) => Some(r),
                Err(app::Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            };
            let notifications = if exchange {
                app::notifications::tracked(
                    store,
                    &NotificationFilter::default(),
                    time::OffsetDateTime::now_utc(),
                    &(),
                )?
            } else {
                Vec::new()
            };
            let findings = if intel && !store.intel_documents()?.is_empty() {
                let all = state.findings.get(store, &state.engines, home_code, &())?;
                let query = app::intel::FindingQuery::default();
                // One pass over the held findings (1.1M on the 1M demo world).
                let mut triage = Triage::default();
                for f in app::intel::queried(store, &all, &query)? {
                    triage.listed += 1;
                    if f.counts() {
                        triage.counted += 1;
                        if triage.top.len() < TOP {
                            triage.top.push(f.clone());
                        }
                    }
                    if f.state == app::intel::FindingState::Candidate {
                        triage.candidates += 1;
                    }
                }
                triage
            } else {
                Triage::default()
            };
            let mut alerts = if exchange {
                app::alerts::list(store)?
            } else {
                Vec::new()
            };
            alerts.sort_by(|a, b| b.created_at.cmp(&a.created_at));
            alerts.truncate(TOP);
            let mut incidents = if exchange {
                app::incidents::list(store, None)?
            } else {
                Vec::new()
            };
            incidents.sort_by(|a, b| b.report.reported_at.cmp(&a.report.reported_at));
            incidents.truncate(TOP);
            let measures = if coordination {
                let open = app::coordination::deconflict::open_count(store, &actor)?;
                Some((app::measures::review(store, &actor, quarter)?, open))
            } else {
                None
            };
            Ok((
                changes,
                ranking,
                notifications,
                findings,
                alerts,
                incidents,
                measures,
            ))
        })
        .await?;
    let overdue: Vec<&app::notifications::Tracked> = {
        let mut late: Vec<&app::notifications::Tracked> =
            notifications.iter().filter(|t| t.overdue).collect();
        late.sort_by_key(|t| t.due.map(|d| d.by));
        late
    };
    let awaited = notifications.iter().filter(|t| t.due.is_some()).count();
    let content = html! {
        (since(&changes))
        div.grid {
            section.panel aria-labelledby="top-h" {
                h2 #top-h { "Top foreign priorities" }
                @match &ranking {
                    None => (layout::empty("No priority ranking is stored yet: rank the foreign assets to see who must act first.", "meridian analyze rank")),
                    Some(r) => {
                        p.meta { "Ranking " (r.run.id) " of " (r.run.created_at) ", " (layout::count(r.total)) " assets. " a href="/priorities" { "All priorities" } }
                        table {
                            thead { tr { th scope="col" { "Rank" } th scope="col" { "Move" } th scope="col" { "Asset" } th scope="col" { "Country" } th.num scope="col" { "Priority" } } }
                            tbody {
                                @for row in &r.rows {
                                    tr {
                                        td.num { (row.rank) }
                                        td { (movement(row.movement())) }
                                        td { (asset_link(&row.asset)) }
                                        td { (row.country) }
                                        td.num { (fixed(row.priority, 3)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if exchange {
                section.panel aria-labelledby="notif-h" {
                    h2 #notif-h { "Notifications by state" }
                    @if notifications.is_empty() {
                        (layout::empty("No notification yet: an alert drafts one per affected organisation.", "meridian alert create CVE-…"))
                    } @else {
                        ul.states {
                            @for s in STATES {
                                li { a href={ "/exchange#state-" (s) } { span.state { (s) } " " strong { (notifications.iter().filter(|t| t.notification.state == s).count()) } } }
                            }
                        }
                        h3 { "Overdue (" (overdue.len()) "), most late first" }
                        @if overdue.is_empty() {
                            p { "None: " (awaited) " waiting on a partner, each within its due date." }
                        } @else {
                            table {
                                thead { tr { th scope="col" { "Notification" } th scope="col" { "Partner" } th scope="col" { "Awaited" } th scope="col" { "Due by" } } }
                                tbody {
                                    @for t in overdue.iter().take(TOP) {
                                        tr {
                                            td { code { (t.notification.id) } }
                                            td { (t.notification.partner_id) }
                                            td { (t.due.map_or("", |d| d.awaited.as_str())) }
                                            td { (t.owed().map(|o| o.by).unwrap_or_default()) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if intel {
                section.panel aria-labelledby="find-h" {
                    h2 #find-h { "Findings to act on first" }
                    @if findings.listed == 0 {
                        (layout::empty("No finding: import vulnerability intel (KEV, CVE, CSAF, SBOM) to match it against the atlas.", "meridian intel import FILE"))
                    } @else {
                        p.meta { (layout::count(findings.counted)) " active findings, " (layout::count(findings.candidates)) " candidates (version not checked). " a href="/intel" { "Triage them" } }
                        table {
                            thead { tr { th scope="col" { "Decision" } th scope="col" { "CVE" } th scope="col" { "Asset" } th scope="col" { "KEV" } } }
                            tbody {
                                @for f in &findings.top {
                                    tr {
                                        td { (decision(&f.ssvc)) }
                                        td { code { (f.cve) } }
                                        td { (asset_link(&f.asset)) }
                                        td { @if f.kev_due_date.is_some() { "KEV" } @else { "–" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some((review, open)) = &measures {
                section.panel aria-labelledby="measures-h" {
                    h2 #measures-h { "Measures at a glance" }
                    p.meta {
                        "Measures of Effectiveness in " (review.quarter.to_string()) ". "
                        a href="/measures" { "All measures" } " · "
                        a href="/coordination/deconfliction" { (open) " open deconfliction flag" @if *open != 1 { "s" } }
                    }
                    ul.states {
                        @for s in [Status::Met, Status::Improving, Status::Behind, Status::NoTarget] {
                            li { span.state { (s.as_str()) } " " strong { (review.rows.iter().filter(|r| r.status == s).count()) } }
                        }
                    }
                    @let behind: Vec<&app::measures::ReviewRow> = review.rows.iter().filter(|r| r.status == Status::Behind).collect();
                    @if !behind.is_empty() {
                        table {
                            caption { "Behind their target" }
                            thead { tr { th scope="col" { "Measure" } th.num scope="col" { "Value" } th.num scope="col" { "Target" } } }
                            tbody { @for r in behind { tr {
                                td { a href={ "/measures/" (r.value.measure.id) } { (r.value.measure.id) } " " (r.value.measure.name) }
                                td.num { (app::measures::report::shown(&r.value)) }
                                td.num { (r.target.map(app::measures::report::number).unwrap_or_default()) }
                            } } }
                        }
                    }
                }
            }
            @if exchange {
                section.panel aria-labelledby="alerts-h" {
                    h2 #alerts-h { "Newest alerts" }
                    (alert_table(&alerts))
                }
                section.panel aria-labelledby="inc-h" {
                    h2 #inc-h { "Newest incidents" }
                    (super::exchange::incident_table(&incidents))
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Dashboard, "Dashboard", content).into_response())
}

/// What changed since the viewer's previous login.
fn since(c: &app::changes::Changes) -> Markup {
    html! {
        section.panel.changes aria-labelledby="since-h" {
            h2 #since-h { "Since your previous login" }
            @match &c.since {
                None => p { "This is your first visit: everything below is new to you." },
                Some(at) => {
                    p {
                        "Since " (at) ": "
                        strong { (c.alerts.len()) } " new alerts, "
                        strong { (c.incidents.len()) } " new incidents, "
                        strong { (c.documents.len()) } " intel documents imported, "
                        strong { (c.rankings) } " rankings stored."
                    }
                    @if !c.alerts.is_empty() {
                        p { "New alerts: " @for a in &c.alerts { code { (a.id) } " (" code { (a.cve) } ") " } }
                    }
                    @if !c.incidents.is_empty() {
                        p { "New incidents: " @for i in &c.incidents { code { (i.id) } " on " @for a in &i.report.assets { (asset_link(a)) " " } } }
                    }
                    @if !c.documents.is_empty() {
                        p { "New intel: " @for d in &c.documents { (d.kind) " " code { (d.source) } "; " } }
                    }
                    @if !c.movers.is_empty() {
                        table {
                            caption { "Largest rank movements in the newest ranking" }
                            thead { tr { th.num scope="col" { "Rank" } th scope="col" { "Move" } th scope="col" { "Asset" } th.num scope="col" { "Priority" } } }
                            tbody { @for r in &c.movers { tr {
                                td.num { (r.rank) } td { (movement(r.movement())) } td { (asset_link(&r.asset)) } td.num { (fixed(r.priority, 3)) }
                            } } }
                        }
                    }
                }
            }
        }
    }
}

/// Alerts: id, CVE, title, TLP and when.
pub fn alert_table(alerts: &[store::Alert]) -> Markup {
    html! {
        @if alerts.is_empty() {
            (layout::empty("No alert yet: create one from a finding to notify the partners concerned.", "meridian alert create CVE-…"))
        } @else {
            table {
                thead { tr { th scope="col" { "Alert" } th scope="col" { "CVE" } th scope="col" { "Title" } th scope="col" { "TLP" } th scope="col" { "Created" } } }
                tbody {
                    @for a in alerts {
                        tr { td { code { (a.id) } } td { code { (a.cve) } } td { (a.title) } td { (tlp(a.tlp)) } td { (a.created_at) } }
                    }
                }
            }
        }
    }
}
