use super::deconflict::{self, Reason, Resolution};
use super::*;

const HEADER: &str =
    "kind,office,start,end,title,type,supporting_offices,partners,countries,objectives,status";

/// A register with planted conflicts and near-misses:
/// ACT-1/ACT-2: different offices, same partner, overlapping -> overlap;
/// ACT-3/ACT-4: different offices, same country, 10 days apart -> window (30 days);
/// ACT-5/ACT-6: same office, objective, partner and type, 5 days apart -> duplicate;
/// ACT-7: same partner as ACT-1 but months later -> nothing;
/// ACT-8: same country as ACT-3, same office, overlapping -> nothing;
/// ACT-9: overlaps ACT-1 on the same partner but is cancelled -> nothing.
const REGISTER: &str = "\
activity,cyber-ops,2026-01-10,2026-01-20,Incident response drill,exercise,,cert-fr,FR,1.2,completed
activity,policy,2026-01-15,2026-01-25,Policy dialogue,policy-dialogue,,cert-fr,,3.1,completed
activity,cyber-ops,2026-02-01,2026-02-05,Port security visit,engagement,,,NL,2.1,completed
activity,training,2026-02-15,2026-02-16,ICS workshop,training,,,NL,2.3,completed
activity,training,2026-03-01,2026-03-02,OT course,training,,cert-de,,2.3,planned
activity,training,2026-03-07,2026-03-08,OT course (second listing),training,,cert-de,,2.3,planned
activity,policy,2026-07-01,2026-07-05,Follow-up,policy-dialogue,,cert-fr,,3.1,planned
activity,cyber-ops,2026-02-03,2026-02-04,Port visit part two,engagement,,,NL,2.1,completed
activity,standards,2026-01-12,2026-01-13,Cancelled trip,conference,,cert-fr,,1.3,cancelled
";

fn csv(body: &str) -> Vec<u8> {
    format!("{HEADER}\n{body}").into_bytes()
}

fn pairs(store: &mut Store) -> Vec<(String, String, String, String)> {
    deconflict::flags(store, &Actor::local())
        .expect("flags")
        .into_iter()
        .map(|f| (f.activity_a, f.activity_b, f.reason, f.status))
        .collect()
}

fn open(db: &test_support::TestDb) -> Store {
    Store::open(&db.url).expect("open store")
}

fn act(n: u32) -> String {
    format!("ACT-{n:06}")
}

#[test]
fn coord_import_finds_planted_conflicts_and_no_near_misses() {
    for db in test_support::backends("coord_import") {
        let mut store = open(&db);
        let actor = Actor::local();
        let added = import(&mut store, &actor, "register.csv", &csv(REGISTER)).expect("import");
        assert_eq!(added.len(), 9, "[{}]", db.name);
        let row = |a: u32, b: u32, reason: Reason| {
            (
                act(a),
                act(b),
                reason.as_str().to_owned(),
                "open".to_owned(),
            )
        };
        assert_eq!(
            pairs(&mut store),
            vec![
                row(1, 2, Reason::Overlap),
                row(3, 4, Reason::Window),
                row(4, 8, Reason::Window),
                row(5, 6, Reason::Duplicate),
            ],
            "[{}]",
            db.name
        );
        // A narrower window drops the window flags; overlap and duplicates (5 days) stay.
        deconflict::run(&mut store, &actor, Some(7)).expect("run");
        let reasons: Vec<String> = pairs(&mut store).into_iter().map(|p| p.2).collect();
        assert_eq!(reasons, ["overlap", "duplicate"], "[{}]", db.name);
    }
}

#[test]
fn coord_bad_rows_name_file_line_and_field_and_store_nothing() {
    for db in test_support::backends("coord_bad_rows") {
        let mut store = open(&db);
        let body = "\
activity,cyber-ops,2026-01-10,2026-01-20,Drill,exercise,,cert-fr,FR,1.2,completed
activity,cyber-ops,2026-01-10,2026-01-05,Drill,exercise,,cert-fr,XX,4.1,completed
activity,cyber-ops,2026-01-10,,Drill,raid,,cert-fr,FR,1.2,completed
";
        let err = import(&mut store, &Actor::local(), "acts.csv", &csv(body))
            .expect_err("bad rows refused");
        let Error::Invalid(problems) = err else {
            panic!("[{}] expected Invalid, got {err:?}", db.name)
        };
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "acts.csv:3:/end",
                "acts.csv:3:/objectives/0",
                "acts.csv:3:/countries/0",
                "acts.csv:4:/type",
            ],
            "[{}] {problems:?}",
            db.name
        );
        assert!(list(&mut store, None).expect("list").is_empty());
    }
}

#[test]
fn coord_json_import_names_line_and_field() {
    let text = "[\n  {\"kind\": \"survey\", \"office\": \"capacity\", \"start\": \"2026-01-02\",\n   \"partner\": \"cert-fr\", \"before\": 2, \"after\": 3},\n  {\"kind\": \"survey\", \"office\": \"capacity\", \"start\": \"2026-01-02\", \"partner\": \"cert-fr\", \"before\": 2, \"after\": 9, \"colour\": 1}\n]";
    let parsed = parse_file("s.json", text.as_bytes()).expect_err("unknown field refused");
    let Error::Invalid(problems) = parsed else {
        panic!("expected Invalid")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].pointer, "s.json:4:/colour");
    // A valid one reads, and its range is checked when stored.
    let ok = parse_file(
        "s.json",
        text.split("},\n")
            .next()
            .map(|t| format!("{t}}}]"))
            .unwrap_or_default()
            .as_bytes(),
    )
    .expect("one survey");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].0, "s.json:2:");
}

#[test]
fn coord_resolved_flag_stays_resolved_across_edits_that_keep_the_reason() {
    for db in test_support::backends("coord_resolve") {
        let mut store = open(&db);
        let actor = Actor::local();
        import(&mut store, &actor, "register.csv", &csv(REGISTER)).expect("import");
        let flag = deconflict::flags(&mut store, &actor)
            .expect("flags")
            .into_iter()
            .find(|f| f.activity_a == act(1))
            .expect("the overlap flag");
        let err = deconflict::resolve(&mut store, &actor, &flag.id, Resolution::Keep, " ")
            .expect_err("a note is required");
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        deconflict::resolve(
            &mut store,
            &actor,
            &flag.id,
            Resolution::Keep,
            "different audiences",
        )
        .expect("keep");
        // Edits that keep the shared partner and the overlap: still resolved, no new flag.
        set_fields(
            &mut store,
            &actor,
            &act(2),
            &[
                ("outcomes".into(), "agreed next steps".into()),
                ("end".into(), "2026-01-28".into()),
            ],
        )
        .expect("edit");
        let now = pairs(&mut store);
        assert!(
            now.contains(&(act(1), act(2), "overlap".into(), "resolved".into())),
            "[{}] {now:?}",
            db.name
        );
        assert_eq!(now.iter().filter(|p| p.0 == act(1)).count(), 1);
        // Moving it two months away ends the conflict; bringing it back with another shared
        // country changes the reason: a new open flag.
        set_fields(
            &mut store,
            &actor,
            &act(2),
            &[("countries".into(), "FR".into())],
        )
        .expect("edit");
        let now = pairs(&mut store);
        assert!(
            now.contains(&(act(1), act(2), "overlap".into(), "open".into())),
            "[{}] {now:?}",
            db.name
        );
        let err = deconflict::resolve(&mut store, &actor, &flag.id, Resolution::Keep, "again")
            .expect_err("resolved already");
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    }
}

#[test]
fn coord_merge_folds_the_second_activity_into_the_first() {
    for db in test_support::backends("coord_merge") {
        let mut store = open(&db);
        let actor = Actor::local();
        import(&mut store, &actor, "register.csv", &csv(REGISTER)).expect("import");
        let flag = deconflict::flags(&mut store, &actor)
            .expect("flags")
            .into_iter()
            .find(|f| f.activity_a == act(5))
            .expect("the duplicate flag");
        deconflict::resolve(
            &mut store,
            &actor,
            &flag.id,
            Resolution::Merge,
            "one course",
        )
        .expect("merge");
        assert!(matches!(
            get(&mut store, &act(6)),
            Err(Error::NotFound { .. })
        ));
        let kept = get(&mut store, &act(5)).expect("kept");
        assert_eq!(
            (kept.start.as_str(), kept.end.as_str()),
            ("2026-03-01", "2026-03-08")
        );
        let flags = deconflict::flags(&mut store, &Actor::local()).expect("flags");
        let merged = flags
            .iter()
            .find(|f| f.id == flag.id)
            .expect("kept as history");
        assert_eq!(merged.resolution.as_deref(), Some("merge"), "[{}]", db.name);
        // Removing an activity takes its open flags with it.
        assert!(
            flags
                .iter()
                .any(|f| f.activity_a == act(1) && f.status == "open")
        );
        remove(&mut store, &actor, &act(2)).expect("remove");
        let flags = deconflict::flags(&mut store, &actor).expect("flags");
        assert!(
            !flags.iter().any(|f| f.activity_a == act(1)),
            "[{}] {flags:?}",
            db.name
        );
        assert!(matches!(
            remove(&mut store, &actor, &act(2)),
            Err(Error::NotFound { .. })
        ));
    }
}

#[test]
fn coord_writes_are_refused_to_analysts_and_partners_and_audited() {
    for db in test_support::backends("coord_authz") {
        let mut store = open(&db);
        let record = Record {
            id: String::new(),
            office: "governance".into(),
            start: "2026-02-01".into(),
            end: "2026-02-01".into(),
            details: Details::Governance {
                title: "Coordination charter".into(),
                form: GovernanceForm::Document,
            },
        };
        for role in [Role::Analyst, Role::Partner] {
            let actor = Actor::User {
                name: "x".into(),
                role,
                partner: None,
            };
            let err = add(&mut store, &actor, record.clone()).expect_err("refused");
            assert!(matches!(err, Error::Forbidden(_)), "{role}: {err:?}");
        }
        let coordinator = Actor::User {
            name: "cora".into(),
            role: Role::Coordinator,
            partner: None,
        };
        let stored = add(&mut store, &coordinator, record).expect("coordinator adds");
        assert_eq!(stored.id, "GOV-000001");
        let entries = store
            .audit_list(&store::AuditFilter {
                actor: None,
                action: Some("coord.add".into()),
                after: None,
                limit: 10,
            })
            .expect("audit");
        assert_eq!(entries.len(), 1, "[{}]", db.name);
        assert_eq!(entries[0].object_ids, ["GOV-000001"]);
        assert_eq!(entries[0].actor, "user:cora");
    }
}

#[test]
fn coord_records_round_trip_through_json() {
    let record = Record {
        id: "WRK-000001".into(),
        office: "workforce".into(),
        start: "2026-04-01".into(),
        end: "2026-09-30".into(),
        details: Details::Workforce {
            person: "A. Liaison".into(),
            role: WorkforceRole::LiaisonOfficer,
            briefings: vec![Briefing::PreDeployment, Briefing::Etiquette],
            improved: Some(true),
        },
    };
    let back = Record::from_json(record.to_json(), "").expect("reads back");
    assert_eq!(back, record);
}

use crate::Role;
