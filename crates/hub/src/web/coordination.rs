//! Coordination: the register of international activities and the other records of the plan
//! ([`app::coordination`]), a record's page, the form that records an activity, and the
//! deconfliction queue where a coordinator resolves each flag (merge, or keep both with a
//! note).

use std::collections::HashMap;

use app::authz::Action;
use app::coordination::deconflict::{self, Resolution};
use app::coordination::{self, ActivityStatus, ActivityType, Record};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::layout::{self, Area, Pager, asset_link, segment};
use super::{Viewer, WebError, given, run};
use crate::AppState;

const PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct RegisterParams {
    kind: Option<String>,
    office: Option<String>,
    partner: Option<String>,
    country: Option<String>,
    q: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
    /// Set after a record was stored or deleted, with its seal (see [`Viewer::notice`]).
    #[serde(skip_serializing)]
    done: Option<String>,
    #[serde(skip_serializing)]
    seal: Option<String>,
}

/// The link to a record's page, its id in monospace.
pub fn record_link(id: &str) -> Markup {
    html! { a href={ "/coordination/records/" (segment(id)) } { code { (id) } } }
}

/// The register: every record, filtered by kind, office, partner, country and text.
pub async fn register(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadCoordination)?;
    let params: RegisterParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let kind = match given(&params.kind) {
        Some(k) => Some(coordination::parse_kind(&k).ok_or_else(|| {
            WebError::Status(
                StatusCode::BAD_REQUEST,
                format!("{k:?} is not a kind of record"),
            )
        })?),
        None => None,
    };
    let filter = coordination::Filter {
        office: given(&params.office),
        partner: given(&params.partner),
        country: given(&params.country),
        text: given(&params.q),
    };
    let actor = viewer.actor.clone();
    let (records, open) = run(&app, move |store| {
        let records: Vec<Record> = coordination::list(store, kind)?
            .into_iter()
            .filter(|r| filter.keeps(r))
            .collect();
        let open = deconflict::open_count(store, &actor)?;
        Ok((records, open))
    })
    .await?;
    let page: Vec<&Record> = records.iter().skip(offset).take(PAGE).collect();
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "register",
            &coordination::LIST_COLUMNS,
            page.iter().map(|r| r.list_row()),
        ));
    }
    let manage = viewer.can(Action::ManageActivities);
    let content = html! {
        @if let Some(done) = viewer.notice(&params.done, &params.seal) {
            div.notice role="status" { (done) }
        }
        p.meta {
            "Who in the agency is doing what abroad. "
            @if open > 0 {
                a href="/coordination/deconfliction" { strong { (open) " open deconfliction flag" @if open != 1 { "s" } } }
                " to resolve."
            } @else {
                "No open deconfliction flag."
            }
            @if manage { " " a href="/coordination/new" { "Record an activity" } }
        }
        form.filters method="get" action="/coordination" {
            div.field {
                label for="f-kind" { "Kind" }
                select #f-kind name="kind" {
                    option value="" { "every kind" }
                    @for (k, _, what) in coordination::KINDS {
                        option value=(k) selected[kind == Some(k)] { (what) }
                    }
                }
            }
            (super::atlas::field("office", "Office", &params.office, "Ottawa"))
            (super::atlas::field("partner", "Partner", &params.partner, "cert-fr"))
            (super::atlas::field("country", "Country", &params.country, "FR"))
            (super::atlas::field("q", "Id or text", &params.q, "ACT-000001"))
            button type="submit" { "Filter" }
        }
        @if records.is_empty() {
            (layout::empty("No record matches these filters.", "meridian activity add --help"))
        } @else {
            @let pager = Pager { offset, shown: page.len(), total: Some(records.len()), more: offset + page.len() < records.len(), limit: PAGE };
            (pager.render(|o| layout::at("/coordination", &params, o)))
            (layout::export(&layout::at("/coordination", &params, offset)))
            table.list {
                thead { tr {
                    th scope="col" { "Record" } th scope="col" { "Kind" } th scope="col" { "Office" }
                    th scope="col" { "Start" } th scope="col" { "End" } th scope="col" { "Status" } th scope="col" { "Summary" }
                } }
                tbody {
                    @for r in &page {
                        tr {
                            td { (record_link(&r.id)) }
                            td { (r.details.kind()) }
                            td { (r.office) }
                            td { (r.start) }
                            td { (r.end) }
                            td { (r.details.status()) }
                            td { (r.details.summary()) }
                        }
                    }
                }
            }
            (pager.render(|o| layout::at("/coordination", &params, o)))
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Coordination,
        "Coordination register",
        content,
    )
    .into_response())
}

/// A record's fields, the deconfliction flags it is part of, and (for whoever may change the
/// register) the button that deletes it.
pub async fn record(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadCoordination)?;
    let actor = viewer.actor.clone();
    let (record, flags) = run(&app, move |store| {
        let record = coordination::get(store, &id)?;
        let flags: Vec<store::DeconflictFlag> = deconflict::flags(store, &actor)?
            .into_iter()
            .filter(|f| f.activity_a == record.id || f.activity_b == record.id)
            .collect();
        Ok((record, flags))
    })
    .await?;
    let json = record.to_json();
    let content = html! {
        p.meta { (record.details.summary()) }
        table.fields {
            tbody {
                @if let Some(fields) = json.as_object() {
                    @for (name, value) in fields {
                        tr { th scope="row" { (name.replace('_', " ")) } td { (field_value(name, value)) } }
                    }
                }
            }
        }
        @if !flags.is_empty() {
            h2 { "Deconfliction" }
            (flag_table(&flags, &HashMap::new()))
        }
        @if viewer.can(Action::ManageActivities) {
            h2 { "Change" }
            p { "Edit fields from the command line: " code { "meridian record edit " (record.id) " --set field=value" } "." }
            form.inline method="post" action={ "/coordination/records/" (segment(&record.id)) "/delete" } {
                (layout::csrf(&viewer))
                button.danger type="submit" { "Delete " (record.id) }
            }
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Coordination,
        &format!("{} · {}", record.id, record.details.kind()),
        content,
    )
    .into_response())
}

/// A field of a record as people read it: lists joined, assets linked, ranks spelled out.
fn field_value(name: &str, value: &serde_json::Value) -> Markup {
    use serde_json::Value;
    html! {
        @match (name, value) {
            ("assets", Value::Array(items)) => {
                @for (i, a) in items.iter().filter_map(Value::as_str).enumerate() {
                    @if i > 0 { ", " } (asset_link(a))
                }
            }
            ("ranks", Value::Array(items)) => {
                @if items.is_empty() { "–" }
                ul.plain {
                    @for r in items {
                        li {
                            (asset_link(r["asset"].as_str().unwrap_or_default()))
                            @match r["rank"].as_u64() {
                                Some(rank) => { " rank " (rank) " (priority " (r["priority"].as_f64().map_or_else(|| "–".to_owned(), |p| layout::fixed(p, 3))) ")" }
                                None => { " not ranked" }
                            }
                            " in ranking " (r["run"])
                        }
                    }
                }
            }
            (_, Value::Array(items)) => {
                @if items.is_empty() { "–" }
                @for (i, item) in items.iter().enumerate() {
                    @if i > 0 { ", " }
                    @match item.as_str() { Some(s) => (s), None => (item) }
                }
            }
            (_, Value::String(s)) if s.is_empty() => "–",
            (_, Value::String(s)) => (s),
            (_, Value::Bool(b)) => { @if *b { "yes" } @else { "no" } }
            (_, Value::Null) => "–",
            (_, other) => (other),
        }
    }
}

/// Deletes a record (audited as `coord.remove`), then back to the register.
pub async fn delete(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let _: super::Empty = viewer.form(&app, body).await?;
    viewer.may(Action::ManageActivities)?;
    let actor = viewer.actor.clone();
    let removed = run(&app, move |store| coordination::remove(store, &actor, &id)).await?;
    Ok(viewer
        .noticed("/coordination", &[], format!("{} deleted.", removed.id))
        .into_response())
}

/// The fields of the activity form, as typed.
#[derive(Default, Deserialize)]
pub struct ActivityForm {
    #[serde(default)]
    title: String,
    #[serde(default, rename = "type")]
    activity_type: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    supporting_offices: String,
    #[serde(default)]
    partners: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    objectives: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    outcomes: String,
    #[serde(default)]
    lessons_learned: String,
}

impl ActivityForm {
    /// The form's fields as `field=value` assignments (lists separated by `;` or `,`), the
    /// way `meridian activity add --set` reads them.
    fn assignments(&self) -> Vec<(String, String)> {
        let list = |text: &str| text.replace(',', ";");
        [
            ("title", self.title.clone()),
            ("type", self.activity_type.clone()),
            ("office", self.office.clone()),
            ("supporting_offices", list(&self.supporting_offices)),
            ("partners", list(&self.partners)),
            ("countries", list(&self.countries).to_ascii_uppercase()),
            ("objectives", list(&self.objectives)),
            ("start", self.start.clone()),
            ("end", self.end.clone()),
            ("status", self.status.clone()),
            ("outcomes", self.outcomes.clone()),
            ("lessons_learned", self.lessons_learned.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// The form that records an international activity.
pub async fn new_activity(
    State(_app): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    viewer.may(Action::ManageActivities)?;
    let form = ActivityForm {
        status: ActivityStatus::Planned.as_str().to_owned(),
        ..ActivityForm::default()
    };
    Ok(activity_page(&viewer, &form, &[]).into_response())
}

/// Stores the activity of the form (audited as `coord.add`; deconfliction runs with it), or
/// shows the form again with each problem beside its field and nothing stored.
pub async fn add_activity(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: ActivityForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageActivities)?;
    let assignments = form.assignments();
    let actor = viewer.actor.clone();
    let stored = run(&app, move |store| {
        match coordination::from_fields("activity", &assignments)
            .and_then(|record| coordination::add(store, &actor, record))
        {
            Ok(r) => Ok(Ok(r)),
            Err(e) => Ok(Err(e)),
        }
    })
    .await?;
    match stored {
        Ok(r) => {
            Ok(Redirect::to(&format!("/coordination/records/{}", segment(&r.id))).into_response())
        }
        Err(e) => {
            let problems = layout::invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                activity_page(&viewer, &form, &problems),
            )
                .into_response())
        }
    }
}

fn activity_page(viewer: &Viewer, form: &ActivityForm, problems: &[app::Problem]) -> Markup {
    let input = |name: &str, label: &str, value: &str, hint: &str| {
        layout::input("a", name, label, value, hint, problems)
    };
    let content = html! {
        (layout::problems(problems))
        form.stack method="post" action="/coordination/activities" {
            (layout::csrf(viewer))
            (input("title", "Title", &form.title, "Joint exercise with CERT-FR"))
            div.field {
                label for="a-type" { "Type" }
                select #a-type name="type" {
                    @for t in ActivityType::ALL {
                        option value=(t.as_str()) selected[form.activity_type == t.as_str()] { (t.as_str()) }
                    }
                }
            }
            (input("office", "Lead office", &form.office, "International Affairs"))
            (input("supporting_offices", "Supporting offices (comma-separated)", &form.supporting_offices, ""))
            (input("partners", "Partners (comma-separated)", &form.partners, "cert-fr"))
            (input("countries", "Countries (ISO codes, comma-separated)", &form.countries, "FR"))
            (input("objectives", "Plan objectives (1.1 to 3.3, comma-separated)", &form.objectives, "2.3"))
            (input("start", "Start (YYYY-MM-DD)", &form.start, "2026-12-01"))
            (input("end", "End (YYYY-MM-DD)", &form.end, "2026-12-05"))
            div.field {
                label for="a-status" { "Status" }
                select #a-status name="status" {
                    @for s in ActivityStatus::ALL {
                        option value=(s.as_str()) selected[form.status == s.as_str()] { (s.as_str()) }
                    }
                }
            }
            (input("outcomes", "Outcomes", &form.outcomes, ""))
            (input("lessons_learned", "Lessons learned", &form.lessons_learned, ""))
            button type="submit" { "Record the activity" }
        }
        p.meta { "From the command line: " code { "meridian activity add --help" } }
    };
    layout::page(viewer, Area::Coordination, "Record an activity", content)
}

#[derive(Default, Deserialize, Serialize)]
pub struct QueueParams {
    /// Set after a run or a resolution: what it did, with its seal (see [`Viewer::notice`]).
    done: Option<String>,
    seal: Option<String>,
}

/// The deconfliction queue: open flags first, each with its two activities and the form that
/// resolves it; the resolved ones below as history.
pub async fn queue(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadCoordination)?;
    let params: QueueParams = super::query(raw.as_deref())?;
    let actor = viewer.actor.clone();
    let (flags, activities, window) = run(&app, move |store| {
        let flags = deconflict::flags(store, &actor)?;
        let activities: HashMap<String, Record> = coordination::list(store, Some("activity"))?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        Ok((flags, activities, deconflict::window(store)?))
    })
    .await?;
    let manage = viewer.can(Action::ManageActivities);
    let (open, resolved): (Vec<_>, Vec<_>) = flags.into_iter().partition(|f| f.status == "open");
    let content = html! {
        @if let Some(done) = viewer.notice(&params.done, &params.seal) {
            div.notice role="status" { (done) }
        }
        p.meta {
            "Activities of different offices with the same partner or country whose dates overlap or fall within "
            strong { (window) " days" } " of each other, and likely duplicates (same objective, partner and type)."
        }
        @if manage {
            form.inline method="post" action="/coordination/deconfliction/run" {
                (layout::csrf(&viewer))
                label for="d-window" { "Window (days)" }
                input #d-window type="number" name="window" min="0" max="3650" value=(window);
                button type="submit" { "Run deconfliction" }
            }
        }
        h2 { "Open (" (open.len()) ")" }
        @if open.is_empty() {
            (layout::empty("No open flag: no two activities collide.", "meridian deconflict"))
        }
        @for f in &open {
            section.panel.flag aria-labelledby={ "flag-" (f.id) } {
                h3 id={ "flag-" (f.id) } { code { (f.id) } " · " (f.reason) }
                p { (f.detail) }
                div.pair {
                    @for id in [&f.activity_a, &f.activity_b] {
                        div {
                            (record_link(id))
                            @if let Some(a) = activities.get(id) {
                                " " (a.details.summary())
                                br;
                                span.meta { (a.office) ", " (a.start) " to " (a.end) ", " (a.details.status()) }
                            }
                        }
                    }
                }
                @if manage {
                    form.stack method="post" action={ "/coordination/deconfliction/" (segment(&f.id)) "/resolve" } {
                        (layout::csrf(&viewer))
                        fieldset {
                            legend { "Resolve " (f.id) }
                            div.choice {
                                span {
                                    input id={ (f.id) "-keep" } type="radio" name="resolution" value="keep" checked;
                                    " " label for={ (f.id) "-keep" } { "Keep both" }
                                }
                                span {
                                    input id={ (f.id) "-merge" } type="radio" name="resolution" value="merge";
                                    " " label for={ (f.id) "-merge" } { "Merge " (f.activity_b) " into " (f.activity_a) }
                                }
                            }
                            div.field {
                                label for={ (f.id) "-note" } { "Why (required)" }
                                input id={ (f.id) "-note" } type="text" name="note" required;
                            }
                        }
                        button type="submit" { "Resolve" }
                    }
                }
            }
        }
        h2 { "Resolved (" (resolved.len()) ")" }
        @if resolved.is_empty() {
            p.meta { "None yet." }
        } @else {
            (flag_table(&resolved, &activities))
        }
    };
    Ok(layout::page(&viewer, Area::Coordination, "Deconfliction", content).into_response())
}

/// Flags as a table: the pair, the reason, and how each was resolved.
fn flag_table(flags: &[store::DeconflictFlag], activities: &HashMap<String, Record>) -> Markup {
    html! {
        table.list {
            thead { tr {
                th scope="col" { "Flag" } th scope="col" { "Activities" } th scope="col" { "Reason" }
                th scope="col" { "Status" } th scope="col" { "Resolution" }
            } }
            tbody {
                @for f in flags {
                    tr {
                        td { code { (f.id) } }
                        td {
                            @for (i, id) in [&f.activity_a, &f.activity_b].into_iter().enumerate() {
                                @if i > 0 { " and " }
                                (record_link(id))
                                @if let Some(a) = activities.get(id) { " " span.meta { (a.details.summary()) } }
                            }
                        }
                        td { strong { (f.reason) } ": " (f.detail) }
                        td { (f.status) }
                        td {
                            @if let Some(how) = &f.resolution {
                                strong { (how) } ": " (f.note.as_deref().unwrap_or(""))
                                br;
                                span.meta { (f.resolved_by.as_deref().unwrap_or("")) ", " (f.resolved_at.as_deref().unwrap_or("")) }
                            } @else { "–" }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    window: String,
}

/// Runs deconfliction (audited as `deconflict.run`), with the window of the form.
pub async fn run_deconfliction(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: RunForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageActivities)?;
    let window = match form.window.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            WebError::Status(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("window: {text:?} is not a whole number of days"),
            )
        })?),
    };
    let actor = viewer.actor.clone();
    let sync = run(&app, move |store| deconflict::run(store, &actor, window)).await?;
    Ok(viewer
        .noticed(
            "/coordination/deconfliction",
            &[],
            format!(
                "Deconfliction ran: {} new flag(s), {} no longer found.",
                sync.added, sync.removed
            ),
        )
        .into_response())
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    note: String,
}

/// Resolves a flag (audited as `deconflict.resolve`): keep both, or merge the second activity
/// into the first.
pub async fn resolve(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: ResolveForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageActivities)?;
    let how = Resolution::parse(&form.resolution).ok_or_else(|| {
        WebError::Status(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("resolution: {:?}: expected merge or keep", form.resolution),
        )
    })?;
    let actor = viewer.actor.clone();
    let flag = run(&app, move |store| {
        deconflict::resolve(store, &actor, &id, how, &form.note)
    })
    .await?;
    Ok(viewer
        .noticed(
            "/coordination/deconfliction",
            &[],
            format!(
                "{} resolved: {}.",
                flag.id,
                flag.resolution.unwrap_or_default()
            ),
        )
        .into_response())
}
