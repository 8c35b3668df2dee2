//! Every finding of the atlas as stored now, kept in memory between a server's requests.

use std::sync::Arc;

use super::FindingRow;
use crate::analysis::EngineCache;
use crate::held::Held;
use crate::{Progress, Result};

/// Every finding of the atlas (active, suppressed and false positives, most urgent first, as
/// [`super::findings`] with `all` lists them), shared by a server's requests: the dashboard, the
/// intel pages, the findings route and the asset explanations read it instead of parsing the
/// whole corpus and matching the whole atlas per request. Computed again when the store's
/// `atlas_version` or `intel_version` (intel documents and SBOMs, verdicts, incidents) moves on
/// (the invariant of [`Held`]: never findings older than the versions read at the start of the
/// request).
#[derive(Default)]
pub struct FindingsCache {
    held: Held<(i64, i64, [u8; 2]), Vec<FindingRow>>,
}

impl FindingsCache {
    /// Every finding of the atlas for the `home` country as stored now, computed on `engines`'
    /// engine when the held ones are older (blocking: call it off the async workers). Empty
    /// without intel documents. [`super::queried`] selects a query's rows of them.
    pub fn get(
        &self,
        store: &mut store::Store,
        engines: &EngineCache,
        home: [u8; 2],
        progress: &dyn Progress,
    ) -> Result<Arc<Vec<FindingRow>>> {
        self.held.get(
            store,
            |store| Ok((store.atlas_version()?, store.intel_version()?, home)),
            |held, now| held.0 >= now.0 && held.1 >= now.1 && held.2 == now.2,
            |store, versions| {
                let engine = engines.get(store, home, progress)?;
                let rows = super::with_context(store, home, progress, |store, context| {
                    super::compute(store, context, None, Some(&engine))
                })?;
                tracing::info!(
                    atlas_version = versions.0,
                    intel_version = versions.1,
                    findings = rows.len(),
                    "findings cached"
                );
                Ok(rows)
            },
        )
    }
}
