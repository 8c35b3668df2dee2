//! Measures: one card per Measure of Effectiveness with its value, target, trend and status
//! ([`app::measures`]); a measure's page with its definition, numerator and denominator, the
//! records behind the value and the form that sets its target; the quarterly review as a page
//! that prints as the report.

use app::authz::Action;
use app::measures::report::{self, Format};
use app::measures::{self, Quarter, ReviewRow, Status};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};

use super::coordination::record_link;
use super::layout::{self, Area, href, segment};
use super::{Viewer, WebError, given, run};
use crate::AppState;

/// How many of the records behind a value the measure's page lists (the CSV has them all).
const SHOWN_RECORDS: usize = 200;

/// How many quarters the quarter picker offers.
const PICKER_QUARTERS: usize = 8;

#[derive(Default, Deserialize, Serialize)]
pub struct MeasureParams {
    /// `2026Q3`; default the last complete quarter.
    quarter: Option<String>,
    /// `csv`: the rows shown (the records behind a measure), as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
    /// Set after a target was stored, with its seal (see [`Viewer::notice`]).
    #[serde(skip_serializing)]
    done: Option<String>,
    #[serde(skip_serializing)]
    seal: Option<String>,
}

impl MeasureParams {
    fn quarter(&self) -> Result<Quarter, WebError> {
        match given(&self.quarter) {
            None => Ok(Quarter::current().previous()),
            Some(text) => Quarter::parse(&text).ok_or_else(|| {
                WebError::Status(
                    StatusCode::BAD_REQUEST,
                    format!("quarter: {text:?}: expected a quarter such as 2026Q3"),
                )
            }),
        }
    }
}

/// The page's parameters, their quarter and what `read` computes for it (on a blocking
/// thread), once the viewer may read the measures.
async fn load<T: Send + 'static>(
    app: &AppState,
    viewer: &Viewer,
    raw: Option<&str>,
    read: impl FnOnce(&mut store::Store, &app::Actor, Quarter) -> Result<T, app::Error> + Send + 'static,
) -> Result<(MeasureParams, Quarter, T), WebError> {
    viewer.may(Action::ReadCoordination)?;
    let params: MeasureParams = super::query(raw)?;
    let quarter = params.quarter()?;
    let actor = viewer.actor.clone();
    let read = run(app, move |store| read(store, &actor, quarter)).await?;
    Ok((params, quarter, read))
}

/// A status as text with its class (the colour never alone).
fn status(s: Status) -> Markup {
    html! { span class={ "status status-" (s.as_str().replace(' ', "-")) } { (s.as_str()) } }
}

fn target(row: &ReviewRow) -> String {
    row.target.map_or_else(|| "–".to_owned(), report::number)
}

fn change(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", report::number(x))
    } else {
        report::number(x)
    }
}

/// The quarter picker: a GET form back to `action`.
fn picker(action: &str, quarter: Quarter) -> Markup {
    let newest = Quarter::current();
    html! {
        form.filters method="get" action=(action) {
            div.field {
                label for="m-quarter" { "Quarter" }
                select #m-quarter name="quarter" {
                    @for q in newest.trailing(PICKER_QUARTERS).into_iter().rev() {
                        option value=(q.to_string()) selected[q == quarter] {
                            (q.to_string()) @if q == newest { " (in progress)" }
                        }
                    }
                }
            }
            button type="submit" { "Show" }
        }
    }
}

fn measure_href(id: &str, quarter: Quarter) -> String {
    href(
        &format!("/measures/{}", segment(id)),
        &[("quarter", quarter.to_string())],
    )
}

/// The twenty measures as cards, grouped by plan objective.
pub async fn cards(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (_, quarter, review) = load(&app, &viewer, raw.as_deref(), measures::review).await?;
    let tally = |s: Status| review.rows.iter().filter(|r| r.status == s).count();
    let content = html! {
        (picker("/measures", quarter))
        p.meta {
            "Every value is computed from the coordination register, the exchange and the analysis; none is typed in. "
            (tally(Status::Met)) " met, " (tally(Status::Improving)) " improving, " (tally(Status::Behind)) " behind, "
            (tally(Status::NoTarget)) " without a target in " (quarter.to_string()) ". "
            a href=(href("/measures/review", &[("quarter", quarter.to_string())])) { "The quarterly review" }
        }
        div.cards {
            @for row in &review.rows {
                @let m = row.value.measure;
                a.card href=(measure_href(m.id, quarter)) {
                    span.meta { "Objective " (m.objective) " · " (m.id) }
                    strong.name { (m.name) }
                    span.value { (report::shown(&row.value)) }
                    span.meta { "target " (target(row)) " · " (status(row.status)) " · " (change(row.change)) " on " (quarter.previous().to_string()) }
                    (PreEscaped(report::chart(row)))
                }
            }
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Measures,
        "Measures of Effectiveness",
        content,
    )
    .into_response())
}

/// One measure: its definition, value, numerator and denominator, trend, target (with the
/// form that sets it) and the records behind the value.
pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let definition = measures::definition(&id)
        .ok_or_else(|| WebError::Status(StatusCode::NOT_FOUND, format!("no measure {id:?}")))?;
    let (params, quarter, row) = load(&app, &viewer, raw.as_deref(), move |store, actor, q| {
        measures::measure_review(store, actor, definition.id, q)
    })
    .await?;
    let records = &row.value.records;
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            &format!("measure-{}-{quarter}", definition.id),
            &["measure", "quarter", "record"],
            records
                .iter()
                .map(|r| vec![definition.id.to_owned(), quarter.to_string(), r.clone()]),
        ));
    }
    let content = html! {
        @if let Some(done) = viewer.notice(&params.done, &params.seal) { div.notice role="status" { (done) } }
        (picker(&format!("/measures/{}", segment(definition.id)), quarter))
        p { (definition.definition) }
        table.fields {
            tbody {
                tr { th scope="row" { "Objective" } td { (definition.objective) } }
                tr { th scope="row" { "Value in " (quarter.to_string()) } td { strong { (report::shown(&row.value)) } } }
                @if let (Some(n), Some(d)) = (row.value.numerator, row.value.denominator) {
                    tr { th scope="row" { "Numerator" } td { (n) } }
                    tr { th scope="row" { "Denominator" } td { (d) } }
                }
                tr { th scope="row" { "Previous quarter" } td { (report::number(row.previous)) " (" (change(row.change)) ")" } }
                tr { th scope="row" { "Target" } td { (target(&row)) } }
                tr { th scope="row" { "Status" } td { (status(row.status)) } }
                tr { th scope="row" { "Trend" } td { (PreEscaped(report::chart(&row))) } }
            }
        }
        @if viewer.can(Action::ManageMeasures) {
            form.inline method="post" action="/measures/targets" {
                (layout::csrf(&viewer))
                input type="hidden" name="measure" value=(definition.id);
                input type="hidden" name="quarter" value=(quarter.to_string());
                label for="m-target" { "Target for " (quarter.to_string()) }
                input #m-target type="number" name="target" min="0" step="any" value=(row.target.map(report::number).unwrap_or_default());
                button type="submit" { "Set the target" }
            }
        }
        h2 { "What was counted (" (records.len()) ")" }
        @if records.is_empty() {
            (layout::empty("Nothing was counted in this quarter.", "meridian record list"))
        } @else {
            (layout::export(&measure_href(definition.id, quarter)))
            ul.counted {
                @for r in records.iter().take(SHOWN_RECORDS) { li { (counted(r)) } }
            }
            @if records.len() > SHOWN_RECORDS {
                p.meta { "and " (records.len() - SHOWN_RECORDS) " more in the CSV." }
            }
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Measures,
        &format!("{} · {}", definition.id, definition.name),
        content,
    )
    .into_response())
}

/// A counted item: a register record links to its page, anything else (a partner, a
/// notification, an `audit:SEQ` entry) is shown as its id.
fn counted(id: &str) -> Markup {
    let is_record = id.split_once('-').is_some_and(|(prefix, rest)| {
        !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit())
            && app::coordination::KINDS
                .iter()
                .any(|(_, p, _)| *p == prefix)
    });
    html! {
        @if is_record { (record_link(id)) } @else { code { (id) } }
    }
}

/// The quarterly review: every measure with the previous quarter, change, target, status and
/// trend; printable as the report, and downloadable in the review's four formats.
pub async fn review(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (_, quarter, review) = load(&app, &viewer, raw.as_deref(), measures::review).await?;
    let download = |format: Format, name: &str| {
        let value = match format {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "md",
            Format::Html => "html",
        };
        html! {
            a href=(href("/api/v1/measures/review", &[("quarter", quarter.to_string()), ("format", value.to_owned())])) { (name) }
        }
    };
    let content = html! {
        (picker("/measures/review", quarter))
        p.meta {
            "Measures of Effectiveness of the plan in " (quarter.to_string()) ", compared with " (quarter.previous().to_string())
            ". Every measure is to increase. Download: "
            (download(Format::Html, "HTML")) ", " (download(Format::Markdown, "Markdown")) ", "
            (download(Format::Csv, "CSV")) ", " (download(Format::Json, "JSON")) "."
        }
        table.list.review {
            thead { tr {
                th scope="col" { "Measure" } th.num scope="col" { "Value" } th.num scope="col" { "Previous" }
                th.num scope="col" { "Change" } th.num scope="col" { "Target" } th scope="col" { "Status" } th scope="col" { "Trend" }
            } }
            tbody {
                @for row in &review.rows {
                    @let m = row.value.measure;
                    tr {
                        td {
                            a href=(measure_href(m.id, quarter)) { strong { (m.id) } } " " (m.name)
                            div.meta { (m.definition) }
                        }
                        td.num { (report::shown(&row.value)) }
                        td.num { (report::number(row.previous)) }
                        td.num { (change(row.change)) }
                        td.num { (target(row)) }
                        td { (status(row.status)) }
                        td { (PreEscaped(report::chart(row))) }
                    }
                }
            }
        }
    };
    Ok(layout::page(
        &viewer,
        Area::Measures,
        &format!("Quarterly review {quarter}"),
        content,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    measure: String,
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    target: String,
}

/// Sets a measure's target for a quarter (audited as `measure.target`), then back to the
/// measure.
pub async fn set_target(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: TargetForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageMeasures)?;
    let invalid = |m: String| WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, m);
    let quarter = Quarter::parse(&form.quarter)
        .ok_or_else(|| invalid(format!("quarter: {:?}: expected 2026Q3", form.quarter)))?;
    let target: f64 = form
        .target
        .trim()
        .parse()
        .map_err(|_| invalid(format!("target: {:?} is not a number", form.target)))?;
    let actor = viewer.actor.clone();
    let measure = form.measure.clone();
    run(&app, move |store| {
        measures::set_target(store, &actor, &measure, quarter, target)
    })
    .await?;
    Ok(viewer
        .noticed(
            &format!("/measures/{}", segment(&form.measure)),
            &[("quarter", quarter.to_string())],
            format!(
                "Target of {} for {quarter} set to {}.",
                form.measure,
                report::number(target)
            ),
        )
        .into_response())
}
