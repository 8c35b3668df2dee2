//! The page shell (top bar, navigation by role, content) and the small pieces every screen
//! shares: badges, numbers, links, pagination, empty states, error summaries.

use app::authz::Action;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::Viewer;

/// The areas of the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Dashboard,
    Atlas,
    Map,
    Priorities,
    Scenarios,
    Intel,
    Exchange,
    Coordination,
    Measures,
    Portal,
    Admin,
}

impl Area {
    /// Each area with its address, its name and what the viewer must be allowed to open it.
    const ALL: [(Area, &'static str, &'static str, Action); 10] = [
        (Area::Dashboard, "/", "Dashboard", Action::ReadAnalysis),
        (Area::Atlas, "/atlas", "Atlas", Action::ReadAtlas),
        (Area::Map, "/map", "Map", Action::ReadAtlas),
        (
            Area::Priorities,
            "/priorities",
            "Priorities",
            Action::ReadAnalysis,
        ),
        (
            Area::Scenarios,
            "/scenarios",
            "Scenarios",
            Action::RunAnalysis,
        ),
        (Area::Intel, "/intel", "Intel", Action::ReadIntel),
        (
            Area::Exchange,
            "/exchange",
            "Exchange",
            Action::ReadExchange,
        ),
        (
            Area::Coordination,
            "/coordination",
            "Coordination",
            Action::ReadCoordination,
        ),
        (
            Area::Measures,
            "/measures",
            "Measures",
            Action::ReadCoordination,
        ),
        (Area::Admin, "/admin/users", "Admin", Action::ManageUsers),
    ];
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Meridian" }
            link rel="stylesheet" href="/static/meridian.css";
            link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
        }
    }
}

/// A page for a logged-in viewer: the top bar, the navigation of the areas its role may open,
/// and `content` under the heading `title`.
pub fn page(viewer: &Viewer, area: Area, title: &str, content: Markup) -> Markup {
    let partner = viewer.actor.partner().is_some();
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "Meridian" }
                    @if viewer.can(Action::ReadAtlas) {
                        form.search role="search" method="get" action="/atlas" {
                            label.hidden for="top-q" { "Search assets by id or name" }
                            input #top-q type="search" name="q" placeholder="Search assets by id or name";
                            button type="submit" { "Search" }
                        }
                    }
                    span.who {
                        (viewer.actor.audit_name()) " · " strong { (viewer.actor.role().as_str()) }
                        @if let Some(p) = viewer.actor.partner() { " · partner " code { (p) } }
                        " · home " code { (viewer.home) }
                    }
                    form.logout method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(viewer.csrf());
                        button type="submit" { "Log out" }
                    }
                }
                div.frame {
                    nav aria-label="Areas" {
                        ul {
                            @for (a, href, name, action) in Area::ALL {
                                @if !partner && viewer.can(action) {
                                    li { a href=(href) aria-current=[(a == area).then_some("page")] { (name) } }
                                }
                            }
                            @if partner {
                                li { a href="/portal" aria-current=[(area == Area::Portal).then_some("page")] { "Partner portal" } }
                            }
                        }
                    }
                    main #main {
                        h1 { (title) }
                        (content)
                    }
                }
            }
        }
    }
}

/// A page without the navigation: the login form and errors.
pub fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.top { a.brand href="/" { "Meridian" } }
                main #main .narrow {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// The page for a refused or failed request.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    bare(
        title,
        html! {
            div.error-summary role="alert" {
                p { strong { (status.as_u16()) " " (title) } }
                p { (message) }
            }
            p { a href="/" { "Back to the start page" } }
        },
    )
}

/// The problems of a refused form or filter, each with where it is, above the form.
pub fn problems(list: &[app::Problem]) -> Markup {
    html! {
        @if !list.is_empty() {
            div.error-summary role="alert" {
                h2 { "There is a problem" }
                ul {
                    @for p in list {
                        li {
                            @if !p.pointer.is_empty() { code { (p.pointer.trim_start_matches('/')) } ": " }
                            (p.message)
                        }
                    }
                }
            }
        }
    }
}

/// The messages of the problems about form field `field` (the first segment of their
/// pointer), joined; empty when it has none.
pub fn field_problem(problems: &[app::Problem], field: &str) -> String {
    problems
        .iter()
        .filter(|p| p.pointer.trim_start_matches('/').split('/').next() == Some(field))
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A labelled text field `name` of a form whose ids start with `prefix`, holding `value`, with
/// its problems beside it.
pub fn input(
    prefix: &str,
    name: &str,
    label: &str,
    value: &str,
    hint: &str,
    problems: &[app::Problem],
) -> Markup {
    let error = field_problem(problems, name);
    let id = format!("{prefix}-{name}");
    html! {
        div.field {
            label for=(id) { (label) }
            @if !error.is_empty() { span.error-message id={ (id) "-error" } { (error) } }
            input id=(id) name=(name) type="text" value=(value) placeholder=(hint)
                aria-describedby=[(!error.is_empty()).then(|| format!("{id}-error"))];
        }
    }
}

/// The problems of an app error, or `Err` when it is not about the input.
pub fn invalid(e: app::Error) -> Result<Vec<app::Problem>, super::WebError> {
    match e {
        app::Error::Invalid(list) => Ok(list),
        e => Err(e.into()),
    }
}

/// A TLP 2.0 label in its FIRST colours, always with its text.
pub fn tlp(t: model::Tlp) -> Markup {
    let class = match t {
        model::Tlp::Clear => "tlp tlp-clear",
        model::Tlp::Green => "tlp tlp-green",
        model::Tlp::Amber => "tlp tlp-amber",
        model::Tlp::AmberStrict => "tlp tlp-amber",
        model::Tlp::Red => "tlp tlp-red",
    };
    html! { span class=(class) { "TLP:" (t.as_str()) } }
}

/// An SSVC decision as a coloured badge, with the values it assumes for missing inputs; a
/// candidate (no version checked) has no decision and says so.
pub fn decision(ssvc: &app::intel::SsvcRow) -> Markup {
    let Some(d) = ssvc.decision else {
        return html! { span class="ssvc ssvc-candidate" { "candidate — version not checked" } };
    };
    let class = match d {
        "Act" => "ssvc ssvc-act",
        "Attend" => "ssvc ssvc-attend",
        "Track*" => "ssvc ssvc-trackstar",
        _ => "ssvc ssvc-track",
    };
    html! {
        span class=(class) { (d) }
        @if !ssvc.assumed.is_empty() {
            " " span.meta { "assumes " (ssvc.assumed.join(", ")) }
        }
    }
}

/// A number with fixed decimals, for a right-aligned cell.
pub fn fixed(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// A count with thousands separators (4,585).
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rank movement: ▲ 3, ▼ 2, = or "new".
pub fn movement(m: Option<i64>) -> Markup {
    html! {
        @match m {
            Some(0) => span.flat title="unchanged" { "=" },
            Some(up) if up > 0 => span.up title={ "up " (up) } { "▲ " (up) },
            Some(down) => span.down title={ "down " (down.unsigned_abs()) } { "▼ " (down.unsigned_abs()) },
            None => span.new { "new" },
        }
    }
}

/// A path segment, percent-encoded (asset ids hold `:` and may hold anything).
pub fn segment(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link to an asset's page, its id in monospace.
pub fn asset_link(id: &str) -> Markup {
    html! { a href={ "/atlas/" (segment(id)) } { code { (id) } } }
}

/// `path?query` of a page's query `params` (its empty fields left out) at row `offset`.
pub fn at<T: serde::Serialize>(path: &str, params: &T, offset: usize) -> String {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(&query)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "offset")
            .collect();
    if offset > 0 {
        pairs.push(("offset".to_owned(), offset.to_string()));
    }
    let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    href(path, &pairs)
}

/// `path?query` with the non-empty `pairs`.
pub fn href(path: &str, pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// "51–100 of 4,585" (or "51–100" when the total is not counted) with links to the pages
/// before and after; `more` says a page follows, `at(offset)` is a page's URL.
pub struct Pager {
    pub offset: usize,
    pub shown: usize,
    pub total: Option<usize>,
    pub more: bool,
    pub limit: usize,
}

impl Pager {
    pub fn render(&self, at: impl Fn(usize) -> String) -> Markup {
        html! {
            nav.pager aria-label="Pages" {
                span {
                    @if self.shown == 0 { "none" } @else { (count(self.offset + 1)) "–" (count(self.offset + self.shown)) }
                    @if let Some(total) = self.total { " of " (count(total)) }
                }
                @if self.offset > 0 {
                    a href=(at(self.offset.saturating_sub(self.limit))) rel="prev" { "← Previous" }
                }
                @if self.more {
                    a href=(at(self.offset + self.limit)) rel="next" { "Next →" }
                }
            }
        }
    }
}

/// What a page with nothing to show says, and the command that would fill it.
pub fn empty(why: &str, command: &str) -> Markup {
    html! {
        div.empty {
            p { (why) }
            @if !command.is_empty() { p { "From the command line: " code { (command) } } }
        }
    }
}

/// The hidden CSRF field of a form.
pub fn csrf(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf()); }
}

/// A list page as CSV (RFC 4180): `header`, then `rows`, exactly the rows the page shows.
pub fn csv(name: &str, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Response {
    let field = |f: &str| {
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_owned()
        }
    };
    let line = |fields: Vec<String>| {
        let mut l = fields
            .iter()
            .map(|f| field(f))
            .collect::<Vec<_>>()
            .join(",");
        l.push_str("\r\n");
        l
    };
    let mut body = line(header.iter().map(|h| (*h).to_owned()).collect());
    body.extend(rows.map(line));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The export link of a list page whose URL is `page`: the same rows as CSV.
pub fn export(page: &str) -> Markup {
    let separator = if page.contains('?') { '&' } else { '?' };
    html! { p.export { a href={ (page) (separator) "format=csv" } { "Export these rows as CSV" } } }
}
