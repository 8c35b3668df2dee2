//! Saved scenarios and the history of priority rankings (tables `scenarios`, `ranking_runs`,
//! `ranking_entries`). The SQL text is the same on both dialects.

use model::Scenario;

use postgres::types::{ToSql as PgToSql, Type};

use crate::db::{self, Param, TableRow, Tx};
use crate::{RankingEntry, RankingRun, Result, StoreError, meta};

pub(crate) fn save_scenario(tx: &mut Tx<'_, '_>, scenario: &Scenario, now: &str) -> Result<()> {
    let definition = serde_json::to_string(scenario)
        .map_err(|e| StoreError::corrupt("scenarios", e.to_string()))?;
    db::execute(
        tx,
        "INSERT INTO scenarios (name, definition, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        &[
            Param::Text(&scenario.name),
            Param::Text(&definition),
            Param::Text(now),
        ],
    )?;
    Ok(())
}

fn decode_scenario(definition: &str) -> Result<Scenario> {
    serde_json::from_str(definition).map_err(|e| StoreError::corrupt("scenarios", e.to_string()))
}

pub(crate) fn scenarios(tx: &mut Tx<'_, '_>, name: Option<&str>) -> Result<Vec<Scenario>> {
    let rows = match name {
        Some(name) => db::query(
            tx,
            "SELECT definition FROM scenarios WHERE name = $1",
            &[Param::Text(name)],
            |r| r.text(0),
        )?,
        None => db::query(
            tx,
            "SELECT definition FROM scenarios ORDER BY name",
            &[],
            |r| r.text(0),
        )?,
    };
    rows.iter().map(|d| decode_scenario(d)).collect()
}

pub(crate) fn delete_scenario(tx: &mut Tx<'_, '_>, name: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "DELETE FROM scenarios WHERE name = $1",
        &[Param::Text(name)],
    )? > 0)
}

pub(crate) fn save_ranking(
    tx: &mut Tx<'_, '_>,
    created_at: &str,
    home: &str,
    entries: &[RankingEntry],
) -> Result<i64> {
    // Ranks are positions (what lets a run's size be read as its largest rank).
    if let Some((i, e)) = entries
        .iter()
        .enumerate()
        .find(|(i, e)| usize::try_from(e.rank).ok() != Some(i + 1))
    {
        return Err(StoreError::InvalidRecord(format!(
            "ranking entry {} ({}) has rank {}: ranks are positions 1, 2, …",
            i + 1,
            e.asset,
            e.rank
        )));
    }
    let version = meta::atlas_version(tx)?;
    let id = db::query_int(
        tx,
        "INSERT INTO ranking_runs (created_at, atlas_version, home) VALUES ($1, $2, $3) RETURNING id",
        &[
            Param::Text(created_at),
            Param::Int(version),
            Param::Text(home),
        ],
    )?;
    // Every foreign asset of a million-asset atlas is a row: binary COPY on PostgreSQL.
    db::write(
        tx,
        db::Write::Fresh,
        entries.iter().map(|entry| Ok(EntryRow { run: id, entry })),
    )?;
    Ok(id)
}

struct EntryRow<'a> {
    run: i64,
    entry: &'a RankingEntry,
}

impl TableRow for EntryRow<'_> {
    const TABLE: &'static str = "ranking_entries";
    const COLUMNS: &'static [&'static str] = &[
        "run_id", "rank", "asset_id", "impact", "exposure", "threat", "priority",
    ];
    const TYPES: &'static [Type] = &[
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::FLOAT8,
    ];
    const KEY: &'static str = "run_id, rank";

    fn with_sqlite_values<T>(&self, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T {
        let e = self.entry;
        f(&[
            &self.run,
            &e.rank,
            &e.asset,
            &e.impact,
            &e.exposure,
            &e.threat,
            &e.priority,
        ])
    }

    fn with_pg_values<T>(&self, f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T) -> T {
        let e = self.entry;
        f(&[
            &self.run,
            &i64::from(e.rank),
            &e.asset,
            &e.impact,
            &e.exposure,
            &e.threat,
            &e.priority,
        ])
    }
}

pub(crate) fn ranking_runs(tx: &mut Tx<'_, '_>) -> Result<Vec<RankingRun>> {
    db::query(
        tx,
        "SELECT r.id, r.created_at, r.atlas_version, r.home, \
                COALESCE((SELECT MAX(e.rank) FROM ranking_entries e WHERE e.run_id = r.id), 0) \
         FROM ranking_runs r ORDER BY r.id",
        &[],
        |r| {
            Ok(RankingRun {
                id: r.int(0)?,
                created_at: r.text(1)?,
                atlas_version: r.int(2)?,
                home: r.text(3)?,
                entries: u64::try_from(r.int(4)?).unwrap_or(0),
            })
        },
    )
}

pub(crate) fn ranking_entries(tx: &mut Tx<'_, '_>, run: i64) -> Result<Vec<RankingEntry>> {
    db::query(
        tx,
        "SELECT rank, asset_id, impact, exposure, threat, priority FROM ranking_entries \
         WHERE run_id = $1 ORDER BY rank",
        &[Param::Int(run)],
        entry,
    )
}

/// The entries of ranking `run` from rank `offset + 1` on, at most `limit`, by rank.
pub(crate) fn ranking_page(
    tx: &mut Tx<'_, '_>,
    run: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<RankingEntry>> {
    db::query(
        tx,
        "SELECT rank, asset_id, impact, exposure, threat, priority FROM ranking_entries \
         WHERE run_id = $1 ORDER BY rank LIMIT $2 OFFSET $3",
        &[Param::Int(run), Param::Int(limit), Param::Int(offset)],
        entry,
    )
}

/// The entries of ranking `run` for those of `assets` it holds, in their order (index
/// `ranking_entries_asset`).
pub(crate) fn entries_of(
    tx: &mut Tx<'_, '_>,
    run: i64,
    assets: &[&str],
) -> Result<Vec<RankingEntry>> {
    let mut out = Vec::new();
    for asset in assets {
        out.extend(ranking_entry(tx, run, asset)?);
    }
    Ok(out)
}

/// `asset`'s entry in ranking `run` (index `ranking_entries_asset`: the `+` keeps SQLite's
/// planner, which has no statistics, from choosing the primary key, a scan of the whole run).
pub(crate) fn ranking_entry(
    tx: &mut Tx<'_, '_>,
    run: i64,
    asset: &str,
) -> Result<Option<RankingEntry>> {
    Ok(db::query(
        tx,
        "SELECT rank, asset_id, impact, exposure, threat, priority FROM ranking_entries \
         WHERE asset_id = $1 AND +run_id = $2",
        &[Param::Text(asset), Param::Int(run)],
        entry,
    )?
    .pop())
}

fn entry(r: &dyn db::Columns) -> Result<RankingEntry> {
    Ok(RankingEntry {
        rank: u32::try_from(r.int(0)?)
            .map_err(|e| StoreError::corrupt("ranking_entries", e.to_string()))?,
        asset: r.text(1)?,
        impact: r.real(2)?,
        exposure: r.real(3)?,
        threat: r.real(4)?,
        priority: r.real(5)?,
    })
}
