//! The analysis routes of the REST API on SQLite and PostgreSQL: the stored ranking served as
//! stored (not recomputed), its paging and filters, explanations, storing a ranking (audited),
//! and who may call which route.

use app::Role;
use serde_json::json;

use crate::common::call;
use crate::rest::World;

/// The assets of a page of a ranking, in order.
fn assets(reply: &crate::common::Reply) -> Vec<&str> {
    reply.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {:?}", reply.body))
        .iter()
        .map(|r| r["asset"].as_str().expect("asset"))
        .collect()
}

/// Makes two US assets supporting an NCF depend on the foreign ones, so that these have an
/// impact.
fn depend_on_foreign(world: &World) {
    let us = |id: &str, name: &str, kind: &str| {
        json!({"id": id, "name": name, "kind": kind, "country": "US", "sectors": ["ENERGY"],
               "ncfs": ["NCF-C03"], "products": [format!("cpe:2.3:a:acme:{id}:1.0")]})
    };
    let body = json!({"assets": [us("net:grid", "Grid", "network"),
                                 us("plant:ohio-2", "Ohio Annex", "facility")],
        "dependencies": [
        {"dependent": "net:grid", "provider": "cable:wacs"},
        {"dependent": "plant:ohio-2", "provider": "port:walvis"},
    ]});
    let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
    assert_eq!(imported.status, 200, "{:?}", imported.body);
}

#[test]
fn the_stored_ranking_is_served_as_stored() {
    for db in test_support::backends("hub rest rank") {
        let world = World::new(&db);
        let none = world.get(Role::Analyst, "/api/v1/rank");
        assert_eq!(none.status, 404, "[{}] {:?}", db.name, none.body);
        depend_on_foreign(&world);

        let stored = world.post(Role::Analyst, "/api/v1/rank", "");
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        assert_eq!(stored.body["entries"], 2);
        assert_eq!(stored.body["compared"], false);
        let run = stored.body["run"].as_i64().expect("run id");

        let page = world.get(Role::Coordinator, "/api/v1/rank");
        assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
        assert_eq!(page.body["run"]["id"], run);
        assert_eq!(page.body["total"], 2);
        assert_eq!(page.body["next"], serde_json::Value::Null);
        let first = &page.body["items"][0];
        assert_eq!(first["rank"], 1);
        assert_eq!(first["previous_rank"], serde_json::Value::Null);
        assert_eq!(first["movement"], serde_json::Value::Null);
        assert!(first["impact"].as_f64().expect("impact") > 0.0);
        assert_eq!(first["exposure"], 0.0);
        assert_eq!(first["threat"], 0.0);
        assert_eq!(first["priority"], first["impact"]);
        let impacts: Vec<_> = page.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| (r["asset"].clone(), r["impact"].clone()))
            .collect();

        // The atlas changes: a new foreign asset the grid needs as well. The stored ranking
        // is served unchanged until a new one is stored.
        let body = json!({
            "assets": [{"id": "sat:one", "name": "Sat", "kind": "network", "country": "NA"}],
            "dependencies": [{"dependent": "net:grid", "provider": "sat:one"},
                             {"dependent": "plant:ohio-1", "provider": "sat:one"}],
        });
        let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
        assert_eq!(imported.status, 200, "{:?}", imported.body);
        let again = world.get(Role::Analyst, "/api/v1/rank");
        assert_eq!(again.body["total"], 2, "[{}] {:?}", db.name, again.body);
        let impacts_again: Vec<_> = again.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| (r["asset"].clone(), r["impact"].clone()))
            .collect();
        assert_eq!(impacts, impacts_again, "[{}] not recomputed", db.name);

        let newer = world.post(Role::Admin, "/api/v1/rank", "");
        assert_eq!(newer.status, 200, "[{}] {:?}", db.name, newer.body);
        assert_eq!(newer.body["entries"], 3);
        assert_eq!(newer.body["compared"], true);
        let latest = world.get(Role::Analyst, "/api/v1/rank");
        assert_eq!(latest.body["total"], 3);
        assert_eq!(latest.body["previous_run"], run);
        assert!(
            assets(&latest).contains(&"sat:one"),
            "[{}] {:?}",
            db.name,
            latest.body
        );
        let history = world.get(Role::Coordinator, "/api/v1/rank/sat:one/history");
        assert_eq!(history.status, 200, "[{}] {:?}", db.name, history.body);
        assert_eq!(history.body[0]["run"], run);
        assert_eq!(history.body[0]["rank"], serde_json::Value::Null);
        assert!(history.body[1]["rank"].is_u64(), "{:?}", history.body);
        let old = world.get(Role::Analyst, &format!("/api/v1/rank?run={run}"));
        assert_eq!(old.body["total"], 2, "[{}] {:?}", db.name, old.body);

        // Paging: by cursor and by offset, the same rows in the same order.
        let mut seen = Vec::new();
        let mut path = "/api/v1/rank?limit=2".to_owned();
        loop {
            let page = world.get(Role::Analyst, &path);
            assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
            seen.extend(assets(&page).into_iter().map(str::to_owned));
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/rank?limit=2&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(seen, assets(&latest), "[{}]", db.name);
        let second = world.get(Role::Analyst, "/api/v1/rank?offset=1&limit=1");
        assert_eq!(assets(&second), [seen[1].as_str()]);
        assert_eq!(second.body["items"][0]["rank"], 2);

        // Filters.
        let comms = world.get(Role::Analyst, "/api/v1/rank?sector=COMMS");
        assert_eq!(
            assets(&comms),
            ["cable:wacs"],
            "[{}] {:?}",
            db.name,
            comms.body
        );
        let networks = world.get(Role::Analyst, "/api/v1/rank?kind=network&country=NA");
        let mut found = assets(&networks);
        found.sort_unstable();
        assert_eq!(found, ["cable:wacs", "sat:one"]);
        assert_eq!(networks.body["total"], 2);

        for (bad, pointer) in [
            ("limit=0", "/limit"),
            ("limit=1001", "/limit"),
            ("cursor=%21%21", "/cursor"),
            ("cursor=eA&offset=1", "/offset"),
        ] {
            let reply = world.get(Role::Analyst, &format!("/api/v1/rank?{bad}"));
            assert_eq!(reply.status, 422, "[{}] {bad}: {:?}", db.name, reply.body);
            assert_eq!(reply.body["errors"][0]["pointer"], pointer, "{bad}");
        }
        let missing = world.get(Role::Analyst, "/api/v1/rank?run=999999");
        assert_eq!(missing.status, 404);

        // Storing a ranking is audited.
        let mut store = store::Store::open(&db.url).expect("store");
        let entries = app::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("ranking.store".to_owned()),
                limit: 100,
                ..Default::default()
            },
        )
        .expect("audit");
        assert_eq!(entries.len(), 2, "[{}] {entries:?}", db.name);
        assert_eq!(entries[0].actor, "user:analyst");
        assert_eq!(entries[1].actor, "user:admin");
    }
}

#[test]
fn explain_gives_the_factors_and_what_is_behind_them() {
    for db in test_support::backends("hub rest explain") {
        let world = World::new(&db);
        depend_on_foreign(&world);
        let stored = world.post(Role::Analyst, "/api/v1/rank", "");
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        let explained = world.get(Role::Coordinator, "/api/v1/rank/port:walvis/explain");
        assert_eq!(explained.status, 200, "[{}] {:?}", db.name, explained.body);
        let e = &explained.body;
        assert_eq!(e["asset"], "port:walvis");
        assert_eq!(e["country"], "NA");
        assert_eq!(e["foreign"], true);
        assert_eq!(e["stored"]["asset"], "port:walvis");
        assert_eq!(e["domestic_down"], json!(["plant:ohio-2"]));
        assert_eq!(e["failed_with"], 1);
        assert!(e["impact"].as_f64().expect("impact") > 0.0);
        assert!(e["ncfs"].as_array().is_some_and(|n| !n.is_empty()), "{e:?}");
        assert_eq!(e["findings"], json!([]));
        assert_eq!(e["incidents"], json!([]));
        let missing = world.get(Role::Analyst, "/api/v1/rank/nope/explain");
        assert_eq!(missing.status, 404, "[{}] {:?}", db.name, missing.body);
        assert_eq!(missing.body["code"], "asset_not_found");
    }
}

#[test]
fn the_analyses_follow_atlas_imports() {
    for db in test_support::backends("hub rest analyses cache") {
        let world = World::new(&db);
        depend_on_foreign(&world);
        let failed = || {
            let cascade = world.post(
                Role::Analyst,
                "/api/v1/analysis/cascade",
                r#"{"assets": ["cable:wacs"]}"#,
            );
            assert_eq!(cascade.status, 200, "[{}] {:?}", db.name, cascade.body);
            let mut failed: Vec<String> = cascade.body["failed"]
                .as_array()
                .expect("failed")
                .iter()
                .map(|f| f["asset"].as_str().expect("asset").to_owned())
                .collect();
            failed.sort();
            failed
        };
        let before = failed();
        assert_eq!(before, failed(), "[{}] the same atlas", db.name);
        assert!(!before.contains(&"plant:ohio-2".to_owned()), "{before:?}");

        let body = json!({"assets": [],
                          "dependencies": [{"dependent": "plant:ohio-2", "provider": "cable:wacs"}]});
        let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
        assert_eq!(imported.status, 200, "{:?}", imported.body);
        let after = failed();
        assert!(
            after.contains(&"plant:ohio-2".to_owned()),
            "[{}] {after:?}",
            db.name
        );
        let explained = world.get(Role::Analyst, "/api/v1/rank/cable:wacs/explain");
        assert_eq!(explained.status, 200, "[{}] {:?}", db.name, explained.body);
        assert_eq!(explained.body["failed_with"], after.len() - 1);
    }
}

#[test]
fn the_analyses_answer_within_bounds() {
    for db in test_support::backends("hub rest analyses") {
        let world = World::new(&db);
        depend_on_foreign(&world);
        let summary = world.get(Role::Coordinator, "/api/v1/analysis/summary");
        assert_eq!(summary.status, 200, "[{}] {:?}", db.name, summary.body);
        assert_eq!(summary.body["assets"], 5);
        assert_eq!(summary.body["dependencies"], 3);
        assert_eq!(summary.body["foreign"], 2);

        let spof = world.get(Role::Analyst, "/api/v1/analysis/spof");
        assert_eq!(spof.status, 200, "[{}] {:?}", db.name, spof.body);
        let spofs: Vec<&str> = spof
            .body
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["asset"].as_str().expect("asset"))
            .collect();
        assert!(spofs.contains(&"port:walvis"), "{spofs:?}");

        let exposure = world.get(
            Role::Analyst,
            "/api/v1/analysis/exposure?target=plant:ohio-2",
        );
        assert_eq!(exposure.status, 200, "[{}] {:?}", db.name, exposure.body);
        assert_eq!(exposure.body[0]["asset"], "port:walvis");
        assert_eq!(exposure.body[0]["single_point_of_failure"], true);
        let unknown = world.get(Role::Analyst, "/api/v1/analysis/exposure?target=nowhere");
        assert_eq!(unknown.status, 422, "{:?}", unknown.body);
        assert_eq!(unknown.body["errors"][0]["pointer"], "/target");

        let cascade = world.post(
            Role::Analyst,
            "/api/v1/analysis/cascade",
            r#"{"assets": ["cable:wacs"]}"#,
        );
        assert_eq!(cascade.status, 200, "[{}] {:?}", db.name, cascade.body);
        let failed: Vec<&str> = cascade.body["failed"]
            .as_array()
            .expect("failed")
            .iter()
            .map(|f| f["asset"].as_str().expect("asset"))
            .collect();
        assert!(failed.contains(&"net:grid"), "{failed:?}");
        assert!(cascade.body["impact"].as_f64().expect("impact") > 0.0);
        let missing = world.post(
            Role::Analyst,
            "/api/v1/analysis/cascade",
            r#"{"assets": ["nope"]}"#,
        );
        assert_eq!(missing.status, 404, "{:?}", missing.body);
        let too_many = json!({"assets": vec!["cable:wacs"; 1001]}).to_string();
        for (body, pointer) in [
            (r#"{"assets": []}"#, "/assets"),
            (too_many.as_str(), "/assets"),
            ("[1, 2", ""),
        ] {
            let reply = world.post(Role::Analyst, "/api/v1/analysis/cascade", body);
            assert_eq!(reply.status, 422, "[{}] {:?}", db.name, reply.body);
            assert_eq!(reply.body["errors"][0]["pointer"], pointer);
        }

        let mc = |body: &str| world.post(Role::Analyst, "/api/v1/analysis/montecarlo", body);
        let one = mc(r#"{"trials": 200, "seed": 7, "foreign_probability": 0.5}"#);
        assert_eq!(one.status, 200, "[{}] {:?}", db.name, one.body);
        assert_eq!(one.body["trials"], 200);
        assert_eq!(
            one.body,
            mc(r#"{"trials": 200, "seed": 7, "foreign_probability": 0.5}"#).body,
            "seeded: reproducible"
        );
        assert_eq!(mc(r#"{"scored": true}"#).status, 200);
        let refused = mc(r#"{"trials": 100001, "foreign_probability": 2}"#);
        assert_eq!(refused.status, 422, "{:?}", refused.body);
        assert_eq!(refused.body["errors"][0]["pointer"], "/trials");
        assert_eq!(refused.body["errors"][1]["pointer"], "/foreign_probability");

        let pairs = world.post(Role::Analyst, "/api/v1/analysis/contingency", "{}");
        assert_eq!(pairs.status, 200, "[{}] {:?}", db.name, pairs.body);
        assert!(
            pairs.body.as_array().is_some_and(|p| !p.is_empty()),
            "{:?}",
            pairs.body
        );
        let refused = world.post(
            Role::Analyst,
            "/api/v1/analysis/contingency",
            r#"{"top": 1000, "limit": 0}"#,
        );
        assert_eq!(refused.status, 422, "{:?}", refused.body);
        assert_eq!(refused.body["errors"][0]["pointer"], "/top");
        assert_eq!(refused.body["errors"][1]["pointer"], "/limit");

        let iim = world.get(Role::Coordinator, "/api/v1/analysis/iim");
        assert_eq!(iim.status, 200, "[{}] {:?}", db.name, iim.body);
        let sector = iim.body["sectors"][0]["sector"]
            .as_str()
            .expect("a sector")
            .to_owned();
        let perturbed = world.post(
            Role::Analyst,
            "/api/v1/analysis/iim",
            &json!({"perturb": {sector.clone(): 0.1}, "output": {sector: 100.0}, "steps": 3})
                .to_string(),
        );
        assert_eq!(perturbed.status, 200, "[{}] {:?}", db.name, perturbed.body);
        assert!(perturbed.body["dynamic"]["q"].as_array().is_some());
        for (body, pointer) in [
            (r#"{"perturb": {"FARMING": 0.1}}"#, "/perturb"),
            (r#"{"steps": 1001}"#, "/steps"),
        ] {
            let reply = world.post(Role::Analyst, "/api/v1/analysis/iim", body);
            assert_eq!(reply.status, 422, "[{}] {body}: {:?}", db.name, reply.body);
            assert_eq!(reply.body["errors"][0]["pointer"], pointer);
        }
    }
}

#[test]
fn an_unknown_rank_filter_lists_the_valid_values() {
    for db in test_support::backends("hub rest rank filters") {
        let world = World::new(&db);
        depend_on_foreign(&world);
        let stored = world.post(Role::Analyst, "/api/v1/rank", "");
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        let found = world.get(Role::Analyst, "/api/v1/rank?country=na&kind=FACILITY");
        assert_eq!(found.status, 200, "[{}] {:?}", db.name, found.body);
        assert_eq!(assets(&found), ["port:walvis"], "[{}]", db.name);
        for (query, pointer, valid) in [
            ("country=XX", "/country", "NA"),
            ("sector=FARMING", "/sector", "ENERGY"),
            ("ncf=NCF-Z99", "/ncf", "NCF-C03"),
            ("kind=spaceport", "/kind", "facility"),
        ] {
            let reply = world.get(Role::Analyst, &format!("/api/v1/rank?{query}"));
            assert_eq!(reply.status, 422, "[{}] {query}: {:?}", db.name, reply.body);
            let problem = &reply.body["errors"][0];
            assert_eq!(problem["pointer"], pointer, "[{}] {query}", db.name);
            let message = problem["message"].as_str().expect("message");
            assert!(
                message.contains("valid values") && message.contains(valid),
                "{message}"
            );
        }
    }
}

#[test]
fn percolation_is_bounded_and_reproducible() {
    for db in test_support::backends("hub rest percolation") {
        let world = World::new(&db);
        let request = r#"{"nodes": 2000, "mean_degree": 5, "realisations": 2, "seed": 3}"#;
        let first = world.post(Role::Analyst, "/api/v1/analysis/percolation", request);
        assert_eq!(first.status, 200, "[{}] {:?}", db.name, first.body);
        let p_c = first.body["p_c"].as_f64().expect("p_c");
        assert!(p_c > 0.0 && p_c < 1.0, "{p_c}");
        let again = world.post(Role::Analyst, "/api/v1/analysis/percolation", request);
        assert_eq!(
            again.body["p_c_each"], first.body["p_c_each"],
            "the seed decides"
        );
        for (body, pointer) in [
            (r#"{"nodes": 10}"#, "/nodes"),
            (r#"{"mean_degree": 0}"#, "/mean_degree"),
            (r#"{"realisations": 65}"#, "/realisations"),
        ] {
            let reply = world.post(Role::Analyst, "/api/v1/analysis/percolation", body);
            assert_eq!(reply.status, 422, "[{}] {body}: {:?}", db.name, reply.body);
            assert_eq!(reply.body["errors"][0]["pointer"], pointer);
        }
    }
}

/// Who may call which analysis route: (method, path, body, roles allowed).
const ROUTES: [(&str, &str, &str, &[Role]); 13] = [
    (
        "GET",
        "/api/v1/rank",
        "",
        &[Role::Admin, Role::Analyst, Role::Coordinator],
    ),
    (
        "GET",
        "/api/v1/rank/port:walvis/explain",
        "",
        &[Role::Admin, Role::Analyst, Role::Coordinator],
    ),
    ("POST", "/api/v1/rank", "", &[Role::Admin, Role::Analyst]),
    ("GET", "/api/v1/rank/port:walvis/history", "", READERS),
    ("GET", "/api/v1/analysis/summary", "", READERS),
    ("GET", "/api/v1/analysis/spof", "", READERS),
    (
        "GET",
        "/api/v1/analysis/exposure?target=net:grid",
        "",
        READERS,
    ),
    ("GET", "/api/v1/analysis/iim", "", READERS),
    (
        "POST",
        "/api/v1/analysis/cascade",
        r#"{"assets": ["net:grid"]}"#,
        RUNNERS,
    ),
    (
        "POST",
        "/api/v1/analysis/montecarlo",
        r#"{"trials": 10}"#,
        RUNNERS,
    ),
    ("POST", "/api/v1/analysis/contingency", "{}", RUNNERS),
    ("POST", "/api/v1/analysis/iim", "{}", RUNNERS),
    (
        "POST",
        "/api/v1/analysis/percolation",
        r#"{"nodes": 200, "realisations": 1}"#,
        RUNNERS,
    ),
];

const READERS: &[Role] = &[Role::Admin, Role::Analyst, Role::Coordinator];
const RUNNERS: &[Role] = &[Role::Admin, Role::Analyst];

#[test]
fn every_role_on_every_analysis_route() {
    for db in test_support::backends("hub rest analysis roles") {
        let world = World::new(&db);
        let first = world.post(Role::Admin, "/api/v1/rank", "");
        assert_eq!(first.status, 200, "[{}] {:?}", db.name, first.body);
        for (method, path, body, allowed) in ROUTES {
            let url = world.hub.url(path);
            let anonymous = call(method, &url, &[], body);
            assert_eq!(anonymous.status, 401, "[{}] {method} {path}", db.name);
            let partner_token = format!("Bearer {}", world.partner);
            let by_partner = call(method, &url, &[("Authorization", &partner_token)], body);
            assert_eq!(
                by_partner.status, 403,
                "[{}] partner token {method} {path}",
                db.name
            );
            for role in Role::ALL {
                let bearer = format!("Bearer {}", world.token(role));
                let reply = call(method, &url, &[("Authorization", &bearer)], body);
                let expected = if allowed.contains(&role) { 200 } else { 403 };
                assert_eq!(
                    reply.status, expected,
                    "[{}] {role} {method} {path}: {:?}",
                    db.name, reply.body
                );
            }
        }
    }
}
