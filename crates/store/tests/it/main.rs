//! Store tests: every test runs once per backend (`test_support::backends`), SQLite always and
//! PostgreSQL when `MERIDIAN_TEST_POSTGRES` is set.

mod alerts;
mod analysis;
mod bulk;
mod cvd;
mod exchange;
mod import;
mod intel;
mod migrations;
mod objects;
mod queries;
mod tags;
mod users;

use std::collections::BTreeMap;

use model::{Asset, Atlas, Dependency, DependencyKind, Exposure};
use store::Store;
use test_support::TestDb;

pub fn open(db: &TestDb) -> Store {
    Store::open(&db.url).unwrap_or_else(|e| panic!("[{}] opening {}: {e}", db.name, db.url))
}

pub fn asset(id: &str, country: &str) -> Asset {
    Asset {
        id: id.to_owned(),
        name: format!("{id} name"),
        kind: "facility".to_owned(),
        country: country.to_owned(),
        ..Asset::default()
    }
}

pub fn dep(dependent: &str, provider: &str) -> Dependency {
    Dependency {
        dependent: dependent.to_owned(),
        provider: provider.to_owned(),
        ..Dependency::default()
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Assets exercising every field: all set, all empty, unicode, `NA` (Namibia), list items with
/// separators in them.
pub fn rich_atlas() -> Atlas {
    let full = Asset {
        id: "cable:tpc-5".to_owned(),
        name: "Trans-Pacific Cable 5 — Ōsaka ↔ Bandon".to_owned(),
        kind: "route".to_owned(),
        country: "ZZ".to_owned(),
        owner: "Consortium; \"quoted\"".to_owned(),
        operator: "Ope\u{301}rateur".to_owned(),
        sectors: strings(&["COMMS", "IT"]),
        ncfs: strings(&["NCF-C01", "NCF-C05"]),
        lat: Some(35.0),
        lon: Some(-124.4),
        products: strings(&[
            "pkg:generic/a;b@1",
            "cpe:2.3:h:vendor:router:1.0:*:*:*:*:*:*:*",
            "",
        ]),
        weight: Some(0.25),
        exposure: Some(Exposure::Controlled),
        recovery_hours: Some(720.5),
        owner_country: Some("JP".to_owned()),
        tags: strings(&["submarine", "日本"]),
        attributes: attributes(&[("capacity_tbps", "60"), ("note", "line1\nline2")]),
    };
    let namibia = Asset {
        id: "port:walvis-bay".to_owned(),
        country: "NA".to_owned(),
        ..Asset::default()
    };
    let domestic = Asset {
        id: "plant:ohio-1".to_owned(),
        name: "Ohio plant".to_owned(),
        kind: "facility".to_owned(),
        country: "US".to_owned(),
        sectors: strings(&["ENERGY"]),
        ncfs: strings(&["NCF-S01"]),
        weight: Some(0.0),
        exposure: Some(Exposure::Open),
        owner_country: Some("CN".to_owned()),
        ..Asset::default()
    };
    let dependencies = vec![
        Dependency {
            dependent: "plant:ohio-1".to_owned(),
            provider: "cable:tpc-5".to_owned(),
            kind: Some(DependencyKind::Cyber),
            group: Some("connectivity".to_owned()),
            strength: Some(0.5),
            tolerance_hours: Some(12.0),
            attributes: attributes(&[("source", "survey 2025")]),
        },
        dep("plant:ohio-1", "port:walvis-bay"),
        Dependency {
            group: Some("connectivity".to_owned()),
            ..dep("port:walvis-bay", "cable:tpc-5")
        },
    ];
    let mut atlas = Atlas {
        assets: vec![namibia, full, domestic],
        dependencies,
    };
    atlas.sort();
    atlas
}

/// Shown even when it passes (see `.config/nextest.toml`): says loudly whether this run reached
/// PostgreSQL or skipped it.
#[test]
fn postgres_skip_notice() {
    if let Some(url) = test_support::postgres_url("every store and CLI test") {
        eprintln!("PostgreSQL tests run against {url}");
    }
}
