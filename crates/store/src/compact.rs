//! The graph load: the whole atlas as the columns of a [`CompactAtlas`]. SQLite iterates a
//! prepared statement; PostgreSQL streams binary COPY. Both feed the same [`Builder`].

use model::{CompactAtlas, NO_GROUP};

use crate::db::{self, Tx};
use crate::pgcopy::CopyOut;
use crate::{Result, StoreError};

// Plain columns only: the defaults are applied here, which keeps the server's work to a scan.
const ASSETS: &str = "SELECT idx, id, country, owner_country, weight, sector_mask, ncf_mask, lat, lon \
     FROM assets ORDER BY idx";

const DEPENDENCY_COLUMNS: &str = "dependent_idx, provider_idx, grp, strength, tolerance_hours";

/// The defaults of the failure semantics (`Asset::effective_weight`, `Dependency::effective_*`).
const DEFAULT_WEIGHT: f64 = 1.0;
const DEFAULT_STRENGTH: f64 = 1.0;
const DEFAULT_TOLERANCE: f64 = 0.0;

pub(crate) fn load(tx: &mut Tx<'_, '_>) -> Result<CompactAtlas> {
    let group_names = db::query(tx, "SELECT id, name FROM dependency_groups", &[], |r| {
        Ok((r.int(0)?, r.text(1)?))
    })?;
    let mut b = Builder {
        sorted: true,
        ..Builder::default()
    };
    for (id, name) in group_names {
        let slot = small_index("dependency_groups", id)?;
        if slot >= b.group_names.len() {
            b.group_names.resize(slot + 1, None);
            b.interned.resize(slot + 1, u32::MAX);
        }
        b.group_names[slot] = Some(name);
    }
    match tx {
        Tx::Sqlite(tx) => {
            let mut stmt = tx.prepare(ASSETS)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                b.asset(&AssetColumns {
                    idx: r.get(0)?,
                    id: r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?,
                    country: r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?,
                    owner_country: r
                        .get_ref(3)?
                        .as_str_or_null()
                        .map_err(rusqlite::Error::from)?,
                    weight: r.get(4)?,
                    sector_mask: r.get(5)?,
                    ncf_mask: r.get(6)?,
                    lat: r.get(7)?,
                    lon: r.get(8)?,
                })?;
            }
            let mut stmt = tx.prepare(&format!("SELECT {DEPENDENCY_COLUMNS} FROM dependencies"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                b.edge(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)?;
            }
        }
        Tx::Postgres(tx) => {
            let mut c =
                CopyOut::new(tx.copy_out(&format!("COPY ({ASSETS}) TO STDOUT (FORMAT binary)"))?)?;
            while c.next_row()? {
                b.asset(&AssetColumns {
                    idx: c.int(0)?,
                    id: c.text(1)?,
                    country: c.text(2)?,
                    owner_country: c.opt_text(3)?,
                    weight: c.opt_real(4)?,
                    sector_mask: c.int(5)?,
                    ncf_mask: c.int(6)?,
                    lat: c.opt_real(7)?,
                    lon: c.opt_real(8)?,
                })?;
            }
            drop(c);
            let mut c = CopyOut::new(tx.copy_out(&format!(
                "COPY dependencies ({DEPENDENCY_COLUMNS}) TO STDOUT (FORMAT binary)"
            ))?)?;
            while c.next_row()? {
                b.edge(
                    c.int(0)?,
                    c.int(1)?,
                    c.opt_int(2)?,
                    c.opt_real(3)?,
                    c.opt_real(4)?,
                )?;
            }
        }
    }
    b.finish()
}

struct AssetColumns<'a> {
    idx: i64,
    id: &'a str,
    country: &'a str,
    owner_country: Option<&'a str>,
    weight: Option<f64>,
    sector_mask: i64,
    ncf_mask: i64,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Default)]
struct Builder {
    atlas: CompactAtlas,
    /// Stored idx -> dense index; `u32::MAX` where no asset has that idx.
    dense: Vec<u32>,
    /// Stored group id -> name (ids are small and dense, so vectors beat hashing here).
    group_names: Vec<Option<String>>,
    /// Stored group id -> index in `atlas.group_names`; `u32::MAX` until first used.
    interned: Vec<u32>,
    /// Edges arrive ordered by (dependent, provider) so far.
    sorted: bool,
}

/// A stored integer key used as a vector index.
fn small_index(table: &'static str, key: i64) -> Result<usize> {
    usize::try_from(key)
        .ok()
        .filter(|&i| i < u32::MAX as usize)
        .ok_or_else(|| StoreError::corrupt(table, format!("key {key} out of range")))
}

fn country_code(table: &'static str, code: &str) -> Result<[u8; 2]> {
    code.as_bytes()
        .try_into()
        .map_err(|_| StoreError::corrupt(table, format!("country {code:?} is not two bytes")))
}

impl Builder {
    fn asset(&mut self, a: &AssetColumns<'_>) -> Result<()> {
        let a_idx = small_index("assets", a.idx)?;
        let dense = u32::try_from(self.atlas.ids.len()).expect("fewer than 2^32 assets");
        if a_idx >= self.dense.len() {
            self.dense.resize(a_idx + 1, u32::MAX);
        }
        self.dense[a_idx] = dense;
        let atlas = &mut self.atlas;
        if atlas.ncf_offsets.is_empty() {
            atlas.ncf_offsets.push(0);
        }
        atlas.ids.push(a.id.to_owned());
        atlas.country.push(country_code("assets", a.country)?);
        atlas.owner_country.push(
            a.owner_country
                .map(|c| country_code("assets", c))
                .transpose()?,
        );
        atlas.weight.push(a.weight.unwrap_or(DEFAULT_WEIGHT));
        // Masks only ever hold bits of known sectors (16) and NCFs (55).
        atlas.sectors.push(a.sector_mask as u16);
        let mut ncfs = a.ncf_mask as u64;
        while ncfs != 0 {
            atlas.ncf_ids.push(ncfs.trailing_zeros() as u8);
            ncfs &= ncfs - 1;
        }
        atlas
            .ncf_offsets
            .push(u32::try_from(atlas.ncf_ids.len()).expect("fewer than 2^32 NCF links"));
        atlas.lat.push(a.lat.map_or(f32::NAN, |v| v as f32));
        atlas.lon.push(a.lon.map_or(f32::NAN, |v| v as f32));
        Ok(())
    }

    fn dense(&self, idx: i64) -> Result<u32> {
        usize::try_from(idx)
            .ok()
            .and_then(|i| self.dense.get(i).copied())
            .filter(|&d| d != u32::MAX)
            .ok_or_else(|| StoreError::corrupt("dependencies", format!("no asset with idx {idx}")))
    }

    fn edge(
        &mut self,
        dependent: i64,
        provider: i64,
        grp: Option<i64>,
        strength: Option<f64>,
        tolerance: Option<f64>,
    ) -> Result<()> {
        let (dependent, provider) = (self.dense(dependent)?, self.dense(provider)?);
        let group = match grp {
            None => NO_GROUP,
            Some(id) => {
                let slot = usize::try_from(id)
                    .ok()
                    .filter(|&i| i < self.interned.len());
                let slot = slot.ok_or_else(|| {
                    StoreError::corrupt("dependencies", format!("no group with id {id}"))
                })?;
                if self.interned[slot] == u32::MAX {
                    let name = self.group_names[slot].clone().ok_or_else(|| {
                        StoreError::corrupt("dependencies", format!("no group with id {id}"))
                    })?;
                    self.interned[slot] = u32::try_from(self.atlas.group_names.len())
                        .expect("fewer than 2^32 groups");
                    self.atlas.group_names.push(name);
                }
                self.interned[slot]
            }
        };
        let atlas = &mut self.atlas;
        if let (Some(&d), Some(&p)) = (atlas.edge_dependent.last(), atlas.edge_provider.last()) {
            self.sorted &= (d, p) < (dependent, provider);
        }
        atlas.edge_dependent.push(dependent);
        atlas.edge_provider.push(provider);
        atlas.edge_group.push(group);
        atlas
            .edge_strength
            .push(strength.unwrap_or(DEFAULT_STRENGTH));
        atlas
            .edge_tolerance
            .push(tolerance.unwrap_or(DEFAULT_TOLERANCE));
        Ok(())
    }

    fn finish(mut self) -> Result<CompactAtlas> {
        let mut atlas = std::mem::take(&mut self.atlas);
        if atlas.ncf_offsets.is_empty() {
            atlas.ncf_offsets.push(0);
        }
        if !self.sorted {
            sort_edges(&mut atlas);
        }
        if !atlas.is_consistent() {
            return Err(StoreError::corrupt(
                "assets",
                "the loaded columns are inconsistent",
            ));
        }
        Ok(atlas)
    }
}

/// Orders the edge columns by (dependent, provider).
fn sort_edges(atlas: &mut CompactAtlas) {
    let mut order: Vec<(u64, u32)> = (0..atlas.edge_count())
        .map(|e| {
            let key = u64::from(atlas.edge_dependent[e]) << 32 | u64::from(atlas.edge_provider[e]);
            (key, u32::try_from(e).expect("fewer than 2^32 edges"))
        })
        .collect();
    order.sort_unstable();
    fn permute<T: Copy>(column: &mut Vec<T>, order: &[(u64, u32)]) {
        *column = order.iter().map(|&(_, e)| column[e as usize]).collect();
    }
    permute(&mut atlas.edge_dependent, &order);
    permute(&mut atlas.edge_provider, &order);
    permute(&mut atlas.edge_group, &order);
    permute(&mut atlas.edge_strength, &order);
    permute(&mut atlas.edge_tolerance, &order);
}
