use model::IncidentKind;
use serde_json::json;

use super::{Context, parse, timestamp};

const NOW: &str = "2026-03-01T00:00:00.000Z";

/// Asset ids `plant:a`, `plant:b`; STIX id `infrastructure--a` is `plant:a`.
fn resolve(id: &str) -> Option<String> {
    match id {
        "plant:a" | "plant:b" => Some(id.to_owned()),
        "infrastructure--a" => Some("plant:a".to_owned()),
        _ => None,
    }
}

fn run(
    input: serde_json::Value,
    partner: Option<&str>,
) -> Result<Vec<super::IncidentReport>, Vec<String>> {
    let cx = Context {
        partner,
        reported_at: NOW,
        resolve: &resolve,
        validator: None,
    };
    parse(input.to_string().as_bytes(), &cx)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

/// The errors of a refused input.
fn check_errors(input: serde_json::Value, partner: Option<&str>, expected: &[&str]) {
    assert_eq!(run(input, partner).expect_err("refused"), expected);
}

#[test]
fn simple_form() {
    let reports = run(
        json!([{
            "partner": "cert-de", "assets": ["plant:a", "plant:b"], "kind": "physical",
            "category": "sabotage", "occurred_at": "2026-02-01T12:00:00+01:00",
            "description": "cut", "severity": 5
        }]),
        None,
    )
    .expect("valid");
    let r = &reports[0];
    assert_eq!(r.partner_id.as_deref(), Some("cert-de"));
    assert_eq!(r.reporter, "cert-de");
    assert_eq!(r.kind, IncidentKind::Physical);
    assert_eq!(r.occurred_at, "2026-02-01T11:00:00.000Z");
    assert_eq!(r.reported_at, NOW);
    assert_eq!((r.severity, r.assets.len()), (5, 2));
}

#[test]
fn simple_form_errors_name_every_field() {
    check_errors(
        json!([
            {"partner": "cert-de", "assets": ["plant:x"], "kind": "cosmic", "category": "",
             "occurred_at": "yesterday", "severity": 9},
            {"assets": ["plant:a"], "kind": "cyber", "category": "intrusion", "occurred_at": "2026-01-01"}
        ]),
        None,
        &[
            "[0].kind: \"cosmic\" is neither cyber nor physical",
            "[0].category: missing",
            "[0].occurred_at: \"yesterday\" is neither an RFC 3339 timestamp nor a YYYY-MM-DD date",
            "[0].severity: 9 is not a severity 1..5",
            "[0].assets[0]: unknown asset \"plant:x\"",
            "[1].partner: missing",
        ],
    );
    check_errors(
        json!([{"partner": "cert-fr", "assets": ["plant:a"], "kind": "cyber",
                "category": "intrusion", "occurred_at": "2026-01-01"}]),
        Some("cert-de"),
        &["[0].partner: \"cert-fr\" is not the submitting partner \"cert-de\""],
    );
    check_errors(
        json!({"type": "x"}),
        None,
        &["$: expected a list of incident reports or a STIX 2.1 bundle"],
    );
}

/// A NUL was stored by SQLite and broke PostgreSQL: control characters are refused where
/// they stand, in every text field and asset id.
#[test]
fn control_characters_are_refused_where_they_stand() {
    check_errors(
        json!([{"partner": "cert-de", "assets": ["plant:a", "plant\u{0}:b"], "kind": "cyber",
                "category": "a\u{0}b", "occurred_at": "2026-01-01", "description": "x\u{1b}[31m"}]),
        None,
        &[
            "[0].category: holds the control character U+0000",
            "[0].category: missing",
            "[0].description: holds the control character U+001B",
            "[0].assets[1]: \"plant\\0:b\" holds a control character",
        ],
    );
    // Tabs and line breaks are text.
    run(
        json!([{"partner": "cert-de", "assets": ["plant:a"], "kind": "cyber",
                "category": "intrusion", "occurred_at": "2026-01-01",
                "description": "line one\nline two\tend"}]),
        None,
    )
    .expect("valid");
}

#[test]
fn stix_incidents_and_sightings_link_assets_by_property_or_relationship() {
    let bundle = json!({
        "type": "bundle", "id": "bundle--1",
        "objects": [
            {"type": "incident", "spec_version": "2.1", "id": "incident--1", "name": "Ransomware at plant A",
             "created": "2026-02-02T00:00:00.000Z", "modified": "2026-02-02T00:00:00.000Z",
             "labels": ["ransomware"], "x_meridian_severity": 4},
            {"type": "relationship", "spec_version": "2.1", "id": "relationship--1",
             "relationship_type": "targets", "source_ref": "incident--1", "target_ref": "infrastructure--a",
             "created": "2026-02-02T00:00:00.000Z", "modified": "2026-02-02T00:00:00.000Z"},
            {"type": "sighting", "spec_version": "2.1", "id": "sighting--1", "sighting_of_ref": "indicator--1",
             "created": "2026-02-03T00:00:00.000Z", "modified": "2026-02-03T00:00:00.000Z",
             "first_seen": "2026-02-01T06:00:00Z", "x_meridian_asset_ids": ["plant:b"]},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--1"}
        ]
    });
    let reports = run(bundle, Some("cert-de")).expect("valid");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].stix_id.as_deref(), Some("incident--1"));
    assert_eq!(reports[0].category, "ransomware");
    assert_eq!(reports[0].assets, ["plant:a"]);
    assert_eq!(reports[0].severity, 4);
    assert_eq!(reports[0].description, "Ransomware at plant A");
    assert_eq!(reports[1].category, "sighting");
    assert_eq!(reports[1].occurred_at, "2026-02-01T06:00:00.000Z");
    assert_eq!(reports[1].partner_id.as_deref(), Some("cert-de"));
}

#[test]
fn stix_errors_name_object_and_field() {
    check_errors(
        json!({"type": "bundle", "id": "bundle--1", "objects": [
            {"type": "incident", "id": "incident--1", "created": "2026-02-02T00:00:00Z",
             "x_meridian_kind": "weird"},
            {"type": "incident", "id": "incident--2", "created": "2026-02-02T00:00:00Z"},
            {"type": "relationship", "id": "relationship--1", "source_ref": "incident--2",
             "target_ref": "infrastructure--zz"}
        ]}),
        None,
        &[
            "objects[0].x_meridian_kind: \"weird\" is neither cyber nor physical",
            "objects[2].target_ref: infrastructure--zz is no asset of the atlas",
        ],
    );
    check_errors(
        json!({"type": "bundle", "id": "bundle--1", "objects": []}),
        None,
        &["objects: no incident or sighting in the bundle"],
    );
}

#[test]
fn timestamps_take_the_stored_form() {
    assert_eq!(
        timestamp("2026-01-02").as_deref(),
        Some("2026-01-02T00:00:00.000Z")
    );
    assert_eq!(
        timestamp("2026-01-02T03:04:05.123456-02:00").as_deref(),
        Some("2026-01-02T05:04:05.123Z")
    );
    assert_eq!(timestamp("soon"), None);
}
