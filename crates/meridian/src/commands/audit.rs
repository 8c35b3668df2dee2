//! `audit list | verify`: the hash-chained audit log of every write (see `app::audit`).

use anyhow::bail;
use app::audit::{AuditEntry, AuditFilter};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest entries (or the first ones after --after), oldest first.
    #[command(
        after_help = "Examples:\n  $ meridian audit list --limit 20\n  $ meridian audit list --action demo.exchange"
    )]
    List(ListArgs),
    /// Recompute the hash chain. Fails naming the first edited, deleted, inserted or reordered
    /// row; otherwise prints the number of entries and the head hash (worth keeping elsewhere:
    /// a later rewrite of the log's tail no longer ends at it).
    Verify,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only entries by this actor: `user:NAME`, `partner:ID` or `local:NAME`.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries of this action, e.g. `taxii.add_objects`.
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries after this sequence number (page forward from the last one shown).
    #[arg(long, value_name = "SEQ")]
    pub after: Option<i64>,
    /// Entries to print.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
}

pub fn run(config: &Config, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::List(args) => list(config, args),
        AuditCommand::Verify => verify(config),
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    seq: i64,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    object_ids: &'a [String],
    digest: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

impl<'a> From<&'a AuditEntry> for Entry<'a> {
    fn from(e: &'a AuditEntry) -> Entry<'a> {
        Entry {
            seq: e.seq,
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            object_ids: &e.object_ids,
            digest: &e.digest,
            prev_hash: &e.prev_hash,
            hash: &e.hash,
        }
    }
}

fn list(config: &Config, args: ListArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let entries = app::audit::list(
        &mut store,
        &AuditFilter {
            actor: args.actor,
            action: args.action,
            after: args.after,
            limit: args.limit,
        },
    )?;
    if config.json {
        let shown: Vec<Entry<'_>> = entries.iter().map(Entry::from).collect();
        return output::json(&shown);
    }
    output::table(
        &["seq", "at", "actor", "action", "objects", "hash"],
        entries.iter().map(|e| {
            vec![
                e.seq.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                e.object_ids.join(" "),
                e.hash.chars().take(16).collect(),
            ]
        }),
    );
    // A full page may have more beside it: without --after it is the newest entries, with it a
    // page forward from SEQ.
    let full = entries.len() as u64 == args.limit;
    match (entries.last(), args.after) {
        (Some(_), None) if full => output::note(
            config.quiet,
            format!(
                "the newest {} entries shown; --after 0 pages from the oldest",
                entries.len()
            ),
        ),
        (Some(last), Some(_)) if full => output::note(
            config.quiet,
            format!(
                "{} entries shown; more may follow: --after {}",
                entries.len(),
                last.seq
            ),
        ),
        _ => output::note(config.quiet, format!("{} entries", entries.len())),
    }
    Ok(())
}

fn verify(config: &Config) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let found = app::audit::verify(&mut store)?;
    if config.json {
        output::json(&serde_json::json!({
            "intact": found.broken.is_none(),
            "entries": found.entries,
            "head": found.head,
            "broken": found.broken.as_ref().map(|b| serde_json::json!({
                "seq": b.seq,
                "tamper": b.tamper.as_str(),
                "detail": b.detail,
            })),
        }))?;
    }
    if let Some(broken) = found.broken {
        bail!(
            "audit log broken at {broken} ({} entries verified before it)",
            found.entries
        );
    }
    if !config.json {
        outln!(
            "audit log intact: {} entries, head {}",
            found.entries,
            found.head.as_deref().unwrap_or(store::GENESIS_HASH)
        );
    }
    Ok(())
}
