//! `incident …`: incident reports, cyber and physical, linked to assets (§4); the use cases
//! are `app::incidents`.

use std::path::PathBuf;

use anyhow::Context as _;
use app::Actor;
use app::incidents::{self, NewIncident};
pub use app::incidents::{now, parse_time};
use clap::{Args, Subcommand};
use serde::Serialize;
use store::{Incident, IncidentKind};

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
        /// A JSON file (a list of reports) or a STIX 2.1 bundle of incidents and sightings.
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
    /// cyber or physical.
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
    /// What happened, in a sentence or two.
    #[arg(long, default_value = "")]
    pub description: String,
}

pub fn run(config: &Config, command: IncidentCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        IncidentCommand::Add(a) => {
            let added = incidents::add(
                &mut store,
                &Actor::local(),
                NewIncident {
                    partner: a.partner,
                    assets: a.assets,
                    kind: a.kind,
                    category: a.category,
                    occurred_at: a.occurred_at,
                    severity: a.severity,
                    description: a.description,
                },
            )?;
            print_added(config, &added)
        }
        IncidentCommand::Import { file, partner } => {
            let name = file.display().to_string();
            let bytes = std::fs::read(&file).with_context(|| format!("reading {name}"))?;
            let added = incidents::import(
                &mut store,
                &Actor::local(),
                &name,
                &bytes,
                partner.as_deref(),
            )?;
            print_added(config, &added)
        }
        IncidentCommand::List { asset } => {
            list(config, &incidents::list(&mut store, asset.as_deref())?)
        }
    }
}

fn parse_kind(name: &str) -> Result<IncidentKind, String> {
    IncidentKind::parse(name).ok_or_else(|| "expected cyber or physical".to_owned())
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

fn list(config: &Config, all: &[Incident]) -> anyhow::Result<()> {
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
