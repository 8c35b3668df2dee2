//! Single points of failure (PRODUCT §2.3): for an asset, the domestic assets its failure
//! alone takes down under the full §1 AND/OR group semantics (exact counter propagation, so
//! cycles and redundancy groups are handled exactly). The asset itself is never listed.

use crate::cascade::{self, Scratch};
use crate::csr::{Graph, impact_from_units};
use crate::rank::par_per_asset;

/// The domestic assets that `asset` alone takes down, ascending (empty for a non-asset).
pub fn of(graph: &Graph, asset: u32) -> Vec<u32> {
    let mut scratch = Scratch::new(graph);
    domestic_down(graph, &mut scratch, asset)
}

fn domestic_down(graph: &Graph, scratch: &mut Scratch, asset: u32) -> Vec<u32> {
    cascade::spread(graph, &[asset], scratch, |_| true, |_| false);
    let mut down: Vec<u32> = scratch
        .failed()
        .iter()
        .copied()
        .filter(|&a| a != asset && !graph.is_foreign(a))
        .collect();
    down.sort_unstable();
    down
}

/// One row of [`summary`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpofRow {
    pub asset: u32,
    /// How many domestic assets (other than itself) its failure alone takes down.
    pub domestic_down: u32,
    /// The impact of its failure alone (as in the ranking).
    pub impact: f64,
}

/// [`of`] summarised for each of `assets` (in order), in parallel. Cost O(Σ of the cascades);
/// pass the candidates of interest (e.g. [`Graph::ranked_assets`]) rather than every asset of
/// a million-asset world.
pub fn summary(graph: &Graph, assets: &[u32]) -> Vec<SpofRow> {
    par_per_asset(graph, assets, |scratch, asset| {
        cascade::spread(graph, &[asset], scratch, |_| true, |_| false);
        let failed = scratch.failed();
        SpofRow {
            asset,
            domestic_down: failed
                .iter()
                .filter(|&&a| a != asset && !graph.is_foreign(a))
                .count() as u32,
            impact: impact_from_units(failed.iter().map(|&a| graph.contribution_units(a)).sum()),
        }
    })
}
