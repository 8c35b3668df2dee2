//! The audit log (table `audit_log`): one row per write, appended in the transaction of the write
//! it records, each row naming the hash of the one before it. The SQL text is the same on both
//! dialects but for the lock; `object_ids` is JSON text.
//!
//! The chain is only correct if appends run one after the other: SQLite's write transaction is
//! exclusive already; on PostgreSQL every append first takes a transaction-scoped advisory lock
//! ([`AUDIT_LOCK_KEY`]), so a writer reads the head only once the previous appender has
//! committed (or rolled back), whichever process or server it runs in. The lock is held until
//! the whole transaction ends, so the append is the last step of a transaction.
//!
//! What the hash covers is the application layer's business: the store asks the caller to seal
//! the row once it knows the row's `seq` and `prev_hash`.

use crate::Result;
use crate::db::{self, Columns, Param, Tx};
use crate::partners::decode_list;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Serialises appenders to one PostgreSQL database (distinct from the migrations' key).
const AUDIT_LOCK_KEY: i64 = 0x6d65_7269_6175_6474; // "meriaudt"

/// One entry to append; the store numbers and chains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewAuditEntry<'a> {
    /// RFC 3339 UTC.
    pub at: &'a str,
    /// `user:NAME`, `partner:ID` or `local:NAME`.
    pub actor: &'a str,
    /// What was done, e.g. `taxii.add_objects`.
    pub action: &'a str,
    /// The objects the write touched.
    pub object_ids: &'a [&'a str],
    /// SHA-256 (hex) of the change.
    pub digest: &'a str,
}

/// One stored entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, … in append order.
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_ids: Vec<String>,
    pub digest: String,
    /// The previous entry's `hash`; [`GENESIS_HASH`] for the first.
    pub prev_hash: String,
    pub hash: String,
}

/// Conditions on [`crate::Store::audit_list`]; every `Some` must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Only entries after this `seq`, the first `limit` of them; without it, the newest
    /// `limit` entries. Either way in `seq` order.
    pub after: Option<i64>,
    pub limit: u64,
}

/// A page of the audit log for a reader, newest first: every `Some` condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Only entries naming this object id (exactly, case included).
    pub object: Option<String>,
    /// Only entries written on or after this day (UTC).
    pub from: Option<time::Date>,
    /// Only entries written on or before this day (UTC).
    pub to: Option<time::Date>,
    /// Matching entries to skip, newest first.
    pub offset: u64,
    pub limit: u64,
}

/// A page of [`AuditQuery`] and how many entries match it in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    pub total: u64,
}

const COLUMNS: &str =
    "SELECT seq, at, actor, action, object_ids, digest, prev_hash, hash FROM audit_log";

fn read_entry(r: &dyn Columns) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.int(0)?,
        at: r.text(1)?,
        actor: r.text(2)?,
        action: r.text(3)?,
        object_ids: decode_list("audit_log", &r.text(4)?)?,
        digest: r.text(5)?,
        prev_hash: r.text(6)?,
        hash: r.text(7)?,
    })
}

/// Appends `entry` after the current head: `seq` is the head's plus one (1 for the first row),
/// `prev_hash` the head's hash ([`GENESIS_HASH`] for the first row) and `hash` what `seal`
/// returns for that `seq` and `prev_hash`.
pub(crate) fn append(
    tx: &mut Tx<'_, '_>,
    entry: &NewAuditEntry<'_>,
    seal: &dyn Fn(i64, &str) -> String,
) -> Result<AuditEntry> {
    if let Tx::Postgres(_) = tx {
        tx.batch(&format!("SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})"))?;
    }
    let (seq, prev_hash) = match head(tx)? {
        Some(head) => (head.seq + 1, head.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let hash = seal(seq, &prev_hash);
    let object_ids = serde_json::to_string(entry.object_ids).expect("a list of strings is JSON");
    db::execute(
        tx,
        "INSERT INTO audit_log (seq, at, actor, action, object_ids, digest, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            Param::Int(seq),
            Param::Text(entry.at),
            Param::Text(entry.actor),
            Param::Text(entry.action),
            Param::Text(&object_ids),
            Param::Text(entry.digest),
            Param::Text(&prev_hash),
            Param::Text(&hash),
        ],
    )?;
    Ok(AuditEntry {
        seq,
        at: entry.at.to_owned(),
        actor: entry.actor.to_owned(),
        action: entry.action.to_owned(),
        object_ids: entry.object_ids.iter().map(|&id| id.to_owned()).collect(),
        digest: entry.digest.to_owned(),
        prev_hash,
        hash,
    })
}

/// The entry with the highest `seq`, if any.
pub(crate) fn head(tx: &mut Tx<'_, '_>) -> Result<Option<AuditEntry>> {
    Ok(db::query(
        tx,
        &format!("{COLUMNS} ORDER BY seq DESC LIMIT 1"),
        &[],
        read_entry,
    )?
    .pop())
}

/// The entry (the lowest `seq` of them) whose `hash` is `hash`. Not indexed: verification asks
/// it only about the first broken row.
pub(crate) fn by_hash(tx: &mut Tx<'_, '_>, hash: &str) -> Result<Option<AuditEntry>> {
    Ok(db::query(
        tx,
        &format!("{COLUMNS} WHERE hash = $1 ORDER BY seq LIMIT 1"),
        &[Param::Text(hash)],
        read_entry,
    )?
    .pop())
}

/// Entries matching `filter`, in `seq` order (see [`AuditFilter::after`]).
pub(crate) fn list(tx: &mut Tx<'_, '_>, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut sql = format!("{COLUMNS} WHERE 1 = 1");
    let mut params = Vec::new();
    for (column, value) in [
        ("actor", filter.actor.as_deref()),
        ("action", filter.action.as_deref()),
    ] {
        if let Some(v) = value {
            params.push(Param::Text(v));
            sql.push_str(&format!(" AND {column} = ${}", params.len()));
        }
    }
    if let Some(after) = filter.after {
        params.push(Param::Int(after));
        sql.push_str(&format!(" AND seq > ${}", params.len()));
    }
    let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
    params.push(Param::Int(limit));
    let order = if filter.after.is_some() { "" } else { " DESC" };
    sql.push_str(&format!(" ORDER BY seq{order} LIMIT ${}", params.len()));
    let mut found = db::query(tx, &sql, &params, read_entry)?;
    if filter.after.is_none() {
        found.reverse();
    }
    Ok(found)
}

/// The entries of `query`, newest first, and how many match in all. An object id matches an
/// element of the JSON text `object_ids` exactly: its JSON string right after `[` or `,` can
/// only start an element (a `"` inside a string is escaped), and ends where the element does.
pub(crate) fn page(tx: &mut Tx<'_, '_>, query: &AuditQuery) -> Result<AuditPage> {
    let position = match tx {
        Tx::Sqlite(_) => "instr",
        Tx::Postgres(_) => "strpos",
    };
    let needles: Vec<String> = query
        .object
        .iter()
        .flat_map(|id| {
            let quoted = serde_json::to_string(id).expect("a string is JSON");
            [format!("[{quoted}"), format!(",{quoted}")]
        })
        .collect();
    // `at` is RFC 3339 UTC to the second, fixed width: text order is time order, and a day
    // `YYYY-MM-DD` sorts before every instant of that day.
    let from = query.from.map(|day| day.to_string());
    let until = query
        .to
        .and_then(time::Date::next_day)
        .map(|day| day.to_string());
    let mut conditions = String::from(" WHERE 1 = 1");
    let mut params = Vec::new();
    for (condition, value) in [
        ("actor =", query.actor.as_deref()),
        ("action =", query.action.as_deref()),
        ("at >=", from.as_deref()),
        ("at <", until.as_deref()),
    ] {
        if let Some(v) = value {
            params.push(Param::Text(v));
            conditions.push_str(&format!(" AND {condition} ${}", params.len()));
        }
    }
    if let [first, after_comma] = needles.as_slice() {
        params.push(Param::Text(first));
        params.push(Param::Text(after_comma));
        conditions.push_str(&format!(
            " AND ({position}(object_ids, ${}) > 0 OR {position}(object_ids, ${}) > 0)",
            params.len() - 1,
            params.len()
        ));
    }
    let total = db::query_int(
        tx,
        &format!("SELECT COUNT(*) FROM audit_log{conditions}"),
        &params,
    )?;
    let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    params.push(Param::Int(limit));
    params.push(Param::Int(offset));
    let sql = format!(
        "{COLUMNS}{conditions} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
        params.len() - 1,
        params.len()
    );
    Ok(AuditPage {
        entries: db::query(tx, &sql, &params, read_entry)?,
        total: u64::try_from(total).unwrap_or(0),
    })
}
