//! The STIX object store on both backends: idempotent adds, versions and their flags, pages by
//! `seq`, filters, deletes, monotone `date_added`, and (PostgreSQL) concurrent writers.

use std::collections::BTreeMap;

use store::{NewStixObject, ObjectQuery, Store, StoredObject, Tlp, VersionMatch};

use crate::exchange::collection;
use crate::{open, strings};

/// An owned object version; `as_new()` borrows it as the store's input.
#[derive(Clone, Debug)]
struct Obj {
    id: String,
    kind: String,
    version: String,
    tlp: Option<Tlp>,
    recipients: Vec<String>,
    json: String,
}

fn obj(id: &str, version: &str) -> Obj {
    let kind = id.split("--").next().unwrap_or("indicator").to_owned();
    Obj {
        id: id.to_owned(),
        json: format!(
            r#"{{"type":"{kind}","spec_version":"2.1","id":"{id}","modified":"{version}"}}"#
        ),
        kind,
        version: version.to_owned(),
        tlp: None,
        recipients: Vec::new(),
    }
}

impl Obj {
    fn as_new(&self) -> NewStixObject<'_> {
        NewStixObject {
            object_id: &self.id,
            object_type: &self.kind,
            spec_version: "2.1",
            version: &self.version,
            tlp: self.tlp,
            recipients: &self.recipients,
            submitter: Some("cert-de"),
            source: None,
            json: &self.json,
        }
    }
}

fn add(store: &mut Store, objs: &[Obj]) -> (u64, u64) {
    let news: Vec<NewStixObject<'_>> = objs.iter().map(Obj::as_new).collect();
    let out = store.add_objects("c-1", &news).expect("add objects");
    (out.added, out.duplicates)
}

fn query(versions: VersionMatch) -> ObjectQuery {
    ObjectQuery {
        collection_id: "c-1".to_owned(),
        versions,
        limit: 1000,
        ..ObjectQuery::default()
    }
}

/// (object id, version) of each row.
fn keys(rows: &[StoredObject]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r.object_id.clone(), r.version.clone()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn setup(db: &test_support::TestDb) -> Store {
    let mut store = open(db);
    store
        .add_collection(&collection("c-1"))
        .expect("collection");
    store
        .add_collection(&collection("c-2"))
        .expect("collection");
    store
}

const V1: &str = "2026-01-01T00:00:00.000Z";
const V2: &str = "2026-02-01T00:00:00.000Z";
const V3: &str = "2026-03-01T00:00:00.000Z";

#[test]
fn adding_is_idempotent_and_keeps_every_field() {
    for db in test_support::backends("store objects add") {
        let mut store = setup(&db);
        let mut marked = obj("indicator--a", V1);
        marked.tlp = Some(Tlp::AmberStrict);
        marked.recipients = strings(&["cert-fr", "cert-at"]);
        marked.json = "{ \"spaced\" : true,\n \"id\": \"indicator--a\", \"x\": \"ü\" }".to_owned();
        let batch = [marked.clone(), obj("malware--b", V1), obj("malware--b", V1)];
        assert_eq!(
            add(&mut store, &batch),
            (2, 1),
            "[{}] in-batch duplicate",
            db.name
        );
        assert_eq!(add(&mut store, &batch), (0, 3), "[{}] re-add", db.name);
        // The same instant at another precision is the same version.
        assert_eq!(
            add(&mut store, &[obj("malware--b", "2026-01-01T00:00:00Z")]),
            (0, 1),
            "[{}]",
            db.name
        );
        assert_eq!(store.count_objects("c-1").expect("count"), 2);
        assert_eq!(store.count_objects("c-2").expect("count"), 0);

        let rows = store.objects(&query(VersionMatch::All)).expect("objects");
        assert_eq!(rows.len(), 2, "[{}]", db.name);
        let first = &rows[0];
        assert_eq!(first.collection_id, "c-1");
        assert_eq!(first.object_id, "indicator--a");
        assert_eq!(first.object_type, "indicator");
        assert_eq!(first.spec_version, "2.1");
        assert_eq!(first.version, V1);
        assert_eq!(first.tlp, Some(Tlp::AmberStrict));
        assert_eq!(first.recipients, strings(&["cert-fr", "cert-at"]));
        assert_eq!(first.submitter.as_deref(), Some("cert-de"));
        assert_eq!(first.source, None);
        assert_eq!(first.json, marked.json, "[{}] stored text as is", db.name);
        assert_eq!(rows[1].tlp, None);
        assert!(rows[1].recipients.is_empty());
        assert!(rows[0].seq < rows[1].seq);

        let err = store
            .add_objects("c-9", &[obj("tool--c", V1).as_new()])
            .expect_err("unknown collection");
        assert!(
            matches!(&err, store::StoreError::UnknownCollection(c) if c == "c-9"),
            "[{}] {err}",
            db.name
        );
    }
}

#[test]
fn flags_follow_versions_added_in_any_order() {
    for db in test_support::backends("store objects versions") {
        let mut store = setup(&db);
        assert_eq!(add(&mut store, &[obj("indicator--a", V2)]), (1, 0));
        // An older version later: the first changes, the latest stays.
        assert_eq!(add(&mut store, &[obj("indicator--a", V1)]), (1, 0));
        assert_eq!(
            keys(&store.objects(&query(VersionMatch::Last)).expect("last")),
            pairs(&[("indicator--a", V2)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            keys(&store.objects(&query(VersionMatch::First)).expect("first")),
            pairs(&[("indicator--a", V1)]),
            "[{}]",
            db.name
        );
        // A newer one, and in one batch another object's versions out of order.
        add(
            &mut store,
            &[
                obj("indicator--a", V3),
                obj("malware--b", V2),
                obj("malware--b", V3),
                obj("malware--b", V1),
            ],
        );
        assert_eq!(
            keys(&store.objects(&query(VersionMatch::Last)).expect("last")),
            pairs(&[("indicator--a", V3), ("malware--b", V3)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            keys(&store.objects(&query(VersionMatch::First)).expect("first")),
            pairs(&[("indicator--a", V1), ("malware--b", V1)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            keys(
                &store
                    .objects(&query(VersionMatch::At(strings(&[
                        V2,
                        "2026-03-01T00:00:00Z",
                        "2030-01-01T00:00:00.000Z"
                    ]))))
                    .expect("at")
            ),
            pairs(&[
                ("indicator--a", V2),
                ("indicator--a", V3),
                ("malware--b", V2),
                ("malware--b", V3)
            ]),
            "[{}] rows in seq order",
            db.name
        );
        assert_eq!(
            keys(
                &store
                    .object_versions("c-1", "indicator--a")
                    .expect("versions")
            ),
            pairs(&[
                ("indicator--a", V2),
                ("indicator--a", V1),
                ("indicator--a", V3)
            ]),
            "[{}] seq order",
            db.name
        );
        assert_eq!(
            store.objects(&query(VersionMatch::All)).expect("all").len(),
            6
        );
    }
}

#[test]
fn pages_by_seq_return_every_row_once_in_order() {
    for db in test_support::backends("store objects pages") {
        let mut store = setup(&db);
        let objs: Vec<Obj> = (0..250)
            .map(|i| obj(&format!("indicator--{i:04}"), V1))
            .collect();
        for chunk in objs.chunks(70) {
            add(&mut store, chunk);
        }
        let mut seen = Vec::new();
        let mut pages = 0;
        let mut after = None;
        loop {
            let page = store
                .objects(&ObjectQuery {
                    after_seq: after,
                    limit: 100,
                    ..query(VersionMatch::Last)
                })
                .expect("page");
            let Some(last) = page.last() else { break };
            after = Some(last.seq);
            pages += 1;
            seen.extend(page.iter().map(|r| r.object_id.clone()));
        }
        let expected: Vec<String> = objs.iter().map(|o| o.id.clone()).collect();
        assert_eq!(seen, expected, "[{}]", db.name);
        assert_eq!(pages, 3);
    }
}

#[test]
fn date_added_grows_with_seq_and_added_after_filters() {
    for db in test_support::backends("store objects added") {
        let mut store = setup(&db);
        let objs: Vec<Obj> = (0..30)
            .map(|i| obj(&format!("indicator--{i:02}"), V1))
            .collect();
        for chunk in objs.chunks(7) {
            add(&mut store, chunk);
        }
        let rows = store.objects(&query(VersionMatch::All)).expect("all");
        for row in &rows {
            assert_eq!(row.date_added.len(), 27, "{}", row.date_added);
            assert!(row.date_added.ends_with('Z') && row.date_added.as_bytes()[19] == b'.');
        }
        for pair in rows.windows(2) {
            assert!(pair[0].seq < pair[1].seq);
            assert!(
                pair[0].date_added < pair[1].date_added,
                "[{}] {} then {}",
                db.name,
                pair[0].date_added,
                pair[1].date_added
            );
        }
        let cut = &rows[11].date_added;
        let after = store
            .objects(&ObjectQuery {
                added_after: Some(cut.clone()),
                ..query(VersionMatch::Last)
            })
            .expect("added after");
        assert_eq!(keys(&after), keys(&rows[12..]), "[{}]", db.name);
        let none = store
            .objects(&ObjectQuery {
                added_after: Some("9999-01-01T00:00:00.000000Z".to_owned()),
                ..query(VersionMatch::Last)
            })
            .expect("added after");
        assert!(none.is_empty());
        let all = store
            .objects(&ObjectQuery {
                added_after: Some("2000-01-01T00:00:00.000Z".to_owned()),
                ..query(VersionMatch::Last)
            })
            .expect("added after");
        assert_eq!(all.len(), 30);
    }
}

#[test]
fn ids_types_and_spec_versions_filter() {
    for db in test_support::backends("store objects filters") {
        let mut store = setup(&db);
        add(
            &mut store,
            &[
                obj("indicator--a", V1),
                obj("malware--b", V1),
                obj("indicator--c", V1),
                obj("tool--d", V1),
                obj("indicator--a", V2),
            ],
        );
        let run = |store: &mut Store, ids: &[&str], types: &[&str], specs: &[&str]| {
            let rows = store
                .objects(&ObjectQuery {
                    ids: strings(ids),
                    types: strings(types),
                    spec_versions: strings(specs),
                    ..query(VersionMatch::Last)
                })
                .expect("query");
            rows.into_iter().map(|r| r.object_id).collect::<Vec<_>>()
        };
        assert_eq!(
            run(
                &mut store,
                &["indicator--a", "tool--d", "nope--x"],
                &[],
                &[]
            ),
            strings(&["tool--d", "indicator--a"]),
            "[{}]",
            db.name
        );
        assert_eq!(
            run(&mut store, &[], &["indicator"], &[]),
            strings(&["indicator--c", "indicator--a"])
        );
        assert_eq!(
            run(&mut store, &[], &["indicator", "malware"], &[]).len(),
            3
        );
        assert_eq!(
            run(&mut store, &["indicator--c"], &["malware"], &[]),
            Vec::<String>::new()
        );
        assert_eq!(run(&mut store, &[], &[], &["2.1"]).len(), 4);
        assert_eq!(run(&mut store, &[], &[], &["2.0"]), Vec::<String>::new());
        let limited = store
            .objects(&ObjectQuery {
                limit: 2,
                ..query(VersionMatch::All)
            })
            .expect("limit");
        assert_eq!(limited.len(), 2);
        let other = store
            .objects(&ObjectQuery {
                collection_id: "c-2".to_owned(),
                ..query(VersionMatch::All)
            })
            .expect("other collection");
        assert!(other.is_empty(), "[{}]", db.name);
    }
}

#[test]
fn deleting_versions_recomputes_flags() {
    for db in test_support::backends("store objects delete") {
        let mut store = setup(&db);
        add(
            &mut store,
            &[
                obj("indicator--a", V1),
                obj("indicator--a", V2),
                obj("indicator--a", V3),
                obj("malware--b", V1),
            ],
        );
        let last =
            |store: &mut Store| keys(&store.objects(&query(VersionMatch::Last)).expect("last"));
        let first =
            |store: &mut Store| keys(&store.objects(&query(VersionMatch::First)).expect("first"));
        assert_eq!(
            store
                .delete_object("c-1", "indicator--a", &VersionMatch::Last)
                .expect("delete"),
            1
        );
        assert_eq!(
            last(&mut store),
            pairs(&[("indicator--a", V2), ("malware--b", V1)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            store
                .delete_object(
                    "c-1",
                    "indicator--a",
                    &VersionMatch::At(strings(&["2026-01-01T00:00:00Z"]))
                )
                .expect("delete"),
            1,
            "[{}] one version, at another precision",
            db.name
        );
        assert_eq!(
            first(&mut store),
            pairs(&[("indicator--a", V2), ("malware--b", V1)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            last(&mut store),
            pairs(&[("indicator--a", V2), ("malware--b", V1)])
        );
        assert_eq!(
            store
                .delete_object("c-1", "indicator--a", &VersionMatch::At(strings(&[V1])))
                .expect("delete"),
            0
        );
        add(
            &mut store,
            &[obj("indicator--a", V1), obj("indicator--a", V3)],
        );
        assert_eq!(
            store
                .delete_object("c-1", "indicator--a", &VersionMatch::First)
                .expect("delete"),
            1
        );
        assert_eq!(
            first(&mut store),
            pairs(&[("indicator--a", V2), ("malware--b", V1)]),
            "[{}]",
            db.name
        );
        assert_eq!(
            store
                .delete_object("c-1", "indicator--a", &VersionMatch::All)
                .expect("delete"),
            2
        );
        assert!(
            store
                .object_versions("c-1", "indicator--a")
                .expect("versions")
                .is_empty()
        );
        assert_eq!(
            store
                .delete_object("c-1", "indicator--a", &VersionMatch::All)
                .expect("delete"),
            0
        );
        assert_eq!(
            store
                .delete_object("c-9", "malware--b", &VersionMatch::All)
                .expect("delete"),
            0
        );
        assert_eq!(
            store.count_objects("c-1").expect("count"),
            1,
            "[{}]",
            db.name
        );
        // Deleted versions can be added again.
        assert_eq!(add(&mut store, &[obj("indicator--a", V1)]), (1, 0));
        assert_eq!(
            last(&mut store),
            pairs(&[("malware--b", V1), ("indicator--a", V1)])
        );
    }
}

#[test]
fn concurrent_writers_on_postgres_store_each_version_once() {
    let Some(db) = test_support::backends("store objects concurrent")
        .into_iter()
        .find(|db| db.name == "postgres")
    else {
        return;
    };
    setup(&db);
    // Two writers, overlapping ids and versions, each in batches.
    let batch = |offset: usize| -> Vec<Obj> {
        (0..400)
            .map(|i| {
                let n = (i + offset) % 500;
                obj(
                    &format!("indicator--{:03}", n % 100),
                    &format!("2026-01-01T00:00:{:02}.000Z", n / 100 + offset / 50),
                )
            })
            .collect()
    };
    let expected: BTreeMap<(String, String), ()> = batch(0)
        .into_iter()
        .chain(batch(100))
        .map(|o| ((o.id, o.version), ()))
        .collect();
    let added: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = [0, 100]
            .into_iter()
            .map(|offset| {
                let url = db.url.clone();
                s.spawn(move || {
                    let mut store = Store::open(&url).expect("open");
                    let objs = batch(offset);
                    let mut added = 0;
                    for chunk in objs.chunks(50) {
                        added += add(&mut store, chunk).0;
                    }
                    added
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("writer")).sum()
    });
    let mut store = open(&db);
    let rows = store.objects(&query(VersionMatch::All)).expect("all");
    let stored: BTreeMap<(String, String), ()> = rows
        .iter()
        .map(|r| ((r.object_id.clone(), r.version.clone()), ()))
        .collect();
    assert_eq!(rows.len(), expected.len(), "one row per (object, version)");
    assert_eq!(stored, expected);
    assert_eq!(added, expected.len() as u64);
    let latest = store.objects(&query(VersionMatch::Last)).expect("latest");
    assert_eq!(latest.len(), 100, "one latest per object");
    for row in &latest {
        let newest = rows
            .iter()
            .filter(|r| r.object_id == row.object_id)
            .map(|r| r.version.as_str())
            .max();
        assert_eq!(Some(row.version.as_str()), newest);
    }
    assert_eq!(
        store
            .objects(&query(VersionMatch::First))
            .expect("first")
            .len(),
        100
    );
    for pair in rows.windows(2) {
        assert!(pair[0].date_added < pair[1].date_added);
    }
}

#[test]
fn version_unions_and_added_after_with_a_cursor() {
    for db in test_support::backends("store objects union") {
        let mut store = setup(&db);
        add(
            &mut store,
            &[
                obj("indicator--a", V1),
                obj("indicator--a", V2),
                obj("indicator--a", V3),
                obj("malware--b", V2),
            ],
        );
        let union = |store: &mut Store, first: bool, last: bool, at: &[&str]| {
            keys(
                &store
                    .objects(&query(VersionMatch::Union {
                        first,
                        last,
                        at: strings(at),
                    }))
                    .expect("union"),
            )
        };
        assert_eq!(
            union(&mut store, true, true, &[]),
            pairs(&[
                ("indicator--a", V1),
                ("indicator--a", V3),
                ("malware--b", V2)
            ]),
            "[{}]",
            db.name
        );
        assert_eq!(
            union(&mut store, true, false, &[V2]),
            pairs(&[
                ("indicator--a", V1),
                ("indicator--a", V2),
                ("malware--b", V2)
            ]),
            "[{}]",
            db.name
        );
        assert!(union(&mut store, false, false, &[]).is_empty());

        let all = store.objects(&query(VersionMatch::All)).expect("all");
        let page = store
            .objects(&ObjectQuery {
                added_after: Some(all[0].date_added.clone()),
                after_seq: Some(all[1].seq),
                ..query(VersionMatch::All)
            })
            .expect("both bounds");
        assert_eq!(keys(&page), keys(&all[2..]), "[{}]", db.name);
        let page = store
            .objects(&ObjectQuery {
                added_after: Some(all[2].date_added.clone()),
                after_seq: Some(all[0].seq),
                ids: strings(&["indicator--a", "malware--b"]),
                ..query(VersionMatch::All)
            })
            .expect("both bounds and ids");
        assert_eq!(keys(&page), keys(&all[3..]), "[{}]", db.name);
    }
}

#[test]
fn revisions_grow_on_every_change_and_only_then() {
    for db in test_support::backends("store_revisions") {
        let mut store = setup(&db);
        let revision = |store: &mut Store| {
            store
                .collection_revisions()
                .expect("revisions")
                .into_iter()
                .find(|(id, _)| id == "c-1")
                .map(|(_, r)| r)
                .expect("c-1 listed")
        };
        let start = revision(&mut store);
        let a = obj(
            "indicator--00000000-0000-4000-8000-000000000001",
            "2026-01-01T00:00:00.000Z",
        );
        assert_eq!(add(&mut store, std::slice::from_ref(&a)), (1, 0));
        let added = revision(&mut store);
        assert!(added > start, "[{}] an add changes the revision", db.name);
        assert_eq!(add(&mut store, &[a]), (0, 1));
        assert_eq!(
            revision(&mut store),
            added,
            "[{}] a duplicate changes nothing",
            db.name
        );
        let deleted = store
            .delete_object(
                "c-1",
                "indicator--00000000-0000-4000-8000-000000000001",
                &VersionMatch::All,
            )
            .expect("delete");
        assert_eq!(deleted, 1);
        assert!(
            revision(&mut store) > added,
            "[{}] a delete changes the revision",
            db.name
        );
    }
}
