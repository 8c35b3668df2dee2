//! The STIX object store (table `stix_objects`): every version of every object of a collection,
//! one row each, in `seq` order (the TAXII `next` cursor), with `date_added` growing with `seq`
//! inside a collection and the flags `is_latest` / `is_first` per (collection, object id).
//!
//! Writes to one collection run one after the other: SQLite's write transaction is exclusive,
//! PostgreSQL locks the collection's row first, so `seq` order is commit order and a reader
//! paging by `seq` never skips a row committed later. SQLite adds row by row through cached
//! statements, keeping the flags up to date as it goes; PostgreSQL inserts each chunk in one
//! statement (`unnest`, `ON CONFLICT DO NOTHING`) and then recomputes the flags of the object ids
//! that gained a version. The stored JSON text is returned as stored.

use std::collections::HashMap;

use model::Tlp;
use rusqlite::OptionalExtension;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::db::{self, Columns, Param, Tx, in_list};
use crate::partners::{decode_list, encode_list};
use crate::{Result, StoreError};

/// One object version to store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewStixObject<'a> {
    pub object_id: &'a str,
    pub object_type: &'a str,
    pub spec_version: &'a str,
    /// `modified`, else `created`, else the fixed version of objects without either.
    pub version: &'a str,
    /// The most restrictive TLP marking; `None` when unmarked.
    pub tlp: Option<Tlp>,
    pub recipients: &'a [String],
    /// The partner that submitted it.
    pub submitter: Option<&'a str>,
    /// The remote hub it came from (provenance).
    pub source: Option<&'a str>,
    /// The object as received; served back byte for byte.
    pub json: &'a str,
}

/// One stored object version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    pub seq: i64,
    pub collection_id: String,
    pub object_id: String,
    pub object_type: String,
    pub spec_version: String,
    pub version: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub date_added: String,
    pub tlp: Option<Tlp>,
    pub recipients: Vec<String>,
    pub submitter: Option<String>,
    pub source: Option<String>,
    pub json: String,
}

/// TAXII 2.1 `match[version]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum VersionMatch {
    /// The newest version of each object.
    #[default]
    Last,
    /// The oldest version of each object.
    First,
    All,
    /// Exactly these versions (timestamps compare as instants: `…00Z` = `…00.000Z`).
    At(Vec<String>),
    /// The union of the oldest (when `first`), the newest (when `last`) and the versions `at`,
    /// as TAXII's `match[version]=first,last,<timestamp>` asks.
    Union {
        first: bool,
        last: bool,
        at: Vec<String>,
    },
}

impl VersionMatch {
    /// The versions named by timestamp, as stored keys.
    fn keys(&self) -> Vec<String> {
        match self {
            VersionMatch::At(at) | VersionMatch::Union { at, .. } => {
                at.iter().map(|v| version_key(v)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The SQL condition (empty, or starting with ` AND `); `$n` is the parameter that holds
    /// [`VersionMatch::keys`] when the condition uses it.
    fn clause(&self, tx: &Tx<'_, '_>, n: usize) -> String {
        match self {
            VersionMatch::Last => " AND is_latest = 1".to_owned(),
            VersionMatch::First => " AND is_first = 1".to_owned(),
            VersionMatch::All => String::new(),
            VersionMatch::At(_) => format!(" AND version_key {}", in_list(tx, n)),
            VersionMatch::Union { first, last, at } => {
                let mut parts = Vec::new();
                if *first {
                    parts.push("is_first = 1".to_owned());
                }
                if *last {
                    parts.push("is_latest = 1".to_owned());
                }
                if !at.is_empty() {
                    parts.push(format!("version_key {}", in_list(tx, n)));
                }
                if parts.is_empty() {
                    " AND FALSE".to_owned()
                } else {
                    format!(" AND ({})", parts.join(" OR "))
                }
            }
        }
    }

    fn uses_keys(&self) -> bool {
        match self {
            VersionMatch::At(_) => true,
            VersionMatch::Union { at, .. } => !at.is_empty(),
            _ => false,
        }
    }
}

/// A page of objects: rows with `seq > after_seq`, in `seq` order, at most `limit`. Every
/// non-empty list must match (`spec_versions` empty: every stored version has one spec version,
/// so nothing is filtered).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectQuery {
    pub collection_id: String,
    pub after_seq: Option<i64>,
    /// Only rows added strictly after this `date_added`.
    pub added_after: Option<String>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    pub versions: VersionMatch,
    pub spec_versions: Vec<String>,
    pub limit: usize,
}

/// What [`crate::Store::add_objects`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddOutcome {
    pub added: u64,
    /// Versions already stored (or twice in the input): left unchanged.
    pub duplicates: u64,
}

fn corrupt(message: impl ToString) -> StoreError {
    StoreError::corrupt("stix_objects", message.to_string())
}

/// How many rows PostgreSQL inserts per statement.
const PG_CHUNK: usize = 1000;

const DATE_ADDED: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Hands out `date_added` values: now, to the microsecond, but always after the collection's
/// newest, and strictly increasing.
struct Clock {
    next: PrimitiveDateTime,
    last: Option<String>,
}

impl Clock {
    fn after(newest: &str) -> Clock {
        let now = OffsetDateTime::now_utc();
        let micros = now.nanosecond() / 1000 * 1000;
        let now = PrimitiveDateTime::new(now.date(), now.time())
            .replace_nanosecond(micros)
            .expect("whole microseconds are a valid nanosecond");
        let floor = PrimitiveDateTime::parse(newest, DATE_ADDED)
            .ok()
            .map(|t| t.saturating_add(Duration::MICROSECOND));
        Clock {
            next: floor.map_or(now, |f| f.max(now)),
            last: None,
        }
    }

    fn next(&mut self) -> Result<String> {
        let stamp = self.next.format(DATE_ADDED).map_err(corrupt)?;
        self.next = self.next.saturating_add(Duration::MICROSECOND);
        self.last = Some(stamp.clone());
        Ok(stamp)
    }
}

/// The comparable form of a version: an RFC 3339 UTC timestamp gets its fraction padded to 9
/// digits, so text order is time order whatever the precision; anything else stays as is.
pub(crate) fn version_key(version: &str) -> String {
    let Some(body) = version.strip_suffix('Z') else {
        return version.to_owned();
    };
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    if seconds.len() != 19 || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return version.to_owned();
    }
    format!("{seconds}.{fraction:0<9}Z")
}

fn tlp_name(tlp: Option<Tlp>) -> Option<&'static str> {
    tlp.map(Tlp::as_str)
}

fn parse_tlp(name: &str) -> Result<Tlp> {
    Tlp::ALL
        .into_iter()
        .find(|t| t.as_str() == name)
        .ok_or_else(|| corrupt(format!("unknown TLP {name:?}")))
}

pub(crate) fn add(
    tx: &mut Tx<'_, '_>,
    collection: &str,
    objects: &[NewStixObject<'_>],
) -> Result<AddOutcome> {
    match tx {
        Tx::Sqlite(tx) => add_sqlite(tx, collection, objects),
        Tx::Postgres(tx) => add_postgres(tx, collection, objects),
    }
}

fn add_sqlite(
    tx: &rusqlite::Connection,
    collection: &str,
    objects: &[NewStixObject<'_>],
) -> Result<AddOutcome> {
    let newest: Option<String> = tx
        .prepare_cached("SELECT last_added FROM collections WHERE id = ?1")?
        .query_row([collection], |r| r.get(0))
        .optional()?;
    let newest = newest.ok_or_else(|| StoreError::UnknownCollection(collection.to_owned()))?;
    let mut clock = Clock::after(&newest);
    let mut probe = tx.prepare_cached(
        "SELECT MIN(version_key), MAX(version_key), COALESCE(MAX(version_key = ?3), 0) \
         FROM stix_objects WHERE collection_id = ?1 AND object_id = ?2",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO stix_objects (collection_id, object_id, object_type, spec_version, version, \
             version_key, date_added, tlp, recipients, submitter, source, json, is_latest, is_first) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    let mut unflag_latest = tx.prepare_cached(
        "UPDATE stix_objects SET is_latest = 0 \
         WHERE collection_id = ?1 AND object_id = ?2 AND version_key = ?3",
    )?;
    let mut unflag_first = tx.prepare_cached(
        "UPDATE stix_objects SET is_first = 0 \
         WHERE collection_id = ?1 AND object_id = ?2 AND version_key = ?3",
    )?;
    let mut out = AddOutcome::default();
    for o in objects {
        let key = version_key(o.version);
        let (oldest, newest, present): (Option<String>, Option<String>, i64) = probe
            .query_row(rusqlite::params![collection, o.object_id, key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if present != 0 {
            out.duplicates += 1;
            continue;
        }
        let is_latest = newest.as_ref().is_none_or(|n| key > *n);
        let is_first = oldest.as_ref().is_none_or(|n| key < *n);
        if let Some(previous) = newest.filter(|_| is_latest) {
            unflag_latest.execute(rusqlite::params![collection, o.object_id, previous])?;
        }
        if let Some(previous) = oldest.filter(|_| is_first) {
            unflag_first.execute(rusqlite::params![collection, o.object_id, previous])?;
        }
        insert.execute(rusqlite::params![
            collection,
            o.object_id,
            o.object_type,
            o.spec_version,
            o.version,
            key,
            clock.next()?,
            tlp_name(o.tlp),
            encode_list(o.recipients),
            o.submitter,
            o.source,
            o.json,
            i64::from(is_latest),
            i64::from(is_first),
        ])?;
        out.added += 1;
    }
    if let Some(last) = &clock.last {
        tx.prepare_cached(
            "UPDATE collections SET last_added = ?2, revision = revision + 1 WHERE id = ?1",
        )?
        .execute([collection, last])?;
    }
    Ok(out)
}

fn add_postgres(
    tx: &mut postgres::Transaction<'_>,
    collection: &str,
    objects: &[NewStixObject<'_>],
) -> Result<AddOutcome> {
    // Serialises writers of this collection until commit (FOR NO KEY UPDATE does not block
    // foreign-key checks of other tables referencing the collection).
    let newest: String = tx
        .query_opt(
            "SELECT last_added FROM collections WHERE id = $1 FOR NO KEY UPDATE",
            &[&collection],
        )?
        .ok_or_else(|| StoreError::UnknownCollection(collection.to_owned()))?
        .try_get(0)?;
    let mut clock = Clock::after(&newest);
    // The flags are decided before the insert: from the oldest and newest stored version of
    // each object in the batch (one indexed lookup) and the batch's own versions. Only objects
    // that gain a new oldest or newest version need an older row's flag cleared afterwards.
    let ids: Vec<&str> = objects.iter().map(|o| o.object_id).collect();
    let mut range: HashMap<String, (String, String)> = HashMap::new();
    for row in tx.query(
        "SELECT object_id, MIN(version_key), MAX(version_key) FROM stix_objects \
         WHERE collection_id = $1 AND object_id = ANY($2) GROUP BY object_id",
        &[&collection, &ids],
    )? {
        range.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
    }
    let stored = range.clone();
    let keys: Vec<String> = objects.iter().map(|o| version_key(o.version)).collect();
    for (o, key) in objects.iter().zip(&keys) {
        let r = range
            .entry(o.object_id.to_owned())
            .or_insert_with(|| (key.clone(), key.clone()));
        if *key < r.0 {
            r.0.clone_from(key);
        }
        if *key > r.1 {
            r.1.clone_from(key);
        }
    }
    let insert = tx.prepare(
        "INSERT INTO stix_objects (collection_id, object_id, object_type, spec_version, version, \
             version_key, date_added, tlp, recipients, submitter, source, json, is_latest, is_first) \
         SELECT $1::text, u.object_id, u.object_type, u.spec_version, u.version, u.version_key, \
             u.date_added, u.tlp, u.recipients, u.submitter, u.source, u.json, u.is_latest, \
             u.is_first \
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
             $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], \
             $14::int[]) WITH ORDINALITY \
             AS u(object_id, object_type, spec_version, version, version_key, date_added, tlp, \
                  recipients, submitter, source, json, is_latest, is_first, ord) \
         ORDER BY u.ord \
         ON CONFLICT (collection_id, object_id, version_key) DO NOTHING",
    )?;
    let mut added = 0_u64;
    for (chunk, chunk_keys) in objects.chunks(PG_CHUNK).zip(keys.chunks(PG_CHUNK)) {
        let ids: Vec<&str> = chunk.iter().map(|o| o.object_id).collect();
        let types: Vec<&str> = chunk.iter().map(|o| o.object_type).collect();
        let specs: Vec<&str> = chunk.iter().map(|o| o.spec_version).collect();
        let versions: Vec<&str> = chunk.iter().map(|o| o.version).collect();
        let dates = chunk
            .iter()
            .map(|_| clock.next())
            .collect::<Result<Vec<String>>>()?;
        let tlps: Vec<Option<&str>> = chunk.iter().map(|o| tlp_name(o.tlp)).collect();
        let recipients: Vec<String> = chunk.iter().map(|o| encode_list(o.recipients)).collect();
        let submitters: Vec<Option<&str>> = chunk.iter().map(|o| o.submitter).collect();
        let sources: Vec<Option<&str>> = chunk.iter().map(|o| o.source).collect();
        let jsons: Vec<&str> = chunk.iter().map(|o| o.json).collect();
        let flag = |pick: fn(&(String, String)) -> &String| -> Vec<i32> {
            chunk
                .iter()
                .zip(chunk_keys)
                .map(|(o, key)| i32::from(range.get(o.object_id).is_some_and(|r| pick(r) == key)))
                .collect()
        };
        let latest = flag(|r| &r.1);
        let first = flag(|r| &r.0);
        added += tx.execute(
            &insert,
            &[
                &collection,
                &ids,
                &types,
                &specs,
                &versions,
                &chunk_keys,
                &dates,
                &tlps,
                &recipients,
                &submitters,
                &sources,
                &jsons,
                &latest,
                &first,
            ],
        )?;
    }
    if added > 0 {
        // Stored rows that stopped being the newest or the oldest version.
        let mut was_latest: Vec<(&str, &str)> = Vec::new();
        let mut was_first: Vec<(&str, &str)> = Vec::new();
        for (id, (oldest, newest)) in &stored {
            if let Some(now) = range.get(id) {
                if now.1 != *newest {
                    was_latest.push((id, newest));
                }
                if now.0 != *oldest {
                    was_first.push((id, oldest));
                }
            }
        }
        for (column, rows) in [("is_latest", was_latest), ("is_first", was_first)] {
            if rows.is_empty() {
                continue;
            }
            let (ids, keys): (Vec<&str>, Vec<&str>) = rows.into_iter().unzip();
            tx.execute(
                &format!(
                    "UPDATE stix_objects AS s SET {column} = 0 \
                     FROM unnest($2::text[], $3::text[]) AS u(object_id, version_key) \
                     WHERE s.collection_id = $1 AND s.object_id = u.object_id \
                       AND s.version_key = u.version_key"
                ),
                &[&collection, &ids, &keys],
            )?;
        }
        if let Some(last) = &clock.last {
            tx.execute(
                "UPDATE collections SET last_added = $2, revision = revision + 1 WHERE id = $1",
                &[&collection, last],
            )?;
        }
    }
    Ok(AddOutcome {
        added,
        duplicates: objects.len() as u64 - added,
    })
}

const OBJECT_COLUMNS: &str = "SELECT seq, object_id, object_type, spec_version, version, \
    date_added, tlp, recipients, submitter, source, json FROM stix_objects";

fn read_object(r: &dyn Columns, collection: &str) -> Result<StoredObject> {
    Ok(StoredObject {
        seq: r.int(0)?,
        collection_id: collection.to_owned(),
        object_id: r.text(1)?,
        object_type: r.text(2)?,
        spec_version: r.text(3)?,
        version: r.text(4)?,
        date_added: r.text(5)?,
        tlp: r.opt_text(6)?.as_deref().map(parse_tlp).transpose()?,
        recipients: decode_list("stix_objects", &r.text(7)?)?,
        submitter: r.opt_text(8)?,
        source: r.opt_text(9)?,
        json: r.text(10)?,
    })
}

/// The rows of `q`, in `seq` order. The SQL text depends only on which filters are set (lists
/// are one parameter each), so each shape is prepared once per connection.
pub(crate) fn select(tx: &mut Tx<'_, '_>, q: &ObjectQuery) -> Result<Vec<StoredObject>> {
    let keys = q.versions.keys();
    let sqlite = matches!(tx, Tx::Sqlite(_));
    // Without statistics SQLite would walk the collection in seq order and test each row's id;
    // looking the ids up and sorting the few rows found is far cheaper.
    let from = if sqlite && !q.ids.is_empty() {
        " INDEXED BY stix_objects_version"
    } else {
        ""
    };
    let mut params = vec![
        Param::Text(&q.collection_id),
        Param::Int(q.after_seq.unwrap_or(0)),
    ];
    // SQLite numbers `$n` parameters in order of first appearance: push in text order.
    let lower = match &q.added_after {
        None => "$2".to_owned(),
        Some(after) => {
            // date_added grows with seq: start at the first row added after, found by the
            // index, as one lower bound of the seq range.
            params.push(Param::Text(after));
            let greatest = if sqlite { "max" } else { "GREATEST" };
            format!(
                "{greatest}($2, COALESCE((SELECT seq - 1 FROM stix_objects \
                 WHERE collection_id = $1 AND date_added > $3 ORDER BY date_added, seq LIMIT 1), \
                 9223372036854775806)) AND date_added > $3"
            )
        }
    };
    let mut sql = format!("{OBJECT_COLUMNS}{from} WHERE collection_id = $1 AND seq > {lower}");
    if q.versions.uses_keys() {
        params.push(Param::List(&keys));
    }
    sql.push_str(&q.versions.clause(tx, params.len()));
    for (column, list) in [
        ("object_id", &q.ids),
        ("object_type", &q.types),
        ("spec_version", &q.spec_versions),
    ] {
        if !list.is_empty() {
            params.push(Param::List(list));
            sql.push_str(&format!(" AND {column} {}", in_list(tx, params.len())));
        }
    }
    params.push(Param::Int(i64::try_from(q.limit).unwrap_or(i64::MAX)));
    // A bare `LIMIT $n` makes SQLite (built with STAT4) re-plan the statement whenever the
    // value changes, i.e. on almost every call; behind a CAST it stays prepared.
    sql.push_str(&format!(
        " ORDER BY seq LIMIT CAST(${} AS BIGINT)",
        params.len()
    ));
    let capacity = q.limit.min(PAGE_CAPACITY);
    match tx {
        Tx::Sqlite(tx) => read_sqlite(tx, &sql, &params, &q.collection_id, capacity),
        Tx::Postgres(_) => db::query(tx, &sql, &params, |r| read_object(r, &q.collection_id)),
    }
}

/// The most rows [`select`] reserves room for up front.
const PAGE_CAPACITY: usize = 1000;

/// The TAXII read path on SQLite: borrows each text column and copies it once, parsing the TLP
/// and recipients in place.
fn read_sqlite(
    tx: &rusqlite::Connection,
    sql: &str,
    params: &[Param<'_>],
    collection: &str,
    capacity: usize,
) -> Result<Vec<StoredObject>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::with_capacity(capacity);
    while let Some(row) = rows.next()? {
        let text = |i: usize| -> Result<&str> { row.get_ref(i)?.as_str().map_err(corrupt) };
        let opt_text = |i: usize| -> Result<Option<&str>> {
            row.get_ref(i)?.as_str_or_null().map_err(corrupt)
        };
        out.push(StoredObject {
            seq: row.get(0)?,
            collection_id: collection.to_owned(),
            object_id: text(1)?.to_owned(),
            object_type: text(2)?.to_owned(),
            spec_version: text(3)?.to_owned(),
            version: text(4)?.to_owned(),
            date_added: text(5)?.to_owned(),
            tlp: opt_text(6)?.map(parse_tlp).transpose()?,
            recipients: decode_list("stix_objects", text(7)?)?,
            submitter: opt_text(8)?.map(str::to_owned),
            source: opt_text(9)?.map(str::to_owned),
            json: text(10)?.to_owned(),
        });
    }
    Ok(out)
}

/// Every version of one object, in `seq` order.
pub(crate) fn versions(
    tx: &mut Tx<'_, '_>,
    collection: &str,
    object_id: &str,
) -> Result<Vec<StoredObject>> {
    db::query(
        tx,
        &format!("{OBJECT_COLUMNS} WHERE collection_id = $1 AND object_id = $2 ORDER BY seq"),
        &[Param::Text(collection), Param::Text(object_id)],
        |r| read_object(r, collection),
    )
}

/// Deletes the matching versions of one object and recomputes its flags; returns how many.
pub(crate) fn delete(
    tx: &mut Tx<'_, '_>,
    collection: &str,
    object_id: &str,
    versions: &VersionMatch,
) -> Result<u64> {
    if let Tx::Postgres(pg) = tx {
        pg.query_opt(
            "SELECT 1 FROM collections WHERE id = $1 FOR NO KEY UPDATE",
            &[&collection],
        )?;
    }
    let keys = versions.keys();
    let which = versions.clause(tx, 3);
    let mut params = vec![Param::Text(collection), Param::Text(object_id)];
    if versions.uses_keys() {
        params.push(Param::List(&keys));
    }
    let deleted = db::execute(
        tx,
        &format!("DELETE FROM stix_objects WHERE collection_id = $1 AND object_id = $2{which}"),
        &params,
    )?;
    if deleted > 0 {
        db::execute(
            tx,
            "UPDATE collections SET revision = revision + 1 WHERE id = $1",
            &[Param::Text(collection)],
        )?;
        db::execute(
            tx,
            "UPDATE stix_objects SET \
                 is_latest = CASE WHEN version_key = (SELECT MAX(version_key) FROM stix_objects \
                     WHERE collection_id = $1 AND object_id = $2) THEN 1 ELSE 0 END, \
                 is_first = CASE WHEN version_key = (SELECT MIN(version_key) FROM stix_objects \
                     WHERE collection_id = $1 AND object_id = $2) THEN 1 ELSE 0 END \
             WHERE collection_id = $1 AND object_id = $2",
            &[Param::Text(collection), Param::Text(object_id)],
        )?;
    }
    Ok(deleted)
}

/// Stored rows (every version) of a collection.
pub(crate) fn count(tx: &mut Tx<'_, '_>, collection: &str) -> Result<u64> {
    let n = db::query_int(
        tx,
        "SELECT COUNT(*) FROM stix_objects WHERE collection_id = $1",
        &[Param::Text(collection)],
    )?;
    u64::try_from(n).map_err(corrupt)
}
