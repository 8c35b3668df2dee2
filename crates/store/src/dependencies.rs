//! The `dependencies` table and the `dependency_groups` names it interns.

use std::collections::HashMap;
use std::sync::LazyLock;

use model::Dependency;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql as PgToSql;

use crate::Result;
use crate::db::{self, Param, Tx, in_list};
use crate::row::{DEP_COLUMNS, DepRow, read_dependency};

/// Dependencies with their ids and group names resolved, in the column order of [`read_dependency`].
const SELECT: &str = "SELECT da.id, pa.id, d.kind, g.name, d.strength, d.tolerance_hours, d.attributes \
     FROM dependencies d \
     JOIN assets da ON da.idx = d.dependent_idx \
     JOIN assets pa ON pa.idx = d.provider_idx \
     LEFT JOIN dependency_groups g ON g.id = d.grp";

static SELECT_ROWS: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<String> = DEP_COLUMNS.iter().map(|c| format!("d.{c}")).collect();
    format!("SELECT {} FROM dependencies d", columns.join(", "))
});

/// Which end of the dependency the asset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Dependent,
    Provider,
}

pub(crate) fn of(tx: &mut Tx<'_, '_>, side: Side, id: &str) -> Result<Vec<Dependency>> {
    page(tx, side, id, i64::MAX, 0)
}

/// [`of`] from the `offset`-th on, at most `limit`.
pub(crate) fn page(
    tx: &mut Tx<'_, '_>,
    side: Side,
    id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Dependency>> {
    let sql = match side {
        Side::Dependent => format!("{SELECT} WHERE da.id = $1 ORDER BY pa.id LIMIT $2 OFFSET $3"),
        Side::Provider => format!("{SELECT} WHERE pa.id = $1 ORDER BY da.id LIMIT $2 OFFSET $3"),
    };
    db::query(
        tx,
        &sql,
        &[Param::Text(id), Param::Int(limit), Param::Int(offset)],
        read_dependency,
    )
}

/// How many dependencies [`of`] lists.
pub(crate) fn count(tx: &mut Tx<'_, '_>, side: Side, id: &str) -> Result<i64> {
    let sql = match side {
        Side::Dependent => {
            "SELECT COUNT(*) FROM dependencies d JOIN assets a ON a.idx = d.dependent_idx \
             WHERE a.id = $1"
        }
        Side::Provider => {
            "SELECT COUNT(*) FROM dependencies d JOIN assets a ON a.idx = d.provider_idx \
             WHERE a.id = $1"
        }
    };
    db::query_int(tx, sql, &[Param::Text(id)])
}

/// The dependencies with both ends among `ids`, in no particular order.
pub(crate) fn among(tx: &mut Tx<'_, '_>, ids: &[String]) -> Result<Vec<Dependency>> {
    let list = in_list(tx, 1);
    let sql = format!("{SELECT} WHERE da.id {list} AND pa.id {list}");
    db::query(tx, &sql, &[Param::List(ids)], read_dependency)
}

/// Every dependency, in no particular order.
pub(crate) fn all(tx: &mut Tx<'_, '_>) -> Result<Vec<Dependency>> {
    db::query(tx, SELECT, &[], read_dependency)
}

/// Hands the stored row of each (dependent_idx, provider_idx) pair that exists to `f`, in no
/// particular order, without collecting them.
pub(crate) fn for_each_by_pairs(
    tx: &mut Tx<'_, '_>,
    pairs: &[(i64, i64)],
    mut f: impl FnMut(DepRow) -> Result<()>,
) -> Result<()> {
    match tx {
        Tx::Sqlite(tx) => {
            let sql = format!(
                "{} WHERE d.dependent_idx = ?1 AND d.provider_idx = ?2",
                *SELECT_ROWS
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            for (dependent, provider) in pairs {
                if let Some(row) = stmt.query([dependent, provider])?.next()? {
                    f(DepRow::read(row)?)?;
                }
            }
        }
        Tx::Postgres(tx) => {
            let (dependents, providers): (Vec<i64>, Vec<i64>) = pairs.iter().copied().unzip();
            let sql = format!(
                "{} JOIN unnest($1::bigint[], $2::bigint[]) AS p(dependent, provider) \
                 ON d.dependent_idx = p.dependent AND d.provider_idx = p.provider",
                *SELECT_ROWS
            );
            let params: [&(dyn PgToSql + Sync); 2] = [&dependents, &providers];
            let mut rows = tx.query_raw(&sql, params)?;
            while let Some(row) = rows.next()? {
                f(DepRow::read(&row)?)?;
            }
        }
    }
    Ok(())
}

/// name -> id for those of `names` already interned.
pub(crate) fn group_ids(tx: &mut Tx<'_, '_>, names: &[&str]) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare_cached("SELECT id FROM dependency_groups WHERE name = ?1")?;
            for name in names {
                if let Some(row) = stmt.query([name])?.next()? {
                    out.insert((*name).to_owned(), row.get(0)?);
                }
            }
        }
        Tx::Postgres(tx) => {
            for row in tx.query(
                "SELECT name, id FROM dependency_groups WHERE name = ANY($1)",
                &[&names],
            )? {
                out.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
    }
    Ok(out)
}

pub(crate) fn max_group_id(tx: &mut Tx<'_, '_>) -> Result<i64> {
    db::query_int(
        tx,
        "SELECT COALESCE(MAX(id), 0) FROM dependency_groups",
        &[],
    )
}

/// Group names no dependency uses any more; a bulk load starts from none.
pub(crate) fn clear_unused_groups(tx: &mut Tx<'_, '_>) -> Result<()> {
    db::execute(
        tx,
        "DELETE FROM dependency_groups WHERE NOT EXISTS (SELECT 1 FROM dependencies d WHERE d.grp = dependency_groups.id)",
        &[],
    )?;
    Ok(())
}
