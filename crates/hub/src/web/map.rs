//! The map: the foreign (and foreign-owned) assets of the newest stored ranking at their
//! coordinates over the country outlines (Natural Earth 1:110m, public domain, embedded as
//! `/static/world.svg`), coloured and sized by their priority class.

use app::authz::Action;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{self, Area, asset_link, fixed, segment};
use super::{Viewer, WebError, run};
use crate::AppState;

/// How many ranked assets are plotted.
const PLOTTED: usize = 500;

/// The priority classes: up to which rank, colour, radius (degrees) and name.
const CLASSES: [(usize, &str, f64, &str); 4] = [
    (10, "#a4161a", 2.2, "ranks 1–10"),
    (50, "#e85d04", 1.6, "ranks 11–50"),
    (200, "#0b4f8a", 1.1, "ranks 51–200"),
    (usize::MAX, "#4a4a4a", 0.7, "ranks 201–500"),
];

fn class(rank: usize) -> (usize, &'static str, f64, &'static str) {
    CLASSES
        .into_iter()
        .find(|(upto, ..)| rank <= *upto)
        .unwrap_or(CLASSES[3])
}

pub async fn show(State(app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.may(Action::ReadAtlas)?;
    viewer.may(Action::ReadAnalysis)?;
    let query = app::analysis::RankQuery {
        home: app.home.0.clone(),
        limit: Some(PLOTTED),
        ..Default::default()
    };
    let plotted = run(&app, move |store| {
        let ranking = match app::analysis::stored_ranking(store, &query) {
            Ok(r) => r,
            Err(app::Error::NotFound { .. }) => return Ok(None),
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
        Ok(Some(rows))
    })
    .await?;
    let content = html! {
        @match &plotted {
            None => (layout::empty("No priority ranking is stored yet: the map shows the ranked foreign assets.", "meridian analyze rank")),
            Some(rows) => {
                p.meta {
                    "The " (rows.len()) " ranked assets with coordinates among the top " (PLOTTED) ": the larger and darker the dot, the higher the rank. Each dot links to its asset. Country outlines: Natural Earth 1:110m (public domain)."
                }
                ul.legend {
                    @for (_, colour, radius, name) in CLASSES {
                        li { svg width="18" height="18" viewBox="-3 -3 6 6" aria-hidden="true" { circle r=(radius) fill=(colour) {} } " " (name) }
                    }
                }
                div.figure {
                    svg.map viewBox="-180 -90 360 180" width="100%" aria-labelledby="map-title" {
                        title #map-title { "Ranked foreign assets on the world map" }
                        image href="/static/world.svg" x="-180" y="-90" width="360" height="180" {}
                        @for (r, a) in rows.iter().rev() {
                            @let (_, colour, radius, _) = class(r.rank);
                            a href={ "/atlas/" (segment(&a.id)) } {
                                title { "Rank " (r.rank) ": " (a.id) " — " (a.name) " (" (a.kind) ", " (a.country) "), priority " (fixed(r.priority, 3)) }
                                circle cx=(fixed(a.lon.unwrap_or(0.0), 2)) cy=(fixed(-a.lat.unwrap_or(0.0), 2)) r=(radius) fill=(colour) fill-opacity="0.85" stroke="#fff" stroke-width="0.25" {}
                            }
                        }
                    }
                }
                h2 { "The 20 highest on the map" }
                table.list {
                    thead { tr { th.num scope="col" { "Rank" } th scope="col" { "Asset" } th scope="col" { "Kind" } th scope="col" { "Country" } th.num scope="col" { "Latitude" } th.num scope="col" { "Longitude" } th.num scope="col" { "Priority" } } }
                    tbody { @for (r, a) in rows.iter().take(20) { tr {
                        td.num { (r.rank) } td { (asset_link(&a.id)) } td { (a.kind) } td { (a.country) }
                        td.num { (fixed(a.lat.unwrap_or(0.0), 2)) } td.num { (fixed(a.lon.unwrap_or(0.0), 2)) } td.num { (fixed(r.priority, 3)) }
                    } } }
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Map, "Map", content).into_response())
}
