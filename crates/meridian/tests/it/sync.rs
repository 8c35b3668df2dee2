//! `intel sync` and `intel feed …` against a tiny HTTP server on 127.0.0.1 serving the real KEV
//! catalog (with an `ETag`) and a real EPSS file (with a `Last-Modified`), on both backends.
//! No external network.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::{meridian, ok};

/// What the server answers on one path.
#[derive(Clone)]
struct Route {
    status: u16,
    body: Vec<u8>,
    /// Sent as `ETag`; a request whose `If-None-Match` equals it gets a 304.
    etag: Option<String>,
    /// Sent as `Last-Modified`; a request whose `If-Modified-Since` equals it gets a 304.
    last_modified: Option<String>,
}

impl Route {
    fn ok(body: Vec<u8>) -> Route {
        Route {
            status: 200,
            body,
            etag: None,
            last_modified: None,
        }
    }
}

/// The path and lowercased headers of every request received.
type Requests = Mutex<Vec<(String, HashMap<String, String>)>>;

/// An HTTP/1.1 server on 127.0.0.1, one connection at a time, in a detached thread; it keeps the
/// requests it received for the assertions.
struct Server {
    base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    requests: Arc<Requests>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let routes = Arc::new(Mutex::new(HashMap::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (r, q) = (Arc::clone(&routes), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &r, &q);
            }
        });
        Server {
            base,
            routes,
            requests,
        }
    }

    fn route(&self, path: &str, route: Route) -> String {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_owned(), route);
        format!("{}{path}", self.base)
    }

    /// The headers of the last request for `path`.
    fn last_request(&self, path: &str) -> HashMap<String, String> {
        self.requests
            .lock()
            .expect("requests")
            .iter()
            .rev()
            .find(|(p, _)| p == path)
            .map(|(_, h)| h.clone())
            .expect("a request for the path")
    }
}

fn serve(mut stream: TcpStream, routes: &Mutex<HashMap<String, Route>>, requests: &Requests) {
    let timeout = Some(Duration::from_secs(10));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return;
    }
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or_default()
        .to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let route = routes.lock().expect("routes").get(&path).cloned();
    requests
        .lock()
        .expect("requests")
        .push((path, headers.clone()));
    let route = route.unwrap_or(Route {
        status: 404,
        body: b"no such file".to_vec(),
        etag: None,
        last_modified: None,
    });
    let matches = |validator: &Option<String>, header: &str| {
        validator.is_some() && validator.as_ref() == headers.get(header)
    };
    let not_modified =
        matches(&route.etag, "if-none-match") || matches(&route.last_modified, "if-modified-since");
    let (status, body) = if not_modified {
        (304, &[][..])
    } else {
        (route.status, &route.body[..])
    };
    let mut response = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
    if let Some(etag) = &route.etag {
        response.push_str(&format!("ETag: {etag}\r\n"));
    }
    if let Some(date) = &route.last_modified {
        response.push_str(&format!("Last-Modified: {date}\r\n"));
    }
    if status != 304 {
        response.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    response.push_str("\r\n");
    let _ = stream
        .write_all(response.as_bytes())
        .and_then(|()| stream.write_all(body));
}

fn shared_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(test_support::shared_data(relative)).expect("reading shared data")
}

fn kev() -> Vec<u8> {
    shared_bytes("kev/known_exploited_vulnerabilities.json")
}

fn epss() -> Vec<u8> {
    shared_bytes("epss/epss-subset-kev-csaf-vulnrichment.csv")
}

/// Runs an `intel` command that must succeed, without progress or notes; returns its stdout.
fn intel(db: &str, args: &[&str]) -> String {
    let mut all = vec!["--quiet", "intel"];
    all.extend_from_slice(args);
    ok(db, &all)
}

fn run(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet", "intel"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("json output")
}

/// Runs an `intel` command that must fail; returns its stderr.
fn fails(db: &str, args: &[&str]) -> String {
    let mut all = vec!["--quiet", "intel"];
    all.extend_from_slice(args);
    let out = meridian(db, &all);
    assert!(!out.status.success(), "meridian {all:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `(url, status)` of each row of an `intel sync --json`.
fn statuses(report: &Value) -> Vec<(String, String)> {
    report
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect(k).to_owned();
            (s("url"), s("status"))
        })
        .collect()
}

fn document_count(db: &str) -> usize {
    run(db, &["documents"]).as_array().expect("rows").len()
}

#[test]
fn sync_stores_then_sends_validators_and_stores_nothing_on_304() {
    for db in test_support::backends("intel sync conditional") {
        let server = Server::start();
        let kev_url = server.route(
            "/kev.json",
            Route {
                etag: Some("\"v1\"".to_owned()),
                ..Route::ok(kev())
            },
        );
        let epss_url = server.route(
            "/epss.csv",
            Route {
                last_modified: Some("Sat, 21 Nov 2026 00:00:00 GMT".to_owned()),
                ..Route::ok(epss())
            },
        );
        intel(&db.url, &["feed", "add", "kev", &kev_url]);

        let first = run(&db.url, &["sync", "--url", &epss_url]);
        assert_eq!(
            statuses(&first),
            vec![
                (kev_url.clone(), "created".to_owned()),
                (epss_url.clone(), "created".to_owned())
            ],
            "[{}]",
            db.name
        );
        assert_eq!(first[0]["feed"], "kev", "[{}]", db.name);
        assert_eq!(first[0]["import"]["kind"], "kev", "[{}]", db.name);
        assert_eq!(first[1]["import"]["kind"], "epss", "[{}]", db.name);
        assert_eq!(first[0]["bytes"], kev().len(), "[{}]", db.name);
        let documents = run(&db.url, &["documents"]);
        assert_eq!(documents[0]["source"], kev_url.as_str(), "[{}]", db.name);
        assert_eq!(documents[1]["source"], epss_url.as_str(), "[{}]", db.name);
        assert!(
            !server
                .last_request("/kev.json")
                .contains_key("if-none-match"),
            "[{}] the first fetch is unconditional",
            db.name
        );

        let second = run(&db.url, &["sync", "--url", &epss_url]);
        assert_eq!(
            statuses(&second),
            vec![
                (kev_url.clone(), "not modified".to_owned()),
                (epss_url.clone(), "not modified".to_owned())
            ],
            "[{}]",
            db.name
        );
        assert!(second[0]["import"].is_null(), "[{}]", db.name);
        assert_eq!(
            server.last_request("/kev.json")["if-none-match"],
            "\"v1\"",
            "[{}]",
            db.name
        );
        assert_eq!(
            server.last_request("/epss.csv")["if-modified-since"],
            "Sat, 21 Nov 2026 00:00:00 GMT",
            "[{}]",
            db.name
        );
        assert_eq!(document_count(&db.url), 2, "[{}]", db.name);

        // A new ETag on the same bytes: fetched again, stored once, and the new ETag is kept.
        server.route(
            "/kev.json",
            Route {
                etag: Some("\"v2\"".to_owned()),
                ..Route::ok(kev())
            },
        );
        let third = run(&db.url, &["sync"]);
        assert_eq!(
            statuses(&third),
            vec![(kev_url.clone(), "unchanged".to_owned())],
            "[{}]",
            db.name
        );
        assert_eq!(document_count(&db.url), 2, "[{}]", db.name);
        let fourth = run(&db.url, &["sync"]);
        assert_eq!(fourth[0]["status"], "not modified", "[{}]", db.name);
        assert_eq!(
            server.last_request("/kev.json")["if-none-match"],
            "\"v2\"",
            "[{}]",
            db.name
        );
    }
}

#[test]
fn an_invalid_document_is_refused_and_nothing_is_stored() {
    for db in test_support::backends("intel sync invalid") {
        let server = Server::start();
        let kev_url = server.route(
            "/kev.json",
            Route {
                etag: Some("\"k\"".to_owned()),
                ..Route::ok(kev())
            },
        );
        let bad_url = server.route(
            "/bad.json",
            Route::ok(br#"{"catalogVersion": "x", "vulnerabilities": 5}"#.to_vec()),
        );
        let err = fails(&db.url, &["sync", "--url", &kev_url, "--url", &bad_url]);
        assert!(err.contains(&bad_url), "[{}] {err}", db.name);
        assert!(err.contains("nothing was stored"), "[{}] {err}", db.name);
        assert_eq!(document_count(&db.url), 0, "[{}]", db.name);
        // No validator was kept either: the next sync fetches the catalog again.
        let report = run(&db.url, &["sync", "--url", &kev_url]);
        assert_eq!(report[0]["status"], "created", "[{}]", db.name);
        assert!(
            !server
                .last_request("/kev.json")
                .contains_key("if-none-match"),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn http_errors_name_the_url_and_status_and_store_nothing() {
    for db in test_support::backends("intel sync errors") {
        let server = Server::start();
        let kev_url = server.route("/kev.json", Route::ok(kev()));
        let broken_url = server.route(
            "/broken",
            Route {
                status: 500,
                ..Route::ok(b"oops".to_vec())
            },
        );
        let missing_url = format!("{}/missing", server.base);
        let err = fails(
            &db.url,
            &[
                "sync",
                "--url",
                &kev_url,
                "--url",
                &broken_url,
                "--url",
                &missing_url,
            ],
        );
        assert!(
            err.contains(&format!("{broken_url}: HTTP status 500")),
            "[{}] {err}",
            db.name
        );
        assert!(
            err.contains(&format!("{missing_url}: HTTP status 404")),
            "[{}] {err}",
            db.name
        );
        assert_eq!(document_count(&db.url), 0, "[{}]", db.name);
        let err = fails(&db.url, &["sync"]);
        assert!(err.contains("nothing to sync"), "[{}] {err}", db.name);
    }
}

#[test]
fn feeds_are_added_listed_and_removed() {
    for db in test_support::backends("intel feeds") {
        intel(
            &db.url,
            &["feed", "add", "kev", "https://feeds.example/kev.json"],
        );
        intel(
            &db.url,
            &["feed", "add", "epss", "http://127.0.0.1:8080/epss.csv"],
        );
        let err = fails(
            &db.url,
            &["feed", "add", "kev", "https://elsewhere.example/"],
        );
        assert!(err.contains("exists already"), "[{}] {err}", db.name);
        let err = fails(
            &db.url,
            &["feed", "add", "x", "http://feeds.example/kev.json"],
        );
        assert!(err.contains("HTTPS"), "[{}] {err}", db.name);
        let list = run(&db.url, &["feed", "list"]);
        let names: Vec<(&str, &str)> = list
            .as_array()
            .expect("rows")
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().expect("name"),
                    f["url"].as_str().expect("url"),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("epss", "http://127.0.0.1:8080/epss.csv"),
                ("kev", "https://feeds.example/kev.json")
            ],
            "[{}]",
            db.name
        );
        intel(&db.url, &["feed", "remove", "kev"]);
        let err = fails(&db.url, &["feed", "remove", "kev"]);
        assert!(err.contains("feed kev not found"), "[{}] {err}", db.name);
        let list = run(&db.url, &["feed", "list"]);
        assert_eq!(list.as_array().expect("rows").len(), 1, "[{}]", db.name);
    }
}
