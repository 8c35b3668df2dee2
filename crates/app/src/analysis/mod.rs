//! The §2 analyses over the in-memory graph: summary, exposure, cascade, single points of
//! failure, the priority ranking (computed, stored and read back), explanations, scenarios,
//! Monte Carlo, N-2 contingency, sector inoperability (IIM) and coupled-network percolation.
//!
//! The atlas is loaded from the store once per use case as an [`Engine`]: the `CompactAtlas`,
//! its `graph::csr::Graph` for the home country, and asset ids resolved to graph indices. A
//! server keeps it between requests in an [`EngineCache`].

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use graph::csr::Graph;
use model::CompactAtlas;
use serde::Serialize;

use crate::{Actor, Error, Progress, Result};

mod cache;
#[cfg(test)]
mod tests;

pub use cache::EngineCache;

/// The loaded atlas: its columns, the CSR graph, and the id → index map.
pub struct Engine {
    pub atlas: CompactAtlas,
    pub graph: Graph,
    home: [u8; 2],
    index: HashMap<String, u32>,
    load_seconds: f64,
    build_seconds: f64,
}

impl Engine {
    /// Loads the atlas from `store` and builds its graph for the `home` country (ISO alpha-2).
    pub fn load(
        store: &mut store::Store,
        home: [u8; 2],
        progress: &dyn Progress,
    ) -> Result<Engine> {
        progress.start("loading", None);
        let started = Instant::now();
        let atlas = store.load_compact()?;
        let load_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let graph = Graph::new(&atlas, home);
        let build_seconds = started.elapsed().as_secs_f64();
        progress.finish();
        let index = atlas
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i as u32))
            .collect();
        Ok(Engine {
            atlas,
            graph,
            home,
            index,
            load_seconds,
            build_seconds,
        })
    }

    /// The graph index of asset `id`.
    pub fn resolve(&self, id: &str) -> Result<u32> {
        self.index.get(id).copied().ok_or_else(|| Error::NotFound {
            what: "asset",
            id: id.to_owned(),
        })
    }

    /// The id of the asset at graph index `a`.
    pub fn id(&self, a: u32) -> &str {
        &self.atlas.ids[a as usize]
    }

    /// The country (ISO alpha-2) of the asset at graph index `a`.
    pub fn country(&self, a: u32) -> String {
        String::from_utf8_lossy(&self.atlas.country[a as usize]).into_owned()
    }

    /// The home country the graph was built for.
    pub fn home(&self) -> &str {
        std::str::from_utf8(&self.home).unwrap_or("??")
    }
}

fn ncf_id(index: u8) -> &'static str {
    model::ncfs()[index as usize].id
}

/// An engine's refusal of its input, reported at `pointer`.
fn refused(pointer: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(pointer, e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Summary, exposure, cascade, single points of failure.

/// The graph's size and structure, and how long loading and analysing it took.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub assets: usize,
    pub dependencies: usize,
    pub groups: usize,
    pub foreign: usize,
    pub pure_and: bool,
    pub strongly_connected_components: usize,
    pub largest_scc: usize,
    pub weakly_connected_components: usize,
    pub load_seconds: f64,
    pub build_seconds: f64,
    pub scc_wcc_seconds: f64,
}

/// Size and structure of the loaded graph.
pub fn summary(engine: &Engine) -> Summary {
    let g = &engine.graph;
    let started = Instant::now();
    let cond = graph::scc::Condensation::new(g);
    let largest_scc = (0..cond.count() as u32)
        .map(|c| cond.size(c))
        .max()
        .unwrap_or(0);
    let wcc = graph::closure::weak_components(g);
    let scc_wcc_seconds = started.elapsed().as_secs_f64();
    Summary {
        assets: g.asset_count(),
        dependencies: engine.atlas.edge_count(),
        groups: g.group_count(),
        foreign: (0..g.asset_count() as u32)
            .filter(|&a| g.is_foreign(a))
            .count(),
        pure_and: g.is_pure_and(),
        strongly_connected_components: cond.count(),
        largest_scc: largest_scc as usize,
        weakly_connected_components: wcc.len(),
        load_seconds: engine.load_seconds,
        build_seconds: engine.build_seconds,
        scc_wcc_seconds,
    }
}

/// A foreign asset in a target's dependency closure.
#[derive(Clone, Debug, Serialize)]
pub struct Exposed {
    pub asset: String,
    pub country: String,
    /// The target fails when this asset alone fails.
    pub single_point_of_failure: bool,
    /// The shortest dependency path from the target to the asset, both included.
    pub path: Vec<String>,
}

/// The foreign assets in the transitive dependency closure of `target`: an NCF id (`NCF-D01`),
/// a sector id (`ENERGY`) or an asset id.
pub fn exposure(engine: &Engine, target: &str) -> Result<Vec<Exposed>> {
    let target = if let Some(i) = model::ncf_index(target) {
        graph::exposure::Target::Ncf(i as u8)
    } else if let Some(i) = model::sector_index(target) {
        graph::exposure::Target::Sector(i as u8)
    } else {
        graph::exposure::Target::Asset(engine.resolve(target).map_err(|_| {
            Error::invalid(
                "/target",
                format!("{target:?} is neither an NCF id, a sector id nor an asset id"),
            )
        })?)
    };
    Ok(graph::exposure::exposure(&engine.graph, target)
        .into_iter()
        .map(|e| Exposed {
            asset: engine.id(e.asset).to_owned(),
            country: engine.country(e.asset),
            single_point_of_failure: e.single_point_of_failure,
            path: e.path.iter().map(|&a| engine.id(a).to_owned()).collect(),
        })
        .collect())
}

/// One failed asset of a cascade.
#[derive(Clone, Debug, Serialize)]
pub struct Failed {
    pub asset: String,
    pub time_hours: f64,
    /// The provider whose failure caused it; `None` for the assets failing at t = 0.
    pub cause: Option<String>,
}

/// One NCF's degradation over a cascade.
#[derive(Clone, Debug, Serialize)]
pub struct NcfDegradation {
    pub ncf: &'static str,
    /// The final degradation, in [0, 1].
    pub degradation: f64,
    /// `[time in hours, degradation]` at each change.
    pub timeline: Vec<[f64; 2]>,
}

/// A deterministic cascade: every failed asset, each NCF's degradation, and the impact (the sum
/// of the NCF degradations).
#[derive(Clone, Debug, Serialize)]
pub struct Cascade {
    pub failed: Vec<Failed>,
    pub ncf: Vec<NcfDegradation>,
    pub impact: f64,
}

/// Fails `assets` at t = 0 and follows the cascade.
pub fn cascade(engine: &Engine, assets: &[String]) -> Result<Cascade> {
    let initial = assets
        .iter()
        .map(|id| engine.resolve(id))
        .collect::<Result<Vec<u32>>>()?;
    Ok(cascade_of(engine, &initial))
}

fn cascade_of(engine: &Engine, initial: &[u32]) -> Cascade {
    let result = graph::cascade::cascade(&engine.graph, initial);
    Cascade {
        failed: result
            .failed
            .iter()
            .map(|f| Failed {
                asset: engine.id(f.asset).to_owned(),
                time_hours: f.time_hours,
                cause: f.cause.map(|c| engine.id(c).to_owned()),
            })
            .collect(),
        ncf: result
            .ncf_timeline
            .iter()
            .map(|t| NcfDegradation {
                ncf: ncf_id(t.ncf),
                degradation: t.steps.last().map_or(0.0, |s| s.degradation),
                timeline: t
                    .steps
                    .iter()
                    .map(|s| [s.time_hours, s.degradation])
                    .collect(),
            })
            .collect(),
        impact: result.impact,
    }
}

/// The domestic assets that one asset alone takes down.
#[derive(Clone, Debug, Serialize)]
pub struct SpofOf {
    pub asset: String,
    pub domestic_down: Vec<String>,
}

/// The domestic assets that `asset` alone takes down.
pub fn spof_of(engine: &Engine, asset: &str) -> Result<SpofOf> {
    let down = graph::spof::of(&engine.graph, engine.resolve(asset)?);
    Ok(SpofOf {
        asset: asset.to_owned(),
        domestic_down: down.into_iter().map(|a| engine.id(a).to_owned()).collect(),
    })
}

/// A single point of failure: an asset that alone takes down domestic assets.
#[derive(Clone, Debug, Serialize)]
pub struct Spof {
    pub asset: String,
    pub foreign: bool,
    /// How many domestic assets it alone takes down.
    pub domestic_down: usize,
    /// Its single-failure impact.
    pub impact: f64,
}

/// Every asset that alone takes down at least one domestic asset, most domestic assets first,
/// then by impact.
pub fn spofs(engine: &Engine) -> Vec<Spof> {
    let g = &engine.graph;
    let mut rows = graph::spof::summary(g, &(0..g.asset_count() as u32).collect::<Vec<_>>());
    rows.retain(|r| r.domestic_down > 0);
    rows.sort_by(|a, b| {
        b.domestic_down
            .cmp(&a.domestic_down)
            .then(b.impact.total_cmp(&a.impact))
            .then(a.asset.cmp(&b.asset))
    });
    rows.iter()
        .map(|r| Spof {
            asset: engine.id(r.asset).to_owned(),
            foreign: g.is_foreign(r.asset),
            domestic_down: r.domestic_down as usize,
            impact: r.impact,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The priority ranking.

/// The ranking's inputs besides the graph: per asset id, exposure (vulnerability findings, §3;
/// [`scores`] gives it for the ranked assets only) and threat (incidents and sightings, §4),
/// each in [0, 1]; an absent asset scores 0.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    pub exposure: HashMap<String, f64>,
    pub threat: HashMap<String, f64>,
}

impl Scores {
    fn of(&self, asset: &str) -> (f64, f64) {
        let score = |m: &HashMap<String, f64>| m.get(asset).copied().unwrap_or(0.0);
        (score(&self.exposure), score(&self.threat))
    }
}

/// The ranking's stored inputs: exposure from the intel findings (none without an intel
/// document) of the assets the ranking covers (foreign or foreign-owned), judged on `engine`
/// (the atlas as stored), threat from the incidents (`crate::incidents::stored_threat_scores`).
pub fn scores(
    store: &mut store::Store,
    engine: &Engine,
    progress: &dyn Progress,
) -> Result<Scores> {
    let exposure = if store.intel_documents()?.is_empty() {
        HashMap::new()
    } else {
        let attacked = crate::incidents::attacked_assets(&store.incidents()?);
        let context = crate::intel::Context {
            home: engine.home,
            attacked: &attacked,
            progress,
        };
        let graph = &engine.graph;
        crate::intel::exposure_scores(store, context, engine, |a| graph.is_ranked(a))?
    };
    Ok(Scores {
        exposure,
        threat: crate::incidents::stored_threat_scores(store)?,
    })
}

/// The priority of an asset: `impact × (1 + exposure) × (1 + threat)`. Without findings and
/// incidents it equals the impact.
pub fn priority(impact: f64, exposure: f64, threat: f64) -> f64 {
    impact * (1.0 + exposure) * (1.0 + threat)
}

/// One row of the priority ranking ([`priority`]), with exposure (vulnerability findings, §3:
/// `intel::exposure_scores`) and threat (incidents and sightings, §4:
/// `1 − Π(1 − s_i/5 · 2^(−age_i/90 d))`) in [0, 1].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankRow {
    pub rank: usize,
    /// Rank in the previous stored ranking for this home country, when the asset was in it.
    pub previous_rank: Option<u32>,
    pub asset: String,
    pub country: String,
    pub foreign_owned: bool,
    pub impact: f64,
    pub exposure: f64,
    pub threat: f64,
    pub priority: f64,
}

impl RankRow {
    /// Places gained since the previous ranking (negative: lost); `None` when the asset was not
    /// in it.
    pub fn movement(&self) -> Option<i64> {
        self.previous_rank.map(|p| i64::from(p) - self.rank as i64)
    }
}

/// The exact priority ranking of every foreign (and foreign-owned) asset, highest priority
/// first (ties by asset id), without comparison to a stored ranking.
pub fn ranking(engine: &Engine, scores: &Scores) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = graph::rank::rank(&engine.graph)
        .into_iter()
        .map(|r| {
            let id = engine.id(r.asset);
            let (exposure, threat) = scores.of(id);
            RankRow {
                rank: 0,
                previous_rank: None,
                asset: id.to_owned(),
                country: engine.country(r.asset),
                foreign_owned: r.foreign_owned,
                impact: r.impact,
                exposure,
                threat,
                priority: priority(r.impact, exposure, threat),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.asset.cmp(&b.asset))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

/// A computed ranking compared with the previous stored one.
#[derive(Clone, Debug)]
pub struct Ranking {
    pub rows: Vec<RankRow>,
    /// A previous ranking for the home country existed: rows without `previous_rank` are new.
    pub compared: bool,
    /// The id of the stored ranking run, when it was stored.
    pub stored: Option<i64>,
}

/// Ranks every foreign asset, sets each row's `previous_rank` from the newest stored ranking
/// for the engine's home country, and stores the ranking in the history when `save`.
pub fn rank(
    store: &mut store::Store,
    engine: &Engine,
    scores: &Scores,
    save: bool,
    actor: &Actor,
) -> Result<Ranking> {
    let mut rows = ranking(engine, scores);
    let runs = store.ranking_runs()?;
    let previous = runs.iter().rev().find(|r| r.home == engine.home());
    if let Some(previous) = previous {
        let before: HashMap<String, u32> = store
            .ranking_entries(previous.id)?
            .into_iter()
            .map(|e| (e.asset, e.rank))
            .collect();
        for r in &mut rows {
            r.previous_rank = before.get(&r.asset).copied();
        }
    }
    let stored = if save {
        let entries: Vec<store::RankingEntry> = rows
            .iter()
            .map(|r| store::RankingEntry {
                rank: r.rank as u32,
                asset: r.asset.clone(),
                impact: r.impact,
                exposure: r.exposure,
                threat: r.threat,
                priority: r.priority,
            })
            .collect();
        let home = engine.home();
        let id = crate::audit::audited(
            store,
            actor,
            "ranking.store",
            |store| Ok(store.save_ranking(&crate::now(), home, &entries)?),
            |id| {
                (
                    vec![id.to_string()],
                    entries
                        .iter()
                        .fold(format!("ranking {id} for {home}\n"), |mut change, e| {
                            change.push_str(&format!(
                                "{} {} {} {} {} {}\n",
                                e.rank, e.asset, e.impact, e.exposure, e.threat, e.priority
                            ));
                            change
                        }),
                )
            },
        )?;
        tracing::info!(actor = %actor.audit_name(), run = id, entries = entries.len(), "ranking stored");
        Some(id)
    } else {
        None
    };
    Ok(Ranking {
        compared: previous.is_some(),
        rows,
        stored,
    })
}

/// What to read of the stored ranking: the newest run for `home` (or run `run`), the rows of
/// assets matching every given filter, one page of them.
#[derive(Clone, Debug, Default)]
pub struct RankQuery {
    /// The home country (ISO alpha-2) whose newest ranking to read.
    pub home: String,
    /// A given run instead of the newest one.
    pub run: Option<i64>,
    pub country: Option<String>,
    /// A sector id (`ENERGY`).
    pub sector: Option<String>,
    /// An NCF id (`NCF-D01`).
    pub ncf: Option<String>,
    pub kind: Option<String>,
    pub offset: usize,
    /// Rows of the page; `None` for every row from `offset`.
    pub limit: Option<usize>,
}

/// A stored ranking run, as listed.
#[derive(Clone, Debug, Serialize)]
pub struct RankRun {
    pub id: i64,
    pub created_at: String,
    pub atlas_version: i64,
    pub home: String,
    pub entries: u64,
}

impl From<store::RankingRun> for RankRun {
    fn from(r: store::RankingRun) -> RankRun {
        RankRun {
            id: r.id,
            created_at: r.created_at,
            atlas_version: r.atlas_version,
            home: r.home,
            entries: r.entries,
        }
    }
}

/// One page of a stored ranking.
#[derive(Clone, Debug, Serialize)]
pub struct StoredRanking {
    pub run: RankRun,
    /// The run the movement is measured against: the one before for the same home country.
    pub previous_run: Option<i64>,
    /// Rows matching the filters, over every page.
    pub total: usize,
    pub rows: Vec<RankRow>,
}

/// Reads a stored ranking without recomputing it: rank, asset, priority and its factors, and the
/// movement since the ranking before it. An asset deleted since has an empty country.
pub fn stored_ranking(store: &mut store::Store, query: &RankQuery) -> Result<StoredRanking> {
    let runs: Vec<store::RankingRun> = store
        .ranking_runs()?
        .into_iter()
        .filter(|r| r.home == query.home)
        .collect();
    let position = match query.run {
        Some(id) => runs
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| Error::NotFound {
                what: "ranking",
                id: id.to_string(),
            })?,
        None => runs.len().checked_sub(1).ok_or_else(|| Error::NotFound {
            what: "ranking for home country",
            id: query.home.clone(),
        })?,
    };
    let run = runs[position].clone();
    let previous_run = position.checked_sub(1).map(|p| runs[p].id);
    let limit = query.limit.unwrap_or(usize::MAX);
    let filtered = query.country.is_some()
        || query.sector.is_some()
        || query.ncf.is_some()
        || query.kind.is_some();
    let (total, page) = if filtered {
        // Checked as the atlas search checks them: an unknown value is a 422 naming the valid
        // ones, not an empty page.
        let search = crate::atlas::Query {
            country: query.country.clone(),
            sector: query.sector.clone(),
            ncf: query.ncf.clone(),
            kind: query.kind.clone(),
            ..Default::default()
        };
        let filter = crate::atlas::filter(store, &model::HomeCountry(query.home.clone()), &search)?;
        let matching: HashSet<String> = store
            .list_assets(&filter, u64::MAX, 0)?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let mut entries = store.ranking_entries(run.id)?;
        entries.retain(|e| matching.contains(&e.asset));
        let total = entries.len();
        (
            total,
            entries
                .into_iter()
                .skip(query.offset)
                .take(limit)
                .collect::<Vec<_>>(),
        )
    } else {
        // Only the page is read.
        let page = store.ranking_page(run.id, query.offset as u64, limit as u64)?;
        (usize::try_from(run.entries).unwrap_or(usize::MAX), page)
    };
    let ids: Vec<&str> = page.iter().map(|e| e.asset.as_str()).collect();
    let before = match previous_run {
        Some(id) => store
            .ranking_entries_of(id, &ids)?
            .into_iter()
            .map(|e| (e.asset, e.rank))
            .collect(),
        None => HashMap::new(),
    };
    let countries = store.asset_countries(&ids)?;
    let rows = page
        .into_iter()
        .map(|e| {
            let country = countries.get(&e.asset).cloned().unwrap_or_default();
            let previous_rank = before.get(&e.asset).copied();
            stored_row(e, previous_rank, country, &run.home)
        })
        .collect();
    Ok(StoredRanking {
        run: run.into(),
        previous_run,
        total,
        rows,
    })
}

/// A stored ranking entry as a row: `country` is the asset's (empty when deleted since).
fn stored_row(
    e: store::RankingEntry,
    previous_rank: Option<u32>,
    country: String,
    home: &str,
) -> RankRow {
    RankRow {
        rank: e.rank as usize,
        previous_rank,
        // The ranking holds foreign assets and domestic ones owned abroad.
        foreign_owned: country == home,
        country,
        asset: e.asset,
        impact: e.impact,
        exposure: e.exposure,
        threat: e.threat,
        priority: e.priority,
    }
}

/// `asset`'s row in the newest stored ranking for `home`, with its rank in the one before;
/// `None` when there is none or it does not hold the asset. Reads the asset's entries only.
fn newest_row(store: &mut store::Store, home: &str, asset: &str) -> Result<Option<RankRow>> {
    let runs: Vec<i64> = store
        .ranking_runs()?
        .into_iter()
        .filter(|r| r.home == home)
        .map(|r| r.id)
        .collect();
    let Some((&newest, older)) = runs.split_last() else {
        return Ok(None);
    };
    let Some(entry) = store.ranking_entry(newest, asset)? else {
        return Ok(None);
    };
    let previous_rank = match older.last() {
        Some(&run) => store.ranking_entry(run, asset)?.map(|e| e.rank),
        None => None,
    };
    let country = store
        .asset_countries(&[asset])?
        .remove(asset)
        .unwrap_or_default();
    Ok(Some(stored_row(entry, previous_rank, country, home)))
}

/// An asset's place in one stored ranking.
#[derive(Clone, Debug, Serialize)]
pub struct RankHistoryPoint {
    pub run: i64,
    pub created_at: String,
    pub atlas_version: i64,
    /// `None` when the asset was not in that ranking.
    pub rank: Option<u32>,
    pub priority: Option<f64>,
}

/// How `asset`'s rank moved across every stored ranking, oldest first.
pub fn rank_history(store: &mut store::Store, asset: &str) -> Result<Vec<RankHistoryPoint>> {
    let mut history = Vec::new();
    for run in store.ranking_runs()? {
        let entry = store.ranking_entry(run.id, asset)?;
        history.push(RankHistoryPoint {
            run: run.id,
            created_at: run.created_at,
            atlas_version: run.atlas_version,
            rank: entry.as_ref().map(|e| e.rank),
            priority: entry.as_ref().map(|e| e.priority),
        });
    }
    Ok(history)
}

// ---------------------------------------------------------------------------------------------
// Explanations.

/// One NCF an asset's single failure degrades, and by how much.
#[derive(Clone, Debug, Serialize)]
pub struct NcfShare {
    pub ncf: &'static str,
    pub name: &'static str,
    /// Final degradation in [0, 1]; the impact is the sum over NCFs.
    pub degradation: f64,
}

/// An incident or sighting naming the asset: what the threat factor rests on.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentRef {
    pub id: String,
    /// `cyber` or `physical`.
    pub kind: &'static str,
    pub category: String,
    pub severity: u8,
    pub occurred_at: String,
}

/// Why an asset ranks where it does: the factors of its priority and what is behind each.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub asset: String,
    pub country: String,
    pub foreign: bool,
    /// Its row in the newest stored ranking for the home country, with the movement.
    pub stored: Option<RankRow>,
    /// Its single-failure impact now: the sum of the NCF degradations below.
    pub impact: f64,
    pub exposure: f64,
    pub threat: f64,
    /// `impact × (1 + exposure) × (1 + threat)` now.
    pub priority: f64,
    /// The NCFs its failure degrades, most degraded first.
    pub ncfs: Vec<NcfShare>,
    /// How many assets fail with it.
    pub failed_with: usize,
    /// The domestic assets it alone takes down.
    pub domestic_down: Vec<String>,
    /// Its active vulnerability findings, most urgent first: the exposure rests on those that
    /// are not candidates ([`crate::intel::FindingRow::counts`]).
    pub findings: Vec<crate::intel::FindingRow>,
    /// The incidents and sightings naming it, newest first.
    pub incidents: Vec<IncidentRef>,
}

/// [`explain`] on `engine` and the findings and incidents as stored now: the asset's exposure
/// from its own findings (as [`scores`] computes a ranked asset's), its threat from the incidents.
/// What the CLI, the REST API and the web pages call.
pub fn explain_asset(
    store: &mut store::Store,
    engine: &Engine,
    progress: &dyn Progress,
    asset: &str,
) -> Result<Explanation> {
    let findings = crate::intel::with_context(store, engine.home, progress, |store, context| {
        asset_findings(store, engine, context, asset)
    })?;
    explain_with(store, engine, findings, asset)
}

/// [`explain_asset`] with the asset's active findings given, most urgent first (as a server
/// takes them from its [`crate::intel::FindingsCache`]).
pub fn explain_with(
    store: &mut store::Store,
    engine: &Engine,
    findings: Vec<crate::intel::FindingRow>,
    asset: &str,
) -> Result<Explanation> {
    let exposure = findings
        .iter()
        .filter_map(crate::intel::FindingRow::exposure)
        .fold(0.0, f64::max);
    let scores = Scores {
        exposure: HashMap::from([(asset.to_owned(), exposure)]),
        threat: crate::incidents::stored_threat_scores(store)?,
    };
    explained(store, engine, &scores, findings, asset)
}

/// Explains `asset`'s priority: its impact broken down by NCF, its exposure and threat, the
/// findings and incidents behind them, and its row in the newest stored ranking. `context` is
/// the one `scores.exposure` was computed in.
pub fn explain(
    store: &mut store::Store,
    engine: &Engine,
    scores: &Scores,
    context: crate::intel::Context<'_>,
    asset: &str,
) -> Result<Explanation> {
    let findings = asset_findings(store, engine, context, asset)?;
    explained(store, engine, scores, findings, asset)
}

/// The active findings on `asset`, most urgent first; none without an intel document.
fn asset_findings(
    store: &mut store::Store,
    engine: &Engine,
    context: crate::intel::Context<'_>,
    asset: &str,
) -> Result<Vec<crate::intel::FindingRow>> {
    engine.resolve(asset)?;
    if store.intel_documents()?.is_empty() {
        return Ok(Vec::new());
    }
    let query = crate::intel::FindingQuery {
        asset: Some(asset.to_owned()),
        ..Default::default()
    };
    Ok(crate::intel::findings_on(store, context, Some(engine), &query)?.rows)
}

/// [`explain`] with the asset's `findings` found.
fn explained(
    store: &mut store::Store,
    engine: &Engine,
    scores: &Scores,
    findings: Vec<crate::intel::FindingRow>,
    asset: &str,
) -> Result<Explanation> {
    let a = engine.resolve(asset)?;
    let cascade = cascade_of(engine, &[a]);
    let mut ncfs: Vec<NcfShare> = cascade
        .ncf
        .iter()
        .filter(|n| n.degradation > 0.0)
        .map(|n| NcfShare {
            ncf: n.ncf,
            name: model::ncf(n.ncf).map_or("", |x| x.name),
            degradation: n.degradation,
        })
        .collect();
    ncfs.sort_by(|x, y| {
        y.degradation
            .total_cmp(&x.degradation)
            .then(x.ncf.cmp(y.ncf))
    });
    let (exposure, threat) = scores.of(asset);
    let mut incidents: Vec<IncidentRef> = store
        .incidents()?
        .into_iter()
        .filter(|i| i.report.assets.iter().any(|x| x == asset))
        .map(|i| IncidentRef {
            kind: i.report.kind.as_str(),
            category: i.report.category,
            severity: i.report.severity,
            occurred_at: i.report.occurred_at,
            id: i.id,
        })
        .collect();
    incidents.sort_by(|x, y| y.occurred_at.cmp(&x.occurred_at).then(x.id.cmp(&y.id)));
    let stored = newest_row(store, engine.home(), asset)?;
    Ok(Explanation {
        asset: asset.to_owned(),
        country: engine.country(a),
        foreign: engine.graph.is_foreign(a),
        stored,
        impact: cascade.impact,
        exposure,
        threat,
        priority: priority(cascade.impact, exposure, threat),
        ncfs,
        failed_with: cascade.failed.len().saturating_sub(1),
        domestic_down: graph::spof::of(&engine.graph, a)
            .into_iter()
            .map(|d| engine.id(d).to_owned())
            .collect(),
        findings,
        incidents,
    })
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

/// Saves (or replaces) a scenario after checking its countries and assets.
pub fn save_scenario(
    store: &mut store::Store,
    scenario: &model::Scenario,
    actor: &Actor,
) -> Result<()> {
    crate::authz::authorize(actor, crate::authz::Action::EditAtlas)?;
    let mut problems = Vec::new();
    if scenario.name.trim().is_empty() {
        problems.push(crate::Problem {
            pointer: "/name".to_owned(),
            message: "a scenario needs a name".to_owned(),
        });
    }
    for (i, c) in scenario.circles.iter().enumerate() {
        if let Some(why) = c.problem() {
            problems.push(crate::Problem {
                pointer: format!("/circles/{i}"),
                message: why.to_owned(),
            });
        }
    }
    for (i, c) in scenario.countries.iter().enumerate() {
        if model::country(c).is_none() {
            problems.push(crate::Problem {
                pointer: format!("/countries/{i}"),
                message: format!("{c:?} is not an ISO 3166-1 alpha-2 country code"),
            });
        }
    }
    for (i, a) in scenario.assets.iter().enumerate() {
        if !store.asset_exists(a)? {
            problems.push(crate::Problem {
                pointer: format!("/assets/{i}"),
                message: format!("unknown asset {a:?}"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    crate::audit::audited(
        store,
        actor,
        "scenario.save",
        |store| Ok(store.save_scenario(scenario, &crate::now())?),
        |()| (vec![scenario.name.clone()], format!("{scenario:?}")),
    )
}

/// The saved scenarios, by name.
pub fn scenarios(store: &mut store::Store) -> Result<Vec<model::Scenario>> {
    Ok(store.scenarios()?)
}

/// One saved scenario.
pub fn scenario(store: &mut store::Store, name: &str) -> Result<model::Scenario> {
    store.scenario(name)?.ok_or_else(|| Error::NotFound {
        what: "scenario",
        id: name.to_owned(),
    })
}

/// Deletes a scenario.
pub fn delete_scenario(store: &mut store::Store, name: &str, actor: &Actor) -> Result<()> {
    crate::authz::authorize(actor, crate::authz::Action::EditAtlas)?;
    crate::audit::audited(
        store,
        actor,
        "scenario.delete",
        |store| {
            if store.delete_scenario(name)? {
                Ok(())
            } else {
                Err(Error::NotFound {
                    what: "scenario",
                    id: name.to_owned(),
                })
            }
        },
        |()| (vec![name.to_owned()], String::new()),
    )
}

/// A scenario run: the assets failing at t = 0 and the cascade that follows.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    pub initial: usize,
    pub cascade: Cascade,
}

/// Fails every asset of `scenario` at t = 0 (listed, in one of its countries, inside one of its
/// circles, or in `affected`: the assets with an active finding for one of its CVEs) and
/// follows the cascade.
pub fn run_scenario(
    engine: &Engine,
    scenario: &model::Scenario,
    affected: &BTreeSet<String>,
) -> Result<ScenarioRun> {
    let initial = scenario_assets(engine, scenario, affected)?;
    Ok(ScenarioRun {
        initial: initial.len(),
        cascade: cascade_of(engine, &initial),
    })
}

/// [`run_scenario`] on `engine` and the stored findings: the assets the scenario's CVEs affect
/// found (with the engine's home country's context), the cascade followed.
pub fn run_scenario_stored(
    store: &mut store::Store,
    engine: &Engine,
    scenario: &model::Scenario,
    progress: &dyn Progress,
) -> Result<ScenarioRun> {
    let affected = crate::intel::with_context(store, engine.home, progress, |store, context| {
        crate::intel::assets_affected_by(store, context, &scenario.cves)
    })?;
    run_scenario(engine, scenario, &affected)
}

fn scenario_assets(
    engine: &Engine,
    scenario: &model::Scenario,
    affected: &BTreeSet<String>,
) -> Result<Vec<u32>> {
    let atlas = &engine.atlas;
    let mut chosen = vec![false; atlas.asset_count()];
    for id in scenario.assets.iter().chain(affected) {
        chosen[engine.resolve(id)? as usize] = true;
    }
    for (a, slot) in chosen.iter_mut().enumerate() {
        let (lat, lon) = (f64::from(atlas.lat[a]), f64::from(atlas.lon[a]));
        *slot |= scenario
            .countries
            .iter()
            .any(|c| c.as_bytes() == atlas.country[a])
            || (!lat.is_nan()
                && !lon.is_nan()
                && scenario.circles.iter().any(|c| c.contains(lat, lon)));
    }
    Ok((0..chosen.len() as u32)
        .filter(|&a| chosen[a as usize])
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo, contingency, IIM, percolation.

/// Initial failure probabilities of a Monte Carlo run.
#[derive(Clone, Debug)]
pub enum Probabilities {
    /// Every foreign asset fails with probability `p` (domestic assets: 0); with `scores`, raised
    /// by exposure and threat as the ranking weighs them: `min(1, p × (1 + exposure) × (1 + threat))`.
    Foreign { p: f64, scores: Option<Scores> },
    /// Per asset, by graph index (from [`probabilities_from_csv`]).
    PerAsset(Vec<f64>),
}

/// Reads `asset,probability` rows (header optional) into a per-asset vector; problems are
/// reported at `source:line`.
pub fn probabilities_from_csv(engine: &Engine, source: &str, text: &str) -> Result<Vec<f64>> {
    let mut p = vec![0.0; engine.graph.asset_count()];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.starts_with("asset")) {
            continue;
        }
        let at = format!("{source}:{}", i + 1);
        let (id, value) = line
            .split_once(',')
            .ok_or_else(|| Error::invalid(&at, "expected asset,probability"))?;
        let a = engine
            .resolve(id.trim())
            .map_err(|e| Error::invalid(&at, format!("asset: {e}")))?;
        let v: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| (0.0..=1.0).contains(v))
            .ok_or_else(|| {
                Error::invalid(
                    &at,
                    format!("probability: {value:?} is not a number in [0, 1]"),
                )
            })?;
        p[a as usize] = v;
    }
    Ok(p)
}

/// Mean and percentiles of a Monte Carlo measure.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
}

impl From<&graph::montecarlo::Stats> for Spread {
    fn from(s: &graph::montecarlo::Stats) -> Spread {
        Spread {
            mean: s.mean,
            p5: s.p5,
            p95: s.p95,
        }
    }
}

/// One NCF's degradation over the trials.
#[derive(Clone, Debug, Serialize)]
pub struct NcfSpread {
    pub ncf: &'static str,
    #[serde(flatten)]
    pub degradation: Spread,
}

/// The share of trials in which an asset failed.
#[derive(Clone, Debug, Serialize)]
pub struct FailureShare {
    pub asset: String,
    pub share: f64,
}

/// A Monte Carlo run's results.
#[derive(Clone, Debug, Serialize)]
pub struct MonteCarlo {
    pub trials: u64,
    pub seed: u64,
    pub impact: Spread,
    pub ncf: Vec<NcfSpread>,
    /// Assets that failed in some trial, most often first.
    pub asset_failure_share: Vec<FailureShare>,
}

/// The most Monte Carlo trials of one run (a page of the web UI asks for fewer).
pub const MAX_TRIALS: u64 = 100_000;

/// What is wrong with the inputs of a Monte Carlo run over the foreign assets: `trials` beyond
/// 1 to `max_trials` (at most [`MAX_TRIALS`]), a probability outside [0, 1].
pub fn montecarlo_problems(trials: u64, max_trials: u64, p: f64) -> Vec<crate::Problem> {
    let max_trials = max_trials.min(MAX_TRIALS);
    let mut problems = Vec::new();
    if !(1..=max_trials).contains(&trials) {
        problems.push(crate::Problem {
            pointer: "/trials".to_owned(),
            message: format!("trials {trials} is not in 1..={max_trials}"),
        });
    }
    if !(0.0..=1.0).contains(&p) {
        problems.push(crate::Problem {
            pointer: "/foreign_probability".to_owned(),
            message: format!("{p} is not in [0, 1]"),
        });
    }
    problems
}

/// Seeded, reproducible Monte Carlo over per-asset failure probabilities; one progress step per
/// trial.
pub fn montecarlo(
    engine: &Engine,
    probabilities: &Probabilities,
    trials: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<MonteCarlo> {
    let g = &engine.graph;
    let probability: Vec<f64> = match probabilities {
        Probabilities::PerAsset(p) => p.clone(),
        Probabilities::Foreign { p, scores } => (0..g.asset_count() as u32)
            .map(|a| {
                if !g.is_foreign(a) {
                    return 0.0;
                }
                let weight = scores.as_ref().map_or(1.0, |s| {
                    let (exposure, threat) = s.of(engine.id(a));
                    (1.0 + exposure) * (1.0 + threat)
                });
                (p * weight).min(1.0)
            })
            .collect(),
    };
    progress.start("trials", Some(trials));
    let summary = progress
        .engine(|tick| {
            graph::montecarlo::run(
                g,
                &probability,
                &graph::montecarlo::Options::new(trials, seed),
                Some(tick),
            )
        })?
        .map_err(|e| refused("/trials", e))?;
    progress.finish();
    let mut shares: Vec<(u32, f64)> = summary
        .asset_failure_share
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(a, s)| (a as u32, *s))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(MonteCarlo {
        trials: summary.trials,
        seed,
        impact: (&summary.impact).into(),
        ncf: summary
            .ncfs
            .iter()
            .map(|n| NcfSpread {
                ncf: ncf_id(n.ncf),
                degradation: (&n.degradation).into(),
            })
            .collect(),
        asset_failure_share: shares
            .into_iter()
            .map(|(a, share)| FailureShare {
                asset: engine.id(a).to_owned(),
                share,
            })
            .collect(),
    })
}

/// A pair of assets failing together (N-2).
#[derive(Clone, Debug, Serialize)]
pub struct Pair {
    pub assets: [String; 2],
    pub joint_impact: f64,
    pub single_impacts: [f64; 2],
    /// Joint impact minus the larger single impact.
    pub over_max: f64,
    /// Joint impact minus the sum of the single impacts.
    pub over_sum: f64,
}

/// The `limit` worst N-2 pairs among the `top` foreign assets of the ranking; one progress step
/// per candidate row of the pair matrix.
pub fn contingency(
    engine: &Engine,
    top: usize,
    limit: usize,
    progress: &dyn Progress,
) -> Result<Vec<Pair>> {
    progress.start("N-2 pairs", Some(top as u64));
    let pairs = progress
        .engine(|tick| {
            graph::contingency::worst_pairs(
                &engine.graph,
                graph::contingency::Candidates::Top(top),
                Some(limit),
                Some(tick),
            )
        })?
        .map_err(|e| refused("/top", e))?;
    progress.finish();
    Ok(pairs
        .iter()
        .map(|p| Pair {
            assets: [engine.id(p.u).to_owned(), engine.id(p.v).to_owned()],
            joint_impact: p.joint,
            single_impacts: [p.single_u, p.single_v],
            over_max: p.over_max,
            over_sum: p.over_sum,
        })
        .collect())
}

/// Where the IIM's interdependency matrix A* comes from.
pub enum Matrix<'a> {
    /// A CSV with sector ids as header and first column; problems name `source`.
    Csv { source: &'a str, text: &'a str },
    /// Derived from the atlas.
    Atlas(&'a Engine),
}

/// An IIM run's inputs: demand perturbation and output per sector, DIIM steps.
#[derive(Clone, Debug, Default)]
pub struct IimOptions {
    /// Demand perturbation c*, per sector id.
    pub perturb: Vec<(String, f64)>,
    /// Sector output per step, per sector id, for the economic loss.
    pub output: Vec<(String, f64)>,
    /// DIIM steps (0: static only).
    pub steps: usize,
    /// Steps for each sector to recover 99 %.
    pub recovery_steps: f64,
}

/// One sector's static inoperability.
#[derive(Clone, Debug, Serialize)]
pub struct SectorInoperability {
    pub sector: String,
    pub c_star: f64,
    pub q: f64,
    /// `q × output`.
    pub loss: f64,
}

/// The DIIM trajectory and its losses.
#[derive(Clone, Debug, Serialize)]
pub struct Diim {
    pub q: Vec<Vec<f64>>,
    pub cumulative_loss: Vec<f64>,
    pub per_sector_loss: Vec<f64>,
}

/// An IIM run's results.
#[derive(Clone, Debug, Serialize)]
pub struct Iim {
    pub sectors: Vec<SectorInoperability>,
    /// Static economic loss per period.
    pub loss: f64,
    pub dynamic: Option<Diim>,
}

/// Sector inoperability (IIM, and DIIM when `steps > 0`).
pub fn iim(matrix: Matrix<'_>, options: &IimOptions) -> Result<Iim> {
    let model = match matrix {
        Matrix::Csv { source, text } => {
            graph::iim::Interdependency::from_csv(text).map_err(|e| refused(source, e))?
        }
        Matrix::Atlas(engine) => graph::iim::Interdependency::from_graph(&engine.graph)
            .map_err(|e| refused("/matrix", e))?,
    };
    let sectors = model.sectors().to_vec();
    let vector = |pairs: &[(String, f64)], pointer: &str| -> Result<Vec<f64>> {
        let mut v = vec![0.0; sectors.len()];
        for (k, x) in pairs {
            let i = sectors.iter().position(|s| s == k).ok_or_else(|| {
                Error::invalid(
                    pointer,
                    format!("unknown sector {k:?} (known: {})", sectors.join(", ")),
                )
            })?;
            v[i] = *x;
        }
        Ok(v)
    };
    let c_star = vector(&options.perturb, "/perturb")?;
    let x = vector(&options.output, "/output")?;
    let q = model
        .static_inoperability(&c_star)
        .map_err(|e| refused("/perturb", e))?;
    let loss = graph::iim::economic_loss(&q, &x);
    let dynamic = if options.steps > 0 {
        let diim = || -> Result<Diim, graph::iim::IimError> {
            let k = model.resilience(&vec![options.recovery_steps; sectors.len()], 0.01)?;
            let trajectory =
                model.dynamic(&q, &k, graph::iim::Perturbation::Steps(&[]), options.steps)?;
            let loss = trajectory.loss(&x)?;
            Ok(Diim {
                q: trajectory.q,
                cumulative_loss: loss.cumulative,
                per_sector_loss: loss.per_sector,
            })
        };
        Some(diim().map_err(|e| refused("/recovery_steps", e))?)
    } else {
        None
    };
    Ok(Iim {
        sectors: sectors
            .iter()
            .enumerate()
            .map(|(i, s)| SectorInoperability {
                sector: s.clone(),
                c_star: c_star[i],
                q: q[i],
                loss: q[i] * x[i],
            })
            .collect(),
        loss,
        dynamic,
    })
}

/// Buldyrev et al. (2010) on two coupled Erdős–Rényi networks: the collapse point.
#[derive(Clone, Debug, Serialize)]
pub struct Percolation {
    pub nodes: usize,
    pub mean_degree: f64,
    pub realisations: u64,
    pub seed: u64,
    /// Mean critical point over the realisations that have one.
    pub p_c: f64,
    /// Per realisation; `None` without a mutual giant component even with every node present.
    pub p_c_each: Vec<Option<f64>>,
    /// `2.4554 / ⟨k⟩`.
    pub p_c_theory: f64,
    pub seconds: f64,
}

impl Percolation {
    /// The realisations that have a critical point.
    pub fn found(&self) -> usize {
        self.p_c_each.iter().flatten().count()
    }
}

/// The critical point of `realisations` coupled ER networks of `nodes` nodes each and mean
/// degree `mean_degree`.
pub fn percolation(
    nodes: usize,
    mean_degree: f64,
    realisations: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Percolation> {
    let search = graph::percolation::Search {
        threshold: 0.05,
        tolerance: 1e-4,
    };
    let started = Instant::now();
    progress.start("realisations", Some(realisations));
    let points = progress.engine(|tick| {
        graph::percolation::er_critical_points(nodes, mean_degree, seed, realisations, search, tick)
    })?;
    progress.finish();
    let found: Vec<f64> = points.iter().flatten().copied().collect();
    if found.is_empty() {
        return Err(Error::invalid(
            "/mean_degree",
            "no realisation has a mutual giant component even with every node present",
        ));
    }
    Ok(Percolation {
        nodes,
        mean_degree,
        realisations,
        seed,
        p_c: found.iter().sum::<f64>() / found.len() as f64,
        p_c_each: points,
        p_c_theory: 2.4554 / mean_degree,
        seconds: started.elapsed().as_secs_f64(),
    })
}
