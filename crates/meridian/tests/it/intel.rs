//! `intel …` on real KEV / CVE 5 / CSAF / EPSS files and a hand-made atlas
//! (`tests/data/intel/`), on both backends. The atlas: `fw:de-1` runs PAN-OS 10.2.9, inside
//! CVE-2024-3400's `>=10.2.0|<10.2.9-h1`, and the domestic hospital depends on it alone (impact
//! 1, Mission & Well-being high); `fw:fr-1` runs 10.2.9-h1, just outside; `fw:jp-1` lists no
//! products but has an SBOM with PAN-OS 11.1.2-h2 (inside `>=11.1.0|<11.1.2-h3`) and 11.1.1,
//! which a hand-made OpenVEX declares not affected.

use serde_json::{Value, json};

use crate::{data, meridian, ok, path_str};

fn shared(relative: &str) -> String {
    path_str(&test_support::shared_data(relative)).to_owned()
}

fn run(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("json output")
}

/// The real documents, in import order.
fn corpus() -> Vec<String> {
    let mut files: Vec<String> = [
        "kev/known_exploited_vulnerabilities.json",
        "cve/vulnrichment/2024/3xxx/CVE-2024-3400.json",
        "cve/vulnrichment/2024/3xxx/CVE-2024-3272.json",
        "cve/vulnrichment/2024/3xxx/CVE-2024-3273.json",
        "csaf/cisa-ot/2022/icsa-22-167-09.json",
        "epss/epss-subset-kev-csaf-vulnrichment.csv",
    ]
    .map(shared)
    .to_vec();
    files.push(path_str(&data("intel/epss-first.csv")).to_owned());
    files.push(path_str(&data("intel/pan-os-11.1.1.openvex.json")).to_owned());
    files
}

/// `(kind, document, status)` of each imported file.
fn statuses(report: &Value) -> Vec<(String, String, String)> {
    report
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect(k).to_owned();
            (s("kind"), s("document"), s("status"))
        })
        .collect()
}

fn import_corpus(db: &str) -> Value {
    let files = corpus();
    let mut args = vec!["intel", "import"];
    args.extend(files.iter().map(String::as_str));
    run(db, &args)
}

/// The hand-made atlas with the real corpus and the Tokyo SBOM.
fn world() -> Vec<test_support::TestDb> {
    let dbs = test_support::backends("intel");
    for db in &dbs {
        import_atlas(&db.url);
        import_corpus(&db.url);
        let sbom = data("intel/fw-jp-1.cdx.json");
        run(
            &db.url,
            &["intel", "import", "--asset", "fw:jp-1", path_str(&sbom)],
        );
    }
    dbs
}

fn import_atlas(db: &str) {
    ok(
        db,
        &[
            "--quiet",
            "import",
            path_str(&data("intel/assets.csv")),
            path_str(&data("intel/dependencies.csv")),
        ],
    );
}

#[test]
fn import_detects_kinds_is_idempotent_and_all_or_nothing() {
    for db in test_support::backends("intel import") {
        let url = db.url.as_str();
        import_atlas(url);
        let created = statuses(&import_corpus(url));
        let expected = [
            ("kev", "KEV 2025.08.25 (1404 entries)"),
            ("cve", "CVE-2024-3400"),
            ("cve", "CVE-2024-3272"),
            ("cve", "CVE-2024-3273"),
            ("csaf", "ICSA-22-167-09"),
            ("epss", "EPSS undated (2261 scores)"),
            ("epss", "EPSS 2024-04-20T00:00:00+0000 (2 scores)"),
            (
                "openvex",
                "https://example.invalid/vex/meridian-test-1 (1 statements)",
            ),
        ];
        let with = |status: &str| -> Vec<(String, String, String)> {
            expected
                .iter()
                .map(|(k, d)| ((*k).to_owned(), (*d).to_owned(), status.to_owned()))
                .collect()
        };
        assert_eq!(created, with("created"), "[{}]", db.name);
        assert_eq!(
            statuses(&import_corpus(url)),
            with("unchanged"),
            "[{}]",
            db.name
        );

        // One invalid CycloneDX vector refuses the whole call, naming the JSON path.
        let fresh = shared("csaf/cisa-ot/2023/icsa-23-145-01.json");
        let invalid = shared("sbom/cyclonedx-spec-testvectors/1.6/invalid-serialnumber-1.6.json");
        let out = meridian(url, &["intel", "import", &fresh, &invalid]);
        assert!(!out.status.success(), "[{}]", db.name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "invalid-serialnumber-1.6.json: invalid cyclonedx document: serialNumber:"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was stored"), "{stderr}");
        let stored = run(url, &["intel", "documents"]);
        assert_eq!(
            stored.as_array().map(Vec::len),
            Some(expected.len()),
            "[{}]",
            db.name
        );

        // --asset attaches SBOMs only, and only to assets that exist.
        let cve = shared("cve/vulnrichment/2024/3xxx/CVE-2024-3400.json");
        let out = meridian(url, &["intel", "import", "--asset", "fw:jp-1", &cve]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--asset attaches SBOMs"),
            "[{}]",
            db.name
        );
        let sbom = path_str(&data("intel/fw-jp-1.cdx.json")).to_owned();
        let out = meridian(url, &["intel", "import", "--asset", "nope", &sbom]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("asset \"nope\" not found"),
            "[{}]",
            db.name
        );
        let attached = run(url, &["intel", "import", "--asset", "fw:jp-1", &sbom]);
        assert_eq!(attached[0]["status"], "created");
        assert_eq!(attached[0]["attached"], true);
        let again = run(url, &["intel", "import", "--asset", "fw:jp-1", &sbom]);
        assert_eq!(again[0]["status"], "unchanged");
        assert_eq!(again[0]["attached"], false);
        let spdx = shared("sbom/spdx-2.3/SPDXJSONExample-v2.3.spdx.json");
        let spdx = run(url, &["intel", "import", "--asset", "fw:fr-1", &spdx]);
        assert_eq!(spdx[0]["kind"], "spdx");
        assert_eq!(spdx[0]["attached"], true);
        let documents = run(url, &["intel", "documents"]);
        let attached: Vec<(&str, &Value)> = documents
            .as_array()
            .expect("rows")
            .iter()
            .filter(|d| d["attached_to"] != json!([]))
            .map(|d| (d["kind"].as_str().expect("kind"), &d["attached_to"]))
            .collect();
        assert_eq!(
            attached,
            [
                ("cyclonedx", &json!(["fw:jp-1"])),
                ("spdx", &json!(["fw:fr-1"]))
            ],
            "[{}]",
            db.name
        );
    }
}

/// `(asset, cve, item, rule, confidence, range, SSVC decision, suppression justification)`.
type Row = (
    String,
    String,
    String,
    String,
    f64,
    Option<String>,
    String,
    Option<String>,
);

fn rows(findings: &Value) -> Vec<Row> {
    findings
        .as_array()
        .expect("rows")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().expect("string").to_owned();
            (
                s(&f["asset"]),
                s(&f["cve"]),
                s(&f["item"]),
                s(&f["rule"]),
                (f["confidence"].as_f64().expect("confidence") * 100.0).round() / 100.0,
                f["range"].as_str().map(str::to_owned),
                s(&f["ssvc"]["decision"]),
                f["suppressed"]["justification"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn row(asset: &str, item: &str, range: &str, decision: &str, suppressed: Option<&str>) -> Row {
    (
        asset.to_owned(),
        "CVE-2024-3400".to_owned(),
        format!("cpe:2.3:o:paloaltonetworks:pan-os:{item}:*:*:*:*:*:*:*"),
        "cpe".to_owned(),
        0.85,
        Some(range.to_owned()),
        decision.to_owned(),
        suppressed.map(str::to_owned),
    )
}

#[test]
fn findings_inside_and_outside_real_ranges_with_ssvc() {
    for db in world() {
        let url = db.url.as_str();
        let all = run(
            url,
            &["intel", "findings", "--all", "--min-confidence", "0.5"],
        );
        assert_eq!(
            rows(&all),
            [
                // Act: exploited (KEV), automatable, total impact, and the hospital's only firewall.
                row("fw:de-1", "10.2.9", ">=10.2.0|<10.2.9-h1", "Act", None),
                row(
                    "fw:jp-1",
                    "11.1.1",
                    ">=11.1.0|<11.1.2-h3",
                    "Attend",
                    Some("vulnerable_code_not_in_execute_path"),
                ),
                // Attend: the same CVE on an asset nothing depends on (Mission & Well-being low).
                row(
                    "fw:jp-1",
                    "11.1.2-h2",
                    ">=11.1.0|<11.1.2-h3",
                    "Attend",
                    None
                ),
            ],
            "[{}]",
            db.name
        );
        let de = &all[0];
        assert_eq!(de["foreign"], true);
        assert_eq!(de["source"], "CVE 5 CVE-2024-3400");
        assert_eq!(de["kev_due_date"], "2024-04-19");
        // The FIRST file was imported after the subset: its score wins.
        assert_eq!(de["epss"], json!(0.95732));
        assert_eq!(
            all[2]["origin"].as_str().map(|o| o.starts_with("sbom ")),
            Some(true)
        );

        // Without --all the suppressed one is hidden; below 0.5 only KEV name matches remain,
        // and the just-outside firewall gets none for CVE-2024-3400.
        let active = run(url, &["intel", "findings"]);
        let active = active.as_array().expect("rows");
        assert!(active.iter().all(|f| f["suppressed"].is_null()));
        let guesses: Vec<&Value> = active
            .iter()
            .filter(|f| f["confidence"].as_f64() < Some(0.5))
            .collect();
        assert!(!guesses.is_empty());
        assert!(guesses.iter().all(|f| f["rule"] == "name"
            && f["source"] == "KEV 2025.08.25"
            && f["range"].is_null()
            && f["matched"] == "Palo Alto Networks / PAN-OS"));
        // KEV names no versions: those are candidates, without a decision.
        assert!(
            guesses
                .iter()
                .all(|f| f["state"] == "candidate" && f["ssvc"]["decision"].is_null())
        );
        assert!(
            active
                .iter()
                .filter(|f| f["confidence"].as_f64() >= Some(0.5))
                .all(|f| f["state"] == "checked")
        );
        assert!(
            !active
                .iter()
                .any(|f| f["asset"] == "fw:fr-1" && f["cve"] == "CVE-2024-3400")
        );
        let only_fr = run(url, &["intel", "findings", "--asset", "fw:fr-1"]);
        assert_eq!(
            only_fr.as_array().map(Vec::len),
            Some(guesses.iter().filter(|f| f["asset"] == "fw:fr-1").count())
        );

        let ssvc = run(url, &["intel", "ssvc", "--min-confidence", "0.5"]);
        static SOURCES: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
            json!({"exploitation": "KEV", "automatable": "CISA ADP vote",
                   "technical_impact": "CISA ADP vote", "mission_wellbeing": "analysis impact"})
        });
        assert_eq!(
            ssvc,
            json!([
                {"asset": "fw:de-1", "cve": "CVE-2024-3400",
                 "item": "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*",
                 "state": "checked",
                 "exploitation": "active", "automatable": "yes", "technical_impact": "total",
                 "impact": 1.0, "mission_wellbeing": "high", "sources": SOURCES.clone(),
                 "assumed": [], "decision": "Act"},
                {"asset": "fw:jp-1", "cve": "CVE-2024-3400",
                 "item": "cpe:2.3:o:paloaltonetworks:pan-os:11.1.2-h2:*:*:*:*:*:*:*",
                 "state": "checked",
                 "exploitation": "active", "automatable": "yes", "technical_impact": "total",
                 "impact": 0.0, "mission_wellbeing": "low", "sources": SOURCES.clone(),
                 "assumed": [], "decision": "Attend"},
            ]),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn false_positive_is_hidden_and_survives_reimport() {
    for db in world() {
        let url = db.url.as_str();
        let exposure = |asset: &str| {
            run(url, &["intel", "exposure"])[asset]["score"]
                .as_f64()
                .expect("score")
        };
        // Confidence 0.85 × (Act ∨ EPSS) = 0.85.
        assert!((exposure("fw:de-1") - 0.85).abs() < 1e-6, "[{}]", db.name);
        let detail = &run(url, &["intel", "exposure"])["fw:de-1"];
        assert_eq!(detail["worst_decision"], "Act", "[{}]", db.name);
        assert!(detail["findings"].as_u64().is_some_and(|n| n >= 1));
        assert!(detail["epss_max"].as_f64().is_some());
        let marked = run(
            url,
            &[
                "intel",
                "false-positive",
                "fw:de-1",
                "CVE-2024-3400",
                "--note",
                "lab unit, not deployed",
            ],
        );
        assert_eq!(marked["status"], "marked");
        let refused = meridian(url, &["intel", "false-positive", "nope", "CVE-2024-3400"]);
        assert!(!refused.status.success());

        // Re-importing the documents and the atlas changes nothing about the verdict.
        import_corpus(url);
        import_atlas(url);
        let strong = ["intel", "findings", "--min-confidence", "0.5"];
        let visible = run(url, &strong);
        assert!(
            visible
                .as_array()
                .expect("rows")
                .iter()
                .all(|f| f["asset"] != "fw:de-1"),
            "[{}]",
            db.name
        );
        let mut with_all = strong.to_vec();
        with_all.push("--all");
        let all = run(url, &with_all);
        let de: Vec<&Value> = all
            .as_array()
            .expect("rows")
            .iter()
            .filter(|f| f["asset"] == "fw:de-1")
            .collect();
        assert_eq!(de.len(), 1);
        assert_eq!(de[0]["false_positive"], "lab unit, not deployed");
        // What is left are KEV name matches, candidates: no exposure until one is confirmed.
        assert!(
            run(url, &["intel", "exposure"]).get("fw:de-1").is_none(),
            "[{}]",
            db.name
        );
        let left = run(url, &["intel", "findings", "--asset", "fw:de-1"]);
        let candidate = &left.as_array().expect("rows")[0];
        assert_eq!(candidate["state"], "candidate");
        let cve = candidate["cve"].as_str().expect("cve");
        let confirmed = run(
            url,
            &[
                "intel",
                "confirm",
                "fw:de-1",
                cve,
                "--note",
                "PAN-OS 10.2.9",
            ],
        );
        assert_eq!(
            (&confirmed["status"], &confirmed["verdict"]),
            (&json!("marked"), &json!("confirmed"))
        );
        let now = run(url, &["intel", "findings", "--asset", "fw:de-1"]);
        let now: Vec<&Value> = now
            .as_array()
            .expect("rows")
            .iter()
            .filter(|f| f["cve"] == cve)
            .collect();
        assert_eq!(now[0]["state"], "confirmed");
        assert_eq!(now[0]["confirmed"], "PAN-OS 10.2.9");
        assert!(now[0]["ssvc"]["decision"].is_string());
        // The confirmed KEV name match: 0.4 × (w ∨ EPSS) > 0.
        assert!(exposure("fw:de-1") > 0.0, "[{}]", db.name);
        assert!(exposure("fw:de-1") <= 0.4 + 1e-6, "[{}]", db.name);
    }
}

#[test]
fn scenario_of_every_asset_affected_by_a_cve() {
    for db in world() {
        // CVE-2024-3400 is active on the Frankfurt firewall (products) and the Tokyo one (its
        // SBOM); Paris runs the fixed build. The hospital behind Frankfurt goes down with it.
        ok(
            &db.url,
            &[
                "analyze",
                "scenario",
                "save",
                "pan-os",
                "--cves",
                "CVE-2024-3400",
            ],
        );
        let got = run(&db.url, &["analyze", "scenario", "run", "pan-os"]);
        let failed: Vec<(&str, Option<&str>)> = got["failed"]
            .as_array()
            .expect("failed")
            .iter()
            .map(|f| (f["asset"].as_str().expect("id"), f["cause"].as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                ("fw:de-1", None),
                ("fw:jp-1", None),
                ("hospital:us-1", Some("fw:de-1"))
            ],
            "[{}]",
            db.name
        );
        assert_eq!(got["impact"], 1.0);
    }
}

/// Format detection recognises every kind positively: an empty file, SPDX tag-value, XML, a
/// garbage CSV or an EPSS header without rows is refused with the file and the reason, and
/// nothing is stored (these were all stored as EPSS before).
#[test]
fn import_refuses_unrecognised_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, body: &str| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path_str(&path).to_owned()
    };
    let spdx_tv = shared("sbom/spdx-2.3/SPDXTagExample-v2.3.spdx");
    let cases = [
        (write("empty.json", ""), "empty file"),
        (write("blank.csv", " \n\n"), "empty file"),
        (spdx_tv, "SPDX tag-value is not supported"),
        (write("bom.xml", "<bom/>"), "XML is not supported"),
        (write("list.json", "[1]"), "a JSON array"),
        (
            write("garbage.csv", "name,age\nbob,3\n"),
            "line 1: not an EPSS CSV",
        ),
        (write("hello.txt", "hello world"), "line 1: not an EPSS CSV"),
        (
            write(
                "header-only.csv",
                "#model_version:v1,score_date:x\ncve,epss,percentile\n",
            ),
            "line 2: an EPSS header without any score row",
        ),
        (
            write("bad-rows.csv", "cve,epss,percentile\nfoo,bar,baz\n"),
            "line 2: not an EPSS score row",
        ),
        (
            write("comment-only.csv", "#model_version:v1\n"),
            "no EPSS header",
        ),
    ];
    for db in test_support::backends("intel detection") {
        let url = db.url.as_str();
        for (file, reason) in &cases {
            let out = meridian(url, &["intel", "import", file]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "[{}] {file} was accepted", db.name);
            assert!(
                stderr.contains(&format!("{file}: ")) && stderr.contains(reason),
                "[{}] {file}: expected {reason:?} in {stderr}",
                db.name
            );
            assert!(stderr.contains("nothing was stored"), "{stderr}");
        }
        assert_eq!(
            run(url, &["intel", "documents"]),
            json!([]),
            "[{}]",
            db.name
        );
        // Both EPSS layouts are still recognised.
        let headerless = write("2023.csv", "CVE-2023-7346;0.001400000;0.038600000\n");
        let daily = write(
            "daily.csv",
            "#model_version:v2023.03.01,score_date:2024-04-20T00:00:00+0000\ncve,epss,percentile\nCVE-2024-3400,0.95,0.99\n",
        );
        let rows = run(url, &["intel", "import", &headerless, &daily]);
        assert_eq!(statuses(&rows).len(), 2, "[{}]", db.name);
        assert!(
            statuses(&rows)
                .iter()
                .all(|(k, _, s)| k == "epss" && s == "created"),
            "{rows}"
        );
    }
}

#[test]
fn original_writes_the_imported_bytes_unchanged() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", dir.path().join("m.db").display());
    let bytes = "\u{feff}{\"vulnerabilities\":[{\"requiredAction\":\"a\",\"cveID\":\"CVE-2024-0001\",\r\n \"vendorProject\":\"Acme\",\"product\":\"Router\",\"vulnerabilityName\":\"n\",\"dateAdded\":\"2024-01-02\",\"shortDescription\":\"d\",\"dueDate\":\"2024-01-23\"}],\t\"count\":1,\"dateReleased\":\"2025-01-02T00:00:00Z\",\"catalogVersion\":\"2025.01.04\"}\n";
    let file = dir.path().join("kev.json");
    std::fs::write(&file, bytes).expect("write");
    run(&db, &["intel", "import", path_str(&file)]);
    let documents = run(&db, &["intel", "documents"]);
    let id = documents[0]["id"].as_i64().expect("an id").to_string();
    let out = dir.path().join("original.json");
    ok(&db, &["intel", "original", &id, "--out", path_str(&out)]);
    assert_eq!(std::fs::read(&out).expect("written"), bytes.as_bytes());
    let printed = meridian(&db, &["intel", "original", &id]);
    assert!(printed.status.success());
    assert_eq!(printed.stdout, bytes.as_bytes());
    let missing = meridian(&db, &["intel", "original", "9999"]);
    assert!(!missing.status.success());
}
