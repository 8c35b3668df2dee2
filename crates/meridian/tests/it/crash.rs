//! Crash safety: the real `meridian serve` and `meridian import` are SIGKILLed at random points
//! while they write, on SQLite and (when `MERIDIAN_TEST_POSTGRES` is set) PostgreSQL, then
//! restarted; after every kill the database must open, hold every object whose POST was
//! acknowledged (202 with the object among the status resource's successes), hold nothing that
//! was never posted or was refused, keep every envelope and every atlas import all or nothing,
//! and keep the per-object newest/oldest version flags and the `seq`/`date_added` order right.
//!
//! The kill points come from a seeded generator: the seed is printed, and
//! `MERIDIAN_CRASH_SEED=N` replays the same kill delays, envelopes and import files (the exact
//! instant a kill lands still depends on the machine's speed).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use model::{Asset, Atlas, Dependency, Tlp};
use serde_json::{Value, json};
use store::{ObjectQuery, Store, VersionMatch};
use test_support::TestDb;

use crate::federation::Server;
use crate::ok;

const TAXII: &str = "application/taxii+json;version=2.1";
/// Kills per command and backend.
const KILLS: usize = 20;
/// Concurrent TAXII clients posting during each server run.
const CLIENTS: usize = 3;
const PARTNER: &str = "cert-crash";

// ---------------------------------------------------------------------------------------------
// Seeds and randomness

/// The run's seed: `MERIDIAN_CRASH_SEED`, else from the clock; printed with how to replay it.
fn seed(test: &str) -> u64 {
    let seed = match std::env::var("MERIDIAN_CRASH_SEED") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("MERIDIAN_CRASH_SEED={s:?} is not a u64")),
        _ => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    eprintln!("{test}: crash seed {seed} (replay with MERIDIAN_CRASH_SEED={seed})");
    seed
}

/// splitmix64: small, seeded, good enough to pick kill points and shapes.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    /// Uniform in `lo..hi` (`hi > lo`).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn uuid(&mut self) -> uuid::Uuid {
        let bytes = (u128::from(self.next()) << 64 | u128::from(self.next())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// The databases of one backend, or `None` (with the loud SKIPPED line) for PostgreSQL unset.
fn database(backend: &str, suite: &str) -> Option<TestDb> {
    let mut dbs = test_support::backends(suite);
    match backend {
        "sqlite" => Some(dbs.swap_remove(0)),
        _ => {
            if dbs.len() < 2 {
                eprintln!(
                    "SKIPPED: crash safety on PostgreSQL [{suite}]: MERIDIAN_TEST_POSTGRES is unset"
                );
                return None;
            }
            Some(dbs.swap_remove(1))
        }
    }
}

/// SQLite: `PRAGMA integrity_check` and `foreign_key_check` through the sqlite3 shell when it is
/// installed (the test binary has no SQLite driver of its own; `Store::open` already proved the
/// file opens and is migrated).
fn sqlite_integrity(db: &TestDb) {
    let Some(path) = db.sqlite_path() else { return };
    let out = Command::new("sqlite3")
        .arg(&path)
        .arg("PRAGMA integrity_check; PRAGMA foreign_key_check;")
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                text.trim(),
                "ok",
                "sqlite3 integrity/foreign-key check of {}",
                path.display()
            );
        }
        Ok(out) => panic!(
            "sqlite3 {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("note: no sqlite3 shell; PRAGMA integrity_check not run"),
    }
}

/// On PostgreSQL a killed client's backend finishes its current statement before it notices
/// the closed socket and rolls back (or, if the COMMIT was already sent, commits): give it a
/// moment so that what we read afterwards is settled.
fn settle(db: &TestDb) {
    if db.name == "postgres" {
        thread::sleep(Duration::from_millis(250));
    }
}

// ---------------------------------------------------------------------------------------------
// `meridian serve` under TAXII ingest

#[test]
fn crash_serve_sqlite() {
    crash_serve("sqlite");
}

#[test]
fn crash_serve_postgres() {
    crash_serve("postgres");
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn basic(token: &str) -> String {
    let pair = format!("{PARTNER}:{token}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// What came back for one POSTed envelope.
#[derive(Debug, Clone)]
enum Outcome {
    /// 202 with a status resource: its id, successes and failures as (id, version).
    Acked {
        status_id: String,
        successes: BTreeSet<(String, String)>,
        failures: BTreeSet<(String, String)>,
    },
    /// Another HTTP status (never expected: a finding).
    Refused(u16, String),
    /// No answer: the connection died (the kill) or was refused (server already dead).
    Lost(String),
}

/// One POSTed envelope and its fate.
#[derive(Debug, Clone)]
struct Posted {
    cycle: usize,
    /// Every object of the envelope, valid or not.
    objects: Vec<Value>,
    /// (id, version) of the objects meant to be valid / deliberately invalid.
    valid: BTreeSet<(String, String)>,
    invalid: BTreeSet<(String, String)>,
    outcome: Outcome,
}

fn key(o: &Value) -> (String, String) {
    (
        o["id"].as_str().expect("id").to_owned(),
        o["modified"].as_str().expect("modified").to_owned(),
    )
}

/// Version `n` of an object: 2026-01-01T00:00:00.000Z plus n seconds (lexicographic = time).
fn version(n: u64) -> String {
    format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}.000Z",
        1 + n / 86_400,
        (n / 3600) % 24,
        (n / 60) % 60,
        n % 60
    )
}

/// A client's state across server lives: its generator, the objects it may version again, and
/// the envelope it lost to the last kill (retried first, byte for byte, as a client would).
struct Client {
    rng: Rng,
    mine: Vec<(Value, u64)>,
    retry: Option<Vec<Value>>,
}

impl Client {
    fn object(&mut self) -> Value {
        let tlp = match self.rng.range(0, 6) {
            0 => Some(Tlp::Clear),
            1 => Some(Tlp::Green),
            2 => Some(Tlp::Amber),
            3 => Some(Tlp::AmberStrict),
            _ => None,
        };
        let id = self.rng.uuid();
        let mut object = if self.rng.chance(0.5) {
            json!({
                "type": "identity",
                "spec_version": "2.1",
                "id": format!("identity--{id}"),
                "created": version(0),
                "modified": version(0),
                "name": format!("crash identity {id}"),
                "identity_class": "organization",
            })
        } else {
            json!({
                "type": "indicator",
                "spec_version": "2.1",
                "id": format!("indicator--{id}"),
                "created": version(0),
                "modified": version(0),
                "name": format!("crash indicator {id}"),
                "pattern": format!("[ipv4-addr:value = '10.{}.{}.{}']",
                    self.rng.range(0, 256), self.rng.range(0, 256), self.rng.range(1, 255)),
                "pattern_type": "stix",
                "valid_from": version(0),
                "description": "x".repeat(self.rng.range(0, 500) as usize),
            })
        };
        if let Some(tlp) = tlp {
            stix::tlp::set_marking(&mut object, tlp);
        }
        object
    }

    /// A new envelope: 1–60 objects, some new versions of this client's earlier objects, now
    /// and then an invalid one (no `name` on an identity).
    fn envelope(&mut self) -> Vec<Value> {
        let n = if self.rng.chance(0.1) {
            self.rng.range(50, 200)
        } else {
            self.rng.range(1, 30)
        };
        let mut objects = Vec::with_capacity(n as usize);
        for _ in 0..n {
            if !self.mine.is_empty() && self.rng.chance(0.2) {
                let i = self.rng.range(0, self.mine.len() as u64) as usize;
                let (object, v) = &mut self.mine[i];
                *v += 1 + self.rng.range(0, 5);
                let mut next = object.clone();
                next["modified"] = version(*v).into();
                if self.rng.chance(0.5) {
                    next["description"] = format!("revision {v}").into();
                }
                objects.push(next);
            } else if self.rng.chance(0.03) {
                let mut bad = self.object();
                bad["type"] = "identity".into();
                let id = bad["id"]
                    .as_str()
                    .expect("id")
                    .replace("indicator--", "identity--");
                bad["id"] = id.into();
                bad.as_object_mut().expect("object").remove("name");
                objects.push(bad);
            } else {
                let o = self.object();
                self.mine.push((o.clone(), 0));
                objects.push(o);
            }
        }
        objects
    }
}

/// Whether the hub must refuse `o` (the test's deliberately invalid identities).
fn meant_invalid(o: &Value) -> bool {
    o["type"] == "identity" && o.get("name").is_none()
}

fn post(agent: &ureq::Agent, url: &str, auth: &str, objects: &[Value]) -> Outcome {
    let body = json!({ "objects": objects }).to_string();
    let response = agent
        .post(url)
        .header("Authorization", auth)
        .header("Accept", TAXII)
        .content_type(TAXII)
        .send(body);
    let mut response = match response {
        Ok(r) => r,
        Err(e) => return Outcome::Lost(e.to_string()),
    };
    let code = response.status().as_u16();
    let text = match response.body_mut().read_to_string() {
        Ok(t) => t,
        // Headers came but the body did not: not an acknowledgement.
        Err(e) => return Outcome::Lost(format!("{code} with a cut body: {e}")),
    };
    if code != 202 {
        return Outcome::Refused(code, text);
    }
    let Ok(status) = serde_json::from_str::<Value>(&text) else {
        return Outcome::Lost(format!("202 with an unreadable body: {text:.200}"));
    };
    let list = |k: &str| -> BTreeSet<(String, String)> {
        status[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["id"].as_str().unwrap_or_default().to_owned(),
                            e["version"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Outcome::Acked {
        status_id: status["id"].as_str().unwrap_or_default().to_owned(),
        successes: list("successes"),
        failures: list("failures"),
    }
}

fn crash_serve(backend: &str) {
    let Some(db) = database(backend, &format!("crash serve {backend}")) else {
        return;
    };
    let seed = seed(&format!("crash_serve_{backend}"));
    let mut rng = Rng(seed);
    let url = db.url.clone();

    // The product's own commands: a collection, a partner with a token, an agreement with write.
    ok(&url, &["init"]);
    let out = ok(&url, &["--json", "collection", "add", "--title", "crash"]);
    let collection = serde_json::from_str::<Value>(&out).expect("collection add --json")["id"]
        .as_str()
        .expect("collection id")
        .to_owned();
    ok(
        &url,
        &[
            "partner",
            "add",
            PARTNER,
            "--name",
            "Crash CSIRT",
            "--country",
            "DE",
        ],
    );
    let out = ok(&url, &["--json", "partner", "token", PARTNER]);
    let token = serde_json::from_str::<Value>(&out).expect("partner token --json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let grant = format!("{collection}:rw");
    ok(
        &url,
        &[
            "agreement",
            "add",
            "crash",
            "--title",
            "crash",
            "--party",
            PARTNER,
            "--tlp",
            "AMBER+STRICT",
            "--collection",
            &grant,
        ],
    );
    let auth = basic(&token);

    let ledger: Arc<Mutex<Vec<Posted>>> = Arc::default();
    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|_| Client {
            rng: Rng(rng.next()),
            mine: Vec::new(),
            retry: None,
        })
        .collect();
    let started = Instant::now();
    let mut kill_log = Vec::new();
    // Rows whose content was compared already (rows never change; the last check reads all).
    let mut checked: HashMap<(String, String), i64> = HashMap::new();
    let (mut lost, mut lost_committed) = (0, 0);
    for cycle in 0..KILLS {
        let mut server = Server::spawn(&url);
        // What every earlier life acknowledged is there, and nothing half-written is.
        let ledger_now = ledger.lock().expect("ledger");
        let summary = verify_objects(&url, &collection, &ledger_now, &mut checked, seed);
        if cycle > 0 {
            let (l, c) = summary.lost_in(&ledger_now, cycle - 1);
            lost += l;
            lost_committed += c;
        }
        drop(ledger_now);
        wait_ready(&server, &auth);

        let delay = Duration::from_millis(rng.range(50, 1500));
        let stop = Arc::new(AtomicBool::new(false));
        let posts_url = server.url(&format!("/taxii2/hub/collections/{collection}/objects/"));
        let handles: Vec<_> = clients
            .drain(..)
            .map(|mut client| {
                let (ledger, stop, posts_url, auth) = (
                    Arc::clone(&ledger),
                    Arc::clone(&stop),
                    posts_url.clone(),
                    auth.clone(),
                );
                thread::spawn(move || {
                    let agent = agent();
                    while !stop.load(Ordering::Relaxed) {
                        let objects = client.retry.take().unwrap_or_else(|| client.envelope());
                        let outcome = post(&agent, &posts_url, &auth, &objects);
                        let lost = matches!(outcome, Outcome::Lost(_));
                        let (invalid, valid) = objects
                            .iter()
                            .partition::<Vec<&Value>, _>(|o| meant_invalid(o));
                        ledger.lock().expect("ledger").push(Posted {
                            cycle,
                            valid: valid.into_iter().map(key).collect(),
                            invalid: invalid.into_iter().map(key).collect(),
                            objects: objects.clone(),
                            outcome,
                        });
                        if lost {
                            client.retry = Some(objects);
                            break;
                        }
                    }
                    client
                })
            })
            .collect();
        thread::sleep(delay);
        server.kill();
        stop.store(true, Ordering::Relaxed);
        clients = handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect();
        settle(&db);
        let n = ledger
            .lock()
            .expect("ledger")
            .iter()
            .filter(|p| p.cycle == cycle)
            .count();
        kill_log.push(format!("{}ms/{n}", delay.as_millis()));
    }

    // A last life: verify, then read everything back over TAXII and compare with the store.
    let server = Server::spawn(&url);
    let ledger = ledger.lock().expect("ledger");
    let summary = verify_objects(&url, &collection, &ledger, &mut HashMap::new(), seed);
    let (l, c) = summary.lost_in(&ledger, KILLS - 1);
    lost += l;
    lost_committed += c;
    wait_ready(&server, &auth);
    let served = read_all(&server, &collection, &auth);
    assert_eq!(
        served, summary.stored_keys,
        "[seed {seed}] the objects served over TAXII (match[version]=all) differ from the store"
    );
    drop(server);
    sqlite_integrity(&db);

    let refused: Vec<_> = ledger
        .iter()
        .filter_map(|p| match &p.outcome {
            Outcome::Refused(code, body) => Some(format!("{code}: {body:.300}")),
            _ => None,
        })
        .collect();
    assert!(
        refused.is_empty(),
        "[seed {seed}] POSTs answered with an error status: {refused:#?}"
    );
    let acked = ledger
        .iter()
        .filter(|p| matches!(p.outcome, Outcome::Acked { .. }))
        .count();
    let example = ledger
        .iter()
        .find_map(|p| match &p.outcome {
            Outcome::Lost(e) => Some(e.as_str()),
            _ => None,
        })
        .unwrap_or("none");
    eprintln!(
        "crash_serve_{backend}: {KILLS} kills in {:.1}s (delay/envelopes per life: {}); \
         {} envelopes posted, {acked} acknowledged, {lost} lost to kills \
         ({} of those committed anyway; e.g. {example:?}); {} object versions stored, all verified",
        started.elapsed().as_secs_f64(),
        kill_log.join(" "),
        ledger.len(),
        lost_committed,
        summary.stored_keys.len(),
    );
    assert!(
        acked > KILLS,
        "[seed {seed}] too few acknowledged POSTs ({acked}) to mean anything"
    );
}

/// Polls discovery until the (just restarted) server answers with 200.
fn wait_ready(server: &Server, auth: &str) {
    let agent = agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = agent
            .get(&server.url("/taxii2/"))
            .header("Authorization", auth)
            .header("Accept", TAXII)
            .call();
        if answer.is_ok_and(|r| r.status() == 200) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "GET /taxii2/ never answered 200 after a restart"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// Every (id, version) served by GET …/objects/?match[version]=all, page by page.
fn read_all(server: &Server, collection: &str, auth: &str) -> BTreeSet<(String, String)> {
    let agent = agent();
    let mut keys = BTreeSet::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = server.url(&format!(
            "/taxii2/hub/collections/{collection}/objects/?match[version]=all&limit=1000"
        ));
        if let Some(n) = &next {
            url.push_str(&format!("&next={n}"));
        }
        let mut response = agent
            .get(&url)
            .header("Authorization", auth)
            .header("Accept", TAXII)
            .call()
            .expect("GET objects");
        assert_eq!(response.status(), 200, "GET {url}");
        let page: Value = response.body_mut().read_json().expect("an envelope");
        for o in page["objects"].as_array().into_iter().flatten() {
            assert!(keys.insert(key(o)), "{:?} served twice", key(o));
        }
        if page["more"] != true {
            return keys;
        }
        next = Some(
            page["next"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| page["next"].as_i64().map(|n| n.to_string()))
                .expect("next when more"),
        );
    }
}

struct ObjectsSummary {
    stored_keys: BTreeSet<(String, String)>,
}

impl ObjectsSummary {
    /// Of the envelopes of life `cycle` that got no answer: how many, and how many of those
    /// (with at least one valid object) were committed all the same. Meaningful right after
    /// that life's kill, before the clients retry them.
    fn lost_in(&self, ledger: &[Posted], cycle: usize) -> (usize, usize) {
        let lost: Vec<&Posted> = ledger
            .iter()
            .filter(|p| p.cycle == cycle && matches!(p.outcome, Outcome::Lost(_)))
            .collect();
        let committed = lost
            .iter()
            .filter(|p| !p.valid.is_empty() && p.valid.iter().all(|k| self.stored_keys.contains(k)))
            .count();
        (lost.len(), committed)
    }
}

/// The invariants of the collection against everything posted so far.
/// `checked`: rows (key → seq) whose content an earlier call compared; they are only checked
/// to be still there with the same `seq`. Pass an empty map to compare every row.
fn verify_objects(
    db: &str,
    collection: &str,
    ledger: &[Posted],
    checked: &mut HashMap<(String, String), i64>,
    seed: u64,
) -> ObjectsSummary {
    let mut store = Store::open(db)
        .unwrap_or_else(|e| panic!("[seed {seed}] the database does not open after a kill: {e}"));
    let all = |versions| ObjectQuery {
        collection_id: collection.to_owned(),
        versions,
        limit: 10_000_000,
        ..ObjectQuery::default()
    };
    let rows = store
        .objects(&all(VersionMatch::All))
        .unwrap_or_else(|e| panic!("[seed {seed}] reading the collection: {e}"));
    let fail = |what: String| -> ! { panic!("[seed {seed}] {what}") };

    let posted: HashMap<(String, String), &Value> = ledger
        .iter()
        .flat_map(|p| p.objects.iter().map(|o| (key(o), o)))
        .collect();
    let invalid: BTreeSet<&(String, String)> = ledger.iter().flat_map(|p| &p.invalid).collect();

    // Every stored row: posted, valid, unique, intact; seq strictly increasing with
    // non-decreasing date_added (what stateless pagination by seq relies on).
    let mut stored: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut last: Option<(i64, String)> = None;
    for row in &rows {
        let k = (row.object_id.clone(), row.version.clone());
        if checked.get(&k) != Some(&row.seq) {
            let Some(sent) = posted.get(&k) else {
                fail(format!("stored {k:?} was never posted"))
            };
            if invalid.contains(&k) {
                fail(format!("stored {k:?}, an object the hub must refuse"));
            }
            let parsed: Value = serde_json::from_str(&row.json).unwrap_or_else(|e| {
                fail(format!("stored {k:?} is not JSON ({e}): {:.200}", row.json))
            });
            if parsed != **sent {
                fail(format!("stored {k:?} differs from what was posted"));
            }
            if row.submitter.as_deref() != Some(PARTNER) {
                fail(format!("stored {k:?} with submitter {:?}", row.submitter));
            }
            if row.tlp != stix::tlp::tlp_of(sent) {
                fail(format!("stored {k:?} with TLP {:?}", row.tlp));
            }
            checked.insert(k.clone(), row.seq);
        }
        if stored.insert(k.clone(), row.seq).is_some() {
            fail(format!("{k:?} stored twice"));
        }
        if let Some((seq, added)) = &last
            && (row.seq <= *seq || row.date_added < *added)
        {
            fail(format!(
                "seq/date_added out of order: ({seq}, {added}) then ({}, {}) for {k:?}",
                row.seq, row.date_added
            ));
        }
        last = Some((row.seq, row.date_added.clone()));
    }

    // Acknowledged ⇒ there (with its status resource); every envelope all or nothing.
    for (i, p) in ledger.iter().enumerate() {
        let present: BTreeSet<_> = p.valid.iter().filter(|k| stored.contains_key(*k)).collect();
        match &p.outcome {
            Outcome::Acked {
                status_id,
                successes,
                failures,
            } => {
                if successes != &p.valid || failures != &p.invalid {
                    fail(format!(
                        "envelope {i} (life {}): the status resource's successes/failures are not \
                         the valid/invalid objects posted: {} vs {} successes, {} vs {} failures",
                        p.cycle,
                        successes.len(),
                        p.valid.len(),
                        failures.len(),
                        p.invalid.len()
                    ));
                }
                if let Some(missing) = successes.iter().find(|k| !stored.contains_key(*k)) {
                    fail(format!(
                        "ACKNOWLEDGED object lost: {missing:?} (envelope {i} of life {}, status {status_id}, {} of {} of its objects stored)",
                        p.cycle,
                        present.len(),
                        p.valid.len()
                    ));
                }
                let status = store
                    .status(status_id)
                    .unwrap_or_else(|e| fail(format!("reading status {status_id}: {e}")));
                match status {
                    Some(s) if s.successes.len() == successes.len() => {}
                    other => fail(format!(
                        "status resource {status_id} of an acknowledged POST: {other:?}"
                    )),
                }
            }
            Outcome::Lost(_) | Outcome::Refused(..) => {
                if !present.is_empty() && present.len() != p.valid.len() {
                    fail(format!(
                        "HALF-WRITTEN envelope {i} (life {}, {:?}): {} of its {} valid objects stored",
                        p.cycle,
                        p.outcome,
                        present.len(),
                        p.valid.len()
                    ));
                }
            }
        }
    }

    // The newest / oldest version flags per object agree with the stored versions.
    let mut newest: BTreeMap<&str, &str> = BTreeMap::new();
    let mut oldest: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, v) in stored.keys() {
        let n = newest.entry(id).or_insert(v);
        if v.as_str() > *n {
            *n = v;
        }
        let o = oldest.entry(id).or_insert(v);
        if v.as_str() < *o {
            *o = v;
        }
    }
    for (versions, expected, name) in [
        (VersionMatch::Last, &newest, "newest"),
        (VersionMatch::First, &oldest, "oldest"),
    ] {
        let rows = store
            .objects(&all(versions))
            .unwrap_or_else(|e| fail(format!("reading the {name} versions: {e}")));
        let got: BTreeMap<&str, &str> = rows
            .iter()
            .map(|r| (r.object_id.as_str(), r.version.as_str()))
            .collect();
        if got.len() != rows.len() || &got != expected {
            let wrong = expected
                .iter()
                .find(|(id, v)| got.get(**id) != Some(*v))
                .map(|(id, v)| format!("{id}: expected {v}, flagged {:?}", got.get(*id)));
            fail(format!(
                "the {name}-version flags are wrong after a kill ({} rows for {} objects; {wrong:?})",
                rows.len(),
                expected.len()
            ));
        }
    }
    let count = store
        .count_objects(collection)
        .unwrap_or_else(|e| fail(format!("count_objects: {e}")));
    if count != newest.len() as u64 && count != stored.len() as u64 {
        fail(format!(
            "count_objects says {count}; {} objects, {} versions stored",
            newest.len(),
            stored.len()
        ));
    }
    if let Some(gone) = checked.keys().find(|k| !stored.contains_key(*k)) {
        fail(format!(
            "{gone:?}, stored and verified before a kill, is gone"
        ));
    }
    ObjectsSummary {
        stored_keys: stored.into_keys().collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// `meridian import` of atlas CSV files

#[test]
fn crash_import_sqlite() {
    crash_import("sqlite");
}

#[test]
fn crash_import_postgres() {
    crash_import("postgres");
}

const BASE_ASSETS: usize = 2000;
const LAYER_ASSETS: usize = 3000;
const LAYER_UPDATES: usize = 150;

/// The stored atlas, canonical order.
type State = (
    BTreeMap<String, Asset>,
    BTreeMap<(String, String), Dependency>,
);

fn state_of(atlas: &Atlas) -> State {
    (
        atlas
            .assets
            .iter()
            .map(|a| (a.id.clone(), a.clone()))
            .collect(),
        atlas
            .dependencies
            .iter()
            .map(|d| ((d.dependent.clone(), d.provider.clone()), d.clone()))
            .collect(),
    )
}

/// `state` with `batch` imported over it (an upsert of every asset and dependency).
fn apply(state: &State, batch: &Atlas) -> State {
    let mut next = state.clone();
    let (more_assets, more_deps) = state_of(batch);
    next.0.extend(more_assets);
    next.1.extend(more_deps);
    next
}

/// Writes `atlas` as CSV into `dir` and returns the two files and the batch as parsed back
/// from them (what an import of the files means, to the bit).
fn write_files(atlas: &Atlas, dir: &Path) -> (Vec<String>, Atlas) {
    std::fs::create_dir_all(dir).expect("layer directory");
    let files = interchange::write_csv(atlas, dir).expect("writing the CSV files");
    let parsed = interchange::read_files(&files)
        .unwrap_or_else(|e| panic!("the test's own CSV does not parse: {e:?}"))
        .atlas;
    let names = files
        .iter()
        .map(|f| f.to_str().expect("utf-8 path").to_owned())
        .collect();
    (names, parsed)
}

/// Layer `k`: `LAYER_ASSETS` new assets (each depending on one base asset and one other asset
/// of the layer) plus updates of `LAYER_UPDATES` base assets and `LAYER_UPDATES` base
/// dependencies.
fn layer(k: usize, rng: &mut Rng, base: &Atlas) -> Atlas {
    let (assets, deps) = test_support::synthetic_atlas(LAYER_ASSETS, 1);
    let rename = |id: &str| format!("l{k:02}-{id}");
    let mut atlas = Atlas::default();
    for mut a in assets {
        a.id = rename(&a.id);
        a.name = format!("{} (layer {k})", a.name);
        atlas.assets.push(a);
    }
    for mut d in deps {
        d.dependent = rename(&d.dependent);
        d.provider = rename(&d.provider);
        atlas.dependencies.push(d);
    }
    for i in 0..LAYER_ASSETS {
        let provider = &base.assets[rng.range(0, base.assets.len() as u64) as usize];
        atlas.dependencies.push(Dependency {
            dependent: rename(&format!("a{i:07}")),
            provider: provider.id.clone(),
            strength: Some(rng.range(1, 101) as f64 / 100.0),
            ..Dependency::default()
        });
    }
    let mut updated = BTreeSet::new();
    while updated.len() < LAYER_UPDATES {
        updated.insert(rng.range(0, base.assets.len() as u64) as usize);
    }
    for i in updated {
        let mut a = base.assets[i].clone();
        a.name = format!("{} rev {k}", base.assets[i].name);
        a.owner = format!("owner rev {k}");
        atlas.assets.push(a);
    }
    let mut updated = BTreeSet::new();
    while updated.len() < LAYER_UPDATES {
        updated.insert(rng.range(0, base.dependencies.len() as u64) as usize);
    }
    for i in updated {
        let mut d = base.dependencies[i].clone();
        d.strength = Some(rng.range(1, 101) as f64 / 100.0);
        d.tolerance_hours = Some((k * 3) as f64);
        atlas.dependencies.push(d);
    }
    atlas
}

/// The stored atlas and version, after checking the database opens.
fn read_state(db: &str, seed: u64) -> (State, i64) {
    let mut store = Store::open(db)
        .unwrap_or_else(|e| panic!("[seed {seed}] the database does not open after a kill: {e}"));
    let atlas = store
        .export_atlas()
        .unwrap_or_else(|e| panic!("[seed {seed}] export after a kill: {e}"));
    let version = store.atlas_version().expect("atlas_version");
    let state = state_of(&atlas);
    assert_eq!(
        (state.0.len(), state.1.len()),
        (atlas.assets.len(), atlas.dependencies.len()),
        "[seed {seed}] duplicate assets or dependencies in the export"
    );
    (state, version)
}

/// Where two states first differ, for the failure message.
fn first_difference(got: &State, want: &State) -> String {
    let assets = got
        .0
        .iter()
        .find(|(id, a)| want.0.get(*id) != Some(a))
        .map(|(id, a)| format!("asset {id}: stored {a:?}, expected {:?}", want.0.get(id)))
        .or_else(|| {
            want.0
                .keys()
                .find(|id| !got.0.contains_key(*id))
                .map(|id| format!("asset {id} missing"))
        });
    let deps = got
        .1
        .iter()
        .find(|(k, d)| want.1.get(*k) != Some(d))
        .map(|(k, d)| {
            format!(
                "dependency {k:?}: stored {d:?}, expected {:?}",
                want.1.get(k)
            )
        })
        .or_else(|| {
            want.1
                .keys()
                .find(|k| !got.1.contains_key(*k))
                .map(|k| format!("dependency {k:?} missing"))
        });
    format!(
        "{} assets / {} dependencies stored, {} / {} expected; {}; {}",
        got.0.len(),
        got.1.len(),
        want.0.len(),
        want.1.len(),
        assets.unwrap_or_else(|| "assets agree".into()),
        deps.unwrap_or_else(|| "dependencies agree".into())
    )
}

fn import(db: &str, files: &[String]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_meridian"));
    cmd.args(["--quiet", "import"])
        .args(files)
        .env("MERIDIAN_DB", db)
        .env_remove("MERIDIAN_HOME")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().expect("starting meridian import")
}

fn crash_import(backend: &str) {
    let Some(db) = database(backend, &format!("crash import {backend}")) else {
        return;
    };
    let seed = seed(&format!("crash_import_{backend}"));
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = db.url.clone();

    // The base atlas, imported without interference.
    let (assets, deps) = test_support::synthetic_atlas(BASE_ASSETS, 2);
    let base = Atlas {
        assets: assets.collect(),
        dependencies: deps.collect(),
    };
    let (files, base) = write_files(&base, &dir.path().join("base"));
    let mut args = vec!["--quiet", "import"];
    args.extend(files.iter().map(String::as_str));
    ok(&url, &args);
    let (mut expected, mut version) = read_state(&url, seed);
    assert!(
        expected == state_of(&base),
        "[seed {seed}] the base import: {}",
        first_difference(&expected, &state_of(&base))
    );

    // Layer 0 calibrates how long an import takes here, and `import --check` (everything but
    // the write transaction) where its write phase starts. Half the kills land anywhere in
    // [5 %, 130 %] of an import, half inside the write phase.
    let (files, batch) = write_files(&layer(0, &mut rng, &base), &dir.path().join("l00"));
    let mut check = vec!["--quiet", "import", "--check"];
    check.extend(files.iter().map(String::as_str));
    let t0 = Instant::now();
    ok(&url, &check);
    let mut before_write = t0.elapsed();
    let t0 = Instant::now();
    let status = import(&url, &files).wait().expect("import");
    let mut calibration = t0.elapsed();
    assert!(
        status.success(),
        "[seed {seed}] the calibration import failed"
    );
    expected = apply(&expected, &batch);
    let (got, v) = read_state(&url, seed);
    assert!(got == expected, "{}", first_difference(&got, &expected));
    version = version.max(v);

    let started = Instant::now();
    let (mut killed_absent, mut killed_present, mut finished, mut in_write) = (0, 0, 0, 0);
    let mut log = Vec::new();
    for k in 1..=KILLS {
        let (files, batch) = write_files(
            &layer(k, &mut rng, &base),
            &dir.path().join(format!("l{k:02}")),
        );
        let with = apply(&expected, &batch);
        let delay = if k % 2 == 0 {
            calibration.mul_f64(0.05 + 1.25 * rng.unit())
        } else {
            let window = calibration.saturating_sub(before_write);
            before_write + window.mul_f64(rng.unit())
        };
        let mut child = import(&url, &files);
        let spawned = Instant::now();
        // Poll until the kill point, so that an import finishing first tells how long it took.
        let exited = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break Some(status);
            }
            let left = delay.saturating_sub(spawned.elapsed());
            if left.is_zero() {
                break None;
            }
            thread::sleep(left.min(Duration::from_millis(2)));
        };
        let outcome = match exited {
            Some(status) => {
                // The machine is faster now than at calibration (shared cores): follow it, keeping
                // the write phase's share.
                let took = spawned.elapsed();
                let share = before_write.as_secs_f64() / calibration.as_secs_f64();
                calibration = (calibration + took) / 2;
                before_write = calibration.mul_f64(share);
                assert!(
                    status.success(),
                    "[seed {seed}] layer {k}: import exited with {status} before the kill"
                );
                "exited"
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                if delay >= before_write {
                    in_write += 1;
                }
                "killed"
            }
        };
        settle(&db);
        let (got, v) = read_state(&url, seed);
        let present = if got == with {
            true
        } else if got == expected {
            false
        } else {
            panic!(
                "[seed {seed}] HALF-WRITTEN import of layer {k} ({outcome} after {:?}): neither \
                 before nor after it. Against after: {}. Against before: {}",
                delay,
                first_difference(&got, &with),
                first_difference(&got, &expected)
            );
        };
        assert!(
            outcome == "killed" || present,
            "[seed {seed}] layer {k}: the import exited successfully but its atlas is not stored"
        );
        // The atlas version moves exactly when the atlas did.
        assert_eq!(
            v > version,
            present,
            "[seed {seed}] layer {k}: atlas_version {version} → {v} but the layer is {}",
            if present { "stored" } else { "absent" }
        );
        match (outcome, present) {
            ("exited", _) => finished += 1,
            (_, true) => killed_present += 1,
            _ => killed_absent += 1,
        }
        log.push(format!(
            "{}ms:{}",
            delay.as_millis(),
            match (outcome, present) {
                ("exited", _) => "done",
                (_, true) => "kill/committed",
                _ => "kill/absent",
            }
        ));
        if present {
            expected = with;
        }
        version = v;
    }
    // A clean import still works on the database afterwards.
    let (files, batch) = write_files(&layer(KILLS + 1, &mut rng, &base), &dir.path().join("last"));
    let mut args = vec!["--quiet", "import"];
    args.extend(files.iter().map(String::as_str));
    ok(&url, &args);
    expected = apply(&expected, &batch);
    let (got, _) = read_state(&url, seed);
    assert!(
        got == expected,
        "[seed {seed}] after a clean import: {}",
        first_difference(&got, &expected)
    );
    sqlite_integrity(&db);
    eprintln!(
        "crash_import_{backend}: {KILLS} imports of {} assets / {} dependencies (an import takes \
         {calibration:.0?}, its write phase starts at ~{before_write:.0?}) in {:.1}s: \
         {killed_absent} killed before commit, {killed_present} killed after commit, {finished} \
         finished first, {in_write} of the kills in the write phase; every one wholly there or \
         wholly absent [{}]",
        LAYER_ASSETS + LAYER_UPDATES,
        2 * LAYER_ASSETS + LAYER_UPDATES,
        started.elapsed().as_secs_f64(),
        log.join(" ")
    );
    assert!(
        killed_absent > 0,
        "[seed {seed}] no kill landed inside an import: the test proved nothing"
    );
}
