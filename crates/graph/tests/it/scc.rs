use crate::support::{atlas, random_atlas, reachable};
use graph::csr::Graph;
use graph::scc::Condensation;
use proptest::prelude::*;

/// Components as sets of names, in component-id order.
fn check(deps: &str, expected: &str) {
    let names: Vec<String> = deps
        .split_whitespace()
        .flat_map(|t| t.split('>'))
        .map(str::to_string)
        .fold(Vec::new(), |mut v, x| {
            if !v.contains(&x) {
                v.push(x);
            }
            v
        });
    let a = atlas(&names.join(" "), deps);
    let cond = Condensation::new(&Graph::new(&a, *b"US"));
    let got: Vec<String> = (0..cond.count() as u32)
        .map(|c| {
            cond.members(c)
                .iter()
                .map(|&m| a.ids[m as usize].as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(got.join(" "), expected);
}

#[test]
fn hand_built() {
    check("a>b b>c", "c b a");
    check("a>b b>a b>c c>d d>c", "c,d a,b");
    check("a>a", "a");
}

proptest! {
    #[test]
    fn scc_equals_mutual_reachability(seed in any::<u64>(), n in 1usize..40, density in 0usize..4) {
        let a = random_atlas(seed, n, n * density, 0.3);
        let cond = Condensation::new(&Graph::new(&a, *b"US"));
        let reach: Vec<Vec<bool>> = (0..n as u32).map(|s| reachable(&a, s)).collect();
        for u in 0..n {
            for v in 0..n {
                let same = reach[u][v] && reach[v][u];
                prop_assert_eq!(cond.comp(u as u32) == cond.comp(v as u32), same);
                if reach[u][v] && !same {
                    prop_assert!(cond.comp(u as u32) > cond.comp(v as u32));
                }
            }
        }
        for c in 0..cond.count() as u32 {
            for &p in cond.providers(c) {
                prop_assert!(p < c && cond.dependents(p).contains(&c));
            }
        }
    }
}
