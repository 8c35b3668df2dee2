//! Reproduces the Buldyrev et al. (2010) collapse of coupled Erdős–Rényi networks and times it.
//!
//! `cargo run --release -p graph --example percolation -- [N] [<k>] [realisations] [seed]`
//! (defaults 100000 4 4 2010).

use std::time::Instant;

use graph::percolation::{Scratch, Search, er_critical_points, er_realisation};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: f64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (nodes, k, realisations, seed) = (
        arg(0, 1e5) as usize,
        arg(1, 4.0),
        arg(2, 4.0) as u64,
        arg(3, 2010.0) as u64,
    );
    let theory = 2.455407 / k;

    let t = Instant::now();
    let (net, order) = er_realisation(nodes, k, seed, 0);
    let build = t.elapsed();
    println!("N = {nodes} per layer, <k> = {k}: build {build:.2?}");
    // Best of 5 wall-clock runs per point, so that load from other processes counts least.
    let mut s = Scratch::default();
    for p in [theory, 0.8] {
        let mut best = None;
        let mut out = net.cascade_at(&order, p, &mut s);
        for _ in 0..5 {
            let t = Instant::now();
            out = net.cascade_at(&order, p, &mut s);
            let elapsed = t.elapsed();
            best = Some(best.map_or(elapsed, |b: std::time::Duration| b.min(elapsed)));
        }
        let best = best.expect("five runs");
        println!(
            "one cascade at p = {p:.4}: {best:.2?} (best of 5), {} iterations, P = {:.4}",
            out.iterations,
            out.fraction()
        );
    }

    let search = Search {
        threshold: 0.05,
        tolerance: 0.001,
    };
    let t = Instant::now();
    let pcs = er_critical_points(nodes, k, seed, realisations, search, |_| {});
    let elapsed = t.elapsed();
    let found: Vec<f64> = pcs.iter().flatten().copied().collect();
    let mean = found.iter().sum::<f64>() / found.len().max(1) as f64;
    println!("p_c per realisation (seed {seed}): {pcs:?}");
    println!(
        "mean p_c = {mean:.4} (theory 2.4554/<k> = {theory:.4}); {realisations} bisections in {elapsed:.2?}"
    );
}
