//! Times one streaming pass over a generated world, touching every record:
//! `cargo run --release -p world --example generate -- [demo|hostile] [assets] [seed]`.

use std::time::Instant;

use world::{World, WorldSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("demo", String::as_str);
    let assets: usize = args.get(1).map_or(Ok(1_000_000), |a| a.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(1), |s| s.parse())?;
    let started = Instant::now();
    let world = match kind {
        "hostile" => World::hostile(seed, assets),
        _ => World::new(WorldSpec {
            seed,
            assets,
            home: "US".to_owned(),
        })?,
    };
    let (mut bytes, mut deps) = (0usize, 0usize);
    for a in world.assets() {
        bytes += a.id.len() + a.name.len();
    }
    let assets_done = started.elapsed();
    for d in world.dependencies() {
        bytes += d.provider.len();
        deps += 1;
    }
    let total = started.elapsed();
    println!(
        "{kind} seed {seed}: {} assets in {:.2} s, {deps} dependencies, {:.2} s in all ({bytes} id bytes)",
        world.asset_count(),
        assets_done.as_secs_f64(),
        total.as_secs_f64(),
    );
    Ok(())
}
