use crate::support::{atlas, random_atlas, reference_failed, reference_impact};
use graph::csr::Graph;
use graph::rank::rank;
use proptest::prelude::*;

/// Renders the ranking as `name:impact[!]` (`!` = foreign-owned).
fn check(assets: &str, deps: &str, expected: &str) {
    let a = atlas(assets, deps);
    let got: Vec<String> = rank(&Graph::new(&a, *b"US"))
        .iter()
        .map(|r| {
            format!(
                "{}:{}{}",
                a.ids[r.asset as usize],
                r.impact,
                if r.foreign_owned { "!" } else { "" }
            )
        })
        .collect();
    assert_eq!(got.join(" "), expected);
}

#[test]
fn pure_and_chain_and_cycle() {
    check("x@FR y@DE a=0 b=1 c", "a>x b>a c>y y>c", "x:2 y:0");
    check("x@FR a=0 b=0^CN", "a>x b>a", "x:1 b:0.5!");
}

#[test]
fn redundancy_protects() {
    check("x@FR y@DE a=0", "a>x#g a>y#g", "x:0 y:0");
    check("x@FR y@DE a=0 b=1", "a>x#g a>y#g b>x", "x:1 y:0");
}

fn brute(seed: u64, n: usize, density: usize, or_share: f64) -> Result<(), TestCaseError> {
    let a = random_atlas(seed, n, n * density, or_share);
    let g = Graph::new(&a, *b"US");
    let rows = rank(&g);
    let expected: Vec<u32> = g.ranked_assets();
    prop_assert_eq!(rows.len(), expected.len());
    for w in rows.windows(2) {
        prop_assert!(
            w[0].impact > w[1].impact || (w[0].impact == w[1].impact && w[0].asset < w[1].asset)
        );
    }
    for r in &rows {
        let impact = reference_impact(&a, &reference_failed(&a, &[r.asset]));
        prop_assert!(
            (r.impact - impact).abs() < 1e-9,
            "asset {} {} != {}",
            r.asset,
            r.impact,
            impact
        );
        prop_assert_eq!(r.foreign_owned, g.is_foreign_owned(r.asset));
    }
    Ok(())
}

proptest! {
    #[test]
    fn pure_and_rank_equals_brute_force(seed in any::<u64>(), n in 1usize..40, density in 0usize..4) {
        brute(seed, n, density, 0.0)?;
    }

    #[test]
    fn grouped_rank_equals_brute_force(seed in any::<u64>(), n in 1usize..40, density in 0usize..4) {
        brute(seed, n, density, 0.5)?;
    }
}
