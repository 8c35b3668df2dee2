#![no_main]
//! CVE JSON 5 records (with CISA ADP): `intel::cve::parse_cve`, the version ranges, the index.

use intel::matching::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((record, _diagnostics)) = intel::cve::parse_cve(data) else {
        return;
    };
    for affected in &record.affected {
        for version in &affected.versions {
            if let Ok(range) = version.range() {
                let _ = range.contains(&version.version);
                let _ = range.to_string();
            }
        }
    }
    let mut index = Index::new();
    index.add_cve(&record);
    meridian_fuzz::match_all(&index, &[]);
});
