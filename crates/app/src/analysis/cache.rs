//! The engine for the current atlas, kept in memory between a server's requests.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::Engine;
use crate::{Progress, Result};

/// The [`Engine`] of the newest atlas, shared by a server's requests and rebuilt when the
/// store's `atlas_version` (bumped by every atlas write) moves on.
///
/// Invariant: [`EngineCache::get`] never answers with an engine for an older `atlas_version`
/// than the one it read at its start. A request finding the engine stale waits for the one
/// rebuild (concurrent requests build once) rather than using the old engine. At most one
/// engine is held, plus the one being built; the CLI loads its own ([`Engine::load`]).
#[derive(Default)]
pub struct EngineCache {
    current: Mutex<Option<Built>>,
    /// Held by the one request rebuilding the engine.
    building: Mutex<()>,
}

/// An engine and what it was built from.
struct Built {
    /// The `atlas_version` read before the atlas was loaded: the engine is at least that new.
    version: i64,
    home: [u8; 2],
    engine: Arc<Engine>,
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
        let version = store.atlas_version()?;
        if let Some(engine) = self.held(version, home) {
            return Ok(engine);
        }
        let _building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(engine) = self.held(version, home) {
            return Ok(engine);
        }
        // Older than the atlas: freed before its successor is built.
        *self.lock() = None;
        let version = store.atlas_version()?;
        let engine = Arc::new(Engine::load(store, home, progress)?);
        tracing::info!(
            atlas_version = version,
            assets = engine.graph.asset_count(),
            load_seconds = engine.load_seconds,
            build_seconds = engine.build_seconds,
            "engine cached"
        );
        *self.lock() = Some(Built {
            version,
            home,
            engine: engine.clone(),
        });
        Ok(engine)
    }

    /// The engine held, when it is for `home` and at least `version`.
    fn held(&self, version: i64, home: [u8; 2]) -> Option<Arc<Engine>> {
        self.lock()
            .as_ref()
            .filter(|b| b.version >= version && b.home == home)
            .map(|b| b.engine.clone())
    }

    fn lock(&self) -> MutexGuard<'_, Option<Built>> {
        // A panic while holding the lock leaves a valid Option: recover it.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
