//! Users reading a collection's STIX objects over the REST API, through the same release
//! decision as every path out ([`exchange::policy::may_release_to_user`]): a partner user sees
//! what its partner's agreements and TLP release to it (as on TAXII), the hub's staff every
//! object below RED, and a RED object reaches only the users its recipients name
//! (`user:NAME`) — administrators included: an administrator who is not named does not see it.
//! What a reader may not see is absent from the page, never refused with its content.

use store::{ObjectQuery, Store, StoredObject};

use super::release::Release;
use super::snapshot::Snapshot;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Result};

/// A page of objects: those the reader may see among the rows read, and where to go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPage {
    /// The objects as the reader receives them, in the order they were added.
    pub objects: Vec<ReleasedObject>,
    /// Pass as `after` for the next page: the last row read, whether the reader saw it or
    /// not; `None` when no row is left.
    pub next: Option<i64>,
}

/// One object as a reader receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedObject {
    /// The STIX object (JSON text).
    pub json: String,
    pub id: String,
    /// Its STIX type (`indicator`, `vulnerability`, …).
    pub kind: String,
    /// The TLP it is released under: its own marking, or the hub's `default_tlp` when unmarked.
    pub tlp: model::Tlp,
}

/// The one decision for users (see the module documentation): `partner` is a partner user's
/// partner's release, `None` for the hub's staff.
fn allowed(
    partner: Option<&Release>,
    user: &str,
    row: &StoredObject,
    default_tlp: model::Tlp,
) -> bool {
    exchange::policy::may_release_to_user(
        partner.map(|r| &r.reader),
        user,
        &row.collection_id,
        &super::release::label(row),
        default_tlp,
    )
}

/// The newest version of each object of `collection` added after the row `after`, reading at
/// most `limit` rows, as the user `actor` may see them (see the module documentation). Only
/// users read here (a partner's API token reads on TAXII); a collection that does not exist,
/// or that a partner user's partner may not read, is not found.
pub fn read_objects(
    store: &mut Store,
    actor: &Actor,
    collection: &str,
    after: Option<i64>,
    limit: usize,
) -> Result<ObjectPage> {
    authorize(actor, Action::ReadReleased)?;
    let (name, partner) = match actor {
        Actor::User { name, partner, .. } => (name.as_str(), partner.as_deref()),
        // The command line reads as the hub's staff whom no recipient list names: a RED object
        // stays hidden from it as from an administrator who is not named.
        Actor::Local(_) => ("", None),
        Actor::Partner(_) => {
            return Err(Error::Forbidden(
                "objects are read here by users; a partner's API token reads them over TAXII"
                    .into(),
            ));
        }
    };
    if limit == 0 {
        return Err(Error::invalid("/limit", "must be at least 1"));
    }
    let snapshot = Snapshot::load(store)?;
    let release = partner.map(|p| snapshot.release(p));
    let known = snapshot.collections.iter().any(|c| c.id == collection);
    if !known || release.as_ref().is_some_and(|r| !r.can_read(collection)) {
        return Err(Error::NotFound {
            what: "collection",
            id: collection.to_owned(),
        });
    }
    let rows = store.objects(&ObjectQuery {
        collection_id: collection.to_owned(),
        after_seq: after,
        limit,
        ..ObjectQuery::default()
    })?;
    let next = (rows.len() == limit)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let objects = rows
        .iter()
        .filter(|row| allowed(release.as_ref(), name, row, snapshot.default_tlp))
        .map(|row| ReleasedObject {
            json: match &release {
                Some(release) => release.text(row).into_owned(),
                None => row.json.clone(),
            },
            id: row.object_id.clone(),
            kind: row.object_type.clone(),
            tlp: row.tlp.unwrap_or(snapshot.default_tlp),
        })
        .collect();
    Ok(ObjectPage { objects, next })
}

/// Publishes STIX objects into `collection`, addressed to `recipients`: partner ids and users
/// (`user:NAME`; the only way a RED object reaches anyone). Every object is validated and
/// every recipient must exist, each problem located (`/objects/3`, `/recipients/0`); nothing
/// is stored on any problem. Audited as the TAXII adds are (`taxii.add_objects`).
pub fn publish(
    store: &mut Store,
    actor: &Actor,
    collection: &str,
    objects: &[serde_json::Value],
    recipients: &[String],
) -> Result<store::AddOutcome> {
    authorize(actor, Action::ManageAlerts)?;
    if store.collection(collection)?.is_none() {
        return Err(Error::NotFound {
            what: "collection",
            id: collection.to_owned(),
        });
    }
    let mut problems = Vec::new();
    if objects.is_empty() {
        problems.push(crate::Problem {
            pointer: "/objects".to_owned(),
            message: "give at least one object".to_owned(),
        });
    }
    let validator = stix::Validator::new();
    let mut batch = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        match super::Checked::new(&validator, object) {
            Ok(checked) => batch.push(checked),
            Err(message) => problems.push(crate::Problem {
                pointer: format!("/objects/{i}"),
                message,
            }),
        }
    }
    for (i, recipient) in recipients.iter().enumerate() {
        let known = match recipient.strip_prefix("user:") {
            Some(name) => store.user(name)?.is_some_and(|u| u.name == name),
            None => store.partner(recipient)?.is_some(),
        };
        if !known {
            problems.push(crate::Problem {
                pointer: format!("/recipients/{i}"),
                message: format!(
                    "{recipient:?} is neither a partner id nor user:NAME of a user (names are \
                     lower case)"
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(super::store_batch(
        store, actor, collection, &mut batch, recipients, None, None,
    )?)
}
