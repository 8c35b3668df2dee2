//! The engine for the current atlas, kept in memory between a server's requests.

use std::sync::Arc;

use super::Engine;
use crate::held::Held;
use crate::{Progress, Result};

/// The [`Engine`] of the newest atlas, shared by a server's requests and rebuilt when the
/// store's `atlas_version` (bumped by every atlas write) moves on (the invariant of
/// [`Held`]: never an engine for an older `atlas_version` than the one read at the start of
/// the request). The CLI loads its own ([`Engine::load`]).
#[derive(Default)]
pub struct EngineCache {
    held: Held<(i64, [u8; 2]), Engine>,
}

impl EngineCache {
    /// The engine for the `home` country and the atlas as stored now: the one held when it is
    /// at least as new as the store's `atlas_version`, else built from `store` (blocking: call
    /// it off the async workers).
    pub fn get(
        &self,
        store: &mut store::Store,
        home: [u8; 2],
        progress: &dyn Progress,
    ) -> Result<Arc<Engine>> {
        self.held.get(
            store,
            |store| Ok((store.atlas_version()?, home)),
            |held, now| held.0 >= now.0 && held.1 == now.1,
            |store, &(version, _)| {
                let engine = Engine::load(store, home, progress)?;
                tracing::info!(
                    atlas_version = version,
                    assets = engine.graph.asset_count(),
                    load_seconds = engine.load_seconds,
                    build_seconds = engine.build_seconds,
                    "engine cached"
                );
                Ok(engine)
            },
        )
    }
}
