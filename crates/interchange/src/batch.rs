//! Checks that need the whole batch: duplicates within it, and references to assets that are
//! neither in it nor already stored.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::{ImportError, Origin, Parsed};

/// Checks a merged batch: a duplicate asset id (reported at the second occurrence, naming the
/// first), a duplicate dependency (same dependent and provider), and a dependent or provider
/// that is neither in the batch nor stored (`asset_exists`, which is asked once per distinct
/// id; `FnMut` so that it may query a store through `&mut`). Errors are in batch order: assets first, then dependencies.
pub fn check_batch<'a>(
    parsed: &'a Parsed,
    mut asset_exists: impl FnMut(&str) -> bool,
) -> Vec<ImportError> {
    let error = |origin: &Origin, field: &str, message: String| {
        ImportError::new(&origin.file, Some(origin.line), Some(field), message)
    };
    let mut errors = Vec::new();
    let mut ids: HashMap<&'a str, &'a Origin> = HashMap::with_capacity(parsed.atlas.assets.len());
    for (asset, origin) in parsed.atlas.assets.iter().zip(&parsed.asset_origin) {
        match ids.entry(&asset.id) {
            Entry::Occupied(first) => errors.push(error(
                origin,
                "id",
                format!(
                    "duplicate asset id {:?} (first at {})",
                    asset.id,
                    first.get()
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(origin);
            }
        }
    }
    let mut stored: HashMap<&'a str, bool> = HashMap::new();
    let mut known =
        |id: &'a str| ids.contains_key(id) || *stored.entry(id).or_insert_with(|| asset_exists(id));
    let mut pairs: HashMap<(&str, &str), &Origin> =
        HashMap::with_capacity(parsed.atlas.dependencies.len());
    for (dependency, origin) in parsed
        .atlas
        .dependencies
        .iter()
        .zip(&parsed.dependency_origin)
    {
        let (dependent, provider) = (dependency.dependent.as_str(), dependency.provider.as_str());
        for (field, id) in [("dependent", dependent), ("provider", provider)] {
            if !known(id) {
                errors.push(error(
                    origin,
                    field,
                    format!("unknown {field} id {id:?}: not in this import nor in the atlas"),
                ));
            }
        }
        match pairs.entry((dependent, provider)) {
            Entry::Occupied(first) => errors.push(error(
                origin,
                "provider",
                format!(
                    "duplicate dependency {dependent:?} -> {provider:?} (first at {})",
                    first.get()
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(origin);
            }
        }
    }
    errors
}
