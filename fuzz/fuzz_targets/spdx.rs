#![no_main]
//! SPDX 2.x JSON SBOMs: `intel::sbom::parse_spdx`, the components as inventory items.

use intel::matching::{Index, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((sbom, _diagnostics)) = intel::sbom::parse_spdx(data) else {
        return;
    };
    let items: Vec<Item> = sbom
        .components
        .iter()
        .take(64)
        .enumerate()
        .map(|(i, c)| Item::from_component(&i.to_string(), c))
        .collect();
    meridian_fuzz::match_all(&Index::new(), &items);
});
