use crate::support::{atlas, random_atlas, reachable};
use graph::csr::Graph;
use graph::dominators::{DominatorTree, ROOT};
use graph::scc::Condensation;
use model::CompactAtlas;
use proptest::prelude::*;

/// Renders `name<-idom` for every asset (`*` = the virtual root).
fn check(assets: &str, deps: &str, expected: &str) {
    let a = atlas(assets, deps);
    let g = Graph::new(&a, *b"US");
    let t = DominatorTree::new(&g, &Condensation::new(&g));
    let got: Vec<String> = (0..a.asset_count() as u32)
        .map(|v| {
            let d = t.idom(v);
            format!(
                "{}<-{}",
                a.ids[v as usize],
                if d == ROOT {
                    "*"
                } else {
                    a.ids[d as usize].as_str()
                }
            )
        })
        .collect();
    assert_eq!(got.join(" "), expected);
}

#[test]
fn hand_built() {
    // Supply: a feeds b and c, both feed d.
    check("a b c d", "b>a c>a d>b d>c", "a<-* b<-a c<-a d<-a");
    // A self-sufficient cycle x<->y feeding z.
    check("x y z", "x>y y>x z>x", "x<-* y<-* z<-x");
}

/// Naive: is `w` reachable from the virtual root in the supply graph without `removed`?
fn supplied(a: &CompactAtlas, sink: &[bool], removed: Option<usize>, w: usize) -> bool {
    let n = a.asset_count();
    let mut seen: Vec<bool> = (0..n).map(|v| sink[v] && Some(v) != removed).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for e in 0..a.edge_count() {
            let (d, p) = (a.edge_dependent[e] as usize, a.edge_provider[e] as usize);
            if seen[p] && !seen[d] && Some(d) != removed {
                seen[d] = true;
                changed = true;
            }
        }
    }
    seen[w]
}

proptest! {
    #[test]
    fn dominators_equal_naive(seed in any::<u64>(), n in 1usize..30, density in 0usize..4) {
        let a = random_atlas(seed, n, n * density, 0.3);
        let g = Graph::new(&a, *b"US");
        let t = DominatorTree::new(&g, &Condensation::new(&g));
        let reach: Vec<Vec<bool>> = (0..n as u32).map(|s| reachable(&a, s)).collect();
        let sink: Vec<bool> = (0..n).map(|v| (0..n).all(|u| !reach[v][u] || reach[u][v])).collect();
        let dom: Vec<Vec<bool>> = (0..n)
            .map(|v| (0..n).map(|w| v == w || !supplied(&a, &sink, Some(v), w)).collect())
            .collect();
        let sizes = t.subtree_sizes();
        for w in 0..n {
            prop_assert!(supplied(&a, &sink, None, w));
            let strict: Vec<usize> = (0..n).filter(|&v| v != w && dom[v][w]).collect();
            let idom = strict.iter().copied().find(|&d| strict.iter().all(|&o| dom[o][d]));
            prop_assert_eq!(t.idom(w as u32), idom.map_or(ROOT, |d| d as u32));
            prop_assert_eq!(sizes[w] as usize, (0..n).filter(|&x| dom[w][x]).count());
            for v in 0..n {
                prop_assert_eq!(t.dominates(v as u32, w as u32), dom[v][w]);
            }
        }
    }
}
