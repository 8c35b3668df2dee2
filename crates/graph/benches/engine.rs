//! Engine benchmarks on a seeded synthetic hostile graph built inline: `MERIDIAN_BENCH_N`
//! assets (default 100,000) with about 5 dependencies each, heavy-tailed degrees, a giant
//! strongly connected core of half the nodes, ~20% foreign, ~1% NCF-carrying, pure AND.
//!
//! `MERIDIAN_BENCH_N=1000000 cargo bench -p graph --bench engine`

use criterion::{Criterion, criterion_group, criterion_main};
use graph::cascade::cascade;
use graph::closure::{closure_sizes, weak_components};
use graph::csr::Graph;
use graph::dominators::DominatorTree;
use graph::rank::rank;
use graph::scc::Condensation;
use model::{CompactAtlas, NO_GROUP};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn hostile(n: usize, seed: u64) -> CompactAtlas {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Random labels, so that structure does not follow index order.
    let mut label: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        label.swap(i, rng.random_range(0..=i));
    }
    let core = n / 2;
    let skewed = |rng: &mut ChaCha8Rng, len: usize| {
        ((len as f64 * rng.random::<f64>().powi(3)) as usize).min(len - 1)
    };
    let mut a = CompactAtlas {
        ncf_offsets: vec![0],
        ..CompactAtlas::default()
    };
    for _ in 0..n {
        a.ids.push(String::new());
        a.country
            .push(if rng.random_bool(0.2) { *b"FR" } else { *b"US" });
        a.owner_country.push(None);
        a.weight.push(1.0);
        a.sectors.push(1);
        if rng.random_bool(0.01) {
            a.ncf_ids.push(rng.random_range(0..55));
        }
        a.ncf_offsets.push(a.ncf_ids.len() as u32);
        a.lat.push(f32::NAN);
        a.lon.push(f32::NAN);
    }
    let edge = |a: &mut CompactAtlas, d: usize, p: usize| {
        a.edge_dependent.push(label[d]);
        a.edge_provider.push(label[p]);
        a.edge_group.push(NO_GROUP);
        a.edge_strength.push(1.0);
        a.edge_tolerance.push(0.0);
    };
    for i in 0..n {
        let out = ((3.0 * rng.random::<f64>().max(1e-12).powf(-1.0 / 2.2)) as usize).min(500);
        if i < core {
            edge(&mut a, i, (i + 1) % core);
        }
        for _ in 0..out {
            let p = if i <= core || rng.random_bool(0.7) {
                skewed(&mut rng, core)
            } else {
                core + skewed(&mut rng, i - core)
            };
            if p != i {
                edge(&mut a, i, p);
            }
        }
    }
    a
}

fn engine(c: &mut Criterion) {
    let n: usize = std::env::var("MERIDIAN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let atlas = hostile(n, 7);
    let graph = Graph::new(&atlas, *b"US");
    let cond = Condensation::new(&graph);
    let big = (0..cond.count() as u32)
        .map(|c| cond.size(c))
        .max()
        .unwrap_or(0);
    eprintln!(
        "hostile graph: {n} assets, {} edges, {} SCCs, largest {big}",
        atlas.edge_count(),
        cond.count()
    );
    // A foreign core hub: its failure takes down the core and everything above it.
    let hub = (0..n as u32)
        .filter(|&v| graph.is_foreign(v))
        .max_by_key(|&v| (graph.supplies(v).len(), std::cmp::Reverse(v)))
        .unwrap_or(0);
    let sources: Vec<u32> = (0..1000u64)
        .map(|i| ((i * 2_654_435_761) % n as u64) as u32)
        .collect();

    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.bench_function("graph_new", |b| {
        b.iter(|| Graph::new(black_box(&atlas), *b"US"))
    });
    g.bench_function("cascade_hub", |b| {
        b.iter(|| cascade(&graph, black_box(&[hub])))
    });
    g.bench_function("rank_pure_and", |b| b.iter(|| rank(black_box(&graph))));
    g.bench_function("condensation", |b| {
        b.iter(|| Condensation::new(black_box(&graph)))
    });
    g.bench_function("closure_sizes_1000", |b| {
        b.iter(|| closure_sizes(&graph, &cond, black_box(&sources)))
    });
    g.bench_function("dominator_tree", |b| {
        b.iter(|| DominatorTree::new(black_box(&graph), &cond))
    });
    g.bench_function("weak_components", |b| {
        b.iter(|| weak_components(black_box(&graph)))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
