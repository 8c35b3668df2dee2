//! The engine's graph: a compact CSR form of a [`CompactAtlas`] in both directions.
//!
//! * **Groups.** A dependent's redundancy groups are its edges with the same group name;
//!   an edge with [`NO_GROUP`] forms the default group named after its provider's id (two
//!   default edges of one dependent to the same provider share it, and so does an edge of
//!   that dependent whose group is explicitly named like the provider's id). Groups are stored
//!   sorted by owner, then named groups by name index, then default groups by provider.
//!   Each group owns a contiguous range of *slots* (one per edge, sorted by provider, then
//!   edge index); a slot carries its provider, tolerance, strength and original edge index.
//! * **Reverse index.** For every provider, the slots naming it (ascending slot order).
//! * **NCF weights.** `W_ncf` = Σ of the effective weights of the assets supporting the NCF
//!   (an asset listing several NCFs counts in each; a repeated NCF id counts once).
//!   Weights that are not finite and positive count as 0.
//! * **Impact contribution.** `c_a = Σ_{ncf ∈ a} w_a / W_ncf`, so the impact of a failure set
//!   (Σ over NCFs of the failed weight share) is Σ of `c_a` over the failed assets. The
//!   engine adds contributions in fixed point ([`IMPACT_UNIT`] = 2⁻⁵²), so the impact of a
//!   set does not depend on summation order: every analysis reports bit-identical impacts for
//!   identical failure sets. Each NCF's 2⁵² units are apportioned to its members by rounded
//!   prefix sums, so a fully failed NCF counts exactly 1 and every `c_a` is within one unit
//!   per NCF of its exact value.
//! * **Foreign flags.** Foreign = country differs from `home`; foreign-owned = domestic with
//!   a known `owner_country` different from `home`.

use model::{CompactAtlas, NO_GROUP};
use rayon::prelude::*;

/// Fixed-point unit of impact: one unit is `2⁻⁵²` of one fully degraded NCF.
pub const IMPACT_UNIT: f64 = 1.0 / (1u64 << 52) as f64;

/// Converts an impact in fixed-point units into NCF-degradation units.
pub fn impact_from_units(units: u64) -> f64 {
    units as f64 * IMPACT_UNIT
}

/// One dependency edge as seen by a propagation hook (see [`crate::cascade::failure_set_with`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeRef {
    /// Index of the edge in the atlas columns (`edge_dependent[edge]` …).
    pub edge: u32,
    /// Slot index in the graph (stable for one graph; `0..slot_count()`).
    pub slot: u32,
    pub dependent: u32,
    pub provider: u32,
    /// Effective strength in (0, 1]: the Monte Carlo propagation probability.
    pub strength: f64,
}

/// `Supply::counter` of a group that is its slot alone (no counter needed).
pub const SINGLE: u32 = u32::MAX;

/// One entry of the reverse index (provider → slots naming it), with what propagation needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Supply {
    pub slot: u32,
    /// The slot's dependent (owner of its group).
    pub dependent: u32,
    /// Index of the slot's group among the groups of two or more slots (`0..counter_count()`),
    /// or [`SINGLE`] when the group is this slot alone.
    pub counter: u32,
    /// Number of slots in the group.
    pub size: u32,
    /// Tolerance in hours (non-finite or negative input counts as 0).
    pub tolerance: f64,
}

#[derive(Clone, Debug)]
pub struct Graph {
    home: [u8; 2],
    /// Groups of asset `a` are `owner_group_start[a]..owner_group_start[a + 1]`.
    owner_group_start: Vec<u32>,
    group_owner: Vec<u32>,
    /// Slots of group `g` are `group_slot_start[g]..group_slot_start[g + 1]`.
    group_slot_start: Vec<u32>,
    slot_group: Vec<u32>,
    slot_provider: Vec<u32>,
    slot_strength: Vec<f64>,
    slot_edge: Vec<u32>,
    /// Slots of asset `a` as a dependent are `dep_slot_start[a]..dep_slot_start[a + 1]`.
    dep_slot_start: Vec<u32>,
    /// Slots naming provider `p` are `supply[supply_start[p]..supply_start[p + 1]]`.
    supply_start: Vec<u32>,
    supply: Vec<Supply>,
    counter_count: usize,
    ncf_offsets: Vec<u32>,
    ncf_ids: Vec<u8>,
    ncf_total: Vec<f64>,
    weight: Vec<f64>,
    sectors: Vec<u16>,
    contribution: Vec<u64>,
    foreign: Vec<bool>,
    foreign_owned: Vec<bool>,
    pure_and: bool,
}

/// Counting sort of `0..len` by `key`, stable; returns (offsets of length `buckets + 1`, order).
pub(crate) fn bucket_by(
    buckets: usize,
    len: usize,
    key: impl Fn(usize) -> usize,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; buckets + 1];
    for i in 0..len {
        start[key(i) + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut next = start.clone();
    let mut order = vec![0u32; len];
    for i in 0..len {
        let b = key(i);
        order[next[b] as usize] = i as u32;
        next[b] += 1;
    }
    (start, order)
}

impl Graph {
    /// Builds the graph. `home` is the installation's home country (e.g. `*b"US"`).
    ///
    /// # Panics
    /// When `atlas.is_consistent()` is false (loaders guarantee it).
    pub fn new(atlas: &CompactAtlas, home: [u8; 2]) -> Graph {
        assert!(
            atlas.is_consistent(),
            "CompactAtlas columns are inconsistent"
        );
        let n = atlas.asset_count();
        let m = atlas.edge_count();

        // Edges bucketed by dependent, then sorted by (group key, provider, edge) per dependent.
        let (dep_slot_start, order) = if atlas.edge_dependent.is_sorted() {
            let mut start = vec![0u32; n + 1];
            for &d in &atlas.edge_dependent {
                start[d as usize + 1] += 1;
            }
            for a in 0..n {
                start[a + 1] += start[a];
            }
            (start, (0..m as u32).collect())
        } else {
            bucket_by(n, m, |e| atlas.edge_dependent[e] as usize)
        };
        // The default group is named after the provider's id: when a dependent also names a
        // group that way explicitly, both are one group.
        let default_group: Vec<u32> = if atlas.group_names.is_empty() {
            vec![NO_GROUP; n]
        } else {
            let names: std::collections::HashMap<&str, u32> = atlas
                .group_names
                .iter()
                .enumerate()
                .map(|(i, g)| (g.as_str(), i as u32))
                .collect();
            atlas
                .ids
                .iter()
                .map(|id| names.get(id.as_str()).copied().unwrap_or(NO_GROUP))
                .collect()
        };
        let mut keyed: Vec<(u64, u32, u32)> = order
            .par_iter()
            .map(|&e| {
                let (g, p) = (
                    atlas.edge_group[e as usize],
                    atlas.edge_provider[e as usize],
                );
                let g = if g == NO_GROUP {
                    default_group[p as usize]
                } else {
                    g
                };
                let key = if g == NO_GROUP {
                    (1u64 << 32) | u64::from(p)
                } else {
                    u64::from(g)
                };
                (key, p, e)
            })
            .collect();
        drop(order);
        for a in 0..n {
            let seg = &mut keyed[dep_slot_start[a] as usize..dep_slot_start[a + 1] as usize];
            if !seg.is_sorted() {
                seg.sort_unstable();
            }
        }

        let mut owner_group_start = Vec::with_capacity(n + 1);
        let mut group_owner = Vec::with_capacity(m);
        let mut group_slot_start = Vec::with_capacity(m + 1);
        let mut slot_group = Vec::with_capacity(m);
        owner_group_start.push(0u32);
        for a in 0..n {
            for s in dep_slot_start[a] as usize..dep_slot_start[a + 1] as usize {
                if s == dep_slot_start[a] as usize || keyed[s].0 != keyed[s - 1].0 {
                    group_owner.push(a as u32);
                    group_slot_start.push(s as u32);
                }
                slot_group.push((group_owner.len() - 1) as u32);
            }
            owner_group_start.push(group_owner.len() as u32);
        }
        group_slot_start.push(m as u32);
        let pure_and = (0..group_owner.len()).all(|g| {
            let slots = &keyed[group_slot_start[g] as usize..group_slot_start[g + 1] as usize];
            slots.iter().all(|x| x.1 == slots[0].1)
        });
        let mut counter_count = 0u32;
        let group_counter: Vec<u32> = (0..group_owner.len())
            .map(|g| {
                if group_slot_start[g + 1] - group_slot_start[g] == 1 {
                    SINGLE
                } else {
                    counter_count += 1;
                    counter_count - 1
                }
            })
            .collect();

        let slot_provider: Vec<u32> = keyed.par_iter().map(|x| x.1).collect();
        let slot_edge: Vec<u32> = keyed.par_iter().map(|x| x.2).collect();
        drop(keyed);
        let slot_strength = slot_edge
            .par_iter()
            .map(|&e| atlas.edge_strength[e as usize])
            .collect();
        // Reverse index: one sequential pass over the slots, scattering by provider.
        let mut supply_start = vec![0u32; n + 1];
        for &p in &slot_provider {
            supply_start[p as usize + 1] += 1;
        }
        for p in 0..n {
            supply_start[p + 1] += supply_start[p];
        }
        let mut next = supply_start.clone();
        let mut supply = vec![
            Supply {
                slot: 0,
                dependent: 0,
                counter: SINGLE,
                size: 1,
                tolerance: 0.0
            };
            m
        ];
        for (s, (&p, &g)) in slot_provider.iter().zip(&slot_group).enumerate() {
            let g = g as usize;
            supply[next[p as usize] as usize] = Supply {
                slot: s as u32,
                dependent: group_owner[g],
                counter: group_counter[g],
                size: group_slot_start[g + 1] - group_slot_start[g],
                tolerance: {
                    let t = atlas.edge_tolerance[slot_edge[s] as usize];
                    if t.is_finite() && t > 0.0 { t } else { 0.0 }
                },
            };
            next[p as usize] += 1;
        }
        drop(next);

        let ncf_count = model::ncfs().len().max(
            atlas
                .ncf_ids
                .iter()
                .map(|&i| usize::from(i) + 1)
                .max()
                .unwrap_or(0),
        );
        let weight: Vec<f64> = atlas
            .weight
            .iter()
            .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
            .collect();
        let mut ncf_offsets = Vec::with_capacity(n + 1);
        let mut ncf_ids = Vec::with_capacity(atlas.ncf_ids.len());
        ncf_offsets.push(0u32);
        let mut ncf_total = vec![0.0f64; ncf_count];
        let mut own = Vec::new();
        for (a, &w) in weight.iter().enumerate() {
            let from = ncf_ids.len();
            own.clear();
            own.extend_from_slice(atlas.asset_ncfs(a));
            own.sort_unstable();
            own.dedup();
            ncf_ids.extend_from_slice(&own);
            ncf_offsets.push(ncf_ids.len() as u32);
            for &f in &ncf_ids[from..] {
                ncf_total[usize::from(f)] += w;
            }
        }
        // Apportion each NCF's 2⁵² units by rounded prefix sums in index order: the prefix over
        // all members is bitwise `W_ncf` (same order of additions), so the members of an NCF
        // get exactly 2⁵² units between them and each within one unit of its exact share.
        let mut prefix = vec![0.0f64; ncf_count];
        let mut given = vec![0u64; ncf_count];
        let mut contribution = vec![0u64; n];
        for (a, c) in contribution.iter_mut().enumerate() {
            for &f in &ncf_ids[ncf_offsets[a] as usize..ncf_offsets[a + 1] as usize] {
                let f = usize::from(f);
                if ncf_total[f] > 0.0 {
                    prefix[f] += weight[a];
                    let upto = (prefix[f] / ncf_total[f] / IMPACT_UNIT).round() as u64;
                    *c += upto - given[f];
                    given[f] = upto;
                }
            }
        }
        let foreign: Vec<bool> = atlas.country.iter().map(|&c| c != home).collect();
        let foreign_owned = (0..n)
            .map(|a| !foreign[a] && atlas.owner_country[a].is_some_and(|o| o != home))
            .collect();

        Graph {
            home,
            owner_group_start,
            group_owner,
            group_slot_start,
            slot_group,
            slot_provider,
            slot_strength,
            slot_edge,
            dep_slot_start,
            supply_start,
            supply,
            counter_count: counter_count as usize,
            ncf_offsets,
            ncf_ids,
            ncf_total,
            weight,
            sectors: atlas.sectors.clone(),
            contribution,
            foreign,
            foreign_owned,
            pure_and,
        }
    }

    pub fn home(&self) -> [u8; 2] {
        self.home
    }

    pub fn asset_count(&self) -> usize {
        self.foreign.len()
    }

    pub fn group_count(&self) -> usize {
        self.group_owner.len()
    }

    /// Number of slots = number of edges.
    pub fn slot_count(&self) -> usize {
        self.slot_provider.len()
    }

    /// True when every group has a single (possibly repeated) provider: every dependency
    /// is required, and the failure set of an asset is its set of ancestors.
    pub fn is_pure_and(&self) -> bool {
        self.pure_and
    }

    /// Group indices of asset `a` (as a dependent).
    pub fn groups_of(&self, a: u32) -> std::ops::Range<u32> {
        self.owner_group_start[a as usize]..self.owner_group_start[a as usize + 1]
    }

    pub fn group_owner(&self, g: u32) -> u32 {
        self.group_owner[g as usize]
    }

    /// Slot indices of group `g`.
    pub fn group_slots(&self, g: u32) -> std::ops::Range<u32> {
        self.group_slot_start[g as usize]..self.group_slot_start[g as usize + 1]
    }

    /// Providers of group `g`, ascending (repeats possible).
    pub fn group_providers(&self, g: u32) -> &[u32] {
        let r = self.group_slots(g);
        &self.slot_provider[r.start as usize..r.end as usize]
    }

    /// All slots of asset `a` as a dependent (contiguous, grouped).
    pub fn dependency_slots(&self, a: u32) -> std::ops::Range<u32> {
        self.dep_slot_start[a as usize]..self.dep_slot_start[a as usize + 1]
    }

    /// Providers of asset `a` over all its groups, in slot order (repeats possible).
    pub fn providers(&self, a: u32) -> &[u32] {
        &self.slot_provider
            [self.dep_slot_start[a as usize] as usize..self.dep_slot_start[a as usize + 1] as usize]
    }

    /// The slots naming `p` as provider, ascending by slot.
    pub fn supplies(&self, p: u32) -> &[Supply] {
        &self.supply
            [self.supply_start[p as usize] as usize..self.supply_start[p as usize + 1] as usize]
    }

    /// Number of groups with two or more slots (the counters a propagation needs).
    pub fn counter_count(&self) -> usize {
        self.counter_count
    }

    pub fn slot_group(&self, s: u32) -> u32 {
        self.slot_group[s as usize]
    }

    pub fn slot_provider(&self, s: u32) -> u32 {
        self.slot_provider[s as usize]
    }

    /// Effective strength of slot `s`: the Monte Carlo propagation probability.
    pub fn slot_strength(&self, s: u32) -> f64 {
        self.slot_strength[s as usize]
    }

    pub fn edge_ref(&self, s: u32) -> EdgeRef {
        let g = self.slot_group[s as usize];
        EdgeRef {
            edge: self.slot_edge[s as usize],
            slot: s,
            dependent: self.group_owner[g as usize],
            provider: self.slot_provider[s as usize],
            strength: self.slot_strength[s as usize],
        }
    }

    /// Number of NCF indices (at least `model::ncfs().len()`).
    pub fn ncf_count(&self) -> usize {
        self.ncf_total.len()
    }

    /// NCF indices of asset `a`, ascending, without repeats.
    pub fn asset_ncfs(&self, a: u32) -> &[u8] {
        &self.ncf_ids
            [self.ncf_offsets[a as usize] as usize..self.ncf_offsets[a as usize + 1] as usize]
    }

    /// `W_ncf`: total effective weight of the assets supporting NCF `ncf`.
    pub fn ncf_total(&self, ncf: usize) -> f64 {
        self.ncf_total[ncf]
    }

    /// Effective weight (0 when the input is not finite and positive).
    pub fn weight(&self, a: u32) -> f64 {
        self.weight[a as usize]
    }

    /// Sector bits of asset `a` (bit i = `model::sectors()[i]`).
    pub fn sectors(&self, a: u32) -> u16 {
        self.sectors[a as usize]
    }

    /// `c_a` in fixed-point units ([`IMPACT_UNIT`]).
    pub fn contribution_units(&self, a: u32) -> u64 {
        self.contribution[a as usize]
    }

    /// `c_a = Σ_{ncf ∈ a} w_a / W_ncf`: the impact of `a`'s own failure.
    pub fn contribution(&self, a: u32) -> f64 {
        impact_from_units(self.contribution[a as usize])
    }

    pub fn is_foreign(&self, a: u32) -> bool {
        self.foreign[a as usize]
    }

    /// Domestic with a foreign ultimate owner.
    pub fn is_foreign_owned(&self, a: u32) -> bool {
        self.foreign_owned[a as usize]
    }

    /// Foreign or foreign-owned: covered by the priority ranking.
    pub fn is_ranked(&self, a: u32) -> bool {
        self.is_foreign(a) || self.is_foreign_owned(a)
    }

    /// The assets the priority ranking covers ([`Graph::is_ranked`]), ascending.
    pub fn ranked_assets(&self) -> Vec<u32> {
        (0..self.asset_count() as u32)
            .filter(|&a| self.is_ranked(a))
            .collect()
    }
}
