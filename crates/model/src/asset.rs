//! Assets and dependencies as the user wrote them. Optional fields stay `None` when the input
//! left them empty, so that export reproduces the input; the `effective_*` accessors apply the
//! defaults of the failure semantics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Network exposure of an asset, as SSVC's "System Exposure" decision point uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    Open,
    Controlled,
    Small,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Open => "open",
            Exposure::Controlled => "controlled",
            Exposure::Small => "small",
        }
    }

    pub fn parse(s: &str) -> Option<Exposure> {
        match s {
            "open" => Some(Exposure::Open),
            "controlled" => Some(Exposure::Controlled),
            "small" => Some(Exposure::Small),
            _ => None,
        }
    }
}

/// Rinaldi, Peerenboom and Kelly (2001) classes of interdependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    Physical,
    Cyber,
    Geographic,
    Logical,
}

impl DependencyKind {
    pub const ALL: [DependencyKind; 4] = [
        DependencyKind::Physical,
        DependencyKind::Cyber,
        DependencyKind::Geographic,
        DependencyKind::Logical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Physical => "physical",
            DependencyKind::Cyber => "cyber",
            DependencyKind::Geographic => "geographic",
            DependencyKind::Logical => "logical",
        }
    }

    pub fn parse(s: &str) -> Option<DependencyKind> {
        DependencyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A node of the Atlas. `id` is the user's stable key (`cable:tpc-5`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Asset {
    pub id: String,
    pub name: String,
    /// `facility`, `network`, `system`, `service`, `supply`, `route`, or any other word.
    pub kind: String,
    /// ISO 3166-1 alpha-2, or `ZZ` for international / space.
    pub country: String,
    pub owner: String,
    pub operator: String,
    /// Sector ids (`ENERGY`), see [`crate::sectors`].
    pub sectors: Vec<String>,
    /// NCF ids (`NCF-D01`) the asset directly supports, see [`crate::ncfs`].
    pub ncfs: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Package URLs and/or CPE 2.3 names of what the asset runs.
    pub products: Vec<String>,
    /// Share of the NCFs it supports; `None` means the default 1.
    pub weight: Option<f64>,
    pub exposure: Option<Exposure>,
    pub recovery_hours: Option<f64>,
    /// Country of the ultimate owner, when known.
    pub owner_country: Option<String>,
    pub tags: Vec<String>,
    /// Columns or properties Meridian does not know, kept verbatim.
    pub attributes: BTreeMap<String, String>,
}

impl Asset {
    pub fn effective_weight(&self) -> f64 {
        self.weight.unwrap_or(1.0)
    }

    /// Domestic when located in the home country.
    pub fn is_foreign(&self, home: &HomeCountry) -> bool {
        self.country != home.0
    }

    /// A domestic asset whose ultimate owner is foreign.
    pub fn is_foreign_owned(&self, home: &HomeCountry) -> bool {
        !self.is_foreign(home) && self.owner_country.as_deref().is_some_and(|c| c != home.0)
    }
}

/// A directed dependency: `dependent` needs `provider`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dependency {
    pub dependent: String,
    pub provider: String,
    pub kind: Option<DependencyKind>,
    /// Redundancy group within the dependent; `None` means the provider's own id (no redundancy).
    pub group: Option<String>,
    /// Share of the provider's inoperability passed on, in (0, 1]; `None` means 1.
    pub strength: Option<f64>,
    /// Hours the dependent runs without the provider; `None` means 0.
    pub tolerance_hours: Option<f64>,
    pub attributes: BTreeMap<String, String>,
}

impl Dependency {
    pub fn effective_group(&self) -> &str {
        self.group.as_deref().unwrap_or(&self.provider)
    }

    pub fn effective_strength(&self) -> f64 {
        self.strength.unwrap_or(1.0)
    }

    pub fn effective_tolerance_hours(&self) -> f64 {
        self.tolerance_hours.unwrap_or(0.0)
    }
}

/// The installation's home country (default `US`): assets elsewhere are foreign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeCountry(pub String);

impl Default for HomeCountry {
    fn default() -> Self {
        HomeCountry("US".to_owned())
    }
}

/// A whole atlas or a batch of it, as imported or exported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Atlas {
    pub assets: Vec<Asset>,
    pub dependencies: Vec<Dependency>,
}

impl Atlas {
    /// Sorts assets by id and dependencies by (dependent, provider): the canonical export order.
    pub fn sort(&mut self) {
        self.assets.sort_by(|a, b| a.id.cmp(&b.id));
        self.dependencies
            .sort_by(|a, b| (&a.dependent, &a.provider).cmp(&(&b.dependent, &b.provider)));
    }
}
