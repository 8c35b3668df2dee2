//! Installation settings (table `settings`): key/value text. The SQL text is the same on both
//! dialects.

use crate::Result;
use crate::db::{self, Param, Tx};

pub(crate) fn get(tx: &mut Tx<'_, '_>, key: &str) -> Result<Option<String>> {
    Ok(db::query(
        tx,
        "SELECT value FROM settings WHERE key = $1",
        &[Param::Text(key)],
        |r| r.text(0),
    )?
    .pop())
}

pub(crate) fn set(tx: &mut Tx<'_, '_>, key: &str, value: &str) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[Param::Text(key), Param::Text(value)],
    )?;
    Ok(())
}
