//! Intel feeds: fetching KEV, EPSS and CVE documents over HTTPS (§3).
//!
//! Sources are the configured feeds (table `feeds`) and the URLs given for one run. Each is fetched with a blocking rustls client (ring provider), bounded in
//! time ([`app::http::TIMEOUT`]) and size ([`MAX_BODY`]), conditionally: the `ETag` and `Last-Modified` of
//! the URL's last successful fetch (table `feed_state`) are sent back as `If-None-Match` /
//! `If-Modified-Since`, and a 304 is reported as "not modified" and stores nothing. The fetched
//! bytes go through the same validation and all-or-nothing storage as an intel import, with the
//! URL as their provenance; when a fetch fails or a document is invalid, nothing is stored and
//! no validator is updated. Plain HTTP is accepted only for the loopback interface.

use std::io::Read;

use anyhow::{Context, bail};
use serde::Serialize;
use store::{Feed, Store};

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::http::{agent, check_url};
use crate::intel::{ImportRow, import_documents};
use crate::{Actor, Error, Problem, Progress, Result};

/// The largest response body accepted (the full NVD-sized CVE archives are far smaller).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// What [`sync`] did with one URL.
#[derive(Serialize)]
pub struct SyncRow {
    pub url: String,
    /// The configured feed's name; `None` for a URL given for this run only.
    pub feed: Option<String>,
    /// `not modified` (HTTP 304), or the import's `created` / `unchanged`.
    pub status: String,
    /// Bytes received.
    pub bytes: usize,
    /// The stored document; `None` when not modified.
    pub import: Option<ImportRow>,
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

/// Fetches every configured feed and `urls`, then imports what changed, all or nothing: when a
/// fetch fails or a document is invalid, nothing is stored ([`Error::Unavailable`] names every
/// URL that failed).
pub fn sync(
    store: &mut Store,
    actor: &Actor,
    urls: &[String],
    progress: &dyn Progress,
) -> Result<Vec<SyncRow>> {
    authorize(actor, Action::Sync)?;
    let mut sources: Vec<Source> = store
        .feeds()?
        .into_iter()
        .map(|f| Source {
            url: f.url,
            feed: Some(f.name),
        })
        .collect();
    for url in urls {
        if !sources.iter().any(|s| &s.url == url) {
            sources.push(Source {
                url: url.clone(),
                feed: None,
            });
        }
    }
    if sources.is_empty() {
        return Err(Error::invalid(
            "/urls",
            "nothing to sync: give a URL or configure feeds (`intel feed add NAME URL`)",
        ));
    }
    // Per source: `None` when not modified, else (bytes received, ETag, Last-Modified).
    let mut outcomes = Vec::with_capacity(sources.len());
    let mut documents = Vec::with_capacity(sources.len());
    let mut errors = Vec::new();
    for source in &sources {
        let state = store.feed_state(&source.url)?;
        match fetch(&source.url, state.as_ref(), progress) {
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
        return Err(Error::Unavailable(format!(
            "intel sync failed: {} of {} URL(s) could not be fetched, nothing was stored:\n{}",
            errors.len(),
            sources.len(),
            errors.join("\n")
        )));
    }
    let imported =
        import_documents(store, documents, None, progress, actor).map_err(|e| match e {
            Error::Invalid(problems) => Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| Problem {
                        message: format!("{}; nothing was stored", p.message),
                        ..p
                    })
                    .collect(),
            ),
            e => e,
        })?;
    let mut imported = imported.into_iter();
    let now = crate::now();
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
                let import = imported.next().ok_or_else(|| {
                    Error::Conflict("the import answered fewer documents than it was given".into())
                })?;
                SyncRow {
                    url: source.url,
                    feed: source.feed,
                    status: import.status.to_owned(),
                    bytes,
                    import: Some(import),
                }
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

/// GETs `url`, conditionally on `state`, bounded by [`app::http::TIMEOUT`] and [`MAX_BODY`].
fn fetch(
    url: &str,
    state: Option<&store::FeedState>,
    progress: &dyn Progress,
) -> anyhow::Result<Fetched> {
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
    progress.start("downloading", length);
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
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(Fetched::Body {
        bytes,
        etag,
        last_modified,
    })
}

/// Configures a feed fetched by every [`sync`].
pub fn add(store: &mut Store, actor: &Actor, name: &str, url: &str) -> Result<Feed> {
    authorize(actor, Action::Sync)?;
    let named = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !named {
        return Err(Error::invalid(
            "/name",
            format!("feed name {name:?}: 1 to 64 letters, digits, '.', '_' or '-'"),
        ));
    }
    check_url(url).map_err(|e| Error::invalid("/url", format!("feed {name}: {url}: {e}")))?;
    let feed = Feed {
        name: name.to_owned(),
        url: url.to_owned(),
        added_at: crate::now(),
    };
    audited(
        store,
        actor,
        "feed.add",
        |store| {
            if !store.add_feed(&feed)? {
                return Err(Error::Conflict(format!(
                    "feed {:?} exists already (remove it first)",
                    feed.name
                )));
            }
            Ok(feed)
        },
        |f| (vec![f.name.clone()], f.url.clone()),
    )
}

/// The configured feeds, by name.
pub fn list(store: &mut Store, actor: &Actor) -> Result<Vec<Feed>> {
    authorize(actor, Action::ReadIntel)?;
    Ok(store.feeds()?)
}

/// Stops fetching a feed.
pub fn remove(store: &mut Store, actor: &Actor, name: &str) -> Result<()> {
    authorize(actor, Action::Sync)?;
    audited(
        store,
        actor,
        "feed.remove",
        |store| {
            if !store.remove_feed(name)? {
                return Err(Error::NotFound {
                    what: "feed",
                    id: name.to_owned(),
                });
            }
            Ok(())
        },
        |()| (vec![name.to_owned()], String::new()),
    )
}
