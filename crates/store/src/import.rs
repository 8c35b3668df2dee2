//! Writing atlases: the transactional upsert import and the streaming bulk load. The logic is
//! shared; the table modules and [`db::write`] hide the dialects.

use std::collections::HashMap;

use model::{Asset, Atlas, Dependency};

use crate::db::{self, TableRow, Tx, Write};
use crate::row::{AssetRow, DepRow, GroupRow};
use crate::{
    Counts, ImportReport, Result, StoreError, asset_tags, assets, dependencies, meta, migrations,
};

/// Upserts `atlas` (see `Store::import`). Runs inside the caller's write transaction.
pub(crate) fn import(tx: &mut Tx<'_, '_>, atlas: &Atlas) -> Result<ImportReport> {
    tx.lock_atlas()?;
    let large = atlas.assets.len() + atlas.dependencies.len() > LARGE_BATCH;
    let report = tx.with_large_cache(large, |tx| {
        let imported = import_assets(tx, &atlas.assets)?;
        let dependencies = import_dependencies(
            tx,
            &atlas.dependencies,
            imported.idx_of,
            imported.first_new_idx,
        )?;
        Ok(ImportReport {
            assets: imported.counts,
            dependencies,
        })
    })?;
    if !report.is_unchanged() {
        meta::bump_atlas_version(tx)?;
    }
    tracing::info!(?report.assets, ?report.dependencies, "atlas imported");
    Ok(report)
}

/// Records in a batch above which the SQLite page cache is enlarged for the transaction.
const LARGE_BATCH: usize = 100_000;

struct ImportedAssets<'a> {
    /// The idx of every asset in the batch.
    idx_of: HashMap<&'a str, i64>,
    /// Assets from this idx on were created by this import, so no dependency is stored for them.
    first_new_idx: i64,
    counts: Counts,
}

/// Writes new and changed assets, and the tag rows of those whose tags are new or changed.
fn import_assets<'a>(tx: &mut Tx<'_, '_>, batch: &'a [Asset]) -> Result<ImportedAssets<'a>> {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    for (i, asset) in batch.iter().enumerate() {
        if position.insert(asset.id.as_str(), i).is_some() {
            return Err(StoreError::DuplicateAsset(asset.id.clone()));
        }
    }
    // Compare stored rows as they stream in: stored idx and what to do, per position.
    let mut stored_idx: Vec<Option<i64>> = vec![None; batch.len()];
    let mut actions = vec![Action::Create; batch.len()];
    let mut counts = Counts::default();
    let mut retagged = Vec::new();
    let ids: Vec<&str> = batch.iter().map(|a| a.id.as_str()).collect();
    assets::for_each_by_ids(tx, &ids, |row| {
        let i = *position
            .get(row.id.as_str())
            .ok_or_else(|| StoreError::corrupt("assets", format!("unrequested id {:?}", row.id)))?;
        stored_idx[i] = Some(row.idx);
        let encoded = AssetRow::encode(row.idx, &batch[i]);
        actions[i] = if encoded == row {
            counts.unchanged += 1;
            Action::Keep
        } else {
            counts.updated += 1;
            if encoded.tags != row.tags {
                retagged.push(row.idx);
            }
            Action::Update
        };
        Ok(())
    })?;
    let first_new_idx = assets::max_idx(tx)? + 1;
    let mut next_idx = first_new_idx;
    let idx: Vec<i64> = stored_idx
        .iter()
        .map(|stored| {
            stored.unwrap_or_else(|| {
                next_idx += 1;
                next_idx - 1
            })
        })
        .collect();
    counts.created = (next_idx - first_new_idx) as u64;
    write_changes(tx, &actions, |i| AssetRow::encode(idx[i], &batch[i]))?;
    asset_tags::replace(tx, &retagged)?;
    if next_idx > first_new_idx {
        asset_tags::add_from(tx, first_new_idx)?;
    }
    let idx_of = position.into_iter().map(|(id, i)| (id, idx[i])).collect();
    Ok(ImportedAssets {
        idx_of,
        first_new_idx,
        counts,
    })
}

fn import_dependencies<'a>(
    tx: &mut Tx<'_, '_>,
    batch: &'a [Dependency],
    mut idx_of: HashMap<&'a str, i64>,
    first_new_idx: i64,
) -> Result<Counts> {
    // Endpoints outside the batch must already be stored.
    let mut outside: Vec<&str> = batch
        .iter()
        .flat_map(|d| [d.dependent.as_str(), d.provider.as_str()])
        .filter(|id| !idx_of.contains_key(id))
        .collect();
    outside.sort_unstable();
    outside.dedup();
    let found = assets::idx_by_ids(tx, &outside)?;
    if let Some(unknown) = outside.iter().find(|id| !found.contains_key(**id)) {
        return Err(StoreError::UnknownAsset((*unknown).to_owned()));
    }
    idx_of.extend(outside.iter().map(|id| (*id, found[*id])));

    let groups = intern_groups(tx, batch)?;
    let mut position: HashMap<(i64, i64), usize> = HashMap::with_capacity(batch.len());
    let mut resolved = Vec::with_capacity(batch.len());
    for (i, d) in batch.iter().enumerate() {
        let pair = (idx_of[d.dependent.as_str()], idx_of[d.provider.as_str()]);
        if position.insert(pair, i).is_some() {
            return Err(StoreError::DuplicateDependency(
                d.dependent.clone(),
                d.provider.clone(),
            ));
        }
        resolved.push((pair, d.group.as_ref().map(|g| groups[g.as_str()])));
    }
    drop(idx_of);
    // Only dependents that existed before this import can have stored dependencies.
    let stored_pairs: Vec<(i64, i64)> = resolved
        .iter()
        .map(|&(pair, _)| pair)
        .filter(|&(dependent, _)| dependent < first_new_idx)
        .collect();
    let mut actions = vec![Action::Create; batch.len()];
    let mut counts = Counts::default();
    dependencies::for_each_by_pairs(tx, &stored_pairs, |row| {
        let pair = (row.dependent_idx, row.provider_idx);
        let i = *position.get(&pair).ok_or_else(|| {
            StoreError::corrupt("dependencies", format!("unrequested pair {pair:?}"))
        })?;
        actions[i] = if DepRow::encode(pair.0, pair.1, resolved[i].1, &batch[i]) == row {
            counts.unchanged += 1;
            Action::Keep
        } else {
            counts.updated += 1;
            Action::Update
        };
        Ok(())
    })?;
    counts.created = batch.len() as u64 - counts.unchanged - counts.updated;
    let large = counts.created + counts.updated > LARGE_BATCH as u64;
    if large {
        migrations::relax_foreign_keys(tx)?;
    }
    write_changes(tx, &actions, |i| {
        let ((dependent, provider), grp) = resolved[i];
        DepRow::encode(dependent, provider, grp, &batch[i])
    })?;
    if large {
        migrations::restore_foreign_keys(tx)?;
    }
    Ok(counts)
}

/// What an import does with one record of the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Create,
    Update,
    Keep,
}

/// Writes the created records (straight into the table) and then the updated ones (upserted).
fn write_changes<R: TableRow>(
    tx: &mut Tx<'_, '_>,
    actions: &[Action],
    row: impl Fn(usize) -> R,
) -> Result<()> {
    for (action, mode) in [
        (Action::Create, Write::Fresh),
        (Action::Update, Write::Upsert),
    ] {
        if actions.contains(&action) {
            let rows = (0..actions.len())
                .filter(|&i| actions[i] == action)
                .map(|i| Ok(row(i)));
            db::write(tx, mode, rows)?;
        }
    }
    Ok(())
}

/// Ids of the group names the batch uses, interning new ones.
fn intern_groups<'a>(
    tx: &mut Tx<'_, '_>,
    batch: &'a [Dependency],
) -> Result<HashMap<&'a str, i64>> {
    let mut names: Vec<&str> = batch.iter().filter_map(|d| d.group.as_deref()).collect();
    names.sort_unstable();
    names.dedup();
    let stored = dependencies::group_ids(tx, &names)?;
    let mut next_id = dependencies::max_group_id(tx)? + 1;
    let mut ids = HashMap::with_capacity(names.len());
    let mut new = Vec::new();
    for name in names {
        let id = match stored.get(name) {
            Some(&id) => id,
            None => {
                new.push(GroupRow {
                    id: next_id,
                    name: name.to_owned(),
                });
                next_id += 1;
                next_id - 1
            }
        };
        ids.insert(name, id);
    }
    db::write(tx, Write::Fresh, new.into_iter().map(Ok))?;
    Ok(ids)
}

/// How often the bulk load reports progress, in records.
const PROGRESS_EVERY: u64 = 100_000;

/// Dependencies buffered per write during a bulk load.
const BULK_CHUNK: usize = 100_000;

/// Streams a whole atlas into an empty store (see `Store::bulk_load`).
pub(crate) fn bulk_load(
    tx: &mut Tx<'_, '_>,
    assets: impl Iterator<Item = Asset>,
    dependencies: impl Iterator<Item = Dependency>,
    progress: &dyn Fn(u64),
) -> Result<ImportReport> {
    tx.lock_atlas()?;
    if !assets::is_empty(tx)? {
        return Err(StoreError::NotEmpty);
    }
    dependencies::clear_unused_groups(tx)?;
    tx.with_large_cache(true, |tx| bulk_write(tx, assets, dependencies, progress))
}

/// The bulk load proper, with indexes and foreign-key checks relaxed around it.
fn bulk_write(
    tx: &mut Tx<'_, '_>,
    assets: impl Iterator<Item = Asset>,
    dependencies: impl Iterator<Item = Dependency>,
    progress: &dyn Fn(u64),
) -> Result<ImportReport> {
    migrations::relax_for_bulk_load(tx)?;
    let mut written = 0u64;
    let mut tick = || {
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            progress(written);
        }
    };

    let mut idx_of: HashMap<String, i64> = HashMap::new();
    let asset_rows = assets.map(|asset| {
        let idx = i64::try_from(idx_of.len()).expect("fewer than 2^63 assets") + 1;
        let row = AssetRow::encode(idx, &asset);
        if idx_of.insert(asset.id, idx).is_some() {
            return Err(StoreError::DuplicateAsset(row.id));
        }
        tick();
        Ok(row)
    });
    db::write(tx, Write::Fresh, asset_rows)?;
    // The store is empty: every asset is new, numbered from 1.
    asset_tags::add_from(tx, 1)?;

    // Dependencies go in chunks so that each chunk's new group names are stored before it.
    let mut groups: HashMap<String, i64> = HashMap::new();
    let mut dependencies = dependencies.peekable();
    let mut edges = 0u64;
    while dependencies.peek().is_some() {
        let mut new_groups = Vec::new();
        let mut rows = Vec::with_capacity(BULK_CHUNK);
        for d in dependencies.by_ref().take(BULK_CHUNK) {
            let idx = |id: &str| {
                idx_of
                    .get(id)
                    .copied()
                    .ok_or_else(|| StoreError::UnknownAsset(id.to_owned()))
            };
            let (dependent, provider) = (idx(&d.dependent)?, idx(&d.provider)?);
            let grp = d.group.as_ref().map(|name| match groups.get(name) {
                Some(&id) => id,
                None => {
                    let id = i64::try_from(groups.len()).expect("fewer than 2^63 groups") + 1;
                    groups.insert(name.clone(), id);
                    new_groups.push(GroupRow {
                        id,
                        name: name.clone(),
                    });
                    id
                }
            });
            rows.push(DepRow::encode(dependent, provider, grp, &d));
            tick();
        }
        edges += rows.len() as u64;
        db::write(tx, Write::Fresh, new_groups.into_iter().map(Ok))?;
        db::write(tx, Write::Fresh, rows.into_iter().map(Ok))?;
    }
    migrations::restore_after_bulk_load(tx)?;

    let report = ImportReport {
        assets: Counts {
            created: idx_of.len() as u64,
            ..Counts::default()
        },
        dependencies: Counts {
            created: edges,
            ..Counts::default()
        },
    };
    if !report.is_unchanged() {
        meta::bump_atlas_version(tx)?;
    }
    progress(report.assets.created + report.dependencies.created);
    tracing::info!(
        assets = report.assets.created,
        dependencies = edges,
        "atlas bulk-loaded"
    );
    Ok(report)
}

/// Deletes the whole atlas (assets with their tags, dependencies, redundancy groups) in the
/// caller's transaction.
pub(crate) fn clear(tx: &mut Tx<'_, '_>) -> Result<()> {
    tx.lock_atlas()?;
    match tx {
        Tx::Sqlite(_) => tx.batch(
            "DELETE FROM dependencies; DELETE FROM dependency_groups; DELETE FROM asset_tags; \
             DELETE FROM assets;",
        )?,
        Tx::Postgres(_) => {
            tx.batch("TRUNCATE dependencies, dependency_groups, asset_tags, assets")?;
        }
    }
    meta::bump_atlas_version(tx)
}
