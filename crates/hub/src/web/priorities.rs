//! Priorities: the newest stored ranking with movement, filtered by country, sector, NCF and
//! kind; each row links to the asset page that explains it.

use app::authz::Action;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use super::layout::{self, Area, Pager, asset_link, fixed, movement};
use super::{Viewer, WebError, given, run};
use crate::AppState;

const PAGE: usize = 50;

#[derive(Default, Deserialize, Serialize)]
pub struct RankParams {
    country: Option<String>,
    sector: Option<String>,
    ncf: Option<String>,
    kind: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadAnalysis)?;
    let params: RankParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let upper = |o: &Option<String>| given(o).map(|v| v.to_ascii_uppercase());
    let query = app::analysis::RankQuery {
        home: app.home.0.clone(),
        run: None,
        country: upper(&params.country),
        sector: upper(&params.sector),
        ncf: upper(&params.ncf),
        kind: given(&params.kind).map(|v| v.to_ascii_lowercase()),
        offset,
        limit: Some(PAGE),
    };
    let ranking = run(&app, move |store| {
        match app::analysis::stored_ranking(store, &query) {
            Ok(r) => Ok(Some(r)),
            Err(app::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await?;
    if given(&params.format).as_deref() == Some("csv") {
        let rows = ranking.map(|r| r.rows).unwrap_or_default();
        return Ok(layout::csv(
            "priorities",
            &[
                "rank", "movement", "asset", "country", "impact", "exposure", "threat", "priority",
            ],
            rows.into_iter().map(|r| {
                vec![
                    r.rank.to_string(),
                    r.movement()
                        .map_or_else(|| "new".to_owned(), |m| m.to_string()),
                    r.asset,
                    r.country,
                    fixed(r.impact, 6),
                    fixed(r.exposure, 6),
                    fixed(r.threat, 6),
                    fixed(r.priority, 6),
                ]
            }),
        ));
    }
    let content = html! {
        form.filters method="get" action="/priorities" {
            (super::atlas::field("country", "Country", &params.country, "DE"))
            (super::atlas::field("sector", "Sector", &params.sector, "ENERGY"))
            (super::atlas::field("ncf", "NCF", &params.ncf, "NCF-D01"))
            (super::atlas::field("kind", "Kind", &params.kind, "facility"))
            button type="submit" { "Filter" }
        }
        @match &ranking {
            None => (layout::empty("No priority ranking is stored yet.", "meridian analyze rank")),
            Some(r) => {
                p.meta {
                    "Ranking " (r.run.id) " of " (r.run.created_at) " (atlas version " (r.run.atlas_version) ")"
                    @if let Some(p) = r.previous_run { "; movement against ranking " (p) } @else { "; the first ranking, so no movement yet" } "."
                    " Priority = impact × (1 + exposure) × (1 + threat); open an asset to see what is behind each factor."
                }
                @let pager = Pager { offset, shown: r.rows.len(), total: Some(r.total), more: offset + r.rows.len() < r.total, limit: PAGE };
                (pager.render(|o| layout::at("/priorities", &params, o)))
                (layout::export(&layout::at("/priorities", &params, offset)))
                @if r.rows.is_empty() {
                    (layout::empty("No ranked asset matches these filters.", ""))
                } @else {
                    table.list {
                        thead { tr {
                            th.num scope="col" { "Rank" } th scope="col" { "Move" } th scope="col" { "Asset" } th scope="col" { "Country" }
                            th.num scope="col" { "Impact" } th.num scope="col" { "Exposure" } th.num scope="col" { "Threat" } th.num scope="col" { "Priority" }
                        } }
                        tbody {
                            @for row in &r.rows {
                                tr {
                                    td.num { (row.rank) }
                                    td { (movement(row.movement())) }
                                    td { (asset_link(&row.asset)) @if row.foreign_owned { " " span.tag { "foreign-owned" } } }
                                    td { (row.country) }
                                    td.num { (fixed(row.impact, 3)) }
                                    td.num { (fixed(row.exposure, 3)) }
                                    td.num { (fixed(row.threat, 3)) }
                                    td.num { strong { (fixed(row.priority, 3)) } }
                                }
                            }
                        }
                    }
                }
                (pager.render(|o| layout::at("/priorities", &params, o)))
            }
        }
    };
    Ok(layout::page(&viewer, Area::Priorities, "Priorities", content).into_response())
}
