//! The compact, column-oriented form of an atlas that the store hands to the analysis engine.
//! Assets are dense indices `0..n`; strings appear only in `ids`. Plain data, no behaviour
//! beyond consistency checks.

/// `edge_group` value for "the default group", i.e. the provider alone.
pub const NO_GROUP: u32 = u32::MAX;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompactAtlas {
    /// Asset ids; position = asset index.
    pub ids: Vec<String>,
    /// ISO alpha-2 as two ASCII bytes.
    pub country: Vec<[u8; 2]>,
    /// Ultimate owner's country when known.
    pub owner_country: Vec<Option<[u8; 2]>>,
    /// Effective weight (default 1 applied).
    pub weight: Vec<f64>,
    /// Bit i set = sector `model::sectors()[i]`.
    pub sectors: Vec<u16>,
    /// NCFs of asset a are `ncf_ids[ncf_offsets[a]..ncf_offsets[a + 1]]`, indices into `model::ncfs()`.
    pub ncf_offsets: Vec<u32>,
    pub ncf_ids: Vec<u8>,
    /// `NaN` when unknown.
    pub lat: Vec<f32>,
    pub lon: Vec<f32>,
    /// Dependency columns: `edge_dependent[e]` needs `edge_provider[e]`.
    pub edge_dependent: Vec<u32>,
    pub edge_provider: Vec<u32>,
    /// Named redundancy group, interned per atlas into `group_names`; [`NO_GROUP`] = the provider alone.
    pub edge_group: Vec<u32>,
    pub group_names: Vec<String>,
    /// Effective strength (default 1 applied).
    pub edge_strength: Vec<f64>,
    /// Effective tolerance in hours (default 0 applied).
    pub edge_tolerance: Vec<f64>,
}

impl CompactAtlas {
    pub fn asset_count(&self) -> usize {
        self.ids.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_dependent.len()
    }

    /// NCF indices of one asset.
    pub fn asset_ncfs(&self, asset: usize) -> &[u8] {
        &self.ncf_ids[self.ncf_offsets[asset] as usize..self.ncf_offsets[asset + 1] as usize]
    }

    /// True when every column has the length its kind requires; loaders assert this.
    pub fn is_consistent(&self) -> bool {
        let n = self.ids.len();
        let m = self.edge_dependent.len();
        [
            self.country.len(),
            self.owner_country.len(),
            self.weight.len(),
            self.sectors.len(),
        ]
        .iter()
        .chain([self.lat.len(), self.lon.len()].iter())
        .all(|&l| l == n)
            && self.ncf_offsets.len() == n + 1
            && [self.edge_provider.len(), self.edge_group.len()]
                .iter()
                .chain([self.edge_strength.len(), self.edge_tolerance.len()].iter())
                .all(|&l| l == m)
            && self
                .edge_dependent
                .iter()
                .chain(&self.edge_provider)
                .all(|&a| (a as usize) < n)
    }
}
