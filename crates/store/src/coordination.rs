//! The coordination register (§5): kind-tagged records (`coord_records`), deconfliction flags
//! (`deconflict_flags`) and the annual plan's targets (`measure_targets`). The SQL text is the
//! same on both dialects; the records' own fields are a JSON body the application layer types
//! and validates.

use std::collections::HashSet;

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError};

/// One stored record of the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoordRecord {
    /// `<PREFIX>-NNNNNN`.
    pub id: String,
    pub kind: String,
    pub office: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`, not before `start_date`.
    pub end_date: String,
    /// The kind's fields, JSON.
    pub body: String,
    pub updated_at: String,
}

/// A deconfliction flag on two activities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeconflictFlag {
    pub id: String,
    pub activity_a: String,
    pub activity_b: String,
    /// `overlap`, `window` or `duplicate`.
    pub reason: String,
    pub detail: String,
    pub fingerprint: String,
    /// `open` or `resolved`.
    pub status: String,
    /// `merge` or `keep`.
    pub resolution: Option<String>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub detected_at: String,
}

/// What [`crate::Store::sync_deconflict_flags`] changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlagSync {
    /// Flags found for the first time.
    pub added: u64,
    /// Open flags no longer found (their activities changed), removed.
    pub removed: u64,
}

const RECORD_COLUMNS: &str =
    "SELECT id, kind, office, start_date, end_date, body, updated_at FROM coord_records";

fn read_record(r: &dyn Columns) -> Result<CoordRecord> {
    Ok(CoordRecord {
        id: r.text(0)?,
        kind: r.text(1)?,
        office: r.text(2)?,
        start_date: r.text(3)?,
        end_date: r.text(4)?,
        body: r.text(5)?,
        updated_at: r.text(6)?,
    })
}

/// `n` fresh ids `<prefix>-NNNNNN` after the highest stored one of that prefix.
pub(crate) fn next_ids(tx: &mut Tx<'_, '_>, prefix: &str, n: usize) -> Result<Vec<String>> {
    let taken = db::query(
        tx,
        "SELECT id FROM coord_records WHERE id LIKE $1",
        &[Param::Text(&format!("{prefix}-%"))],
        |r| r.text(0),
    )?;
    let last = taken
        .iter()
        .filter_map(|id| {
            id.strip_prefix(prefix)?
                .strip_prefix('-')?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    Ok((1..=n as u64)
        .map(|i| format!("{prefix}-{:06}", last + i))
        .collect())
}

/// Stores records, replacing those with the same id.
pub(crate) fn put(tx: &mut Tx<'_, '_>, records: &[CoordRecord]) -> Result<()> {
    for r in records {
        if r.end_date < r.start_date {
            return Err(StoreError::InvalidRecord(format!(
                "{}: ends {} before it starts {}",
                r.id, r.end_date, r.start_date
            )));
        }
        db::execute(
            tx,
            "INSERT INTO coord_records (id, kind, office, start_date, end_date, body, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, office = excluded.office, \
                 start_date = excluded.start_date, end_date = excluded.end_date, \
                 body = excluded.body, updated_at = excluded.updated_at",
            &[
                Param::Text(&r.id),
                Param::Text(&r.kind),
                Param::Text(&r.office),
                Param::Text(&r.start_date),
                Param::Text(&r.end_date),
                Param::Text(&r.body),
                Param::Text(&r.updated_at),
            ],
        )?;
    }
    Ok(())
}

/// The records of `kind` (every kind when `None`), by start date then id. Sorted here, not by
/// the database: the same byte order on both backends whatever PostgreSQL's collation, and no
/// sort spilling to disk for a large register.
pub(crate) fn list(tx: &mut Tx<'_, '_>, kind: Option<&str>) -> Result<Vec<CoordRecord>> {
    let mut records = match kind {
        Some(kind) => db::query(
            tx,
            &format!("{RECORD_COLUMNS} WHERE kind = $1"),
            &[Param::Text(kind)],
            read_record,
        ),
        None => db::query(tx, RECORD_COLUMNS, &[], read_record),
    }?;
    records.sort_unstable_by(|a, b| (&a.start_date, &a.id).cmp(&(&b.start_date, &b.id)));
    Ok(records)
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<CoordRecord>> {
    Ok(db::query(
        tx,
        &format!("{RECORD_COLUMNS} WHERE id = $1"),
        &[Param::Text(id)],
        read_record,
    )?
    .pop())
}

/// Deletes a record and the open flags naming it (resolved ones stay as history); false when
/// there was none.
pub(crate) fn delete(tx: &mut Tx<'_, '_>, id: &str) -> Result<bool> {
    db::execute(
        tx,
        "DELETE FROM deconflict_flags WHERE status = 'open' AND (activity_a = $1 OR activity_b = $1)",
        &[Param::Text(id)],
    )?;
    Ok(db::execute(
        tx,
        "DELETE FROM coord_records WHERE id = $1",
        &[Param::Text(id)],
    )? > 0)
}

const FLAG_COLUMNS: &str = "SELECT id, activity_a, activity_b, reason, detail, fingerprint, \
     status, resolution, note, resolved_by, resolved_at, detected_at FROM deconflict_flags";

fn read_flag(r: &dyn Columns) -> Result<DeconflictFlag> {
    Ok(DeconflictFlag {
        id: r.text(0)?,
        activity_a: r.text(1)?,
        activity_b: r.text(2)?,
        reason: r.text(3)?,
        detail: r.text(4)?,
        fingerprint: r.text(5)?,
        status: r.text(6)?,
        resolution: r.opt_text(7)?,
        note: r.opt_text(8)?,
        resolved_by: r.opt_text(9)?,
        resolved_at: r.opt_text(10)?,
        detected_at: r.text(11)?,
    })
}

/// Every flag, by id.
pub(crate) fn flags(tx: &mut Tx<'_, '_>) -> Result<Vec<DeconflictFlag>> {
    db::query(tx, &format!("{FLAG_COLUMNS} ORDER BY id"), &[], read_flag)
}

/// Adds the flags of `found` whose fingerprint is not stored (as given, normally open) and
/// removes the open flags whose fingerprint is not in `found`; resolved flags stay.
pub(crate) fn sync_flags(tx: &mut Tx<'_, '_>, found: &[DeconflictFlag]) -> Result<FlagSync> {
    let stored = flags(tx)?;
    let known: HashSet<&str> = stored.iter().map(|f| f.fingerprint.as_str()).collect();
    let current: HashSet<&str> = found.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut sync = FlagSync::default();
    for f in stored
        .iter()
        .filter(|f| f.status == "open" && !current.contains(f.fingerprint.as_str()))
    {
        db::execute(
            tx,
            "DELETE FROM deconflict_flags WHERE id = $1",
            &[Param::Text(&f.id)],
        )?;
        sync.removed += 1;
    }
    for f in found
        .iter()
        .filter(|f| !known.contains(f.fingerprint.as_str()))
    {
        db::execute(
            tx,
            "INSERT INTO deconflict_flags (id, activity_a, activity_b, reason, detail, \
                 fingerprint, status, resolution, note, resolved_by, resolved_at, detected_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                Param::Text(&f.id),
                Param::Text(&f.activity_a),
                Param::Text(&f.activity_b),
                Param::Text(&f.reason),
                Param::Text(&f.detail),
                Param::Text(&f.fingerprint),
                Param::Text(&f.status),
                Param::OptText(f.resolution.as_deref()),
                Param::OptText(f.note.as_deref()),
                Param::OptText(f.resolved_by.as_deref()),
                Param::OptText(f.resolved_at.as_deref()),
                Param::Text(&f.detected_at),
            ],
        )?;
        sync.added += 1;
    }
    Ok(sync)
}

/// Resolves an open flag; false when there is no open flag `id`.
pub(crate) fn resolve_flag(
    tx: &mut Tx<'_, '_>,
    id: &str,
    resolution: &str,
    note: &str,
    by: &str,
    at: &str,
) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE deconflict_flags SET status = 'resolved', resolution = $1, note = $2, \
             resolved_by = $3, resolved_at = $4 WHERE id = $5 AND status = 'open'",
        &[
            Param::Text(resolution),
            Param::Text(note),
            Param::Text(by),
            Param::Text(at),
            Param::Text(id),
        ],
    )? > 0)
}

/// Sets (or replaces) the target of `measure` for `quarter`.
pub(crate) fn set_target(
    tx: &mut Tx<'_, '_>,
    measure: &str,
    quarter: &str,
    target: f64,
) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO measure_targets (measure, quarter, target) VALUES ($1, $2, $3) \
         ON CONFLICT (measure, quarter) DO UPDATE SET target = excluded.target",
        &[
            Param::Text(measure),
            Param::Text(quarter),
            Param::Real(target),
        ],
    )?;
    Ok(())
}

/// Every target as (measure, quarter, target), by measure then quarter.
pub(crate) fn targets(tx: &mut Tx<'_, '_>) -> Result<Vec<(String, String, f64)>> {
    db::query(
        tx,
        "SELECT measure, quarter, target FROM measure_targets ORDER BY measure, quarter",
        &[],
        |r| Ok((r.text(0)?, r.text(1)?, r.real(2)?)),
    )
}
