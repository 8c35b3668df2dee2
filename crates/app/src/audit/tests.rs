use store::{AuditEntry, AuditFilter, NewAuditEntry, Store};
use test_support::TestDb;

use super::{AuditQuery, Tamper, chain_hash, list, record, search, verify, verify_paged};
use crate::{Actor, Role};

/// Entries in every tampered log.
const ENTRIES: usize = 6;

fn actor(i: usize) -> Actor {
    match i % 3 {
        0 => Actor::Local("root".into()),
        1 => Actor::Partner(format!("cert-{i}")),
        _ => Actor::User {
            name: format!("ana{i}"),
            role: Role::Analyst,
            partner: None,
        },
    }
}

/// A store on `db` holding `ENTRIES` entries: actors in turn, actions `test.write`/`test.delete`.
fn logged(db: &TestDb) -> Store {
    let mut store = Store::open(&db.url).expect("open");
    for i in 0..ENTRIES {
        let action = if i % 2 == 0 {
            "test.write"
        } else {
            "test.delete"
        };
        let id = format!("object-{i}");
        record(
            &mut store,
            &actor(i),
            action,
            &[&id, "shared"],
            id.as_bytes(),
        )
        .expect("record");
    }
    store
}

fn entries(store: &mut Store) -> Vec<AuditEntry> {
    store
        .audit_list(&AuditFilter {
            after: Some(0),
            limit: 1000,
            ..AuditFilter::default()
        })
        .expect("list")
}

/// The SQL of a row with these values (text quoted, no quotes inside).
fn insert_sql(e: &AuditEntry) -> String {
    let ids = serde_json::to_string(&e.object_ids).expect("JSON");
    format!(
        "INSERT INTO audit_log (seq, at, actor, action, object_ids, digest, prev_hash, hash) \
         VALUES ({}, '{}', '{}', '{}', '{ids}', '{}', '{}', '{}')",
        e.seq, e.at, e.actor, e.action, e.digest, e.prev_hash, e.hash
    )
}

/// `e` as a forger who knows the encoding would seal it at `seq` after `prev_hash`.
fn sealed(mut e: AuditEntry, seq: i64, prev_hash: &str) -> AuditEntry {
    let ids: Vec<&str> = e.object_ids.iter().map(String::as_str).collect();
    let hash = chain_hash(
        seq,
        prev_hash,
        &NewAuditEntry {
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            object_ids: &ids,
            digest: &e.digest,
        },
    );
    e.seq = seq;
    e.prev_hash = prev_hash.to_owned();
    e.hash = hash;
    e
}

/// Shifts the `seq` of every row from `from` on by `by` (through negative values, as both
/// databases check the primary key row by row).
fn shift(from: i64, by: i64) -> String {
    format!(
        "UPDATE audit_log SET seq = -(seq + {by}) WHERE seq >= {from}; \
         UPDATE audit_log SET seq = -seq WHERE seq < 0"
    )
}

/// Tampers with a fresh log of `ENTRIES` rows by the SQL `tamper` makes from its rows, then
/// checks that `verify` names `expected` (seq, kind and detail) on both backends, reading pages
/// of 1, 2 and 1000 rows.
fn check(suite: &str, tamper: impl Fn(&[AuditEntry]) -> String, expected: (i64, Tamper, &str)) {
    for db in test_support::backends(suite) {
        let mut store = logged(&db);
        let sql = tamper(&entries(&mut store));
        db.execute(&sql);
        for size in [1, 2, 1000] {
            let found = verify_paged(&mut store, size).expect("verify");
            let broken = found
                .broken
                .unwrap_or_else(|| panic!("[{}] {sql}: not detected", db.name));
            assert_eq!(
                (broken.seq, broken.tamper, broken.detail.as_str()),
                expected,
                "[{}] {sql} (pages of {size}): {broken}",
                db.name
            );
        }
    }
}

#[test]
fn an_intact_log_verifies_and_reports_its_head() {
    for db in test_support::backends("audit intact") {
        let mut empty = Store::open(&db.url).expect("open");
        let none = verify(&mut empty).expect("verify");
        assert_eq!((none.entries, none.head, none.broken), (0, None, None));
        drop(empty);

        let mut store = logged(&db);
        let all = entries(&mut store);
        assert_eq!(all.len(), ENTRIES, "[{}]", db.name);
        assert_eq!(all[0].prev_hash, store::GENESIS_HASH);
        for pair in all.windows(2) {
            assert_eq!(pair[1].seq, pair[0].seq + 1);
            assert_eq!(pair[1].prev_hash, pair[0].hash);
        }
        assert_eq!(all[1].actor, "partner:cert-1");
        assert_eq!(all[2].actor, "user:ana2");
        assert_eq!(all[3].object_ids, ["object-3", "shared"]);
        // SHA-256 of "object-0".
        assert_eq!(
            all[0].digest,
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"object-0"))
        );
        for size in [1, 4, 1000] {
            let found = verify_paged(&mut store, size).expect("verify");
            assert_eq!(found.broken, None, "[{}] pages of {size}", db.name);
            assert_eq!(found.entries, ENTRIES as u64);
            assert_eq!(found.head.as_deref(), Some(all[ENTRIES - 1].hash.as_str()));
        }
    }
}

#[test]
fn an_edited_row_is_named() {
    check(
        "audit edited",
        |_| "UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 3".to_owned(),
        (3, Tamper::Edited, "its hash does not match its content"),
    );
}

#[test]
fn an_edited_object_list_is_named() {
    check(
        "audit edited ids",
        |_| "UPDATE audit_log SET object_ids = '[\"object-4\"]' WHERE seq = 5".to_owned(),
        (5, Tamper::Edited, "its hash does not match its content"),
    );
}

#[test]
fn an_edited_row_sealed_again_is_named() {
    check(
        "audit resealed",
        |rows| {
            let mut forged = rows[2].clone();
            forged.actor = "user:mallory".to_owned();
            let forged = sealed(forged, 3, &rows[1].hash);
            format!(
                "UPDATE audit_log SET actor = '{}', hash = '{}' WHERE seq = 3",
                forged.actor, forged.hash
            )
        },
        (
            3,
            Tamper::Edited,
            "seq 4 was written after another row than this one: it was rewritten and sealed again",
        ),
    );
}

#[test]
fn a_first_row_sealed_again_after_another_is_named() {
    check(
        "audit resealed first",
        |rows| {
            let forged = sealed(rows[0].clone(), 1, &"a".repeat(64));
            format!(
                "UPDATE audit_log SET prev_hash = '{}', hash = '{}' WHERE seq = 1",
                forged.prev_hash, forged.hash
            )
        },
        (
            1,
            Tamper::Edited,
            "the first row names a row before it: it was rewritten and sealed again",
        ),
    );
}

#[test]
fn a_deleted_middle_row_is_named() {
    check(
        "audit deleted",
        |_| "DELETE FROM audit_log WHERE seq = 3".to_owned(),
        (3, Tamper::Deleted, "seq 3 is missing: seq 4 follows seq 2"),
    );
}

#[test]
fn deleted_rows_are_named_when_the_rest_is_renumbered() {
    check(
        "audit deleted renumbered",
        |_| {
            format!(
                "DELETE FROM audit_log WHERE seq IN (2, 3); {}",
                shift(4, -2)
            )
        },
        (
            2,
            Tamper::Deleted,
            "the row seq 4 was written after is gone and the rows after it were renumbered (now \
             seq 2)",
        ),
    );
}

#[test]
fn a_deleted_first_row_is_named() {
    check(
        "audit deleted first",
        |_| "DELETE FROM audit_log WHERE seq = 1".to_owned(),
        (
            1,
            Tamper::Deleted,
            "seq 1 is missing: seq 2 follows the start of the log",
        ),
    );
}

#[test]
fn a_forged_row_inserted_in_the_middle_is_named() {
    check(
        "audit inserted",
        |rows| {
            let mut forged = rows[3].clone();
            forged.seq = 4;
            forged.actor = "user:mallory".to_owned();
            forged.prev_hash.clone_from(&rows[2].hash);
            forged.hash = "f".repeat(64);
            format!("{}; {}", shift(4, 1), insert_sql(&forged))
        },
        (
            4,
            Tamper::Inserted,
            "it is not part of the chain: its hash matches its content at no seq, and the row \
             after it was written right after seq 3",
        ),
    );
}

#[test]
fn a_forged_row_sealed_by_a_forger_in_the_middle_is_named() {
    check(
        "audit inserted sealed",
        |rows| {
            let mut forged = rows[3].clone();
            forged.actor = "user:mallory".to_owned();
            let forged = sealed(forged, 4, &rows[2].hash);
            format!("{}; {}", shift(4, 1), insert_sql(&forged))
        },
        (
            4,
            Tamper::Inserted,
            "seq 4 was not in the log when the row now at seq 5 was written (right after seq 3)",
        ),
    );
}

#[test]
fn a_forged_row_appended_that_does_not_link_is_named() {
    check(
        "audit appended",
        |rows| {
            let mut forged = rows[0].clone();
            forged.seq = ENTRIES as i64 + 1;
            forged.hash = "e".repeat(64);
            insert_sql(&forged)
        },
        (
            ENTRIES as i64 + 1,
            Tamper::Inserted,
            "it is not part of the chain: its hash matches its content at no seq, and it does not \
             follow seq 6",
        ),
    );
}

#[test]
fn a_forged_row_before_the_first_is_named() {
    check(
        "audit prepended",
        |rows| {
            let mut forged = rows[0].clone();
            forged.seq = 0;
            forged.hash = "d".repeat(64);
            insert_sql(&forged)
        },
        (
            0,
            Tamper::Inserted,
            "it is not part of the chain: its hash matches its content at no seq, and the row \
             after it was written right after the start of the log",
        ),
    );
}

#[test]
fn two_swapped_rows_are_named() {
    check(
        "audit swapped",
        |_| {
            "UPDATE audit_log SET seq = -2 WHERE seq = 5; \
             UPDATE audit_log SET seq = 5 WHERE seq = 2; \
             UPDATE audit_log SET seq = 2 WHERE seq = -2"
                .to_owned()
        },
        (
            2,
            Tamper::Reordered,
            "the row at seq 2 was written as seq 5, right after the row now at seq 4",
        ),
    );
}

#[test]
fn two_adjacent_swapped_rows_are_named() {
    check(
        "audit swapped adjacent",
        |_| {
            "UPDATE audit_log SET seq = -3 WHERE seq = 4; \
             UPDATE audit_log SET seq = 4 WHERE seq = 3; \
             UPDATE audit_log SET seq = 3 WHERE seq = -3"
                .to_owned()
        },
        (
            3,
            Tamper::Reordered,
            "the row at seq 3 was written as seq 4, right after the row now at seq 4",
        ),
    );
}

#[test]
fn list_filters_by_actor_and_action_and_pages() {
    for db in test_support::backends("audit list") {
        let mut store = logged(&db);
        let filter = |actor: Option<&str>, action: Option<&str>, after, limit| AuditFilter {
            actor: actor.map(str::to_owned),
            action: action.map(str::to_owned),
            after,
            limit,
        };
        let seqs = |store: &mut Store, f: AuditFilter| -> Vec<i64> {
            list(store, &f)
                .expect("list")
                .iter()
                .map(|e| e.seq)
                .collect()
        };
        // The newest first chosen, shown in seq order.
        assert_eq!(seqs(&mut store, filter(None, None, None, 2)), [5, 6]);
        assert_eq!(seqs(&mut store, filter(None, None, Some(2), 2)), [3, 4]);
        assert_eq!(
            seqs(&mut store, filter(Some("local:root"), None, None, 10)),
            [1, 4]
        );
        assert_eq!(
            seqs(&mut store, filter(None, Some("test.delete"), None, 10)),
            [2, 4, 6]
        );
        assert_eq!(
            seqs(
                &mut store,
                filter(Some("local:root"), Some("test.delete"), None, 10)
            ),
            [4]
        );
        let zero = list(&mut store, &filter(None, None, None, 0)).expect_err("limit 0");
        assert_eq!(zero.to_string(), "/limit: must be at least 1");
    }
}

/// An entry recorded inside a transaction that fails is undone with it.
#[test]
fn an_entry_is_undone_with_its_transaction() {
    for db in test_support::backends("audit rollback") {
        let mut store = logged(&db);
        let failed: Result<(), store::StoreError> = store.atomically(|s| {
            record(s, &Actor::Local("root".into()), "test.write", &[], b"x")?;
            Err(store::StoreError::NotEmpty)
        });
        assert!(failed.is_err());
        let found = verify(&mut store).expect("verify");
        assert_eq!((found.entries, found.broken), (ENTRIES as u64, None));
        let next = record(&mut store, &Actor::Local("root".into()), "t", &[], b"").expect("record");
        assert_eq!(next.seq, ENTRIES as i64 + 1, "[{}]", db.name);
    }
}

/// Two writers, each with its own connection to one database, append at once: the chain stays
/// one chain without gaps or forks.
#[test]
fn concurrent_writers_keep_one_chain() {
    const EACH: usize = 200;
    for db in test_support::backends("audit concurrent") {
        drop(Store::open(&db.url).expect("migrate first"));
        std::thread::scope(|scope| {
            for writer in 0..2 {
                let url = db.url.clone();
                scope.spawn(move || {
                    let mut store = Store::open(&url).expect("open");
                    let me = Actor::Local(format!("writer-{writer}"));
                    for i in 0..EACH {
                        let id = format!("w{writer}-{i}");
                        record(&mut store, &me, "test.write", &[&id], id.as_bytes())
                            .expect("record");
                    }
                });
            }
        });
        let mut store = Store::open(&db.url).expect("open");
        let found = verify(&mut store).expect("verify");
        assert_eq!(found.broken, None, "[{}]", db.name);
        assert_eq!(found.entries, 2 * EACH as u64, "[{}]", db.name);
    }
}

#[test]
fn search_pages_newest_first_counts_and_matches_an_object_id_exactly() {
    for db in test_support::backends("audit search") {
        let mut store = logged(&db);
        let root = Actor::Local("root".into());
        // Ids that only look alike: another case, a separator, a quote, a prefix.
        for ids in [
            &["Shared"][..],
            &[","][..],
            &["a\"", "b"][..],
            &["share"][..],
        ] {
            record(&mut store, &root, "test.odd", ids, b"odd").expect("record");
        }
        let query = |object: Option<&str>, offset, limit| AuditQuery {
            object: object.map(str::to_owned),
            offset,
            limit,
            ..AuditQuery::default()
        };
        let seqs = |store: &mut Store, q: AuditQuery| -> (Vec<i64>, u64) {
            let page = search(store, &root, &q).expect("search");
            (page.entries.iter().map(|e| e.seq).collect(), page.total)
        };
        assert_eq!(seqs(&mut store, query(None, 0, 3)), (vec![10, 9, 8], 10));
        assert_eq!(seqs(&mut store, query(None, 8, 3)), (vec![2, 1], 10));
        assert_eq!(
            seqs(&mut store, query(Some("shared"), 2, 2)),
            (vec![4, 3], 6)
        );
        assert_eq!(
            seqs(&mut store, query(Some("object-3"), 0, 5)),
            (vec![4], 1)
        );
        for (id, seq) in [("Shared", 7), (",", 8), ("a\"", 9), ("b", 9), ("share", 10)] {
            assert_eq!(
                seqs(&mut store, query(Some(id), 0, 5)),
                (vec![seq], 1),
                "[{}] {id:?}",
                db.name
            );
        }
        assert_eq!(seqs(&mut store, query(Some("obj"), 0, 5)), (vec![], 0));
        let filtered = AuditQuery {
            actor: Some("local:root".into()),
            action: Some("test.delete".into()),
            ..query(None, 0, 5)
        };
        assert_eq!(seqs(&mut store, filtered), (vec![4], 1));
        // Days, inclusive at both ends: the first and last instants of a day are in it.
        db.execute(
            "UPDATE audit_log SET at = CASE \
               WHEN seq <= 2 THEN '2026-03-30T23:59:59Z' \
               WHEN seq <= 5 THEN '2026-03-31T00:00:00Z' \
               WHEN seq <= 7 THEN '2026-03-31T23:59:59Z' \
               ELSE '2026-04-01T00:00:00Z' END",
        );
        let day = |text: &str| crate::coordination::parse_date(text).expect("a date");
        for (from, to, expected) in [
            (
                Some("2026-03-31"),
                Some("2026-03-31"),
                (vec![7, 6, 5, 4, 3], 5),
            ),
            (Some("2026-03-31"), None, (vec![10, 9, 8, 7, 6], 8)),
            (None, Some("2026-03-30"), (vec![2, 1], 2)),
            (Some("2026-04-02"), None, (vec![], 0)),
        ] {
            let dated = AuditQuery {
                from: from.map(day),
                to: to.map(day),
                ..query(None, 0, 5)
            };
            assert_eq!(
                seqs(&mut store, dated),
                expected,
                "[{}] {from:?}..{to:?}",
                db.name
            );
        }
        let backwards = AuditQuery {
            from: Some(day("2026-04-01")),
            to: Some(day("2026-03-31")),
            ..query(None, 0, 5)
        };
        let refused = search(&mut store, &root, &backwards).expect_err("to before from");
        assert_eq!(
            refused.to_string(),
            "/to: 2026-03-31 is before the first day, 2026-04-01"
        );
        let zero = search(&mut store, &root, &query(None, 0, 0)).expect_err("limit 0");
        assert_eq!(zero.to_string(), "/limit: must be 1 to 1000");
        let analyst = actor(2);
        assert!(matches!(
            search(&mut store, &analyst, &query(None, 0, 5)),
            Err(crate::Error::Forbidden(_))
        ));
    }
}
