//! Failure cascades under the PRODUCT §1 semantics.
//!
//! A dependent fails when, in at least one of its groups, every provider has failed. A
//! provider failed at `t` counts for the dependent at `t + tolerance`, so a dependent's
//! failure time is `min over groups of max over the group's edges of (provider time +
//! tolerance)`. Initial failures happen at `t = 0`. Propagation is failure-driven (greatest
//! fixpoint): assets that only support each other in a cycle stay up unless a failure
//! reaches them.
//!
//! * [`cascade`] is the full, timed, deterministic cascade (every dependency propagates;
//!   strength is ignored). It is event-driven like Dijkstra: each group keeps a count of
//!   failed slots and the running max of `provider time + tolerance`; a completed group
//!   offers that max to its owner; assets are finalised in order of time (a bucket queue
//!   keyed by exact time).
//! * [`failure_set`] / [`failure_set_with`] compute only the final failure set and impact,
//!   with reusable [`Scratch`] buffers whose reset costs O(size of the last cascade).
//!   [`failure_set_with`] decides per edge whether a failure propagates (Monte Carlo hook).
//!
//! Indices in `initial` that are not assets of the graph are ignored; repeats are harmless.

use crate::csr::{Graph, SINGLE, impact_from_units};
use std::collections::BTreeMap;

/// One failed asset of a [`Cascade`].
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    pub asset: u32,
    pub time_hours: f64,
    /// The provider whose failure brought the asset down; `None` for initial failures.
    ///
    /// Tie-break: among all groups of the asset whose completion time equals the asset's
    /// failure time, and among their edges whose `provider time + tolerance` equals it,
    /// the smallest provider index. (It depends only on the failure times, not on the
    /// processing order.)
    pub cause: Option<u32>,
}

/// A point of an NCF's degradation step function: from `time_hours` on, the NCF is degraded
/// by `degradation` (failed share of its total weight, in [0, 1]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NcfStep {
    pub time_hours: f64,
    pub degradation: f64,
}

/// Degradation over time of one NCF (index into `model::ncfs()`).
#[derive(Clone, Debug, PartialEq)]
pub struct NcfTimeline {
    pub ncf: u8,
    /// Strictly increasing times, increasing degradation; the last step is the final value.
    pub steps: Vec<NcfStep>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cascade {
    /// Every failed asset, ordered by time, then asset index.
    pub failed: Vec<Failed>,
    /// Only the NCFs that degrade, ascending NCF index.
    pub ncf_timeline: Vec<NcfTimeline>,
    /// Σ over NCFs of the final degradation.
    pub impact: f64,
}

const UNSEEN: u8 = 0;
const TENTATIVE: u8 = 1;
const FINAL: u8 = 2;
const NO_CAUSE: u32 = u32::MAX;

/// The timed deterministic cascade of the failure of `initial` at `t = 0`.
///
/// Causes are tracked on the fly: a multi-slot group keeps its running max arrival and the
/// smallest provider attaining it; a completed group offers (time, that provider) to its
/// owner, which keeps the earliest time and, among offers at that time, the smallest
/// provider. Offers at the owner's own time are still taken after it is finalised, so the
/// result is the [`Failed::cause`] definition whatever the processing order.
pub fn cascade(graph: &Graph, initial: &[u32]) -> Cascade {
    let n = graph.asset_count();
    let counters = graph.counter_count();
    let mut hit = vec![0u32; counters];
    let mut group_max = vec![0.0f64; counters];
    let mut group_arg = vec![0u32; counters];
    let mut node = vec![
        Node {
            time: 0.0,
            cause: NO_CAUSE,
            state: UNSEEN,
            initial: false
        };
        n
    ];
    // Assets offered the time `now`, and later offers bucketed by exact time (bit patterns
    // of non-negative floats sort like the floats). Times repeat a lot (sums of a few
    // tolerance values), so a bucket queue beats a heap. An entry is stale only when its
    // asset was finalised earlier (offers only ever decrease), which the state shows.
    let mut same: Vec<u32> = Vec::new();
    let mut later: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    let mut order: Vec<u32> = Vec::new();
    for &a in initial {
        if let Some(x) = node.get_mut(a as usize)
            && !x.initial
        {
            x.initial = true;
            x.state = TENTATIVE;
            same.push(a);
        }
    }
    let mut now = 0.0f64;
    loop {
        let a = if let Some(a) = same.pop() {
            a
        } else if let Some((bits, bucket)) = later.pop_first() {
            now = f64::from_bits(bits);
            same = bucket;
            continue;
        } else {
            break;
        };
        if node[a as usize].state != TENTATIVE {
            continue;
        }
        node[a as usize].state = FINAL;
        order.push(a);
        for e in graph.supplies(a) {
            let owner = &mut node[e.dependent as usize];
            let arrival = now + e.tolerance;
            // Initial failures have no cause; a finalised owner only takes offers at its own
            // time (cause ties).
            if owner.initial || (owner.state == FINAL && arrival != owner.time) {
                continue;
            }
            let (t, p) = if e.counter == SINGLE {
                (arrival, a)
            } else {
                let c = e.counter as usize;
                if hit[c] == 0
                    || arrival > group_max[c]
                    || (arrival == group_max[c] && a < group_arg[c])
                {
                    group_max[c] = arrival;
                    group_arg[c] = a;
                }
                hit[c] += 1;
                if hit[c] < e.size {
                    continue;
                }
                (group_max[c], group_arg[c])
            };
            if owner.state == UNSEEN || t < owner.time {
                owner.state = TENTATIVE;
                owner.time = t;
                owner.cause = p;
                if t == now {
                    same.push(e.dependent);
                } else {
                    later.entry(t.to_bits()).or_default().push(e.dependent);
                }
            } else if t == owner.time && p < owner.cause {
                owner.cause = p;
            }
        }
    }
    sort_runs(&mut order, |a| node[a as usize].time.to_bits(), n);
    let failed: Vec<Failed> = order
        .iter()
        .map(|&a| {
            let x = node[a as usize];
            Failed {
                asset: a,
                time_hours: x.time,
                cause: (x.cause != NO_CAUSE).then_some(x.cause),
            }
        })
        .collect();
    let ncf_timeline = timeline(graph, &failed);
    let impact = impact_from_units(order.iter().map(|&a| graph.contribution_units(a)).sum());
    Cascade {
        failed,
        ncf_timeline,
        impact,
    }
}

#[derive(Clone, Copy)]
struct Node {
    time: f64,
    cause: u32,
    state: u8,
    initial: bool,
}

/// Sorts each run of equal `key` in `order` (distinct assets `< n`) by asset index; long runs
/// by a scan over a mark vector instead of a comparison sort.
fn sort_runs(order: &mut [u32], key: impl Fn(u32) -> u64, n: usize) {
    let mut mark: Vec<bool> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let k = key(order[start]);
        let len = order[start..].iter().take_while(|&&a| key(a) == k).count();
        let run = &mut order[start..start + len];
        if len > 64 && len > n / 32 {
            mark.resize(n, false);
            run.iter().for_each(|&a| mark[a as usize] = true);
            let sorted = mark.iter_mut().enumerate().filter(|(_, m)| **m);
            for (slot, (a, m)) in run.iter_mut().zip(sorted) {
                *slot = a as u32;
                *m = false;
            }
        } else {
            run.sort_unstable();
        }
        start += len;
    }
}

fn timeline(graph: &Graph, failed: &[Failed]) -> Vec<NcfTimeline> {
    let mut failed_weight = vec![0.0f64; graph.ncf_count()];
    let mut steps: Vec<Vec<NcfStep>> = vec![Vec::new(); graph.ncf_count()];
    for f in failed {
        let w = graph.weight(f.asset);
        if w == 0.0 {
            continue;
        }
        for &ncf in graph.asset_ncfs(f.asset) {
            let i = usize::from(ncf);
            failed_weight[i] += w;
            let degradation = (failed_weight[i] / graph.ncf_total(i)).min(1.0);
            match steps[i].last_mut() {
                Some(last) if last.time_hours == f.time_hours => last.degradation = degradation,
                _ => steps[i].push(NcfStep {
                    time_hours: f.time_hours,
                    degradation,
                }),
            }
        }
    }
    steps
        .into_iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, steps)| NcfTimeline {
            ncf: i as u8,
            steps,
        })
        .collect()
}

/// Reusable buffers for [`failure_set`]; one per thread. Resetting costs O(last cascade).
#[derive(Clone, Debug)]
pub struct Scratch {
    hit: Vec<u32>,
    touched: Vec<u32>,
    failed: Vec<bool>,
    pub(crate) order: Vec<u32>,
}

impl Scratch {
    pub fn new(graph: &Graph) -> Scratch {
        Scratch {
            hit: vec![0; graph.counter_count()],
            touched: Vec::new(),
            failed: vec![false; graph.asset_count()],
            order: Vec::new(),
        }
    }

    /// The assets failed by the last call, in propagation order (initial assets first).
    pub fn failed(&self) -> &[u32] {
        &self.order
    }

    pub fn is_failed(&self, a: u32) -> bool {
        self.failed[a as usize]
    }

    fn reset(&mut self) {
        for &g in &self.touched {
            self.hit[g as usize] = 0;
        }
        for &a in &self.order {
            self.failed[a as usize] = false;
        }
        self.touched.clear();
        self.order.clear();
    }
}

/// Final impact of the deterministic cascade of `initial` (no times). The failed assets stay
/// readable in `scratch` until its next use.
pub fn failure_set(graph: &Graph, initial: &[u32], scratch: &mut Scratch) -> f64 {
    failure_set_with(graph, initial, scratch, |_| true)
}

/// Like [`failure_set`], but a provider's failure reaches the dependent of slot `s` only when
/// `propagate(s)` is true (Monte Carlo: draw against [`Graph::slot_strength`]`(s)`, the
/// cheapest lookup; [`Graph::edge_ref`] gives the whole edge).
///
/// `propagate` is called exactly once per slot whose provider fails while the slot's
/// dependent is still up, in a deterministic order (breadth-first from `initial` in the given
/// order, each provider's slots ascending), so a per-trial seeded RNG gives reproducible runs.
/// A slot for which it returns false never counts, so its group survives this run.
pub fn failure_set_with(
    graph: &Graph,
    initial: &[u32],
    scratch: &mut Scratch,
    propagate: impl FnMut(u32) -> bool,
) -> f64 {
    spread(graph, initial, scratch, propagate, |_| false);
    impact_from_units(
        scratch
            .order
            .iter()
            .map(|&a| graph.contribution_units(a))
            .sum(),
    )
}

/// The breadth-first counter propagation shared by the untimed analyses. `stop(a)` is asked
/// after each newly failed asset; returning true ends the propagation early (the scratch
/// then holds a partial failure set). Returns true when stopped early.
pub(crate) fn spread(
    graph: &Graph,
    initial: &[u32],
    scratch: &mut Scratch,
    mut propagate: impl FnMut(u32) -> bool,
    mut stop: impl FnMut(u32) -> bool,
) -> bool {
    scratch.reset();
    let n = graph.asset_count();
    for &a in initial {
        if (a as usize) < n && !scratch.failed[a as usize] {
            scratch.failed[a as usize] = true;
            scratch.order.push(a);
            if stop(a) {
                return true;
            }
        }
    }
    let mut head = 0;
    while head < scratch.order.len() {
        let a = scratch.order[head];
        head += 1;
        for e in graph.supplies(a) {
            let owner = e.dependent;
            if scratch.failed[owner as usize] || !propagate(e.slot) {
                continue;
            }
            if e.counter != SINGLE {
                let c = e.counter as usize;
                if scratch.hit[c] == 0 {
                    scratch.touched.push(e.counter);
                }
                scratch.hit[c] += 1;
                if scratch.hit[c] < e.size {
                    continue;
                }
            }
            scratch.failed[owner as usize] = true;
            scratch.order.push(owner);
            if stop(owner) {
                return true;
            }
        }
    }
    false
}
