//! Alerts with their notifications and STIX package, notification state history, incidents;
//! on both backends.

use model::Atlas;
use store::{
    Alert, IncidentKind, IncidentReport, NewNotification, NewStixObject, NotificationFilter, Store,
    StoreError, Tlp,
};

use crate::exchange::{collection, partner};
use crate::{asset, open, strings};

const T0: &str = "2026-03-01T10:00:00.000Z";

fn world(store: &mut Store) {
    let atlas = Atlas {
        assets: vec![asset("plant:a", "DE"), asset("plant:b", "DE")],
        dependencies: Vec::new(),
    };
    store.import(&atlas).expect("import");
    assert!(store.add_partner(&partner("cert-de")).expect("partner"));
    assert!(
        store
            .add_collection(&collection("alerts"))
            .expect("collection")
    );
}

fn alert(id: &str) -> Alert {
    Alert {
        id: id.to_owned(),
        cve: "CVE-2099-90001".to_owned(),
        title: "Gateway RCE".to_owned(),
        tlp: Tlp::Amber,
        remediation: "update".to_owned(),
        created_at: T0.to_owned(),
        collection_id: Some("alerts".to_owned()),
        csaf: "{\"document\":{}}".to_owned(),
        stix_ids: strings(&["vulnerability--1"]),
        assets: strings(&["plant:a", "plant:b"]),
        partners: strings(&["cert-de"]),
    }
}

fn draft(organisation: &str, assets: &[&str]) -> NewNotification {
    NewNotification {
        partner_id: "cert-de".to_owned(),
        organisation: organisation.to_owned(),
        assets: strings(assets),
        state: "drafted".to_owned(),
    }
}

/// The rule the tests hand to the store: forward along one line.
fn forward(from: &str, to: &str) -> bool {
    let order = ["drafted", "sent", "acknowledged", "mitigated", "closed"];
    let at = |s: &str| order.iter().position(|o| *o == s);
    matches!((at(from), at(to)), (Some(f), Some(t)) if t == f + 1)
}

#[test]
fn alerts_store_package_routing_and_drafts_in_one_transaction() {
    for db in test_support::backends("store alerts") {
        let mut store = open(&db);
        world(&mut store);
        let id = store.next_alert_id(T0).expect("next id");
        assert_eq!(id, "ALERT-2026-0001", "[{}]", db.name);
        let recipients = strings(&["cert-de"]);
        let object = NewStixObject {
            object_id: "vulnerability--1",
            object_type: "vulnerability",
            spec_version: "2.1",
            version: T0,
            tlp: Some(Tlp::Amber),
            recipients: &recipients,
            submitter: None,
            source: None,
            json: "{\"type\":\"vulnerability\"}",
        };
        let drafts = [draft("Op A", &["plant:a"]), draft("Op B", &["plant:b"])];
        let notes = store
            .add_alert(&alert(&id), &[object], &drafts)
            .expect("add alert");
        let ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ALERT-2026-0001.1", "ALERT-2026-0001.2"],
            "[{}]",
            db.name
        );
        assert_eq!(notes[0].history, [("drafted".to_owned(), T0.to_owned())]);
        assert_eq!(store.alert(&id).expect("get"), Some(alert(&id)));
        assert_eq!(store.alerts().expect("list").len(), 1);
        assert_eq!(store.count_objects("alerts").expect("count"), 1);
        assert_eq!(
            store.next_alert_id(T0).expect("next"),
            "ALERT-2026-0002",
            "[{}]",
            db.name
        );

        // All or nothing: a taken id, an unknown asset or partner store nothing.
        let taken = store.add_alert(&alert(&id), &[], &[]);
        assert!(
            matches!(taken, Err(StoreError::InvalidRecord(_))),
            "[{}]",
            db.name
        );
        let bad_asset = store.add_alert(
            &alert("ALERT-2026-0002"),
            &[],
            &[draft("Op C", &["plant:nope"])],
        );
        assert!(
            matches!(bad_asset, Err(StoreError::UnknownAsset(ref a)) if a == "plant:nope"),
            "[{}] {bad_asset:?}",
            db.name
        );
        let bad_partner = store.add_alert(
            &Alert {
                partners: strings(&["nobody"]),
                ..alert("ALERT-2026-0002")
            },
            &[],
            &[],
        );
        assert!(matches!(bad_partner, Err(StoreError::UnknownPartner(_))));
        assert_eq!(store.alerts().expect("list").len(), 1, "[{}]", db.name);
        assert_eq!(
            store
                .notifications(&NotificationFilter::default())
                .expect("all")
                .len(),
            2
        );
    }
}

#[test]
fn notifications_advance_by_the_callers_rule_and_keep_every_time() {
    for db in test_support::backends("store notifications") {
        let mut store = open(&db);
        world(&mut store);
        store
            .add_alert(
                &alert("ALERT-2026-0001"),
                &[],
                &[draft("Op A", &["plant:a"])],
            )
            .expect("add");
        let id = "ALERT-2026-0001.1";
        let sent = store
            .advance_notification(id, "sent", "2026-03-02T00:00:00.000Z", &forward)
            .expect("send");
        assert_eq!(sent.state, "sent");
        let skip = store.advance_notification(id, "closed", "2026-03-03T00:00:00.000Z", &forward);
        assert!(
            matches!(skip, Err(StoreError::NotificationTransition { ref from, .. }) if from == "sent"),
            "[{}] {skip:?}",
            db.name
        );
        let earlier =
            store.advance_notification(id, "acknowledged", "2026-03-01T11:00:00.000Z", &forward);
        assert!(
            matches!(earlier, Err(StoreError::InvalidRecord(_))),
            "[{}]",
            db.name
        );
        let ack = store
            .advance_notification(id, "acknowledged", "2026-03-04T00:00:00.000Z", &forward)
            .expect("ack");
        assert_eq!(
            ack.history,
            [
                ("drafted".to_owned(), T0.to_owned()),
                ("sent".to_owned(), "2026-03-02T00:00:00.000Z".to_owned()),
                (
                    "acknowledged".to_owned(),
                    "2026-03-04T00:00:00.000Z".to_owned()
                ),
            ],
            "[{}]",
            db.name
        );
        assert_eq!(ack.reached("sent"), Some("2026-03-02T00:00:00.000Z"));
        let missing = store.advance_notification("nope", "sent", T0, &forward);
        assert!(matches!(missing, Err(StoreError::UnknownNotification(_))));
        let by_state = |store: &mut Store, state: &str| {
            store
                .notifications(&NotificationFilter {
                    state: Some(state.to_owned()),
                    partner_id: Some("cert-de".to_owned()),
                    ..NotificationFilter::default()
                })
                .expect("filter")
                .len()
        };
        assert_eq!(by_state(&mut store, "acknowledged"), 1, "[{}]", db.name);
        assert_eq!(by_state(&mut store, "sent"), 0);
        assert_eq!(store.notification(id).expect("get"), Some(ack));
    }
}

fn incident(stix_id: Option<&str>, assets: &[&str]) -> IncidentReport {
    IncidentReport {
        partner_id: Some("cert-de".to_owned()),
        reporter: "cert-de".to_owned(),
        kind: IncidentKind::Physical,
        category: "sabotage".to_owned(),
        description: "cut cable".to_owned(),
        occurred_at: "2026-02-01T00:00:00.000Z".to_owned(),
        reported_at: T0.to_owned(),
        stix_id: stix_id.map(str::to_owned),
        severity: 4,
        assets: strings(assets),
    }
}

#[test]
fn incidents_are_all_or_nothing_and_idempotent_by_stix_id() {
    for db in test_support::backends("store incidents") {
        let mut store = open(&db);
        world(&mut store);
        let version = store.intel_version().expect("version");
        let added = store
            .add_incidents(&[
                incident(Some("incident--1"), &["plant:a", "plant:b"]),
                incident(None, &["plant:b"]),
            ])
            .expect("add");
        assert_eq!(
            added,
            [
                ("INC-2026-0001".to_owned(), true),
                ("INC-2026-0002".to_owned(), true)
            ],
            "[{}]",
            db.name
        );
        let again = store
            .add_incidents(&[incident(Some("incident--1"), &["plant:a"])])
            .expect("again");
        assert_eq!(again, [("INC-2026-0001".to_owned(), false)]);
        // New incidents move the version (SSVC exploitation); a skipped one does not.
        assert_eq!(store.intel_version().expect("version"), version + 1);
        let bad = store.add_incidents(&[
            incident(Some("incident--2"), &["plant:a"]),
            incident(None, &["plant:nope"]),
        ]);
        assert!(
            matches!(bad, Err(StoreError::UnknownAsset(_))),
            "[{}]",
            db.name
        );
        let severe = store.add_incidents(&[IncidentReport {
            severity: 6,
            ..incident(None, &["plant:a"])
        }]);
        assert!(matches!(severe, Err(StoreError::InvalidRecord(_))));
        assert_eq!(store.intel_version().expect("version"), version + 1);
        let all = store.incidents().expect("list");
        assert_eq!(all.len(), 2, "[{}]", db.name);
        assert_eq!(
            all[0].report,
            incident(Some("incident--1"), &["plant:a", "plant:b"])
        );
        assert_eq!(all[1].report.partner_id.as_deref(), Some("cert-de"));
    }
}
