//! Long work as jobs on SQLite and PostgreSQL: `?async=true` (or `Prefer: respond-async`), or a
//! call past the server's synchronous wait, answers 202 with the job, polling it gives the synchronous answer or error, only the
//! requester and administrators see it, and a dead server's jobs are interrupted.

use std::time::{Duration, Instant};

use app::Role;
use serde_json::{Value, json};
use store::Store;

use crate::common::{Hub, Reply, call, get_with};
use crate::rest::{World, user};

/// The job of a 202: its `Location`, checked against its body.
fn accepted(reply: &Reply) -> String {
    assert_eq!(reply.status, 202, "{:?}", reply.body);
    let location = reply.header("Location").expect("Location").to_owned();
    assert_eq!(location, format!("/api/v1/jobs/{}", reply.body["id"]));
    assert!(matches!(
        reply.body["state"].as_str(),
        Some("queued" | "running" | "succeeded")
    ));
    location
}

#[test]
fn a_job_gives_the_synchronous_answer() {
    for db in test_support::backends("hub rest jobs") {
        let world = World::new(&db);
        let request = json!({"trials": 200, "seed": 7, "foreign_probability": 0.5}).to_string();
        let now = world.post(Role::Analyst, "/api/v1/analysis/montecarlo", &request);
        assert_eq!(now.status, 200, "[{}] {:?}", db.name, now.body);
        let later = world.post(
            Role::Analyst,
            "/api/v1/analysis/montecarlo?async=true",
            &request,
        );
        let location = accepted(&later);
        assert_eq!(later.body["kind"], "montecarlo");
        assert_eq!(later.body["requested_by"], "user:analyst");
        let job = world.job(Role::Analyst, &location);
        assert_eq!(job["state"], "succeeded", "[{}] {job:?}", db.name);
        assert_eq!(job["result"], now.body, "[{}]", db.name);
        assert_eq!(job["error"], Value::Null);
        assert!(job["finished_at"].is_string());

        // Prefer: respond-async does the same; the stored ranking's job reports its run.
        let bearer = format!("Bearer {}", world.token(Role::Admin));
        let ranked = call(
            "POST",
            &world.hub.url("/api/v1/rank"),
            &[("Authorization", &bearer), ("Prefer", "respond-async")],
            "",
        );
        let job = world.job(Role::Admin, &accepted(&ranked));
        assert_eq!(job["state"], "succeeded", "[{}] {job:?}", db.name);
        let run = job["result"]["run"].as_i64().expect("a run id");
        let stored = world.get(Role::Analyst, &format!("/api/v1/rank?run={run}"));
        assert_eq!(stored.status, 200, "[{}] {:?}", db.name, stored.body);
        assert_eq!(stored.body["total"], job["result"]["entries"]);

        // An intel import as a job.
        let kev = json!({"catalogVersion": "2025.01.02", "dateReleased": "2025-01-02T00:00:00Z",
            "count": 1, "vulnerabilities": [{"cveID": "CVE-2024-0001", "vendorProject": "Acme",
            "product": "Router", "vulnerabilityName": "n", "dateAdded": "2024-01-02",
            "shortDescription": "d", "requiredAction": "a", "dueDate": "2024-01-23"}]});
        let imported = world.post(
            Role::Analyst,
            "/api/v1/intel/documents?name=kev&async=true",
            &kev.to_string(),
        );
        let job = world.job(Role::Analyst, &accepted(&imported));
        assert_eq!(job["state"], "succeeded", "[{}] {job:?}", db.name);
        assert_eq!(job["result"]["status"], "created");

        let bad = world.post(Role::Analyst, "/api/v1/rank?async=maybe", "");
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
        assert_eq!(bad.body["errors"][0]["pointer"], "/async");
        let refused = world.post(Role::Coordinator, "/api/v1/rank?async=true", "");
        assert_eq!(refused.status, 403, "[{}] {:?}", db.name, refused.body);
    }
}

#[test]
fn a_call_past_the_synchronous_wait_becomes_a_job_and_long_works_take_turns() {
    for db in test_support::backends("hub rest jobs wait") {
        // A short wait, and one long work at a time.
        let world = World::with(&db, |o| {
            o.sync_wait = Duration::from_millis(50);
            o.max_jobs = 1;
        });
        // A percolation study (seconds in a debug build) takes the only turn...
        let study = json!({"nodes": 100000, "realisations": 4}).to_string();
        let first = accepted(&world.post(
            Role::Analyst,
            "/api/v1/analysis/percolation?async=true",
            &study,
        ));
        // ... so a synchronous Monte Carlo run waits for it past the wait and becomes a job,
        // and so do two more asked for as jobs: they run one after the other.
        let request = json!({"trials": 200, "seed": 7, "foreign_probability": 0.5}).to_string();
        let synchronous = world.post(Role::Analyst, "/api/v1/analysis/montecarlo", &request);
        let mut locations = vec![accepted(&synchronous)];
        assert_eq!(synchronous.body["kind"], "montecarlo");
        assert_eq!(synchronous.body["requested_by"], "user:analyst");
        for _ in 0..2 {
            locations.push(accepted(&world.post(
                Role::Analyst,
                "/api/v1/analysis/montecarlo?async=true",
                &request,
            )));
        }
        // A queued job can be cancelled by its requester: it fails as `cancelled`, never runs,
        // and stays cancelled once the turn comes; nobody else sees it to cancel it.
        let doomed = accepted(&world.post(
            Role::Analyst,
            "/api/v1/analysis/montecarlo?async=true",
            &request,
        ));
        let bearer = |role: Role| format!("Bearer {}", world.token(role));
        let cancel = |role: Role, location: &str| {
            call(
                "DELETE",
                &world.hub.url(location),
                &[("Authorization", &bearer(role))],
                "",
            )
        };
        assert_eq!(
            cancel(Role::Coordinator, &doomed).status,
            404,
            "[{}]",
            db.name
        );
        let cancelled = cancel(Role::Analyst, &doomed);
        assert_eq!(cancelled.status, 200, "[{}] {:?}", db.name, cancelled.body);
        assert_eq!(cancelled.body["state"], "failed");
        assert_eq!(cancelled.body["error"]["code"], "cancelled");
        let twice = cancel(Role::Analyst, &doomed);
        assert_eq!(twice.status, 409, "[{}] {:?}", db.name, twice.body);
        let percolation = world.job(Role::Analyst, &first);
        assert_eq!(
            cancel(Role::Admin, &first).status,
            409,
            "an ended job stays"
        );
        assert_eq!(
            percolation["state"], "succeeded",
            "[{}] {percolation:?}",
            db.name
        );
        assert_eq!(percolation["result"]["realisations"], 4);
        let jobs: Vec<Value> = locations
            .iter()
            .map(|l| world.job(Role::Analyst, l))
            .collect();
        for job in &jobs {
            assert_eq!(job["state"], "succeeded", "[{}] {job:?}", db.name);
            assert!(job["started_at"].is_string(), "[{}] {job:?}", db.name);
            assert_eq!(job["result"], jobs[0]["result"], "[{}]", db.name);
            // It started once the study had its turn, not before.
            assert!(
                job["started_at"].as_str() >= percolation["started_at"].as_str(),
                "[{}] {job:?} {percolation:?}",
                db.name
            );
        }
        assert_eq!(
            jobs[0]["result"]["trials"], 200,
            "[{}] {:?}",
            db.name, jobs[0]
        );
        let doomed = world.job(Role::Analyst, &doomed);
        assert_eq!(
            doomed["error"]["code"], "cancelled",
            "[{}] {doomed:?}",
            db.name
        );
        assert_eq!(doomed["started_at"], Value::Null, "it never ran");
        let mut store = Store::open(&db.url).expect("store");
        let audited = app::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("job.cancel".to_owned()),
                limit: 10,
                ..Default::default()
            },
        )
        .expect("audit");
        assert_eq!(audited.len(), 1, "[{}] {audited:?}", db.name);
        assert_eq!(audited[0].actor, "user:analyst");
        // Refusals come before any work, with or without a wait.
        let refused = world.post(Role::Coordinator, "/api/v1/analysis/montecarlo", &request);
        assert_eq!(refused.status, 403, "[{}] {:?}", db.name, refused.body);
        let invalid = world.post(
            Role::Analyst,
            "/api/v1/analysis/percolation",
            &json!({"realisations": 0}).to_string(),
        );
        assert_eq!(invalid.status, 422, "[{}] {:?}", db.name, invalid.body);
    }
}

#[test]
fn a_failed_job_gives_the_synchronous_error_and_stores_nothing() {
    for db in test_support::backends("hub rest jobs failed") {
        let world = World::new(&db);
        let body = json!({"assets": [], "dependencies": [
            {"dependent": "plant:ohio-1", "provider": "nowhere:1"}]})
        .to_string();
        let now = world.post(Role::Analyst, "/api/v1/atlas/import", &body);
        assert_eq!(now.status, 422, "[{}] {:?}", db.name, now.body);
        let later = world.post(Role::Analyst, "/api/v1/atlas/import?async=true", &body);
        let job = world.job(Role::Analyst, &accepted(&later));
        assert_eq!(job["state"], "failed", "[{}] {job:?}", db.name);
        assert_eq!(job["result"], Value::Null);
        assert_eq!(job["error"]["code"], now.body["code"]);
        assert_eq!(job["error"]["errors"], now.body["errors"], "[{}]", db.name);
        let stats = world.get(Role::Analyst, "/api/v1/stats");
        assert_eq!(
            stats.body["dependencies"], 1,
            "[{}] {:?}",
            db.name, stats.body
        );
    }
}

#[test]
fn only_the_requester_and_administrators_see_a_job() {
    for db in test_support::backends("hub rest jobs readers") {
        let world = World::new(&db);
        let submitted = world.post(Role::Analyst, "/api/v1/rank?async=true", "");
        let location = accepted(&submitted);
        world.job(Role::Analyst, &location);
        let admin = world.get(Role::Admin, &location);
        assert_eq!(admin.status, 200, "[{}] {:?}", db.name, admin.body);
        for role in [Role::Coordinator, Role::Partner] {
            let hidden = world.get(role, &location);
            assert_eq!(
                hidden.status, 404,
                "[{}] {role}: {:?}",
                db.name, hidden.body
            );
            assert_eq!(hidden.body["code"], "job_not_found");
            assert!(hidden.body.get("result").is_none());
            let list = world.get(role, "/api/v1/jobs");
            assert_eq!(list.body["items"], json!([]), "[{}] {role}", db.name);
        }
        let partner_token = get_with(&world.hub.url(&location), Some(&world.partner), "*/*");
        assert_eq!(partner_token.status, 404, "[{}]", db.name);
        let anonymous = get_with(&world.hub.url(&location), None, "*/*");
        assert_eq!(anonymous.status, 401, "[{}]", db.name);
        assert_eq!(world.get(Role::Analyst, "/api/v1/jobs/x").status, 404);

        let second = world.post(Role::Analyst, "/api/v1/rank?async=true", "");
        world.job(Role::Analyst, &accepted(&second));
        let first_page = world.get(Role::Analyst, "/api/v1/jobs?limit=1");
        assert_eq!(
            first_page.status, 200,
            "[{}] {:?}",
            db.name, first_page.body
        );
        assert_eq!(first_page.body["items"][0]["id"], second.body["id"]);
        let cursor = first_page.body["next"].as_str().expect("a next page");
        let rest = world.get(
            Role::Analyst,
            &format!("/api/v1/jobs?limit=1&cursor={cursor}"),
        );
        assert_eq!(rest.body["items"][0]["id"], submitted.body["id"]);
        assert_eq!(rest.body["next"], Value::Null);
        let all = world.get(Role::Admin, "/api/v1/jobs");
        assert_eq!(all.body["items"].as_array().map(Vec::len), Some(2));
        let bad = world.get(Role::Analyst, "/api/v1/jobs?cursor=!");
        assert_eq!(bad.status, 422, "[{}] {:?}", db.name, bad.body);
    }
}

#[test]
fn a_dead_servers_jobs_are_interrupted_at_startup() {
    for db in test_support::backends("hub rest jobs interrupted") {
        let mut store = Store::open(&db.url).expect("store");
        let token = user(&mut store, "root", Role::Admin);
        let id = store
            .add_job("rank", "user:root", "2026-01-01T00:00:00Z")
            .expect("job");
        assert!(store.start_job(id, "2026-01-01T00:00:01Z").expect("start"));
        drop(store);
        let hub = Hub::start(&db.url);
        let url = hub.url(&format!("/api/v1/jobs/{id}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        let job = loop {
            let job = get_with(&url, Some(&token), "application/json");
            assert_eq!(job.status, 200, "[{}] {:?}", db.name, job.body);
            if job.body["state"] != "running" || Instant::now() > deadline {
                break job.body;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(job["state"], "failed", "[{}] {job:?}", db.name);
        assert_eq!(job["error"]["code"], "interrupted");
    }
}

#[test]
fn a_running_job_cancelled_stops_soon_and_fails_as_cancelled() {
    for db in test_support::backends("hub rest jobs cancel running") {
        let world = World::new(&db);
        // Minutes of percolation in a debug build, one step per realisation.
        let study = json!({"nodes": 200000, "realisations": 64}).to_string();
        let location = accepted(&world.post(
            Role::Analyst,
            "/api/v1/analysis/percolation?async=true",
            &study,
        ));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let job = world.get(Role::Analyst, &location);
            let state = job.body["state"].as_str();
            assert!(
                matches!(state, Some("queued" | "running")),
                "[{}] {:?}",
                db.name,
                job.body
            );
            if state == Some("running") && job.body["progress"]["stage"] == "realisations" {
                break;
            }
            assert!(Instant::now() < deadline, "[{}] {:?}", db.name, job.body);
            std::thread::sleep(Duration::from_millis(50));
        }
        let cancel = |role: Role| {
            let bearer = format!("Bearer {}", world.token(role));
            call(
                "DELETE",
                &world.hub.url(&location),
                &[("Authorization", &bearer)],
                "",
            )
        };
        assert_eq!(cancel(Role::Coordinator).status, 404, "[{}]", db.name);
        let asked = cancel(Role::Analyst);
        assert_eq!(asked.status, 200, "[{}] {:?}", db.name, asked.body);
        assert_eq!(asked.body["state"], "running", "it stops at its next step");
        assert_eq!(asked.body["cancel_requested"], true);

        let started = Instant::now();
        let job = world.job(Role::Analyst, &location);
        assert_eq!(job["state"], "failed", "[{}] {job:?}", db.name);
        assert_eq!(job["error"]["code"], "cancelled", "[{}] {job:?}", db.name);
        assert_eq!(
            job["error"]["message"],
            "cancelled by user:analyst while it ran; nothing was stored"
        );
        assert_eq!(job["result"], Value::Null);
        assert!(job["progress"]["done"].as_u64() < Some(64), "{job:?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{}] stopped after {:?}",
            db.name,
            started.elapsed()
        );
        let over = cancel(Role::Analyst);
        assert_eq!(over.status, 409, "[{}] {:?}", db.name, over.body);
    }
}
