#![no_main]
//! CycloneDX SBOMs (and CycloneDX VEX): `intel::sbom::parse_cyclonedx`, the components as
//! inventory items, the VEX statements in an index.

use intel::matching::{Index, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((sbom, _diagnostics)) = intel::sbom::parse_cyclonedx(data) else {
        return;
    };
    for c in &sbom.components {
        if let Some(parent) = c.parent {
            assert!(parent < sbom.components.len());
        }
    }
    let items: Vec<Item> = sbom
        .components
        .iter()
        .take(64)
        .enumerate()
        .map(|(i, c)| Item::from_component(&i.to_string(), c))
        .collect();
    let mut index = Index::new();
    index.add_vex("cyclonedx", &sbom.vulnerabilities);
    meridian_fuzz::match_all(&index, &items);
});
