//! The analyses over REST (all through [`app::analysis`]): the stored priority ranking read
//! without recomputing it, its explanation, and storing a new one; the summary, single points
//! of failure, foreign exposure, cascades, Monte Carlo, N-2 contingency and IIM, with bounded
//! requests (422 beyond). Partners are refused (403).
//! Every computation runs on the blocking pool with a pooled store.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::jobs::{AsyncParams, JobDto, Mode, respond};
use super::session::Caller;
use super::{ErrorDto, Paging, ProblemDto, RestError, authorize, query, run};
use crate::AppState;
use app::analysis;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rank", get(stored_rank).post(store_rank))
        .route("/api/v1/rank/{asset}/explain", get(explain))
        .route("/api/v1/rank/{asset}/history", get(history))
        .route("/api/v1/analysis/summary", get(summary))
        .route("/api/v1/analysis/spof", get(spof))
        .route("/api/v1/analysis/exposure", get(exposure))
        .route("/api/v1/analysis/cascade", post(cascade))
        .route("/api/v1/analysis/montecarlo", post(montecarlo))
        .route("/api/v1/analysis/contingency", post(contingency))
        .route("/api/v1/analysis/iim", get(iim_static).post(iim))
        .route("/api/v1/analysis/percolation", post(percolation))
}

/// The home country as the engine takes it.
pub(crate) fn home(app: &AppState) -> Result<[u8; 2], RestError> {
    <[u8; 2]>::try_from(app.home.0.as_bytes()).map_err(|_| {
        RestError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the home country is not an ISO 3166-1 alpha-2 code",
        )
    })
}

/// The query of `GET /api/v1/rank`; every filter given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankParams {
    /// A given stored ranking run instead of the newest one.
    pub run: Option<i64>,
    /// ISO 3166-1 alpha-2 code of the asset.
    pub country: Option<String>,
    /// Sector id (`ENERGY`).
    pub sector: Option<String>,
    /// NCF id (`NCF-D01`).
    pub ncf: Option<String>,
    /// Asset kind.
    pub kind: Option<String>,
    /// Rows to skip (instead of `cursor`).
    pub offset: Option<u64>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// A stored ranking run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankRunDto {
    pub id: i64,
    pub created_at: String,
    /// The atlas version it was computed on.
    pub atlas_version: i64,
    pub home: String,
    /// Rows it holds.
    pub entries: u64,
}

/// One row of a priority ranking: `priority = impact × (1 + exposure) × (1 + threat)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankRowDto {
    /// 1-based position.
    pub rank: u64,
    /// Position in the ranking before; null when the asset was not in it.
    pub previous_rank: Option<u32>,
    /// Places gained since (negative: lost); null when the asset was not in the ranking before.
    pub movement: Option<i64>,
    pub asset: String,
    /// Empty when the asset was deleted since.
    pub country: String,
    /// Domestic, ultimately owned abroad.
    pub foreign_owned: bool,
    pub impact: f64,
    /// In [0, 1]: the asset's vulnerability findings.
    pub exposure: f64,
    /// In [0, 1]: the incidents and sightings naming it.
    pub threat: f64,
    pub priority: f64,
}

impl From<analysis::RankRow> for RankRowDto {
    fn from(r: analysis::RankRow) -> RankRowDto {
        RankRowDto {
            movement: r.movement(),
            rank: r.rank as u64,
            previous_rank: r.previous_rank,
            asset: r.asset,
            country: r.country,
            foreign_owned: r.foreign_owned,
            impact: r.impact,
            exposure: r.exposure,
            threat: r.threat,
            priority: r.priority,
        }
    }
}

/// A page of a stored ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredRankingDto {
    pub run: RankRunDto,
    /// The run the movement is measured against.
    pub previous_run: Option<i64>,
    /// Rows matching the filters, over every page.
    pub total: u64,
    pub items: Vec<RankRowDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// The newest stored priority ranking for the home country (or a given run), as stored: it is
/// not recomputed, so it holds the values of when it ran.
#[utoipa::path(get, path = "/api/v1/rank", tag = "analysis", params(RankParams),
    responses(
        (status = 200, description = "A page of the stored ranking, by rank", body = StoredRankingDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 404, description = "No ranking stored for the home country, or no such run", body = ErrorDto),
        (status = 422, description = "An unknown filter value (the message lists the valid ones), a bad limit, offset or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn stored_rank(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<StoredRankingDto>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let params: RankParams = query(raw.as_deref())?;
    let paging = Paging {
        limit: params.limit,
        cursor: params.cursor.clone(),
    };
    let mut problems = Vec::new();
    let limit = paging.limit().map_err(|p| problems.push(p)).unwrap_or(0);
    let after = paging
        .after()
        .map_err(|p| problems.push(p))
        .ok()
        .flatten()
        .map(|a| a.parse::<u64>());
    let offset = match (after, params.offset) {
        (Some(_), Some(_)) => {
            problems.push(ProblemDto {
                pointer: "/offset".to_owned(),
                message: "give either offset or cursor".to_owned(),
            });
            0
        }
        (Some(Ok(o)), None) => o,
        (Some(Err(_)), None) => {
            problems.push(ProblemDto {
                pointer: "/cursor".to_owned(),
                message: "not a cursor this API gave out".to_owned(),
            });
            0
        }
        (None, offset) => offset.unwrap_or(0),
    };
    if !problems.is_empty() {
        return Err(RestError::invalid("invalid", problems));
    }
    let rank_query = analysis::RankQuery {
        home: app.home.0.clone(),
        run: params.run,
        country: params.country,
        sector: params.sector,
        ncf: params.ncf,
        kind: params.kind,
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        limit: Some(limit as usize),
    };
    let ranking = run(&app, move |store| {
        Ok(analysis::stored_ranking(store, &rank_query)?)
    })
    .await?;
    let end = offset.saturating_add(ranking.rows.len() as u64);
    let next = (end < ranking.total as u64).then(|| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(end.to_string())
    });
    let r = ranking.run;
    Ok(Json(StoredRankingDto {
        run: RankRunDto {
            id: r.id,
            created_at: r.created_at,
            atlas_version: r.atlas_version,
            home: r.home,
            entries: r.entries,
        },
        previous_run: ranking.previous_run,
        total: ranking.total as u64,
        items: ranking.rows.into_iter().map(RankRowDto::from).collect(),
        next,
    }))
}

/// A ranking just computed and stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredRunDto {
    /// The stored run's id (`GET /api/v1/rank?run=`).
    pub run: i64,
    /// Assets ranked.
    pub entries: u64,
    /// A ranking before it existed: the movement is measured against it.
    pub compared: bool,
}

/// Recomputes the priority ranking of the foreign and foreign-owned assets from the atlas, the
/// findings and the incidents now, and stores it (audited as `ranking.store`).
#[utoipa::path(post, path = "/api/v1/rank", tag = "analysis", params(AsyncParams),
    responses(
        (status = 200, description = "Computed and stored", body = StoredRunDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn store_rank(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
) -> Result<Response, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let home = home(&app)?;
    let state = app.clone();
    respond(
        &app,
        actor,
        mode,
        "rank",
        Action::RunAnalysis,
        move |store, progress, actor| {
            let engine = state.engines.get(store, home, progress)?;
            let scores = analysis::scores(store, &engine, progress)?;
            progress.go_on()?;
            let ranking = analysis::rank(store, &engine, &scores, true, actor)?;
            Ok(StoredRunDto {
                run: ranking.stored.unwrap_or_default(),
                entries: ranking.rows.len() as u64,
                compared: ranking.compared,
            })
        },
    )
    .await
}

/// An asset's place in one stored ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankHistoryDto {
    pub run: i64,
    pub created_at: String,
    pub atlas_version: i64,
    /// Null when that ranking did not hold the asset.
    pub rank: Option<u32>,
    pub priority: Option<f64>,
}

/// How an asset's rank moved across every stored ranking, oldest first.
#[utoipa::path(get, path = "/api/v1/rank/{asset}/history", tag = "analysis",
    params(("asset" = String, Path, description = "The asset id")),
    responses(
        (status = 200, description = "One point per stored ranking", body = Vec<RankHistoryDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn history(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(asset): Path<String>,
) -> Result<Json<Vec<RankHistoryDto>>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let points = run(&app, move |store| {
        Ok(analysis::rank_history(store, &asset)?)
    })
    .await?;
    Ok(Json(
        points
            .into_iter()
            .map(|p| RankHistoryDto {
                run: p.run,
                created_at: p.created_at,
                atlas_version: p.atlas_version,
                rank: p.rank,
                priority: p.priority,
            })
            .collect(),
    ))
}

/// An NCF an asset's single failure degrades.
#[derive(Debug, Serialize, ToSchema)]
pub struct NcfShareDto {
    pub ncf: String,
    pub name: String,
    /// Final degradation in [0, 1].
    pub degradation: f64,
}

/// An active vulnerability finding on an asset: behind its exposure, unless a candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainedFindingDto {
    pub cve: String,
    /// The inventory item matched.
    pub item: String,
    /// `checked`, `candidate` (no version checked: no decision, not counted in exposure) or
    /// `confirmed`.
    pub state: String,
    /// `Track`, `Track*`, `Attend` or `Act`; null for a candidate.
    pub decision: Option<String>,
    pub confidence: f32,
    pub epss: Option<f64>,
    /// In the KEV catalog: its due date.
    pub kev_due_date: Option<String>,
}

/// An incident or sighting behind an asset's threat.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainedIncidentDto {
    pub id: String,
    pub kind: String,
    pub category: String,
    pub severity: u8,
    pub occurred_at: String,
}

/// Why an asset ranks where it does.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationDto {
    pub asset: String,
    pub country: String,
    pub foreign: bool,
    /// Its row in the newest stored ranking; null when that ranking does not hold it.
    pub stored: Option<RankRowDto>,
    /// Its single-failure impact now: the sum of the NCF degradations.
    pub impact: f64,
    pub exposure: f64,
    pub threat: f64,
    /// `impact × (1 + exposure) × (1 + threat)` now.
    pub priority: f64,
    /// The NCFs its failure degrades, most degraded first.
    pub ncfs: Vec<NcfShareDto>,
    /// How many assets fail with it.
    pub failed_with: u64,
    /// The domestic assets it alone takes down.
    pub domestic_down: Vec<String>,
    /// Its active findings, most urgent first.
    pub findings: Vec<ExplainedFindingDto>,
    /// The incidents naming it, newest first.
    pub incidents: Vec<ExplainedIncidentDto>,
}

/// Explains an asset's priority: the factors now, the NCFs, findings and incidents behind them,
/// and its row in the newest stored ranking.
#[utoipa::path(get, path = "/api/v1/rank/{asset}/explain", tag = "analysis",
    params(("asset" = String, Path, description = "The asset id")),
    responses(
        (status = 200, description = "The explanation", body = ExplanationDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 404, description = "No such asset", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn explain(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(asset): Path<String>,
) -> Result<Json<ExplanationDto>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let (e, ()) = explained_with(&app, asset, |_| Ok(())).await?;
    Ok(Json(ExplanationDto {
        asset: e.asset,
        country: e.country,
        foreign: e.foreign,
        stored: e.stored.map(RankRowDto::from),
        impact: e.impact,
        exposure: e.exposure,
        threat: e.threat,
        priority: e.priority,
        ncfs: e
            .ncfs
            .into_iter()
            .map(|n| NcfShareDto {
                ncf: n.ncf.to_owned(),
                name: n.name.to_owned(),
                degradation: n.degradation,
            })
            .collect(),
        failed_with: e.failed_with as u64,
        domestic_down: e.domestic_down,
        findings: e
            .findings
            .into_iter()
            .map(|f| ExplainedFindingDto {
                state: f.state.as_str().to_owned(),
                decision: f.decision.map(|d| d.to_string()),
                cve: f.cve,
                item: f.item,
                confidence: f.confidence,
                epss: f.epss,
                kev_due_date: f.kev_due_date,
            })
            .collect(),
        incidents: e
            .incidents
            .into_iter()
            .map(|i| ExplainedIncidentDto {
                id: i.id,
                kind: i.kind.to_owned(),
                category: i.category,
                severity: i.severity,
                occurred_at: i.occurred_at,
            })
            .collect(),
    }))
}

/// Reads a JSON request body of at most `max` bytes into `T`; 413 beyond, 422 when it is not
/// what `T` expects.
pub(crate) async fn json_body<T: serde::de::DeserializeOwned>(
    body: axum::body::Body,
    max: usize,
) -> Result<T, RestError> {
    let bytes = axum::body::to_bytes(body, max).await.map_err(|_| {
        RestError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {max} bytes"),
        )
    })?;
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &bytes
    };
    serde_json::from_slice(text).map_err(|e| {
        RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer: String::new(),
                message: format!("the body: {e}"),
            }],
        )
    })
}

/// A problem with request field `pointer` unless `ok`.
fn check(problems: &mut Vec<ProblemDto>, ok: bool, pointer: &str, message: String) {
    if !ok {
        problems.push(ProblemDto {
            pointer: pointer.to_owned(),
            message,
        });
    }
}

/// 422 with `problems`, when there are any.
fn refuse(problems: Vec<ProblemDto>) -> Result<(), RestError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RestError::invalid("invalid", problems))
    }
}

/// [`analysis::explain_asset`] on the engine and the findings the server holds (not found for
/// an unknown asset), and what `f` reads in the same turn.
pub(crate) async fn explained_with<T: Send + 'static>(
    app: &AppState,
    asset: String,
    f: impl FnOnce(&mut store::Store) -> app::Result<T> + Send + 'static,
) -> Result<(analysis::Explanation, T), RestError> {
    let home = home(app)?;
    let state = app.clone();
    run(app, move |store| {
        let engine = state.engines.get(store, home, &())?;
        engine.resolve(&asset)?;
        let query = app::intel::FindingQuery {
            asset: Some(asset.clone()),
            ..Default::default()
        };
        let all = state.findings.get(store, &state.engines, home, &())?;
        let findings = app::intel::queried(store, &all, &query)?.cloned().collect();
        let e = analysis::explain_with(store, &engine, findings, &asset)?;
        Ok((e, f(store)?))
    })
    .await
}

/// Runs `f` on the blocking pool with the engine for the home country and the current atlas
/// (kept between requests: `EngineCache`).
pub(crate) async fn with_engine<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&mut store::Store, &analysis::Engine) -> app::Result<T> + Send + 'static,
) -> Result<T, RestError> {
    let home = home(app)?;
    let state = app.clone();
    run(app, move |store| {
        let engine = state.engines.get(store, home, &())?;
        Ok(f(store, &engine)?)
    })
    .await
}

/// The largest request bodies of the analyses.
const MAX_ANALYSIS_BODY: usize = 256 * 1024;
/// The most assets a cascade starts from.
pub const MAX_CASCADE_ASSETS: usize = 1000;
/// The most candidates and pairs of an N-2 contingency analysis.
pub const MAX_CONTINGENCY_TOP: usize = 200;
pub const MAX_CONTINGENCY_PAIRS: usize = 1000;
/// The most DIIM steps and perturbed sectors.
pub const MAX_IIM_STEPS: usize = 1000;
pub const MAX_IIM_SECTORS: usize = 100;

/// The graph's size and structure.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    pub assets: u64,
    pub dependencies: u64,
    /// Redundancy groups.
    pub groups: u64,
    /// Assets outside the home country.
    pub foreign: u64,
    /// No redundancy group has more than one provider.
    pub pure_and: bool,
    pub strongly_connected_components: u64,
    pub largest_scc: u64,
    pub weakly_connected_components: u64,
    pub load_seconds: f64,
    pub build_seconds: f64,
    pub scc_wcc_seconds: f64,
}

/// The graph's size and structure (`meridian analyze summary`).
#[utoipa::path(get, path = "/api/v1/analysis/summary", tag = "analysis",
    responses(
        (status = 200, description = "The summary", body = SummaryDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn summary(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<SummaryDto>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let s = with_engine(&app, |_, engine| Ok(analysis::summary(engine))).await?;
    Ok(Json(SummaryDto {
        assets: s.assets as u64,
        dependencies: s.dependencies as u64,
        groups: s.groups as u64,
        foreign: s.foreign as u64,
        pure_and: s.pure_and,
        strongly_connected_components: s.strongly_connected_components as u64,
        largest_scc: s.largest_scc as u64,
        weakly_connected_components: s.weakly_connected_components as u64,
        load_seconds: s.load_seconds,
        build_seconds: s.build_seconds,
        scc_wcc_seconds: s.scc_wcc_seconds,
    }))
}

/// An asset whose single failure takes domestic assets down.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpofDto {
    pub asset: String,
    pub foreign: bool,
    /// Domestic assets it alone takes down.
    pub domestic_down: u64,
    pub impact: f64,
}

/// The single points of failure, most domestic assets taken down first.
#[utoipa::path(get, path = "/api/v1/analysis/spof", tag = "analysis",
    responses(
        (status = 200, description = "Every single point of failure", body = Vec<SpofDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn spof(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<SpofDto>>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let rows = with_engine(&app, |_, engine| Ok(analysis::spofs(engine))).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| SpofDto {
                asset: s.asset,
                foreign: s.foreign,
                domestic_down: s.domestic_down as u64,
                impact: s.impact,
            })
            .collect(),
    ))
}

/// The query of `GET /api/v1/analysis/exposure`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExposureParams {
    /// An NCF id, a sector id or an asset id.
    pub target: String,
}

/// A foreign asset the target depends on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExposedDto {
    pub asset: String,
    pub country: String,
    /// Its failure alone takes the target down.
    pub single_point_of_failure: bool,
    /// From the target to the asset.
    pub path: Vec<String>,
}

/// The foreign assets an NCF, a sector or an asset depends on.
#[utoipa::path(get, path = "/api/v1/analysis/exposure", tag = "analysis", params(ExposureParams),
    responses(
        (status = 200, description = "The foreign dependencies", body = Vec<ExposedDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 422, description = "No target, or one that is neither an NCF, a sector nor an asset", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn exposure(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ExposedDto>>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    let params: ExposureParams = query(raw.as_deref())?;
    let rows = with_engine(&app, move |_, engine| {
        analysis::exposure(engine, &params.target)
    })
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| ExposedDto {
                asset: e.asset,
                country: e.country,
                single_point_of_failure: e.single_point_of_failure,
                path: e.path,
            })
            .collect(),
    ))
}

/// The assets that fail first.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CascadeRequestDto {
    /// Asset ids, 1 to 1000.
    pub assets: Vec<String>,
}

/// An asset failed in a cascade.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedDto {
    pub asset: String,
    /// Hours after the initial failures.
    pub time_hours: f64,
    /// The provider whose failure took it down; null for the initial failures.
    pub cause: Option<String>,
}

/// An NCF's degradation over a cascade.
#[derive(Debug, Serialize, ToSchema)]
pub struct NcfDegradationDto {
    pub ncf: String,
    /// Final degradation in [0, 1].
    pub degradation: f64,
    /// `[hours, degradation]` steps.
    pub timeline: Vec<[f64; 2]>,
}

/// A cascade's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct CascadeDto {
    pub failed: Vec<FailedDto>,
    pub ncf: Vec<NcfDegradationDto>,
    /// The sum of the NCF degradations.
    pub impact: f64,
}

/// The cascade from the failure of the given assets.
#[utoipa::path(post, path = "/api/v1/analysis/cascade", tag = "analysis",
    request_body(content = CascadeRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The cascade", body = CascadeDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 404, description = "An asset does not exist", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Not a list of 1 to 1000 asset ids", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn cascade(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: axum::body::Body,
) -> Result<Json<CascadeDto>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let request: CascadeRequestDto = json_body(body, MAX_ANALYSIS_BODY).await?;
    let mut problems = Vec::new();
    check(
        &mut problems,
        (1..=MAX_CASCADE_ASSETS).contains(&request.assets.len()),
        "/assets",
        format!("give 1 to {MAX_CASCADE_ASSETS} asset ids"),
    );
    refuse(problems)?;
    let c = with_engine(&app, move |_, engine| {
        analysis::cascade(engine, &request.assets)
    })
    .await?;
    Ok(Json(c.into()))
}

impl From<analysis::Cascade> for CascadeDto {
    fn from(c: analysis::Cascade) -> CascadeDto {
        CascadeDto {
            failed: c
                .failed
                .into_iter()
                .map(|f| FailedDto {
                    asset: f.asset,
                    time_hours: f.time_hours,
                    cause: f.cause,
                })
                .collect(),
            ncf: c
                .ncf
                .into_iter()
                .map(|n| NcfDegradationDto {
                    ncf: n.ncf.to_owned(),
                    degradation: n.degradation,
                    timeline: n.timeline,
                })
                .collect(),
            impact: c.impact,
        }
    }
}

/// A Monte Carlo run: every foreign asset fails with `foreign_probability`, raised by its
/// exposure and threat when `scored`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MonteCarloRequestDto {
    /// 1 to 100000; default 1000.
    #[serde(default = "default_trials")]
    pub trials: u64,
    /// Default 42: the same seed gives the same result.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// In [0, 1]; default 0.01.
    #[serde(default = "default_probability")]
    pub foreign_probability: f64,
    /// Weigh the probability by exposure and threat as the ranking does.
    #[serde(default)]
    pub scored: bool,
}

fn default_trials() -> u64 {
    1000
}

fn default_seed() -> u64 {
    42
}

fn default_probability() -> f64 {
    0.01
}

/// Mean and percentiles over the trials.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpreadDto {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
}

impl From<analysis::Spread> for SpreadDto {
    fn from(s: analysis::Spread) -> SpreadDto {
        SpreadDto {
            mean: s.mean,
            p5: s.p5,
            p95: s.p95,
        }
    }
}

/// An NCF's degradation over the trials.
#[derive(Debug, Serialize, ToSchema)]
pub struct NcfSpreadDto {
    pub ncf: String,
    pub degradation: SpreadDto,
}

/// The share of trials an asset failed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureShareDto {
    pub asset: String,
    pub share: f64,
}

/// A Monte Carlo run's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonteCarloDto {
    pub trials: u64,
    pub seed: u64,
    pub impact: SpreadDto,
    pub ncf: Vec<NcfSpreadDto>,
    /// Assets that failed in some trial, most often first.
    pub asset_failure_share: Vec<FailureShareDto>,
}

/// Seeded, reproducible Monte Carlo over the foreign assets' failures.
#[utoipa::path(post, path = "/api/v1/analysis/montecarlo", tag = "analysis", params(AsyncParams),
    request_body(content = MonteCarloRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The spread of the impacts", body = MonteCarloDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Trials beyond 1 to 100000, a probability outside [0, 1]", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn montecarlo(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
    body: axum::body::Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let request: MonteCarloRequestDto = json_body(body, MAX_ANALYSIS_BODY).await?;
    let problems = analysis::montecarlo_problems(
        request.trials,
        analysis::MAX_TRIALS,
        request.foreign_probability,
    )
    .into_iter()
    .map(|p| ProblemDto {
        pointer: p.pointer,
        message: p.message,
    })
    .collect();
    refuse(problems)?;
    let home = home(&app)?;
    let state = app.clone();
    respond(
        &app,
        actor,
        mode,
        "montecarlo",
        Action::RunAnalysis,
        move |store, progress, _| {
            let engine = state.engines.get(store, home, progress)?;
            let scores = if request.scored {
                Some(analysis::scores(store, &engine, progress)?)
            } else {
                None
            };
            let probabilities = analysis::Probabilities::Foreign {
                p: request.foreign_probability,
                scores,
            };
            let m = analysis::montecarlo(
                &engine,
                &probabilities,
                request.trials,
                request.seed,
                progress,
            )?;
            Ok(MonteCarloDto {
                trials: m.trials,
                seed: m.seed,
                impact: m.impact.into(),
                ncf: m
                    .ncf
                    .into_iter()
                    .map(|n| NcfSpreadDto {
                        ncf: n.ncf.to_owned(),
                        degradation: n.degradation.into(),
                    })
                    .collect(),
                asset_failure_share: m
                    .asset_failure_share
                    .into_iter()
                    .map(|s| FailureShareDto {
                        asset: s.asset,
                        share: s.share,
                    })
                    .collect(),
            })
        },
    )
    .await
}

/// An N-2 contingency analysis.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContingencyRequestDto {
    /// Pairs among this many foreign assets of highest impact, 2 to 200; default 50.
    #[serde(default = "default_top")]
    pub top: usize,
    /// The worst this many pairs, 1 to 1000; default 20.
    #[serde(default = "default_pairs")]
    pub limit: usize,
}

fn default_top() -> usize {
    50
}

fn default_pairs() -> usize {
    20
}

/// Two assets failing together.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairDto {
    pub assets: [String; 2],
    pub joint_impact: f64,
    pub single_impacts: [f64; 2],
    /// Joint impact minus the larger single impact.
    pub over_max: f64,
    /// Joint impact minus the sum of the single impacts.
    pub over_sum: f64,
}

/// The worst pairs of foreign assets failing together (N-2).
#[utoipa::path(post, path = "/api/v1/analysis/contingency", tag = "analysis",
    request_body(content = ContingencyRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The worst pairs, worst first", body = Vec<PairDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "top or limit out of bounds", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn contingency(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: axum::body::Body,
) -> Result<Json<Vec<PairDto>>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let request: ContingencyRequestDto = json_body(body, MAX_ANALYSIS_BODY).await?;
    let mut problems = Vec::new();
    check(
        &mut problems,
        (2..=MAX_CONTINGENCY_TOP).contains(&request.top),
        "/top",
        format!("top {} is not in 2..={MAX_CONTINGENCY_TOP}", request.top),
    );
    check(
        &mut problems,
        (1..=MAX_CONTINGENCY_PAIRS).contains(&request.limit),
        "/limit",
        format!(
            "limit {} is not in 1..={MAX_CONTINGENCY_PAIRS}",
            request.limit
        ),
    );
    refuse(problems)?;
    let pairs = with_engine(&app, move |_, engine| {
        analysis::contingency(engine, request.top, request.limit, &())
    })
    .await?;
    Ok(Json(
        pairs
            .into_iter()
            .map(|p| PairDto {
                assets: p.assets,
                joint_impact: p.joint_impact,
                single_impacts: p.single_impacts,
                over_max: p.over_max,
                over_sum: p.over_sum,
            })
            .collect(),
    ))
}

/// An IIM run over the sector matrix derived from the atlas.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IimRequestDto {
    /// Demand perturbation c* per sector id (at most 100).
    #[serde(default)]
    pub perturb: BTreeMap<String, f64>,
    /// Output per step per sector id, for the economic loss (at most 100).
    #[serde(default)]
    pub output: BTreeMap<String, f64>,
    /// DIIM steps, 0 (static only) to 1000.
    #[serde(default)]
    pub steps: usize,
    /// Steps for a sector to recover 99 %; default 30.
    #[serde(default = "default_recovery")]
    pub recovery_steps: f64,
}

fn default_recovery() -> f64 {
    30.0
}

/// One sector's static inoperability.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectorInoperabilityDto {
    pub sector: String,
    pub c_star: f64,
    pub q: f64,
    /// `q × output`.
    pub loss: f64,
}

/// The DIIM trajectory and its losses.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiimDto {
    /// Per step, per sector.
    pub q: Vec<Vec<f64>>,
    pub cumulative_loss: Vec<f64>,
    pub per_sector_loss: Vec<f64>,
}

/// An IIM run's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct IimDto {
    pub sectors: Vec<SectorInoperabilityDto>,
    /// Static economic loss per period.
    pub loss: f64,
    /// With `steps` > 0.
    pub dynamic: Option<DiimDto>,
}

/// Sector inoperability (IIM; DIIM with `steps`) over the atlas's sector interdependencies.
#[utoipa::path(post, path = "/api/v1/analysis/iim", tag = "analysis",
    request_body(content = IimRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The inoperability per sector", body = IimDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "An unknown sector, bounds exceeded, a matrix the IIM cannot solve", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn iim(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: axum::body::Body,
) -> Result<Json<IimDto>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let request: IimRequestDto = json_body(body, MAX_ANALYSIS_BODY).await?;
    iim_run(&app, request).await
}

/// The static IIM of the atlas without perturbation: its sectors and their interdependency.
#[utoipa::path(get, path = "/api/v1/analysis/iim", tag = "analysis",
    responses(
        (status = 200, description = "The inoperability per sector", body = IimDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read analyses", body = ErrorDto),
        (status = 422, description = "A matrix the IIM cannot solve", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn iim_static(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<IimDto>, RestError> {
    authorize(&actor, Action::ReadAnalysis)?;
    iim_run(&app, IimRequestDto::default()).await
}

async fn iim_run(app: &AppState, request: IimRequestDto) -> Result<Json<IimDto>, RestError> {
    let mut problems = Vec::new();
    check(
        &mut problems,
        request.perturb.len() <= MAX_IIM_SECTORS,
        "/perturb",
        format!("at most {MAX_IIM_SECTORS} sectors"),
    );
    check(
        &mut problems,
        request.output.len() <= MAX_IIM_SECTORS,
        "/output",
        format!("at most {MAX_IIM_SECTORS} sectors"),
    );
    check(
        &mut problems,
        request.steps <= MAX_IIM_STEPS,
        "/steps",
        format!("steps {} is not in 0..={MAX_IIM_STEPS}", request.steps),
    );
    refuse(problems)?;
    let options = analysis::IimOptions {
        perturb: request.perturb.into_iter().collect(),
        output: request.output.into_iter().collect(),
        steps: request.steps,
        recovery_steps: request.recovery_steps,
    };
    let r = with_engine(app, move |_, engine| {
        analysis::iim(analysis::Matrix::Atlas(engine), &options)
    })
    .await?;
    Ok(Json(IimDto {
        sectors: r
            .sectors
            .into_iter()
            .map(|s| SectorInoperabilityDto {
                sector: s.sector,
                c_star: s.c_star,
                q: s.q,
                loss: s.loss,
            })
            .collect(),
        loss: r.loss,
        dynamic: r.dynamic.map(|d| DiimDto {
            q: d.q,
            cumulative_loss: d.cumulative_loss,
            per_sector_loss: d.per_sector_loss,
        }),
    }))
}

/// A percolation study of interdependent Erdős–Rényi networks (Buldyrev et al.).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PercolationRequestDto {
    /// Nodes per network, 100 to 1000000; default 100000.
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    /// Mean degree ⟨k⟩ of each network, in (0, 50]; default 4.
    #[serde(default = "default_mean_degree")]
    pub mean_degree: f64,
    /// Realisations, 1 to 64; default 8.
    #[serde(default = "default_realisations")]
    pub realisations: u64,
    /// Default 42.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_nodes() -> usize {
    100_000
}

fn default_mean_degree() -> f64 {
    4.0
}

fn default_realisations() -> u64 {
    8
}

/// The critical fraction of nodes below which the mutual giant component collapses.
#[derive(Debug, Serialize, ToSchema)]
pub struct PercolationDto {
    pub nodes: u64,
    pub mean_degree: f64,
    pub realisations: u64,
    pub seed: u64,
    /// Mean critical point over the realisations that have one.
    pub p_c: f64,
    /// Per realisation; null without a mutual giant component even with every node present.
    pub p_c_each: Vec<Option<f64>>,
    /// `2.4554 / ⟨k⟩`.
    pub p_c_theory: f64,
    pub seconds: f64,
}

/// The most nodes and realisations of a percolation study.
pub const MAX_PERCOLATION_NODES: usize = 1_000_000;
pub const MAX_REALISATIONS: u64 = 64;

/// The critical point of interdependent random networks (a study of the model, not of the
/// atlas).
#[utoipa::path(post, path = "/api/v1/analysis/percolation", tag = "analysis", params(AsyncParams),
    request_body(content = PercolationRequestDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The critical point", body = PercolationDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Bounds exceeded, or no realisation percolates", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn percolation(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
    body: axum::body::Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let request: PercolationRequestDto = json_body(body, MAX_ANALYSIS_BODY).await?;
    let mut problems = Vec::new();
    check(
        &mut problems,
        (100..=MAX_PERCOLATION_NODES).contains(&request.nodes),
        "/nodes",
        format!(
            "nodes {} is not in 100..={MAX_PERCOLATION_NODES}",
            request.nodes
        ),
    );
    check(
        &mut problems,
        request.mean_degree > 0.0 && request.mean_degree <= 50.0,
        "/mean_degree",
        format!("{} is not in (0, 50]", request.mean_degree),
    );
    check(
        &mut problems,
        (1..=MAX_REALISATIONS).contains(&request.realisations),
        "/realisations",
        format!(
            "realisations {} is not in 1..={MAX_REALISATIONS}",
            request.realisations
        ),
    );
    refuse(problems)?;
    respond(
        &app,
        actor,
        mode,
        "percolation",
        Action::RunAnalysis,
        move |_, progress, _| {
            let p = analysis::percolation(
                request.nodes,
                request.mean_degree,
                request.realisations,
                request.seed,
                progress,
            )?;
            Ok(PercolationDto {
                nodes: p.nodes as u64,
                mean_degree: p.mean_degree,
                realisations: p.realisations,
                seed: p.seed,
                p_c: p.p_c,
                p_c_each: p.p_c_each,
                p_c_theory: p.p_c_theory,
                seconds: p.seconds,
            })
        },
    )
    .await
}
