//! The findings of the security review, each a reproduction through a real server on
//! 127.0.0.1, on SQLite and PostgreSQL: idle TLS clients, status resources of other partners,
//! NUL characters, oversized objects, incident reports, and credentials (TLS key mode, failed
//! token throttling, SQLite file mode, redacted database URLs).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{
    self, ACCEPT, Hub, agreement, certificate, collection, get, indicator, partner, post, set_mode,
};
use model::Atlas;
use serde_json::{Value, json};
use store::{Store, Tlp};

const C: &str = "9d6b7f0a-1c2e-4e8a-9b3f-1a2b3c4d5e6f";
const JSON: &str = "application/json";

fn objects_url(hub: &Hub) -> String {
    hub.url(&format!("/taxii2/hub/collections/{C}/objects/"))
}

fn envelope(objects: &[Value]) -> String {
    json!({ "objects": objects }).to_string()
}

/// Collection C and the partner "writer", who may read and write it up to AMBER; the writer's
/// token.
fn writer(store: &mut Store) -> String {
    collection(store, C);
    let token = partner(store, "writer");
    agreement(store, "w", "writer", Tlp::Amber, &[(C, true, true)]);
    token
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Finding 2: a TCP connection that never starts its TLS handshake held the accept loop, so
/// every other client timed out while it was open.
#[test]
fn an_idle_tcp_connection_does_not_stop_the_https_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = certificate(dir.path());
    let db = test_support::backends("hub_idle_tls").remove(0);
    let token = partner(&mut Store::open(&db.url).expect("open"), "tls");
    let hub = Hub::start_with(&db.url, |o| o.tls = Some((cert.clone(), key.clone())));
    let addr = hub.base.trim_start_matches("http://").to_owned();
    // Two idle clients: one silent, one that sent half a ClientHello.
    let _silent = TcpStream::connect(&addr).expect("connect");
    let mut partial = TcpStream::connect(&addr).expect("connect");
    partial.write_all(&[0x16, 0x03, 0x01]).expect("write");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let reply = common::get_tls(&format!("https://{addr}/taxii2/"), &token);
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the request waited {:?} behind idle connections",
        started.elapsed()
    );
}

/// Finding 13: a TLS key readable by group or others is refused at start-up, naming the file.
#[test]
fn a_tls_key_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = certificate(dir.path());
    set_mode(&key, 0o644);
    let db = test_support::backends("hub_tls_key_mode").remove(0);
    drop(Store::open(&db.url).expect("open"));
    let mut options = hub::ServeOptions::new(&db.url, ([127, 0, 0, 1], 0).into());
    options.tls = Some((cert, key.clone()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let refused = runtime
        .block_on(hub::Bound::bind(&options))
        .err()
        .map(|e| format!("{e:#}"))
        .expect("a world-readable key is refused");
    assert!(refused.contains(&key.display().to_string()), "{refused}");
    assert!(refused.contains("chmod 600"), "{refused}");
}

/// Finding 5: a status resource is readable only by the partner that made the POST; another
/// partner, even one with read and write on the collection, gets the answer of an unknown id.
#[test]
fn a_status_is_only_for_the_partner_that_posted() {
    for db in test_support::backends("hub_status_owner") {
        let mut store = Store::open(&db.url).expect("open");
        collection(&mut store, C);
        let a = partner(&mut store, "poster");
        let b = partner(&mut store, "peer");
        agreement(&mut store, "a", "poster", Tlp::Amber, &[(C, true, true)]);
        agreement(&mut store, "b", "peer", Tlp::Amber, &[(C, true, true)]);
        drop(store);
        let hub = Hub::start(&db.url);
        let batch = [indicator(1, "2026-02-01T00:00:00.000Z", Some(Tlp::Amber))];
        let posted = post(&objects_url(&hub), &a, ACCEPT, &envelope(&batch));
        assert_eq!(posted.status, 202, "[{}] {:?}", db.name, posted.body);
        let id = posted.body["id"].as_str().expect("status id");
        let own = get(&hub.url(&format!("/taxii2/hub/status/{id}/")), Some(&a));
        assert_eq!(own.status, 200, "[{}] {:?}", db.name, own.body);
        assert_eq!(own.body["success_count"], 1);
        let other = get(&hub.url(&format!("/taxii2/hub/status/{id}/")), Some(&b));
        assert_eq!(other.status, 404, "[{}] {:?}", db.name, other.body);
        let unknown_id = "00000000-0000-4000-8000-000000000000";
        let unknown = get(
            &hub.url(&format!("/taxii2/hub/status/{unknown_id}/")),
            Some(&b),
        );
        assert_eq!(unknown.status, 404);
        assert_eq!(
            other.body["description"]
                .as_str()
                .map(|d| d.replace(id, unknown_id)),
            unknown.body["description"].as_str().map(str::to_owned),
            "[{}] the same answer as an unknown id",
            db.name
        );
        assert_eq!(other.body["title"], unknown.body["title"]);
    }
}

/// An asset in `country`.
fn asset(id: &str, country: &str) -> model::Asset {
    model::Asset {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: "system".to_owned(),
        country: country.to_owned(),
        ..model::Asset::default()
    }
}

/// Finding 6: NUL characters in identifiers, query values and JSON bodies are client errors
/// naming where they are, on both backends (PostgreSQL answered 500; SQLite stored them).
#[test]
fn nul_characters_are_client_errors_naming_where() {
    for db in test_support::backends("hub_nul") {
        let mut store = Store::open(&db.url).expect("open");
        store
            .import(&Atlas {
                assets: vec![asset("fw:de-1", "DE")],
                dependencies: Vec::new(),
            })
            .expect("import");
        let token = writer(&mut store);
        drop(store);
        let hub = Hub::start(&db.url);
        let name = db.name;
        let objects = objects_url(&hub);
        let id = "indicator--00000000-0000-4000-8000-000000000001";

        let gets = [
            (format!("{objects}{id}%00/"), "object id"),
            (format!("{objects}{id}%00/versions/"), "object id"),
            (format!("{objects}%00/"), "object id"),
            (format!("{objects}?match[id]=%00"), "match[id]"),
            (format!("{objects}?match[id]={id}%00"), "match[id]"),
            (format!("{objects}?match[type]=indicator%00"), "match[type]"),
            (
                format!("{objects}?match[spec_version]=2.1%00"),
                "match[spec_version]",
            ),
            (format!("{objects}?match[version]=%00"), "match[version]"),
            (format!("{objects}?added_after=%00"), "added_after"),
            (
                hub.url(&format!(
                    "/taxii2/hub/collections/{C}/manifest/?match[id]=%00"
                )),
                "match[id]",
            ),
            (
                hub.url(&format!("/taxii2/hub/collections/{C}%00/objects/")),
                "collection id",
            ),
            (hub.url("/taxii2/hub/status/abc%00/"), "status id"),
        ];
        for (url, parameter) in &gets {
            let reply = get(url, Some(&token));
            assert_eq!(reply.status, 400, "[{name}] {url}: {:?}", reply.body);
            assert_eq!(reply.header("content-type"), Some(ACCEPT), "{url}");
            let description = reply.body["description"].as_str().unwrap_or_default();
            assert!(
                description.starts_with(parameter) || description.contains(parameter),
                "[{name}] {url}: {description}"
            );
        }
        let deleted = common::delete(&format!("{objects}{id}%00/"), &token);
        assert_eq!(deleted.status, 400, "[{name}] {:?}", deleted.body);

        let ack = post(
            &hub.url("/api/v1/notifications/ALERT-2026-0001.1%00/acknowledge"),
            &token,
            JSON,
            "",
        );
        assert_eq!(ack.status, 400, "[{name}] {:?}", ack.body);
        assert!(
            ack.body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("notification id")),
            "[{name}] {:?}",
            ack.body
        );

        // JSON bodies: 422 naming the JSON pointer; nothing stored.
        let mut named = indicator(2, "2026-02-01T00:00:00.000Z", None);
        named["name"] = json!("a\u{0}b");
        let posted = post(
            &objects,
            &token,
            ACCEPT,
            &envelope(&[indicator(1, "2026-02-01T00:00:00.000Z", None), named]),
        );
        assert_eq!(posted.status, 422, "[{name}] {:?}", posted.body);
        assert!(
            posted.body["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("/objects/1/name:")),
            "[{name}] {:?}",
            posted.body
        );
        let incident = json!([{"assets": ["fw:de-1"], "kind": "cyber", "category": "a\u{0}b",
                               "occurred_at": "2026-01-03T00:00:00Z", "severity": 3}]);
        let filed = post(
            &hub.url("/api/v1/incidents"),
            &token,
            JSON,
            &incident.to_string(),
        );
        assert_eq!(filed.status, 422, "[{name}] {:?}", filed.body);
        assert!(
            filed.body["errors"][0]["pointer"] == "/0/category",
            "[{name}] {:?}",
            filed.body
        );
        let mut store = Store::open(&db.url).expect("open");
        assert!(store.incidents().expect("incidents").is_empty(), "[{name}]");
        let listed = get(&objects, Some(&token));
        assert_eq!(listed.status, 200, "[{name}] {:?}", listed.body);
        assert_eq!(listed.body["objects"], json!([]), "[{name}] nothing stored");
    }
}

/// Finding 8: an object larger than `max_object` is refused in the status, naming its id and
/// size; the rest of the envelope is stored.
#[test]
fn objects_over_the_size_cap_are_refused_one_by_one() {
    for db in test_support::backends("hub_max_object") {
        let mut store = Store::open(&db.url).expect("open");
        let token = writer(&mut store);
        drop(store);
        let hub = Hub::start_with(&db.url, |o| o.max_object = 4096);
        let mut big = indicator(7, "2026-02-01T00:00:00.000Z", None);
        big["description"] = json!("x".repeat(5000));
        let size = big.to_string().len();
        let posted = post(
            &objects_url(&hub),
            &token,
            ACCEPT,
            &envelope(&[indicator(1, "2026-02-01T00:00:00.000Z", None), big]),
        );
        assert_eq!(posted.status, 202, "[{}] {:?}", db.name, posted.body);
        assert_eq!(posted.body["success_count"], 1);
        assert_eq!(posted.body["failure_count"], 1);
        let failure = &posted.body["failures"][0];
        let big_id = "indicator--00000000-0000-4000-8000-000000000007";
        assert_eq!(failure["id"], big_id);
        assert_eq!(failure["version"], "2026-02-01T00:00:00.000Z");
        let message = failure["message"].as_str().expect("message");
        assert!(message.contains(big_id), "{message}");
        assert!(message.contains(&format!("{size} bytes")), "{message}");
        assert!(message.contains("4096"), "{message}");
        let stored = get(&objects_url(&hub), Some(&token));
        assert_eq!(stored.body["objects"].as_array().map(Vec::len), Some(1));
    }
}

/// Finding 8, variant: many objects just under the cap. A page ends early once it holds 8 MiB
/// of JSON (`more` and `next`, whatever the `limit`), so no request builds a gigabyte page; the
/// pages together still hold every object exactly once.
#[test]
fn a_page_is_bounded_in_bytes_not_only_in_objects() {
    for db in test_support::backends("hub_page_bytes") {
        let mut store = Store::open(&db.url).expect("open");
        let token = writer(&mut store);
        drop(store);
        let hub = Hub::start(&db.url);
        let objects: Vec<Value> = (1..=24)
            .map(|n| {
                let mut big = indicator(n, "2026-02-01T00:00:00.000Z", None);
                big["description"] = json!("x".repeat(900_000));
                big
            })
            .collect();
        for chunk in objects.chunks(8) {
            let posted = post(&objects_url(&hub), &token, ACCEPT, &envelope(chunk));
            assert_eq!(
                posted.body["success_count"], 8,
                "[{}] {:?}",
                db.name, posted.status
            );
        }
        let mut seen = BTreeSet::new();
        let mut pages = 0;
        let mut url = format!("{}?limit=1000", objects_url(&hub));
        loop {
            let page = get(&url, Some(&token));
            assert_eq!(page.status, 200, "[{}]", db.name);
            let served = page.body["objects"].as_array().cloned().unwrap_or_default();
            let bytes: usize = served.iter().map(|o| o.to_string().len()).sum();
            assert!(bytes <= 9 << 20, "[{}] a page of {bytes} bytes", db.name);
            for o in &served {
                assert!(
                    seen.insert(o["id"].as_str().unwrap_or("").to_owned()),
                    "twice: {}",
                    o["id"]
                );
            }
            pages += 1;
            match page.body["next"].as_str() {
                Some(next) if page.body["more"] == true => {
                    url = format!("{}?limit=1000&next={next}", objects_url(&hub));
                }
                _ => break,
            }
        }
        assert_eq!(seen.len(), 24, "[{}]", db.name);
        assert!(pages >= 3, "[{}] {pages} pages", db.name);
    }
}

/// Finding 11: only partners with a write agreement file incidents; an unknown asset and one
/// outside the partner's constituency get the same answer; at most 100 reports per request.
#[test]
fn incident_reports_need_a_write_agreement_a_constituency_and_a_cap() {
    for db in test_support::backends("hub_incident_rules") {
        let mut store = Store::open(&db.url).expect("open");
        store
            .import(&Atlas {
                assets: vec![asset("fw:de-1", "DE"), asset("fw:fr-1", "FR")],
                dependencies: Vec::new(),
            })
            .expect("import");
        collection(&mut store, C);
        let writer = partner(&mut store, "writer");
        let reader = partner(&mut store, "reader");
        let stranger = partner(&mut store, "stranger");
        agreement(&mut store, "w", "writer", Tlp::Amber, &[(C, true, true)]);
        agreement(&mut store, "r", "reader", Tlp::Amber, &[(C, true, false)]);
        drop(store);
        let hub = Hub::start(&db.url);
        let name = db.name;
        let url = hub.url("/api/v1/incidents");
        let report = |asset: &str| {
            json!({"assets": [asset], "kind": "cyber", "category": "intrusion",
                   "occurred_at": "2026-01-03T00:00:00Z", "severity": 4})
        };
        let one = |asset: &str| json!([report(asset)]).to_string();

        for token in [&reader, &stranger] {
            let refused = post(&url, token, JSON, &one("fw:de-1"));
            assert_eq!(refused.status, 403, "[{name}] {:?}", refused.body);
            assert_eq!(refused.body["code"], "no_write_agreement");
        }

        let unknown = post(&url, &writer, JSON, &one("fw:zz-9"));
        let foreign = post(&url, &writer, JSON, &one("fw:fr-1"));
        assert_eq!(unknown.status, 422, "[{name}] {:?}", unknown.body);
        assert_eq!(foreign.status, unknown.status);
        assert_eq!(foreign.body["code"], unknown.body["code"]);
        assert_eq!(foreign.body["message"], unknown.body["message"]);
        let shown =
            |reply: &common::Reply, id: &str| reply.body["errors"].to_string().replace(id, "ID");
        assert_eq!(shown(&foreign, "fw:fr-1"), shown(&unknown, "fw:zz-9"));

        let many: Vec<Value> = (0..101).map(|_| report("fw:de-1")).collect();
        let capped = post(&url, &writer, JSON, &Value::Array(many).to_string());
        assert_eq!(capped.status, 413, "[{name}] {:?}", capped.body);
        assert_eq!(capped.body["code"], "too_many_reports");
        assert!(
            capped.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("101") && m.contains("100")),
            "{:?}",
            capped.body
        );

        let filed = post(&url, &writer, JSON, &one("fw:de-1"));
        assert_eq!(filed.status, 201, "[{name}] {:?}", filed.body);
        let stored = Store::open(&db.url)
            .expect("open")
            .incidents()
            .expect("incidents");
        assert_eq!(stored.len(), 1, "[{name}] only the allowed report");
    }
}

/// Finding 13: after `auth_failures` failed tokens from one IP within the window, that IP is
/// answered 429 with Retry-After, even with a valid token; other failures stay 401 before that.
#[test]
fn failed_tokens_are_throttled_per_client_ip() {
    let db = test_support::backends("hub_throttle").remove(0);
    let token = partner(&mut Store::open(&db.url).expect("open"), "p");
    let hub = Hub::start_with(&db.url, |o| o.auth_failures = 3);
    let url = hub.url("/taxii2/");
    assert_eq!(get(&url, Some(&token)).status, 200);
    // The token with its last character changed (to one it does not already end with).
    let last = if token.ends_with('x') { 'y' } else { 'x' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    for _ in 0..3 {
        assert_eq!(get(&url, Some(&wrong)).status, 401);
    }
    let throttled = get(&url, Some(&wrong));
    assert_eq!(throttled.status, 429, "{:?}", throttled.body);
    let retry: u64 = throttled
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(get(&url, Some(&token)).status, 429);
    let api = post(&hub.url("/api/v1/incidents"), &token, JSON, "[]");
    assert_eq!(api.status, 429);
    assert_eq!(api.body["code"], "too_many_failures");
}

/// Finding 13: a new SQLite database file (and its -wal and -shm) is readable by its owner only.
#[test]
fn a_new_sqlite_database_is_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.db");
    let mut store = Store::open(path.to_str().expect("utf-8")).expect("open");
    collection(&mut store, C);
    for file in ["hub.db", "hub.db-wal", "hub.db-shm"] {
        let file = dir.path().join(file);
        if file.exists() {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    assert!(dir.path().join("hub.db-wal").exists());
}

/// Finding 13: database URLs are printed without their password.
#[test]
fn database_urls_are_redacted() {
    for url in [
        "postgres://meridian:s3cret@db.example/hub",
        "postgres://db.example/hub?user=meridian&password=s3cret&schema=x",
    ] {
        let shown = store::redact_url(url);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example/hub"), "{shown}");
    }
    let error = match Store::open("postgres://u:s3cret@127.0.0.1:1/x?schema=1bad") {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a bad schema name is refused"),
    };
    assert!(!error.contains("s3cret"), "{error}");
}

/// Finding 2 (plain HTTP): a client that never finishes its request header (slow loris) is
/// disconnected after `HEADER_READ_TIMEOUT`, and others are served meanwhile.
#[test]
fn a_slow_header_is_cut_off_on_plain_http() {
    use std::io::Read as _;
    let db = test_support::backends("hub_slow_loris").remove(0);
    let token = partner(&mut Store::open(&db.url).expect("open"), "p");
    let hub = Hub::start(&db.url);
    let addr = hub.base.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&addr).expect("connect");
    slow.write_all(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    assert_eq!(get(&hub.url("/taxii2/"), Some(&token)).status, 200);
    slow.set_read_timeout(Some(hub::HEADER_READ_TIMEOUT + Duration::from_secs(5)))
        .expect("timeout");
    let started = Instant::now();
    let mut buf = [0u8; 512];
    let read = slow.read(&mut buf);
    assert!(
        matches!(read, Ok(0))
            || read.is_err()
                && started.elapsed() < hub::HEADER_READ_TIMEOUT + Duration::from_secs(4),
        "{read:?} after {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() <= hub::HEADER_READ_TIMEOUT + Duration::from_secs(2));
}
