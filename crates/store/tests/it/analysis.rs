//! Saved scenarios and ranking history, on both backends.

use model::{Circle, Scenario};
use store::RankingEntry;

use crate::{open, strings};

#[test]
fn scenarios_are_saved_replaced_and_deleted() {
    for db in test_support::backends("store scenarios") {
        let mut store = open(&db);
        let gulf = Scenario {
            name: "gulf hurricane".to_owned(),
            description: "Category 5 landfall near Houston".to_owned(),
            assets: strings(&["pipeline:gulf"]),
            countries: strings(&["QA"]),
            cves: strings(&["CVE-2024-3400"]),
            circles: vec![Circle {
                lat: 29.76,
                lon: -95.37,
                radius_km: 250.0,
            }],
        };
        store
            .save_scenario(&gulf, "2026-11-22T00:00:00Z")
            .expect("save");
        assert_eq!(
            store.scenario("gulf hurricane").expect("get"),
            Some(gulf.clone()),
            "[{}]",
            db.name
        );
        let replaced = Scenario {
            countries: vec![],
            ..gulf.clone()
        };
        store
            .save_scenario(&replaced, "2026-11-22T01:00:00Z")
            .expect("replace");
        let other = Scenario {
            name: "a first".to_owned(),
            ..Scenario::default()
        };
        store
            .save_scenario(&other, "2026-11-22T01:00:00Z")
            .expect("save");
        assert_eq!(
            store.scenarios().expect("list"),
            vec![other, replaced],
            "[{}]",
            db.name
        );
        assert!(store.delete_scenario("gulf hurricane").expect("delete"));
        assert!(
            !store
                .delete_scenario("gulf hurricane")
                .expect("delete again")
        );
        assert_eq!(store.scenario("gulf hurricane").expect("get"), None);
    }
}

fn entry(rank: u32, asset: &str, impact: f64) -> RankingEntry {
    RankingEntry {
        rank,
        asset: asset.to_owned(),
        impact,
        exposure: 0.0,
        threat: 0.25,
        priority: impact * 1.25,
    }
}

#[test]
fn rankings_keep_their_history() {
    for db in test_support::backends("store rankings") {
        let mut store = open(&db);
        let first = vec![entry(1, "cable:a", 3.5), entry(2, "port:b", 0.125)];
        let second = vec![entry(1, "port:b", 4.0), entry(2, "cable:a", 3.5)];
        let one = store
            .save_ranking("2026-11-22T00:00:00Z", "US", &first)
            .expect("save");
        let two = store
            .save_ranking("2026-11-22T06:00:00Z", "US", &second)
            .expect("save");
        assert!(two > one);
        let runs = store.ranking_runs().expect("runs");
        assert_eq!(
            runs.iter().map(|r| (r.id, r.entries)).collect::<Vec<_>>(),
            [(one, 2), (two, 2)],
            "[{}]",
            db.name
        );
        assert_eq!(runs[1].created_at, "2026-11-22T06:00:00Z");
        // Ranks are positions: a gap or a repeat is refused and nothing is stored.
        for bad in [
            vec![entry(1, "port:b", 4.0), entry(3, "cable:a", 3.5)],
            vec![entry(1, "port:b", 4.0), entry(1, "cable:a", 3.5)],
            vec![entry(2, "port:b", 4.0)],
        ] {
            let err = store
                .save_ranking("2026-11-22T07:00:00Z", "US", &bad)
                .expect_err("not positions");
            assert!(
                matches!(err, store::StoreError::InvalidRecord(ref m) if m.contains("ranks are positions")),
                "{err}"
            );
        }
        assert_eq!(
            store.ranking_runs().expect("runs").len(),
            2,
            "[{}]",
            db.name
        );
        assert_eq!(
            store.ranking_page(two, 1, 5).expect("page"),
            second[1..],
            "[{}]",
            db.name
        );
        assert!(
            store
                .ranking_page(two, 2, 5)
                .expect("past the end")
                .is_empty()
        );
        assert_eq!(
            store
                .ranking_entries_of(one, &["port:b", "gone", "cable:a"])
                .expect("entries"),
            [first[1].clone(), first[0].clone()],
            "[{}]",
            db.name
        );
        assert_eq!(
            store.ranking_entries(one).expect("entries"),
            first,
            "[{}]",
            db.name
        );
        assert_eq!(
            store.ranking_entries(two).expect("entries"),
            second,
            "[{}]",
            db.name
        );
    }
}
