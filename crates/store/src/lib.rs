//! Storage behind one type with two backends: SQLite (rusqlite) and PostgreSQL (postgres).
//! Versioned migrations, transactional imports, a streaming bulk load and the compact graph load.
//!
//! [`Store`] wraps one connection. Every public operation runs in its own transaction: reads see
//! one snapshot, writes are all or nothing. SQL lives in one module per table (`assets`,
//! `dependencies`, `meta`); where the two dialects differ, both versions sit next to each other
//! in the same function.

mod agreements;
mod alerts;
mod analysis;
mod asset_tags;
mod assets;
mod atomic;
mod audit;
mod collections;
mod compact;
mod coordination;
mod cvd;
mod db;
mod dependencies;
mod error;
mod feeds;
mod import;
mod incidents;
mod intel;
mod jobs;
mod meta;
mod migrations;
mod partners;
mod pgcopy;
mod remotes;
mod row;
mod settings;
mod stats;
mod stix_objects;
mod taxii_status;
mod url;
mod users;

use std::collections::{BTreeMap, HashMap, HashSet};

use model::{Asset, Atlas, CompactAtlas, Dependency, HomeCountry, Scenario};

pub use crate::agreements::{Agreement, AgreementKind, CollectionGrant};
pub use crate::alerts::{Alert, NewNotification, Notification, NotificationFilter};
pub use crate::audit::{
    AuditEntry, AuditFilter, AuditPage, AuditQuery, GENESIS_HASH, NewAuditEntry,
};
pub use crate::collections::Collection;
pub use crate::coordination::{CoordRecord, DeconflictFlag, FlagSync};
pub use crate::cvd::{AffectedProduct, CvdCase, CvdRevision, CvdState, NewCvdCase};
use crate::db::Backend;
pub use crate::error::StoreError;
pub use crate::feeds::{Feed, FeedState};
pub use crate::incidents::Incident;
pub use crate::intel::{
    AssetProducts, FindingMark, IntelDocument, IntelImport, IntelImported, Verdict,
};
pub use crate::jobs::{Job, JobFilter};
pub use crate::partners::{Partner, PartnerToken};
pub use crate::remotes::Remote;
pub use crate::stix_objects::{AddOutcome, NewStixObject, ObjectQuery, StoredObject, VersionMatch};
pub use crate::taxii_status::TaxiiStatus;
pub use crate::url::redact_url;
pub use crate::users::{StoredSession, User, UserToken};
pub use model::{IncidentKind, IncidentReport, Tlp};

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
    /// Case-insensitive substring of one of the asset's products.
    pub product: Option<String>,
    /// Only assets whose id sorts after this one (keyset pagination).
    pub after: Option<String>,
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

    /// The country of each of `ids` that is an asset; unknown ids are absent.
    pub fn asset_countries(&mut self, ids: &[&str]) -> Result<HashMap<String, String>> {
        self.db.read(|tx| assets::countries_by_ids(tx, ids))
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

    /// How many assets match `filter`.
    pub fn count_assets(&mut self, filter: &AssetFilter) -> Result<u64> {
        self.db.read(|tx| assets::count(tx, filter))
    }

    /// The assets with at least one of `tags` (exact, case-sensitive), ordered by id: an
    /// indexed lookup, not a scan of the atlas.
    pub fn assets_tagged(&mut self, tags: &[String]) -> Result<Vec<Asset>> {
        self.db.read(|tx| asset_tags::tagged(tx, tags))
    }

    /// The dependencies whose dependent and provider are both among `ids`, in no particular
    /// order.
    pub fn dependencies_among(&mut self, ids: &[String]) -> Result<Vec<Dependency>> {
        self.db.read(|tx| dependencies::among(tx, ids))
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

    /// [`Store::dependents_of`] after the first `offset`, at most `limit`; and how many there
    /// are in all.
    pub fn dependents_page(
        &mut self,
        id: &str,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<Dependency>, u64)> {
        let (limit, offset) = (
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX),
        );
        self.db.read(|tx| {
            let side = dependencies::Side::Provider;
            let page = dependencies::page(tx, side, id, limit, offset)?;
            let total = dependencies::count(tx, side, id)?;
            Ok((page, u64::try_from(total).unwrap_or(0)))
        })
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

    /// The entries of a stored ranking after the first `offset`, at most `limit`, by rank.
    pub fn ranking_page(&mut self, run: i64, offset: u64, limit: u64) -> Result<Vec<RankingEntry>> {
        let (offset, limit) = (
            i64::try_from(offset).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        );
        self.db
            .read(|tx| analysis::ranking_page(tx, run, offset, limit))
    }

    /// The entries of a stored ranking for those of `assets` it holds, in their order.
    pub fn ranking_entries_of(&mut self, run: i64, assets: &[&str]) -> Result<Vec<RankingEntry>> {
        self.db.read(|tx| analysis::entries_of(tx, run, assets))
    }

    /// One asset's entry in a stored ranking, when it holds the asset.
    pub fn ranking_entry(&mut self, run: i64, asset: &str) -> Result<Option<RankingEntry>> {
        self.db.read(|tx| analysis::ranking_entry(tx, run, asset))
    }

    /// Incremented by every write that changes the atlas.
    pub fn atlas_version(&mut self) -> Result<i64> {
        self.db.read(meta::atlas_version)
    }

    /// Incremented by every write that changes what findings are made of besides the atlas:
    /// intel documents stored or SBOMs attached, a verdict on a finding marked or removed, an
    /// incident stored. 0 before the first.
    pub fn intel_version(&mut self) -> Result<i64> {
        self.db.read(meta::intel_version)
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

    /// One stored intel document with its body, exactly as imported.
    pub fn intel_document_with_body(&mut self, id: i64) -> Result<Option<(IntelDocument, String)>> {
        self.db.read(|tx| intel::document_with_body(tx, id))
    }

    /// Every stored intel document of one kind (`kev`, `cve`, …) with its body, oldest first.
    pub fn intel_documents_of_kind(&mut self, kind: &str) -> Result<Vec<(IntelDocument, String)>> {
        self.db.read(|tx| intel::documents_of_kind(tx, kind))
    }

    /// `(asset id, document id)` of every attached SBOM.
    pub fn sboms(&mut self) -> Result<Vec<(String, i64)>> {
        self.db.read(intel::sboms)
    }

    /// The product strings of every asset that lists some, by id; or of the asset `only`.
    pub fn asset_products(&mut self, only: Option<&str>) -> Result<Vec<AssetProducts>> {
        self.db.read(|tx| intel::asset_products(tx, only))
    }

    /// Stores an analyst's verdict on a finding, replacing an earlier one on the same finding;
    /// true when the finding had no mark with this verdict. The asset must exist
    /// ([`StoreError::UnknownAsset`]).
    pub fn mark_finding(&mut self, mark: &FindingMark) -> Result<bool> {
        self.db.write(|tx| intel::mark_finding(tx, mark))
    }

    /// Removes a verdict of `verdict` on a finding; true when there was one.
    pub fn unmark_finding(
        &mut self,
        asset: &str,
        cve: &str,
        item: &str,
        verdict: Verdict,
    ) -> Result<bool> {
        self.db
            .write(|tx| intel::unmark_finding(tx, asset, cve, item, verdict))
    }

    /// Every verdict on a finding, by asset, CVE and item.
    pub fn finding_marks(&mut self) -> Result<Vec<FindingMark>> {
        self.db.read(intel::finding_marks)
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

    /// Records the next revision of a published case's advisory, made at `at`; refused for a
    /// case that is not published.
    pub fn revise_cvd_case(&mut self, id: &str, summary: &str, at: &str) -> Result<CvdCase> {
        self.db.write(|tx| cvd::revise(tx, id, summary, at))
    }

    // Exchange (§4): partners, collections, agreements, settings, STIX objects, TAXII status
    // and federation remotes.

    /// Adds a partner; false (and nothing changed) when the id is taken.
    pub fn add_partner(&mut self, partner: &Partner) -> Result<bool> {
        self.db.write(|tx| partners::add(tx, partner))
    }

    pub fn partner(&mut self, id: &str) -> Result<Option<Partner>> {
        self.db.read(|tx| partners::get(tx, id))
    }

    /// Every partner, by id.
    pub fn partners(&mut self) -> Result<Vec<Partner>> {
        self.db.read(partners::list)
    }

    /// Replaces every field of a partner but its id and `created_at`; false when unknown.
    pub fn update_partner(&mut self, partner: &Partner) -> Result<bool> {
        self.db.write(|tx| partners::update(tx, partner))
    }

    /// Stores a token of a stored partner ([`StoreError::UnknownPartner`] otherwise).
    pub fn add_partner_token(&mut self, token: &PartnerToken) -> Result<()> {
        self.db.write(|tx| partners::add_token(tx, token))
    }

    pub fn partner_token(&mut self, token_id: &str) -> Result<Option<PartnerToken>> {
        self.db.read(|tx| partners::token(tx, token_id))
    }

    /// Revokes every token of the partner not yet revoked; returns how many.
    pub fn revoke_partner_tokens(&mut self, partner_id: &str) -> Result<u64> {
        self.db.write(|tx| partners::revoke_tokens(tx, partner_id))
    }

    /// Adds a collection; false (and nothing changed) when the id is taken.
    pub fn add_collection(&mut self, collection: &Collection) -> Result<bool> {
        self.db.write(|tx| collections::add(tx, collection))
    }

    pub fn collection(&mut self, id: &str) -> Result<Option<Collection>> {
        self.db.read(|tx| collections::get(tx, id))
    }

    /// Every collection, oldest first.
    pub fn collections(&mut self) -> Result<Vec<Collection>> {
        self.db.read(collections::list)
    }

    /// Every collection's revision, which grows whenever objects are added to or deleted from
    /// it: a cache of served pages is current while the revision is unchanged.
    pub fn collection_revisions(&mut self) -> Result<Vec<(String, i64)>> {
        self.db.read(collections::revisions)
    }

    /// Adds an agreement; false (and nothing changed) when the id is taken. A party or a
    /// collection that is not stored fails with [`StoreError::UnknownPartner`] /
    /// [`StoreError::UnknownCollection`] and nothing is stored.
    pub fn add_agreement(&mut self, agreement: &Agreement) -> Result<bool> {
        self.db.write(|tx| agreements::add(tx, agreement))
    }

    pub fn agreement(&mut self, id: &str) -> Result<Option<Agreement>> {
        self.db.read(|tx| agreements::get(tx, id))
    }

    /// Every agreement, by id.
    pub fn agreements(&mut self) -> Result<Vec<Agreement>> {
        self.db.read(agreements::list)
    }

    /// Every agreement the partner is a party to, by id.
    pub fn agreements_of(&mut self, partner_id: &str) -> Result<Vec<Agreement>> {
        self.db.read(|tx| agreements::of(tx, partner_id))
    }

    /// Removes an agreement; false when there is none of that id.
    pub fn remove_agreement(&mut self, id: &str) -> Result<bool> {
        self.db.write(|tx| agreements::remove(tx, id))
    }

    pub fn setting(&mut self, key: &str) -> Result<Option<String>> {
        self.db.read(|tx| settings::get(tx, key))
    }

    /// Sets (or replaces) a setting.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.db.write(|tx| settings::set(tx, key, value))
    }

    /// Stores object versions in one transaction, in input order. A (collection, object id,
    /// version) already stored, or earlier in the input, is a duplicate and changes nothing;
    /// versions compare as instants. New rows get the next `seq` and `date_added` = now (to the
    /// microsecond, strictly after the collection's newest), and `is_latest` / `is_first` are
    /// kept per object id. An unknown collection is [`StoreError::UnknownCollection`].
    pub fn add_objects(
        &mut self,
        collection_id: &str,
        objects: &[NewStixObject<'_>],
    ) -> Result<AddOutcome> {
        self.db
            .write(|tx| stix_objects::add(tx, collection_id, objects))
    }

    /// A page of objects: rows with `seq > after_seq` matching every filter, in `seq` order, at
    /// most `limit`. The caller filters by TLP and asks again from the last `seq` to fill a page.
    pub fn objects(&mut self, query: &ObjectQuery) -> Result<Vec<StoredObject>> {
        self.db.read(|tx| stix_objects::select(tx, query))
    }

    /// Every stored version of one object, in `seq` order.
    pub fn object_versions(
        &mut self,
        collection_id: &str,
        object_id: &str,
    ) -> Result<Vec<StoredObject>> {
        self.db
            .read(|tx| stix_objects::versions(tx, collection_id, object_id))
    }

    /// Deletes the matching versions of one object (recomputing its flags); returns how many.
    pub fn delete_object(
        &mut self,
        collection_id: &str,
        object_id: &str,
        versions: &VersionMatch,
    ) -> Result<u64> {
        self.db
            .write(|tx| stix_objects::delete(tx, collection_id, object_id, versions))
    }

    /// Stored rows of a collection, every version counted.
    pub fn count_objects(&mut self, collection_id: &str) -> Result<u64> {
        self.db.read(|tx| stix_objects::count(tx, collection_id))
    }

    /// Stores a TAXII status, replacing the one of the same id.
    pub fn save_status(&mut self, status: &TaxiiStatus) -> Result<()> {
        self.db.write(|tx| taxii_status::save(tx, status))
    }

    pub fn status(&mut self, id: &str) -> Result<Option<TaxiiStatus>> {
        self.db.read(|tx| taxii_status::get(tx, id))
    }

    /// Adds a remote; false (and nothing changed) when the name is taken. Its local collection
    /// and partner must be stored ([`StoreError::UnknownCollection`],
    /// [`StoreError::UnknownPartner`]).
    pub fn add_remote(&mut self, remote: &Remote) -> Result<bool> {
        self.db.write(|tx| remotes::add(tx, remote))
    }

    pub fn remote(&mut self, name: &str) -> Result<Option<Remote>> {
        self.db.read(|tx| remotes::get(tx, name))
    }

    /// Every remote, by name.
    pub fn remotes(&mut self) -> Result<Vec<Remote>> {
        self.db.read(remotes::list)
    }

    /// Replaces a remote's stored token; false when there is no such remote.
    pub fn set_remote_token(&mut self, name: &str, token: &str) -> Result<bool> {
        self.db.write(|tx| remotes::set_token(tx, name, token))
    }

    /// Replaces a remote's cursors and last sync time; false when there is no such remote.
    pub fn set_remote_cursors(
        &mut self,
        name: &str,
        pull_cursor: Option<&str>,
        push_cursor: i64,
        last_sync: &str,
    ) -> Result<bool> {
        self.db
            .write(|tx| remotes::set_cursors(tx, name, pull_cursor, push_cursor, last_sync))
    }

    /// Removes a remote; false when there is none of that name.
    pub fn remove_remote(&mut self, name: &str) -> Result<bool> {
        self.db.write(|tx| remotes::remove(tx, name))
    }

    // Alerts, victim notifications and incident reports (§4).

    /// The next free alert id, `ALERT-<year of now>-NNNN`.
    pub fn next_alert_id(&mut self, now: &str) -> Result<String> {
        self.db
            .read(|tx| alerts::next_id(tx, "alerts", "ALERT", now))
    }

    /// Stores an alert in one transaction: the alert, its routing, its STIX package `objects`
    /// (into its collection, when it has one) and one notification per draft, numbered
    /// `<alert id>.1`, `.2`, … in input order, each in its first state at the alert's
    /// `created_at`. A taken id is [`StoreError::InvalidRecord`]; an unknown asset, partner or
    /// collection fails with [`StoreError::UnknownAsset`], [`StoreError::UnknownPartner`],
    /// [`StoreError::UnknownCollection`]; then nothing is stored. Returns the notifications.
    pub fn add_alert(
        &mut self,
        alert: &Alert,
        objects: &[NewStixObject<'_>],
        drafts: &[NewNotification],
    ) -> Result<Vec<Notification>> {
        self.db.write(|tx| alerts::add(tx, alert, objects, drafts))
    }

    pub fn alert(&mut self, id: &str) -> Result<Option<Alert>> {
        self.db.read(|tx| alerts::get(tx, id))
    }

    /// Every alert, by id.
    pub fn alerts(&mut self) -> Result<Vec<Alert>> {
        self.db.read(alerts::list)
    }

    pub fn notification(&mut self, id: &str) -> Result<Option<Notification>> {
        self.db.read(|tx| {
            Ok(alerts::select_notifications(tx, &NotificationFilter::default(), Some(id))?.pop())
        })
    }

    /// Notifications matching `filter`, by alert and number.
    pub fn notifications(&mut self, filter: &NotificationFilter) -> Result<Vec<Notification>> {
        self.db
            .read(|tx| alerts::select_notifications(tx, filter, None))
    }

    /// Moves a notification to state `to` at `at` when `allowed(current, to)` holds, keeping
    /// the time in its history; otherwise [`StoreError::NotificationTransition`]. A time before
    /// the last state's is [`StoreError::InvalidRecord`] (times are fixed-width RFC 3339 text).
    pub fn advance_notification(
        &mut self,
        id: &str,
        to: &str,
        at: &str,
        allowed: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Notification> {
        self.db.write(|tx| alerts::advance(tx, id, to, at, allowed))
    }

    /// [`Store::advance_notification`] for each `(id, to, at)` in order, in one transaction:
    /// all or nothing. Returns the notifications as each move left them.
    pub fn advance_notifications(
        &mut self,
        moves: &[(&str, &str, &str)],
        allowed: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Vec<Notification>> {
        self.db.write(|tx| {
            moves
                .iter()
                .map(|(id, to, at)| alerts::advance(tx, id, to, at, allowed))
                .collect()
        })
    }

    /// Stores incidents in one transaction, in input order; each gets the next
    /// `INC-<year of reported_at>-NNNN`, except one whose `stix_id` is stored already (skipped,
    /// its stored id returned with `false`). An unknown partner or asset, a severity outside
    /// 1..=5 or an incident without assets fails and nothing is stored.
    pub fn add_incidents(&mut self, incidents: &[IncidentReport]) -> Result<Vec<(String, bool)>> {
        self.db.write(|tx| incidents::add(tx, incidents))
    }

    /// Every incident with its assets, by id.
    pub fn incidents(&mut self) -> Result<Vec<Incident>> {
        self.db.read(incidents::list)
    }

    // The coordination register (§5).

    /// `n` fresh record ids `<prefix>-NNNNNN` after the highest stored one of that prefix (call
    /// inside [`Store::atomically`] together with the write that uses them).
    pub fn next_coord_ids(&mut self, prefix: &str, n: usize) -> Result<Vec<String>> {
        self.db.read(|tx| coordination::next_ids(tx, prefix, n))
    }

    /// Stores register records in one transaction, replacing those with the same id; a record
    /// ending before it starts is [`StoreError::InvalidRecord`] and nothing is stored.
    pub fn put_coord_records(&mut self, records: &[CoordRecord]) -> Result<()> {
        self.db.write(|tx| coordination::put(tx, records))
    }

    /// The register's records of `kind` (all when `None`), by start date then id.
    pub fn coord_records(&mut self, kind: Option<&str>) -> Result<Vec<CoordRecord>> {
        self.db.read(|tx| coordination::list(tx, kind))
    }

    pub fn coord_record(&mut self, id: &str) -> Result<Option<CoordRecord>> {
        self.db.read(|tx| coordination::get(tx, id))
    }

    /// Deletes a record and the open deconfliction flags naming it; false when there was none.
    pub fn delete_coord_record(&mut self, id: &str) -> Result<bool> {
        self.db.write(|tx| coordination::delete(tx, id))
    }

    /// Every deconfliction flag, by id.
    pub fn deconflict_flags(&mut self) -> Result<Vec<DeconflictFlag>> {
        self.db.read(coordination::flags)
    }

    /// Brings the stored flags in line with those `found` by a deconfliction run: new
    /// fingerprints are added, open flags no longer found are removed, resolved flags stay.
    pub fn sync_deconflict_flags(&mut self, found: &[DeconflictFlag]) -> Result<FlagSync> {
        self.db.write(|tx| coordination::sync_flags(tx, found))
    }

    /// Resolves the open flag `id`; false when there is no such open flag.
    pub fn resolve_deconflict_flag(
        &mut self,
        id: &str,
        resolution: &str,
        note: &str,
        by: &str,
        at: &str,
    ) -> Result<bool> {
        self.db
            .write(|tx| coordination::resolve_flag(tx, id, resolution, note, by, at))
    }

    /// Sets the annual plan's target of a measure for a quarter.
    pub fn set_measure_target(&mut self, measure: &str, quarter: &str, target: f64) -> Result<()> {
        self.db
            .write(|tx| coordination::set_target(tx, measure, quarter, target))
    }

    /// Every target as (measure, quarter, target).
    pub fn measure_targets(&mut self) -> Result<Vec<(String, String, f64)>> {
        self.db.read(coordination::targets)
    }

    // The audit log.

    /// Appends one entry to the audit log, in the current transaction when called inside
    /// [`Store::atomically`] (so the entry and the write it records are kept or undone
    /// together): after the newest entry, with the next `seq`, the newest entry's hash as
    /// `prev_hash` and `seal(seq, prev_hash)` as its hash. Concurrent appenders, in this process
    /// or others on the same database, run one after the other, so the chain has no fork; on
    /// PostgreSQL the lock is held until the transaction ends, so append last.
    pub fn audit_append(
        &mut self,
        entry: &NewAuditEntry<'_>,
        seal: &dyn Fn(i64, &str) -> String,
    ) -> Result<AuditEntry> {
        self.db.write(|tx| audit::append(tx, entry, seal))
    }

    /// Audit entries matching `filter`, in `seq` order. Paging with `after` set to the last
    /// `seq` seen reads the whole log a page at a time.
    pub fn audit_list(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.db.read(|tx| audit::list(tx, filter))
    }

    /// A page of audit entries matching `query`, newest first, and how many match in all.
    pub fn audit_page(&mut self, query: &AuditQuery) -> Result<AuditPage> {
        self.db.read(|tx| audit::page(tx, query))
    }

    /// The newest audit entry, if any.
    pub fn audit_head(&mut self) -> Result<Option<AuditEntry>> {
        self.db.read(audit::head)
    }

    /// The audit entry whose hash is `hash` (the first one, should several claim it).
    pub fn audit_by_hash(&mut self, hash: &str) -> Result<Option<AuditEntry>> {
        self.db.read(|tx| audit::by_hash(tx, hash))
    }

    // Users (§6): users, their API tokens, login sessions, failed logins

    /// Adds a user; false (and nothing changed) when the name is taken in any case. Its partner
    /// must be stored ([`StoreError::UnknownPartner`]).
    pub fn add_user(&mut self, user: &User) -> Result<bool> {
        self.db.write(|tx| users::add(tx, user))
    }

    /// The user named `name`, ignoring case.
    pub fn user(&mut self, name: &str) -> Result<Option<User>> {
        self.db.read(|tx| users::get(tx, name))
    }

    /// Every user, by name.
    pub fn users(&mut self) -> Result<Vec<User>> {
        self.db.read(users::list)
    }

    /// Disables a user and ends its sessions; false when unknown.
    pub fn disable_user(&mut self, name: &str) -> Result<bool> {
        self.db.write(|tx| users::disable(tx, name))
    }

    /// Replaces a user's password hash and ends its sessions; false when unknown.
    pub fn set_user_password(&mut self, name: &str, hash: &str) -> Result<bool> {
        self.db.write(|tx| users::set_password(tx, name, hash))
    }

    /// Stores a token of a stored user ([`StoreError::UnknownUser`] otherwise).
    pub fn add_user_token(&mut self, token: &UserToken) -> Result<()> {
        self.db.write(|tx| users::add_token(tx, token))
    }

    pub fn user_token(&mut self, token_id: &str) -> Result<Option<UserToken>> {
        self.db.read(|tx| users::token(tx, token_id))
    }

    /// The user's tokens, revoked ones included, oldest first.
    pub fn user_tokens(&mut self, name: &str) -> Result<Vec<UserToken>> {
        self.db.read(|tx| users::tokens(tx, name))
    }

    /// Records that the token was used at `at`.
    pub fn touch_user_token(&mut self, token_id: &str, at: &str) -> Result<()> {
        self.db.write(|tx| users::touch_token(tx, token_id, at))
    }

    /// Revokes one token of the user at `at`; false when the user has no such token still valid.
    pub fn revoke_user_token(&mut self, name: &str, token_id: &str, at: &str) -> Result<bool> {
        self.db
            .write(|tx| users::revoke_token(tx, name, token_id, at))
    }

    /// Stores a session of a stored user ([`StoreError::UnknownUser`] otherwise) and drops the
    /// sessions expired by its creation time.
    pub fn add_session(&mut self, session: &StoredSession) -> Result<()> {
        self.db.write(|tx| users::add_session(tx, session))
    }

    /// The session stored under `secret_sha256` (hex SHA-256 of its secret).
    pub fn session(&mut self, secret_sha256: &str) -> Result<Option<StoredSession>> {
        self.db.read(|tx| users::session(tx, secret_sha256))
    }

    /// Records activity on a session at `at`.
    pub fn touch_session(&mut self, secret_sha256: &str, at: &str) -> Result<()> {
        self.db
            .write(|tx| users::touch_session(tx, secret_sha256, at))
    }

    /// Deletes a session; false when there was none.
    pub fn delete_session(&mut self, secret_sha256: &str) -> Result<bool> {
        self.db.write(|tx| users::delete_session(tx, secret_sha256))
    }

    /// When `name` (known or not) failed to log in after `since`, oldest first.
    pub fn login_failures(&mut self, name: &str, since: &str) -> Result<Vec<String>> {
        self.db.read(|tx| users::login_failures(tx, name, since))
    }

    /// Records a failed login of `name` from `client` at `at`, and forgets every failure (of any
    /// name) at or before `forget_until`.
    pub fn add_login_failure(
        &mut self,
        name: &str,
        client: &str,
        at: &str,
        forget_until: &str,
    ) -> Result<()> {
        self.db
            .write(|tx| users::add_login_failure(tx, name, client, at, forget_until))
    }

    /// Forgets the failed logins of `name`.
    pub fn clear_login_failures(&mut self, name: &str) -> Result<()> {
        self.db.write(|tx| users::clear_login_failures(tx, name))
    }

    /// Stores a queued job of `kind` requested by `requested_by` at `at`; its id.
    pub fn add_job(&mut self, kind: &str, requested_by: &str, at: &str) -> Result<i64> {
        self.db.write(|tx| jobs::add(tx, kind, requested_by, at))
    }

    pub fn job(&mut self, id: i64) -> Result<Option<Job>> {
        self.db.read(|tx| jobs::get(tx, id))
    }

    /// Jobs matching `filter`, newest first.
    pub fn jobs(&mut self, filter: &JobFilter) -> Result<Vec<Job>> {
        self.db.read(|tx| jobs::list(tx, filter))
    }

    /// Marks a queued job running; false when it was not queued.
    pub fn start_job(&mut self, id: i64, at: &str) -> Result<bool> {
        self.db.write(|tx| jobs::start(tx, id, at))
    }

    /// Fails a queued job with `error` (it never runs); false when it was not queued.
    pub fn cancel_job(&mut self, id: i64, error: &str, at: &str) -> Result<bool> {
        self.db.write(|tx| jobs::cancel(tx, id, error, at))
    }

    /// Asks a running job to stop on behalf of `by` (the first to ask is kept); false when it is
    /// not running.
    pub fn request_job_cancel(&mut self, id: i64, by: &str) -> Result<bool> {
        self.db.write(|tx| jobs::request_cancel(tx, id, by))
    }

    /// Records a live job's stage and steps, and that its server is alive at `at`; `None` when
    /// the job is over (or unknown), else who asked it to stop (if anyone did).
    pub fn job_progress(
        &mut self,
        id: i64,
        stage: &str,
        done: u64,
        total: Option<u64>,
        at: &str,
    ) -> Result<Option<Option<String>>> {
        self.db
            .write(|tx| jobs::progress(tx, id, stage, done, total, at))
    }

    /// Ends a live job: succeeded with `Ok(result)`, failed with `Err(error)`; false when it was
    /// over already (or unknown).
    pub fn finish_job(
        &mut self,
        id: i64,
        outcome: std::result::Result<&str, &str>,
        at: &str,
    ) -> Result<bool> {
        self.db.write(|tx| jobs::finish(tx, id, outcome, at))
    }

    /// Fails with `error` the live jobs whose server was last alive before `stale`; their ids.
    pub fn interrupt_jobs(&mut self, stale: &str, error: &str, at: &str) -> Result<Vec<i64>> {
        self.db.write(|tx| jobs::interrupt(tx, stale, error, at))
    }
}

#[cfg(test)]
mod tests;
