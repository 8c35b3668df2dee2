//! Versioned schema migrations, embedded in the binary: one list of versions, a SQL file per
//! dialect for each.
//!
//! Applied on open, each in its own transaction together with its `schema_migrations` row.
//! Opening an up-to-date database only reads.

use crate::db::{self, Backend, Param, Tx};
use crate::{Result, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Both dialects' lists from one table of (version, name, file stem): each migration exists
/// as `migrations/sqlite/<stem>.sql` and `migrations/postgres/<stem>.sql`.
macro_rules! migrations {
    ($dialect:literal: $(($version:literal, $name:literal, $stem:literal)),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/", $dialect, "/", $stem, ".sql")),
        }),*]
    };
}

macro_rules! all_migrations {
    ($dialect:literal) => {
        migrations!($dialect:
            (1, "atlas", "0001_atlas"),
            (2, "analysis", "0002_analysis"),
            (3, "intel", "0003_intel"),
            (4, "cvd", "0004_cvd"),
            (5, "feeds", "0005_feeds"),
            (6, "exchange", "0006_exchange"),
            (7, "alerts", "0007_alerts"),
            (8, "status_owner", "0008_status_owner"),
            (9, "fail_closed_labels", "0009_fail_closed_labels"),
            (10, "audit", "0010_audit"),
            (11, "users", "0011_users"),
            (12, "jobs", "0012_jobs"),
            (13, "coordination", "0013_coordination"),
            (14, "finding_marks", "0014_finding_marks"),
            (15, "asset_tags", "0015_asset_tags"),
            (16, "job_cancel", "0016_job_cancel"),
            (17, "cvd_revisions", "0017_cvd_revisions"),
        )
    };
}

const SQLITE: &[Migration] = all_migrations!("sqlite");
const POSTGRES: &[Migration] = all_migrations!("postgres");

/// Serialises concurrent `meridian` processes migrating one PostgreSQL database.
const PG_LOCK_KEY: i64 = 0x6d65_7269_6469_616e; // "meridian"

pub(crate) fn apply(db: &mut Backend) -> Result<()> {
    let migrations = match db {
        Backend::Sqlite(_) => SQLITE,
        Backend::Postgres(_) => POSTGRES,
    };
    let applied = db.read(applied_versions)?;
    let latest = migrations.last().map_or(0, |m| m.version);
    if let Some(&newer) = applied.iter().find(|&&v| v > latest) {
        return Err(StoreError::Migration {
            version: newer,
            name: String::new(),
            message: format!(
                "the database is at a newer schema version than this build knows ({latest})"
            ),
        });
    }
    for m in migrations.iter().filter(|m| !applied.contains(&m.version)) {
        db.write(|tx| apply_one(tx, m))?;
    }
    Ok(())
}

fn apply_one(tx: &mut Tx<'_, '_>, m: &Migration) -> Result<()> {
    match tx {
        Tx::Sqlite(_) => tx.batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?,
        Tx::Postgres(_) => tx.batch(&format!(
            "SELECT pg_advisory_xact_lock({PG_LOCK_KEY}); \
             CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
        ))?,
    }
    // Another process may have applied it while we waited for the lock.
    if applied_versions(tx)?.contains(&m.version) {
        return Ok(());
    }
    tx.batch(m.sql).map_err(|e| StoreError::Migration {
        version: m.version,
        name: m.name.to_owned(),
        message: e.to_string(),
    })?;
    db::execute(
        tx,
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, CURRENT_TIMESTAMP)",
        &[Param::Int(m.version), Param::Text(m.name)],
    )?;
    tracing::info!(version = m.version, name = m.name, "migration applied");
    Ok(())
}

fn applied_versions(tx: &mut Tx<'_, '_>) -> Result<Vec<i64>> {
    let exists_sql = match tx {
        Tx::Sqlite(_) => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        }
        Tx::Postgres(_) => {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT to_regclass('schema_migrations') AS t) AS r WHERE t IS NOT NULL"
        }
    };
    if db::query_int(tx, exists_sql, &[])? == 0 {
        return Ok(Vec::new());
    }
    db::query(
        tx,
        "SELECT version FROM schema_migrations ORDER BY version",
        &[],
        |r| r.int(0),
    )
}

/// Drops what slows a bulk load down and is rebuilt faster afterwards: the secondary indexes
/// (built by one sort instead of millions of random inserts) and the row-by-row foreign-key
/// checks (see [`relax_foreign_keys`]). The bulk load itself checks ids and references.
/// Definitions match `0001_atlas.sql`.
pub(crate) fn relax_for_bulk_load(tx: &mut Tx<'_, '_>) -> Result<()> {
    tx.batch("DROP INDEX assets_id; DROP INDEX dependencies_provider")?;
    relax_foreign_keys(tx)
}

/// Rebuilds what [`relax_for_bulk_load`] dropped.
pub(crate) fn restore_after_bulk_load(tx: &mut Tx<'_, '_>) -> Result<()> {
    tx.batch(
        "CREATE UNIQUE INDEX assets_id ON assets (id); \
         CREATE INDEX dependencies_provider ON dependencies (provider_idx)",
    )?;
    restore_foreign_keys(tx)
}

/// PostgreSQL checks the foreign keys of `dependencies` row by row (a query per key per row),
/// which dominates writing millions of rows; dropping them for the transaction and re-adding
/// them validates everything with one join per key instead. The caller has resolved every
/// reference and holds the atlas lock. SQLite's checks are plain key lookups and stay.
pub(crate) fn relax_foreign_keys(tx: &mut Tx<'_, '_>) -> Result<()> {
    match tx {
        Tx::Sqlite(_) => Ok(()),
        Tx::Postgres(_) => tx.batch(
            "ALTER TABLE dependencies \
                 DROP CONSTRAINT dependencies_dependent_fk, \
                 DROP CONSTRAINT dependencies_provider_fk, \
                 DROP CONSTRAINT dependencies_grp_fk",
        ),
    }
}

/// Re-adds (and so validates) what [`relax_foreign_keys`] dropped.
pub(crate) fn restore_foreign_keys(tx: &mut Tx<'_, '_>) -> Result<()> {
    match tx {
        Tx::Sqlite(_) => Ok(()),
        Tx::Postgres(_) => tx.batch(
            "ALTER TABLE dependencies \
                 ADD CONSTRAINT dependencies_dependent_fk FOREIGN KEY (dependent_idx) REFERENCES assets (idx), \
                 ADD CONSTRAINT dependencies_provider_fk FOREIGN KEY (provider_idx) REFERENCES assets (idx), \
                 ADD CONSTRAINT dependencies_grp_fk FOREIGN KEY (grp) REFERENCES dependency_groups (id)",
        ),
    }
}
