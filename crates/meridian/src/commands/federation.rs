//! `remote …` and `sync`: federation with other TAXII 2.1 servers (§4 Federation); the use
//! cases are `app::federation`.

use anyhow::bail;
use app::Actor;
use app::federation::{self, NewRemote, SyncOptions, directions};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use store::Remote;

use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Pair a local collection with a collection of a remote TAXII 2.1 server (without
    /// --pull or --push: both directions).
    Add(RemoteArgs),
    /// Every remote with its cursors (never its token).
    List,
    /// Forget a remote (objects pulled from it stay, with their provenance).
    Remove {
        /// The remote's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The remote's name here; objects pulled from it carry it as their provenance.
    pub name: String,
    /// The remote API root, e.g. `https://hub.example/taxii2/hub/` (plain HTTP only on loopback).
    #[arg(long)]
    pub url: String,
    /// The collection id at the remote.
    #[arg(long = "collection", value_name = "ID")]
    pub collection: String,
    /// The local collection pulled into and pushed from.
    #[arg(long, value_name = "ID")]
    pub local_collection: String,
    /// Our partner id at the remote (HTTP Basic user); without it the token goes as Bearer.
    #[arg(long)]
    pub user: Option<String>,
    /// Our token at the remote (stored, never shown).
    #[arg(long, env = "MERIDIAN_REMOTE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The local partner standing for the remote hub's organisation: TLP decides what we push.
    #[arg(long, value_name = "ID")]
    pub partner: String,
    /// Pull from the remote.
    #[arg(long)]
    pub pull: bool,
    /// Push to the remote.
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remotes to sync (default: every remote).
    pub names: Vec<String>,
    /// Only pull.
    #[arg(long, conflicts_with = "push_only")]
    pub pull_only: bool,
    /// Only push.
    #[arg(long)]
    pub push_only: bool,
    /// Objects asked of a remote per page (it may serve fewer).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

pub fn run_remote(config: &Config, command: RemoteCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        RemoteCommand::Add(a) => {
            let remote = federation::add_remote(
                &mut store,
                &Actor::local(),
                &config.secret_key()?,
                NewRemote {
                    name: a.name,
                    url: a.url,
                    collection: a.collection,
                    local_collection: a.local_collection,
                    user: a.user,
                    token: a.token,
                    partner: a.partner,
                    pull: a.pull,
                    push: a.push,
                },
            )?;
            output::note(
                config.quiet,
                format!("remote {} added ({})", remote.name, directions(&remote)),
            );
            Ok(())
        }
        RemoteCommand::List => {
            let remotes = federation::remotes(&mut store)?;
            if config.json {
                let rows: Vec<Value> = remotes.iter().map(remote_json).collect();
                return output::json(&rows);
            }
            output::table(
                &[
                    "name",
                    "api root",
                    "collection",
                    "local collection",
                    "partner",
                    "directions",
                    "pull cursor",
                    "push cursor",
                    "last sync",
                ],
                remotes.iter().map(|r| {
                    vec![
                        r.name.clone(),
                        r.api_root.clone(),
                        r.collection_id.clone(),
                        r.local_collection.clone(),
                        r.partner_id.clone(),
                        directions(r).to_owned(),
                        r.pull_cursor.clone().unwrap_or_default(),
                        r.push_cursor.to_string(),
                        r.last_sync.clone().unwrap_or_default(),
                    ]
                }),
            );
            Ok(())
        }
        RemoteCommand::Remove { name } => {
            federation::remove_remote(&mut store, &Actor::local(), &name)?;
            output::note(config.quiet, format!("remote {name} removed"));
            Ok(())
        }
    }
}

/// A remote as `remote list --json` prints it: everything but the token.
fn remote_json(r: &Remote) -> Value {
    json!({
        "name": r.name,
        "api_root": r.api_root,
        "collection": r.collection_id,
        "local_collection": r.local_collection,
        "user": r.user,
        "partner": r.partner_id,
        "pull": r.pull,
        "push": r.push,
        "pull_cursor": r.pull_cursor,
        "push_cursor": r.push_cursor,
        "last_sync": r.last_sync,
    })
}

pub fn sync(config: &Config, args: &SyncArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let options = SyncOptions {
        names: args.names.clone(),
        pull_only: args.pull_only,
        push_only: args.push_only,
        page_size: args.page_size,
    };
    let bars = progress::Bars::new(config.quiet);
    let reports = federation::sync(
        &mut store,
        &Actor::local(),
        &config.secret_key()?,
        &options,
        &bars,
    )?;
    if config.json {
        output::json(&reports)?;
    } else {
        output::table(
            &[
                "remote",
                "pulled",
                "duplicates",
                "invalid",
                "pushed",
                "withheld",
                "refused",
                "pending",
                "error",
            ],
            reports.iter().map(|r| {
                vec![
                    r.remote.clone(),
                    r.pulled.to_string(),
                    r.duplicates.to_string(),
                    r.invalid.to_string(),
                    r.pushed.to_string(),
                    r.withheld.to_string(),
                    r.push_failures.to_string(),
                    r.push_pending.to_string(),
                    r.error.clone().unwrap_or_default(),
                ]
            }),
        );
    }
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if failed > 0 {
        bail!(
            "{failed} of {} remote(s) did not sync completely (see the error column)",
            reports.len()
        );
    }
    Ok(())
}
