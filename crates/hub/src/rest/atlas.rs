//! The atlas over REST: asset search and detail, statistics, import and export (all through
//! [`app::atlas`]). Partners are refused (403): the atlas is the installation's own.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::jobs::{AsyncParams, JobDto, Mode, respond};
use super::session::Caller;
use super::{ErrorDto, Page, Paging, ProblemDto, RestError, authorize, page, query, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assets", get(search))
        .route("/api/v1/assets/{id}", get(show))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/atlas/import", post(import))
        .route("/api/v1/atlas/export", get(export))
}

/// An asset of the atlas, as Meridian JSON writes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssetDto {
    /// The user's stable key (`cable:tpc-5`).
    pub id: String,
    pub name: String,
    /// `facility`, `network`, `system`, `service`, `supply`, `route`, or any other word.
    pub kind: String,
    /// ISO 3166-1 alpha-2, or `ZZ` for international / space.
    pub country: String,
    pub owner: String,
    pub operator: String,
    /// Sector ids (`ENERGY`).
    pub sectors: Vec<String>,
    /// NCF ids (`NCF-D01`) the asset directly supports.
    pub ncfs: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Package URLs and/or CPE 2.3 names of what the asset runs.
    pub products: Vec<String>,
    /// Share of the NCFs it supports; null means 1.
    pub weight: Option<f64>,
    /// `open`, `controlled` or `small`.
    pub exposure: Option<String>,
    pub recovery_hours: Option<f64>,
    /// Country of the ultimate owner, when known.
    pub owner_country: Option<String>,
    pub tags: Vec<String>,
    /// Further properties, kept verbatim.
    pub attributes: BTreeMap<String, String>,
}

impl From<model::Asset> for AssetDto {
    fn from(a: model::Asset) -> AssetDto {
        AssetDto {
            id: a.id,
            name: a.name,
            kind: a.kind,
            country: a.country,
            owner: a.owner,
            operator: a.operator,
            sectors: a.sectors,
            ncfs: a.ncfs,
            lat: a.lat,
            lon: a.lon,
            products: a.products,
            weight: a.weight,
            exposure: a.exposure.map(|e| e.as_str().to_owned()),
            recovery_hours: a.recovery_hours,
            owner_country: a.owner_country,
            tags: a.tags,
            attributes: a.attributes,
        }
    }
}

/// A dependency: `dependent` needs `provider`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DependencyDto {
    pub dependent: String,
    pub provider: String,
    /// `physical`, `cyber`, `geographic` or `logical`.
    pub kind: Option<String>,
    /// Redundancy group within the dependent; null means the provider's own id.
    pub group: Option<String>,
    /// Share of the provider's inoperability passed on, in (0, 1]; null means 1.
    pub strength: Option<f64>,
    /// Hours the dependent runs without the provider; null means 0.
    pub tolerance_hours: Option<f64>,
    pub attributes: BTreeMap<String, String>,
}

impl From<model::Dependency> for DependencyDto {
    fn from(d: model::Dependency) -> DependencyDto {
        DependencyDto {
            dependent: d.dependent,
            provider: d.provider,
            kind: d.kind.map(|k| k.as_str().to_owned()),
            group: d.group,
            strength: d.strength,
            tolerance_hours: d.tolerance_hours,
            attributes: d.attributes,
        }
    }
}

/// A whole atlas in Meridian JSON (`meridian export --format json`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AtlasDto {
    pub assets: Vec<AssetDto>,
    pub dependencies: Vec<DependencyDto>,
}

/// The query of `GET /api/v1/assets`; every condition given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Case-insensitive substring of the id or the name.
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2 code, any case.
    pub country: Option<String>,
    /// Sector id (`ENERGY`), any case.
    pub sector: Option<String>,
    /// NCF id (`NCF-D01`), any case.
    pub ncf: Option<String>,
    /// Case-insensitive substring of one of the asset's products.
    pub product: Option<String>,
    /// An asset kind present in the atlas, any case.
    pub kind: Option<String>,
    /// Only assets outside the home country.
    pub foreign: Option<bool>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// Searches the atlas, by asset id.
#[utoipa::path(get, path = "/api/v1/assets", tag = "atlas", params(SearchParams),
    responses(
        (status = 200, description = "A page of matching assets, by id", body = Page<AssetDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the atlas", body = ErrorDto),
        (status = 422, description = "An unknown filter value (the message lists the valid ones), a bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn search(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AssetDto>>, RestError> {
    authorize(&actor, Action::ReadAtlas)?;
    let params: SearchParams = query(raw.as_deref())?;
    let paging = Paging {
        limit: params.limit,
        cursor: params.cursor.clone(),
    };
    let (limit, after) = match (paging.limit(), paging.after()) {
        (Ok(limit), Ok(after)) => (limit, after),
        (limit, after) => {
            let problems: Vec<ProblemDto> =
                [limit.err(), after.err()].into_iter().flatten().collect();
            return Err(RestError::invalid("invalid", problems));
        }
    };
    let search = app::atlas::Query {
        text: params.q,
        country: params.country,
        sector: params.sector,
        ncf: params.ncf,
        product: params.product,
        kind: params.kind,
        foreign: params.foreign.unwrap_or(false),
        after,
    };
    let home = app.home.clone();
    let found = run(&app, move |store| {
        Ok(app::atlas::search(store, &home, &search, limit + 1, 0)?)
    })
    .await?;
    Ok(Json(page(found, limit, |a| &a.id, AssetDto::from)))
}

/// An asset with its surroundings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetDetailDto {
    pub asset: AssetDto,
    /// Outside the home country.
    pub foreign: bool,
    /// In the home country, ultimately owned from abroad.
    pub foreign_owned: bool,
    /// What the asset depends on, by provider id.
    pub depends_on: Vec<DependencyDto>,
    /// What depends on the asset, by dependent id.
    pub dependents: Vec<DependencyDto>,
    /// The incidents naming the asset.
    pub incidents: Vec<IncidentDto>,
    /// Its place in the latest stored priority ranking; null when none ranks it.
    pub rank: Option<RankDto>,
}

/// An incident naming an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: String,
    /// `cyber` or `physical`.
    pub kind: String,
    pub category: String,
    /// 1 (lowest) to 5.
    pub severity: u8,
    pub occurred_at: String,
    pub reported_at: String,
    pub reporter: String,
}

/// An asset's row in a stored priority ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankDto {
    /// 1-based position.
    pub rank: u32,
    /// How many assets the ranking ranked.
    pub of: u64,
    pub priority: f64,
    pub impact: f64,
    pub exposure: f64,
    pub threat: f64,
    /// The ranking run and when it ran.
    pub run: i64,
    pub ranked_at: String,
}

/// One asset with its providers, dependents, incidents and latest rank.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "atlas",
    params(("id" = String, Path, description = "The asset id")),
    responses(
        (status = 200, description = "The asset", body = AssetDetailDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the atlas", body = ErrorDto),
        (status = 404, description = "No such asset", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn show(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<AssetDetailDto>, RestError> {
    authorize(&actor, Action::ReadAtlas)?;
    let home = app.home.clone();
    let detail = run(&app, move |store| {
        Ok(app::atlas::show(
            store,
            &home,
            &id,
            app::atlas::Window::ALL,
        )?)
    })
    .await?;
    let deps = |list: Vec<model::Dependency>| list.into_iter().map(DependencyDto::from).collect();
    Ok(Json(AssetDetailDto {
        foreign: detail.foreign,
        foreign_owned: detail.foreign_owned,
        depends_on: deps(detail.depends_on),
        dependents: deps(detail.dependents),
        incidents: detail
            .incidents
            .into_iter()
            .map(|i| IncidentDto {
                id: i.id,
                kind: i.report.kind.as_str().to_owned(),
                category: i.report.category,
                severity: i.report.severity,
                occurred_at: i.report.occurred_at,
                reported_at: i.report.reported_at,
                reporter: i.report.reporter,
            })
            .collect(),
        rank: detail.rank.map(|r| RankDto {
            rank: r.entry.rank,
            of: r.of,
            priority: r.entry.priority,
            impact: r.entry.impact,
            exposure: r.entry.exposure,
            threat: r.entry.threat,
            run: r.run,
            ranked_at: r.ranked_at,
        }),
        asset: detail.asset.into(),
    }))
}

/// The number of assets with one value (a kind, country, sector or NCF).
#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub id: String,
    pub assets: u64,
}

/// Counts over the whole atlas.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDto {
    pub assets: u64,
    pub dependencies: u64,
    /// Assets outside the home country.
    pub foreign: u64,
    /// Domestic assets whose ultimate owner is foreign.
    pub foreign_owned: u64,
    pub by_kind: Vec<CountDto>,
    pub by_country: Vec<CountDto>,
    pub by_sector: Vec<CountDto>,
    pub by_ncf: Vec<CountDto>,
}

/// Counts over the whole atlas, as `meridian stats --json` prints them.
#[utoipa::path(get, path = "/api/v1/stats", tag = "atlas",
    responses(
        (status = 200, description = "The counts", body = StatsDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the atlas", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn stats(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<StatsDto>, RestError> {
    authorize(&actor, Action::ReadAtlas)?;
    let home = app.home.clone();
    let stats = run(&app, move |store| Ok(app::atlas::stats(store, &home)?)).await?;
    let counts = |m: BTreeMap<String, u64>| {
        m.into_iter()
            .map(|(id, assets)| CountDto { id, assets })
            .collect()
    };
    Ok(Json(StatsDto {
        assets: stats.assets,
        dependencies: stats.dependencies,
        foreign: stats.foreign,
        foreign_owned: stats.foreign_owned,
        by_kind: counts(stats.by_kind),
        by_country: counts(stats.by_country),
        by_sector: counts(stats.by_sector),
        by_ncf: counts(stats.by_ncf),
    }))
}

/// What an import changed for one kind of record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsDto {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl From<store::Counts> for CountsDto {
    fn from(c: store::Counts) -> CountsDto {
        CountsDto {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

/// What an import changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    pub assets: CountsDto,
    pub dependencies: CountsDto,
}

/// Imports an atlas in Meridian JSON: assets upserted by id, dependencies by their two ends,
/// all or nothing.
#[utoipa::path(post, path = "/api/v1/atlas/import", tag = "atlas", params(AsyncParams),
    request_body(content = AtlasDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored, all of it", body = ImportReportDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to import (partners never are)", body = ErrorDto),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorDto),
        (status = 422, description = "Problems, each located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(app): State<AppState>,
    Caller(actor): Caller,
    mode: Mode,
    body: Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ImportAtlas)?;
    let bytes = super::body_bytes(&app, body).await?;
    if let Some(pointer) = crate::guard::nul_pointer(&bytes) {
        return Err(RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer,
                message: "the string holds a NUL character (\\u0000)".to_owned(),
            }],
        ));
    }
    respond(
        &app,
        actor,
        mode,
        "atlas_import",
        Action::ImportAtlas,
        move |store, progress, actor| {
            progress.start("parsing", None);
            let parsed = app::atlas::parse_json(&bytes)?;
            progress.start("importing", None);
            progress.go_on()?;
            let report = app::atlas::import(store, actor, &parsed, app::atlas::Located::Json)?;
            progress.finish();
            Ok(ImportReportDto {
                assets: report.assets.into(),
                dependencies: report.dependencies.into(),
            })
        },
    )
    .await
}

/// The whole atlas in Meridian JSON, in canonical order: what `meridian export --format json`
/// writes, and what the import reads.
#[utoipa::path(get, path = "/api/v1/atlas/export", tag = "atlas",
    responses(
        (status = 200, description = "The atlas", body = AtlasDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to export (partners never are)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn export(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ExportAtlas)?;
    let bytes = run(&app, |store| Ok(app::atlas::export_json(store)?)).await?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
