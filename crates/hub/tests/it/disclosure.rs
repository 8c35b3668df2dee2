//! CVD cases and alerts over REST on SQLite and PostgreSQL: opening, advancing and exporting a
//! case, issuing an alert from the findings, bad input located, and who may write (each role).

use app::Role;
use serde_json::{Value, json};

use crate::common::call;
use crate::rest::World;

fn case_body() -> String {
    json!({"title": "Acme router RCE", "cves": ["cve-2024-0001"], "reporter": "r@example.org",
           "vendor": "Acme", "vendor_country": "de", "tlp": "amber+strict",
           "products": [{"vendor": "Acme", "product": "Router", "versions": "<2.0"}],
           "embargo": "2999-01-01"})
    .to_string()
}

#[test]
fn cvd_cases_open_advance_and_export_their_csaf() {
    for db in test_support::backends("hub rest cvd") {
        let world = World::new(&db);
        let opened = world.post(Role::Analyst, "/api/v1/cvd", &case_body());
        assert_eq!(opened.status, 201, "[{}] {:?}", db.name, opened.body);
        let id = opened.body["id"].as_str().expect("id").to_owned();
        assert_eq!(opened.body["state"], "reported");
        assert_eq!(opened.body["cves"], json!(["CVE-2024-0001"]));
        assert_eq!(opened.body["vendor_country"], "DE");
        assert_eq!(opened.body["tlp"], "AMBER+STRICT");

        let list = world.get(Role::Coordinator, "/api/v1/cvd");
        assert_eq!(list.status, 200, "[{}] {:?}", db.name, list.body);
        assert_eq!(list.body["items"][0]["id"], id.as_str());
        let shown = world.get(Role::Coordinator, &format!("/api/v1/cvd/{id}"));
        assert_eq!(shown.body["title"], "Acme router RCE");
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/cvd/MERIDIAN-1-1").status,
            404
        );

        let csaf = format!("/api/v1/cvd/{id}/csaf?publisher=CERT-X");
        let unpublished = world.get(Role::Analyst, &csaf);
        assert_eq!(
            unpublished.status, 409,
            "[{}] {:?}",
            db.name, unpublished.body
        );
        let advance = format!("/api/v1/cvd/{id}/advance");
        let embargoed = world.post(Role::Analyst, &advance, r#"{"to": "published"}"#);
        assert_eq!(embargoed.status, 409, "[{}] {:?}", db.name, embargoed.body);
        let bad = world.post(Role::Analyst, &advance, r#"{"to": "done"}"#);
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
        assert_eq!(bad.body["errors"][0]["pointer"], "/to");
        let published = world.post(
            Role::Analyst,
            &advance,
            r#"{"to": "published", "force": true}"#,
        );
        assert_eq!(published.status, 200, "[{}] {:?}", db.name, published.body);
        assert_eq!(published.body["state"], "published");
        let document = world.get(Role::Coordinator, &csaf);
        assert_eq!(document.status, 200, "[{}] {:?}", db.name, document.body);
        assert_eq!(document.body["document"]["tracking"]["id"], id.as_str());
        assert_eq!(document.body["document"]["publisher"]["name"], "CERT-X");
        assert_eq!(
            document.body["document"]["distribution"]["tlp"]["label"],
            "AMBER"
        );
        assert_eq!(document.body["document"]["tracking"]["version"], "1");

        // The published advisory is revised: its next version, with the summary in its history.
        let revisions = format!("/api/v1/cvd/{id}/revisions");
        for (body, pointer) in [
            (r#"{"summary": "  "}"#, "/summary"),
            (r#"{"summary": "x", "note": "y"}"#, ""),
            (r#"{"summary": 7}"#, ""),
        ] {
            let refused = world.post(Role::Analyst, &revisions, body);
            assert_eq!(
                refused.status, 422,
                "[{}] {body}: {:?}",
                db.name, refused.body
            );
            if !pointer.is_empty() {
                assert_eq!(refused.body["errors"][0]["pointer"], pointer);
            }
        }
        let revised = world.post(
            Role::Analyst,
            &revisions,
            r#"{"summary": "Fixed versions corrected"}"#,
        );
        assert_eq!(revised.status, 200, "[{}] {:?}", db.name, revised.body);
        assert_eq!(revised.body["revisions"][0]["number"], 2);
        assert_eq!(
            revised.body["revisions"][0]["summary"],
            "Fixed versions corrected"
        );
        let document = world.get(Role::Coordinator, &csaf);
        let tracking = &document.body["document"]["tracking"];
        assert_eq!(tracking["version"], "2", "[{}] {tracking:?}", db.name);
        assert_eq!(
            tracking["revision_history"][1]["summary"],
            "Fixed versions corrected"
        );
        assert_eq!(
            tracking["current_release_date"],
            revised.body["revisions"][0]["at"]
        );
        let missing = world.post(
            Role::Analyst,
            "/api/v1/cvd/MERIDIAN-1999-0001/revisions",
            r#"{"summary": "x"}"#,
        );
        assert_eq!(missing.status, 404, "[{}] {:?}", db.name, missing.body);

        for (body, pointer) in [
            (case_body().replace("amber+strict", "purple"), "/tlp"),
            (case_body().replace("\"title\"", "\"titel\""), ""),
        ] {
            let refused = world.post(Role::Analyst, "/api/v1/cvd", &body);
            assert_eq!(
                refused.status, 422,
                "[{}] {body}: {:?}",
                db.name, refused.body
            );
            if !pointer.is_empty() {
                assert_eq!(refused.body["errors"][0]["pointer"], pointer);
            }
        }
        let audit = world.get(Role::Admin, "/api/v1/audit?limit=1000");
        let actions: Vec<&str> = audit
            .body
            .as_array()
            .unwrap_or_else(|| panic!("[{}] {:?}", db.name, audit.body))
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"cvd.create") && actions.contains(&"cvd.advance"));
    }
}

#[test]
fn alerts_are_issued_from_the_findings_and_read_back() {
    for db in test_support::backends("hub rest alerts") {
        let world = World::new(&db);
        crate::intel::seed(&world);
        crate::intel::confirm_candidates(&world);
        let issued = world.post(
            Role::Analyst,
            "/api/v1/alerts",
            &json!({"cve": "cve-2024-0001", "remediation": "update", "tlp": "green"}).to_string(),
        );
        assert_eq!(issued.status, 201, "[{}] {:?}", db.name, issued.body);
        let alert = &issued.body["alert"];
        let id = alert["id"].as_str().expect("id").to_owned();
        assert_eq!(alert["cve"], "CVE-2024-0001");
        assert_eq!(alert["tlp"], "GREEN");
        assert!(!alert["assets"].as_array().expect("assets").is_empty());

        let list = world.get(Role::Coordinator, "/api/v1/alerts");
        assert_eq!(list.status, 200, "[{}] {:?}", db.name, list.body);
        assert_eq!(list.body["items"][0]["id"], id.as_str());
        let shown = world.get(Role::Coordinator, &format!("/api/v1/alerts/{id}"));
        assert_eq!(shown.body["alert"]["id"], id.as_str());
        assert!(shown.body["notifications"].is_array());
        let csaf = world.get(Role::Analyst, &format!("/api/v1/alerts/{id}/csaf"));
        assert_eq!(csaf.status, 200, "[{}] {:?}", db.name, csaf.body);
        assert!(csaf.body["document"].is_object());
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/alerts/ALERT-0").status,
            404
        );
        assert_eq!(world.get(Role::Partner, "/api/v1/alerts").status, 403);

        let bad = world.post(Role::Analyst, "/api/v1/alerts", r#"{"cve": 1}"#);
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
        assert_eq!(bad.body["errors"][0]["pointer"], "/cve");
        let nothing = world.post(
            Role::Analyst,
            "/api/v1/alerts",
            r#"{"cve": "CVE-1999-0001"}"#,
        );
        assert!(
            matches!(nothing.status, 404 | 409 | 422),
            "[{}] {:?}",
            db.name,
            nothing.body
        );
    }
}

/// The writes of this module: (path, body, roles allowed, status when allowed).
fn writes(case: &str) -> Vec<(String, String, &'static [Role], u16)> {
    const ANALYSTS: &[Role] = &[Role::Admin, Role::Analyst];
    vec![
        ("/api/v1/cvd".to_owned(), case_body(), ANALYSTS, 201),
        (
            format!("/api/v1/cvd/{case}/advance"),
            r#"{"to": "vendor_notified"}"#.to_owned(),
            ANALYSTS,
            200,
        ),
        (
            "/api/v1/alerts".to_owned(),
            r#"{"cve": "CVE-2024-0001"}"#.to_owned(),
            ANALYSTS,
            201,
        ),
        // Allowed roles reach the use case, which refuses revising an unpublished case.
        (
            format!("/api/v1/cvd/{case}/revisions"),
            r#"{"summary": "Fixed versions corrected"}"#.to_owned(),
            ANALYSTS,
            409,
        ),
    ]
}

#[test]
fn every_role_on_every_disclosure_write() {
    for db in test_support::backends("hub rest disclosure roles") {
        let world = World::new(&db);
        crate::intel::seed(&world);
        crate::intel::confirm_candidates(&world);
        let opened = world.post(Role::Admin, "/api/v1/cvd", &case_body());
        let case = opened.body["id"].as_str().expect("a case").to_owned();
        for (path, body, allowed, status) in writes(&case) {
            let url = world.hub.url(&path);
            assert_eq!(
                call("POST", &url, &[], &body).status,
                401,
                "[{}] {path}",
                db.name
            );
            let partner = format!("Bearer {}", world.partner);
            let by_partner = call("POST", &url, &[("Authorization", &partner)], &body);
            assert_eq!(by_partner.status, 403, "[{}] partner token {path}", db.name);
            for role in Role::ALL {
                let bearer = format!("Bearer {}", world.token(role));
                let reply = call("POST", &url, &[("Authorization", &bearer)], &body);
                let expected = if allowed.contains(&role) { status } else { 403 };
                let advanced_twice = path.ends_with("/advance") && role == Role::Analyst;
                if advanced_twice {
                    // The admin moved it already: the analyst was let through to the use case,
                    // which refuses staying at the same state: a conflict with the case.
                    assert_eq!(
                        reply.status, 409,
                        "[{}] {role} {path}: {:?}",
                        db.name, reply.body
                    );
                } else {
                    assert_eq!(
                        reply.status, expected,
                        "[{}] {role} POST {path}: {:?}",
                        db.name, reply.body
                    );
                }
                if reply.status == 403 {
                    assert_eq!(reply.body["code"], "forbidden", "{:?}", reply.body);
                    assert!(reply.body.get("id").is_none() && reply.body.get("alert").is_none());
                }
            }
        }
        let cases = world.get(Role::Admin, "/api/v1/cvd");
        assert_eq!(
            cases.body["items"].as_array().map(Vec::len),
            Some(3),
            "[{}]",
            db.name
        );
        assert_eq!(cases.body["next"], Value::Null);
    }
}
