//! Hand-made inventories just inside and just outside real advisory ranges.

use intel::matching::{Index, Item, Rule, SourceKind};
use intel::{csaf, cve, kev, sbom, vex};

use crate::read;

fn index() -> Index {
    let mut index = Index::new();
    let (record, _) = cve::parse_cve(&read(&test_support::shared_data(
        "cve/vulnrichment/2024/3xxx/CVE-2024-3400.json",
    )))
    .expect("CVE");
    index.add_cve(&record);
    for f in [
        "csaf/cisa-ot/2022/icsa-22-167-09.json",
        "vex/csaf-vex/2022-evd-uc-04-001.json",
        "vex/csaf-vex/2022-evd-uc-01-na-001.json",
    ] {
        let (doc, _) = csaf::parse_csaf(&read(&test_support::shared_data(f))).expect("CSAF");
        index.add_csaf(&doc);
    }
    let (catalog, _) = kev::parse_kev(&read(&test_support::shared_data(
        "kev/known_exploited_vulnerabilities.json",
    )))
    .expect("KEV");
    index.add_kev(&catalog);
    let log4j = r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2021-44228","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[{"collectionURL":"https://repo.maven.apache.org/maven2","packageName":"org.apache.logging.log4j:log4j-core",
        "versions":[{"version":"2.0-beta9","lessThan":"2.15.0","status":"affected","versionType":"maven"}],"defaultStatus":"unaffected"}]}}}"#;
    let (record, _) = cve::parse_cve(log4j.as_bytes()).expect("hand-made CVE");
    index.add_cve(&record);
    let openvex = r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"vex-1","author":"a","timestamp":"2024-01-01T00:00:00Z","version":1,
      "statements":[{"vulnerability":{"name":"CVE-2021-44228"},"products":[{"@id":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
      "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#;
    let (doc, _) = vex::parse_openvex(openvex.as_bytes()).expect("OpenVEX");
    index.add_vex("vex-1", &doc.statements);
    index
}

type Expected<'a> = (&'a str, Rule, f32, Option<&'a str>);

/// `(cve, justification, impact statement)` of a suppression.
type Suppression<'a> = (&'a str, &'a str, Option<&'a str>);

/// `(cve, rule, confidence, range)` of each finding, and each suppression.
fn check(index: &Index, product: &str, findings: &[Expected], suppressed: &[Suppression]) {
    check_only(index, product, None, findings, suppressed);
}

/// As [`check`], looking only at one CVE (KEV lists other CVEs for the same product).
fn check_only(
    index: &Index,
    product: &str,
    cve: Option<&str>,
    findings: &[Expected],
    suppressed: &[Suppression],
) {
    let item = Item::parse("asset-1", product).unwrap_or_else(|e| panic!("{product}: {e}"));
    let mut m = index.match_item(&item);
    if let Some(cve) = cve {
        m.findings.retain(|f| f.cve == cve);
        m.suppressed.retain(|s| s.finding.cve == cve);
    }
    let got: Vec<_> = m
        .findings
        .iter()
        .map(|f| (f.cve.as_str(), f.rule, f.confidence, f.range.as_deref()))
        .collect();
    assert_eq!(got, findings, "{product}: {:#?}", m.findings);
    let got: Vec<_> = m
        .suppressed
        .iter()
        .map(|s| {
            (
                s.finding.cve.as_str(),
                s.justification.as_str(),
                s.impact_statement.as_deref(),
            )
        })
        .collect();
    assert_eq!(got, suppressed, "{product}");
}

#[test]
fn cve5_adp_range_with_trailing_space() {
    let index = index();
    let cve = Some("CVE-2024-3400");
    let inside = "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*";
    check_only(
        &index,
        inside,
        cve,
        &[(
            "CVE-2024-3400",
            Rule::Cpe,
            0.85,
            Some(">=10.2.0|<10.2.9-h1"),
        )],
        &[],
    );
    // Just outside the CVE 5 range: the KEV name entry, which checks no version, gives way too.
    let outside = "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*";
    check_only(&index, outside, cve, &[], &[]);
    let next_branch = "cpe:2.3:o:paloaltonetworks:pan-os:11.1.2-h2:*:*:*:*:*:*:*";
    check_only(
        &index,
        next_branch,
        cve,
        &[(
            "CVE-2024-3400",
            Rule::Cpe,
            0.85,
            Some(">=11.1.0|<11.1.2-h3"),
        )],
        &[],
    );
    let unversioned = "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*";
    check_only(
        &index,
        unversioned,
        cve,
        &[("CVE-2024-3400", Rule::Cpe, 0.5, None)],
        &[],
    );
    // Other PAN-OS CVEs come from KEV by name only, unversioned.
    let m = index.match_item(&Item::parse("a", inside).expect("item"));
    assert!(
        m.findings
            .iter()
            .filter(|f| f.cve != "CVE-2024-3400")
            .all(|f| f.source.kind == SourceKind::Kev
                && f.rule == Rule::Name
                && f.confidence == 0.4
                && f.range.is_none())
    );
}

#[test]
fn csaf_vers_range_by_name() {
    let index = index();
    check(
        &index,
        "Example Company:ABC:4.1",
        &[("CVE-2021-44228", Rule::Name, 0.65, Some(">=2.9|<=4.1"))],
        &[],
    );
    check(
        &index,
        "Example Company:ABC:2.6",
        &[("CVE-2021-44228", Rule::Name, 0.65, Some("=2.6"))],
        &[],
    );
    check(&index, "Example Company:ABC:4.1.1", &[], &[]);
    check(&index, "Example Company:ABC:2.5", &[], &[]);
    check(
        &index,
        "Example Company Inc.:ABC:2.4",
        &[("CVE-2021-44228", Rule::Name, 0.65, Some("=2.4"))],
        &[],
    );
}

#[test]
fn ot_hardware_by_model_number_and_name() {
    let index = index();
    let m = index.match_item(&Item::parse("a", "Siemens:6GK5998-3GS00-2AC2:V1.9").expect("item"));
    assert!(m.findings.len() > 2, "the advisory lists many CVEs");
    assert!(m.findings.iter().all(|f| f.rule == Rule::ModelNumber
        && f.confidence == 0.8
        && f.range.as_deref() == Some("<V2.0")));
    let first: Vec<_> = m
        .findings
        .iter()
        .take(2)
        .map(|f| (f.cve.as_str(), f.rule, f.confidence, f.range.as_deref()))
        .collect();
    assert_eq!(
        first,
        [
            ("CVE-2020-27304", Rule::ModelNumber, 0.8, Some("<V2.0")),
            ("CVE-2021-20317", Rule::ModelNumber, 0.8, Some("<V2.0")),
        ]
    );
    assert!(
        index
            .match_item(&Item::parse("a", "Siemens:6GK5998-3GS00-2AC2:V2.0").expect("item"))
            .findings
            .is_empty()
    );
    assert!(
        index
            .match_item(&Item::parse("a", "Moxa:6GK5998-3GS00-2AC2:V1.0").expect("item"))
            .findings
            .is_empty(),
        "vendor must agree"
    );
    let by_name =
        index.match_item(&Item::parse("a", "Siemens AG:SCALANCE LPE9403:V1.2").expect("item"));
    assert!(
        by_name
            .findings
            .iter()
            .all(|f| f.rule == Rule::Name && f.source.kind == SourceKind::Csaf)
    );
    assert_eq!(by_name.findings.len(), m.findings.len());
}

#[test]
fn purl_range_and_vex_suppression() {
    let index = index();
    check(
        &index,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0",
        &[(
            "CVE-2021-44228",
            Rule::Purl,
            0.95,
            Some(">=2.0-beta9|<2.15.0"),
        )],
        &[],
    );
    check(
        &index,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0",
        &[],
        &[],
    );
    check(
        &index,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta8",
        &[],
        &[],
    );
    check(
        &index,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        &[],
        &[(
            "CVE-2021-44228",
            "vulnerable_code_not_in_execute_path",
            None,
        )],
    );
}

#[test]
fn csaf_known_not_affected_suppresses_with_its_impact_statement() {
    let mut index = index();
    // A CVE 5 style claim that every ABC is affected; the CSAF VEX says 4.2 is not.
    let all = r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2021-44228","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[{"vendor":"Example Company","product":"ABC","defaultStatus":"affected"}]}}}"#;
    index.add_cve(&cve::parse_cve(all.as_bytes()).expect("CVE").0);
    check(
        &index,
        "Example Company:ABC:4.2",
        &[],
        &[(
            "CVE-2021-44228",
            "known_not_affected",
            Some("Class with vulnerable code was removed before shipping."),
        )],
    );
    check(
        &index,
        "Example Company:ABC:4.3",
        &[("CVE-2021-44228", Rule::Name, 0.65, Some("*"))],
        &[],
    );
}

#[test]
fn sbom_components_match_and_cyclonedx_vex_suppresses() {
    let bom = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
      {"type":"library","bom-ref":"l4j","name":"log4j-core","group":"org.apache.logging.log4j","version":"2.14.0","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0"},
      {"type":"library","name":"log4j-core","version":"2.16.0","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.16.0"},
      {"type":"firmware","name":"6GK5998-3GS00-2AC2","supplier":{"name":"Siemens"},"version":"V1.5"}],
      "vulnerabilities":[{"id":"CVE-2021-44228","analysis":{"state":"not_affected","justification":"code_not_reachable"},"affects":[{"ref":"l4j"}]}]}"#;
    let (bom, diags) = sbom::parse_cyclonedx(bom.as_bytes()).expect("BOM");
    assert_eq!(diags, vec![]);
    let items: Vec<Item> = bom
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| Item::from_component(&format!("asset-1/{i}"), c))
        .collect();
    let mut index = index();
    let before = index.match_items(&items);
    assert_eq!(
        before
            .findings
            .iter()
            .filter(|f| f.item == "asset-1/0")
            .count(),
        1
    );
    assert_eq!(
        before
            .findings
            .iter()
            .filter(|f| f.item == "asset-1/1")
            .count(),
        0
    );
    assert!(
        before
            .findings
            .iter()
            .filter(|f| f.item == "asset-1/2")
            .all(|f| f.rule == Rule::ModelNumber)
    );
    assert!(before.findings.iter().any(|f| f.item == "asset-1/2"));
    index.add_vex("bom", &bom.vulnerabilities);
    let after = index.match_items(&items);
    assert_eq!(
        after
            .findings
            .iter()
            .filter(|f| f.item == "asset-1/0")
            .count(),
        0
    );
    assert_eq!(after.suppressed.len(), 1);
    assert_eq!(after.suppressed[0].justification, "code_not_reachable");
}

#[test]
fn asset_products_and_bad_strings() {
    let asset = model::Asset {
        id: "fr-grid-1".into(),
        products: vec![
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0".into(),
            "cpe:2.3:x".into(),
            "nonsense".into(),
        ],
        ..model::Asset::default()
    };
    let (items, diags) = Item::from_asset(&asset);
    assert_eq!(items.len(), 1);
    let paths: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["fr-grid-1.products[1]", "fr-grid-1.products[2]"]);
}

#[test]
fn kev_due_dates_and_epss_per_item() {
    let index = index();
    let items = [
        Item::parse(
            "fw-1",
            "cpe:2.3:o:paloaltonetworks:pan-os:10.2.8:*:*:*:*:*:*:*",
        )
        .expect("item"),
        Item::parse(
            "app-1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0",
        )
        .expect("item"),
    ];
    let m = index.match_items(&items);
    let (catalog, _) = kev::parse_kev(&read(&test_support::shared_data(
        "kev/known_exploited_vulnerabilities.json",
    )))
    .expect("KEV");
    let (epss, _) = intel::epss::parse_epss(&read(&test_support::shared_data(
        "epss/epss-subset-kev-csaf-vulnrichment.csv",
    )))
    .expect("EPSS");
    let p = intel::matching::prioritise(&m.findings, &catalog, &epss);
    let pan = p
        .iter()
        .find(|p| p.finding.cve == "CVE-2024-3400")
        .expect("PAN-OS finding");
    assert_eq!(pan.kev_due_date, Some("2024-04-19"));
    let log4j = p
        .iter()
        .find(|p| p.finding.cve == "CVE-2021-44228")
        .expect("log4j finding");
    assert_eq!(log4j.kev_due_date, Some("2021-12-24"));
    assert!(
        p.iter().all(|p| p.epss.is_some()),
        "every KEV CVE has an EPSS score in the subset"
    );
    let max = intel::matching::epss_max_per_item(&m.findings, &epss);
    assert_eq!(max.keys().collect::<Vec<_>>(), ["app-1", "fw-1"]);
    let fw_scores: Vec<f64> = p
        .iter()
        .filter(|p| p.finding.item == "fw-1")
        .filter_map(|p| p.epss)
        .collect();
    assert_eq!(max["fw-1"].0, fw_scores.iter().copied().fold(0.0, f64::max));
}

/// The real SBOMs against every real advisory: loads, matches, and every finding explains itself.
#[test]
fn real_sboms_against_the_real_corpus() {
    let mut index = Index::new();
    for p in crate::files("cve/vulnrichment", ".json") {
        index.add_cve(&cve::parse_cve(&read(&p)).expect("CVE").0);
    }
    for dir in ["csaf/cisa-ot", "csaf/cisa-it", "vex/csaf-vex"] {
        for p in crate::files(dir, ".json") {
            index.add_csaf(&csaf::parse_csaf(&read(&p)).expect("CSAF").0);
        }
    }
    let (catalog, _) = kev::parse_kev(&read(&test_support::shared_data(
        "kev/known_exploited_vulnerabilities.json",
    )))
    .expect("KEV");
    index.add_kev(&catalog);
    let mut items = Vec::new();
    for p in crate::files("sbom", ".cdx.json")
        .into_iter()
        .chain(crate::files("sbom/in-the-wild", "-cdx.json"))
    {
        let (bom, _) = sbom::parse_cyclonedx(&read(&p)).expect("BOM");
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        items.extend(
            bom.components
                .iter()
                .enumerate()
                .map(|(i, c)| Item::from_component(&format!("{name}#{i}"), c)),
        );
    }
    let m = index.match_items(&items);
    let mut by_rule = std::collections::BTreeMap::new();
    for f in &m.findings {
        *by_rule.entry(format!("{:?}", f.rule)).or_insert(0) += 1;
        assert!(
            !f.matched_identifier.is_empty() && f.confidence > 0.0,
            "{f:?}"
        );
        assert_eq!(
            f.range.is_some(),
            f.version.is_some() && f.rule != Rule::VendorOnly && f.source.kind != SourceKind::Kev,
            "{f:?}"
        );
    }
    eprintln!(
        "{} index entries, {} items, {} findings {by_rule:?}, {} suppressed",
        index.len(),
        items.len(),
        m.findings.len(),
        m.suppressed.len()
    );
    let rhel = m
        .findings
        .iter()
        .find(|f| f.rule == Rule::Cpe)
        .expect("the OBOM's RHEL 8 matches a CPE");
    assert_eq!(
        (
            rhel.cve.as_str(),
            rhel.range.as_deref(),
            rhel.version.as_deref()
        ),
        ("CVE-2023-32665", Some("=8"), Some("8.0"))
    );
}

/// A range an advisory gives that cannot be read never hides a product nor decides its
/// version: a version no readable range decides is a candidate naming the unread range, and
/// the import warns where the range is.
#[test]
fn an_unreadable_range_leaves_the_version_unchecked() {
    let record = r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2030-0001","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[{"vendor":"Acme","product":"Gateway","defaultStatus":"affected",
        "versions":[{"version":"<","status":"unaffected"},{"version":"2.0","lessThan":"2.4","status":"affected","versionType":"semver"}]},
        {"vendor":"Acme","product":"Relay","versions":[{"version":">","status":"affected"}]}]}}}"#;
    let (record, diags) = cve::parse_cve(record.as_bytes()).expect("hand-made CVE");
    let paths: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "containers.cna.affected[0].versions[0]",
            "containers.cna.affected[1].versions[0]"
        ]
    );
    assert!(
        diags[1].message.contains("\">\" cannot be read"),
        "{}",
        diags[1]
    );
    let csaf = r#"{"document":{"category":"csaf_security_advisory","csaf_version":"2.0","publisher":{"category":"vendor","name":"Acme","namespace":"https://acme.example"},
      "title":"t","tracking":{"id":"ACME-1","status":"final","version":"1","initial_release_date":"2030-01-01T00:00:00Z","current_release_date":"2030-01-01T00:00:00Z",
      "revision_history":[{"date":"2030-01-01T00:00:00Z","number":"1","summary":"s"}]}},
      "product_tree":{"branches":[{"category":"vendor","name":"Acme","branches":[{"category":"product_name","name":"Switch","branches":[
        {"category":"product_version_range","name":">","product":{"name":"Acme Switch (unreadable)","product_id":"P1"}}]}]}]},
      "vulnerabilities":[{"cve":"CVE-2030-0002","product_status":{"known_affected":["P1"]}}]}"#;
    let (doc, diags) = csaf::parse_csaf(csaf.as_bytes()).expect("hand-made CSAF");
    let at: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    assert!(
        at.contains(&"product_tree.branches[0].branches[0].branches[0].name"),
        "{diags:?}"
    );
    let mut index = Index::new();
    index.add_cve(&record);
    index.add_csaf(&doc);
    let finding = |product: &str| {
        let m = index.match_item(&Item::parse("a", product).expect("item"));
        assert!(m.suppressed.is_empty(), "{product}: {m:?}");
        m.findings
    };
    // Read ranges still decide: inside the affected one, checked.
    let inside = finding("Acme:Gateway:2.2");
    assert_eq!(inside.len(), 1, "{inside:?}");
    assert_eq!(inside[0].range.as_deref(), Some(">=2.0|<2.4"));
    assert_eq!(inside[0].unread, None);
    // Outside it, the default would cover 3.0, but the unread unaffected range may hold it.
    let outside = finding("Acme:Gateway:3.0");
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert_eq!(outside[0].range, None, "a candidate, not a decision");
    assert_eq!(outside[0].unread.as_deref(), Some("<"));
    // A product whose only range cannot be read is still found, as a candidate.
    for product in ["Acme:Relay:1.0", "Acme:Switch:9.9"] {
        let found = finding(product);
        assert_eq!(found.len(), 1, "{product}: {found:?}");
        assert_eq!(found[0].range, None, "{product}");
        assert_eq!(found[0].unread.as_deref(), Some(">"), "{product}");
    }
    // Without a version, the reason is the missing version, not the range.
    let unversioned = finding("Acme:Relay");
    assert_eq!(unversioned.len(), 1, "{unversioned:?}");
    assert_eq!(unversioned[0].unread, None);
}

/// Red Hat's CSAF advisories list the fixed rpms: earlier builds of the same package (in RPM
/// order, in the same stream when the item names its distribution) are affected.
#[test]
fn red_hat_csaf_fixed_rpms_make_earlier_builds_affected() {
    let mut index = Index::new();
    for f in [
        "csaf/redhat/rhsa-2024_4546.json",
        "csaf/redhat/rhsa-2003_315.json",
    ] {
        let (doc, _) = csaf::parse_csaf(&read(&test_support::shared_data(f))).expect("CSAF");
        index.add_csaf(&doc);
    }
    let found = |purl: &str| -> Vec<(String, SourceKind, String, Option<String>)> {
        let item = Item::parse("host-1", purl).unwrap_or_else(|e| panic!("{purl}: {e}"));
        let m = index.match_item(&item);
        m.findings
            .into_iter()
            .map(|f| {
                assert_eq!(f.rule, Rule::Purl);
                (f.cve, f.source.kind, f.source.document, f.range)
            })
            .collect()
    };
    assert_eq!(
        found("pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6?arch=x86_64"),
        [(
            "CVE-2023-45288".to_owned(),
            SourceKind::Csaf,
            "RHSA-2024:4546".to_owned(),
            Some("<2.13.3-3.el8_6.1".to_owned())
        )]
    );
    assert_eq!(
        found("pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6?arch=x86_64&distro=rhel-8.6").len(),
        1
    );
    for not_affected in [
        "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64",
        "pkg:rpm/redhat/git-lfs@2.13.3-4.el8?arch=x86_64",
        "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6?arch=x86_64&epoch=1",
        "pkg:rpm/redhat/git-lfs@2.13.3-3.el9?arch=x86_64&distro=rhel-9.2",
        "pkg:rpm/fedora/git-lfs@2.13.3-3.fc39?arch=x86_64",
        "pkg:deb/debian/git-lfs@2.13.3-3",
    ] {
        assert!(found(not_affected).is_empty(), "{not_affected}");
    }
    // The oldest advisory, stream 3.
    assert_eq!(
        found("pkg:rpm/redhat/quagga@0.96.2-8.2E?arch=i386&distro=rhel-3")
            .into_iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["CVE-2003-0858"]
    );
    assert!(found("pkg:rpm/redhat/quagga@0.96.2-8.3E?arch=i386").is_empty());
    assert!(found("pkg:rpm/redhat/quagga@0.96.2-8.2E?arch=i386&distro=rhel-4").is_empty());
}
