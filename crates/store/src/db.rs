//! Connections, transactions and the dialect-neutral query helper.
//!
//! Every operation runs in a transaction handed to it as a [`Tx`]; table modules match on it
//! where the dialects differ and use [`query`] / [`execute`] where the SQL is the same text
//! (both dialects accept `$1`-style parameters, numbered in order of first appearance).

use std::time::{Duration, Instant};

use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::ToSqlOutput;

use crate::url::Target;
use crate::{Result, StoreError};

/// SQLite page cache per connection, in KiB when negative (allocated as used).
const CACHE_KIB: i64 = -65_536;
const LARGE_CACHE_KIB: i64 = -524_288;
/// Prepared statements kept per SQLite connection.
const STATEMENT_CACHE: usize = 128;

pub(crate) enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

/// An open transaction on either backend (on SQLite, the connection inside its transaction or
/// savepoint).
pub(crate) enum Tx<'a, 'c> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a mut postgres::Transaction<'c>),
}

thread_local! {
    /// The address of the PostgreSQL client of this thread whose outer transaction
    /// ([`Backend::begin_outer`]) is open, or 0. SQLite knows this itself (`is_autocommit`).
    static OUTER_POSTGRES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn address(client: &postgres::Client) -> usize {
    std::ptr::from_ref(client) as usize
}

/// Runs one operation inside an open outer transaction, in a savepoint: its writes are undone
/// if it fails, and become permanent only when the outer transaction commits.
fn nested<T>(
    savepoint: &mut dyn FnMut(&str) -> Result<()>,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    savepoint("SAVEPOINT meridian_operation")?;
    match f() {
        Ok(out) => {
            savepoint("RELEASE SAVEPOINT meridian_operation")?;
            Ok(out)
        }
        Err(e) => {
            // The failure is what matters; a failed rollback leaves the outer transaction to
            // be rolled back by its owner.
            let _ = savepoint(
                "ROLLBACK TO SAVEPOINT meridian_operation; RELEASE SAVEPOINT meridian_operation",
            );
            Err(e)
        }
    }
}

/// Creates a new SQLite database file readable and writable by its owner only (it holds partner
/// data and credentials); SQLite gives its `-wal` and `-shm` files the database file's mode. An
/// existing file is left as it is.
#[cfg(unix)]
fn create_private(path: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt as _;
    // An existing file is kept as it is; any other failure (a missing directory, …) is left to
    // SQLite's own open to report.
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
}

#[cfg(not(unix))]
fn create_private(_path: &std::path::Path) {}

impl Backend {
    pub(crate) fn open(target: &Target) -> Result<Backend> {
        match target {
            Target::SqliteMemory => Backend::sqlite(rusqlite::Connection::open_in_memory()?),
            Target::SqliteFile(path) => {
                create_private(path);
                Backend::sqlite(rusqlite::Connection::open(path)?)
            }
            Target::Postgres { url, schema } => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)?;
                if let Some(schema) = schema {
                    let exists = client
                        .query_one(
                            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                            &[schema],
                        )?
                        .try_get::<_, bool>(0)?;
                    // Concurrent first opens race inside CREATE SCHEMA IF NOT EXISTS: the loser
                    // gets a unique violation, and the schema exists either way.
                    if !exists
                        && let Err(e) = client
                            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                        && e.code() != Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
                    {
                        return Err(e.into());
                    }
                    client.batch_execute(&format!("SET search_path TO \"{schema}\""))?;
                }
                Ok(Backend::Postgres(client))
            }
        }
    }

    fn sqlite(conn: rusqlite::Connection) -> Result<Backend> {
        const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Returns the resulting mode; an in-memory database stays "memory". Switching a new
        // file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without
        // the busy handler, when concurrent first opens race for it: retry within the timeout.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                done => break done?,
            }
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        // One cached statement per query shape: the TAXII read path has a few dozen.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Backend::Sqlite(conn))
    }

    /// Opens the outer transaction of [`crate::Store::atomically`]: until
    /// [`Backend::end_outer`], every operation runs in a savepoint of it. False (and nothing
    /// done) when one is open already: the caller's operations join it.
    pub(crate) fn begin_outer(&mut self) -> Result<bool> {
        match self {
            Backend::Sqlite(conn) => {
                if !conn.is_autocommit() {
                    return Ok(false);
                }
                conn.execute_batch("BEGIN IMMEDIATE")?;
            }
            Backend::Postgres(client) => {
                if OUTER_POSTGRES.get() == address(client) {
                    return Ok(false);
                }
                client.batch_execute("BEGIN")?;
                OUTER_POSTGRES.set(address(client));
            }
        }
        Ok(true)
    }

    /// Commits (or rolls back) the outer transaction opened by [`Backend::begin_outer`].
    pub(crate) fn end_outer(&mut self, commit: bool) -> Result<()> {
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        match self {
            Backend::Sqlite(conn) => conn.execute_batch(sql)?,
            Backend::Postgres(client) => {
                OUTER_POSTGRES.set(0);
                client.batch_execute(sql)?;
            }
        }
        Ok(())
    }

    /// True when an outer transaction is open: operations run in savepoints of it.
    fn in_outer(&self) -> bool {
        match self {
            Backend::Sqlite(conn) => !conn.is_autocommit(),
            Backend::Postgres(client) => OUTER_POSTGRES.get() == address(client),
        }
    }

    /// Runs `f` in a savepoint of the open outer transaction.
    fn in_savepoint<T>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T>) -> Result<T> {
        match self {
            Backend::Sqlite(conn) => {
                let conn = &*conn;
                nested(&mut |sql| Ok(conn.execute_batch(sql)?), || {
                    f(&mut Tx::Sqlite(conn))
                })
            }
            Backend::Postgres(client) => {
                client.batch_execute("SAVEPOINT meridian_operation")?;
                // The client's transaction handle sends BEGIN, which inside the open
                // transaction only draws a warning; it is forgotten rather than dropped so that
                // it sends neither COMMIT nor ROLLBACK: the savepoint decides.
                let out = match client.transaction() {
                    Ok(mut tx) => {
                        let out = f(&mut Tx::Postgres(&mut tx));
                        std::mem::forget(tx);
                        out
                    }
                    Err(e) => Err(e.into()),
                };
                let end = match &out {
                    Ok(_) => "RELEASE SAVEPOINT meridian_operation",
                    Err(_) => {
                        "ROLLBACK TO SAVEPOINT meridian_operation; \
                         RELEASE SAVEPOINT meridian_operation"
                    }
                };
                let ended = client.batch_execute(end);
                let out = out?;
                ended?;
                Ok(out)
            }
        }
    }

    /// Runs `f` in a read-only snapshot.
    pub(crate) fn read<T>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T>) -> Result<T> {
        if self.in_outer() {
            return self.in_savepoint(f);
        }
        match self {
            Backend::Sqlite(conn) => {
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
                let out = f(&mut Tx::Sqlite(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Backend::Postgres(client) => {
                let mut tx = client
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()?;
                let out = f(&mut Tx::Postgres(&mut tx))?;
                tx.commit()?;
                Ok(out)
            }
        }
    }

    /// Runs `f` in a write transaction, committed only when `f` succeeds (inside an outer
    /// transaction, in a savepoint of it).
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T>) -> Result<T> {
        if self.in_outer() {
            return self.in_savepoint(f);
        }
        match self {
            Backend::Sqlite(conn) => {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let out = f(&mut Tx::Sqlite(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Backend::Postgres(client) => {
                let mut tx = client.transaction()?;
                let out = f(&mut Tx::Postgres(&mut tx))?;
                tx.commit()?;
                Ok(out)
            }
        }
    }

    /// Like [`Backend::write`] with SQLite's row-by-row foreign-key checks off, for a bulk load
    /// that resolves every reference itself (the pragma cannot change inside a transaction;
    /// PostgreSQL's checks are relaxed inside the transaction, see `migrations`).
    pub(crate) fn write_unchecked<T>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        let Backend::Sqlite(conn) = self else {
            return self.write(f);
        };
        if !conn.is_autocommit() {
            // Inside an outer transaction the pragma cannot change: the checks wait for its
            // commit instead.
            conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
            return self.write(f);
        }
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        let out = self.write(f);
        if let Backend::Sqlite(conn) = self {
            conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        out
    }
}

impl Tx<'_, '_> {
    /// Runs several statements without parameters.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.execute_batch(sql)?,
            Tx::Postgres(tx) => tx.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Runs `f` with SQLite's page cache enlarged when `large` (writing millions of rows with
    /// random index inserts thrashes the normal cache), restoring it even when `f` fails;
    /// PostgreSQL's cache is the server's.
    pub(crate) fn with_large_cache<T>(
        &mut self,
        large: bool,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let resize = |tx: &mut Self, kib: i64| -> Result<()> {
            if let Tx::Sqlite(tx) = tx {
                tx.pragma_update(None, "cache_size", kib)?;
            }
            Ok(())
        };
        if !large {
            return f(self);
        }
        resize(self, LARGE_CACHE_KIB)?;
        let out = f(self);
        resize(self, CACHE_KIB)?;
        out
    }

    /// Takes the atlas write lock: concurrent imports run one after the other (SQLite's
    /// `BEGIN IMMEDIATE` already did this), readers are not blocked.
    pub(crate) fn lock_atlas(&mut self) -> Result<()> {
        match self {
            Tx::Sqlite(_) => Ok(()),
            Tx::Postgres(tx) => Ok(tx.batch_execute(
                "LOCK TABLE assets, dependencies, dependency_groups IN SHARE ROW EXCLUSIVE MODE",
            )?),
        }
    }
}

/// A query parameter both drivers understand.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    /// NULL when `None`.
    OptInt(Option<i64>),
    /// NULL when `None`.
    OptText(Option<&'a str>),
    /// A floating-point number (`REAL`, `DOUBLE PRECISION`).
    Real(f64),
    /// A list of strings: a PostgreSQL `text[]` (`= ANY($n)`), a JSON array on SQLite
    /// (`IN (SELECT value FROM json_each($n))`).
    List(&'a [String]),
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Int(i) => rusqlite::ToSql::to_sql(i),
            Param::Text(s) => rusqlite::ToSql::to_sql(s),
            Param::OptInt(i) => rusqlite::ToSql::to_sql(i),
            Param::OptText(s) => rusqlite::ToSql::to_sql(s),
            Param::Real(x) => rusqlite::ToSql::to_sql(x),
            Param::List(items) => {
                let json = serde_json::to_string(items)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
                Ok(ToSqlOutput::from(json))
            }
        }
    }
}

impl PgToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Int(i) => PgToSql::to_sql(i, ty, out),
            Param::Text(s) => PgToSql::to_sql(s, ty, out),
            Param::OptInt(i) => PgToSql::to_sql(i, ty, out),
            Param::OptText(s) => PgToSql::to_sql(s, ty, out),
            Param::Real(x) => PgToSql::to_sql(x, ty, out),
            Param::List(items) => PgToSql::to_sql(items, ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as PgToSql>::accepts(ty)
            || <f64 as PgToSql>::accepts(ty)
            || <&str as PgToSql>::accepts(ty)
            || <&[String] as PgToSql>::accepts(ty)
    }

    to_sql_checked!();
}

/// `IN (list)` in the dialect's spelling, for a [`Param::List`] numbered `n`.
pub(crate) fn in_list(tx: &Tx<'_, '_>, n: usize) -> String {
    match tx {
        Tx::Sqlite(_) => format!("IN (SELECT value FROM json_each(${n}))"),
        Tx::Postgres(_) => format!("= ANY(${n})"),
    }
}

/// Column access shared by both drivers' rows, so rows are decoded once (see `row`).
pub(crate) trait Columns {
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn opt_real(&self, i: usize) -> Result<Option<f64>>;

    fn real(&self, i: usize) -> Result<f64> {
        self.opt_real(i)?
            .ok_or_else(|| StoreError::corrupt("row", format!("column {i} is NULL")))
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn opt_real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.get(i)?)
    }
}

impl Columns for postgres::Row {
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.try_get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.try_get(i)?)
    }
    fn opt_real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.try_get(i)?)
    }
}

/// Runs `sql` (the same text on both dialects) and maps every row with `f`.
pub(crate) fn query<T>(
    tx: &mut Tx<'_, '_>,
    sql: &str,
    params: &[Param<'_>],
    mut f: impl FnMut(&dyn Columns) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare_cached(sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            while let Some(row) = rows.next()? {
                out.push(f(row)?);
            }
        }
        Tx::Postgres(tx) => {
            let params: Vec<&(dyn PgToSql + Sync)> = params.iter().map(|p| p as _).collect();
            for row in tx.query(sql, &params)? {
                out.push(f(&row)?);
            }
        }
    }
    Ok(out)
}

/// Runs one statement (the same text on both dialects); returns the number of rows changed.
pub(crate) fn execute(tx: &mut Tx<'_, '_>, sql: &str, params: &[Param<'_>]) -> Result<u64> {
    match tx {
        Tx::Sqlite(tx) => Ok(tx
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))? as u64),
        Tx::Postgres(tx) => {
            let params: Vec<&(dyn PgToSql + Sync)> = params.iter().map(|p| p as _).collect();
            Ok(tx.execute(sql, &params)?)
        }
    }
}

/// A single integer from a query returning one row and one column.
pub(crate) fn query_int(tx: &mut Tx<'_, '_>, sql: &str, params: &[Param<'_>]) -> Result<i64> {
    query(tx, sql, params, |r| r.int(0))?
        .pop()
        .ok_or_else(|| StoreError::corrupt("query", format!("no row from {sql}")))
}

/// A table whose rows the generic writer can store on both backends.
pub(crate) trait TableRow {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// PostgreSQL types of `COLUMNS`, for binary COPY.
    const TYPES: &'static [Type];
    /// The primary key, as an `ON CONFLICT` target.
    const KEY: &'static str;
    fn with_sqlite_values<T>(&self, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T;
    fn with_pg_values<T>(&self, f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T) -> T;
}

/// How [`write`] treats existing keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    /// Every key is new (bulk load, created records): PostgreSQL copies straight into the table.
    Fresh,
    /// Keys may exist and are overwritten.
    Upsert,
}

/// Stores rows: SQLite through one prepared upsert, PostgreSQL through binary COPY (into a
/// temporary table first when upserting, then one `INSERT … ON CONFLICT`).
pub(crate) fn write<R: TableRow>(
    tx: &mut Tx<'_, '_>,
    mode: Write,
    rows: impl Iterator<Item = Result<R>>,
) -> Result<()> {
    let columns = R::COLUMNS.join(", ");
    let update: Vec<String> = R::COLUMNS
        .iter()
        .filter(|c| !R::KEY.split(", ").any(|k| k == **c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let on_conflict = format!(
        "ON CONFLICT ({}) DO UPDATE SET {}",
        R::KEY,
        update.join(", ")
    );
    match tx {
        Tx::Sqlite(tx) => {
            let placeholders: Vec<String> =
                (1..=R::COLUMNS.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({columns}) VALUES ({}) {on_conflict}",
                R::TABLE,
                placeholders.join(", ")
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            for row in rows {
                row?.with_sqlite_values(|values| stmt.execute(values))?;
            }
        }
        Tx::Postgres(tx) => {
            let target = match mode {
                Write::Fresh => R::TABLE.to_owned(),
                Write::Upsert => {
                    let batch = format!("{}_batch", R::TABLE);
                    tx.batch_execute(&format!(
                        "CREATE TEMPORARY TABLE {batch} (LIKE {}) ON COMMIT DROP",
                        R::TABLE
                    ))?;
                    batch
                }
            };
            let sink = tx.copy_in(&format!(
                "COPY {target} ({columns}) FROM STDIN (FORMAT binary)"
            ))?;
            let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, R::TYPES);
            for row in rows {
                row?.with_pg_values(|values| writer.write(values))?;
            }
            writer.finish()?;
            if mode == Write::Upsert {
                tx.batch_execute(&format!(
                    "INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} {on_conflict}; DROP TABLE {target}",
                    table = R::TABLE
                ))?;
            }
        }
    }
    Ok(())
}
