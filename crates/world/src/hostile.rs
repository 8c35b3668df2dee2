//! The hostile benchmark world: no archetypes, just a graph shaped to stress the engine.
//! About 55% of the nodes form a "core" whose dependencies stay in the core (a random digraph
//! with Pareto out-degrees and Zipf-like provider popularity, hence a giant strongly connected
//! component); the rest depend on the core and on earlier non-core nodes only, so they sit on no
//! cycle. Every dependency is a plain AND requirement: no groups, no tolerances.

use model::{Asset, Dependency, DependencyKind, ncfs, sectors};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::demo::{mix, stream};
use crate::tables::FOREIGN;

/// Share of nodes in the core, in percent.
const CORE_PERCENT: u64 = 55;
/// Pareto out-degree: `floor(X_MIN * u^(-1/ALPHA))`, capped; mean about 5.
const X_MIN: f64 = 3.0;
const ALPHA: f64 = 2.2;
const MAX_OUT: usize = 500;
/// Provider popularity: rank `floor(len * u^SKEW)`, so low ranks are hubs.
const SKEW: i32 = 3;

pub(crate) struct Hostile {
    seed: u64,
    n: usize,
    /// Indices of the core nodes, in index order.
    core: Vec<u32>,
}

impl Hostile {
    pub(crate) fn new(seed: u64, n: usize) -> Hostile {
        let core = (0..n)
            .filter(|&i| Self::in_core(seed, i))
            .map(|i| u32::try_from(i).expect("fewer than 2^32 nodes"))
            .collect();
        Hostile { seed, n, core }
    }

    fn in_core(seed: u64, i: usize) -> bool {
        mix(seed ^ mix(i as u64)) % 100 < CORE_PERCENT
    }

    pub(crate) fn asset_count(&self) -> usize {
        self.n
    }

    /// The mean of the capped, floored Pareto out-degree times the nodes; a little above the
    /// realised count, which drops duplicate picks.
    pub(crate) fn expected_dependencies(&self) -> usize {
        let cap = MAX_OUT as f64;
        let mean =
            (ALPHA * X_MIN - X_MIN.powf(ALPHA) * cap.powf(1.0 - ALPHA)) / (ALPHA - 1.0) - 0.5;
        (self.n as f64 * mean) as usize
    }

    fn id(i: usize) -> String {
        format!("node:{i}")
    }

    pub(crate) fn assets(&self) -> impl Iterator<Item = Asset> + '_ {
        (0..self.n).map(move |i| {
            let mut rng = stream(self.seed, 2 * i);
            let country = if rng.random_bool(0.2) {
                FOREIGN[rng.random_range(0..FOREIGN.len())]
            } else {
                "US"
            };
            let sector = sectors()[rng.random_range(0..sectors().len())].id;
            let ncf = rng
                .random_bool(0.01)
                .then(|| ncfs()[rng.random_range(0..ncfs().len())].id.to_owned());
            Asset {
                id: Self::id(i),
                name: format!("Hostile node {i} (synthetic)"),
                kind: "system".to_owned(),
                country: country.to_owned(),
                sectors: vec![sector.to_owned()],
                ncfs: ncf.into_iter().collect(),
                tags: vec!["synthetic".to_owned(), "hostile".to_owned()],
                ..Asset::default()
            }
        })
    }

    fn skewed(rng: &mut ChaCha8Rng, len: usize) -> usize {
        ((len as f64 * rng.random::<f64>().powi(SKEW)) as usize).min(len - 1)
    }

    fn providers(&self, i: usize) -> Vec<usize> {
        if self.core.is_empty() {
            return Vec::new();
        }
        let mut rng = stream(self.seed, 2 * i + 1);
        let wanted =
            ((X_MIN * rng.random::<f64>().max(1e-12).powf(-1.0 / ALPHA)) as usize).min(MAX_OUT);
        let core = Self::in_core(self.seed, i);
        let mut out: Vec<usize> = Vec::with_capacity(wanted);
        let mut tries = 0;
        while out.len() < wanted && tries < 4 * wanted + 4 {
            tries += 1;
            let p = if core || i == 0 || rng.random_bool(0.7) {
                self.core[Self::skewed(&mut rng, self.core.len())] as usize
            } else {
                // An earlier node outside the core, or else the core: keeps the rest acyclic.
                let j = i - 1 - Self::skewed(&mut rng, i);
                if Self::in_core(self.seed, j) {
                    continue;
                } else {
                    j
                }
            };
            if p != i && !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    pub(crate) fn dependencies(&self) -> impl Iterator<Item = Dependency> + '_ {
        (0..self.n).flat_map(move |i| {
            let dependent = Self::id(i);
            self.providers(i).into_iter().map(move |p| Dependency {
                dependent: dependent.clone(),
                provider: Self::id(p),
                kind: Some(DependencyKind::Cyber),
                ..Dependency::default()
            })
        })
    }
}
