#![no_main]
//! OSV records: `intel::osv::parse_osv`, then what `intel findings` does with them (affected
//! packages and ranges evaluated, the index built and matched against the packages' own purls
//! at their range bounds and listed versions).

use intel::matching::{Index, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((record, _diagnostics)) = intel::osv::parse_osv(data) else {
        return;
    };
    let _ = (record.vulnerability_id(), record.aliases_of());
    let (packages, _) = record.packages();
    let mut index = Index::new();
    index.add_osv(&record);
    let mut extra = Vec::new();
    for p in packages.iter().take(8) {
        let versions = p
            .ranges
            .iter()
            .flat_map(|r| &r.intervals)
            .flat_map(|i| [&i.lower, &i.upper])
            .filter_map(|b| match b {
                ident::Bound::Included(v) | ident::Bound::Excluded(v) => Some(v.as_str()),
                ident::Bound::Unbounded => None,
            })
            .take(8);
        for v in versions {
            let mut purl = p.purl.clone();
            purl.version = Some(v.to_owned());
            if let Ok(item) = Item::parse("osv", &purl.to_string()) {
                extra.push(item);
            }
        }
    }
    meridian_fuzz::match_all(&index, &extra);
});
