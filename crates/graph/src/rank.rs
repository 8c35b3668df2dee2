//! The exact single-failure impact of every foreign and foreign-owned asset (PRODUCT §2.4,
//! impact component): the Σ over NCFs of the degradation its loss alone causes under the §1
//! failure semantics (tolerances do not change final failure sets).
//!
//! * **Pure AND** ([`Graph::is_pure_and`]): the failure set of `v` is `v` plus its ancestors,
//!   so one target-keyed bitset DP over the SCC condensation ([`closure::ancestor_sums`])
//!   gives every impact at once; targets are the components carrying NCF weight.
//! * **With redundancy groups**: failure sets are not reachability, so each ranked asset
//!   runs the exact counter propagation ([`cascade::failure_set`]), in parallel with one
//!   [`Scratch`] per worker; cost O(Σ over ranked assets of their cascade's edges).
//!
//! Impacts are summed in fixed point, so equal failure sets give bit-identical impacts and the
//! order (impact descending, then asset index ascending) is deterministic.

use crate::cascade::{self, Scratch};
use crate::closure;
use crate::csr::{Graph, impact_from_units};
use crate::scc::Condensation;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Debug, PartialEq)]
pub struct RankRow {
    pub asset: u32,
    /// Σ over NCFs of the final degradation caused by this asset's failure alone.
    pub impact: f64,
    /// Domestic, but with a foreign ultimate owner (otherwise the asset is foreign).
    pub foreign_owned: bool,
}

/// Every foreign or foreign-owned asset with its exact single-failure impact, by impact
/// descending, then asset index ascending.
pub fn rank(graph: &Graph) -> Vec<RankRow> {
    let assets = graph.ranked_assets();
    let units = single_failure_units(graph, &assets);
    let mut rows: Vec<(u64, u32)> = units.into_iter().zip(assets).collect();
    rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter()
        .map(|(u, asset)| RankRow {
            asset,
            impact: impact_from_units(u),
            foreign_owned: graph.is_foreign_owned(asset),
        })
        .collect()
}

/// Exact single-failure impacts of `assets`, in order.
pub fn single_failure_impacts(graph: &Graph, assets: &[u32]) -> Vec<f64> {
    single_failure_units(graph, assets)
        .into_iter()
        .map(impact_from_units)
        .collect()
}

/// Exact single-failure impacts in fixed-point units.
pub(crate) fn single_failure_units(graph: &Graph, assets: &[u32]) -> Vec<u64> {
    let n = graph.asset_count() as u32;
    if graph.is_pure_and() {
        let cond = Condensation::new(graph);
        let weight: Vec<u64> = (0..cond.count() as u32)
            .map(|c| {
                cond.members(c)
                    .iter()
                    .map(|&a| graph.contribution_units(a))
                    .sum()
            })
            .collect();
        let mut wanted = vec![false; cond.count()];
        for &a in assets.iter().filter(|&&a| a < n) {
            wanted[cond.comp(a) as usize] = true;
        }
        let sums = closure::ancestor_sums(&cond, &weight, &wanted);
        return assets
            .iter()
            .map(|&a| {
                if a < n {
                    sums[cond.comp(a) as usize]
                } else {
                    0
                }
            })
            .collect();
    }
    par_per_asset(graph, assets, |scratch, a| {
        cascade::spread(graph, &[a], scratch, |_| true, |_| false);
        scratch
            .failed()
            .iter()
            .map(|&f| graph.contribution_units(f))
            .sum()
    })
}

/// Runs `f(scratch, asset)` for every asset on all rayon threads, one [`Scratch`] per worker,
/// with dynamic load balancing; results in input order.
pub(crate) fn par_per_asset<T: Send + Default + Clone>(
    graph: &Graph,
    assets: &[u32],
    f: impl Fn(&mut Scratch, u32) -> T + Sync,
) -> Vec<T> {
    const BATCH: usize = 64;
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads()
        .max(1)
        .min(assets.len().div_ceil(BATCH).max(1));
    let parts: Vec<Vec<(usize, T)>> = (0..threads)
        .into_par_iter()
        .map(|_| {
            let mut scratch = Scratch::new(graph);
            let mut out = Vec::new();
            loop {
                let from = next.fetch_add(BATCH, Ordering::Relaxed);
                if from >= assets.len() {
                    return out;
                }
                for (i, &a) in assets.iter().enumerate().skip(from).take(BATCH) {
                    out.push((i, f(&mut scratch, a)));
                }
            }
        })
        .collect();
    let mut result = vec![T::default(); assets.len()];
    for (i, v) in parts.into_iter().flatten() {
        result[i] = v;
    }
    result
}
