//! Dominator tree of the supply graph (ANALYSIS-NOTES §4.1), by Lengauer–Tarjan (the simple
//! O(M log N) variant with path compression), fully iterative.
//!
//! The flowgraph: reverse every depends-on edge (provider → dependent) and add a virtual root
//! with an edge to every asset of a *sink* SCC of the depends-on graph (assets and cycles that
//! depend on nothing outside themselves). Every asset is then reachable from the root, and `v`
//! dominates `w` iff every supply path from the root to `w` passes through `v`: removing `v`
//! cuts `w` off under OR/reachability semantics. Immediate dominators equal networkx's
//! `immediate_dominators(G, root)` on that flowgraph (with the root mapped to [`ROOT`]).

use crate::csr::{Graph, bucket_by};
use crate::scc::Condensation;

/// `idom` value of the assets whose immediate dominator is the virtual root.
pub const ROOT: u32 = u32::MAX;
const NONE: u32 = u32::MAX;

/// Immediate dominator of every node `0..n` of a flowgraph with root `root`, successor lists
/// `succ` and predecessor lists `pred`, both as CSR (`start` of length `n + 1`, `targets`).
/// The root and nodes unreachable from it get [`NONE`] (`u32::MAX`).
pub fn immediate_dominators(
    n: usize,
    root: u32,
    succ: (&[u32], &[u32]),
    pred: (&[u32], &[u32]),
) -> Vec<u32> {
    let adj = |csr: (&[u32], &[u32]), v: u32| -> std::ops::Range<usize> {
        csr.0[v as usize] as usize..csr.0[v as usize + 1] as usize
    };
    // Iterative DFS: preorder numbers, `vertex` (number → node), `parent` in numbers.
    let mut dfnum = vec![NONE; n];
    let mut vertex: Vec<u32> = Vec::with_capacity(n);
    let mut parent: Vec<u32> = Vec::with_capacity(n);
    let mut stack: Vec<(u32, usize)> = vec![(root, adj(succ, root).start)];
    dfnum[root as usize] = 0;
    vertex.push(root);
    parent.push(NONE);
    while let Some(&mut (v, ref mut next)) = stack.last_mut() {
        if *next == adj(succ, v).end {
            stack.pop();
            continue;
        }
        let w = succ.1[*next];
        *next += 1;
        if dfnum[w as usize] == NONE {
            dfnum[w as usize] = vertex.len() as u32;
            vertex.push(w);
            parent.push(dfnum[v as usize]);
            stack.push((w, adj(succ, w).start));
        }
    }
    let k = vertex.len();
    // Link-eval forest, packed per vertex (DFS numbers): the label's semidominator is cached
    // next to the label, so path compression touches two records per step.
    let mut forest: Vec<Forest> = (0..k as u32)
        .map(|v| Forest {
            ancestor: NONE,
            label: v,
            label_semi: v,
            semi: v,
        })
        .collect();
    let mut idom = vec![NONE; k];
    let mut bucket_head = vec![NONE; k];
    let mut bucket_next = vec![NONE; k];
    let mut path: Vec<u32> = Vec::new();
    // (label, its semidominator) of `v` after compressing its forest path.
    let mut eval = |v: u32, forest: &mut [Forest]| -> (u32, u32) {
        let fv = forest[v as usize];
        if fv.ancestor == NONE {
            return (v, fv.semi);
        }
        path.clear();
        let mut x = v;
        while forest[forest[x as usize].ancestor as usize].ancestor != NONE {
            path.push(x);
            x = forest[x as usize].ancestor;
        }
        for &x in path.iter().rev() {
            let fa = forest[forest[x as usize].ancestor as usize];
            let fx = &mut forest[x as usize];
            if fa.label_semi < fx.label_semi {
                fx.label = fa.label;
                fx.label_semi = fa.label_semi;
            }
            fx.ancestor = fa.ancestor;
        }
        (forest[v as usize].label, forest[v as usize].label_semi)
    };
    for w in (1..k).rev() {
        let mut sw = forest[w].semi;
        for i in adj(pred, vertex[w]) {
            let v = dfnum[pred.1[i] as usize];
            if v != NONE {
                sw = sw.min(eval(v, &mut forest).1);
            }
        }
        bucket_next[w] = bucket_head[sw as usize];
        bucket_head[sw as usize] = w as u32;
        let p = parent[w];
        forest[w] = Forest {
            ancestor: p,
            label: w as u32,
            label_semi: sw,
            semi: sw,
        };
        let mut v = std::mem::replace(&mut bucket_head[p as usize], NONE);
        while v != NONE {
            let (u, su) = eval(v, &mut forest);
            idom[v as usize] = if su < forest[v as usize].semi { u } else { p };
            v = bucket_next[v as usize];
        }
    }
    for w in 1..k {
        if idom[w] != forest[w].semi {
            idom[w] = idom[idom[w] as usize];
        }
    }
    let mut result = vec![NONE; n];
    for w in 1..k {
        result[vertex[w] as usize] = vertex[idom[w] as usize];
    }
    result
}

#[derive(Clone, Copy)]
struct Forest {
    ancestor: u32,
    label: u32,
    label_semi: u32,
    semi: u32,
}

/// The dominator tree of the supply graph with the virtual root (see the module docs).
#[derive(Clone, Debug)]
pub struct DominatorTree {
    idom: Vec<u32>,
}

impl DominatorTree {
    pub fn new(graph: &Graph, cond: &Condensation) -> DominatorTree {
        let n = graph.asset_count();
        let root = n as u32;
        // Supply edges provider → dependent, plus root → every asset of a sink component.
        let sink = |a: u32| cond.providers(cond.comp(a)).is_empty();
        let mut succ_start = Vec::with_capacity(n + 2);
        let mut succ = Vec::with_capacity(graph.slot_count() + n);
        let mut pred_start = Vec::with_capacity(n + 2);
        let mut pred = Vec::with_capacity(graph.slot_count() + n);
        for a in 0..n as u32 {
            succ_start.push(succ.len() as u32);
            succ.extend(graph.supplies(a).iter().map(|e| e.dependent));
            pred_start.push(pred.len() as u32);
            pred.extend_from_slice(graph.providers(a));
            if sink(a) {
                pred.push(root);
            }
        }
        succ_start.push(succ.len() as u32);
        succ.extend((0..n as u32).filter(|&a| sink(a)));
        succ_start.push(succ.len() as u32);
        pred_start.push(pred.len() as u32);
        pred_start.push(pred.len() as u32);
        let mut idom =
            immediate_dominators(n + 1, root, (&succ_start, &succ), (&pred_start, &pred));
        idom.truncate(n);
        for d in &mut idom {
            if *d == root {
                *d = ROOT;
            }
        }
        DominatorTree { idom }
    }

    /// Immediate dominator of `a`; [`ROOT`] when it is the virtual root.
    pub fn idom(&self, a: u32) -> u32 {
        self.idom[a as usize]
    }

    pub fn idoms(&self) -> &[u32] {
        &self.idom
    }

    /// True when `v` dominates `w` (every asset dominates itself). O(depth of `w`).
    pub fn dominates(&self, v: u32, w: u32) -> bool {
        let mut x = w;
        while x != ROOT {
            if x == v {
                return true;
            }
            x = self.idom[x as usize];
        }
        false
    }

    /// Size of every asset's dominator subtree, itself included: the assets its loss alone
    /// cuts off from every supply under OR/reachability semantics.
    pub fn subtree_sizes(&self) -> Vec<u32> {
        let n = self.idom.len();
        // Children before parents: order by depth, deepest first.
        let mut depth = vec![NONE; n];
        let mut chain: Vec<u32> = Vec::new();
        for a in 0..n as u32 {
            let mut x = a;
            while x != ROOT && depth[x as usize] == NONE {
                chain.push(x);
                x = self.idom[x as usize];
            }
            let top = if x == ROOT { 0 } else { depth[x as usize] + 1 };
            for (d, &c) in (top..).zip(chain.iter().rev()) {
                depth[c as usize] = d;
            }
            chain.clear();
        }
        let (_, order) = bucket_by(n, n, |a| n - 1 - depth[a] as usize);
        let mut size = vec![1u32; n];
        for &a in &order {
            let p = self.idom[a as usize];
            if p != ROOT {
                size[p as usize] += size[a as usize];
            }
        }
        size
    }
}
