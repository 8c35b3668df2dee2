//! OSV records from the real corpus: loading, range evaluation in each ecosystem's order,
//! aliases, and matching SBOM components just inside and just outside the ranges.

use intel::matching::{Index, Item, Rule, SourceKind};
use intel::{cve, osv, sbom};

use crate::{files, read};

fn record(path: &str) -> osv::OsvRecord {
    let (r, _) = osv::parse_osv(&read(&test_support::shared_data(&format!("osv/{path}"))))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    r
}

fn index_of(paths: &[&str]) -> Index {
    let mut index = Index::new();
    for p in paths {
        index.add_osv(&record(p));
    }
    index
}

/// The findings of a one-component CycloneDX SBOM: `(id, aliases, source, range)`.
fn sbom_findings(index: &Index, purl: &str) -> Vec<(String, Vec<String>, String, Option<String>)> {
    let bom = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{{"type":"library","name":"x","purl":"{purl}"}}]}}"#
    );
    let (sbom, diags) = sbom::parse_cyclonedx(bom.as_bytes()).expect("SBOM");
    assert!(diags.is_empty(), "{diags:?}");
    let item = Item::in_sbom("asset-1/x", &sbom, 0);
    index
        .match_item(&item)
        .findings
        .into_iter()
        .map(|f| {
            assert_eq!(f.rule, Rule::Purl, "{purl}");
            assert_eq!(f.source.kind, SourceKind::Osv, "{purl}");
            (f.cve, f.aliases, f.source.document, f.range)
        })
        .collect()
}

fn ids(index: &Index, purl: &str) -> Vec<String> {
    sbom_findings(index, purl)
        .into_iter()
        .map(|f| f.0)
        .collect()
}

#[test]
fn every_osv_file_of_the_corpus_loads() {
    let mut records = 0;
    let mut diagnostics = Vec::new();
    for f in files("osv", ".json") {
        if f.ends_with("schema.json") {
            continue;
        }
        let (r, d) = osv::parse_osv(&read(&f)).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!r.id.is_empty());
        records += 1;
        diagnostics.extend(d.into_iter().map(|d| format!("{}: {d}", f.display())));
    }
    assert!(records > 4300, "{records} records");
    // Only GIT ranges, entries without a package and the mangled fixtures are reported.
    for d in &diagnostics {
        assert!(
            d.contains(".type: a GIT range")
                || d.contains(": no package")
                || d.contains("is not an RFC 3339"),
            "{d}"
        );
    }
}

#[test]
fn diagnostics_and_refusals_name_the_path() {
    let (_, diags) = osv::parse_osv(&read(&test_support::shared_data(
        "osv/records/PYSEC-2023-74.json",
    )))
    .expect("loads");
    assert!(
        diags
            .iter()
            .any(|d| d.path == "affected[0].ranges[0].type" && d.message.contains("GIT")),
        "{diags:?}"
    );
    let hand = br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[
        {"package":{"ecosystem":"Nowhere","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]},
        {"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"introduced":"1","fixed":"2"}]}]}]}"#;
    let (_, diags) = osv::parse_osv(hand).expect("loads");
    let paths: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "affected[0].package.ecosystem",
            "affected[1].ranges[0].events[1]"
        ]
    );
    let err = osv::parse_osv(br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixed":3}]}]}]}"#)
        .expect_err("a number is not a version");
    assert!(
        err.to_string()
            .starts_with("affected[0].ranges[0].events[0].fixed"),
        "{err}"
    );
    assert!(osv::parse_osv(br#"{"id":"X-1"}"#).is_err());
    assert!(osv::parse_osv(b"[]").is_err());
}

#[test]
fn go_module_in_an_sbom_just_inside_and_outside_the_range() {
    let index = index_of(&["go-vulndb/GO-2020-0001.json", "go-vulndb/GO-2024-2963.json"]);
    let found = sbom_findings(&index, "pkg:golang/github.com/gin-gonic/gin@v1.5.9");
    assert_eq!(
        found,
        [(
            "CVE-2020-36567".to_owned(),
            vec!["GHSA-6vm3-jj99-7229".to_owned(), "GO-2020-0001".to_owned()],
            "GO-2020-0001".to_owned(),
            Some("<1.6.0".to_owned())
        )]
    );
    for outside in ["v1.6.0", "v1.6.1", "v1.7.0-rc1"] {
        assert!(
            ids(
                &index,
                &format!("pkg:golang/github.com/gin-gonic/gin@{outside}")
            )
            .is_empty(),
            "{outside}"
        );
    }
    // Two ranges in one package (the Go toolchain, versions written without `v`).
    for (v, hit) in [
        ("1.21.11", true),
        ("1.21.12", false),
        ("1.22.0-rc1", true),
        ("1.22.4", true),
        ("1.22.5", false),
        ("go1.22.4", true),
    ] {
        assert_eq!(
            ids(&index, &format!("pkg:golang/stdlib@{v}")),
            if hit { vec!["CVE-2024-24791"] } else { vec![] },
            "stdlib {v}"
        );
    }
}

#[test]
fn pypi_names_are_normalised() {
    let index = index_of(&["ghsa-converted/pypi_normalize.osv.json"]);
    for name in [
        "Products.PluggableAuthService",
        "products_pluggableauthservice",
        "products-pluggableauthservice",
    ] {
        assert_eq!(
            ids(&index, &format!("pkg:pypi/{name}@2.6.0")),
            ["CVE-2021-21337"],
            "{name}"
        );
        assert!(ids(&index, &format!("pkg:pypi/{name}@2.6.1")).is_empty());
        assert!(ids(&index, &format!("pkg:pypi/{name}@2.6.1.post1")).is_empty());
    }
    assert_eq!(
        ids(&index, "pkg:pypi/products.pluggableauthservice@2.6.1rc1"),
        ["CVE-2021-21337"],
        "a pre-release of the fixed version is before it"
    );
}

#[test]
fn maven_ranges_in_maven_order() {
    let index = index_of(&["ghsa-converted/maven_greater_than.osv.json"]);
    let purl = |v: &str| format!("pkg:maven/org.xwiki.commons/xwiki-commons-core@{v}");
    for (v, hit) in [
        ("11.6", false),
        ("11.6.1", true),
        ("11.10.12", true),
        ("11.10.13", false),
        ("12.0-rc-1", false),
        ("12.0", true),
        ("12.6.7", false),
        ("12.9", false),
        ("12.10", true),
        ("12.10.1", true),
        ("12.10.2", false),
    ] {
        assert_eq!(
            ids(&index, &purl(v)),
            if hit { vec!["CVE-2021-32620"] } else { vec![] },
            "{v}"
        );
    }
}

#[test]
fn npm_and_ruby_gems() {
    let index = index_of(&[
        "ghsa-converted/npm_greater_than.osv.json",
        "ghsa-converted/multiple_ranges_in_package.osv.json",
        "ghsa-converted/equals_no_patch.osv.json",
    ]);
    for (v, hit) in [
        ("2.1.0", false),
        ("2.1.1", true),
        ("2.2.4", true),
        ("3.0.0", false),
    ] {
        assert_eq!(
            ids(&index, &format!("pkg:npm/jquery@{v}")),
            if hit { vec!["CVE-2016-10707"] } else { vec![] },
            "jquery {v}"
        );
    }
    // Unsorted events, two ranges in one package.
    for (v, hit) in [
        ("3.0.20", true),
        ("3.0.21", false),
        ("4.0.0", false),
        ("4.0.1", true),
        ("4.0.4", true),
        ("4.0.5", false),
    ] {
        assert_eq!(
            ids(&index, &format!("pkg:gem/passenger@{v}")),
            if hit { vec!["CVE-2013-2119"] } else { vec![] },
            "passenger {v}"
        );
    }
    // `versions[]` only.
    assert_eq!(ids(&index, "pkg:gem/paranoid2@1.1.6"), ["CVE-2019-13589"]);
    assert!(ids(&index, "pkg:gem/paranoid2@1.1.7").is_empty());
    // The same names in other ecosystems.
    assert!(ids(&index, "pkg:pypi/passenger@3.0.20").is_empty());
    assert!(ids(&index, "pkg:gem/jquery@2.2.4").is_empty());
    assert!(ids(&index, "pkg:golang/passenger@v3.0.20").is_empty());
}

#[test]
fn withdrawn_records_find_nothing() {
    let r = record("ghsa-converted/withdrawn.osv.json");
    assert!(r.withdrawn.is_some());
    let mut index = Index::new();
    index.add_osv(&r);
    assert!(index.is_empty());
    assert!(ids(&index, "pkg:gem/activesupport@3.2.1").is_empty());
}

#[test]
fn red_hat_rpms_in_rpm_order() {
    let index = index_of(&["redhat-osv/RHSA-2024_4546.json"]);
    let found = sbom_findings(&index, "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6?arch=x86_64");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CVE-2023-45288");
    assert_eq!(found[0].1, ["RHSA-2024:4546"]);
    for v in ["0:2.13.3-3.el8_6.1", "2.13.3-10.el8", "1:1.0-1"] {
        assert!(
            ids(&index, &format!("pkg:rpm/redhat/git-lfs@{v}?arch=x86_64")).is_empty(),
            "{v}"
        );
    }
}

#[test]
fn a_cve_record_and_an_osv_record_make_one_finding() {
    let mut index = index_of(&["go-vulndb/GO-2020-0001.json"]);
    let record = r#"{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2020-36567","state":"PUBLISHED"},
      "containers":{"cna":{"affected":[{"collectionURL":"https://pkg.go.dev","packageName":"github.com/gin-gonic/gin",
        "versions":[{"version":"0","lessThan":"1.6.0","status":"affected","versionType":"semver"}],"defaultStatus":"unaffected"}]}}}"#;
    let (record, _) = cve::parse_cve(record.as_bytes()).expect("CVE");
    index.add_cve(&record);
    let item = Item::parse("asset-1", "pkg:golang/github.com/gin-gonic/gin@v1.5.0").expect("purl");
    let m = index.match_item(&item);
    assert_eq!(m.findings.len(), 1, "{:#?}", m.findings);
    assert_eq!(m.findings[0].cve, "CVE-2020-36567");
    assert_eq!(
        m.findings[0].aliases,
        ["GHSA-6vm3-jj99-7229", "GO-2020-0001"]
    );
}

#[test]
fn records_without_a_cve_keep_their_ghsa_or_own_id() {
    let index = index_of(&[
        "ghsa-converted/greater_than_equals_no_patch.osv.json",
        "records/MAL-2024-10238.json",
    ]);
    assert_eq!(
        ids(&index, "pkg:npm/marky-markdown@1.0.0"),
        ["GHSA-pxmp-fwjc-4x7q"]
    );
    assert_eq!(ids(&index, "pkg:pypi/123bla@0.0.1"), ["MAL-2024-10238"]);
}
