//! Counts over the whole atlas, computed in SQL (the same text on both dialects).

use std::collections::BTreeMap;

use model::{HomeCountry, ncfs, sectors};

use crate::db::{self, Param, Tx};
use crate::{Result, Stats};

fn count_if(condition: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

fn count_bit(mask: &str, bit: usize) -> String {
    format!("CAST(COALESCE(SUM(({mask} >> {bit}) & 1), 0) AS BIGINT)")
}

fn counts(values: &[i64]) -> impl Iterator<Item = u64> + '_ {
    values.iter().map(|&v| u64::try_from(v).unwrap_or(0))
}

fn group_by(tx: &mut Tx<'_, '_>, column: &str) -> Result<BTreeMap<String, u64>> {
    let sql = format!("SELECT {column}, CAST(COUNT(*) AS BIGINT) FROM assets GROUP BY {column}");
    let rows = db::query(tx, &sql, &[], |r| Ok((r.text(0)?, r.int(1)?)))?;
    Ok(rows
        .into_iter()
        .map(|(key, n)| (key, u64::try_from(n).unwrap_or(0)))
        .collect())
}

pub(crate) fn stats(tx: &mut Tx<'_, '_>, home: &HomeCountry) -> Result<Stats> {
    // One scan of `assets` for the totals and every sector and NCF bit.
    let (sectors, ncfs) = (sectors(), ncfs());
    let mut columns = vec![
        "CAST(COUNT(*) AS BIGINT)".to_owned(),
        count_if("country <> $1"),
        count_if("country = $1 AND owner_country IS NOT NULL AND owner_country <> $1"),
    ];
    columns.extend((0..sectors.len()).map(|i| count_bit("sector_mask", i)));
    columns.extend((0..ncfs.len()).map(|i| count_bit("ncf_mask", i)));
    let sql = format!("SELECT {} FROM assets", columns.join(", "));
    let width = columns.len();
    let totals = db::query(tx, &sql, &[Param::Text(&home.0)], |r| {
        (0..width).map(|i| r.int(i)).collect::<Result<Vec<_>>>()
    })?
    .pop()
    .unwrap_or_else(|| vec![0; width]);
    let mut totals = counts(&totals);
    let mut next = || totals.next().unwrap_or(0);
    let (assets, foreign, foreign_owned) = (next(), next(), next());
    let by_sector = sectors
        .iter()
        .map(|s| (s.id.to_owned(), next()))
        .filter(|&(_, n)| n > 0)
        .collect();
    let by_ncf = ncfs
        .iter()
        .map(|n| (n.id.to_owned(), next()))
        .filter(|&(_, n)| n > 0)
        .collect();
    Ok(Stats {
        assets,
        dependencies: u64::try_from(db::query_int(
            tx,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM dependencies",
            &[],
        )?)
        .unwrap_or(0),
        foreign,
        foreign_owned,
        by_kind: group_by(tx, "kind")?,
        by_country: group_by(tx, "country")?,
        by_sector,
        by_ncf,
    })
}
