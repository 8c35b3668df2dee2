//! Checks that need the whole batch: duplicates within it, and references to assets that are
//! neither in it nor already stored.
//!
//! Built for millions of records: ids are interned once into dense numbers, and duplicate
//! dependencies are found by sorting `(dependent, provider)` number pairs rather than hashing
//! pairs of strings.

use std::collections::hash_map::Entry;

use foldhash::{HashMap, HashMapExt};

use crate::{ImportError, Origin, Parsed};

/// Checks a merged batch: a duplicate asset id (reported at the second occurrence, naming the
/// first), a duplicate dependency (same dependent and provider), and a dependent or provider
/// that is neither in the batch nor stored (`asset_exists`, asked once per distinct id; `FnMut`
/// so that it may query a store through `&mut`). Errors come in batch order: assets, then
/// dependencies.
pub fn check_batch<'a>(
    parsed: &'a Parsed,
    mut asset_exists: impl FnMut(&str) -> bool,
) -> Vec<ImportError> {
    let error = |origin: &Origin, field: &str, message: String| {
        ImportError::new(&origin.file, Some(origin.line), Some(field), message)
    };
    let assets = &parsed.atlas.assets;
    let mut errors = Vec::new();
    // Id -> number: the index of its first asset, or a number past the assets for an id only
    // referred to, with whether it is stored.
    let mut ids: HashMap<&'a str, (u32, bool)> = HashMap::with_capacity(assets.len());
    for (i, (asset, origin)) in assets.iter().zip(&parsed.asset_origin).enumerate() {
        let number = u32::try_from(i).expect("fewer than 2^32 assets in one batch");
        match ids.entry(&asset.id) {
            Entry::Occupied(first) => {
                let first = &parsed.asset_origin[first.get().0 as usize];
                let message = format!("duplicate asset id {:?} (first at {first})", asset.id);
                errors.push(error(origin, "id", message));
            }
            Entry::Vacant(slot) => {
                slot.insert((number, true));
            }
        }
    }

    let dependencies = &parsed.atlas.dependencies;
    let mut next = u32::try_from(assets.len()).expect("fewer than 2^32 assets in one batch");
    let mut dependency_errors = Vec::new();
    let mut pairs = Vec::with_capacity(dependencies.len());
    for (i, (dependency, origin)) in dependencies
        .iter()
        .zip(&parsed.dependency_origin)
        .enumerate()
    {
        let mut ends = [0u64; 2];
        for (end, (field, id)) in [
            ("dependent", &dependency.dependent),
            ("provider", &dependency.provider),
        ]
        .into_iter()
        .enumerate()
        {
            let (number, known) = *ids.entry(id).or_insert_with(|| {
                next += 1;
                (next - 1, asset_exists(id))
            });
            if !known {
                let message =
                    format!("unknown {field} id {id:?}: not in this import nor in the atlas");
                dependency_errors.push((i, error(origin, field, message)));
            }
            ends[end] = u64::from(number);
        }
        pairs.push((ends[0] << 32 | ends[1], i));
    }
    pairs.sort_unstable();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let first = run[0].1;
        for &(_, i) in &run[1..] {
            let dependency = &dependencies[i];
            let message = format!(
                "duplicate dependency {:?} -> {:?} (first at {})",
                dependency.dependent, dependency.provider, parsed.dependency_origin[first]
            );
            dependency_errors.push((i, error(&parsed.dependency_origin[i], "provider", message)));
        }
    }
    dependency_errors.sort_by_key(|(i, _)| *i);
    errors.extend(dependency_errors.into_iter().map(|(_, e)| e));
    errors
}
