//! Exposure (PRODUCT §2.1): for an NCF, a sector or an asset, the foreign assets in its
//! transitive dependency closure, each with a shortest dependency path and whether it is a
//! single point of failure for the target.
//!
//! * The target's assets: those supporting the NCF, those in the sector, or the asset.
//! * The closure: every asset reachable from a target asset along depends-on edges, the
//!   target assets themselves included (a foreign target asset is exposure at distance 0).
//! * Paths: multi-source BFS from the target assets in ascending index order, providers in
//!   slot order, first discovery wins; a path runs from a target asset to the foreign asset.
//! * Single point of failure: the foreign asset's failure alone takes down at least one target
//!   asset (for an NCF: degrades it), under the full §1 semantics (exact propagation with
//!   memoised collapses, as in the ranking; under pure AND every closure member qualifies).

use crate::csr::Graph;
use crate::rank::single_failure_losses;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into `model::ncfs()`.
    Ncf(u8),
    /// Bit index into `model::sectors()`.
    Sector(u8),
    Asset(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exposed {
    pub asset: u32,
    /// Target asset first, this asset last; each asset depends on the next.
    pub path: Vec<u32>,
    pub single_point_of_failure: bool,
}

/// The target's assets, ascending.
pub fn target_assets(graph: &Graph, target: Target) -> Vec<u32> {
    let n = graph.asset_count() as u32;
    match target {
        Target::Ncf(f) => (0..n)
            .filter(|&a| graph.asset_ncfs(a).contains(&f))
            .collect(),
        Target::Sector(s) => (0..n)
            .filter(|&a| s < 16 && graph.sectors(a) & (1 << s) != 0)
            .collect(),
        Target::Asset(a) => (a < n).then_some(a).into_iter().collect(),
    }
}

/// Foreign assets in the target's closure, by path length, then asset index.
pub fn exposure(graph: &Graph, target: Target) -> Vec<Exposed> {
    let n = graph.asset_count();
    let sources = target_assets(graph, target);
    let mut is_target = vec![false; n];
    let mut parent = vec![u32::MAX; n];
    let mut queue: Vec<u32> = Vec::new();
    for &s in &sources {
        is_target[s as usize] = true;
        parent[s as usize] = s;
        queue.push(s);
    }
    let mut head = 0;
    while head < queue.len() {
        let a = queue[head];
        head += 1;
        for &p in graph.providers(a) {
            if parent[p as usize] == u32::MAX {
                parent[p as usize] = a;
                queue.push(p);
            }
        }
    }
    // BFS order is by distance, then by discovery; re-sort each distance by index.
    let foreign: Vec<u32> = queue
        .iter()
        .copied()
        .filter(|&a| graph.is_foreign(a))
        .collect();
    let spof = if graph.is_pure_and() {
        vec![true; foreign.len()]
    } else {
        single_failure_losses(graph, &foreign, &is_target)
            .into_iter()
            .map(|l| l.marked > 0)
            .collect()
    };
    let mut rows: Vec<Exposed> = foreign
        .iter()
        .zip(spof)
        .map(|(&asset, single_point_of_failure)| {
            let mut path = vec![asset];
            let mut x = asset;
            while parent[x as usize] != x {
                x = parent[x as usize];
                path.push(x);
            }
            path.reverse();
            Exposed {
                asset,
                path,
                single_point_of_failure,
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.path.len(), r.asset));
    rows
}
