#![no_main]
//! Incident reports (the JSON list or a STIX bundle): `exchange::incident::parse` with the
//! hub's context (a submitting partner, STIX validation) and the CLI's (no partner).

use exchange::incident::{Context, parse};
use libfuzzer_sys::fuzz_target;
use meridian_fuzz::VALIDATOR;

fuzz_target!(|data: &[u8]| {
    let resolve = |id: &str| (!id.starts_with("infrastructure--")).then(|| id.to_owned());
    for partner in [Some("partner-a"), None] {
        let cx = Context {
            partner,
            reported_at: "2026-01-31T12:00:00.000Z",
            resolve: &resolve,
            validator: Some(&VALIDATOR),
        };
        if let Err(errors) = parse(data, &cx) {
            assert!(!errors.is_empty());
        }
    }
});
