//! Times Monte Carlo (§2.6), N-2 contingency (§2.7) and the atlas-derived IIM (§2.8) on a
//! seeded synthetic world of `N` assets: asset `i` depends on providers drawn uniformly from
//! `0..i` — one redundancy group of two providers and, with probability 0.3, one more
//! required provider — with strengths in {0.5, 0.7, 0.9, 1}; 20 % of the assets are foreign
//! with initial failure probability 0.002; 1 % carry an NCF; one sector per asset.
//!
//! `cargo run --release -p graph --example simulate -- [N] [trials] [K]` (defaults 100000 1000 40).

use std::time::Instant;

use graph::contingency::{Candidates, worst_pairs};
use graph::csr::Graph;
use graph::iim::Interdependency;
use graph::montecarlo::{Options, run};
use model::{CompactAtlas, NO_GROUP};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn world(n: usize, seed: u64) -> CompactAtlas {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut a = CompactAtlas {
        ncf_offsets: vec![0],
        group_names: vec!["g".into()],
        ..CompactAtlas::default()
    };
    for i in 0..n {
        a.ids.push(format!("a{i}"));
        a.country
            .push(if rng.random_bool(0.2) { *b"FR" } else { *b"US" });
        a.owner_country.push(None);
        a.weight.push(1.0);
        a.sectors.push(1 << rng.random_range(0..16));
        if rng.random_bool(0.01) {
            a.ncf_ids.push(rng.random_range(0..55));
        }
        a.ncf_offsets.push(a.ncf_ids.len() as u32);
        a.lat.push(f32::NAN);
        a.lon.push(f32::NAN);
        if i == 0 {
            continue;
        }
        let required = rng.random_bool(0.3);
        for group in [0, 0, NO_GROUP]
            .into_iter()
            .take(if required { 3 } else { 2 })
        {
            a.edge_dependent.push(i as u32);
            a.edge_provider.push(rng.random_range(0..i as u32));
            a.edge_group.push(group);
            a.edge_strength
                .push([0.5, 0.7, 0.9, 1.0][rng.random_range(0..4)]);
            a.edge_tolerance.push(0.0);
        }
    }
    a
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let (n, trials, k) = (arg(0, 100_000), arg(1, 1_000) as u64, arg(2, 40));
    println!("threads: {}", rayon::current_num_threads());

    let t = Instant::now();
    let atlas = world(n, 1);
    let graph = Graph::new(&atlas, *b"US");
    println!(
        "world of {n} assets, {} dependencies, built in {:.2?}",
        atlas.edge_count(),
        t.elapsed()
    );

    let p: Vec<f64> = (0..n as u32)
        .map(|a| if graph.is_foreign(a) { 0.002 } else { 0.0 })
        .collect();
    let t = Instant::now();
    let summary = run(&graph, &p, &Options::new(trials, 7), None).expect("valid probabilities");
    let elapsed = t.elapsed();
    let failing: f64 = summary.asset_failure_share.iter().sum();
    println!(
        "Monte Carlo: {trials} trials in {elapsed:.2?} ({:.2?} per trial); mean failed assets {failing:.1}, impact mean {:.4} p5 {:.4} p95 {:.4}",
        elapsed / trials as u32,
        summary.impact.mean,
        summary.impact.p5,
        summary.impact.p95
    );

    let t = Instant::now();
    let pairs =
        worst_pairs(&graph, Candidates::Top(k), Some(10), None).expect("ranked assets are valid");
    let elapsed = t.elapsed();
    let worst = pairs.first().map_or(0.0, |p| p.joint);
    println!(
        "N-2 over the top {k} ({} pairs, ranking included) in {elapsed:.2?}; worst joint impact {worst:.4}",
        k * (k - 1) / 2
    );

    let t = Instant::now();
    let iim = Interdependency::from_graph(&graph).expect("derived A* is always well posed");
    let q = iim.static_inoperability(&[0.1; 16]).expect("valid c*");
    println!(
        "IIM from the atlas + one static solve in {:.2?}; q[0] = {:.4}",
        t.elapsed(),
        q[0]
    );
}
