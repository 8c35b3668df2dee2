//! Model types <-> table rows, written once for both dialects.
//!
//! List fields and attributes are stored as JSON (lossless: `;` or empty strings inside a list
//! survive); sectors and NCFs also as bit masks derived from the lists.

use std::collections::BTreeMap;

use model::{Asset, Dependency, DependencyKind, Exposure, ncf_index, sector_index};
use postgres::types::{ToSql as PgToSql, Type};

use crate::db::{Columns, TableRow};
use crate::{Result, StoreError};

/// Columns of `assets` in the order of [`AssetRow`]'s fields.
pub(crate) const ASSET_COLUMNS: [&str; 20] = [
    "idx",
    "id",
    "name",
    "kind",
    "country",
    "owner",
    "operator",
    "sectors",
    "sector_mask",
    "ncfs",
    "ncf_mask",
    "lat",
    "lon",
    "products",
    "weight",
    "exposure",
    "recovery_hours",
    "owner_country",
    "tags",
    "attributes",
];

/// PostgreSQL types of [`ASSET_COLUMNS`], for binary COPY.
pub(crate) const ASSET_TYPES: [Type; 20] = [
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::FLOAT8,
    Type::FLOAT8,
    Type::TEXT,
    Type::FLOAT8,
    Type::TEXT,
    Type::FLOAT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

/// One `assets` row as stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AssetRow {
    pub idx: i64,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub owner: String,
    pub operator: String,
    pub sectors: String,
    pub sector_mask: i64,
    pub ncfs: String,
    pub ncf_mask: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub products: String,
    pub weight: Option<f64>,
    pub exposure: Option<String>,
    pub recovery_hours: Option<f64>,
    pub owner_country: Option<String>,
    pub tags: String,
    pub attributes: String,
}

/// The values of a row in column order, as a parameter array for either driver.
macro_rules! asset_values {
    ($r:expr) => {
        [
            &$r.idx as _,
            &$r.id as _,
            &$r.name as _,
            &$r.kind as _,
            &$r.country as _,
            &$r.owner as _,
            &$r.operator as _,
            &$r.sectors as _,
            &$r.sector_mask as _,
            &$r.ncfs as _,
            &$r.ncf_mask as _,
            &$r.lat as _,
            &$r.lon as _,
            &$r.products as _,
            &$r.weight as _,
            &$r.exposure as _,
            &$r.recovery_hours as _,
            &$r.owner_country as _,
            &$r.tags as _,
            &$r.attributes as _,
        ]
    };
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings always serialises")
}

fn json_map(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).expect("a string map always serialises")
}

fn parse_list(json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::corrupt("assets", format!("list {json:?}: {e}")))
}

fn parse_map(table: &'static str, json: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::corrupt(table, format!("attributes {json:?}: {e}")))
}

/// Bit i set when `model::sectors()[i]` is listed; unknown ids set nothing.
pub(crate) fn sector_mask(ids: &[String]) -> i64 {
    ids.iter()
        .filter_map(|s| sector_index(s))
        .fold(0, |m, i| m | 1 << i)
}

/// Bit i set when `model::ncfs()[i]` is listed (55 NCFs fit in 63 bits); unknown ids set nothing.
pub(crate) fn ncf_mask(ids: &[String]) -> i64 {
    ids.iter()
        .filter_map(|s| ncf_index(s))
        .fold(0, |m, i| m | 1 << i)
}

impl AssetRow {
    pub(crate) fn encode(idx: i64, a: &Asset) -> AssetRow {
        AssetRow {
            idx,
            id: a.id.clone(),
            name: a.name.clone(),
            kind: a.kind.clone(),
            country: a.country.clone(),
            owner: a.owner.clone(),
            operator: a.operator.clone(),
            sectors: json_list(&a.sectors),
            sector_mask: sector_mask(&a.sectors),
            ncfs: json_list(&a.ncfs),
            ncf_mask: ncf_mask(&a.ncfs),
            lat: a.lat,
            lon: a.lon,
            products: json_list(&a.products),
            weight: a.weight,
            exposure: a.exposure.map(|e| e.as_str().to_owned()),
            recovery_hours: a.recovery_hours,
            owner_country: a.owner_country.clone(),
            tags: json_list(&a.tags),
            attributes: json_map(&a.attributes),
        }
    }

    /// Reads the columns [`ASSET_COLUMNS`] in order.
    pub(crate) fn read(r: &dyn Columns) -> Result<AssetRow> {
        Ok(AssetRow {
            idx: r.int(0)?,
            id: r.text(1)?,
            name: r.text(2)?,
            kind: r.text(3)?,
            country: r.text(4)?,
            owner: r.text(5)?,
            operator: r.text(6)?,
            sectors: r.text(7)?,
            sector_mask: r.int(8)?,
            ncfs: r.text(9)?,
            ncf_mask: r.int(10)?,
            lat: r.opt_real(11)?,
            lon: r.opt_real(12)?,
            products: r.text(13)?,
            weight: r.opt_real(14)?,
            exposure: r.opt_text(15)?,
            recovery_hours: r.opt_real(16)?,
            owner_country: r.opt_text(17)?,
            tags: r.text(18)?,
            attributes: r.text(19)?,
        })
    }

    pub(crate) fn decode(self) -> Result<Asset> {
        let exposure = match self.exposure.as_deref() {
            None => None,
            Some(e) => Some(
                Exposure::parse(e)
                    .ok_or_else(|| StoreError::corrupt("assets", format!("exposure {e:?}")))?,
            ),
        };
        Ok(Asset {
            sectors: parse_list(&self.sectors)?,
            ncfs: parse_list(&self.ncfs)?,
            products: parse_list(&self.products)?,
            tags: parse_list(&self.tags)?,
            attributes: parse_map("assets", &self.attributes)?,
            id: self.id,
            name: self.name,
            kind: self.kind,
            country: self.country,
            owner: self.owner,
            operator: self.operator,
            lat: self.lat,
            lon: self.lon,
            weight: self.weight,
            exposure,
            recovery_hours: self.recovery_hours,
            owner_country: self.owner_country,
        })
    }
}

impl TableRow for AssetRow {
    const TABLE: &'static str = "assets";
    const COLUMNS: &'static [&'static str] = &ASSET_COLUMNS;
    const TYPES: &'static [Type] = &ASSET_TYPES;
    const KEY: &'static str = "idx";

    fn with_sqlite_values<T>(&self, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T {
        f(&asset_values!(self))
    }

    fn with_pg_values<T>(&self, f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T) -> T {
        f(&asset_values!(self))
    }
}

/// Columns of `dependencies` in the order of [`DepRow`]'s fields.
pub(crate) const DEP_COLUMNS: [&str; 7] = [
    "dependent_idx",
    "provider_idx",
    "kind",
    "grp",
    "strength",
    "tolerance_hours",
    "attributes",
];

pub(crate) const DEP_TYPES: [Type; 7] = [
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::FLOAT8,
    Type::FLOAT8,
    Type::TEXT,
];

/// One `dependencies` row as stored; `grp` points into `dependency_groups`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DepRow {
    pub dependent_idx: i64,
    pub provider_idx: i64,
    pub kind: Option<String>,
    pub grp: Option<i64>,
    pub strength: Option<f64>,
    pub tolerance_hours: Option<f64>,
    pub attributes: String,
}

macro_rules! dep_values {
    ($r:expr) => {
        [
            &$r.dependent_idx as _,
            &$r.provider_idx as _,
            &$r.kind as _,
            &$r.grp as _,
            &$r.strength as _,
            &$r.tolerance_hours as _,
            &$r.attributes as _,
        ]
    };
}

impl DepRow {
    pub(crate) fn encode(
        dependent_idx: i64,
        provider_idx: i64,
        grp: Option<i64>,
        d: &Dependency,
    ) -> DepRow {
        DepRow {
            dependent_idx,
            provider_idx,
            kind: d.kind.map(|k| k.as_str().to_owned()),
            grp,
            strength: d.strength,
            tolerance_hours: d.tolerance_hours,
            attributes: json_map(&d.attributes),
        }
    }

    /// Reads the columns [`DEP_COLUMNS`] in order.
    pub(crate) fn read(r: &dyn Columns) -> Result<DepRow> {
        Ok(DepRow {
            dependent_idx: r.int(0)?,
            provider_idx: r.int(1)?,
            kind: r.opt_text(2)?,
            grp: r.opt_int(3)?,
            strength: r.opt_real(4)?,
            tolerance_hours: r.opt_real(5)?,
            attributes: r.text(6)?,
        })
    }
}

impl TableRow for DepRow {
    const TABLE: &'static str = "dependencies";
    const COLUMNS: &'static [&'static str] = &DEP_COLUMNS;
    const TYPES: &'static [Type] = &DEP_TYPES;
    const KEY: &'static str = "dependent_idx, provider_idx";

    fn with_sqlite_values<T>(&self, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T {
        f(&dep_values!(self))
    }

    fn with_pg_values<T>(&self, f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T) -> T {
        f(&dep_values!(self))
    }
}

/// One interned redundancy-group name.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GroupRow {
    pub id: i64,
    pub name: String,
}

impl TableRow for GroupRow {
    const TABLE: &'static str = "dependency_groups";
    const COLUMNS: &'static [&'static str] = &["id", "name"];
    const TYPES: &'static [Type] = &[Type::INT8, Type::TEXT];
    const KEY: &'static str = "id";

    fn with_sqlite_values<T>(&self, f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T) -> T {
        f(&[&self.id, &self.name])
    }

    fn with_pg_values<T>(&self, f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T) -> T {
        f(&[&self.id, &self.name])
    }
}

/// Reads a dependency from the columns dependent id, provider id, kind, group name, strength,
/// tolerance_hours, attributes (see `dependencies::SELECT`).
pub(crate) fn read_dependency(r: &dyn Columns) -> Result<Dependency> {
    let kind = match r.opt_text(2)? {
        None => None,
        Some(k) => Some(
            DependencyKind::parse(&k)
                .ok_or_else(|| StoreError::corrupt("dependencies", format!("kind {k:?}")))?,
        ),
    };
    Ok(Dependency {
        dependent: r.text(0)?,
        provider: r.text(1)?,
        kind,
        group: r.opt_text(3)?,
        strength: r.opt_real(4)?,
        tolerance_hours: r.opt_real(5)?,
        attributes: parse_map("dependencies", &r.text(6)?)?,
    })
}
