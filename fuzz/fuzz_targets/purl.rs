#![no_main]
//! Package URLs: `ident::Purl::parse`; a parsed purl formats to text that parses back to it
//! (the crate's round-trip promise), and its key is stable.

use ident::Purl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(purl) = Purl::parse(text) else {
        return;
    };
    let formatted = purl.to_string();
    let again = Purl::parse(&formatted)
        .unwrap_or_else(|e| panic!("{text:?} -> {formatted:?} does not parse: {e}"));
    assert_eq!(again, purl, "{text:?} -> {formatted:?}");
    assert_eq!(again.key(), purl.key());
    let _ = intel::matching::Item::parse("purl", text);
});
