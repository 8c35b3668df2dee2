//! The server's current sharing snapshot ([`app::sharing::Snapshot`]), renewed in the
//! background every 0.4 s and shared by all requests, so several servers over one PostgreSQL
//! agree within a second.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use app::sharing::Snapshot;

use crate::error::ApiError;
use crate::pool::Pool;

pub const MAX_AGE: Duration = Duration::from_secs(1);

/// The current snapshot. A background task ([`Shared::refresh`]) renews it every
/// [`REFRESH`], off the request path; a request finds it older than [`MAX_AGE`] only when that
/// task has fallen behind, and then renews it itself (one request at a time; the others go on
/// with the previous snapshot).
pub struct Shared {
    current: RwLock<Arc<Snapshot>>,
    reloading: tokio::sync::Mutex<()>,
}

/// How often the background task renews the snapshot.
pub const REFRESH: Duration = Duration::from_millis(400);

impl Shared {
    pub fn new(first: Snapshot) -> Shared {
        Shared {
            current: RwLock::new(Arc::new(first)),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    pub async fn get(&self, pool: &Pool) -> Result<Arc<Snapshot>, ApiError> {
        let current = self.read();
        if current.age() < MAX_AGE {
            return Ok(current);
        }
        let Ok(_guard) = self.reloading.try_lock() else {
            return Ok(current);
        };
        self.reload(pool).await
    }

    async fn reload(&self, pool: &Pool) -> Result<Arc<Snapshot>, ApiError> {
        let fresh = Arc::new(pool.run(|store| Ok(Snapshot::load(store)?)).await?);
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
        Ok(fresh)
    }

    /// Renews the snapshot every [`REFRESH`] until the runtime stops; a failed read is logged
    /// and retried at the next tick.
    pub async fn refresh(&self, pool: &Pool) {
        let mut tick = tokio::time::interval(REFRESH);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _guard = self.reloading.lock().await;
            if let Err(e) = self.reload(pool).await {
                tracing::warn!(error = %e.description, "renewing the sharing snapshot failed");
            }
        }
    }

    fn read(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
