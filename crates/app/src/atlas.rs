//! The atlas: searching and showing assets, counting them, getting an atlas in (import, all or
//! nothing) and out (export).
//!
//! Filter values are read case-insensitively and checked against the reference lists (countries,
//! sectors, NCFs) or the kinds stored in the atlas: an unknown value is [`Error::Invalid`]
//! naming the valid ones, never an empty answer.

use std::collections::HashMap;

use model::{Asset, Atlas, Dependency, HomeCountry};
use store::{Incident, RankingEntry, Stats, Store};

use crate::authz::{Action, authorize};
use crate::{Actor, Error, Problem, Result};

/// What [`search`] looks for; every condition given must hold. Text conditions are
/// case-insensitive substrings, the others case-insensitive exact values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// A substring of the id or the name.
    pub text: Option<String>,
    /// An ISO 3166-1 alpha-2 code (or `ZZ`).
    pub country: Option<String>,
    /// A sector id (`ENERGY`).
    pub sector: Option<String>,
    /// An NCF id (`NCF-D01`).
    pub ncf: Option<String>,
    /// A substring of one of the asset's products (a product string, purl or CPE).
    pub product: Option<String>,
    /// An asset kind stored in the atlas (`facility`, `network`, …).
    pub kind: Option<String>,
    /// Only assets outside the home country.
    pub foreign: bool,
    /// Only assets whose id sorts after this one: where the previous page ended.
    pub after: Option<String>,
}

/// The assets matching `query` ordered by id, at most `limit` of them after skipping `offset`.
pub fn search(
    store: &mut Store,
    home: &HomeCountry,
    query: &Query,
    limit: u64,
    offset: u64,
) -> Result<Vec<Asset>> {
    let filter = filter(store, home, query)?;
    Ok(store.list_assets(&filter, limit, offset)?)
}

/// How many assets match `query` (its `after` cursor included), for "50 of 1,083 shown".
pub fn count(store: &mut Store, home: &HomeCountry, query: &Query) -> Result<u64> {
    let filter = filter(store, home, query)?;
    Ok(store.count_assets(&filter)?)
}

/// The store's filter for `query`, with every value checked and spelled as stored.
pub(crate) fn filter(
    store: &mut Store,
    home: &HomeCountry,
    query: &Query,
) -> Result<store::AssetFilter> {
    let mut problems = Vec::new();
    let mut check =
        |pointer: &str, value: &Option<String>, what: &str, valid: &dyn Fn() -> Vec<String>| {
            let value = value.as_deref()?;
            let known = valid();
            let found = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(value.trim()))
                .cloned();
            if found.is_none() {
                problems.push(Problem {
                    pointer: pointer.to_owned(),
                    message: format!(
                        "unknown {what} {value:?}; valid values: {}",
                        if known.is_empty() {
                            "none (the atlas is empty)".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                });
            }
            found
        };
    let country = check("/country", &query.country, "country", &|| {
        model::countries()
            .iter()
            .map(|c| c.alpha2.to_owned())
            .collect()
    });
    let sector = check("/sector", &query.sector, "sector", &|| {
        model::sectors().iter().map(|s| s.id.to_owned()).collect()
    });
    let ncf = check("/ncf", &query.ncf, "NCF", &|| {
        model::ncfs().iter().map(|n| n.id.to_owned()).collect()
    });
    let kinds = match &query.kind {
        Some(_) => store.stats(home)?.by_kind.into_keys().collect(),
        None => Vec::new(),
    };
    let kind = check("/kind", &query.kind, "kind", &|| kinds.clone());
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let text = |t: &Option<String>| t.as_deref().map(str::to_owned).filter(|t| !t.is_empty());
    Ok(store::AssetFilter {
        country,
        sector,
        ncf,
        kind,
        foreign_of: query.foreign.then(|| home.clone()),
        text: text(&query.text),
        product: text(&query.product),
        after: query.after.clone(),
    })
}

/// One asset with what surrounds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub asset: Asset,
    /// Outside the home country.
    pub foreign: bool,
    /// In the home country, ultimately owned from abroad.
    pub foreign_owned: bool,
    /// What the asset depends on (its providers), by provider id.
    pub depends_on: Vec<Dependency>,
    /// What depends on the asset, by dependent id (those in the window asked for).
    pub dependents: Vec<Dependency>,
    /// How many depend on the asset in all.
    pub dependents_total: u64,
    /// The incidents naming the asset, by id.
    pub incidents: Vec<Incident>,
    /// The asset's row in the latest stored priority ranking, when there is one and the asset
    /// is in it.
    pub rank: Option<Ranked>,
}

/// An asset's place in a stored ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub entry: RankingEntry,
    /// The ranking run it comes from, and when that ran.
    pub run: i64,
    pub ranked_at: String,
    /// How many assets the run ranked.
    pub of: u64,
}

/// Which of an asset's dependents [`show`] lists: from the `offset`-th on, at most `limit`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
}

impl Window {
    /// Every one.
    pub const ALL: Window = Window {
        offset: 0,
        limit: u64::MAX,
    };
}

/// The asset `id` with its providers, the `dependents` window of its dependents, its incidents
/// and latest rank; `NotFound` when there is no such asset.
pub fn show(store: &mut Store, home: &HomeCountry, id: &str, dependents: Window) -> Result<Detail> {
    let asset = store.get_asset(id)?.ok_or_else(|| Error::NotFound {
        what: "asset",
        id: id.to_owned(),
    })?;
    let incidents = store
        .incidents()?
        .into_iter()
        .filter(|i| i.report.assets.iter().any(|a| a == id))
        .collect();
    let rank = match store.ranking_runs()?.into_iter().max_by_key(|r| r.id) {
        Some(run) => store.ranking_entry(run.id, id)?.map(|entry| Ranked {
            entry,
            run: run.id,
            ranked_at: run.created_at,
            of: run.entries,
        }),
        None => None,
    };
    let (dependents, dependents_total) =
        store.dependents_page(id, dependents.limit, dependents.offset)?;
    Ok(Detail {
        foreign: asset.is_foreign(home),
        foreign_owned: asset.is_foreign_owned(home),
        depends_on: store.dependencies_of(id)?,
        dependents,
        dependents_total,
        incidents,
        rank,
        asset,
    })
}

/// Counts over the whole atlas.
pub fn stats(store: &mut Store, home: &HomeCountry) -> Result<Stats> {
    Ok(store.stats(home)?)
}

/// The atlas version of the store (created and migrated when needed): `meridian init`.
pub fn init(store: &mut Store) -> Result<i64> {
    Ok(store.atlas_version()?)
}

/// The whole atlas in canonical order.
pub fn export(store: &mut Store) -> Result<Atlas> {
    Ok(store.export_atlas()?)
}

/// The whole atlas in Meridian JSON (what `meridian export --format json` writes). A value
/// the format cannot carry back unchanged is a [`Error::Conflict`] naming the record.
pub fn export_json(store: &mut Store) -> Result<Vec<u8>> {
    let atlas = export(store)?;
    let mut out = Vec::new();
    interchange::write_json_to(&atlas, &mut out).map_err(|e| Error::Conflict(e.to_string()))?;
    Ok(out)
}

/// How problems of an import are located: in files given by path (`file:line` and the field
/// in the message, as the command line prints them), or in one JSON document sent whole (a
/// JSON pointer, the line in the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Located {
    Files,
    Json,
}

/// Reads and parses atlas files (CSV, JSON, GraphML, STIX, by name and content), refusing any
/// larger than `max_bytes`; every problem of every file is reported.
pub fn read_files(paths: &[std::path::PathBuf], max_bytes: u64) -> Result<interchange::Parsed> {
    interchange::read_files_limited(paths, max_bytes)
        .map_err(|errors| invalid(&errors, Located::Files))
}

/// Parses an atlas in Meridian JSON (as `meridian export --format json` writes it) sent whole.
/// Each record's origin names it by its JSON pointer (`/assets/3`), so that [`check`] locates
/// its problems by pointer too.
pub fn parse_json(bytes: &[u8]) -> Result<interchange::Parsed> {
    let mut parsed = interchange::parse_json("atlas.json", bytes)
        .map_err(|errors| invalid(&errors, Located::Json))?;
    let rename = |origins: &mut [interchange::Origin], what: &str| {
        for (i, origin) in origins.iter_mut().enumerate() {
            origin.file = format!("/{what}/{i}").into();
        }
    };
    rename(&mut parsed.asset_origin, "assets");
    rename(&mut parsed.dependency_origin, "dependencies");
    Ok(parsed)
}

/// Checks a parsed batch against the store without writing: every dependency must name an
/// asset of the batch or a stored one.
pub fn check(store: &mut Store, parsed: &interchange::Parsed, located: Located) -> Result<()> {
    let mut referenced: Vec<&str> = parsed
        .atlas
        .dependencies
        .iter()
        .flat_map(|d| [d.dependent.as_str(), d.provider.as_str()])
        .collect();
    referenced.sort_unstable();
    referenced.dedup();
    let stored = store.existing_ids(&referenced)?;
    let errors = interchange::check_batch(parsed, |id| stored.contains(id));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(&errors, located))
    }
}

/// Checks and stores a parsed batch in one transaction (assets upserted by id, dependencies by
/// their two ends) with its audit entry (`atlas.import`, the counts as its change): everything
/// is stored, or on any problem nothing.
pub fn import(
    store: &mut Store,
    actor: &Actor,
    parsed: &interchange::Parsed,
    located: Located,
) -> Result<store::ImportReport> {
    authorize(actor, Action::ImportAtlas)?;
    check(store, parsed, located)?;
    crate::audit::audited(
        store,
        actor,
        "atlas.import",
        |store| Ok(store.import(&parsed.atlas)?),
        |report| {
            let count = |c: &store::Counts| {
                format!(
                    "{} created, {} updated, {} unchanged",
                    c.created, c.updated, c.unchanged
                )
            };
            let change = format!(
                "assets: {}; dependencies: {}",
                count(&report.assets),
                count(&report.dependencies)
            );
            (Vec::new(), change)
        },
    )
}

fn invalid(errors: &[interchange::ImportError], located: Located) -> Error {
    Error::Invalid(errors.iter().map(|e| problem(e, located)).collect())
}

/// One import error as a [`Problem`].
fn problem(e: &interchange::ImportError, located: Located) -> Problem {
    match located {
        Located::Files => {
            let mut pointer = e.file.clone();
            if let Some(line) = e.line {
                pointer.push_str(&format!(":{line}"));
                if let Some(column) = e.column {
                    pointer.push_str(&format!(":{column}"));
                }
            }
            let message = match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message.clone(),
            };
            Problem { pointer, message }
        }
        Located::Json => Problem {
            // A record located by [`parse_json`] names its pointer as its file.
            pointer: format!(
                "{}{}",
                e.file.strip_prefix("atlas.json").unwrap_or(&e.file),
                e.field
                    .as_deref()
                    .map(crate::json_pointer)
                    .unwrap_or_default()
            ),
            message: match e.line {
                Some(line) => format!("line {line}: {}", e.message),
                None => e.message.clone(),
            },
        },
    }
}

#[cfg(test)]
mod tests;

/// The dependency neighbourhood of one asset, for drawing: its direct providers, then the
/// assets that depend on it layer by layer, keeping only those on a path to an asset that
/// supports a National Critical Function directly.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbourhood {
    /// The asset's direct providers, by id (at most `width`).
    pub providers: Vec<Asset>,
    /// `layers[0]` is the asset; `layers[k]` the dependents `k` steps away on a path to an NCF
    /// (at most `width` each).
    pub layers: Vec<Vec<Asset>>,
    /// Every dependency drawn, `(provider, dependent)`.
    pub edges: Vec<(String, String)>,
    /// Assets on a path to an NCF left out because their layer was full.
    pub omitted: usize,
}

/// How many dependents of one layer [`neighbourhood`] looks at before it stops widening.
const NEIGHBOURHOOD_SCAN: usize = 200;

/// The neighbourhood of asset `id` up to `depth` dependency steps, `width` assets per layer;
/// `NotFound` when there is no such asset.
pub fn neighbourhood(
    store: &mut Store,
    id: &str,
    depth: usize,
    width: usize,
) -> Result<Neighbourhood> {
    let asset = store.get_asset(id)?.ok_or_else(|| Error::NotFound {
        what: "asset",
        id: id.to_owned(),
    })?;
    let mut providers = Vec::new();
    for d in store.dependencies_of(id)?.into_iter().take(width) {
        if let Some(p) = store.get_asset(&d.provider)? {
            providers.push(p);
        }
    }
    let mut seen: std::collections::HashSet<String> = [id.to_owned()].into();
    let mut layers: Vec<Vec<Asset>> = vec![vec![asset]];
    let mut edges: Vec<(String, String)> = providers
        .iter()
        .map(|p| (p.id.clone(), id.to_owned()))
        .collect();
    let mut upward: Vec<(String, String)> = Vec::new();
    for _ in 0..depth {
        let mut next = Vec::new();
        let frontier: Vec<String> = layers
            .last()
            .map_or_else(Vec::new, |l| l.iter().map(|a| a.id.clone()).collect());
        for from in frontier {
            for d in store.dependents_of(&from)? {
                if next.len() >= NEIGHBOURHOOD_SCAN {
                    break;
                }
                if seen.insert(d.dependent.clone())
                    && let Some(a) = store.get_asset(&d.dependent)?
                {
                    upward.push((from.clone(), a.id.clone()));
                    next.push(a);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        layers.push(next);
    }
    // Keep, from the farthest layer back, the assets that support an NCF or lead to one kept.
    let mut kept: std::collections::HashSet<String> = std::collections::HashSet::new();
    for layer in layers.iter().skip(1).rev() {
        for a in layer {
            let leads = upward.iter().any(|(p, d)| p == &a.id && kept.contains(d));
            if !a.ncfs.is_empty() || leads {
                kept.insert(a.id.clone());
            }
        }
    }
    let mut omitted = 0;
    for layer in layers.iter_mut().skip(1) {
        layer.retain(|a| kept.contains(&a.id));
        omitted += layer.len().saturating_sub(width);
        layer.truncate(width);
    }
    layers.retain(|l| !l.is_empty());
    let drawn: std::collections::HashSet<&str> =
        layers.iter().flatten().map(|a| a.id.as_str()).collect();
    edges.extend(
        upward
            .iter()
            .filter(|(p, d)| drawn.contains(p.as_str()) && drawn.contains(d.as_str()))
            .cloned(),
    );
    Ok(Neighbourhood {
        providers,
        layers,
        edges,
        omitted,
    })
}

/// The assets among `ids` that have coordinates, in the order of `ids` (unknown ids skipped).
pub fn located(store: &mut Store, ids: &[String]) -> Result<Vec<Asset>> {
    let mut found = Vec::new();
    for id in ids {
        if let Some(a) = store.get_asset(id)?
            && a.lat.is_some()
            && a.lon.is_some()
        {
            found.push(a);
        }
    }
    Ok(found)
}

/// The tag of shipping chokepoints.
pub const CHOKEPOINT_TAG: &str = "chokepoint";
/// The tag of submarine cables (no coordinates of their own) and their landing stations.
pub const SUBSEA_TAG: &str = "subsea";

/// What a map draws under the ranked assets: shipping chokepoints, cable landing stations and
/// the submarine cables between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Infrastructure {
    /// Assets tagged `chokepoint` with coordinates.
    pub chokepoints: Layer<Asset>,
    /// Assets tagged `subsea` with coordinates.
    pub landing_stations: Layer<Asset>,
    /// Assets tagged `subsea` without coordinates that connect at least two landing stations.
    pub cables: Layer<Cable>,
}

/// Part of one kind of infrastructure: at most a limit of them, spread evenly over the whole
/// list by id.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer<T> {
    /// By id.
    pub shown: Vec<T>,
    /// How many the atlas holds.
    pub total: usize,
}

/// A submarine cable and the landing stations it connects.
#[derive(Clone, Debug, PartialEq)]
pub struct Cable {
    pub asset: Asset,
    /// Its landing stations (its providers and dependents tagged `subsea` with coordinates),
    /// each once: its providers (the far ends) by id, then the others by id; at least two.
    pub landings: Vec<Asset>,
}

/// The map's infrastructure, at most `limit` of each kind: two indexed lookups (the tagged
/// assets, the dependencies among the subsea ones), never a scan of the atlas.
pub fn infrastructure(store: &mut Store, limit: usize) -> Result<Infrastructure> {
    let located = |a: &Asset| a.lat.is_some() && a.lon.is_some();
    let chokepoints: Vec<Asset> = store
        .assets_tagged(&[CHOKEPOINT_TAG.to_owned()])?
        .into_iter()
        .filter(located)
        .collect();
    let (landing_stations, cables): (Vec<Asset>, Vec<Asset>) = store
        .assets_tagged(&[SUBSEA_TAG.to_owned()])?
        .into_iter()
        .partition(located);
    let ids: Vec<String> = landing_stations
        .iter()
        .chain(&cables)
        .map(|a| a.id.clone())
        .collect();
    let by_id: HashMap<&str, &Asset> = landing_stations
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    // Each cable's landing stations, flagged when the cable depends on them (its far ends).
    let mut landings_of: HashMap<&str, Vec<(bool, &Asset)>> = HashMap::new();
    let dependencies = store.dependencies_among(&ids)?;
    for d in &dependencies {
        for (cable, other, provider) in [
            (&d.dependent, &d.provider, true),
            (&d.provider, &d.dependent, false),
        ] {
            if let Some(landing) = by_id.get(other.as_str()) {
                landings_of
                    .entry(cable)
                    .or_default()
                    .push((provider, landing));
            }
        }
    }
    let cables: Vec<Cable> = cables
        .into_iter()
        .filter_map(|asset| {
            let mut landings = landings_of.remove(asset.id.as_str())?;
            landings.sort_by(|(p, a), (q, b)| q.cmp(p).then_with(|| a.id.cmp(&b.id)));
            let mut seen = std::collections::HashSet::new();
            landings.retain(|(_, a)| seen.insert(a.id.as_str()));
            (landings.len() >= 2).then(|| Cable {
                asset,
                landings: landings.into_iter().map(|(_, a)| a.clone()).collect(),
            })
        })
        .collect();
    Ok(Infrastructure {
        chokepoints: Layer::spread(chokepoints, limit),
        landing_stations: Layer::spread(landing_stations, limit),
        cables: Layer::spread(cables, limit),
    })
}

impl<T> Layer<T> {
    /// At most `limit` of `all`, evenly spaced.
    fn spread(all: Vec<T>, limit: usize) -> Layer<T> {
        let total = all.len();
        let shown = if total <= limit {
            all
        } else {
            all.into_iter()
                .enumerate()
                .filter(|(i, _)| i * limit / total != (i + 1) * limit / total)
                .map(|(_, t)| t)
                .collect()
        };
        Layer { shown, total }
    }
}
