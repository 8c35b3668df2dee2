//! The exact single-failure impact of every foreign and foreign-owned asset (PRODUCT §2.4,
//! impact component): the Σ over NCFs of the degradation its loss alone causes under the §1
//! failure semantics (tolerances do not change final failure sets).
//!
//! * **Pure AND** ([`Graph::is_pure_and`]): the failure set of `v` is `v` plus its ancestors,
//!   so one target-keyed bitset DP over the SCC condensation ([`closure::ancestor_sums`])
//!   gives every impact at once; targets are the components carrying NCF weight.
//! * **With redundancy groups**: failure sets are not reachability, so each ranked asset
//!   runs the exact counter propagation (as [`cascade::failure_set`]), hubs first, with
//!   memoised *collapses* (see [`Collapses`]): a large closed failure set is kept as a base,
//!   and a later propagation that fails an asset known to bring that base down continues on
//!   top of it. Worst case O(Σ over ranked assets of their cascade's edges); on worlds where
//!   many assets collapse most of the graph, close to the cost of the small cascades alone.
//!
//! Impacts are summed in fixed point, so equal failure sets give bit-identical impacts and the
//! order (impact descending, then asset index ascending) is deterministic.

use crate::cascade::{self, Scratch};
use crate::closure;
use crate::csr::{Graph, SINGLE, impact_from_units};
use crate::scc::Condensation;
use std::cmp::Reverse;

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
    let mut rows: Vec<RankRow> = units
        .into_iter()
        .zip(assets)
        .map(|(u, asset)| RankRow {
            asset,
            impact: impact_from_units(u),
            foreign_owned: graph.is_foreign_owned(asset),
        })
        .collect();
    rows.sort_unstable_by(|a, b| b.impact.total_cmp(&a.impact).then(a.asset.cmp(&b.asset)));
    rows
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
    single_failure_losses(graph, assets, &[])
        .into_iter()
        .map(|l| l.units)
        .collect()
}

/// What one failure set costs: its impact in fixed-point units, its number of domestic
/// assets and its number of assets flagged in a caller's mask.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Loss {
    pub units: u64,
    pub domestic: u32,
    pub marked: u32,
}

impl Loss {
    fn of(graph: &Graph, mask: &[bool], a: u32) -> Loss {
        Loss {
            units: graph.contribution_units(a),
            domestic: u32::from(!graph.is_foreign(a)),
            marked: u32::from(mask.get(a as usize).copied().unwrap_or(false)),
        }
    }

    fn add(&mut self, other: Loss) {
        self.units += other.units;
        self.domestic += other.domestic;
        self.marked += other.marked;
    }
}

/// Exact loss of the failure of each of `assets` alone, under any group structure, by
/// counter propagation with memoised collapses ([`Collapses`]); `mask` flags the assets
/// [`Loss::marked`] counts (may be empty). Out-of-range indices lose nothing.
pub(crate) fn single_failure_losses(graph: &Graph, assets: &[u32], mask: &[bool]) -> Vec<Loss> {
    let n = graph.asset_count() as u32;
    let mut memo = Collapses::new(graph, mask);
    let mut order: Vec<usize> = (0..assets.len()).collect();
    // Hubs first, so that collapses become bases early.
    let fan_out = |a: u32| if a < n { graph.supplies(a).len() } else { 0 };
    order.sort_unstable_by_key(|&i| (Reverse(fan_out(assets[i])), assets[i]));
    let mut losses = vec![Loss::default(); assets.len()];
    for i in order {
        if assets[i] < n {
            losses[i] = memo.loss(assets[i]);
        }
    }
    losses
}

/// Most collapse bases kept (each costs n/8 bytes plus 4 bytes per counter).
const MAX_BASES: usize = 32;
const NO_BASE: u8 = u8::MAX;

/// A closed failure set `M` kept as a starting state: its members, its group counters and
/// its impact.
struct Base {
    failed: Vec<u64>,
    hit: Vec<u32>,
    loss: Loss,
}

impl Base {
    fn has(&self, a: u32) -> bool {
        self.failed[a as usize / 64] & (1 << (a % 64)) != 0
    }
}

/// Exact single-failure impacts with memoised large failure sets ("collapses").
///
/// Failure sets are closed: if `x ∈ F(v)` then `F(x) ⊆ F(v)`, and then
/// `F(v) = closure(F(x) ∪ S)` for any `S ⊆ F(v)` containing `v`. A large failure set `M_b`
/// found by a full propagation is kept as a *base* (members, counters, impact), and `trigger`
/// marks assets `x` known to satisfy `F(x) ⊇ M_b`: the asset whose propagation produced
/// `M_b`, every asset later found to reach a trigger, and everything that is the sole
/// provider of a group of a trigger asset (its failure fails that asset). A propagation from
/// `v` stops at the first trigger asset it fails, and the rest runs on top of the base,
/// touching only `F(v) \ M_b`. With a handful of bases, worlds where many assets collapse
/// most of the graph cost little more than the small cascades.
struct Collapses<'g> {
    graph: &'g Graph,
    mask: &'g [bool],
    big: usize,
    bases: Vec<Base>,
    trigger: Vec<u8>,
    scratch: Scratch,
    extra: Vec<bool>,
    list: Vec<u32>,
    delta: Vec<u32>,
    touched: Vec<u32>,
}

impl<'g> Collapses<'g> {
    fn new(graph: &'g Graph, mask: &'g [bool]) -> Collapses<'g> {
        let n = graph.asset_count();
        Collapses {
            graph,
            mask,
            big: (n / 32).max(2),
            bases: Vec::new(),
            trigger: vec![NO_BASE; n],
            scratch: Scratch::new(graph),
            extra: vec![false; n],
            list: Vec::new(),
            delta: vec![0; graph.counter_count()],
            touched: Vec::new(),
        }
    }

    /// Loss of `v`'s failure alone.
    fn loss(&mut self, v: u32) -> Loss {
        let b = self.trigger[v as usize];
        if b != NO_BASE {
            return self.on_base(b, &[v]);
        }
        let trigger = &self.trigger;
        let stopped = cascade::spread(
            self.graph,
            &[v],
            &mut self.scratch,
            |_| true,
            |x| trigger[x as usize] != NO_BASE,
        );
        let failed = std::mem::take(&mut self.scratch.order);
        let loss = if stopped {
            let b = self.trigger[*failed.last().expect("stopped on a failed asset") as usize];
            let loss = self.on_base(b, &failed);
            self.mark(b, v);
            loss
        } else {
            if failed.len() >= self.big && self.bases.len() < MAX_BASES {
                self.add_base(&failed);
                self.mark((self.bases.len() - 1) as u8, v);
            }
            let mut loss = Loss::default();
            failed
                .iter()
                .for_each(|&a| loss.add(Loss::of(self.graph, self.mask, a)));
            loss
        };
        self.scratch.order = failed;
        loss
    }

    fn add_base(&mut self, failed: &[u32]) {
        let g = self.graph;
        let mut base = Base {
            failed: vec![0; g.asset_count().div_ceil(64)],
            hit: vec![0; g.counter_count()],
            loss: Loss::default(),
        };
        for &a in failed {
            base.failed[a as usize / 64] |= 1 << (a % 64);
            base.loss.add(Loss::of(g, self.mask, a));
            for e in g.supplies(a).iter().filter(|e| e.counter != SINGLE) {
                base.hit[e.counter as usize] += 1;
            }
        }
        self.bases.push(base);
    }

    /// Marks `v` and, transitively, the sole providers of its groups as triggers of base `b`.
    fn mark(&mut self, b: u8, v: u32) {
        if self.trigger[v as usize] != NO_BASE {
            return;
        }
        self.trigger[v as usize] = b;
        let mut queue = vec![v];
        while let Some(y) = queue.pop() {
            for g in self.graph.groups_of(y) {
                if let [x] = *self.graph.group_providers(g)
                    && self.trigger[x as usize] == NO_BASE
                {
                    self.trigger[x as usize] = b;
                    queue.push(x);
                }
            }
        }
    }

    /// Loss of `closure(M_b ∪ seeds)`, propagating only outside `M_b`.
    fn on_base(&mut self, b: u8, seeds: &[u32]) -> Loss {
        let g = self.graph;
        let base = &self.bases[b as usize];
        let mut loss = base.loss;
        for &s in seeds {
            if !base.has(s) && !self.extra[s as usize] {
                self.extra[s as usize] = true;
                self.list.push(s);
            }
        }
        let mut head = 0;
        while head < self.list.len() {
            let y = self.list[head];
            head += 1;
            loss.add(Loss::of(g, self.mask, y));
            for e in g.supplies(y) {
                let o = e.dependent;
                if base.has(o) || self.extra[o as usize] {
                    continue;
                }
                if e.counter != SINGLE {
                    let c = e.counter as usize;
                    if self.delta[c] == 0 {
                        self.touched.push(e.counter);
                    }
                    self.delta[c] += 1;
                    if base.hit[c] + self.delta[c] < e.size {
                        continue;
                    }
                }
                self.extra[o as usize] = true;
                self.list.push(o);
            }
        }
        for &y in &self.list {
            self.extra[y as usize] = false;
        }
        for &c in &self.touched {
            self.delta[c as usize] = 0;
        }
        self.list.clear();
        self.touched.clear();
        loss
    }
}
