use std::sync::atomic::{AtomicU64, Ordering};

use model::{CompactAtlas, NO_GROUP};
use proptest::prelude::*;

use super::*;

/// A small world from one-line descriptions (shared with the contingency, IIM and percolation
/// tests).
///
/// `assets`: tokens `name[@CC][=ncf,ncf][*weight][:SECTOR,SECTOR]`, country `US` unless given.
/// `deps`: tokens `dependent>provider[#group][%strength]`.
pub(crate) fn world(assets: &str, deps: &str) -> CompactAtlas {
    let mut a = CompactAtlas {
        ncf_offsets: vec![0],
        ..CompactAtlas::default()
    };
    for tok in assets.split_whitespace() {
        let (rest, sectors) = split(tok, ':');
        let (rest, weight) = split(rest, '*');
        let (rest, ncfs) = split(rest, '=');
        let (name, country) = split(rest, '@');
        let cc = country.unwrap_or("US").as_bytes();
        a.ids.push(name.to_owned());
        a.country.push([cc[0], cc[1]]);
        a.owner_country.push(None);
        a.weight
            .push(weight.map_or(1.0, |w| w.parse().expect("weight")));
        let sector_bit = |id: &str| 1u16 << model::sector_index(id).expect("known sector");
        a.sectors.push(
            sectors
                .iter()
                .flat_map(|s| s.split(','))
                .map(sector_bit)
                .sum(),
        );
        a.ncf_ids.extend(
            ncfs.iter()
                .flat_map(|s| s.split(','))
                .map(|f| f.parse::<u8>().expect("ncf index")),
        );
        a.ncf_offsets.push(a.ncf_ids.len() as u32);
        a.lat.push(f32::NAN);
        a.lon.push(f32::NAN);
    }
    for tok in deps.split_whitespace() {
        let (rest, strength) = split(tok, '%');
        let (rest, group) = split(rest, '#');
        let (d, p) = rest.split_once('>').expect("dependent>provider");
        let (d, p) = (index(&a, d), index(&a, p));
        let group = group.map_or(NO_GROUP, |g| {
            let pos = a.group_names.iter().position(|x| x == g);
            pos.unwrap_or_else(|| {
                a.group_names.push(g.to_owned());
                a.group_names.len() - 1
            }) as u32
        });
        a.edge_dependent.push(d);
        a.edge_provider.push(p);
        a.edge_group.push(group);
        a.edge_strength
            .push(strength.map_or(1.0, |s| s.parse().expect("strength")));
        a.edge_tolerance.push(0.0);
    }
    assert!(a.is_consistent());
    a
}

fn split(s: &str, c: char) -> (&str, Option<&str>) {
    s.split_once(c).map_or((s, None), |(a, b)| (a, Some(b)))
}

pub(crate) fn index(a: &CompactAtlas, name: &str) -> u32 {
    a.ids
        .iter()
        .position(|x| x == name)
        .unwrap_or_else(|| panic!("unknown asset {name}")) as u32
}

/// Probability `p` for the named assets, 0 elsewhere.
fn probabilities(a: &CompactAtlas, named: &str, p: f64) -> Vec<f64> {
    let mut out = vec![0.0; a.asset_count()];
    for name in named.split_whitespace() {
        out[index(a, name) as usize] = p;
    }
    out
}

fn shares(assets: &str, deps: &str, initial: &str, trials: u64) -> Vec<f64> {
    let a = world(assets, deps);
    let g = Graph::new(&a, *b"US");
    let summary = run(
        &g,
        &probabilities(&a, initial, 1.0),
        &Options::new(trials, 42),
        None,
    )
    .expect("valid");
    summary.asset_failure_share
}

/// Each asset's failure share against the expected probability, within `tol`.
fn check_shares(assets: &str, deps: &str, initial: &str, expected: &[f64], tol: f64) {
    let got = shares(assets, deps, initial, 20_000);
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(expected) {
        assert!((g - e).abs() <= tol, "{got:?} vs {expected:?}");
    }
}

#[test]
fn propagation_probabilities() {
    // 3σ at T = 20,000 is at most 0.011.
    let tol = 0.011;
    check_shares("a b", "b>a%0.3", "a", &[1.0, 0.3], tol);
    // A chain multiplies: 0.5 · 0.4.
    check_shares("a b c", "b>a%0.5 c>b%0.4", "a", &[1.0, 0.5, 0.2], tol);
    // One OR group: both providers must fail and transmit: 0.5 · 0.5.
    check_shares(
        "a b c",
        "c>a#g%0.5 c>b#g%0.5",
        "a b",
        &[1.0, 1.0, 0.25],
        tol,
    );
    // Two AND groups: either transmission suffices: 1 − 0.5 · 0.5.
    check_shares("a b c", "c>a%0.5 c>b%0.5", "a b", &[1.0, 1.0, 0.75], tol);
    // Strength 1 always transmits; a provider that never fails never transmits.
    check_shares("a b c", "b>a c>b%0.9", "c", &[0.0, 0.0, 1.0], 0.0);
}

#[test]
fn initial_probabilities_and_statistics() {
    let a = world("x=0 y=0*3 z=1", "");
    let g = Graph::new(&a, *b"US");
    let p = [0.2, 0.5, 0.0];
    let s = run(&g, &p, &Options::new(20_000, 7), None).expect("valid");
    assert!(
        (s.asset_failure_share[0] - 0.2).abs() < 0.011
            && (s.asset_failure_share[1] - 0.5).abs() < 0.011
    );
    assert_eq!(s.asset_failure_share[2], 0.0);
    // NCF 0: degradation ∈ {0, 0.25, 0.75, 1} with mean 0.2·0.25 + 0.5·0.75 = 0.425.
    let ncf0 = s
        .ncfs
        .iter()
        .find(|n| n.ncf == 0)
        .expect("supported")
        .degradation;
    assert!((ncf0.mean - 0.425).abs() < 0.01, "{ncf0:?}");
    // P(0) = 0.8·0.5 = 0.4 ≥ 5 %, P(1) = 0.1 ≥ 5 %.
    assert_eq!((ncf0.p5, ncf0.p95), (0.0, 1.0));
    let ncf1 = s
        .ncfs
        .iter()
        .find(|n| n.ncf == 1)
        .expect("supported")
        .degradation;
    assert_eq!(
        ncf1,
        Stats {
            mean: 0.0,
            p5: 0.0,
            p95: 0.0
        }
    );
    assert!((s.impact.mean - 0.425).abs() < 0.01);
}

#[test]
fn nothing_fails_without_initial_probability() {
    let a = world("a=0 b=0 c=1", "b>a c>b");
    let g = Graph::new(&a, *b"US");
    let s = run(&g, &[0.0; 3], &Options::new(100, 1), None).expect("valid");
    assert_eq!(s.asset_failure_share, [0.0; 3]);
    assert_eq!(
        s.impact,
        Stats {
            mean: 0.0,
            p5: 0.0,
            p95: 0.0
        }
    );
    assert!(s.ncfs.iter().all(|n| n.degradation.mean == 0.0));
}

#[test]
fn percentile_definition() {
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!((nearest_rank(&ten, 5), nearest_rank(&ten, 95)), (1.0, 10.0));
    let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(
        (nearest_rank(&hundred, 5), nearest_rank(&hundred, 95)),
        (5.0, 95.0)
    );
    assert_eq!(
        (nearest_rank(&[3.0], 5), nearest_rank(&[3.0], 95)),
        (3.0, 3.0)
    );
    let s = stats(vec![4.0, 1.0, 3.0, 2.0]);
    assert_eq!(
        s,
        Stats {
            mean: 2.5,
            p5: 1.0,
            p95: 4.0
        }
    );
}

#[test]
fn invalid_input() {
    let a = world("a b", "");
    let g = Graph::new(&a, *b"US");
    let err = |p: &[f64], trials| {
        run(&g, p, &Options::new(trials, 0), None)
            .expect_err("invalid")
            .to_string()
    };
    assert_eq!(
        err(&[0.5], 10),
        "probability has 1 values, expected 2 (one per asset)"
    );
    assert_eq!(
        err(&[0.5, 1.5], 10),
        "probability[1] = 1.5 is not a probability in [0, 1]"
    );
    assert_eq!(
        err(&[0.5, f64::NAN], 10),
        "probability[1] = NaN is not a probability in [0, 1]"
    );
    assert_eq!(err(&[0.5, 0.5], 0), "at least one trial is needed");
    assert_eq!(
        probabilities_from_scores(&[0.5, 1.0], &[0.5, 0.2]),
        Ok(vec![0.25, 0.2])
    );
    let bad = probabilities_from_scores(&[0.5, 1.0], &[0.5]).expect_err("short");
    assert_eq!(
        bad.to_string(),
        "threat has 1 values, expected 2 (one per asset)"
    );
    let bad = probabilities_from_scores(&[-0.1], &[0.5]).expect_err("negative");
    assert_eq!(
        bad.to_string(),
        "exposure[0] = -0.1 is not a probability in [0, 1]"
    );
}

/// A world with groups, cycles and partial strengths for the determinism tests.
fn mixed_world() -> (CompactAtlas, Vec<f64>) {
    let a = world(
        "a=0 b=0,1 c=1*2 d=2 e=2 f=3 g=3 h@FR=4",
        "b>a%0.7 c>b#g%0.6 c>h#g d>c%0.8 e>d%0.5 e>f%0.9 a>e%0.3 f>g#x%0.4 f>h#x%0.9 g>f%0.5",
    );
    let p = vec![0.1, 0.0, 0.05, 0.2, 0.0, 0.3, 0.15, 0.6];
    (a, p)
}

#[test]
fn same_seed_same_result_and_independent_of_threads_and_batches() {
    let (a, p) = mixed_world();
    let g = Graph::new(&a, *b"US");
    let run_with = |threads: usize, batch: u64, seed: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            run(
                &g,
                &p,
                &Options {
                    trials: 3_001,
                    seed,
                    batch,
                },
                None,
            )
            .expect("valid")
        })
    };
    let one = run_with(1, 64, 9);
    assert_eq!(one, run_with(2, 64, 9));
    assert_eq!(one, run_with(2, 1, 9));
    assert_eq!(one, run_with(1, 1000, 9));
    assert_eq!(one, run_with(2, 64, 9));
    assert_ne!(one, run_with(2, 64, 10));
}

#[test]
fn progress_reports_every_batch() {
    let (a, p) = mixed_world();
    let g = Graph::new(&a, *b"US");
    let (done, calls) = (AtomicU64::new(0), AtomicU64::new(0));
    let report = |n: u64| {
        done.fetch_add(n, Ordering::Relaxed);
        calls.fetch_add(1, Ordering::Relaxed);
    };
    run(
        &g,
        &p,
        &Options {
            trials: 1_000,
            seed: 1,
            batch: 64,
        },
        Some(&report),
    )
    .expect("valid");
    // Called with 0 before each batch (where the caller may stop the run) and with its trials
    // after.
    assert_eq!((done.into_inner(), calls.into_inner()), (1_000, 2 * 16));
}

/// Random worlds with named groups, cycles and repeated edges; all strengths 1.
fn random_world() -> impl Strategy<Value = (CompactAtlas, Vec<u32>)> {
    (1usize..20)
        .prop_flat_map(|n| {
            let asset = 0..n as u32;
            let edge = (asset.clone(), asset.clone(), prop::option::of(0u32..3));
            let assets = prop::collection::vec(
                (
                    prop::option::of(0u8..4),
                    prop::sample::select(vec![0.0, 0.5, 1.0, 2.0]),
                ),
                n,
            );
            (
                assets,
                prop::collection::vec(edge, 0..3 * n),
                prop::collection::vec(asset, 0..4),
            )
        })
        .prop_map(|(assets, edges, initial)| {
            let names: Vec<String> = assets
                .iter()
                .enumerate()
                .map(|(i, (ncf, w))| match ncf {
                    Some(f) => format!("n{i}={f}*{w}"),
                    None => format!("n{i}*{w}"),
                })
                .collect();
            let deps: Vec<String> = edges
                .iter()
                .map(|(d, p, g)| match g {
                    Some(g) => format!("n{d}>n{p}#g{g}"),
                    None => format!("n{d}>n{p}"),
                })
                .collect();
            (world(&names.join(" "), &deps.join(" ")), initial)
        })
}

proptest! {
    /// With strengths 1 and initial probability 1 on a set (0 elsewhere), every trial is the
    /// deterministic cascade of that set.
    #[test]
    fn certain_trials_equal_the_deterministic_cascade((a, initial) in random_world()) {
        let g = Graph::new(&a, *b"US");
        let mut p = vec![0.0; a.asset_count()];
        initial.iter().for_each(|&i| p[i as usize] = 1.0);
        let s = run(&g, &p, &Options::new(4, 3), None).expect("valid");
        let mut scratch = Scratch::new(&g);
        let impact = cascade::failure_set(&g, &initial, &mut scratch);
        let expected: Vec<f64> = (0..a.asset_count() as u32).map(|x| if scratch.is_failed(x) { 1.0 } else { 0.0 }).collect();
        prop_assert_eq!(&s.asset_failure_share, &expected);
        prop_assert_eq!((s.impact.p5, s.impact.p95), (impact, impact));
        prop_assert!((s.impact.mean - impact).abs() < 1e-12);
        let total: f64 = s.ncfs.iter().map(|n| n.degradation.mean).sum();
        prop_assert!((total - impact).abs() < 1e-9);
        prop_assert!(s.ncfs.iter().all(|n| n.degradation.p5 == n.degradation.p95 && (n.degradation.p5 - n.degradation.mean).abs() < 1e-12));
    }
}
