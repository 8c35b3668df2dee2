use super::*;
use crate::montecarlo::tests::world;

/// One-to-one coupled pair from explicit links: nodes `0..n` are A, `n..2n` are B.
fn coupled(n: u32, a_links: &[(u32, u32)], b_links: &[(u32, u32)]) -> Interdependent {
    let mut links = a_links.to_vec();
    links.extend(b_links.iter().map(|&(u, v)| (u + n, v + n)));
    let groups: Vec<(u32, Vec<u32>)> = (0..n)
        .map(|i| (i, vec![i + n]))
        .chain((0..n).map(|i| (i + n, vec![i])))
        .collect();
    let side = (0..2 * n)
        .map(|v| Some(if v < n { Side::A } else { Side::B }))
        .collect();
    Interdependent::build(side, &links, &groups)
}

fn check(net: &Interdependent, initial: &[u32], alive: [usize; 2], iterations: u32) {
    let got = net.cascade(initial, &mut Scratch::default());
    assert_eq!(
        (got.alive, got.iterations),
        (alive, iterations),
        "initial {initial:?}"
    );
}

#[test]
fn small_cascades() {
    // A: path 0-1-2-3; B: 4-5 and 6-7 (two equal components; the one with the lowest node wins).
    let net = coupled(4, &[(0, 1), (1, 2), (2, 3)], &[(0, 1), (2, 3)]);
    check(&net, &[], [2, 2], 1);
    // Removing A1 takes B5; A keeps {2, 3} and drops 0 (and B4); B keeps {6, 7}.
    check(&net, &[1], [2, 2], 1);
    // Removing A2 takes B6: A keeps {0, 1}, B {4, 5}; nothing else is hit.
    check(&net, &[2], [2, 2], 1);
    // Removing A0 and A3 leaves A {1, 2} whose partners 5 and 6 are in different B components:
    // B keeps {5} (lowest), which takes A2; then A {1} and B {5}.
    check(&net, &[0, 3], [1, 1], 1);
    // A connected, B connected: nothing beyond the attack itself.
    let line = coupled(3, &[(0, 1), (1, 2)], &[(0, 1), (1, 2)]);
    check(&line, &[], [3, 3], 0);
    check(&line, &[1], [1, 1], 1);
    check(&line, &[0, 1, 2], [0, 0], 0);
    // A longer cascade: A is a path 0-1-2-3-4-5, B a path in another order, so each removal
    // splits the other layer again.
    let zigzag = coupled(
        6,
        &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)],
        &[(0, 5), (5, 1), (1, 4), (4, 2), (2, 3)],
    );
    // Remove A1: A {2..5} (A0 dies, B0 dies); B path 5-1-4-2-3 minus 0,1 → {5} and {4, 2, 3}:
    // keep {2, 3, 4}, drop 5 → A5 dies; A {2, 3, 4} is connected; B {2, 3, 4} connected.
    check(&zigzag, &[1], [3, 3], 2);
}

#[test]
fn attack_order_is_a_seeded_permutation() {
    let net = coupled(5, &[], &[]);
    let order = net.attack_order(Side::A, &mut realisation_rng(7, 0));
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [0, 1, 2, 3, 4]);
    assert_eq!(order, net.attack_order(Side::A, &mut realisation_rng(7, 0)));
    assert_eq!(net.members(Side::B), [5, 6, 7, 8, 9]);
    // p = 0.6 of 5 nodes removes round(0.4 · 5) = 2.
    let out = net.cascade_at(&order, 0.6, &mut Scratch::default());
    assert_eq!(out.size, [5, 5]);
    // A zero tolerance still ends (at the resolution of f64). Along this order the path
    // survives one removal (p > 0.7) but not two: round((1 − p) · 5) steps from 1 to 2 at 0.7.
    let exact = Search {
        threshold: 0.5,
        tolerance: 0.0,
    };
    let line = coupled(
        5,
        &[(0, 1), (1, 2), (2, 3), (3, 4)],
        &[(0, 1), (1, 2), (2, 3), (3, 4)],
    );
    let pc = line
        .critical_point(&order, exact, &mut Scratch::default())
        .expect("survives at p = 1");
    assert!((pc - 0.7).abs() < 1e-9, "{pc}");
    // Isolated nodes: the "giant" component of each layer is a single node.
    assert_eq!(out.alive, [1, 1]);
}

#[test]
fn er_generator_mean_degree_and_simple_graph() {
    for k in [0.0, -1.0, f64::NAN] {
        assert!(coupled_er(10, k, &mut realisation_rng(1, 0)).adj.is_empty());
    }
    assert_eq!(
        coupled_er(5, 1e9, &mut realisation_rng(1, 0)).adj.len(),
        2 * 2 * 10,
        "complete graphs"
    );
    let net = coupled_er(100_000, 4.0, &mut realisation_rng(1, 0));
    assert_eq!(net.node_count(), 200_000);
    let degree_sum: usize = (0..100_000)
        .map(|v| (net.adj_off[v + 1] - net.adj_off[v]) as usize)
        .sum();
    let mean = degree_sum as f64 / 100_000.0;
    assert!((mean - 4.0).abs() < 0.05, "mean degree {mean}");
    for v in 0..200_000usize {
        let mut nb = net.adj[net.adj_off[v] as usize..net.adj_off[v + 1] as usize].to_vec();
        let len = nb.len();
        nb.sort_unstable();
        nb.dedup();
        assert_eq!(nb.len(), len, "duplicate link at {v}");
        assert!(!nb.contains(&(v as u32)), "self-loop at {v}");
        assert!(
            nb.iter().all(|&w| (w < 100_000) == (v < 100_000)),
            "link across layers at {v}"
        );
    }
}

/// The largest root of `P = p (1 − e^{−⟨k⟩P})²` (Gao et al. 2011 with n = 2), by fixed-point
/// iteration from above.
fn theory(p: f64, k: f64) -> f64 {
    let mut x = p;
    for _ in 0..10_000 {
        x = p * (1.0 - (-k * x).exp()).powi(2);
    }
    x
}

#[test]
fn er_giant_component_matches_theory_above_pc() {
    let ps = [0.65, 0.7, 0.8, 0.9, 1.0];
    let curve = er_curve(100_000, 4.0, 2010, 2, &ps);
    for &CurvePoint {
        p,
        fraction,
        iterations,
    } in &curve
    {
        let expected = theory(p, 4.0);
        assert!(
            (fraction - expected).abs() < 0.01,
            "p = {p}: P∞ = {fraction}, theory {expected}"
        );
        assert!(iterations >= 1.0, "p = {p}: a cascade happened");
    }
    // Far below p_c nothing survives.
    let low = er_curve(100_000, 4.0, 2010, 2, &[0.5]);
    assert!(low[0].fraction < 0.001, "{low:?}");
}

/// PRODUCT §2.9: the collapse of coupled ER networks with ⟨k⟩ = 4 at p_c = 2.4554/⟨k⟩ = 0.6139,
/// within ±0.01, at N = 100,000, averaged over 4 seeded realisations.
#[test]
fn er_critical_point_reproduces_buldyrev() {
    let search = Search {
        threshold: 0.05,
        tolerance: 0.001,
    };
    let pcs = er_critical_points(100_000, 4.0, 2010, 4, search, |_| {});
    let pcs: Vec<f64> = pcs
        .into_iter()
        .map(|p| p.expect("⟨k⟩ = 4 > 2.4554 survives at p = 1"))
        .collect();
    let mean = pcs.iter().sum::<f64>() / pcs.len() as f64;
    assert!(
        (mean - 2.4554 / 4.0).abs() < 0.01,
        "p_c = {mean} from {pcs:?}"
    );
    // Below ⟨k⟩_min = 2.4554 there is no mutual giant component at all.
    let none = er_critical_points(20_000, 2.0, 2010, 1, search, |_| {});
    assert_eq!(none, [None]);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let search = Search {
        threshold: 0.05,
        tolerance: 0.01,
    };
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            (
                er_critical_points(5_000, 4.0, 3, 3, search, |_| {}),
                er_curve(5_000, 4.0, 3, 3, &[0.7, 0.9]),
            )
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn atlas_layers() {
    let bit = |s| 1u16 << model::sector_index(s).expect("known sector");
    // Energy (A): 0-1-2 linked by dependencies. Comms (B): 3-4. Water (5) is outside.
    // Cross-layer: 0 needs 3 or 4 (group g); 2 needs 4 alone; 3 needs 1; 5 needs 0 (ignored).
    let world = world(
        "e0:ENERGY e1:ENERGY e2:ENERGY c3:COMMS c4:COMMS w5:WATER",
        "e1>e0 e2>e1 c4>c3 e0>c3#g e0>c4#g e2>c4 c3>e1 w5>e0",
    );
    let graph = Graph::new(&world, *b"US");
    let sides = sides_by_sector(&graph, bit("ENERGY"), bit("COMMS"));
    assert_eq!(
        sides,
        [
            Some(Side::A),
            Some(Side::A),
            Some(Side::A),
            Some(Side::B),
            Some(Side::B),
            None
        ]
    );
    let net = Interdependent::from_graph(&graph, &sides);
    assert_eq!(
        (net.members(Side::A), net.members(Side::B)),
        (&[0, 1, 2][..], &[3, 4][..])
    );
    // Losing 4: 2 fails (its only provider), 0 keeps 3. A {0, 1} connected, B {3}.
    check(&net, &[4], [2, 1], 0);
    // Losing 1: 3 fails (needs 1); A splits into {0} and {2}: keep {0} (lowest); 2 dies.
    // 0 still has 4 in its group, B {4} stands.
    check(&net, &[1], [1, 1], 1);
    // Losing 3 and 4: group g of 0 is empty, 0 fails; 2 fails; A {1} alone; 3 already gone.
    check(&net, &[3, 4], [1, 0], 0);
    // Assets outside both layers are not counted and cannot be attacked.
    check(&net, &[5], [3, 2], 0);
    assert!((net.cascade(&[], &mut Scratch::default()).fraction() - 1.0).abs() < 1e-15);
}

/// The cascade straight from its definition: components recomputed from scratch at every
/// step, dependencies re-evaluated to a fixpoint, same tie rule.
fn reference(net: &Interdependent, groups: &[(u32, Vec<u32>)], initial: &[u32]) -> Outcome {
    let n = net.node_count();
    let mut alive: Vec<bool> = (0..n).map(|v| net.side[v].is_some()).collect();
    initial.iter().for_each(|&v| alive[v as usize] = false);
    let settle = |alive: &mut Vec<bool>| {
        let mut changed = true;
        while changed {
            changed = false;
            for (owner, providers) in groups {
                if alive[*owner as usize] && providers.iter().all(|&p| !alive[p as usize]) {
                    alive[*owner as usize] = false;
                    changed = true;
                }
            }
        }
    };
    settle(&mut alive);
    let (mut iterations, mut quiet, mut side) = (0, 0, 0);
    while quiet < 2 {
        let mut label = vec![usize::MAX; n];
        let mut best: Option<(usize, usize)> = None;
        for &root in &net.members[side] {
            if !alive[root as usize] || label[root as usize] != usize::MAX {
                continue;
            }
            let mut stack = vec![root];
            label[root as usize] = root as usize;
            let mut size = 0;
            while let Some(u) = stack.pop() {
                size += 1;
                for &w in net.neighbours(u) {
                    if alive[w as usize] && label[w as usize] == usize::MAX {
                        label[w as usize] = root as usize;
                        stack.push(w);
                    }
                }
            }
            if best.is_none_or(|(s, _)| size > s) {
                best = Some((size, root as usize));
            }
        }
        let mut removed = false;
        for &v in &net.members[side] {
            if alive[v as usize] && Some(label[v as usize]) != best.map(|b| b.1) {
                alive[v as usize] = false;
                removed = true;
            }
        }
        settle(&mut alive);
        if removed {
            iterations += 1;
            quiet = 0;
        } else {
            quiet += 1;
        }
        side = 1 - side;
    }
    let count = |side: usize| {
        net.members[side]
            .iter()
            .filter(|&&v| alive[v as usize])
            .count()
    };
    Outcome {
        alive: [count(0), count(1)],
        size: [net.members[0].len(), net.members[1].len()],
        iterations,
    }
}

proptest::proptest! {
    /// The incremental giant-component search gives exactly the definition's outcome, on
    /// one-to-one couplings and on random grouped dependencies alike.
    #[test]
    fn incremental_cascade_matches_the_definition(
        n in 2u32..150,
        links in proptest::collection::vec((0u32..300, 0u32..300), 0..500),
        deps in proptest::collection::vec((0u32..300, proptest::collection::vec(0u32..300, 1..3)), 0..200),
        one_to_one in proptest::bool::ANY,
        attack in proptest::collection::vec(0u32..300, 0..10),
    ) {
        let side: Vec<Option<Side>> = (0..2 * n).map(|v| Some(if v < n { Side::A } else { Side::B })).collect();
        let same = |u: u32, v: u32| (u < n) == (v < n);
        let links: Vec<(u32, u32)> = links.iter().map(|&(u, v)| (u % (2 * n), v % (2 * n))).filter(|&(u, v)| u != v && same(u, v)).collect();
        let groups: Vec<(u32, Vec<u32>)> = if one_to_one {
            (0..n).map(|i| (i, vec![i + n])).chain((0..n).map(|i| (i + n, vec![i]))).collect()
        } else {
            deps.iter()
                .map(|(o, ps)| (o % (2 * n), ps.iter().map(|p| p % (2 * n)).collect::<Vec<u32>>()))
                .filter(|(o, ps)| ps.iter().all(|&p| !same(*o, p)))
                .collect()
        };
        let net = Interdependent::build(side, &links, &groups);
        let attack: Vec<u32> = attack.iter().map(|a| a % (2 * n)).collect();
        let mut s = Scratch::default();
        proptest::prop_assert_eq!(net.cascade(&attack, &mut s), reference(&net, &groups, &attack));
        // The scratch is reusable.
        proptest::prop_assert_eq!(net.cascade(&attack, &mut s), reference(&net, &groups, &attack));
    }
}

#[test]
fn incremental_cascade_matches_the_definition_on_er() {
    let (net, order) = er_realisation(3_000, 4.0, 5, 0);
    let n = 3_000u32;
    let groups: Vec<(u32, Vec<u32>)> = (0..n)
        .map(|i| (i, vec![i + n]))
        .chain((0..n).map(|i| (i + n, vec![i])))
        .collect();
    let mut s = Scratch::default();
    for p in [0.55, 0.6, 0.62, 0.65, 0.7, 0.9] {
        let removed = ((1.0 - p) * f64::from(n)).round() as usize;
        assert_eq!(
            net.cascade_at(&order, p, &mut s),
            reference(&net, &groups, &order[..removed]),
            "p = {p}"
        );
    }
}
