#![no_main]
//! OpenVEX documents: `intel::vex::parse_openvex`, the statements in an index.

use intel::matching::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((vex, _diagnostics)) = intel::vex::parse_openvex(data) else {
        return;
    };
    let mut index = Index::new();
    index.add_vex("openvex", &vex.statements);
    meridian_fuzz::match_all(&index, &[]);
});
