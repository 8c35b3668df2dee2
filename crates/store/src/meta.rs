//! The `meta` key/value table.

use crate::Result;
use crate::db::{self, Tx};

pub(crate) fn atlas_version(tx: &mut Tx<'_, '_>) -> Result<i64> {
    db::query_int(
        tx,
        "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'atlas_version'",
        &[],
    )
}

/// Records that the atlas changed, so caches built from an older version are stale.
pub(crate) fn bump_atlas_version(tx: &mut Tx<'_, '_>) -> Result<()> {
    db::execute(
        tx,
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'atlas_version'",
        &[],
    )?;
    Ok(())
}
