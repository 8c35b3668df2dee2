#![no_main]
//! Version ranges and comparison (`ident`): the input is up to four lines, `range`,
//! `version`, `lessThan`, `versionType`. The range is read as `vers:`/loose text under every
//! scheme and as a CVE 5 `versions[]` entry; versions are compared both ways (antisymmetry).

use ident::{Scheme, VersionRange, compare_versions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = meridian_fuzz::fields(data, 4);
    let get = |i: usize| f.get(i).map(String::as_str);
    let range = get(0).unwrap_or("");
    let version = get(1).unwrap_or("");
    for scheme in [
        Scheme::Generic,
        Scheme::Semver,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::Rpm,
        Scheme::Go,
    ] {
        if let Ok(r) = VersionRange::parse(range, scheme) {
            let _ = r.contains(version);
            let _ = (r.is_all(), r.to_string());
        }
        let ab = compare_versions(scheme, range, version);
        let ba = compare_versions(scheme, version, range);
        assert_eq!(
            ab.map(std::cmp::Ordering::reverse),
            ba,
            "{scheme:?}: {range:?} vs {version:?}"
        );
        if compare_versions(scheme, range, range).is_some() {
            assert_eq!(
                compare_versions(scheme, range, range),
                Some(std::cmp::Ordering::Equal)
            );
        }
    }
    let less_than = get(2).filter(|s| !s.is_empty());
    let version_type = get(3);
    if let Ok(r) = VersionRange::from_cve(range, less_than, None, version_type) {
        let _ = r.contains(version);
    }
    if let Ok(r) = VersionRange::from_cve(range, None, less_than, version_type) {
        let _ = r.contains(version);
    }
});
