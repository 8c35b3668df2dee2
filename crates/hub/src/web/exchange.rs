//! Exchange, as the installation sees it: alerts, the notifications board by state with its
//! actions, partners and agreements (who receives what, up to which TLP), incidents.

use app::authz::Action;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use exchange::notification::{NotificationState, can_advance_named};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use store::NotificationFilter;

use super::dashboard::{STATES, alert_table};
use super::layout::{self, Area, asset_link, segment, tlp};
use super::{Viewer, WebError, run};
use crate::AppState;

pub async fn overview(State(app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.may(Action::ReadExchange)?;
    let (alerts, notifications, partners, agreements, incidents, collections) =
        run(&app, |store| {
            Ok((
                app::alerts::list(store)?,
                app::notifications::tracked(
                    store,
                    &NotificationFilter::default(),
                    time::OffsetDateTime::now_utc(),
                    &(),
                )?,
                app::partners::partners(store)?,
                app::partners::agreements(store)?,
                app::incidents::list(store, None)?,
                app::partners::collections(store)?,
            ))
        })
        .await?;
    let content = html! {
        nav.toc aria-label="On this page" {
            a href="#alerts-h" { "Alerts" } a href="#board-h" { "Notifications" } a href="#partners-h" { "Partners" }
            a href="#agreements-h" { "Agreements" } a href="#collections-h" { "Collections" } a href="#incidents-h" { "Incidents" }
        }
        section aria-labelledby="alerts-h" {
            h2 #alerts-h { "Alerts (" (alerts.len()) ")" }
            (alert_table(&alerts))
        }
        section aria-labelledby="board-h" {
            h2 #board-h { "Notifications board (" (notifications.len()) ")" }
            @if notifications.is_empty() {
                (layout::empty("No notification: an alert drafts one per affected organisation, addressed to its partner CSIRT.", "meridian alert create CVE-…"))
            } @else {
                div.board {
                    @for s in STATES {
                        section.column aria-labelledby={ "state-" (s) } {
                            h3 id={ "state-" (s) } { (s) " (" (notifications.iter().filter(|t| t.notification.state == s).count()) ")" }
                            @for t in notifications.iter().filter(|t| t.notification.state == s) {
                                @let n = &t.notification;
                                article.card.overdue[t.overdue] {
                                    p { code { (n.id) } }
                                    p { "to " strong { (n.partner_id) } " for " (n.organisation) }
                                    p { "alert " code { (n.alert_id) } @if let Some(cve) = &t.cve { " · " code { (cve) } } }
                                    p.meta { "since " (n.reached(&n.state).unwrap_or("")) }
                                    (due(t))
                                    p { @for a in &n.assets { (asset_link(a)) " " } }
                                    (actions(&viewer, n))
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="partners-h" {
            h2 #partners-h { "Partners (" (partners.len()) ")" }
            @if partners.is_empty() {
                (layout::empty("No partner CSIRT yet.", "meridian partner add ID --name NAME --country CC"))
            } @else {
                table.list {
                    thead { tr { th scope="col" { "Partner" } th scope="col" { "Name" } th scope="col" { "Country" } th scope="col" { "Constituency" } th.num scope="col" { "Trust tier" } } }
                    tbody { @for p in &partners { tr {
                        td { code { (p.id) } } td { (p.name) } td { (p.country) }
                        td { (p.constituency_countries.join(", ")) @if !p.constituency_sectors.is_empty() { " · " (p.constituency_sectors.join(", ")) } }
                        td.num { (p.trust_tier) }
                    } } }
                }
            }
        }
        section aria-labelledby="agreements-h" {
            h2 #agreements-h { "Sharing agreements (" (agreements.len()) ")" }
            @if agreements.is_empty() {
                (layout::empty("No sharing agreement: without one no partner receives anything.", "meridian partner agreement add …"))
            } @else {
                table.list {
                    thead { tr { th scope="col" { "Agreement" } th scope="col" { "Parties" } th scope="col" { "Up to" } th scope="col" { "Collections" } th scope="col" { "Purpose" } } }
                    tbody { @for a in &agreements { tr {
                        td { code { (a.id) } " " (a.title) }
                        td { (a.parties.join(", ")) }
                        td { (tlp(a.highest_tlp)) }
                        td { @for g in &a.grants { code { (g.collection_id) } " (" (if g.write { "read, write" } else { "read" }) ") " } }
                        td { (a.purpose) }
                    } } }
                }
            }
        }
        section aria-labelledby="collections-h" {
            h2 #collections-h { "TAXII collections (" (collections.len()) ")" }
            @if collections.is_empty() {
                (layout::empty("No collection: partners read and write STIX objects through collections.", "meridian collection add --title TITLE"))
            } @else {
                table.list {
                    thead { tr { th scope="col" { "Collection" } th scope="col" { "Title" } th.num scope="col" { "Objects stored" } th scope="col" { "Created" } } }
                    tbody { @for (c, n) in &collections { tr {
                        td { a href={ "/exchange/collections/" (segment(&c.id)) } { code { (c.id) } } }
                        td { (c.title) } td.num { (layout::count(usize::try_from(*n).unwrap_or(usize::MAX))) } td { (c.created_at) }
                    } } }
                }
            }
        }
        section aria-labelledby="incidents-h" {
            h2 #incidents-h { "Incidents (" (incidents.len()) ")" }
            (incident_table(&incidents))
        }
    };
    Ok(layout::page(&viewer, Area::Exchange, "Exchange", content).into_response())
}

/// What a notification waits for from its partner and by when, marked when overdue (in words,
/// not by colour alone).
pub fn due(t: &app::notifications::Tracked) -> Markup {
    html! {
        @if let Some(o) = t.owed() {
            p.due {
                @if t.overdue { strong.overdue-flag { "Overdue: " } }
                (o.awaited) " due by " (o.by)
            }
        }
    }
}

/// The moves the viewer may make on a notification from its state.
fn actions(viewer: &Viewer, n: &store::Notification) -> Markup {
    let moves: Vec<&str> = STATES
        .into_iter()
        .filter(|to| can_advance_named(&n.state, to))
        .filter(|to| match *to {
            "sent" => viewer.can(Action::SendNotifications),
            _ => viewer.can(Action::AdvanceNotifications),
        })
        .collect();
    html! {
        @if !moves.is_empty() {
            form.inline method="post" action={ "/exchange/notifications/" (segment(&n.id)) "/advance" } {
                (layout::csrf(viewer))
                @for to in moves {
                    button type="submit" name="to" value=(to) aria-label={ "Mark " (n.id) " " (to) } { "→ " (to) }
                }
            }
        }
    }
}

/// The form of a move along a notification's states: the state to move to.
#[derive(Deserialize)]
pub struct Move {
    pub to: String,
}

/// Moves a notification along (sent through the send use case, the rest through advance),
/// then back to the board.
pub async fn advance(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: Move = viewer.form(&app, body).await?;
    let to = NotificationState::parse(&form.to).ok_or_else(|| {
        WebError::from(app::Error::invalid(
            "/to",
            format!("unknown state {:?}", form.to),
        ))
    })?;
    let actor = viewer.actor.clone();
    run(&app, move |store| {
        let at = app::incidents::now();
        match to {
            NotificationState::Sent => {
                app::notifications::send(store, &actor, app::notifications::Sending::One(id), &at)?;
            }
            to => {
                app::notifications::advance(store, &actor, &id, to, &at)?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/exchange#board-h").into_response())
}

/// Incidents: id, kind, category, severity, assets, reporter and when.
pub fn incident_table(incidents: &[store::Incident]) -> Markup {
    html! {
        @if incidents.is_empty() {
            (layout::empty("No incident reported yet: partners report them, or import a file.", "meridian incident import FILE"))
        } @else {
            table.list {
                thead { tr { th scope="col" { "Incident" } th scope="col" { "Kind" } th scope="col" { "Category" } th.num scope="col" { "Severity" } th scope="col" { "Assets" } th scope="col" { "Reporter" } th scope="col" { "Occurred" } } }
                tbody { @for i in incidents { tr {
                    td { code { (i.id) } } td { (i.report.kind.as_str()) } td { (i.report.category) } td.num { (i.report.severity) }
                    td { @for a in &i.report.assets { (asset_link(a)) " " } }
                    td { (i.report.reporter) } td { (i.report.occurred_at) }
                } } }
            }
        }
    }
}

/// How many objects a page of a collection shows.
const OBJECTS_PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct ObjectParams {
    /// The `next` of the previous page.
    after: Option<i64>,
}

/// A collection's objects as the viewer receives them, each with its TLP badge: read through
/// the one release decision ([`app::sharing::read_objects`]), so that a TLP:RED object appears
/// only to the users it names.
pub async fn collection(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadExchange)?;
    let params: ObjectParams = super::query(raw.as_deref())?;
    let actor = viewer.actor.clone();
    let collection = id.clone();
    let (title, page) = run(&app, move |store| {
        let title = store
            .collection(&collection)?
            .map(|c| c.title)
            .ok_or_else(|| app::Error::NotFound {
                what: "collection",
                id: collection.clone(),
            })?;
        let page =
            app::sharing::read_objects(store, &actor, &collection, params.after, OBJECTS_PAGE)?;
        Ok((title, page))
    })
    .await?;
    let content = html! {
        p.meta {
            "The objects as you receive them, in the order they were added, each under its TLP; "
            "a TLP:RED object appears only to the users it names as recipients, and an unreadable marking counts as the strictest label. "
            "TAXII: " code { "/taxii2/hub/collections/" (id) "/objects/" }
        }
        @if page.objects.is_empty() {
            (layout::empty("No object released to you on this page.", ""))
        } @else {
            table.list {
                thead { tr { th scope="col" { "TLP" } th scope="col" { "Type" } th scope="col" { "Object" } th scope="col" { "Name" } th scope="col" { "Modified" } } }
                tbody {
                    @for o in &page.objects {
                        @let json: serde_json::Value = serde_json::from_str(&o.json).unwrap_or_default();
                        tr {
                            td { (tlp(o.tlp)) }
                            td { (o.kind) }
                            td { code { (o.id) } }
                            td { (json["name"].as_str().unwrap_or("")) }
                            td { (json["modified"].as_str().or(json["created"].as_str()).unwrap_or("")) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if params.after.is_some() { a href={ "/exchange/collections/" (segment(&id)) } { "← First page" } }
            @if let Some(next) = page.next {
                a href={ "/exchange/collections/" (segment(&id)) "?after=" (next) } rel="next" { "Next →" }
            }
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Exchange,
        &format!("Collection {title}"),
        content,
    )
    .into_response())
}
