//! The demo world generator. Asset `g` is instance `k` of archetype `a` (archetypes occupy
//! consecutive index ranges in table order); its id, country and map position are pure
//! functions of `(seed, a, k)`, so a dependency can name any provider without storing strings.
//! The other fields come from a ChaCha8 stream per asset: `2g` for the asset, `2g + 1` for its
//! dependencies. Memory is O(N) small integers (the per-country instance lists), never strings.

use std::fmt::Write;

use model::{Asset, Dependency, Exposure};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::WorldError;
use crate::tables::{
    ARCHETYPES, Archetype, COUNTRIES, FOREIGN_OWNERS, LANES, Lane, Place, Scope, Town, When,
};

/// The smallest world [`crate::World::new`] builds: below it the archetypes' minimum counts
/// (one of each, every partner country, every fixed site) no longer fit.
pub const MIN_ASSETS: usize = 1_000;

pub(crate) struct Demo {
    seed: u64,
    home: usize,
    /// Per country, the indices of its port towns.
    ports: Vec<Vec<usize>>,
    /// Offset of the town sequence, from the seed.
    rotation: usize,
    /// `COUNTRIES` codes in lower case, for ids.
    lower_codes: Vec<String>,
    counts: Vec<usize>,
    /// `starts[a]..starts[a + 1]` are the global indices of archetype `a`.
    starts: Vec<usize>,
    /// Per archetype, per instance-list entry (or site): (country, partner) indices into `COUNTRIES`.
    sites: Vec<Vec<(usize, usize)>>,
    /// Per archetype and rule: the provider archetype.
    targets: Vec<Vec<usize>>,
    /// Per archetype and country: instance numbers located in (spans: linking to) that country.
    by_key: Vec<Vec<Vec<u32>>>,
    /// Per country, the sea lanes its exports take to the home market.
    lanes: Vec<Vec<&'static Lane>>,
}

fn country_index(code: &str) -> Option<usize> {
    COUNTRIES.iter().position(|c| c.code == code)
}

fn table_country(code: &str) -> usize {
    country_index(code).expect("the archetype tables name only the world's countries")
}

/// The random stream of one record: asset `g` draws from stream `2g`, its dependencies from
/// `2g + 1`, so any record can be regenerated alone and the order of generation never matters.
pub(crate) fn stream(seed: u64, stream: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// SplitMix64 finaliser: seed-dependent choices that must not consume a random stream.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `virginia-beach` -> `Virginia Beach`.
fn title(slug: &str) -> String {
    let mut out = String::with_capacity(slug.len());
    let mut start = true;
    for ch in slug.chars() {
        match ch {
            '-' => {
                out.push(' ');
                start = true;
            }
            _ if start => {
                out.push(ch.to_ascii_uppercase());
                start = false;
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Rounds to `decimals` places, dividing last so that `1.2` prints as `1.2`.
fn round_dp(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

fn uniform(rng: &mut ChaCha8Rng, (lo, hi): (f64, f64)) -> f64 {
    if hi > lo {
        rng.random_range(lo..=hi)
    } else {
        lo
    }
}

/// Candidate providers of one rule: all instances of the archetype, or one country's list.
enum Candidates<'a> {
    All(usize),
    List(&'a [u32]),
}

impl Candidates<'_> {
    fn len(&self) -> usize {
        match self {
            Candidates::All(n) => *n,
            Candidates::List(l) => l.len(),
        }
    }

    fn get(&self, i: usize) -> usize {
        match self {
            Candidates::All(_) => i,
            Candidates::List(l) => l[i] as usize,
        }
    }
}

/// A chosen provider: (archetype, instance, rule, group in place of the rule's).
type Pick = (usize, usize, usize, Option<&'static str>);

impl Demo {
    pub(crate) fn new(seed: u64, assets: usize, home: &str) -> Result<Demo, WorldError> {
        let home = country_index(home)
            .filter(|&h| COUNTRIES[h].code != "ZZ")
            .ok_or_else(|| WorldError::UnknownHome(home.to_owned()))?;
        if assets < MIN_ASSETS {
            return Err(WorldError::TooSmall {
                requested: assets,
                minimum: MIN_ASSETS,
            });
        }
        let sites: Vec<Vec<(usize, usize)>> = ARCHETYPES
            .iter()
            .map(|arch| match &arch.place {
                Place::Home => vec![(home, home)],
                Place::In(list) => list
                    .iter()
                    .map(|c| (table_country(c), table_country(c)))
                    .collect(),
                Place::Span(list) => list
                    .iter()
                    .map(|c| (table_country("ZZ"), table_country(c)))
                    .collect(),
                Place::Sites(s) => s
                    .iter()
                    .map(|s| (table_country(s.country), table_country(s.partner)))
                    .collect(),
            })
            .collect();
        let counts = Self::counts(assets);
        let mut starts = vec![0];
        for c in &counts {
            starts.push(starts.last().expect("starts is never empty") + c);
        }
        let targets = ARCHETYPES
            .iter()
            .map(|arch| {
                arch.deps
                    .iter()
                    .map(|rule| {
                        ARCHETYPES
                            .iter()
                            .position(|t| t.prefix == rule.to)
                            .expect("every rule names an archetype of the table")
                    })
                    .collect()
            })
            .collect();
        let mut by_key = vec![vec![Vec::new(); COUNTRIES.len()]; ARCHETYPES.len()];
        for (a, lists) in by_key.iter_mut().enumerate() {
            let spans = matches!(ARCHETYPES[a].place, Place::Span(_));
            for k in 0..counts[a] {
                let (country, partner) = sites[a][k % sites[a].len()];
                let key = if spans { partner } else { country };
                lists[key].push(u32::try_from(k).expect("fewer than 2^32 instances per archetype"));
            }
        }
        let lower_codes = COUNTRIES
            .iter()
            .map(|c| c.code.to_ascii_lowercase())
            .collect();
        Ok(Demo {
            seed,
            home,
            ports: COUNTRIES
                .iter()
                .map(|c| (0..c.towns.len()).filter(|&t| c.towns[t].coastal).collect())
                .collect(),
            rotation: (mix(seed) % 1024) as usize,
            lower_codes,
            counts,
            starts,
            sites,
            targets,
            by_key,
            lanes: COUNTRIES
                .iter()
                .map(|c| LANES.iter().filter(|l| l.from.contains(&c.code)).collect())
                .collect(),
        })
    }

    /// Instances per archetype: each minimum (exactly the fixed sites) plus a share of the rest
    /// proportional to the weights; the largest archetype absorbs the rounding.
    fn counts(assets: usize) -> Vec<usize> {
        let floor = |arch: &Archetype| match &arch.place {
            Place::Sites(s) => s.len(),
            _ => arch.min,
        };
        let total: usize = ARCHETYPES.iter().map(|a| a.weight as usize).sum();
        let spare = assets - ARCHETYPES.iter().map(floor).sum::<usize>();
        let mut counts: Vec<usize> = ARCHETYPES
            .iter()
            .map(|arch| floor(arch) + spare * arch.weight as usize / total)
            .collect();
        let largest = (0..ARCHETYPES.len())
            .max_by_key(|&a| ARCHETYPES[a].weight)
            .expect("the table is not empty");
        counts[largest] += assets - counts.iter().sum::<usize>();
        counts
    }

    pub(crate) fn asset_count(&self) -> usize {
        *self.starts.last().expect("starts is never empty")
    }

    /// The mean number of providers of each rule times the instances it applies to, capped by
    /// its candidates (for per-country scopes, the average per country).
    pub(crate) fn expected_dependencies(&self) -> usize {
        let mut total = 0.0;
        for (a, arch) in ARCHETYPES.iter().enumerate() {
            let domestic = self.by_key[a][self.home].len() as f64;
            let foreign = self.counts[a] as f64 - domestic;
            for (r, rule) in arch.deps.iter().enumerate() {
                let target = self.targets[a][r];
                let countries = self.by_key[target].iter().filter(|l| !l.is_empty()).count();
                let mean = (f64::from(rule.min) + f64::from(rule.max)) / 2.0;
                let available = match rule.scope {
                    Scope::Any => self.counts[target],
                    Scope::Home => self.by_key[target][self.home].len(),
                    Scope::Same | Scope::Partner => self.counts[target] / countries,
                    Scope::Lanes => {
                        total += self.expected_lane_routes(a, rule.when, mean);
                        continue;
                    }
                } as f64;
                let instances = match rule.when {
                    When::Always => domestic + foreign,
                    When::Domestic => domestic,
                    When::Foreign => foreign,
                };
                total += instances * mean.min(available);
            }
        }
        total as usize
    }

    /// The routes a lanes rule with `mean` lanes gives archetype `a`, country by country: the
    /// lanes taken times the mean routes per lane.
    fn expected_lane_routes(&self, a: usize, when: When, mean: f64) -> f64 {
        let mut total = 0.0;
        for (c, lanes) in self.lanes.iter().enumerate() {
            if lanes.is_empty() || !self.applies(when, c == self.home) {
                continue;
            }
            let routes: usize = lanes.iter().flat_map(|l| l.passages).map(|p| p.len()).sum();
            let per_lane = routes as f64 / lanes.len() as f64;
            total += self.by_key[a][c].len() as f64 * mean.min(lanes.len() as f64) * per_lane;
        }
        total
    }

    pub(crate) fn assets(&self) -> impl Iterator<Item = Asset> + '_ {
        (0..ARCHETYPES.len()).flat_map(move |a| (0..self.counts[a]).map(move |k| self.asset(a, k)))
    }

    pub(crate) fn dependencies(&self) -> impl Iterator<Item = Dependency> + '_ {
        (0..ARCHETYPES.len())
            .flat_map(move |a| (0..self.counts[a]).flat_map(move |k| self.dependencies_of(a, k)))
    }

    fn site(&self, a: usize, k: usize) -> (usize, usize) {
        self.sites[a][k % self.sites[a].len()]
    }

    /// The town of instance `k` of archetype `a`: chosen by its position, so that near
    /// positions share a town and near providers are local, then rotated by the seed; coastal
    /// archetypes use port towns where the country has some. Assets in `ZZ` are operated
    /// from, and named after, their partner country.
    fn town(&self, a: usize, k: usize) -> &'static Town {
        let (country, partner) = self.site(a, k);
        let country = if COUNTRIES[country].towns.is_empty() {
            partner
        } else {
            country
        };
        let towns = COUNTRIES[country].towns;
        let ports = &self.ports[country];
        let pick = |n: usize| ((self.position(a, k) * n as f64) as usize + self.rotation) % n;
        if ARCHETYPES[a].coastal && !ports.is_empty() {
            &towns[ports[pick(ports.len())]]
        } else {
            &towns[pick(towns.len())]
        }
    }

    fn id(&self, a: usize, k: usize) -> String {
        let arch = &ARCHETYPES[a];
        // Sized for the longest ids, so that writing never reallocates.
        let mut id = String::with_capacity(48);
        let written = match &arch.place {
            Place::Sites(s) => write!(id, "{}:{}", arch.prefix, s[k].slug),
            Place::Span(_) => {
                let sea = COUNTRIES[self.site(a, k).1].sea;
                write!(id, "{}:{sea}-{}", arch.prefix, k + 1)
            }
            Place::Home | Place::In(_) => {
                let code = &self.lower_codes[self.site(a, k).0];
                write!(
                    id,
                    "{}:{code}:{}-{}",
                    arch.prefix,
                    self.town(a, k).slug,
                    k + 1
                )
            }
        };
        written.expect("writing to a String cannot fail");
        id
    }

    /// Position in [0, 1) of the instance among its archetype's instances in its country:
    /// mapped onto the country's map, and used to pick near providers.
    fn position(&self, a: usize, k: usize) -> f64 {
        let m = self.sites[a].len();
        let per_country = self.counts[a].div_ceil(m);
        (k / m) as f64 / per_country as f64
    }

    /// A serpentine over the country's inner box, so that near positions are near on the map.
    /// Scattered around the asset's town; fixed sites have their own; `ZZ` has none.
    fn coordinates(&self, a: usize, k: usize, rng: &mut ChaCha8Rng) -> Option<(f64, f64)> {
        if let Place::Sites(s) = &ARCHETYPES[a].place {
            return s[k].at;
        }
        let country = &COUNTRIES[self.site(a, k).0];
        if country.towns.is_empty() {
            return None;
        }
        let town = self.town(a, k);
        let spread = country.spread;
        let lat = town.lat + rng.random_range(-spread..=spread);
        let lon = town.lon + rng.random_range(-spread..=spread);
        Some((round_dp(lat, 4), round_dp(lon, 4)))
    }

    fn asset(&self, a: usize, k: usize) -> Asset {
        let arch = &ARCHETYPES[a];
        let mut rng = stream(self.seed, 2 * (self.starts[a] + k));
        let (country, partner) = self.site(a, k);
        let domestic = country == self.home;
        let name = match &arch.place {
            Place::Sites(s) => s[k].name.to_owned(),
            Place::Span(_) => format!("{} {} {}", title(COUNTRIES[partner].sea), arch.label, k + 1),
            Place::Home | Place::In(_) => {
                format!("{} {} {}", title(self.town(a, k).slug), arch.label, k + 1)
            }
        };
        let foreign_owned = domestic && rng.random_bool(arch.foreign_owned);
        let owner_country = if foreign_owned {
            let i = rng.random_range(0..FOREIGN_OWNERS.len());
            // When the home country is itself an owner country, its draw goes to the next one.
            let i = if FOREIGN_OWNERS[i] == COUNTRIES[self.home].code {
                (i + 1) % FOREIGN_OWNERS.len()
            } else {
                i
            };
            table_country(FOREIGN_OWNERS[i])
        } else if COUNTRIES[country].code == "ZZ" {
            partner
        } else {
            country
        };
        let owner_towns = COUNTRIES[owner_country].towns;
        let owner_place = title(owner_towns[rng.random_range(0..owner_towns.len())].slug);
        let ncfs: Vec<String> = if domestic {
            arch.ncfs.iter().map(|n| (*n).to_owned()).collect()
        } else {
            Vec::new()
        };
        let weight = (!ncfs.is_empty()).then(|| round_dp(rng.random_range(0.5..3.0), 1));
        let coordinates = self.coordinates(a, k, &mut rng);
        let exposure = if rng.random_bool(0.1) {
            Exposure::Open
        } else {
            arch.exposure
        };
        let mut products = Vec::new();
        for pool in arch.products {
            let first = rng.random_range(0..pool.len());
            products.push(pool[first].to_owned());
            if rng.random_bool(0.5) {
                let second = (first + 1 + rng.random_range(0..pool.len() - 1)) % pool.len();
                products.push(pool[second].to_owned());
            }
        }
        let mut tags = vec![
            "synthetic".to_owned(),
            if domestic { "domestic" } else { "foreign" }.to_owned(),
        ];
        if foreign_owned {
            tags.push("foreign-owned".to_owned());
        }
        tags.extend(arch.tags.iter().map(|t| (*t).to_owned()));
        Asset {
            id: self.id(a, k),
            name: format!("{name} (synthetic)"),
            kind: arch.kind.to_owned(),
            country: COUNTRIES[country].code.to_owned(),
            owner: format!("{owner_place} {} (synthetic)", arch.company),
            operator: format!(
                "{} {} Operations (synthetic)",
                title(self.town(a, k).slug),
                arch.company
            ),
            sectors: arch.sectors.iter().map(|s| (*s).to_owned()).collect(),
            ncfs,
            lat: coordinates.map(|c| c.0),
            lon: coordinates.map(|c| c.1),
            products,
            weight,
            exposure: Some(exposure),
            recovery_hours: Some(uniform(&mut rng, arch.recovery).round()),
            owner_country: Some(COUNTRIES[owner_country].code.to_owned()),
            tags,
            attributes: Default::default(),
        }
    }

    fn applies(&self, when: When, domestic: bool) -> bool {
        match when {
            When::Always => true,
            When::Domestic => domestic,
            When::Foreign => !domestic,
        }
    }

    /// `wanted` distinct lanes of `lanes`, at random: every route of each passage, grouped by
    /// passage (named after its usual route). A route already picked keeps its first group.
    fn pick_lanes(
        &self,
        target: usize,
        r: usize,
        lanes: &[&'static Lane],
        wanted: usize,
        rng: &mut ChaCha8Rng,
        picks: &mut Vec<Pick>,
    ) {
        let Place::Sites(sites) = &ARCHETYPES[target].place else {
            unreachable!("lanes rules name a fixed-site archetype")
        };
        let mut left: Vec<&Lane> = lanes.to_vec();
        for _ in 0..wanted.min(lanes.len()) {
            let lane = left.swap_remove(rng.random_range(0..left.len()));
            for passage in lane.passages {
                for slug in *passage {
                    let pk = sites
                        .iter()
                        .position(|s| s.slug == *slug)
                        .expect("lanes name route sites");
                    if !picks.iter().any(|&(t, p, _, _)| t == target && p == pk) {
                        picks.push((target, pk, r, Some(passage[0])));
                    }
                }
            }
        }
    }

    fn dependencies_of(&self, a: usize, k: usize) -> Vec<Dependency> {
        let arch: &Archetype = &ARCHETYPES[a];
        let me = self.starts[a] + k;
        let mut rng = stream(self.seed, 2 * me + 1);
        let (country, partner) = self.site(a, k);
        let domestic = country == self.home;
        let position = self.position(a, k);
        // (provider archetype, provider instance, rule, group in place of the rule's)
        let mut picks: Vec<Pick> = Vec::new();
        for (r, rule) in arch.deps.iter().enumerate() {
            if !self.applies(rule.when, domestic) {
                continue;
            }
            if rule.backup
                && !picks
                    .iter()
                    .any(|&(_, _, pr, g)| g.or(arch.deps[pr].group) == rule.group)
            {
                continue;
            }
            let target = self.targets[a][r];
            let candidates = match rule.scope {
                Scope::Any => Candidates::All(self.counts[target]),
                Scope::Same => Candidates::List(&self.by_key[target][country]),
                Scope::Home => Candidates::List(&self.by_key[target][self.home]),
                Scope::Partner => Candidates::List(&self.by_key[target][partner]),
                Scope::Lanes => {
                    let wanted = rng.random_range(rule.min..=rule.max) as usize;
                    self.pick_lanes(
                        target,
                        r,
                        &self.lanes[country],
                        wanted,
                        &mut rng,
                        &mut picks,
                    );
                    continue;
                }
            };
            let len = candidates.len();
            let wanted = rng.random_range(rule.min..=rule.max) as usize;
            if len == 0 || wanted == 0 {
                continue;
            }
            let window = (len / 20).clamp(2, 16) as i64;
            let centre = (position * len as f64) as i64;
            let (mut got, mut tries) = (0, 0);
            while got < wanted && tries < 4 * wanted + 4 {
                tries += 1;
                let i = if rule.near {
                    (centre + rng.random_range(-window..=window)).clamp(0, len as i64 - 1) as usize
                } else {
                    rng.random_range(0..len)
                };
                let pk = candidates.get(i);
                let provider = self.starts[target] + pk;
                if provider == me
                    || picks
                        .iter()
                        .any(|&(t, p, _, _)| self.starts[t] + p == provider)
                {
                    continue;
                }
                picks.push((target, pk, r, None));
                got += 1;
            }
        }
        if picks.is_empty() {
            return Vec::new();
        }
        let dependent = self.id(a, k);
        picks
            .into_iter()
            .map(|(target, pk, r, group)| {
                let rule = &arch.deps[r];
                Dependency {
                    dependent: dependent.clone(),
                    provider: self.id(target, pk),
                    kind: Some(rule.kind),
                    group: group.or(rule.group).map(str::to_owned),
                    strength: Some(round_dp(uniform(&mut rng, rule.strength), 2).clamp(0.05, 1.0)),
                    tolerance_hours: rule.tolerance.map(|t| uniform(&mut rng, t).round()),
                    attributes: Default::default(),
                }
            })
            .collect()
    }
}
