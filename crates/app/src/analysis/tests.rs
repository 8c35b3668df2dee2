use super::*;

/// A home-country hospital (FR) depending on two foreign providers, `a` (DE) and `b` (US), each
/// alone a single point of failure; `b` is a network, `a` a facility.
fn store() -> store::Store {
    let mut store = store::Store::open("sqlite::memory:").expect("in-memory store");
    store.import(&atlas()).expect("importing the test atlas");
    store
}

/// The atlas of [`store`].
fn atlas() -> model::Atlas {
    let asset = |id: &str, country: &str, kind: &str, ncfs: Vec<String>| model::Asset {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: kind.to_owned(),
        country: country.to_owned(),
        ncfs,
        ..Default::default()
    };
    let dependency = |provider: &str| model::Dependency {
        dependent: "h".to_owned(),
        provider: provider.to_owned(),
        kind: None,
        group: None,
        strength: None,
        tolerance_hours: None,
        attributes: Default::default(),
    };
    model::Atlas {
        assets: vec![
            asset("h", "FR", "facility", vec![model::ncfs()[0].id.to_owned()]),
            asset("a", "DE", "facility", vec![]),
            asset("b", "US", "network", vec![]),
        ],
        dependencies: vec![dependency("a"), dependency("b")],
    }
}

fn engine(store: &mut store::Store) -> Engine {
    Engine::load(store, *b"FR", &()).expect("loading the atlas")
}

fn scores(exposure: &[(&str, f64)], threat: &[(&str, f64)]) -> Scores {
    let map = |v: &[(&str, f64)]| v.iter().map(|(k, s)| ((*k).to_owned(), *s)).collect();
    Scores {
        exposure: map(exposure),
        threat: map(threat),
    }
}

/// `(asset, rank, previous rank)` of each row.
fn places(rows: &[RankRow]) -> Vec<(&str, usize, Option<u32>)> {
    rows.iter()
        .map(|r| (r.asset.as_str(), r.rank, r.previous_rank))
        .collect()
}

#[test]
fn priority_multiplies_impact_by_exposure_and_threat() {
    assert_eq!(priority(0.5, 0.0, 0.0), 0.5);
    assert_eq!(priority(0.5, 1.0, 0.5), 1.5);
}

#[test]
fn ranking_orders_by_priority_then_id_and_weighs_exposure_and_threat() {
    let mut store = store();
    let engine = engine(&mut store);
    let plain = ranking(&engine, &Scores::default());
    assert_eq!(places(&plain), [("a", 1, None), ("b", 2, None)]);
    assert_eq!(plain[0].priority, plain[0].impact);
    assert!(plain[0].impact > 0.0);
    let scored = ranking(&engine, &scores(&[("b", 0.5)], &[("b", 1.0)]));
    assert_eq!(places(&scored), [("b", 1, None), ("a", 2, None)]);
    assert_eq!(scored[0].priority, scored[0].impact * 1.5 * 2.0);
}

#[test]
fn stored_rankings_move_filter_page_and_keep_their_history() {
    let mut store = store();
    let engine = engine(&mut store);
    let actor = Actor::Local("test".into());
    let query = RankQuery {
        home: "FR".into(),
        ..Default::default()
    };
    assert!(matches!(
        stored_ranking(&mut store, &query),
        Err(Error::NotFound { .. })
    ));
    let first = rank(&mut store, &engine, &Scores::default(), true, &actor).unwrap();
    assert!(!first.compared && first.stored.is_some());
    let unsaved = rank(
        &mut store,
        &engine,
        &scores(&[("b", 1.0)], &[]),
        false,
        &actor,
    )
    .unwrap();
    assert!(unsaved.compared && unsaved.stored.is_none());
    assert_eq!(
        places(&unsaved.rows),
        [("b", 1, Some(2)), ("a", 2, Some(1))]
    );
    assert_eq!(unsaved.rows[0].movement(), Some(1));
    rank(
        &mut store,
        &engine,
        &scores(&[("b", 1.0)], &[]),
        true,
        &actor,
    )
    .unwrap();

    let read = stored_ranking(&mut store, &query).unwrap();
    assert_eq!((read.total, read.previous_run), (2, first.stored));
    assert_eq!(
        read.rows, unsaved.rows,
        "the stored ranking reads back as computed"
    );
    for (filter, expected) in [
        (
            RankQuery {
                kind: Some("network".into()),
                ..query.clone()
            },
            vec![("b", 1, Some(2))],
        ),
        (
            RankQuery {
                country: Some("DE".into()),
                ..query.clone()
            },
            vec![("a", 2, Some(1))],
        ),
        (
            RankQuery {
                offset: 1,
                limit: Some(5),
                ..query.clone()
            },
            vec![("a", 2, Some(1))],
        ),
        (
            RankQuery {
                run: first.stored,
                ..query.clone()
            },
            vec![("a", 1, None), ("b", 2, None)],
        ),
    ] {
        let got = stored_ranking(&mut store, &filter).unwrap();
        assert_eq!(places(&got.rows), expected, "{filter:?}");
    }
    let history = rank_history(&mut store, "a").unwrap();
    let ranks: Vec<Option<u32>> = history.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [Some(1), Some(2)]);
}

#[test]
fn explain_breaks_the_priority_down() {
    let mut store = store();
    let engine = engine(&mut store);
    let attacked = HashSet::new();
    let context = crate::intel::Context {
        home: *b"FR",
        attacked: &attacked,
        progress: &(),
    };
    let got = explain(
        &mut store,
        &engine,
        &scores(&[], &[("a", 0.5)]),
        context,
        "a",
    )
    .unwrap();
    assert!(got.findings.is_empty() && got.incidents.is_empty());
    assert_eq!(got.ncfs.len(), 1);
    assert_eq!(got.ncfs[0].ncf, model::ncfs()[0].id);
    assert_eq!(got.impact, got.ncfs[0].degradation);
    assert_eq!(got.priority, got.impact * 1.5);
    assert_eq!(got.domestic_down, ["h"]);
    assert_eq!(
        (got.failed_with, got.foreign, got.stored.is_none()),
        (1, true, true)
    );
    assert!(matches!(
        explain(&mut store, &engine, &Scores::default(), context, "nope"),
        Err(Error::NotFound { .. })
    ));
    let incident = |occurred_at: &str, assets: &[&str]| model::IncidentReport {
        partner_id: None,
        reporter: "analyst".into(),
        kind: model::IncidentKind::Physical,
        category: "sabotage".into(),
        description: String::new(),
        occurred_at: occurred_at.into(),
        reported_at: "2026-03-01T00:00:00.000Z".into(),
        stix_id: None,
        severity: 4,
        assets: assets.iter().map(|a| (*a).to_owned()).collect(),
    };
    store
        .add_incidents(&[
            incident("2026-01-01T00:00:00.000Z", &["a"]),
            incident("2026-02-01T00:00:00.000Z", &["a", "b"]),
            incident("2026-02-15T00:00:00.000Z", &["b"]),
        ])
        .unwrap();
    rank(
        &mut store,
        &engine,
        &Scores::default(),
        true,
        &Actor::Local("t".into()),
    )
    .unwrap();
    let got = explain(&mut store, &engine, &Scores::default(), context, "a").unwrap();
    let dates: Vec<&str> = got.incidents.iter().map(|i| &i.occurred_at[..10]).collect();
    assert_eq!(
        dates,
        ["2026-02-01", "2026-01-01"],
        "the asset's incidents, newest first"
    );
    assert_eq!(got.incidents[0].kind, "physical");
    assert_eq!(got.stored.map(|r| r.rank), Some(1));
}

#[test]
fn scenarios_are_checked_before_they_are_stored() {
    let mut store = store();
    let actor = Actor::Local("test".into());
    let scenario = model::Scenario {
        name: "s".into(),
        assets: vec!["a".into(), "nope".into()],
        countries: vec!["XX".into()],
        ..Default::default()
    };
    let Err(Error::Invalid(problems)) = save_scenario(&mut store, &scenario, &actor) else {
        panic!("an unknown country and asset are refused");
    };
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(pointers, ["/countries/0", "/assets/1"]);
    let off = model::Scenario {
        name: " ".into(),
        circles: vec![
            model::Circle {
                lat: 10.0,
                lon: 20.0,
                radius_km: 5.0,
            },
            model::Circle {
                lat: 95.0,
                lon: 20.0,
                radius_km: 5.0,
            },
        ],
        ..Default::default()
    };
    let Err(Error::Invalid(problems)) = save_scenario(&mut store, &off, &actor) else {
        panic!("no name and a circle off the Earth are refused");
    };
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(pointers, ["/name", "/circles/1"]);
    assert!(scenarios(&mut store).unwrap().is_empty());
    let scenario = model::Scenario {
        assets: vec!["a".into()],
        countries: vec![],
        ..scenario
    };
    save_scenario(&mut store, &scenario, &actor).unwrap();
    assert_eq!(
        scenarios(&mut store).unwrap(),
        std::slice::from_ref(&scenario)
    );
    assert_eq!(self::scenario(&mut store, "s").unwrap(), scenario);
    let engine = engine(&mut store);
    let run = run_scenario(&engine, &scenario, &BTreeSet::from(["b".to_owned()])).unwrap();
    assert_eq!(run.initial, 2);
    delete_scenario(&mut store, "s", &actor).unwrap();
    assert!(matches!(
        self::scenario(&mut store, "s"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        delete_scenario(&mut store, "s", &actor),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn montecarlo_inputs_are_bounded() {
    assert!(montecarlo_problems(2000, 2000, 0.5).is_empty());
    assert!(montecarlo_problems(MAX_TRIALS, u64::MAX, 0.0).is_empty());
    let pointers = |t, max, p| -> Vec<String> {
        montecarlo_problems(t, max, p)
            .into_iter()
            .map(|p| p.pointer)
            .collect()
    };
    assert_eq!(pointers(2001, 2000, 1.0), ["/trials"]);
    assert_eq!(pointers(MAX_TRIALS + 1, u64::MAX, 1.0), ["/trials"]);
    assert_eq!(
        pointers(0, 2000, f64::NAN),
        ["/trials", "/foreign_probability"]
    );
    assert_eq!(pointers(1, 2000, -0.1), ["/foreign_probability"]);
}

#[test]
fn probability_files_name_the_line_of_each_problem() {
    let mut store = store();
    let engine = engine(&mut store);
    let p = probabilities_from_csv(&engine, "p.csv", "asset,probability\na,0.5\n").unwrap();
    assert_eq!(p[engine.resolve("a").unwrap() as usize], 0.5);
    for (text, pointer) in [
        ("a,2", "p.csv:1"),
        ("asset,p\nnope,0.1", "p.csv:2"),
        ("a", "p.csv:1"),
    ] {
        let Err(Error::Invalid(problems)) = probabilities_from_csv(&engine, "p.csv", text) else {
            panic!("{text:?} is refused");
        };
        assert_eq!(problems[0].pointer, pointer, "{text:?}");
    }
}

#[test]
fn storing_a_ranking_is_audited_and_scores_come_from_the_store() {
    let mut store = store();
    let engine = engine(&mut store);
    let loaded = super::scores(&mut store, &engine, &()).expect("scores");
    assert!(loaded.exposure.is_empty(), "no intel document, no exposure");
    assert!(loaded.threat.is_empty(), "no incident, no threat");
    let actor = Actor::Local("test".to_owned());
    rank(&mut store, &engine, &loaded, false, &actor).expect("unsaved");
    let stored = rank(&mut store, &engine, &loaded, true, &actor).expect("saved");
    let entries = crate::audit::list(
        &mut store,
        &store::AuditFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .expect("audit");
    assert_eq!(entries.len(), 1, "only the stored ranking: {entries:?}");
    assert_eq!(entries[0].action, "ranking.store");
    assert_eq!(entries[0].actor, "local:test");
    assert_eq!(
        entries[0].object_ids,
        [stored.stored.expect("stored").to_string()]
    );
}

/// Counts the engine loads ([`Engine::load`] starts a "loading" stage), pausing in each so that
/// concurrent loads would overlap; what the tests assert is the count, not a time.
#[derive(Default)]
struct Loads(std::sync::atomic::AtomicUsize);

impl Progress for Loads {
    fn start(&self, what: &str, _: Option<u64>) {
        if what == "loading" {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Loads {
    fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn the_engine_cache_rebuilds_only_after_an_atlas_write() {
    let mut store = store();
    let loads = Loads::default();
    let cache = EngineCache::default();
    let first = cache.get(&mut store, *b"FR", &loads).unwrap();
    let again = cache.get(&mut store, *b"FR", &loads).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again), "the same version");
    assert_eq!(loads.count(), 1);
    let before = cascade(&first, &["a".to_owned()]).unwrap().failed.len();

    // A new domestic asset depending on `a`: the atlas version moves on.
    let atlas = model::Atlas {
        assets: vec![model::Asset {
            id: "school".to_owned(),
            name: "school".to_owned(),
            kind: "facility".to_owned(),
            country: "FR".to_owned(),
            ..Default::default()
        }],
        dependencies: vec![model::Dependency {
            dependent: "school".to_owned(),
            provider: "a".to_owned(),
            kind: None,
            group: None,
            strength: None,
            tolerance_hours: None,
            attributes: Default::default(),
        }],
    };
    store.import(&atlas).unwrap();
    let rebuilt = cache.get(&mut store, *b"FR", &loads).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &rebuilt));
    assert_eq!(loads.count(), 2);
    let after = cascade(&rebuilt, &["a".to_owned()]).unwrap().failed;
    assert_eq!(after.len(), before + 1);
    assert!(after.iter().any(|f| f.asset == "school"));
    assert!(std::sync::Arc::ptr_eq(
        &rebuilt,
        &cache.get(&mut store, *b"FR", &loads).unwrap()
    ));
    // Another home country is another graph.
    cache.get(&mut store, *b"DE", &loads).unwrap();
    assert_eq!(loads.count(), 3);
}

#[test]
fn concurrent_first_requests_build_the_engine_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("atlas.db").display());
    let mut first = store::Store::open(&url).unwrap();
    first.import(&atlas()).unwrap();
    const REQUESTS: usize = 8;
    let loads = Loads::default();
    let cache = EngineCache::default();
    let start = std::sync::Barrier::new(REQUESTS);
    let engines: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..REQUESTS)
            .map(|_| {
                s.spawn(|| {
                    let mut store = store::Store::open(&url).unwrap();
                    start.wait();
                    cache.get(&mut store, *b"FR", &loads).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(loads.count(), 1);
    assert!(
        engines
            .iter()
            .all(|e| std::sync::Arc::ptr_eq(e, &engines[0]))
    );
}
