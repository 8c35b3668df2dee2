//! CSV throughput at the sizes PRODUCT.md §7 benchmarks use. Set `RUN_SLOW_TESTS=1`; the sizes
//! can be changed with `SCALE_ASSETS` (dependencies are five times as many).

use std::fmt::Write;
use std::time::Instant;

#[test]
fn million_assets_five_million_dependencies() {
    if std::env::var_os("RUN_SLOW_TESTS").is_none() {
        eprintln!("skipped: set RUN_SLOW_TESTS=1 to parse 1M assets and 5M dependencies");
        return;
    }
    let n: usize = std::env::var("SCALE_ASSETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
        .max(30);
    let mut assets = String::from("id,name,kind,country,sectors,ncfs,lat,lon,weight\n");
    for i in 0..n {
        writeln!(
            assets,
            "asset:{i},Asset {i},facility,US,ENERGY;WATER,NCF-D01,{}.5,-{}.25,1",
            i % 80,
            i % 170
        )
        .expect("write");
    }
    let mut dependencies = String::from("dependent,provider,kind,strength,tolerance_hours\n");
    // Asset r depends on r + 1, r + 8, ..., r + 29 (mod n): no duplicates, no self-loops.
    for i in 0..5 * n {
        let (round, r) = (i / n, i % n);
        writeln!(
            dependencies,
            "asset:{r},asset:{},cyber,0.5,{}",
            (r + 1 + 7 * round) % n,
            i % 24
        )
        .expect("write");
    }
    let start = Instant::now();
    let mut batch = interchange::parse_csv("assets.csv", assets.as_bytes()).expect("assets parse");
    let asset_time = start.elapsed();
    let dependencies = interchange::parse_csv("dependencies.csv", dependencies.as_bytes())
        .expect("dependencies parse");
    let parse_time = start.elapsed();
    batch.merge(dependencies);
    let errors = interchange::check_batch(&batch, |_| false);
    let check_time = start.elapsed();
    let mut out = Vec::new();
    interchange::write_dependencies_csv(&batch.atlas.dependencies, &mut out).expect("export");
    eprintln!(
        "{n} assets parsed in {asset_time:.2?}, {} dependencies in {:.2?}; batch checked in {:.2?}; \
         dependencies written in {:.2?}",
        5 * n,
        parse_time - asset_time,
        check_time - parse_time,
        start.elapsed() - check_time,
    );
    assert_eq!(errors, []);
    assert_eq!(
        (batch.atlas.assets.len(), batch.atlas.dependencies.len()),
        (n, 5 * n)
    );
}
