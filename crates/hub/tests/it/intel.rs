//! The intel routes of the REST API on SQLite and PostgreSQL: importing a document (422 naming
//! where), listing documents, findings with their filters, order and pages, marking false
//! positives and confirming candidates (audited), and who may call which route.

use app::Role;
use serde_json::json;

use crate::common::call;
use crate::rest::World;

/// A KEV catalog naming Acme's router.
const KEV: &str = r#"{"catalogVersion":"2025.01.02","dateReleased":"2025-01-02T00:00:00Z","count":2,"vulnerabilities":[
    {"cveID":"CVE-2024-0001","vendorProject":"Acme","product":"Router","vulnerabilityName":"n","dateAdded":"2024-01-02",
     "shortDescription":"d","requiredAction":"a","dueDate":"2024-01-23"},
    {"cveID":"CVE-2024-0002","vendorProject":"Acme","product":"Router","vulnerabilityName":"m","dateAdded":"2024-01-03",
     "shortDescription":"d","requiredAction":"a","dueDate":"2024-01-24"}]}"#;

/// Two routers running Acme's product, one at home and one abroad, and the KEV catalog.
pub(crate) fn seed(world: &World) {
    let router = |id: &str, country: &str| {
        json!({"id": id, "name": id, "kind": "system", "country": country,
               "products": ["cpe:2.3:h:acme:router:1.0:*:*:*:*:*:*:*"]})
    };
    let body = json!({"assets": [router("rtr-home", "US"), router("rtr-away", "NA")],
                      "dependencies": []});
    let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    let stored = world.post(Role::Analyst, "/api/v1/intel/documents?name=kev.json", KEV);
    assert_eq!(stored.status, 200, "{:?}", stored.body);
    assert_eq!(stored.body["kind"], "kev");
    assert_eq!(stored.body["status"], "created");
}

/// The four KEV name matches of [`seed`] (candidates: KEV names no versions) confirmed by an
/// analyst, so that they are decided and counted.
pub(crate) fn confirm_candidates(world: &World) {
    for asset in ["rtr-home", "rtr-away"] {
        for cve in ["CVE-2024-0001", "CVE-2024-0002"] {
            let body = json!({"asset": asset, "cve": cve, "note": "runs 1.0"});
            let confirmed = world.post(
                Role::Analyst,
                "/api/v1/findings/confirmations",
                &body.to_string(),
            );
            assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
        }
    }
}

/// `(asset, cve)` of a page of findings.
fn found(reply: &crate::common::Reply) -> Vec<(String, String)> {
    reply.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {:?}", reply.body))
        .iter()
        .map(|f| {
            (
                f["asset"].as_str().expect("asset").to_owned(),
                f["cve"].as_str().expect("cve").to_owned(),
            )
        })
        .collect()
}

#[test]
fn documents_import_and_list() {
    for db in test_support::backends("hub rest intel documents") {
        let world = World::new(&db);
        seed(&world);
        let again = world.post(Role::Admin, "/api/v1/intel/documents", KEV);
        assert_eq!(again.status, 200, "[{}] {:?}", db.name, again.body);
        assert_eq!(again.body["status"], "unchanged");
        let listed = world.get(Role::Coordinator, "/api/v1/intel/documents");
        assert_eq!(listed.status, 200, "[{}] {:?}", db.name, listed.body);
        assert_eq!(listed.body[0]["kind"], "kev");
        assert_eq!(listed.body[0]["source"], "rest:kev.json");
        assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

        let broken = r#"{"catalogVersion": "1", "vulnerabilities": 7}"#;
        let refused = world.post(
            Role::Analyst,
            "/api/v1/intel/documents?name=bad.json",
            broken,
        );
        assert_eq!(refused.status, 422, "[{}] {:?}", db.name, refused.body);
        let problem = &refused.body["errors"][0];
        assert_eq!(problem["pointer"], "rest:bad.json", "{problem:?}");
        assert!(
            problem["message"]
                .as_str()
                .is_some_and(|m| m.contains("vulnerabilities")),
            "the problem names where: {problem:?}"
        );
        let garbage = world.post(Role::Analyst, "/api/v1/intel/documents", "{}");
        assert_eq!(garbage.status, 422, "{:?}", garbage.body);
        let sbom_elsewhere = world.post(Role::Analyst, "/api/v1/intel/documents?asset=nope", KEV);
        assert_eq!(sbom_elsewhere.status, 404, "{:?}", sbom_elsewhere.body);
        let listed = world.get(Role::Analyst, "/api/v1/intel/documents");
        assert_eq!(
            listed.body.as_array().map(Vec::len),
            Some(1),
            "nothing stored"
        );
    }
}

#[test]
fn findings_filter_sort_page_and_false_positives() {
    for db in test_support::backends("hub rest findings") {
        let world = World::new(&db);
        seed(&world);
        let all = world.get(Role::Coordinator, "/api/v1/findings");
        assert_eq!(all.status, 200, "[{}] {:?}", db.name, all.body);
        assert_eq!(all.body["total"], 4, "[{}] {:?}", db.name, all.body);
        let first = &all.body["items"][0];
        assert_eq!(first["kev_due_date"].as_str().map(str::len), Some(10));
        // KEV names no versions: every one is a candidate, without a decision.
        assert_eq!(first["state"], "candidate");
        assert!(first["ssvc"]["decision"].is_null());
        let candidates = world.get(Role::Analyst, "/api/v1/findings?state=candidate");
        assert_eq!(
            candidates.body["total"], 4,
            "[{}] {:?}",
            db.name, candidates.body
        );

        let by_cve = world.get(
            Role::Analyst,
            "/api/v1/findings?cve=cve-2024-0002&sort=asset",
        );
        assert_eq!(
            found(&by_cve),
            [
                ("rtr-away".to_owned(), "CVE-2024-0002".to_owned()),
                ("rtr-home".to_owned(), "CVE-2024-0002".to_owned())
            ],
            "[{}]",
            db.name
        );
        let foreign = world.get(Role::Analyst, "/api/v1/findings?foreign=true&sort=cve");
        assert_eq!(
            found(&foreign),
            [
                ("rtr-away".to_owned(), "CVE-2024-0001".to_owned()),
                ("rtr-away".to_owned(), "CVE-2024-0002".to_owned())
            ]
        );
        let namibia = world.get(Role::Analyst, "/api/v1/findings?country=na");
        assert_eq!(namibia.body["total"], 2, "[{}] {:?}", db.name, namibia.body);
        assert!(found(&namibia).iter().all(|(asset, _)| asset == "rtr-away"));
        let home = world.get(Role::Analyst, "/api/v1/findings?asset=rtr-home&kev=true");
        assert_eq!(home.body["total"], 2);
        let none = world.get(Role::Analyst, "/api/v1/findings?kev=false");
        assert_eq!(none.body["total"], 0);

        let mut seen = Vec::new();
        let mut path = "/api/v1/findings?limit=3&sort=asset".to_owned();
        loop {
            let page = world.get(Role::Analyst, &path);
            assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
            seen.extend(found(&page));
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/findings?limit=3&sort=asset&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 4, "[{}] {seen:?}", db.name);

        for (bad, pointer) in [
            ("decision=urgent", "/decision"),
            ("state=maybe", "/state"),
            ("sort=random", "/sort"),
            ("limit=0", "/limit"),
            ("min_confidence=2", "/min_confidence"),
            ("cursor=%21", "/cursor"),
        ] {
            let reply = world.get(Role::Analyst, &format!("/api/v1/findings?{bad}"));
            assert_eq!(reply.status, 422, "[{}] {bad}: {:?}", db.name, reply.body);
            assert_eq!(reply.body["errors"][0]["pointer"], pointer, "{bad}");
        }

        let marked = world.post(
            Role::Analyst,
            "/api/v1/findings/false-positives",
            r#"{"asset": "rtr-home", "cve": "CVE-2024-0001", "note": "not exposed"}"#,
        );
        assert_eq!(marked.status, 200, "[{}] {:?}", db.name, marked.body);
        assert_eq!(marked.body["status"], "marked");
        let active = world.get(Role::Analyst, "/api/v1/findings?asset=rtr-home");
        assert_eq!(
            found(&active),
            [("rtr-home".to_owned(), "CVE-2024-0002".to_owned())]
        );
        let with_all = world.get(Role::Analyst, "/api/v1/findings?asset=rtr-home&all=true");
        assert_eq!(with_all.body["total"], 2);
        let bearer = format!("Bearer {}", world.token(Role::Admin));
        let unmark = |query: &str| {
            call(
                "DELETE",
                &world
                    .hub
                    .url(&format!("/api/v1/findings/false-positives?{query}")),
                &[("Authorization", &bearer)],
                "",
            )
        };
        let removed = unmark("asset=rtr-home&cve=CVE-2024-0001");
        assert_eq!(removed.status, 204, "[{}] {:?}", db.name, removed.body);
        let active = world.get(Role::Analyst, "/api/v1/findings?asset=rtr-home");
        assert_eq!(active.body["total"], 2, "active again");
        let gone = unmark("asset=rtr-home&cve=CVE-2024-0001");
        assert_eq!(gone.status, 404, "{:?}", gone.body);
        assert_eq!(unmark("asset=rtr-home").status, 422);
        let bad = world.post(
            Role::Analyst,
            "/api/v1/findings/false-positives",
            r#"{"asset": "rtr-home", "cve": "2024-1"}"#,
        );
        assert_eq!(bad.status, 422, "{:?}", bad.body);
        assert_eq!(bad.body["errors"][0]["pointer"], "/cve");
        let missing = world.post(
            Role::Analyst,
            "/api/v1/findings/false-positives",
            r#"{"asset": "nope", "cve": "CVE-2024-0001"}"#,
        );
        assert_eq!(missing.status, 404, "{:?}", missing.body);

        let confirmed = world.post(
            Role::Analyst,
            "/api/v1/findings/confirmations",
            r#"{"asset": "rtr-away", "cve": "CVE-2024-0002", "note": "firmware 1.0 is affected"}"#,
        );
        assert_eq!(confirmed.status, 200, "[{}] {:?}", db.name, confirmed.body);
        assert_eq!(confirmed.body["verdict"], "confirmed");
        let decided = world.get(Role::Analyst, "/api/v1/findings?state=confirmed");
        assert_eq!(
            found(&decided),
            [("rtr-away".to_owned(), "CVE-2024-0002".to_owned())]
        );
        let it = &decided.body["items"][0];
        assert!(it["ssvc"]["decision"].is_string(), "{it:?}");
        assert_eq!(it["ssvc"]["sources"]["exploitation"], "KEV");
        assert_eq!(
            it["ssvc"]["automatable"], "missing",
            "no CVE record, no ADP vote"
        );
        assert_eq!(it["confirmed"], "firmware 1.0 is affected");
        let exposure = world.get(Role::Analyst, "/api/v1/intel/exposure");
        assert_eq!(exposure.status, 200, "{:?}", exposure.body);
        assert_eq!(
            exposure.body["items"][0]["asset"], "rtr-away",
            "{:?}",
            exposure.body
        );
        let unconfirm = call(
            "DELETE",
            &world
                .hub
                .url("/api/v1/findings/confirmations?asset=rtr-away&cve=CVE-2024-0002"),
            &[("Authorization", &bearer)],
            "",
        );
        assert_eq!(unconfirm.status, 204, "{:?}", unconfirm.body);
        let again = world.get(Role::Analyst, "/api/v1/findings?state=confirmed");
        assert_eq!(again.body["total"], 0, "a candidate again");

        let mut store = store::Store::open(&db.url).expect("store");
        let confirmations = app::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("finding.confirmed".to_owned()),
                limit: 10,
                ..Default::default()
            },
        )
        .expect("audit");
        assert_eq!(confirmations.len(), 1, "[{}] {confirmations:?}", db.name);
        let entries = app::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("finding.false_positive".to_owned()),
                limit: 10,
                ..Default::default()
            },
        )
        .expect("audit");
        assert_eq!(entries.len(), 1, "[{}] {entries:?}", db.name);
        assert_eq!(entries[0].actor, "user:analyst");
        let removals = app::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("finding.false_positive_removed".to_owned()),
                limit: 10,
                ..Default::default()
            },
        )
        .expect("audit");
        assert_eq!(
            removals.len(),
            1,
            "[{}] only the removal that removed: {removals:?}",
            db.name
        );
        assert_eq!(removals[0].actor, "user:admin");
    }
}

/// Who may call which intel route: (method, path, body, roles allowed).
const ROUTES: [(&str, &str, &str, &[Role]); 5] = [
    ("GET", "/api/v1/intel/documents", "", READERS),
    ("GET", "/api/v1/findings", "", READERS),
    ("POST", "/api/v1/intel/documents", KEV, WRITERS),
    (
        "POST",
        "/api/v1/findings/false-positives",
        r#"{"asset": "rtr-home", "cve": "CVE-2024-0001"}"#,
        WRITERS,
    ),
    (
        "POST",
        "/api/v1/findings/confirmations",
        r#"{"asset": "rtr-away", "cve": "CVE-2024-0001"}"#,
        WRITERS,
    ),
];

const READERS: &[Role] = &[Role::Admin, Role::Analyst, Role::Coordinator];
const WRITERS: &[Role] = &[Role::Admin, Role::Analyst];

#[test]
fn every_role_on_every_intel_route() {
    for db in test_support::backends("hub rest intel roles") {
        let world = World::new(&db);
        seed(&world);
        for (method, path, body, allowed) in ROUTES {
            let url = world.hub.url(path);
            let anonymous = call(method, &url, &[], body);
            assert_eq!(anonymous.status, 401, "[{}] {method} {path}", db.name);
            let partner_token = format!("Bearer {}", world.partner);
            let by_partner = call(method, &url, &[("Authorization", &partner_token)], body);
            assert_eq!(
                by_partner.status, 403,
                "[{}] partner {method} {path}",
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
        // Unmarking: the mark exists, only the writers may remove it.
        let url = world
            .hub
            .url("/api/v1/findings/false-positives?asset=rtr-home&cve=CVE-2024-0001");
        let partner_token = format!("Bearer {}", world.partner);
        let mut who = vec![("partner token".to_owned(), partner_token, 403)];
        for role in [Role::Coordinator, Role::Partner, Role::Analyst] {
            let expected = if WRITERS.contains(&role) { 204 } else { 403 };
            who.push((
                role.to_string(),
                format!("Bearer {}", world.token(role)),
                expected,
            ));
        }
        for (name, bearer, expected) in who {
            let reply = call("DELETE", &url, &[("Authorization", &bearer)], "");
            assert_eq!(
                reply.status, expected,
                "[{}] {name} DELETE: {:?}",
                db.name, reply.body
            );
        }
    }
}

#[test]
fn exposure_scores_are_listed_by_asset() {
    for db in test_support::backends("hub rest intel exposure") {
        let world = World::new(&db);
        seed(&world);
        let candidates = world.get(Role::Coordinator, "/api/v1/intel/exposure");
        assert_eq!(
            candidates.body["items"],
            json!([]),
            "[{}] candidates count in no exposure",
            db.name
        );
        confirm_candidates(&world);
        let page = world.get(Role::Coordinator, "/api/v1/intel/exposure?limit=1");
        assert_eq!(page.status, 200, "[{}] {:?}", db.name, page.body);
        assert_eq!(page.body["items"][0]["asset"], "rtr-away", "[{}]", db.name);
        assert_eq!(page.body["items"][0]["findings"], 2);
        let score = page.body["items"][0]["score"].as_f64().expect("score");
        assert!(score > 0.0 && score <= 1.0, "{score}");
        let next = page.body["next"].as_str().expect("a second page");
        let rest = world.get(
            Role::Coordinator,
            &format!("/api/v1/intel/exposure?limit=1&cursor={next}"),
        );
        assert_eq!(rest.body["items"][0]["asset"], "rtr-home", "[{}]", db.name);
        assert_eq!(rest.body["next"], serde_json::Value::Null);
        assert_eq!(
            world.get(Role::Partner, "/api/v1/intel/exposure").status,
            403
        );
    }
}

/// An HTTP server on 127.0.0.1 that answers `GET /kev.json` with [`KEV`] and anything else
/// with 404, one connection at a time, for as long as the test runs.
fn kev_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("the stream"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let (status, body) = if request_line.starts_with("GET /kev.json ") {
                ("200 OK", KEV)
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn administrators_configure_and_sync_feeds_over_rest() {
    let base = kev_server();
    for db in test_support::backends("hub rest feeds") {
        let world = World::new(&db);
        let feed = json!({"name": "kev", "url": format!("{base}/kev.json")}).to_string();
        // Analysts read the list; only administrators configure or sync (the server fetches
        // what they name); partners read nothing.
        let empty = world.get(Role::Analyst, "/api/v1/intel/feeds");
        assert_eq!(empty.status, 200, "[{}] {:?}", db.name, empty.body);
        assert_eq!(empty.body, json!([]));
        for (role, path, body) in [
            (Role::Analyst, "/api/v1/intel/feeds", feed.as_str()),
            (Role::Analyst, "/api/v1/intel/sync", "{}"),
            (Role::Coordinator, "/api/v1/intel/feeds", feed.as_str()),
        ] {
            let refused = world.post(role, path, body);
            assert_eq!(refused.status, 403, "[{}] {role:?} {path}", db.name);
        }
        assert_eq!(world.get(Role::Partner, "/api/v1/intel/feeds").status, 403);
        let nothing = world.post(Role::Admin, "/api/v1/intel/sync", "{}");
        assert_eq!(nothing.status, 422, "[{}] {:?}", db.name, nothing.body);
        assert_eq!(nothing.body["errors"][0]["pointer"], "/urls");

        for (bad, pointer) in [
            (
                json!({"name": "k v", "url": format!("{base}/kev.json")}),
                "/name",
            ),
            (
                json!({"name": "kev", "url": "ftp://feeds.example/kev.json"}),
                "/url",
            ),
            (
                json!({"name": "kev", "url": "http://feeds.example/kev.json"}),
                "/url",
            ),
        ] {
            let refused = world.post(Role::Admin, "/api/v1/intel/feeds", &bad.to_string());
            assert_eq!(
                refused.status, 422,
                "[{}] {bad}: {:?}",
                db.name, refused.body
            );
            assert_eq!(refused.body["errors"][0]["pointer"], pointer, "{bad}");
        }
        let added = world.post(Role::Admin, "/api/v1/intel/feeds", &feed);
        assert_eq!(added.status, 201, "[{}] {:?}", db.name, added.body);
        assert_eq!(added.body["name"], "kev");
        let twice = world.post(Role::Admin, "/api/v1/intel/feeds", &feed);
        assert_eq!(twice.status, 409, "[{}] {:?}", db.name, twice.body);
        let listed = world.get(Role::Analyst, "/api/v1/intel/feeds");
        assert_eq!(listed.body[0]["url"], format!("{base}/kev.json"));

        // A URL that fails fails the whole sync: nothing stored, the URL named.
        let missing = format!("{base}/missing.json");
        let failed = world.post(
            Role::Admin,
            "/api/v1/intel/sync",
            &json!({"urls": [missing]}).to_string(),
        );
        assert_eq!(failed.status, 502, "[{}] {:?}", db.name, failed.body);
        assert!(
            failed.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&missing),
            "{:?}",
            failed.body
        );
        let documents = world.get(Role::Analyst, "/api/v1/intel/documents");
        assert_eq!(documents.body, json!([]), "[{}] nothing stored", db.name);

        let synced = world.post(Role::Admin, "/api/v1/intel/sync", "{}");
        assert_eq!(synced.status, 200, "[{}] {:?}", db.name, synced.body);
        assert_eq!(synced.body[0]["feed"], "kev");
        assert_eq!(synced.body[0]["status"], "created");
        assert_eq!(synced.body[0]["bytes"], KEV.len());
        assert_eq!(synced.body[0]["import"]["kind"], "kev");
        let again = world.post(Role::Admin, "/api/v1/intel/sync", "{}");
        assert_eq!(
            again.body[0]["status"], "unchanged",
            "[{}] {:?}",
            db.name, again.body
        );

        let bearer = format!("Bearer {}", world.token(Role::Admin));
        let url = world.hub.url("/api/v1/intel/feeds/kev");
        let removed = call("DELETE", &url, &[("Authorization", &bearer)], "");
        assert_eq!(removed.status, 204, "[{}] {:?}", db.name, removed.body);
        let gone = call("DELETE", &url, &[("Authorization", &bearer)], "");
        assert_eq!(gone.status, 404, "[{}] {:?}", db.name, gone.body);

        let mut store = store::Store::open(&db.url).expect("store");
        for action in ["feed.add", "feed.remove"] {
            let entries = app::audit::list(
                &mut store,
                &store::AuditFilter {
                    action: Some(action.to_owned()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .expect("audit");
            assert_eq!(entries.len(), 1, "[{}] {action}: {entries:?}", db.name);
            assert_eq!(entries[0].actor, "user:admin");
        }
    }
}

#[test]
fn imported_documents_are_retrievable_byte_for_byte() {
    for db in test_support::backends("hub rest intel original") {
        let world = World::new(&db);
        // A byte-order mark, odd whitespace, keys out of order, an escaped and a raw non-ASCII
        // character, CRLF line ends: none of it may change.
        let original = "\u{feff}{ \"vulnerabilities\" :[\r\n\t{\"dueDate\":\"2024-01-23\",\"cveID\":\"CVE-2024-0001\",\"vendorProject\":\"Acme\u{e9}\",\"product\":\"Router\",\"vulnerabilityName\":\"n\\u00e9\",\"dateAdded\":\"2024-01-02\",\"shortDescription\":\"d\",\"requiredAction\":\"a\"}],\r\n  \"count\":1,\"dateReleased\":\"2025-01-02T00:00:00Z\",\"catalogVersion\":\"2025.01.03\"  }\r\n";
        let stored = world.post(
            Role::Analyst,
            "/api/v1/intel/documents?name=odd.json",
            original,
        );
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        let id = stored.body["id"].as_i64().expect("an id");
        let path = format!("/api/v1/intel/documents/{id}/original");
        for role in [Role::Admin, Role::Analyst, Role::Coordinator] {
            let (status, media_type, bytes) =
                crate::csaf::fetch(&world.hub.url(&path), Some(world.token(role)));
            assert_eq!(status, 200, "[{}] {role}", db.name);
            assert_eq!(media_type, "application/json", "[{}]", db.name);
            assert_eq!(
                bytes,
                original.as_bytes(),
                "[{}] {role}: the bytes changed",
                db.name
            );
        }
        let (status, _, _) =
            crate::csaf::fetch(&world.hub.url(&path), Some(world.token(Role::Partner)));
        assert_eq!(status, 403, "[{}] a partner user", db.name);
        let (status, _, _) = crate::csaf::fetch(&world.hub.url(&path), Some(&world.partner));
        assert_eq!(status, 403, "[{}] a partner token", db.name);
        let missing = format!("/api/v1/intel/documents/{}/original", id + 1000);
        let (status, _, _) =
            crate::csaf::fetch(&world.hub.url(&missing), Some(world.token(Role::Admin)));
        assert_eq!(status, 404, "[{}]", db.name);
    }
}

/// An OSV record without a CVE alias: its findings carry the GO id and the GHSA alias through
/// the REST API, and a verdict on the GO id is accepted and applied.
#[test]
fn osv_findings_keep_non_cve_ids_and_aliases() {
    let record = r#"{"id":"GO-2099-0001","modified":"2099-01-01T00:00:00Z","aliases":["GHSA-aaaa-bbbb-cccc"],
      "affected":[{"package":{"ecosystem":"Go","name":"example.com/mod"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#;
    for db in test_support::backends("hub rest intel osv") {
        let world = World::new(&db);
        let body = json!({"assets": [{"id": "svc", "name": "svc", "kind": "system", "country": "US",
            "products": ["pkg:golang/example.com/mod@v1.1.9"]}], "dependencies": []});
        let imported = world.post(Role::Analyst, "/api/v1/atlas/import", &body.to_string());
        assert_eq!(imported.status, 200, "{:?}", imported.body);
        let stored = world.post(
            Role::Analyst,
            "/api/v1/intel/documents?name=go.json",
            record,
        );
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        assert_eq!(stored.body["kind"], "osv");
        let listed = world.get(Role::Analyst, "/api/v1/findings");
        assert_eq!(listed.status, 200, "[{}] {:?}", db.name, listed.body);
        let f = &listed.body["items"][0];
        assert_eq!(f["cve"], "GHSA-aaaa-bbbb-cccc", "{f:?}");
        assert_eq!(f["aliases"], json!(["GO-2099-0001"]), "{f:?}");
        assert_eq!(f["source"], "OSV GO-2099-0001", "{f:?}");
        assert_eq!(f["state"], "checked", "{f:?}");
        let marked = world.post(
            Role::Analyst,
            "/api/v1/findings/false-positives",
            r#"{"asset": "svc", "cve": "GHSA-aaaa-bbbb-cccc", "note": "vendored, unused"}"#,
        );
        assert_eq!(marked.status, 200, "[{}] {:?}", db.name, marked.body);
        let active = world.get(Role::Analyst, "/api/v1/findings");
        assert_eq!(active.body["total"], 0, "[{}] {:?}", db.name, active.body);
    }
}
