use super::*;

const EPSS: &[u8] = b"cve,epss,percentile\nCVE-2024-3400,0.9,0.99\n";

fn store() -> store::Store {
    let mut store = store::Store::open("sqlite::memory:").expect("in-memory store");
    let atlas = model::Atlas {
        assets: vec![model::Asset {
            id: "fw:1".into(),
            name: "firewall".into(),
            kind: "system".into(),
            country: "FR".into(),
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
fn false_positives_need_a_cve_id_and_a_known_asset() {
    let mut store = store();
    let input = |asset: &str, cve: &str| FalsePositiveInput {
        asset: asset.into(),
        cve: cve.into(),
        note: "lab unit".into(),
        ..Default::default()
    };
    assert_eq!(
        pointers(mark_false_positive(
            &mut store,
            input("fw:1", "CVE-24"),
            &actor()
        )),
        ["/cve"]
    );
    assert!(matches!(
        mark_false_positive(&mut store, input("nope", "CVE-2024-3400"), &actor()),
        Err(Error::NotFound { .. })
    ));
    let (fp, created) =
        mark_false_positive(&mut store, input("fw:1", " CVE-2024-3400 "), &actor()).unwrap();
    assert_eq!((fp.cve.as_str(), created), ("CVE-2024-3400", true));
    let (_, created) =
        mark_false_positive(&mut store, input("fw:1", "CVE-2024-3400"), &actor()).unwrap();
    assert!(!created, "a second mark updates the first");

    unmark_false_positive(&mut store, "fw:1", "CVE-2024-3400", "", &actor()).unwrap();
    assert!(matches!(
        unmark_false_positive(&mut store, "fw:1", "CVE-2024-3400", "", &actor()),
        Err(Error::NotFound { .. })
    ));
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
            "finding.false_positive_removed"
        ],
        "the refused unmark left no entry"
    );
}

#[test]
fn selecting_findings_refuses_unknown_decisions_and_orders() {
    let mut store = store();
    assert_eq!(
        pointers(select(
            &mut store,
            Vec::new(),
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
        Vec::new(),
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
