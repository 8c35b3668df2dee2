use super::*;

#[test]
fn dates() {
    for (s, ok) in [
        ("2024-02-29", true),
        ("2023-02-29", false),
        ("2024-13-01", false),
        ("2024-1-01", false),
        ("", false),
    ] {
        assert_eq!(is_date(s), ok, "{s}");
    }
    for (s, ok) in [
        ("2024-04-12T07:20:00.707Z", true),
        ("2020-04-13T20:20:39+00:00", true),
        ("2022-12-22T16:36:43-05:00", true),
        ("2024-04-17T04:00:13.543064", true),
        ("2020-04-13", false),
        ("2020-04-13T25:00:00Z", false),
        ("2020-04-13T20:20Z", false),
    ] {
        assert_eq!(is_date_time(s), ok, "{s}");
    }
    for (s, ok) in [
        ("CVE-2024-3400", true),
        ("CVE-2024-123", false),
        ("cve-2024-3400", false),
        ("CVE-24-3400", false),
    ] {
        assert_eq!(is_cve_id(s), ok, "{s}");
    }
    for (s, ok) in [
        ("CVE-2024-3400", true),
        ("GHSA-6vm3-jj99-7229", true),
        ("GO-2022-0123", true),
        ("RHSA-2024:4546", true),
        ("PYSEC-2023-74", true),
        ("CVE-2024-1", false),
        ("ghsa-6vm3-jj99-7229", false),
        ("GO-", false),
        ("GO 2022", false),
        ("", false),
    ] {
        assert_eq!(is_vulnerability_id(s), ok, "{s}");
    }
}

#[test]
fn instants_sort_across_zones() {
    assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
    assert_eq!(
        instant("1970-01-02T00:00:00.5Z"),
        Some((86_400, 500_000_000))
    );
    assert_eq!(instant("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
    assert_eq!(
        instant("2024-01-01T02:00:00+02:00"),
        instant("2024-01-01T00:00:00Z")
    );
    assert_eq!(
        instant("2023-12-31T19:00:00-05:00"),
        instant("2024-01-01T00:00:00")
    );
    assert!(instant("2024-01-01T00:00:00.001Z") > instant("2024-01-01T00:00:00Z"));
    assert_eq!(instant("2024-01-01"), None);
}

#[test]
fn paths() {
    assert_eq!(join_path("", "."), "$");
    assert_eq!(
        join_path("vulnerabilities[3]", "dueDate"),
        "vulnerabilities[3].dueDate"
    );
    assert_eq!(join_path("a", "[2].b"), "a[2].b");
}

mod no_panic {
    use proptest::prelude::*;

    use crate::matching::{Index, Item};

    fn every_parser(bytes: &[u8]) {
        let _ = crate::kev::parse_kev(bytes);
        let _ = crate::cve::parse_cve(bytes);
        let _ = crate::epss::parse_epss(bytes);
        let _ = crate::csaf::parse_csaf(bytes);
        let _ = crate::sbom::parse_cyclonedx(bytes);
        let _ = crate::sbom::parse_spdx(bytes);
        let _ = crate::vex::parse_openvex(bytes);
        if let Ok((record, _)) = crate::osv::parse_osv(bytes) {
            Index::new().add_osv(&record);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            every_parser(&bytes);
        }

        /// Well-formed documents with hostile values where the parsers look hardest.
        #[test]
        fn hostile_values(a in ".{0,30}", b in ".{0,30}", c in "[<>=|*:0-9a-zA-Z. -]{0,20}") {
            let (ja, jb, jc) = (serde_json::Value::from(a.clone()), serde_json::Value::from(b.clone()), serde_json::Value::from(c.clone()));
            let cve = format!(r#"{{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{{"cveId":"CVE-2024-0001","state":"PUBLISHED"}},
              "containers":{{"cna":{{"affected":[{{"vendor":{ja},"product":{jb},"cpes":[{jb}],"collectionURL":"https://npmjs.com","packageName":{ja},
                "versions":[{{"version":{jc},"lessThan":{ja},"status":"affected","versionType":{jb}}},{{"version":{jb},"status":"unaffected"}}]}}],
                "metrics":[{{"other":{{"type":"ssvc","content":{{"options":[{{"Exploitation":{ja}}}]}}}}}},{{"other":{{"type":"kev","content":{{"dateAdded":{jb}}}}}}}]}}}}}}"#);
            every_parser(cve.as_bytes());
            let csaf = format!(r#"{{"document":{{"category":"csaf_vex","csaf_version":"2.0","title":"t","publisher":{{"category":"vendor","name":"n","namespace":"x"}},
              "tracking":{{"id":"x","status":"final","version":"1","current_release_date":"x","initial_release_date":"x"}}}},
              "product_tree":{{"branches":[{{"category":"vendor","name":{ja},"branches":[{{"category":"product_version_range","name":{jc},
                "product":{{"name":{jb},"product_id":"P","product_identification_helper":{{"cpe":{ja},"purl":{jb},"model_numbers":[{ja}]}}}}}}]}}]}},
              "vulnerabilities":[{{"cve":"CVE-2024-0001","product_status":{{"known_affected":["P",{ja}],"known_not_affected":["P"]}}}}]}}"#);
            every_parser(csaf.as_bytes());
            let bom = format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{{"type":"library","name":{ja},"version":{jc},"purl":{jb},"cpe":{ja}}}]}}"#);
            every_parser(bom.as_bytes());
            let osv = format!(r#"{{"id":{ja},"modified":{jb},"aliases":[{ja},{jc}],"affected":[{{"package":{{"ecosystem":{ja},"name":{jb},"purl":{jc}}},
              "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":{jc}}},{{"fixed":{ja}}},{{"limit":{jb}}}]}}],"versions":[{jc}]}},
              {{"package":{{"ecosystem":"PyPI","name":{ja}}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"last_affected":{jc}}}]}}]}}]}}"#);
            every_parser(osv.as_bytes());
            let mut index = Index::new();
            if let Ok((record, _)) = crate::cve::parse_cve(cve.as_bytes()) { index.add_cve(&record); }
            if let Ok((doc, _)) = crate::csaf::parse_csaf(csaf.as_bytes()) { index.add_csaf(&doc); }
            if let Ok((record, _)) = crate::osv::parse_osv(osv.as_bytes()) { index.add_osv(&record); }
            if let Ok((sbom, _)) = crate::sbom::parse_cyclonedx(bom.as_bytes()) {
                let items: Vec<Item> = sbom.components.iter().map(|c| Item::from_component("x", c)).collect();
                let _ = index.match_items(&items);
            }
            for s in [&a, &b, &c, &format!("{a}:{b}:{c}")] {
                if let Ok(item) = Item::parse("x", s) { let _ = index.match_item(&item); }
            }
        }
    }
}
