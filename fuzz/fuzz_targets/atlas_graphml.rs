#![no_main]
//! Atlas import of a GraphML file.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meridian_fuzz::atlas("atlas.graphml", interchange::Format::GraphMl, data);
});
