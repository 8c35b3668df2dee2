//! Meridian's domain vocabulary.
//!
//! The Atlas is a directed graph: an [`Asset`] is a node, a [`Dependency`] says that its
//! `dependent` needs its `provider`. Reference data (the 55 National Critical Functions, the 16
//! sectors, ISO 3166-1 countries) is compiled in from `data/`. This crate performs no I/O.

mod asset;
mod compact;
mod incident;
mod reference;
mod scenario;
mod tlp;
mod validate;

pub use asset::{Asset, Atlas, Dependency, DependencyKind, Exposure, HomeCountry};
pub use compact::{CompactAtlas, NO_GROUP};
pub use incident::{IncidentKind, IncidentReport};
pub use reference::{
    Country, Ncf, NcfCategory, Sector, countries, country, ncf, ncf_index, ncfs, sector,
    sector_index, sectors,
};
pub use scenario::{Circle, EARTH_RADIUS_KM, Scenario};
pub use tlp::Tlp;
pub use validate::{FieldError, validate_asset, validate_dependency};

#[cfg(test)]
mod tests;
