//! What has been shared with a partner: the newest version of every object in the collections
//! it may read that the release decision lets through, as a partner user's screens list them.

use exchange::policy::Path;
use model::Tlp;
use serde_json::Value;
use store::{ObjectQuery, Store, VersionMatch};

use super::Release;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Result};

/// One object released to the partner.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedObject {
    pub collection: String,
    pub id: String,
    /// The STIX type (`vulnerability`, `report`, …).
    pub kind: String,
    /// Its `name` (or `title`), when it has one.
    pub name: Option<String>,
    /// Its TLP as the partner receives it (an unmarked object carries the default).
    pub tlp: Tlp,
    pub date_added: String,
}

/// How many stored rows are read per query.
const BATCH: usize = 500;

/// At most `limit` objects released to the actor's partner over TAXII, newest last in each
/// readable collection; [`Error::Forbidden`] for an actor that is not a partner.
pub fn shared_with(store: &mut Store, actor: &Actor, limit: usize) -> Result<Vec<SharedObject>> {
    authorize(actor, Action::ReadReleased)?;
    let partner = actor.partner().ok_or_else(|| {
        Error::Forbidden(format!(
            "{} is not a partner; this is for partner CSIRTs",
            actor.audit_name()
        ))
    })?;
    let release = Release::load(store, partner)?;
    let mut shared = Vec::new();
    for collection in store.collections()? {
        if !release.can_read(&collection.id) {
            continue;
        }
        let mut query = ObjectQuery {
            collection_id: collection.id.clone(),
            versions: VersionMatch::Last,
            limit: BATCH,
            ..ObjectQuery::default()
        };
        loop {
            let rows = store.objects(&query)?;
            for row in rows.iter().filter(|r| release.allows(r, Path::Taxii, None)) {
                if shared.len() == limit {
                    return Ok(shared);
                }
                let object: Option<Value> = serde_json::from_str(&release.text(row)).ok();
                let name = object.as_ref().and_then(|o| {
                    o.get("name")
                        .or_else(|| o.get("title"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                shared.push(SharedObject {
                    collection: row.collection_id.clone(),
                    id: row.object_id.clone(),
                    kind: row.object_type.clone(),
                    name,
                    tlp: row.tlp.unwrap_or(release.default_tlp),
                    date_added: row.date_added.clone(),
                });
            }
            match rows.last() {
                Some(last) if rows.len() == BATCH => query.after_seq = Some(last.seq),
                _ => break,
            }
        }
    }
    Ok(shared)
}
