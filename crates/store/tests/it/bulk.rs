use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use model::{Asset, Atlas, CompactAtlas, NO_GROUP, ncf_index, sector_index};
use store::StoreError;
use test_support::synthetic_atlas;

use crate::{asset, dep, open, rich_atlas};

/// Checks every column of `compact` against the atlas it was loaded from.
fn check_compact(compact: &CompactAtlas, atlas: &Atlas, backend: &str) {
    assert!(compact.is_consistent(), "[{backend}]");
    assert_eq!(
        (compact.asset_count(), compact.edge_count()),
        (atlas.assets.len(), atlas.dependencies.len()),
        "[{backend}]"
    );
    let by_id: HashMap<&str, &Asset> = atlas.assets.iter().map(|a| (a.id.as_str(), a)).collect();
    for (i, id) in compact.ids.iter().enumerate() {
        let a = by_id[id.as_str()];
        assert_eq!(
            compact.country[i],
            <[u8; 2]>::try_from(a.country.as_bytes()).expect("2 bytes"),
            "[{backend}] {id}"
        );
        assert_eq!(
            compact.owner_country[i].map(|c| String::from_utf8_lossy(&c).into_owned()),
            a.owner_country,
            "[{backend}] {id}"
        );
        assert_eq!(compact.weight[i], a.effective_weight(), "[{backend}] {id}");
        let sectors = a
            .sectors
            .iter()
            .filter_map(|s| sector_index(s))
            .fold(0u16, |m, b| m | 1 << b);
        assert_eq!(compact.sectors[i], sectors, "[{backend}] {id}");
        let mut ncfs: Vec<u8> = a
            .ncfs
            .iter()
            .filter_map(|n| ncf_index(n))
            .map(|n| n as u8)
            .collect();
        ncfs.sort_unstable();
        ncfs.dedup();
        assert_eq!(compact.asset_ncfs(i), ncfs, "[{backend}] {id}");
        let f32_or_nan = |v: Option<f64>| v.map_or(f32::NAN, |v| v as f32);
        assert_eq!(
            compact.lat[i].to_bits(),
            f32_or_nan(a.lat).to_bits(),
            "[{backend}] {id}"
        );
        assert_eq!(
            compact.lon[i].to_bits(),
            f32_or_nan(a.lon).to_bits(),
            "[{backend}] {id}"
        );
    }
    let unique: HashSet<&String> = compact.group_names.iter().collect();
    assert_eq!(
        unique.len(),
        compact.group_names.len(),
        "[{backend}] group names are interned once"
    );
    let mut edges = Vec::new();
    for e in 0..compact.edge_count() {
        let (d, p) = (
            compact.edge_dependent[e] as usize,
            compact.edge_provider[e] as usize,
        );
        let group = compact.edge_group[e];
        let group = (group != NO_GROUP).then(|| compact.group_names[group as usize].clone());
        edges.push((
            compact.ids[d].clone(),
            compact.ids[p].clone(),
            group,
            compact.edge_strength[e],
            compact.edge_tolerance[e],
        ));
    }
    assert!(
        (1..compact.edge_count()).all(|e| (
            compact.edge_dependent[e - 1],
            compact.edge_provider[e - 1]
        ) < (
            compact.edge_dependent[e],
            compact.edge_provider[e]
        )),
        "[{backend}] edges ordered by (dependent, provider)"
    );
    let mut expected: Vec<_> = atlas
        .dependencies
        .iter()
        .map(|d| {
            (
                d.dependent.clone(),
                d.provider.clone(),
                d.group.clone(),
                d.effective_strength(),
                d.effective_tolerance_hours(),
            )
        })
        .collect();
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    edges.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(edges, expected, "[{backend}]");
}

#[test]
fn load_compact_after_import() {
    for db in test_support::backends("store compact import") {
        let mut store = open(&db);
        let empty = store.load_compact().expect("empty load");
        assert!(
            empty.is_consistent() && empty.asset_count() == 0,
            "[{}]",
            db.name
        );
        let atlas = rich_atlas();
        store.import(&atlas).expect("import");
        check_compact(&store.load_compact().expect("load"), &atlas, db.name);
    }
}

#[test]
fn bulk_load_then_load_compact() {
    for db in test_support::backends("store bulk load") {
        let mut store = open(&db);
        let (assets, dependencies) = synthetic_atlas(2_000, 4);
        let seen = Cell::new(0);
        let report = store
            .bulk_load(assets, dependencies, &|n| seen.set(n))
            .expect("bulk load");
        assert_eq!(
            (report.assets.created, report.dependencies.created),
            (2_000, 8_000),
            "[{}]",
            db.name
        );
        assert_eq!(seen.get(), 10_000, "[{}] final progress", db.name);
        assert_eq!(store.atlas_version().expect("version"), 1, "[{}]", db.name);

        let (assets, dependencies) = synthetic_atlas(2_000, 4);
        let mut generated = Atlas {
            assets: assets.collect(),
            dependencies: dependencies.collect(),
        };
        generated.sort();
        assert_eq!(
            store.export_atlas().expect("export"),
            generated,
            "[{}] bulk load is lossless",
            db.name
        );
        check_compact(&store.load_compact().expect("load"), &generated, db.name);

        // Imports on top of a bulk load keep working (constraints restored, idx continues).
        let batch = Atlas {
            assets: vec![asset("z", "US")],
            dependencies: vec![dep("z", "a0000001")],
        };
        let r = store.import(&batch).expect("import after bulk load");
        assert_eq!(
            (r.assets.created, r.dependencies.created),
            (1, 1),
            "[{}]",
            db.name
        );
        let again = store
            .import(&generated)
            .expect("re-import of the bulk data");
        assert!(again.is_unchanged(), "[{}] {again:?}", db.name);

        let (assets, dependencies) = synthetic_atlas(10, 1);
        let err = store
            .bulk_load(assets, dependencies, &|_| ())
            .expect_err("store is not empty");
        assert!(matches!(err, StoreError::NotEmpty), "[{}] {err}", db.name);
    }
}

#[test]
fn failed_bulk_load_leaves_the_store_empty() {
    for db in test_support::backends("store bulk rollback") {
        let mut store = open(&db);
        let assets = vec![asset("a", "US"), asset("b", "FR")];
        let deps = vec![dep("a", "b"), dep("b", "missing")];
        let err = store
            .bulk_load(assets.clone(), deps, &|_| ())
            .expect_err("unknown provider");
        assert!(
            matches!(&err, StoreError::UnknownAsset(id) if id == "missing"),
            "[{}] {err}",
            db.name
        );
        let err = store
            .bulk_load(vec![asset("a", "US"), asset("a", "FR")], vec![], &|_| ())
            .expect_err("duplicate");
        assert!(
            matches!(&err, StoreError::DuplicateAsset(id) if id == "a"),
            "[{}] {err}",
            db.name
        );
        assert_eq!(
            store.export_atlas().expect("export"),
            Atlas::default(),
            "[{}]",
            db.name
        );
        assert_eq!(store.atlas_version().expect("version"), 0, "[{}]", db.name);
        // The relaxed constraints came back with the rollback: a good load still works.
        let report = store
            .bulk_load(assets, vec![dep("a", "b")], &|_| ())
            .expect("bulk load");
        assert_eq!(report.dependencies.created, 1, "[{}]", db.name);
    }
}

/// Catches accidental quadratic behaviour; no timing assertions.
#[test]
fn bulk_load_and_load_compact_at_100k_assets() {
    const ASSETS: usize = 100_000;
    for db in test_support::backends("store 100k") {
        let mut store = open(&db);
        let (assets, dependencies) = synthetic_atlas(ASSETS, 3);
        store
            .bulk_load(assets, dependencies, &|_| ())
            .expect("bulk load");
        let compact = store.load_compact().expect("load");
        assert!(compact.is_consistent(), "[{}]", db.name);
        assert_eq!(
            (compact.asset_count(), compact.edge_count()),
            (ASSETS, 3 * ASSETS),
            "[{}]",
            db.name
        );
        assert_eq!(
            compact.ids[ASSETS - 1],
            format!("a{:07}", ASSETS - 1),
            "[{}] storage order",
            db.name
        );
        assert!(compact.group_names.len() <= 300, "[{}]", db.name);
    }
}
