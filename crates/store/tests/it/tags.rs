//! The `asset_tags` table follows every write of `assets`: import (created, updated, unchanged
//! assets), a failed import, the bulk load, clearing, and the migration that creates it.

use model::{Asset, Atlas};
use store::Store;

use crate::{asset, dep, open, strings};

fn tagged(id: &str, tags: &[&str]) -> Asset {
    Asset {
        tags: strings(tags),
        ..asset(id, "US")
    }
}

/// The ids `assets_tagged(tags)` answers, in order.
fn check(store: &mut Store, tags: &[&str], expected: &[&str], backend: &str) {
    let found: Vec<String> = store
        .assets_tagged(&strings(tags))
        .unwrap_or_else(|e| panic!("[{backend}] assets tagged {tags:?}: {e}"))
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(found, strings(expected), "[{backend}] tagged {tags:?}");
}

fn base() -> Atlas {
    Atlas {
        assets: vec![
            tagged("a", &["x", "y"]),
            tagged("b", &["y"]),
            tagged("c", &[]),
        ],
        dependencies: vec![dep("a", "b")],
    }
}

#[test]
fn asset_tags_follow_import_reimport_and_clear() {
    for db in test_support::backends("store asset tags") {
        let store = &mut open(&db);
        let name = db.name;
        store.import(&base()).expect("import");
        check(store, &["x"], &["a"], name);
        check(store, &["y"], &["a", "b"], name);
        check(store, &["x", "y"], &["a", "b"], name);
        check(store, &["Y"], &[], name);
        check(store, &[], &[], name);

        // `a` loses x and lists z twice, `b` is renamed with the same tag, `c` stays, `d` is new.
        let mut b = tagged("b", &["y"]);
        b.name = "renamed".to_owned();
        let report = store
            .import(&Atlas {
                assets: vec![tagged("a", &["z", "y", "z"]), b, tagged("d", &["y", "x"])],
                dependencies: Vec::new(),
            })
            .expect("re-import");
        assert_eq!(
            (report.assets.created, report.assets.updated),
            (1, 2),
            "[{name}]"
        );
        check(store, &["x"], &["d"], name);
        check(store, &["y"], &["a", "b", "d"], name);
        check(store, &["z"], &["a"], name);
        let a = store.assets_tagged(&strings(&["z"])).expect("tagged");
        assert_eq!(a[0].tags, strings(&["z", "y", "z"]), "[{name}] as stored");

        // A failed import changes no tag.
        let failed = store.import(&Atlas {
            assets: vec![tagged("a", &["w"]), tagged("e", &["w"])],
            dependencies: vec![dep("e", "missing")],
        });
        assert!(failed.is_err(), "[{name}]");
        check(store, &["w"], &[], name);
        check(store, &["z"], &["a"], name);

        store.clear_atlas().expect("clear");
        check(store, &["x", "y", "z"], &[], name);
        store
            .bulk_load(
                [
                    tagged("p", &["y"]),
                    tagged("q", &["x", "x"]),
                    tagged("r", &[]),
                ],
                [dep("p", "q")],
                &|_| (),
            )
            .expect("bulk load");
        check(store, &["x"], &["q"], name);
        check(store, &["x", "y"], &["p", "q"], name);
        // Imports after a bulk load add to it.
        store
            .import(&Atlas {
                assets: vec![tagged("r", &["x"]), tagged("s", &["x"])],
                dependencies: Vec::new(),
            })
            .expect("import after bulk load");
        check(store, &["x"], &["q", "r", "s"], name);
    }
}

/// Migration 15 fills the table from the assets already stored.
#[test]
fn migration_0015_backfills_asset_tags() {
    for db in test_support::backends("store migration 0015") {
        let mut store = open(&db);
        store.import(&base()).expect("import");
        drop(store);
        db.execute("DROP TABLE asset_tags; DELETE FROM schema_migrations WHERE version = 15");
        let store = &mut open(&db);
        check(store, &["x"], &["a"], db.name);
        check(store, &["y"], &["a", "b"], db.name);
    }
}

#[test]
fn dependencies_among_a_set_of_assets() {
    for db in test_support::backends("store dependencies among") {
        let mut store = open(&db);
        store
            .import(&Atlas {
                assets: ["a", "b", "c", "d"].map(|id| asset(id, "US")).to_vec(),
                dependencies: vec![dep("a", "b"), dep("b", "c"), dep("c", "d"), dep("d", "a")],
            })
            .expect("import");
        let among = |store: &mut Store, ids: &[&str]| {
            let mut pairs: Vec<(String, String)> = store
                .dependencies_among(&strings(ids))
                .expect("dependencies among")
                .into_iter()
                .map(|d| (d.dependent, d.provider))
                .collect();
            pairs.sort();
            pairs
        };
        let pair = |d: &str, p: &str| (d.to_owned(), p.to_owned());
        assert_eq!(
            among(&mut store, &["a", "b", "d"]),
            vec![pair("a", "b"), pair("d", "a")],
            "[{}]",
            db.name
        );
        assert_eq!(among(&mut store, &["a", "c"]), vec![], "[{}]", db.name);
        assert_eq!(among(&mut store, &[]), vec![], "[{}]", db.name);
    }
}
