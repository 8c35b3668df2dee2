use std::cmp::Ordering;

use proptest::prelude::*;

use super::*;

fn check_purl(input: &str, expected: &str, key: &str) {
    let p = Purl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(p.to_string(), expected, "{input}");
    assert_eq!(p.key(), key, "{input}");
    assert_eq!(
        Purl::parse(&p.to_string()).as_ref(),
        Ok(&p),
        "round trip of {input}"
    );
}

#[test]
fn purls() {
    check_purl(
        "pkg:npm/%40angular/core@12.3.1",
        "pkg:npm/%40angular/core@12.3.1",
        "npm/@angular/core",
    );
    check_purl(
        " pkg:PyPI/Django_Rest@3.0 ",
        "pkg:pypi/django-rest@3.0",
        "pypi/django-rest",
    );
    check_purl(
        "pkg:pypi/Products.PluggableAuthService@2.6.0",
        "pkg:pypi/products.pluggableauthservice@2.6.0",
        "pypi/products-pluggableauthservice",
    );
    check_purl(
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
        "maven/org.apache.logging.log4j/log4j-core",
    );
    check_purl(
        "pkg:golang/github.com/Gorilla/Mux@v1.8.0#sub/dir",
        "pkg:golang/github.com/gorilla/mux@v1.8.0#sub/dir",
        "golang/github.com/gorilla/mux",
    );
    check_purl(
        "pkg:generic/siemens/SIMATIC%20S7-1500@2.8",
        "pkg:generic/siemens/SIMATIC%20S7-1500@2.8",
        "generic/siemens/SIMATIC S7-1500",
    );
    for bad in [
        "",
        "pkg:",
        "pkg:npm",
        "pkg:/x",
        "npm/foo@1",
        "pkg:1npm/x",
        "pkg:npm/@1.0",
    ] {
        assert!(Purl::parse(bad).is_err(), "{bad:?} should be refused");
    }
}

fn check_cpe_match(advisory: &str, inventory: &str, expected: bool) {
    let a = Cpe::parse(advisory).unwrap_or_else(|e| panic!("{advisory}: {e}"));
    let b = Cpe::parse(inventory).unwrap_or_else(|e| panic!("{inventory}: {e}"));
    assert_eq!(a.matches(&b), expected, "{advisory} vs {inventory}");
}

#[test]
fn cpes() {
    let c = Cpe::parse("cpe:2.3:a:Microsoft:Internet_Explorer:8.0.6001:beta:*:*:*:*:*:*")
        .expect("valid");
    assert_eq!(
        c.to_string(),
        "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"
    );
    let q = Cpe::parse(r"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*")
        .expect("valid");
    assert_eq!(q.update, CpeValue::Na);
    let esc = Cpe::parse(r"cpe:2.3:a:foo\:bar:big\$money_manager:2010:*:*:*:*:*:*:*")
        .expect("quoted colon");
    assert_eq!(esc.vendor.unquoted().as_deref(), Some("foo:bar"));
    assert_eq!(
        esc.to_string(),
        r"cpe:2.3:a:foo\:bar:big\$money_manager:2010:*:*:*:*:*:*:*"
    );
    let uri = Cpe::parse("cpe:/o:redhat:enterprise_linux:8::baseos").expect("2.2 uri");
    assert_eq!(
        uri.to_string(),
        "cpe:2.3:o:redhat:enterprise_linux:8:*:baseos:*:*:*:*:*"
    );
    for bad in [
        "",
        "cpe:2.3:x:a:b",
        "cpe:2.3:a:a:b:c:d:e:f:g:h:i:j:k:l",
        "cpe:2.3:a:in valid:b",
        r"cpe:2.3:a:v:p\",
    ] {
        assert!(Cpe::parse(bad).is_err(), "{bad:?} should be refused");
    }
    check_cpe_match(
        "cpe:2.3:a:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*",
        true,
    );
    check_cpe_match(
        "cpe:2.3:a:paloaltonetworks:pan-os:10.2.*:*:*:*:*:*:*:*",
        "cpe:2.3:a:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*",
        true,
    );
    check_cpe_match(
        "cpe:2.3:a:paloaltonetworks:pan-os:10.2.?:*:*:*:*:*:*:*",
        "cpe:2.3:a:paloaltonetworks:pan-os:10.2.10:*:*:*:*:*:*:*",
        false,
    );
    check_cpe_match(
        "cpe:2.3:a:vendor:product:1.0:-:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:product:1.0:sp1:*:*:*:*:*:*",
        false,
    );
    check_cpe_match(
        "cpe:2.3:a:vendor:product:1.0:-:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*",
        true,
    );
    check_cpe_match(
        "cpe:2.3:o:vendor:product:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:product:1:*:*:*:*:*:*:*",
        false,
    );
    check_cpe_match(
        "cpe:2.3:a:vendor:prod\\*uct:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:prodXuct:1:*:*:*:*:*:*:*",
        false,
    );
    check_cpe_match(
        "cpe:2.3:a:vendor:*duct:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:product:1:*:*:*:*:*:*:*",
        true,
    );
    let a = Cpe::parse("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*").expect("valid");
    let b = Cpe::parse("cpe:2.3:a:v:p:2.0:*:*:*:*:*:*:*").expect("valid");
    assert!(!a.matches(&b) && a.matches_ignoring_version(&b));
    // Vendors that are one (vendor-aliases.csv) match; other vendors and products do not.
    let adp = Cpe::parse("cpe:2.3:a:php_group:php:8.1.0:*:*:*:*:*:*:*").expect("valid");
    let nvd = Cpe::parse("cpe:2.3:a:php:php:8.1.29:*:*:*:*:*:*:*").expect("valid");
    let other = Cpe::parse("cpe:2.3:a:phpmyadmin:php:8.1.29:*:*:*:*:*:*:*").expect("valid");
    let product = Cpe::parse("cpe:2.3:a:php_group:php-fpm:8.1.29:*:*:*:*:*:*:*").expect("valid");
    assert!(adp.matches_ignoring_version(&nvd) && nvd.matches_ignoring_version(&adp));
    assert!(!adp.matches_ignoring_version(&other) && !nvd.matches_ignoring_version(&product));
}

fn check_cmp(scheme: Scheme, a: &str, b: &str, expected: Ordering) {
    assert_eq!(compare_versions(scheme, a, b), Some(expected), "{a} vs {b}");
    assert_eq!(
        compare_versions(scheme, b, a),
        Some(expected.reverse()),
        "{b} vs {a}"
    );
}

#[test]
fn version_order() {
    use Ordering::*;
    use Scheme::*;
    for (a, b, o) in [
        ("1.2.10", "1.2.9", Greater),
        ("1.0", "1.0.0", Equal),
        ("v1.2.3", "1.2.3", Equal),
        ("V2.1", "2.1", Equal),
        (" 10.2.9-h1 ", "10.2.9-h1", Equal),
        ("10.2.9-h1", "10.2.9", Greater),
        ("10.2.9-h1", "10.2.10", Less),
        ("1.2.3a", "1.2.3", Greater),
        ("1.0.2k", "1.0.2l", Less),
        ("2.0rc1", "2.0", Less),
        ("2.0beta", "2.0rc1", Less),
        ("1.0a1", "1.0", Less),
        ("V2.1 SP1", "V2.1", Greater),
        ("V2.1 SP1", "V2.1 SP2", Less),
        ("V2.1 SP2", "V2.1.1", Less),
        ("R4.02", "4.2", Equal),
        ("Ver1.08", "1.09", Less),
        ("0:5.14.0-427.13.1.el9_4", "5.14.0-427.13.2.el9_4", Less),
        ("9.9.00", "9.10", Less),
        ("V3.0.29", "V3.0.3", Greater),
        ("123456789012345678901234567890", "99", Greater),
    ] {
        check_cmp(Generic, a, b, o);
    }
    check_cmp(Semver, "1.0.0-alpha", "1.0.0", Less);
    check_cmp(Semver, "1.0.0+build5", "1.0.0", Equal);
    check_cmp(Semver, "1.2", "1.10", Less);
    for placeholder in ["", " ", "*", "-", "n/a", "N/A", "unspecified"] {
        assert_eq!(
            compare_versions(Generic, placeholder, "1"),
            None,
            "{placeholder:?}"
        );
    }
}

fn check_range(range: &VersionRange, inside: &[&str], outside: &[&str]) {
    for v in inside {
        assert_eq!(range.contains(v), Some(true), "{v} should be in {range}");
    }
    for v in outside {
        assert_eq!(
            range.contains(v),
            Some(false),
            "{v} should not be in {range}"
        );
    }
}

fn loose(s: &str) -> VersionRange {
    VersionRange::parse(s, Scheme::Generic).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn cve_entries() {
    let adp =
        VersionRange::from_cve("10.2.0", Some("10.2.9-h1 "), None, Some("custom")).expect("range");
    check_range(
        &adp,
        &["10.2.0", "10.2.9", "10.2.8-h3"],
        &["10.2.9-h1", "10.2.10", "10.1.99", "11.0"],
    );
    assert_eq!(adp.to_string(), ">=10.2.0|<10.2.9-h1");
    let le = VersionRange::from_cve("0", None, Some("2.5.0"), Some("semver")).expect("range");
    check_range(&le, &["0.0.1", "2.5.0"], &["2.5.1", "3.0.0-rc.1"]);
    let open = VersionRange::from_cve("5.0", Some("*"), None, Some("custom")).expect("range");
    check_range(&open, &["5.0", "99"], &["4.9"]);
    // `version` equal to `lessThan` (Google's Chrome records) reads as "before lessThan".
    let before = VersionRange::from_cve(
        "124.0.6367.201",
        Some("124.0.6367.201"),
        None,
        Some("custom"),
    )
    .expect("range");
    assert_eq!(before.contains("124.0.6367.200"), Some(true));
    assert_eq!(before.contains("100.0"), Some(true));
    assert_eq!(before.contains("124.0.6367.201"), Some(false));
    let exact = VersionRange::from_cve("4.24", None, None, None).expect("exact");
    check_range(&exact, &["4.24", "4.24.0"], &["4.25"]);
    let cpe = VersionRange::from_cve(
        "cpe:2.3:a:adminerevo:adminerevo:0:*:*:*:*:*:*:*",
        Some("cpe:2.3:a:adminerevo:adminerevo:4.8.4:*:*:*:*:*:*:*"),
        None,
        Some("cpe"),
    )
    .expect("cpe range");
    check_range(&cpe, &["4.8.3"], &["4.8.4"]);
    let earlier = VersionRange::from_cve("V4.0.18.0 and earlier", None, None, None).expect("loose");
    check_range(&earlier, &["V4.0.18.0", "4.0.17"], &["4.0.18.1"]);
    let ge = VersionRange::from_cve(">= 8.3.2", None, None, None).expect("loose");
    check_range(&ge, &["8.3.2", "9"], &["8.3.1"]);
    assert!(
        VersionRange::from_cve("n/a", None, None, None)
            .expect("all")
            .is_all()
    );
    assert_eq!(exact.contains("n/a"), None);
}

#[test]
fn vers_and_loose() {
    check_range(
        &loose("vers:npm/1.2.3|>=2.0.0|<5.0.0"),
        &["1.2.3", "2.0.0", "4.9.9"],
        &["1.2.4", "5.0.0", "2.0.0-rc.1"],
    );
    check_range(
        &loose("vers:generic/>=2.7|<=2.8"),
        &["2.7", "2.8"],
        &["2.8.1", "2.6"],
    );
    assert!(loose("vers:all/*").is_all());
    check_range(&loose("<V2.9"), &["V2.8.3", "2.8"], &["V2.9", "3.0"]);
    check_range(&loose(">=3.0|<3.2"), &["3.0", "3.1.9"], &["3.2", "2.9"]);
    check_range(
        &loose(">= 1.1.0 | <= 2.5.0"),
        &["1.1.0", "2.5.0"],
        &["2.5.1", "1.0"],
    );
    check_range(
        &loose("All versions < V3.1 SP2"),
        &["V3.1", "V3.1 SP1"],
        &["V3.1 SP2", "V3.2"],
    );
    check_range(&loose("<=(R4.02)"), &["R4.02", "R4.01"], &["R4.03"]);
    check_range(&loose("<= 1.16S"), &["1.16", "1.16S"], &["1.17"]);
    check_range(
        &loose("<1.5|>=2.0|<2.3"),
        &["1.4", "2.2"],
        &["1.5", "1.9", "2.3"],
    );
    check_range(&loose("before 2.3"), &["2.2.9"], &["2.3"]);
    check_range(&loose("1.0 to 1.4"), &["1.0", "1.4"], &["1.5"]);
    check_range(&loose(">=1.0|!=1.2"), &["1.1", "1.3"], &["1.2", "0.9"]);
    assert!(loose("All versions").is_all());
    assert!(loose("All versions with Fortinet NGFW").is_all());
    assert!(VersionRange::parse("", Scheme::Generic).is_err());
    assert!(VersionRange::parse_vers("vers:npm").is_err());
}

#[test]
fn keys() {
    assert_eq!(
        name_key("SIMATIC S7-1500 CPU family"),
        name_key("simatic_s7-1500_cpu_family")
    );
    assert_eq!(vendor_key("Siemens AG"), "siemens");
    assert_eq!(vendor_key("Microsoft Corporation"), "microsoft");
    assert_eq!(vendor_key("Schneider Electric SE"), "schneiderelectric");
    assert_eq!(vendor_key("AG"), "ag");
    assert_eq!(vendor_key(""), "");
}

proptest! {
    #[test]
    fn random_strings_never_panic(a in ".{0,40}", b in ".{0,40}", c in "[<>=|!v0-9. a-zA-Z*:-]{0,30}") {
        let _ = Purl::parse(&a).map(|p| (p.to_string(), p.key()));
        let _ = Purl::parse(&format!("pkg:{a}"));
        let _ = Cpe::parse(&a);
        if let (Ok(x), Ok(y)) = (Cpe::parse(&format!("cpe:2.3:{a}")), Cpe::parse(&format!("cpe:2.3:a:{b}"))) {
            let _ = (x.matches(&y), x.to_string());
        }
        let _ = compare_versions(Scheme::Generic, &a, &b);
        let _ = compare_versions(Scheme::Semver, &c, &b);
        for s in [&a, &c] {
            if let Ok(r) = VersionRange::parse(s, Scheme::Generic) { let _ = (r.contains(&b), r.to_string()); }
            let _ = VersionRange::from_cve(s, Some(&b), None, Some("cpe"));
            let _ = VersionRange::from_cve(&b, None, None, None);
        }
        let _ = (name_key(&a), vendor_key(&a));
    }

    #[test]
    fn generic_order_is_antisymmetric(a in "[vV]?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}( ?(sp|rc|a|hf)[0-9])?", b in "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}") {
        let ab = compare_versions(Scheme::Generic, &a, &b);
        let ba = compare_versions(Scheme::Generic, &b, &a);
        prop_assert_eq!(ab.map(Ordering::reverse), ba);
    }

    #[test]
    fn purl_round_trips(ty in "[a-z]{1,8}", ns in "[a-zA-Z0-9 ._@-]{1,10}", name in "[a-zA-Z0-9 ._@%-]{1,10}", ver in "[a-zA-Z0-9.+:-]{1,10}") {
        let text = format!("pkg:{ty}/{}/{}@{}", ns.replace('%', "%25"), name.replace('%', "%25"), ver);
        if let Ok(p) = Purl::parse(&text) {
            prop_assert_eq!(Purl::parse(&p.to_string()), Ok(p));
        }
    }
}

/// Found by fuzzing (fuzz/regressions/purl/): an encoded `/` or `.` in the subpath or the
/// namespace made a purl whose formatted text read back as another purl.
#[test]
fn purl_encoded_slashes_round_trip() {
    for input in [
        "pkg:coser/vaca#g:kg:/%2Fb@lfi/@gichi@1.1",
        "pkg:t/n#a/%2F/b",
        "pkg:t/n#%2E%2E/x",
        "pkg:t/%2Fa/n",
        "pkg:t/%2F/n",
    ] {
        let p = Purl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(Purl::parse(&p.to_string()), Ok(p.clone()), "{input}");
    }
    assert_eq!(
        Purl::parse("pkg:t/n#a/%2F/b").unwrap().subpath.as_deref(),
        Some("a/b")
    );
    assert_eq!(Purl::parse("pkg:t/%2F/n").unwrap().namespace, None);
}

/// Found by fuzzing (fuzz/regressions/cpe/): a quoted lone hyphen (`\-`, the literal value
/// "-") was formatted as `-`, which reads back as NA.
#[test]
fn cpe_quoted_hyphen_round_trips() {
    let cpe = Cpe::parse("cpe:2.3:a:\\-:product").unwrap();
    assert_eq!(cpe.vendor.unquoted().as_deref(), Some("-"));
    assert_ne!(cpe.vendor, CpeValue::Na);
    assert_eq!(Cpe::parse(&cpe.to_string()), Ok(cpe.clone()));
    assert!(cpe.matches(&cpe));
    let na = Cpe::parse("cpe:2.3:a:-:product").unwrap();
    assert_eq!(na.vendor, CpeValue::Na);
    assert!(!cpe.matches(&na));
    let upper = Cpe::parse("cPe:2.3::\\-").unwrap();
    assert_eq!(Cpe::parse(&upper.to_string()), Ok(upper));
}

#[test]
fn product_ids_are_a_purl_a_cpe_or_vendor_product_version() {
    use crate::ProductId;
    assert!(matches!(
        ProductId::parse("pkg:npm/lodash@4.17.20"),
        Ok(ProductId::Purl(_))
    ));
    assert!(matches!(
        ProductId::parse("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"),
        Ok(ProductId::Cpe(_))
    ));
    assert_eq!(
        ProductId::parse(" Siemens:SIMATIC S7-1500:V2.8 "),
        Ok(ProductId::Plain {
            vendor: Some("Siemens".into()),
            product: "SIMATIC S7-1500".into(),
            version: Some("V2.8".into()),
        })
    );
    assert_eq!(
        ProductId::parse(":gateway"),
        Ok(ProductId::Plain {
            vendor: None,
            product: "gateway".into(),
            version: None,
        })
    );
    for bad in ["nginx 1.2", "Acme:", "pkg:nonsense", "cpe:2.3:x", ""] {
        assert!(ProductId::parse(bad).is_err(), "{bad:?} is refused");
    }
}

/// Ranges as advisories write them, from the shared corpus: each string is read as the range it
/// states, never as one literal version.
#[test]
fn ranges_as_advisories_write_them() {
    let contains = |r: &VersionRange, v: &str| r.contains(v).expect("a specific version");
    // CSAF product_version_range (icsa-23-325-01): the upper bound is read, not dropped.
    let fw = VersionRange::parse(">FW16_up_to_and_including_FW26", Scheme::Generic).expect("fw");
    assert_eq!(fw.to_string(), ">FW16|<=FW26");
    assert!(contains(&fw, "FW20") && contains(&fw, "FW26"));
    assert!(!contains(&fw, "FW16") && !contains(&fw, "FW27"));
    // CSAF product_version_range lists and vers.
    let listed = VersionRange::parse("2.1.0 | 2.1.1 | 2.1.2", Scheme::Generic).expect("list");
    assert!(contains(&listed, "2.1.1") && !contains(&listed, "2.1.3"));
    assert!(
        VersionRange::parse("vers:all/*", Scheme::Generic)
            .expect("all")
            .is_all()
    );
    let v = VersionRange::parse("Version v1.0", Scheme::Generic).expect("version");
    assert_eq!(v.to_string(), "=v1.0");
    // CVE 5 affected[] versions written as free text, without lessThan.
    let cve = |s: &str| VersionRange::from_cve(s, None, None, Some("custom")).expect(s);
    let prior = cve("Versions prior to 5.4.2.2");
    assert_eq!(prior.to_string(), "<5.4.2.2");
    assert!(contains(&prior, "5.4.2.1") && !contains(&prior, "5.4.2.2"));
    let hyphen = cve("4.0.0-4.2.7");
    assert_eq!(hyphen.to_string(), ">=4.0.0|<=4.2.7");
    assert!(contains(&hyphen, "4.2.7") && !contains(&hyphen, "4.2.8"));
    let to = cve("R4.10 to R4.31");
    assert_eq!(to.to_string(), ">=R4.10|<=R4.31");
    assert!(contains(&to, "R4.20") && !contains(&to, "R4.32"));
    let le = cve("<= 3.2");
    assert!(contains(&le, "3.2") && !contains(&le, "3.3"));
    // A hyphen before a pre-release or hotfix is part of the version.
    assert_eq!(cve("10.2.9-h1").to_string(), "=10.2.9-h1");
    assert_eq!(cve("1.0.0-rc1").to_string(), "=1.0.0-rc1");
}

/// Each list is strictly increasing under `scheme`; every pair is checked both ways.
fn check_increasing(scheme: Scheme, versions: &[&str]) {
    for (i, a) in versions.iter().enumerate() {
        for (j, b) in versions.iter().enumerate() {
            assert_eq!(
                compare_versions(scheme, a, b),
                Some(i.cmp(&j)),
                "{scheme:?}: {a} vs {b}"
            );
        }
    }
}

fn check_equal(scheme: Scheme, a: &str, b: &str) {
    assert_eq!(
        compare_versions(scheme, a, b),
        Some(Ordering::Equal),
        "{scheme:?}: {a} == {b}"
    );
}

#[test]
fn pep440_ordering() {
    check_increasing(
        Scheme::Pep440,
        &[
            "1.0.dev0",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+abc.5",
            "1.0+5",
            "1.0.post1.dev3",
            "1.0.post1",
            "1.1.dev1",
            "1.1",
            "1.10",
            "1!0.5",
        ],
    );
    check_equal(Scheme::Pep440, "1.0RC1", "1.0rc1");
    check_equal(Scheme::Pep440, "1.0-rc.1", "1.0rc1");
    check_equal(Scheme::Pep440, "1.0c1", "1.0rc1");
    check_equal(Scheme::Pep440, "1.0alpha", "1.0a0");
    check_equal(Scheme::Pep440, "1.0-1", "1.0.post1");
    check_equal(Scheme::Pep440, "1.0", "1.0.0");
    check_equal(Scheme::Pep440, "v1.0", "1");
    check_equal(Scheme::Pep440, "0!1.0", "1.0");
    // Not PEP 440: the generic rules.
    assert_eq!(
        compare_versions(Scheme::Pep440, "1.0-foo", "1.0-goo"),
        Some(Ordering::Less)
    );
}

#[test]
fn maven_ordering() {
    check_increasing(
        Scheme::Maven,
        &[
            "1.0-alpha-1",
            "1.0-alpha-2",
            "1.0-beta-1",
            "1.0-milestone-1",
            "1.0-rc-1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0-zzz",
            "1.0-1",
            "1.0.1",
            "1.1",
            "2",
        ],
    );
    check_equal(Scheme::Maven, "1.0.0", "1");
    check_equal(Scheme::Maven, "1-ga", "1");
    check_equal(Scheme::Maven, "1.0-final", "1");
    check_equal(Scheme::Maven, "1.0-cr1", "1.0-rc1");
    check_equal(Scheme::Maven, "1a1", "1-alpha-1");
    check_equal(Scheme::Maven, "1.0RC1", "1.0-rc-1");
    // `.qualifier < -qualifier < -number < .number`
    check_increasing(Scheme::Maven, &["1.foo", "1-foo", "1-1", "1.1"]);
    check_increasing(Scheme::Maven, &["12.6.7", "12.10.0", "12.10.2"]);
}

#[test]
fn rpm_ordering() {
    check_increasing(
        Scheme::Rpm,
        &[
            "1.0~rc1",
            "1.0",
            "1.0^git1",
            "1.0a",
            "1.0.1",
            "1.2-1.el8",
            "1.2-2.el8",
            "1.10-1",
            "1:0.5",
            "1:9.9",
            "2:1.0",
        ],
    );
    check_increasing(Scheme::Rpm, &["1.0~rc1", "1.0~rc1^1", "1.0~rc2"]);
    check_increasing(
        Scheme::Rpm,
        &[
            "0:2.13.3-3.el8_6",
            "0:2.13.3-3.el8_6.1",
            "2.13.3-3.el8_7",
            "2.13.3-10.el8",
        ],
    );
    check_equal(Scheme::Rpm, "0:1.0-1", "1.0-1");
    check_equal(Scheme::Rpm, "1.0", "1.0-5.el9");
    check_equal(Scheme::Rpm, "1.01", "1.1");
    // Digits above letters.
    check_increasing(Scheme::Rpm, &["1.a", "1.1"]);
}

#[test]
fn go_ordering() {
    check_increasing(
        Scheme::Go,
        &[
            "v0.0.0-20200101000000-abcdef012345",
            "v0.1.0",
            "v1.2.0-rc1",
            "v1.2.0",
            "go1.21",
            "1.21.12",
            "1.22.0-0",
            "1.22.0",
            "v2.0.0+incompatible",
        ],
    );
    check_equal(Scheme::Go, "v2.0.0+incompatible", "2.0.0");
    check_equal(Scheme::Go, "go1.21", "1.21.0");
}

#[test]
fn schemes_from_purl_types() {
    for (ty, scheme) in [
        ("pypi", Scheme::Pep440),
        ("maven", Scheme::Maven),
        ("rpm", Scheme::Rpm),
        ("golang", Scheme::Go),
        ("npm", Scheme::Semver),
        ("cargo", Scheme::Semver),
        ("gem", Scheme::Generic),
    ] {
        assert_eq!(Scheme::from_purl_type(ty), scheme, "{ty}");
    }
}

proptest! {
    /// Every ordering is total and antisymmetric on arbitrary text, and never panics.
    #[test]
    fn orderings_are_antisymmetric(a in "[0-9a-zA-Z.~^:+!_-]{0,12}", b in "[0-9a-zA-Z.~^:+!_-]{0,12}") {
        for scheme in [Scheme::Pep440, Scheme::Maven, Scheme::Rpm, Scheme::Go] {
            let ab = compare_versions(scheme, &a, &b);
            let ba = compare_versions(scheme, &b, &a);
            prop_assert_eq!(ab, ba.map(Ordering::reverse), "{:?} {} {}", scheme, a, b);
        }
    }
}
