//! Strongly connected components (iterative Tarjan, no recursion) and the condensation of
//! the depends-on graph.
//!
//! Component ids follow Tarjan's completion order, which is a reverse topological order:
//! for every edge `u → w` between different components, `comp[u] > comp[w]`. In the
//! depends-on direction (dependent → provider) component 0 is therefore a *sink*: it depends
//! on nothing outside itself, and iterating ids downwards visits dependents before providers.

use crate::csr::{Graph, bucket_by};

const UNVISITED: u32 = u32::MAX;

/// Component of every node of the graph `0..n` with successors `succ(v)`, and the number of
/// components. Deterministic: roots are tried in index order, successors in slice order.
pub fn components<'a>(n: usize, succ: impl Fn(u32) -> &'a [u32]) -> (Vec<u32>, u32) {
    // Per node: (preorder index, component), one cache line touch per edge. The low-link of a
    // node lives in its call frame: it is only needed while the node is on the call stack.
    let mut node = vec![(UNVISITED, UNVISITED); n];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<Frame<'a>> = Vec::new();
    let mut counter = 0u32;
    let mut count = 0u32;
    for root in 0..n as u32 {
        if node[root as usize].0 != UNVISITED {
            continue;
        }
        node[root as usize].0 = counter;
        call.push(Frame {
            v: root,
            out: succ(root),
            next: 0,
            index: counter,
            low: counter,
        });
        counter += 1;
        stack.push(root);
        while let Some(f) = call.last_mut() {
            if let Some(&w) = f.out.get(f.next) {
                f.next += 1;
                let (index, comp) = node[w as usize];
                if index == UNVISITED {
                    node[w as usize].0 = counter;
                    call.push(Frame {
                        v: w,
                        out: succ(w),
                        next: 0,
                        index: counter,
                        low: counter,
                    });
                    counter += 1;
                    stack.push(w);
                } else if comp == UNVISITED {
                    f.low = f.low.min(index);
                }
                continue;
            }
            let done = call.pop().expect("frame present");
            if let Some(parent) = call.last_mut() {
                parent.low = parent.low.min(done.low);
            }
            if done.low == done.index {
                while let Some(w) = stack.pop() {
                    node[w as usize].1 = count;
                    if w == done.v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    (node.into_iter().map(|x| x.1).collect(), count)
}

struct Frame<'a> {
    v: u32,
    out: &'a [u32],
    next: usize,
    index: u32,
    low: u32,
}

/// The condensation of the depends-on graph (see the module docs for the id order).
#[derive(Clone, Debug)]
pub struct Condensation {
    comp: Vec<u32>,
    member_start: Vec<u32>,
    members: Vec<u32>,
    provider_start: Vec<u32>,
    providers: Vec<u32>,
    dependent_start: Vec<u32>,
    dependents: Vec<u32>,
}

impl Condensation {
    pub fn new(graph: &Graph) -> Condensation {
        let n = graph.asset_count();
        let (comp, count) = components(n, |a| graph.providers(a));
        let count = count as usize;
        let (member_start, members) = bucket_by(count, n, |a| comp[a] as usize);
        let mut seen = vec![u32::MAX; count];
        let mut provider_start = Vec::with_capacity(count + 1);
        let mut providers = Vec::new();
        provider_start.push(0u32);
        for c in 0..count {
            let from = providers.len();
            for &a in &members[member_start[c] as usize..member_start[c + 1] as usize] {
                for &p in graph.providers(a) {
                    let pc = comp[p as usize];
                    if pc as usize != c && seen[pc as usize] != c as u32 {
                        seen[pc as usize] = c as u32;
                        providers.push(pc);
                    }
                }
            }
            providers[from..].sort_unstable();
            provider_start.push(providers.len() as u32);
        }
        // Dependents of each component: transpose, ascending by construction.
        let mut owner = vec![0u32; providers.len()];
        for c in 0..count {
            owner[provider_start[c] as usize..provider_start[c + 1] as usize].fill(c as u32);
        }
        let (dependent_start, order) = bucket_by(count, providers.len(), |e| providers[e] as usize);
        let dependents = order.iter().map(|&e| owner[e as usize]).collect();
        Condensation {
            comp,
            member_start,
            members,
            provider_start,
            providers,
            dependent_start,
            dependents,
        }
    }

    pub fn count(&self) -> usize {
        self.member_start.len() - 1
    }

    /// Component of asset `a`.
    pub fn comp(&self, a: u32) -> u32 {
        self.comp[a as usize]
    }

    pub fn comps(&self) -> &[u32] {
        &self.comp
    }

    /// Assets of component `c`, ascending.
    pub fn members(&self, c: u32) -> &[u32] {
        &self.members
            [self.member_start[c as usize] as usize..self.member_start[c as usize + 1] as usize]
    }

    pub fn size(&self, c: u32) -> u32 {
        self.member_start[c as usize + 1] - self.member_start[c as usize]
    }

    /// Components that `c` depends on directly (all `< c`), ascending, without repeats.
    pub fn providers(&self, c: u32) -> &[u32] {
        &self.providers
            [self.provider_start[c as usize] as usize..self.provider_start[c as usize + 1] as usize]
    }

    /// Components that depend directly on `c` (all `> c`), ascending, without repeats.
    pub fn dependents(&self, c: u32) -> &[u32] {
        &self.dependents[self.dependent_start[c as usize] as usize
            ..self.dependent_start[c as usize + 1] as usize]
    }
}
