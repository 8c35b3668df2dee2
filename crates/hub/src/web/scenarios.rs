//! Scenarios: fail chosen assets, countries or every asset affected by a CVE (or a saved
//! scenario), follow the cascade, and see each NCF's degradation over time and the failed
//! assets with their causes. The scenario is in the URL, so a run can be bookmarked.

use app::authz::Action;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
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
    /// Another saved scenario to compare with, side by side.
    compare: Option<String>,
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
    let compare_name = given(&params.compare);
    let wanted = saved_name.is_some()
        || !(ad_hoc.assets.is_empty() && ad_hoc.countries.is_empty() && ad_hoc.cves.is_empty());
    let home_code = home(&app)?;
    let state = app.clone();
    let (saved, outcome, compared) = run(&app, move |store| {
        let saved = app::analysis::scenarios(store)?;
        if !wanted {
            return Ok((saved, None, None));
        }
        let scenario = match &saved_name {
            Some(name) => app::analysis::scenario(store, name)?,
            None => ad_hoc,
        };
        let other = compare_name
            .map(|name| app::analysis::scenario(store, &name))
            .transpose()?;
        let affected_by = |store: &mut store::Store, cves: &[String]| {
            app::intel::with_context(store, home_code, &(), |store, context| {
                app::intel::assets_affected_by(store, context, cves)
            })
        };
        let engine = state.engines.get(store, home_code, &())?;
        let first =
            app::analysis::run_scenario(&engine, &scenario, &affected_by(store, &scenario.cves)?)?;
        let second = match other {
            Some(o) => {
                let run = app::analysis::run_scenario(&engine, &o, &affected_by(store, &o.cves)?)?;
                Some((o, run))
            }
            None => None,
        };
        Ok((saved, Some((scenario, first)), second))
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
                    li {
                        a href=(href("/scenarios", &[("scenario", s.name.clone())])) { (s.name) } @if !s.description.is_empty() { " — " (s.description) }
                        @if outcome.is_some() {
                            " · " a href=(href("/scenarios", &[("assets", v(&params.assets)), ("countries", v(&params.countries)), ("cves", v(&params.cves)), ("scenario", v(&params.scenario)), ("compare", s.name.clone())])) { "compare with the result below" }
                        }
                    }
                } }
            }
        }
        @match &outcome {
            None => (layout::empty("Choose what fails above and run the cascade. Saved scenarios come from the command line.", "meridian analyze scenario save NAME --assets ID,ID --countries CC")),
            Some((scenario, result)) => {
                (outcome_section("result", scenario, result))
                @if let Some((other, second)) = &compared {
                    (comparison(scenario, result, other, second))
                    (outcome_section("compared", other, second))
                }
            }
        }
    };
    Ok(layout::page(&viewer, Area::Scenarios, "Scenarios", content).into_response())
}

/// One scenario's result: the counts, the NCF degradation chart and table, the failed assets.
fn outcome_section(
    id: &str,
    scenario: &model::Scenario,
    result: &app::analysis::ScenarioRun,
) -> Markup {
    let c = &result.cascade;
    html! {
        section aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { "Result" @if scenario.name != "ad hoc" { ": " (scenario.name) } }
            p.lead {
                (result.initial) " assets fail at t = 0; " (c.failed.len()) " assets have failed when the cascade ends. Impact (sum of NCF degradations) "
                strong { (fixed(c.impact, 3)) } "."
            }
            @let degraded: Vec<app::analysis::NcfDegradation> = c.ncf.iter().filter(|n| n.degradation > 0.0).cloned().collect();
            @if degraded.is_empty() {
                p { "No National Critical Function is degraded." }
            } @else {
                div.figure { (svg::cascade(id, &degraded)) }
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

/// Two scenarios' NCF degradations side by side.
fn comparison(
    a: &model::Scenario,
    ra: &app::analysis::ScenarioRun,
    b: &model::Scenario,
    rb: &app::analysis::ScenarioRun,
) -> Markup {
    let of = |r: &app::analysis::ScenarioRun, ncf: &str| {
        r.cascade
            .ncf
            .iter()
            .find(|n| n.ncf == ncf)
            .map_or(0.0, |n| n.degradation)
    };
    let mut ncfs: Vec<&str> = ra
        .cascade
        .ncf
        .iter()
        .chain(&rb.cascade.ncf)
        .filter(|n| n.degradation > 0.0)
        .map(|n| n.ncf)
        .collect();
    ncfs.sort_unstable();
    ncfs.dedup();
    html! {
        section aria-labelledby="comparison-h" {
            h2 #comparison-h { (a.name) " compared with " (b.name) }
            table {
                thead { tr {
                    th scope="col" { "Measure" } th.num scope="col" { (a.name) } th.num scope="col" { (b.name) } th.num scope="col" { "Difference" }
                } }
                tbody {
                    tr { th scope="row" { "Assets failing at t = 0" } td.num { (ra.initial) } td.num { (rb.initial) } td.num { (rb.initial as i64 - ra.initial as i64) } }
                    tr { th scope="row" { "Assets failed at the end" } td.num { (ra.cascade.failed.len()) } td.num { (rb.cascade.failed.len()) } td.num { (rb.cascade.failed.len() as i64 - ra.cascade.failed.len() as i64) } }
                    tr { th scope="row" { "Impact" } td.num { (fixed(ra.cascade.impact, 3)) } td.num { (fixed(rb.cascade.impact, 3)) } td.num { (fixed(rb.cascade.impact - ra.cascade.impact, 3)) } }
                    @for ncf in &ncfs {
                        tr { th scope="row" { code { (ncf) } " " (model::ncf(ncf).map_or("", |x| x.name)) }
                            td.num { (fixed(of(ra, ncf), 3)) } td.num { (fixed(of(rb, ncf), 3)) } td.num { (fixed(of(rb, ncf) - of(ra, ncf), 3)) } }
                    }
                }
            }
        }
    }
}
