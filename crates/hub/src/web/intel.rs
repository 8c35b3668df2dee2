//! Intel: the findings in triage order (SSVC decision, KEV, EPSS, confidence), each with the
//! reason it matched, and "mark false positive" with a note; the candidates (matches that
//! checked no version: no decision, not counted in exposure) apart, with "confirm"; the false
//! positives, each with "unmark". The CVD cases are the area's third screen ([`super::cvd`]).

use app::authz::Action;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::layout::{self, Area, Pager, asset_link, decision, fixed};
use super::{Viewer, WebError, given, home, run};
use crate::AppState;

const PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct FindingParams {
    decision: Option<String>,
    /// `checked`, `candidate` or `confirmed`; absent: the findings, candidates counted apart.
    state: Option<String>,
    cve: Option<String>,
    country: Option<String>,
    kev: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
    /// Set after a finding was marked, confirmed or unmarked: what was done, with its seal
    /// (see [`Viewer::notice`]).
    #[serde(skip_serializing)]
    done: Option<String>,
    #[serde(skip_serializing)]
    seal: Option<String>,
}

/// The screens of the Intel area, `current` marked as the page shown.
pub fn tabs(current: &str) -> Markup {
    html! {
        nav.toc aria-label="Intel" {
            @for (path, name) in [("/intel", "Findings"), ("/intel/false-positives", "False positives"), ("/intel/cvd", "CVD cases")] {
                a href=(path) aria-current=[(path == current).then_some("page")] { (name) }
            }
        }
    }
}

/// The findings a page lists: how many, the candidates counted apart, and the page's rows.
#[derive(Default)]
struct Listed {
    total: usize,
    candidates: usize,
    page: Vec<app::intel::FindingRow>,
}

pub async fn findings(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadIntel)?;
    let params: FindingParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let filter = app::intel::FindingFilter {
        cve: given(&params.cve),
        decision: given(&params.decision),
        state: given(&params.state),
        kev: given(&params.kev).map(|k| k == "yes"),
        foreign: None,
        country: given(&params.country),
    };
    let home_code = home(&app)?;
    let state = app.clone();
    // Without a state asked for, the candidates are counted apart, listed by `state=candidate`.
    let apart = given(&params.state).is_none();
    let found = run(&app, move |store| {
        if store.intel_documents()?.is_empty() {
            return Ok(Ok(None));
        }
        let all = state.findings.get(store, &state.engines, home_code, &())?;
        let query = app::intel::FindingQuery::default();
        let rows = app::intel::queried(store, &all, &query)?;
        let rows = match app::intel::select(store, rows, &filter, Default::default()) {
            Ok(rows) => rows,
            Err(e) => return Ok(Err(e)),
        };
        let candidate =
            |f: &app::intel::FindingRow| apart && f.state == app::intel::FindingState::Candidate;
        let listed = rows.iter().filter(|f| !candidate(f));
        Ok(Ok(Some(Listed {
            total: listed.clone().count(),
            candidates: rows.iter().filter(|f| candidate(f)).count(),
            page: listed.skip(offset).take(PAGE).map(|&f| f.clone()).collect(),
        })))
    })
    .await?;
    let (listed, problems) = match found {
        Ok(listed) => (listed, Vec::new()),
        Err(e) => (Some(Listed::default()), layout::invalid(e)?),
    };
    let candidates = listed.as_ref().map_or(0, |l| l.candidates);
    if given(&params.format).as_deref() == Some("csv") {
        let rows = listed.map(|l| l.page).unwrap_or_default();
        return Ok(layout::csv(
            "findings",
            &[
                "decision",
                "state",
                "cve",
                "asset",
                "kev_due_date",
                "epss",
                "epss_percentile",
                "cvss",
                "cwes",
                "confidence",
                "rule",
                "matched",
                "version",
                "range",
                "item",
                "source",
            ],
            rows.into_iter().map(|f| {
                vec![
                    f.ssvc.decision.unwrap_or_default().to_owned(),
                    f.state.as_str().to_owned(),
                    f.cve,
                    f.asset,
                    f.kev_due_date.unwrap_or_default(),
                    f.epss.map_or_else(String::new, |e| fixed(e, 5)),
                    f.epss_percentile.map_or_else(String::new, |e| fixed(e, 5)),
                    f.cvss
                        .as_ref()
                        .map_or_else(String::new, |c| format!("{} {}", c.score, c.kind)),
                    f.cwes.join(" "),
                    fixed(f64::from(f.confidence), 2),
                    f.rule.to_owned(),
                    f.matched,
                    f.version.unwrap_or_default(),
                    f.range
                        .or_else(|| f.unread.map(|u| format!("unread: {u}")))
                        .unwrap_or_default(),
                    f.item,
                    f.source,
                ]
            }),
        ));
    }
    let content = html! {
        (tabs("/intel"))
        @if let Some(done) = viewer.notice(&params.done, &params.seal) {
            div.notice role="status" { (done) }
        }
        (layout::problems(&problems))
        form.filters method="get" action="/intel" {
            div.field {
                label for="f-decision" { "SSVC decision" }
                select #f-decision name="decision" {
                    option value="" { "any" }
                    @for d in ["Act", "Attend", "Track*", "Track"] {
                        option value=(d) selected[given(&params.decision).as_deref() == Some(d)] { (d) }
                    }
                }
            }
            div.field {
                label for="f-state" { "State" }
                select #f-state name="state" {
                    option value="" { "findings (candidates apart)" }
                    @for (v, label) in [("checked", "version checked"), ("confirmed", "confirmed candidates"), ("candidate", "candidates (version not checked)")] {
                        option value=(v) selected[given(&params.state).as_deref() == Some(v)] { (label) }
                    }
                }
            }
            div.field {
                label for="f-kev" { "In KEV" }
                select #f-kev name="kev" {
                    option value="" { "either" }
                    option value="yes" selected[given(&params.kev).as_deref() == Some("yes")] { "yes" }
                    option value="no" selected[given(&params.kev).as_deref() == Some("no")] { "no" }
                }
            }
            (super::atlas::field("cve", "CVE", &params.cve, "CVE-2024-…"))
            (super::atlas::field("country", "Asset country", &params.country, "DE"))
            button type="submit" { "Filter" }
        }
        @if candidates > 0 {
            p.meta { (layout::count(candidates)) " candidates (version not checked: no SSVC decision, not counted in exposure) are listed apart: " a href="/intel?state=candidate" { "review them" } "." }
        }
        @match &listed {
            None => (layout::empty("No intel imported yet: import a KEV catalog, CVE records, CSAF advisories or SBOMs to match them against the atlas.", "meridian intel import FILE")),
            Some(Listed { total, page, .. }) => {
                @if *total == 0 && problems.is_empty() {
                    (layout::empty("No active finding matches these filters.", ""))
                } @else if *total > 0 {
                    @let pager = Pager { offset, shown: page.len(), total: Some(*total), more: offset + page.len() < *total, limit: PAGE };
                    (pager.render(|o| layout::at("/intel", &params, o)))
                    (layout::export(&layout::at("/intel", &params, offset)))
                    (finding_table(&viewer, page, true))
                    (pager.render(|o| layout::at("/intel", &params, o)))
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Intel, "Intel findings", content).into_response())
}

/// Findings in the given order: decision, CVE, (asset,) KEV, EPSS, confidence, why it matched,
/// and, when the viewer may mark them, the false-positive form and, for candidates, "confirm".
pub fn finding_table(viewer: &Viewer, rows: &[app::intel::FindingRow], with_asset: bool) -> Markup {
    let marking = viewer.can(Action::MarkFalsePositives);
    html! {
        table.list.findings {
            thead { tr {
                th scope="col" { "Decision" } th scope="col" { "CVE" }
                @if with_asset { th scope="col" { "Asset" } }
                th scope="col" { "KEV due" } th.num scope="col" { "EPSS" } th.num scope="col" { "Confidence" }
                th scope="col" { "Why it matched" }
                @if marking { th scope="col" { "Verdict" } }
            } }
            tbody {
                @for (i, f) in rows.iter().enumerate() {
                    tr {
                        td { (decision(&f.ssvc)) }
                        td {
                            code { (f.cve) }
                            @if !f.aliases.is_empty() {
                                br; small { (f.aliases.join(", ")) }
                            }
                        }
                        @if with_asset { td { (asset_link(&f.asset)) } }
                        td { (f.kev_due_date.as_deref().unwrap_or("–")) }
                        td.num { @if let Some(e) = f.epss { (fixed(e, 3)) } @else { "–" } }
                        td.num { (fixed(f64::from(f.confidence), 2)) }
                        td.why {
                            "rule " strong { (f.rule) } ": " code { (f.matched) }
                            @if let Some(v) = &f.version { " version " code { (v) } }
                            @if let Some(r) = &f.range { " in " code { (r) } }
                            @if let Some(u) = &f.unread { ", unchecked: the advisory's range " code { (u) } " cannot be read" }
                            " (" (f.origin) " " code { (f.item) } "; source " (f.source) ")"
                            @if let Some(i) = &f.under_investigation {
                                br;
                                strong { "Under investigation" } " by " (i.by)
                                @if let Some(n) = &i.note { ": " (n) }
                            }
                            br;
                            @if let Some(c) = &f.cvss {
                                span.meta { "CVSS " strong { (c.score) } " (" (c.kind) " by " (c.provider) ") " }
                            }
                            @if !f.cwes.is_empty() { span.meta { (f.cwes.join(", ")) " " } }
                            @if let Some(p) = f.epss_percentile {
                                span.meta { "EPSS percentile " (fixed(p, 3)) @if let Some(d) = &f.epss_date { " on " (d) } }
                            }
                            br;
                            @let s = &f.ssvc;
                            span.meta { "Exploitation " (s.exploitation) " (" (s.sources.exploitation) "), automatable " (s.automatable) " (" (s.sources.automatable) "), technical impact " (s.technical_impact) " (" (s.sources.technical_impact) "), mission & well-being " (s.mission_wellbeing) " (" (s.sources.mission_wellbeing) ")" }
                        }
                        @if marking {
                            td {
                                @if let Some(note) = &f.false_positive {
                                    "marked: " (note)
                                } @else {
                                    @if let Some(note) = &f.confirmed { "confirmed: " (note) }
                                    form.inline method="post" action="/intel/false-positive" {
                                        (layout::csrf(viewer))
                                        input type="hidden" name="asset" value=(f.asset);
                                        input type="hidden" name="cve" value=(f.cve);
                                        input type="hidden" name="item" value=(f.item);
                                        label.hidden for={ "fp-note-" (i) } { "Note for " (f.cve) " on " (f.asset) }
                                        input id={ "fp-note-" (i) } type="text" name="note" placeholder="why (note)";
                                        button type="submit" { "Mark false positive" }
                                        @if f.state == app::intel::FindingState::Candidate {
                                            " " button type="submit" formaction="/intel/confirm" { "Confirm" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct FalsePositiveForm {
    asset: String,
    cve: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    note: String,
}

/// Stores the form's verdict on a finding, then back to the findings with a notice saying so.
async fn mark(
    app: AppState,
    viewer: Viewer,
    body: Body,
    verdict: store::Verdict,
) -> Result<Response, WebError> {
    let form: FalsePositiveForm = viewer.form(&app, body).await?;
    viewer.may(Action::MarkFalsePositives)?;
    let notice = match verdict {
        store::Verdict::FalsePositive => format!(
            "Marked as a false positive: {} on {}. It no longer counts towards the exposure.",
            form.cve, form.asset
        ),
        store::Verdict::Confirmed => format!(
            "Confirmed: {} on {}. It takes its SSVC decision and counts towards the exposure.",
            form.cve, form.asset
        ),
    };
    let input = app::intel::FindingMarkInput {
        asset: form.asset,
        cve: form.cve,
        item: form.item,
        note: form.note,
    };
    let actor = viewer.actor.clone();
    run(&app, move |store| {
        app::intel::mark_finding(store, verdict, input, &actor)
    })
    .await?;
    Ok(viewer.noticed("/intel", &[], notice).into_response())
}

/// Marks a finding as a false positive (audited as `finding.false_positive`), then back to the
/// findings with a notice.
pub async fn false_positive(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    mark(app, viewer, body, store::Verdict::FalsePositive).await
}

/// Confirms a candidate (audited as `finding.confirmed`): it takes its SSVC decision and counts
/// in exposure. Then back to the findings with a notice.
pub async fn confirm(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    mark(app, viewer, body, store::Verdict::Confirmed).await
}

#[derive(Default, Deserialize, Serialize)]
pub struct MarkParams {
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
}

/// The findings marked as false positives (hidden from the triage and the exposure), each with
/// its note and, for whoever may mark them, the button that takes the mark back.
pub async fn false_positives(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadIntel)?;
    let params: MarkParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let marks = run(&app, |store| {
        app::intel::marks(store, store::Verdict::FalsePositive)
    })
    .await?;
    let page: Vec<&store::FindingMark> = marks.iter().skip(offset).take(PAGE).collect();
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "false-positives",
            &["cve", "asset", "item", "note", "marked_at"],
            page.iter().map(|m| {
                vec![
                    m.cve.clone(),
                    m.asset.clone(),
                    m.item.clone(),
                    m.note.clone(),
                    m.marked_at.clone(),
                ]
            }),
        ));
    }
    let marking = viewer.can(Action::MarkFalsePositives);
    let path = "/intel/false-positives";
    let content = html! {
        (tabs(path))
        p.meta { "Findings an analyst marked as false positives: hidden from the triage and not counted in the exposure, across re-imports, until unmarked." }
        @if marks.is_empty() {
            (layout::empty("No finding is marked as a false positive.", ""))
        } @else {
            @let pager = Pager { offset, shown: page.len(), total: Some(marks.len()), more: offset + page.len() < marks.len(), limit: PAGE };
            (pager.render(|o| layout::at(path, &params, o)))
            (layout::export(&layout::at(path, &params, offset)))
            table.list {
                thead { tr {
                    th scope="col" { "CVE" } th scope="col" { "Asset" } th scope="col" { "Item" }
                    th scope="col" { "Note" } th scope="col" { "Marked" }
                    @if marking { th scope="col" { "Verdict" } }
                } }
                tbody {
                    @for m in &page {
                        tr {
                            td { code { (m.cve) } }
                            td { (asset_link(&m.asset)) }
                            td { @if m.item.is_empty() { "every item of the asset" } @else { code { (m.item) } } }
                            td { @if m.note.is_empty() { "–" } @else { (m.note) } }
                            td { (m.marked_at) }
                            @if marking {
                                td {
                                    form.inline method="post" action="/intel/unmark" {
                                        (layout::csrf(&viewer))
                                        input type="hidden" name="asset" value=(m.asset);
                                        input type="hidden" name="cve" value=(m.cve);
                                        input type="hidden" name="item" value=(m.item);
                                        button type="submit" aria-label={ "Unmark " (m.cve) " on " (m.asset) } { "Unmark" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager.render(|o| layout::at(path, &params, o)))
        }
    };
    Ok(layout::page(&viewer, Area::Intel, "False positives", content).into_response())
}

/// Takes back a false-positive mark (audited as `finding.false_positive_removed`): the finding
/// is triaged again. Then back to the findings with a notice.
pub async fn unmark(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: FalsePositiveForm = viewer.form(&app, body).await?;
    viewer.may(Action::MarkFalsePositives)?;
    let notice = format!(
        "No longer a false positive: {} on {}. It is triaged again.",
        form.cve, form.asset
    );
    let actor = viewer.actor.clone();
    run(&app, move |store| {
        app::intel::unmark_finding(
            store,
            store::Verdict::FalsePositive,
            &form.asset,
            &form.cve,
            &form.item,
            &actor,
        )
    })
    .await?;
    Ok(viewer.noticed("/intel", &[], notice).into_response())
}
