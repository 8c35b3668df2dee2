#![no_main]
//! EPSS scores (CSV, with or without header and comment line): `intel::epss::parse_epss`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((scores, _diagnostics)) = intel::epss::parse_epss(data) else {
        return;
    };
    let _ = scores.by_cve();
});
