//! `analyze …`: the §2 analyses over the in-memory graph, computed by `app::analysis`; this
//! module parses the arguments, draws the progress bars and prints tables or `--json`.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use app::analysis::{self, Engine};
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Load the graph and report its size, structure and how long the load took.
    Summary,
    /// Foreign assets in the transitive dependency closure of an NCF, a sector or an asset,
    /// with the shortest dependency path and whether each is a single point of failure.
    #[command(
        after_help = "Examples:\n  $ meridian analyze exposure NCF-M19 --limit 10\n  $ meridian analyze exposure ENERGY"
    )]
    Exposure(ExposureArgs),
    /// Fail the given assets at t = 0 and follow the cascade: every failed asset with its
    /// failure time and the provider that caused it, and each NCF's degradation.
    #[command(after_help = "Examples:\n  $ meridian analyze cascade fgrid:tw:tainan-12 --limit 20")]
    Cascade(CascadeArgs),
    /// Single points of failure: for each asset, the domestic assets it alone takes down.
    Spof(SpofArgs),
    /// The exact priority ranking of every foreign (and foreign-owned) asset.
    #[command(
        after_help = "Examples:\n  $ meridian analyze rank --limit 10\n  $ meridian analyze rank --explain fgrid:tw:tainan-12\n  $ meridian analyze rank --history fgrid:tw:tainan-12"
    )]
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
    /// Benchmark answers on atlas CSV files, in the answer-file shape of `bench/README.md`
    /// (closure sizes, foreign NCF counts, dominator digest, weak components), timed. A tool of
    /// `bench/`, hidden from the command list.
    #[command(hide = true)]
    Peers(PeersArgs),
}

#[derive(Debug, Args)]
pub struct PeersArgs {
    /// The assets CSV file (the atlas CSV format).
    #[arg(long)]
    pub assets: PathBuf,
    /// The dependencies CSV file (the atlas CSV format).
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
    /// Rows to print.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct CascadeArgs {
    /// Asset ids failing at t = 0.
    #[arg(required = true)]
    pub assets: Vec<String>,
    /// Failed assets to print (the NCF table is always complete; `--json` gives everything).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct SpofArgs {
    /// Only this asset: list the domestic assets it alone takes down.
    #[arg(long)]
    pub asset: Option<String>,
    /// Rows to print.
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
    #[arg(long, value_name = "ASSET", conflicts_with = "explain")]
    pub history: Option<String>,
    /// Instead of ranking, explain this asset's priority: impact × (1 + exposure) × (1 + threat)
    /// with the NCFs behind the impact, the findings behind the exposure and the incidents
    /// behind the threat.
    #[arg(long, value_name = "ASSET")]
    pub explain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Save (or replace) a scenario: explicit assets, countries and circles, in any mix.
    #[command(
        after_help = "Examples:\n  $ meridian analyze scenario save taiwan --countries TW --description \"Loss of Taiwan\"\n  $ meridian analyze scenario save tainan --circle 23.0,120.2,50"
    )]
    Save(ScenarioSaveArgs),
    /// List saved scenarios.
    List,
    /// Fail every asset of the scenario at t = 0 and follow the cascade.
    Run {
        /// The scenario's name.
        name: String,
        /// Failed assets to print (the NCF table is always complete; `--json` gives everything).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Delete a saved scenario.
    Delete {
        /// The scenario's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ScenarioSaveArgs {
    /// The scenario's name (saving under an existing name replaces it).
    pub name: String,
    /// What the scenario represents, shown by `scenario list`.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Asset ids (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub assets: Vec<String>,
    /// Every asset in these countries (ISO alpha-2).
    #[arg(long, value_delimiter = ',')]
    pub countries: Vec<String>,
    /// Every located asset within a circle: LAT,LON,RADIUS_KM (repeatable).
    #[arg(long, value_parser = model::Circle::parse)]
    pub circle: Vec<model::Circle>,
    /// Every asset running a product affected by these CVEs (active intel findings, resolved
    /// when the scenario runs).
    #[arg(long, value_delimiter = ',')]
    pub cves: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MonteCarloArgs {
    /// Number of trials.
    #[arg(long, default_value_t = 1000)]
    pub trials: u64,
    /// Seed of the random numbers: the same seed gives the same answer.
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
    /// Rows to print (assets by failure frequency).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct ContingencyArgs {
    /// Pair the top K foreign assets of the ranking.
    #[arg(long, default_value_t = 50)]
    pub top: usize,
    /// Rows to print (the worst pairs).
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
    /// Steps a sector takes to recover 99 % of its inoperability (DIIM).
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
    /// Independent network pairs to average over.
    #[arg(long, default_value_t = 8)]
    pub realisations: u64,
    /// Seed of the random networks: the same seed gives the same answer.
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

/// Loads the atlas from `store` with a spinner.
fn load(config: &Config, store: &mut store::Store) -> anyhow::Result<Engine> {
    Ok(Engine::load(
        store,
        config.home,
        &progress::Bars::new(config.quiet),
    )?)
}

/// Opens the store and loads the atlas.
fn open(config: &Config) -> anyhow::Result<Engine> {
    load(config, &mut config.open_store()?)
}

/// The ranking's exposure and threat (`analysis::scores`), on `engine`.
fn scores(
    config: &Config,
    store: &mut store::Store,
    engine: &Engine,
) -> anyhow::Result<analysis::Scores> {
    Ok(analysis::scores(
        store,
        engine,
        &progress::Bars::new(config.quiet),
    )?)
}

fn summary(config: &Config) -> anyhow::Result<()> {
    let s = analysis::summary(&open(config)?);
    if config.json {
        return output::json(&s);
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let rows = [
        ("assets", s.assets.to_string(), "assets in the atlas"),
        (
            "dependencies",
            s.dependencies.to_string(),
            "directed edges dependent → provider",
        ),
        (
            "redundancy groups",
            s.groups.to_string(),
            "sets of providers of one dependent that back each other up: the dependent fails \
             only when the whole group has failed",
        ),
        (
            "foreign",
            s.foreign.to_string(),
            "assets outside the home country",
        ),
        (
            "pure AND",
            yes_no(s.pure_and),
            "every provider is its own group: any provider's failure fails the dependent \
             (the ranking then takes its fast exact path)",
        ),
        (
            "strongly connected components",
            s.strongly_connected_components.to_string(),
            "groups of assets that depend on each other in a cycle",
        ),
        (
            "largest SCC",
            s.largest_scc.to_string(),
            "assets in the largest such cycle",
        ),
        (
            "weakly connected components",
            s.weakly_connected_components.to_string(),
            "pieces of the graph with no dependency between them",
        ),
        (
            "load seconds",
            format!("{:.3}", s.load_seconds),
            "reading the atlas from the database",
        ),
        (
            "build seconds",
            format!("{:.3}", s.build_seconds),
            "building the in-memory graph",
        ),
        (
            "SCC + WCC seconds",
            format!("{:.3}", s.scc_wcc_seconds),
            "computing the components above",
        ),
    ];
    output::table(
        &["measure", "value", "meaning"],
        rows.into_iter()
            .map(|(k, v, m)| vec![k.to_owned(), v, m.to_owned()]),
    );
    Ok(())
}

fn exposure(config: &Config, args: &ExposureArgs) -> anyhow::Result<()> {
    let rows = analysis::exposure(&open(config)?, &args.target)?;
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
    output::limited_table(
        config.quiet,
        "foreign assets",
        &[
            "foreign asset",
            "country",
            "SPOF",
            "hops",
            "shortest dependency path",
        ],
        &rows,
        args.limit,
        |r| {
            vec![
                r.asset.clone(),
                r.country.clone(),
                if r.single_point_of_failure { "yes" } else { "" }.to_owned(),
                (r.path.len() - 1).to_string(),
                r.path.join(" → "),
            ]
        },
    );
    Ok(())
}

fn cascade(config: &Config, args: &CascadeArgs) -> anyhow::Result<()> {
    print_cascade(
        config,
        &analysis::cascade(&open(config)?, &args.assets)?,
        args.limit,
    )
}

/// Prints a cascade (the `analyze cascade` contract).
fn print_cascade(config: &Config, cascade: &analysis::Cascade, limit: usize) -> anyhow::Result<()> {
    if config.json {
        return output::json(cascade);
    }
    outln!(
        "{} assets failed; impact {:.6} (sum of NCF degradations)",
        cascade.failed.len(),
        cascade.impact
    );
    output::limited_table(
        config.quiet,
        "failed assets",
        &["t (hours)", "asset", "caused by"],
        &cascade.failed,
        limit,
        |f| {
            vec![
                format!("{:.1}", f.time_hours),
                f.asset.clone(),
                f.cause.as_deref().unwrap_or("(initial)").to_owned(),
            ]
        },
    );
    output::table(
        &[
            "ncf",
            "name",
            "final degradation",
            "over time (hours: share)",
        ],
        cascade.ncf.iter().map(|n| {
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
    let engine = open(config)?;
    if let Some(id) = &args.asset {
        let of = analysis::spof_of(&engine, id)?;
        if config.json {
            return output::json(&of);
        }
        outln!(
            "{id} alone takes down {} domestic assets",
            of.domestic_down.len()
        );
        output::table(
            &["domestic asset"],
            of.domestic_down.iter().map(|a| vec![a.clone()]),
        );
        return Ok(());
    }
    let rows = analysis::spofs(&engine);
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
    output::limited_table(
        config.quiet,
        "single points of failure",
        &["asset", "foreign", "domestic assets taken down", "impact"],
        &rows,
        args.limit,
        |r| {
            vec![
                r.asset.clone(),
                if r.foreign { "yes" } else { "" }.to_owned(),
                r.domestic_down.to_string(),
                format!("{:.4}", r.impact),
            ]
        },
    );
    Ok(())
}

/// Prints the top `limit` rows; the "move" column compares with the previous stored ranking when
/// there is one (`compared`), and is blank otherwise.
fn print_ranking(rows: &[analysis::RankRow], limit: usize, compared: bool, quiet: bool) {
    output::limited_table(
        quiet,
        "ranked assets",
        &[
            "#", "move", "asset", "country", "impact", "exposure", "threat", "priority",
        ],
        rows,
        limit,
        |r| {
            let country = output::origin(&r.country, !r.foreign_owned, r.foreign_owned);
            let movement = match r.movement() {
                None if compared => "new".to_owned(),
                None => String::new(),
                Some(0) => "=".to_owned(),
                Some(m) => format!("{m:+}"),
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
        },
    );
}

fn rank(config: &Config, args: &RankArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    if let Some(asset) = &args.history {
        return rank_history(config, &mut store, asset);
    }
    if let Some(asset) = &args.explain {
        let engine = load(config, &mut store)?;
        let explanation = analysis::explain_asset(
            &mut store,
            &engine,
            &progress::Bars::new(config.quiet),
            asset,
        )?;
        if config.json {
            return output::json(&explanation);
        }
        print_explanation(&explanation);
        return Ok(());
    }
    let engine = load(config, &mut store)?;
    let scores = scores(config, &mut store, &engine)?;
    let ranking = analysis::rank(
        &mut store,
        &engine,
        &scores,
        !args.no_save,
        &app::Actor::local(),
    )?;
    if let Some(id) = ranking.stored {
        output::note(
            config.quiet,
            format!(
                "ranking {id} stored ({} foreign assets)",
                ranking.rows.len()
            ),
        );
    }
    if config.json {
        return output::json(&ranking.rows);
    }
    print_ranking(&ranking.rows, args.limit, ranking.compared, config.quiet);
    Ok(())
}

/// Prints why an asset ranks where it does, factor by factor.
pub(crate) fn print_explanation(e: &analysis::Explanation) {
    let place = if e.foreign { "foreign" } else { "domestic" };
    outln!("{} ({}, {place})", e.asset, e.country);
    match &e.stored {
        Some(row) => {
            let movement = match row.movement() {
                Some(0) => ", unchanged since the previous ranking".to_owned(),
                Some(m) if m > 0 => format!(", up {m} since the previous ranking"),
                Some(m) => format!(", down {} since the previous ranking", -m),
                None => String::new(),
            };
            outln!(
                "rank {} in the newest stored ranking (priority {:.3}){movement}",
                row.rank,
                row.priority
            );
        }
        None => outln!("not in the newest stored ranking (run `meridian analyze rank`)"),
    }
    outln!(
        "priority now {:.3} = impact {:.3} × (1 + exposure {:.3}) × (1 + threat {:.3})",
        e.priority,
        e.impact,
        e.exposure,
        e.threat
    );
    outln!(
        "\nimpact {:.3}: the sum of the NCF degradations its failure causes ({} asset(s) fail \
         with it; it alone takes down {} domestic asset(s))",
        e.impact,
        e.failed_with,
        e.domestic_down.len()
    );
    output::table(
        &["NCF", "name", "degradation"],
        e.ncfs.iter().map(|n| {
            vec![
                n.ncf.to_owned(),
                n.name.to_owned(),
                format!("{:.3}", n.degradation),
            ]
        }),
    );
    outln!(
        "\nexposure {:.3}: from its {} active vulnerability finding(s)",
        e.exposure,
        e.findings.len()
    );
    if !e.findings.is_empty() {
        output::table(
            &["CVE", "item", "rule", "conf", "SSVC"],
            e.findings.iter().map(|f| {
                vec![
                    f.cve.clone(),
                    f.item.clone(),
                    f.rule.to_owned(),
                    format!("{:.2}", f.confidence),
                    f.ssvc.verdict(),
                ]
            }),
        );
    }
    outln!(
        "\nthreat {:.3}: from {} incident(s) and sighting(s) naming it (severity / 5, halving every 90 days)",
        e.threat,
        e.incidents.len()
    );
    if !e.incidents.is_empty() {
        output::table(
            &["incident", "kind", "category", "severity", "occurred"],
            e.incidents.iter().map(|i| {
                vec![
                    i.id.clone(),
                    i.kind.to_owned(),
                    i.category.clone(),
                    i.severity.to_string(),
                    i.occurred_at.clone(),
                ]
            }),
        );
    }
}

fn rank_history(config: &Config, store: &mut store::Store, asset: &str) -> anyhow::Result<()> {
    let history = analysis::rank_history(store, asset)?;
    if config.json {
        return output::json(&history);
    }
    output::table(
        &["ranking", "when", "atlas version", "rank", "priority"],
        history.iter().map(|h| {
            vec![
                h.run.to_string(),
                h.created_at.clone(),
                h.atlas_version.to_string(),
                h.rank.map_or("-".to_owned(), |r| r.to_string()),
                h.priority.map_or("-".to_owned(), |p| format!("{p:.4}")),
            ]
        }),
    );
    Ok(())
}

fn scenario(config: &Config, command: ScenarioCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        ScenarioCommand::Save(args) => {
            let scenario = model::Scenario {
                name: args.name,
                description: args.description,
                assets: args.assets,
                countries: args.countries,
                circles: args.circle,
                cves: args.cves,
            };
            analysis::save_scenario(&mut store, &scenario, &app::Actor::local())?;
            output::note(config.quiet, format!("scenario {:?} saved", scenario.name));
            Ok(())
        }
        ScenarioCommand::List => {
            let all = analysis::scenarios(&mut store)?;
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
        ScenarioCommand::Run { name, limit } => {
            let scenario = analysis::scenario(&mut store, &name).map_err(|e| match e {
                app::Error::NotFound { .. } => {
                    anyhow!("scenario {name:?} not found (meridian analyze scenario list)")
                }
                e => e.into(),
            })?;
            let affected = super::intel::assets_affected_by(config, &mut store, &scenario.cves)?;
            let engine = load(config, &mut store)?;
            let run = analysis::run_scenario(&engine, &scenario, &affected)?;
            output::note(
                config.quiet,
                format!("scenario {name:?}: {} assets fail at t = 0", run.initial),
            );
            print_cascade(config, &run.cascade, limit)
        }
        ScenarioCommand::Delete { name } => {
            analysis::delete_scenario(&mut store, &name, &app::Actor::local())?;
            output::note(config.quiet, format!("scenario {name:?} deleted"));
            Ok(())
        }
    }
}

/// The demo's closing table: the foreign assets whose loss hurts most.
pub fn print_top_foreign(
    config: &Config,
    store: &mut store::Store,
    limit: usize,
) -> anyhow::Result<()> {
    let engine = load(config, store)?;
    let rows = analysis::ranking(&engine, &scores(config, store, &engine)?);
    outln!("\nforeign infrastructure that matters most (meridian analyze rank):");
    print_ranking(&rows, limit, false, config.quiet);
    Ok(())
}

fn montecarlo(config: &Config, args: &MonteCarloArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let engine = load(config, &mut store)?;
    let probabilities = match &args.probabilities {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            analysis::Probabilities::PerAsset(analysis::probabilities_from_csv(
                &engine,
                &path.display().to_string(),
                &text,
            )?)
        }
        None => analysis::Probabilities::Foreign {
            p: args.foreign_probability,
            scores: if args.scored {
                Some(scores(config, &mut store, &engine)?)
            } else {
                None
            },
        },
    };
    let result = analysis::montecarlo(
        &engine,
        &probabilities,
        args.trials,
        args.seed,
        &progress::Bars::new(config.quiet),
    )?;
    if config.json {
        return output::json(&result);
    }
    outln!(
        "{} trials (seed {}): impact mean {:.4}, 5th percentile {:.4}, 95th percentile {:.4}",
        result.trials,
        result.seed,
        result.impact.mean,
        result.impact.p5,
        result.impact.p95
    );
    output::table(
        &["ncf", "mean degradation", "p5", "p95"],
        result
            .ncf
            .iter()
            .filter(|n| n.degradation.p95 > 0.0)
            .map(|n| {
                vec![
                    n.ncf.to_owned(),
                    format!("{:.2}%", n.degradation.mean * 100.0),
                    format!("{:.2}%", n.degradation.p5 * 100.0),
                    format!("{:.2}%", n.degradation.p95 * 100.0),
                ]
            }),
    );
    output::limited_table(
        config.quiet,
        "assets that failed in some trial",
        &["asset", "share of trials failed"],
        &result.asset_failure_share,
        args.limit,
        |s| vec![s.asset.clone(), format!("{:.2}%", s.share * 100.0)],
    );
    Ok(())
}

fn contingency(config: &Config, args: &ContingencyArgs) -> anyhow::Result<()> {
    let pairs = analysis::contingency(
        &open(config)?,
        args.top,
        args.limit,
        &progress::Bars::new(config.quiet),
    )?;
    if config.json {
        return output::json(&pairs);
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
                p.assets[0].clone(),
                p.assets[1].clone(),
                format!("{:.4}", p.joint_impact),
                format!("{:.4} / {:.4}", p.single_impacts[0], p.single_impacts[1]),
                format!("{:+.4}", p.over_sum),
            ]
        }),
    );
    Ok(())
}

fn iim(config: &Config, args: &IimArgs) -> anyhow::Result<()> {
    let options = analysis::IimOptions {
        perturb: args.perturb.clone(),
        output: args.output.clone(),
        steps: args.steps,
        recovery_steps: args.recovery_steps,
    };
    let result = match &args.matrix {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let source = path.display().to_string();
            analysis::iim(
                analysis::Matrix::Csv {
                    source: &source,
                    text: &text,
                },
                &options,
            )?
        }
        None => analysis::iim(analysis::Matrix::Atlas(&open(config)?), &options)?,
    };
    if config.json {
        return output::json(&result);
    }
    if args.perturb.is_empty() {
        output::note(
            config.quiet,
            "nothing perturbs the sectors, so every inoperability is 0: give a demand \
             perturbation with --perturb SECTOR=VALUE (e.g. --perturb ENERGY=0.1)",
        );
    }
    let with_loss = !args.output.is_empty();
    let mut header = vec!["sector", "c*", "inoperability q"];
    if with_loss {
        header.push("loss (q × output)");
    }
    output::table(
        &header,
        result.sectors.iter().map(|r| {
            let mut row = vec![
                r.sector.clone(),
                format!("{:.4}", r.c_star),
                format!("{:.4}", r.q),
            ];
            if with_loss {
                row.push(format!("{:.2}", r.loss));
            }
            row
        }),
    );
    if with_loss {
        outln!("static economic loss per period: {:.2}", result.loss);
    } else {
        output::note(
            config.quiet,
            "the economic loss needs each sector's output: --output SECTOR=VALUE (repeatable)",
        );
    }
    if let Some(dynamic) = &result.dynamic {
        outln!(
            "DIIM over {} steps: cumulative loss {:.2}",
            args.steps,
            dynamic.cumulative_loss.last().copied().unwrap_or(0.0)
        );
    }
    Ok(())
}

fn percolation(config: &Config, args: &PercolationArgs) -> anyhow::Result<()> {
    let result = analysis::percolation(
        args.nodes,
        args.mean_degree,
        args.realisations,
        args.seed,
        &progress::Bars::new(config.quiet),
    )?;
    if config.json {
        return output::json(&result);
    }
    outln!(
        "coupled Erdős–Rényi, N = {} per network, <k> = {}: p_c = {:.4} over {} realisations (theory 2.4554/<k> = {:.4})",
        result.nodes,
        result.mean_degree,
        result.p_c,
        result.found(),
        result.p_c_theory
    );
    Ok(())
}
