use crate::support::{
    atlas, index, indices, random_atlas, reference_cause, reference_failed, reference_impact,
    reference_times,
};
use graph::cascade::{Scratch, cascade, failure_set, failure_set_with};
use graph::csr::Graph;
use proptest::prelude::*;

/// Renders the cascade as `name@time<cause …` and checks the impact.
fn check(assets: &str, deps: &str, initial: &str, expected: &str, impact: f64) {
    let a = atlas(assets, deps);
    let g = Graph::new(&a, *b"US");
    let c = cascade(&g, &indices(&a, initial));
    let got: Vec<String> = c
        .failed
        .iter()
        .map(|f| {
            let cause = f
                .cause
                .map_or(String::new(), |p| format!("<{}", a.ids[p as usize]));
            format!("{}@{}{}", a.ids[f.asset as usize], f.time_hours, cause)
        })
        .collect();
    assert_eq!(got.join(" "), expected);
    assert!(
        (c.impact - impact).abs() < 1e-12,
        "impact {} != {impact}",
        c.impact
    );
    let mut s = Scratch::new(&g);
    assert!((failure_set(&g, &indices(&a, initial), &mut s) - impact).abs() < 1e-12);
}

#[test]
fn chain() {
    check("a b c", "b>a c>b", "a", "a@0 b@0<a c@0<b", 0.0);
}

#[test]
fn tolerances_add_up() {
    check("a b c=0", "b>a+2 c>b+3", "a", "a@0 b@2<a c@5<b", 1.0);
}

#[test]
fn or_group_needs_every_provider() {
    check("a b c", "c>a#g c>b#g", "a", "a@0", 0.0);
    check("a b c", "c>a#g c>b#g", "a b", "a@0 b@0 c@0<a", 0.0);
}

#[test]
fn group_time_is_max_and_dependent_time_is_min() {
    // Group g completes at max(0+1, 0+5) = 5; the default group of d completes at 3.
    check(
        "a b d",
        "d>a#g+1 d>b#g+5 d>a+3",
        "a b",
        "a@0 b@0 d@3<a",
        0.0,
    );
    check(
        "a b d",
        "d>a#g+1 d>b#g+5 d>a+7",
        "a b",
        "a@0 b@0 d@5<b",
        0.0,
    );
}

#[test]
fn cause_tie_breaks_on_smallest_provider() {
    check(
        "x b a d",
        "d>b#g d>a#g d>x+0 b>x a>x",
        "x",
        "x@0 b@0<x a@0<x d@0<x",
        0.0,
    );
    check(
        "x b a d",
        "d>b#g d>a#g b>x a>x",
        "x",
        "x@0 b@0<x a@0<x d@0<b",
        0.0,
    );
}

#[test]
fn supporting_cycle_without_failure_stays_up() {
    check("a b c", "a>b b>a c>a", "c", "c@0", 0.0);
    check("a b c", "a>b b>a c>a", "a", "a@0 b@0<a c@0<a", 0.0);
}

#[test]
fn ncf_degradation_over_time() {
    let a = atlas("x a=3*1 b=3*3 c=3,4", "a>x+1 b>x+2");
    let g = Graph::new(&a, *b"US");
    let c = cascade(&g, &[index(&a, "x")]);
    let steps: Vec<(f64, f64)> = c.ncf_timeline[0]
        .steps
        .iter()
        .map(|s| (s.time_hours, s.degradation))
        .collect();
    assert_eq!(c.ncf_timeline.len(), 1);
    assert_eq!(c.ncf_timeline[0].ncf, 3);
    assert_eq!(steps, vec![(1.0, 0.2), (2.0, 0.8)]);
    assert!((c.impact - 0.8).abs() < 1e-12);
}

#[test]
fn out_of_range_initial_is_ignored() {
    let a = atlas("a b", "b>a");
    let g = Graph::new(&a, *b"US");
    assert_eq!(cascade(&g, &[7, 0, 0]).failed.len(), 2);
}

#[test]
fn propagation_hook_can_block_an_edge() {
    let a = atlas("a b c", "b>a c>a");
    let g = Graph::new(&a, *b"US");
    let mut s = Scratch::new(&g);
    let c = index(&a, "c");
    failure_set_with(&g, &[index(&a, "a")], &mut s, |slot| {
        g.edge_ref(slot).dependent != c
    });
    assert_eq!(s.failed(), &[index(&a, "a"), index(&a, "b")]);
    assert!(!s.is_failed(c));
}

proptest! {
    #[test]
    fn cascade_equals_reference(seed in any::<u64>(), n in 1usize..40, density in 0usize..4, k in 1usize..4) {
        let a = random_atlas(seed, n, n * density, 0.4);
        let g = Graph::new(&a, *b"US");
        let initial: Vec<u32> = (0..k).map(|i| ((seed >> (8 * i)) % n as u64) as u32).collect();
        let c = cascade(&g, &initial);
        let times = reference_times(&a, &initial);
        let expected: Vec<u32> = (0..n as u32).filter(|&i| times[i as usize].is_some()).collect();
        let mut got: Vec<u32> = c.failed.iter().map(|f| f.asset).collect();
        for w in c.failed.windows(2) {
            prop_assert!((w[0].time_hours, w[0].asset) < (w[1].time_hours, w[1].asset));
        }
        got.sort_unstable();
        prop_assert_eq!(&got, &expected);
        for f in &c.failed {
            let t = times[f.asset as usize].unwrap_or(f64::NAN);
            prop_assert!((f.time_hours - t).abs() < 1e-9);
            if !initial.contains(&f.asset) {
                prop_assert_eq!(f.cause, reference_cause(&a, &times, f.asset));
            }
        }
        let failed = reference_failed(&a, &initial);
        let impact = reference_impact(&a, &failed);
        prop_assert!((c.impact - impact).abs() < 1e-9);
        let final_sum: f64 = c.ncf_timeline.iter().map(|t| t.steps.last().map_or(0.0, |s| s.degradation)).sum();
        prop_assert!((final_sum - impact).abs() < 1e-9);
        let mut s = Scratch::new(&g);
        for _ in 0..2 {
            prop_assert!((failure_set(&g, &initial, &mut s) - impact).abs() < 1e-9);
            let mut fs = s.failed().to_vec();
            fs.sort_unstable();
            prop_assert_eq!(&fs, &expected);
        }
    }
}

#[test]
fn long_runs_are_ordered_by_index() {
    // 300 dependents of one hub at t = 0 and 300 more at t = 1, declared in reverse order.
    let assets: Vec<String> = (0..601).map(|i| format!("n{i}")).collect();
    let deps: Vec<String> = (1..601)
        .rev()
        .map(|i| format!("n{i}>n0+{}", i % 2))
        .collect();
    let a = atlas(&assets.join(" "), &deps.join(" "));
    let c = cascade(&Graph::new(&a, *b"US"), &[0]);
    let got: Vec<(f64, u32)> = c.failed.iter().map(|f| (f.time_hours, f.asset)).collect();
    let mut expected = got.clone();
    expected.sort_by(|x, y| x.partial_cmp(y).expect("finite times"));
    assert_eq!(got.len(), 601);
    assert_eq!(got, expected);
    assert!(c.failed.iter().skip(1).all(|f| f.cause == Some(0)));
}

#[test]
fn a_fully_failed_ncf_counts_exactly_one() {
    let a = atlas("x a=1*0.1 b=1*0.7 c=1,2*0.2 d=2*3", "a>x b>x c>x");
    let g = Graph::new(&a, *b"US");
    let c = cascade(&g, &[index(&a, "x")]);
    assert_eq!(
        c.ncf_timeline[0].steps.last().map(|s| s.degradation),
        Some(1.0)
    );
    assert_eq!(c.impact, 1.0 + 0.2 / 3.2);
    let all = cascade(&g, &indices(&a, "a b c d"));
    assert_eq!(all.impact, 2.0);
}

#[test]
fn default_group_is_named_after_the_provider() {
    // `d>y#x` names the group "x", which is also the default group of `d>x`.
    check("x y d", "d>x d>y#x", "x", "x@0", 0.0);
    check("x y d", "d>x d>y#x", "x y", "x@0 y@0 d@0<x", 0.0);
    check("x y d", "d>x d>y#z", "x", "x@0 d@0<x", 0.0);
}

proptest! {
    #[test]
    fn failing_more_never_lowers_impact(seed in any::<u64>(), n in 1usize..40, density in 0usize..4, k in 1usize..4) {
        let a = random_atlas(seed, n, n * density, 0.5);
        let g = Graph::new(&a, *b"US");
        let initial: Vec<u32> = (0..k).map(|i| ((seed >> (8 * i)) % n as u64) as u32).collect();
        let mut s = Scratch::new(&g);
        let smaller = failure_set(&g, &initial[..1], &mut s);
        prop_assert!(failure_set(&g, &initial, &mut s) >= smaller);
    }
}

#[test]
fn empty_world() {
    let a = atlas("", "");
    let g = Graph::new(&a, *b"US");
    assert_eq!(cascade(&g, &[0]).failed, vec![]);
    assert!(graph::rank::rank(&g).is_empty());
    let cond = graph::scc::Condensation::new(&g);
    assert!(graph::closure::closure_sizes(&g, &cond, &[3]) == vec![0]);
    assert!(graph::closure::weak_components(&g).is_empty());
    assert!(
        graph::dominators::DominatorTree::new(&g, &cond)
            .idoms()
            .is_empty()
    );
}
