//! Jobs on both backends: who reads them, their life, interruption of a dead server's jobs,
//! cancelling them queued or running, and how often progress is written.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::*;
use crate::Progress;

fn user(name: &str, role: Role) -> Actor {
    Actor::User {
        name: name.to_owned(),
        role,
        partner: None,
    }
}

#[test]
fn a_job_is_read_by_its_requester_and_admins_only() {
    for db in test_support::backends("app jobs") {
        let mut store = store::Store::open(&db.url).expect("store");
        let ana = user("ana", Role::Analyst);
        let bob = user("bob", Role::Analyst);
        let partner = Actor::Partner("cert-de".to_owned());
        let refused = submit(&mut store, &partner, Action::RunAnalysis, "rank");
        assert!(matches!(refused, Err(Error::Forbidden(_))), "{}", db.name);

        let job = submit(&mut store, &ana, Action::RunAnalysis, "rank").expect("submit");
        assert_eq!(job.state, State::Queued);
        assert_eq!(job.requested_by, "user:ana");
        let audited = crate::audit::list(
            &mut store,
            &store::AuditFilter {
                limit: 10,
                ..store::AuditFilter::default()
            },
        )
        .expect("audit");
        assert!(
            audited
                .iter()
                .any(|e| e.action == "job.submit" && e.object_ids == [job.id.to_string()])
        );

        assert_eq!(get(&mut store, &ana, job.id).expect("own").id, job.id);
        for admin in [user("root", Role::Admin), Actor::Local("root".to_owned())] {
            assert_eq!(get(&mut store, &admin, job.id).expect("admin").id, job.id);
            assert_eq!(list(&mut store, &admin, None, 10).expect("all").len(), 1);
        }
        for other in [
            bob.clone(),
            user("cora", Role::Coordinator),
            partner.clone(),
        ] {
            let hidden = get(&mut store, &other, job.id);
            assert!(matches!(hidden, Err(Error::NotFound { what: "job", .. })));
            assert!(list(&mut store, &other, None, 10).expect("list").is_empty());
        }

        let second = submit(&mut store, &ana, Action::ImportAtlas, "atlas_import").expect("2");
        let page = list(&mut store, &ana, None, 1).expect("page");
        assert_eq!(page[0].id, second.id, "newest first");
        let rest = list(&mut store, &ana, Some(second.id), 10).expect("rest");
        assert_eq!(rest.iter().map(|j| j.id).collect::<Vec<_>>(), [job.id]);
        assert!(matches!(
            list(&mut store, &ana, None, 0),
            Err(Error::Invalid(_))
        ));
    }
}

#[test]
fn a_job_runs_reports_and_ends_once() {
    for db in test_support::backends("app jobs life") {
        let mut store = store::Store::open(&db.url).expect("store");
        let ana = user("ana", Role::Analyst);
        let job = submit(&mut store, &ana, Action::RunAnalysis, "montecarlo").expect("submit");
        assert!(start(&mut store, job.id).expect("start"));
        assert!(!start(&mut store, job.id).expect("started already"));
        let progress = Snapshot {
            stage: "trials".to_owned(),
            done: 40,
            total: Some(100),
        };
        assert!(report(&mut store, job.id, &Tracker::new(), &progress).expect("report"));
        let running = get(&mut store, &ana, job.id).expect("get");
        assert_eq!(running.state, State::Running);
        assert_eq!((running.stage.as_str(), running.done), ("trials", 40));
        assert_eq!(running.total, Some(100));
        assert!(running.started_at.is_some());

        let result = serde_json::json!({"trials": 100});
        assert!(finish(&mut store, job.id, Ok(result.clone())).expect("finish"));
        let failure = Failure {
            code: "late".to_owned(),
            message: "too late".to_owned(),
            problems: Vec::new(),
        };
        assert!(!finish(&mut store, job.id, Err(failure)).expect("over"));
        assert!(!report(&mut store, job.id, &Tracker::new(), &progress).expect("over"));
        let done = get(&mut store, &ana, job.id).expect("get");
        assert_eq!(done.state, State::Succeeded);
        assert_eq!(done.result, Some(result));
        assert_eq!(done.error, None);
        assert!(done.finished_at.is_some());

        let failing = submit(&mut store, &ana, Action::ImportAtlas, "atlas_import").expect("2");
        let problem = Failure {
            code: "invalid".to_owned(),
            message: "1 problem".to_owned(),
            problems: vec![
                Problem {
                    pointer: "/assets/0/id".to_owned(),
                    message: "empty".to_owned(),
                }
                .into(),
            ],
        };
        assert!(finish(&mut store, failing.id, Err(problem.clone())).expect("fail"));
        let failed = get(&mut store, &ana, failing.id).expect("get");
        assert_eq!(failed.state, State::Failed);
        assert_eq!(failed.error, Some(problem));
        assert_eq!(failed.result, None);
    }
}

#[test]
fn jobs_of_a_silent_server_are_interrupted() {
    for db in test_support::backends("app jobs interrupted") {
        let mut store = store::Store::open(&db.url).expect("store");
        let ana = user("ana", Role::Analyst);
        let running = submit(&mut store, &ana, Action::RunAnalysis, "rank").expect("submit");
        start(&mut store, running.id).expect("start");
        let finished = submit(&mut store, &ana, Action::RunAnalysis, "rank").expect("submit");
        finish(&mut store, finished.id, Ok(serde_json::json!(1))).expect("finish");

        let now = OffsetDateTime::now_utc();
        assert!(interrupt_stale(&mut store, now).expect("fresh").is_empty());
        let later = now + STALE + time::Duration::seconds(2);
        assert_eq!(
            interrupt_stale(&mut store, later).expect("stale"),
            [running.id]
        );
        let job = get(&mut store, &ana, running.id).expect("get");
        assert_eq!(job.state, State::Failed);
        assert_eq!(job.error.expect("error").code, "interrupted");
        let kept = get(&mut store, &ana, finished.id).expect("get");
        assert_eq!(kept.state, State::Succeeded);
    }
}

#[test]
fn progress_is_written_when_changed_at_most_twice_a_second() {
    let tracker = Tracker::new();
    let t0 = Instant::now();
    assert_eq!(
        tracker.due(t0),
        Some(Snapshot::default()),
        "the first report"
    );
    tracker.start("trials", Some(10));
    tracker.advance(3);
    assert_eq!(
        tracker.due(t0 + Duration::from_millis(100)),
        None,
        "too soon"
    );
    let at = t0 + REPORT_EVERY;
    let written = tracker.due(at).expect("changed and due");
    assert_eq!((written.stage.as_str(), written.done), ("trials", 3));
    assert_eq!(written.total, Some(10));
    assert_eq!(tracker.due(at + REPORT_EVERY), None, "unchanged");
    assert!(tracker.due(at + HEARTBEAT).is_some(), "the heartbeat");
    tracker.advance(2);
    tracker.finish();
    assert_eq!(tracker.snapshot().done, 10);
}

#[test]
fn cancelling_jobs_queued_running_and_over() {
    for db in test_support::backends("app jobs cancel") {
        let mut store = store::Store::open(&db.url).expect("store");
        let ana = user("ana", Role::Analyst);
        let bob = user("bob", Role::Analyst);
        let root = user("root", Role::Admin);

        let queued = submit(&mut store, &ana, Action::RunAnalysis, "rank").expect("submit");
        let cancelled = cancel(&mut store, &ana, queued.id).expect("cancel queued");
        assert_eq!(cancelled.state, State::Failed, "{}", db.name);
        let error = cancelled.error.expect("error");
        assert_eq!(error.code, "cancelled");
        assert_eq!(error.message, "cancelled by user:ana before it ran");
        assert_eq!(cancelled.cancel_requested_by, None, "failed at once");
        assert!(!start(&mut store, queued.id).expect("never runs"));

        let running = submit(&mut store, &ana, Action::RunAnalysis, "percolation").expect("2");
        assert!(start(&mut store, running.id).expect("start"));
        let hidden = cancel(&mut store, &bob, running.id);
        assert!(matches!(hidden, Err(Error::NotFound { what: "job", .. })));
        let asked = cancel(&mut store, &root, running.id).expect("cancel running");
        assert_eq!(asked.state, State::Running, "{}", db.name);
        assert_eq!(asked.cancel_requested_by.as_deref(), Some("user:root"));
        let again = cancel(&mut store, &ana, running.id).expect("twice");
        assert_eq!(again.state, State::Running);
        assert_eq!(
            again.cancel_requested_by.as_deref(),
            Some("user:root"),
            "the first"
        );
        let audited = crate::audit::list(
            &mut store,
            &store::AuditFilter {
                limit: 20,
                ..store::AuditFilter::default()
            },
        )
        .expect("audit");
        let cancels = audited
            .iter()
            .filter(|e| e.action == "job.cancel" && e.object_ids == [running.id.to_string()])
            .count();
        assert_eq!(cancels, 2, "{}", db.name);

        // The server running it learns the request when it writes the progress; the work
        // stops at its next check.
        let tracker = Tracker::new();
        let progress: &dyn Progress = &tracker;
        assert!(progress.go_on().is_ok());
        assert!(report(&mut store, running.id, &tracker, &tracker.snapshot()).expect("report"));
        let stopped = progress.go_on().expect_err("asked to stop");
        assert!(matches!(&stopped, Error::Cancelled(m)
            if m == "cancelled by user:root while it ran; nothing was stored"));

        // A job that ended stays as it ended, asked to stop or not.
        assert!(finish(&mut store, running.id, Ok(serde_json::json!(1))).expect("finish"));
        let over = cancel(&mut store, &ana, running.id);
        assert!(matches!(over, Err(Error::Conflict(_))), "{}", db.name);
        let ended = get(&mut store, &ana, running.id).expect("get");
        assert_eq!(ended.state, State::Succeeded);
        assert_eq!(ended.cancel_requested_by.as_deref(), Some("user:root"));
    }
}

/// A progress that asks to stop after `after` steps.
struct StopAfter {
    steps: AtomicU64,
    after: u64,
}

impl Progress for StopAfter {
    fn advance(&self, steps: u64) {
        self.steps.fetch_add(steps, Ordering::Relaxed);
    }

    fn stop_requested(&self) -> Option<String> {
        (self.steps.load(Ordering::Relaxed) >= self.after).then(|| "user:ana".to_owned())
    }
}

#[test]
fn an_engine_asked_to_stop_stops_at_its_next_step() {
    let progress = StopAfter {
        steps: AtomicU64::new(0),
        after: 3,
    };
    let realisations = 10_000;
    let stopped = crate::analysis::percolation(200, 4.0, realisations, 7, &progress);
    assert!(
        matches!(stopped, Err(Error::Cancelled(_))),
        "{:?}",
        stopped.err()
    );
    let steps = progress.steps.load(Ordering::Relaxed);
    assert!(steps < 3 + 64, "it went on for {steps} realisations");

    // Other panics are not swallowed.
    let dyn_progress: &dyn Progress = &();
    let other = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = dyn_progress.engine(|_| -> u8 { std::panic::resume_unwind(Box::new(1_u8)) });
    }));
    assert!(other.expect_err("resumed").is::<u8>());
}
