//! Scenarios: fail chosen assets, countries or every asset affected by a CVE (or a saved
//! scenario), follow the cascade, and see each NCF's degradation over time and the failed
//! assets with their causes. The scenario is in the URL, so a run can be bookmarked.

use app::authz::Action;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::layout::{self, Area, asset_link, fixed, href};
use super::{Viewer, WebError, given, home, run, svg};
use crate::AppState;

/// Failed assets listed on the page.
const LISTED: usize = 100;

#[derive(Default, Deserialize)]
pub struct ScenarioParams {
    assets: Option<String>,
    countries: Option<String>,
    cves: Option<String>,
    /// A saved scenario's name.
    scenario: Option<String>,
}

/// The words of a list field (commas or spaces between them).
fn words(text: &Option<String>) -> Vec<String> {
    given(text)
        .map(|t| {
            t.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub async fn run_page(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::RunAnalysis)?;
    let params: ScenarioParams = super::query(raw.as_deref())?;
    let ad_hoc = model::Scenario {
        name: "ad hoc".to_owned(),
        description: String::new(),
        assets: words(&params.assets),
        countries: words(&params.countries)
            .into_iter()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        circles: Vec::new(),
        cves: words(&params.cves)
            .into_iter()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    };
    let saved_name = given(&params.scenario);
    let wanted = saved_name.is_some()
        || !(ad_hoc.assets.is_empty() && ad_hoc.countries.is_empty() && ad_hoc.cves.is_empty());
    let home_code = home(&app)?;
    let (saved, outcome) = run(&app, move |store| {
        let saved = app::analysis::scenarios(store)?;
        if !wanted {
            return Ok((saved, None));
        }
        let scenario = match &saved_name {
            Some(name) => app::analysis::scenario(store, name)?,
            None => ad_hoc,
        };
        let affected = app::intel::with_context(store, home_code, &(), |store, context| {
            app::intel::assets_affected_by(store, context, &scenario.cves)
        })?;
        let engine = app::analysis::Engine::load(store, home_code, &())?;
        let outcome = app::analysis::run_scenario(&engine, &scenario, &affected)?;
        Ok((saved, Some((scenario, outcome))))
    })
    .await?;
    let v = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
    let content = html! {
        form.stack.wide method="get" action="/scenarios" {
            p.hint { "Fail assets at t = 0 and follow the cascade. Give asset ids, country codes or CVE ids (every asset with an active finding for it fails), separated by commas or spaces." }
            label for="f-assets" { "Assets" }
            input #f-assets type="text" name="assets" value=(v(&params.assets)) placeholder="cable:tpc-5, ixp:de-cix";
            label for="f-countries" { "Countries" }
            input #f-countries type="text" name="countries" value=(v(&params.countries)) placeholder="TW, SG";
            label for="f-cves" { "CVEs" }
            input #f-cves type="text" name="cves" value=(v(&params.cves)) placeholder="CVE-2024-…";
            button type="submit" { "Run the cascade" }
        }
        @if !saved.is_empty() {
            section aria-labelledby="saved-h" {
                h2 #saved-h { "Saved scenarios" }
                ul { @for s in &saved {
                    li { a href=(href("/scenarios", &[("scenario", s.name.clone())])) { (s.name) } @if !s.description.is_empty() { " — " (s.description) } }
                } }
            }
        }
        @match &outcome {
            None => (layout::empty("Choose what fails above and run the cascade. Saved scenarios come from the command line.", "meridian analyze scenario save NAME --asset ID")),
            Some((scenario, result)) => {
                @let c = &result.cascade;
                section aria-labelledby="result-h" {
                    h2 #result-h { "Result" @if scenario.name != "ad hoc" { ": " (scenario.name) } }
                    p.lead {
                        (result.initial) " assets fail at t = 0; " (c.failed.len()) " assets have failed when the cascade ends. Impact (sum of NCF degradations) "
                        strong { (fixed(c.impact, 3)) } "."
                    }
                    @let degraded: Vec<app::analysis::NcfDegradation> = c.ncf.iter().filter(|n| n.degradation > 0.0).cloned().collect();
                    @if degraded.is_empty() {
                        p { "No National Critical Function is degraded." }
                    } @else {
                        div.figure { (svg::cascade(&degraded)) }
                        table {
                            caption { "NCF degradation at the end of the cascade" }
                            thead { tr { th scope="col" { "NCF" } th scope="col" { "Name" } th.num scope="col" { "Degradation" } th.num scope="col" { "Reached at (h)" } } }
                            tbody { @for n in &degraded { tr {
                                td { code { (n.ncf) } }
                                td { (model::ncf(n.ncf).map_or("", |x| x.name)) }
                                td.num { (fixed(n.degradation, 3)) }
                                td.num { (n.timeline.last().map_or(String::new(), |p| fixed(p[0], 1))) }
                            } } }
                        }
                    }
                    h3 { "Failed assets by time" }
                    @if c.failed.len() > LISTED { p.meta { "The first " (LISTED) " of " (c.failed.len()) "." } }
                    table.list {
                        thead { tr { th.num scope="col" { "Hour" } th scope="col" { "Asset" } th scope="col" { "Brought down by" } } }
                        tbody { @for f in c.failed.iter().take(LISTED) { tr {
                            td.num { (fixed(f.time_hours, 1)) }
                            td { (asset_link(&f.asset)) }
                            td { @match &f.cause { Some(p) => { (asset_link(p)) } None => { "failed at t = 0" } } }
                        } } }
                    }
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Scenarios, "Scenarios", content).into_response())
}
