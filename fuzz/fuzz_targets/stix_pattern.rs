#![no_main]
//! STIX 2.1 patterns: `stix::pattern::validate` (what `stix::Validator` runs on an indicator's
//! `pattern`) and `parse`; a parsed pattern's canonical form parses back to the same value
//! (the module's promise).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let validated = stix::pattern::validate(text);
    let Ok(pattern) = stix::pattern::parse(text) else {
        assert!(
            validated.is_err(),
            "validate accepts what parse refuses: {text:?}"
        );
        return;
    };
    let canonical = pattern.to_string();
    let again = stix::pattern::parse(&canonical)
        .unwrap_or_else(|e| panic!("{text:?} -> {canonical:?} does not parse: {e}"));
    assert_eq!(again, pattern, "{text:?} -> {canonical:?}");
    assert_eq!(again.to_string(), canonical);
});
