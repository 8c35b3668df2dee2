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
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0u32; n];
    let mut comp = vec![UNVISITED; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, &'a [u32], u32)> = Vec::new();
    let mut counter = 0u32;
    let mut count = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != UNVISITED {
            continue;
        }
        index[root as usize] = counter;
        low[root as usize] = counter;
        counter += 1;
        stack.push(root);
        call.push((root, succ(root), 0));
        while let Some(&mut (v, out, ref mut next)) = call.last_mut() {
            if let Some(&w) = out.get(*next as usize) {
                *next += 1;
                if index[w as usize] == UNVISITED {
                    index[w as usize] = counter;
                    low[w as usize] = counter;
                    counter += 1;
                    stack.push(w);
                    call.push((w, succ(w), 0));
                } else if comp[w as usize] == UNVISITED {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                while let Some(w) = stack.pop() {
                    comp[w as usize] = count;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    (comp, count)
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
