//! The map: the foreign (and foreign-owned) assets of the newest stored ranking at their
//! coordinates over the country outlines (Natural Earth 1:110m, public domain, embedded as
//! `/static/world.svg`), coloured and sized by their priority class, over the infrastructure
//! layer: shipping chokepoints, cable landing stations and the submarine cables between them,
//! each kind with its own shape.

use app::atlas::{Cable, Infrastructure};
use app::authz::Action;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use model::Asset;

use super::layout::{self, Area, asset_link, count, fixed, segment};
use super::{Viewer, WebError, run};
use crate::AppState;

/// How many ranked assets are plotted.
const PLOTTED: usize = 500;

/// How many of each kind of infrastructure are drawn at most.
const INFRASTRUCTURE: usize = 200;

/// The priority classes: up to which rank, colour, radius (degrees) and name.
const CLASSES: [(usize, &str, f64, &str); 4] = [
    (10, "#a4161a", 2.2, "ranks 1–10"),
    (50, "#e85d04", 1.6, "ranks 11–50"),
    (200, "#0b4f8a", 1.1, "ranks 51–200"),
    (usize::MAX, "#4a4a4a", 0.7, "ranks 201–500"),
];

/// Chokepoints: diamonds of this half-diagonal (degrees).
const CHOKEPOINT: f64 = 1.8;
/// Landing stations: squares of this half-side (degrees).
const LANDING: f64 = 0.7;

fn class(rank: usize) -> (usize, &'static str, f64, &'static str) {
    CLASSES
        .into_iter()
        .find(|(upto, ..)| rank <= *upto)
        .unwrap_or(CLASSES[3])
}

/// Map coordinates (x = longitude, y = −latitude) of a located asset.
fn xy(a: &Asset) -> (f64, f64) {
    (a.lon.unwrap_or(0.0), -a.lat.unwrap_or(0.0))
}

fn diamond(x: f64, y: f64, r: f64) -> String {
    let p = |x: f64, y: f64| format!("{},{}", fixed(x, 2), fixed(y, 2));
    format!(
        "M{} L{} L{} L{} Z",
        p(x, y - r),
        p(x + r, y),
        p(x, y + r),
        p(x - r, y)
    )
}

fn square(x: f64, y: f64, r: f64) -> Markup {
    html! { rect x=(fixed(x - r, 2)) y=(fixed(y - r, 2)) width=(fixed(2.0 * r, 2)) height=(fixed(2.0 * r, 2)) {} }
}

/// The segments of a cable: from its first landing station (a far end when it has one) to
/// each other one. A segment
/// spanning more than half the world crosses the date line instead, drawn at both edges.
fn cable_segments(cable: &Cable) -> Vec<((f64, f64), (f64, f64))> {
    let Some((first, others)) = cable.landings.split_first() else {
        return Vec::new();
    };
    let (x1, y1) = xy(first);
    others
        .iter()
        .flat_map(|other| {
            let (x2, y2) = xy(other);
            let shift = if x2 - x1 > 180.0 {
                -360.0
            } else if x1 - x2 > 180.0 {
                360.0
            } else {
                return vec![((x1, y1), (x2, y2))];
            };
            vec![((x1, y1), (x2 + shift, y2)), ((x1 - shift, y1), (x2, y2))]
        })
        .collect()
}

fn infrastructure_layer(infra: &Infrastructure) -> Markup {
    html! {
        g.cables fill="none" stroke="#00838f" stroke-width="0.35" stroke-dasharray="1.2 0.6" {
            @for cable in &infra.cables.shown {
                a href={ "/atlas/" (segment(&cable.asset.id)) } {
                    title {
                        "Submarine cable " (cable.asset.id) " — " (cable.asset.name) ", landing at "
                        @for (i, l) in cable.landings.iter().enumerate() { @if i > 0 { ", " } (l.id) " (" (l.country) ")" }
                    }
                    @for ((x1, y1), (x2, y2)) in cable_segments(cable) {
                        line x1=(fixed(x1, 2)) y1=(fixed(y1, 2)) x2=(fixed(x2, 2)) y2=(fixed(y2, 2)) {}
                    }
                }
            }
        }
        g.landings fill="#00695c" stroke="#fff" stroke-width="0.2" {
            @for a in &infra.landing_stations.shown {
                @let (x, y) = xy(a);
                a href={ "/atlas/" (segment(&a.id)) } {
                    title { "Cable landing station " (a.id) " — " (a.name) " (" (a.country) ")" }
                    (square(x, y, LANDING))
                }
            }
        }
        g.chokepoints fill="#6a1b9a" stroke="#fff" stroke-width="0.25" {
            @for a in &infra.chokepoints.shown {
                @let (x, y) = xy(a);
                a href={ "/atlas/" (segment(&a.id)) } {
                    title { "Chokepoint " (a.id) " — " (a.name) " (" (a.country) ")" }
                    path d=(diamond(x, y, CHOKEPOINT)) {}
                }
            }
        }
    }
}

/// "12 of 40 shipping chokepoints", or "12 shipping chokepoints" when all are drawn.
fn shown_of<T>(layer: &app::atlas::Layer<T>, what: &str) -> String {
    if layer.shown.len() == layer.total {
        format!("{} {what}", count(layer.total))
    } else {
        format!(
            "{} of {} {what}",
            count(layer.shown.len()),
            count(layer.total)
        )
    }
}

pub async fn show(State(app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.may(Action::ReadAtlas)?;
    viewer.may(Action::ReadAnalysis)?;
    let query = app::analysis::RankQuery {
        home: app.home.0.clone(),
        limit: Some(PLOTTED),
        ..Default::default()
    };
    let (plotted, infra) = run(&app, move |store| {
        let infra = app::atlas::infrastructure(store, INFRASTRUCTURE)?;
        let ranking = match app::analysis::stored_ranking(store, &query) {
            Ok(r) => r,
            Err(app::Error::NotFound { .. }) => return Ok((None, infra)),
            Err(e) => return Err(e),
        };
        let ids: Vec<String> = ranking.rows.iter().map(|r| r.asset.clone()).collect();
        let assets = app::atlas::located(store, &ids)?;
        let rows: Vec<(app::analysis::RankRow, model::Asset)> = ranking
            .rows
            .into_iter()
            .filter_map(|r| {
                let a = assets.iter().find(|a| a.id == r.asset)?.clone();
                Some((r, a))
            })
            .collect();
        Ok((Some(rows), infra))
    })
    .await?;
    let rows = plotted.as_deref().unwrap_or_default();
    let content = html! {
        @match &plotted {
            None => (layout::empty("No priority ranking is stored yet: the map shows the ranked foreign assets.", "meridian analyze rank")),
            Some(rows) => {
                p.meta {
                    "The " (rows.len()) " ranked assets with coordinates among the top " (PLOTTED) ": the larger and darker the dot, the higher the rank. Each dot links to its asset. Country outlines: Natural Earth 1:110m (public domain)."
                }
            }
        }
        p.meta {
            "Under the dots: " (shown_of(&infra.chokepoints, "shipping chokepoints")) " (diamonds), "
            (shown_of(&infra.landing_stations, "cable landing stations")) " (squares) and "
            (shown_of(&infra.cables, "submarine cables")) " (dashed lines from the landing station a cable depends on, its far end, to each of its other landing stations; a line leaving one edge of the map continues at the other). "
            "When there are more than " (INFRASTRUCTURE) " of a kind, an even spread of them by id is drawn. Each shape links to its asset."
        }
        ul.legend {
            @for (_, colour, radius, name) in CLASSES {
                li { svg width="18" height="18" viewBox="-3 -3 6 6" aria-hidden="true" { circle r=(radius) fill=(colour) {} } " " (name) }
            }
            li { svg width="18" height="18" viewBox="-3 -3 6 6" aria-hidden="true" { path d=(diamond(0.0, 0.0, 2.4)) fill="#6a1b9a" {} } " chokepoint" }
            li { svg width="18" height="18" viewBox="-3 -3 6 6" aria-hidden="true" { rect x="-1.8" y="-1.8" width="3.6" height="3.6" fill="#00695c" {} } " cable landing station" }
            li { svg width="18" height="18" viewBox="-3 -3 6 6" aria-hidden="true" { line x1="-3" y1="0" x2="3" y2="0" stroke="#00838f" stroke-width="0.8" stroke-dasharray="1.2 0.6" {} } " submarine cable" }
        }
        div.figure {
            svg.map viewBox="-180 -90 360 180" width="100%" aria-labelledby="map-title" {
                title #map-title { "Ranked foreign assets, chokepoints and submarine cables on the world map" }
                image href="/static/world.svg" x="-180" y="-90" width="360" height="180" {}
                (infrastructure_layer(&infra))
                @for (r, a) in rows.iter().rev() {
                    @let (_, colour, radius, _) = class(r.rank);
                    a href={ "/atlas/" (segment(&a.id)) } {
                        title { "Rank " (r.rank) ": " (a.id) " — " (a.name) " (" (a.kind) ", " (a.country) "), priority " (fixed(r.priority, 3)) }
                        @let (x, y) = xy(a);
                        circle cx=(fixed(x, 2)) cy=(fixed(y, 2)) r=(radius) fill=(colour) fill-opacity="0.85" stroke="#fff" stroke-width="0.25" {}
                    }
                }
            }
        }
        @if plotted.is_some() {
            h2 { "The 20 highest on the map" }
            table.list {
                thead { tr { th.num scope="col" { "Rank" } th scope="col" { "Asset" } th scope="col" { "Kind" } th scope="col" { "Country" } th.num scope="col" { "Latitude" } th.num scope="col" { "Longitude" } th.num scope="col" { "Priority" } } }
                tbody { @for (r, a) in rows.iter().take(20) { tr {
                    td.num { (r.rank) } td { (asset_link(&a.id)) } td { (a.kind) } td { (a.country) }
                    td.num { (fixed(a.lat.unwrap_or(0.0), 2)) } td.num { (fixed(a.lon.unwrap_or(0.0), 2)) } td.num { (fixed(r.priority, 3)) }
                } } }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Map, "Map", content).into_response())
}
