#![no_main]
//! The query string of the TAXII 2.1 object endpoints (`added_after`, `limit`, `next`,
//! `match[...]`), as the hub parses it.

use libfuzzer_sys::fuzz_target;

const MAX_PAGE: usize = 1000;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = hub::TaxiiFilter::parse(Some(query), MAX_PAGE) {
        assert!(filter.limit >= 1 && filter.limit <= MAX_PAGE);
        if let Some(t) = &filter.added_after {
            // The store's fixed-width form, so that text order is time order.
            assert_eq!(t.len(), "2026-01-31T12:00:00.000000Z".len(), "{t}");
        }
    }
});
