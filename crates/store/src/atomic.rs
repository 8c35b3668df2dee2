//! Several store operations as one transaction ([`Store::atomically`]).

use crate::{Store, StoreError};

impl Store {
    /// Runs `f` with every operation it makes on the store inside one transaction: committed
    /// when `f` succeeds, rolled back when it fails (or when the process dies before the
    /// commit), so that readers and later runs see all of it or none of it. Each operation runs
    /// in a savepoint, as it would run in its own transaction otherwise. A call inside another
    /// joins the outer transaction. `meridian demo` builds its world this way.
    pub fn atomically<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.db.begin_outer()? {
            return f(self);
        }
        match f(self) {
            Ok(out) => {
                if let Err(e) = self.db.end_outer(true) {
                    // A failed COMMIT leaves the transaction open on SQLite.
                    let _ = self.db.end_outer(false);
                    return Err(e.into());
                }
                Ok(out)
            }
            Err(e) => {
                let _ = self.db.end_outer(false);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use model::{Asset, Atlas, Dependency};

    use crate::{Store, StoreError};

    fn asset(id: &str) -> Asset {
        Asset {
            id: id.to_owned(),
            country: "US".to_owned(),
            ..Asset::default()
        }
    }

    /// Operations inside `atomically` see each other's writes and are kept together, or are
    /// all undone when the closure fails; a failed operation inside is undone alone.
    #[test]
    fn all_or_nothing_on_both_backends() {
        for db in test_support::backends("store atomically") {
            let mut store = Store::open(&db.url).expect("open");
            let failed: Result<(), StoreError> = store.atomically(|s| {
                s.import(&Atlas {
                    assets: vec![asset("a"), asset("b")],
                    dependencies: Vec::new(),
                })?;
                assert!(
                    s.asset_exists("a")?,
                    "[{}] a write is visible inside",
                    db.name
                );
                s.set_setting("k", "v")?;
                Err(StoreError::NotEmpty)
            });
            assert!(failed.is_err());
            assert!(!store.asset_exists("a").expect("read"), "[{}]", db.name);
            assert_eq!(store.setting("k").expect("read"), None, "[{}]", db.name);

            let kept: Result<(), StoreError> = store.atomically(|s| {
                s.clear_atlas()?;
                s.bulk_load([asset("a"), asset("b")], [dep("a", "b")], &|_| ())?;
                // A failing operation inside is undone alone and the transaction goes on.
                let bad = s.import(&Atlas {
                    assets: Vec::new(),
                    dependencies: vec![dep("a", "nowhere")],
                });
                assert!(bad.is_err(), "[{}]", db.name);
                s.atomically(|s| s.set_setting("k", "v"))
            });
            kept.expect("committed");
            assert!(store.asset_exists("b").expect("read"), "[{}]", db.name);
            assert_eq!(store.dependents_of("b").expect("read").len(), 1);
            assert_eq!(store.setting("k").expect("read").as_deref(), Some("v"));
            // Back to one transaction per operation afterwards.
            store.set_setting("k", "w").expect("write");
            let mut other = Store::open(&db.url).expect("open");
            assert_eq!(other.setting("k").expect("read").as_deref(), Some("w"));
        }
    }

    fn dep(dependent: &str, provider: &str) -> Dependency {
        Dependency {
            dependent: dependent.to_owned(),
            provider: provider.to_owned(),
            ..Dependency::default()
        }
    }
}
