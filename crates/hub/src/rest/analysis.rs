//! The analyses over REST (all through [`app::analysis`]): the stored priority ranking read
//! without recomputing it, its explanation, and storing a new one. Partners are refused (403).
//! Every computation runs on the blocking pool with a pooled store.

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session::Caller;
use super::{ErrorDto, Paging, ProblemDto, RestError, authorize, query, run};
use crate::AppState;
use app::analysis;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rank", get(stored_rank).post(store_rank))
        .route("/api/v1/rank/{asset}/explain", get(explain))
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
        (status = 422, description = "A bad limit, offset or cursor", body = ErrorDto),
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
#[utoipa::path(post, path = "/api/v1/rank", tag = "analysis",
    responses(
        (status = 200, description = "Computed and stored", body = StoredRunDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to run analyses (partners never are)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn store_rank(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<StoredRunDto>, RestError> {
    authorize(&actor, Action::RunAnalysis)?;
    let home = home(&app)?;
    let ranking = run(&app, move |store| {
        let engine = analysis::Engine::load(store, home, &())?;
        let scores = analysis::scores(store, home, &())?;
        Ok(analysis::rank(store, &engine, &scores, true, &actor)?)
    })
    .await?;
    Ok(Json(StoredRunDto {
        run: ranking.stored.unwrap_or_default(),
        entries: ranking.rows.len() as u64,
        compared: ranking.compared,
    }))
}

/// An NCF an asset's single failure degrades.
#[derive(Debug, Serialize, ToSchema)]
pub struct NcfShareDto {
    pub ncf: String,
    pub name: String,
    /// Final degradation in [0, 1].
    pub degradation: f64,
}

/// An active vulnerability finding behind an asset's exposure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainedFindingDto {
    pub cve: String,
    /// The inventory item matched.
    pub item: String,
    /// `Track`, `Track*`, `Attend` or `Act`.
    pub decision: String,
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
    let home = home(&app)?;
    let e = run(&app, move |store| {
        let engine = analysis::Engine::load(store, home, &())?;
        let scores = analysis::scores(store, home, &())?;
        let attacked = app::incidents::attacked_assets(&store.incidents()?);
        let context = app::intel::Context {
            home,
            attacked: &attacked,
            progress: &(),
        };
        Ok(analysis::explain(store, &engine, &scores, context, &asset)?)
    })
    .await?;
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
                decision: f.decision.to_string(),
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
                kind: i.kind,
                category: i.category,
                severity: i.severity,
                occurred_at: i.occurred_at,
            })
            .collect(),
    }))
}
