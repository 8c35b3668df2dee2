//! N-2 contingency screening (PRODUCT §2.7): the worst pairs of simultaneous failures among
//! candidate assets — by default the top-K foreign and foreign-owned assets by single-failure
//! impact ([`crate::rank::rank`]).
//!
//! Every unordered pair `{u, v}` of distinct candidates is evaluated exactly with the
//! deterministic cascade ([`cascade::failure_set`], PRODUCT §1 semantics, every dependency
//! propagates), in parallel over pairs with one reusable [`Scratch`] per worker: `K(K − 1)/2`
//! cascades. Each pair reports its joint impact and two synergies:
//!
//! * `over_max = joint − max(single_u, single_v)`: what the second failure adds to the worse
//!   of the two (≥ 0, since failure sets only grow);
//! * `over_sum = joint − (single_u + single_v)`: positive only when the pair takes down
//!   something neither takes down alone (redundancy defeated: both members of an OR group,
//!   or two paths to the same asset); negative when the two single cascades overlap.
//!
//! Pairs come sorted by joint impact descending, then `over_sum` descending, then `(u, v)`
//! ascending. Impacts are exact fixed-point sums, so the order is deterministic.

use rayon::prelude::*;

use crate::cascade::{self, Scratch};
use crate::csr::Graph;
use crate::rank;

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContingencyError {
    #[error("candidate {asset} is not an asset of the graph ({assets} assets)")]
    UnknownAsset { asset: u32, assets: usize },
}

/// Which assets to pair.
#[derive(Debug, Clone, Copy)]
pub enum Candidates<'a> {
    /// The first `k` rows of the priority ranking ([`rank::rank`]): foreign and foreign-owned
    /// assets by single-failure impact descending.
    Top(usize),
    /// An explicit list (repeats are ignored).
    Assets(&'a [u32]),
}

/// One evaluated pair, `u < v`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub u: u32,
    pub v: u32,
    /// Impact (Σ over NCFs of the final degradation) of the failure of both.
    pub joint: f64,
    pub single_u: f64,
    pub single_v: f64,
    /// `joint − max(single_u, single_v)`.
    pub over_max: f64,
    /// `joint − (single_u + single_v)`.
    pub over_sum: f64,
}

/// Evaluates every pair of candidates and returns the `limit` worst (all when `limit` is
/// `None`), sorted as described in the module documentation. `progress`, when given, is
/// called from worker threads with 0 before each candidate row and with the number of pairs
/// just evaluated after it (`K − 1 − i` pairs for row `i`; `K(K − 1)/2` in all); the caller may
/// unwind from it to stop the run (the engine keeps no state outside the call).
pub fn worst_pairs(
    graph: &Graph,
    candidates: Candidates<'_>,
    limit: Option<usize>,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Vec<Pair>, ContingencyError> {
    let mut assets: Vec<u32> = match candidates {
        Candidates::Top(k) => rank::rank(graph)
            .into_iter()
            .take(k)
            .map(|r| r.asset)
            .collect(),
        Candidates::Assets(list) => list.to_vec(),
    };
    let n = graph.asset_count();
    if let Some(&asset) = assets.iter().find(|&&a| a as usize >= n) {
        return Err(ContingencyError::UnknownAsset { asset, assets: n });
    }
    assets.sort_unstable();
    assets.dedup();
    let single: Vec<f64> = assets
        .par_iter()
        .map_init(
            || Scratch::new(graph),
            |s, &a| cascade::failure_set(graph, &[a], s),
        )
        .collect();
    let k = assets.len();
    // With a limit, each worker keeps only its worst pairs (the order is total, so the top
    // `limit` is the same however rayon splits the work); memory stays O(limit · threads).
    let cap = limit.map_or(usize::MAX, |l| l.max(1).saturating_mul(2).max(4096));
    let mut pairs = (0..k)
        .into_par_iter()
        .map_init(
            || Scratch::new(graph),
            |s, i| {
                if let Some(report) = progress {
                    report(0);
                }
                let row: Vec<Pair> = (i + 1..k)
                    .map(|j| {
                        let joint = cascade::failure_set(graph, &[assets[i], assets[j]], s);
                        let (su, sv) = (single[i], single[j]);
                        Pair {
                            u: assets[i],
                            v: assets[j],
                            joint,
                            single_u: su,
                            single_v: sv,
                            over_max: joint - su.max(sv),
                            over_sum: joint - (su + sv),
                        }
                    })
                    .collect();
                if let Some(report) = progress {
                    report(row.len() as u64);
                }
                row
            },
        )
        .fold(Vec::new, |mut acc, row| {
            acc.extend(row);
            if acc.len() >= cap {
                keep_worst(&mut acc, limit);
            }
            acc
        })
        .reduce(Vec::new, |mut a, b| {
            a.extend(b);
            if a.len() >= cap {
                keep_worst(&mut a, limit);
            }
            a
        });
    keep_worst(&mut pairs, limit);
    Ok(pairs)
}

/// Sorts worst first and keeps the first `limit` pairs.
fn keep_worst(pairs: &mut Vec<Pair>, limit: Option<usize>) {
    pairs.sort_unstable_by(|a, b| {
        b.joint
            .total_cmp(&a.joint)
            .then(b.over_sum.total_cmp(&a.over_sum))
            .then((a.u, a.v).cmp(&(b.u, b.v)))
    });
    if let Some(limit) = limit {
        pairs.truncate(limit);
    }
}
