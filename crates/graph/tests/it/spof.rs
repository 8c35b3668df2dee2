use crate::support::{atlas, indices, random_atlas, reference_failed, reference_impact};
use graph::csr::Graph;
use graph::spof;
use proptest::prelude::*;

fn check(assets: &str, deps: &str, asset: &str, expected: &str) {
    let a = atlas(assets, deps);
    let g = Graph::new(&a, *b"US");
    assert_eq!(spof::of(&g, indices(&a, asset)[0]), indices(&a, expected));
}

#[test]
fn hand_built() {
    check("x@FR a b c@DE d", "a>x b>a c>b d>c", "x", "a b d");
    check("x@FR y@FR a b", "a>x#g a>y#g b>x", "x", "b");
    check("x@FR a b", "a>b b>a a>x", "x", "a b");
}

proptest! {
    #[test]
    fn spof_equals_brute_force(seed in any::<u64>(), n in 1usize..40, density in 0usize..4) {
        let a = random_atlas(seed, n, n * density, 0.5);
        let g = Graph::new(&a, *b"US");
        let all: Vec<u32> = (0..n as u32).collect();
        let rows = spof::summary(&g, &all);
        for v in 0..n as u32 {
            let failed = reference_failed(&a, &[v]);
            let expected: Vec<u32> =
                (0..n as u32).filter(|&w| w != v && failed[w as usize] && a.country[w as usize] == *b"US").collect();
            prop_assert_eq!(&spof::of(&g, v), &expected);
            prop_assert_eq!(rows[v as usize].asset, v);
            prop_assert_eq!(rows[v as usize].domestic_down as usize, expected.len());
            prop_assert!((rows[v as usize].impact - reference_impact(&a, &failed)).abs() < 1e-9);
        }
    }
}
