//! TLP:RED over `GET /api/v1/collections/{id}/objects` on SQLite and PostgreSQL: a RED object
//! reaches only the users it names, whatever their role (administrators included); every
//! other reader finds it absent, not refused.

use std::collections::BTreeSet;

use app::Role;
use store::{Store, Tlp};

use crate::common::{agreement, call, collection, indicator};
use crate::rest::World;

const COLLECTION: &str = "c0ffee00-0000-4000-8000-0000000000aa";

/// Stores indicator `n` labelled `tlp`, addressed to `recipients`.
fn store(store: &mut Store, n: u32, tlp: Tlp, recipients: &[&str]) {
    let object = indicator(n, "2026-01-01T00:00:00.000Z", Some(tlp));
    let checked = app::sharing::Checked::new(&stix::Validator::new(), &object).expect("valid");
    let recipients: Vec<String> = recipients.iter().map(|r| (*r).to_owned()).collect();
    app::sharing::store_batch(
        store,
        &app::Actor::Local("test".to_owned()),
        COLLECTION,
        &mut [checked],
        &recipients,
        None,
        None,
    )
    .expect("stored");
}

/// The indicator numbers `role` reads from the collection, following every page of 2.
fn seen(world: &World, role: Role) -> BTreeSet<u32> {
    let mut seen = BTreeSet::new();
    let mut path = format!("/api/v1/collections/{COLLECTION}/objects?limit=2");
    loop {
        let page = world.get(role, &path);
        assert_eq!(page.status, 200, "{role}: {:?}", page.body);
        for object in page.body["items"].as_array().expect("items") {
            let id = object["id"].as_str().expect("id");
            seen.insert(id.rsplit('-').next().expect("n").parse().expect("a number"));
        }
        match page.body["next"].as_str() {
            Some(next) => {
                path = format!("/api/v1/collections/{COLLECTION}/objects?limit=2&cursor={next}");
            }
            None => return seen,
        }
    }
}

#[test]
fn red_reaches_only_its_named_users() {
    for db in test_support::backends("hub rest red") {
        let world = World::new(&db);
        let mut s = Store::open(&db.url).expect("store");
        collection(&mut s, COLLECTION);
        agreement(
            &mut s,
            "ag-red",
            "cert-de",
            Tlp::Red,
            &[(COLLECTION, true, false)],
        );
        store(&mut s, 1, Tlp::Red, &["user:analyst", "user:partner"]);
        store(&mut s, 2, Tlp::Red, &["user:admin"]);
        store(&mut s, 3, Tlp::Green, &[]);
        store(&mut s, 4, Tlp::Red, &["cert-de"]);
        store(&mut s, 5, Tlp::Amber, &[]);
        drop(s);

        let expected = [
            (Role::Analyst, vec![1, 3, 5]),
            (Role::Admin, vec![2, 3, 5]),
            (Role::Coordinator, vec![3, 5]),
            (Role::Partner, vec![1, 3, 5]),
        ];
        for (role, objects) in expected {
            let objects: BTreeSet<u32> = objects.into_iter().collect();
            assert_eq!(seen(&world, role), objects, "[{}] {role}", db.name);
        }
        // The partner user receives objects as its partner does: unmarked ones stamped, and
        // nothing RED that names only the partner.
        let partner_token = format!("Bearer {}", world.partner);
        let url = world
            .hub
            .url(&format!("/api/v1/collections/{COLLECTION}/objects"));
        let by_token = call("GET", &url, &[("Authorization", &partner_token)], "");
        assert_eq!(by_token.status, 403, "[{}] {:?}", db.name, by_token.body);
        assert!(by_token.body.get("items").is_none());
        let missing = world.get(Role::Analyst, "/api/v1/collections/nowhere/objects");
        assert_eq!(missing.status, 404, "[{}] {:?}", db.name, missing.body);
        let bad = world.get(
            Role::Analyst,
            &format!("/api/v1/collections/{COLLECTION}/objects?cursor=eHg"),
        );
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
    }
}

#[test]
fn a_partner_user_without_read_finds_no_collection() {
    for db in test_support::backends("hub rest red unread") {
        let world = World::new(&db);
        let mut s = Store::open(&db.url).expect("store");
        collection(&mut s, COLLECTION);
        store(&mut s, 1, Tlp::Red, &["user:partner"]);
        drop(s);
        let path = format!("/api/v1/collections/{COLLECTION}/objects");
        let hidden = world.get(Role::Partner, &path);
        assert_eq!(hidden.status, 404, "[{}] {:?}", db.name, hidden.body);
        assert!(hidden.body.get("items").is_none());
        assert_eq!(seen(&world, Role::Admin), BTreeSet::new(), "[{}]", db.name);
    }
}

#[test]
fn objects_are_published_to_named_users_by_analysts_only() {
    for db in test_support::backends("hub rest red publish") {
        let world = World::new(&db);
        let mut s = Store::open(&db.url).expect("store");
        collection(&mut s, COLLECTION);
        drop(s);
        let path = format!("/api/v1/collections/{COLLECTION}/objects");
        let url = world.hub.url(&path);
        let body = |n: u32, recipients: &[&str]| {
            serde_json::json!({
                "objects": [indicator(n, "2026-01-01T00:00:00.000Z", Some(Tlp::Red))],
                "recipients": recipients,
            })
            .to_string()
        };
        for (n, role) in Role::ALL.into_iter().enumerate() {
            let bearer = format!("Bearer {}", world.token(role));
            let reply = call(
                "POST",
                &url,
                &[("Authorization", &bearer)],
                &body(10 + n as u32, &["user:coordinator"]),
            );
            let expected = if matches!(role, Role::Admin | Role::Analyst) {
                201
            } else {
                403
            };
            assert_eq!(
                reply.status, expected,
                "[{}] {role}: {:?}",
                db.name, reply.body
            );
        }
        let partner_token = format!("Bearer {}", world.partner);
        let by_token = call(
            "POST",
            &url,
            &[("Authorization", &partner_token)],
            &body(20, &[]),
        );
        assert_eq!(by_token.status, 403, "[{}]", db.name);
        assert_eq!(call("POST", &url, &[], &body(21, &[])).status, 401);

        // Only the named coordinator sees them; the analysts who published them do not.
        assert_eq!(seen(&world, Role::Coordinator), BTreeSet::from([10, 11]));
        assert_eq!(
            seen(&world, Role::Analyst),
            BTreeSet::new(),
            "[{}]",
            db.name
        );
        assert_eq!(seen(&world, Role::Admin), BTreeSet::new(), "[{}]", db.name);

        let bad = serde_json::json!({
            "objects": [indicator(30, "2026-01-01T00:00:00.000Z", None), {"type": "nothing"}],
            "recipients": ["cert-de", "user:nobody", "cert-zz"],
        });
        let refused = world.post(Role::Analyst, &path, &bad.to_string());
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        let pointers: Vec<&str> = refused.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert_eq!(pointers, ["/objects/1", "/recipients/1", "/recipients/2"]);
        assert_eq!(seen(&world, Role::Coordinator).len(), 2, "nothing stored");
        let nowhere = world.post(
            Role::Analyst,
            "/api/v1/collections/nowhere/objects",
            &body(31, &[]),
        );
        assert_eq!(nowhere.status, 404, "[{}] {:?}", db.name, nowhere.body);
    }
}
