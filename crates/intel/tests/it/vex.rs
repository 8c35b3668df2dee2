//! VEX semantics: product scope, subcomponents inside their product, the latest statement wins,
//! `under_investigation` surfaced, justification and impact statement kept, CycloneDX BOM-Links.

use intel::matching::{Index, Item};
use intel::sbom::{self, Sbom};
use intel::vex;

const CVE: &str = "CVE-2024-0001";

/// Every version of npm `lib`, `app-a` and `app-b` is affected by [`CVE`].
fn index() -> Index {
    let record = r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[
        {"collectionURL":"https://registry.npmjs.org","packageName":"lib","defaultStatus":"affected"},
        {"collectionURL":"https://registry.npmjs.org","packageName":"app-a","defaultStatus":"affected"},
        {"collectionURL":"https://registry.npmjs.org","packageName":"app-b","defaultStatus":"affected"}]}}}"#;
    let mut index = Index::new();
    index.add_cve(&intel::cve::parse_cve(record.as_bytes()).expect("CVE").0);
    index
}

/// An OpenVEX document `id` (with document `timestamp`, if any) of `statements` (JSON).
fn add_openvex(index: &mut Index, id: &str, timestamp: Option<&str>, statements: &str) {
    let timestamp = timestamp.map_or_else(String::new, |t| format!(r#","timestamp":"{t}""#));
    let doc = format!(
        r#"{{"@context":"https://openvex.dev/ns/v0.2.0","@id":"{id}","author":"a"{timestamp},"version":1,"statements":[{statements}]}}"#
    );
    let (doc, _) = vex::parse_openvex(doc.as_bytes()).expect("OpenVEX");
    index.add_vex(id, &doc.statements);
}

/// One statement about [`CVE`]: `products` (JSON) with `status` and extra `fields` (JSON).
fn statement(products: &str, status: &str, fields: &str) -> String {
    format!(
        r#"{{"vulnerability":{{"name":"{CVE}"}},"products":[{products}],"status":"{status}"{fields}}}"#
    )
}

/// A CycloneDX BOM of subject npm `subject@1.0.0` (none when empty) with component `lib@1.2.3`.
fn bom(subject: &str) -> Sbom {
    let metadata = if subject.is_empty() {
        String::new()
    } else {
        format!(
            r#""metadata":{{"component":{{"type":"application","bom-ref":"root","name":"{subject}","version":"1.0.0","purl":"pkg:npm/{subject}@1.0.0"}}}},"#
        )
    };
    let text = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6",{metadata}"components":[{{"type":"library","bom-ref":"lib","name":"lib","version":"1.2.3","purl":"pkg:npm/lib@1.2.3"}}]}}"#
    );
    sbom::parse_cyclonedx(text.as_bytes()).expect("BOM").0
}

/// What matching says about [`CVE`] on `item`: `finding`, `investigating <document>: <note>` or
/// `suppressed by <document>: <justification> / <impact statement>`.
fn verdict(index: &Index, item: &Item) -> String {
    let m = index.match_item(item);
    let findings: Vec<String> = m
        .findings
        .iter()
        .filter(|f| f.cve == CVE)
        .map(|f| match &f.under_investigation {
            Some(i) => format!(
                "investigating {}: {}",
                i.by.document,
                i.note.as_deref().unwrap_or("-")
            ),
            None => "finding".to_owned(),
        })
        .chain(
            m.suppressed
                .iter()
                .filter(|s| s.finding.cve == CVE)
                .map(|s| {
                    format!(
                        "suppressed by {}: {} / {}",
                        s.by.document,
                        s.justification,
                        s.impact_statement.as_deref().unwrap_or("-")
                    )
                }),
        )
        .collect();
    findings.join("; ")
}

fn product(purl: &str) -> Item {
    Item::parse("asset", purl).expect("purl")
}

/// The BOM's only component, inside the BOM's subject.
fn component(bom: &Sbom) -> Item {
    Item::in_sbom("asset/0", bom, 0)
}

#[test]
fn a_statement_about_product_a_never_suppresses_product_b() {
    let mut index = index();
    let not_affected = statement(
        r#"{"@id":"pkg:npm/app-a@1.0.0"}"#,
        "not_affected",
        r#","justification":"vulnerable_code_not_present""#,
    );
    add_openvex(&mut index, "vex-a", None, &not_affected);
    let suppressed = "suppressed by vex-a: vulnerable_code_not_present / -";
    assert_eq!(verdict(&index, &product("pkg:npm/app-a@1.0.0")), suppressed);
    assert_eq!(verdict(&index, &product("pkg:npm/app-a@2.0.0")), "finding");
    assert_eq!(verdict(&index, &product("pkg:npm/app-b@1.0.0")), "finding");
    assert_eq!(verdict(&index, &product("pkg:npm/lib@1.2.3")), "finding");
}

#[test]
fn a_subcomponent_statement_applies_only_inside_its_product() {
    let mut index = index();
    let products = r#"{"@id":"pkg:npm/app-a@1.0.0","subcomponents":[{"@id":"pkg:npm/lib"}]}"#;
    let not_affected = statement(
        products,
        "not_affected",
        r#","justification":"vulnerable_code_not_in_execute_path","impact_statement":"app-a never calls lib.parse""#,
    );
    add_openvex(&mut index, "vex-a", None, &not_affected);
    let suppressed =
        "suppressed by vex-a: vulnerable_code_not_in_execute_path / app-a never calls lib.parse";
    // lib inside app-a 1.0.0: suppressed; so is app-a itself, which the statement names.
    assert_eq!(verdict(&index, &component(&bom("app-a"))), suppressed);
    assert_eq!(verdict(&index, &product("pkg:npm/app-a@1.0.0")), suppressed);
    // lib inside app-b, lib on its own, lib in a BOM without a subject: the finding stands.
    assert_eq!(verdict(&index, &component(&bom("app-b"))), "finding");
    assert_eq!(verdict(&index, &product("pkg:npm/lib@1.2.3")), "finding");
    assert_eq!(verdict(&index, &component(&bom(""))), "finding");
    // A subcomponent of a product that is neither purl nor CPE applies nowhere.
    let mut index = self::index();
    let unscoped = statement(
        r#"{"@id":"app-a","subcomponents":[{"@id":"pkg:npm/lib"}]}"#,
        "not_affected",
        r#","justification":"component_not_present""#,
    );
    add_openvex(&mut index, "vex-x", None, &unscoped);
    assert_eq!(verdict(&index, &component(&bom("app-a"))), "finding");
}

#[test]
fn nested_components_are_inside_their_parents_and_the_subject() {
    let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.6",
      "metadata":{"component":{"type":"device","name":"rtu","version":"3","purl":"pkg:generic/acme/rtu@3"}},
      "components":[{"type":"firmware","name":"fw","version":"1.0.0","purl":"pkg:npm/app-b@1.0.0",
        "components":[{"type":"library","name":"lib","version":"1.2.3","purl":"pkg:npm/lib@1.2.3"}]}]}"#;
    let (bom, _) = sbom::parse_cyclonedx(text.as_bytes()).expect("BOM");
    let lib = Item::in_sbom("asset/1", &bom, 1);
    let within: Vec<Option<String>> = lib.within.iter().map(|w| w.version.clone()).collect();
    assert_eq!(within, [Some("1.0.0".to_owned()), Some("3".to_owned())]);
    let mut index = index();
    let products = r#"{"@id":"pkg:npm/app-b@1.0.0","subcomponents":[{"@id":"pkg:npm/lib@1.2.3"}]}"#;
    add_openvex(&mut index, "vex-b", None, &statement(products, "fixed", ""));
    assert_eq!(verdict(&index, &lib), "suppressed by vex-b: fixed / -");
}

#[test]
fn the_latest_statement_wins_whatever_the_order_of_documents() {
    let app = r#"{"@id":"pkg:npm/app-a"}"#;
    let not_affected = statement(
        app,
        "not_affected",
        r#","justification":"inline_mitigations_already_exist""#,
    );
    let affected = statement(app, "affected", r#","action_statement":"upgrade""#);
    let fixed = statement(app, "fixed", "");
    let investigating = statement(
        app,
        "under_investigation",
        r#","impact_statement":"triage opened""#,
    );
    let item = product("pkg:npm/app-a@1.0.0");
    // (earlier document, later document, verdict), each added in both orders.
    let cases = [
        (&not_affected, &affected, "finding"),
        (&affected, &fixed, "suppressed by late: fixed / -"),
        (
            &affected,
            &not_affected,
            "suppressed by late: inline_mitigations_already_exist / -",
        ),
        (
            &not_affected,
            &investigating,
            "investigating late: triage opened",
        ),
        (
            &investigating,
            &not_affected,
            "suppressed by late: inline_mitigations_already_exist / -",
        ),
    ];
    for (early, late, expected) in cases {
        for early_first in [true, false] {
            let mut index = index();
            let docs = [
                ("early", Some("2024-01-01T00:00:00Z"), early),
                ("late", Some("2024-03-01T00:00:00+01:00"), late),
            ];
            let order: Vec<_> = if early_first {
                docs.iter().collect()
            } else {
                docs.iter().rev().collect()
            };
            for (id, ts, s) in order {
                add_openvex(&mut index, id, *ts, s);
            }
            assert_eq!(verdict(&index, &item), expected, "{early} then {late}");
        }
    }
}

#[test]
fn statement_timestamps_zones_missing_ones_and_ties() {
    let app = r#"{"@id":"pkg:npm/app-a"}"#;
    let item = product("pkg:npm/app-a@1.0.0");
    let at = |status: &str, ts: &str| {
        let extra = if ts.is_empty() {
            String::new()
        } else {
            format!(r#","timestamp":"{ts}""#)
        };
        statement(
            app,
            status,
            &format!(r#","justification":"component_not_present"{extra}"#),
        )
    };
    // The statement's own timestamp beats its document's; 01:00+02:00 is before 00:00Z.
    let mut index = index();
    add_openvex(
        &mut index,
        "a",
        Some("2025-01-01T00:00:00Z"),
        &at("not_affected", "2024-01-01T01:00:00+02:00"),
    );
    add_openvex(
        &mut index,
        "b",
        None,
        &at("affected", "2024-01-01T00:00:00Z"),
    );
    assert_eq!(verdict(&index, &item), "finding");
    // `last_updated` beats `timestamp`.
    let mut index = self::index();
    let updated = statement(
        app,
        "not_affected",
        r#","justification":"component_not_present","timestamp":"2020-01-01T00:00:00Z","last_updated":"2024-06-01T00:00:00Z""#,
    );
    add_openvex(&mut index, "a", None, &updated);
    add_openvex(
        &mut index,
        "b",
        None,
        &at("affected", "2024-01-01T00:00:00Z"),
    );
    assert_eq!(
        verdict(&index, &item),
        "suppressed by a: component_not_present / -"
    );
    // A missing timestamp sorts oldest.
    let mut index = self::index();
    add_openvex(
        &mut index,
        "a",
        None,
        &at("affected", "2000-01-01T00:00:00Z"),
    );
    add_openvex(&mut index, "b", None, &at("not_affected", ""));
    assert_eq!(verdict(&index, &item), "finding");
    // Same time: the later document id, then the later position in the document.
    let mut index = self::index();
    let same = "2024-01-01T00:00:00Z";
    add_openvex(&mut index, "b", Some(same), &at("not_affected", ""));
    add_openvex(&mut index, "a", Some(same), &at("affected", ""));
    assert_eq!(
        verdict(&index, &item),
        "suppressed by b: component_not_present / -"
    );
    let mut index = self::index();
    let both = format!("{},{}", at("not_affected", ""), at("affected", ""));
    add_openvex(&mut index, "a", Some(same), &both);
    assert_eq!(verdict(&index, &item), "finding");
}

#[test]
fn under_investigation_alone_keeps_the_finding_and_adds_none() {
    let mut index = index();
    let products = r#"{"@id":"pkg:npm/app-a"},{"@id":"pkg:npm/other"}"#;
    add_openvex(
        &mut index,
        "vex-t",
        None,
        &statement(products, "under_investigation", ""),
    );
    assert_eq!(
        verdict(&index, &product("pkg:npm/app-a@1.0.0")),
        "investigating vex-t: -"
    );
    assert_eq!(verdict(&index, &product("pkg:npm/other@1.0.0")), "");
}

/// A CycloneDX BOM with subject npm `app-a@1.0.0`, serial number `serial`, component `lib`,
/// and one `not_affected` analysis of `affects_ref`; its VEX statements and diagnostics.
fn cyclonedx_vex(serial: &str, affects_ref: &str) -> (Sbom, Vec<String>) {
    let text = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"{serial}","version":1,
          "metadata":{{"timestamp":"2024-01-01T00:00:00Z","component":{{"type":"application","bom-ref":"root","name":"app-a","version":"1.0.0","purl":"pkg:npm/app-a@1.0.0"}}}},
          "components":[{{"type":"library","bom-ref":"lib 1","name":"lib","version":"1.2.3","purl":"pkg:npm/lib@1.2.3"}}],
          "vulnerabilities":[{{"id":"{CVE}","analysis":{{"state":"not_affected","justification":"code_not_reachable","detail":"never loaded"}},"affects":[{{"ref":"{affects_ref}"}}]}}]}}"#
    );
    let (bom, diags) = sbom::parse_cyclonedx(text.as_bytes()).expect("BOM");
    (bom, diags.iter().map(ToString::to_string).collect())
}

#[test]
fn cyclonedx_vex_refs_and_bom_links() {
    let own = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";
    let other = "urn:uuid:00000000-0000-4000-8000-000000000000";
    let suppressed = "suppressed by bom: code_not_reachable / never loaded";
    for (affects_ref, lib_in_a, lib_in_b, diagnostic) in [
        ("lib 1", suppressed, "finding", None),
        (
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lib%201",
            suppressed,
            "finding",
            None,
        ),
        (
            "urn:cdx:00000000-0000-4000-8000-000000000000/1#lib%201",
            "finding",
            "finding",
            Some(
                "vulnerabilities[0].affects[0].ref: BOM-Link to another BOM (urn:uuid:00000000-0000-4000-8000-000000000000): applies only through that BOM once it is stored, never elsewhere",
            ),
        ),
    ] {
        let (vex, diags) = cyclonedx_vex(own, affects_ref);
        assert_eq!(
            diags,
            Vec::from_iter(diagnostic.map(str::to_owned)),
            "{affects_ref}"
        );
        let mut index = index();
        index.add_vex("bom", &vex.vulnerabilities);
        assert_eq!(verdict(&index, &component(&vex)), lib_in_a, "{affects_ref}");
        assert_eq!(
            verdict(&index, &component(&bom("app-b"))),
            lib_in_b,
            "{affects_ref}"
        );
        assert_eq!(
            verdict(&index, &product("pkg:npm/lib@1.2.3")),
            "finding",
            "{affects_ref}"
        );
    }
    // A BOM-Link to another BOM resolves against that BOM only, inside its subject.
    let link = "urn:cdx:00000000-0000-4000-8000-000000000000/3#lib%201";
    let (vex, _) = cyclonedx_vex(own, link);
    assert_eq!(
        vex.vulnerabilities[0].products,
        [vex::VexProduct::whole(link)]
    );
    let (linked, _) = cyclonedx_vex(other, "root");
    assert_eq!(
        sbom::Refs::of(&linked).product(link),
        Ok(vex::VexProduct {
            id: "pkg:npm/app-a@1.0.0".to_owned(),
            subcomponents: vec!["pkg:npm/lib@1.2.3".to_owned()],
        })
    );
    assert_eq!(
        sbom::Refs::of(&vex).product(link),
        Err(sbom::Unresolved::OtherBom(other.to_owned()))
    );
    assert_eq!(
        sbom::Refs::of(&vex).product("urn:cdx:x/1#"),
        Err(sbom::Unresolved::Unreadable)
    );
    // The subject itself: about app-a as a product, dated by the BOM's timestamp.
    let (vex, _) = cyclonedx_vex(other, "root");
    assert_eq!(
        vex.vulnerabilities[0].products,
        [vex::VexProduct::whole("pkg:npm/app-a@1.0.0")]
    );
    assert_eq!(
        vex.vulnerabilities[0].timestamp.as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
}
