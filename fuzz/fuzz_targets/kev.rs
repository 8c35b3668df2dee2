#![no_main]
//! The CISA KEV catalog (JSON): `intel::kev::parse_kev`, the index.

use intel::matching::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((catalog, _diagnostics)) = intel::kev::parse_kev(data) else {
        return;
    };
    let by_cve = catalog.by_cve();
    for entry in &catalog.vulnerabilities {
        let _ = entry.ransomware();
        assert!(by_cve.contains_key(entry.cve_id.as_str()));
    }
    let mut index = Index::new();
    index.add_kev(&catalog);
    meridian_fuzz::match_all(&index, &[]);
});
