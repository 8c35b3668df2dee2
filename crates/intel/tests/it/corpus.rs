//! Every real file loads; the invalid conformance vectors are refused with a path.

use intel::{csaf, cve, epss, kev, sbom, vex};

use crate::{files, read};

#[test]
fn kev_catalog_loads_whole() {
    let bytes = read(&test_support::shared_data(
        "kev/known_exploited_vulnerabilities.json",
    ));
    let (catalog, diags) = kev::parse_kev(&bytes).expect("the real KEV catalog loads");
    assert_eq!(diags, vec![]);
    assert_eq!(catalog.count, 1404);
    assert_eq!(catalog.vulnerabilities.len(), 1404);
    assert_eq!(catalog.catalog_version, "2025.08.25");
    let e = catalog.get("CVE-2024-3400").expect("PAN-OS is in KEV");
    assert_eq!(
        (
            e.vendor_project.as_str(),
            e.date_added.as_str(),
            e.due_date.as_str()
        ),
        ("Palo Alto Networks", "2024-04-12", "2024-04-19")
    );
}

fn check_kev(entry_patch: &str, expected: &[&str]) {
    let text = format!(
        r#"{{"catalogVersion":"1","dateReleased":"2025-08-25T17:04:19.9796Z","count":2,"vulnerabilities":[
        {{"cveID":"CVE-2024-0001","vendorProject":"V","product":"P","vulnerabilityName":"n","dateAdded":"2024-01-02",
          "shortDescription":"d","requiredAction":"a","dueDate":"2024-01-23"}},
        {entry_patch}]}}"#
    );
    let (catalog, diags) = kev::parse_kev(text.as_bytes()).expect("loads");
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
    assert_eq!(catalog.vulnerabilities.len(), 2 - expected.len().min(1));
}

#[test]
fn kev_bad_entries_are_reported_with_their_path() {
    let good = r#""vendorProject":"V","product":"P","vulnerabilityName":"n","shortDescription":"d","requiredAction":"a""#;
    check_kev(
        &format!(
            r#"{{"cveID":"CVE-2024-0002",{good},"dateAdded":"2024-01-02","dueDate":"2024-01-23"}}"#
        ),
        &[],
    );
    check_kev(
        &format!(r#"{{"cveID":"CVE-2024-0002",{good},"dateAdded":"2024-01-02","dueDate":"soon"}}"#),
        &[r#"vulnerabilities[1].dueDate: not a date: "soon""#],
    );
    check_kev(
        &format!(
            r#"{{"cveID":"CVE-24-2",{good},"dateAdded":"2024-01-02","dueDate":"2024-01-23"}}"#
        ),
        &[r#"vulnerabilities[1].cveID: not a CVE id: "CVE-24-2""#],
    );
    check_kev(
        r#"{"cveID":"CVE-2024-0002","dateAdded":"2024-01-02","dueDate":"2024-01-23"}"#,
        &["vulnerabilities[1]: missing field `vendorProject`"],
    );
    check_kev(
        &format!(
            r#"{{"cveID":"CVE-2024-0002",{good},"dateAdded":"2024-01-02","dueDate":"2024-01-23","cwes":[7]}}"#
        ),
        &["vulnerabilities[1].cwes[0]: invalid type: integer `7`, expected a string"],
    );
    assert!(kev::parse_kev(b"[]").is_err());
    assert!(kev::parse_kev(b"{\"vulnerabilities\": 3}").is_err());
}

#[test]
fn all_vulnrichment_records_load() {
    let paths = files("cve/vulnrichment", ".json");
    assert_eq!(paths.len(), 307);
    let (mut ssvc, mut kev, mut adp_cpes, mut diag_count) = (0, 0, 0, 0);
    for p in &paths {
        let (r, diags) =
            cve::parse_cve(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        ssvc += usize::from(r.ssvc.is_some());
        kev += usize::from(r.kev.is_some());
        adp_cpes += usize::from(
            r.affected
                .iter()
                .any(|a| a.provider == "CISA-ADP" && !a.cpes.is_empty()),
        );
        diag_count += diags.len();
    }
    assert_eq!(
        (ssvc, kev, adp_cpes),
        (307, 96, 228),
        "README: SSVC on all 307, KEV metric on 96, ADP CPEs on 228"
    );
    eprintln!("vulnrichment: 307 records, {diag_count} diagnostics");
}

#[test]
fn cve_2024_3400_has_trimmed_adp_ranges_and_ssvc() {
    let bytes = read(&test_support::shared_data(
        "cve/vulnrichment/2024/3xxx/CVE-2024-3400.json",
    ));
    let (r, _) = cve::parse_cve(&bytes).expect("loads");
    let vote = r.ssvc.expect("ADP SSVC");
    use intel::ssvc::{Automatable, Exploitation, TechnicalImpact};
    assert_eq!(
        (vote.exploitation, vote.automatable, vote.technical_impact),
        (
            Exploitation::Active,
            Automatable::Yes,
            TechnicalImpact::Total
        )
    );
    assert_eq!(r.kev.expect("ADP KEV").date_added, "2024-04-12");
    let adp = r
        .affected
        .iter()
        .find(|a| a.provider == "CISA-ADP")
        .expect("ADP affected");
    let range = adp.versions[0].range().expect("range");
    assert_eq!(adp.versions[0].less_than.as_deref(), Some("10.2.9-h1 "));
    assert_eq!(range.to_string(), ">=10.2.0|<10.2.9-h1");
    assert_eq!(range.contains("10.2.9"), Some(true));
    assert_eq!(range.contains("10.2.9-h1"), Some(false));
}

#[test]
fn cve_refusals_name_the_path() {
    let cases: [(&str, &str); 4] = [
        (
            r#"{"dataType":"CVE_RECORD","dataVersion":"4.0","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"}}"#,
            "dataVersion",
        ),
        (
            r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"state":"PUBLISHED"}}"#,
            "cveMetadata",
        ),
        (
            r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"},"containers":{"cna":{"affected":[{"versions":[{"version":"1"}]}]}}}"#,
            "containers.cna.affected[0].versions[0]",
        ),
        (
            r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"}}"#,
            "containers.cna",
        ),
    ];
    for (text, path) in cases {
        match cve::parse_cve(text.as_bytes()) {
            Err(intel::IntelError::Invalid { path: p, .. }) => assert_eq!(p, path, "{text}"),
            other => panic!("{text}: expected refusal at {path}, got {other:?}"),
        }
    }
}

#[test]
fn cve_advanced_example_loads() {
    let bytes = read(&test_support::shared_data(
        "cve/schema/CVEv5_advanced-example.json",
    ));
    let (r, _) = cve::parse_cve(&bytes).expect("official example loads");
    assert!(!r.affected.is_empty());
}

#[test]
fn epss_both_layouts() {
    let (subset, diags) = epss::parse_epss(&read(&test_support::shared_data(
        "epss/epss-subset-kev-csaf-vulnrichment.csv",
    )))
    .expect("loads");
    assert_eq!((subset.scores.len(), diags.len()), (2261, 0));
    for (year, rows) in [("2023", 30_602), ("2024", 38_434)] {
        let path =
            test_support::shared_data(&format!("epss/emba-epss-per-year/CVE_{year}_EPSS.csv"));
        let (scores, diags) = epss::parse_epss(&read(&path)).expect("loads");
        assert_eq!((scores.scores.len(), diags.len()), (rows, 0), "{year}");
    }
    let daily = "#model_version:v2023.03.01,score_date:2024-04-12T00:00:00+0000\ncve,epss,percentile\nCVE-2024-3400,0.95,0.99\nCVE-2024-0001,1.5,0.2\nCVE-x,0.1,0.1\n";
    let (scores, diags) = epss::parse_epss(daily.as_bytes()).expect("loads");
    assert_eq!(scores.model_version.as_deref(), Some("v2023.03.01"));
    assert_eq!(
        scores.score_date.as_deref(),
        Some("2024-04-12T00:00:00+0000")
    );
    assert_eq!(scores.by_cve()["CVE-2024-3400"].epss, 0.95);
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            r#"line 4: epss "1.5" is not a number in 0..=1"#,
            r#"line 5: not a CVE id: "CVE-x""#
        ]
    );
}

#[test]
fn all_csaf_files_load() {
    let mut paths = files("csaf/cisa-ot", ".json");
    paths.extend(files("csaf/cisa-it", ".json"));
    assert_eq!(paths.len(), 60);
    let oasis: Vec<_> = files("csaf/oasis-examples", ".json")
        .into_iter()
        .filter(|p| {
            !p.to_string_lossy().contains("provider-metadata")
                && !p.to_string_lossy().contains("feed")
        })
        .collect();
    assert_eq!(oasis.len(), 4);
    paths.extend(oasis);
    let vex_files = files("vex/csaf-vex", ".json");
    assert_eq!(vex_files.len(), 13);
    paths.extend(vex_files);
    let (mut products, mut vulns, mut diag_count) = (0, 0, 0);
    for p in &paths {
        let (doc, diags) =
            csaf::parse_csaf(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        products += doc.products().len();
        vulns += doc.vulnerabilities.len();
        diag_count += diags.len();
        for d in &diags {
            eprintln!("{}: {d}", p.display());
        }
    }
    eprintln!(
        "csaf: {} documents, {products} products, {vulns} vulnerabilities, {diag_count} diagnostics",
        paths.len()
    );
    assert_eq!(diag_count, 0);
}

#[test]
fn csaf_tree_is_flattened_with_branch_context() {
    let path = files("csaf/oasis-examples", ".json")
        .into_iter()
        .find(|p| p.to_string_lossy().contains("bsi-2022-0001"))
        .expect("bsi example");
    let (doc, _) = csaf::parse_csaf(&read(&path)).expect("loads");
    let products = doc.products();
    let with_cpe = products.iter().filter(|p| p.helper.cpe.is_some()).count();
    assert_eq!(with_cpe, 6, "README: 6 CPE helpers");
    assert!(products.iter().all(|p| p.vendor.is_some()), "{products:#?}");
}

#[test]
fn csaf_undefined_product_is_reported() {
    let text = r#"{"document":{"category":"csaf_security_advisory","csaf_version":"2.0","title":"t",
      "publisher":{"category":"vendor","name":"n","namespace":"https://example.com"},
      "tracking":{"id":"x","status":"final","version":"1","current_release_date":"2024-01-01T00:00:00Z","initial_release_date":"2024-01-01T00:00:00Z"}},
      "product_tree":{"branches":[{"category":"vendor","name":"Acme","branches":[{"category":"product_name","name":"PLC","branches":[
        {"category":"product_version_range","name":"<V2.9","product":{"name":"Acme PLC <V2.9","product_id":"P1"}}]}]}]},
      "vulnerabilities":[{"cve":"CVE-2024-0001","product_status":{"known_affected":["P1","P2"],"fixed":["P1"]}}]}"#;
    let (doc, diags) = csaf::parse_csaf(text.as_bytes()).expect("loads");
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "vulnerabilities[0].product_status.known_affected[1]: product id P2 is not defined (6.1.1)",
            "vulnerabilities[0].product_status: product id P1 is both affected and fixed (6.1.6)",
        ]
    );
    let p = &doc.products()[0];
    assert_eq!(
        (
            p.vendor.as_deref(),
            p.product_name.as_deref(),
            p.version_range.as_deref()
        ),
        (Some("Acme"), Some("PLC"), Some("<V2.9"))
    );
    let bad = text.replace(r#""csaf_version":"2.0""#, r#""csaf_version":"2.1""#);
    assert!(
        matches!(csaf::parse_csaf(bad.as_bytes()), Err(intel::IntelError::Invalid { path, .. }) if path == "document.csaf_version")
    );
    let missing = text.replace(r#""title":"t","#, "");
    assert!(
        matches!(csaf::parse_csaf(missing.as_bytes()), Err(intel::IntelError::Invalid { path, .. }) if path == "document")
    );
}

#[test]
fn cyclonedx_invalid_vectors_are_refused_with_a_path() {
    let expected = [
        ("invalid-bomformat-1.6.json", "bomFormat"),
        ("invalid-component-type-1.6.json", "components[0].type"),
        ("invalid-dependency-1.6.json", "dependencies[0].ref"),
        (
            "invalid-hash-sha256-1.6.json",
            "components[0].hashes[2].content",
        ),
        ("invalid-metadata-timestamp-1.6.json", "metadata.timestamp"),
        (
            "invalid-missing-component-type-1.6.json",
            "components[0].type",
        ),
        ("invalid-serialnumber-1.6.json", "serialNumber"),
    ];
    let invalid: Vec<_> = files("sbom/cyclonedx-spec-testvectors/1.6", ".json")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("invalid-"))
        })
        .collect();
    assert_eq!(invalid.len(), expected.len());
    for (p, (name, path)) in invalid.iter().zip(expected) {
        assert!(p.ends_with(name), "{}", p.display());
        match sbom::parse_cyclonedx(&read(p)) {
            Err(intel::IntelError::Invalid { path: got, message }) => {
                assert_eq!(got, path, "{name}: {message}");
                eprintln!("{name}: refused: {got}: {message}");
            }
            other => panic!("{name} should be refused at {path}, got {other:?}"),
        }
    }
}

#[test]
fn every_valid_cyclonedx_file_loads() {
    let mut paths: Vec<_> = files("sbom", ".json")
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            !s.contains("/invalid-") && !s.contains("cyclonedx-schema") && !s.contains("spdx")
        })
        .collect();
    paths.extend(files("vex/cyclonedx-vex", ".json"));
    let (mut components, mut statements) = (0, 0);
    for p in &paths {
        let (bom, diags) =
            sbom::parse_cyclonedx(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        components += bom.components.len();
        statements += bom.vulnerabilities.len();
        for d in diags {
            eprintln!("{}: {d}", p.display());
        }
    }
    eprintln!(
        "cyclonedx: {} files, {components} components, {statements} VEX statements",
        paths.len()
    );
    assert_eq!(paths.len(), 19 + 2 + 10 + 3 + 1 + 39);
}

#[test]
fn nested_components_are_flattened() {
    let path =
        test_support::shared_data("sbom/cyclonedx-examples/hbom-pcie-sata-adapter-board.cdx.json");
    let (bom, _) = sbom::parse_cyclonedx(&read(&path)).expect("loads");
    assert!(bom.subject.is_some());
    assert!(
        bom.components.iter().any(|c| c.parent.is_some())
            || bom.components.iter().all(|c| c.parent.is_none())
    );
    let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
      {"type":"device","name":"plc","components":[{"type":"firmware","name":"fw","version":"2.8","purl":"pkg:generic/acme/fw@2.8"}]}]}"#;
    let (bom, diags) = sbom::parse_cyclonedx(text.as_bytes()).expect("loads");
    assert_eq!(diags, vec![]);
    assert_eq!(bom.components.len(), 2);
    assert_eq!(bom.components[1].parent, Some(0));
    let bad = text.replace(r#""type":"firmware""#, r#""type":"rom""#);
    assert!(
        matches!(sbom::parse_cyclonedx(bad.as_bytes()), Err(intel::IntelError::Invalid { path, .. }) if path == "components[0].components[0].type")
    );
}

#[test]
fn spdx_files_load() {
    let (doc, diags) = sbom::parse_spdx(&read(&test_support::shared_data(
        "sbom/spdx-2.3/SPDXJSONExample-v2.3.spdx.json",
    )))
    .expect("loads");
    assert_eq!(diags, vec![]);
    let jena = doc
        .components
        .iter()
        .find(|c| c.name == "Jena")
        .expect("Jena package");
    assert_eq!(
        jena.purl.as_deref(),
        Some("pkg:maven/org.apache.jena/apache-jena@3.12.0")
    );
    let glibc = doc
        .components
        .iter()
        .find(|c| c.name == "glibc")
        .expect("glibc package");
    assert_eq!(
        glibc.cpe.as_deref(),
        Some("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*")
    );
    let (wild, _) = sbom::parse_spdx(&read(&test_support::shared_data(
        "sbom/in-the-wild/win-x64-manifest.spdx.json",
    )))
    .expect("SPDX 2.2 loads");
    assert!(!wild.components.is_empty());
    assert!(sbom::parse_spdx(br#"{"spdxVersion":"SPDX-3.0"}"#).is_err());
}

#[test]
fn openvex_files_load() {
    let paths = files("vex/openvex/vexctl-examples", ".json");
    assert_eq!(paths.len(), 11);
    let mut statements = 0;
    for p in &paths {
        let (doc, diags) =
            vex::parse_openvex(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        statements += doc.statements.len();
        for d in diags {
            eprintln!("{}: {d}", p.display());
        }
    }
    eprintln!("openvex: {} files, {statements} statements", paths.len());
    assert!(statements >= 11);
    assert!(vex::parse_openvex(br#"{"@context":"https://example.com","statements":[]}"#).is_err());
}

#[test]
fn csaf_vex_profile_needs_action_and_impact_statements() {
    let text = r#"{"document":{"category":"csaf_vex","csaf_version":"2.0","title":"t",
      "publisher":{"category":"vendor","name":"n","namespace":"https://example.com"},
      "tracking":{"id":"x","status":"final","version":"1","current_release_date":"2024-01-01T00:00:00Z","initial_release_date":"2024-01-01T00:00:00Z"}},
      "product_tree":{"full_product_names":[{"name":"A","product_id":"A"},{"name":"B","product_id":"B"}]},
      "vulnerabilities":[{"cve":"CVE-2024-0001","product_status":{"known_affected":["A"],"known_not_affected":["B"]}}]}"#;
    let (_, diags) = csaf::parse_csaf(text.as_bytes()).expect("loads");
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "vulnerabilities[0].product_status.known_affected[0]: product id A has no remediation (action statement, 6.1.27.10)",
            "vulnerabilities[0].product_status.known_not_affected[0]: product id B has no flag or impact statement (6.1.27.9)",
        ]
    );
}
