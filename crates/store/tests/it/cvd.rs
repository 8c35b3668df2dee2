//! CVD cases: ids, validation, forward-only states with their history, on both backends.

use store::{AffectedProduct, CvdState, NewCvdCase, StoreError, Tlp};

use crate::{open, strings};

fn case(title: &str) -> NewCvdCase {
    NewCvdCase {
        title: title.to_owned(),
        cves: strings(&["CVE-2026-0001"]),
        reporter: "researcher@example.org".to_owned(),
        vendor: "Acme".to_owned(),
        vendor_country: "DE".to_owned(),
        vendor_csirt: "Acme PSIRT".to_owned(),
        products: vec![AffectedProduct {
            vendor: "Acme".to_owned(),
            product: "Gateway".to_owned(),
            versions: "vers:generic/>=1.0|<1.4".to_owned(),
        }],
        embargo: Some("2026-12-01".to_owned()),
        tlp: Tlp::AmberStrict,
        remediation: "Update to 1.4".to_owned(),
        notes: "found by fuzzing".to_owned(),
    }
}

#[test]
fn cases_move_forward_only_and_keep_their_history() {
    for db in test_support::backends("store cvd") {
        let mut store = open(&db);
        let first = store
            .create_cvd_case(&case("first"), "2026-11-22T01:00:00Z")
            .expect("create");
        assert_eq!(first.id, "MERIDIAN-2026-0001", "[{}]", db.name);
        assert_eq!(first.state, CvdState::Reported);
        assert_eq!(first.case, case("first"));
        let second = store
            .create_cvd_case(&case("second"), "2026-11-22T01:01:00Z")
            .expect("create");
        assert_eq!(second.id, "MERIDIAN-2026-0002", "[{}]", db.name);

        let advanced = store
            .advance_cvd_case(&first.id, CvdState::FixAvailable, "2026-11-22T02:00:00Z")
            .expect("advance");
        assert_eq!(
            advanced.history,
            vec![
                (CvdState::Reported, "2026-11-22T01:00:00Z".to_owned()),
                (CvdState::FixAvailable, "2026-11-22T02:00:00Z".to_owned()),
            ],
            "[{}]",
            db.name
        );
        for back in [CvdState::VendorNotified, CvdState::FixAvailable] {
            let err = store
                .advance_cvd_case(&first.id, back, "2026-11-22T03:00:00Z")
                .expect_err("backwards or in place");
            assert!(
                matches!(err, StoreError::CvdTransition { .. }) && err.is_user_error(),
                "[{}] {err}",
                db.name
            );
        }
        assert_eq!(store.cvd_case(&first.id).expect("get"), Some(advanced));
        let ids: Vec<String> = store
            .cvd_cases()
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec![first.id, second.id]);
        assert!(matches!(
            store.advance_cvd_case(
                "MERIDIAN-2026-0099",
                CvdState::Published,
                "2026-11-22T03:00:00Z"
            ),
            Err(StoreError::UnknownCvdCase(_))
        ));
    }
}

#[test]
fn invalid_cases_are_refused() {
    let bad = [
        NewCvdCase {
            vendor_country: "XX".to_owned(),
            ..case("bad country")
        },
        NewCvdCase {
            vendor_country: "de".to_owned(),
            ..case("lower-case country")
        },
        NewCvdCase {
            cves: strings(&["CVE-26-1"]),
            ..case("bad CVE")
        },
        NewCvdCase {
            embargo: Some("2026-13-01".to_owned()),
            ..case("bad embargo")
        },
        case(" "),
    ];
    for db in test_support::backends("store cvd invalid") {
        let mut store = open(&db);
        for case in &bad {
            let err = store
                .create_cvd_case(case, "2026-11-22T01:00:00Z")
                .expect_err(&case.title);
            assert!(
                matches!(err, StoreError::InvalidCvdCase(_)),
                "[{}] {err}",
                db.name
            );
        }
        assert!(store.cvd_cases().expect("list").is_empty());
    }
}
