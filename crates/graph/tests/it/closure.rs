use crate::support::{atlas, indices, random_atlas, reachable};
use graph::closure::{closure_sizes, ncf_dependent_counts, weak_components};
use graph::csr::Graph;
use graph::scc::Condensation;
use proptest::prelude::*;

fn check(assets: &str, deps: &str, sources: &str, sizes: &[u64], ncf_counts: &[u64], wcc: &[u32]) {
    let a = atlas(assets, deps);
    let g = Graph::new(&a, *b"US");
    let cond = Condensation::new(&g);
    assert_eq!(closure_sizes(&g, &cond, &indices(&a, sources)), sizes);
    assert_eq!(ncf_dependent_counts(&g, &cond), ncf_counts);
    assert_eq!(weak_components(&g), wcc);
}

#[test]
fn hand_built() {
    check(
        "a=1 b=2 c d",
        "a>b b>c",
        "a b c d",
        &[2, 1, 0, 0],
        &[1, 2, 2, 0],
        &[3, 1],
    );
    // A node on a cycle is not its own descendant (networkx convention).
    check("a=1 b=1 c", "a>b b>a b>c", "a c", &[2, 0], &[2, 2, 2], &[3]);
}

proptest! {
    #[test]
    fn closure_equals_naive(seed in any::<u64>(), n in 1usize..40, density in 0usize..4) {
        let a = random_atlas(seed, n, n * density, 0.3);
        let g = Graph::new(&a, *b"US");
        let cond = Condensation::new(&g);
        let reach: Vec<Vec<bool>> = (0..n as u32).map(|s| reachable(&a, s)).collect();
        let sources: Vec<u32> = (0..n as u32).chain(0..n as u32).collect();
        let sizes = closure_sizes(&g, &cond, &sources);
        let counts = ncf_dependent_counts(&g, &cond);
        for (i, &s) in sources.iter().enumerate() {
            let s = s as usize;
            prop_assert_eq!(sizes[i], reach[s].iter().enumerate().filter(|&(v, &r)| r && v != s).count() as u64);
            let anc = (0..n).filter(|&u| reach[u][s] && !a.asset_ncfs(u).is_empty()).count() as u64;
            prop_assert_eq!(counts[s], anc);
        }
        // Weak components: undirected reachability classes.
        let mut label: Vec<usize> = (0..n).collect();
        loop {
            let mut changed = false;
            for e in 0..a.edge_count() {
                let (d, p) = (a.edge_dependent[e] as usize, a.edge_provider[e] as usize);
                let m = label[d].min(label[p]);
                if label[d] != m || label[p] != m {
                    label[d] = m;
                    label[p] = m;
                    changed = true;
                }
            }
            if !changed { break; }
        }
        let mut sizes = vec![0u32; n];
        for l in label { sizes[l] += 1; }
        let mut sizes: Vec<u32> = sizes.into_iter().filter(|&s| s > 0).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        prop_assert_eq!(weak_components(&g), sizes);
    }
}

#[test]
fn many_targets_span_several_chunks() {
    for seed in 0..4 {
        let a = random_atlas(seed, 300, 700, 0.0);
        let g = Graph::new(&a, *b"US");
        let cond = Condensation::new(&g);
        let counts = ncf_dependent_counts(&g, &cond);
        let reach: Vec<Vec<bool>> = (0..300u32).map(|s| reachable(&a, s)).collect();
        for v in 0..300 {
            let expected = (0..300)
                .filter(|&u| reach[u][v] && !a.asset_ncfs(u).is_empty())
                .count();
            assert_eq!(counts[v], expected as u64, "seed {seed} asset {v}");
        }
        let sources: Vec<u32> = (0..300).collect();
        let sizes = closure_sizes(&g, &cond, &sources);
        for v in 0..300 {
            assert_eq!(sizes[v], reach[v].iter().filter(|&&r| r).count() as u64 - 1);
        }
    }
}
