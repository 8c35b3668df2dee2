//! Intel documents, SBOM attachments and false positives, on both backends.

use model::Atlas;
use store::{FindingMark, IntelImport, IntelImported, Verdict};

use crate::{asset, open, strings};

fn doc<'a>(kind: &'a str, sha256: &'a str, asset: Option<&'a str>) -> IntelImport<'a> {
    IntelImport {
        kind,
        source: "tests/doc.json",
        sha256,
        body: "{\"x\": 1}",
        asset,
    }
}

/// `(created, attached)` of each result.
fn flags(got: &[IntelImported]) -> Vec<(bool, bool)> {
    got.iter().map(|i| (i.created, i.attached)).collect()
}

#[test]
fn documents_are_idempotent_by_hash_and_sboms_attach_to_existing_assets() {
    for db in test_support::backends("store intel documents") {
        let mut store = open(&db);
        let plc = model::Asset {
            products: strings(&["cpe:2.3:h:siemens:s7-1500:2.8:*:*:*:*:*:*:*"]),
            ..asset("plc:1", "DE")
        };
        store
            .import(&Atlas {
                assets: vec![plc, asset("bare", "US")],
                dependencies: vec![],
            })
            .expect("atlas");
        assert_eq!(store.intel_version().expect("version"), 0, "[{}]", db.name);
        let first = [
            doc("kev", "aa", None),
            doc("cyclonedx", "bb", Some("plc:1")),
        ];
        let got = store
            .import_intel(&first, "2026-11-22T00:00:00Z")
            .expect("import");
        assert_eq!(flags(&got), [(true, false), (true, true)], "[{}]", db.name);
        assert_eq!(store.intel_version().expect("version"), 1, "[{}]", db.name);
        // The same bytes again: unchanged (same id), already attached; new bytes are created.
        // (PostgreSQL's identity may skip ids, so only their order is checked.)
        let again = [
            doc("cyclonedx", "bb", Some("plc:1")),
            doc("cve", "cc", None),
        ];
        let got2 = store
            .import_intel(&again, "2026-11-22T01:00:00Z")
            .expect("re-import");
        assert_eq!(
            flags(&got2),
            [(false, false), (true, false)],
            "[{}]",
            db.name
        );
        assert_eq!(store.intel_version().expect("version"), 2, "[{}]", db.name);
        let unchanged = store
            .import_intel(&again, "2026-11-22T01:30:00Z")
            .expect("no-op");
        assert_eq!(flags(&unchanged), [(false, false), (false, false)]);
        assert_eq!(
            store.intel_version().expect("version"),
            2,
            "a re-import that stores nothing leaves the version [{}]",
            db.name
        );
        assert_eq!(got2[0].id, got[1].id);
        assert!(got2[1].id > got[1].id);
        // An unknown asset refuses the whole batch.
        let bad = [doc("epss", "dd", None), doc("spdx", "ee", Some("nope"))];
        let err = store
            .import_intel(&bad, "2026-11-22T02:00:00Z")
            .expect_err("unknown asset");
        assert!(
            matches!(err, store::StoreError::UnknownAsset(ref a) if a == "nope"),
            "{err}"
        );
        assert_eq!(
            store.intel_version().expect("version"),
            2,
            "a refused batch leaves the version [{}]",
            db.name
        );
        let docs = store.intel_documents().expect("documents");
        let kinds: Vec<(&str, &str, &str)> = docs
            .iter()
            .map(|d| (d.kind.as_str(), d.sha256.as_str(), d.imported_at.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("kev", "aa", "2026-11-22T00:00:00Z"),
                ("cyclonedx", "bb", "2026-11-22T00:00:00Z"),
                ("cve", "cc", "2026-11-22T01:00:00Z"),
            ],
            "[{}]",
            db.name
        );
        let bodies = store.intel_documents_with_bodies().expect("bodies");
        assert!(bodies.iter().all(|(_, b)| b == "{\"x\": 1}"));
        assert_eq!(
            store.sboms().expect("sboms"),
            [("plc:1".to_owned(), got[1].id)]
        );
        let products = store.asset_products(None).expect("products");
        assert_eq!(products.len(), 1, "only assets listing products");
        assert_eq!(products[0].id, "plc:1");
        assert_eq!(
            store.asset_products(Some("bare")).expect("one")[0].products,
            Vec::<String>::new()
        );
    }
}

#[test]
fn verdicts_are_upserted_replace_each_other_and_need_their_asset() {
    for db in test_support::backends("store intel finding marks") {
        let mut store = open(&db);
        store
            .import(&Atlas {
                assets: vec![asset("plc:1", "DE")],
                dependencies: vec![],
            })
            .expect("atlas");
        let fp = FindingMark {
            asset: "plc:1".to_owned(),
            cve: "CVE-2024-3400".to_owned(),
            item: String::new(),
            verdict: Verdict::FalsePositive,
            note: "not internet-facing".to_owned(),
            marked_at: "2026-11-22T00:00:00Z".to_owned(),
        };
        let before = store.intel_version().expect("version");
        assert!(store.mark_finding(&fp).expect("mark"));
        assert_eq!(store.intel_version().expect("version"), before + 1);
        let renoted = FindingMark {
            note: "firmware replaced".to_owned(),
            ..fp.clone()
        };
        assert!(!store.mark_finding(&renoted).expect("re-mark"));
        let unknown = FindingMark {
            asset: "nope".to_owned(),
            ..fp.clone()
        };
        assert!(store.mark_finding(&unknown).is_err());
        assert_eq!(store.intel_version().expect("version"), before + 2);
        assert_eq!(
            store.finding_marks().expect("list"),
            [renoted],
            "[{}]",
            db.name
        );
        // Confirming replaces the false positive: one verdict per finding.
        let confirmed = FindingMark {
            verdict: Verdict::Confirmed,
            note: "runs 10.2.3 (site visit)".to_owned(),
            ..fp.clone()
        };
        assert!(store.mark_finding(&confirmed).expect("confirm"));
        assert!(
            !store
                .unmark_finding("plc:1", "CVE-2024-3400", "", Verdict::FalsePositive)
                .expect("unmark"),
            "no false positive left to remove [{}]",
            db.name
        );
        assert_eq!(
            store.intel_version().expect("version"),
            before + 3,
            "removing nothing leaves the version [{}]",
            db.name
        );
        assert_eq!(store.finding_marks().expect("list"), [confirmed]);
        assert!(
            store
                .unmark_finding("plc:1", "CVE-2024-3400", "", Verdict::Confirmed)
                .expect("unmark")
        );
        assert_eq!(store.intel_version().expect("version"), before + 4);
        assert!(store.finding_marks().expect("list").is_empty());
    }
}
