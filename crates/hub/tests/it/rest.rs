//! The REST API under /api/v1 through a real server on 127.0.0.1, on SQLite and PostgreSQL:
//! authentication (user and partner tokens, the session cookie and its CSRF token), who may
//! call which route, the atlas routes, the OpenAPI document (a snapshot) and its reference page.

use std::collections::HashSet;

use app::Role;
use serde_json::{Value, json};
use store::Store;

use crate::common::{Hub, Reply, call, get_with, partner};

const JSON: &str = "application/json";

/// An atlas in Meridian JSON: five assets in two countries, one dependency.
pub(crate) fn atlas() -> String {
    let asset = |id: &str, name: &str, kind: &str, country: &str, sectors: &[&str]| {
        json!({"id": id, "name": name, "kind": kind, "country": country, "sectors": sectors,
               "products": [format!("cpe:2.3:a:acme:{id}:1.0")]})
    };
    json!({
        "assets": [
            asset("plant:ohio-1", "Ohio Plant", "facility", "US", &["ENERGY"]),
            asset("plant:ohio-2", "Ohio Annex", "facility", "US", &["ENERGY"]),
            asset("net:grid", "Grid", "network", "US", &["ENERGY", "COMMS"]),
            asset("port:walvis", "Walvis Bay", "facility", "NA", &["TRANS"]),
            asset("cable:wacs", "WACS", "network", "NA", &["COMMS"]),
        ],
        "dependencies": [{"dependent": "plant:ohio-1", "provider": "net:grid"}],
    })
    .to_string()
}

/// Adds a user of `role` (a partner user speaks for `cert-de`) and returns an API token.
pub(crate) fn user(store: &mut Store, name: &str, role: Role) -> String {
    let partner = (role == Role::Partner).then_some("cert-de");
    user_of(store, name, role, partner)
}

/// Adds a user of `role` speaking for `partner` (a partner user) and returns an API token.
pub(crate) fn user_of(store: &mut Store, name: &str, role: Role, partner: Option<&str>) -> String {
    let admin = app::Actor::Local("test".to_owned());
    app::users::add(
        store,
        &admin,
        app::users::NewUser {
            name: name.to_owned(),
            role,
            partner: partner.map(str::to_owned),
            password: format!("{name}-password-long-enough"),
        },
    )
    .expect("add user");
    app::users::issue_token(store, &admin, name, "test")
        .expect("token")
        .token
}

/// A hub over `db` with the partner `cert-de` (its token), one user per role (theirs, by
/// role name) and the atlas imported.
pub(crate) struct World {
    pub(crate) hub: Hub,
    pub(crate) partner: String,
    tokens: Vec<(Role, String)>,
}

impl World {
    pub(crate) fn new(db: &test_support::TestDb) -> World {
        World::with(db, |_| {})
    }

    /// A world whose server runs with `adjust`ed options.
    pub(crate) fn with(
        db: &test_support::TestDb,
        adjust: impl FnOnce(&mut hub::ServeOptions),
    ) -> World {
        let mut store = Store::open(&db.url).expect("store");
        let partner = partner(&mut store, "cert-de");
        let tokens = Role::ALL
            .into_iter()
            .map(|role| (role, user(&mut store, role.as_str(), role)))
            .collect();
        drop(store);
        let world = World {
            hub: Hub::start_with(&db.url, adjust),
            partner,
            tokens,
        };
        let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &atlas());
        // A server that waits for no synchronous call answers with the import's job.
        let imported = match imported.status {
            202 => {
                let location = imported.header("Location").expect("Location").to_owned();
                let job = world.job(Role::Analyst, &location);
                assert_eq!(job["state"], "succeeded", "[{}] {job:?}", db.name);
                job["result"].clone()
            }
            _ => {
                assert_eq!(imported.status, 200, "[{}] {:?}", db.name, imported.body);
                imported.body
            }
        };
        assert_eq!(imported["assets"]["created"], 5);
        world
    }

    /// Polls the job at `location` as `role` until it is over; the job.
    pub(crate) fn job(&self, role: Role, location: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let job = self.get(role, location);
            assert_eq!(job.status, 200, "{location}: {:?}", job.body);
            if matches!(job.body["state"].as_str(), Some("succeeded" | "failed")) {
                return job.body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the job never ended: {:?}",
                job.body
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub(crate) fn token(&self, role: Role) -> &str {
        &self
            .tokens
            .iter()
            .find(|(r, _)| *r == role)
            .expect("a user per role")
            .1
    }

    pub(crate) fn get(&self, role: Role, path: &str) -> Reply {
        get_with(&self.hub.url(path), Some(self.token(role)), JSON)
    }

    pub(crate) fn post(&self, role: Role, path: &str, body: &str) -> Reply {
        let bearer = format!("Bearer {}", self.token(role));
        call(
            "POST",
            &self.hub.url(path),
            &[("Authorization", &bearer)],
            body,
        )
    }
}

/// The ids of a page of assets.
fn ids(reply: &Reply) -> Vec<&str> {
    reply.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {:?}", reply.body))
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn assets_search_filters_case_insensitively_and_refuses_unknown_values() {
    for db in test_support::backends("hub rest search") {
        let world = World::new(&db);
        let check = |query: &str, expected: &[&str]| {
            let found = world.get(Role::Coordinator, &format!("/api/v1/assets?{query}"));
            assert_eq!(found.status, 200, "[{}] {query}: {:?}", db.name, found.body);
            assert_eq!(ids(&found), expected, "[{}] {query}", db.name);
        };
        check(
            "",
            &[
                "cable:wacs",
                "net:grid",
                "plant:ohio-1",
                "plant:ohio-2",
                "port:walvis",
            ],
        );
        check("country=na", &["cable:wacs", "port:walvis"]);
        check("sector=comms&kind=NETWORK", &["cable:wacs", "net:grid"]);
        check("q=OHIO", &["plant:ohio-1", "plant:ohio-2"]);
        check("product=ACME:NET", &["net:grid"]);
        check("foreign=true", &["cable:wacs", "port:walvis"]);
        check("q=ohio&country=NA", &[]);

        let refused = world.get(Role::Analyst, "/api/v1/assets?sector=farming&country=xx");
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        assert_eq!(refused.body["code"], "invalid");
        assert_eq!(refused.body["errors"][0]["pointer"], "/country");
        assert_eq!(refused.body["errors"][1]["pointer"], "/sector");
        let message = refused.body["errors"][1]["message"]
            .as_str()
            .expect("message");
        assert!(
            message.contains("ENERGY"),
            "the valid sectors are listed: {message}"
        );
        for bad in ["limit=0", "limit=1001", "cursor=%21%21"] {
            let reply = world.get(Role::Analyst, &format!("/api/v1/assets?{bad}"));
            assert_eq!(reply.status, 422, "[{}] {bad}: {:?}", db.name, reply.body);
        }
    }
}

/// A user token is verified once and then remembered by the server (no argon2 and no write
/// per request): repeated requests pass, a token differing only in its secret never rides on
/// the remembered one, and the store half re-reads the row, so a revoked token fails even
/// with the hash it was verified against.
#[test]
fn user_tokens_are_remembered_only_for_the_exact_token() {
    for db in test_support::backends("hub rest user token cache") {
        let world = World::new(&db);
        for _ in 0..3 {
            let page = world.get(Role::Admin, "/api/v1/assets?limit=2");
            assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
        }
        let token = world.token(Role::Admin).to_owned();
        let last = token.chars().last().expect("a token");
        let forged = format!(
            "{}{}",
            &token[..token.len() - 1],
            if last == 'A' { 'B' } else { 'A' }
        );
        let refused = get_with(
            &world.hub.url("/api/v1/assets?limit=2"),
            Some(&forged),
            JSON,
        );
        assert_eq!(refused.status, 401, "[{}] {:?}", db.name, refused.body);
        let again = world.get(Role::Admin, "/api/v1/assets?limit=2");
        assert_eq!(
            again.status, 200,
            "[{}] the right token still works",
            db.name
        );

        let mut store = Store::open(&db.url).expect("store");
        let (actor, hash) = app::users::authenticate_token_with(&mut store, &token, None)
            .expect("store")
            .expect("a valid token");
        assert_eq!(
            actor.audit_name(),
            app::users::authenticate_token(&mut store, &token)
                .expect("store")
                .expect("valid")
                .audit_name()
        );
        assert!(
            app::users::authenticate_token_with(&mut store, &forged, None)
                .expect("store")
                .is_none(),
            "[{}] a wrong secret fails argon2",
            db.name
        );
        let id = token
            .split('_')
            .nth(1)
            .expect("mru_<id>_<secret>")
            .to_owned();
        let admin = app::Actor::Local("test".to_owned());
        app::users::revoke_token(&mut store, &admin, "admin", &id).expect("revoke");
        assert!(
            app::users::authenticate_token_with(&mut store, &token, Some(&hash))
                .expect("store")
                .is_none(),
            "[{}] revoked, even with the hash it was verified against",
            db.name
        );
    }
}

#[test]
fn pages_walk_every_asset_once() {
    for db in test_support::backends("hub rest pages") {
        let world = World::new(&db);
        let mut seen = Vec::new();
        let mut path = "/api/v1/assets?limit=2".to_owned();
        loop {
            let page = world.get(Role::Admin, &path);
            assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
            assert!(ids(&page).len() <= 2);
            seen.extend(ids(&page).into_iter().map(str::to_owned));
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/assets?limit=2&cursor={next}"),
                None => break,
            }
        }
        let distinct: HashSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), 5, "[{}] {seen:?}", db.name);
        assert_eq!(distinct.len(), 5, "no duplicates: {seen:?}");
    }
}

#[test]
fn asset_detail_stats_and_export() {
    for db in test_support::backends("hub rest detail") {
        let world = World::new(&db);
        let shown = world.get(Role::Analyst, "/api/v1/assets/plant:ohio-1");
        assert_eq!(shown.status, 200, "[{}] {:?}", db.name, shown.body);
        assert_eq!(shown.body["asset"]["name"], "Ohio Plant");
        assert_eq!(shown.body["depends_on"][0]["provider"], "net:grid");
        assert_eq!(shown.body["foreign"], false);
        assert_eq!(shown.body["rank"], Value::Null);
        let grid = world.get(Role::Analyst, "/api/v1/assets/net:grid");
        assert_eq!(grid.body["dependents"][0]["dependent"], "plant:ohio-1");
        let missing = world.get(Role::Analyst, "/api/v1/assets/nope");
        assert_eq!(missing.status, 404);
        assert_eq!(missing.body["code"], "asset_not_found");

        let stats = world.get(Role::Coordinator, "/api/v1/stats");
        assert_eq!(stats.body["assets"], 5, "[{}] {:?}", db.name, stats.body);
        assert_eq!(stats.body["foreign"], 2);
        assert_eq!(
            stats.body["by_country"],
            json!([{"id": "NA", "assets": 2}, {"id": "US", "assets": 3}])
        );

        let exported = world.get(Role::Analyst, "/api/v1/atlas/export");
        assert_eq!(exported.status, 200);
        assert_eq!(exported.body["assets"].as_array().map(Vec::len), Some(5));
        let again = world.post(
            Role::Admin,
            "/api/v1/atlas/import",
            &exported.body.to_string(),
        );
        assert_eq!(again.status, 200, "{:?}", again.body);
        assert_eq!(
            again.body["assets"]["unchanged"], 5,
            "export reads back unchanged"
        );
    }
}

#[test]
fn import_is_all_or_nothing_with_pointers() {
    for db in test_support::backends("hub rest import") {
        let world = World::new(&db);
        let body = json!({
            "assets": [{"id": "new:1", "name": "New", "kind": "system", "country": "US"},
                       {"id": "new:2", "kind": "system", "country": "US", "weight": "heavy"}],
            "dependencies": [{"dependent": "new:1", "provider": "nowhere"}],
        });
        let refused = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        assert_eq!(refused.body["errors"][0]["pointer"], "/assets/1/weight");
        let dangling = json!({"assets": [{"id": "new:1", "name": "New", "kind": "system", "country": "US"}],
                              "dependencies": [{"dependent": "new:1", "provider": "nowhere"}]});
        let refused = world.post(Role::Analyst, "/api/v1/atlas/import", &dangling.to_string());
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        assert_eq!(
            refused.body["errors"][0]["pointer"],
            "/dependencies/0/provider"
        );
        let stats = world.get(Role::Analyst, "/api/v1/stats");
        assert_eq!(stats.body["assets"], 5, "nothing stored");
        let garbage = world.post(Role::Analyst, "/api/v1/atlas/import", "[1, 2");
        assert_eq!(garbage.status, 422);
    }
}

/// Who may call which atlas route: (method, path, roles allowed).
const ATLAS_ROUTES: [(&str, &str, &[Role]); 5] = [
    (
        "GET",
        "/api/v1/assets",
        &[Role::Admin, Role::Analyst, Role::Coordinator],
    ),
    (
        "GET",
        "/api/v1/assets/plant:ohio-1",
        &[Role::Admin, Role::Analyst, Role::Coordinator],
    ),
    (
        "GET",
        "/api/v1/stats",
        &[Role::Admin, Role::Analyst, Role::Coordinator],
    ),
    (
        "POST",
        "/api/v1/atlas/import",
        &[Role::Admin, Role::Analyst],
    ),
    ("GET", "/api/v1/atlas/export", &[Role::Admin, Role::Analyst]),
];

#[test]
fn every_role_on_every_atlas_route_and_the_partner_write_routes() {
    for db in test_support::backends("hub rest roles") {
        let world = World::new(&db);
        let empty = r#"{"assets": [], "dependencies": []}"#;
        for (method, path, allowed) in ATLAS_ROUTES {
            let url = world.hub.url(path);
            let anonymous = call(method, &url, &[], empty);
            assert_eq!(anonymous.status, 401, "[{}] {method} {path}", db.name);
            assert_eq!(anonymous.body["code"], "unauthorized");
            let partner_token = format!("Bearer {}", world.partner);
            let by_partner = call(method, &url, &[("Authorization", &partner_token)], empty);
            assert_eq!(
                by_partner.status, 403,
                "[{}] partner token {method} {path}",
                db.name
            );
            for role in Role::ALL {
                let bearer = format!("Bearer {}", world.token(role));
                let reply = call(method, &url, &[("Authorization", &bearer)], empty);
                let expected = if allowed.contains(&role) { 200 } else { 403 };
                assert_eq!(
                    reply.status, expected,
                    "[{}] {role} {method} {path}: {:?}",
                    db.name, reply.body
                );
            }
        }
        // The partner write routes: staff users are not partners.
        for role in [Role::Admin, Role::Analyst, Role::Coordinator] {
            for path in ["/api/v1/incidents", "/api/v1/notifications/N-1/acknowledge"] {
                let reply = world.post(role, path, "[]");
                assert_eq!(
                    reply.status, 403,
                    "[{}] {role} POST {path}: {:?}",
                    db.name, reply.body
                );
            }
        }
        // A partner user speaks for its partner: no notification N-1 for cert-de.
        let reply = world.post(Role::Partner, "/api/v1/notifications/N-1/acknowledge", "");
        assert_eq!(reply.status, 404, "[{}] {:?}", db.name, reply.body);
    }
}

/// The `meridian_session=…` pair of a Set-Cookie header.
fn cookie(reply: &Reply) -> String {
    let set = reply.header("set-cookie").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "no Secure over plain HTTP: {set}");
    set.split(';').next().expect("name=value").to_owned()
}

#[test]
fn session_login_csrf_and_logout() {
    for db in test_support::backends("hub rest session") {
        let world = World::new(&db);
        let url = world.hub.url("/api/v1/session");
        let wrong = call(
            "POST",
            &url,
            &[],
            r#"{"name": "analyst", "password": "nope"}"#,
        );
        assert_eq!(wrong.status, 401, "[{}] {:?}", db.name, wrong.body);
        let login = json!({"name": "analyst", "password": "analyst-password-long-enough"});
        let opened = call("POST", &url, &[], &login.to_string());
        assert_eq!(opened.status, 200, "[{}] {:?}", db.name, opened.body);
        assert_eq!(opened.body["actor"], "user:analyst");
        let csrf = opened.body["csrf"]
            .as_str()
            .expect("a CSRF token")
            .to_owned();
        let cookie = cookie(&opened);

        let me = call("GET", &url, &[("Cookie", &cookie)], "");
        assert_eq!(me.body["role"], "analyst");
        assert_eq!(me.body["csrf"], csrf.as_str());
        let read = call(
            "GET",
            &world.hub.url("/api/v1/stats"),
            &[("Cookie", &cookie)],
            "",
        );
        assert_eq!(read.status, 200, "a read needs no CSRF token");

        let import = world.hub.url("/api/v1/atlas/import");
        let empty = r#"{"assets": [], "dependencies": []}"#;
        let bare = call("POST", &import, &[("Cookie", &cookie)], empty);
        assert_eq!(bare.status, 403, "[{}] {:?}", db.name, bare.body);
        assert_eq!(bare.body["code"], "csrf_token_required");
        let forged = call(
            "POST",
            &import,
            &[("Cookie", &cookie), ("X-CSRF-Token", "forged")],
            empty,
        );
        assert_eq!(forged.status, 403);
        let written = call(
            "POST",
            &import,
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            empty,
        );
        assert_eq!(written.status, 200, "[{}] {:?}", db.name, written.body);

        let no_csrf = call("DELETE", &url, &[("Cookie", &cookie)], "");
        assert_eq!(no_csrf.status, 403);
        let closed = call(
            "DELETE",
            &url,
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            "",
        );
        assert_eq!(closed.status, 204, "[{}] {:?}", db.name, closed.body);
        let after = call("GET", &url, &[("Cookie", &cookie)], "");
        assert_eq!(after.status, 401, "the session has ended");
    }
}

/// A hub over a fresh SQLite file in `dir`.
fn fresh_hub(dir: &tempfile::TempDir) -> Hub {
    Hub::start(&dir.path().join("meridian.db").display().to_string())
}

/// The committed document, `crates/hub/tests/openapi.json`; `UPDATE_OPENAPI=1` rewrites it.
#[test]
fn openapi_document_matches_the_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = fresh_hub(&dir);
    let served = get_with(&hub.url("/api/v1/openapi.json"), None, JSON);
    assert_eq!(served.status, 200);
    assert_eq!(served.body["openapi"], "3.1.0");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi.json");
    let text = serde_json::to_string_pretty(&served.body).expect("json") + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &text).expect("writing the snapshot");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "the OpenAPI document differs from {}; review the change and rerun with UPDATE_OPENAPI=1",
        path.display()
    );
    let paths = served.body["paths"].as_object().expect("paths");
    for route in [
        "/api/v1/assets",
        "/api/v1/assets/{id}",
        "/api/v1/stats",
        "/api/v1/atlas/import",
        "/api/v1/atlas/export",
        "/api/v1/session",
        "/api/v1/notifications",
        "/api/v1/notifications/{id}/acknowledge",
        "/api/v1/notifications/{id}/mitigate",
        "/api/v1/notifications/{id}/exploited",
        "/api/v1/incidents",
        "/api/v1/rank",
        "/api/v1/rank/{asset}/explain",
        "/api/v1/rank/{asset}/history",
        "/api/v1/analysis/summary",
        "/api/v1/analysis/spof",
        "/api/v1/analysis/exposure",
        "/api/v1/analysis/cascade",
        "/api/v1/analysis/montecarlo",
        "/api/v1/analysis/contingency",
        "/api/v1/analysis/iim",
        "/api/v1/intel/documents",
        "/api/v1/findings",
        "/api/v1/findings/false-positives",
    ] {
        assert!(paths.contains_key(route), "{route} is documented");
    }
    let schemes = &served.body["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
}

/// Every `/api/v1` route the REST modules declare (`.route("PATH", get(a).post(b))`), each
/// method in lower case, read from their source.
fn declared_routes() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rest");
    let mut routes = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/rest") {
        let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("a source");
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join("");
        for piece in flat.split(".route(\"").skip(1) {
            let Some((path, rest)) = piece.split_once("\",") else {
                continue;
            };
            if !path.starts_with("/api/v1") {
                continue;
            }
            // The method chain ends where `.route(`'s own parenthesis closes.
            let (mut depth, mut name, mut chain) = (0usize, String::new(), Vec::new());
            for c in rest.chars() {
                match c {
                    '(' => {
                        if depth == 0 {
                            chain.push(std::mem::take(&mut name));
                        }
                        depth += 1;
                    }
                    ')' if depth == 0 => break,
                    ')' => depth -= 1,
                    '.' if depth == 0 => name.clear(),
                    c if depth == 0 => name.push(c),
                    _ => {}
                }
            }
            for method in chain {
                routes.push((path.to_owned(), method));
            }
        }
    }
    routes
}

/// No route of the REST API is missing from its OpenAPI document, so clients and schemathesis
/// see every one.
#[test]
fn every_rest_route_is_in_the_openapi_document() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = fresh_hub(&dir);
    let served = get_with(&hub.url("/api/v1/openapi.json"), None, JSON);
    let paths = served.body["paths"].as_object().expect("paths");
    let routes = declared_routes();
    assert!(routes.len() > 60, "the REST modules were read: {routes:?}");
    let missing: Vec<String> = routes
        .iter()
        .filter(|(path, method)| {
            // The document itself and its reference page.
            !["/api/v1/openapi.json", "/api/v1/docs"].contains(&path.as_str())
                && paths
                    .get(path.as_str())
                    .and_then(|p| p.get(method))
                    .is_none()
        })
        .map(|(path, method)| format!("{} {path}", method.to_uppercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the OpenAPI document: {missing:?}"
    );
}

#[test]
fn reference_page_is_rendered_without_scripts_under_a_strict_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = fresh_hub(&dir);
    let page = get_with(&hub.url("/api/v1/docs"), None, "text/html");
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").expect("a CSP");
    assert!(
        policy.starts_with("default-src 'none'; style-src 'sha256-"),
        "{policy}"
    );
    let Value::String(html) = &page.body else {
        panic!("an HTML page: {:?}", page.body);
    };
    assert!(!html.contains("<script"), "no script");
    for expected in [
        "<h2>atlas</h2>",
        "<h2>partners</h2>",
        "<h2>session</h2>",
        "<code>GET /api/v1/assets/{id}</code>",
        "<code>country</code>",
        "<h3 id=\"schema-AssetDto\">AssetDto</h3>",
        "<a href=\"#schema-ErrorDto\">ErrorDto</a>",
    ] {
        assert!(html.contains(expected), "{expected} in the page");
    }
}
