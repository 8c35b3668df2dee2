//! The hash-chained audit log: who wrote what, when, one entry per write, appended in the
//! transaction of the write it records (wrap both in [`Store::atomically`]).
//!
//! Each entry's hash is the SHA-256 of a canonical encoding ([`chain_hash`]) of its `seq`,
//! `at`, `actor`, `action`, `object_ids`, `digest` and the previous entry's hash, so that
//! [`verify`] can tell an edited, deleted, inserted or reordered row and name the first one.
//! The hash has no key: someone who can write the database and knows the encoding can rewrite
//! the tail of the log and seal it again, or drop its newest rows. Recording the head that
//! [`verify`] reports somewhere else catches that too.

use std::collections::VecDeque;
use std::fmt;

use sha2::{Digest, Sha256};
pub use store::{AuditEntry, AuditFilter, AuditPage, AuditQuery};
use store::{GENESIS_HASH, NewAuditEntry, Store};

use crate::authz::{Action, authorize};
use crate::{Actor, Error, Result};

/// Appends one entry: `actor` did `action` to `object_ids`; `change` is what was written (its
/// SHA-256 is the entry's digest). Inside [`Store::atomically`] the entry is kept or undone
/// with the write; call it last in the transaction (on PostgreSQL it holds the log's lock until
/// the commit). Fails only when the store does, so it composes with store operations.
pub fn record(
    store: &mut Store,
    actor: &Actor,
    action: &str,
    object_ids: &[&str],
    change: &[u8],
) -> store::Result<AuditEntry> {
    let at = crate::now();
    let actor = actor.audit_name();
    let digest = hex::encode(Sha256::digest(change));
    let entry = NewAuditEntry {
        at: &at,
        actor: &actor,
        action,
        object_ids,
        digest: &digest,
    };
    store.audit_append(&entry, &|seq, prev_hash| chain_hash(seq, prev_hash, &entry))
}

/// Runs the write `f` and appends its entry in one transaction: `describe` gives, from `f`'s
/// result, the ids of the objects written and the change (a text whose SHA-256 is the digest;
/// never a secret).
pub fn audited<T>(
    store: &mut Store,
    actor: &Actor,
    action: &str,
    f: impl FnOnce(&mut Store) -> Result<T>,
    describe: impl FnOnce(&T) -> (Vec<String>, String),
) -> Result<T> {
    store.atomically(|store| {
        let out = f(store)?;
        let (ids, change) = describe(&out);
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        record(store, actor, action, &ids, change.as_bytes())?;
        Ok(out)
    })
}

/// Entries matching `filter`, in `seq` order; a `limit` of 0 is refused.
pub fn list(store: &mut Store, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    if filter.limit == 0 {
        return Err(Error::invalid("/limit", "must be at least 1"));
    }
    Ok(store.audit_list(filter)?)
}

/// A page of the entries matching `query` for a reader of the log (`ReadAudit`), newest first,
/// and how many match in all; a `limit` of 0 or above 1000, or a last day before the first, is
/// refused.
pub fn search(store: &mut Store, actor: &Actor, query: &AuditQuery) -> Result<AuditPage> {
    authorize(actor, Action::ReadAudit)?;
    if !(1..=1000).contains(&query.limit) {
        return Err(Error::invalid("/limit", "must be 1 to 1000"));
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        return Err(Error::invalid(
            "/to",
            format!("{to} is before the first day, {from}"),
        ));
    }
    Ok(store.audit_page(query)?)
}

/// The hash of an entry with `seq` after `prev_hash`: SHA-256 (hex) over a domain tag, `seq` as
/// 8 bytes big-endian, then each text field as its length (8 bytes big-endian) and its UTF-8
/// bytes, the object ids preceded by their count. Every field is length-prefixed, so no two
/// different entries encode alike.
fn chain_hash(seq: i64, prev_hash: &str, entry: &NewAuditEntry<'_>) -> String {
    fn field(hasher: &mut Sha256, text: &str) {
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    let mut hasher = Sha256::new();
    hasher.update(b"meridian audit v1\0");
    hasher.update(seq.to_be_bytes());
    for text in [entry.at, entry.actor, entry.action] {
        field(&mut hasher, text);
    }
    hasher.update((entry.object_ids.len() as u64).to_be_bytes());
    for id in entry.object_ids {
        field(&mut hasher, id);
    }
    field(&mut hasher, entry.digest);
    field(&mut hasher, prev_hash);
    hex::encode(hasher.finalize())
}

/// The hash `entry` should have at `seq` given its stored content.
fn hash_at(entry: &AuditEntry, seq: i64) -> String {
    let ids: Vec<&str> = entry.object_ids.iter().map(String::as_str).collect();
    let content = NewAuditEntry {
        at: &entry.at,
        actor: &entry.actor,
        action: &entry.action,
        object_ids: &ids,
        digest: &entry.digest,
    };
    chain_hash(seq, &entry.prev_hash, &content)
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Entries that verified: all of them when the chain is intact, else those read before the
    /// first row out of place (rows inserted ahead of it may be among them: see [`Break::seq`]).
    pub entries: u64,
    /// The hash of the last entry that verified (`None` when there is none): record it
    /// elsewhere to detect later rewrites of the tail.
    pub head: Option<String>,
    /// The first place the chain is broken, if any.
    pub broken: Option<Break>,
}

/// The first place the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// The first affected `seq`: the edited, inserted or moved row, or the first missing one.
    pub seq: i64,
    pub tamper: Tamper,
    /// What is wrong, naming the rows.
    pub detail: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {} ({}): {}", self.seq, self.tamper, self.detail)
    }
}

/// How a row was tampered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Its content is not what was sealed (or it was sealed again and no longer links).
    Edited,
    /// Rows are missing: a gap in `seq`, or the row an entry was written after is gone.
    Deleted,
    /// A row that was not in the log when the rows after it were written.
    Inserted,
    /// An intact row at another `seq` than the one it was written with.
    Reordered,
}

impl Tamper {
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::Edited => "edited",
            Tamper::Deleted => "deleted",
            Tamper::Inserted => "inserted",
            Tamper::Reordered => "reordered",
        }
    }
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rows read from the store a page at a time, in `seq` order.
struct Rows<'s> {
    store: &'s mut Store,
    size: u64,
    page: VecDeque<AuditEntry>,
    after: i64,
    done: bool,
}

/// Rows per page read by [`verify`].
const PAGE: u64 = 1000;

impl Rows<'_> {
    fn fill(&mut self) -> Result<()> {
        if self.page.is_empty() && !self.done {
            let page = self.store.audit_list(&AuditFilter {
                after: Some(self.after),
                limit: self.size,
                ..AuditFilter::default()
            })?;
            self.done = (page.len() as u64) < self.size;
            if let Some(last) = page.last() {
                self.after = last.seq;
            }
            self.page = page.into();
        }
        Ok(())
    }

    fn next(&mut self) -> Result<Option<AuditEntry>> {
        self.fill()?;
        Ok(self.page.pop_front())
    }

    fn peek(&mut self) -> Result<Option<&AuditEntry>> {
        self.fill()?;
        Ok(self.page.front())
    }
}

/// Recomputes the chain from the first entry, reading a page at a time, and stops at the first
/// row that is out of place: its hash does not match its content, its `seq` is not the
/// previous one plus one, or its `prev_hash` is not the previous row's hash. That row is then
/// classified (see [`Tamper`]) and the first affected `seq` named.
///
/// Not detectable without a head recorded elsewhere: the newest rows deleted, or rows appended
/// (or the tail rewritten) by someone who seals them with this encoding.
pub fn verify(store: &mut Store) -> Result<Verification> {
    verify_paged(store, PAGE)
}

/// [`verify`] reading `size` rows per page.
fn verify_paged(store: &mut Store, size: u64) -> Result<Verification> {
    let mut rows = Rows {
        store,
        size,
        page: VecDeque::new(),
        after: i64::MIN,
        done: false,
    };
    let mut verified = Verification {
        entries: 0,
        head: None,
        broken: None,
    };
    while let Some(row) = rows.next()? {
        let expected_seq = verified.entries as i64 + 1;
        let expected_prev = verified.head.as_deref().unwrap_or(GENESIS_HASH);
        let sealed = hash_at(&row, row.seq) == row.hash;
        if sealed && row.seq == expected_seq && row.prev_hash == expected_prev {
            verified.entries += 1;
            verified.head = Some(row.hash);
            continue;
        }
        let next = rows.peek()?.cloned();
        let at = Place {
            expected_seq,
            expected_prev,
            next: next.as_ref(),
        };
        verified.broken = Some(classify(rows.store, &row, sealed, &at)?);
        break;
    }
    Ok(verified)
}

/// Where the first out-of-place row was found.
struct Place<'a> {
    /// The `seq` and `prev_hash` it should have.
    expected_seq: i64,
    expected_prev: &'a str,
    /// The row after it, if any.
    next: Option<&'a AuditEntry>,
}

/// Names what happened to `row`, the first row out of place (`sealed`: its hash matches its
/// content at its `seq`).
fn classify(store: &mut Store, row: &AuditEntry, sealed: bool, at: &Place<'_>) -> Result<Break> {
    let expected = at.expected_seq;
    let written_as = if sealed {
        Some(row.seq)
    } else {
        written_seq(store, row)?
    };
    // What the row should follow, in words.
    let before = if expected == 1 {
        "the start of the log".to_owned()
    } else {
        format!("seq {}", expected - 1)
    };
    let Some(written_as) = written_as else {
        // Its content is not what any append sealed.
        let linked = row.prev_hash == at.expected_prev;
        let skipped = at.next.is_some_and(|n| n.prev_hash == at.expected_prev);
        return Ok(if skipped || (!linked && at.next.is_none()) {
            Break {
                seq: row.seq,
                tamper: Tamper::Inserted,
                detail: if skipped {
                    format!(
                        "it is not part of the chain: its hash matches its content at no seq, \
                         and the row after it was written right after {before}"
                    )
                } else {
                    format!(
                        "it is not part of the chain: its hash matches its content at no seq, \
                         and it does not follow {before}"
                    )
                },
            }
        } else {
            Break {
                seq: row.seq,
                tamper: Tamper::Edited,
                detail: "its hash does not match its content".to_owned(),
            }
        });
    };
    // Its content is intact, written as seq `written_as`: where is the row it was written after?
    let predecessor = if row.prev_hash == GENESIS_HASH {
        Some(0)
    } else {
        store.audit_by_hash(&row.prev_hash)?.map(|p| p.seq)
    };
    let gap = || Break {
        seq: expected,
        tamper: Tamper::Deleted,
        detail: format!(
            "{} {} missing: seq {} follows {before}",
            span(expected, row.seq - 1),
            if row.seq - 1 == expected { "is" } else { "are" },
            row.seq,
        ),
    };
    Ok(match predecessor {
        None if row.seq > expected => gap(),
        None if written_as != row.seq => Break {
            seq: expected,
            tamper: Tamper::Deleted,
            detail: format!(
                "the row seq {written_as} was written after is gone and the rows after it were \
                 renumbered (now seq {})",
                row.seq
            ),
        },
        None if expected == 1 => Break {
            seq: row.seq,
            tamper: Tamper::Edited,
            detail: "the first row names a row before it: it was rewritten and sealed again"
                .to_owned(),
        },
        None => Break {
            seq: expected - 1,
            tamper: Tamper::Edited,
            detail: format!(
                "seq {} was written after another row than this one: it was rewritten and sealed \
                 again",
                row.seq
            ),
        },
        Some(p) if p < expected - 1 => Break {
            seq: p + 1,
            tamper: Tamper::Inserted,
            detail: format!(
                "{} {} not in the log when the row now at seq {} was written (right after seq \
                 {p})",
                span(p + 1, expected - 1),
                if p + 1 == expected - 1 { "was" } else { "were" },
                row.seq
            ),
        },
        Some(p) if written_as != row.seq => Break {
            seq: row.seq,
            tamper: Tamper::Reordered,
            detail: format!(
                "the row at seq {} was written as seq {written_as}, right after the row now at \
                 seq {p}",
                row.seq
            ),
        },
        Some(_) if row.seq > expected => gap(),
        Some(p) => Break {
            seq: row.seq,
            tamper: Tamper::Edited,
            detail: format!(
                "it names the row at seq {p} as the one before it, not {before}: it was \
                 rewritten and sealed again"
            ),
        },
    })
}

/// `seq A` or `seq A to B`.
fn span(from: i64, to: i64) -> String {
    if from == to {
        format!("seq {from}")
    } else {
        format!("seq {from} to {to}")
    }
}

/// The `seq` at which `row`'s content hashes to its stored hash, if any: it was written there
/// and moved since. Tries every `seq` up to twice the newest one, so only the first broken row
/// costs that.
fn written_seq(store: &mut Store, row: &AuditEntry) -> Result<Option<i64>> {
    let newest = store.audit_head()?.map_or(0, |h| h.seq).max(row.seq);
    Ok((1..=newest.saturating_mul(2))
        .filter(|&seq| seq != row.seq)
        .find(|&seq| hash_at(row, seq) == row.hash))
}

#[cfg(test)]
mod tests;
