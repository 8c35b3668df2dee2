//! `meridian demo` on first run: the synthetic vulnerability data it loads gives findings of
//! every SSVC decision, foreign assets among them, and exposure in the ranking, on both backends.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::ok;

fn run(db: &test_support::TestDb, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&db.url, &all)).expect("json output")
}

#[test]
fn demo_loads_advisories_with_every_ssvc_decision_and_foreign_exposure() {
    for db in test_support::backends("demo_intel") {
        let quiet = ok(&db.url, &["demo", "--quiet"]);
        assert_eq!(
            quiet.lines().count(),
            1,
            "--quiet prints the summary only: {quiet}"
        );
        let documents = run(&db, &["intel", "documents"]);
        let sources: Vec<&str> = documents
            .as_array()
            .expect("documents")
            .iter()
            .map(|d| d["source"].as_str().expect("source"))
            .collect();
        assert!(sources.len() >= 20, "[{}] {sources:?}", db.name);
        assert!(
            sources.iter().all(|s| s.starts_with("demo:")),
            "{sources:?}"
        );
        for kind in ["kev", "epss", "cve"] {
            assert!(
                documents
                    .as_array()
                    .expect("documents")
                    .iter()
                    .any(|d| d["kind"] == kind),
                "[{}] a demo {kind} document",
                db.name
            );
        }

        let sboms: Vec<&Value> = documents
            .as_array()
            .expect("documents")
            .iter()
            .filter(|d| d["kind"] == "cyclonedx")
            .collect();
        assert!(
            (6..=12).contains(&sboms.len()),
            "[{}] demo SBOMs: {documents}",
            db.name
        );
        assert!(
            sboms
                .iter()
                .all(|d| d["attached_to"].as_array().is_some_and(|a| a.len() == 1)),
            "[{}] every demo SBOM is attached to its asset",
            db.name
        );

        let findings = run(&db, &["intel", "findings"]);
        let findings = findings.as_array().expect("findings");
        assert!(
            findings
                .iter()
                .any(|f| f["origin"].as_str().is_some_and(|o| o.starts_with("sbom "))),
            "[{}] a finding from an SBOM component",
            db.name
        );
        // Candidates (no version checked) have no decision: an "Act" is never a guess.
        let (candidates, decided): (Vec<&Value>, Vec<&Value>) =
            findings.iter().partition(|f| f["state"] == "candidate");
        assert!(
            candidates.iter().all(|f| f["ssvc"]["decision"].is_null()),
            "[{}]",
            db.name
        );
        assert!(
            decided
                .iter()
                .all(|f| f["range"].is_string() || f["state"] == "confirmed"),
            "[{}] every decision rests on a version checked",
            db.name
        );
        let decisions: BTreeSet<&str> = decided
            .iter()
            .map(|f| f["ssvc"]["decision"].as_str().expect("decision"))
            .collect();
        assert_eq!(
            decisions,
            BTreeSet::from(["Act", "Attend", "Track", "Track*"]),
            "[{}]",
            db.name
        );
        assert!(
            findings.iter().all(|f| f["cve"]
                .as_str()
                .is_some_and(|c| c.starts_with(world::DEMO_CVE_PREFIX))),
            "only demo CVE ids"
        );
        assert!(
            findings.iter().any(|f| f["foreign"] == true),
            "[{}] a finding on a foreign asset",
            db.name
        );
        assert!(
            findings.iter().any(|f| f["kev_due_date"].is_string()),
            "[{}] a finding listed in the demo KEV",
            db.name
        );
        // The filters select exactly the findings that satisfy them, and --sort orders them.
        let act_foreign = run(
            &db,
            &[
                "intel",
                "findings",
                "--decision",
                "act",
                "--foreign",
                "true",
                "--kev",
                "false",
            ],
        );
        let expected: Vec<&Value> = findings
            .iter()
            .filter(|f| {
                f["ssvc"]["decision"] == "Act"
                    && f["foreign"] == true
                    && f["kev_due_date"].is_null()
            })
            .collect();
        assert!(!expected.is_empty(), "[{}] a foreign Act finding", db.name);
        assert_eq!(
            act_foreign
                .as_array()
                .expect("rows")
                .iter()
                .collect::<Vec<_>>(),
            expected,
            "[{}]",
            db.name
        );
        let cve = findings[0]["cve"].as_str().expect("a CVE");
        let by_epss = run(
            &db,
            &[
                "intel",
                "findings",
                "--cve",
                &cve.to_lowercase(),
                "--sort",
                "epss",
            ],
        );
        let by_epss = by_epss.as_array().expect("rows");
        assert_eq!(
            by_epss.len(),
            findings.iter().filter(|f| f["cve"] == cve).count(),
            "[{}]",
            db.name
        );
        let epss: Vec<f64> = by_epss
            .iter()
            .map(|f| f["epss"].as_f64().unwrap_or(-1.0))
            .collect();
        assert!(epss.is_sorted_by(|a, b| a >= b), "[{}] {epss:?}", db.name);

        let rank = run(&db, &["analyze", "rank"]);
        assert!(
            rank.as_array()
                .expect("rows")
                .iter()
                .any(|r| r["exposure"].as_f64().is_some_and(|e| e > 0.0)),
            "[{}] some ranked asset has exposure: {rank}",
            db.name
        );
    }
}

/// What a demo left in the database: the atlas counts, the intel documents and the exchange.
fn snapshot(db: &test_support::TestDb) -> Value {
    serde_json::json!({
        "stats": run(db, &["stats"]),
        "documents": run(db, &["intel", "documents"]).as_array().map(Vec::len),
        "alerts": run(db, &["alert", "list"]),
        "partners": run(db, &["partner", "list"]),
    })
}

/// `demo --reset` with a bad argument fails before touching the database: the previous demo
/// (atlas, intel, alerts and incidents pointing at its assets) is intact.
#[test]
fn demo_reset_with_a_bad_argument_leaves_the_previous_demo() {
    for db in test_support::backends("demo bad argument") {
        ok(&db.url, &["demo", "--quiet"]);
        let before = snapshot(&db);
        assert!(before["stats"]["assets"].as_u64() > Some(0), "{before}");
        let out = crate::meridian(&db.url, &["demo", "--reset", "--assets", "500"]);
        assert!(!out.status.success(), "[{}]", db.name);
        assert_eq!(snapshot(&db), before, "[{}]", db.name);
    }
}

/// A demo build that fails or is killed at any step leaves the database as it was: empty before
/// a first demo, the previous demo before a `--reset`; a complete build then replaces it.
#[test]
fn an_interrupted_demo_build_leaves_the_old_state() {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};
    let hooked = |db: &str, hook: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_meridian"))
            .args(args)
            .env("MERIDIAN_DB", db)
            .env_remove("MERIDIAN_HOME")
            .env("MERIDIAN_TEST_DEMO_HOOK", hook)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the meridian binary runs")
    };
    for db in test_support::backends("demo interrupted") {
        let url = db.url.as_str();
        ok(url, &["init"]);
        let empty = snapshot(&db);
        let failed = hooked(url, "fail:atlas", &["demo", "--quiet"])
            .wait_with_output()
            .expect("wait");
        assert!(!failed.status.success());
        assert!(
            String::from_utf8_lossy(&failed.stderr).contains("the database is unchanged"),
            "{}",
            String::from_utf8_lossy(&failed.stderr)
        );
        assert_eq!(
            snapshot(&db),
            empty,
            "[{}] after a failed first demo",
            db.name
        );

        ok(url, &["demo", "--quiet"]);
        let old = snapshot(&db);
        for step in ["reset", "atlas", "intel", "exchange"] {
            let out = hooked(
                url,
                &format!("fail:{step}"),
                &["demo", "--reset", "--seed", "7"],
            )
            .wait_with_output()
            .expect("wait");
            assert!(!out.status.success(), "[{}] {step}", db.name);
            assert_eq!(snapshot(&db), old, "[{}] failed after {step}", db.name);
        }
        // Killed in the middle (SIGKILL: no chance to clean up).
        for step in ["atlas", "intel"] {
            let mut child = hooked(
                url,
                &format!("stall:{step}"),
                &["demo", "--reset", "--seed", "7"],
            );
            let stderr = child.stderr.take().expect("stderr");
            let mut lines = std::io::BufReader::new(stderr).lines();
            let stalled = lines
                .by_ref()
                .map_while(Result::ok)
                .any(|l| l.contains(&format!("stalled after {step}")));
            assert!(stalled, "[{}] the demo reached {step}", db.name);
            child.kill().expect("kill");
            child.wait().expect("wait");
            assert_eq!(snapshot(&db), old, "[{}] killed after {step}", db.name);
        }
        // A complete build replaces the old state.
        ok(url, &["demo", "--quiet", "--reset", "--seed", "7"]);
        let new = snapshot(&db);
        assert_ne!(new["stats"], old["stats"], "[{}]", db.name);
    }
}

/// The demo's closing summary counts what is stored: its object count is the sum of what
/// `collection list` shows (alerts share STIX objects, so adding up each alert's ids overcounts),
/// and a truncated table says how much it left out.
#[test]
fn demo_summary_counts_what_is_stored_and_truncated_tables_say_so() {
    for db in test_support::backends("demo_counts") {
        check_counts(&db);
    }
}

fn check_counts(db: &test_support::TestDb) {
    let out = crate::meridian(&db.url, &["demo", "--assets", "1000"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reported: u64 = stderr
        .split_once(" collections (")
        .and_then(|(_, rest)| rest.split_once(" objects)"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no object count in the demo's summary: {stderr}"));
    let stored: u64 = run(db, &["collection", "list"])
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| c["objects"].as_u64().expect("objects"))
        .sum();
    assert_eq!(reported, stored, "{stderr}");
    assert!(
        stderr.contains("10 of ") && stderr.contains(" ranked assets shown; --limit for more"),
        "the demo's top-10 table says it is truncated: {stderr}"
    );

    let out = crate::meridian(&db.url, &["intel", "findings", "--limit", "3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 of ") && stderr.contains(" findings shown; --limit for more"),
        "{stderr}"
    );
}

/// A warning logged to a file or a pipe carries no ANSI colour codes.
#[test]
fn logs_to_a_pipe_have_no_colour_codes() {
    let db = test_support::backends("log_colour").remove(0);
    ok(&db.url, &["demo", "--quiet"]);
    // Every CVE of the demo alerts has affected assets outside any partner's constituency, so
    // `alert new` warns about them.
    let out = crate::meridian(&db.url, &["alert", "new", "--cve", "CVE-2099-90030"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("WARN"), "a warning is logged: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "no escape codes: {stderr:?}");
}

/// Tables fit 100 columns unless `--wide` asks for their full width.
#[test]
fn tables_fit_100_columns_unless_wide() {
    let db = test_support::backends("table_width").remove(0);
    ok(&db.url, &["demo", "--quiet"]);
    let widest = |args: &[&str]| {
        ok(&db.url, args)
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    for args in [
        &["intel", "findings", "--limit", "5"][..],
        &["analyze", "summary"],
        &["alert", "list"],
        &["analyze", "rank", "--limit", "5", "--no-save"],
    ] {
        assert!(widest(args) <= 100, "{args:?} is wider than 100 columns");
    }
    assert!(widest(&["--wide", "intel", "findings", "--limit", "5"]) > 100);
}

/// `--home` is case-insensitive like every other country value; an unknown one is refused.
#[test]
fn home_is_case_insensitive() {
    let db = test_support::backends("home_case").remove(0);
    ok(&db.url, &["demo", "--quiet"]);
    assert_eq!(
        ok(&db.url, &["--home", "us", "--json", "stats"]),
        ok(&db.url, &["--home", "US", "--json", "stats"])
    );
    let out = crate::meridian(&db.url, &["--home", "xx", "stats"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"xx\" is not an ISO 3166-1"));
}

/// `collection show` lists a collection's objects with their TLP through the release decision:
/// the demo's indicator at every TLP shows four of its five, never the RED one.
#[test]
fn collection_show_lists_objects_with_their_tlp_but_never_red() {
    for db in test_support::backends("collection_show") {
        ok(&db.url, &["demo", "--quiet"]);
        let collections = run(&db, &["collection", "list"]);
        let indicators = collections
            .as_array()
            .expect("collections")
            .iter()
            .find(|c| {
                c["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Threat indicators"))
            })
            .expect("the demo's indicator collection");
        let id = indicators["id"].as_str().expect("id");
        let shown = run(&db, &["collection", "show", id]);
        let tlps: BTreeSet<&str> = shown
            .as_array()
            .expect("objects")
            .iter()
            .map(|o| o["tlp"].as_str().expect("tlp"))
            .collect();
        assert_eq!(
            tlps,
            BTreeSet::from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"]),
            "{}: {shown}",
            db.name
        );
        assert_eq!(indicators["objects"], 5, "the RED one is stored");
    }
}
