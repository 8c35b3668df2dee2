//! Failure scenarios over REST (all through [`app::analysis`]): the saved ones (list, show,
//! save, delete, run) and running one given in the request. Staff read; analysts and
//! administrators save, delete (audited as `scenario.save`, `scenario.delete`) and run;
//! partners are refused (403).

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::analysis::{CascadeDto, json_body, with_engine};
use super::session::Caller;
use super::{ErrorDto, Page, PageParams, RestError, authorize, page_of, run};
use crate::AppState;
use app::analysis;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scenarios", get(scenarios))
        .route(
            "/api/v1/scenarios/{name}",
            get(scenario).put(save).delete(remove),
        )
        .route("/api/v1/scenarios/{name}/run", post(run_saved))
        .route("/api/v1/analysis/scenario", post(run_given))
}

/// The largest scenario body read.
const MAX_SCENARIO_BODY: usize = 256 * 1024;

/// A disc on the map: every asset within `radius_km` of the centre.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleDto {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

/// A failure scenario: the assets listed, in its countries, in its circles, or running a
/// product one of its CVEs affects, fail together. (The name comes from the path.)
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioDto {
    /// Set from the path when saving; ignored when running one given in the request.
    pub name: String,
    pub description: String,
    pub assets: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    pub circles: Vec<CircleDto>,
    /// CVE ids.
    pub cves: Vec<String>,
}

impl From<model::Scenario> for ScenarioDto {
    fn from(s: model::Scenario) -> ScenarioDto {
        ScenarioDto {
            name: s.name,
            description: s.description,
            assets: s.assets,
            countries: s.countries,
            circles: s
                .circles
                .into_iter()
                .map(|c| CircleDto {
                    lat: c.lat,
                    lon: c.lon,
                    radius_km: c.radius_km,
                })
                .collect(),
            cves: s.cves,
        }
    }
}

impl From<ScenarioDto> for model::Scenario {
    fn from(s: ScenarioDto) -> model::Scenario {
        model::Scenario {
            name: s.name,
            description: s.description,
            assets: s.assets,
            countries: s.countries,
            circles: s
                .circles
                .into_iter()
                .map(|c| model::Circle {
                    lat: c.lat,
                    lon: c.lon,
                    radius_km: c.radius_km,
                })
                .collect(),
            cves: s
                .cves
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .collect(),
        }
    }
}

/// A scenario run: how many assets fail at t = 0, and the cascade.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioRunDto {
    pub initial: u64,
    pub cascade: CascadeDto,
}

/// Every saved scenario, by name.
#[utoipa::path(get, path = "/api/v1/scenarios", tag = "analysis", params(PageParams),
    responses(
        (status = 200, description = "A page of scenarios, by name", body = Page<ScenarioDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn scenarios(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<ScenarioDto>>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let found = run(&app, |store| Ok(analysis::scenarios(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |s| &s.name,
        ScenarioDto::from,
    )?))
}

/// One saved scenario.
#[utoipa::path(get, path = "/api/v1/scenarios/{name}", tag = "analysis",
    params(("name" = String, Path, description = "The scenario's name")),
    responses(
        (status = 200, description = "The scenario", body = ScenarioDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 404, description = "No such scenario", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn scenario(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<Json<ScenarioDto>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let found = run(&app, move |store| Ok(analysis::scenario(store, &name)?)).await?;
    Ok(Json(found.into()))
}

/// Saves (or replaces) a scenario under the path's name.
#[utoipa::path(put, path = "/api/v1/scenarios/{name}", tag = "analysis",
    params(("name" = String, Path, description = "The scenario's name")),
    request_body(content = ScenarioDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = ScenarioDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators save scenarios", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "An unknown asset or country, each located; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn save(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    request: Body,
) -> Result<Json<ScenarioDto>, RestError> {
    authorize(&actor, Action::EditAtlas)?;
    let mut given: ScenarioDto = json_body(request, MAX_SCENARIO_BODY).await?;
    given.name = name;
    let scenario = model::Scenario::from(given);
    let saved = run(&app, move |store| {
        analysis::save_scenario(store, &scenario, &actor)?;
        Ok(scenario)
    })
    .await?;
    Ok(Json(saved.into()))
}

/// Deletes a saved scenario.
#[utoipa::path(delete, path = "/api/v1/scenarios/{name}", tag = "analysis",
    params(("name" = String, Path, description = "The scenario's name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators delete scenarios", body = ErrorDto),
        (status = 404, description = "No such scenario", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::EditAtlas)?;
    run(&app, move |store| {
        Ok(analysis::delete_scenario(store, &name, &actor)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs `scenario`: fails its assets at t = 0 and follows the cascade.
async fn run_one(app: &AppState, scenario: Scenario) -> Result<ScenarioRunDto, RestError> {
    let outcome = with_engine(app, move |store, engine| {
        let scenario = match scenario {
            Scenario::Saved(name) => analysis::scenario(store, &name)?,
            Scenario::Given(scenario) => scenario,
        };
        analysis::run_scenario_stored(store, engine, &scenario, &())
    })
    .await?;
    Ok(ScenarioRunDto {
        initial: outcome.initial as u64,
        cascade: outcome.cascade.into(),
    })
}

/// A scenario to run.
enum Scenario {
    Saved(String),
    Given(model::Scenario),
}

/// Runs a saved scenario.
#[utoipa::path(post, path = "/api/v1/scenarios/{name}/run", tag = "analysis",
    params(("name" = String, Path, description = "The scenario's name")),
    responses(
        (status = 200, description = "The cascade", body = ScenarioRunDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 404, description = "No such scenario, or an asset it names is gone", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn run_saved(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<Json<ScenarioRunDto>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    Ok(Json(run_one(&app, Scenario::Saved(name)).await?))
}

/// Runs the scenario given in the request, without saving it.
#[utoipa::path(post, path = "/api/v1/analysis/scenario", tag = "analysis",
    request_body(content = ScenarioDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The cascade", body = ScenarioRunDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 404, description = "An asset it names does not exist", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Not a scenario", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn run_given(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<ScenarioRunDto>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let given: ScenarioDto = json_body(request, MAX_SCENARIO_BODY).await?;
    Ok(Json(run_one(&app, Scenario::Given(given.into())).await?))
}
