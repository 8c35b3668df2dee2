//! Reachability primitives, comparable with networkx / igraph / rustworkx on the same
//! depends-on graph (edge dependent → provider, parallel edges and groups ignored):
//!
//! * [`closure_sizes`]: `|descendants(s)|` for each source `s`: the assets `s` transitively
//!   depends on, **excluding `s` itself even when it lies on a cycle** (= `len(nx.descendants(G,
//!   s))` = rustworkx `len(descendants)` = igraph `len(subcomponent(s, mode="out")) - 1`).
//!   Bit-parallel: 64 sources per pass over the SCC condensation.
//! * [`ncf_dependent_counts`]: for each asset `v`, the number of NCF-carrying assets (at least
//!   one NCF) `u` with `u = v` or `u` transitively depending on `v`: **the asset counts itself**
//!   when it carries NCFs (= `len(nx.ancestors(G, v) & carriers) + (v in carriers)` = igraph
//!   `carriers[subcomponent(v, mode="in")].sum()`; `bench/README.md` `foreign_ncf_counts`).
//!   This is the exact pure-AND impact of losing `v`, counted over NCF carriers.
//! * [`weak_components`]: number and sizes of weakly connected components.
//!
//! [`ancestor_sums`] is the engine under the pure-AND ranking: a target-keyed bitset DP over
//! the condensation in topological order, in chunks of `64·w` targets.

use crate::csr::Graph;
use crate::scc::Condensation;
use rayon::prelude::*;

/// Memory budget of the bitset rows of one DP chunk.
const CHUNK_BYTES: usize = 128 << 20;
/// Widest row, in 64-bit words.
const MAX_WORDS: usize = 32;

/// For every component `c` with `wanted[c]`: Σ of `weight[d]` over the components `d` that
/// reach `c` along depends-on edges, `c` included (its ancestors). Other entries are 0.
/// Exact (integer sums); cost O((N + M) · T / 64) word operations for T weighted components.
pub fn ancestor_sums(cond: &Condensation, weight: &[u64], wanted: &[bool]) -> Vec<u64> {
    let count = cond.count();
    // Targets in descending component order, so each chunk only touches ids ≤ its first.
    let targets: Vec<u32> = (0..count as u32)
        .rev()
        .filter(|&c| weight[c as usize] > 0)
        .collect();
    if targets.is_empty() {
        return vec![0; count];
    }
    let threads = rayon::current_num_threads().max(1);
    let words_total = targets.len().div_ceil(64);
    let budget = (CHUNK_BYTES / 8 / count.max(1)).clamp(1, MAX_WORDS);
    let chunks = words_total.div_ceil(budget).max(threads.min(words_total));
    let words = words_total.div_ceil(chunks);
    // One accumulator and one row buffer per rayon split, reused across its chunks.
    targets
        .par_chunks(64 * words)
        .fold(
            || (vec![0u64; count], Vec::new()),
            |(mut sums, mut rows), chunk| {
                chunk_sums(cond, weight, wanted, chunk, words, &mut sums, &mut rows);
                (sums, rows)
            },
        )
        .map(|(sums, _)| sums)
        .reduce(
            || vec![0; count],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Adds, for every wanted component, the weights of the `chunk` targets among its ancestors.
fn chunk_sums(
    cond: &Condensation,
    weight: &[u64],
    wanted: &[bool],
    chunk: &[u32],
    words: usize,
    sums: &mut [u64],
    rows: &mut Vec<u64>,
) {
    let top = chunk[0] as usize;
    rows.clear();
    rows.resize((top + 1) * words, 0);
    for (bit, &t) in chunk.iter().enumerate() {
        rows[t as usize * words + bit / 64] |= 1 << (bit % 64);
    }
    // tables[pos][byte] = Σ weights of the targets whose bits are set in `byte` at byte `pos`.
    let mut tables = vec![[0u64; 256]; words * 8];
    for (pos, table) in tables.iter_mut().enumerate() {
        for b in 1..256usize {
            let bit = pos * 8 + b.trailing_zeros() as usize;
            let w = chunk.get(bit).map_or(0, |&t| weight[t as usize]);
            table[b] = table[b & (b - 1)] + w;
        }
    }
    for c in (0..=top).rev() {
        let (lower, upper) = rows.split_at_mut((c + 1) * words);
        let row = &mut lower[c * words..];
        for &d in cond.dependents(c as u32) {
            let d = d as usize;
            if d > top {
                break;
            }
            let from = &upper[(d - c - 1) * words..(d - c) * words];
            row.iter_mut().zip(from).for_each(|(x, y)| *x |= y);
        }
        if wanted[c] {
            sums[c] += row
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != 0)
                .flat_map(|(i, w)| {
                    w.to_le_bytes()
                        .into_iter()
                        .enumerate()
                        .map(move |(j, b)| (i * 8 + j, b))
                })
                .map(|(pos, b)| tables[pos][usize::from(b)])
                .sum::<u64>();
        }
    }
}

/// `|descendants(s)|` for each source (see the module docs for the convention), in order.
/// Indices that are not assets give 0.
pub fn closure_sizes(graph: &Graph, cond: &Condensation, sources: &[u32]) -> Vec<u64> {
    let n = graph.asset_count() as u32;
    let mut order: Vec<usize> = (0..sources.len()).filter(|&i| sources[i] < n).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(cond.comp(sources[i])));
    let mut sizes = vec![0u64; sources.len()];
    let passes: Vec<Vec<(usize, u64)>> = order
        .par_chunks(64)
        .map(|batch| {
            let top = cond.comp(sources[batch[0]]) as usize;
            let mut mask = vec![0u64; top + 1];
            for (bit, &i) in batch.iter().enumerate() {
                mask[cond.comp(sources[i]) as usize] |= 1 << bit;
            }
            let mut count = [0u64; 64];
            for c in (0..=top).rev() {
                let m = mask[c];
                if m == 0 {
                    continue;
                }
                for &p in cond.providers(c as u32) {
                    mask[p as usize] |= m;
                }
                let size = u64::from(cond.size(c as u32));
                let mut bits = m;
                while bits != 0 {
                    count[bits.trailing_zeros() as usize] += size;
                    bits &= bits - 1;
                }
            }
            batch
                .iter()
                .enumerate()
                .map(|(bit, &i)| (i, count[bit] - 1))
                .collect()
        })
        .collect();
    for (i, s) in passes.into_iter().flatten() {
        sizes[i] = s;
    }
    sizes
}

/// For every asset: the number of NCF-carrying assets among itself and its ancestors.
/// Cost O((N + M) · T / 64) word operations for T NCF-carrying components.
pub fn ncf_dependent_counts(graph: &Graph, cond: &Condensation) -> Vec<u64> {
    let carries = |a: u32| !graph.asset_ncfs(a).is_empty();
    let weight: Vec<u64> = (0..cond.count() as u32)
        .map(|c| cond.members(c).iter().filter(|&&a| carries(a)).count() as u64)
        .collect();
    let sums = ancestor_sums(cond, &weight, &vec![true; cond.count()]);
    (0..graph.asset_count() as u32)
        .map(|a| sums[cond.comp(a) as usize])
        .collect()
}

/// Weakly connected components: their sizes, largest first (the count is the length).
pub fn weak_components(graph: &Graph) -> Vec<u32> {
    let n = graph.asset_count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let find = |parent: &mut Vec<u32>, mut x: u32| {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    };
    for d in 0..n as u32 {
        for &p in graph.providers(d) {
            let (a, b) = (find(&mut parent, d), find(&mut parent, p));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut size = vec![0u32; n];
    for a in 0..n as u32 {
        let r = find(&mut parent, a);
        size[r as usize] += 1;
    }
    let mut sizes: Vec<u32> = size.into_iter().filter(|&s| s > 0).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}
