//! Single points of failure (PRODUCT §2.3): for an asset, the domestic assets its failure
//! alone takes down under the full §1 AND/OR group semantics (exact counter propagation, so
//! cycles and redundancy groups are handled exactly). The asset itself is never listed.

use crate::cascade::{self, Scratch};
use crate::csr::{Graph, impact_from_units};
use crate::rank::single_failure_losses;

/// The domestic assets that `asset` alone takes down, ascending (empty for a non-asset).
pub fn of(graph: &Graph, asset: u32) -> Vec<u32> {
    let mut scratch = Scratch::new(graph);
    cascade::spread(graph, &[asset], &mut scratch, |_| true, |_| false);
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

/// [`of`] summarised for each of `assets` (in order): exact counter propagation with memoised
/// collapses (see `rank`), so worlds where many assets bring most of the graph down stay cheap.
pub fn summary(graph: &Graph, assets: &[u32]) -> Vec<SpofRow> {
    single_failure_losses(graph, assets, &[])
        .into_iter()
        .zip(assets)
        .map(|(loss, &asset)| {
            let own = u32::from((asset as usize) < graph.asset_count() && !graph.is_foreign(asset));
            SpofRow {
                asset,
                domestic_down: loss.domestic - own,
                impact: impact_from_units(loss.units),
            }
        })
        .collect()
}
