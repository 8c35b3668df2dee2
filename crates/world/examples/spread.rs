//! The spread of the §2.4 ranking over a demo world's foreign assets, with the top entries:
//! `cargo run --release -p world --example spread -- [assets] [seed] [top]`.

use world::{World, WorldSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let assets: usize = args.first().map_or(Ok(2_000), |a| a.parse())?;
    let seed: u64 = args.get(1).map_or(Ok(42), |s| s.parse())?;
    let top: usize = args.get(2).map_or(Ok(20), |s| s.parse())?;
    let world = World::new(WorldSpec {
        seed,
        assets,
        home: "US".to_owned(),
    })?;
    let assets: Vec<_> = world.assets().collect();
    let deps: Vec<_> = world.dependencies().collect();
    let (mut a, mut d) = (Vec::new(), Vec::new());
    interchange::write_assets_csv(&assets, &mut a)?;
    interchange::write_dependencies_csv(&deps, &mut d)?;
    let atlas = interchange::read_compact("assets.csv", &a, "dependencies.csv", &d)
        .map_err(|e| format!("{e:?}"))?;
    let graph = graph::csr::Graph::new(&atlas, *b"US");
    let (rows, owned): (Vec<_>, Vec<_>) = graph::rank::rank(&graph)
        .into_iter()
        .partition(|r| graph.is_foreign(r.asset));
    let mut impacts: Vec<f64> = rows.iter().map(|r| r.impact).collect();
    impacts.sort_by(f64::total_cmp);
    let n = impacts.len();
    let positive = impacts.iter().filter(|&&i| i > 0.0).count();
    println!(
        "seed {seed}, {} assets: {n} foreign; max {:.2}, p90 {:.3}, median {:.3}, {positive} ({:.1}%) > 0, {} > 22",
        assets.len(),
        impacts[n - 1],
        impacts[n * 9 / 10],
        impacts[n / 2],
        100.0 * positive as f64 / n as f64,
        impacts.iter().filter(|&&i| i > 22.0).count(),
    );
    if let Some(worst) = owned.first() {
        println!(
            "{} foreign-owned domestic assets, the worst {} at {:.2}",
            owned.len(),
            assets[worst.asset as usize].id,
            worst.impact
        );
    }
    for r in rows.iter().take(top) {
        let c = graph::cascade::cascade(&graph, &[r.asset]);
        let last = c.failed.iter().map(|f| f.time_hours).fold(0.0, f64::max);
        println!(
            "{:8.2}  {:40} failed {:5}  last at {last:.0} h",
            r.impact,
            assets[r.asset as usize].id,
            c.failed.len()
        );
    }
    Ok(())
}
