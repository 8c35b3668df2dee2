use super::*;

const EPSS: &[u8] = b"cve,epss,percentile\nCVE-2024-3400,0.9,0.99\n";

fn store() -> store::Store {
    store_of("fw:1", "firewall", "Palo Alto Networks:PAN-OS:10.2.3")
}

/// An in-memory store whose atlas is one French system running `product`.
fn store_of(id: &str, name: &str, product: &str) -> store::Store {
    let mut store = store::Store::open("sqlite::memory:").expect("in-memory store");
    let atlas = model::Atlas {
        assets: vec![model::Asset {
            id: id.into(),
            name: name.into(),
            kind: "system".into(),
            country: "FR".into(),
            products: vec![product.into()],
            ..Default::default()
        }],
        dependencies: vec![],
    };
    store.import(&atlas).expect("importing the test atlas");
    store
}

fn actor() -> Actor {
    Actor::Local("test".into())
}

/// The pointers of an `Invalid` error.
fn pointers<T: std::fmt::Debug>(result: Result<T>) -> Vec<String> {
    match result {
        Err(Error::Invalid(problems)) => problems.into_iter().map(|p| p.pointer).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn kinds_are_recognised_by_content_and_the_rest_refused_with_the_reason() {
    let check = |bytes: &[u8], expected: std::result::Result<Kind, &str>| match (
        Kind::detect(bytes),
        expected,
    ) {
        (Ok(got), Ok(kind)) => assert_eq!(got, kind),
        (Err(e), Err(reason)) => assert!(e.to_string().contains(reason), "{e}"),
        (got, expected) => panic!("{got:?}, expected {expected:?}"),
    };
    check(br#"{"bomFormat":"CycloneDX"}"#, Ok(Kind::Cyclonedx));
    check(br#"{"spdxVersion":"SPDX-2.3"}"#, Ok(Kind::Spdx));
    check(br#"{"catalogVersion":"1"}"#, Ok(Kind::Kev));
    check(EPSS, Ok(Kind::Epss));
    check(b"", Err("empty file"));
    check(b"[]", Err("a JSON array"));
    check(b"<bom/>", Err("XML is not supported"));
    check(b"SPDXVersion: SPDX-2.3\n", Err("SPDX tag-value"));
    check(b"{}", Err("not a KEV catalog"));
}

#[test]
fn imports_are_all_or_nothing_idempotent_and_name_each_invalid_source() {
    let mut store = store();
    let documents = |names: &[(&str, &[u8])]| -> Vec<(String, Vec<u8>)> {
        names
            .iter()
            .map(|(n, b)| ((*n).to_owned(), b.to_vec()))
            .collect()
    };
    let refused = import_documents(
        &mut store,
        documents(&[("epss.csv", EPSS), ("a.json", b"[]"), ("b.xml", b"<x/>")]),
        None,
        &(),
        &actor(),
    );
    assert_eq!(pointers(refused), ["a.json", "b.xml"]);
    assert!(documents_of(&mut store).is_empty(), "nothing stored");
    let statuses = |store: &mut store::Store| -> Vec<&'static str> {
        import_documents(store, documents(&[("epss.csv", EPSS)]), None, &(), &actor())
            .unwrap()
            .into_iter()
            .map(|r| r.status)
            .collect()
    };
    assert_eq!(statuses(&mut store), ["created"]);
    assert_eq!(statuses(&mut store), ["unchanged"]);
    assert_eq!(documents_of(&mut store), ["epss"]);
    assert_eq!(
        pointers(import_documents(
            &mut store,
            documents(&[("epss.csv", EPSS)]),
            Some("fw:1"),
            &(),
            &actor(),
        )),
        ["epss.csv"],
        "only SBOMs attach to assets"
    );
    assert!(matches!(
        import_documents(&mut store, vec![], Some("nope"), &(), &actor()),
        Err(Error::NotFound { .. })
    ));
}

fn documents_of(store: &mut store::Store) -> Vec<String> {
    documents(store)
        .unwrap()
        .into_iter()
        .map(|d| d.kind)
        .collect()
}

#[test]
fn verdicts_need_a_cve_id_and_a_known_asset_and_are_audited() {
    use store::Verdict::{Confirmed, FalsePositive};
    let mut store = store();
    let input = |asset: &str, cve: &str| FindingMarkInput {
        asset: asset.into(),
        cve: cve.into(),
        note: "lab unit".into(),
        ..Default::default()
    };
    assert_eq!(
        pointers(mark_finding(
            &mut store,
            FalsePositive,
            input("fw:1", "CVE-24"),
            &actor()
        )),
        ["/cve"]
    );
    assert!(matches!(
        mark_finding(
            &mut store,
            Confirmed,
            input("nope", "CVE-2024-3400"),
            &actor()
        ),
        Err(Error::NotFound { .. })
    ));
    let (fp, created) = mark_finding(
        &mut store,
        FalsePositive,
        input("fw:1", " CVE-2024-3400 "),
        &actor(),
    )
    .unwrap();
    assert_eq!((fp.cve.as_str(), created), ("CVE-2024-3400", true));
    let (_, created) = mark_finding(
        &mut store,
        FalsePositive,
        input("fw:1", "CVE-2024-3400"),
        &actor(),
    )
    .unwrap();
    assert!(!created, "a second mark updates the first");

    unmark_finding(
        &mut store,
        FalsePositive,
        "fw:1",
        "CVE-2024-3400",
        "",
        &actor(),
    )
    .unwrap();
    assert!(matches!(
        unmark_finding(
            &mut store,
            FalsePositive,
            "fw:1",
            "CVE-2024-3400",
            "",
            &actor()
        ),
        Err(Error::NotFound { .. })
    ));
    mark_finding(
        &mut store,
        Confirmed,
        input("fw:1", "CVE-2024-3400"),
        &actor(),
    )
    .unwrap();
    unmark_finding(&mut store, Confirmed, "fw:1", "CVE-2024-3400", "", &actor()).unwrap();
    let actions: Vec<String> = crate::audit::list(
        &mut store,
        &store::AuditFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert_eq!(
        actions,
        [
            "finding.false_positive",
            "finding.false_positive",
            "finding.false_positive_removed",
            "finding.confirmed",
            "finding.confirmation_removed"
        ],
        "the refused unmark left no entry"
    );
}

/// A KEV catalog of one entry, which names no versions.
const KEV: &[u8] =
    br#"{"catalogVersion":"2026.12.01","dateReleased":"2026-12-01T00:00:00Z","count":1,
"vulnerabilities":[{"cveID":"CVE-2024-3400","vendorProject":"Palo Alto Networks","product":"PAN-OS",
"vulnerabilityName":"PAN-OS command injection","dateAdded":"2024-04-12","shortDescription":"",
"requiredAction":"Apply mitigations","dueDate":"2024-04-19"}]}"#;

/// The one finding of the store's atlas (home FR, nothing attacked).
fn the_finding(store: &mut store::Store) -> FindingRow {
    let attacked = HashSet::new();
    let context = Context {
        home: *b"FR",
        attacked: &attacked,
        progress: &(),
    };
    let rows = findings(store, context, &FindingQuery::default())
        .unwrap()
        .rows;
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.into_iter().next().unwrap()
}

/// Imports [`KEV`].
fn import_kev(store: &mut store::Store) {
    import_documents(
        store,
        vec![("kev.json".into(), KEV.to_vec())],
        None,
        &(),
        &actor(),
    )
    .unwrap();
}

/// Marks the CVE-2024-3400 finding on `asset` with `verdict` and `note`.
fn verdict(store: &mut store::Store, verdict: store::Verdict, asset: &str, note: &str) {
    mark_finding(
        store,
        verdict,
        FindingMarkInput {
            asset: asset.into(),
            cve: "CVE-2024-3400".into(),
            note: note.into(),
            ..Default::default()
        },
        &actor(),
    )
    .unwrap();
}

#[test]
fn a_kev_name_match_is_a_candidate_until_confirmed() {
    let mut store = store();
    import_kev(&mut store);
    let attacked = HashSet::new();
    let context = Context {
        home: *b"FR",
        attacked: &attacked,
        progress: &(),
    };
    let listed = the_finding;
    let candidate = listed(&mut store);
    assert_eq!(
        (candidate.state, candidate.rule, candidate.range.as_deref()),
        (FindingState::Candidate, "name", None),
        "KEV names no versions: nothing was checked"
    );
    assert_eq!((candidate.decision, candidate.ssvc.decision), (None, None));
    assert_eq!(candidate.ssvc.verdict(), "candidate — version not checked");
    assert!(
        candidate.kev_due_date.is_some(),
        "the due date is still shown"
    );
    assert!(asset_exposures(&mut store, context).unwrap().is_empty());
    assert!(
        assets_affected_by(&mut store, context, &["CVE-2024-3400".into()])
            .unwrap()
            .is_empty()
    );
    let state = |name: &str| FindingFilter {
        state: Some(name.into()),
        ..Default::default()
    };
    let selected = |store: &mut store::Store, filter: &FindingFilter| {
        let rows = vec![listed(store)];
        select(store, rows, filter, FindingOrder::Urgency)
            .unwrap()
            .len()
    };
    assert_eq!(selected(&mut store, &state("Candidate")), 1);
    assert_eq!(selected(&mut store, &state("checked")), 0);
    assert_eq!(
        pointers(select(
            &mut store,
            Vec::<FindingRow>::new(),
            &state("guess"),
            FindingOrder::Urgency
        )),
        ["/state"]
    );

    verdict(
        &mut store,
        store::Verdict::Confirmed,
        "fw:1",
        "10.2.3 is affected (vendor advisory)",
    );
    let confirmed = listed(&mut store);
    assert_eq!(confirmed.state, FindingState::Confirmed);
    assert_eq!(
        confirmed.confirmed.as_deref(),
        Some("10.2.3 is affected (vendor advisory)")
    );
    // KEV speaks for Exploitation; without a CVE record there is no ADP vote, which the
    // decision says it assumes; Mission & Well-being comes from the (nil) impact.
    assert_eq!(
        (
            confirmed.ssvc.sources.exploitation,
            confirmed.ssvc.automatable,
            confirmed.ssvc.sources.technical_impact,
            confirmed.ssvc.sources.mission_wellbeing,
        ),
        ("KEV", "missing", "missing", "analysis impact")
    );
    assert_eq!(
        confirmed.ssvc.verdict(),
        "Attend (assumes automatable yes, technical impact total)"
    );
    assert_eq!(confirmed.decision, Some(Decision::Attend));
    let exposures = asset_exposures(&mut store, context).unwrap();
    assert_eq!(exposures["fw:1"].worst_decision, "Attend");
    assert!(exposures["fw:1"].score > 0.0);
    // The ranking's exposure, on the engine it ranks with: the same score for a ranked
    // (foreign) asset, none for a domestic one.
    let ranking_exposure = |store: &mut store::Store, home: [u8; 2]| {
        let engine = crate::analysis::Engine::load(store, home, &()).unwrap();
        crate::analysis::scores(store, &engine, &())
            .unwrap()
            .exposure
    };
    assert_eq!(
        ranking_exposure(&mut store, *b"US").get("fw:1"),
        Some(&exposures["fw:1"].score)
    );
    assert!(
        ranking_exposure(&mut store, *b"FR").is_empty(),
        "fw:1 is domestic in FR: not ranked"
    );
    assert_eq!(
        assets_affected_by(&mut store, context, &["CVE-2024-3400".into()])
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["fw:1"]
    );
}

#[test]
fn selecting_findings_refuses_unknown_decisions_and_orders() {
    let mut store = store();
    assert_eq!(
        pointers(select(
            &mut store,
            Vec::<FindingRow>::new(),
            &FindingFilter {
                decision: Some("urgent".into()),
                ..Default::default()
            },
            FindingOrder::Urgency,
        )),
        ["/decision"]
    );
    assert_eq!(pointers(FindingOrder::parse("random")), ["/sort"]);
    assert_eq!(FindingOrder::parse("EPSS").unwrap(), FindingOrder::Epss);
    let kept = select(
        &mut store,
        Vec::<FindingRow>::new(),
        &FindingFilter {
            decision: Some("track*".into()),
            country: Some("fr".into()),
            ..Default::default()
        },
        FindingOrder::Asset,
    )
    .unwrap();
    assert!(kept.is_empty());
}

#[test]
fn errors_are_written_with_their_causes() {
    let e = IntelError::from(serde_json::from_slice::<serde_json::Value>(b"{").unwrap_err());
    let text = chain(&e);
    assert!(text.starts_with("not valid JSON: "), "{text}");
    assert_eq!(text.matches("EOF").count(), 2, "{text}");
}

#[test]
fn a_finding_carries_the_records_cvss_and_cwes_and_the_dated_epss_percentile() {
    let mut store = store();
    let record = std::fs::read(test_support::shared_data(
        "cve/vulnrichment/2024/3xxx/CVE-2024-3400.json",
    ))
    .expect("the CVE record");
    let epss = b"#model_version:v2025.03.14,score_date:2025-06-01T00:00:00+0000\n\
                 cve,epss,percentile\nCVE-2024-3400,0.94,0.998\n";
    import_documents(
        &mut store,
        vec![
            ("cve.json".to_owned(), record),
            ("epss.csv".to_owned(), epss.to_vec()),
        ],
        None,
        &(),
        &actor(),
    )
    .unwrap();
    let f = &the_finding(&mut store);
    assert_eq!(
        f.state,
        FindingState::Checked,
        "10.2.3 is in the record's range"
    );
    let cvss = f.cvss.as_ref().expect("the CNA's CVSS");
    assert_eq!(
        (cvss.kind.as_str(), cvss.score, cvss.provider.as_str()),
        ("cvssV3_1", 10.0, "palo_alto")
    );
    assert!(
        cvss.vector
            .as_deref()
            .is_some_and(|v| v.starts_with("CVSS:3.1/"))
    );
    assert_eq!(f.cwes, ["CWE-77", "CWE-20"]);
    assert_eq!(
        (f.epss, f.epss_percentile, f.epss_date.as_deref()),
        (Some(0.94), Some(0.998), Some("2025-06-01T00:00:00+0000"))
    );
}

/// Without a CVE record, a finding shows the CVSS score and CWE of the CSAF advisory it cites
/// (a real CISA ICS advisory); a CVE record's, once imported, come first.
#[test]
fn a_finding_without_a_cve_record_carries_the_advisorys_cvss_and_cwe() {
    let mut store = store_of(
        "ups:1",
        "UPS monitoring",
        "Delta Electronics:InfraSuite Device Master:1.0.9",
    );
    let advisory = std::fs::read(test_support::shared_data(
        "csaf/cisa-ot/2024/icsa-24-130-03.json",
    ))
    .expect("the CSAF advisory");
    import_documents(
        &mut store,
        vec![("icsa-24-130-03.json".to_owned(), advisory)],
        None,
        &(),
        &actor(),
    )
    .unwrap();
    let f = the_finding(&mut store);
    assert_eq!(
        (f.cve.as_str(), f.source.as_str()),
        ("CVE-2023-46604", "CSAF ICSA-24-130-03")
    );
    let cvss = f.cvss.as_ref().expect("the advisory's CVSS");
    assert_eq!(
        (
            cvss.kind.as_str(),
            cvss.score,
            cvss.provider.as_str(),
            cvss.vector.as_deref()
        ),
        (
            "cvssV3_1",
            9.8,
            "CISA",
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        )
    );
    assert_eq!(f.cwes, ["CWE-502"]);

    // A CVE record of the same CVE with its own score and CWE: the record's win.
    let record = serde_json::json!({
        "dataType": "CVE_RECORD", "dataVersion": "5.1",
        "cveMetadata": {"cveId": "CVE-2023-46604", "assignerOrgId": "00000000-0000-4000-8000-000000000000",
                        "assignerShortName": "apache", "state": "PUBLISHED"},
        "containers": {"cna": {
            "providerMetadata": {"orgId": "00000000-0000-4000-8000-000000000000", "shortName": "apache"},
            "affected": [{"vendor": "Apache", "product": "ActiveMQ", "versions": [{"version": "5.0", "status": "affected"}]}],
            "descriptions": [{"lang": "en", "value": "Deserialization."}],
            "problemTypes": [{"descriptions": [{"lang": "en", "cweId": "CWE-20", "description": "CWE-20", "type": "CWE"}]}],
            "metrics": [{"cvssV3_1": {"version": "3.1", "baseScore": 10.0, "baseSeverity": "CRITICAL",
                                      "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}}]
        }}
    });
    import_documents(
        &mut store,
        vec![("cve.json".to_owned(), record.to_string().into_bytes())],
        None,
        &(),
        &actor(),
    )
    .unwrap();
    let f = the_finding(&mut store);
    let cvss = f.cvss.as_ref().expect("the record's CVSS");
    assert_eq!(
        (cvss.score, cvss.provider.as_str()),
        (10.0, "apache"),
        "{f:?}"
    );
    assert_eq!(f.cwes, ["CWE-20"]);
}

/// Every finding as a fresh computation lists them (home FR), to compare with the cache's.
fn fresh(store: &mut store::Store) -> String {
    let rows = with_context(store, *b"FR", &(), |store, context| {
        findings(
            store,
            context,
            &FindingQuery {
                all: true,
                ..Default::default()
            },
        )
    })
    .unwrap()
    .rows;
    format!("{rows:?}")
}

#[test]
fn the_findings_cache_follows_every_input_of_findings() {
    let mut store = store();
    let engines = crate::analysis::EngineCache::default();
    let cache = FindingsCache::default();
    let all = FindingQuery {
        all: true,
        ..Default::default()
    };
    // The cache's answer, checked against a fresh computation.
    let cached = |store: &mut store::Store| {
        let held = cache.get(store, &engines, *b"FR", &()).unwrap();
        let rows: Vec<&FindingRow> = queried(store, &held, &all).unwrap().collect();
        let rows = format!("{rows:?}");
        assert_eq!(rows, fresh(store));
        rows
    };
    let mut seen = vec![cached(&mut store)];
    assert_eq!(seen[0], "[]", "no intel, no findings");

    // Each write that changes the findings is seen at once, and each answer is the fresh one.
    import_kev(&mut store);
    seen.push(cached(&mut store));
    verdict(
        &mut store,
        store::Verdict::Confirmed,
        "fw:1",
        "10.2.3 is affected",
    );
    seen.push(cached(&mut store));
    store
        .add_incidents(&[model::IncidentReport {
            partner_id: None,
            reporter: "analyst".into(),
            kind: model::IncidentKind::Cyber,
            category: "intrusion".into(),
            description: String::new(),
            occurred_at: "2026-12-01T00:00:00.000Z".into(),
            reported_at: "2026-12-01T00:00:00.000Z".into(),
            stix_id: None,
            severity: 4,
            assets: vec!["fw:1".into()],
        }])
        .unwrap();
    // Under a KEV entry the incident changes no value shown: only that the answer is fresh.
    assert_eq!(cached(&mut store), seen[2]);
    let mut atlas = store.export_atlas().unwrap();
    atlas.assets.push(model::Asset {
        id: "fw:2".into(),
        ..atlas.assets[0].clone()
    });
    store.import(&atlas).unwrap();
    seen.push(cached(&mut store));
    for (i, pair) in seen.windows(2).enumerate() {
        assert_ne!(
            pair[0], pair[1],
            "write {i} changed nothing the cache shows"
        );
    }
    assert!(seen[1].contains("Candidate") && seen[2].contains("Confirmed"));
    assert!(!seen[2].contains("fw:2") && seen[3].contains("fw:2"));

    // A query names an asset that must exist; one asset's findings are its rows of the whole.
    let held = cache.get(&mut store, &engines, *b"FR", &()).unwrap();
    let unknown = FindingQuery {
        asset: Some("nope".into()),
        ..Default::default()
    };
    assert_eq!(
        pointers(queried(&mut store, &held, &unknown).map(|r| r.count())),
        ["--asset"]
    );
    let one = FindingQuery {
        asset: Some("fw:2".into()),
        ..Default::default()
    };
    let rows: Vec<&FindingRow> = queried(&mut store, &held, &one).unwrap().collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].asset, "fw:2");
    // A false positive leaves the default query's rows, and only the asked-for asset's.
    verdict(
        &mut store,
        store::Verdict::FalsePositive,
        "fw:2",
        "decommissioned",
    );
    let held = cache.get(&mut store, &engines, *b"FR", &()).unwrap();
    assert_eq!(queried(&mut store, &held, &one).unwrap().count(), 0);
    assert_eq!(
        queried(&mut store, &held, &FindingQuery::default())
            .unwrap()
            .map(|r| r.asset.as_str())
            .collect::<Vec<_>>(),
        ["fw:1"]
    );
}

/// A CycloneDX SBOM of npm `subject@1.0.0`, serial number `urn:uuid:<serial>`, with one
/// component, `lib@1.2.3` (bom-ref `lib`).
fn sbom_of(subject: &str, serial: &str) -> Vec<u8> {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:{serial}","version":1,
          "metadata":{{"component":{{"type":"application","name":"{subject}","version":"1.0.0","purl":"pkg:npm/{subject}@1.0.0"}}}},
          "components":[{{"type":"library","bom-ref":"lib","name":"lib","version":"1.2.3","purl":"pkg:npm/lib@1.2.3"}}]}}"#
    )
    .into_bytes()
}

const SERIAL_A: &str = "aaaaaaaa-0000-4000-8000-000000000000";
const SERIAL_B: &str = "bbbbbbbb-0000-4000-8000-000000000000";

/// A store of two assets, `plant:a` with the SBOM of `app-a` and `plant:b` with that of `app-b`
/// (both hold npm `lib@1.2.3`), and a CVE record saying every `lib` is affected.
fn two_plants(db: &test_support::TestDb) -> store::Store {
    let record = br#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[{"collectionURL":"https://registry.npmjs.org","packageName":"lib","defaultStatus":"affected"}]}}}"#;
    let mut store = store::Store::open(&db.url).expect("opening the test store");
    let asset = |id: &str| model::Asset {
        id: id.into(),
        name: id.into(),
        kind: "system".into(),
        country: "FR".into(),
        ..Default::default()
    };
    let atlas = model::Atlas {
        assets: vec![asset("plant:a"), asset("plant:b")],
        dependencies: vec![],
    };
    store.import(&atlas).expect("importing the test atlas");
    import(&mut store, "cve.json", record.to_vec(), None);
    import(
        &mut store,
        "a.cdx.json",
        sbom_of("app-a", SERIAL_A),
        Some("plant:a"),
    );
    import(
        &mut store,
        "b.cdx.json",
        sbom_of("app-b", SERIAL_B),
        Some("plant:b"),
    );
    store
}

/// Imports one document (attached to asset `on`).
fn import(store: &mut store::Store, name: &str, body: Vec<u8>, on: Option<&str>) {
    import_documents(store, vec![(name.to_owned(), body)], on, &(), &actor())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Per asset, its finding's state: `suppressed by <by>: <justification> / <impact statement>`,
/// `under investigation by <by>` or `active`.
fn vex_states(store: &mut store::Store) -> Vec<(String, String)> {
    let rows = with_context(store, *b"FR", &(), |store, context| {
        let all = FindingQuery {
            all: true,
            ..Default::default()
        };
        findings(store, context, &all)
    })
    .unwrap()
    .rows;
    let mut out: Vec<(String, String)> = rows
        .into_iter()
        .map(|r| {
            let state = match (&r.suppressed, &r.under_investigation) {
                (Some(s), _) => format!(
                    "suppressed by {}: {} / {}",
                    s.by,
                    s.justification,
                    s.impact_statement.as_deref().unwrap_or("-")
                ),
                (None, Some(i)) => format!("under investigation by {}", i.by),
                (None, None) => "active".to_owned(),
            };
            (r.asset, state)
        })
        .collect();
    out.sort();
    out
}

fn row(asset: &str, state: &str) -> (String, String) {
    (asset.to_owned(), state.to_owned())
}

/// An OpenVEX document `id` of `timestamp`: npm `lib` inside `app-a@1.0.0` has `status`.
fn vex_on_lib_in_app_a(id: &str, timestamp: &str, status: &str, fields: &str) -> Vec<u8> {
    format!(
        r#"{{"@context":"https://openvex.dev/ns/v0.2.0","@id":"{id}","author":"a","timestamp":"{timestamp}","version":1,
          "statements":[{{"vulnerability":{{"name":"CVE-2024-0001"}},"status":"{status}"{fields},
            "products":[{{"@id":"pkg:npm/app-a@1.0.0","subcomponents":[{{"@id":"pkg:npm/lib"}}]}}]}}]}}"#
    )
    .into_bytes()
}

#[test]
fn a_vex_statement_about_a_subcomponent_acts_only_inside_its_product_and_the_latest_wins() {
    for db in test_support::backends("app vex scope") {
        let mut store = two_plants(&db);
        let fields = r#","justification":"vulnerable_code_not_in_execute_path","impact_statement":"app-a never parses untrusted input""#;
        let not_affected =
            vex_on_lib_in_app_a("vex-1", "2024-01-01T00:00:00Z", "not_affected", fields);
        import(&mut store, "vex-1.json", not_affected, None);
        assert_eq!(
            vex_states(&mut store),
            [
                row(
                    "plant:a",
                    "suppressed by VEX vex-1: vulnerable_code_not_in_execute_path / app-a never parses untrusted input"
                ),
                row("plant:b", "active"),
            ],
            "[{}] lib is not affected inside app-a only",
            db.name
        );
        let investigating =
            vex_on_lib_in_app_a("vex-2", "2024-02-01T00:00:00Z", "under_investigation", "");
        import(&mut store, "vex-2.json", investigating, None);
        assert_eq!(
            vex_states(&mut store),
            [
                row("plant:a", "under investigation by VEX vex-2"),
                row("plant:b", "active"),
            ],
            "[{}] the later statement decides",
            db.name
        );
    }
}

#[test]
fn a_cyclonedx_vex_bom_link_acts_on_the_stored_bom_it_names_only() {
    for db in test_support::backends("app vex bom-link") {
        let mut store = two_plants(&db);
        let vex = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:cccccccc-0000-4000-8000-000000000000","version":1,
              "vulnerabilities":[{{"id":"CVE-2024-0001","analysis":{{"state":"not_affected","justification":"code_not_reachable","detail":"lib.parse is never called"}},
                "affects":[{{"ref":"urn:cdx:{SERIAL_A}/1#lib"}},{{"ref":"urn:cdx:dddddddd-0000-4000-8000-000000000000/1#lib"}}]}}]}}"#
        );
        import(&mut store, "vex.cdx.json", vex.into_bytes(), None);
        let states = vex_states(&mut store);
        assert_eq!(states.len(), 2, "[{}] {states:?}", db.name);
        assert!(
            states[0].0 == "plant:a"
                && states[0]
                    .1
                    .ends_with(": code_not_reachable / lib.parse is never called"),
            "[{}] {states:?}",
            db.name
        );
        assert_eq!(states[1], row("plant:b", "active"), "[{}]", db.name);
    }
}

// ---------------------------------------------------------------------------------------------
// OSV records

fn osv_file(path: &str) -> (String, Vec<u8>) {
    let p = test_support::shared_data(&format!("osv/{path}"));
    (
        p.display().to_string(),
        std::fs::read(&p).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
}

/// Every finding of the store's atlas: `(asset, id, aliases, source, state)`.
fn osv_rows(store: &mut store::Store) -> Vec<(String, String, Vec<String>, String, &'static str)> {
    let mut rows: Vec<_> = with_context(store, *b"FR", &(), |store, context| {
        findings(store, context, &FindingQuery::default())
    })
    .unwrap()
    .rows
    .into_iter()
    .map(|r| (r.asset, r.cve, r.aliases, r.source, r.state.as_str()))
    .collect();
    rows.sort();
    rows
}

#[test]
fn osv_records_are_recognised_by_their_members() {
    assert_eq!(
        Kind::detect(br#"{"id":"GO-2020-0001","modified":"2024-01-01T00:00:00Z","affected":[]}"#)
            .unwrap(),
        Kind::Osv
    );
    assert_eq!(
        Kind::detect(br#"{"id":"RHSA-2022:0216","modified":"2024-01-01T00:00:00Z","related":[]}"#)
            .unwrap(),
        Kind::Osv
    );
    assert!(Kind::detect(br#"{"id":"x","modified":"2024-01-01T00:00:00Z"}"#).is_err());
    assert!(Kind::detect(br#"{"id":"x","affected":[]}"#).is_err());
}

#[test]
fn the_whole_go_vulndb_imports_once_and_matches_a_go_module_in_an_sbom() {
    let mut store = store_of("app:1", "app", "pkg:golang/github.com/gin-gonic/gin@v1.6.0");
    let dir = test_support::shared_data("osv/go-vulndb");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let documents: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let rows = import_documents(&mut store, documents.clone(), None, &(), &actor()).unwrap();
    assert!(rows.len() > 4000, "{}", rows.len());
    assert!(
        rows.iter()
            .all(|r| r.kind == Kind::Osv && r.status == "created")
    );
    let again = import_documents(&mut store, documents, None, &(), &actor()).unwrap();
    assert!(again.iter().all(|r| r.status == "unchanged"), "idempotent");

    // gin 1.6.0 is past GO-2020-0001's fix; a component at 1.5.0 in an SBOM is not.
    let sbom = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
      "components":[{"type":"library","name":"gin","version":"v1.5.0","purl":"pkg:golang/github.com/gin-gonic/gin@v1.5.0"},
                    {"type":"library","name":"gin-fixed","purl":"pkg:golang/github.com/gin-gonic/gin@v1.6.0"}]}"#;
    let before: Vec<String> = osv_rows(&mut store).into_iter().map(|r| r.1).collect();
    assert!(!before.contains(&"CVE-2020-36567".to_owned()), "{before:?}");
    import(&mut store, "app.cdx.json", sbom.to_vec(), Some("app:1"));
    let rows = osv_rows(&mut store);
    let gin: Vec<_> = rows.iter().filter(|r| r.1 == "CVE-2020-36567").collect();
    assert_eq!(
        gin,
        [&(
            "app:1".to_owned(),
            "CVE-2020-36567".to_owned(),
            vec!["GHSA-6vm3-jj99-7229".to_owned(), "GO-2020-0001".to_owned()],
            "OSV GO-2020-0001".to_owned(),
            "checked"
        )]
    );
}

#[test]
fn findings_of_records_without_a_cve_keep_their_id_through_the_pipeline() {
    let mut store = store_of("web:1", "web", "pkg:npm/marky-markdown@1.0.0");
    let (name, body) = osv_file("ghsa-converted/greater_than_equals_no_patch.osv.json");
    import(&mut store, &name, body, None);
    let rows = osv_rows(&mut store);
    assert_eq!(
        rows,
        [(
            "web:1".to_owned(),
            "GHSA-pxmp-fwjc-4x7q".to_owned(),
            vec![],
            "OSV GHSA-pxmp-fwjc-4x7q".to_owned(),
            "checked"
        )]
    );
    let the = the_finding(&mut store);
    assert!(the.decision.is_some(), "an SSVC decision for a GHSA id");
    assert_eq!(the.epss, None);
    // An analyst's verdict on a GHSA id is accepted, stored and applied.
    mark_finding(
        &mut store,
        store::Verdict::FalsePositive,
        FindingMarkInput {
            asset: "web:1".into(),
            cve: "GHSA-pxmp-fwjc-4x7q".into(),
            note: "not bundled".into(),
            ..Default::default()
        },
        &actor(),
    )
    .unwrap();
    assert!(
        osv_rows(&mut store).is_empty(),
        "hidden as a false positive"
    );
    // A withdrawn record finds nothing.
    let mut store = store_of("rails:1", "rails", "pkg:gem/activesupport@3.2.1");
    let (name, body) = osv_file("ghsa-converted/withdrawn.osv.json");
    let rows = import_documents(&mut store, vec![(name, body)], None, &(), &actor()).unwrap();
    assert_eq!(rows[0].document, "GHSA-35c4-f3rq-f9g3 (withdrawn)");
    assert!(osv_rows(&mut store).is_empty());
}

#[test]
fn red_hat_csaf_and_osv_advisories_match_an_older_rpm_as_one_finding() {
    let mut store = store_of(
        "host:1",
        "host",
        "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6?arch=x86_64&distro=rhel-8.6",
    );
    let csaf = test_support::shared_data("csaf/redhat/rhsa-2024_4546.json");
    let (name, body) = osv_file("redhat-osv/RHSA-2024_4546.json");
    import(&mut store, "rhsa.json", std::fs::read(csaf).unwrap(), None);
    import(&mut store, &name, body, None);
    let rows = osv_rows(&mut store);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1, "CVE-2023-45288");
    assert_eq!(rows[0].2, ["RHSA-2024:4546"]);
    assert_eq!(rows[0].4, "checked");
    // The fixed build is not affected.
    let mut fixed = store_of(
        "host:2",
        "host",
        "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64",
    );
    let csaf = test_support::shared_data("csaf/redhat/rhsa-2024_4546.json");
    import(&mut fixed, "rhsa.json", std::fs::read(csaf).unwrap(), None);
    assert!(osv_rows(&mut fixed).is_empty());
}
