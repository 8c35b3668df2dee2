//! The synthetic demo world: deterministic from a seed, streaming, from 2,000 to millions of assets. Names are marked synthetic.
//!
//! [`World::new`] builds the demo world of `meridian demo` (PRODUCT.md §7): about 40 countries,
//! every sector and every National Critical Function, cross-border archetypes (submarine
//! cables, cloud regions, GNSS, interconnectors, LNG, chokepoints, chip and drug supply chains,
//! financial messaging, ICS products made abroad). [`World::hostile`] builds a heavy-tailed
//! benchmark graph instead. Both stream: [`World::assets`] first, then [`World::dependencies`],
//! which only name assets already yielded. The same seed gives the same sequence, byte for byte.
//!
//! The demo world is data: `tables.rs` lists the countries, product catalogues and archetypes
//! (placement, share of the world, sectors, NCFs, dependency rules with kind, redundancy group,
//! strength and tolerance ranges). Larger worlds replicate the archetypes in proportion; fixed
//! sites (GNSS constellations, chokepoints) stay unique. NCFs sit on domestic assets only. To add
//! an archetype, add a row; the tests check every archetype appears and every rule resolves.
//!
//! Redundancy is where real systems have it, so that the §2.4 ranking separates the few foreign
//! assets that matter from the many that don't (the tests rank whole worlds through the engine):
//! ships reach the home market through sea lanes whose chokepoints have detours (Panama or Cape
//! Horn; Hormuz has none), partner countries have two grid control areas and two carriers,
//! carriers fall back on satellites when their landing stations go, and at home substations,
//! exchanges, data centres and plants have two feeds, two control centres, fuel and stocks.
//! Single points of failure stay where they are real: single-constellation timing receivers,
//! sole-source chips, an ICS vendor's update service, one identity provider or messaging centre.
//!
//! [`demo_intel`] writes the demo's synthetic vulnerability data (CVE 5.1 records, a KEV-format
//! catalog, EPSS scores, all marked demo) for the products of the same tables.

mod demo;
mod hostile;
mod tables;
mod vulns;

use model::{Asset, Dependency};

pub use demo::MIN_ASSETS;
pub use vulns::{DEMO_CNA, DEMO_CVE_PREFIX, demo_intel, demo_sboms};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldSpec {
    pub seed: u64,
    /// Number of assets, exactly; at least [`MIN_ASSETS`].
    pub assets: usize,
    /// The home country (ISO alpha-2): one of the world's countries, `US` by default.
    pub home: String,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            seed: 0,
            assets: 2_000,
            home: "US".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    /// The home country is not one of the demo world's countries.
    UnknownHome(String),
    TooSmall {
        requested: usize,
        minimum: usize,
    },
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::UnknownHome(code) => {
                write!(
                    f,
                    "home country {code:?} is not one of the demo world's countries"
                )
            }
            WorldError::TooSmall { requested, minimum } => {
                write!(
                    f,
                    "a demo world needs at least {minimum} assets, not {requested}"
                )
            }
        }
    }
}

impl std::error::Error for WorldError {}

/// A generated world. Cheap to build (O(N) small integers); assets and dependencies are made
/// on the fly as the iterators advance.
pub struct World {
    generator: Generator,
}

enum Generator {
    Demo(demo::Demo),
    Hostile(hostile::Hostile),
}

impl World {
    /// The demo world.
    pub fn new(spec: WorldSpec) -> Result<World, WorldError> {
        let demo = demo::Demo::new(spec.seed, spec.assets, &spec.home)?;
        Ok(World {
            generator: Generator::Demo(demo),
        })
    }

    /// The hostile benchmark world of `assets` nodes (home `US`): heavy-tailed in- and
    /// out-degrees, about 5 dependencies per asset, ~20% foreign assets, ~1% carrying NCFs,
    /// pure AND semantics (no groups, no tolerances), a giant strongly connected component
    /// holding about half the nodes.
    pub fn hostile(seed: u64, assets: usize) -> World {
        World {
            generator: Generator::Hostile(hostile::Hostile::new(seed, assets)),
        }
    }

    pub fn asset_count(&self) -> usize {
        match &self.generator {
            Generator::Demo(d) => d.asset_count(),
            Generator::Hostile(h) => h.asset_count(),
        }
    }

    /// Assets plus the expected number of dependencies (from the rules' mean counts, not by
    /// generating them): the total for a progress bar, within a few percent.
    pub fn expected_records(&self) -> usize {
        match &self.generator {
            Generator::Demo(d) => d.asset_count() + d.expected_dependencies(),
            Generator::Hostile(h) => h.asset_count() + h.expected_dependencies(),
        }
    }

    /// Every asset, once, in a fixed order. The iterators are `Send`, so a loader may generate
    /// on one thread and write on another.
    pub fn assets(&self) -> Box<dyn Iterator<Item = Asset> + Send + '_> {
        match &self.generator {
            Generator::Demo(d) => Box::new(d.assets()),
            Generator::Hostile(h) => Box::new(h.assets()),
        }
    }

    /// Every dependency, once, grouped by dependent in asset order. No self-dependencies and no
    /// duplicate (dependent, provider) pairs.
    pub fn dependencies(&self) -> Box<dyn Iterator<Item = Dependency> + Send + '_> {
        match &self.generator {
            Generator::Demo(d) => Box::new(d.dependencies()),
            Generator::Hostile(h) => Box::new(h.dependencies()),
        }
    }
}

#[cfg(test)]
mod tests;
