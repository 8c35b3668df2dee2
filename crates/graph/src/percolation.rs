//! Interdependent-network percolation (PRODUCT §2.9): the cascade of Buldyrev, Parshani, Paul,
//! Stanley & Havlin, "Catastrophic cascade of failures in interdependent networks", Nature 464
//! (2010).
//!
//! Two layers A and B carry undirected *connectivity* links inside each layer and *dependency*
//! links across layers. A node is functional when it lies in the giant (largest) connected
//! component of the surviving part of its own layer and its dependencies hold. The cascade:
//!
//! 1. the initial failures (typically a random fraction `1 − p` of A) are removed, and every
//!    node whose dependencies fail with them is removed too;
//! 2. A step: in A, every surviving node outside the largest surviving component fails, then
//!    dependency failures propagate (to B, and on through any chains);
//! 3. B step: the same in B;
//! 4. steps alternate until two consecutive steps remove nothing.
//!
//! [`Outcome::iterations`] counts the A and B steps that removed at least one node. The order
//! parameter `P∞` ([`Outcome::fraction`]) is the share of the layers' nodes left in the mutually
//! connected giant component. Ties between equally large components go to the one holding the
//! lowest-indexed node of the layer.
//!
//! Dependencies follow the failure semantics of PRODUCT §1: a node's dependency links are
//! sorted into redundancy groups, and the node fails as soon as every provider of one of its
//! groups has failed. Buldyrev's one-to-one coupling is the special case of one singleton group
//! per node: `A_i` needs `B_i` and `B_i` needs `A_i` ([`coupled_er`]).
//!
//! Components are found by BFS with buffers kept in [`Scratch`] (reused across cascades). A
//! layer's first step labels all its surviving nodes, `O(|layer| + |links|)`. Later steps know
//! the layer was one component after its previous step and has since lost a few nodes, so
//! they run one BFS per surviving neighbour of the lost nodes in lockstep and stop once the
//! only unfinished search has outgrown every finished piece: the cost is about the number of
//! pieces times the size of the second-largest, not the layer's size (a full pass is used
//! when many nodes were lost). Both paths give the same result, tie rule included.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::csr::Graph;

#[cfg(test)]
mod tests;

/// One of the two coupled layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// Two coupled networks, built once and cascaded many times.
#[derive(Debug, Clone)]
pub struct Interdependent {
    /// `Some(side)` for layer nodes; `None` for nodes that take no part.
    side: Vec<Option<Side>>,
    members: [Vec<u32>; 2],
    /// Undirected connectivity links, CSR: neighbours of `v` are `adj[adj_off[v]..adj_off[v + 1]]`.
    adj_off: Vec<u32>,
    adj: Vec<u32>,
    /// Dependency group `g` belongs to `group_owner[g]` and has `group_size[g]` provider slots.
    group_owner: Vec<u32>,
    group_size: Vec<u32>,
    /// Groups in which `v` is a provider (once per slot): `provided[provided_off[v]..provided_off[v + 1]]`.
    provided_off: Vec<u32>,
    provided: Vec<u32>,
}

/// The end state of one cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Surviving nodes per layer (A, B).
    pub alive: [usize; 2],
    /// Layer sizes (A, B).
    pub size: [usize; 2],
    /// A and B steps that removed at least one node.
    pub iterations: u32,
}

impl Outcome {
    /// `P∞`: the share of both layers' nodes in the final mutually connected giant component.
    pub fn fraction(&self) -> f64 {
        let total = self.size[0] + self.size[1];
        if total == 0 {
            0.0
        } else {
            (self.alive[0] + self.alive[1]) as f64 / total as f64
        }
    }
}

/// Marks a failed node in [`Scratch::state`].
const DEAD: u32 = u32::MAX;

/// Reusable buffers for [`Interdependent::cascade`]; one per thread.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    /// [`DEAD`], or the label of the component (or search) that last visited the node; labels
    /// `≥ next_label` at the start of a giant step are fresh, so "alive and unvisited in this
    /// step" is `state < base`.
    state: Vec<u32>,
    next_label: u32,
    queue: Vec<u32>,
    dead: Vec<u32>,
    group_alive: Vec<u32>,
    count: [usize; 2],
    /// Per layer: filtered to one component at least once, and the nodes lost since.
    filtered: [bool; 2],
    hit: [Vec<u32>; 2],
    fronts: Vec<Front>,
    front_nodes: Vec<Vec<u32>>,
    active: Vec<usize>,
}

/// How [`Interdependent::critical_point`] brackets the collapse.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Search {
    /// A realisation has "survived" at `p` when `P∞(p) ≥ threshold`. Below `p_c` the finite
    /// network keeps only `O(log N / N)`; above it `P∞` jumps to about `1.26 / ⟨k⟩` for coupled
    /// ER networks, so any threshold well between (say 0.05) finds the same jump.
    pub threshold: f64,
    /// Bisection stops when the bracket is narrower than this.
    pub tolerance: f64,
}

impl Interdependent {
    /// Builds the system from per-node sides, undirected connectivity links (both endpoints
    /// must be in the same layer) and dependency groups: `groups[g] = (owner, providers)`.
    fn build(
        side: Vec<Option<Side>>,
        links: &[(u32, u32)],
        groups: &[(u32, Vec<u32>)],
    ) -> Interdependent {
        let n = side.len();
        let mut members = [Vec::new(), Vec::new()];
        for (v, s) in side.iter().enumerate() {
            if let Some(s) = s {
                members[s.index()].push(v as u32);
            }
        }
        let (adj_off, adj) = csr(n, links.iter().flat_map(|&(u, v)| [(u, v), (v, u)]));
        let slots = groups
            .iter()
            .enumerate()
            .flat_map(|(g, (_, ps))| ps.iter().map(move |&p| (p, g as u32)));
        let (provided_off, provided) = csr(n, slots);
        Interdependent {
            side,
            members,
            adj_off,
            adj,
            group_owner: groups.iter().map(|g| g.0).collect(),
            group_size: groups.iter().map(|g| g.1.len() as u32).collect(),
            provided_off,
            provided,
        }
    }

    /// The Buldyrev cascade on the atlas itself (as compiled into a [`Graph`]). `sides[a]` puts
    /// asset `a` in layer A or B (or leaves it out; see [`sides_by_sector`]). Every dependency
    /// edge whose two assets lie in the same layer becomes an undirected connectivity link of
    /// that layer (the assets keep each other in the layer's giant component whichever way the
    /// dependency points). Every edge from one layer to the other is a dependency link, grouped
    /// as in PRODUCT §1 by the dependent's redundancy group ([`Graph::groups_of`]); only the
    /// group's cross-layer providers count, so the dependent fails when all of them have failed.
    /// Edges touching an asset outside both layers are ignored; self-loops are dropped.
    ///
    /// # Panics
    /// When `sides.len()` differs from the asset count (a caller bug, not bad input).
    pub fn from_graph(graph: &Graph, sides: &[Option<Side>]) -> Interdependent {
        assert_eq!(sides.len(), graph.asset_count(), "one side per asset");
        let mut links = Vec::new();
        let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
        for (d, sd) in (0..graph.asset_count() as u32).zip(sides) {
            let Some(sd) = sd else { continue };
            for g in graph.groups_of(d) {
                let mut cross = Vec::new();
                for &p in graph.group_providers(g) {
                    match sides[p as usize] {
                        Some(sp) if p != d && sp == *sd => links.push((d, p)),
                        Some(sp) if sp != *sd => cross.push(p),
                        _ => {}
                    }
                }
                if !cross.is_empty() {
                    groups.push((d, cross));
                }
            }
        }
        Interdependent::build(sides.to_vec(), &links, &groups)
    }

    pub fn node_count(&self) -> usize {
        self.side.len()
    }

    /// Nodes of one layer, ascending.
    pub fn members(&self, side: Side) -> &[u32] {
        &self.members[side.index()]
    }

    /// The members of `side` in a random order drawn from `rng`: removing the first
    /// `round((1 − p) · len)` of them is a random attack of size `1 − p`, nested in `p`.
    pub fn attack_order(&self, side: Side, rng: &mut impl Rng) -> Vec<u32> {
        let mut order = self.members(side).to_vec();
        order.shuffle(rng);
        order
    }

    /// Runs the cascade after removing `initial` (nodes outside both layers are ignored).
    pub fn cascade(&self, initial: &[u32], s: &mut Scratch) -> Outcome {
        s.state.clear();
        s.state.extend(
            self.side
                .iter()
                .map(|side| if side.is_some() { 0 } else { DEAD }),
        );
        s.group_alive.clear();
        s.group_alive.extend_from_slice(&self.group_size);
        s.count = [self.members[0].len(), self.members[1].len()];
        s.next_label = 1;
        s.filtered = [false; 2];
        s.hit.iter_mut().for_each(Vec::clear);
        s.dead.clear();
        for &v in initial {
            self.kill(v, s);
        }
        self.propagate(s);
        let mut iterations = 0;
        let mut quiet = 0;
        let mut side = Side::A;
        while quiet < 2 {
            if self.giant_step(side, s) > 0 {
                self.propagate(s);
                iterations += 1;
                quiet = 0;
            } else {
                quiet += 1;
            }
            side = if side == Side::A { Side::B } else { Side::A };
        }
        Outcome {
            alive: s.count,
            size: [self.members[0].len(), self.members[1].len()],
            iterations,
        }
    }

    /// The cascade after removing the first `round((1 − p) · len)` nodes of `order`.
    pub fn cascade_at(&self, order: &[u32], p: f64, s: &mut Scratch) -> Outcome {
        let removed = ((1.0 - p.clamp(0.0, 1.0)) * order.len() as f64).round() as usize;
        self.cascade(&order[..removed], s)
    }

    /// The smallest `p` (within `search.tolerance`) at which the attack along `order` leaves
    /// `P∞ ≥ search.threshold`, by bisection on `[0, 1]` (assuming, as holds in practice,
    /// that survival is monotone in `p` for nested attacks); `None` when even `p = 1` fails.
    pub fn critical_point(&self, order: &[u32], search: Search, s: &mut Scratch) -> Option<f64> {
        let survives =
            |p: f64, s: &mut Scratch| self.cascade_at(order, p, s).fraction() >= search.threshold;
        if !survives(1.0, s) {
            return None;
        }
        let (mut lo, mut hi) = (0.0, 1.0);
        // At most 52 halvings: a tolerance of 0 stops at the resolution of f64 near 1.
        for _ in 0..52 {
            if hi - lo <= search.tolerance {
                break;
            }
            let mid = 0.5 * (lo + hi);
            if survives(mid, s) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }

    fn kill(&self, v: u32, s: &mut Scratch) {
        let vi = v as usize;
        if let Some(side) = self.side.get(vi).copied().flatten()
            && s.state[vi] != DEAD
        {
            s.state[vi] = DEAD;
            s.count[side.index()] -= 1;
            if s.filtered[side.index()] {
                s.hit[side.index()].push(v);
            }
            s.dead.push(v);
        }
    }

    /// Fails every owner of a group whose providers have all failed, transitively.
    fn propagate(&self, s: &mut Scratch) {
        while let Some(u) = s.dead.pop() {
            let u = u as usize;
            for &g in
                &self.provided[self.provided_off[u] as usize..self.provided_off[u + 1] as usize]
            {
                let left = &mut s.group_alive[g as usize];
                *left -= 1;
                if *left == 0 {
                    self.kill(self.group_owner[g as usize], s);
                }
            }
        }
    }

    fn neighbours(&self, v: u32) -> &[u32] {
        &self.adj[self.adj_off[v as usize] as usize..self.adj_off[v as usize + 1] as usize]
    }

    /// Keeps only the largest surviving component of `side`; returns how many nodes it removed.
    fn giant_step(&self, side: Side, s: &mut Scratch) -> usize {
        let l = side.index();
        let before = s.count[l];
        if s.next_label > LABEL_LIMIT {
            for st in s.state.iter_mut().filter(|st| **st != DEAD) {
                *st = 0;
            }
            s.next_label = 1;
        }
        // Many losses since the last filter: one full pass is cheaper than many searches.
        if s.filtered[l] && s.hit[l].len() * 16 < s.count[l] {
            self.split_giant(l, s);
        } else {
            self.full_giant(l, s);
        }
        s.hit[l].clear();
        s.filtered[l] = true;
        before - s.count[l]
    }

    /// Labels every surviving component of layer `l` by BFS and keeps the largest.
    fn full_giant(&self, l: usize, s: &mut Scratch) {
        let members = &self.members[l];
        let base = s.next_label;
        let (mut best, mut best_size, mut next) = (DEAD, 0usize, base);
        for &root in members {
            if s.state[root as usize] >= base {
                continue; // dead, or labelled in this step
            }
            s.queue.clear();
            s.queue.push(root);
            s.state[root as usize] = next;
            let mut head = 0;
            while let Some(&u) = s.queue.get(head) {
                head += 1;
                for &w in self.neighbours(u) {
                    // One load tests "alive and unvisited" (random access dominates the cost).
                    if s.state[w as usize] < base {
                        s.state[w as usize] = next;
                        s.queue.push(w);
                    }
                }
            }
            if s.queue.len() > best_size {
                (best, best_size) = (next, s.queue.len());
            }
            next += 1;
        }
        s.next_label = next;
        for &v in members {
            let state = s.state[v as usize];
            if state != DEAD && state != best {
                self.kill(v, s);
            }
        }
    }

    /// The layer was one connected component after its last filter and has since lost the
    /// nodes in `s.hit[l]`, so every remaining piece touches one of their neighbours. One BFS
    /// per surviving neighbour runs in lockstep, searches that meet merge, and once at most one
    /// search is unfinished and it has outgrown every finished piece it is the giant and need
    /// not be explored further. Cost: about (number of pieces) × (size of the second largest
    /// piece) instead of the whole layer, which keeps the long cascades near `p_c` cheap. The
    /// result is the same as [`Interdependent::full_giant`]'s, tie rule included.
    fn split_giant(&self, l: usize, s: &mut Scratch) {
        let base = s.next_label;
        let mut count = 0usize;
        for i in 0..s.hit[l].len() {
            for &w in self.neighbours(s.hit[l][i]) {
                if s.state[w as usize] < base {
                    s.state[w as usize] = base + count as u32;
                    s.start_front(count, w);
                    count += 1;
                }
            }
        }
        s.next_label = base + count as u32;
        let is_open_root = |s: &Scratch, f: usize| s.fronts[f].parent == f as u32 && s.is_open(f);
        let mut active = std::mem::take(&mut s.active);
        active.clear();
        active.extend(0..count);
        while active.len() > 1 {
            for &f in &active {
                if is_open_root(s, f) {
                    self.expand(f, base, s);
                }
            }
            active.retain(|&f| is_open_root(s, f));
        }
        s.active = active;
        let closed_roots = (0..count).filter(|&f| s.fronts[f].parent == f as u32 && !s.is_open(f));
        let largest_closed = closed_roots.map(|f| s.fronts[f].size).max().unwrap_or(0);
        let mut giant = None;
        if let Some(open) = (0..count).find(|&f| is_open_root(s, f)) {
            // No other search can reach it now: every other piece is closed.
            while s.is_open(open) && s.fronts[open].size <= largest_closed {
                self.expand(open, base, s);
            }
            if s.fronts[open].size > largest_closed {
                giant = Some(open);
            }
        }
        // Otherwise every piece is closed: the largest wins, ties to the lowest node index.
        let giant = giant.or_else(|| {
            let mut lowest = vec![DEAD; count];
            for f in 0..count {
                let r = s.find(f);
                let low = s.front_nodes[f].iter().copied().min().unwrap_or(DEAD);
                lowest[r] = lowest[r].min(low);
            }
            (0..count)
                .filter(|&f| s.fronts[f].parent == f as u32)
                .min_by_key(|&f| (std::cmp::Reverse(s.fronts[f].size), lowest[f]))
        });
        for f in 0..count {
            if Some(s.find(f)) != giant {
                for i in 0..s.front_nodes[f].len() {
                    self.kill(s.front_nodes[f][i], s);
                }
            }
        }
    }

    /// Visits the next queued node of root search `f`, labelling its unvisited neighbours and
    /// merging with every search it meets.
    fn expand(&self, f: usize, base: u32, s: &mut Scratch) {
        let u = s.front_nodes[f][s.fronts[f].head];
        s.fronts[f].head += 1;
        let mut root = f;
        for &w in self.neighbours(u) {
            let st = s.state[w as usize];
            if st == DEAD {
                continue;
            }
            if st < base {
                s.state[w as usize] = base + root as u32;
                s.front_nodes[root].push(w);
                s.fronts[root].size += 1;
            } else {
                let other = s.find((st - base) as usize);
                if other != root {
                    root = s.merge(root, other);
                }
            }
        }
    }
}

/// Component labels grow by the number of searches per step; past this, labels restart.
const LABEL_LIMIT: u32 = u32::MAX / 2;

/// One lockstep search of [`Interdependent::split_giant`], and a union–find node over searches.
/// A search's queue is `front_nodes[f][head..]`; after a merge the root holds the whole queue.
#[derive(Clone, Copy, Debug, Default)]
struct Front {
    parent: u32,
    /// Nodes found by the whole merged search (valid at the root).
    size: usize,
    head: usize,
}

impl Scratch {
    fn start_front(&mut self, f: usize, node: u32) {
        if self.fronts.len() <= f {
            self.fronts.resize(f + 1, Front::default());
            self.front_nodes.resize_with(f + 1, Vec::new);
        }
        self.fronts[f] = Front {
            parent: f as u32,
            size: 1,
            head: 0,
        };
        self.front_nodes[f].clear();
        self.front_nodes[f].push(node);
    }

    fn is_open(&self, f: usize) -> bool {
        self.fronts[f].head < self.front_nodes[f].len()
    }

    fn find(&mut self, mut f: usize) -> usize {
        let mut root = f;
        while self.fronts[root].parent as usize != root {
            root = self.fronts[root].parent as usize;
        }
        while f != root {
            let next = self.fronts[f].parent as usize;
            self.fronts[f].parent = root as u32;
            f = next;
        }
        root
    }

    /// Unites two root searches; the one with the longer queue absorbs the other's queue.
    fn merge(&mut self, a: usize, b: usize) -> usize {
        let queue = |s: &Scratch, f: usize| s.front_nodes[f].len() - s.fronts[f].head;
        let (winner, loser) = if queue(self, a) >= queue(self, b) {
            (a, b)
        } else {
            (b, a)
        };
        let from = self.fronts[loser].head;
        let moved: Vec<u32> = self.front_nodes[loser].drain(from..).collect();
        self.front_nodes[winner].extend(moved);
        self.fronts[loser].parent = winner as u32;
        self.fronts[winner].size += self.fronts[loser].size;
        winner
    }
}

/// Sides by sector: an asset belongs to A when it is in any sector of `a_sectors` (bit masks as
/// in [`Graph::sectors`]), else to B when it is in any sector of `b_sectors`, else to neither
/// (so A wins when the masks overlap).
pub fn sides_by_sector(graph: &Graph, a_sectors: u16, b_sectors: u16) -> Vec<Option<Side>> {
    (0..graph.asset_count() as u32)
        .map(|a| {
            let m = graph.sectors(a);
            if m & a_sectors != 0 {
                Some(Side::A)
            } else if m & b_sectors != 0 {
                Some(Side::B)
            } else {
                None
            }
        })
        .collect()
}

/// The random stream of realisation `index`: `ChaCha8Rng::seed_from_u64(seed)` on stream `index`.
pub fn realisation_rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// Two Erdős–Rényi networks `G(N, ⟨k⟩/(N − 1))` (expected mean degree exactly ⟨k⟩) coupled
/// one-to-one: nodes `0..N` are A, `N..2N` are B, `A_i` needs `B_i` and `B_i` needs `A_i`.
/// A mean degree that is not positive (or NaN) gives no links.
/// Edges are drawn by geometric skipping (Batagelj & Brandes 2005), `O(N + E)`: A's edges
/// first, then B's, from `rng`.
pub fn coupled_er(nodes: usize, mean_degree: f64, rng: &mut impl Rng) -> Interdependent {
    let mut links = er_links(nodes, mean_degree, 0, rng);
    links.extend(er_links(nodes, mean_degree, nodes as u32, rng));
    let n = nodes as u32;
    let groups: Vec<(u32, Vec<u32>)> = (0..n)
        .map(|i| (i, vec![i + n]))
        .chain((0..n).map(|i| (i + n, vec![i])))
        .collect();
    let side = (0..2 * nodes)
        .map(|v| Some(if v < nodes { Side::A } else { Side::B }))
        .collect();
    Interdependent::build(side, &links, &groups)
}

/// Realisation `index` of an experiment: the coupled ER networks and a random attack order on
/// A, both drawn from [`realisation_rng`]`(seed, index)`.
pub fn er_realisation(
    nodes: usize,
    mean_degree: f64,
    seed: u64,
    index: u64,
) -> (Interdependent, Vec<u32>) {
    let mut rng = realisation_rng(seed, index);
    let net = coupled_er(nodes, mean_degree, &mut rng);
    let order = net.attack_order(Side::A, &mut rng);
    (net, order)
}

/// `p_c` of realisations `0..realisations` of coupled ER networks, in parallel (the result does
/// not depend on the thread count). `None` for a realisation that has no mutual giant component
/// even at `p = 1`. `tick` is called with 0 before each realisation and with 1 after it; the
/// caller may unwind from it to stop the run (the engine keeps no state outside the call).
pub fn er_critical_points(
    nodes: usize,
    mean_degree: f64,
    seed: u64,
    realisations: u64,
    search: Search,
    tick: impl Fn(u64) + Sync,
) -> Vec<Option<f64>> {
    (0..realisations)
        .into_par_iter()
        .map(|i| {
            tick(0);
            let (net, order) = er_realisation(nodes, mean_degree, seed, i);
            let point = net.critical_point(&order, search, &mut Scratch::default());
            tick(1);
            point
        })
        .collect()
}

/// One point of [`er_curve`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub p: f64,
    /// Mean `P∞` over the realisations.
    pub fraction: f64,
    /// Mean [`Outcome::iterations`] over the realisations.
    pub iterations: f64,
}

/// `P∞(p)` for each `p` of `ps`, averaged over realisations `0..realisations` of coupled ER
/// networks (each realisation attacks along one nested order), with the mean iteration count.
/// Realisations run in parallel; the result does not depend on the thread count.
pub fn er_curve(
    nodes: usize,
    mean_degree: f64,
    seed: u64,
    realisations: u64,
    ps: &[f64],
) -> Vec<CurvePoint> {
    let per: Vec<Vec<Outcome>> = (0..realisations)
        .into_par_iter()
        .map(|i| {
            let (net, order) = er_realisation(nodes, mean_degree, seed, i);
            let mut s = Scratch::default();
            ps.iter()
                .map(|&p| net.cascade_at(&order, p, &mut s))
                .collect()
        })
        .collect();
    let r = realisations.max(1) as f64;
    let mean =
        |k: usize, f: &dyn Fn(&Outcome) -> f64| per.iter().map(|o| f(&o[k])).sum::<f64>() / r;
    ps.iter()
        .enumerate()
        .map(|(k, &p)| CurvePoint {
            p,
            fraction: mean(k, &Outcome::fraction),
            iterations: mean(k, &|o| f64::from(o.iterations)),
        })
        .collect()
}

/// `G(n, ⟨k⟩/(n − 1))` on nodes `offset..offset + n` by geometric skipping over the pairs
/// `(v, w)`, `w < v`, in lexicographic order.
fn er_links(n: usize, mean_degree: f64, offset: u32, rng: &mut impl Rng) -> Vec<(u32, u32)> {
    if n < 2 || mean_degree.is_nan() || mean_degree <= 0.0 {
        return Vec::new();
    }
    let p = (mean_degree / (n - 1) as f64).min(1.0);
    let expected = p * n as f64 * (n - 1) as f64 / 2.0;
    let mut links = Vec::with_capacity((expected * 1.1) as usize);
    let log_q = (1.0 - p).ln();
    let (mut v, mut w) = (1usize, -1i64);
    while v < n {
        let skip = if p >= 1.0 {
            0.0
        } else {
            ((1.0 - rng.random::<f64>()).ln() / log_q).floor()
        };
        w += 1 + skip.min(n as f64 * n as f64) as i64;
        while v < n && w >= v as i64 {
            w -= v as i64;
            v += 1;
        }
        if v < n {
            links.push((offset + v as u32, offset + w as u32));
        }
    }
    links
}

/// Compressed rows of `(row, value)` pairs over `n` rows, values in input order.
fn csr(n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut off = vec![0u32; n + 1];
    for (r, _) in pairs.clone() {
        off[r as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut values = vec![0u32; off[n] as usize];
    for (r, v) in pairs {
        values[fill[r as usize] as usize] = v;
        fill[r as usize] += 1;
    }
    (off, values)
}
