//! A value built from the store and kept in memory between a server's requests.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::Result;

/// One value built from the store (the engine, the findings), kept between requests and built
/// again when the store's versions move past those it was built from.
///
/// Invariant: [`Held::get`] never answers with a value built from older versions than those it
/// read at its start. The versions are read before the value is built, so a value built while a
/// write lands is kept under the older versions and built again by the next request. A request
/// finding the value stale waits for the one rebuild (concurrent requests build once) rather
/// than using the old one; at most one value is held, plus the one being built.
pub(crate) struct Held<K, T> {
    current: Mutex<Option<(K, Arc<T>)>>,
    /// Held by the one request building the value.
    building: Mutex<()>,
}

impl<K, T> Default for Held<K, T> {
    fn default() -> Self {
        Held {
            current: Mutex::new(None),
            building: Mutex::new(()),
        }
    }
}

impl<K: Clone, T> Held<K, T> {
    /// The value held when `fresh(held versions, versions now)`, else the one `build` makes;
    /// `versions` reads the store's versions now. Blocking: call it off the async workers.
    pub(crate) fn get(
        &self,
        store: &mut store::Store,
        versions: impl Fn(&mut store::Store) -> Result<K>,
        fresh: impl Fn(&K, &K) -> bool,
        build: impl FnOnce(&mut store::Store, &K) -> Result<T>,
    ) -> Result<Arc<T>> {
        let now = versions(store)?;
        if let Some(value) = self.held(&now, &fresh) {
            return Ok(value);
        }
        let _building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = self.held(&now, &fresh) {
            return Ok(value);
        }
        // Older than the store: freed before its successor is built.
        *self.lock() = None;
        let now = versions(store)?;
        let value = Arc::new(build(store, &now)?);
        *self.lock() = Some((now, value.clone()));
        Ok(value)
    }

    fn held(&self, now: &K, fresh: impl Fn(&K, &K) -> bool) -> Option<Arc<T>> {
        self.lock()
            .as_ref()
            .filter(|(held, _)| fresh(held, now))
            .map(|(_, value)| value.clone())
    }

    fn lock(&self) -> MutexGuard<'_, Option<(K, Arc<T>)>> {
        // A panic while holding the lock leaves a valid Option: recover it.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
