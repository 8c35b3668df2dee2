//! The partners' REST API for notifications and incident reports through a real server on
//! 127.0.0.1, on SQLite and PostgreSQL: a partner sees and moves only the notifications
//! addressed to it, by the state machine, and reports incidents all or nothing.

use crate::common::{self, Hub, get, partner, post};
use model::Atlas;
use serde_json::{Value, json};
use store::{Alert, NewNotification, Store, Tlp};

const JSON: &str = "application/json";

fn asset(id: &str) -> model::Asset {
    model::Asset {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: "system".to_owned(),
        country: "DE".to_owned(),
        ..model::Asset::default()
    }
}

/// Two partners and an alert with one notification to each; returns their tokens.
fn world(store: &mut Store) -> (String, String) {
    store
        .import(&Atlas {
            assets: vec![asset("fw:de-1"), asset("fw:de-2")],
            dependencies: Vec::new(),
        })
        .expect("import");
    let de = partner(store, "cert-de");
    let fr = partner(store, "cert-fr");
    // Filing incidents takes a write agreement on some collection.
    common::collection(store, "incidents-de");
    common::agreement(
        store,
        "de-writes",
        "cert-de",
        Tlp::Amber,
        &[("incidents-de", true, true)],
    );
    let draft = |partner: &str, asset: &str| NewNotification {
        partner_id: partner.to_owned(),
        organisation: format!("operator of {asset}"),
        assets: vec![asset.to_owned()],
        state: "drafted".to_owned(),
    };
    let alert = Alert {
        id: "ALERT-2026-0001".to_owned(),
        cve: "CVE-2024-3400".to_owned(),
        title: "PAN-OS".to_owned(),
        tlp: Tlp::Amber,
        remediation: String::new(),
        created_at: "2026-01-01T00:00:00.000Z".to_owned(),
        collection_id: None,
        csaf: "{}".to_owned(),
        stix_ids: Vec::new(),
        assets: vec!["fw:de-1".to_owned(), "fw:de-2".to_owned()],
        partners: vec!["cert-de".to_owned(), "cert-fr".to_owned()],
    };
    store
        .add_alert(
            &alert,
            &[],
            &[draft("cert-de", "fw:de-1"), draft("cert-fr", "fw:de-2")],
        )
        .expect("alert");
    for id in ["ALERT-2026-0001.1", "ALERT-2026-0001.2"] {
        store
            .advance_notification(id, "sent", "2026-01-02T00:00:00.000Z", &|_, _| true)
            .expect("send");
    }
    (de, fr)
}

fn states(reply: &common::Reply) -> Vec<(String, String)> {
    reply
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().expect(k).to_owned();
            (s("id"), s("state"))
        })
        .collect()
}

#[test]
fn partners_move_only_their_notifications_by_the_state_machine() {
    for db in test_support::backends("hub api notifications") {
        let (de, fr) = world(&mut Store::open(&db.url).expect("open"));
        let hub = Hub::start(&db.url);
        let url = |path: &str| hub.url(&format!("/api/v1/notifications{path}"));

        let mine = get(&url(""), Some(&de));
        assert_eq!(mine.status, 200, "[{}] {:?}", db.name, mine.body);
        assert_eq!(
            states(&mine),
            [("ALERT-2026-0001.1".to_owned(), "sent".to_owned())]
        );
        assert_eq!(mine.body[0]["cve"], "CVE-2024-3400");
        assert_eq!(mine.body[0]["tlp"], "AMBER");
        assert_eq!(get(&url(""), None).status, 401);

        let ack = post(&url("/ALERT-2026-0001.1/acknowledge"), &de, JSON, "");
        assert_eq!(ack.status, 200, "[{}] {:?}", db.name, ack.body);
        assert_eq!(ack.body["state"], "acknowledged");
        assert_eq!(ack.body["history"].as_array().expect("history").len(), 3);

        let foreign = post(&url("/ALERT-2026-0001.1/mitigate"), &fr, JSON, "");
        assert_eq!(foreign.status, 403, "[{}] {:?}", db.name, foreign.body);
        assert_eq!(foreign.body["code"], "not_addressed_to_caller");

        let mitigated = post(&url("/ALERT-2026-0001.1/mitigate"), &de, JSON, "");
        assert_eq!(mitigated.body["state"], "mitigated");
        let again = post(&url("/ALERT-2026-0001.1/exploited"), &de, JSON, "");
        assert_eq!(again.status, 409, "[{}] {:?}", db.name, again.body);
        assert_eq!(again.body["code"], "invalid_transition");

        let exploited = post(&url("/ALERT-2026-0001.2/exploited"), &fr, JSON, "");
        assert_eq!(exploited.body["state"], "exploited", "[{}]", db.name);
        let missing = post(&url("/ALERT-2026-0009.1/acknowledge"), &de, JSON, "");
        assert_eq!(missing.status, 404);
        assert_eq!(missing.body["code"], "notification_not_found");

        // Each accepted move is audited as its partner; refused ones are not.
        assert_eq!(
            crate::audit::trail(&db.url),
            [
                (
                    "partner:cert-de",
                    "notification.acknowledged",
                    vec!["ALERT-2026-0001.1"]
                ),
                (
                    "partner:cert-de",
                    "notification.mitigated",
                    vec!["ALERT-2026-0001.1"]
                ),
                (
                    "partner:cert-fr",
                    "notification.exploited",
                    vec!["ALERT-2026-0001.2"]
                ),
            ]
            .map(crate::audit::owned),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn partners_report_incidents_all_or_nothing() {
    for db in test_support::backends("hub api incidents") {
        let (de, _) = world(&mut Store::open(&db.url).expect("open"));
        let hub = Hub::start(&db.url);
        let url = hub.url("/api/v1/incidents");
        let report = |assets: Value| {
            json!([{"assets": assets, "kind": "physical", "category": "sabotage",
                    "occurred_at": "2026-01-03T00:00:00Z", "severity": 4}])
            .to_string()
        };

        let bad = post(&url, &de, JSON, &report(json!(["fw:nope"])));
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
        let wrong = post(
            &url,
            &de,
            JSON,
            &json!([{"partner": "cert-fr", "assets": ["fw:de-1"], "kind": "cyber",
                     "category": "intrusion", "occurred_at": "2026-01-03"}])
            .to_string(),
        );
        assert_eq!(wrong.status, 422);
        assert_eq!(
            wrong.body["errors"],
            json!([{"pointer": "/0/partner",
                     "message": "\"cert-fr\" is not the submitting partner \"cert-de\""}])
        );

        let added = post(&url, &de, JSON, &report(json!(["fw:de-1", "fw:de-2"])));
        assert_eq!(added.status, 201, "[{}] {:?}", db.name, added.body);
        assert_eq!(added.body[0]["created"], true);

        let stored = Store::open(&db.url)
            .expect("open")
            .incidents()
            .expect("incidents");
        assert_eq!(stored.len(), 1, "[{}] only the valid report", db.name);
        assert_eq!(stored[0].report.partner_id.as_deref(), Some("cert-de"));
        assert_eq!(stored[0].report.assets, ["fw:de-1", "fw:de-2"]);
        assert_eq!(stored[0].report.occurred_at, "2026-01-03T00:00:00.000Z");
        // The accepted request is audited, with the stored incident's id.
        assert_eq!(
            crate::audit::trail(&db.url),
            [crate::audit::owned((
                "partner:cert-de",
                "incident.add",
                vec![stored[0].id.as_str()]
            ))],
            "[{}]",
            db.name
        );
    }
}
