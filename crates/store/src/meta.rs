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

/// The version of what findings are made of besides the atlas: intel documents and SBOM
/// attachments, analysts' verdicts on findings, and incidents (SSVC exploitation). 0 before the
/// first such write.
pub(crate) fn intel_version(tx: &mut Tx<'_, '_>) -> Result<i64> {
    db::query_int(
        tx,
        "SELECT COALESCE((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'intel_version'), 0)",
        &[],
    )
}

/// Records that an input of findings other than the atlas changed ([`intel_version`]).
pub(crate) fn bump_intel_version(tx: &mut Tx<'_, '_>) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO meta (key, value) VALUES ('intel_version', '1') ON CONFLICT (key) \
         DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
        &[],
    )?;
    Ok(())
}
