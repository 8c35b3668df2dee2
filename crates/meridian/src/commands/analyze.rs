//! `analyze …`: the §2 analyses over the in-memory graph. The atlas is loaded from the store
//! once per command as a `CompactAtlas`, turned into a `graph::csr::Graph`, and asset ids are
//! resolved through an id → index map.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use graph::csr::Graph;
use model::CompactAtlas;
use serde::Serialize;

use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Load the graph and report its size, structure and how long the load took.
    Summary,
    /// Foreign assets in the transitive dependency closure of an NCF, a sector or an asset,
    /// with the shortest dependency path and whether each is a single point of failure.
    Exposure(ExposureArgs),
    /// Fail the given assets at t = 0 and follow the cascade: every failed asset with its
    /// failure time and the provider that caused it, and each NCF's degradation.
    Cascade(CascadeArgs),
    /// Single points of failure: for each asset, the domestic assets it alone takes down.
    Spof(SpofArgs),
    /// The exact priority ranking of every foreign (and foreign-owned) asset.
    Rank(RankArgs),
    /// Named failure scenarios: save, list, run (a time-stepped cascade), delete.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Seeded, reproducible Monte Carlo over per-asset failure probabilities.
    Montecarlo(MonteCarloArgs),
    /// Worst N-2 pairs among the top-K foreign assets.
    Contingency(ContingencyArgs),
    /// Sector inoperability (IIM / DIIM) from a matrix file or derived from the atlas.
    Iim(IimArgs),
    /// Buldyrev et al. (2010) cascade on two coupled Erdős–Rényi networks: the collapse point.
    Percolation(PercolationArgs),
    /// Benchmark answers on §1 CSV files, in the answer-file shape of `bench/README.md`
    /// (closure sizes, foreign NCF counts, dominator digest, weak components), timed.
    Peers(PeersArgs),
}

#[derive(Debug, Args)]
pub struct PeersArgs {
    #[arg(long)]
    pub assets: PathBuf,
    #[arg(long)]
    pub deps: PathBuf,
    /// Asset ids, one per line, whose closure sizes to compute.
    #[arg(long)]
    pub sample: PathBuf,
    /// Where to write the answers (JSON).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExposureArgs {
    /// An NCF id (NCF-D01), a sector id (ENERGY) or an asset id.
    pub target: String,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct CascadeArgs {
    /// Asset ids failing at t = 0.
    #[arg(required = true)]
    pub assets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SpofArgs {
    /// Only this asset: list the domestic assets it alone takes down.
    #[arg(long)]
    pub asset: Option<String>,
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct RankArgs {
    /// Rows to print in the table (`--json` always gives every foreign asset).
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
    /// Do not store this ranking in the history.
    #[arg(long)]
    pub no_save: bool,
    /// Instead of ranking, show how this asset's rank moved across the stored rankings.
    #[arg(long, value_name = "ASSET")]
    pub history: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Save (or replace) a scenario: explicit assets, countries and circles, in any mix.
    Save(ScenarioSaveArgs),
    /// List saved scenarios.
    List,
    /// Fail every asset of the scenario at t = 0 and follow the cascade.
    Run {
        name: String,
    },
    Delete {
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ScenarioSaveArgs {
    pub name: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Asset ids (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub assets: Vec<String>,
    /// Every asset in these countries (ISO alpha-2).
    #[arg(long, value_delimiter = ',')]
    pub countries: Vec<String>,
    /// Every located asset within a circle: LAT,LON,RADIUS_KM (repeatable).
    #[arg(long, value_parser = parse_circle)]
    pub circle: Vec<model::Circle>,
    /// Every asset running a product affected by these CVEs (active intel findings, resolved
    /// when the scenario runs).
    #[arg(long, value_delimiter = ',')]
    pub cves: Vec<String>,
}

fn parse_circle(s: &str) -> Result<model::Circle, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [lat, lon, radius_km] = parts[..] else {
        return Err(format!("{s:?}: expected LAT,LON,RADIUS_KM"));
    };
    let num = |v: &str, what: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("{s:?}: {what} {v:?} is not a number"))
    };
    let circle = model::Circle {
        lat: num(lat, "latitude")?,
        lon: num(lon, "longitude")?,
        radius_km: num(radius_km, "radius")?,
    };
    if !(-90.0..=90.0).contains(&circle.lat)
        || !(-180.0..=180.0).contains(&circle.lon)
        || circle.radius_km.is_nan()
        || circle.radius_km < 0.0
    {
        return Err(format!(
            "{s:?}: latitude in [-90, 90], longitude in [-180, 180], radius >= 0"
        ));
    }
    Ok(circle)
}

#[derive(Debug, Args)]
pub struct MonteCarloArgs {
    #[arg(long, default_value_t = 1000)]
    pub trials: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Initial failure probability of every foreign asset (domestic assets: 0), unless
    /// --probabilities is given.
    #[arg(long, default_value_t = 0.01)]
    pub foreign_probability: f64,
    /// CSV `asset,probability` giving per-asset initial failure probabilities (others 0).
    #[arg(long, conflicts_with = "scored")]
    pub probabilities: Option<PathBuf>,
    /// Raise each foreign asset's probability by its exposure and threat, as the ranking weighs
    /// them: `min(1, p × (1 + exposure) × (1 + threat))` with p = --foreign-probability.
    #[arg(long)]
    pub scored: bool,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct ContingencyArgs {
    /// Pair the top K foreign assets of the ranking.
    #[arg(long, default_value_t = 50)]
    pub top: usize,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct IimArgs {
    /// A* as CSV (sector ids as header and first column); default: derived from the atlas.
    #[arg(long)]
    pub matrix: Option<PathBuf>,
    /// Demand perturbation c*, as SECTOR=VALUE (repeatable), e.g. --perturb ENERGY=0.2.
    #[arg(long = "perturb", value_parser = parse_assignment)]
    pub perturb: Vec<(String, f64)>,
    /// Sector output per step, as SECTOR=VALUE (repeatable), for the economic loss.
    #[arg(long = "output", value_parser = parse_assignment)]
    pub output: Vec<(String, f64)>,
    /// DIIM steps; with recovery in --recovery-steps steps per sector (99 % recovered).
    #[arg(long, default_value_t = 0)]
    pub steps: usize,
    #[arg(long, default_value_t = 30.0)]
    pub recovery_steps: f64,
}

#[derive(Debug, Args)]
pub struct PercolationArgs {
    /// Nodes per network.
    #[arg(long, default_value_t = 100_000)]
    pub nodes: usize,
    /// Mean degree ⟨k⟩ of each Erdős–Rényi network.
    #[arg(long, default_value_t = 4.0)]
    pub mean_degree: f64,
    #[arg(long, default_value_t = 8)]
    pub realisations: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

fn parse_assignment(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected SECTOR=VALUE"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: {v:?} is not a number"))?;
    Ok((k.trim().to_owned(), v))
}

pub fn run(config: &Config, command: AnalyzeCommand) -> anyhow::Result<()> {
    match command {
        AnalyzeCommand::Summary => summary(config),
        AnalyzeCommand::Exposure(args) => exposure(config, &args),
        AnalyzeCommand::Cascade(args) => cascade(config, &args),
        AnalyzeCommand::Spof(args) => spof(config, &args),
        AnalyzeCommand::Rank(args) => rank(config, &args),
        AnalyzeCommand::Scenario(cmd) => scenario(config, cmd),
        AnalyzeCommand::Montecarlo(args) => montecarlo(config, &args),
        AnalyzeCommand::Contingency(args) => contingency(config, &args),
        AnalyzeCommand::Iim(args) => iim(config, &args),
        AnalyzeCommand::Percolation(args) => percolation(config, &args),
        AnalyzeCommand::Peers(args) => super::peers::run(config, &args),
    }
}

/// The loaded atlas: its columns, the CSR graph, and the id → index map.
struct Engine {
    atlas: CompactAtlas,
    graph: Graph,
    index: HashMap<String, u32>,
    load_seconds: f64,
    build_seconds: f64,
}

impl Engine {
    fn load(config: &Config, store: &mut store::Store) -> anyhow::Result<Engine> {
        let bar = progress::bar(config.quiet, None, "loading");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        let started = Instant::now();
        let atlas = store.load_compact().context("loading the atlas")?;
        let load_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let graph = Graph::new(&atlas, config.home);
        let build_seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let index = atlas
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i as u32))
            .collect();
        Ok(Engine {
            atlas,
            graph,
            index,
            load_seconds,
            build_seconds,
        })
    }

    fn open(config: &Config) -> anyhow::Result<Engine> {
        Engine::load(config, &mut config.open_store()?)
    }

    fn resolve(&self, id: &str) -> anyhow::Result<u32> {
        match self.index.get(id) {
            Some(&i) => Ok(i),
            None => bail!("asset {id:?} not found"),
        }
    }

    fn id(&self, a: u32) -> &str {
        &self.atlas.ids[a as usize]
    }

    fn country(&self, a: u32) -> String {
        String::from_utf8_lossy(&self.atlas.country[a as usize]).into_owned()
    }
}

fn ncf_id(index: u8) -> &'static str {
    model::ncfs()[index as usize].id
}

fn summary(config: &Config) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let g = &engine.graph;
    let started = Instant::now();
    let cond = graph::scc::Condensation::new(g);
    let largest_scc = (0..cond.count() as u32)
        .map(|c| cond.size(c))
        .max()
        .unwrap_or(0);
    let wcc = graph::closure::weak_components(g);
    let analysis_seconds = started.elapsed().as_secs_f64();
    let foreign = (0..g.asset_count() as u32)
        .filter(|&a| g.is_foreign(a))
        .count();
    let value = serde_json::json!({
        "assets": g.asset_count(),
        "dependencies": engine.atlas.edge_count(),
        "groups": g.group_count(),
        "foreign": foreign,
        "pure_and": g.is_pure_and(),
        "strongly_connected_components": cond.count(),
        "largest_scc": largest_scc,
        "weakly_connected_components": wcc.len(),
        "load_seconds": engine.load_seconds,
        "build_seconds": engine.build_seconds,
        "scc_wcc_seconds": analysis_seconds,
    });
    if config.json {
        return output::json(&value);
    }
    output::table(
        &["measure", "value"],
        value
            .as_object()
            .expect("object literal")
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()]),
    );
    Ok(())
}

#[derive(Serialize)]
struct ExposedRow {
    asset: String,
    country: String,
    single_point_of_failure: bool,
    path: Vec<String>,
}

fn exposure(config: &Config, args: &ExposureArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let target = if let Some(i) = model::ncf_index(&args.target) {
        graph::exposure::Target::Ncf(i as u8)
    } else if let Some(i) = model::sector_index(&args.target) {
        graph::exposure::Target::Sector(i as u8)
    } else {
        graph::exposure::Target::Asset(engine.resolve(&args.target).with_context(|| {
            format!(
                "{:?} is neither an NCF id, a sector id nor an asset id",
                args.target
            )
        })?)
    };
    let rows: Vec<ExposedRow> = graph::exposure::exposure(&engine.graph, target)
        .into_iter()
        .map(|e| ExposedRow {
            asset: engine.id(e.asset).to_owned(),
            country: engine.country(e.asset),
            single_point_of_failure: e.single_point_of_failure,
            path: e.path.iter().map(|&a| engine.id(a).to_owned()).collect(),
        })
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::note(
        config.quiet,
        format!(
            "{} foreign assets in the closure of {}",
            rows.len(),
            args.target
        ),
    );
    output::table(
        &[
            "foreign asset",
            "country",
            "SPOF",
            "hops",
            "shortest dependency path",
        ],
        rows.iter().take(args.limit).map(|r| {
            vec![
                r.asset.clone(),
                r.country.clone(),
                if r.single_point_of_failure { "yes" } else { "" }.to_owned(),
                (r.path.len() - 1).to_string(),
                r.path.join(" → "),
            ]
        }),
    );
    Ok(())
}

#[derive(Serialize)]
struct FailedRow<'a> {
    asset: &'a str,
    time_hours: f64,
    cause: Option<&'a str>,
}

#[derive(Serialize)]
struct NcfRow {
    ncf: &'static str,
    degradation: f64,
    timeline: Vec<[f64; 2]>,
}

fn cascade(config: &Config, args: &CascadeArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let initial = args
        .assets
        .iter()
        .map(|id| engine.resolve(id))
        .collect::<anyhow::Result<Vec<u32>>>()?;
    print_cascade(config, &engine, &initial)
}

/// Runs the deterministic cascade of `initial` and prints it (the `analyze cascade` contract).
fn print_cascade(config: &Config, engine: &Engine, initial: &[u32]) -> anyhow::Result<()> {
    let result = graph::cascade::cascade(&engine.graph, initial);
    let failed: Vec<FailedRow> = result
        .failed
        .iter()
        .map(|f| FailedRow {
            asset: engine.id(f.asset),
            time_hours: f.time_hours,
            cause: f.cause.map(|c| engine.id(c)),
        })
        .collect();
    let ncf: Vec<NcfRow> = result
        .ncf_timeline
        .iter()
        .map(|t| NcfRow {
            ncf: ncf_id(t.ncf),
            degradation: t.steps.last().map_or(0.0, |s| s.degradation),
            timeline: t
                .steps
                .iter()
                .map(|s| [s.time_hours, s.degradation])
                .collect(),
        })
        .collect();
    if config.json {
        return output::json(
            &serde_json::json!({ "failed": failed, "ncf": ncf, "impact": result.impact }),
        );
    }
    outln!(
        "{} assets failed; impact {:.6} (sum of NCF degradations)",
        failed.len(),
        result.impact
    );
    output::table(
        &["t (hours)", "asset", "caused by"],
        failed.iter().map(|f| {
            vec![
                format!("{:.1}", f.time_hours),
                f.asset.to_owned(),
                f.cause.unwrap_or("(initial)").to_owned(),
            ]
        }),
    );
    output::table(
        &[
            "ncf",
            "name",
            "final degradation",
            "over time (hours: share)",
        ],
        ncf.iter().map(|n| {
            vec![
                n.ncf.to_owned(),
                model::ncf(n.ncf)
                    .map(|x| x.name.to_owned())
                    .unwrap_or_default(),
                format!("{:.1}%", n.degradation * 100.0),
                n.timeline
                    .iter()
                    .map(|[t, d]| format!("{t:.0}h: {:.0}%", d * 100.0))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        }),
    );
    Ok(())
}

fn spof(config: &Config, args: &SpofArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let g = &engine.graph;
    if let Some(id) = &args.asset {
        let down: Vec<&str> = graph::spof::of(g, engine.resolve(id)?)
            .into_iter()
            .map(|a| engine.id(a))
            .collect();
        if config.json {
            return output::json(&serde_json::json!({ "asset": id, "domestic_down": down }));
        }
        outln!("{id} alone takes down {} domestic assets", down.len());
        output::table(
            &["domestic asset"],
            down.iter().map(|a| vec![(*a).to_owned()]),
        );
        return Ok(());
    }
    let mut rows = graph::spof::summary(g, &(0..g.asset_count() as u32).collect::<Vec<_>>());
    rows.retain(|r| r.domestic_down > 0);
    rows.sort_by(|a, b| {
        b.domestic_down
            .cmp(&a.domestic_down)
            .then(b.impact.total_cmp(&a.impact))
            .then(a.asset.cmp(&b.asset))
    });
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "asset": engine.id(r.asset),
                "foreign": g.is_foreign(r.asset),
                "domestic_down": r.domestic_down,
                "impact": r.impact,
            })
        })
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::note(
        config.quiet,
        format!(
            "{} assets alone take down at least one domestic asset",
            rows.len()
        ),
    );
    output::table(
        &["asset", "foreign", "domestic assets taken down", "impact"],
        rows.iter().take(args.limit).map(|r| {
            vec![
                r["asset"].as_str().unwrap_or_default().to_owned(),
                r["foreign"].to_string(),
                r["domestic_down"].to_string(),
                format!("{:.4}", r["impact"].as_f64().unwrap_or(0.0)),
            ]
        }),
    );
    Ok(())
}

/// One row of the priority ranking: `priority = impact × (1 + exposure) × (1 + threat)`, with
/// exposure (vulnerability findings, §3: `intel::exposure_scores`) and threat (incidents and
/// sightings, §4: `incident::threat_scores`, `1 − Π(1 − s_i/5 · 2^(−age_i/90 d))`) in [0, 1].
/// Both are 0 for assets without findings or incidents, so without intel data and incidents the
/// priority equals the impact.
#[derive(Serialize)]
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

/// Exposure scores of the assets with vulnerability findings; empty (and free) when no intel
/// document is stored.
fn exposure_scores(
    config: &Config,
    store: &mut store::Store,
) -> anyhow::Result<HashMap<String, f64>> {
    if store.intel_documents()?.is_empty() {
        return Ok(HashMap::new());
    }
    super::intel::exposure_scores(config, store)
}

/// The ranking's inputs besides the graph: per asset id, exposure and threat in [0, 1].
struct Scores {
    exposure: HashMap<String, f64>,
    threat: HashMap<String, f64>,
}

impl Scores {
    /// Exposure from the intel findings, threat from the incidents
    /// (`commands::incident::threat_scores`).
    fn load(config: &Config, store: &mut store::Store) -> anyhow::Result<Scores> {
        Ok(Scores {
            exposure: exposure_scores(config, store)?,
            threat: app::incidents::stored_threat_scores(store)?,
        })
    }
}

fn ranking(engine: &Engine, scores: &Scores) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = graph::rank::rank(&engine.graph)
        .into_iter()
        .map(|r| {
            let id = engine.id(r.asset);
            let exposure = scores.exposure.get(id).copied().unwrap_or(0.0);
            let threat = scores.threat.get(id).copied().unwrap_or(0.0);
            RankRow {
                rank: 0,
                previous_rank: None,
                asset: engine.id(r.asset).to_owned(),
                country: engine.country(r.asset),
                foreign_owned: r.foreign_owned,
                impact: r.impact,
                exposure,
                threat,
                priority: r.impact * (1.0 + exposure) * (1.0 + threat),
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

/// Prints the top `limit` rows; the "move" column compares with the previous stored ranking when
/// there is one (`compared`), and is blank otherwise.
fn print_ranking(rows: &[RankRow], limit: usize, compared: bool) {
    output::table(
        &[
            "#", "move", "asset", "country", "impact", "exposure", "threat", "priority",
        ],
        rows.iter().take(limit).map(|r| {
            let country = if r.foreign_owned {
                format!("{} (foreign-owned)", r.country)
            } else {
                r.country.clone()
            };
            let movement = match r.previous_rank {
                None if compared => "new".to_owned(),
                None => String::new(),
                Some(p) if p as usize == r.rank => "=".to_owned(),
                Some(p) => format!("{:+}", i64::from(p) - r.rank as i64),
            };
            vec![
                r.rank.to_string(),
                movement,
                r.asset.clone(),
                country,
                format!("{:.4}", r.impact),
                format!("{:.2}", r.exposure),
                format!("{:.2}", r.threat),
                format!("{:.4}", r.priority),
            ]
        }),
    );
}

fn rank(config: &Config, args: &RankArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    if let Some(asset) = &args.history {
        return rank_history(config, &mut store, asset);
    }
    let engine = Engine::load(config, &mut store)?;
    let scores = Scores::load(config, &mut store)?;
    let mut rows = ranking(&engine, &scores);
    let runs = store.ranking_runs()?;
    let previous = runs.iter().rev().find(|r| r.home == config.home_str());
    let compared = previous.is_some();
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
    if !args.no_save {
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
        let id = store.save_ranking(&super::now(), config.home_str(), &entries)?;
        output::note(
            config.quiet,
            format!("ranking {id} stored ({} foreign assets)", rows.len()),
        );
    }
    if config.json {
        return output::json(&rows);
    }
    print_ranking(&rows, args.limit, compared);
    Ok(())
}

fn rank_history(config: &Config, store: &mut store::Store, asset: &str) -> anyhow::Result<()> {
    let mut history = Vec::new();
    for run in store.ranking_runs()? {
        let entry = store
            .ranking_entries(run.id)?
            .into_iter()
            .find(|e| e.asset == asset);
        history.push(serde_json::json!({
            "run": run.id,
            "created_at": run.created_at,
            "atlas_version": run.atlas_version,
            "rank": entry.as_ref().map(|e| e.rank),
            "priority": entry.as_ref().map(|e| e.priority),
        }));
    }
    if config.json {
        return output::json(&history);
    }
    output::table(
        &["ranking", "when", "atlas version", "rank", "priority"],
        history.iter().map(|h| {
            vec![
                h["run"].to_string(),
                h["created_at"].as_str().unwrap_or_default().to_owned(),
                h["atlas_version"].to_string(),
                h["rank"].as_u64().map_or("-".to_owned(), |r| r.to_string()),
                h["priority"]
                    .as_f64()
                    .map_or("-".to_owned(), |p| format!("{p:.4}")),
            ]
        }),
    );
    Ok(())
}

fn scenario(config: &Config, command: ScenarioCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        ScenarioCommand::Save(args) => {
            for c in &args.countries {
                if model::country(c).is_none() {
                    bail!("--countries: {c:?} is not an ISO 3166-1 alpha-2 country code");
                }
            }
            let missing: Vec<&String> = args
                .assets
                .iter()
                .filter(|a| !matches!(store.asset_exists(a), Ok(true)))
                .collect();
            if !missing.is_empty() {
                bail!("--assets: unknown asset(s) {missing:?}");
            }
            let scenario = model::Scenario {
                name: args.name,
                description: args.description,
                assets: args.assets,
                countries: args.countries,
                circles: args.circle,
                cves: args.cves,
            };
            store.save_scenario(&scenario, &super::now())?;
            output::note(config.quiet, format!("scenario {:?} saved", scenario.name));
            Ok(())
        }
        ScenarioCommand::List => {
            let all = store.scenarios()?;
            if config.json {
                return output::json(&all);
            }
            output::table(
                &[
                    "name",
                    "description",
                    "assets",
                    "countries",
                    "circles",
                    "CVEs",
                ],
                all.iter().map(|s| {
                    vec![
                        s.name.clone(),
                        s.description.clone(),
                        s.assets.join(", "),
                        s.countries.join(", "),
                        s.circles
                            .iter()
                            .map(|c| format!("{} km around {}, {}", c.radius_km, c.lat, c.lon))
                            .collect::<Vec<_>>()
                            .join("; "),
                        s.cves.join(", "),
                    ]
                }),
            );
            Ok(())
        }
        ScenarioCommand::Run { name } => {
            let Some(scenario) = store.scenario(&name)? else {
                bail!("scenario {name:?} not found (meridian analyze scenario list)");
            };
            let affected = super::intel::assets_affected_by(config, &mut store, &scenario.cves)?;
            let engine = Engine::load(config, &mut store)?;
            let initial = scenario_assets(&engine, &scenario, &affected)?;
            output::note(
                config.quiet,
                format!("scenario {name:?}: {} assets fail at t = 0", initial.len()),
            );
            print_cascade(config, &engine, &initial)
        }
        ScenarioCommand::Delete { name } => {
            if !store.delete_scenario(&name)? {
                bail!("scenario {name:?} not found");
            }
            output::note(config.quiet, format!("scenario {name:?} deleted"));
            Ok(())
        }
    }
}

/// The assets a scenario fails: listed, in one of its countries, inside one of its circles, or
/// `affected` by one of its CVEs.
fn scenario_assets(
    engine: &Engine,
    scenario: &model::Scenario,
    affected: &std::collections::BTreeSet<String>,
) -> anyhow::Result<Vec<u32>> {
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

/// The demo's closing table: the foreign assets whose loss hurts most.
pub fn print_top_foreign(
    config: &Config,
    store: &mut store::Store,
    limit: usize,
) -> anyhow::Result<()> {
    let engine = Engine::load(config, store)?;
    let rows = ranking(&engine, &Scores::load(config, store)?);
    outln!("\nforeign infrastructure that matters most (meridian analyze rank):");
    print_ranking(&rows, limit, false);
    Ok(())
}

fn montecarlo(config: &Config, args: &MonteCarloArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let engine = Engine::load(config, &mut store)?;
    let scores = if args.scored {
        Some(Scores::load(config, &mut store)?)
    } else {
        None
    };
    let g = &engine.graph;
    let probability = match &args.probabilities {
        Some(path) => read_probabilities(&engine, path)?,
        None => (0..g.asset_count() as u32)
            .map(|a| {
                if !g.is_foreign(a) {
                    return 0.0;
                }
                let weight = scores.as_ref().map_or(1.0, |s| {
                    let id = engine.id(a);
                    let score = |m: &HashMap<String, f64>| m.get(id).copied().unwrap_or(0.0);
                    (1.0 + score(&s.exposure)) * (1.0 + score(&s.threat))
                });
                (args.foreign_probability * weight).min(1.0)
            })
            .collect(),
    };
    let bar = progress::bar(config.quiet, Some(args.trials), "trials");
    let tick = |n: u64| bar.inc(n);
    let summary = graph::montecarlo::run(
        g,
        &probability,
        &graph::montecarlo::Options::new(args.trials, args.seed),
        Some(&tick),
    )?;
    bar.finish_and_clear();
    let ncfs: Vec<_> = summary
        .ncfs
        .iter()
        .map(|n| serde_json::json!({ "ncf": ncf_id(n.ncf), "mean": n.degradation.mean, "p5": n.degradation.p5, "p95": n.degradation.p95 }))
        .collect();
    let mut shares: Vec<(u32, f64)> = summary
        .asset_failure_share
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(a, s)| (a as u32, *s))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if config.json {
        return output::json(&serde_json::json!({
            "trials": summary.trials,
            "seed": args.seed,
            "impact": { "mean": summary.impact.mean, "p5": summary.impact.p5, "p95": summary.impact.p95 },
            "ncf": ncfs,
            "asset_failure_share": shares.iter().map(|(a, s)| serde_json::json!({ "asset": engine.id(*a), "share": s })).collect::<Vec<_>>(),
        }));
    }
    outln!(
        "{} trials (seed {}): impact mean {:.4}, 5th percentile {:.4}, 95th percentile {:.4}",
        summary.trials,
        args.seed,
        summary.impact.mean,
        summary.impact.p5,
        summary.impact.p95
    );
    output::table(
        &["ncf", "mean degradation", "p5", "p95"],
        summary
            .ncfs
            .iter()
            .filter(|n| n.degradation.p95 > 0.0)
            .map(|n| {
                vec![
                    ncf_id(n.ncf).to_owned(),
                    format!("{:.2}%", n.degradation.mean * 100.0),
                    format!("{:.2}%", n.degradation.p5 * 100.0),
                    format!("{:.2}%", n.degradation.p95 * 100.0),
                ]
            }),
    );
    output::table(
        &["asset", "share of trials failed"],
        shares
            .iter()
            .take(args.limit)
            .map(|(a, s)| vec![engine.id(*a).to_owned(), format!("{:.2}%", s * 100.0)]),
    );
    Ok(())
}

/// Reads `asset,probability` rows (header optional) into a per-asset vector.
fn read_probabilities(engine: &Engine, path: &std::path::Path) -> anyhow::Result<Vec<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut p = vec![0.0; engine.graph.asset_count()];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.starts_with("asset")) {
            continue;
        }
        let (id, value) = line
            .split_once(',')
            .with_context(|| format!("{}:{}: expected asset,probability", path.display(), i + 1))?;
        let a = engine
            .resolve(id.trim())
            .with_context(|| format!("{}:{}: asset", path.display(), i + 1))?;
        let v: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| (0.0..=1.0).contains(v))
            .with_context(|| {
                format!(
                    "{}:{}: probability: {value:?} is not a number in [0, 1]",
                    path.display(),
                    i + 1
                )
            })?;
        p[a as usize] = v;
    }
    Ok(p)
}

fn contingency(config: &Config, args: &ContingencyArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    // One progress step per candidate row of the pair matrix.
    let bar = progress::bar(config.quiet, Some(args.top as u64), "N-2 pairs");
    let tick = |n: u64| bar.inc(n);
    let pairs = graph::contingency::worst_pairs(
        &engine.graph,
        graph::contingency::Candidates::Top(args.top),
        Some(args.limit),
        Some(&tick),
    )?;
    bar.finish_and_clear();
    let rows: Vec<_> = pairs
        .iter()
        .map(|p| {
            serde_json::json!({
                "assets": [engine.id(p.u), engine.id(p.v)],
                "joint_impact": p.joint,
                "single_impacts": [p.single_u, p.single_v],
                "over_max": p.over_max,
                "over_sum": p.over_sum,
            })
        })
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &[
            "asset",
            "asset",
            "joint impact",
            "single impacts",
            "joint − sum",
        ],
        pairs.iter().map(|p| {
            vec![
                engine.id(p.u).to_owned(),
                engine.id(p.v).to_owned(),
                format!("{:.4}", p.joint),
                format!("{:.4} / {:.4}", p.single_u, p.single_v),
                format!("{:+.4}", p.over_sum),
            ]
        }),
    );
    Ok(())
}

fn iim(config: &Config, args: &IimArgs) -> anyhow::Result<()> {
    let model = match &args.matrix {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            graph::iim::Interdependency::from_csv(&text)
                .with_context(|| format!("{}", path.display()))?
        }
        None => graph::iim::Interdependency::from_graph(&Engine::open(config)?.graph)?,
    };
    let sectors = model.sectors().to_vec();
    let vector = |pairs: &[(String, f64)], what: &str| -> anyhow::Result<Vec<f64>> {
        let mut v = vec![0.0; sectors.len()];
        for (k, x) in pairs {
            let i = sectors.iter().position(|s| s == k).with_context(|| {
                format!(
                    "{what}: unknown sector {k:?} (known: {})",
                    sectors.join(", ")
                )
            })?;
            v[i] = *x;
        }
        Ok(v)
    };
    let c_star = vector(&args.perturb, "--perturb")?;
    let x = vector(&args.output, "--output")?;
    let q = model.static_inoperability(&c_star)?;
    let static_loss = graph::iim::economic_loss(&q, &x);
    let dynamic = if args.steps > 0 {
        let k = model.resilience(&vec![args.recovery_steps; sectors.len()], 0.01)?;
        let trajectory = model.dynamic(&q, &k, graph::iim::Perturbation::Steps(&[]), args.steps)?;
        let loss = trajectory.loss(&x)?;
        Some((trajectory, loss))
    } else {
        None
    };
    let rows: Vec<_> = sectors
        .iter()
        .enumerate()
        .map(|(i, s)| serde_json::json!({ "sector": s, "c_star": c_star[i], "q": q[i], "loss": q[i] * x[i] }))
        .collect();
    if config.json {
        return output::json(&serde_json::json!({
            "sectors": rows,
            "loss": static_loss,
            "dynamic": dynamic.as_ref().map(|(t, l)| serde_json::json!({ "q": t.q, "cumulative_loss": l.cumulative, "per_sector_loss": l.per_sector })),
        }));
    }
    output::table(
        &["sector", "c*", "inoperability q", "loss (q × output)"],
        rows.iter().map(|r| {
            vec![
                r["sector"].as_str().unwrap_or_default().to_owned(),
                format!("{:.4}", r["c_star"].as_f64().unwrap_or(0.0)),
                format!("{:.4}", r["q"].as_f64().unwrap_or(0.0)),
                format!("{:.2}", r["loss"].as_f64().unwrap_or(0.0)),
            ]
        }),
    );
    outln!("static economic loss per period: {static_loss:.2}");
    if let Some((_, loss)) = dynamic {
        outln!(
            "DIIM over {} steps: cumulative loss {:.2}",
            args.steps,
            loss.cumulative.last().copied().unwrap_or(0.0)
        );
    }
    Ok(())
}

fn percolation(config: &Config, args: &PercolationArgs) -> anyhow::Result<()> {
    let search = graph::percolation::Search {
        threshold: 0.05,
        tolerance: 1e-4,
    };
    let started = Instant::now();
    let points = graph::percolation::er_critical_points(
        args.nodes,
        args.mean_degree,
        args.seed,
        args.realisations,
        search,
    );
    let found: Vec<f64> = points.iter().flatten().copied().collect();
    if found.is_empty() {
        bail!("no realisation has a mutual giant component even with every node present");
    }
    let mean = found.iter().sum::<f64>() / found.len() as f64;
    let theory = 2.4554 / args.mean_degree;
    let value = serde_json::json!({
        "nodes": args.nodes,
        "mean_degree": args.mean_degree,
        "realisations": args.realisations,
        "seed": args.seed,
        "p_c": mean,
        "p_c_each": points,
        "p_c_theory": theory,
        "seconds": started.elapsed().as_secs_f64(),
    });
    if config.json {
        return output::json(&value);
    }
    outln!(
        "coupled Erdős–Rényi, N = {} per network, <k> = {}: p_c = {mean:.4} over {} realisations (theory 2.4554/<k> = {theory:.4})",
        args.nodes,
        args.mean_degree,
        found.len()
    );
    Ok(())
}
