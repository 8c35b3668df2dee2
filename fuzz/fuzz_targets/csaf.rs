#![no_main]
//! CSAF 2.0 advisories: `intel::csaf::parse_csaf`, then what `intel findings` does with them
//! (the product tree walked, the index built and matched).

use intel::matching::{Index, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((doc, _diagnostics)) = intel::csaf::parse_csaf(data) else {
        return;
    };
    let products = doc.products();
    for v in &doc.vulnerabilities {
        for (_, ids) in v.product_status.lists() {
            for id in ids {
                let _ = doc.not_affected_reasons(v, id);
            }
        }
    }
    let mut index = Index::new();
    index.add_csaf(&doc);
    let extra: Vec<Item> = products
        .iter()
        .filter_map(|p| p.helper.purl.as_deref().or(p.helper.cpe.as_deref()))
        .filter_map(|s| Item::parse("csaf", s).ok())
        .take(16)
        .collect();
    meridian_fuzz::match_all(&index, &extra);
});
