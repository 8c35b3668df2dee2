#![no_main]
//! CPE 2.3 formatted strings and 2.2 URIs: `ident::Cpe::parse`; a parsed name formats to a
//! 2.3 string that parses back to it and matches itself.

use ident::Cpe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cpe) = Cpe::parse(text) else {
        return;
    };
    let formatted = cpe.to_string();
    let again = Cpe::parse(&formatted)
        .unwrap_or_else(|e| panic!("{text:?} -> {formatted:?} does not parse: {e}"));
    assert_eq!(again, cpe, "{text:?} -> {formatted:?}");
    assert!(cpe.matches(&again), "{formatted:?} does not match itself");
    let _ = cpe.matches_ignoring_version(&again);
    let _ = (
        cpe.vendor.unquoted(),
        cpe.product.unquoted(),
        cpe.version.unquoted(),
    );
    let _ = intel::matching::Item::parse("cpe", text);
});
