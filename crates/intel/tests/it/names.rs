//! Names as real advisories write them (ident's tables in `crates/ident/data`), matched against
//! inventories that write them the other way, with decoys that must not match.

use intel::matching::{Index, Item, Rule};
use intel::{csaf, cve, kev};

use crate::read;

fn index() -> Index {
    let mut index = Index::new();
    for f in [
        "cve/vulnrichment/2024/4xxx/CVE-2024-4577.json",
        "cve/vulnrichment/2023/5xxx/CVE-2023-5751.json",
        "cve/vulnrichment/2023/49xxx/CVE-2023-49675.json",
        "cve/vulnrichment/2023/33xxx/CVE-2023-33239.json",
        "cve/vulnrichment/2023/45xxx/CVE-2023-45735.json",
    ] {
        let (record, _) = cve::parse_cve(&read(&test_support::shared_data(f))).expect(f);
        index.add_cve(&record);
    }
    for f in [
        "csaf/cisa-ot/2022/icsa-22-202-01.json",
        "csaf/cisa-ot/2024/icsa-24-023-04.json",
    ] {
        let (doc, _) = csaf::parse_csaf(&read(&test_support::shared_data(f))).expect(f);
        index.add_csaf(&doc);
    }
    let (catalog, _) = kev::parse_kev(&read(&test_support::shared_data(
        "kev/known_exploited_vulnerabilities.json",
    )))
    .expect("KEV");
    index.add_kev(&catalog);
    index
}

/// `(rule, version checked)` of the finding of `cve` on `product`, if any.
fn found(index: &Index, product: &str, cve: &str) -> Option<(Rule, bool)> {
    let item = Item::parse("asset-1", product).unwrap_or_else(|e| panic!("{product}: {e}"));
    index
        .match_item(&item)
        .findings
        .into_iter()
        .find(|f| f.cve == cve)
        .map(|f| (f.rule, f.version_checked()))
}

#[test]
fn a_vendor_prefixed_product_name_matches_the_bare_name() {
    let index = index();
    // ICSA-22-202-01 writes "ABB Automation Builder", `>= 1.1.0 | <= 2.5.0`.
    for product in [
        "ABB:Automation Builder:2.5.0",
        "ABB Ltd:ABB Automation Builder:1.1.0",
    ] {
        assert_eq!(
            found(&index, product, "CVE-2022-31216"),
            Some((Rule::Name, true)),
            "{product}"
        );
    }
    assert_eq!(
        found(&index, "ABB:Automation Builder:2.5.1", "CVE-2022-31216"),
        None
    );
    assert_eq!(
        found(&index, "ABB:Automation Studio:2.0", "CVE-2022-31216"),
        None
    );
    assert_eq!(
        found(&index, "B&R:Automation Builder:2.0", "CVE-2022-31216"),
        None
    );
}

#[test]
fn cpe_vendor_aliases_match_across_dictionaries() {
    let index = index();
    // CISA's ADP writes `php_group`, the NVD dictionary and inventories `php`.
    let nvd = "cpe:2.3:a:php:php:8.1.28:*:*:*:*:*:*:*";
    assert_eq!(found(&index, nvd, "CVE-2024-4577"), Some((Rule::Cpe, true)));
    // (Both the CNA and the ADP give `defaultStatus: affected`, so no version of 8.x is ruled
    // out by this record: the decoys are other vendors and products.)
    assert_eq!(
        found(
            &index,
            "cpe:2.3:a:php:php-fpm:8.1.28:*:*:*:*:*:*:*",
            "CVE-2024-4577"
        ),
        None,
        "another product"
    );
    // The CNA's "PHP Group" / "PHP" by name, with its semver ranges.
    assert_eq!(
        found(&index, "PHP:PHP:8.3.7", "CVE-2024-4577"),
        Some((Rule::Name, true))
    );
    assert_eq!(
        found(&index, "PHP Group:PHP:8.3.7", "CVE-2024-4577"),
        Some((Rule::Name, true))
    );
    assert_eq!(
        found(
            &index,
            "cpe:2.3:a:phpmyadmin:php:8.1.28:*:*:*:*:*:*:*",
            "CVE-2024-4577"
        ),
        None,
        "another vendor"
    );
}

#[test]
fn generation_words_match_a_name_without_them_but_not_another_generation() {
    let index = index();
    // "CODESYS Development System V3" (< 3.5.20.10) and "… V2.3" (< 2.3.9.73).
    assert_eq!(
        found(
            &index,
            "CODESYS:CODESYS Development System V3:3.5.19.0",
            "CVE-2023-5751"
        ),
        Some((Rule::Name, true))
    );
    assert_eq!(
        found(
            &index,
            "CODESYS GmbH:Development System:3.5.19.0",
            "CVE-2023-5751"
        ),
        Some((Rule::Name, true)),
        "no generation written: the version decides"
    );
    assert_eq!(
        found(
            &index,
            "CODESYS:Development System:3.5.20.10",
            "CVE-2023-5751"
        ),
        None,
        "the fixed version"
    );
    assert_eq!(
        found(
            &index,
            "CODESYS:CODESYS Development System V2.3:2.3.9.60",
            "CVE-2023-49675"
        ),
        Some((Rule::Name, true))
    );
    assert_eq!(
        found(
            &index,
            "CODESYS:CODESYS Development System V2.3:2.3.9.60",
            "CVE-2023-5751"
        ),
        None,
        "V2.3 is not V3 even with a version inside the V3 range"
    );
    // Moxa's "EDR-G9010 Series" (1.0 to 2.1).
    assert_eq!(
        found(&index, "Moxa:EDR-G9010:2.1", "CVE-2023-33239"),
        Some((Rule::Name, true))
    );
    assert_eq!(found(&index, "Moxa:EDR-G9010:3.0", "CVE-2023-33239"), None);
    assert_eq!(found(&index, "Moxa:EDR-G9004:2.1", "CVE-2023-33239"), None);
}

#[test]
fn firmware_and_product_family_names() {
    // ICSA-24-023-04 writes "Lynx Firmware" (version `4.24.`) where the CVE record writes "Lynx".
    let mut index = Index::new();
    let f = "csaf/cisa-ot/2024/icsa-24-023-04.json";
    let (doc, _) = csaf::parse_csaf(&read(&test_support::shared_data(f))).expect(f);
    index.add_csaf(&doc);
    assert_eq!(
        found(&index, "Westermo:Lynx:4.24", "CVE-2023-45735"),
        Some((Rule::Name, true))
    );
    assert_eq!(found(&index, "Westermo:Lynx:4.25", "CVE-2023-45735"), None);
    assert_eq!(
        found(&index, "Westermo:Lynx Switch:4.24", "CVE-2023-45735"),
        None
    );

    // A product-family branch above a product name: the product is known by both.
    let family = r#"{"document":{"category":"csaf_security_advisory","csaf_version":"2.0","title":"t",
      "publisher":{"category":"vendor","name":"Mobotix","namespace":"https://example.com"},
      "tracking":{"id":"FAM-1","status":"final","version":"1","initial_release_date":"2024-01-01T00:00:00Z",
        "current_release_date":"2024-01-01T00:00:00Z","revision_history":[{"date":"2024-01-01T00:00:00Z","number":"1","summary":"s"}]}},
      "product_tree":{"branches":[{"category":"vendor","name":"Mobotix","branches":[{"category":"product_family","name":"P3",
        "branches":[{"category":"product_name","name":"D24M","branches":[{"category":"product_version_range","name":"vers:generic/<4.5",
          "product":{"product_id":"P1","name":"Mobotix P3 D24M < 4.5"}}]}]}]}]},
      "vulnerabilities":[{"cve":"CVE-2023-34873","product_status":{"known_affected":["P1"]}}]}"#;
    let mut index = Index::new();
    let (doc, _) = csaf::parse_csaf(family.as_bytes()).expect("hand-made CSAF");
    index.add_csaf(&doc);
    for product in [
        "Mobotix:P3 D24M:4.4",
        "Mobotix:D24M:4.4",
        "Mobotix AG:Mobotix P3 D24M:4.4",
    ] {
        assert_eq!(
            found(&index, product, "CVE-2023-34873"),
            Some((Rule::Name, true)),
            "{product}"
        );
    }
    assert_eq!(found(&index, "Mobotix:P3 D24M:4.5", "CVE-2023-34873"), None);
    assert_eq!(found(&index, "Mobotix:P3 D25M:4.4", "CVE-2023-34873"), None);
}
