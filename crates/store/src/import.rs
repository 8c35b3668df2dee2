//! Writing atlases: the transactional upsert import and the streaming bulk load. The logic is
//! shared; the table modules and [`db::write`] hide the dialects.

use std::collections::{HashMap, HashSet};

use model::{Asset, Atlas, Dependency};

use crate::db::{self, Tx, Write};
use crate::row::{AssetRow, DepRow, GroupRow};
use crate::{Counts, ImportReport, Result, StoreError, assets, dependencies, meta, migrations};

/// Upserts `atlas` (see `Store::import`). Runs inside the caller's write transaction.
pub(crate) fn import(tx: &mut Tx<'_, '_>, atlas: &Atlas) -> Result<ImportReport> {
    tx.lock_atlas()?;
    let (idx_of, assets) = import_assets(tx, &atlas.assets)?;
    let dependencies = import_dependencies(tx, &atlas.dependencies, idx_of)?;
    let report = ImportReport {
        assets,
        dependencies,
    };
    if !report.is_unchanged() {
        meta::bump_atlas_version(tx)?;
    }
    tracing::info!(?report.assets, ?report.dependencies, "atlas imported");
    Ok(report)
}

/// Writes new and changed assets; returns the idx of every asset in the batch.
fn import_assets<'a>(
    tx: &mut Tx<'_, '_>,
    batch: &'a [Asset],
) -> Result<(HashMap<&'a str, i64>, Counts)> {
    let ids: Vec<&str> = batch.iter().map(|a| a.id.as_str()).collect();
    let stored: HashMap<String, AssetRow> = assets::rows_by_ids(tx, &ids)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    let mut next_idx = assets::max_idx(tx)? + 1;
    let mut idx_of = HashMap::with_capacity(batch.len());
    let mut counts = Counts::default();
    let mut writes = Vec::new();
    for asset in batch {
        let idx = match stored.get(&asset.id) {
            Some(old) if AssetRow::encode(old.idx, asset) == *old => {
                counts.unchanged += 1;
                old.idx
            }
            Some(old) => {
                counts.updated += 1;
                writes.push((old.idx, asset));
                old.idx
            }
            None => {
                counts.created += 1;
                writes.push((next_idx, asset));
                next_idx += 1;
                next_idx - 1
            }
        };
        if idx_of.insert(asset.id.as_str(), idx).is_some() {
            return Err(StoreError::DuplicateAsset(asset.id.clone()));
        }
    }
    db::write(
        tx,
        Write::Upsert,
        writes
            .iter()
            .map(|&(idx, asset)| Ok(AssetRow::encode(idx, asset))),
    )?;
    Ok((idx_of, counts))
}

fn import_dependencies<'a>(
    tx: &mut Tx<'_, '_>,
    batch: &'a [Dependency],
    mut idx_of: HashMap<&'a str, i64>,
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
    let mut seen = HashSet::with_capacity(batch.len());
    let mut resolved = Vec::with_capacity(batch.len());
    for d in batch {
        let pair = (idx_of[d.dependent.as_str()], idx_of[d.provider.as_str()]);
        if !seen.insert(pair) {
            return Err(StoreError::DuplicateDependency(
                d.dependent.clone(),
                d.provider.clone(),
            ));
        }
        resolved.push((pair, d.group.as_ref().map(|g| groups[g.as_str()]), d));
    }
    drop(seen);
    let pairs: Vec<(i64, i64)> = resolved.iter().map(|(pair, ..)| *pair).collect();
    let stored: HashMap<(i64, i64), DepRow> = dependencies::rows_by_pairs(tx, &pairs)?
        .into_iter()
        .map(|row| ((row.dependent_idx, row.provider_idx), row))
        .collect();
    let mut counts = Counts::default();
    resolved.retain(
        |&((dependent, provider), grp, d)| match stored.get(&(dependent, provider)) {
            None => {
                counts.created += 1;
                true
            }
            Some(old) if DepRow::encode(dependent, provider, grp, d) == *old => {
                counts.unchanged += 1;
                false
            }
            Some(_) => {
                counts.updated += 1;
                true
            }
        },
    );
    let rows = resolved
        .iter()
        .map(|&((dependent, provider), grp, d)| Ok(DepRow::encode(dependent, provider, grp, d)));
    db::write(tx, Write::Upsert, rows)?;
    Ok(counts)
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

/// Deletes the whole atlas (assets, dependencies, redundancy groups) in the caller's transaction.
pub(crate) fn clear(tx: &mut Tx<'_, '_>) -> Result<()> {
    tx.lock_atlas()?;
    match tx {
        Tx::Sqlite(_) => tx.batch(
            "DELETE FROM dependencies; DELETE FROM dependency_groups; DELETE FROM assets;",
        )?,
        Tx::Postgres(_) => tx.batch("TRUNCATE dependencies, dependency_groups, assets")?,
    }
    meta::bump_atlas_version(tx)
}
