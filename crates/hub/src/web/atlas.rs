//! The atlas: search (id, name, country, sector, NCF, product, kind; case-insensitive) and the
//! asset page that answers "why does it rank here?".

use app::authz::Action;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::layout::{self, Area, Pager, asset_link, fixed, href, movement};
use super::{Viewer, WebError, given, run, svg};
use crate::AppState;
use crate::rest::analysis::explained_with;

/// Rows per page.
const PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct SearchParams {
    q: Option<String>,
    country: Option<String>,
    sector: Option<String>,
    ncf: Option<String>,
    product: Option<String>,
    kind: Option<String>,
    foreign: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
}

/// A labelled text field of a filter form, filled with the current value.
pub fn field(name: &str, label: &str, value: &Option<String>, hint: &str) -> Markup {
    html! {
        div.field {
            label for={ "f-" (name) } { (label) }
            input id={ "f-" (name) } name=(name) type="text" value=(value.as_deref().unwrap_or("")) placeholder=(hint);
        }
    }
}

pub async fn search(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadAtlas)?;
    let params: SearchParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let query = app::atlas::Query {
        text: given(&params.q),
        country: given(&params.country),
        sector: given(&params.sector),
        ncf: given(&params.ncf),
        product: given(&params.product),
        kind: given(&params.kind),
        foreign: given(&params.foreign).is_some(),
        after: None,
    };
    let home_country = app.home.clone();
    let found = run(&app, move |store| {
        Ok(app::atlas::search(
            store,
            &home_country,
            &query,
            PAGE as u64 + 1,
            offset as u64,
        ))
    })
    .await?;
    let (mut assets, problems) = match found {
        Ok(assets) => (assets, Vec::new()),
        Err(e) => (Vec::new(), layout::invalid(e)?),
    };
    let more = assets.len() > PAGE;
    assets.truncate(PAGE);
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "assets",
            &[
                "id", "name", "kind", "country", "sectors", "ncfs", "lat", "lon",
            ],
            assets.into_iter().map(|a| {
                let coordinate = |c: Option<f64>| c.map_or_else(String::new, |c| c.to_string());
                vec![
                    a.id,
                    a.name,
                    a.kind,
                    a.country,
                    a.sectors.join(" "),
                    a.ncfs.join(" "),
                    coordinate(a.lat),
                    coordinate(a.lon),
                ]
            }),
        ));
    }
    let pager = Pager {
        offset,
        shown: assets.len(),
        total: None,
        more,
        limit: PAGE,
    };
    let content = html! {
        (layout::problems(&problems))
        form.filters method="get" action="/atlas" {
            (field("q", "Id or name", &params.q, "tpc-5, landing"))
            (field("country", "Country", &params.country, "DE"))
            (field("sector", "Sector", &params.sector, "ENERGY"))
            (field("ncf", "NCF", &params.ncf, "NCF-D01"))
            (field("product", "Product", &params.product, "openssl"))
            (field("kind", "Kind", &params.kind, "facility"))
            div.field.check {
                input #f-foreign type="checkbox" name="foreign" value="1" checked[given(&params.foreign).is_some()];
                label for="f-foreign" { "Foreign only" }
            }
            button type="submit" { "Search" }
        }
        @if assets.is_empty() && problems.is_empty() {
            (layout::empty("No asset matches. Loosen the filters, or import an atlas.", "meridian import FILE"))
        } @else if !assets.is_empty() {
            (pager.render(|o| layout::at("/atlas", &params, o)))
            (layout::export(&layout::at("/atlas", &params, offset)))
            table.list {
                thead { tr {
                    th scope="col" { "Id" } th scope="col" { "Name" } th scope="col" { "Kind" }
                    th scope="col" { "Country" } th scope="col" { "Sectors" } th scope="col" { "NCFs" }
                } }
                tbody {
                    @for a in &assets {
                        tr {
                            td { (asset_link(&a.id)) }
                            td { (a.name) }
                            td { (a.kind) }
                            td { (a.country) }
                            td { (a.sectors.join(", ")) }
                            td { (a.ncfs.join(", ")) }
                        }
                    }
                }
            }
            (pager.render(|o| layout::at("/atlas", &params, o)))
        }
    };
    Ok(layout::page(&viewer, Area::Atlas, "Atlas", content).into_response())
}

/// How deep and wide the neighbourhood graph goes.
const GRAPH_DEPTH: usize = 4;
const GRAPH_WIDTH: usize = 7;

/// How many dependents the asset page lists at a time.
const DEPENDENTS: usize = 100;

/// The asset page's parameters: where its list of dependents starts.
#[derive(Default, Deserialize, Serialize)]
pub struct AssetParams {
    dependents: Option<usize>,
}

pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadAtlas)?;
    viewer.may(Action::ReadAnalysis)?;
    let params: AssetParams = super::query(raw.as_deref())?;
    let offset = params.dependents.unwrap_or(0);
    let window = app::atlas::Window {
        offset: offset as u64,
        limit: DEPENDENTS as u64,
    };
    let home_country = app.home.clone();
    let page_id = id.clone();
    let (explanation, (detail, history, graph)) = explained_with(&app, id.clone(), move |store| {
        let detail = app::atlas::show(store, &home_country, &id, window)?;
        let history = app::analysis::rank_history(store, &id)?;
        let graph = app::atlas::neighbourhood(store, &id, GRAPH_DEPTH, GRAPH_WIDTH)?;
        Ok((detail, history, graph))
    })
    .await?;
    let a = &detail.asset;
    let e = &explanation;
    let total = usize::try_from(detail.dependents_total).unwrap_or(usize::MAX);
    let pager = Pager {
        offset,
        shown: detail.dependents.len(),
        total: Some(total),
        more: offset + detail.dependents.len() < total,
        limit: DEPENDENTS,
    };
    let content = html! {
        p.lead { (a.name) " — " (a.kind) " in " (a.country)
            @if detail.foreign { " (foreign)" } @else if detail.foreign_owned { " (domestic, owned from abroad)" } }
        @if viewer.can(Action::RunAnalysis) {
            p { a.button href=(href("/scenarios", &[("assets", a.id.clone())])) { "Fail this asset → scenario" } }
        }
        dl.facts {
            dt { "Id" } dd { code { (a.id) } }
            dt { "Owner" } dd { (a.owner) @if let Some(c) = &a.owner_country { " (" (c) ")" } }
            dt { "Operator" } dd { (a.operator) }
            dt { "Sectors" } dd { (a.sectors.join(", ")) }
            dt { "NCFs supported directly" } dd { (a.ncfs.join(", ")) }
            dt { "Coordinates" } dd { @match (a.lat, a.lon) { (Some(lat), Some(lon)) => { (fixed(lat, 4)) ", " (fixed(lon, 4)) } _ => { "not known" } } }
            dt { "Products" } dd { @for p in &a.products { code { (p) } " " } }
        }
        section aria-labelledby="why-h" {
            h2 #why-h { "Why it ranks here" }
            @match &e.stored {
                Some(r) => p { "Rank " strong { (r.rank) } " in the newest stored ranking " (movement(r.movement())) ": priority " (fixed(r.priority, 3)) " = " (fixed(r.impact, 3)) " × (1 + " (fixed(r.exposure, 3)) ") × (1 + " (fixed(r.threat, 3)) ")." },
                None => p { "Not in the newest stored ranking (only foreign and foreign-owned assets are ranked; " code { "meridian analyze rank" } " stores one)." },
            }
            p.formula {
                "Now: priority = impact × (1 + exposure) × (1 + threat) = "
                a href="#impact-h" { (fixed(e.impact, 3)) } " × (1 + " a href="#exposure-h" { (fixed(e.exposure, 3)) } ") × (1 + "
                a href="#threat-h" { (fixed(e.threat, 3)) } ") = " strong { (fixed(e.priority, 3)) }
            }
            h3 #impact-h { "Impact " (fixed(e.impact, 3)) ": the NCFs its failure degrades" }
            p { "Its failure takes " (e.failed_with) " other assets down with it"
                @if !e.domestic_down.is_empty() { "; alone it takes down " (e.domestic_down.len()) " domestic assets" } "." }
            @if e.ncfs.is_empty() {
                p { "No NCF is degraded when it fails alone." }
            } @else {
                table {
                    thead { tr { th scope="col" { "NCF" } th scope="col" { "Name" } th.num scope="col" { "Degradation" } } }
                    tbody { @for n in &e.ncfs { tr { td { code { (n.ncf) } } td { (n.name) } td.num { (fixed(n.degradation, 3)) } } } }
                }
            }
            h3 #exposure-h { "Exposure " (fixed(e.exposure, 3)) ": its vulnerability findings" }
            @if e.findings.is_empty() {
                p { "No finding matches what it runs." }
            } @else {
                (super::intel::finding_table(&viewer, &e.findings, false))
            }
            h3 #threat-h { "Threat " (fixed(e.threat, 3)) ": incidents and sightings naming it" }
            @if e.incidents.is_empty() {
                p { "No incident names it." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Incident" } th scope="col" { "Kind" } th scope="col" { "Category" } th.num scope="col" { "Severity" } th scope="col" { "Occurred" } } }
                    tbody { @for i in &e.incidents { tr { td { code { (i.id) } } td { (i.kind) } td { (i.category) } td.num { (i.severity) } td { (i.occurred_at) } } } }
                }
            }
        }
        section aria-labelledby="graph-h" {
            h2 #graph-h { "Dependency neighbourhood and paths to the NCFs" }
            p.meta { "Providers on top, then the asset, then what depends on it down to the National Critical Functions. Each box links to its asset."
                @if graph.omitted > 0 { " " (graph.omitted) " more assets on these paths are not drawn." } }
            div.figure { (svg::neighbourhood(&graph, &a.id)) }
        }
        section.two aria-labelledby="deps-h" {
            h2 #deps-h { "Providers and dependents" }
            div {
                h3 { "It depends on (" (detail.depends_on.len()) ")" }
                (dependency_table(&detail.depends_on, |d| &d.provider))
            }
            div {
                h3 #dependents { "Depend on it (" (layout::count(total)) ")" }
                @if total > DEPENDENTS {
                    (pager.render(|o| format!("/atlas/{}?dependents={o}#dependents", layout::segment(&page_id))))
                }
                (dependency_table(&detail.dependents, |d| &d.dependent))
            }
        }
        section aria-labelledby="hist-h" {
            h2 #hist-h { "Rank history" }
            @if history.iter().all(|p| p.rank.is_none()) {
                p { "Not ranked in any stored ranking." }
            } @else {
                div.figure { (svg::rank_history(&history)) }
                table {
                    thead { tr { th scope="col" { "Ranking" } th scope="col" { "When" } th.num scope="col" { "Rank" } th.num scope="col" { "Priority" } } }
                    tbody { @for p in &history { tr {
                        td { (p.run) } td { (p.created_at) }
                        td.num { @if let Some(r) = p.rank { (r) } @else { "–" } }
                        td.num { @if let Some(x) = p.priority { (fixed(x, 3)) } @else { "–" } }
                    } } }
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Atlas, &detail.asset.id, content).into_response())
}

fn dependency_table(
    list: &[model::Dependency],
    other: impl Fn(&model::Dependency) -> &String,
) -> Markup {
    html! {
        @if list.is_empty() {
            p { "None." }
        } @else {
            table {
                thead { tr { th scope="col" { "Asset" } th scope="col" { "Kind" } th.num scope="col" { "Strength" } th.num scope="col" { "Tolerance (h)" } } }
                tbody {
                    @for d in list {
                        tr {
                            td { (asset_link(other(d))) }
                            td { (d.kind.map_or("–", |k| k.as_str())) }
                            td.num { (fixed(d.strength.unwrap_or(1.0), 2)) }
                            td.num { (fixed(d.tolerance_hours.unwrap_or(0.0), 1)) }
                        }
                    }
                }
            }
        }
    }
}
