//! Federation remotes (table `remotes`): TAXII 2.1 servers `meridian sync` pulls from and pushes
//! to, with their cursors. The SQL text is the same on both dialects.

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError, collections, partners};

/// A remote TAXII 2.1 collection paired with a local one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub name: String,
    pub api_root: String,
    /// The remote collection.
    pub collection_id: String,
    pub local_collection: String,
    pub user: String,
    /// The credential we present, as stored: the `meridian` CLI seals it (`sealed:v1:…`) before
    /// storing it and opens it to authenticate.
    pub token: String,
    /// The remote hub's organisation here: TLP decides what we push.
    pub partner_id: String,
    pub pull: bool,
    pub push: bool,
    /// The `added_after` of the next pull.
    pub pull_cursor: Option<String>,
    /// The local `seq` pushed so far.
    pub push_cursor: i64,
    pub last_sync: Option<String>,
}

/// Adds a remote; false (and nothing changed) when the name is taken. Its local collection and
/// partner must exist ([`StoreError::UnknownCollection`], [`StoreError::UnknownPartner`]).
pub(crate) fn add(tx: &mut Tx<'_, '_>, r: &Remote) -> Result<bool> {
    if !collections::exists(tx, &r.local_collection)? {
        return Err(StoreError::UnknownCollection(r.local_collection.clone()));
    }
    if !partners::exists(tx, &r.partner_id)? {
        return Err(StoreError::UnknownPartner(r.partner_id.clone()));
    }
    Ok(db::execute(
        tx,
        "INSERT INTO remotes (name, api_root, collection_id, local_collection, user_name, token, \
             partner_id, pull, push, pull_cursor, push_cursor, last_sync) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (name) DO NOTHING",
        &[
            Param::Text(&r.name),
            Param::Text(&r.api_root),
            Param::Text(&r.collection_id),
            Param::Text(&r.local_collection),
            Param::Text(&r.user),
            Param::Text(&r.token),
            Param::Text(&r.partner_id),
            Param::Int(i64::from(r.pull)),
            Param::Int(i64::from(r.push)),
            Param::OptText(r.pull_cursor.as_deref()),
            Param::Int(r.push_cursor),
            Param::OptText(r.last_sync.as_deref()),
        ],
    )? > 0)
}

const COLUMNS: &str = "SELECT name, api_root, collection_id, local_collection, user_name, token, \
    partner_id, pull, push, pull_cursor, push_cursor, last_sync FROM remotes";

fn read(r: &dyn Columns) -> Result<Remote> {
    Ok(Remote {
        name: r.text(0)?,
        api_root: r.text(1)?,
        collection_id: r.text(2)?,
        local_collection: r.text(3)?,
        user: r.text(4)?,
        token: r.text(5)?,
        partner_id: r.text(6)?,
        pull: r.int(7)? != 0,
        push: r.int(8)? != 0,
        pull_cursor: r.opt_text(9)?,
        push_cursor: r.int(10)?,
        last_sync: r.opt_text(11)?,
    })
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, name: &str) -> Result<Option<Remote>> {
    Ok(db::query(
        tx,
        &format!("{COLUMNS} WHERE name = $1"),
        &[Param::Text(name)],
        read,
    )?
    .pop())
}

/// Every remote, by name.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Remote>> {
    db::query(tx, &format!("{COLUMNS} ORDER BY name"), &[], read)
}

/// Records a sync; false when there is no remote of that name.
pub(crate) fn set_cursors(
    tx: &mut Tx<'_, '_>,
    name: &str,
    pull_cursor: Option<&str>,
    push_cursor: i64,
    last_sync: &str,
) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE remotes SET pull_cursor = $1, push_cursor = $2, last_sync = $3 WHERE name = $4",
        &[
            Param::OptText(pull_cursor),
            Param::Int(push_cursor),
            Param::Text(last_sync),
            Param::Text(name),
        ],
    )? > 0)
}

/// Replaces a remote's stored token (sealing a plaintext one); false when there is no remote of
/// that name.
pub(crate) fn set_token(tx: &mut Tx<'_, '_>, name: &str, token: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE remotes SET token = $1 WHERE name = $2",
        &[Param::Text(token), Param::Text(name)],
    )? > 0)
}

/// Removes a remote; false when there is none of that name.
pub(crate) fn remove(tx: &mut Tx<'_, '_>, name: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "DELETE FROM remotes WHERE name = $1",
        &[Param::Text(name)],
    )? > 0)
}
