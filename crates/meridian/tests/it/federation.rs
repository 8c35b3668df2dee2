//! `remote …` and `sync` between two real hubs: hub A is `meridian serve` on 127.0.0.1 over a
//! SQLite file, hub B runs `meridian sync` against it over SQLite and, when
//! `MERIDIAN_TEST_POSTGRES` is set, over PostgreSQL. Partners, tokens and agreements are set up
//! with the CLI; objects at every TLP reach A through TAXII POST (a partner's token) and, where a
//! test needs named recipients or an invalid object, by store-level inserts.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use store::{NewStixObject, ObjectQuery, Store, Tlp, VersionMatch};

use crate::{meridian, ok};

pub const TAXII: &str = "application/taxii+json;version=2.1";
const COLLECTION_A: &str = "6c9c8a7e-2a3b-4c55-9e1f-0a1b2c3d4e5f";
const COLLECTION_B: &str = "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f";

/// `meridian serve` on a free port of 127.0.0.1; SIGKILLed (never a graceful shutdown) by
/// `kill` or when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// What the server has written to stderr after its address.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts the server and returns once `GET /taxii2/` answers (401 without a token).
    pub fn start(db: &str) -> Server {
        let server = Server::spawn(db);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answer = agent().get(&server.url("/taxii2/")).call();
            if answer.is_ok_and(|r| r.status() == 401) {
                return server;
            }
            assert!(Instant::now() < deadline, "GET /taxii2/ never answered 401");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the server and returns as soon as it has printed its address.
    pub fn spawn(db: &str) -> Server {
        Server::spawn_logging(db, "warn")
    }

    /// [`Server::spawn`] with the log filter `MERIDIAN_LOG=filter`; [`Server::log`] reads it.
    pub fn spawn_logging(db: &str, filter: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meridian"))
            .args(["serve", "--listen", "127.0.0.1:0", "--threads", "2"])
            .env("MERIDIAN_DB", db)
            .env("MERIDIAN_LOG", filter)
            .env_remove("MERIDIAN_HOME")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting meridian serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = String::new();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    // "meridian: serving TAXII 2.1 at http://127.0.0.1:PORT/taxii2/ (Ctrl-C stops)"
                    if line.contains("serving")
                        && let Some(url) = line.split(" at ").nth(1)
                        && let Some(base) = url.split("/taxii2/").next()
                    {
                        break base.to_owned();
                    }
                    seen.push_str(&line);
                    seen.push('\n');
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("meridian serve did not start:\n{seen}");
                }
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server { child, base, log }
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL (`Child::kill` on Unix) and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Registers a partner (`--country DE`).
pub fn partner(db: &str, id: &str) {
    ok(db, &["partner", "add", id, "--name", id, "--country", "DE"]);
}

/// Records an agreement giving `party` read and write on `collection` up to `tlp`.
pub fn agreement(db: &str, id: &str, party: &str, tlp: &str, collection: &str) {
    let grant = format!("{collection}:rw");
    ok(
        db,
        &[
            "agreement",
            "add",
            id,
            "--title",
            id,
            "--party",
            party,
            "--tlp",
            tlp,
            "--collection",
            &grant,
        ],
    );
}

/// Issues a token for `partner`.
pub fn token(db: &str, partner: &str) -> String {
    ok(db, &["partner", "token", partner]).trim().to_owned()
}

/// An identity object named `name` (the tests find objects by name) at `tlp` (`None`:
/// unmarked), version `modified`.
pub fn identity(name: &str, tlp: Option<Tlp>, modified: &str) -> Value {
    let mut object = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": format!("identity--{}", uuid::Uuid::new_v4()),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "name": name,
    });
    if let Some(tlp) = tlp {
        stix::tlp::set_marking(&mut object, tlp);
    }
    object
}

const V1: &str = "2026-01-01T00:00:00.000Z";
const V2: &str = "2026-02-01T00:00:00.000Z";

/// POSTs `objects` to `collection` of `server` as `partner` and checks every one was taken.
fn post(server: &Server, collection: &str, partner: &str, token: &str, objects: &[Value]) {
    post_as(server, collection, partner, token, objects);
}

/// POSTs `objects` to `collection` of `server` as `partner`, checks every one was taken and
/// returns the status resource's id.
pub fn post_as(
    server: &Server,
    collection: &str,
    partner: &str,
    token: &str,
    objects: &[Value],
) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{partner}:{token}"));
    let url = server.url(&format!("/taxii2/hub/collections/{collection}/objects/"));
    let mut response = agent()
        .post(&url)
        .header("Authorization", &format!("Basic {basic}"))
        .header("Accept", TAXII)
        .content_type(TAXII)
        .send(json!({ "objects": objects }).to_string())
        .expect("POST objects");
    assert_eq!(response.status(), 202, "POST objects");
    let status: Value = response.body_mut().read_json().expect("a status resource");
    assert_eq!(status["success_count"], objects.len(), "{status}");
    status["id"].as_str().expect("a status id").to_owned()
}

/// Stores objects directly, with named recipients, as `submitter`.
pub fn insert(db: &str, collection: &str, submitter: &str, objects: &[(Value, Vec<String>)]) {
    let mut store = Store::open(db).expect("opening the store");
    let texts: Vec<String> = objects.iter().map(|(o, _)| o.to_string()).collect();
    let rows: Vec<NewStixObject<'_>> = objects
        .iter()
        .zip(&texts)
        .map(|((o, recipients), text)| NewStixObject {
            object_id: o["id"].as_str().expect("id"),
            object_type: o["type"].as_str().expect("type"),
            spec_version: "2.1",
            version: o["modified"].as_str().expect("modified"),
            tlp: stix::tlp::tlp_of(o),
            recipients,
            submitter: Some(submitter),
            source: None,
            json: text,
        })
        .collect();
    store
        .add_objects(collection, &rows)
        .expect("adding objects");
}

/// Every stored version of `collection`: (name, version, submitter, source).
pub type Row = (String, String, Option<String>, Option<String>);

pub fn rows(db: &str, collection: &str) -> BTreeSet<Row> {
    let mut store = Store::open(db).expect("opening the store");
    let found = store
        .objects(&ObjectQuery {
            collection_id: collection.to_owned(),
            versions: VersionMatch::All,
            limit: 10_000,
            ..ObjectQuery::default()
        })
        .expect("reading objects");
    found
        .into_iter()
        .map(|r| {
            let object: Value = serde_json::from_str(&r.json).expect("stored JSON");
            let name = object["name"].as_str().unwrap_or("(unnamed)").to_owned();
            (name, r.version, r.submitter, r.source)
        })
        .collect()
}

/// The names among `rows` with this source.
fn names_from(rows: &BTreeSet<Row>, source: Option<&str>) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r.3.as_deref() == source)
        .map(|r| r.0.clone())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

/// `meridian --json sync --page-size 2 …` on `db`; returns the report of remote `a`.
fn sync(db: &str, args: &[&str]) -> Value {
    sync_remote(db, "a", args)
}

/// `meridian --json sync --page-size 2 …` on `db`; returns the report of `remote`.
fn sync_remote(db: &str, remote: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "sync", "--page-size", "2"];
    all.extend_from_slice(args);
    let out = ok(db, &all);
    let reports: Value = serde_json::from_str(&out).expect("sync --json");
    reports
        .as_array()
        .and_then(|r| r.iter().find(|r| r["remote"] == remote))
        .cloned()
        .unwrap_or_else(|| panic!("a report for remote {remote}: {reports}"))
}

fn counts(report: &Value) -> [u64; 5] {
    ["pulled", "duplicates", "invalid", "pushed", "withheld"].map(|k| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {report}"))
    })
}

#[test]
fn federation_moves_exactly_what_tlp_allows_both_ways() {
    for b in test_support::backends("federation") {
        check_two_hubs(&b.url, b.name);
    }
}

fn check_two_hubs(db_b: &str, backend: &str) {
    let dir_a = tempfile::tempdir().expect("temporary directory");
    let db_a = format!("sqlite://{}", dir_a.path().join("a.db").display());

    // Hub A: its organisation's partners, B's organisation among them with AMBER on the
    // collection; cert-x submits objects.
    ok(
        &db_a,
        &[
            "collection",
            "add",
            "--title",
            "shared",
            "--id",
            COLLECTION_A,
        ],
    );
    for p in ["hub-b", "cert-x", "cert-y"] {
        partner(&db_a, p);
    }
    agreement(&db_a, "a-b", "hub-b", "AMBER", COLLECTION_A);
    agreement(&db_a, "a-x", "cert-x", "AMBER+STRICT", COLLECTION_A);
    let token_b = token(&db_a, "hub-b");
    let token_x = token(&db_a, "cert-x");
    let a = Server::start(&db_a);
    post(
        &a,
        COLLECTION_A,
        "cert-x",
        &token_x,
        &[
            identity("a-clear", Some(Tlp::Clear), V1),
            identity("a-green", Some(Tlp::Green), V1),
            identity("a-amber", Some(Tlp::Amber), V1),
            identity("a-strict", Some(Tlp::AmberStrict), V1),
            identity("a-red", Some(Tlp::Red), V1),
            identity("a-unmarked", None, V1),
        ],
    );
    // A second version of a-green: both versions cross.
    let mut green2 = identity("a-green-v2", Some(Tlp::Green), V2);
    green2["id"] = rows_id(&db_a, "a-green").into();
    post(&a, COLLECTION_A, "cert-x", &token_x, &[green2]);
    let mut invalid = identity("a-invalid", Some(Tlp::Clear), V1);
    invalid.as_object_mut().expect("object").remove("name");
    invalid["description"] = "a-invalid".into();
    insert(
        &db_a,
        COLLECTION_A,
        "cert-x",
        &[
            (
                identity("a-amber-to-b", Some(Tlp::Amber), V1),
                vec!["hub-b".to_owned()],
            ),
            (
                identity("a-amber-to-y", Some(Tlp::Amber), V1),
                vec!["cert-y".to_owned()],
            ),
            (invalid, Vec::new()),
        ],
    );

    // Hub B: A's organisation may receive up to AMBER+STRICT, unmarked objects are
    // AMBER+STRICT here; B's own objects are cert-y's.
    ok(
        db_b,
        &["collection", "add", "--title", "mine", "--id", COLLECTION_B],
    );
    for p in ["hub-a", "cert-y"] {
        partner(db_b, p);
    }
    agreement(db_b, "b-a", "hub-a", "AMBER+STRICT", COLLECTION_B);
    ok(db_b, &["setting", "set", "default_tlp", "AMBER+STRICT"]);
    let to = |p: &str| vec![p.to_owned()];
    insert(
        db_b,
        COLLECTION_B,
        "cert-y",
        &[
            (identity("b-clear", Some(Tlp::Clear), V1), Vec::new()),
            (identity("b-green", Some(Tlp::Green), V1), Vec::new()),
            (identity("b-amber", Some(Tlp::Amber), V1), Vec::new()),
            (identity("b-amber-to-a", Some(Tlp::Amber), V1), to("hub-a")),
            (identity("b-amber-to-y", Some(Tlp::Amber), V1), to("cert-y")),
            (
                identity("b-strict-to-a", Some(Tlp::AmberStrict), V1),
                to("hub-a"),
            ),
            (identity("b-red", Some(Tlp::Red), V1), to("hub-a")),
            (identity("b-unmarked", None, V1), Vec::new()),
        ],
    );
    let api_root = a.url("/taxii2/hub/");
    ok(
        db_b,
        &[
            "remote",
            "add",
            "a",
            "--url",
            &api_root,
            "--collection",
            COLLECTION_A,
            "--local-collection",
            COLLECTION_B,
            "--user",
            "hub-b",
            "--token",
            &token_b,
            "--partner",
            "hub-a",
        ],
    );
    for args in [&["remote", "list"][..], &["--json", "remote", "list"]] {
        let listed = ok(db_b, args);
        assert!(listed.contains(&api_root), "{listed}");
        assert!(
            !listed.contains(&token_b),
            "remote list shows the token: {listed}"
        );
    }

    // First sync: B pushes 4 of its 8 objects, then pulls A's 7 releasable versions (and its
    // own 4 back as duplicates: A serves a submitter its own objects), refusing 1 invalid.
    let out = meridian(db_b, &["--json", "sync", "--page-size", "2"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "[{backend}] sync failed: {stderr}");
    assert!(
        !stdout.contains(&token_b) && !stderr.contains(&token_b),
        "sync printed the token"
    );
    assert!(stderr.contains("refused an invalid object"), "{stderr}");
    let first: Value = serde_json::from_str(&stdout).expect("sync --json");
    assert_eq!(
        counts(&first[0]),
        [6, 4, 1, 4, 4],
        "[{backend}] first sync: {first}"
    );
    let at_b = rows(db_b, COLLECTION_B);
    assert_eq!(
        names_from(&at_b, Some("a")),
        set(&[
            "a-clear",
            "a-green",
            "a-green-v2",
            "a-amber",
            "a-amber-to-b",
            "a-unmarked"
        ]),
        "[{backend}] pulled into B"
    );
    let pulled: Vec<&Row> = at_b
        .iter()
        .filter(|r| r.3.as_deref() == Some("a"))
        .collect();
    assert_eq!(
        pulled.len(),
        6,
        "[{backend}] one row per version: {pulled:?}"
    );
    assert!(
        pulled.iter().all(|r| r.2.is_none()),
        "pulled objects have no submitter"
    );
    let at_a = rows(&db_a, COLLECTION_A);
    let pushed: BTreeSet<String> = at_a
        .iter()
        .filter(|r| r.2.as_deref() == Some("hub-b"))
        .map(|r| r.0.clone())
        .collect();
    assert_eq!(
        pushed,
        set(&["b-clear", "b-green", "b-amber", "b-amber-to-a"]),
        "[{backend}] pushed to A"
    );
    // Pulls are audited on B as A's partner; B's pushes on A as B's partner (the setup and the
    // sync runs are the local administrator's entries).
    let actors = |db: &str| -> BTreeSet<String> {
        let listed = ok(
            db,
            &[
                "--json",
                "audit",
                "list",
                "--limit",
                "1000",
                "--action",
                "taxii.add_objects",
            ],
        );
        let listed: Value = serde_json::from_str(&listed).expect("audit list --json");
        listed
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["actor"].as_str().expect("actor").to_owned())
            .collect()
    };
    assert_eq!(actors(db_b), set(&["partner:hub-a"]), "[{backend}] at B");
    assert_eq!(
        actors(&db_a),
        set(&["partner:cert-x", "partner:hub-b"]),
        "[{backend}] at A"
    );

    // Second sync: nothing new either way, and A's objects are not pushed back to A.
    let again = sync(db_b, &[]);
    assert_eq!(
        counts(&again),
        [0, 0, 0, 0, 0],
        "[{backend}] second sync: {again}"
    );
    assert_eq!(rows(&db_a, COLLECTION_A), at_a, "[{backend}] A unchanged");
    assert_eq!(rows(db_b, COLLECTION_B), at_b, "[{backend}] B unchanged");

    // Incremental: one new object on each side crosses, once.
    post(
        &a,
        COLLECTION_A,
        "cert-x",
        &token_x,
        &[identity("a-new", Some(Tlp::Green), V1)],
    );
    insert(
        db_b,
        COLLECTION_B,
        "cert-y",
        &[(identity("b-new", Some(Tlp::Green), V1), Vec::new())],
    );
    let third = sync(db_b, &[]);
    assert_eq!(
        counts(&third),
        [1, 1, 0, 1, 0],
        "[{backend}] third sync: {third}"
    );
    assert!(names_from(&rows(db_b, COLLECTION_B), Some("a")).contains("a-new"));
    assert!(rows(&db_a, COLLECTION_A).iter().any(|r| r.0 == "b-new"));
    let fourth = sync(db_b, &["a"]);
    assert_eq!(
        counts(&fourth),
        [0, 0, 0, 0, 0],
        "[{backend}] fourth sync: {fourth}"
    );
}

/// The id of the object named `name` in hub A's collection.
fn rows_id(db: &str, name: &str) -> String {
    let mut store = Store::open(db).expect("opening the store");
    store
        .objects(&ObjectQuery {
            collection_id: COLLECTION_A.to_owned(),
            limit: 10_000,
            ..ObjectQuery::default()
        })
        .expect("reading objects")
        .into_iter()
        .find(|r| r.json.contains(&format!("\"name\":\"{name}\"")))
        .map(|r| r.object_id)
        .unwrap_or_else(|| panic!("no object named {name}"))
}

#[test]
fn federation_first_sync_counts_and_directions() {
    let dir_a = tempfile::tempdir().expect("temporary directory");
    let db_a = format!("sqlite://{}", dir_a.path().join("a.db").display());
    ok(
        &db_a,
        &[
            "collection",
            "add",
            "--title",
            "shared",
            "--id",
            COLLECTION_A,
        ],
    );
    partner(&db_a, "hub-b");
    agreement(&db_a, "a-b", "hub-b", "GREEN", COLLECTION_A);
    let token_b = token(&db_a, "hub-b");
    insert(
        &db_a,
        COLLECTION_A,
        "cert-x",
        &[
            (identity("a-green", Some(Tlp::Green), V1), Vec::new()),
            (identity("a-amber", Some(Tlp::Amber), V1), Vec::new()),
        ],
    );
    let a = Server::start(&db_a);
    let dir_b = tempfile::tempdir().expect("temporary directory");
    let db_b = format!("sqlite://{}", dir_b.path().join("b.db").display());
    ok(
        &db_b,
        &["collection", "add", "--title", "mine", "--id", COLLECTION_B],
    );
    partner(&db_b, "hub-a");
    agreement(&db_b, "b-a", "hub-a", "GREEN", COLLECTION_B);
    insert(
        &db_b,
        COLLECTION_B,
        "cert-y",
        &[
            (identity("b-green", Some(Tlp::Green), V1), Vec::new()),
            (identity("b-amber", Some(Tlp::Amber), V1), Vec::new()),
        ],
    );
    let api_root = a.url("/taxii2/hub/");
    // A remote that only pulls; the Bearer scheme (no --user).
    ok(
        &db_b,
        &[
            "remote",
            "add",
            "a",
            "--url",
            &api_root,
            "--collection",
            COLLECTION_A,
            "--local-collection",
            COLLECTION_B,
            "--token",
            &token_b,
            "--partner",
            "hub-a",
            "--pull",
        ],
    );
    let first = sync(&db_b, &[]);
    assert_eq!(counts(&first), [1, 0, 0, 0, 0], "{first}");
    assert!(
        !rows(&db_a, COLLECTION_A)
            .iter()
            .any(|r| r.0.starts_with("b-"))
    );

    // Wrong token: the sync fails, names the remote's answer, and stores no cursor.
    ok(&db_b, &["remote", "remove", "a"]);
    ok(
        &db_b,
        &[
            "remote",
            "add",
            "a",
            "--url",
            &api_root,
            "--collection",
            COLLECTION_A,
            "--local-collection",
            COLLECTION_B,
            "--user",
            "hub-b",
            "--token",
            "mrd_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "--partner",
            "hub-a",
        ],
    );
    let out = meridian(&db_b, &["sync"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("401"), "{text}");

    // Refused at add time: unknown partner or collection, a URL without its slash.
    for (args, needle) in [
        (
            vec![
                "--partner",
                "nobody",
                "--local-collection",
                COLLECTION_B,
                "--url",
                &api_root,
            ],
            "no partner",
        ),
        (
            vec![
                "--partner",
                "hub-a",
                "--local-collection",
                COLLECTION_A,
                "--url",
                &api_root,
            ],
            "no collection",
        ),
        (
            vec![
                "--partner",
                "hub-a",
                "--local-collection",
                COLLECTION_B,
                "--url",
                api_root.trim_end_matches('/'),
            ],
            "ends with '/'",
        ),
    ] {
        let mut all = vec![
            "remote",
            "add",
            "z",
            "--collection",
            COLLECTION_A,
            "--token",
            "t",
        ];
        all.extend(args);
        let out = meridian(&db_b, &all);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

/// A minimal third-party TAXII 2.1 server: it pages by `added_after` alone (no `next`),
/// takes envelopes of at most [`FAKE_MAX_CONTENT`] bytes, answers a POST with a pending status
/// and, read again, a complete one refusing the object named `b-1`. Bearer `tok` only.
struct Fake {
    base: String,
    state: Arc<Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    /// (date_added, object), in date order.
    objects: Vec<(String, Value)>,
    posted: Vec<Value>,
    /// The byte length of each POSTed body.
    bodies: Vec<usize>,
    /// The objects of the last POST.
    last_post: Vec<Value>,
    /// Request lines with their Accept and Content-Type headers.
    requests: Vec<(String, String, String)>,
}

impl Fake {
    fn start(objects: Vec<(String, Value)>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let state = Arc::new(Mutex::new(FakeState {
            objects,
            ..FakeState::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                fake_answer(stream, &shared);
            }
        });
        Fake { base, state }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8 query")
}

fn fake_answer(mut stream: TcpStream, state: &Mutex<FakeState>) {
    let mut reader = BufReader::new(stream.try_clone().expect("cloning the stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: HashMap<String, String> = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect();
    let mut state = state.lock().expect("fake state");
    let header = |k: &str| headers.get(k).cloned().unwrap_or_default();
    state.requests.push((
        format!("{method} {path}"),
        header("accept"),
        header("content-type"),
    ));
    let mut extra = String::new();
    let (status, reply) = if header("authorization") != "Bearer tok" {
        (401, json!({ "title": "Unauthorized" }))
    } else if method == "GET" && path == "/taxii2/r/" {
        (
            200,
            json!({ "title": "r", "versions": [TAXII], "max_content_length": FAKE_MAX_CONTENT }),
        )
    } else if method == "GET" && path == "/taxii2/r/collections/c1/objects/" {
        let after = query.get("added_after").cloned().unwrap_or_default();
        let limit: usize = query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(100);
        let newer: Vec<&(String, Value)> =
            state.objects.iter().filter(|(d, _)| *d > after).collect();
        let page: Vec<Value> = newer.iter().take(limit).map(|(_, o)| o.clone()).collect();
        if let Some((last, _)) = newer.iter().take(limit).next_back() {
            extra = format!("X-TAXII-Date-Added-Last: {last}\r\n");
        }
        (
            200,
            json!({ "more": newer.len() > page.len(), "objects": page }),
        )
    } else if method == "POST" && path == "/taxii2/r/collections/c1/objects/" {
        let envelope: Value = serde_json::from_slice(&body).expect("a JSON envelope");
        let objects = envelope["objects"].as_array().cloned().unwrap_or_default();
        state.bodies.push(body.len());
        state.posted.extend(objects.iter().cloned());
        state.last_post = objects.clone();
        let n = objects.len();
        (
            202,
            json!({ "id": "s1", "status": "pending", "total_count": n,
                      "success_count": 0, "failure_count": 0, "pending_count": n }),
        )
    } else if method == "GET" && path == "/taxii2/r/status/s1/" {
        let (refused, taken): (Vec<&Value>, Vec<&Value>) =
            state.last_post.iter().partition(|o| o["name"] == "b-1");
        let failures: Vec<Value> = refused
            .iter()
            .map(|o| json!({ "id": o["id"], "version": o["modified"], "message": "not today" }))
            .collect();
        (
            200,
            json!({ "id": "s1", "status": "complete", "total_count": state.last_post.len(),
                    "success_count": taken.len(), "failure_count": failures.len(),
                    "failures": failures, "pending_count": 0 }),
        )
    } else {
        (404, json!({ "title": "Not Found" }))
    };
    let text = reply.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Type: {TAXII}\r\n{extra}Content-Length: {}\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// The fake's `max_content_length`: two of the test's identities fit in an envelope, three
/// do not.
const FAKE_MAX_CONTENT: usize = 600;

#[test]
fn federation_with_a_third_party_taxii_server() {
    let objects: Vec<(String, Value)> = (1..=5)
        .map(|i| {
            (
                format!("2026-03-0{i}T00:00:00.000000Z"),
                identity(&format!("ext-{i}"), Some(Tlp::Green), V1),
            )
        })
        .collect();
    let fake = Fake::start(objects);
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", dir.path().join("b.db").display());
    ok(
        &db,
        &["collection", "add", "--title", "mine", "--id", COLLECTION_B],
    );
    partner(&db, "ext-org");
    let mut big = identity("b-big", Some(Tlp::Green), V1);
    big["description"] = "x".repeat(FAKE_MAX_CONTENT).into();
    agreement(&db, "b-ext", "ext-org", "GREEN", COLLECTION_B);
    insert(
        &db,
        COLLECTION_B,
        "cert-y",
        &[
            (identity("b-1", Some(Tlp::Green), V1), Vec::new()),
            (identity("b-2", Some(Tlp::Clear), V1), Vec::new()),
            (identity("b-3", Some(Tlp::Green), V1), Vec::new()),
            (identity("b-amber", Some(Tlp::Amber), V1), Vec::new()),
            (big, Vec::new()),
        ],
    );
    let api_root = format!("{}/taxii2/r/", fake.base);
    ok(
        &db,
        &[
            "remote",
            "add",
            "ext",
            "--url",
            &api_root,
            "--collection",
            "c1",
            "--local-collection",
            COLLECTION_B,
            "--token",
            "tok",
            "--partner",
            "ext-org",
        ],
    );
    // Pages of 2 by added_after alone; envelopes within max_content_length (b-big alone is
    // larger: refused here); the pending status is read again until complete.
    let first = sync_remote(&db, "ext", &[]);
    assert_eq!(counts(&first), [5, 0, 0, 2, 1], "{first}");
    assert_eq!(
        first["push_failures"], 2,
        "b-1 refused there, b-big too large: {first}"
    );
    assert_eq!(
        names_from(&rows(&db, COLLECTION_B), Some("ext")),
        set(&["ext-1", "ext-2", "ext-3", "ext-4", "ext-5"])
    );
    let second = sync_remote(&db, "ext", &[]);
    assert_eq!(counts(&second), [0, 0, 0, 0, 0], "{second}");
    let state = fake.state.lock().expect("fake state");
    let posted: BTreeSet<String> = state
        .posted
        .iter()
        .map(|o| o["name"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(posted, set(&["b-1", "b-2", "b-3"]));
    assert_eq!(state.bodies.len(), 2, "two envelopes: {:?}", state.bodies);
    assert!(
        state.bodies.iter().all(|&n| n <= FAKE_MAX_CONTENT),
        "{:?}",
        state.bodies
    );
    let gets = state
        .requests
        .iter()
        .filter(|(line, _, _)| line == "GET /taxii2/r/collections/c1/objects/")
        .count();
    assert_eq!(gets, 4, "three pages, then one empty answer");
    for (line, accept, content_type) in &state.requests {
        assert_eq!(accept, TAXII, "{line}");
        if line.starts_with("POST") {
            assert_eq!(content_type, TAXII, "{line}");
        }
    }
}
