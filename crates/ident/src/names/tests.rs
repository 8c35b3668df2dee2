use super::*;

/// The `where "text"` pieces of a source cell.
fn pieces(source: &str) -> Vec<(&str, String)> {
    source
        .split(" + ")
        .map(|piece| {
            let (place, quoted) = piece
                .split_once(' ')
                .unwrap_or_else(|| panic!("{piece}: expected `where \"text\"`"));
            let text = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{piece}: the text must be in double quotes"));
            (place, text.replace("\\\"", "\""))
        })
        .collect()
}

/// Every row of every table names its source, and where the source is a file of the shared
/// data folder, the file holds the text the row quotes. A URL is only checked for its form:
/// these tests never go on the network.
#[test]
fn every_entry_is_where_its_source_says() {
    let tables = [
        ("vendor-suffixes.csv", VENDOR_SUFFIXES, 2),
        ("vendor-aliases.csv", VENDOR_ALIASES, 3),
        ("product-suffixes.csv", PRODUCT_SUFFIXES, 2),
    ];
    let mut files_checked = 0;
    for (name, table, columns) in tables {
        let mut count = 0;
        for row in rows(table, columns) {
            count += 1;
            assert_eq!(row.len(), columns, "{name}: {row:?} has too few cells");
            assert!(row.iter().all(|c| !c.is_empty()), "{name}: {row:?}");
            for (place, text) in pieces(row[columns - 1]) {
                if place.starts_with("https://") {
                    continue;
                }
                let path = test_support::shared_data(place);
                let content = std::fs::read_to_string(&path).unwrap();
                assert!(
                    content.contains(&text),
                    "{name}: {row:?}: {place} does not contain {text:?}"
                );
                files_checked += 1;
            }
        }
        assert!(count > 0, "{name} has no rows");
    }
    assert!(files_checked >= 20, "only {files_checked} sources read");
}

#[test]
fn each_vendor_suffix_is_dropped_from_the_end_only() {
    for row in rows(VENDOR_SUFFIXES, 2) {
        let suffix = row[0];
        assert_eq!(vendor_key(&format!("Acme {suffix}")), "acme", "{suffix}");
        assert_eq!(
            vendor_key(&format!("Acme {}", suffix.to_uppercase())),
            "acme",
            "{suffix}"
        );
        assert_eq!(
            vendor_key(&format!("{suffix} Acme")),
            format!("{suffix}acme"),
            "{suffix}"
        );
        assert_eq!(vendor_key(suffix), suffix, "a suffix alone is a name");
    }
    assert_eq!(vendor_key("Siemens AG"), "siemens");
    assert_eq!(
        vendor_key("Hakko Electronics Co., Ltd."),
        "hakkoelectronics"
    );
    assert_eq!(
        vendor_key("Becton, Dickinson and Company"),
        "bectondickinsonand"
    );
    assert_eq!(vendor_key("Acme S.A."), "acme");
    assert_eq!(vendor_key("Joomla! Project"), "joomla");
    assert_eq!(vendor_key("Schneider Electric SE"), "schneiderelectric");
}

#[test]
fn each_vendor_alias_is_its_vendor() {
    for row in rows(VENDOR_ALIASES, 3) {
        let (alias, vendor) = (row[0], row[1]);
        let key = vendor_key(vendor);
        assert_eq!(vendor_key(alias), key, "{alias} -> {vendor}");
        assert_eq!(
            vendor_key(&alias.to_lowercase().replace(' ', "_")),
            key,
            "{alias}"
        );
        assert_ne!(
            vendor_key(&format!("{alias} Labs")),
            key,
            "{alias} Labs is another vendor"
        );
        assert!(
            !TABLES.vendor_aliases.contains_key(&key),
            "{vendor} is itself an alias"
        );
    }
    assert_eq!(vendor_key("php_group"), "php");
    assert_eq!(vendor_key("PHP Group"), "php");
    assert_eq!(vendor_key("Progress Software Corporation"), "progress");
    assert_eq!(vendor_key("versa-networks"), "versa");
    assert_eq!(vendor_key("nortekcontrol"), "nice");
}

#[test]
fn each_product_suffix_names_a_generation_of_the_same_product() {
    let suffixes: Vec<&str> = rows(PRODUCT_SUFFIXES, 2).map(|r| r[0]).collect();
    for suffix in &suffixes {
        let word = suffix.replace('#', "3");
        let with = ProductKey::new(None, &format!("EDR-G9010 {word}"));
        let without = ProductKey::new(None, "EDR-G9010");
        assert_eq!(with.base, without.base, "{suffix}");
        assert!(with.names_generation(), "{suffix}");
        assert!(
            with.same_product(&without) && without.same_product(&with),
            "{suffix}"
        );
        // The word alone is a product's name, not a suffix of nothing.
        assert_eq!(
            ProductKey::new(None, &word).base,
            name_key(&word),
            "{suffix}"
        );
    }
    let v3 = ProductKey::new(Some("CODESYS"), "CODESYS Development System V3");
    let v23 = ProductKey::new(Some("CODESYS"), "CODESYS Development System V2.3");
    let plain = ProductKey::new(Some("CODESYS GmbH"), "Development System");
    assert_eq!(v3.base, "developmentsystem");
    assert_eq!(v23.exact, "developmentsystemv23");
    assert!(!v3.same_product(&v23), "two generations are two products");
    assert!(v3.same_product(&plain) && v23.same_product(&plain));
    let series = ProductKey::new(Some("Nice"), "Linear eMerge E3-Series");
    assert_eq!(series.base, "linearemergee3");
    let firmware = ProductKey::new(Some("Westermo"), "Lynx Firmware");
    assert!(firmware.same_product(&ProductKey::new(Some("Westermo"), "Lynx")));
    // `V2` inside a model number is part of it.
    let model = ProductKey::new(Some("Hitachi Energy"), "AFS670-V2");
    assert!(model.names_generation(), "the last word is a generation");
    assert!(!model.same_product(&ProductKey::new(None, "AFS670-V1")));
    assert!(!ProductKey::new(None, "Mx6 V16").same_product(&ProductKey::new(None, "Mx6 V26")));
    assert!(!TABLES.product_suffix("v"), "a `#` needs digits");
    assert!(!TABLES.product_suffix("v2."), "dotted parts need digits");
    assert!(!TABLES.product_suffix("vx"));
}

#[test]
fn a_product_loses_its_vendor_name_in_front() {
    let abb = ProductKey::new(Some("ABB"), "ABB Automation Builder");
    assert_eq!(abb, ProductKey::new(Some("ABB"), "Automation Builder"));
    assert_eq!(abb.exact, "automationbuilder");
    let melco = ProductKey::new(
        Some("Mitsubishi Electric Corporation"),
        "Mitsubishi Electric Numerical Control Device Communication Software",
    );
    assert_eq!(melco.exact, "numericalcontroldevicecommunicationsoftware");
    let siemens = ProductKey::new(Some("Siemens AG"), "Siemens SINUMERIK");
    assert_eq!(siemens.exact, "sinumerik");
    // A product named like its vendor keeps its name.
    assert_eq!(ProductKey::new(Some("PHP Group"), "PHP").exact, "php");
    assert_eq!(ProductKey::new(Some("Jenkins"), "Jenkins").exact, "jenkins");
    // Only whole words are the vendor's.
    assert_eq!(
        ProductKey::new(Some("AB"), "ABB Drive Composer").exact,
        "abbdrivecomposer"
    );
    assert_eq!(
        ProductKey::new(None, "ABB Drive Composer").exact,
        "abbdrivecomposer"
    );
}
