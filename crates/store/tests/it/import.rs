use model::{Atlas, DependencyKind};
use store::{Counts, ImportReport, StoreError};

use crate::{asset, dep, open, rich_atlas};

fn counts(created: u64, updated: u64, unchanged: u64) -> Counts {
    Counts {
        created,
        updated,
        unchanged,
    }
}

fn report(assets: Counts, dependencies: Counts) -> ImportReport {
    ImportReport {
        assets,
        dependencies,
    }
}

fn base() -> Atlas {
    Atlas {
        assets: vec![asset("a", "US"), asset("b", "FR"), asset("c", "DE")],
        dependencies: vec![dep("a", "b"), dep("b", "c")],
    }
}

#[test]
fn import_counts_and_idempotent_reimport() {
    for db in test_support::backends("store import counts") {
        let mut store = open(&db);
        let first = store.import(&base()).expect("first import");
        assert_eq!(
            first,
            report(counts(3, 0, 0), counts(2, 0, 0)),
            "[{}]",
            db.name
        );
        assert_eq!(store.atlas_version().expect("version"), 1, "[{}]", db.name);

        let again = store.import(&base()).expect("re-import");
        assert_eq!(
            again,
            report(counts(0, 0, 3), counts(0, 0, 2)),
            "[{}]",
            db.name
        );
        assert!(again.is_unchanged());
        assert_eq!(
            store.atlas_version().expect("version"),
            1,
            "[{}] unchanged import bumped the version",
            db.name
        );

        // Changed name, one new asset, a changed and a new dependency; `c` and b->c are not in
        // the batch and stay.
        let mut a = asset("a", "US");
        a.name = "renamed".to_owned();
        let batch = Atlas {
            assets: vec![a.clone(), asset("b", "FR"), asset("d", "JP")],
            dependencies: vec![
                model::Dependency {
                    strength: Some(0.5),
                    kind: Some(DependencyKind::Physical),
                    ..dep("a", "b")
                },
                dep("d", "c"),
            ],
        };
        let third = store.import(&batch).expect("third import");
        assert_eq!(
            third,
            report(counts(1, 1, 1), counts(1, 1, 0)),
            "[{}]",
            db.name
        );
        assert_eq!(store.atlas_version().expect("version"), 2, "[{}]", db.name);

        assert_eq!(
            store.get_asset("a").expect("get").expect("a exists"),
            a,
            "[{}]",
            db.name
        );
        let exported = store.export_atlas().expect("export");
        let ids: Vec<&str> = exported.assets.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"], "[{}]", db.name);
        let edges: Vec<(&str, &str, Option<f64>)> = exported
            .dependencies
            .iter()
            .map(|d| (d.dependent.as_str(), d.provider.as_str(), d.strength))
            .collect();
        assert_eq!(
            edges,
            [("a", "b", Some(0.5)), ("b", "c", None), ("d", "c", None)],
            "[{}]",
            db.name
        );
    }
}

#[test]
fn upsert_can_clear_optional_fields() {
    for db in test_support::backends("store upsert clear") {
        let mut store = open(&db);
        let mut atlas = rich_atlas();
        store.import(&atlas).expect("import");
        let cleared = model::Asset {
            id: "cable:tpc-5".to_owned(),
            country: "ZZ".to_owned(),
            ..Default::default()
        };
        atlas.assets[0] = cleared.clone();
        atlas.dependencies[0].group = None;
        atlas.dependencies[0].attributes.clear();
        let r = store.import(&atlas).expect("re-import");
        assert_eq!(r, report(counts(0, 1, 2), counts(0, 1, 2)), "[{}]", db.name);
        assert_eq!(
            store.get_asset("cable:tpc-5").expect("get"),
            Some(cleared),
            "[{}]",
            db.name
        );
        assert_eq!(
            store.export_atlas().expect("export"),
            atlas,
            "[{}]",
            db.name
        );
    }
}

#[test]
fn export_returns_exactly_what_was_imported() {
    for db in test_support::backends("store export roundtrip") {
        let mut store = open(&db);
        let atlas = rich_atlas();
        store.import(&atlas).expect("import");
        assert_eq!(
            store.export_atlas().expect("export"),
            atlas,
            "[{}]",
            db.name
        );
        drop(store);
        // And again after reopening.
        assert_eq!(
            open(&db).export_atlas().expect("export"),
            atlas,
            "[{}]",
            db.name
        );
    }
}

#[test]
fn dependency_may_name_a_stored_asset_outside_the_batch() {
    for db in test_support::backends("store import stored endpoint") {
        let mut store = open(&db);
        store.import(&base()).expect("import");
        let batch = Atlas {
            assets: vec![asset("e", "GB")],
            dependencies: vec![dep("e", "a"), dep("c", "a")],
        };
        let r = store.import(&batch).expect("import naming stored assets");
        assert_eq!(r, report(counts(1, 0, 0), counts(2, 0, 0)), "[{}]", db.name);
        let dependents: Vec<String> = store
            .dependents_of("a")
            .expect("dependents")
            .into_iter()
            .map(|d| d.dependent)
            .collect();
        assert_eq!(dependents, ["c", "e"], "[{}]", db.name);
    }
}

fn check_failed_import(batch: Atlas, expected: impl Fn(&StoreError) -> bool) {
    for db in test_support::backends("store failed import") {
        let mut store = open(&db);
        store.import(&rich_atlas()).expect("import");
        let version = store.atlas_version().expect("version");
        let before = store.export_atlas().expect("export");
        drop(store);
        let bytes_before = db
            .sqlite_path()
            .map(|p| std::fs::read(p).expect("reading the database file"));

        let mut store = open(&db);
        let err = store.import(&batch).expect_err("the import must fail");
        assert!(
            expected(&err) && err.is_user_error(),
            "[{}] unexpected error {err}",
            db.name
        );
        assert_eq!(
            store.export_atlas().expect("export"),
            before,
            "[{}]",
            db.name
        );
        assert_eq!(
            store.atlas_version().expect("version"),
            version,
            "[{}]",
            db.name
        );
        drop(store);
        let bytes_after = db
            .sqlite_path()
            .map(|p| std::fs::read(p).expect("reading the database file"));
        assert!(
            bytes_before == bytes_after,
            "[{}] a failed import changed the database file",
            db.name
        );
    }
}

#[test]
fn unknown_asset_rolls_back_everything() {
    // New and changed assets come before the bad dependency; none of it may stay.
    let mut changed = asset("port:walvis-bay", "NA");
    changed.name = "changed".to_owned();
    let batch = Atlas {
        assets: vec![asset("new", "US"), changed],
        dependencies: vec![dep("new", "port:walvis-bay"), dep("new", "nowhere")],
    };
    check_failed_import(
        batch,
        |e| matches!(e, StoreError::UnknownAsset(id) if id == "nowhere"),
    );
}

#[test]
fn duplicate_records_in_a_batch_are_rejected() {
    let twice = Atlas {
        assets: vec![asset("x", "US"), asset("x", "FR")],
        dependencies: vec![],
    };
    check_failed_import(
        twice,
        |e| matches!(e, StoreError::DuplicateAsset(id) if id == "x"),
    );
    let twice = Atlas {
        assets: vec![asset("x", "US")],
        dependencies: vec![dep("x", "cable:tpc-5"), dep("x", "cable:tpc-5")],
    };
    check_failed_import(
        twice,
        |e| matches!(e, StoreError::DuplicateDependency(a, b) if a == "x" && b == "cable:tpc-5"),
    );
}

/// Large enough to take the large-batch path (bigger SQLite cache, PostgreSQL foreign keys
/// re-validated once instead of row by row).
#[test]
fn large_import_and_reimport() {
    for db in test_support::backends("store large import") {
        let mut store = open(&db);
        let (assets, dependencies) = test_support::synthetic_atlas(40_000, 3);
        let atlas = Atlas {
            assets: assets.collect(),
            dependencies: dependencies.collect(),
        };
        let first = store.import(&atlas).expect("import");
        assert_eq!(
            first,
            report(counts(40_000, 0, 0), counts(120_000, 0, 0)),
            "[{}]",
            db.name
        );
        let again = store.import(&atlas).expect("re-import");
        assert_eq!(
            again,
            report(counts(0, 0, 40_000), counts(0, 0, 120_000)),
            "[{}]",
            db.name
        );
        let compact = store.load_compact().expect("load");
        assert_eq!(
            (compact.asset_count(), compact.edge_count()),
            (40_000, 120_000),
            "[{}]",
            db.name
        );
        // Later small imports behave as before: a missing asset still fails cleanly.
        let bad = Atlas {
            assets: vec![],
            dependencies: vec![dep("a0000001", "missing")],
        };
        assert!(
            matches!(store.import(&bad), Err(StoreError::UnknownAsset(_))),
            "[{}]",
            db.name
        );
    }
}
