//! The release decision: may this object leave the hub towards this reader on this path?
//!
//! This implements the "TLP rules" of `docs/exchange-design.md`:
//!
//! - the reader must have read right on the collection through an agreement (else nothing);
//! - its *ceiling* is the highest `highest_tlp` among the agreements granting that read;
//! - an unmarked object takes the installation's `default_tlp`;
//! - CLEAR: any reader with read; GREEN: ceiling ≥ GREEN;
//! - AMBER: ceiling ≥ AMBER and the reader is a recipient: named in the object's `recipients`
//!   when that list is non-empty, else every party of an agreement granting read on the
//!   collection with `highest_tlp` ≥ AMBER;
//! - AMBER+STRICT: the same with ceiling ≥ AMBER+STRICT, and never on [`Path::Federation`];
//! - RED: never, on any path;
//! - the submitter always receives its own objects on [`Path::Taxii`], RED excepted;
//! - an object whose `source` is the remote hub we forward to never goes back to it.
//!
//! The implicit recipients of an object with an empty `recipients` list are exactly the
//! readers whose ceiling on the collection reaches the label, since a reader's grants *are* the
//! agreements it is party to. So the decision needs only the reader's own grants: no
//! per-collection audience has to be built or cached.
//!
//! The hub's own analysts reading locally are not a path out and are not decided here.
//!
//! Users read too, over the REST API ([`may_release_to_user`]): a partner user as its partner
//! reads on TAXII, the hub's staff everything but RED. A RED object reaches a user only when
//! its `recipients` name that user ([`user_recipient`]: `user:NAME`), and a partner user only
//! when its partner may also read the collection: no role sees RED unnamed, administrators
//! included.

use model::Tlp;

#[cfg(test)]
mod tests;

/// The way an object leaves the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Path {
    /// TAXII 2.1 reads: objects, manifest, versions, object by id.
    Taxii,
    /// A bundle export addressed to one partner.
    Export,
    /// Forwarding: pushed to, or served for, another hub.
    Federation,
}

impl Path {
    pub const ALL: [Path; 3] = [Path::Taxii, Path::Export, Path::Federation];
}

/// One (agreement, collection) right of a partner: one per collection granted by each agreement
/// the partner is party to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub collection_id: String,
    pub read: bool,
    pub write: bool,
    /// The agreement's highest TLP.
    pub highest_tlp: Tlp,
}

/// A partner asking for objects, with every grant of every agreement it is party to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    pub partner_id: String,
    pub grants: Vec<Grant>,
}

impl Reader {
    /// Whether some agreement grants the partner read on `collection`.
    pub fn can_read(&self, collection: &str) -> bool {
        self.ceiling(collection).is_some()
    }

    /// Whether some agreement grants the partner write on `collection`.
    pub fn can_write(&self, collection: &str) -> bool {
        self.grants
            .iter()
            .any(|grant| grant.collection_id == collection && grant.write)
    }

    /// The highest `highest_tlp` among the agreements granting read on `collection`; `None`
    /// without read.
    pub fn ceiling(&self, collection: &str) -> Option<Tlp> {
        self.grants
            .iter()
            .filter(|grant| grant.collection_id == collection && grant.read)
            .map(|grant| grant.highest_tlp)
            .max()
    }
}

/// What the decision needs to know about one stored object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectLabel<'a> {
    /// The most restrictive TLP marking; `None` when unmarked.
    pub tlp: Option<Tlp>,
    /// Partner ids the object is addressed to; empty: the collection's implicit recipients.
    pub recipients: &'a [String],
    /// The partner that submitted the object.
    pub submitter: Option<&'a str>,
    /// The remote hub the object came from (provenance).
    pub source: Option<&'a str>,
}

/// Whether `object`, stored in `collection`, may be released to `reader` on `path`.
///
/// `default_tlp` is the label of unmarked objects. `forwarding_to_remote` is the name of the
/// remote hub the object would go to (as recorded in objects' `source`), when it goes to one.
pub fn may_release(
    reader: &Reader,
    collection: &str,
    object: &ObjectLabel<'_>,
    default_tlp: Tlp,
    path: Path,
    forwarding_to_remote: Option<&str>,
) -> bool {
    let Some(ceiling) = reader.ceiling(collection) else {
        return false;
    };
    if forwarding_to_remote.is_some() && object.source == forwarding_to_remote {
        return false;
    }
    let tlp = object.tlp.unwrap_or(default_tlp);
    if tlp == Tlp::Red {
        return false;
    }
    if path == Path::Taxii && object.submitter == Some(reader.partner_id.as_str()) {
        return true;
    }
    let recipient =
        || object.recipients.is_empty() || object.recipients.contains(&reader.partner_id);
    match tlp {
        Tlp::Clear => true,
        Tlp::Green => ceiling >= Tlp::Green,
        Tlp::Amber => ceiling >= Tlp::Amber && recipient(),
        Tlp::AmberStrict => path != Path::Federation && ceiling >= Tlp::AmberStrict && recipient(),
        Tlp::Red => false,
    }
}

/// How `recipients` names the user `name`: `user:NAME` (partner ids never hold a `:`).
pub fn user_recipient(name: &str) -> String {
    format!("user:{name}")
}

/// Whether `object`, stored in `collection`, may reach the user `user` over the REST API:
/// `partner` is the reader of a partner user's partner, `None` for the hub's staff.
///
/// RED: only when the object's recipients name the user, and a partner user's partner may read
/// the collection. Anything else: a partner user as its partner on [`Path::Taxii`]; staff
/// always.
pub fn may_release_to_user(
    partner: Option<&Reader>,
    user: &str,
    collection: &str,
    object: &ObjectLabel<'_>,
    default_tlp: Tlp,
) -> bool {
    if object.tlp.unwrap_or(default_tlp) == Tlp::Red {
        let named = object.recipients.contains(&user_recipient(user));
        return named && partner.is_none_or(|reader| reader.can_read(collection));
    }
    match partner {
        Some(reader) => may_release(reader, collection, object, default_tlp, Path::Taxii, None),
        None => true,
    }
}

/// A superset of what [`may_release`] can release to one reader from one collection on one
/// path, to narrow the SQL query. Rows passing it must still go through [`may_release`].
///
/// A row qualifies when its label is in `labels`, or it is unmarked and `unmarked` is true, or
/// `own_submissions` is true, the row's submitter is the reader and its label is not RED.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefilter {
    /// The labels that may be released, least restrictive first; never RED.
    pub labels: Vec<Tlp>,
    /// Whether unmarked rows may be released (`default_tlp` is in `labels`).
    pub unmarked: bool,
    /// On TAXII: the reader's own submissions qualify at any label but RED.
    pub own_submissions: bool,
}

/// The [`Prefilter`] for `reader` reading `collection` on `path`. Everything empty and false
/// without read on the collection.
pub fn sql_prefilter(reader: &Reader, collection: &str, default_tlp: Tlp, path: Path) -> Prefilter {
    let Some(ceiling) = reader.ceiling(collection) else {
        return Prefilter {
            labels: Vec::new(),
            unmarked: false,
            own_submissions: false,
        };
    };
    let labels: Vec<Tlp> = Tlp::ALL
        .into_iter()
        .filter(|&tlp| match tlp {
            Tlp::Clear => true,
            Tlp::Green | Tlp::Amber => ceiling >= tlp,
            Tlp::AmberStrict => path != Path::Federation && ceiling >= tlp,
            Tlp::Red => false,
        })
        .collect();
    Prefilter {
        unmarked: labels.contains(&default_tlp),
        labels,
        own_submissions: path == Path::Taxii,
    }
}
