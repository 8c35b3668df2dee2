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
        let decisions: BTreeSet<&str> = findings
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
