//! TAXII collections (table `collections`). The SQL text is the same on both dialects.

use crate::Result;
use crate::db::{self, Columns, Param, Tx};

/// A TAXII collection; `id` is a UUID v4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub created_at: String,
}

pub(crate) fn exists(tx: &mut Tx<'_, '_>, id: &str) -> Result<bool> {
    Ok(db::query_int(
        tx,
        "SELECT COUNT(*) FROM collections WHERE id = $1",
        &[Param::Text(id)],
    )? > 0)
}

/// Adds a collection; false (and nothing changed) when the id is taken.
pub(crate) fn add(tx: &mut Tx<'_, '_>, c: &Collection) -> Result<bool> {
    Ok(db::execute(
        tx,
        "INSERT INTO collections (id, title, description, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
        &[
            Param::Text(&c.id),
            Param::Text(&c.title),
            Param::Text(&c.description),
            Param::Text(&c.created_at),
        ],
    )? > 0)
}

fn read(r: &dyn Columns) -> Result<Collection> {
    Ok(Collection {
        id: r.text(0)?,
        title: r.text(1)?,
        description: r.text(2)?,
        created_at: r.text(3)?,
    })
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<Collection>> {
    Ok(db::query(
        tx,
        "SELECT id, title, description, created_at FROM collections WHERE id = $1",
        &[Param::Text(id)],
        read,
    )?
    .pop())
}

/// Every collection, oldest first (then by id).
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Collection>> {
    db::query(
        tx,
        "SELECT id, title, description, created_at FROM collections ORDER BY created_at, id",
        &[],
        read,
    )
}

/// Every collection's revision: it grows whenever objects are added to or deleted from it.
pub(crate) fn revisions(tx: &mut Tx<'_, '_>) -> Result<Vec<(String, i64)>> {
    db::query(
        tx,
        "SELECT id, revision FROM collections ORDER BY id",
        &[],
        |r| Ok((r.text(0)?, r.int(1)?)),
    )
}
