//! `incident …`: incident reports, cyber and physical, linked to assets (§4). They raise the
//! threat component of the assets they name in `analyze rank` ([`threat_scores`]), and a cyber
//! incident or sighting makes SSVC Exploitation at least `active` for the findings on its
//! assets ([`attacked_assets`]).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use exchange::incident::{Context, parse, timestamp};
use serde::Serialize;
use store::{Incident, IncidentKind, IncidentReport, Store};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Record one incident reported by a partner.
    Add(AddArgs),
    /// Import incident reports, all or nothing: a STIX 2.1 bundle (`incident` and `sighting`
    /// objects linked to assets by `x_meridian_asset_ids` or relationships to the atlas STIX
    /// export's infrastructure ids) or the simple JSON form, a list of
    /// `{partner, assets, kind, category, occurred_at, description, severity}`.
    ///
    /// Objects imported before (same STIX id) are left as they are.
    Import {
        file: PathBuf,
        /// The reporting partner (required for STIX bundles' reports to name one).
        #[arg(long, value_name = "ID")]
        partner: Option<String>,
    },
    /// Every incident, newest first.
    List {
        /// Only incidents on this asset.
        #[arg(long, value_name = "ID")]
        asset: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The reporting partner CSIRT.
    #[arg(long, value_name = "ID")]
    pub partner: String,
    /// An affected asset; repeat for several.
    #[arg(long = "asset", value_name = "ID", required = true)]
    pub assets: Vec<String>,
    #[arg(long, value_parser = parse_kind)]
    pub kind: IncidentKind,
    /// ransomware, intrusion, sabotage, explosive-device, natural-hazard, …
    #[arg(long)]
    pub category: String,
    /// When it happened (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = parse_time, value_name = "TIMESTAMP")]
    pub occurred_at: String,
    /// 1 (lowest) to 5.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub severity: u8,
    #[arg(long, default_value = "")]
    pub description: String,
}

pub fn run(config: &Config, command: IncidentCommand) -> anyhow::Result<()> {
    match command {
        IncidentCommand::Add(args) => add(config, args),
        IncidentCommand::Import { file, partner } => import(config, &file, partner.as_deref()),
        IncidentCommand::List { asset } => list(config, asset.as_deref()),
    }
}

fn parse_kind(name: &str) -> Result<IncidentKind, String> {
    IncidentKind::parse(name).ok_or_else(|| "expected cyber or physical".to_owned())
}

/// A timestamp argument in the stored form.
pub fn parse_time(text: &str) -> Result<String, String> {
    timestamp(text)
        .ok_or_else(|| format!("{text:?} is neither an RFC 3339 timestamp nor a YYYY-MM-DD date"))
}

/// The current time in the stored form (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
pub fn now() -> String {
    timestamp(&super::now()).expect("the current time is RFC 3339")
}

fn add(config: &Config, a: AddArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    if store.partner(&a.partner)?.is_none() {
        bail!("--partner: unknown partner {:?}", a.partner);
    }
    let report = IncidentReport {
        partner_id: Some(a.partner.clone()),
        reporter: a.partner,
        kind: a.kind,
        category: a.category,
        description: a.description,
        occurred_at: a.occurred_at,
        reported_at: now(),
        stix_id: None,
        severity: a.severity,
        assets: a.assets,
    };
    let added = store
        .add_incidents(std::slice::from_ref(&report))
        .map_err(|e| match e {
            store::StoreError::UnknownAsset(id) => anyhow::anyhow!("--asset: unknown asset {id:?}"),
            e => e.into(),
        })?;
    print_added(config, &added)
}

fn import(config: &Config, file: &std::path::Path, partner: Option<&str>) -> anyhow::Result<()> {
    let name = file.display();
    let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
    let mut store = config.open_store()?;
    if let Some(p) = partner
        && store.partner(p)?.is_none()
    {
        bail!("--partner: unknown partner {p:?}");
    }
    // Asset ids and the atlas STIX export's infrastructure ids, both to the asset id.
    let mut known: HashMap<String, String> = HashMap::new();
    for asset in store.export_atlas()?.assets {
        known.insert(interchange::infrastructure_id(&asset.id), asset.id.clone());
        known.insert(asset.id.clone(), asset.id);
    }
    let resolve = |id: &str| known.get(id).cloned();
    let reported_at = now();
    let validator = stix::Validator::new();
    let cx = Context {
        partner,
        reported_at: &reported_at,
        resolve: &resolve,
        validator: Some(&validator),
    };
    let reports = parse(&bytes, &cx).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("{name}: {e}")).collect();
        anyhow::anyhow!(
            "{} error(s), nothing imported:\n{}",
            lines.len(),
            lines.join("\n")
        )
    })?;
    let partners: HashSet<String> = store.partners()?.into_iter().map(|p| p.id).collect();
    if let Some((i, r)) = reports
        .iter()
        .enumerate()
        .find(|(_, r)| r.partner_id.as_ref().is_some_and(|p| !partners.contains(p)))
    {
        bail!(
            "{name}: [{i}].partner: unknown partner {:?}, nothing imported",
            r.partner_id.as_deref().unwrap_or_default()
        );
    }
    let added = store
        .add_incidents(&reports)
        .with_context(|| format!("{name}: nothing imported"))?;
    print_added(config, &added)
}

fn print_added(config: &Config, added: &[(String, bool)]) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Added<'a> {
        id: &'a str,
        created: bool,
    }
    if config.json {
        let rows: Vec<Added<'_>> = added
            .iter()
            .map(|(id, created)| Added {
                id,
                created: *created,
            })
            .collect();
        return output::json(&rows);
    }
    for (id, created) in added {
        outln!("{id}{}", if *created { "" } else { " (already stored)" });
    }
    let new = added.iter().filter(|(_, c)| *c).count();
    output::note(
        config.quiet,
        format!("{new} incident(s) stored, {} unchanged", added.len() - new),
    );
    Ok(())
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    partner: Option<&'a str>,
    reporter: &'a str,
    kind: &'static str,
    category: &'a str,
    severity: u8,
    occurred_at: &'a str,
    reported_at: &'a str,
    assets: &'a [String],
    description: &'a str,
    stix_id: Option<&'a str>,
}

fn list(config: &Config, asset: Option<&str>) -> anyhow::Result<()> {
    let mut all = config.open_store()?.incidents()?;
    all.retain(|i| asset.is_none_or(|a| i.report.assets.iter().any(|x| x == a)));
    all.sort_by(|a, b| b.report.occurred_at.cmp(&a.report.occurred_at));
    let rows: Vec<Row<'_>> = all
        .iter()
        .map(|i| Row {
            id: &i.id,
            partner: i.report.partner_id.as_deref(),
            reporter: &i.report.reporter,
            kind: i.report.kind.as_str(),
            category: &i.report.category,
            severity: i.report.severity,
            occurred_at: &i.report.occurred_at,
            reported_at: &i.report.reported_at,
            assets: &i.report.assets,
            description: &i.report.description,
            stix_id: i.report.stix_id.as_deref(),
        })
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &[
            "id", "occurred", "kind", "category", "sev", "reporter", "assets",
        ],
        rows.iter().map(|r| {
            vec![
                r.id.to_owned(),
                r.occurred_at.to_owned(),
                r.kind.to_owned(),
                r.category.to_owned(),
                r.severity.to_string(),
                r.reporter.to_owned(),
                r.assets.join(", "),
            ]
        }),
    );
    output::note(config.quiet, format!("{} incident(s)", rows.len()));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Threat.

/// Half-life of an incident's weight in the threat score.
pub const THREAT_HALF_LIFE_DAYS: f64 = 90.0;

/// Per asset id, the threat component of the priority ranking (§2.4), in [0, 1):
///
/// `threat = 1 − Π_i (1 − s_i / 5 · 2^(−age_i / 90 days))`
///
/// over the incidents and sightings naming the asset, where `s_i` is the severity (1..5) and
/// `age_i` the time since the incident occurred at `now` (0 for one dated in the future). Each
/// incident is an independent chance that the asset is under threat, worth its severity's share
/// of certainty and halving every 90 days; cyber and physical count alike. Assets without
/// incidents are absent (threat 0).
pub fn threat_scores(incidents: &[Incident], now: OffsetDateTime) -> HashMap<String, f64> {
    let mut spared = HashMap::<String, f64>::new();
    for i in incidents {
        let Ok(at) = OffsetDateTime::parse(&i.report.occurred_at, &Rfc3339) else {
            tracing::warn!(incident = %i.id, "unreadable occurred_at; left out of the threat");
            continue;
        };
        let age_days = ((now - at).as_seconds_f64() / 86_400.0).max(0.0);
        let weight = f64::from(i.report.severity.clamp(1, 5)) / 5.0
            * 0.5f64.powf(age_days / THREAT_HALF_LIFE_DAYS);
        for a in &i.report.assets {
            *spared.entry(a.clone()).or_insert(1.0) *= 1.0 - weight;
        }
    }
    spared.into_iter().map(|(a, s)| (a, 1.0 - s)).collect()
}

/// The threat scores of the stored incidents now.
pub fn stored_threat_scores(store: &mut Store) -> anyhow::Result<HashMap<String, f64>> {
    Ok(threat_scores(
        &store.incidents()?,
        OffsetDateTime::now_utc(),
    ))
}

/// Assets with a cyber incident or sighting: SSVC Exploitation is at least `active` for the
/// findings on them (physical events are threat, not exploitation of a vulnerability).
pub fn attacked_assets(incidents: &[Incident]) -> HashSet<String> {
    incidents
        .iter()
        .filter(|i| i.report.kind == IncidentKind::Cyber)
        .flat_map(|i| i.report.assets.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests;
