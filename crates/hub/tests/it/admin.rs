//! The administration routes of the REST API through a real server, on SQLite and PostgreSQL:
//! partners, collections, agreements and settings; every write by every role (as
//! `app::authz` says), its 422 with a pointer, and the write visible afterwards and in the
//! audit log.

use app::Role;
use serde_json::{Value, json};
use store::Store;

use crate::common::{Hub, partner};

/// A hub with the partner `cert-de` (its token) and one user per role, named by role.
struct World {
    hub: Hub,
    partner: String,
    tokens: Vec<(Role, String)>,
}

impl World {
    fn new(db: &test_support::TestDb) -> World {
        World::with(db, |_| {})
    }

    fn with(db: &test_support::TestDb, adjust: impl FnOnce(&mut hub::ServeOptions)) -> World {
        let mut store = Store::open(&db.url).expect("store");
        let partner = partner(&mut store, "cert-de");
        let admin = app::Actor::Local("test".to_owned());
        let tokens = Role::ALL
            .into_iter()
            .map(|role| {
                let name = role.as_str();
                app::users::add(
                    &mut store,
                    &admin,
                    app::users::NewUser {
                        name: name.to_owned(),
                        role,
                        partner: (role == Role::Partner).then(|| "cert-de".to_owned()),
                        password: format!("{name}-password-long-enough"),
                    },
                )
                .expect("add user");
                let token = app::users::issue_token(&mut store, &admin, name, "test")
                    .expect("token")
                    .token;
                (role, token)
            })
            .collect();
        World {
            hub: Hub::start_with(&db.url, adjust),
            partner,
            tokens,
        }
    }

    fn token(&self, role: Role) -> &str {
        &self
            .tokens
            .iter()
            .find(|(r, _)| *r == role)
            .expect("a user per role")
            .1
    }

    /// Every caller but `allowed` ones: each other role's user and the partner's token.
    fn others(&self, allowed: &[Role]) -> Vec<(String, &str)> {
        let mut callers: Vec<(String, &str)> = Role::ALL
            .into_iter()
            .filter(|r| !allowed.contains(r))
            .map(|r| (r.to_string(), self.token(r)))
            .collect();
        callers.push(("the partner token".to_owned(), self.partner.as_str()));
        callers
    }

    fn send(&self, method: &str, token: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
        send(method, token, &self.hub.url(path), body)
    }

    fn admin(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        self.send(method, Some(self.token(Role::Admin)), path, body)
    }
}

/// One request with a JSON body (none for `Value::Null`); the status and the JSON answer.
pub fn send(method: &str, token: Option<&str>, url: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let method = ureq::http::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Accept", "application/json");
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let text = if body.is_null() {
        String::new()
    } else {
        request = request.header("Content-Type", "application/json");
        body.to_string()
    };
    let mut response = agent
        .run(request.body(text).expect("a request"))
        .expect("the request completes");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json)
}

/// The `(actor, action)` of every audit entry, in order, as `GET /api/v1/audit` lists them.
fn audit_actions(world: &World) -> Vec<(String, String)> {
    let (status, log) = world.admin("GET", "/api/v1/audit?limit=1000", &Value::Null);
    assert_eq!(status, 200, "{log}");
    log.as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let text = |key: &str| e[key].as_str().expect("text").to_owned();
            (text("actor"), text("action"))
        })
        .collect()
}

const COLLECTION: &str = "6e5c1b0a-2f3d-4c4e-9a6b-7d8e9f0a1b2c";

#[test]
fn exchange_writes_by_role_with_pointers_visible_and_audited() {
    for db in test_support::backends("hub rest exchange") {
        let world = World::new(&db);
        let before = audit_actions(&world).len();
        let key = "ab".repeat(32);
        // (method, path, valid body, status for the administrator, audit action)
        let writes: [(&str, String, Value, u16, &str); 8] = [
            (
                "POST",
                "/api/v1/partners".to_owned(),
                json!({"id": "cert-fr", "name": "CERT-FR", "country": "fr", "tier": 2}),
                201,
                "partner.add",
            ),
            (
                "PUT",
                "/api/v1/partners/cert-fr/key".to_owned(),
                json!({"public_key": key}),
                200,
                "partner.key",
            ),
            (
                "POST",
                "/api/v1/partners/cert-fr/tokens".to_owned(),
                Value::Null,
                201,
                "partner.token.issue",
            ),
            (
                "DELETE",
                "/api/v1/partners/cert-fr/tokens".to_owned(),
                Value::Null,
                200,
                "partner.token.revoke",
            ),
            (
                "POST",
                "/api/v1/collections".to_owned(),
                json!({"title": "Alerts", "id": COLLECTION}),
                201,
                "collection.add",
            ),
            (
                "POST",
                "/api/v1/agreements".to_owned(),
                json!({"id": "fr-alerts", "title": "Alerts for CERT-FR", "parties": ["cert-fr"],
                       "highest_tlp": "amber",
                       "grants": [{"collection_id": COLLECTION, "read": true, "write": false}]}),
                201,
                "agreement.add",
            ),
            (
                "PUT",
                "/api/v1/settings".to_owned(),
                json!({"default_tlp": "amber+strict", "acknowledge_days": 2}),
                200,
                "setting.set",
            ),
            (
                "DELETE",
                "/api/v1/agreements/fr-alerts".to_owned(),
                Value::Null,
                204,
                "agreement.remove",
            ),
        ];
        let mut issued = String::new();
        for (method, path, body, status, _) in &writes {
            let (anonymous, _) = world.send(method, None, path, body);
            assert_eq!(anonymous, 401, "[{}] anonymous {method} {path}", db.name);
            for (who, token) in world.others(&[Role::Admin]) {
                let (refused, answer) = world.send(method, Some(token), path, body);
                assert_eq!(
                    refused, 403,
                    "[{}] {who} {method} {path}: {answer}",
                    db.name
                );
                assert_eq!(answer["code"], "forbidden");
            }
            let (done, answer) = world.admin(method, path, body);
            assert_eq!(done, *status, "[{}] {method} {path}: {answer}", db.name);
            match (*method, path.as_str()) {
                ("POST", "/api/v1/partners") => {
                    assert_eq!(answer["country"], "FR");
                    assert_eq!(answer["constituency_countries"], json!(["FR"]));
                }
                ("PUT", "/api/v1/partners/cert-fr/key") => {
                    assert_eq!(answer["public_key"], key.as_str());
                }
                ("POST", "/api/v1/partners/cert-fr/tokens") => {
                    assert_eq!(answer["partner"], "cert-fr");
                    // Not used before its revocation (a verified token is trusted for
                    // hub::auth::RECHECK); the last token is used at the end.
                    issued = answer["token"].as_str().expect("the token").to_owned();
                }
                ("DELETE", "/api/v1/partners/cert-fr/tokens") => {
                    assert_eq!(answer["revoked"], 1);
                    let (ended, _) =
                        world.send("GET", Some(&issued), "/api/v1/notifications", &Value::Null);
                    assert_eq!(ended, 401, "[{}] a revoked token", db.name);
                }
                ("POST", "/api/v1/agreements") => {
                    assert_eq!(answer["kind"], "bilateral");
                    assert_eq!(answer["highest_tlp"], "AMBER");
                    let (_, shown) = world.send(
                        "GET",
                        Some(world.token(Role::Analyst)),
                        "/api/v1/partners/cert-fr",
                        &Value::Null,
                    );
                    assert_eq!(shown["agreements"][0]["id"], "fr-alerts", "{shown}");
                    assert_eq!(shown["partner"]["public_key"], key.as_str());
                }
                ("PUT", "/api/v1/settings") => {
                    assert_eq!(answer["default_tlp"], "AMBER+STRICT");
                    assert_eq!(answer["acknowledge_days"], 2);
                    assert_eq!(answer["mitigate_days"], 30, "the default: {answer}");
                }
                _ => {}
            }
        }

        // Each write once, by the administrator; the refused ones left no entry.
        let log = audit_actions(&world);
        let expected: Vec<(String, String)> = writes
            .iter()
            .map(|w| ("user:admin".to_owned(), w.4.to_owned()))
            .collect();
        assert_eq!(log[before..], expected[..], "[{}]", db.name);

        // Visible afterwards, to every staff role; partners are refused.
        for role in [Role::Admin, Role::Analyst, Role::Coordinator] {
            let token = Some(world.token(role));
            let (_, partners) = world.send("GET", token, "/api/v1/partners", &Value::Null);
            let ids: Vec<&str> = partners["items"]
                .as_array()
                .expect("a page")
                .iter()
                .filter_map(|p| p["id"].as_str())
                .collect();
            assert_eq!(ids, ["cert-de", "cert-fr"], "[{}] {role}", db.name);
            let (_, collections) = world.send("GET", token, "/api/v1/collections", &Value::Null);
            assert_eq!(collections["items"][0]["id"], COLLECTION);
            assert_eq!(collections["items"][0]["objects"], 0);
            let (_, agreements) = world.send("GET", token, "/api/v1/agreements", &Value::Null);
            assert_eq!(agreements["items"], json!([]), "removed");
            let (_, settings) = world.send("GET", token, "/api/v1/settings", &Value::Null);
            assert_eq!(settings["default_tlp"], "AMBER+STRICT");
        }
        for path in [
            "/api/v1/partners",
            "/api/v1/partners/cert-de",
            "/api/v1/collections",
            "/api/v1/agreements",
            "/api/v1/settings",
        ] {
            for (who, token) in world.others(&[Role::Admin, Role::Analyst, Role::Coordinator]) {
                let (refused, _) = world.send("GET", Some(token), path, &Value::Null);
                assert_eq!(refused, 403, "[{}] {who} GET {path}", db.name);
            }
        }

        // 422 with a pointer, 404 and 409; nothing stored.
        let bad: [(&str, &str, Value, &str); 9] = [
            (
                "POST",
                "/api/v1/partners",
                json!({"id": "CERT FR", "name": "x", "country": "fr", "tier": 1}),
                "/id",
            ),
            (
                "POST",
                "/api/v1/partners",
                json!({"id": "cert-nl", "name": "x", "country": "nl", "tier": "one"}),
                "/tier",
            ),
            (
                "POST",
                "/api/v1/partners",
                json!({"id": "cert-nl", "name": "x", "country": "nl", "tier": 1,
                       "sectors": ["ENERGY", "FARMING"]}),
                "/sectors/1",
            ),
            (
                "PUT",
                "/api/v1/partners/cert-fr/key",
                json!({"public_key": "zz"}),
                "/public_key",
            ),
            (
                "POST",
                "/api/v1/collections",
                json!({"title": "t", "id": "not-a-uuid"}),
                "/id",
            ),
            (
                "POST",
                "/api/v1/agreements",
                json!({"id": "a", "title": "t", "parties": ["cert-fr"], "highest_tlp": "PURPLE"}),
                "/highest_tlp",
            ),
            (
                "PUT",
                "/api/v1/settings",
                json!({"default_tlp": "blue"}),
                "/default_tlp",
            ),
            (
                "PUT",
                "/api/v1/settings",
                json!({"default_tlp": "red", "mitigate_days": 0}),
                "/mitigate_days",
            ),
            ("PUT", "/api/v1/settings", json!({}), ""),
        ];
        for (method, path, body, pointer) in bad {
            let (status, answer) = world.admin(method, path, &body);
            assert_eq!(
                status, 422,
                "[{}] {method} {path} {body}: {answer}",
                db.name
            );
            assert_eq!(answer["code"], "invalid");
            assert_eq!(answer["errors"][0]["pointer"], pointer, "{answer}");
        }
        let (status, answer) = world.admin(
            "POST",
            "/api/v1/partners",
            &json!({"id": "cert-fr", "name": "again", "country": "fr", "tier": 1}),
        );
        assert_eq!(status, 409, "[{}] {answer}", db.name);
        for (method, path, code) in [
            (
                "POST",
                "/api/v1/partners/nobody/tokens",
                "partner_not_found",
            ),
            ("GET", "/api/v1/partners/nobody", "partner_not_found"),
            ("DELETE", "/api/v1/agreements/none", "agreement_not_found"),
        ] {
            let (status, answer) = world.admin(method, path, &Value::Null);
            assert_eq!(status, 404, "[{}] {method} {path}: {answer}", db.name);
            assert_eq!(answer["code"], code);
        }
        assert_eq!(
            audit_actions(&world).len(),
            before + writes.len(),
            "nothing more"
        );
        let (_, settings) = world.admin("GET", "/api/v1/settings", &Value::Null);
        assert_eq!(
            settings,
            json!({"default_tlp": "AMBER+STRICT", "acknowledge_days": 2, "mitigate_days": 30}),
            "[{}] the refused change set nothing, not even its good half",
            db.name
        );
        let (_, partners) = world.admin("GET", "/api/v1/partners", &Value::Null);
        assert_eq!(partners["items"].as_array().map(Vec::len), Some(2));

        // A token issued over REST is the partner's credential.
        let (_, answer) = world.admin("POST", "/api/v1/partners/cert-fr/tokens", &Value::Null);
        let token = answer["token"].as_str().expect("the token");
        let (works, reply) = world.send("GET", Some(token), "/api/v1/notifications", &Value::Null);
        assert_eq!(works, 200, "[{}] the new token: {reply}", db.name);
    }
}

#[test]
fn user_writes_by_role_self_service_pointers_and_audit() {
    for db in test_support::backends("hub rest users") {
        let world = World::new(&db);
        let before = audit_actions(&world).len();
        let new_user =
            json!({"name": "eve", "role": "analyst", "password": "eve-password-long-enough"});
        let (anonymous, _) = world.send("POST", None, "/api/v1/users", &new_user);
        assert_eq!(anonymous, 401);
        // On the administrator's own user, which no other caller is.
        let admin_only: [(&str, &str, Value); 5] = [
            ("POST", "/api/v1/users", new_user.clone()),
            ("POST", "/api/v1/users/admin/disable", Value::Null),
            (
                "PUT",
                "/api/v1/users/admin/password",
                json!({"password": "another-password-long-enough"}),
            ),
            ("POST", "/api/v1/users/admin/tokens", json!({"label": "ci"})),
            ("DELETE", "/api/v1/users/admin/tokens/x", Value::Null),
        ];
        for (method, path, body) in &admin_only {
            for (who, token) in world.others(&[Role::Admin]) {
                let (refused, answer) = world.send(method, Some(token), path, body);
                assert_eq!(
                    refused, 403,
                    "[{}] {who} {method} {path}: {answer}",
                    db.name
                );
            }
        }
        for path in [
            "/api/v1/users",
            "/api/v1/users/admin",
            "/api/v1/audit",
            "/api/v1/audit/verify",
        ] {
            for (who, token) in world.others(&[Role::Admin]) {
                let (refused, _) = world.send("GET", Some(token), path, &Value::Null);
                assert_eq!(refused, 403, "[{}] {who} GET {path}", db.name);
            }
        }

        // The administrator manages eve.
        let (status, added) = world.admin("POST", "/api/v1/users", &new_user);
        assert_eq!(status, 201, "[{}] {added}", db.name);
        assert_eq!(added["role"], "analyst");
        assert!(added.get("password").is_none(), "no secret: {added}");
        let (status, issued) =
            world.admin("POST", "/api/v1/users/eve/tokens", &json!({"label": "ci"}));
        assert_eq!(status, 201, "[{}] {issued}", db.name);
        let eve = issued["token"].as_str().expect("the token").to_owned();
        let id = issued["id"].as_str().expect("the id").to_owned();
        let (status, me) = world.send("GET", Some(&eve), "/api/v1/users/eve", &Value::Null);
        assert_eq!(status, 200, "[{}] a user reads itself: {me}", db.name);
        assert_eq!(me["tokens"][0]["id"], id.as_str());
        assert!(me["tokens"][0].get("hash").is_none(), "no hash: {me}");
        let (status, _) = world.admin(
            "PUT",
            "/api/v1/users/eve/password",
            &json!({"password": "eve-new-password-long-enough"}),
        );
        assert_eq!(status, 204, "[{}]", db.name);
        let (status, _) = world.admin(
            "DELETE",
            &format!("/api/v1/users/eve/tokens/{id}"),
            &Value::Null,
        );
        assert_eq!(status, 204, "[{}]", db.name);
        let (revoked, _) = world.send("GET", Some(&eve), "/api/v1/users/eve", &Value::Null);
        assert_eq!(revoked, 401, "[{}] a revoked token", db.name);

        // Users serve themselves: their password and tokens, not another's.
        let analyst = Some(world.token(Role::Analyst));
        let (status, own) = world.send(
            "POST",
            analyst,
            "/api/v1/users/analyst/tokens",
            &json!({"label": "laptop"}),
        );
        assert_eq!(status, 201, "[{}] {own}", db.name);
        let own_id = own["id"].as_str().expect("the id");
        let (status, _) = world.send(
            "DELETE",
            analyst,
            &format!("/api/v1/users/analyst/tokens/{own_id}"),
            &Value::Null,
        );
        assert_eq!(status, 204, "[{}]", db.name);
        let (status, _) = world.send(
            "PUT",
            analyst,
            "/api/v1/users/analyst/password",
            &json!({"password": "analyst-new-password-long"}),
        );
        assert_eq!(status, 204, "[{}]", db.name);
        let (status, _) = world.send("GET", analyst, "/api/v1/users/eve", &Value::Null);
        assert_eq!(status, 403, "[{}] another user", db.name);

        let (status, _) = world.admin("POST", "/api/v1/users/eve/disable", &Value::Null);
        assert_eq!(status, 204, "[{}]", db.name);
        let (_, listed) = world.admin("GET", "/api/v1/users", &Value::Null);
        let eve_row = listed["items"]
            .as_array()
            .expect("a page")
            .iter()
            .find(|u| u["name"] == "eve")
            .expect("eve is listed");
        assert_eq!(eve_row["disabled"], true);

        // 422 with a pointer, 404, 409; nothing stored.
        for (method, path, body, pointer) in [
            (
                "POST",
                "/api/v1/users",
                json!({"name": "bob", "role": "boss", "password": "bob-password-long-enough"}),
                "/role",
            ),
            (
                "POST",
                "/api/v1/users",
                json!({"name": "bob", "role": "analyst", "password": "short"}),
                "/password",
            ),
            (
                "POST",
                "/api/v1/users",
                json!({"name": "bob", "role": "analyst"}),
                "",
            ),
            (
                "PUT",
                "/api/v1/users/analyst/password",
                json!({"password": "x"}),
                "/password",
            ),
            (
                "POST",
                "/api/v1/users/analyst/tokens",
                json!({"label": 7}),
                "/label",
            ),
        ] {
            let (status, answer) = world.admin(method, path, &body);
            assert_eq!(
                status, 422,
                "[{}] {method} {path} {body}: {answer}",
                db.name
            );
            assert_eq!(answer["errors"][0]["pointer"], pointer, "{answer}");
        }
        let (status, _) = world.admin("POST", "/api/v1/users", &new_user);
        assert_eq!(status, 409, "[{}]", db.name);
        let (status, _) = world.admin("GET", "/api/v1/users/nobody", &Value::Null);
        assert_eq!(status, 404, "[{}]", db.name);
        let (status, _) = world.admin("DELETE", "/api/v1/users/analyst/tokens/nope", &Value::Null);
        assert_eq!(status, 404, "[{}]", db.name);

        // Each write once, in the audit log, by whom it was done; the chain holds.
        let expected: Vec<(String, String)> = [
            ("user:admin", "user.add"),
            ("user:admin", "user.token.issue"),
            ("user:admin", "user.password"),
            ("user:admin", "user.token.revoke"),
            ("user:analyst", "user.token.issue"),
            ("user:analyst", "user.token.revoke"),
            ("user:analyst", "user.password"),
            ("user:admin", "user.disable"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        assert_eq!(
            audit_actions(&world)[before..],
            expected[..],
            "[{}]",
            db.name
        );
        let (_, filtered) = world.admin(
            "GET",
            "/api/v1/audit?actor=user:analyst&action=user.password",
            &Value::Null,
        );
        assert_eq!(filtered.as_array().map(Vec::len), Some(1), "{filtered}");
        assert_eq!(filtered[0]["object_ids"], json!(["analyst"]));
        let seq = filtered[0]["seq"].as_i64().expect("seq");
        let (_, after) = world.admin(
            "GET",
            &format!("/api/v1/audit?after={seq}&limit=1"),
            &Value::Null,
        );
        assert_eq!(after[0]["seq"], seq + 1, "{after}");
        assert_eq!(after[0]["action"], "user.disable");
        let (status, answer) = world.admin("GET", "/api/v1/audit?limit=0", &Value::Null);
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["errors"][0]["pointer"], "/limit");
        let (status, verified) = world.admin("GET", "/api/v1/audit/verify", &Value::Null);
        assert_eq!(status, 200);
        assert_eq!(verified["broken"], Value::Null, "{verified}");
        assert_eq!(
            verified["entries"].as_u64(),
            Some(audit_actions(&world).len() as u64)
        );
    }
}

/// An asset `fw:de-1`, an alert with two drafted notifications to `cert-de`, an incident on
/// the asset and a remote `peer`, stored directly.
fn coordination(db: &test_support::TestDb) {
    let mut store = Store::open(&db.url).expect("store");
    store
        .import(&model::Atlas {
            assets: vec![model::Asset {
                id: "fw:de-1".to_owned(),
                name: "Firewall".to_owned(),
                kind: "system".to_owned(),
                country: "DE".to_owned(),
                ..model::Asset::default()
            }],
            dependencies: Vec::new(),
        })
        .expect("import");
    let draft = |organisation: &str| store::NewNotification {
        partner_id: "cert-de".to_owned(),
        organisation: organisation.to_owned(),
        assets: vec!["fw:de-1".to_owned()],
        state: "drafted".to_owned(),
    };
    let alert = store::Alert {
        id: "ALERT-2026-0001".to_owned(),
        cve: "CVE-2024-3400".to_owned(),
        title: "PAN-OS".to_owned(),
        tlp: store::Tlp::Amber,
        remediation: String::new(),
        created_at: "2026-01-01T00:00:00.000Z".to_owned(),
        collection_id: None,
        csaf: "{}".to_owned(),
        stix_ids: Vec::new(),
        assets: vec!["fw:de-1".to_owned()],
        partners: vec!["cert-de".to_owned()],
    };
    store
        .add_alert(&alert, &[], &[draft("one"), draft("two")])
        .expect("alert");
    let local = app::Actor::Local("test".to_owned());
    app::incidents::add(
        &mut store,
        &local,
        app::incidents::NewIncident {
            partner: "cert-de".to_owned(),
            assets: vec!["fw:de-1".to_owned()],
            kind: model::IncidentKind::Cyber,
            category: "intrusion".to_owned(),
            occurred_at: "2026-01-03T00:00:00.000Z".to_owned(),
            severity: 4,
            description: "seen".to_owned(),
        },
    )
    .expect("incident");
    crate::common::collection(&mut store, COLLECTION);
    assert!(
        store
            .add_remote(&store::Remote {
                name: "peer".to_owned(),
                api_root: "https://peer.example/taxii2/hub/".to_owned(),
                collection_id: "c".to_owned(),
                local_collection: COLLECTION.to_owned(),
                user: String::new(),
                token: "sealed:v1:secret".to_owned(),
                partner_id: "cert-de".to_owned(),
                pull: true,
                push: false,
                pull_cursor: None,
                push_cursor: 0,
                last_sync: None,
            })
            .expect("remote")
    );
}

#[test]
fn notification_incident_and_remote_administration_by_role() {
    for db in test_support::backends("hub rest coordination") {
        let world = World::new(&db);
        coordination(&db);
        let before = audit_actions(&world).len();
        let staff = [Role::Admin, Role::Analyst, Role::Coordinator];
        for path in [
            "/api/v1/admin/notifications",
            "/api/v1/admin/notifications/report",
            "/api/v1/incidents",
            "/api/v1/remotes",
        ] {
            for role in staff {
                let (status, _) = world.send("GET", Some(world.token(role)), path, &Value::Null);
                assert_eq!(status, 200, "[{}] {role} GET {path}", db.name);
            }
            for (who, token) in world.others(&staff) {
                let (status, _) = world.send("GET", Some(token), path, &Value::Null);
                assert_eq!(status, 403, "[{}] {who} GET {path}", db.name);
            }
        }
        let (_, drafted) = world.admin(
            "GET",
            "/api/v1/admin/notifications?alert=ALERT-2026-0001&state=drafted&partner=cert-de",
            &Value::Null,
        );
        assert_eq!(
            drafted["items"].as_array().map(Vec::len),
            Some(2),
            "{drafted}"
        );
        let (_, incidents) = world.admin("GET", "/api/v1/incidents?asset=fw:de-1", &Value::Null);
        assert_eq!(
            incidents["items"][0]["category"], "intrusion",
            "{incidents}"
        );
        assert_eq!(incidents["items"][0]["partner"], "cert-de");
        let (_, none) = world.admin("GET", "/api/v1/incidents?asset=nothing", &Value::Null);
        assert_eq!(none["items"], json!([]));
        let (_, remotes) = world.admin("GET", "/api/v1/remotes", &Value::Null);
        assert_eq!(remotes["items"][0]["name"], "peer", "{remotes}");
        assert!(
            !remotes.to_string().contains("secret"),
            "no credential: {remotes}"
        );

        // Writes: send and advance (administrators and coordinators), remove a remote
        // (administrators).
        let send_one = json!({"id": "ALERT-2026-0001.1", "at": "2026-01-02T00:00:00Z"});
        let advance = json!({"to": "acknowledged", "at": "2026-01-04"});
        let incident = json!({"partner": "cert-de", "assets": ["fw:de-1"], "kind": "physical",
                              "category": "sabotage", "occurred_at": "2026-01-05", "severity": 3,
                              "description": "a cut cable, reported by phone"});
        let bulk = json!([
            {"partner": "cert-de", "assets": ["fw:de-1"], "kind": "cyber", "category": "ransomware",
             "occurred_at": "2026-01-07", "severity": 4, "description": "bulk one"},
            {"partner": "cert-de", "assets": ["fw:de-1"], "kind": "physical", "category": "flood",
             "occurred_at": "2026-01-08", "severity": 2, "description": "bulk two"}
        ]);
        let writes: [(&str, &str, &Value, &[Role]); 5] = [
            (
                "POST",
                "/api/v1/admin/notifications/send",
                &send_one,
                &[Role::Admin, Role::Coordinator],
            ),
            (
                "POST",
                "/api/v1/admin/notifications/ALERT-2026-0001.1/advance",
                &advance,
                &[Role::Admin, Role::Coordinator],
            ),
            (
                "DELETE",
                "/api/v1/remotes/peer",
                &Value::Null,
                &[Role::Admin],
            ),
            (
                "POST",
                "/api/v1/admin/incidents",
                &incident,
                &[Role::Admin, Role::Analyst, Role::Coordinator],
            ),
            (
                "POST",
                "/api/v1/admin/incidents/import?name=bulk.json",
                &bulk,
                &[Role::Admin, Role::Analyst, Role::Coordinator],
            ),
        ];
        for (method, path, body, allowed) in writes {
            let (anonymous, _) = world.send(method, None, path, body);
            assert_eq!(anonymous, 401, "[{}] {method} {path}", db.name);
            for (who, token) in world.others(allowed) {
                let (status, answer) = world.send(method, Some(token), path, body);
                assert_eq!(status, 403, "[{}] {who} {method} {path}: {answer}", db.name);
            }
        }
        let coordinator = Some(world.token(Role::Coordinator));
        let (status, sent) = world.send(
            "POST",
            coordinator,
            "/api/v1/admin/notifications/send",
            &send_one,
        );
        assert_eq!(status, 200, "[{}] {sent}", db.name);
        assert_eq!(sent[0]["state"], "sent");
        let (status, moved) = world.send(
            "POST",
            coordinator,
            "/api/v1/admin/notifications/ALERT-2026-0001.1/advance",
            &advance,
        );
        assert_eq!(status, 200, "[{}] {moved}", db.name);
        assert_eq!(moved["history"][2]["state"], "acknowledged", "{moved}");
        // Sent on 2 January with the default 30 days to report an outcome: long overdue.
        assert_eq!(
            moved["due"],
            json!({"awaited": "outcome", "by": "2026-02-01T00:00:00Z"}),
            "{moved}"
        );
        assert_eq!(moved["overdue"], true, "{moved}");
        let (status, rest) = world.admin(
            "POST",
            "/api/v1/admin/notifications/send",
            &json!({"alert": "ALERT-2026-0001"}),
        );
        assert_eq!(status, 200, "[{}] {rest}", db.name);
        assert_eq!(
            rest[0]["id"], "ALERT-2026-0001.2",
            "the drafted one: {rest}"
        );
        // Sent now: its acknowledgement is due in 3 days.
        assert_eq!(rest[0]["due"]["awaited"], "acknowledgement", "{rest}");
        assert_eq!(rest[0]["overdue"], false, "{rest}");
        let (_, late) = world.admin(
            "GET",
            "/api/v1/admin/notifications?state=acknowledged",
            &Value::Null,
        );
        assert_eq!(late["items"][0]["overdue"], true, "{late}");
        assert_eq!(late["items"][0]["cve"], moved["cve"], "{late}");
        let (status, _) = world.admin("DELETE", "/api/v1/remotes/peer", &Value::Null);
        assert_eq!(status, 204, "[{}]", db.name);
        let (status, recorded) = world.send(
            "POST",
            Some(world.token(Role::Analyst)),
            "/api/v1/admin/incidents",
            &incident,
        );
        assert_eq!(status, 201, "[{}] {recorded}", db.name);
        assert_eq!(recorded["created"], true, "{recorded}");
        let (_, incidents) = world.admin("GET", "/api/v1/incidents?asset=fw:de-1", &Value::Null);
        let shown = incidents["items"]
            .as_array()
            .expect("a page")
            .iter()
            .find(|i| i["id"] == recorded["id"])
            .expect("listed");
        assert_eq!(
            (&shown["category"], &shown["partner"], &shown["kind"]),
            (&json!("sabotage"), &json!("cert-de"), &json!("physical")),
            "{shown}"
        );
        // In bulk: all or nothing, each report named by the file and its place in it.
        let count = |world: &World| {
            let (_, all) = world.admin("GET", "/api/v1/incidents?limit=1000", &Value::Null);
            all["items"].as_array().expect("a page").len()
        };
        let stored = count(&world);
        let mut spoilt = bulk.clone();
        spoilt[1]["severity"] = json!(9);
        let (status, refused) = world.admin(
            "POST",
            "/api/v1/admin/incidents/import?name=bulk.json",
            &spoilt,
        );
        assert_eq!(status, 422, "[{}] {refused}", db.name);
        assert_eq!(refused["errors"][0]["pointer"], "bulk.json", "{refused}");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("[1]") && m.contains("severity")),
            "{refused}"
        );
        assert_eq!(count(&world), stored, "[{}] nothing stored", db.name);
        let (status, imported) = world.send(
            "POST",
            Some(world.token(Role::Coordinator)),
            "/api/v1/admin/incidents/import?name=bulk.json",
            &bulk,
        );
        assert_eq!(status, 200, "[{}] {imported}", db.name);
        assert_eq!(imported.as_array().map(Vec::len), Some(2), "{imported}");
        assert_eq!(count(&world), stored + 2, "[{}]", db.name);
        let (_, audit) = world.admin("GET", "/api/v1/audit?action=incident.add", &Value::Null);
        assert!(
            audit
                .as_array()
                .expect("entries")
                .iter()
                .any(|e| e["actor"] == "user:coordinator"
                    && e["object_ids"] == json!([imported[0]["id"], imported[1]["id"]])),
            "[{}] {audit}",
            db.name
        );
        let (_, remotes) = world.admin("GET", "/api/v1/remotes", &Value::Null);
        assert_eq!(remotes["items"], json!([]));
        let (_, sent) = world.admin(
            "GET",
            "/api/v1/admin/notifications?state=sent",
            &Value::Null,
        );
        assert_eq!(sent["items"][0]["id"], "ALERT-2026-0001.2", "{sent}");

        // 422 with a pointer, 404, 409.
        for (path, body, pointer) in [
            (
                "/api/v1/admin/notifications/send",
                json!({"id": "x", "alert": "y"}),
                "",
            ),
            (
                "/api/v1/admin/notifications/send",
                json!({"alert": "ALERT-0"}),
                "/alert",
            ),
            (
                "/api/v1/admin/notifications/send",
                json!({"id": "ALERT-2026-0001.1", "at": "soon"}),
                "/at",
            ),
            (
                "/api/v1/admin/notifications/ALERT-2026-0001.1/advance",
                json!({"to": "done"}),
                "/to",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": ["fw:de-1"], "kind": "cosmic",
                       "category": "c", "occurred_at": "2026-01-05", "severity": 3}),
                "/kind",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-xx", "assets": ["fw:de-1"], "kind": "cyber",
                       "category": "c", "occurred_at": "2026-01-05", "severity": 3}),
                "/partner",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": ["nowhere"], "kind": "cyber",
                       "category": "c", "occurred_at": "2026-01-05", "severity": 3}),
                "/assets",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": ["fw:de-1"], "kind": "cyber",
                       "category": "c", "occurred_at": "2026-01-05", "severity": 9}),
                "/severity",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": ["fw:de-1"], "kind": "cyber",
                       "category": "c", "occurred_at": "soon", "severity": 3}),
                "/occurred_at",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": [], "kind": "cyber",
                       "category": "c", "occurred_at": "2026-01-05", "severity": 3}),
                "/assets",
            ),
            (
                "/api/v1/admin/incidents",
                json!({"partner": "cert-de", "assets": ["fw:de-1"], "kind": "cyber",
                       "category": " ", "occurred_at": "2026-01-05", "severity": 3}),
                "/category",
            ),
        ] {
            let (status, answer) = world.admin("POST", path, &body);
            assert_eq!(status, 422, "[{}] {path} {body}: {answer}", db.name);
            assert_eq!(answer["errors"][0]["pointer"], pointer, "{answer}");
        }
        let (status, answer) = world.admin(
            "GET",
            "/api/v1/admin/notifications?state=done",
            &Value::Null,
        );
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["errors"][0]["pointer"], "/state");
        let (status, answer) = world.admin(
            "POST",
            "/api/v1/admin/notifications/send",
            &json!({"alert": "ALERT-2026-0001"}),
        );
        assert_eq!(
            status, 409,
            "[{}] nothing drafted any more: {answer}",
            db.name
        );
        let (status, answer) = world.admin(
            "POST",
            "/api/v1/admin/notifications/ALERT-2026-0001.1/advance",
            &json!({"to": "drafted"}),
        );
        assert_eq!(status, 422, "[{}] backwards: {answer}", db.name);
        assert_eq!(answer["code"], "invalid");
        let (status, _) = world.admin("DELETE", "/api/v1/remotes/peer", &Value::Null);
        assert_eq!(status, 404, "[{}]", db.name);

        let expected: Vec<(String, String)> = [
            ("user:coordinator", "notification.advance"),
            ("user:coordinator", "notification.advance"),
            ("user:admin", "notification.advance"),
            ("user:admin", "remote.remove"),
            ("user:analyst", "incident.add"),
            ("user:coordinator", "incident.add"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        assert_eq!(
            audit_actions(&world)[before..],
            expected[..],
            "[{}]",
            db.name
        );
    }
}

/// A world whose server seals remote credentials with a key kept in `dir`.
fn with_secret_key(db: &test_support::TestDb, dir: &std::path::Path) -> World {
    World::with(db, |options| {
        options.secret_key = Some(app::federation::KeySource {
            hex: Some("0f".repeat(32)),
            file: dir.join("secret.key"),
        });
    })
}

#[test]
fn remotes_are_added_with_the_credential_sealed_and_never_shown() {
    for db in test_support::backends("hub rest remotes") {
        let remote = json!({"name": "peer", "url": "https://peer.example/taxii2/hub/",
                            "collection": "c-1", "local_collection": COLLECTION,
                            "token": "remote-secret-token", "partner": "cert-de", "pull": true});
        let dir = tempfile::tempdir().expect("temp dir");
        let world = with_secret_key(&db, dir.path());
        crate::common::collection(&mut Store::open(&db.url).expect("store"), COLLECTION);
        let before = audit_actions(&world).len();
        let (anonymous, _) = world.send("POST", None, "/api/v1/remotes", &remote);
        assert_eq!(anonymous, 401);
        for (who, token) in world.others(&[Role::Admin]) {
            let (status, answer) = world.send("POST", Some(token), "/api/v1/remotes", &remote);
            assert_eq!(status, 403, "[{}] {who}: {answer}", db.name);
        }
        let (status, added) = world.admin("POST", "/api/v1/remotes", &remote);
        assert_eq!(status, 201, "[{}] {added}", db.name);
        assert_eq!(added["pull"], true);
        assert_eq!(added["push"], false);
        let (_, listed) = world.admin("GET", "/api/v1/remotes", &Value::Null);
        assert_eq!(listed["items"][0]["name"], "peer", "{listed}");
        for shown in [&added, &listed] {
            let text = shown.to_string();
            assert!(
                !text.contains("remote-secret-token") && !text.contains("sealed"),
                "{text}"
            );
        }
        let stored = Store::open(&db.url)
            .expect("store")
            .remotes()
            .expect("remotes");
        assert!(stored[0].token.starts_with("sealed:"), "sealed at rest");
        let (status, _) = world.admin("POST", "/api/v1/remotes", &remote);
        assert_eq!(status, 409, "[{}]", db.name);
        for (field, value, pointer) in [
            ("url", json!("http://peer.example/taxii2/hub/"), "/url"),
            ("name", json!("Peer!"), "/name"),
            ("partner", json!("nobody"), "/partner"),
            ("pull", json!("yes"), "/pull"),
        ] {
            let mut bad = remote.clone();
            bad["name"] = json!("other");
            bad[field] = value;
            let (status, answer) = world.admin("POST", "/api/v1/remotes", &bad);
            assert_eq!(status, 422, "[{}] {field}: {answer}", db.name);
            assert_eq!(answer["errors"][0]["pointer"], pointer, "{answer}");
        }
        assert_eq!(
            audit_actions(&world)[before..],
            [("user:admin".to_owned(), "remote.add".to_owned())],
            "[{}]",
            db.name
        );

        // A server without a secret key cannot seal a credential.
        let keyless = Hub::start(&db.url);
        let mut other = remote.clone();
        other["name"] = json!("other");
        let (status, answer) = send(
            "POST",
            Some(world.token(Role::Admin)),
            &keyless.url("/api/v1/remotes"),
            &other,
        );
        assert_eq!(status, 503, "[{}] no key: {answer}", db.name);
        assert_eq!(answer["code"], "no_secret_key");
    }
}

/// Follows `next` from `path` with `limit` per page; every item's `key`, and the pages read.
fn every_page(world: &World, path: &str, limit: u32, key: &str) -> (Vec<String>, usize) {
    let (mut keys, mut pages) = (Vec::new(), 0);
    let mut url = format!("{path}?limit={limit}");
    loop {
        let (status, page) = world.admin("GET", &url, &Value::Null);
        assert_eq!(status, 200, "{url}: {page:?}");
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= limit as usize);
        keys.extend(
            items
                .iter()
                .map(|i| i[key].as_str().expect("key").to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => url = format!("{path}?limit={limit}&cursor={next}"),
            None => return (keys, pages),
        }
    }
}

#[test]
fn admin_lists_page_by_cursor() {
    for db in test_support::backends("hub rest admin paging") {
        let world = World::new(&db);
        for id in ["cert-fr", "cert-nl"] {
            let (status, body) = world.admin(
                "POST",
                "/api/v1/partners",
                &json!({"id": id, "name": id, "country": "FR", "tier": 2}),
            );
            assert_eq!(status, 201, "[{}] {body:?}", db.name);
        }
        let (users, pages) = every_page(&world, "/api/v1/users", 3, "name");
        assert_eq!(users, ["admin", "analyst", "coordinator", "partner"]);
        assert_eq!(pages, 2, "[{}]", db.name);
        let (partners, pages) = every_page(&world, "/api/v1/partners", 2, "id");
        assert_eq!(partners, ["cert-de", "cert-fr", "cert-nl"], "[{}]", db.name);
        assert_eq!(pages, 2);
        for bad in ["/api/v1/users?limit=0", "/api/v1/partners?cursor=*"] {
            let (status, body) = world.admin("GET", bad, &Value::Null);
            assert_eq!(status, 422, "[{}] {bad}: {body:?}", db.name);
        }
    }
}

#[test]
fn a_sync_is_triggered_by_administrators_only() {
    for db in test_support::backends("hub rest sync") {
        let dir = tempfile::tempdir().expect("temp dir");
        let world = with_secret_key(&db, dir.path());
        crate::common::collection(&mut Store::open(&db.url).expect("store"), COLLECTION);
        // Nothing listens on port 9: the remote fails, the sync reports it.
        let remote = json!({"name": "peer", "url": "https://127.0.0.1:9/taxii2/hub/",
                            "collection": "c-1", "local_collection": COLLECTION,
                            "token": "remote-secret-token", "partner": "cert-de", "pull": true});
        let (status, added) = world.admin("POST", "/api/v1/remotes", &remote);
        assert_eq!(status, 201, "[{}] {added}", db.name);
        let path = "/api/v1/remotes/peer/sync";
        let (anonymous, _) = world.send("POST", None, path, &json!({}));
        assert_eq!(anonymous, 401);
        for (who, token) in world.others(&[Role::Admin]) {
            let (status, answer) = world.send("POST", Some(token), path, &json!({}));
            assert_eq!(status, 403, "[{}] {who}: {answer}", db.name);
        }
        let (status, report) = world.admin("POST", path, &json!({"pull_only": true}));
        assert_eq!(status, 200, "[{}] {report}", db.name);
        assert_eq!(report["remote"], "peer");
        assert_eq!(report["pulled"], 0);
        assert!(report["error"].is_string(), "[{}] {report}", db.name);

        let (status, job) = world.admin("POST", &format!("{path}?async=true"), &json!({}));
        assert_eq!(status, 202, "[{}] {job}", db.name);
        let location = format!("/api/v1/jobs/{}", job["id"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let done = loop {
            let (_, job) = world.admin("GET", &location, &Value::Null);
            if job["state"] == "succeeded" || job["state"] == "failed" {
                break job;
            }
            assert!(std::time::Instant::now() < deadline, "{job}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(done["state"], "succeeded", "[{}] {done}", db.name);
        assert_eq!(done["result"]["remote"], "peer");

        let (status, answer) = world.admin(
            "POST",
            path,
            &json!({"pull_only": true, "push_only": true, "page_size": 0}),
        );
        assert_eq!(status, 422, "[{}] {answer}", db.name);
        assert_eq!(answer["errors"].as_array().map(Vec::len), Some(2));
        let (status, _) = world.admin("POST", "/api/v1/remotes/nobody/sync", &json!({}));
        assert_eq!(status, 404, "[{}]", db.name);
        let keyless = Hub::start(&db.url);
        let (status, answer) = send(
            "POST",
            Some(world.token(Role::Admin)),
            &keyless.url(path),
            &json!({}),
        );
        assert_eq!(status, 503, "[{}] no key: {answer}", db.name);
    }
}

#[test]
fn bundles_round_trip_over_rest_for_administrators_only() {
    for db in test_support::backends("hub rest bundles") {
        let (secret, public) = exchange::bundle::generate_key();
        let world = World::with(&db, |options| options.bundle_key = Some(secret));
        let other = "c0ffee00-0000-4000-8000-0000000000bb";
        {
            let mut store = Store::open(&db.url).expect("store");
            crate::common::collection(&mut store, COLLECTION);
            crate::common::collection(&mut store, other);
            crate::common::agreement(
                &mut store,
                "ag-1",
                "cert-de",
                store::Tlp::Green,
                &[(COLLECTION, true, false)],
            );
            let local = app::Actor::Local("test".to_owned());
            let object = crate::common::indicator(1, "2026-01-01T00:00:00.000Z", None);
            let checked =
                app::sharing::Checked::new(&stix::Validator::new(), &object).expect("valid");
            app::sharing::store_batch(
                &mut store,
                &local,
                COLLECTION,
                &mut [checked],
                &[],
                None,
                None,
            )
            .expect("stored");
            // The bundle comes back as if cert-de had signed it with this key.
            app::partners::set_partner_key(&mut store, &local, "cert-de", &public).expect("key");
        }
        let wanted = json!({"collection": COLLECTION, "partner": "cert-de"});
        let path = "/api/v1/bundles/export";
        for (who, token) in world.others(&[Role::Admin]) {
            let (status, answer) = world.send("POST", Some(token), path, &wanted);
            assert_eq!(status, 403, "[{}] {who}: {answer}", db.name);
        }
        let (status, files) = world.admin("POST", path, &wanted);
        assert_eq!(status, 200, "[{}] {files}", db.name);
        assert!(
            files["manifest"]
                .as_str()
                .expect("manifest")
                .contains("cert-de")
        );

        let mut upload = files.clone();
        upload["from"] = json!("cert-de");
        upload["collection"] = json!(other);
        upload["as"] = json!("cert-de");
        let path = "/api/v1/bundles/import";
        for (who, token) in world.others(&[Role::Admin]) {
            let (status, answer) = world.send("POST", Some(token), path, &upload);
            assert_eq!(status, 403, "[{}] {who}: {answer}", db.name);
        }
        let mut tampered = upload.clone();
        tampered["bundle"] = json!(
            files["bundle"]
                .as_str()
                .expect("bundle")
                .replace("indicator 1", "indicator 2")
        );
        let (status, answer) = world.admin("POST", path, &tampered);
        assert_eq!(status, 422, "[{}] {answer}", db.name);
        let (status, imported) = world.admin("POST", path, &upload);
        assert_eq!(status, 200, "[{}] {imported}", db.name);
        assert_eq!(
            (imported["objects"].as_u64(), imported["added"].as_u64()),
            (Some(1), Some(1))
        );
        let (status, again) = world.admin("POST", path, &upload);
        assert_eq!(status, 200, "[{}] {again}", db.name);
        assert!(again["replay_of"].is_string(), "{again}");
        assert_eq!(again["added"], 0);

        let keyless = Hub::start(&db.url);
        let (status, answer) = send(
            "POST",
            Some(world.token(Role::Admin)),
            &keyless.url("/api/v1/bundles/export"),
            &wanted,
        );
        assert_eq!(status, 503, "[{}] {answer}", db.name);
    }
}
