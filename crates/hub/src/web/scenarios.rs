//! Scenarios: fail chosen assets, countries, every located asset inside circles on the map or
//! every asset affected by a CVE (or a saved scenario), follow the cascade, and see each NCF's
//! degradation over time and the failed assets with their causes. The scenario is in the URL, so
//! a run can be bookmarked. Analysts and administrators save the scenario they ran and delete
//! saved ones (audited by [`app::analysis`] as `scenario.save`, `scenario.delete`). The Monte
//! Carlo screen runs [`app::analysis::montecarlo`] over the foreign assets and shows the spread
//! of each NCF's degradation as bands.

use app::Problem;
use app::authz::Action;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, Area, asset_link, fixed, href, input, segment};
use super::{Viewer, WebError, given, home, run, svg};
use crate::AppState;

/// Failed assets listed on the page.
const LISTED: usize = 100;

/// The most Monte Carlo trials a page runs (the REST API and the command line take up to
/// [`app::analysis::MAX_TRIALS`]): a page answers in seconds.
pub const PAGE_TRIALS: u64 = 2000;
const _: () = assert!(PAGE_TRIALS <= app::analysis::MAX_TRIALS);

/// Assets listed by how often they failed in the Monte Carlo trials (the command line's
/// default `--limit`).
const MOST_FAILED: usize = 20;

/// What the scenario is made of, as typed (in the query string of a run, or the fields of the
/// save form).
#[derive(Default, Deserialize)]
pub struct ScenarioParams {
    assets: Option<String>,
    countries: Option<String>,
    /// `LAT,LON,RADIUS_KM`, several separated by `;` or new lines.
    circles: Option<String>,
    cves: Option<String>,
    /// A saved scenario's name.
    scenario: Option<String>,
    /// Another saved scenario to compare with, side by side.
    compare: Option<String>,
    /// Set after a scenario was saved or deleted: what was done, with its seal (see
    /// [`Viewer::notice`]).
    done: Option<String>,
    seal: Option<String>,
}

impl ScenarioParams {
    /// The scenario of the fields, named `name`, and the problems of its circles.
    fn scenario(&self, name: &str, description: &str) -> (model::Scenario, Vec<Problem>) {
        let mut circles = Vec::new();
        let mut problems = Vec::new();
        for (i, text) in given(&self.circles)
            .unwrap_or_default()
            .split([';', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .enumerate()
        {
            match model::Circle::parse(text) {
                Ok(c) => circles.push(c),
                Err(message) => problems.push(Problem {
                    pointer: format!("/circles/{i}"),
                    message,
                }),
            }
        }
        let upper = |o: &Option<String>| -> Vec<String> {
            words(o)
                .into_iter()
                .map(|w| w.to_ascii_uppercase())
                .collect()
        };
        let scenario = model::Scenario {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
            assets: words(&self.assets),
            countries: upper(&self.countries),
            circles,
            cves: upper(&self.cves),
        };
        (scenario, problems)
    }
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

fn is_empty(s: &model::Scenario) -> bool {
    s.assets.is_empty() && s.countries.is_empty() && s.circles.is_empty() && s.cves.is_empty()
}

/// The name and description typed in the save form.
#[derive(Default, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(flatten)]
    fields: ScenarioParams,
}

type Outcome = Option<(model::Scenario, app::analysis::ScenarioRun)>;

/// Everything the scenarios page shows.
struct Screen<'a> {
    params: &'a ScenarioParams,
    /// What is wrong with the fields (a run refused, or a save refused).
    problems: &'a [Problem],
    saved: Vec<model::Scenario>,
    outcome: Outcome,
    compared: Outcome,
    /// The save form, as typed; shown after an ad hoc run, or when a save was refused.
    save: Option<(&'a str, &'a str)>,
}

pub async fn run_page(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::RunAnalysis)?;
    let params: ScenarioParams = super::query(raw.as_deref())?;
    let (ad_hoc, problems) = params.scenario("ad hoc", "");
    let saved_name = given(&params.scenario);
    let compare_name = given(&params.compare);
    let wanted = problems.is_empty() && (saved_name.is_some() || !is_empty(&ad_hoc));
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
    let ad_hoc_run = outcome.is_some() && given(&params.scenario).is_none();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let screen = Screen {
        params: &params,
        problems: &problems,
        saved,
        outcome,
        compared,
        save: ad_hoc_run.then_some(("", "")),
    };
    Ok((status, render(&viewer, screen)).into_response())
}

/// Saves the scenario of the form (audited as `scenario.save`; a scenario of the same name is
/// replaced), then runs it; or shows the page again with each problem beside its field and
/// nothing stored.
pub async fn save(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: SaveForm = viewer.form(&app, body).await?;
    viewer.may(Action::EditAtlas)?;
    let (scenario, mut problems) = form.fields.scenario(&form.name, &form.description);
    let name = scenario.name.clone();
    let actor = viewer.actor.clone();
    let circles_read = problems.is_empty();
    let (saved, stored) = run(&app, move |store| {
        let stored = if circles_read {
            app::analysis::save_scenario(store, &scenario, &actor)
        } else {
            Ok(())
        };
        Ok((app::analysis::scenarios(store)?, stored))
    })
    .await?;
    match stored {
        Ok(()) if problems.is_empty() => Ok(viewer
            .noticed(
                "/scenarios",
                &[("scenario", name.clone())],
                format!("Scenario {name} saved."),
            )
            .into_response()),
        Ok(()) => Ok(refused_save(&viewer, &form, &problems, saved)),
        Err(e) => {
            problems.extend(layout::invalid(e)?);
            Ok(refused_save(&viewer, &form, &problems, saved))
        }
    }
}

fn refused_save(
    viewer: &Viewer,
    form: &SaveForm,
    problems: &[Problem],
    saved: Vec<model::Scenario>,
) -> Response {
    let screen = Screen {
        params: &form.fields,
        problems,
        saved,
        outcome: None,
        compared: None,
        save: Some((&form.name, &form.description)),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, render(viewer, screen)).into_response()
}

/// Deletes a saved scenario (audited as `scenario.delete`), then back to the list.
pub async fn delete(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let _: super::Empty = viewer.form(&app, body).await?;
    viewer.may(Action::EditAtlas)?;
    let actor = viewer.actor.clone();
    let deleted = name.clone();
    run(&app, move |store| {
        app::analysis::delete_scenario(store, &deleted, &actor)
    })
    .await?;
    Ok(viewer
        .noticed("/scenarios", &[], format!("Scenario {name} deleted."))
        .into_response())
}

fn render(viewer: &Viewer, screen: Screen<'_>) -> Markup {
    let Screen {
        params,
        problems,
        saved,
        outcome,
        compared,
        save,
    } = screen;
    let v = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
    let may_save = viewer.can(Action::EditAtlas);
    let content = html! {
        @if let Some(done) = viewer.notice(&params.done, &params.seal) {
            div.notice role="status" { (done) }
        }
        (layout::problems(problems))
        form.stack.wide method="get" action="/scenarios" {
            p.hint { "Fail assets at t = 0 and follow the cascade. Give asset ids, country codes, circles on the map or CVE ids (every asset with an active finding for it fails), separated by commas or spaces." }
            (input("f", "assets", "Assets", &v(&params.assets), "cable:tpc-5, ixp:de-cix", problems))
            (input("f", "countries", "Countries", &v(&params.countries), "TW, SG", problems))
            (input("f", "circles", "Circles: latitude, longitude, radius in km (several separated by ;)", &v(&params.circles), "23.0,120.2,50; 1.29,103.85,30", problems))
            (input("f", "cves", "CVEs", &v(&params.cves), "CVE-2024-…", problems))
            button type="submit" { "Run the cascade" }
        }
        p.meta { a href="/scenarios/montecarlo" { "Monte Carlo: random failures of the foreign assets, with the spread of each NCF's degradation" } }
        @if let (true, Some((name, description))) = (may_save, save) {
            form.stack.wide method="post" action="/scenarios/save" {
                (layout::csrf(viewer))
                h2 { "Save this scenario" }
                p.hint { "A saved scenario of the same name is replaced." }
                @for (field, value) in [("assets", &params.assets), ("countries", &params.countries), ("circles", &params.circles), ("cves", &params.cves)] {
                    input type="hidden" name=(field) value=(v(value));
                }
                (input("s", "name", "Name", name, "tainan", problems))
                (input("s", "description", "Description", description, "Loss of southern Taiwan", problems))
                button type="submit" { "Save the scenario" }
            }
        }
        @if !saved.is_empty() {
            section aria-labelledby="saved-h" {
                h2 #saved-h { "Saved scenarios" }
                table.list {
                    thead { tr { th scope="col" { "Scenario" } th scope="col" { "Description" } th scope="col" { "Compare" } @if may_save { th scope="col" { "Delete" } } } }
                    tbody { @for s in &saved { tr {
                        td { a href=(href("/scenarios", &[("scenario", s.name.clone())])) { "Run " (s.name) } }
                        td { (s.description) }
                        td { @if outcome.is_some() {
                            a href=(href("/scenarios", &[("assets", v(&params.assets)), ("countries", v(&params.countries)), ("circles", v(&params.circles)), ("cves", v(&params.cves)), ("scenario", v(&params.scenario)), ("compare", s.name.clone())])) { "compare with the result below" }
                        } }
                        @if may_save { td {
                            form.inline method="post" action={ "/scenarios/" (segment(&s.name)) "/delete" } {
                                (layout::csrf(viewer))
                                button.danger type="submit" aria-label={ "Delete " (s.name) } { "Delete" }
                            }
                        } }
                    } } }
                }
            }
        }
        @match &outcome {
            None => (layout::empty("Choose what fails above and run the cascade.", "meridian analyze scenario save NAME --assets ID,ID --countries CC --circle LAT,LON,KM")),
            Some((scenario, result)) => {
                (outcome_section("result", scenario, result))
                @if let Some((other, second)) = &compared {
                    (comparison(scenario, result, other, second))
                    (outcome_section("compared", other, second))
                }
            }
        }
    };
    layout::page(viewer, Area::Scenarios, "Scenarios", content)
}

/// The fields of the Monte Carlo form, as typed.
#[derive(Default, Deserialize)]
pub struct MonteCarloParams {
    trials: Option<String>,
    foreign_probability: Option<String>,
    seed: Option<String>,
}

/// Monte Carlo: every foreign asset fails with the given probability in each trial
/// ([`app::analysis::montecarlo`], as `meridian analyze montecarlo` runs it); the spread of each
/// NCF's degradation as bands and a table, and the assets that failed most often.
pub async fn montecarlo(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::RunAnalysis)?;
    let params: MonteCarloParams = super::query(raw.as_deref())?;
    let typed =
        |o: &Option<String>, default: &str| o.as_deref().unwrap_or(default).trim().to_owned();
    let (trials, p, seed) = (
        typed(&params.trials, "1000"),
        typed(&params.foreign_probability, "0.01"),
        typed(&params.seed, "42"),
    );
    let mut problems = Vec::new();
    let read = (
        read::<u64>(&mut problems, "/trials", &trials, "a whole number"),
        read::<f64>(&mut problems, "/foreign_probability", &p, "a number"),
        read::<u64>(&mut problems, "/seed", &seed, "a whole number"),
    );
    if let (Some(t), Some(p), _) = read {
        problems.extend(app::analysis::montecarlo_problems(t, PAGE_TRIALS, p));
    }
    let result = match read {
        (Some(t), Some(p), Some(seed)) if problems.is_empty() && params.trials.is_some() => {
            let home_code = home(&app)?;
            let state = app.clone();
            // A long work: it takes its turn with the REST API's (serve --max-jobs), waiting
            // no longer than a synchronous REST call would.
            let Ok(turn) = tokio::time::timeout(app.sync_wait, app.long_work_turn()).await else {
                return Err(WebError::Status(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "The server is running as many long works as it may at once \
                         (serve --max-jobs), and this study got no turn within {} s. Try again \
                         shortly, or submit it as a job: POST /api/v1/analysis/montecarlo.",
                        app.sync_wait.as_secs_f64()
                    ),
                ));
            };
            let _turn = turn.map_err(crate::rest::RestError::from)?;
            Some(
                run(&app, move |store| {
                    let engine = state.engines.get(store, home_code, &())?;
                    let probabilities = app::analysis::Probabilities::Foreign { p, scores: None };
                    app::analysis::montecarlo(&engine, &probabilities, t, seed, &())
                })
                .await?,
            )
        }
        _ => None,
    };
    let content = html! {
        (layout::problems(&problems))
        form.stack method="get" action="/scenarios/montecarlo" {
            p.hint { "In each trial every foreign asset fails with the probability given (domestic assets do not), and the cascade follows. The same seed gives the same result. A page runs at most " (PAGE_TRIALS) " trials; the command line and the REST API take up to " (app::analysis::MAX_TRIALS) "." }
            (input("m", "trials", "Trials", &trials, "1000", &problems))
            (input("m", "foreign_probability", "Failure probability of each foreign asset (0 to 1)", &p, "0.01", &problems))
            (input("m", "seed", "Seed", &seed, "42", &problems))
            button type="submit" { "Run the trials" }
        }
        @match &result {
            None => (layout::empty("Choose the trials and run them.", "meridian analyze montecarlo --trials 1000 --foreign-probability 0.01 --seed 42")),
            Some(m) => (montecarlo_section(m)),
        }
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        layout::page(&viewer, Area::Scenarios, "Monte Carlo", content),
    )
        .into_response())
}

/// `text` read as a `T`, or a problem at `pointer` saying it is not `what`.
fn read<T: std::str::FromStr>(
    problems: &mut Vec<Problem>,
    pointer: &str,
    text: &str,
    what: &str,
) -> Option<T> {
    let value = text.parse().ok();
    if value.is_none() {
        problems.push(Problem {
            pointer: pointer.to_owned(),
            message: format!("{text:?} is not {what}"),
        });
    }
    value
}

/// A share as the command line prints it (`12.34%`).
fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn montecarlo_section(m: &app::analysis::MonteCarlo) -> Markup {
    let degraded: Vec<&app::analysis::NcfSpread> =
        m.ncf.iter().filter(|n| n.degradation.p95 > 0.0).collect();
    html! {
        section aria-labelledby="mc-h" {
            h2 #mc-h { "Result of " (m.trials) " trials (seed " (m.seed) ")" }
            p.lead {
                "Impact (sum of NCF degradations): mean " strong { (fixed(m.impact.mean, 4)) }
                ", 5th percentile " (fixed(m.impact.p5, 4)) ", 95th percentile " (fixed(m.impact.p95, 4)) "."
            }
            @if degraded.is_empty() {
                p { "No National Critical Function is degraded in more than 5 % of the trials." }
            } @else {
                div.figure { (svg::bands("mc", &degraded)) }
                table #mc-ncf {
                    caption { "NCF degradation over the trials: the bar is the mean, the whisker runs from the 5th to the 95th percentile" }
                    thead { tr { th scope="col" { "NCF" } th scope="col" { "Name" } th.num scope="col" { "Mean" } th.num scope="col" { "5th percentile" } th.num scope="col" { "95th percentile" } } }
                    tbody { @for n in &degraded { tr {
                        td { code { (n.ncf) } }
                        td { (model::ncf(n.ncf).map_or("", |x| x.name)) }
                        td.num { (percent(n.degradation.mean)) }
                        td.num { (percent(n.degradation.p5)) }
                        td.num { (percent(n.degradation.p95)) }
                    } } }
                }
            }
            h3 { "Assets that failed most often" }
            @if m.asset_failure_share.is_empty() {
                p { "No asset failed in any trial." }
            } @else {
                @if m.asset_failure_share.len() > MOST_FAILED { p.meta { "The first " (MOST_FAILED) " of " (m.asset_failure_share.len()) " assets that failed in some trial." } }
                table.list #mc-assets {
                    thead { tr { th scope="col" { "Asset" } th.num scope="col" { "Share of trials failed" } } }
                    tbody { @for s in m.asset_failure_share.iter().take(MOST_FAILED) { tr {
                        td { (asset_link(&s.asset)) }
                        td.num { (percent(s.share)) }
                    } } }
                }
            }
        }
    }
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
            @if !scenario.circles.is_empty() {
                div.figure { (svg::circles(id, &scenario.circles)) }
            }
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
