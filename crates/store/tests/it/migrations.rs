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
            (9, "fail_closed_labels".to_owned()),
            (10, "audit".to_owned()),
            (11, "users".to_owned()),
            (12, "jobs".to_owned()),
            (13, "coordination".to_owned()),
            (14, "finding_marks".to_owned()),
            (15, "asset_tags".to_owned()),
            (16, "job_cancel".to_owned()),
            (17, "cvd_revisions".to_owned()),
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

/// Migration 0009 (the same SQL for both dialects) makes RED every stored object whose markings
/// were not all read by the labelling of earlier versions: upper-case TLP ids, granular
/// markings, markings other than the nine well-known TLP ids. Objects marked only with
/// well-known lower-case ids, and unmarked ones, keep their label.
#[test]
fn migration_0009_fails_closed_for_markings_read_before() {
    let sql = include_str!("../../migrations/sqlite/0009_fail_closed_labels.sql");
    assert_eq!(
        sql,
        include_str!("../../migrations/postgres/0009_fail_closed_labels.sql")
    );
    let db = &test_support::backends("store migration 0009")[0];
    let mut store = open(db);
    store
        .add_collection(&crate::exchange::collection("c-1"))
        .expect("collection");
    let green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    let red_upper = "marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1";
    let statement = "marking-definition--11111111-2222-4333-8444-555555555555";
    // (name, markings JSON, label stored by the earlier labelling, label after 0009)
    let cases: [(&str, String, Option<store::Tlp>, Option<store::Tlp>); 6] = [
        ("unmarked", String::new(), None, None),
        (
            "green",
            format!(r#","object_marking_refs":["{green}"]"#),
            Some(store::Tlp::Green),
            Some(store::Tlp::Green),
        ),
        (
            "red-upper",
            format!(r#","object_marking_refs":["{red_upper}"]"#),
            None,
            Some(store::Tlp::Red),
        ),
        (
            "green-and-red-upper",
            format!(r#","object_marking_refs":["{green}","{red_upper}"]"#),
            Some(store::Tlp::Green),
            Some(store::Tlp::Red),
        ),
        (
            "statement",
            format!(r#","object_marking_refs":["{statement}"]"#),
            None,
            Some(store::Tlp::Red),
        ),
        (
            "granular",
            format!(r#","granular_markings":[{{"marking_ref":"{green}","selectors":["name"]}}]"#),
            None,
            Some(store::Tlp::Red),
        ),
    ];
    let texts: Vec<(String, String)> = cases
        .iter()
        .enumerate()
        .map(|(i, (name, markings, _, _))| {
            let id = format!("identity--00000000-0000-4000-8000-{i:012}");
            let json = format!(r#"{{"type":"identity","id":"{id}","name":"{name}"{markings}}}"#);
            (id, json)
        })
        .collect();
    let rows: Vec<store::NewStixObject<'_>> = cases
        .iter()
        .zip(&texts)
        .map(|(case, (id, json))| store::NewStixObject {
            object_id: id,
            object_type: "identity",
            spec_version: "2.1",
            version: "2026-01-01T00:00:00.000Z",
            tlp: case.2,
            recipients: &[],
            submitter: None,
            source: None,
            json,
        })
        .collect();
    store.add_objects("c-1", &rows).expect("add");
    drop(store);
    let conn =
        rusqlite::Connection::open(db.sqlite_path().expect("sqlite")).expect("raw connection");
    conn.execute_batch(sql).expect("the migration runs");
    drop(conn);
    let mut store = open(db);
    let stored = store
        .objects(&store::ObjectQuery {
            collection_id: "c-1".to_owned(),
            versions: store::VersionMatch::All,
            limit: 100,
            ..store::ObjectQuery::default()
        })
        .expect("objects");
    for (case, (id, _)) in cases.iter().zip(&texts) {
        let row = stored.iter().find(|r| &r.object_id == id).expect("stored");
        assert_eq!(row.tlp, case.3, "{}", case.0);
    }
}
