//! The coordination register over REST: every write route allowed for administrators and
//! coordinators only, reads for staff; records, deconfliction and measures end to end.

use app::Role;
use serde_json::json;

use crate::common::call;
use crate::rest::World;

/// (method, path, body, roles allowed, status when allowed).
const WRITES: &[(&str, &str, &str, u16)] = &[
    (
        "POST",
        "/api/v1/records",
        r#"{"kind": "awareness", "office": "ia", "start": "2026-05-02", "title": "Brief"}"#,
        201,
    ),
    (
        "POST",
        "/api/v1/records/import",
        r#"[{"kind": "sbd", "office": "std", "start": "2026-05-03", "organisation": "Maker", "country": "FR"}]"#,
        200,
    ),
    (
        "POST",
        "/api/v1/deconfliction/run",
        r#"{"window": 20}"#,
        200,
    ),
    (
        "PUT",
        "/api/v1/measures/targets",
        r#"{"measure": "3.2b", "quarter": "2026Q2", "target": 4}"#,
        200,
    ),
    (
        "POST",
        "/api/v1/measures/targets/import",
        r#"[{"measure": "3.2b", "quarter": "2026Q3", "target": 5}, {"measure": "2.3b", "quarter": "2026Q3", "target": 70}]"#,
        200,
    ),
];

const READS: &[&str] = &[
    "/api/v1/records",
    "/api/v1/deconfliction/flags",
    "/api/v1/measures?quarter=2026Q2",
    "/api/v1/measures/3.2b?quarter=2026Q2",
    "/api/v1/measures/review?quarter=2026Q2",
    "/api/v1/measures/targets",
];

fn send(world: &World, role: Role, method: &str, path: &str, body: &str) -> crate::common::Reply {
    let bearer = format!("Bearer {}", world.token(role));
    call(
        method,
        &world.hub.url(path),
        &[("Authorization", &bearer)],
        body,
    )
}

#[test]
fn coord_register_routes_allow_admins_and_coordinators_to_write_and_staff_to_read() {
    for db in test_support::backends("hub coord roles") {
        let world = World::new(&db);
        for (method, path, body, ok) in WRITES {
            for role in Role::ALL {
                let reply = send(&world, role, method, path, body);
                let expected = match role {
                    Role::Admin | Role::Coordinator => *ok,
                    Role::Analyst | Role::Partner => 403,
                };
                assert_eq!(
                    reply.status, expected,
                    "[{}] {role} {method} {path}: {:?}",
                    db.name, reply.body
                );
            }
        }
        for path in READS {
            for role in Role::ALL {
                let reply = world.get(role, path);
                let expected = if role == Role::Partner { 403 } else { 200 };
                assert_eq!(reply.status, expected, "[{}] {role} GET {path}", db.name);
            }
        }
        // Two awareness products in 2026Q2, one per allowed writer, none before; the target is
        // set: below it, but up on the previous quarter.
        let m = world.get(Role::Analyst, "/api/v1/measures/3.2b?quarter=2026Q2");
        assert_eq!(m.body["value"], 2.0, "[{}] {:?}", db.name, m.body);
        assert_eq!(m.body["records"], json!(["AWR-000001", "AWR-000002"]));
        let review = world.get(Role::Analyst, "/api/v1/measures/review?quarter=2026Q2");
        let row = review.body["measures"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["measure"] == "3.2b"))
            .expect("3.2b in the review")
            .clone();
        assert_eq!(
            (row["target"].clone(), row["status"].clone()),
            (json!(4.0), json!("improving"))
        );
        // The annual plan: imported whole, or refused whole with each problem's line.
        let targets = world.get(Role::Analyst, "/api/v1/measures/targets");
        assert!(
            targets.body.as_array().is_some_and(|all| all
                .iter()
                .any(|t| t == &json!({"measure": "2.3b", "quarter": "2026Q3", "target": 70.0}))),
            "[{}] {:?}",
            db.name,
            targets.body
        );
        let bearer = format!("Bearer {}", world.token(Role::Coordinator));
        let refused = call(
            "POST",
            &world.hub.url("/api/v1/measures/targets/import"),
            &[("Authorization", &bearer), ("Content-Type", "text/csv")],
            "measure,quarter,target\n2.3b,2026Q4,75\n2.3b,2026Q4,175\n",
        );
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        assert_eq!(refused.body["errors"][0]["pointer"], "body.csv:3:/target");
        let after = world.get(Role::Analyst, "/api/v1/measures/targets");
        assert_eq!(after.body, targets.body, "[{}] nothing stored", db.name);
    }
}

#[test]
fn coord_register_records_flags_and_paging_over_rest() {
    for db in test_support::backends("hub coord flow") {
        let world = World::new(&db);
        // Of different types, so that two offices' activities collide without being duplicates.
        let activity = |office: &str, start: &str| {
            let kind = if office == "ops" {
                "engagement"
            } else {
                "policy-dialogue"
            };
            json!({"kind": "activity", "office": office, "start": start, "end": start,
                   "title": "Visit", "type": kind, "partners": ["cert-de"],
                   "objectives": ["2.1"], "status": "planned"})
            .to_string()
        };
        let bad = send(&world, Role::Coordinator, "POST", "/api/v1/records",
            &json!({"kind": "activity", "office": "ops", "start": "2026-13-01", "title": "x",
                    "type": "engagement", "partners": ["p"], "objectives": ["9.9"], "status": "planned"}).to_string());
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
        let pointers: Vec<&str> = bad.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("pointer"))
            .collect();
        assert_eq!(
            pointers,
            ["/start", "/end", "/objectives/0"],
            "[{}]",
            db.name
        );
        for (office, start) in [
            ("ops", "2026-05-01"),
            ("policy", "2026-05-01"),
            ("ops", "2026-09-01"),
        ] {
            let added = send(
                &world,
                Role::Coordinator,
                "POST",
                "/api/v1/records",
                &activity(office, start),
            );
            assert_eq!(added.status, 201, "[{}] {:?}", db.name, added.body);
        }
        let flags = world.get(Role::Analyst, "/api/v1/deconfliction/flags");
        let all = flags.body.as_array().expect("flags").clone();
        assert_eq!(all.len(), 1, "[{}] {all:?}", db.name);
        assert_eq!(
            (all[0]["activity_a"].clone(), all[0]["reason"].clone()),
            (json!("ACT-000001"), json!("overlap"))
        );
        let id = all[0]["id"].as_str().expect("id");
        let path = format!("/api/v1/deconfliction/flags/{id}/resolve");
        let refused = send(
            &world,
            Role::Analyst,
            "POST",
            &path,
            r#"{"resolution": "keep", "note": "n"}"#,
        );
        assert_eq!(refused.status, 403);
        let kept = send(
            &world,
            Role::Coordinator,
            "POST",
            &path,
            r#"{"resolution": "keep", "note": "two audiences"}"#,
        );
        assert_eq!(
            (kept.status, kept.body["status"].clone()),
            (200, json!("resolved")),
            "[{}] {:?}",
            db.name,
            kept.body
        );
        let again = send(
            &world,
            Role::Coordinator,
            "POST",
            &path,
            r#"{"resolution": "keep", "note": "again"}"#,
        );
        assert_eq!(again.status, 409);
        // An edit through PUT keeps the flag resolved (same partner, still overlapping).
        let mut edited: serde_json::Value =
            serde_json::from_str(&activity("policy", "2026-05-01")).expect("json");
        edited["outcomes"] = json!("agreed");
        let put = send(
            &world,
            Role::Coordinator,
            "PUT",
            "/api/v1/records/ACT-000002",
            &edited.to_string(),
        );
        assert_eq!(put.status, 200, "[{}] {:?}", db.name, put.body);
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/deconfliction/flags").body[0]["status"],
            "resolved"
        );
        // Paging by start date: two pages of two and one.
        let first = world.get(Role::Analyst, "/api/v1/records?kind=activity&limit=2");
        let ids = |r: &crate::common::Reply| -> Vec<String> {
            r.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned())
                .collect()
        };
        assert_eq!(ids(&first), ["ACT-000001", "ACT-000002"], "[{}]", db.name);
        let cursor = first.body["next"].as_str().expect("a next page");
        let second = world.get(
            Role::Analyst,
            &format!("/api/v1/records?kind=activity&limit=2&cursor={cursor}"),
        );
        assert_eq!(ids(&second), ["ACT-000003"]);
        assert!(second.body["next"].is_null());
        let url = world.hub.url("/api/v1/records/ACT-000003");
        for (role, status) in [
            (Role::Analyst, 403),
            (Role::Partner, 403),
            (Role::Coordinator, 200),
            (Role::Admin, 404),
        ] {
            let bearer = format!("Bearer {}", world.token(role));
            let reply = call("DELETE", &url, &[("Authorization", &bearer)], "");
            assert_eq!(
                reply.status, status,
                "[{}] {role} DELETE: {:?}",
                db.name, reply.body
            );
        }
        let html = world.get(
            Role::Analyst,
            "/api/v1/measures/review?quarter=2026Q2&format=html",
        );
        assert_eq!(html.status, 200);
        assert!(
            html.body.as_str().is_some_and(|t| t.contains("<svg")),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn coord_register_imports_csv_over_rest_all_or_nothing_naming_line_and_field() {
    for db in test_support::backends("hub coord csv import") {
        let world = World::new(&db);
        let bearer = format!("Bearer {}", world.token(Role::Coordinator));
        let import = |body: &str| {
            call(
                "POST",
                &world.hub.url("/api/v1/records/import"),
                &[("Authorization", &bearer), ("Content-Type", "text/csv")],
                body,
            )
        };
        let header = "kind,office,start,end,organisation,country,title\n";
        let refused = import(&format!(
            "{header}sbd,std,2026-05-03,,Maker,FR,\nsbd,std,2026-05-04,,Other,XX,\nawareness,ia,2026-05-05,,,,Brief\n"
        ));
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        let pointers: Vec<&str> = refused.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert!(
            pointers.iter().all(|p| p.starts_with("body.csv:3")),
            "[{}] only line 3 is wrong: {pointers:?}",
            db.name
        );
        assert!(!pointers.is_empty(), "[{}]", db.name);
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/records").body["items"],
            json!([]),
            "[{}] nothing stored",
            db.name
        );
        let stored = import(&format!(
            "{header}sbd,std,2026-05-03,,Maker,FR,\nawareness,ia,2026-05-05,,,,Brief\n"
        ));
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        let ids: Vec<&str> = stored
            .body
            .as_array()
            .expect("records")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(ids, ["SBD-000001", "AWR-000001"], "[{}]", db.name);
        // JSON stays the default.
        let json_import = send(
            &world,
            Role::Coordinator,
            "POST",
            "/api/v1/records/import",
            r#"[{"kind": "awareness", "office": "ia", "start": "2026-05-06", "title": "Note"}]"#,
        );
        assert_eq!(
            json_import.status, 200,
            "[{}] {:?}",
            db.name, json_import.body
        );
    }
}
