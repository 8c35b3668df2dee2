//! The REST API under /api/v1 through a real server on 127.0.0.1: authentication, the atlas
//! routes, the OpenAPI document (a snapshot) and its reference page.

use serde_json::Value;
use store::Store;

use crate::common::{self, Hub, get_with, partner, post};

const JSON: &str = "application/json";

/// The atlas routes, each as (method, path).
const ATLAS_ROUTES: [(&str, &str); 5] = [
    ("GET", "/api/v1/assets"),
    ("GET", "/api/v1/assets/plant:ohio-1"),
    ("GET", "/api/v1/stats"),
    ("POST", "/api/v1/atlas/import"),
    ("GET", "/api/v1/atlas/export"),
];

fn call(hub: &Hub, method: &str, path: &str, token: Option<&str>) -> common::Reply {
    match (method, token) {
        ("POST", Some(token)) => post(
            &hub.url(path),
            token,
            JSON,
            r#"{"assets": [], "dependencies": []}"#,
        ),
        ("POST", None) => common::post_anonymous(&hub.url(path), JSON, "{}"),
        (_, token) => get_with(&hub.url(path), token, JSON),
    }
}

#[test]
fn atlas_routes_need_credentials_and_refuse_partners() {
    for db in test_support::backends("hub rest auth") {
        let token = partner(&mut Store::open(&db.url).expect("store"), "cert-de");
        let hub = Hub::start(&db.url);
        for (method, path) in ATLAS_ROUTES {
            let anonymous = call(&hub, method, path, None);
            assert_eq!(anonymous.status, 401, "[{}] {method} {path}", db.name);
            assert_eq!(anonymous.body["code"], "unauthorized");
            assert!(anonymous.header("www-authenticate").is_some());
            let refused = call(&hub, method, path, Some(&token));
            assert_eq!(
                refused.status, 403,
                "[{}] {method} {path}: {:?}",
                db.name, refused.body
            );
            assert_eq!(refused.body["code"], "forbidden");
            assert!(
                refused.body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("cert-de")),
                "{:?}",
                refused.body
            );
        }
    }
}

/// The committed document, `crates/hub/tests/openapi.json`; `UPDATE_OPENAPI=1` rewrites it.
#[test]
fn openapi_document_matches_the_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(&dir.path().join("meridian.db").display().to_string());
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
        "/api/v1/notifications",
        "/api/v1/notifications/{id}/acknowledge",
        "/api/v1/notifications/{id}/mitigate",
        "/api/v1/notifications/{id}/exploited",
        "/api/v1/incidents",
    ] {
        assert!(paths.contains_key(route), "{route} is documented");
    }
    let schemes = &served.body["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
}

#[test]
fn reference_page_is_rendered_without_scripts_under_a_strict_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(&dir.path().join("meridian.db").display().to_string());
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
        "<code>GET /api/v1/assets/{id}</code>",
        "<code>country</code>",
        "<h3 id=\"schema-AssetDto\">AssetDto</h3>",
        "<a href=\"#schema-ErrorDto\">ErrorDto</a>",
    ] {
        assert!(html.contains(expected), "{expected} in the page");
    }
}
