//! Every write through the hub appends one audit entry naming the partner, in the transaction of
//! the write: TAXII POST (one entry per envelope) and DELETE here; the partner API's in `api`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use store::{AuditFilter, ObjectQuery, Store, Tlp, VersionMatch};

use crate::common::{ACCEPT, Hub, agreement, collection, delete, indicator, partner, post};

const C: &str = "5e6f7081-92a3-4b4c-8d5e-6f708192a3b4";

/// (actor, action, object ids)
pub type Trail = (String, String, Vec<String>);

pub fn owned((actor, action, ids): (&str, &str, Vec<&str>)) -> Trail {
    (
        actor.to_owned(),
        action.to_owned(),
        ids.into_iter().map(str::to_owned).collect(),
    )
}

/// Every audit entry of the database at `url`, after checking the chain is intact.
pub fn trail(url: &str) -> Vec<Trail> {
    let mut store = Store::open(url).expect("open");
    let verified = app::audit::verify(&mut store).expect("verify");
    assert_eq!(verified.broken, None, "the audit chain is intact");
    store
        .audit_list(&AuditFilter {
            after: Some(0),
            limit: 1000,
            ..AuditFilter::default()
        })
        .expect("audit list")
        .into_iter()
        .map(|e| (e.actor, e.action, e.object_ids))
        .collect()
}

#[test]
fn taxii_post_and_delete_are_audited_as_the_partner() {
    for db in test_support::backends("hub audit") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        let writer = partner(&mut store, "writer");
        let outsider = partner(&mut store, "outsider");
        agreement(&mut store, "w", "writer", Tlp::Amber, &[(C, true, true)]);
        drop(store);
        let hub = Hub::start(&db.url);
        let objects = hub.url(&format!("/taxii2/hub/collections/{C}/objects/"));

        let mut invalid = indicator(9, "2026-02-01T00:00:00.000Z", None);
        invalid.as_object_mut().expect("object").remove("pattern");
        let valid = [
            indicator(1, "2026-02-01T00:00:00.000Z", Some(Tlp::Green)),
            indicator(2, "2026-02-01T00:00:00.000Z", None),
        ];
        let envelope = json!({ "objects": [valid[0], invalid, valid[1]] }).to_string();
        let posted = post(&objects, &writer, ACCEPT, &envelope);
        assert_eq!(posted.status, 202, "[{}] {:?}", db.name, posted.body);
        // A refused request writes nothing and is not audited.
        assert_eq!(post(&objects, &outsider, ACCEPT, &envelope).status, 403);

        let ids: Vec<&str> = valid.iter().filter_map(|o| o["id"].as_str()).collect();
        assert_eq!(
            trail(&db.url),
            [owned(("partner:writer", "taxii.add_objects", ids.clone()))],
            "[{}] one entry for the envelope, its valid objects",
            db.name
        );
        // The digest covers the objects as stored, one a line.
        let mut store = Store::open(&db.url).expect("open");
        let stored = store
            .objects(&ObjectQuery {
                collection_id: C.to_owned(),
                versions: VersionMatch::All,
                limit: 10,
                ..ObjectQuery::default()
            })
            .expect("objects");
        let lines: Vec<&str> = stored.iter().map(|o| o.json.as_str()).collect();
        let entry = store.audit_head().expect("head").expect("an entry");
        assert_eq!(
            entry.digest,
            hex::encode(Sha256::digest(lines.join("\n").as_bytes()))
        );

        let deleted = delete(&format!("{objects}{}/", ids[1]), &writer);
        assert_eq!(deleted.status, 200, "[{}] {:?}", db.name, deleted.body);
        let entry = store.audit_head().expect("head").expect("an entry");
        assert_eq!(
            (entry.seq, entry.actor.as_str(), entry.action.as_str()),
            (2, "partner:writer", "taxii.delete_object"),
            "[{}]",
            db.name
        );
        assert_eq!(entry.object_ids, [ids[1]]);
        let gone: Value = serde_json::from_str(lines[1]).expect("stored JSON");
        assert_eq!(gone["id"], ids[1]);
        assert_eq!(
            entry.digest,
            hex::encode(Sha256::digest(lines[1].as_bytes()))
        );
    }
}
