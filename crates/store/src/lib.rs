//! Storage behind one type with two backends: SQLite (rusqlite) and PostgreSQL (postgres).
//! Versioned migrations, transactional imports, a streaming bulk load and the compact graph load.
//!
//! [`Store`] wraps one connection. Every public operation runs in its own transaction: reads see
//! one snapshot, writes are all or nothing. SQL lives in one module per table (`assets`,
//! `dependencies`, `meta`); where the two dialects differ, both versions sit next to each other
//! in the same function.

mod analysis;
mod assets;
mod compact;
mod cvd;
mod db;
mod dependencies;
mod error;
mod feeds;
mod import;
mod intel;
mod meta;
mod migrations;
mod pgcopy;
mod row;
mod stats;
mod url;

use std::collections::{BTreeMap, HashSet};

use model::{Asset, Atlas, CompactAtlas, Dependency, HomeCountry, Scenario};

pub use crate::cvd::{AffectedProduct, CvdCase, CvdState, NewCvdCase};
use crate::db::Backend;
pub use crate::error::StoreError;
pub use crate::feeds::{Feed, FeedState};
pub use crate::intel::{AssetProducts, FalsePositive, IntelDocument, IntelImport, IntelImported};
pub use model::Tlp;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What an import changed, per record kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub assets: Counts,
    pub dependencies: Counts,
}

impl ImportReport {
    /// True when the import changed nothing.
    pub fn is_unchanged(&self) -> bool {
        self.assets.created
            + self.assets.updated
            + self.dependencies.created
            + self.dependencies.updated
            == 0
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Conditions on [`Store::list_assets`]; every `Some` must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssetFilter {
    pub country: Option<String>,
    /// A sector id (`ENERGY`); an unknown id matches nothing.
    pub sector: Option<String>,
    /// An NCF id (`NCF-D01`); an unknown id matches nothing.
    pub ncf: Option<String>,
    pub kind: Option<String>,
    /// Only assets outside this home country.
    pub foreign_of: Option<HomeCountry>,
    /// Case-insensitive substring of the id or the name.
    pub text: Option<String>,
}

/// Counts over the whole atlas, computed in SQL. Maps leave out zero counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub assets: u64,
    pub dependencies: u64,
    /// Assets outside the home country.
    pub foreign: u64,
    /// Domestic assets whose ultimate owner is foreign.
    pub foreign_owned: u64,
    pub by_kind: BTreeMap<String, u64>,
    pub by_country: BTreeMap<String, u64>,
    /// By sector id; unknown sector ids are not counted.
    pub by_sector: BTreeMap<String, u64>,
    /// By NCF id; unknown NCF ids are not counted.
    pub by_ncf: BTreeMap<String, u64>,
}

/// One row of a stored priority ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingEntry {
    /// 1-based position.
    pub rank: u32,
    pub asset: String,
    pub impact: f64,
    pub exposure: f64,
    pub threat: f64,
    pub priority: f64,
}

/// A stored ranking: when, over which atlas version, for which home country.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankingRun {
    pub id: i64,
    pub created_at: String,
    pub atlas_version: i64,
    pub home: String,
    pub entries: u64,
}

/// The atlas store over SQLite or PostgreSQL.
pub struct Store {
    db: Backend,
}

impl Store {
    /// Opens (creating if needed) the database behind `url` and applies pending migrations.
    ///
    /// `sqlite://PATH`, a bare path or `sqlite::memory:` open SQLite (WAL, foreign keys on,
    /// 5 s busy timeout, `synchronous=NORMAL`); `postgres://…` / `postgresql://…` open
    /// PostgreSQL, where the extra query parameter `schema=NAME` keeps every table in that
    /// schema (created when missing). Opening an up-to-date database writes nothing.
    pub fn open(url: &str) -> Result<Store> {
        let mut db = Backend::open(&url::Target::parse(url)?)?;
        migrations::apply(&mut db)?;
        Ok(Store { db })
    }

    /// Upserts a batch in one transaction: assets by id, dependencies by (dependent, provider);
    /// records outside the batch are left alone. A dependency naming an asset that is neither in
    /// the batch nor stored fails with [`StoreError::UnknownAsset`] and nothing is stored.
    pub fn import(&mut self, atlas: &Atlas) -> Result<ImportReport> {
        self.db.write(|tx| import::import(tx, atlas))
    }

    /// Streams a whole atlas into an empty store in one transaction ([`StoreError::NotEmpty`]
    /// otherwise). `progress` receives the number of records written so far.
    pub fn bulk_load(
        &mut self,
        assets: impl IntoIterator<Item = Asset>,
        dependencies: impl IntoIterator<Item = Dependency>,
        progress: &dyn Fn(u64),
    ) -> Result<ImportReport> {
        self.db.write_unchecked(|tx| {
            import::bulk_load(tx, assets.into_iter(), dependencies.into_iter(), progress)
        })
    }

    /// Deletes every asset and dependency in one transaction (`meridian demo --reset`).
    pub fn clear_atlas(&mut self) -> Result<()> {
        self.db.write(import::clear)
    }

    /// Which of `ids` are stored.
    pub fn existing_ids(&mut self, ids: &[&str]) -> Result<HashSet<String>> {
        self.db
            .read(|tx| Ok(assets::idx_by_ids(tx, ids)?.into_keys().collect()))
    }

    pub fn asset_exists(&mut self, id: &str) -> Result<bool> {
        Ok(!self.existing_ids(&[id])?.is_empty())
    }

    pub fn get_asset(&mut self, id: &str) -> Result<Option<Asset>> {
        self.db.read(|tx| assets::get(tx, id))
    }

    /// Assets matching `filter`, ordered by id.
    pub fn list_assets(
        &mut self,
        filter: &AssetFilter,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<Asset>> {
        self.db.read(|tx| assets::list(tx, filter, limit, offset))
    }

    /// What `id` depends on, ordered by provider id.
    pub fn dependencies_of(&mut self, id: &str) -> Result<Vec<Dependency>> {
        self.db
            .read(|tx| dependencies::of(tx, dependencies::Side::Dependent, id))
    }

    /// What depends on `id`, ordered by dependent id.
    pub fn dependents_of(&mut self, id: &str) -> Result<Vec<Dependency>> {
        self.db
            .read(|tx| dependencies::of(tx, dependencies::Side::Provider, id))
    }

    /// The whole atlas in canonical order (see [`Atlas::sort`]).
    pub fn export_atlas(&mut self) -> Result<Atlas> {
        let mut atlas = self.db.read(|tx| {
            Ok(Atlas {
                assets: assets::all(tx)?,
                dependencies: dependencies::all(tx)?,
            })
        })?;
        atlas.sort();
        Ok(atlas)
    }

    pub fn stats(&mut self, home: &HomeCountry) -> Result<Stats> {
        self.db.read(|tx| stats::stats(tx, home))
    }

    /// The graph load: the whole atlas as columns, assets renumbered densely in storage order,
    /// edges ordered by (dependent, provider).
    pub fn load_compact(&mut self) -> Result<CompactAtlas> {
        self.db.read(compact::load)
    }

    /// Saves (or replaces) a scenario by name; `now` is the caller's timestamp.
    pub fn save_scenario(&mut self, scenario: &Scenario, now: &str) -> Result<()> {
        self.db
            .write(|tx| analysis::save_scenario(tx, scenario, now))
    }

    pub fn scenario(&mut self, name: &str) -> Result<Option<Scenario>> {
        Ok(self
            .db
            .read(|tx| analysis::scenarios(tx, Some(name)))?
            .pop())
    }

    /// Every saved scenario, by name.
    pub fn scenarios(&mut self) -> Result<Vec<Scenario>> {
        self.db.read(|tx| analysis::scenarios(tx, None))
    }

    /// True when a scenario of that name existed.
    pub fn delete_scenario(&mut self, name: &str) -> Result<bool> {
        self.db.write(|tx| analysis::delete_scenario(tx, name))
    }

    /// Stores a ranking with its timestamp and the current atlas version; returns its id.
    pub fn save_ranking(
        &mut self,
        created_at: &str,
        home: &str,
        entries: &[RankingEntry],
    ) -> Result<i64> {
        self.db
            .write(|tx| analysis::save_ranking(tx, created_at, home, entries))
    }

    /// Every stored ranking, oldest first.
    pub fn ranking_runs(&mut self) -> Result<Vec<RankingRun>> {
        self.db.read(analysis::ranking_runs)
    }

    /// The entries of one stored ranking, by rank.
    pub fn ranking_entries(&mut self, run: i64) -> Result<Vec<RankingEntry>> {
        self.db.read(|tx| analysis::ranking_entries(tx, run))
    }

    /// Incremented by every write that changes the atlas.
    pub fn atlas_version(&mut self) -> Result<i64> {
        self.db.read(meta::atlas_version)
    }

    /// Stores intel documents in one transaction, each unless the same bytes (by SHA-256) are
    /// stored already, and attaches SBOMs to their assets. An unknown asset fails with
    /// [`StoreError::UnknownAsset`] and nothing is stored. Results are in input order.
    pub fn import_intel(
        &mut self,
        documents: &[IntelImport<'_>],
        now: &str,
    ) -> Result<Vec<IntelImported>> {
        self.db.write(|tx| intel::import(tx, documents, now))
    }

    /// Every stored intel document's provenance, oldest first.
    pub fn intel_documents(&mut self) -> Result<Vec<IntelDocument>> {
        self.db.read(intel::documents)
    }

    /// Every stored intel document with its body, oldest first.
    pub fn intel_documents_with_bodies(&mut self) -> Result<Vec<(IntelDocument, String)>> {
        self.db.read(intel::documents_with_bodies)
    }

    /// `(asset id, document id)` of every attached SBOM.
    pub fn sboms(&mut self) -> Result<Vec<(String, i64)>> {
        self.db.read(intel::sboms)
    }

    /// The product strings of every asset that lists some, by id; or of the asset `only`.
    pub fn asset_products(&mut self, only: Option<&str>) -> Result<Vec<AssetProducts>> {
        self.db.read(|tx| intel::asset_products(tx, only))
    }

    /// Marks a false positive (replacing the note of an existing one); true when new. The asset
    /// must exist ([`StoreError::UnknownAsset`]).
    pub fn mark_false_positive(&mut self, fp: &FalsePositive) -> Result<bool> {
        self.db.write(|tx| intel::mark_false_positive(tx, fp))
    }

    /// Every false positive, by asset, CVE and item.
    pub fn false_positives(&mut self) -> Result<Vec<FalsePositive>> {
        self.db.read(intel::false_positives)
    }

    /// Adds an intel feed; false (and nothing changed) when the name is taken.
    pub fn add_feed(&mut self, feed: &Feed) -> Result<bool> {
        self.db.write(|tx| feeds::add(tx, feed))
    }

    /// Every intel feed, by name.
    pub fn feeds(&mut self) -> Result<Vec<Feed>> {
        self.db.read(feeds::list)
    }

    /// Removes an intel feed; false when there is none of that name.
    pub fn remove_feed(&mut self, name: &str) -> Result<bool> {
        self.db.write(|tx| feeds::remove(tx, name))
    }

    /// The validators of the last successful fetch of `url`, if any.
    pub fn feed_state(&mut self, url: &str) -> Result<Option<FeedState>> {
        self.db.read(|tx| feeds::state(tx, url))
    }

    /// Records the validators of a successful fetch, replacing the previous ones of its URL.
    pub fn set_feed_state(&mut self, state: &FeedState) -> Result<()> {
        self.db.write(|tx| feeds::set_state(tx, state))
    }

    /// Opens a CVD case in state `reported` at `now` (RFC 3339); its id is the next
    /// `MERIDIAN-<year of now>-NNNN`. A bad country, CVE id or date is
    /// [`StoreError::InvalidCvdCase`].
    pub fn create_cvd_case(&mut self, case: &NewCvdCase, now: &str) -> Result<CvdCase> {
        self.db.write(|tx| cvd::create(tx, case, now))
    }

    pub fn cvd_case(&mut self, id: &str) -> Result<Option<CvdCase>> {
        self.db.read(|tx| cvd::get(tx, id))
    }

    /// Every CVD case, by id.
    pub fn cvd_cases(&mut self) -> Result<Vec<CvdCase>> {
        self.db.read(|tx| cvd::select(tx, None))
    }

    /// Moves a case forward to `to` at `at`, keeping the time in its history; a move back or
    /// in place is [`StoreError::CvdTransition`]. Embargo dates are the caller's to check.
    pub fn advance_cvd_case(&mut self, id: &str, to: CvdState, at: &str) -> Result<CvdCase> {
        self.db.write(|tx| cvd::advance(tx, id, to, at))
    }
}

#[cfg(test)]
mod tests;
