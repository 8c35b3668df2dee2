//! TAXII 2.1 through a real server on 127.0.0.1, on SQLite and PostgreSQL.

use std::collections::BTreeSet;

use crate::common::{
    self, ACCEPT, Hub, agreement, collection, delete, get, get_with, indicator, partner, post,
};
use serde_json::{Value, json};
use store::{NewStixObject, Store, Tlp};

const C: &str = "9d6b7f0a-1c2e-4e8a-9b3f-1a2b3c4d5e6f";
const OTHER: &str = "1f0e2d3c-4b5a-4978-8877-665544332211";

fn objects_url(hub: &Hub) -> String {
    hub.url(&format!("/taxii2/hub/collections/{C}/objects/"))
}

fn ids(reply: &common::Reply) -> BTreeSet<String> {
    reply.body["objects"]
        .as_array()
        .map(|objects| {
            objects
                .iter()
                .filter_map(|o| o["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn envelope(objects: &[Value]) -> String {
    json!({ "objects": objects }).to_string()
}

#[test]
fn every_endpoint_on_both_backends() {
    for db in test_support::backends("hub_endpoints") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        collection(&mut store, OTHER);
        let writer = partner(&mut store, "writer");
        let outsider = partner(&mut store, "outsider");
        agreement(&mut store, "w", "writer", Tlp::Amber, &[(C, true, true)]);
        drop(store);
        let hub = Hub::start_with(&db.url, |o| o.max_body = 200_000);
        let name = db.name;

        // Authentication and negotiation.
        assert_eq!(get(&hub.url("/taxii2/"), None).status, 401, "{name}");
        let bad = get(
            &hub.url("/taxii2/"),
            Some("mrd_000000000000_nottherealsecretnottherealsecret"),
        );
        assert_eq!(bad.status, 401);
        assert_eq!(bad.body["http_status"], "401");
        assert!(bad.body["title"].is_string());
        let discovery = get(&hub.url("/taxii2/"), Some(&writer));
        assert_eq!(discovery.status, 200, "{name}: {:?}", discovery.body);
        assert_eq!(discovery.header("content-type"), Some(ACCEPT));
        assert!(
            discovery.body["api_roots"][0]
                .as_str()
                .is_some_and(|r| r.ends_with("/taxii2/hub/"))
        );
        assert_eq!(
            get_with(&hub.url("/taxii2/"), Some(&writer), "application/xml").status,
            406
        );
        let root = get(&hub.url("/taxii2/hub/"), Some(&writer));
        assert_eq!(root.body["versions"][0], ACCEPT);
        assert_eq!(root.body["max_content_length"], 200_000);

        // Collections: only those an agreement grants.
        let listed = get(&hub.url("/taxii2/hub/collections/"), Some(&writer));
        let listed: Vec<&str> = listed.body["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(listed, vec![C]);
        let none = get(&hub.url("/taxii2/hub/collections/"), Some(&outsider));
        assert_eq!(none.body["collections"], json!([]));
        assert_eq!(get(&objects_url(&hub), Some(&outsider)).status, 403);
        let missing =
            hub.url("/taxii2/hub/collections/00000000-0000-4000-8000-000000000000/objects/");
        assert_eq!(get(&missing, Some(&writer)).status, 404);

        // POST: three objects, one with two versions, and an invalid one.
        let mut invalid = indicator(9, "2026-02-01T00:00:00.000Z", None);
        invalid.as_object_mut().expect("object").remove("pattern");
        let batch = [
            indicator(1, "2026-02-01T00:00:00.000Z", None),
            indicator(1, "2026-03-01T00:00:00.000Z", None),
            indicator(2, "2026-02-01T00:00:00.000Z", Some(Tlp::Green)),
            indicator(3, "2026-02-01T00:00:00.000Z", Some(Tlp::Clear)),
            invalid,
        ];
        let status = post(&objects_url(&hub), &writer, ACCEPT, &envelope(&batch));
        assert_eq!(status.status, 202, "{name}: {:?}", status.body);
        assert_eq!(status.body["total_count"], 5);
        assert_eq!(status.body["success_count"], 4);
        assert_eq!(status.body["failure_count"], 1);
        assert_eq!(status.body["pending_count"], 0);
        let failure = status.body["failures"][0]["message"]
            .as_str()
            .expect("message");
        assert!(failure.contains("pattern"), "{failure}");
        let status_id = status.body["id"].as_str().expect("status id");
        let again = get(
            &hub.url(&format!("/taxii2/hub/status/{status_id}/")),
            Some(&writer),
        );
        assert_eq!(again.body["success_count"], 4);
        assert_eq!(
            get(
                &hub.url(&format!("/taxii2/hub/status/{status_id}/")),
                Some(&outsider)
            )
            .status,
            404
        );
        // Re-posting is idempotent.
        let repost = post(&objects_url(&hub), &writer, ACCEPT, &envelope(&batch[..4]));
        assert_eq!(repost.body["success_count"], 4);
        let all = get(
            &format!("{}?match[version]=all", objects_url(&hub)),
            Some(&writer),
        );
        assert_eq!(
            all.body["objects"].as_array().map(Vec::len),
            Some(4),
            "{name}"
        );

        // Errors on POST.
        assert_eq!(
            post(
                &objects_url(&hub),
                &writer,
                "application/json",
                &envelope(&batch)
            )
            .status,
            415
        );
        let huge = envelope(&vec![indicator(4, "2026-02-01T00:00:00.000Z", None); 1000]);
        assert_eq!(post(&objects_url(&hub), &writer, ACCEPT, &huge).status, 413);
        assert_eq!(
            post(&objects_url(&hub), &writer, ACCEPT, "{\"nope\": 1}").status,
            422
        );
        assert_eq!(
            post(&objects_url(&hub), &outsider, ACCEPT, &envelope(&batch)).status,
            403
        );

        // Filters.
        let latest = get(&objects_url(&hub), Some(&writer));
        assert_eq!(latest.body["objects"].as_array().map(Vec::len), Some(3));
        assert!(latest.header("x-taxii-date-added-first").is_some());
        assert!(latest.header("x-taxii-date-added-last").is_some());
        let one = &latest.body["objects"].as_array().expect("objects")[0];
        assert_eq!(one["modified"], "2026-03-01T00:00:00.000Z");
        let first = get(
            &format!(
                "{}?match[version]=first&match[id]={}",
                objects_url(&hub),
                batch[0]["id"].as_str().unwrap_or("")
            ),
            Some(&writer),
        );
        assert_eq!(
            first.body["objects"][0]["modified"],
            "2026-02-01T00:00:00.000Z"
        );
        let both = get(
            &format!("{}?match[version]=first,last", objects_url(&hub)),
            Some(&writer),
        );
        assert_eq!(
            both.body["objects"].as_array().map(Vec::len),
            Some(4),
            "{name}: first,last"
        );
        let at = get(
            &format!(
                "{}?match[version]=2026-02-01T00:00:00.000Z",
                objects_url(&hub)
            ),
            Some(&writer),
        );
        assert_eq!(at.body["objects"].as_array().map(Vec::len), Some(3));
        let typed = get(
            &format!("{}?match[type]=malware", objects_url(&hub)),
            Some(&writer),
        );
        assert_eq!(typed.body["objects"], json!([]));
        let spec = get(
            &format!("{}?match[spec_version]=2.1", objects_url(&hub)),
            Some(&writer),
        );
        assert_eq!(spec.body["objects"].as_array().map(Vec::len), Some(3));
        let added_last = latest
            .header("x-taxii-date-added-last")
            .unwrap_or("")
            .to_owned();
        let after = get(
            &format!("{}?added_after={added_last}", objects_url(&hub)),
            Some(&writer),
        );
        assert_eq!(after.body["objects"], json!([]));
        assert_eq!(
            get(&format!("{}?limit=0", objects_url(&hub)), Some(&writer)).status,
            400
        );

        // Pagination: every object exactly once, `more` and `next` consistent.
        let mut seen = Vec::new();
        let mut url = format!("{}?limit=1", objects_url(&hub));
        loop {
            let page = get(&url, Some(&writer));
            assert_eq!(page.status, 200);
            seen.extend(ids(&page));
            if page.body["more"] != json!(true) {
                assert!(page.body.get("next").is_none());
                break;
            }
            let next = page.body["next"].as_str().expect("next");
            url = format!("{}?limit=1&next={next}", objects_url(&hub));
        }
        assert_eq!(seen.len(), 3, "{name}: {seen:?}");
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 3);

        // Manifest, object, versions, delete.
        let manifest = get(
            &hub.url(&format!("/taxii2/hub/collections/{C}/manifest/")),
            Some(&writer),
        );
        assert_eq!(manifest.body["objects"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            manifest.body["objects"][0]["media_type"],
            "application/stix+json;version=2.1"
        );
        let id = batch[0]["id"].as_str().expect("id");
        let object_url = hub.url(&format!("/taxii2/hub/collections/{C}/objects/{id}/"));
        assert_eq!(get(&object_url, Some(&writer)).body["objects"][0]["id"], id);
        let versions = get(&format!("{object_url}versions/"), Some(&writer));
        assert_eq!(
            versions.body["versions"],
            json!(["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"])
        );
        assert_eq!(delete(&object_url, &writer).status, 200);
        assert_eq!(get(&object_url, Some(&writer)).status, 404);
        assert_eq!(
            get(&format!("{object_url}versions/"), Some(&writer)).status,
            404
        );
    }
}

#[test]
fn pages_resume_on_another_server() {
    for db in test_support::backends("hub_resume") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        let reader = partner(&mut store, "reader");
        agreement(&mut store, "r", "reader", Tlp::Green, &[(C, true, false)]);
        let objects: Vec<Value> = (0..25)
            .map(|n| indicator(n, "2026-02-01T00:00:00.000Z", None))
            .collect();
        let texts: Vec<String> = objects.iter().map(Value::to_string).collect();
        let rows: Vec<NewStixObject<'_>> = objects
            .iter()
            .zip(&texts)
            .map(|(o, text)| NewStixObject {
                object_id: o["id"].as_str().unwrap_or(""),
                object_type: "indicator",
                spec_version: "2.1",
                version: "2026-02-01T00:00:00.000Z",
                tlp: None,
                recipients: &[],
                submitter: None,
                source: None,
                json: text,
            })
            .collect();
        store.add_objects(C, &rows).expect("add");
        drop(store);
        let first = Hub::start(&db.url);
        let page = get(&format!("{}?limit=10", objects_url(&first)), Some(&reader));
        let next = page.body["next"].as_str().expect("next").to_owned();
        let mut seen = ids(&page);
        drop(first);
        let second = Hub::start(&db.url);
        let mut url = format!("{}?limit=10&next={next}", objects_url(&second));
        loop {
            let page = get(&url, Some(&reader));
            seen.extend(ids(&page));
            match page.body["next"].as_str() {
                Some(next) => url = format!("{}?limit=10&next={next}", objects_url(&second)),
                None => break,
            }
        }
        assert_eq!(seen.len(), 25, "{}", db.name);
    }
}

/// Who receives what over every TAXII path. The expected table is written out by hand from
/// §4 of the specification, not computed.
#[test]
fn tlp_matrix_over_every_taxii_path() {
    const PARTNERS: [&str; 6] = [
        "outsider",
        "member",
        "amber-member",
        "recipient",
        "green-recipient",
        "submitter",
    ];
    // (object, label, explicit recipients?, expected per partner in PARTNERS order)
    let table: [(u32, Option<Tlp>, bool, [bool; 6]); 8] = [
        (
            1,
            Some(Tlp::Clear),
            true,
            [false, true, true, true, true, true],
        ),
        (
            2,
            Some(Tlp::Green),
            true,
            [false, true, true, true, true, true],
        ),
        (
            3,
            Some(Tlp::Amber),
            true,
            [false, false, false, true, false, true],
        ),
        (
            4,
            Some(Tlp::AmberStrict),
            true,
            [false, false, false, true, false, true],
        ),
        (
            5,
            Some(Tlp::Red),
            true,
            [false, false, false, false, false, false],
        ),
        (6, None, true, [false, true, true, true, true, true]),
        (
            7,
            Some(Tlp::Amber),
            false,
            [false, false, true, true, false, true],
        ),
        (
            8,
            Some(Tlp::AmberStrict),
            false,
            [false, false, false, true, false, true],
        ),
    ];
    // With the installation default at AMBER, the unmarked object 6 behaves as AMBER.
    let unmarked_at_amber = [false, false, false, true, false, true];
    for db in test_support::backends("hub_tlp_matrix") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        let mut tokens = Vec::new();
        for p in PARTNERS {
            tokens.push(partner(&mut store, p));
        }
        agreement(
            &mut store,
            "a-member",
            "member",
            Tlp::Green,
            &[(C, true, false)],
        );
        agreement(
            &mut store,
            "a-amber",
            "amber-member",
            Tlp::Amber,
            &[(C, true, false)],
        );
        agreement(
            &mut store,
            "a-recipient",
            "recipient",
            Tlp::AmberStrict,
            &[(C, true, false)],
        );
        agreement(
            &mut store,
            "a-green-recipient",
            "green-recipient",
            Tlp::Green,
            &[(C, true, false)],
        );
        agreement(
            &mut store,
            "a-submitter",
            "submitter",
            Tlp::Green,
            &[(C, true, true)],
        );
        let named = vec!["recipient".to_owned(), "green-recipient".to_owned()];
        let objects: Vec<Value> = table
            .iter()
            .map(|&(n, tlp, _, _)| indicator(n, "2026-02-01T00:00:00.000Z", tlp))
            .collect();
        let texts: Vec<String> = objects.iter().map(Value::to_string).collect();
        let rows: Vec<NewStixObject<'_>> = table
            .iter()
            .zip(objects.iter().zip(&texts))
            .map(|(&(_, tlp, explicit, _), (o, text))| NewStixObject {
                object_id: o["id"].as_str().unwrap_or(""),
                object_type: "indicator",
                spec_version: "2.1",
                version: "2026-02-01T00:00:00.000Z",
                tlp,
                recipients: if explicit { &named } else { &[] },
                submitter: Some("submitter"),
                source: None,
                json: text,
            })
            .collect();
        store.add_objects(C, &rows).expect("add");
        drop(store);

        let check = |hub: &Hub, expect: &dyn Fn(usize, usize) -> bool| {
            for (p, token) in tokens.iter().enumerate() {
                let who = PARTNERS[p];
                let listed = get(&objects_url(hub), Some(token));
                let manifest = get(
                    &hub.url(&format!("/taxii2/hub/collections/{C}/manifest/")),
                    Some(token),
                );
                if who == "outsider" {
                    assert_eq!(listed.status, 403, "{}: outsider objects", db.name);
                    assert_eq!(manifest.status, 403, "{}: outsider manifest", db.name);
                }
                let listed = ids(&listed);
                let manifest = ids(&manifest);
                for (o, object) in objects.iter().enumerate() {
                    let id = object["id"].as_str().unwrap_or("");
                    let want = expect(o, p);
                    let by_id = get(
                        &hub.url(&format!("/taxii2/hub/collections/{C}/objects/{id}/")),
                        Some(token),
                    );
                    let versions = get(
                        &hub.url(&format!(
                            "/taxii2/hub/collections/{C}/objects/{id}/versions/"
                        )),
                        Some(token),
                    );
                    let tlp = table[o].1.map_or("unmarked", Tlp::as_str);
                    let case = format!("{}: object {} ({tlp}) to {who}", db.name, o + 1);
                    assert_eq!(listed.contains(id), want, "{case}: objects");
                    assert_eq!(manifest.contains(id), want, "{case}: manifest");
                    assert_eq!(
                        by_id.status == 200,
                        want,
                        "{case}: object by id ({})",
                        by_id.status
                    );
                    assert_eq!(
                        versions.status == 200,
                        want,
                        "{case}: versions ({})",
                        versions.status
                    );
                }
            }
        };
        let hub = Hub::start(&db.url);
        check(&hub, &|o, p| table[o].3[p]);
        drop(hub);

        Store::open(&db.url)
            .expect("open")
            .set_setting(app::sharing::DEFAULT_TLP_SETTING, "AMBER")
            .expect("setting");
        let hub = Hub::start(&db.url);
        check(&hub, &|o, p| {
            if o == 5 {
                unmarked_at_amber[p]
            } else {
                table[o].3[p]
            }
        });
    }
}

#[test]
fn basic_auth_anonymisation_and_revocation() {
    let db = test_support::backends("hub_basic").remove(0);
    let mut store = Store::open(&db.url).expect("open");
    collection(&mut store, C);
    let shy = partner(&mut store, "shy");
    let peer = partner(&mut store, "peer");
    let mut shy_partner = store.partner("shy").expect("read").expect("shy exists");
    shy_partner.anonymise = true;
    assert!(store.update_partner(&shy_partner).expect("update"));
    agreement(&mut store, "a-shy", "shy", Tlp::Green, &[(C, true, true)]);
    agreement(
        &mut store,
        "a-peer",
        "peer",
        Tlp::Green,
        &[(C, true, false)],
    );
    drop(store);
    let hub = Hub::start(&db.url);

    let mut object = indicator(1, "2026-02-01T00:00:00.000Z", Some(Tlp::Green));
    object["created_by_ref"] = json!("identity--11111111-1111-4111-8111-111111111111");
    assert_eq!(
        post(&objects_url(&hub), &shy, ACCEPT, &envelope(&[object])).status,
        202
    );
    let own = get(&objects_url(&hub), Some(&shy));
    assert_eq!(
        own.body["objects"][0]["created_by_ref"],
        "identity--11111111-1111-4111-8111-111111111111"
    );
    let other = get(&objects_url(&hub), Some(&peer));
    assert_eq!(
        other.body["objects"][0]["created_by_ref"],
        app::sharing::ANONYMOUS_IDENTITY
    );

    // HTTP Basic: the partner id and its token; another partner's name with it is refused.
    let basic = |user: &str, token: &str| {
        use base64::Engine as _;
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
        common::get_auth(&hub.url("/taxii2/"), &format!("Basic {credentials}"))
    };
    assert_eq!(basic("peer", &peer).status, 200);
    assert_eq!(basic("shy", &peer).status, 401);

    // A revoked token stops working within the re-check interval.
    Store::open(&db.url)
        .expect("open")
        .revoke_partner_tokens("peer")
        .expect("revoke");
    std::thread::sleep(hub::TOKEN_RECHECK + std::time::Duration::from_millis(200));
    assert_eq!(get(&hub.url("/taxii2/"), Some(&peer)).status, 401);
}

#[test]
fn serves_https_with_a_given_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = common::certificate(dir.path());
    let db = test_support::backends("hub_tls").remove(0);
    let mut store = Store::open(&db.url).expect("open");
    let token = partner(&mut store, "tls");
    drop(store);
    let hub = Hub::start_with(&db.url, |o| o.tls = Some((cert.clone(), key.clone())));
    let url = hub.url("/taxii2/").replace("http://", "https://");
    let reply = common::get_tls(&url, &token);
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert!(
        reply.body["api_roots"][0]
            .as_str()
            .is_some_and(|r| r.starts_with("https://"))
    );
}

/// Pages are cached per server; a write through another server over the same database shows
/// within the snapshot's age (one second).
#[test]
fn a_write_through_another_server_shows_within_a_second() {
    for db in test_support::backends("hub_two_servers") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        let token = partner(&mut store, "both");
        agreement(&mut store, "a-both", "both", Tlp::Green, &[(C, true, true)]);
        drop(store);
        let (a, b) = (Hub::start(&db.url), Hub::start(&db.url));
        let one = envelope(&[indicator(1, "2026-02-01T00:00:00.000Z", None)]);
        assert_eq!(post(&objects_url(&a), &token, ACCEPT, &one).status, 202);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(
            ids(&get(&objects_url(&b), Some(&token))).len(),
            1,
            "{}",
            db.name
        );
        let two = envelope(&[indicator(2, "2026-02-01T00:00:00.000Z", None)]);
        assert_eq!(post(&objects_url(&a), &token, ACCEPT, &two).status, 202);
        // Its own write shows on A at once; on B once its snapshot is renewed.
        assert_eq!(
            ids(&get(&objects_url(&a), Some(&token))).len(),
            2,
            "{}",
            db.name
        );
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(
            ids(&get(&objects_url(&b), Some(&token))).len(),
            2,
            "{}",
            db.name
        );
    }
}
