//! Scale check (PRODUCT.md §8 "Intel"): 1,000,000 synthetic SBOM components matched against all
//! of KEV plus 300,000 generated CVE 5 version ranges shaped like the real vulnrichment records
//! (vendor/product, a CPE with ADP-style trailing-space `lessThan`, a third with npm
//! `collectionURL`/`packageName`, some `unaffected` entries). Deterministic (fixed seed).
//!
//! `cargo run --release -p intel --example scale [-- <components> <ranges>]`

use std::time::Instant;

use intel::cve::{Affected, AffectedVersion, CveRecord, CveState, VersionStatus};
use intel::matching::{Index, Item};

/// xorshift64*: enough to spread synthetic names, and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// CPU seconds used by this process so far (user + system, from `/proc/self/stat`), so figures
/// stay meaningful on a machine shared with other builds; `None` off Linux.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Wall milliseconds and CPU seconds of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, u128, Option<f64>) {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let out = f();
    let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
    (out, t.elapsed().as_millis(), cpu)
}

fn report(what: &str, wall_ms: u128, cpu: Option<f64>) {
    match cpu {
        Some(cpu) => println!("{what:<20} {wall_ms:>6} ms wall, {cpu:>6.2} s CPU"),
        None => println!("{what:<20} {wall_ms:>6} ms wall"),
    }
}

const VENDORS: u64 = 5_000;
const PRODUCTS_PER_VENDOR: u64 = 10;

fn record(i: u64, rng: &mut Rng) -> CveRecord {
    let (v, p) = (rng.below(VENDORS), rng.below(PRODUCTS_PER_VENDOR));
    let (major, fix) = (rng.below(12), rng.below(30));
    let versions = vec![
        AffectedVersion {
            version: format!("{major}.0.0"),
            status: VersionStatus::Affected,
            version_type: Some(
                if i.is_multiple_of(2) {
                    "custom"
                } else {
                    "semver"
                }
                .to_owned(),
            ),
            less_than: Some(format!("{major}.{fix}.{} ", rng.below(10))),
            less_than_or_equal: None,
        },
        AffectedVersion {
            version: format!("{}.0.0", major + 1),
            status: VersionStatus::Unaffected,
            version_type: None,
            less_than: None,
            less_than_or_equal: None,
        },
    ];
    let mut affected = Affected {
        provider: "CISA-ADP".to_owned(),
        vendor: Some(format!("vendor{v}")),
        product: Some(format!("product{p}")),
        collection_url: None,
        package_name: None,
        cpes: vec![format!(
            "cpe:2.3:a:vendor{v}:product{p}:{major}.0.0:*:*:*:*:*:*:*"
        )],
        default_status: Some(VersionStatus::Unknown),
        versions,
        platforms: Vec::new(),
    };
    if i.is_multiple_of(3) {
        affected.collection_url = Some("https://www.npmjs.com".to_owned());
        affected.package_name = Some(format!("vendor{v}-product{p}"));
    }
    CveRecord {
        cve_id: format!("CVE-2030-{:07}", i),
        state: CveState::Published,
        data_version: "5.1".to_owned(),
        assigner: None,
        date_published: None,
        date_updated: None,
        title: None,
        description: None,
        affected: vec![affected],
        ssvc: None,
        kev: None,
        cwes: Vec::new(),
        cvss: Vec::new(),
    }
}

fn component(i: u64, rng: &mut Rng) -> String {
    // Half the components name products that exist in the index, half do not.
    let known = rng.below(2) == 0;
    let v = if known {
        rng.below(VENDORS)
    } else {
        VENDORS + rng.below(100_000)
    };
    let p = rng.below(PRODUCTS_PER_VENDOR);
    let version = format!("{}.{}.{}", rng.below(12), rng.below(30), rng.below(10));
    match i % 3 {
        0 => format!("pkg:npm/vendor{v}-product{p}@{version}"),
        1 => format!("cpe:2.3:a:vendor{v}:product{p}:{version}:*:*:*:*:*:*:*"),
        _ => format!("vendor{v}:product{p}:{version}"),
    }
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>().expect("numbers"));
    let components = args.next().unwrap_or(1_000_000);
    let ranges = args.next().unwrap_or(300_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    let kev_path = test_support::shared_data("kev/known_exploited_vulnerabilities.json");
    let bytes = std::fs::read(&kev_path).unwrap_or_else(|e| panic!("{}: {e}", kev_path.display()));
    let ((catalog, _), kev_ms, kev_cpu) =
        timed(|| intel::kev::parse_kev(&bytes).expect("KEV loads"));

    let records: Vec<CveRecord> = (0..ranges).map(|i| record(i, &mut rng)).collect();
    let (index, index_ms, index_cpu) = timed(|| {
        let mut index = Index::new();
        index.add_kev(&catalog);
        for r in &records {
            index.add_cve(r);
        }
        index
    });
    drop(records);

    let strings: Vec<String> = (0..components).map(|i| component(i, &mut rng)).collect();
    let (items, parse_ms, parse_cpu) = timed(|| {
        strings
            .iter()
            .enumerate()
            .map(|(i, s)| Item::parse(&format!("c{i}"), s).expect("synthetic item parses"))
            .collect::<Vec<Item>>()
    });
    let (matches, match_ms, match_cpu) = timed(|| index.match_items(&items));

    println!("KEV entries          {}", catalog.vulnerabilities.len());
    println!("generated CVE ranges {ranges}");
    println!("index entries        {}", index.len());
    println!("components           {components}");
    println!("findings             {}", matches.findings.len());
    report("KEV parse", kev_ms, kev_cpu);
    report("index build", index_ms, index_cpu);
    report("item parse", parse_ms, parse_cpu);
    report("match", match_ms, match_cpu);
}
