//! The `assets` table.

use std::collections::HashMap;
use std::sync::LazyLock;

use model::{Asset, ncf_index, sector_index};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql as PgToSql;

use crate::db::{self, Param, Tx};
use crate::row::{ASSET_COLUMNS, AssetRow};
use crate::{AssetFilter, Result};

static SELECT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM assets", ASSET_COLUMNS.join(", ")));

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<Asset>> {
    let sql = format!("{} WHERE id = $1", *SELECT);
    db::query(tx, &sql, &[Param::Text(id)], AssetRow::read)?
        .pop()
        .map(AssetRow::decode)
        .transpose()
}

/// Every asset, in storage order.
pub(crate) fn all(tx: &mut Tx<'_, '_>) -> Result<Vec<Asset>> {
    let sql = format!("{} ORDER BY idx", *SELECT);
    db::query(tx, &sql, &[], |r| AssetRow::read(r)?.decode())
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(crate) fn list(
    tx: &mut Tx<'_, '_>,
    filter: &AssetFilter,
    limit: u64,
    offset: u64,
) -> Result<Vec<Asset>> {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(filtered(filter, |filter_sql, mut params| {
        params.push(Param::Int(clamp(limit)));
        params.push(Param::Int(clamp(offset)));
        let sql = format!(
            "{}{filter_sql} ORDER BY id LIMIT ${} OFFSET ${}",
            *SELECT,
            params.len() - 1,
            params.len()
        );
        db::query(tx, &sql, &params, |r| AssetRow::read(r)?.decode())
    })?
    .unwrap_or_default())
}

/// How many assets match `filter` (ignoring its `after` cursor's page, not its condition).
pub(crate) fn count(tx: &mut Tx<'_, '_>, filter: &AssetFilter) -> Result<u64> {
    Ok(filtered(filter, |filter_sql, params| {
        let sql = format!("SELECT COUNT(*) FROM assets{filter_sql}");
        db::query_int(tx, &sql, &params)
    })?
    .map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// Calls `f` with the WHERE clause of `filter` (empty, or ` WHERE …` with `$n` placeholders)
/// and its parameters; `None` without calling it when the filter can match nothing (a sector or
/// NCF id that does not exist).
fn filtered<T>(
    filter: &AssetFilter,
    f: impl FnOnce(String, Vec<Param<'_>>) -> Result<T>,
) -> Result<Option<T>> {
    let mut conditions = Vec::new();
    // Sector and NCF conditions test a bit of the mask; the bit is a constant, not a parameter.
    if let Some(sector) = &filter.sector {
        let Some(bit) = sector_index(sector) else {
            return Ok(None);
        };
        conditions.push(format!("(sector_mask & {}) <> 0", 1i64 << bit));
    }
    if let Some(ncf) = &filter.ncf {
        let Some(bit) = ncf_index(ncf) else {
            return Ok(None);
        };
        conditions.push(format!("(ncf_mask & {}) <> 0", 1i64 << bit));
    }
    let pattern = filter.text.as_deref().map(like_pattern);
    let product = filter.product.as_deref().map(like_pattern);
    let mut params: Vec<Param<'_>> = Vec::new();
    let mut bind = |condition: &str, param| {
        params.push(param);
        conditions.push(condition.replace('#', &format!("${}", params.len())));
    };
    if let Some(country) = &filter.country {
        bind("country = #", Param::Text(country));
    }
    if let Some(kind) = &filter.kind {
        bind("kind = #", Param::Text(kind));
    }
    if let Some(home) = &filter.foreign_of {
        bind("country <> #", Param::Text(&home.0));
    }
    if let Some(pattern) = &pattern {
        bind(
            r"(lower(id) LIKE # ESCAPE '\' OR lower(name) LIKE # ESCAPE '\')",
            Param::Text(pattern),
        );
    }
    // `products` holds the JSON array as written; a substring of one product is a substring
    // of the array's text.
    if let Some(product) = &product {
        bind(r"lower(products) LIKE # ESCAPE '\'", Param::Text(product));
    }
    if let Some(after) = &filter.after {
        bind("id > #", Param::Text(after));
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    f(filter_sql, params).map(Some)
}

/// Hands the stored row of each of `ids` that exists to `f`, in no particular order, without
/// collecting them.
pub(crate) fn for_each_by_ids(
    tx: &mut Tx<'_, '_>,
    ids: &[&str],
    mut f: impl FnMut(AssetRow) -> Result<()>,
) -> Result<()> {
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare_cached(&format!("{} WHERE id = ?1", *SELECT))?;
            for id in ids {
                if let Some(row) = stmt.query([id])?.next()? {
                    f(AssetRow::read(row)?)?;
                }
            }
        }
        Tx::Postgres(tx) => {
            let sql = format!("{} WHERE id = ANY($1)", *SELECT);
            let mut rows = tx.query_raw(&sql, [&ids as &(dyn PgToSql + Sync)])?;
            while let Some(row) = rows.next()? {
                f(AssetRow::read(&row)?)?;
            }
        }
    }
    Ok(())
}

/// id -> idx for those of `ids` that exist.
pub(crate) fn idx_by_ids(tx: &mut Tx<'_, '_>, ids: &[&str]) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare_cached("SELECT idx FROM assets WHERE id = ?1")?;
            for id in ids {
                if let Some(row) = stmt.query([id])?.next()? {
                    out.insert((*id).to_owned(), row.get(0)?);
                }
            }
        }
        Tx::Postgres(tx) => {
            for row in tx.query("SELECT id, idx FROM assets WHERE id = ANY($1)", &[&ids])? {
                out.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
    }
    Ok(out)
}

/// The country of each of `ids` that is an asset (one indexed lookup per id on SQLite, one
/// query on PostgreSQL).
pub(crate) fn countries_by_ids(
    tx: &mut Tx<'_, '_>,
    ids: &[&str],
) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare_cached("SELECT country FROM assets WHERE id = ?1")?;
            for id in ids {
                if let Some(row) = stmt.query([id])?.next()? {
                    out.insert((*id).to_owned(), row.get(0)?);
                }
            }
        }
        Tx::Postgres(tx) => {
            for row in tx.query("SELECT id, country FROM assets WHERE id = ANY($1)", &[&ids])? {
                out.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
    }
    Ok(out)
}

/// The largest idx in use, 0 when empty.
pub(crate) fn max_idx(tx: &mut Tx<'_, '_>) -> Result<i64> {
    db::query_int(tx, "SELECT COALESCE(MAX(idx), 0) FROM assets", &[])
}

pub(crate) fn is_empty(tx: &mut Tx<'_, '_>) -> Result<bool> {
    Ok(db::query_int(
        tx,
        "SELECT COUNT(*) FROM (SELECT 1 FROM assets LIMIT 1) AS one",
        &[],
    )? == 0)
}
