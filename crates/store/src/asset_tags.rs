//! The `asset_tags` table: each asset's tags as rows, derived in SQL from the stored `tags`
//! column in the transaction that writes the asset, so that the assets with a tag are found by
//! index. Only the atlas writers (`import`) call the writing functions.

use model::Asset;
use postgres::types::ToSql as PgToSql;

use crate::Result;
use crate::db::{self, Param, Tx, in_list};
use crate::row::{ASSET_COLUMNS, AssetRow};

/// Inserts the tag rows of the stored assets that `condition` (on `assets a`, with `$1`)
/// selects; a tag listed twice is stored once.
fn insert_sql(tx: &Tx<'_, '_>, condition: &str) -> String {
    match tx {
        // A WHERE clause is always there: without one SQLite reads ON CONFLICT as a join
        // constraint.
        Tx::Sqlite(_) => format!(
            "INSERT INTO asset_tags (tag, asset_idx) \
             SELECT j.value, a.idx FROM assets a, json_each(a.tags) j WHERE {condition} \
             ON CONFLICT DO NOTHING"
        ),
        Tx::Postgres(_) => format!(
            "INSERT INTO asset_tags (tag, asset_idx) \
             SELECT j.tag, a.idx FROM assets a \
             CROSS JOIN LATERAL jsonb_array_elements_text(a.tags::jsonb) AS j (tag) \
             WHERE {condition} ON CONFLICT DO NOTHING"
        ),
    }
}

/// Adds the tag rows of the assets from idx `first` on, which have none yet: the assets an
/// import created, or every asset of a bulk load.
pub(crate) fn add_from(tx: &mut Tx<'_, '_>, first: i64) -> Result<()> {
    let sql = insert_sql(tx, "a.idx >= $1");
    db::execute(tx, &sql, &[Param::Int(first)])?;
    Ok(())
}

/// Replaces the tag rows of the assets `idx` (whose stored tags changed) by their stored tags.
pub(crate) fn replace(tx: &mut Tx<'_, '_>, idx: &[i64]) -> Result<()> {
    if idx.is_empty() {
        return Ok(());
    }
    let condition = match tx {
        Tx::Sqlite(_) => "a.idx = $1",
        Tx::Postgres(_) => "a.idx = ANY($1)",
    };
    let insert = insert_sql(tx, condition);
    match tx {
        Tx::Sqlite(tx) => {
            let mut delete = tx.prepare_cached("DELETE FROM asset_tags WHERE asset_idx = ?1")?;
            let mut insert = tx.prepare_cached(&insert)?;
            for i in idx {
                delete.execute([i])?;
                insert.execute([i])?;
            }
        }
        Tx::Postgres(tx) => {
            let idx: &(dyn PgToSql + Sync) = &idx;
            tx.execute("DELETE FROM asset_tags WHERE asset_idx = ANY($1)", &[idx])?;
            tx.execute(&insert, &[idx])?;
        }
    }
    Ok(())
}

/// The assets with at least one of `tags` (exact, case-sensitive), by id.
pub(crate) fn tagged(tx: &mut Tx<'_, '_>, tags: &[String]) -> Result<Vec<Asset>> {
    let sql = format!(
        "SELECT {} FROM assets \
         WHERE idx IN (SELECT asset_idx FROM asset_tags WHERE tag {}) ORDER BY id",
        ASSET_COLUMNS.join(", "),
        in_list(tx, 1)
    );
    db::query(tx, &sql, &[Param::List(tags)], |r| {
        AssetRow::read(r)?.decode()
    })
}
