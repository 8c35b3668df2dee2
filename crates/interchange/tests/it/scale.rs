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
        .unwrap_or(1_000_000);
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
    for i in 0..5 * n {
        writeln!(
            dependencies,
            "asset:{},asset:{},cyber,0.5,{}",
            i % n,
            (i * 7 + 1) % n,
            i % 24
        )
        .expect("write");
    }
    let start = Instant::now();
    let assets = interchange::parse_csv("assets.csv", assets.as_bytes()).expect("assets parse");
    let asset_time = start.elapsed();
    let dependencies = interchange::parse_csv("dependencies.csv", dependencies.as_bytes())
        .expect("dependencies parse");
    let total = start.elapsed();
    eprintln!(
        "parsed {} assets in {asset_time:.2?} and {} dependencies in {:.2?}",
        assets.atlas.assets.len(),
        dependencies.atlas.dependencies.len(),
        total - asset_time
    );
    assert_eq!(
        (
            assets.atlas.assets.len(),
            dependencies.atlas.dependencies.len()
        ),
        (n, 5 * n)
    );
}
