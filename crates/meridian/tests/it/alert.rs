//! `alert …`, `notify …` and `incident …` end to end on a hand-made atlas
//! (`tests/data/alert/`: PAN-OS 10.2.9 firewalls in DE, FR and JP, inside CVE-2024-3400's range)
//! with the real CVE record and KEV catalog (CVE-2024-3400 added 2024-04-12), on both backends.
//! Partners: `cert-de` (DE), `cert-de-energy` (DE, ENERGY only) and `cert-fr` (FR); none holds
//! JP.

use serde_json::{Value, json};
use store::{ObjectQuery, Store, Tlp, VersionMatch};

use crate::cvd::assert_schema_valid;
use crate::{data, meridian, ok, path_str};

const COLLECTION: &str = "9d6b2a52-3c1e-4f43-9a3b-5b1f2a7d8e01";
const CVE: &str = "CVE-2024-3400";

fn run(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("json output")
}

/// The error message of a refused command.
fn refused(db: &str, args: &[&str]) -> String {
    let out = meridian(db, args);
    assert!(!out.status.success(), "meridian {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn world() -> Vec<test_support::TestDb> {
    let dbs = test_support::backends("alerts");
    for db in &dbs {
        let db = db.url.as_str();
        ok(
            db,
            &[
                "--quiet",
                "import",
                path_str(&data("alert/assets.csv")),
                path_str(&data("alert/dependencies.csv")),
            ],
        );
        let kev = test_support::shared_data("kev/known_exploited_vulnerabilities.json");
        let record = test_support::shared_data("cve/vulnrichment/2024/3xxx/CVE-2024-3400.json");
        run(db, &["intel", "import", path_str(&kev), path_str(&record)]);
        for (id, country, extra) in [
            ("cert-de", "DE", None),
            ("cert-de-energy", "DE", Some("ENERGY")),
            ("cert-fr", "FR", None),
        ] {
            let name = format!("{id} (synthetic)");
            let mut args = vec!["--quiet", "partner", "add", id, "--name", &name];
            args.extend(["--country", country]);
            if let Some(sectors) = extra {
                args.extend(["--sectors", sectors]);
            }
            ok(db, &args);
        }
        ok(
            db,
            &[
                "--quiet",
                "collection",
                "add",
                "--title",
                "alerts",
                "--id",
                COLLECTION,
            ],
        );
    }
    dbs
}

fn new_alert(db: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "alert",
        "new",
        "--cve",
        CVE,
        "--tlp",
        "AMBER+STRICT",
        "--collection",
        COLLECTION,
        "--remediation",
        "Update PAN-OS to 10.2.9-h1",
        "--at",
        "2024-04-10T00:00:00Z",
    ];
    args.extend_from_slice(extra);
    run(db, &args)
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v.as_str().expect("string"))
        .collect()
}

#[test]
fn alert_routes_publishes_to_recipients_and_drafts_per_organisation() {
    for db in world() {
        let url = db.url.as_str();
        let alert = new_alert(url, &[]);
        assert_eq!(alert["id"], "ALERT-2024-0001", "[{}]", db.name);
        assert_eq!(
            strings(&alert["assets"]),
            ["fw:de-1", "fw:de-2", "fw:fr-1", "fw:jp-1"]
        );
        assert_eq!(
            strings(&alert["partners"]),
            ["cert-de", "cert-de-energy", "cert-fr"]
        );
        assert_eq!(alert["csaf_tlp"], "AMBER");
        let drafts: Vec<(&str, &str, &str, Vec<&str>, &str)> = alert["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .map(|n| {
                let s = |k: &str| n[k].as_str().expect(k);
                (
                    s("id"),
                    s("partner"),
                    s("organisation"),
                    strings(&n["assets"]),
                    s("state"),
                )
            })
            .collect();
        assert_eq!(
            drafts,
            [
                (
                    "ALERT-2024-0001.1",
                    "cert-fr",
                    "Paris Transit (synthetic)",
                    vec!["fw:fr-1"],
                    "drafted"
                ),
                (
                    "ALERT-2024-0001.2",
                    "cert-de",
                    "Rhein Netz (synthetic)",
                    vec!["fw:de-1"],
                    "drafted"
                ),
                (
                    "ALERT-2024-0001.3",
                    "cert-de-energy",
                    "Rhein Netz (synthetic)",
                    vec!["fw:de-2"],
                    "drafted"
                ),
            ],
            "[{}]",
            db.name
        );

        // The STIX package: in the collection, named recipients, TLP:AMBER+STRICT but the
        // hub's identity.
        let mut store = Store::open(url).expect("open");
        let objects = store
            .objects(&ObjectQuery {
                collection_id: COLLECTION.to_owned(),
                after_seq: None,
                added_after: None,
                ids: Vec::new(),
                types: Vec::new(),
                versions: VersionMatch::Last,
                spec_versions: Vec::new(),
                limit: 100,
            })
            .expect("objects");
        let types: Vec<&str> = objects.iter().map(|o| o.object_type.as_str()).collect();
        assert_eq!(
            types,
            [
                "identity",
                "vulnerability",
                "course-of-action",
                "relationship",
                "report"
            ]
        );
        for o in &objects {
            assert_eq!(o.recipients, ["cert-de", "cert-de-energy", "cert-fr"]);
            let expected = if o.object_type == "identity" {
                Tlp::Clear
            } else {
                Tlp::AmberStrict
            };
            assert_eq!(o.tlp, Some(expected), "{}", o.object_id);
        }
        let ids: Vec<&str> = objects.iter().map(|o| o.object_id.as_str()).collect();
        assert_eq!(strings(&alert["stix_ids"]), ids);

        // The CSAF advisory is schema-valid, TLP mapped down.
        let csaf = run(url, &["alert", "show", "ALERT-2024-0001", "--csaf"]);
        assert_schema_valid("csaf_json_schema.json", &csaf);
        assert_eq!(csaf["document"]["distribution"]["tlp"]["label"], "AMBER");
        assert_eq!(csaf["document"]["tracking"]["id"], "ALERT-2024-0001");
        assert_eq!(csaf["vulnerabilities"][0]["cve"], CVE);
        let listed = run(url, &["alert", "list"]);
        assert_eq!(listed.as_array().expect("alerts").len(), 1);

        // Restricted to assets and items; refusals name the field.
        let only = new_alert(url, &["--asset", "fw:fr-1"]);
        assert_eq!(strings(&only["partners"]), ["cert-fr"]);
        assert!(
            refused(url, &["alert", "new", "--cve", CVE, "--asset", "fw:nope"])
                .contains("/assets: unknown asset \"fw:nope\"")
        );
        assert!(
            refused(url, &["alert", "new", "--cve", "CVE-2024-0001"])
                .contains("no active intel finding of CVE-2024-0001")
        );
        assert!(
            refused(
                url,
                &["alert", "new", "--cve", CVE, "--finding", "pkg:npm/x@1"]
            )
            .contains("/findings: no active finding")
        );
    }
}

#[test]
fn notifications_move_by_the_state_machine_and_are_measured() {
    for db in world() {
        let url = db.url.as_str();
        new_alert(url, &[]);
        let sent = run(
            url,
            &[
                "notify",
                "send",
                "--alert",
                "ALERT-2024-0001",
                "--at",
                "2024-04-10T12:00:00Z",
            ],
        );
        assert_eq!(sent.as_array().expect("sent").len(), 3, "[{}]", db.name);
        let step = |id: &str, to: &str, at: &str| {
            run(url, &["notify", "advance", id, "--to", to, "--at", at])
        };
        // .1 mitigated before KEV's 2024-04-12, .2 after it, .3 exploited.
        step("ALERT-2024-0001.1", "acknowledged", "2024-04-11T12:00:00Z");
        step("ALERT-2024-0001.1", "mitigated", "2024-04-11T18:00:00Z");
        let closed = step("ALERT-2024-0001.1", "closed", "2024-04-20T00:00:00Z");
        assert_eq!(
            closed[0]["history"],
            json!([
                {"state": "drafted", "at": "2024-04-10T00:00:00.000Z"},
                {"state": "sent", "at": "2024-04-10T12:00:00.000Z"},
                {"state": "acknowledged", "at": "2024-04-11T12:00:00.000Z"},
                {"state": "mitigated", "at": "2024-04-11T18:00:00.000Z"},
                {"state": "closed", "at": "2024-04-20T00:00:00.000Z"},
            ]),
            "[{}]",
            db.name
        );
        step("ALERT-2024-0001.2", "mitigated", "2024-04-13T00:00:00Z");
        step("ALERT-2024-0001.3", "exploited", "2024-04-11T00:00:00Z");
        assert!(
            refused(
                url,
                &["notify", "advance", "ALERT-2024-0001.2", "--to", "sent"]
            )
            .contains("is mitigated: it cannot move to sent")
        );
        assert!(
            refused(
                url,
                &[
                    "notify",
                    "advance",
                    "ALERT-2024-0001.3",
                    "--to",
                    "closed",
                    "--at",
                    "2024-04-01"
                ]
            )
            .contains("would precede")
        );
        let mitigated = run(url, &["notify", "list", "--state", "mitigated"]);
        assert_eq!(mitigated[0]["id"], "ALERT-2024-0001.2");

        let report = run(url, &["notify", "report"]);
        let all = &report["overall"];
        assert_eq!(all["notifications"], 3, "[{}] {report:#}", db.name);
        assert_eq!(
            all["by_state"],
            json!({"closed": 1, "exploited": 1, "mitigated": 1})
        );
        assert_eq!(
            all["time_to_notify_hours"],
            json!({"count": 3, "median": 12.0, "mean": 12.0})
        );
        assert_eq!(all["time_to_acknowledge_hours"]["median"], 24.0);
        assert_eq!(all["decided"], 3);
        assert_eq!(all["mitigated_before_exploitation"], 1);
        assert_eq!(report["alerts"]["ALERT-2024-0001"]["notifications"], 3);
    }
}

fn write(dir: &std::path::Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("writing a fixture");
    path_str(&path).to_owned()
}

#[test]
fn incidents_import_all_or_nothing_and_raise_threat() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = time::OffsetDateTime::now_utc().date().to_string();
    let bad = write(
        dir.path(),
        "bad.json",
        &json!([
            {"partner": "cert-de", "assets": ["fw:de-1"], "kind": "physical",
             "category": "sabotage", "occurred_at": now},
            {"partner": "cert-de", "assets": ["fw:nope"], "kind": "cyber",
             "category": "intrusion", "occurred_at": now}
        ]),
    );
    let simple = write(
        dir.path(),
        "simple.json",
        &json!([{"partner": "cert-de", "assets": ["fw:de-1"], "kind": "physical",
                 "category": "explosive-device", "occurred_at": now, "severity": 5}]),
    );
    let bundle = write(
        dir.path(),
        "bundle.json",
        &json!({"type": "bundle", "id": "bundle--5d0c3f7e-0000-4000-8000-000000000001", "objects": [
            {"type": "incident", "spec_version": "2.1", "id": "incident--5d0c3f7e-0000-4000-8000-000000000002",
             "created": "2024-04-11T06:00:00.000Z", "modified": "2024-04-11T06:00:00.000Z",
             "name": "Intrusion at the Paris metro", "labels": ["intrusion"]},
            {"type": "relationship", "spec_version": "2.1", "id": "relationship--5d0c3f7e-0000-4000-8000-000000000003",
             "created": "2024-04-11T06:00:00.000Z", "modified": "2024-04-11T06:00:00.000Z",
             "relationship_type": "targets", "source_ref": "incident--5d0c3f7e-0000-4000-8000-000000000002",
             "target_ref": interchange::infrastructure_id("fw:fr-1")}
        ]}),
    );
    let bad_stix = write(
        dir.path(),
        "bad-stix.json",
        &json!({"type": "bundle", "id": "bundle--5d0c3f7e-0000-4000-8000-000000000009", "objects": [
            {"type": "incident", "spec_version": "2.1", "id": "incident--5d0c3f7e-0000-4000-8000-000000000008",
             "created": "2024-04-11T06:00:00.000Z", "modified": "2024-04-11T06:00:00.000Z",
             "x_meridian_asset_ids": ["fw:fr-1"]}
        ]}),
    );
    for db in world() {
        let url = db.url.as_str();
        let error = refused(url, &["incident", "import", &bad_stix]);
        assert!(
            error.contains("bad-stix.json: objects[0]: incident--5d0c3f7e-0000-4000-8000-000000000008 is not valid STIX 2.1"),
            "[{}] {error}",
            db.name
        );
        let error = refused(url, &["incident", "import", &bad]);
        assert!(
            error.contains("bad.json: [1].assets[0]: unknown asset \"fw:nope\""),
            "[{}] {error}",
            db.name
        );
        assert_eq!(run(url, &["incident", "list"]), json!([]), "all or nothing");

        let added = run(url, &["incident", "import", &simple]);
        assert_eq!(
            added,
            json!([{"id": format!("INC-{}-0001", &now[..4]), "created": true}])
        );
        let stix = run(
            url,
            &["incident", "import", "--partner", "cert-fr", &bundle],
        );
        assert_eq!(stix[0]["created"], true, "[{}]", db.name);
        let again = run(
            url,
            &["incident", "import", "--partner", "cert-fr", &bundle],
        );
        assert_eq!(again[0]["created"], false);
        let listed = run(url, &["incident", "list", "--asset", "fw:fr-1"]);
        assert_eq!(listed[0]["partner"], "cert-fr");
        assert_eq!(listed[0]["category"], "intrusion");
        assert_eq!(listed[0]["occurred_at"], "2024-04-11T06:00:00.000Z");

        // Threat: today's severity-5 event on fw:de-1 is near certain; the 2024 intrusion has
        // decayed through many 90-day half-lives.
        let ranking = run(url, &["analyze", "rank", "--no-save"]);
        let threat = |asset: &str| {
            ranking
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["asset"] == asset)
                .map(|r| r["threat"].as_f64().expect("threat"))
                .expect("ranked")
        };
        assert!(
            threat("fw:de-1") > 0.95,
            "[{}] {}",
            db.name,
            threat("fw:de-1")
        );
        assert!(threat("fw:fr-1") > 0.0 && threat("fw:fr-1") < 0.1);
        assert_eq!(threat("fw:jp-1"), 0.0);

        // Monte Carlo weighs exposure and threat like the ranking with --scored.
        let share = |scored: bool| {
            let mut args = vec!["analyze", "montecarlo", "--trials", "400"];
            args.extend(["--foreign-probability", "0.2"]);
            if scored {
                args.push("--scored");
            }
            let out = run(url, &args);
            out["asset_failure_share"]
                .as_array()
                .expect("shares")
                .iter()
                .find(|s| s["asset"] == "fw:de-1")
                .map_or(0.0, |s| s["share"].as_f64().expect("share"))
        };
        let (plain, scored) = (share(false), share(true));
        assert!(
            plain < 0.3 && scored > 0.5,
            "[{}] {plain} {scored}",
            db.name
        );

        // The cyber intrusion on fw:fr-1 is exploitation evidence before a mitigation on
        // 2024-04-11T12:00 (KEV: 2024-04-12).
        new_alert(url, &["--asset", "fw:fr-1"]);
        run(
            url,
            &[
                "notify",
                "send",
                "ALERT-2024-0001.1",
                "--at",
                "2024-04-10T06:00:00Z",
            ],
        );
        run(
            url,
            &[
                "notify",
                "advance",
                "ALERT-2024-0001.1",
                "--to",
                "mitigated",
                "--at",
                "2024-04-11T12:00:00Z",
            ],
        );
        let report = run(url, &["notify", "report"]);
        assert_eq!(report["overall"]["decided"], 1, "[{}]", db.name);
        assert_eq!(report["overall"]["mitigated_before_exploitation"], 0);
    }
}

#[test]
fn a_cyber_incident_makes_exploitation_active() {
    for db in test_support::backends("alerts ssvc") {
        let url = db.url.as_str();
        ok(url, &["demo", "--quiet"]);
        let findings = run(url, &["intel", "ssvc"]);
        let quiet = findings
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["exploitation"] == "none")
            .expect("a demo finding without exploitation");
        let asset = quiet["asset"].as_str().expect("asset");
        let cve = quiet["cve"].as_str().expect("cve");
        ok(
            url,
            &[
                "--quiet",
                "partner",
                "add",
                "cert-test",
                "--name",
                "Test",
                "--country",
                "DE",
            ],
        );
        run(
            url,
            &[
                "incident",
                "add",
                "--partner",
                "cert-test",
                "--asset",
                asset,
                "--kind",
                "cyber",
                "--category",
                "intrusion",
                "--occurred-at",
                "2026-01-01",
            ],
        );
        let after = run(url, &["intel", "ssvc", "--asset", asset]);
        let row = after
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["cve"] == cve)
            .expect("the same finding");
        assert_eq!(row["exploitation"], "active", "[{}] {asset} {cve}", db.name);
        assert_eq!(row["sources"]["exploitation"], "incident");
    }
}

/// `notify list` and `alert list`, as JSON.
fn exchange_digest(url: &str) -> [Value; 2] {
    [run(url, &["notify", "list"]), run(url, &["alert", "list"])]
}

#[test]
fn demo_has_notifications_in_every_state_and_objects_at_every_tlp() {
    let dbs = test_support::backends("demo exchange");
    for db in &dbs {
        let url = db.url.as_str();
        ok(url, &["demo", "--quiet"]);
        let [notifications, alerts] = exchange_digest(url);
        let seen: std::collections::BTreeSet<&str> = notifications
            .as_array()
            .expect("notifications")
            .iter()
            .map(|n| n["state"].as_str().expect("state"))
            .collect();
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [
                "acknowledged",
                "closed",
                "drafted",
                "exploited",
                "mitigated",
                "sent"
            ],
            "[{}]",
            db.name
        );
        assert_eq!(alerts.as_array().expect("alerts").len(), 5);

        let mut store = Store::open(url).expect("open");
        let mut tlps = std::collections::BTreeSet::new();
        let collections = store.collections().expect("collections");
        assert!((2..=3).contains(&collections.len()), "[{}]", db.name);
        for c in &collections {
            let objects = store
                .objects(&ObjectQuery {
                    collection_id: c.id.clone(),
                    after_seq: None,
                    added_after: None,
                    ids: Vec::new(),
                    types: Vec::new(),
                    versions: VersionMatch::All,
                    spec_versions: Vec::new(),
                    limit: 1000,
                })
                .expect("objects");
            tlps.extend(objects.iter().filter_map(|o| o.tlp));
        }
        assert_eq!(
            tlps.into_iter().collect::<Vec<_>>(),
            Tlp::ALL,
            "[{}]",
            db.name
        );

        let partners = store.partners().expect("partners");
        assert!(partners.len() >= 15, "[{}] {}", db.name, partners.len());
        assert!(partners.iter().all(|p| p.name.contains("(synthetic)")));
        let agreements = store.agreements().expect("agreements");
        let kinds: std::collections::BTreeSet<String> =
            agreements.iter().map(|a| format!("{:?}", a.kind)).collect();
        assert_eq!(kinds.len(), 2, "bilateral and multilateral");
        let ceilings: std::collections::BTreeSet<Tlp> =
            agreements.iter().map(|a| a.highest_tlp).collect();
        assert_eq!(
            ceilings.into_iter().collect::<Vec<_>>(),
            [Tlp::Green, Tlp::Amber, Tlp::AmberStrict]
        );
        let incidents = store.incidents().expect("incidents");
        for kind in [store::IncidentKind::Cyber, store::IncidentKind::Physical] {
            assert!(incidents.iter().any(|i| i.report.kind == kind), "{kind:?}");
        }
        let report = run(url, &["notify", "report"]);
        let share = report["overall"]["share_mitigated_before_exploitation"]
            .as_f64()
            .expect("a share");
        assert!(
            share > 0.0 && share < 1.0,
            "[{}] some first, some not: {share}",
            db.name
        );
        // Threat reaches the ranking.
        let ranking = run(url, &["analyze", "rank", "--no-save"]);
        assert!(
            ranking
                .as_array()
                .expect("rows")
                .iter()
                .any(|r| r["threat"].as_f64().expect("threat") > 0.0),
            "[{}]",
            db.name
        );
    }
    // The same seed gives the same exchange records.
    let again = test_support::backends("demo exchange again");
    ok(&again[0].url, &["demo", "--quiet"]);
    assert_eq!(exchange_digest(&again[0].url), exchange_digest(&dbs[0].url));
}
