#![no_main]
//! Atlas import of a `.json` file: Meridian JSON (a STIX bundle is sniffed and sent to the
//! STIX reader, as `read_files` does).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meridian_fuzz::atlas("atlas.json", interchange::Format::Json, data);
});
