use crate::support::{atlas, index, random_atlas, reachable, reference_failed};
use graph::csr::Graph;
use graph::exposure::{Target, exposure};
use proptest::prelude::*;

/// Renders `path!` per exposed asset (`!` = single point of failure).
fn check(assets: &str, deps: &str, target: Target, expected: &str) {
    let a = atlas(assets, deps);
    let got: Vec<String> = exposure(&Graph::new(&a, *b"US"), target)
        .iter()
        .map(|e| {
            let path: Vec<&str> = e.path.iter().map(|&p| a.ids[p as usize].as_str()).collect();
            format!(
                "{}{}",
                path.join(">"),
                if e.single_point_of_failure { "!" } else { "" }
            )
        })
        .collect();
    assert_eq!(got.join(" "), expected);
}

#[test]
fn ncf_and_asset_targets() {
    let (assets, deps) = ("t=2 u=2 m x@FR y@DE z@JP", "t>m u>m m>x#g m>y#g u>z t>z");
    check(assets, deps, Target::Ncf(2), "t>z! t>m>x t>m>y");
    check(assets, deps, Target::Asset(2), "m>x m>y");
    let a = atlas(assets, deps);
    check(assets, deps, Target::Asset(index(&a, "z")), "z!");
}

proptest! {
    #[test]
    fn exposure_equals_naive(seed in any::<u64>(), n in 1usize..40, density in 0usize..4, ncf in 0u8..5) {
        let a = random_atlas(seed, n, n * density, 0.5);
        let g = Graph::new(&a, *b"US");
        let targets: Vec<u32> = (0..n as u32).filter(|&t| a.asset_ncfs(t as usize).contains(&ncf)).collect();
        let rows = exposure(&g, Target::Ncf(ncf));
        let reach: Vec<Vec<bool>> = (0..n as u32).map(|s| reachable(&a, s)).collect();
        let mut expected: Vec<u32> = (0..n as u32)
            .filter(|&u| a.country[u as usize] != *b"US" && targets.iter().any(|&t| reach[t as usize][u as usize]))
            .collect();
        let mut got: Vec<u32> = rows.iter().map(|r| r.asset).collect();
        got.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(got, expected);
        // Shortest distance by naive layered expansion.
        let mut dist = vec![usize::MAX; n];
        for &t in &targets { dist[t as usize] = 0; }
        for _ in 0..n {
            for e in 0..a.edge_count() {
                let (d, p) = (a.edge_dependent[e] as usize, a.edge_provider[e] as usize);
                if dist[d] != usize::MAX && dist[d] + 1 < dist[p] { dist[p] = dist[d] + 1; }
            }
        }
        for r in &rows {
            prop_assert_eq!(r.path.len() - 1, dist[r.asset as usize]);
            prop_assert!(targets.contains(&r.path[0]));
            prop_assert_eq!(*r.path.last().unwrap_or(&u32::MAX), r.asset);
            for w in r.path.windows(2) {
                prop_assert!((0..a.edge_count()).any(|e| a.edge_dependent[e] == w[0] && a.edge_provider[e] == w[1]));
            }
            let failed = reference_failed(&a, &[r.asset]);
            prop_assert_eq!(r.single_point_of_failure, targets.iter().any(|&t| failed[t as usize]));
        }
    }
}
