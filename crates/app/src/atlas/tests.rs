use super::*;

/// A store holding the atlas of `json` (Meridian JSON).
fn store_with(json: &str) -> Store {
    let mut store = Store::open("sqlite::memory:").expect("in-memory store");
    let parsed = parse_json(json.as_bytes()).expect("valid atlas");
    import(&mut store, &crate::Actor::local(), &parsed, Located::Json).expect("import");
    store
}

const ATLAS: &str = r#"{
  "assets": [
    {"id": "plant:ohio-1", "name": "Ohio Plant", "kind": "facility", "country": "US",
     "sectors": ["ENERGY"], "ncfs": ["NCF-D01"], "products": ["cpe:2.3:a:acme:scada:1.0"]},
    {"id": "port:walvis", "name": "Walvis Bay", "kind": "facility", "country": "NA"},
    {"id": "net:grid", "name": "Grid", "kind": "network", "country": "US", "sectors": ["ENERGY"]}
  ],
  "dependencies": [{"dependent": "plant:ohio-1", "provider": "net:grid"}]
}"#;

fn home() -> HomeCountry {
    HomeCountry("US".to_owned())
}

/// The ids `query` finds, or the pointers of its problems.
fn check(query: Query, expected: Result<&[&str], &[&str]>) {
    let mut store = store_with(ATLAS);
    let found = search(&mut store, &home(), &query, 100, 0);
    match (found, expected) {
        (Ok(assets), Ok(ids)) => {
            let found: Vec<&str> = assets.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(found, ids, "{query:?}");
        }
        (Err(Error::Invalid(problems)), Err(pointers)) => {
            let found: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
            assert_eq!(found, pointers, "{query:?}");
        }
        (found, expected) => panic!("{query:?}: {found:?}, expected {expected:?}"),
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn search_reads_values_case_insensitively() {
    check(
        Query {
            country: some("us"),
            ..Query::default()
        },
        Ok(&["net:grid", "plant:ohio-1"]),
    );
    check(
        Query {
            sector: some("energy"),
            kind: some("FACILITY"),
            ..Query::default()
        },
        Ok(&["plant:ohio-1"]),
    );
    check(
        Query {
            ncf: some("ncf-d01"),
            ..Query::default()
        },
        Ok(&["plant:ohio-1"]),
    );
    check(
        Query {
            product: some("ACME:SCADA"),
            ..Query::default()
        },
        Ok(&["plant:ohio-1"]),
    );
    check(
        Query {
            text: some("WALVIS"),
            ..Query::default()
        },
        Ok(&["port:walvis"]),
    );
    check(
        Query {
            foreign: true,
            ..Query::default()
        },
        Ok(&["port:walvis"]),
    );
    check(
        Query {
            after: some("net:grid"),
            ..Query::default()
        },
        Ok(&["plant:ohio-1", "port:walvis"]),
    );
}

#[test]
fn search_refuses_unknown_values_naming_each() {
    check(
        Query {
            country: some("XX"),
            sector: some("FARMING"),
            ncf: some("NCF-Z99"),
            kind: some("spaceship"),
            ..Query::default()
        },
        Err(&["/country", "/sector", "/ncf", "/kind"]),
    );
    let mut store = store_with(ATLAS);
    let query = Query {
        kind: some("spaceship"),
        ..Query::default()
    };
    let Err(Error::Invalid(problems)) = search(&mut store, &home(), &query, 10, 0) else {
        panic!("an unknown kind is refused");
    };
    assert_eq!(
        problems[0].message,
        r#"unknown kind "spaceship"; valid values: facility, network"#
    );
}

#[test]
fn show_gathers_providers_dependents_and_refuses_unknown_ids() {
    let mut store = store_with(ATLAS);
    let detail = show(&mut store, &home(), "plant:ohio-1", Window::ALL).expect("shown");
    assert_eq!(detail.depends_on.len(), 1);
    assert!(detail.dependents.is_empty() && detail.incidents.is_empty());
    assert_eq!(detail.dependents_total, 0);
    assert_eq!(detail.rank, None, "no ranking stored");
    let grid = show(&mut store, &home(), "net:grid", Window::ALL).expect("shown");
    assert_eq!(grid.dependents[0].dependent, "plant:ohio-1");
    // A window lists its part of the dependents and counts them all.
    let window = |offset, limit| Window { offset, limit };
    let listed = |store: &mut store::Store, w| {
        let d = show(store, &home(), "net:grid", w).expect("shown");
        let ids: Vec<String> = d.dependents.into_iter().map(|d| d.dependent).collect();
        (ids, d.dependents_total)
    };
    assert_eq!(
        listed(&mut store, window(0, 1)),
        (vec!["plant:ohio-1".to_owned()], 1)
    );
    assert_eq!(listed(&mut store, window(1, 1)), (vec![], 1));
    assert_eq!(listed(&mut store, window(0, 0)), (vec![], 1));
    assert!(matches!(
        show(&mut store, &home(), "nope", Window::ALL),
        Err(Error::NotFound { what: "asset", .. })
    ));
}

/// The problems of importing `json` into a store holding [`ATLAS`], as `pointer: message`.
fn refused(json: &str) -> Vec<String> {
    let mut store = store_with(ATLAS);
    let result = parse_json(json.as_bytes())
        .and_then(|p| import(&mut store, &crate::Actor::local(), &p, Located::Json));
    let Err(Error::Invalid(problems)) = result else {
        panic!("{json} was accepted: {result:?}");
    };
    assert_eq!(
        export(&mut store).expect("export").assets.len(),
        3,
        "nothing stored"
    );
    problems
        .iter()
        .map(|p| format!("{}: {}", p.pointer, p.message))
        .collect()
}

#[test]
fn json_imports_locate_problems_by_pointer() {
    assert_eq!(
        refused(
            r#"{"assets": [{"id": "a", "name": "A", "kind": "x", "country": "US"}, {"id": "b", "kind": "x", "country": "US", "weight": "heavy"}], "dependencies": []}"#
        ),
        [r#"/assets/1/weight: line 1: invalid type: string "heavy", expected f64"#]
    );
    assert_eq!(
        refused(
            r#"{"assets": [], "dependencies": [{"dependent": "plant:ohio-1", "provider": "nowhere"}]}"#
        ),
        [
            r#"/dependencies/0/provider: line 1: unknown provider id "nowhere": not in this import nor in the atlas"#
        ]
    );
}

const INFRASTRUCTURE: &str = r#"{
  "assets": [
    {"id": "route:hormuz", "name": "Hormuz", "kind": "route", "country": "IR", "lat": 26.6, "lon": 56.3, "tags": ["chokepoint"]},
    {"id": "route:unplaced", "name": "Nowhere", "kind": "route", "country": "ZZ", "tags": ["chokepoint"]},
    {"id": "cable:a", "name": "Cable A", "kind": "network", "country": "ZZ", "tags": ["subsea"]},
    {"id": "cable:b", "name": "Cable B", "kind": "network", "country": "ZZ", "tags": ["subsea"]},
    {"id": "ls:y-shima", "name": "Shima", "kind": "facility", "country": "JP", "lat": 34.3, "lon": 136.8, "tags": ["subsea"]},
    {"id": "ls:us-1", "name": "Hermosa", "kind": "facility", "country": "US", "lat": 33.9, "lon": -118.4, "tags": ["subsea", "foreign"]},
    {"id": "ls:us-2", "name": "Bandon", "kind": "facility", "country": "US", "lat": 43.1, "lon": -124.4, "tags": ["subsea"]},
    {"id": "grid:us", "name": "Grid", "kind": "network", "country": "US", "lat": 40.0, "lon": -100.0}
  ],
  "dependencies": [
    {"dependent": "cable:a", "provider": "ls:y-shima"},
    {"dependent": "ls:us-1", "provider": "cable:a"},
    {"dependent": "ls:us-2", "provider": "cable:a"},
    {"dependent": "ls:us-1", "provider": "grid:us"},
    {"dependent": "cable:b", "provider": "ls:y-shima"},
    {"dependent": "cable:b", "provider": "grid:us"}
  ]
}"#;

#[test]
fn infrastructure_joins_cables_to_their_landing_stations() {
    let mut store = store_with(INFRASTRUCTURE);
    let infra = infrastructure(&mut store, 10).expect("infrastructure");
    let ids = |assets: &[Asset]| -> Vec<String> { assets.iter().map(|a| a.id.clone()).collect() };
    assert_eq!(ids(&infra.chokepoints.shown), ["route:hormuz"]);
    assert_eq!(infra.chokepoints.total, 1);
    assert_eq!(
        ids(&infra.landing_stations.shown),
        ["ls:us-1", "ls:us-2", "ls:y-shima"]
    );
    // Cable B reaches one landing station only: it has no line to draw.
    assert_eq!(infra.cables.total, 1);
    let cable = &infra.cables.shown[0];
    assert_eq!(cable.asset.id, "cable:a");
    // The far end (a provider of the cable) first, then the others by id.
    assert_eq!(ids(&cable.landings), ["ls:y-shima", "ls:us-1", "ls:us-2"]);

    let limited = infrastructure(&mut store, 2).expect("infrastructure");
    assert_eq!(limited.landing_stations.total, 3);
    assert_eq!(limited.landing_stations.shown.len(), 2);
}

#[test]
fn a_layer_spreads_its_limit_evenly() {
    let check = |total: usize, limit: usize, expected: &[usize]| {
        let layer = Layer::spread((0..total).collect(), limit);
        assert_eq!((layer.shown.as_slice(), layer.total), (expected, total));
    };
    check(3, 5, &[0, 1, 2]);
    check(10, 5, &[1, 3, 5, 7, 9]);
    check(10, 3, &[3, 6, 9]);
    check(5, 0, &[]);
}
