use crate::open;

#[test]
fn opening_twice_applies_migrations_once_and_writes_nothing() {
    for db in test_support::backends("store migrations") {
        drop(open(&db));
        let before = db
            .sqlite_path()
            .map(|p| std::fs::read(p).expect("reading the database file"));
        let mut store = open(&db);
        assert_eq!(
            store.atlas_version().expect("atlas version"),
            0,
            "[{}]",
            db.name
        );
        drop(store);
        let after = db
            .sqlite_path()
            .map(|p| std::fs::read(p).expect("reading the database file"));
        assert_eq!(before, after, "[{}] reopening changed the file", db.name);
    }
}

#[test]
fn sqlite_schema_migrations_table_has_one_row_per_version() {
    let db = &test_support::backends("store migrations sqlite")[0];
    drop(open(db));
    drop(open(db));
    let conn =
        rusqlite::Connection::open(db.sqlite_path().expect("sqlite")).expect("raw connection");
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT version, name FROM schema_migrations")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("schema_migrations");
    assert_eq!(
        rows,
        vec![
            (1, "atlas".to_owned()),
            (2, "analysis".to_owned()),
            (3, "intel".to_owned()),
            (4, "cvd".to_owned()),
            (5, "feeds".to_owned()),
            (6, "exchange".to_owned()),
            (7, "alerts".to_owned()),
            (8, "status_owner".to_owned()),
            (9, "fail_closed_labels".to_owned())
        ]
    );
}

#[test]
fn bad_urls_are_user_errors() {
    for url in ["mysql://h/db", "", "postgres://h/db?schema=x;drop"] {
        let err = store::Store::open(url).err().expect("bad URL must fail");
        assert!(err.is_user_error(), "{url}: {err}");
    }
}

#[test]
fn in_memory_sqlite_works() {
    let mut store = store::Store::open("sqlite::memory:").expect("in-memory store");
    let report = store.import(&crate::rich_atlas()).expect("import");
    assert_eq!(report.assets.created, 3);
}

#[test]
fn concurrent_first_opens_migrate_once() {
    for db in test_support::backends("store concurrent migrations") {
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url.clone();
                std::thread::spawn(move || store::Store::open(&url).map(drop))
            })
            .collect();
        for open in opens {
            let result = open.join().expect("the thread does not panic");
            assert!(result.is_ok(), "[{}] {result:?}", db.name);
        }
        assert_eq!(
            open(&db).atlas_version().expect("version"),
            0,
            "[{}]",
            db.name
        );
    }
}
