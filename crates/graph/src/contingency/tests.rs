use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use model::{CompactAtlas, NO_GROUP};
use proptest::prelude::*;

use super::*;
use crate::montecarlo::tests::{index, world};

/// Brute force: groups straight from the columns, iterated to a fixpoint, then Σ over NCFs of
/// the failed share of their weight.
fn reference_impact(a: &CompactAtlas, initial: &[u32]) -> f64 {
    let mut groups: BTreeMap<(u32, bool, u32), Vec<u32>> = BTreeMap::new();
    for e in 0..a.edge_count() {
        let g = a.edge_group[e];
        let key = if g == NO_GROUP {
            (false, a.edge_provider[e])
        } else {
            (true, g)
        };
        groups
            .entry((a.edge_dependent[e], key.0, key.1))
            .or_default()
            .push(a.edge_provider[e]);
    }
    let mut failed = vec![false; a.asset_count()];
    initial.iter().for_each(|&i| failed[i as usize] = true);
    let mut changed = true;
    while changed {
        changed = false;
        for ((d, _, _), providers) in &groups {
            if !failed[*d as usize] && providers.iter().all(|&p| failed[p as usize]) {
                failed[*d as usize] = true;
                changed = true;
            }
        }
    }
    let (mut total, mut lost) = (BTreeMap::<u8, f64>::new(), BTreeMap::<u8, f64>::new());
    for (i, &down) in failed.iter().enumerate() {
        let mut ncfs = a.asset_ncfs(i).to_vec();
        ncfs.sort_unstable();
        ncfs.dedup();
        for f in ncfs {
            *total.entry(f).or_default() += a.weight[i];
            *lost.entry(f).or_default() += if down { a.weight[i] } else { 0.0 };
        }
    }
    total
        .iter()
        .filter(|(_, t)| **t > 0.0)
        .map(|(f, t)| lost[f] / t)
        .sum()
}

/// Renders the pairs as `u+v:joint/over_max/over_sum`.
fn check(assets: &str, deps: &str, candidates: &str, limit: Option<usize>, expected: &str) {
    let a = world(assets, deps);
    let g = Graph::new(&a, *b"US");
    let list: Vec<u32> = candidates
        .split_whitespace()
        .map(|c| index(&a, c))
        .collect();
    let pairs = worst_pairs(&g, Candidates::Assets(&list), limit, None).expect("valid candidates");
    let name = |x: u32| a.ids[x as usize].as_str();
    let got: Vec<String> = pairs
        .iter()
        .map(|p| {
            format!(
                "{}+{}:{}/{}/{}",
                name(p.u),
                name(p.v),
                p.joint,
                p.over_max,
                p.over_sum
            )
        })
        .collect();
    assert_eq!(got.join(" "), expected);
}

#[test]
fn hand_worlds() {
    // c needs a or b: only the pair takes c (NCF 0) down; d (NCF 1) needs e alone.
    let assets = "a@FR b@DE c=0 d=1 e@FR";
    let deps = "c>a#g c>b#g d>e";
    // Equal joint impacts: the genuine synergy (over_sum) ranks first.
    check(assets, deps, "a b e", None, "a+b:1/1/1 a+e:1/0/0 b+e:1/0/0");
    check(assets, deps, "a b e", Some(1), "a+b:1/1/1");
    // Repeats are ignored, the order of the list does not matter.
    check(assets, deps, "e b a b", Some(2), "a+b:1/1/1 a+e:1/0/0");
    // Overlapping single cascades: both x and y take z down alone (z needs both).
    check(
        "x@FR=0 y@FR=0 z=0*2",
        "z>x z>y",
        "x y",
        None,
        "x+y:1/0.25/-0.5",
    );
    check("x y", "", "x", None, "");
}

#[test]
fn top_k_from_the_ranking() {
    // Foreign a (impact 1 via c), b (0.5 via d), e (0): top 2 are a and b.
    let a = world("a@FR b@DE e@JP c=0 d=1*1 f=1", "c>a d>b");
    let g = Graph::new(&a, *b"US");
    let pairs = worst_pairs(&g, Candidates::Top(2), None, None).expect("valid");
    assert_eq!(pairs.len(), 1);
    assert_eq!(
        (pairs[0].u, pairs[0].v, pairs[0].joint),
        (index(&a, "a"), index(&a, "b"), 1.5)
    );
    assert_eq!(
        worst_pairs(&g, Candidates::Top(10), None, None)
            .expect("valid")
            .len(),
        3
    );
    let err = worst_pairs(&g, Candidates::Assets(&[0, 9]), None, None).expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "candidate 9 is not an asset of the graph (6 assets)"
    );
}

proptest! {
    /// Every pair's joint and single impacts match brute force; the order is worst first; a
    /// limit keeps a prefix; the result does not depend on the thread count.
    #[test]
    fn matches_brute_force(
        (n, edges, ncfs) in (2usize..14).prop_flat_map(|n| (
            Just(n),
            prop::collection::vec((0..n, 0..n, prop::option::of(0u8..2)), 0..3 * n),
            prop::collection::vec(prop::option::of(0u8..3), n),
        ))
    ) {
        let assets: Vec<String> = ncfs.iter().enumerate().map(|(i, f)| match f {
            Some(f) => format!("n{i}={f}"),
            None => format!("n{i}"),
        }).collect();
        let deps: Vec<String> = edges.iter().map(|(d, p, g)| match g {
            Some(g) => format!("n{d}>n{p}#g{g}"),
            None => format!("n{d}>n{p}"),
        }).collect();
        let a = world(&assets.join(" "), &deps.join(" "));
        let g = Graph::new(&a, *b"US");
        let all: Vec<u32> = (0..n as u32).collect();
        let pairs = worst_pairs(&g, Candidates::Assets(&all), None, None).expect("valid");
        prop_assert_eq!(pairs.len(), n * (n - 1) / 2);
        for p in &pairs {
            prop_assert!(p.u < p.v);
            prop_assert!((p.joint - reference_impact(&a, &[p.u, p.v])).abs() < 1e-9);
            prop_assert!((p.single_u - reference_impact(&a, &[p.u])).abs() < 1e-9);
            prop_assert!((p.single_v - reference_impact(&a, &[p.v])).abs() < 1e-9);
            prop_assert!(p.over_max >= 0.0);
        }
        prop_assert!(pairs.windows(2).all(|w| w[0].joint >= w[1].joint));
        let limited = worst_pairs(&g, Candidates::Assets(&all), Some(3), None).expect("valid");
        prop_assert_eq!(&limited[..], &pairs[..pairs.len().min(3)]);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        prop_assert_eq!(pool.install(|| worst_pairs(&g, Candidates::Assets(&all), None, None)), Ok(pairs));
    }
}

#[test]
fn limit_prunes_per_worker_without_changing_the_result() {
    // 100 candidates = 4,950 pairs, more than a worker keeps before pruning.
    let assets: Vec<String> = (0..100).map(|i| format!("n{i}={}", i % 5)).collect();
    let deps: Vec<String> = (0..100)
        .map(|i| {
            format!(
                "n{i}>n{}#g{} n{i}>n{}#g{}",
                (i * 37 + 11) % 100,
                i % 3,
                (i * 53 + 7) % 100,
                i % 3
            )
        })
        .collect();
    let a = world(&assets.join(" "), &deps.join(" "));
    let g = Graph::new(&a, *b"US");
    let all: Vec<u32> = (0..100).collect();
    let full = worst_pairs(&g, Candidates::Assets(&all), None, None).expect("valid");
    assert_eq!(full.len(), 4_950);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let top = pool
            .install(|| worst_pairs(&g, Candidates::Assets(&all), Some(7), None))
            .expect("valid");
        assert_eq!(top, full[..7]);
    }
}

#[test]
fn progress_counts_every_pair() {
    let a = world("a b c d e", "");
    let g = Graph::new(&a, *b"US");
    let (pairs, calls) = (AtomicU64::new(0), AtomicU64::new(0));
    let report = |n: u64| {
        pairs.fetch_add(n, Ordering::Relaxed);
        calls.fetch_add(1, Ordering::Relaxed);
    };
    let all = [0, 1, 2, 3, 4];
    worst_pairs(&g, Candidates::Assets(&all), None, Some(&report)).expect("valid");
    // Called with 0 before each row (where the caller may stop the run) and with its pairs after.
    assert_eq!((pairs.into_inner(), calls.into_inner()), (10, 2 * 5));
}
