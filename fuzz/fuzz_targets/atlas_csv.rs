#![no_main]
//! Atlas import of a CSV file (`assets.csv` / `dependencies.csv`, kind from the header).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meridian_fuzz::atlas("assets.csv", interchange::Format::Csv, data);
});
