//! A pool of store connections used from blocking threads. The store is synchronous; every
//! request borrows one connection on a `spawn_blocking` thread and returns it afterwards.
//! At most `size` requests use the store at once (the others wait their turn): the database's
//! own connection limit is never exceeded, and what requests hold in memory while they read is
//! bounded by the pool, not by the number of clients.

use std::sync::{Arc, Mutex};

use store::Store;

use crate::error::ApiError;

#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    idle: Mutex<Vec<Store>>,
    max_idle: usize,
    busy: Arc<tokio::sync::Semaphore>,
}

impl Pool {
    /// Opens one connection now (applying migrations, and failing early on a bad URL) and the
    /// rest on demand, at most `size` at once.
    pub fn open(url: &str, size: usize) -> store::Result<Pool> {
        let first = Store::open(url)?;
        let size = size.max(1);
        Ok(Pool {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                idle: Mutex::new(vec![first]),
                max_idle: size,
                busy: Arc::new(tokio::sync::Semaphore::new(size)),
            }),
        })
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.clone();
        let permit = self
            .inner
            .busy
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        // The permit lives as long as the blocking work, even when the request is abandoned.
        tokio::task::spawn_blocking(move || {
            let out = pool.run_blocking(f);
            drop(permit);
            out
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` with a connection on the current thread.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let taken = self.lock().pop();
        let mut store = match taken {
            Some(store) => store,
            None => Store::open(&self.inner.url)?,
        };
        let out = f(&mut store);
        // A connection whose last use failed inside the driver may be broken: drop it.
        if out.is_ok() || matches!(&out, Err(e) if e.status.is_client_error()) {
            let mut idle = self.lock();
            if idle.len() < self.inner.max_idle {
                idle.push(store);
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        // A panic while holding the lock leaves a valid Vec: recover it.
        self.inner
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Inner {
    /// The PostgreSQL driver blocks on its own runtime when a connection closes, which panics
    /// on an async worker; the last handle may well be dropped there (at shutdown), so the
    /// connections are closed on a plain thread.
    fn drop(&mut self) {
        let idle = std::mem::take(
            self.idle
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}
