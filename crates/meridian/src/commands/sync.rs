//! `intel sync` and `intel feed …`: fetching KEV, EPSS and CVE documents over HTTPS (§3).
//!
//! Sources are the configured feeds (`intel feed add NAME URL`, table `feeds`) and the URLs
//! given with `--url`. Each is fetched with a blocking rustls client (ring provider), bounded in
//! time ([`app::http::TIMEOUT`]) and size ([`MAX_BODY`]), conditionally: the `ETag` and `Last-Modified` of
//! the URL's last successful fetch (table `feed_state`) are sent back as `If-None-Match` /
//! `If-Modified-Since`, and a 304 is reported as "not modified" and stores nothing. The fetched
//! bytes go through the same validation and all-or-nothing storage as `intel import`, with the
//! URL as their provenance; when a fetch fails or a document is invalid, nothing is stored and
//! no validator is updated. Plain HTTP is accepted only for the loopback interface.

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

use app::http::{agent, check_url};

use crate::commands::intel::{ImportRow, import_documents};
use crate::config::Config;
use crate::{output, progress};

/// The largest response body accepted (the full NVD-sized CVE archives are far smaller).
const MAX_BODY: u64 = 256 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Also fetch this URL (repeatable); configured feeds are always fetched.
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Configure a feed fetched by every `intel sync`.
    Add { name: String, url: String },
    /// The configured feeds.
    List,
    /// Stop fetching a feed.
    Remove { name: String },
}

/// What `intel sync` did with one URL.
#[derive(Serialize)]
struct SyncRow {
    url: String,
    /// The configured feed's name; `None` for a `--url`.
    feed: Option<String>,
    /// `not modified` (HTTP 304), or the import's `created` / `unchanged`.
    status: String,
    /// Bytes received.
    bytes: usize,
    /// The stored document; `None` when not modified.
    import: Option<ImportRow>,
}

/// One URL to fetch.
struct Source {
    url: String,
    feed: Option<String>,
}

/// A successful fetch.
enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

pub fn sync(config: &Config, args: &SyncArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let mut sources: Vec<Source> = store
        .feeds()?
        .into_iter()
        .map(|f| Source {
            url: f.url,
            feed: Some(f.name),
        })
        .collect();
    for url in &args.urls {
        if !sources.iter().any(|s| &s.url == url) {
            sources.push(Source {
                url: url.clone(),
                feed: None,
            });
        }
    }
    if sources.is_empty() {
        bail!("nothing to sync: give --url URL or configure feeds with `intel feed add NAME URL`");
    }
    // Per source: `None` when not modified, else (bytes received, ETag, Last-Modified).
    let mut outcomes = Vec::with_capacity(sources.len());
    let mut documents = Vec::with_capacity(sources.len());
    let mut errors = Vec::new();
    for source in &sources {
        let state = store.feed_state(&source.url)?;
        match fetch(config, &source.url, state.as_ref()) {
            Ok(Fetched::NotModified) => outcomes.push(None),
            Ok(Fetched::Body {
                bytes,
                etag,
                last_modified,
            }) => {
                outcomes.push(Some((bytes.len(), etag, last_modified)));
                documents.push((source.url.clone(), bytes));
            }
            Err(e) => errors.push(format!("{}: {e:#}", source.url)),
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        bail!(
            "intel sync failed: {} of {} URL(s) could not be fetched, nothing was stored",
            errors.len(),
            sources.len()
        );
    }
    let mut imported = import_documents(config, &mut store, documents, None)?.into_iter();
    let now = super::now();
    let mut rows = Vec::with_capacity(sources.len());
    for (source, outcome) in sources.into_iter().zip(outcomes) {
        let row = match outcome {
            None => SyncRow {
                url: source.url,
                feed: source.feed,
                status: "not modified".to_owned(),
                bytes: 0,
                import: None,
            },
            Some((bytes, etag, last_modified)) => {
                store.set_feed_state(&store::FeedState {
                    url: source.url.clone(),
                    etag,
                    last_modified,
                    fetched_at: now.clone(),
                })?;
                let import = imported.next().context("one import row per document")?;
                SyncRow {
                    url: source.url,
                    feed: source.feed,
                    status: import_field(&import, "status")?,
                    bytes,
                    import: Some(import),
                }
            }
        };
        rows.push(row);
    }
    if config.json {
        return output::json(&rows);
    }
    let mut table = Vec::with_capacity(rows.len());
    for r in &rows {
        let (kind, document) = match &r.import {
            Some(i) => (import_field(i, "kind")?, import_field(i, "document")?),
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
fn import_field(row: &ImportRow, field: &str) -> anyhow::Result<String> {
    serde_json::to_value(row)?[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("import row without {field}"))
}

/// GETs `url`, conditionally on `state`, bounded by [`app::http::TIMEOUT`] and [`MAX_BODY`].
fn fetch(config: &Config, url: &str, state: Option<&store::FeedState>) -> anyhow::Result<Fetched> {
    check_url(url).map_err(anyhow::Error::msg)?;
    let mut request = agent(url).get(url);
    if let Some(etag) = state.and_then(|s| s.etag.as_deref()) {
        request = request.header("If-None-Match", etag);
    }
    if let Some(date) = state.and_then(|s| s.last_modified.as_deref()) {
        request = request.header("If-Modified-Since", date);
    }
    let response = request.call().context("requesting")?;
    let status = response.status();
    if status == ureq::http::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        bail!("HTTP status {status}");
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let mut body = response.into_body();
    let length = body.content_length();
    if length.is_some_and(|n| n > MAX_BODY) {
        bail!("the body is larger than the {} MiB limit", MAX_BODY >> 20);
    }
    let bar = progress::bar(config.quiet, length, "downloading");
    let mut reader = body.with_config().limit(MAX_BODY).reader();
    let mut bytes = Vec::with_capacity(length.map_or(0, |n| n as usize));
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = reader
            .read(&mut chunk)
            .with_context(|| format!("reading the body (limit {} MiB)", MAX_BODY >> 20))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(Fetched::Body {
        bytes,
        etag,
        last_modified,
    })
}

pub fn feed(config: &Config, command: FeedCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        FeedCommand::Add { name, url } => {
            check_url(&url)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("feed {name}: {url}"))?;
            let feed = store::Feed {
                name,
                url,
                added_at: super::now(),
            };
            if !store.add_feed(&feed)? {
                bail!("feed {:?} exists already (remove it first)", feed.name);
            }
            output::note(config.quiet, format!("feed {} added", feed.name));
        }
        FeedCommand::List => {
            let feeds = store.feeds()?;
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
            if !store.remove_feed(&name)? {
                bail!("no feed named {name:?}");
            }
            output::note(config.quiet, format!("feed {name} removed"));
        }
    }
    Ok(())
}
