#![no_main]
//! Atlas import of a STIX 2.1 bundle (`infrastructure` + `depends-on`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meridian_fuzz::atlas("atlas.stix", interchange::Format::Stix, data);
});
