use std::collections::{BTreeMap, HashSet};

use model::HomeCountry;
use store::{AssetFilter, Stats};

use crate::{open, rich_atlas};

fn check_list(filter: AssetFilter, expected: &[&str]) {
    for db in test_support::backends("store list assets") {
        let mut store = open(&db);
        store.import(&rich_atlas()).expect("import");
        let ids: Vec<String> = store
            .list_assets(&filter, 100, 0)
            .expect("list")
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, expected, "[{}] {filter:?}", db.name);
    }
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn list_assets_filters() {
    check_list(
        AssetFilter::default(),
        &["cable:tpc-5", "plant:ohio-1", "port:walvis-bay"],
    );
    check_list(
        AssetFilter {
            country: text("NA"),
            ..AssetFilter::default()
        },
        &["port:walvis-bay"],
    );
    check_list(
        AssetFilter {
            kind: text("facility"),
            ..AssetFilter::default()
        },
        &["plant:ohio-1"],
    );
    check_list(
        AssetFilter {
            sector: text("ENERGY"),
            ..AssetFilter::default()
        },
        &["plant:ohio-1"],
    );
    check_list(
        AssetFilter {
            sector: text("NOT-A-SECTOR"),
            ..AssetFilter::default()
        },
        &[],
    );
    check_list(
        AssetFilter {
            ncf: text("NCF-C05"),
            ..AssetFilter::default()
        },
        &["cable:tpc-5"],
    );
    check_list(
        AssetFilter {
            foreign_of: Some(HomeCountry::default()),
            ..AssetFilter::default()
        },
        &["cable:tpc-5", "port:walvis-bay"],
    );
    check_list(
        AssetFilter {
            text: text("OHIO"),
            ..AssetFilter::default()
        },
        &["plant:ohio-1"],
    );
    check_list(
        AssetFilter {
            text: text("tpc-"),
            ..AssetFilter::default()
        },
        &["cable:tpc-5"],
    );
    check_list(
        AssetFilter {
            text: text("%"),
            ..AssetFilter::default()
        },
        &[],
    );
    check_list(
        AssetFilter {
            text: text("_"),
            ..AssetFilter::default()
        },
        &[],
    );
    check_list(
        AssetFilter {
            country: text("US"),
            text: text("plant"),
            foreign_of: Some(HomeCountry::default()),
            ..AssetFilter::default()
        },
        &[],
    );
    check_list(
        AssetFilter {
            product: text("VENDOR:ROUTER"),
            ..AssetFilter::default()
        },
        &["cable:tpc-5"],
    );
    check_list(
        AssetFilter {
            product: text("%"),
            ..AssetFilter::default()
        },
        &[],
    );
    check_list(
        AssetFilter {
            after: text("cable:tpc-5"),
            ..AssetFilter::default()
        },
        &["plant:ohio-1", "port:walvis-bay"],
    );
}

#[test]
fn list_assets_pages() {
    for db in test_support::backends("store list pages") {
        let mut store = open(&db);
        store.import(&rich_atlas()).expect("import");
        let page = |limit, offset| -> Vec<String> {
            open(&db)
                .list_assets(&AssetFilter::default(), limit, offset)
                .expect("list")
                .into_iter()
                .map(|a| a.id)
                .collect()
        };
        assert_eq!(page(2, 0), ["cable:tpc-5", "plant:ohio-1"], "[{}]", db.name);
        assert_eq!(page(2, 2), ["port:walvis-bay"], "[{}]", db.name);
        assert!(page(u64::MAX, 3).is_empty(), "[{}]", db.name);
    }
}

#[test]
fn lookups() {
    for db in test_support::backends("store lookups") {
        let mut store = open(&db);
        let atlas = rich_atlas();
        store.import(&atlas).expect("import");
        assert!(
            store.asset_exists("port:walvis-bay").expect("exists"),
            "[{}]",
            db.name
        );
        assert!(
            !store.asset_exists("port:nowhere").expect("exists"),
            "[{}]",
            db.name
        );
        assert_eq!(
            store.get_asset("port:nowhere").expect("get"),
            None,
            "[{}]",
            db.name
        );
        let found = store
            .existing_ids(&["plant:ohio-1", "x", "cable:tpc-5"])
            .expect("existing");
        let expected: HashSet<String> = ["plant:ohio-1", "cable:tpc-5"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(found, expected, "[{}]", db.name);

        let of = store
            .dependencies_of("plant:ohio-1")
            .expect("dependencies_of");
        assert_eq!(of, atlas.dependencies[..2].to_vec(), "[{}]", db.name);
        let on = store.dependents_of("cable:tpc-5").expect("dependents_of");
        assert_eq!(
            on,
            vec![atlas.dependencies[0].clone(), atlas.dependencies[2].clone()],
            "[{}]",
            db.name
        );
        assert!(
            store
                .dependencies_of("cable:tpc-5")
                .expect("none")
                .is_empty(),
            "[{}]",
            db.name
        );
    }
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn stats_are_computed_in_sql() {
    for db in test_support::backends("store stats") {
        let mut store = open(&db);
        assert_eq!(
            store.stats(&HomeCountry::default()).expect("empty stats"),
            Stats::default(),
            "[{}]",
            db.name
        );
        store.import(&rich_atlas()).expect("import");
        let stats = store.stats(&HomeCountry::default()).expect("stats");
        let expected = Stats {
            assets: 3,
            dependencies: 3,
            foreign: 2,
            foreign_owned: 1,
            by_kind: map(&[("", 1), ("facility", 1), ("route", 1)]),
            by_country: map(&[("NA", 1), ("US", 1), ("ZZ", 1)]),
            by_sector: map(&[("COMMS", 1), ("ENERGY", 1), ("IT", 1)]),
            by_ncf: map(&[("NCF-C01", 1), ("NCF-C05", 1), ("NCF-S01", 1)]),
        };
        assert_eq!(stats, expected, "[{}]", db.name);
        let from_namibia = store.stats(&HomeCountry("NA".to_owned())).expect("stats");
        assert_eq!(
            (from_namibia.foreign, from_namibia.foreign_owned),
            (2, 0),
            "[{}]",
            db.name
        );
    }
}
