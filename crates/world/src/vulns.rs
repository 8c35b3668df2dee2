//! Synthetic vulnerability intelligence for the demo world (PRODUCT.md §7): CVE JSON 5.1
//! records, a KEV-format catalog and an EPSS CSV, all marked as demo, aimed at the products the
//! world's archetypes run (read from the same tables, so they stay in sync).
//!
//! Every distinct product string of the tables gets one record `CVE-2099-9NNNN` (a year no real
//! CVE carries) from the CNA `meridian-demo`, its description starting `[DEMO]`. Its `affected`
//! product names the product's vendor and name (and CPE or package), with a `lessThan` range
//! that covers the deployed version, or, for about one versioned product in four, stops at it
//! (fixed in the version the world runs). An ADP container carries an SSVC vote in the CISA
//! vulnrichment shape. The votes cycle through [`VOTES`], which mixes Exploitation none, public
//! PoC and active, Automatable and Technical Impact, so that with the assets' impacts (Low,
//! Medium, High Mission & Well-being) the findings reach every SSVC outcome: Track, Track*,
//! Attend and Act. The KEV catalog lists the covering records voted active, automatable and
//! total; the EPSS file scores every record, higher for exploited ones.
//!
//! The seed rotates the votes over the products and draws weaknesses, dates and scores; the
//! same seed gives the same bytes.

use std::collections::BTreeSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::demo::mix;
use crate::tables::ARCHETYPES;

/// The CNA (and KEV vendor of record) of every demo document.
pub const DEMO_CNA: &str = "meridian-demo";
/// Demo CVE ids are `CVE-2099-` followed by five digits from 90001.
pub const DEMO_CVE_PREFIX: &str = "CVE-2099-9";

const CNA_ORG_ID: &str = "00000000-0000-4000-8000-00000000d3e0";
const ADP_ORG_ID: &str = "00000000-0000-4000-8000-00000000d3e1";

/// An SSVC vote: Exploitation, Automatable, Technical Impact.
struct Vote {
    exploitation: &'static str,
    automatable: &'static str,
    technical_impact: &'static str,
}

const fn vote(exploitation: &'static str, automatable: &'static str, ti: &'static str) -> Vote {
    Vote {
        exploitation,
        automatable,
        technical_impact: ti,
    }
}

/// The votes, cycled over the products. With Mission & Well-being low / medium / high (CISA
/// coordinator table 2.0.3) they decide: Attend / Act / Act; Track / Attend / Act;
/// Track / Track* / Attend; Track / Track* / Attend; Track; Attend / Attend / Act;
/// Track / Track / Attend; Track / Track / Track*.
const VOTES: [Vote; 8] = [
    vote("active", "yes", "total"),
    vote("active", "no", "total"),
    vote("poc", "yes", "total"),
    vote("poc", "no", "total"),
    vote("none", "no", "partial"),
    vote("active", "yes", "partial"),
    vote("none", "yes", "total"),
    vote("poc", "no", "partial"),
];

/// Weaknesses: CWE id, name, and what the flaw is in the product.
const WEAKNESSES: &[(&str, &str, &str)] = &[
    (
        "CWE-787",
        "Out-of-bounds Write",
        "an out-of-bounds write in the web management interface",
    ),
    (
        "CWE-78",
        "OS Command Injection",
        "an OS command injection in the diagnostic command line",
    ),
    (
        "CWE-287",
        "Improper Authentication",
        "an authentication bypass in the engineering protocol service",
    ),
    (
        "CWE-22",
        "Path Traversal",
        "a path traversal in the firmware upload handler",
    ),
    (
        "CWE-400",
        "Uncontrolled Resource Consumption",
        "uncontrolled resource consumption in the network stack",
    ),
    (
        "CWE-798",
        "Use of Hard-coded Credentials",
        "hard-coded credentials for the maintenance account",
    ),
];

/// A product string of the tables, taken apart.
struct Product {
    vendor: String,
    name: String,
    /// `None` for hardware CPEs (`-`) and unversioned strings.
    version: Option<String>,
    cpe: Option<String>,
    /// CVE 5 `collectionURL` + `packageName`, for registries the matcher maps to purls.
    package: Option<(&'static str, String)>,
}

impl Product {
    /// A `cpe:2.3:…` or `pkg:type/namespace/name@version` string of the tables.
    fn parse(s: &str) -> Product {
        if let Some(rest) = s.strip_prefix("cpe:2.3:") {
            let parts: Vec<&str> = rest.split(':').collect();
            let version = Some(parts[3]).filter(|v| !matches!(*v, "-" | "*"));
            let mut any = parts.clone();
            any[3] = "*";
            return Product {
                vendor: parts[1].to_owned(),
                name: parts[2].to_owned(),
                version: version.map(str::to_owned),
                cpe: Some(format!("cpe:2.3:{}", any.join(":"))),
                package: None,
            };
        }
        let body = s
            .strip_prefix("pkg:")
            .expect("the tables' products are CPE 2.3 or purl strings");
        let (path, version) = match body.split_once('@') {
            Some((p, v)) => (p, Some(v.to_owned())),
            None => (body, None),
        };
        let segments: Vec<&str> = path.split('/').collect();
        let (ty, name) = (segments[0], segments[segments.len() - 1]);
        let namespace = segments[1..segments.len() - 1].join("/");
        let collection = match ty {
            "maven" => Some("https://repo.maven.apache.org/maven2/"),
            "npm" => Some("https://www.npmjs.com/"),
            "pypi" => Some("https://pypi.org/"),
            "cargo" => Some("https://crates.io/"),
            _ => None,
        };
        let package = collection.map(|url| {
            let package = if ty == "maven" {
                format!("{namespace}:{name}")
            } else {
                name.to_owned()
            };
            (url, package)
        });
        Product {
            vendor: if namespace.is_empty() {
                name.to_owned()
            } else {
                namespace.rsplit('/').next().unwrap_or(name).to_owned()
            },
            name: name.to_owned(),
            version,
            cpe: None,
            package,
        }
    }
}

/// The version just above `v`: its last run of digits plus one (`7.2.4` → `7.2.5`, `r6.10` →
/// `r6.11`), keeping leading zeros (`04.02.13` → `04.02.14`).
fn next_version(v: &str) -> String {
    let end = v.rfind(|c: char| c.is_ascii_digit()).map_or(0, |i| i + 1);
    let start = v[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &v[start..end];
    let n: u64 = digits.parse().unwrap_or(0) + 1;
    format!(
        "{}{n:0width$}{}",
        &v[..start],
        &v[end..],
        width = digits.len()
    )
}

/// Every distinct product string of the archetypes' catalogues, in table order.
fn products() -> Vec<&'static str> {
    let mut seen = BTreeSet::new();
    ARCHETYPES
        .iter()
        .flat_map(|a| a.products.iter().flat_map(|pool| pool.iter().copied()))
        .filter(|p| seen.insert(*p))
        .collect()
}

/// Packages that no archetype's catalogue lists: they appear only in the demo SBOMs
/// ([`demo_sboms`]), each with a record that covers the version shipped.
const SBOM_PACKAGES: [&str; 6] = [
    "pkg:npm/demo-hmi-widgets@3.1.4",
    "pkg:pypi/demo-modbus-gateway@1.3.2",
    "pkg:maven/org.meridian.demo/historian-core@4.2.0",
    "pkg:npm/demo-scada-websocket@0.9.7",
    "pkg:pypi/demo-dnp3-parser@2.0.11",
    "pkg:cargo/demo-rtu-agent@1.6.0",
];

/// SBOM components no demo record names: (CycloneDX type, purl).
const SBOM_BENIGN: [(&str, &str); 4] = [
    ("library", "pkg:npm/demo-chart-kit@5.0.2"),
    ("library", "pkg:pypi/demo-config-loader@0.4.0"),
    ("firmware", "pkg:generic/meridian-demo/rtos-kernel@11.2"),
    (
        "operating-system",
        "pkg:generic/meridian-demo/embedded-linux@6.1.55",
    ),
];

/// `2025-MM-DD` from a day of the (non-leap) year, 0-based.
fn date(day: u32) -> String {
    const MONTHS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = day % 365;
    let mut month = 0;
    while d >= MONTHS[month] {
        d -= MONTHS[month];
        month += 1;
    }
    format!("2025-{:02}-{:02}", month + 1, d + 1)
}

/// One record's draw.
struct Record {
    id: String,
    product: &'static str,
    parsed: Product,
    vote: &'static Vote,
    covered: bool,
    weakness: (&'static str, &'static str, &'static str),
    published: u32,
    epss: f64,
}

fn records(seed: u64) -> Vec<Record> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ 0x5EC0_D3E0_0000_0001));
    let rotation = rng.random_range(0..VOTES.len());
    let table = products().len();
    products()
        .into_iter()
        .chain(SBOM_PACKAGES)
        .enumerate()
        .map(|(i, product)| {
            let parsed = Product::parse(product);
            let vote = &VOTES[(i + rotation) % VOTES.len()];
            // The SBOM-only packages are always covered, so the SBOMs give findings.
            let covered = parsed.version.is_none() || !rng.random_bool(0.25) || i >= table;
            let weakness = WEAKNESSES[rng.random_range(0..WEAKNESSES.len())];
            let epss = match vote.exploitation {
                "active" => rng.random_range(0.3..0.97),
                "poc" => rng.random_range(0.02..0.3),
                _ => rng.random_range(0.0005..0.02),
            };
            Record {
                id: format!("{DEMO_CVE_PREFIX}{:04}", i + 1),
                product,
                parsed,
                vote,
                covered,
                weakness,
                published: rng.random_range(0..300),
                epss,
            }
        })
        .collect()
}

fn cve_json(r: &Record) -> Value {
    let p = &r.parsed;
    let published = format!("{}T12:00:00.000Z", date(r.published));
    let (cwe, cwe_name, flaw) = r.weakness;
    let mut affected = json!({
        "vendor": p.vendor,
        "product": p.name,
        "defaultStatus": "unaffected",
    });
    match &p.version {
        Some(v) => {
            let fixed = if r.covered {
                next_version(v)
            } else {
                v.clone()
            };
            affected["versions"] = json!([{
                "version": "0",
                "lessThan": fixed,
                "status": "affected",
                "versionType": "custom",
            }]);
        }
        None => affected["defaultStatus"] = json!("affected"),
    }
    if let Some(cpe) = &p.cpe {
        affected["cpes"] = json!([cpe]);
    }
    if let Some((url, package)) = &p.package {
        affected["collectionURL"] = json!(url);
        affected["packageName"] = json!(package);
    }
    let v = r.vote;
    let score = match (v.technical_impact, v.automatable) {
        ("total", "yes") => (9.8, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CRITICAL"),
        ("total", _) => (8.1, "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "HIGH"),
        (_, "yes") => (7.5, "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "HIGH"),
        _ => (5.3, "AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:L", "MEDIUM"),
    };
    json!({
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": r.id,
            "assignerOrgId": CNA_ORG_ID,
            "assignerShortName": DEMO_CNA,
            "state": "PUBLISHED",
            "dateReserved": format!("{}T00:00:00.000Z", date(r.published.saturating_sub(30))),
            "datePublished": published,
            "dateUpdated": published,
        },
        "containers": {
            "cna": {
                "providerMetadata": { "orgId": CNA_ORG_ID, "shortName": DEMO_CNA },
                "title": format!("[DEMO] {cwe_name} in {} {} (synthetic)", p.vendor, p.name),
                "descriptions": [{
                    "lang": "en",
                    "value": format!(
                        "[DEMO] Synthetic vulnerability of the Meridian demo world, not a real \
                         advisory: {flaw} of {} {} ({}).",
                        p.vendor, p.name, r.product
                    ),
                }],
                "affected": [affected],
                "problemTypes": [{ "descriptions": [{
                    "type": "CWE", "lang": "en", "cweId": cwe, "description": format!("{cwe} {cwe_name}"),
                }]}],
                "metrics": [{ "format": "CVSS", "cvssV3_1": {
                    "version": "3.1",
                    "baseScore": score.0,
                    "vectorString": format!("CVSS:3.1/{}", score.1),
                    "baseSeverity": score.2,
                }}],
                "references": [{ "url": format!("https://meridian.invalid/demo/{}", r.id) }],
            },
            "adp": [{
                "providerMetadata": { "orgId": ADP_ORG_ID, "shortName": "meridian-demo-adp" },
                "title": "[DEMO] Synthetic ADP enrichment (CISA vulnrichment shape)",
                "metrics": [{ "other": { "type": "ssvc", "content": {
                    "id": r.id,
                    "timestamp": published,
                    "role": "CISA Coordinator",
                    "version": "2.0.3",
                    "options": [
                        { "Exploitation": v.exploitation },
                        { "Automatable": v.automatable },
                        { "Technical Impact": v.technical_impact },
                    ],
                }}}],
            }],
        },
    })
}

fn kev_json(records: &[Record]) -> Value {
    let listed: Vec<Value> = records
        .iter()
        .filter(|r| {
            r.covered
                && r.vote.exploitation == "active"
                && r.vote.automatable == "yes"
                && r.vote.technical_impact == "total"
        })
        .map(|r| {
            let added = r.published + 7;
            json!({
                "cveID": r.id,
                "vendorProject": r.parsed.vendor,
                "product": r.parsed.name,
                "vulnerabilityName": format!("[DEMO] {} {} {}", r.parsed.vendor, r.parsed.name, r.weakness.1),
                "dateAdded": date(added),
                "shortDescription": format!("[DEMO] Synthetic: {} of {} {}.", r.weakness.2, r.parsed.vendor, r.parsed.name),
                "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
                "dueDate": date(added + 21),
                "knownRansomwareCampaignUse": "Unknown",
                "notes": format!("https://meridian.invalid/demo/{}", r.id),
                "cwes": [r.weakness.0],
            })
        })
        .collect();
    json!({
        "title": "[DEMO] Known Exploited Vulnerabilities of the Meridian demo world (synthetic)",
        "catalogVersion": "2099.01.01-demo",
        "dateReleased": "2025-12-31T00:00:00.000Z",
        "count": listed.len(),
        "vulnerabilities": listed,
    })
}

fn epss_csv(records: &[Record]) -> String {
    let mut out = String::from(
        "#model_version:demo,score_date:2025-12-31T00:00:00+0000\ncve,epss,percentile\n",
    );
    for r in records {
        // Roughly FIRST's shape: a score of 0.001 sits near the 25th percentile, 0.1 near the 90th.
        let percentile = r.epss.powf(0.2).min(0.99999);
        out.push_str(&format!("{},{:.9},{:.9}\n", r.id, r.epss, percentile));
    }
    out
}

/// The demo intel corpus of seed `seed`: `(file name, bytes)` of one CVE 5.1 record per product
/// of the tables (`CVE-2099-9NNNN.json`), then `kev-demo.json` and `epss-demo.csv`. Import them
/// in this order.
pub fn demo_intel(seed: u64) -> Vec<(String, Vec<u8>)> {
    let records = records(seed);
    let mut out: Vec<(String, Vec<u8>)> = records
        .iter()
        .map(|r| {
            let bytes = serde_json::to_vec_pretty(&cve_json(r)).expect("JSON values serialise");
            (format!("{}.json", r.id), bytes)
        })
        .collect();
    out.push((
        "kev-demo.json".to_owned(),
        serde_json::to_vec_pretty(&kev_json(&records)).expect("JSON values serialise"),
    ));
    out.push(("epss-demo.csv".to_owned(), epss_csv(&records).into_bytes()));
    out
}

/// A version 4 `urn:uuid:` from 128 random bits.
fn urn_uuid(bits: u128) -> String {
    let b = (bits & !(0xF000 << 64) & !(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48);
    let h = format!("{b:032x}");
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// One CycloneDX 1.5 component of a purl `pkg:type/…/name@version`.
fn cdx_component(ty: &str, purl: &str) -> Value {
    let (path, version) = purl.split_once('@').expect("versioned purls");
    let name = path.rsplit('/').next().unwrap_or(path);
    json!({
        "type": ty,
        "bom-ref": purl,
        "name": name,
        "version": version,
        "purl": purl,
    })
}

/// Synthetic CycloneDX 1.5 SBOMs for some of `candidates` (`(asset id, asset name)` of assets
/// that run software): up to 8 of them, drawn by the seed, each listing a firmware or operating
/// system, a benign library and two or three of the [`SBOM_PACKAGES`] that demo records cover.
/// Returns `(asset id, file name, bytes)`; the same seed and candidates give the same bytes.
pub fn demo_sboms(seed: u64, candidates: &[(String, String)]) -> Vec<(String, String, Vec<u8>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ 0x5EC0_D3E0_0000_0002));
    let mut picked: Vec<usize> = (0..candidates.len()).collect();
    for i in 0..picked.len().min(8) {
        let j = rng.random_range(i..picked.len());
        picked.swap(i, j);
    }
    picked.truncate(8);
    picked.sort_unstable();
    picked
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let (id, name) = &candidates[i];
            let base = SBOM_BENIGN[2 + rng.random_range(0..2)];
            let mut components = vec![cdx_component(base.0, base.1)];
            let library = SBOM_BENIGN[rng.random_range(0..2)];
            components.push(cdx_component(library.0, library.1));
            let first = rng.random_range(0..SBOM_PACKAGES.len());
            for k in 0..rng.random_range(2..=3) {
                let purl = SBOM_PACKAGES[(first + 2 * k) % SBOM_PACKAGES.len()];
                components.push(cdx_component("library", purl));
            }
            let bom = json!({
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "serialNumber": urn_uuid(rng.random()),
                "version": 1,
                "metadata": {
                    "timestamp": format!("{}T00:00:00Z", date(rng.random_range(0..300))),
                    "component": {
                        "type": "device",
                        "bom-ref": format!("asset:{id}"),
                        "name": name,
                        "description": format!("[DEMO] Synthetic SBOM of asset {id}"),
                    },
                },
                "components": components,
            });
            let bytes = serde_json::to_vec_pretty(&bom).expect("JSON values serialise");
            (
                id.clone(),
                format!("sbom-demo-{:02}.cdx.json", n + 1),
                bytes,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_step_up_by_their_last_number() {
        assert_eq!(next_version("7.2.4"), "7.2.5");
        assert_eq!(next_version("r6.10"), "r6.11");
        assert_eq!(next_version("04.02.13"), "04.02.14");
        assert_eq!(next_version("2023"), "2024");
        assert_eq!(next_version("8.180"), "8.181");
        assert_eq!(next_version("2.17.1"), "2.17.2");
    }

    #[test]
    fn dates_walk_the_calendar() {
        assert_eq!(date(0), "2025-01-01");
        assert_eq!(date(31), "2025-02-01");
        assert_eq!(date(364), "2025-12-31");
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        assert_eq!(demo_intel(42), demo_intel(42));
        assert_ne!(demo_intel(42), demo_intel(7));
    }

    #[test]
    fn every_document_parses_with_the_intel_parsers() {
        for seed in [0, 7, 42] {
            let docs = demo_intel(seed);
            let products = records(seed);
            assert_eq!(docs.len(), products.len() + 2);
            let mut ids = Vec::new();
            for (name, bytes) in &docs[..products.len()] {
                let (r, diags) = intel::cve::parse_cve(bytes).expect(name);
                assert!(diags.is_empty(), "{name}: {diags:?}");
                assert!(r.cve_id.starts_with(DEMO_CVE_PREFIX), "{name}");
                assert_eq!(r.cve_id.len(), "CVE-2099-90001".len());
                assert_eq!(format!("{}.json", r.cve_id), *name);
                assert_eq!(r.assigner.as_deref(), Some(DEMO_CNA));
                assert!(
                    r.description
                        .as_deref()
                        .is_some_and(|d| d.starts_with("[DEMO]"))
                );
                assert!(r.ssvc.is_some(), "{name}: an SSVC vote");
                assert_eq!(r.affected.len(), 1);
                ids.push(r.cve_id);
            }
            let (kev, diags) = intel::kev::parse_kev(&docs[products.len()].1).expect("KEV");
            assert!(diags.is_empty(), "{diags:?}");
            assert!(
                kev.title
                    .as_deref()
                    .is_some_and(|t| t.starts_with("[DEMO]"))
            );
            assert!((1..=ids.len() / 3).contains(&kev.vulnerabilities.len()));
            assert!(kev.vulnerabilities.iter().all(|e| ids.contains(&e.cve_id)));
            let (epss, diags) = intel::epss::parse_epss(&docs[products.len() + 1].1).expect("EPSS");
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(epss.model_version.as_deref(), Some("demo"));
            assert_eq!(epss.scores.len(), ids.len());
        }
    }

    /// Every record matches the product it was written for (at its deployed version when it
    /// covers it), and the versioned ones that stop at the deployed version do not.
    #[test]
    fn records_match_their_products_where_they_cover_them() {
        let docs = demo_intel(42);
        let mut index = intel::matching::Index::new();
        let records = records(42);
        for (_, bytes) in &docs[..records.len()] {
            index.add_cve(&intel::cve::parse_cve(bytes).expect("parses").0);
        }
        let items: Vec<intel::matching::Item> = records
            .iter()
            .enumerate()
            .map(|(i, r)| intel::matching::Item::parse(&i.to_string(), r.product).expect(r.product))
            .collect();
        let matches = index.match_items(&items);
        let mut uncovered = 0;
        for (i, r) in records.iter().enumerate() {
            let hit = matches
                .findings
                .iter()
                .any(|f| f.item == i.to_string() && f.cve == r.id);
            assert_eq!(hit, r.covered, "{} on {}", r.id, r.product);
            uncovered += usize::from(!r.covered);
        }
        assert!(uncovered > 0, "some deployed versions are already fixed");
    }

    #[test]
    fn every_sbom_parses_and_has_covered_components() {
        let candidates: Vec<(String, String)> = (0..30)
            .map(|i| (format!("A{i}"), format!("Asset {i}")))
            .collect();
        let mut index = intel::matching::Index::new();
        for (_, bytes) in &demo_intel(42)[..records(42).len()] {
            index.add_cve(&intel::cve::parse_cve(bytes).expect("parses").0);
        }
        for seed in [0, 7, 42] {
            let sboms = demo_sboms(seed, &candidates);
            assert_eq!(sboms, demo_sboms(seed, &candidates));
            assert_eq!(sboms.len(), 8);
            for (asset, name, bytes) in &sboms {
                let (sbom, diags) = intel::sbom::parse_cyclonedx(bytes).expect(name);
                assert!(diags.is_empty(), "{name}: {diags:?}");
                let items: Vec<intel::matching::Item> = sbom
                    .components
                    .iter()
                    .enumerate()
                    .map(|(i, c)| intel::matching::Item::from_component(&i.to_string(), c))
                    .collect();
                let hits = index.match_items(&items).findings.len();
                assert!(hits >= 2, "{name} of {asset}: {hits} findings");
            }
        }
        assert_eq!(demo_sboms(1, &candidates[..3]).len(), 3);
    }
}
