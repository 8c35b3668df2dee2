use serde_json::json;

use super::*;

fn input() -> AlertInput {
    AlertInput {
        alert_id: "alert-2026-0042".to_owned(),
        cve: "CVE-2099-90001".to_owned(),
        title: "Remote code execution in Example PLC".to_owned(),
        description: "A crafted packet executes code.".to_owned(),
        remediation: "Update the firmware to 2.4.1.".to_owned(),
        tlp: Tlp::Amber,
        created: "2026-11-22T03:04:05.678Z".to_owned(),
        affected_products: vec![
            "Example PLC 2.x".to_owned(),
            " ".to_owned(),
            "Example HMI".to_owned(),
        ],
        hub: Hub {
            name: "Meridian Hub (synthetic)".to_owned(),
            created: "2026-01-01T00:00:00Z".to_owned(),
        },
    }
}

fn by_type<'a>(objects: &'a [Value], object_type: &str) -> &'a Value {
    objects
        .iter()
        .find(|object| object["type"] == object_type)
        .unwrap_or_else(|| panic!("no {object_type} in {objects:#?}"))
}

#[test]
fn structure() {
    let objects = package(&input()).expect("builds");
    let types: Vec<&str> = objects.iter().filter_map(|o| o["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "identity",
            "vulnerability",
            "course-of-action",
            "relationship",
            "report"
        ]
    );
    let amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
    let clear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    let identity = by_type(&objects, "identity");
    let identity_id = identity["id"].as_str().expect("id");
    assert_eq!(identity["name"], "Meridian Hub (synthetic)");
    assert_eq!(identity["identity_class"], "organization");
    assert_eq!(identity["created"], "2026-01-01T00:00:00.000Z");
    assert_eq!(identity["modified"], "2026-01-01T00:00:00.000Z");
    assert_eq!(identity["object_marking_refs"], json!([clear]));

    for object in &objects {
        assert_eq!(object["spec_version"], "2.1", "{object}");
        let id = object["id"].as_str().expect("id");
        let object_type = object["type"].as_str().expect("type");
        let uuid = id
            .strip_prefix(&format!("{object_type}--"))
            .and_then(|uuid| Uuid::parse_str(uuid).ok())
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(uuid.get_version_num(), 5, "{id}");
        if object_type != "identity" {
            assert_eq!(object["created"], "2026-11-22T03:04:05.678Z", "{object}");
            assert_eq!(object["modified"], "2026-11-22T03:04:05.678Z", "{object}");
            assert_eq!(object["created_by_ref"], identity_id, "{object}");
            assert_eq!(object["object_marking_refs"], json!([amber]), "{object}");
        }
    }

    let vulnerability = by_type(&objects, "vulnerability");
    assert_eq!(vulnerability["name"], "CVE-2099-90001");
    assert_eq!(
        vulnerability["description"],
        "A crafted packet executes code."
    );
    assert_eq!(
        vulnerability["external_references"],
        json!([{ "source_name": "cve", "external_id": "CVE-2099-90001" }])
    );
    let action = by_type(&objects, "course-of-action");
    assert_eq!(action["name"], "Remediation for CVE-2099-90001");
    assert_eq!(action["description"], "Update the firmware to 2.4.1.");
    let relationship = by_type(&objects, "relationship");
    assert_eq!(relationship["relationship_type"], "mitigates");
    assert_eq!(relationship["source_ref"], action["id"]);
    assert_eq!(relationship["target_ref"], vulnerability["id"]);
    let report = by_type(&objects, "report");
    assert_eq!(report["name"], "Remote code execution in Example PLC");
    assert_eq!(report["report_types"], json!(["vulnerability"]));
    assert_eq!(report["published"], "2026-11-22T03:04:05.678Z");
    assert_eq!(
        report["description"],
        "A crafted packet executes code.\n\nAffected products:\n- Example PLC 2.x\n- Example HMI"
    );
    assert_eq!(
        report["object_refs"],
        json!([
            identity["id"],
            vulnerability["id"],
            action["id"],
            relationship["id"]
        ])
    );
}

#[test]
fn every_object_is_valid_stix() {
    let validator = stix::Validator::new();
    for tlp in Tlp::ALL {
        let objects = package(&AlertInput { tlp, ..input() }).expect("builds");
        for object in &objects {
            if let Err(invalid) = validator.validate(object) {
                panic!("{object:#}\n{:#?}", invalid.reasons);
            }
            if object["type"] != "identity" {
                assert_eq!(stix::tlp::tlp_of(object), Some(tlp), "{object}");
            }
        }
    }
}

#[test]
fn ids_are_deterministic() {
    let ids = |input: &AlertInput| -> Vec<Value> {
        package(input)
            .expect("builds")
            .into_iter()
            .map(|object| object["id"].clone())
            .collect()
    };
    let first = package(&input()).expect("builds");
    assert_eq!(package(&input()).expect("builds"), first);
    // The ids depend on the alert id and the CVE, not on the text or the TLP.
    let retitled = AlertInput {
        title: "Another title".to_owned(),
        tlp: Tlp::Red,
        ..input()
    };
    assert_eq!(ids(&retitled), ids(&input()));
    let other_alert = ids(&AlertInput {
        alert_id: "alert-2026-0043".to_owned(),
        ..input()
    });
    let other_cve = ids(&AlertInput {
        cve: "CVE-2099-90002".to_owned(),
        ..input()
    });
    let original = ids(&input());
    for other in [other_alert, other_cve] {
        // The hub's identity is shared; everything else differs.
        assert_eq!(other[0], original[0]);
        for (a, b) in other[1..].iter().zip(&original[1..]) {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn blank_texts_are_left_out() {
    let objects = package(&AlertInput {
        title: " ".to_owned(),
        description: String::new(),
        remediation: String::new(),
        affected_products: Vec::new(),
        ..input()
    })
    .expect("builds");
    for object in &objects {
        assert!(object.get("description").is_none(), "{object}");
    }
    assert_eq!(by_type(&objects, "report")["name"], "CVE-2099-90001");
}

#[test]
fn timestamps_are_normalised() {
    let check = |created: &str, expected: &str| {
        let objects = package(&AlertInput {
            created: created.to_owned(),
            ..input()
        })
        .expect("builds");
        assert_eq!(
            by_type(&objects, "report")["published"],
            expected,
            "{created}"
        );
    };
    check("2026-11-22T03:04:05Z", "2026-11-22T03:04:05.000Z");
    check("2026-11-22T03:04:05.123456Z", "2026-11-22T03:04:05.123Z");
    check("2026-11-22T01:00:00.5+02:00", "2026-11-21T23:00:00.500Z");
}

#[test]
fn refused_inputs() {
    let check = |input: AlertInput, expected: AlertError| {
        assert_eq!(package(&input), Err(expected));
    };
    for cve in [
        "",
        "CVE-2099-123",
        "cve-2099-1234",
        "CVE-99-1234",
        "CVE-2099-12a4",
        "CVE-2099",
    ] {
        check(
            AlertInput {
                cve: cve.to_owned(),
                ..input()
            },
            AlertError::InvalidCve(cve.to_owned()),
        );
    }
    for created in [
        "",
        "2026-11-22",
        "2026-11-22T03:04:05",
        "0000-01-01T00:00:00+01:00",
    ] {
        check(
            AlertInput {
                created: created.to_owned(),
                ..input()
            },
            AlertError::InvalidTimestamp(created.to_owned()),
        );
    }
    let mut nameless = input();
    nameless.hub.name = " ".to_owned();
    check(nameless, AlertError::EmptyHubName);
}

/// Against the official TLP 2.0 marking definitions (FIRST/OASIS), as embedded by `stix`.
#[test]
fn marking_ids_match_the_tlp2_files() {
    for tlp in Tlp::ALL {
        let marking = stix::tlp::marking_definition(tlp);
        assert_eq!(marking["id"], marking_id(tlp));
        assert_eq!(marking["name"], format!("TLP:{}", tlp.as_str()));
    }
}
