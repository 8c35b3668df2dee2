//! Intel feeds (tables `feeds`, `feed_state`): the configured feed URLs of `meridian intel
//! sync`, and per fetched URL the HTTP validators of its last successful fetch. The SQL text is
//! the same on both dialects.

use crate::Result;
use crate::db::{self, Param, Tx};

/// A configured feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    pub name: String,
    pub url: String,
    pub added_at: String,
}

/// The validators of a URL's last successful fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedState {
    pub url: String,
    /// The `ETag` response header, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` response header, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    pub fetched_at: String,
}

/// Adds a feed; false (and nothing changed) when the name is taken.
pub(crate) fn add(tx: &mut Tx<'_, '_>, feed: &Feed) -> Result<bool> {
    Ok(db::execute(
        tx,
        "INSERT INTO feeds (name, url, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
        &[
            Param::Text(&feed.name),
            Param::Text(&feed.url),
            Param::Text(&feed.added_at),
        ],
    )? > 0)
}

/// Every feed, by name.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Feed>> {
    db::query(
        tx,
        "SELECT name, url, added_at FROM feeds ORDER BY name",
        &[],
        |r| {
            Ok(Feed {
                name: r.text(0)?,
                url: r.text(1)?,
                added_at: r.text(2)?,
            })
        },
    )
}

/// Removes a feed; false when there is none of that name.
pub(crate) fn remove(tx: &mut Tx<'_, '_>, name: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "DELETE FROM feeds WHERE name = $1",
        &[Param::Text(name)],
    )? > 0)
}

pub(crate) fn state(tx: &mut Tx<'_, '_>, url: &str) -> Result<Option<FeedState>> {
    Ok(db::query(
        tx,
        "SELECT url, etag, last_modified, fetched_at FROM feed_state WHERE url = $1",
        &[Param::Text(url)],
        |r| {
            Ok(FeedState {
                url: r.text(0)?,
                etag: present(r.text(1)?),
                last_modified: present(r.text(2)?),
                fetched_at: r.text(3)?,
            })
        },
    )?
    .pop())
}

pub(crate) fn set_state(tx: &mut Tx<'_, '_>, state: &FeedState) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO feed_state (url, etag, last_modified, fetched_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, \
         last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
        &[
            Param::Text(&state.url),
            Param::Text(state.etag.as_deref().unwrap_or_default()),
            Param::Text(state.last_modified.as_deref().unwrap_or_default()),
            Param::Text(&state.fetched_at),
        ],
    )?;
    Ok(())
}

/// A validator column: '' stands for a response without the header.
fn present(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}
