//! Exchange records on both backends: partners and tokens, collections, agreements (refusing
//! unknown parties and collections), settings, TAXII status and federation remotes.

use store::{
    Agreement, AgreementKind, Collection, CollectionGrant, Partner, PartnerToken, Remote,
    StoreError, TaxiiStatus, Tlp,
};

use crate::{open, strings};

pub fn partner(id: &str) -> Partner {
    Partner {
        id: id.to_owned(),
        name: format!("{id} CSIRT"),
        country: "DE".to_owned(),
        constituency_countries: strings(&["DE", "AT"]),
        constituency_sectors: strings(&["ENERGY"]),
        trust_tier: 2,
        contacts: strings(&["soc@example.org", "+49 30 1234"]),
        public_key: Some("ab".repeat(32)),
        anonymise: false,
        created_at: "2026-11-22T01:00:00.000Z".to_owned(),
    }
}

pub fn collection(id: &str) -> Collection {
    Collection {
        id: id.to_owned(),
        title: format!("{id} title"),
        description: "shared indicators".to_owned(),
        created_at: "2026-11-22T01:00:00.000Z".to_owned(),
    }
}

fn agreement(id: &str, parties: &[&str], collections: &[&str]) -> Agreement {
    Agreement {
        id: id.to_owned(),
        title: format!("{id} agreement"),
        kind: if parties.len() > 2 {
            AgreementKind::Multilateral
        } else {
            AgreementKind::Bilateral
        },
        parties: strings(parties),
        highest_tlp: Tlp::Amber,
        purpose: "incident response".to_owned(),
        retention_days: Some(365),
        grants: collections
            .iter()
            .enumerate()
            .map(|(i, c)| CollectionGrant {
                collection_id: (*c).to_owned(),
                read: true,
                write: i == 0,
            })
            .collect(),
        created_at: "2026-11-22T01:30:00.000Z".to_owned(),
    }
}

#[test]
fn partners_and_tokens_round_trip() {
    for db in test_support::backends("store partners") {
        let mut store = open(&db);
        let cert = partner("cert-de");
        let bare = Partner {
            constituency_countries: Vec::new(),
            constituency_sectors: Vec::new(),
            contacts: Vec::new(),
            public_key: None,
            anonymise: true,
            trust_tier: 1,
            ..partner("cert-at")
        };
        assert!(store.add_partner(&cert).expect("add"), "[{}]", db.name);
        assert!(store.add_partner(&bare).expect("add"));
        assert!(!store.add_partner(&cert).expect("add again"), "id taken");
        assert_eq!(store.partner("cert-de").expect("get"), Some(cert.clone()));
        assert_eq!(store.partner("nobody").expect("get"), None);
        assert_eq!(
            store.partners().expect("list"),
            vec![bare.clone(), cert.clone()]
        );

        let changed = Partner {
            name: "CERT Bund".to_owned(),
            trust_tier: 1,
            anonymise: true,
            created_at: "ignored".to_owned(),
            ..cert.clone()
        };
        assert!(store.update_partner(&changed).expect("update"));
        assert!(!store.update_partner(&partner("nobody")).expect("update"));
        assert_eq!(
            store.partner("cert-de").expect("get"),
            Some(Partner {
                created_at: cert.created_at.clone(),
                ..changed
            }),
            "[{}] created_at is kept",
            db.name
        );

        for (id, owner) in [("0123456789ab", "cert-de"), ("ba9876543210", "cert-de")] {
            store
                .add_partner_token(&PartnerToken {
                    token_id: id.to_owned(),
                    partner_id: owner.to_owned(),
                    hash: format!("$argon2id$v=19$m=19456,t=2,p=1${id}"),
                    created_at: "2026-11-22T02:00:00.000Z".to_owned(),
                    revoked: false,
                })
                .expect("add token");
        }
        let token = store.partner_token("0123456789ab").expect("token");
        assert_eq!(
            token.as_ref().map(|t| t.partner_id.as_str()),
            Some("cert-de")
        );
        assert_eq!(token.map(|t| t.revoked), Some(false));
        assert_eq!(store.partner_token("ffffffffffff").expect("token"), None);
        let orphan = PartnerToken {
            token_id: "000000000000".to_owned(),
            partner_id: "nobody".to_owned(),
            hash: String::new(),
            created_at: String::new(),
            revoked: false,
        };
        assert!(matches!(
            store.add_partner_token(&orphan),
            Err(StoreError::UnknownPartner(p)) if p == "nobody"
        ));
        assert_eq!(store.revoke_partner_tokens("cert-de").expect("revoke"), 2);
        assert_eq!(store.revoke_partner_tokens("cert-de").expect("revoke"), 0);
        assert_eq!(
            store
                .partner_token("ba9876543210")
                .expect("token")
                .map(|t| t.revoked),
            Some(true),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn agreements_round_trip_and_refuse_unknown_parties() {
    for db in test_support::backends("store agreements") {
        let mut store = open(&db);
        for p in ["cert-at", "cert-de", "cert-fr"] {
            store.add_partner(&partner(p)).expect("partner");
        }
        for c in ["c-1", "c-2"] {
            assert!(store.add_collection(&collection(c)).expect("collection"));
        }
        assert!(!store.add_collection(&collection("c-1")).expect("again"));
        assert_eq!(
            store.collection("c-2").expect("get"),
            Some(collection("c-2"))
        );
        assert_eq!(
            store.collections().expect("list"),
            vec![collection("c-1"), collection("c-2")]
        );

        let bilateral = agreement("de-fr", &["cert-fr", "cert-de"], &["c-2", "c-1"]);
        let multilateral = Agreement {
            retention_days: None,
            highest_tlp: Tlp::AmberStrict,
            ..agreement("eu", &["cert-at", "cert-de", "cert-fr"], &["c-1"])
        };
        assert!(
            store.add_agreement(&bilateral).expect("add"),
            "[{}]",
            db.name
        );
        assert!(store.add_agreement(&multilateral).expect("add"));
        assert!(!store.add_agreement(&bilateral).expect("again"), "id taken");
        assert_eq!(
            store.agreement("de-fr").expect("get"),
            Some(bilateral.clone())
        );
        assert_eq!(
            store.agreements().expect("list"),
            vec![bilateral.clone(), multilateral.clone()]
        );
        assert_eq!(
            store.agreements_of("cert-at").expect("of"),
            vec![multilateral.clone()]
        );
        assert_eq!(
            store.agreements_of("cert-de").expect("of"),
            vec![bilateral.clone(), multilateral.clone()]
        );

        let unknown_party = agreement("x", &["cert-de", "cert-xx"], &["c-1"]);
        let err = store
            .add_agreement(&unknown_party)
            .expect_err("unknown party");
        assert!(
            matches!(&err, StoreError::UnknownPartner(p) if p == "cert-xx")
                && err.is_user_error()
                && err.to_string().contains("cert-xx"),
            "[{}] {err}",
            db.name
        );
        let unknown_collection = agreement("y", &["cert-de"], &["c-1", "c-9"]);
        let err = store
            .add_agreement(&unknown_collection)
            .expect_err("unknown collection");
        assert!(
            matches!(&err, StoreError::UnknownCollection(c) if c == "c-9")
                && err.to_string().contains("c-9"),
            "[{}] {err}",
            db.name
        );
        assert_eq!(store.agreements().expect("list").len(), 2, "nothing stored");

        assert!(store.remove_agreement("de-fr").expect("remove"));
        assert!(!store.remove_agreement("de-fr").expect("remove again"));
        assert_eq!(
            store.agreements_of("cert-de").expect("of"),
            vec![multilateral]
        );
    }
}

#[test]
fn settings_round_trip() {
    for db in test_support::backends("store settings") {
        let mut store = open(&db);
        assert_eq!(store.setting("default_tlp").expect("get"), None);
        store.set_setting("default_tlp", "GREEN").expect("set");
        store.set_setting("default_tlp", "AMBER").expect("replace");
        store.set_setting("hub_name", "").expect("set");
        assert_eq!(
            store.setting("default_tlp").expect("get").as_deref(),
            Some("AMBER"),
            "[{}]",
            db.name
        );
        assert_eq!(store.setting("hub_name").expect("get").as_deref(), Some(""));
    }
}

#[test]
fn status_round_trips() {
    for db in test_support::backends("store taxii status") {
        let mut store = open(&db);
        let mut status = TaxiiStatus {
            id: "2d086da7-4bdc-4f91-900e-d77486753710".to_owned(),
            collection_id: "c-1".to_owned(),
            partner_id: Some("cert-de".to_owned()),
            status: "pending".to_owned(),
            request_timestamp: "2026-11-22T02:00:00.000000Z".to_owned(),
            total: 3,
            successes: vec![(
                "indicator--1".to_owned(),
                "2026-01-01T00:00:00.000Z".to_owned(),
            )],
            failures: vec![(
                "malware--2".to_owned(),
                "2026-01-01T00:00:00.000Z".to_owned(),
                "\"name\" is required; ünïcode".to_owned(),
            )],
            pendings: vec![("tool--3".to_owned(), "2026-01-02T00:00:00Z".to_owned())],
        };
        store.save_status(&status).expect("save");
        assert_eq!(store.status(&status.id).expect("get"), Some(status.clone()));
        status.status = "complete".to_owned();
        status.successes.push(status.pendings.remove(0));
        store.save_status(&status).expect("replace");
        assert_eq!(
            store.status(&status.id).expect("get"),
            Some(status),
            "[{}]",
            db.name
        );
        assert_eq!(store.status("nope").expect("get"), None);
    }
}

#[test]
fn remotes_round_trip() {
    for db in test_support::backends("store remotes") {
        let mut store = open(&db);
        store.add_partner(&partner("hub-fr")).expect("partner");
        store
            .add_collection(&collection("c-1"))
            .expect("collection");
        let remote = Remote {
            name: "paris".to_owned(),
            api_root: "https://hub.example.fr/taxii2/hub/".to_owned(),
            collection_id: "91a7b528-80eb-42ed-a74d-c6fbd5a26116".to_owned(),
            local_collection: "c-1".to_owned(),
            user: "cert-de".to_owned(),
            token: "mrd_0123456789ab_secret".to_owned(),
            partner_id: "hub-fr".to_owned(),
            pull: true,
            push: false,
            pull_cursor: None,
            push_cursor: 0,
            last_sync: None,
        };
        assert!(store.add_remote(&remote).expect("add"), "[{}]", db.name);
        assert!(!store.add_remote(&remote).expect("again"));
        assert_eq!(store.remote("paris").expect("get"), Some(remote.clone()));
        let bad = Remote {
            name: "x".to_owned(),
            local_collection: "c-9".to_owned(),
            ..remote.clone()
        };
        assert!(matches!(
            store.add_remote(&bad),
            Err(StoreError::UnknownCollection(c)) if c == "c-9"
        ));
        let bad = Remote {
            name: "x".to_owned(),
            partner_id: "nobody".to_owned(),
            ..remote.clone()
        };
        assert!(matches!(
            store.add_remote(&bad),
            Err(StoreError::UnknownPartner(p)) if p == "nobody"
        ));

        assert!(
            store
                .set_remote_cursors(
                    "paris",
                    Some("2026-11-22T02:00:00.123456Z"),
                    42,
                    "2026-11-22T02:01:00.000Z"
                )
                .expect("cursors")
        );
        assert!(
            !store
                .set_remote_cursors("nowhere", None, 0, "2026-11-22T02:01:00.000Z")
                .expect("cursors")
        );
        let synced = Remote {
            pull_cursor: Some("2026-11-22T02:00:00.123456Z".to_owned()),
            push_cursor: 42,
            last_sync: Some("2026-11-22T02:01:00.000Z".to_owned()),
            ..remote
        };
        assert_eq!(
            store.remotes().expect("list"),
            vec![synced],
            "[{}]",
            db.name
        );
        assert!(store.remove_remote("paris").expect("remove"));
        assert!(!store.remove_remote("paris").expect("remove again"));
        assert!(store.remotes().expect("list").is_empty());
    }
}
