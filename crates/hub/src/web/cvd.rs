//! Intel › CVD cases ([`app::cvd`]): the list (filtered by state, exported as CSV), a case's
//! page with its timeline and the states it may move to, its CSAF 2.0 advisory once published
//! (the bytes REST serves), and the form that opens a case. Staff read (`ReadIntel`); analysts
//! and administrators write (`ManageCvdCases`, audited as `cvd.create` and `cvd.advance`);
//! partners are refused, as over REST.

use app::authz::Action;
use app::cvd::CaseRow;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use store::{CvdCase, CvdState, NewCvdCase};

use super::layout::{self, Area, Pager, segment};
use super::{Viewer, WebError, given, run};
use crate::AppState;

const PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct CaseParams {
    /// Only cases in this state (`reported`, `vendor_notified`, `fix_available`, `published`).
    state: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
}

/// The link to a case's page, its id in monospace.
fn case_link(id: &str) -> Markup {
    html! { a href={ "/intel/cvd/" (segment(id)) } { code { (id) } } }
}

/// The dates a case was opened and last moved.
fn opened_and_moved(c: &CvdCase) -> (&str, &str) {
    fn date(at: Option<&(CvdState, String)>) -> &str {
        at.map_or("", |(_, at)| at.get(..10).unwrap_or(at))
    }
    (date(c.history.first()), date(c.history.last()))
}

/// Every CVD case, by id, filtered by state.
pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadIntel)?;
    let params: CaseParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let state = match given(&params.state) {
        Some(s) => Some(CvdState::parse(&s).ok_or_else(|| {
            WebError::Status(
                StatusCode::BAD_REQUEST,
                format!(
                    "{s:?} is not a state (reported, vendor_notified, fix_available, published)"
                ),
            )
        })?),
        None => None,
    };
    let cases: Vec<CvdCase> = run(&app, app::cvd::cases)
        .await?
        .into_iter()
        .filter(|c| state.is_none_or(|s| c.state == s))
        .collect();
    let page: Vec<&CvdCase> = cases.iter().skip(offset).take(PAGE).collect();
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "cvd-cases",
            &[
                "id",
                "state",
                "tlp",
                "cves",
                "title",
                "products",
                "vendor",
                "vendor_country",
                "vendor_csirt",
                "reporter",
                "embargo",
                "opened",
                "moved",
            ],
            page.iter().map(|c| {
                let row = CaseRow::of(c);
                let (opened, moved) = opened_and_moved(c);
                vec![
                    row.id.to_owned(),
                    row.state.to_owned(),
                    row.tlp.to_owned(),
                    row.cves.join(" "),
                    row.title.to_owned(),
                    row.products.join(" "),
                    row.vendor.to_owned(),
                    row.vendor_country.to_owned(),
                    row.vendor_csirt.to_owned(),
                    row.reporter.to_owned(),
                    row.embargo.unwrap_or_default().to_owned(),
                    opened.to_owned(),
                    moved.to_owned(),
                ]
            }),
        ));
    }
    let content = html! {
        (super::intel::tabs("/intel/cvd"))
        p.meta {
            "Coordinated vulnerability disclosure: reported → vendor notified → fix available → published; a published case's CSAF 2.0 advisory is on its page."
            @if viewer.can(Action::ManageCvdCases) { " " a href="/intel/cvd/new" { "Open a case" } }
        }
        form.filters method="get" action="/intel/cvd" {
            div.field {
                label for="f-state" { "State" }
                select #f-state name="state" {
                    option value="" { "any" }
                    @for s in CvdState::ALL {
                        option value=(s.as_str()) selected[state == Some(s)] { (label(s)) }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
        @if cases.is_empty() {
            (layout::empty("No CVD case matches this filter.", "meridian cvd new --help"))
        } @else {
            @let pager = Pager { offset, shown: page.len(), total: Some(cases.len()), more: offset + page.len() < cases.len(), limit: PAGE };
            (pager.render(|o| layout::at("/intel/cvd", &params, o)))
            (layout::export(&layout::at("/intel/cvd", &params, offset)))
            table.list {
                thead { tr {
                    th scope="col" { "Case" } th scope="col" { "State" } th scope="col" { "CVE" }
                    th scope="col" { "Title and products" } th scope="col" { "Vendor" }
                    th scope="col" { "Embargo" } th scope="col" { "Opened" } th scope="col" { "Moved" }
                    th scope="col" { "TLP" }
                } }
                tbody {
                    @for c in &page {
                        @let row = CaseRow::of(c);
                        @let (opened, moved) = opened_and_moved(c);
                        tr {
                            td { (case_link(&c.id)) }
                            td { (label(c.state)) }
                            td { @if row.cves.is_empty() { "–" } @for (i, cve) in row.cves.iter().enumerate() { @if i > 0 { ", " } code { (cve) } } }
                            td { (row.title) @if !row.products.is_empty() { br; span.meta { (row.products.join(", ")) } } }
                            td { (row.vendor) " (" (row.vendor_country) ")" @if !row.vendor_csirt.is_empty() { br; span.meta { "via " (row.vendor_csirt) } } }
                            td { (row.embargo.unwrap_or("–")) }
                            td { (opened) }
                            td { (moved) }
                            td { (layout::tlp(c.case.tlp)) }
                        }
                    }
                }
            }
            (pager.render(|o| layout::at("/intel/cvd", &params, o)))
        }
    };
    Ok(layout::page(&viewer, Area::Intel, "CVD cases", content).into_response())
}

/// A state as people read it.
fn label(state: CvdState) -> &'static str {
    match state {
        CvdState::Reported => "reported",
        CvdState::VendorNotified => "vendor notified",
        CvdState::FixAvailable => "fix available",
        CvdState::Published => "published",
    }
}

#[derive(Default, Deserialize)]
pub struct ShowParams {
    /// Set after the case was opened or moved: what happened, with its seal (see
    /// [`Viewer::notice`]).
    done: Option<String>,
    seal: Option<String>,
}

/// A case: every field, its timeline, the states it may move to and, once published, its CSAF
/// advisory.
pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadIntel)?;
    let params: ShowParams = super::query(raw.as_deref())?;
    let case = run(&app, move |store| app::cvd::case(store, &id)).await?;
    let notice = viewer.notice(&params.done, &params.seal);
    Ok(case_page(&viewer, &case, notice.as_deref(), None).into_response())
}

/// A case's page, with `notice` after a change or `refusal` (why a move was refused).
fn case_page(
    viewer: &Viewer,
    case: &CvdCase,
    notice: Option<&str>,
    refusal: Option<&str>,
) -> Markup {
    let row = CaseRow::of(case);
    let path = format!("/intel/cvd/{}", segment(&case.id));
    let next: Vec<CvdState> = app::cvd::next_states(case.state).collect();
    let embargoed = case.case.embargo.is_some() && next.contains(&CvdState::Published);
    let content = html! {
        (super::intel::tabs("/intel/cvd"))
        @if let Some(done) = notice { div.notice role="status" { (done) } }
        @if let Some(why) = refusal {
            div.error-summary role="alert" {
                h2 { "The case was not moved" }
                p { (why) }
            }
        }
        p.meta { (layout::tlp(case.case.tlp)) " " strong { (label(case.state)) } " · " (row.title) }
        table.fields {
            tbody {
                tr { th scope="row" { "state" } td { (label(case.state)) } }
                tr { th scope="row" { "TLP" } td { (layout::tlp(case.case.tlp)) " (CSAF: TLP:" (app::cvd::csaf_tlp(case.case.tlp)) ")" } }
                tr { th scope="row" { "CVEs" } td { @if row.cves.is_empty() { "–" } @for (i, cve) in row.cves.iter().enumerate() { @if i > 0 { ", " } code { (cve) } } } }
                tr { th scope="row" { "reporter" } td { (row.reporter) } }
                tr { th scope="row" { "vendor" } td { (row.vendor) } }
                tr { th scope="row" { "vendor country" } td { code { (row.vendor_country) } } }
                tr { th scope="row" { "vendor CSIRT" } td { (or_dash(row.vendor_csirt)) } }
                tr { th scope="row" { "products" } td {
                    @if row.products.is_empty() { "–" }
                    ul.plain { @for p in &row.products { li { code { (p) } } } }
                } }
                tr { th scope="row" { "embargo" } td { (row.embargo.unwrap_or("–")) } }
                tr { th scope="row" { "remediation" } td { (or_dash(row.remediation)) } }
                tr { th scope="row" { "notes (never exported)" } td { (or_dash(row.notes)) } }
            }
        }
        h2 { "Timeline" }
        ol {
            @for (state, at) in &case.history { li { strong { (label(*state)) } " " (at) } }
            @for r in &case.revisions {
                li { strong { "Advisory revised (version " (r.number) ")" } " " (r.at) ": " (r.summary) }
            }
        }
        h2 { "CSAF 2.0 advisory" }
        @if case.state == CvdState::Published {
            p { a href={ (path) "/csaf" } download { "Download the advisory (" (app::cvd::csaf_tlp(case.case.tlp)) ", JSON)" } }
        } @else {
            p.meta { "The advisory is available once the case is published." }
        }
        @if viewer.can(Action::ManageCvdCases) && !next.is_empty() {
            h2 { "Move the case" }
            form.stack method="post" action={ (path) "/advance" } {
                (layout::csrf(viewer))
                @if embargoed {
                    div.choice {
                        span {
                            input #c-force type="checkbox" name="force" value="yes";
                            " " label for="c-force" { "Publish before the embargo (" (row.embargo.unwrap_or("")) ")" }
                        }
                    }
                }
                div.choice {
                    @for s in &next {
                        button type="submit" name="to" value=(s.as_str()) { "Move to " (label(*s)) }
                    }
                }
            }
        }
    };
    layout::page(
        viewer,
        Area::Intel,
        &format!("{} · CVD case", case.id),
        content,
    )
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "–" } else { text }
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    force: Option<String>,
}

/// Moves a case forward (audited as `cvd.advance`) with REST's checks: an unknown state is
/// refused (422), so are moving back and publishing under embargo without "force" (409), the
/// case page saying why.
pub async fn advance(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: AdvanceForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageCvdCases)?;
    let actor = viewer.actor.clone();
    let force = form.force.as_deref().is_some_and(|f| !f.is_empty());
    let moved: Result<CvdCase, WebError> = match CvdState::parse(form.to.trim()) {
        Some(to) => {
            let id = id.clone();
            run(&app, move |store| {
                Ok(app::cvd::advance(store, &id, to, force, &actor))
            })
            .await?
            .map_err(WebError::from)
        }
        None => Err(WebError::Status(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "to: {:?} is not a state (reported, vendor_notified, fix_available, published)",
                form.to
            ),
        )),
    };
    match moved {
        Ok(case) => Ok(viewer
            .noticed(
                &format!("/intel/cvd/{}", segment(&case.id)),
                &[],
                format!("{} is now {}.", case.id, label(case.state)),
            )
            .into_response()),
        Err(WebError::Status(
            status @ (StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY),
            why,
        )) => {
            let case = run(&app, move |store| app::cvd::case(store, &id)).await?;
            Ok((status, case_page(&viewer, &case, None, Some(&why))).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A published case's CSAF 2.0 advisory as a download: the bytes REST
/// `GET /api/v1/cvd/{id}/csaf` serves (same use case, default directory and publisher).
pub async fn csaf(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadIntel)?;
    let actor = viewer.actor.clone();
    let placed = run(&app, move |store| {
        let site = app::cvd::Site::new(app::cvd::DEFAULT_BASE_URL, app::cvd::DEFAULT_PUBLISHER);
        app::cvd::advisory_of(store, &id, &site, &actor)
    })
    .await?;
    let disposition = format!("attachment; filename=\"{}\"", placed.name);
    let mut response = placed.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The fields of the form that opens a case, as typed.
#[derive(Default, Deserialize)]
pub struct CaseForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    cves: String,
    #[serde(default)]
    reporter: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    vendor_country: String,
    #[serde(default)]
    vendor_csirt: String,
    /// One `VENDOR/PRODUCT/RANGE` a line.
    #[serde(default)]
    products: String,
    #[serde(default)]
    embargo: String,
    #[serde(default)]
    tlp: String,
    #[serde(default)]
    remediation: String,
    #[serde(default)]
    notes: String,
}

impl CaseForm {
    /// The case the form describes, or the problems of the fields that do not read (a TLP
    /// label, a product line) and those [`app::cvd::check`] finds, all at once.
    fn case(&self) -> Result<NewCvdCase, Vec<app::Problem>> {
        let mut problems = Vec::new();
        let tlp = model::Tlp::parse(self.tlp.trim()).unwrap_or_else(|| {
            problems.push(app::Problem {
                pointer: "/tlp".to_owned(),
                message: format!(
                    "{:?}: expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
                    self.tlp
                ),
            });
            model::Tlp::Amber
        });
        let mut products = Vec::new();
        for (i, line) in self
            .products
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            match app::cvd::parse_product(line) {
                Some(p) => products.push(p),
                None => problems.push(app::Problem {
                    pointer: format!("/products/{i}"),
                    message: format!("{line:?}: expected VENDOR/PRODUCT/RANGE"),
                }),
            }
        }
        let case = NewCvdCase {
            title: self.title.trim().to_owned(),
            cves: self
                .cves
                .split([',', ' ', ';', '\n'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            reporter: self.reporter.trim().to_owned(),
            vendor: self.vendor.trim().to_owned(),
            vendor_country: self.vendor_country.trim().to_owned(),
            vendor_csirt: self.vendor_csirt.trim().to_owned(),
            products,
            embargo: Some(self.embargo.trim().to_owned()).filter(|e| !e.is_empty()),
            tlp,
            remediation: self.remediation.trim().to_owned(),
            notes: self.notes.trim().to_owned(),
        };
        problems.extend(app::cvd::check(&case));
        if problems.is_empty() {
            Ok(case)
        } else {
            Err(problems)
        }
    }
}

/// The form that opens a case.
pub async fn new_case(State(_app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.may(Action::ManageCvdCases)?;
    let form = CaseForm {
        tlp: model::Tlp::Amber.as_str().to_owned(),
        ..CaseForm::default()
    };
    Ok(case_form(&viewer, &form, &[]).into_response())
}

/// Opens the case of the form (audited as `cvd.create`) and shows it, or shows the form again
/// (422) with each problem beside its field, what was typed kept and nothing stored.
pub async fn create(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: CaseForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageCvdCases)?;
    let case = match form.case() {
        Ok(case) => case,
        Err(problems) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                case_form(&viewer, &form, &problems),
            )
                .into_response());
        }
    };
    let actor = viewer.actor.clone();
    let stored = run(&app, move |store| {
        Ok(app::cvd::create_case(store, case, &actor))
    })
    .await?;
    match stored {
        Ok(c) => Ok(viewer
            .noticed(
                &format!("/intel/cvd/{}", segment(&c.id)),
                &[],
                format!("{} opened: {}.", c.id, label(c.state)),
            )
            .into_response()),
        Err(e) => {
            let problems = layout::invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                case_form(&viewer, &form, &problems),
            )
                .into_response())
        }
    }
}

fn case_form(viewer: &Viewer, form: &CaseForm, problems: &[app::Problem]) -> Markup {
    let input = |name: &str, label: &str, value: &str, hint: &str| {
        layout::input("c", name, label, value, hint, problems)
    };
    let area = |name: &str, label: &str, value: &str, hint: &str| {
        let error = layout::field_problem(problems, name);
        html! {
            div.field {
                label for={ "c-" (name) } { (label) }
                @if !error.is_empty() { span.error-message id={ "c-" (name) "-error" } { (error) } }
                textarea id={ "c-" (name) } name=(name) rows="3" placeholder=(hint)
                    aria-describedby=[(!error.is_empty()).then(|| format!("c-{name}-error"))] { (value) }
            }
        }
    };
    let tlp_error = layout::field_problem(problems, "tlp");
    let content = html! {
        (super::intel::tabs("/intel/cvd"))
        (layout::problems(problems))
        form.stack method="post" action="/intel/cvd" {
            (layout::csrf(viewer))
            (input("title", "Title", &form.title, "Acme router: remote code execution"))
            (input("cves", "CVE ids (comma-separated, may be empty)", &form.cves, "CVE-2026-0001"))
            (input("reporter", "Reporter", &form.reporter, "researcher@example.org"))
            (input("vendor", "Vendor", &form.vendor, "Acme"))
            (input("vendor_country", "Vendor country (ISO code)", &form.vendor_country, "DE"))
            (input("vendor_csirt", "Vendor's CSIRT", &form.vendor_csirt, "CERT-Bund"))
            (area("products", "Affected products (one VENDOR/PRODUCT/RANGE a line)", &form.products, "Acme/Router/<2.4.1"))
            (input("embargo", "Embargo (YYYY-MM-DD, may be empty)", &form.embargo, "2027-01-31"))
            div.field {
                label for="c-tlp" { "TLP" }
                @if !tlp_error.is_empty() { span.error-message id="c-tlp-error" { (tlp_error) } }
                select #c-tlp name="tlp" aria-describedby=[(!tlp_error.is_empty()).then_some("c-tlp-error")] {
                    @for t in model::Tlp::ALL {
                        option value=(t.as_str()) selected[form.tlp.eq_ignore_ascii_case(t.as_str())] { "TLP:" (t.as_str()) }
                    }
                }
            }
            (area("remediation", "Remediation (exported in the advisory)", &form.remediation, ""))
            (area("notes", "Working notes (never exported)", &form.notes, ""))
            button type="submit" { "Open the case" }
        }
        p.meta { "From the command line: " code { "meridian cvd new --help" } }
    };
    layout::page(viewer, Area::Intel, "Open a CVD case", content)
}
