//! Failure scenarios over REST on SQLite and PostgreSQL: saved, listed, run and deleted,
//! bad ones located, and who may do which (each role on every write).

use app::Role;
use serde_json::{Value, json};

use crate::admin::send;
use crate::common::call;
use crate::rest::World;

/// The failed assets of a run, by id.
fn failed(run: &Value) -> Vec<&str> {
    let mut failed: Vec<&str> = run["cascade"]["failed"]
        .as_array()
        .unwrap_or_else(|| panic!("a run: {run:?}"))
        .iter()
        .map(|f| f["asset"].as_str().expect("asset"))
        .collect();
    failed.sort_unstable();
    failed
}

#[test]
fn scenarios_are_saved_run_and_deleted() {
    for db in test_support::backends("hub rest scenarios") {
        let world = World::new(&db);
        let scenario = json!({"description": "the grid goes", "assets": ["net:grid"]});
        let bearer = format!("Bearer {}", world.token(Role::Analyst));
        let put = |path: &str, body: &Value| {
            send(
                "PUT",
                Some(world.token(Role::Analyst)),
                &world.hub.url(path),
                body,
            )
        };
        let saved = put("/api/v1/scenarios/grid", &scenario);
        assert_eq!(saved.0, 200, "[{}] {:?}", db.name, saved.1);
        assert_eq!(saved.1["name"], "grid");

        let listed = world.get(Role::Coordinator, "/api/v1/scenarios");
        assert_eq!(listed.body["items"][0]["name"], "grid", "[{}]", db.name);
        let shown = world.get(Role::Coordinator, "/api/v1/scenarios/grid");
        assert_eq!(shown.body["assets"], json!(["net:grid"]));

        let ran = world.post(Role::Analyst, "/api/v1/scenarios/grid/run", "");
        assert_eq!(ran.status, 200, "[{}] {:?}", db.name, ran.body);
        assert_eq!(ran.body["initial"], 1);
        assert_eq!(
            failed(&ran.body),
            ["net:grid", "plant:ohio-1"],
            "[{}]",
            db.name
        );
        let given = world.post(
            Role::Analyst,
            "/api/v1/analysis/scenario",
            &json!({"countries": ["na"]}).to_string(),
        );
        assert_eq!(given.status, 200, "[{}] {:?}", db.name, given.body);
        assert_eq!(given.body["initial"], 0, "country codes are upper case");
        let given = world.post(
            Role::Analyst,
            "/api/v1/analysis/scenario",
            &json!({"countries": ["NA"]}).to_string(),
        );
        assert_eq!(given.body["initial"], 2, "[{}] {:?}", db.name, given.body);

        let bad = put(
            "/api/v1/scenarios/bad",
            &json!({"assets": ["net:grid", "nowhere"], "countries": ["XX"]}),
        );
        assert_eq!(bad.0, 422, "[{}] {:?}", db.name, bad.1);
        let pointers: Vec<&str> = bad.1["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert_eq!(pointers, ["/countries/0", "/assets/1"]);
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/scenarios/bad").status,
            404
        );
        let unknown = put("/api/v1/scenarios/x", &json!({"asets": []}));
        assert_eq!(unknown.0, 422, "[{}] {:?}", db.name, unknown.1);

        let deleted = call(
            "DELETE",
            &world.hub.url("/api/v1/scenarios/grid"),
            &[("Authorization", &bearer)],
            "",
        );
        assert_eq!(deleted.status, 204, "[{}] {:?}", db.name, deleted.body);
        assert_eq!(
            world.get(Role::Analyst, "/api/v1/scenarios/grid").status,
            404
        );
        let audit = world.get(Role::Admin, "/api/v1/audit?limit=1000");
        let actions: Vec<&str> = audit
            .body
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"scenario.save") && actions.contains(&"scenario.delete"));
    }
}

#[test]
fn every_role_on_every_scenario_write() {
    for db in test_support::backends("hub rest scenario roles") {
        let world = World::new(&db);
        let body = json!({"assets": ["net:grid"]});
        for role in Role::ALL {
            let token = world.token(role);
            let allowed = matches!(role, Role::Admin | Role::Analyst);
            let name = format!("s-{role}");
            let url = |path: &str| world.hub.url(path);
            let (status, answer) = send(
                "PUT",
                Some(token),
                &url(&format!("/api/v1/scenarios/{name}")),
                &body,
            );
            assert_eq!(
                status,
                if allowed { 200 } else { 403 },
                "[{}] {role}: {answer}",
                db.name
            );
            // The others' writes act on the admin's scenario.
            let target = if allowed { name } else { "s-admin".to_owned() };
            for (method, path, ok) in [
                ("POST", format!("/api/v1/scenarios/{target}/run"), 200),
                ("POST", "/api/v1/analysis/scenario".to_owned(), 200),
                ("DELETE", format!("/api/v1/scenarios/{target}"), 204),
            ] {
                let (status, answer) = send(method, Some(token), &url(&path), &body);
                let expected = if allowed { ok } else { 403 };
                assert_eq!(
                    status, expected,
                    "[{}] {role} {method} {path}: {answer}",
                    db.name
                );
            }
            let partner = send(
                "PUT",
                Some(&world.partner),
                &url("/api/v1/scenarios/p"),
                &body,
            );
            assert_eq!(partner.0, 403, "[{}] the partner token", db.name);
        }
    }
}
