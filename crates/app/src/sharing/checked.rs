//! A STIX 2.1 object that passed validation, ready to store: what every way in (TAXII POST,
//! federation pulls, bundle imports, the hub's own alerts and demo) keeps of it.
//!
//! Its TLP label is decided here, once, failing closed (`stix::tlp::label`): a marking the hub
//! cannot read is RED. Marking definitions that are not the nine well-known TLP ones are read
//! from the same batch or from the collection they are stored in ([`label_batch`]).

use model::Tlp;
use serde_json::Value;
use store::{AddOutcome, NewStixObject, ObjectQuery, Store, VersionMatch};

use crate::{Actor, audit};

pub struct Checked {
    /// Identity and version; the id is in lower case, as STIX compares identifiers.
    pub meta: stix::ObjectMeta,
    pub tlp: Option<Tlp>,
    /// Marking ids the label could not read yet (each counted as RED meanwhile).
    unknown_markings: Vec<String>,
    /// The object as compact JSON.
    pub json: String,
}

impl Checked {
    /// Validates `object`; the error names the object's id (or says it has none) and why.
    pub fn new(validator: &stix::Validator, object: &Value) -> Result<Checked, String> {
        match validator.validate(object) {
            Ok(mut meta) => {
                meta.id.make_ascii_lowercase();
                let label = stix::tlp::label(object, &stix::tlp::Definitions::new());
                Ok(Checked {
                    tlp: label.tlp,
                    unknown_markings: label.unknown,
                    json: object.to_string(),
                    meta,
                })
            }
            Err(invalid) => {
                let id = object
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("(no id)");
                Err(format!("{id}: not valid STIX 2.1: {invalid}"))
            }
        }
    }

    /// The row to store: addressed to `recipients` (empty: every reader the TLP allows),
    /// submitted by a partner or not, with its provenance.
    pub fn row<'a>(
        &'a self,
        recipients: &'a [String],
        submitter: Option<&'a str>,
        source: Option<&'a str>,
    ) -> NewStixObject<'a> {
        NewStixObject {
            object_id: &self.meta.id,
            object_type: &self.meta.object_type,
            spec_version: &self.meta.spec_version,
            version: &self.meta.version,
            tlp: self.tlp,
            recipients,
            submitter,
            source,
            json: &self.json,
        }
    }
}

/// Labels again the objects of a batch bound for `collection` that reference marking
/// definitions other than the well-known TLP ones, reading those definitions from the batch
/// itself, then from the collection. Definitions found nowhere stay RED. Costs nothing when
/// every marking is a well-known TLP id.
fn label_batch(store: &mut Store, collection: &str, batch: &mut [Checked]) -> store::Result<()> {
    if batch.iter().all(|c| c.unknown_markings.is_empty()) {
        return Ok(());
    }
    let parse = |c: &Checked| serde_json::from_str::<Value>(&c.json).ok();
    let mut definitions = stix::tlp::Definitions::new();
    for object in batch
        .iter()
        .filter(|c| c.meta.object_type == "marking-definition")
        .filter_map(parse)
    {
        definitions.add(&object);
    }
    let mut missing: Vec<String> = batch
        .iter()
        .flat_map(|c| c.unknown_markings.iter())
        .filter(|id| !definitions.knows(id))
        .cloned()
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        let stored = store.objects(&ObjectQuery {
            collection_id: collection.to_owned(),
            ids: missing.clone(),
            types: vec!["marking-definition".to_owned()],
            versions: VersionMatch::Last,
            limit: missing.len(),
            ..ObjectQuery::default()
        })?;
        for row in stored {
            if let Ok(object) = serde_json::from_str::<Value>(&row.json) {
                definitions.add(&object);
            }
        }
    }
    for checked in batch.iter_mut().filter(|c| !c.unknown_markings.is_empty()) {
        if let Some(object) = parse(checked) {
            let label = stix::tlp::label(&object, &definitions);
            checked.tlp = label.tlp;
            checked.unknown_markings = label.unknown;
        }
    }
    Ok(())
}

/// Labels a batch ([`label_batch`]) and stores it in `collection` in one transaction:
/// addressed to `recipients`, submitted by a partner or not, with its provenance. The same
/// transaction appends one audit entry: `actor` did `taxii.add_objects` to the batch's object
/// ids, digest over their JSON as stored (one object a line), duplicates included.
pub fn store_batch(
    store: &mut Store,
    actor: &Actor,
    collection: &str,
    batch: &mut [Checked],
    recipients: &[String],
    submitter: Option<&str>,
    source: Option<&str>,
) -> store::Result<AddOutcome> {
    if batch.is_empty() {
        return Ok(AddOutcome::default());
    }
    store.atomically(|store| {
        label_batch(store, collection, batch)?;
        let rows: Vec<NewStixObject<'_>> = batch
            .iter()
            .map(|c| c.row(recipients, submitter, source))
            .collect();
        let outcome = store.add_objects(collection, &rows)?;
        let ids: Vec<&str> = rows.iter().map(|r| r.object_id).collect();
        let stored: Vec<&str> = rows.iter().map(|r| r.json).collect();
        audit::record(
            store,
            actor,
            "taxii.add_objects",
            &ids,
            stored.join("\n").as_bytes(),
        )?;
        Ok(outcome)
    })
}
