//! `intel sync` and `intel feed …`: fetching KEV, EPSS and CVE documents over HTTPS (§3); the
//! use cases are `app::feeds`.

use anyhow::Context;
use app::Actor;
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Also fetch this URL (repeatable); configured feeds are always fetched.
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Configure a feed fetched by every `intel sync`.
    Add {
        /// A name for the feed (e.g. `kev`), shown by `feed list` and used to remove it.
        name: String,
        /// The HTTPS URL to fetch.
        url: String,
    },
    /// The configured feeds.
    List,
    /// Stop fetching a feed.
    Remove {
        /// The feed's name.
        name: String,
    },
}

pub fn sync(config: &Config, args: &SyncArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let bars = progress::Bars::new(config.quiet);
    let rows = app::feeds::sync(&mut store, &Actor::local(), &args.urls, &bars)?;
    if config.json {
        return output::json(&rows);
    }
    let mut table = Vec::with_capacity(rows.len());
    for r in &rows {
        let (kind, document) = match &r.import {
            Some(i) => (import_field(i, "kind")?, i.document.clone()),
            None => (String::new(), String::new()),
        };
        table.push(vec![
            r.feed.clone().unwrap_or_default(),
            r.url.clone(),
            r.status.clone(),
            kind,
            document,
            r.bytes.to_string(),
        ]);
    }
    output::table(
        &["feed", "url", "status", "kind", "document", "bytes"],
        table,
    );
    let count = |status: &str| rows.iter().filter(|r| r.status == status).count();
    output::note(
        config.quiet,
        format!(
            "{} created, {} unchanged, {} not modified",
            count("created"),
            count("unchanged"),
            count("not modified")
        ),
    );
    Ok(())
}

/// A text field of an import row, as `intel import --json` prints it.
fn import_field(row: &app::intel::ImportRow, field: &str) -> anyhow::Result<String> {
    serde_json::to_value(row)?[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("import row without {field}"))
}

pub fn feed(config: &Config, command: FeedCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let actor = Actor::local();
    match command {
        FeedCommand::Add { name, url } => {
            let feed = app::feeds::add(&mut store, &actor, &name, &url)?;
            output::note(config.quiet, format!("feed {} added", feed.name));
        }
        FeedCommand::List => {
            let feeds = app::feeds::list(&mut store, &Actor::local())?;
            if config.json {
                let rows: Vec<_> = feeds
                    .iter()
                    .map(|f| serde_json::json!({"name": f.name, "url": f.url, "added_at": f.added_at}))
                    .collect();
                return output::json(&rows);
            }
            output::table(
                &["name", "url", "added at"],
                feeds.into_iter().map(|f| vec![f.name, f.url, f.added_at]),
            );
        }
        FeedCommand::Remove { name } => {
            app::feeds::remove(&mut store, &actor, &name)?;
            output::note(config.quiet, format!("feed {name} removed"));
        }
    }
    Ok(())
}
