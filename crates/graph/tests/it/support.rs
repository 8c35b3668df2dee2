//! World builders and a deliberately simple reference implementation of PRODUCT §1.

use model::{CompactAtlas, NO_GROUP};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Builds an atlas from a one-line description.
///
/// `assets`: tokens `name[@CC][=ncf,ncf][*weight][^OWNER]`, country `US` unless given.
/// `deps`: tokens `dependent>provider[#group][+tolerance]`.
pub fn atlas(assets: &str, deps: &str) -> CompactAtlas {
    let mut a = CompactAtlas {
        ncf_offsets: vec![0],
        ..CompactAtlas::default()
    };
    for tok in assets.split_whitespace() {
        let (rest, owner) = split(tok, '^');
        let (rest, weight) = split(rest, '*');
        let (rest, ncfs) = split(rest, '=');
        let (name, country) = split(rest, '@');
        a.ids.push(name.to_string());
        a.country.push(cc(country.unwrap_or("US")));
        a.owner_country.push(owner.map(cc));
        a.weight
            .push(weight.map_or(1.0, |w| w.parse().expect("weight")));
        a.sectors.push(0);
        for f in ncfs.iter().flat_map(|s| s.split(',')) {
            a.ncf_ids.push(f.parse().expect("ncf index"));
        }
        a.ncf_offsets.push(a.ncf_ids.len() as u32);
        a.lat.push(f32::NAN);
        a.lon.push(f32::NAN);
    }
    for tok in deps.split_whitespace() {
        let (rest, tol) = split(tok, '+');
        let (rest, group) = split(rest, '#');
        let (d, p) = rest.split_once('>').expect("dependent>provider");
        a.edge_dependent.push(index(&a, d));
        a.edge_provider.push(index(&a, p));
        let group = group.map_or(NO_GROUP, |g| {
            let pos = a
                .group_names
                .iter()
                .position(|x| x == g)
                .unwrap_or_else(|| {
                    a.group_names.push(g.to_string());
                    a.group_names.len() - 1
                });
            pos as u32
        });
        a.edge_group.push(group);
        a.edge_strength.push(1.0);
        a.edge_tolerance
            .push(tol.map_or(0.0, |t| t.parse().expect("tolerance")));
    }
    assert!(a.is_consistent());
    a
}

fn split(s: &str, c: char) -> (&str, Option<&str>) {
    match s.split_once(c) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn cc(s: &str) -> [u8; 2] {
    let b = s.as_bytes();
    [b[0], b[1]]
}

pub fn index(a: &CompactAtlas, name: &str) -> u32 {
    a.ids
        .iter()
        .position(|x| x == name)
        .unwrap_or_else(|| panic!("unknown asset {name}")) as u32
}

pub fn indices(a: &CompactAtlas, names: &str) -> Vec<u32> {
    names.split_whitespace().map(|n| index(a, n)).collect()
}

/// A random small world: groups, tolerances, cycles, foreign and foreign-owned assets.
/// `or_share` in [0, 1] is the probability that an edge joins a named group.
pub fn random_atlas(seed: u64, n: usize, edges: usize, or_share: f64) -> CompactAtlas {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut a = CompactAtlas {
        ncf_offsets: vec![0],
        ..CompactAtlas::default()
    };
    for i in 0..n {
        a.ids.push(format!("a{i}"));
        let foreign = rng.random_bool(0.4);
        a.country.push(if foreign { *b"FR" } else { *b"US" });
        a.owner_country.push(if !foreign && rng.random_bool(0.2) {
            Some(*b"CN")
        } else {
            None
        });
        a.weight.push([0.0, 0.5, 1.0, 2.0][rng.random_range(0..4)]);
        a.sectors.push(0);
        for _ in 0..rng.random_range(0..3) {
            a.ncf_ids.push(rng.random_range(0..5));
        }
        a.ncf_offsets.push(a.ncf_ids.len() as u32);
        a.lat.push(f32::NAN);
        a.lon.push(f32::NAN);
    }
    a.group_names = vec!["g0".into(), "g1".into(), "g2".into()];
    for _ in 0..edges {
        if n == 0 {
            break;
        }
        a.edge_dependent.push(rng.random_range(0..n as u32));
        a.edge_provider.push(rng.random_range(0..n as u32));
        a.edge_group.push(if rng.random_bool(or_share) {
            rng.random_range(0..3)
        } else {
            NO_GROUP
        });
        a.edge_strength.push(1.0);
        a.edge_tolerance
            .push([0.0, 0.0, 1.0, 2.5, 4.0][rng.random_range(0..5)]);
    }
    a
}

/// Groups straight from the columns: (dependent, key) → [(provider, tolerance)].
type Groups = BTreeMap<(u32, (bool, u32)), Vec<(u32, f64)>>;

fn groups(a: &CompactAtlas) -> Groups {
    let mut g: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for e in 0..a.edge_count() {
        let key = match a.edge_group[e] {
            NO_GROUP => (true, a.edge_provider[e]),
            x => (false, x),
        };
        g.entry((a.edge_dependent[e], key))
            .or_default()
            .push((a.edge_provider[e], a.edge_tolerance[e]));
    }
    g
}

/// Failure times by fixed-point iteration over all assets until nothing changes.
pub fn reference_times(a: &CompactAtlas, initial: &[u32]) -> Vec<Option<f64>> {
    let groups = groups(a);
    let mut time: Vec<Option<f64>> = vec![None; a.asset_count()];
    for &i in initial {
        time[i as usize] = Some(0.0);
    }
    loop {
        let mut changed = false;
        for ((d, _), edges) in &groups {
            let t = edges.iter().try_fold(0.0f64, |m, &(p, tol)| {
                time[p as usize].map(|t| m.max(t + tol))
            });
            if let Some(t) = t
                && time[*d as usize].is_none_or(|old| t < old)
            {
                time[*d as usize] = Some(t);
                changed = true;
            }
        }
        if !changed {
            return time;
        }
    }
}

/// The smallest provider attaining the failure time in a group attaining it.
pub fn reference_cause(a: &CompactAtlas, time: &[Option<f64>], d: u32) -> Option<u32> {
    let t = time[d as usize]?;
    let mut best = None;
    for ((dd, _), edges) in groups(a) {
        if dd != d {
            continue;
        }
        let arrivals: Option<Vec<(u32, f64)>> = edges
            .iter()
            .map(|&(p, tol)| time[p as usize].map(|tp| (p, tp + tol)))
            .collect();
        let Some(arrivals) = arrivals else { continue };
        if arrivals.iter().map(|x| x.1).fold(0.0, f64::max) == t {
            for (p, at) in arrivals {
                if at == t && best.is_none_or(|b| p < b) {
                    best = Some(p);
                }
            }
        }
    }
    best
}

/// Σ over NCFs of the failed share of their total weight, straight from the columns.
pub fn reference_impact(a: &CompactAtlas, failed: &[bool]) -> f64 {
    let mut total = [0.0f64; 256];
    let mut lost = [0.0f64; 256];
    for (i, &down) in failed.iter().enumerate() {
        let mut ncfs = a.asset_ncfs(i).to_vec();
        ncfs.sort_unstable();
        ncfs.dedup();
        for f in ncfs {
            total[f as usize] += a.weight[i];
            if down {
                lost[f as usize] += a.weight[i];
            }
        }
    }
    (0..256)
        .filter(|&f| total[f] > 0.0)
        .map(|f| lost[f] / total[f])
        .sum()
}

/// Brute-force failure set of `initial` (times discarded).
pub fn reference_failed(a: &CompactAtlas, initial: &[u32]) -> Vec<bool> {
    reference_times(a, initial)
        .iter()
        .map(Option::is_some)
        .collect()
}

/// Assets reachable from `s` along depends-on edges (dependent → provider), `s` included.
pub fn reachable(a: &CompactAtlas, s: u32) -> Vec<bool> {
    let mut seen = vec![false; a.asset_count()];
    seen[s as usize] = true;
    let mut changed = true;
    while changed {
        changed = false;
        for e in 0..a.edge_count() {
            if seen[a.edge_dependent[e] as usize] && !seen[a.edge_provider[e] as usize] {
                seen[a.edge_provider[e] as usize] = true;
                changed = true;
            }
        }
    }
    seen
}
