use super::report::{CSV_HEADER, Format, number, render};
use super::*;
use crate::coordination::{Briefing, GovernanceForm, WorkforceRole};

fn record(id: &str, office: &str, start: &str, end: &str, details: Details) -> Record {
    Record {
        id: id.to_owned(),
        office: office.to_owned(),
        start: start.to_owned(),
        end: end.to_owned(),
        details,
    }
}

fn activity(
    id: &str,
    office: &str,
    dates: (&str, &str),
    supporting: &[&str],
    objectives: &[&str],
    kind: ActivityType,
    status: ActivityStatus,
) -> Record {
    record(
        id,
        office,
        dates.0,
        dates.1,
        Details::Activity {
            title: id.to_owned(),
            activity_type: kind,
            supporting_offices: supporting.iter().map(|s| (*s).to_owned()).collect(),
            partners: vec!["cert-fr".to_owned()],
            countries: Vec::new(),
            objectives: objectives.iter().map(|s| (*s).to_owned()).collect(),
            status,
            outcomes: String::new(),
            lessons_learned: String::new(),
        },
    )
}

fn assessment(id: &str, date: &str, competent: bool) -> Record {
    record(
        id,
        "training",
        date,
        date,
        Details::Assessment {
            course: "ICS".into(),
            participant: id.into(),
            partner: "cert-fr".into(),
            competent,
        },
    )
}

fn deployment(id: &str, date: &str, briefings: &[Briefing], improved: Option<bool>) -> Record {
    record(
        id,
        "workforce",
        date,
        date,
        Details::Workforce {
            person: id.into(),
            role: WorkforceRole::Attache,
            briefings: briefings.to_vec(),
            improved,
        },
    )
}

fn q(text: &str) -> Quarter {
    Quarter::parse(text).expect("a quarter")
}

/// The value, numerator, denominator and drill-down of `id` in 2026Q2 over `data`.
fn check(data: &Data, id: &str, expected: (f64, Option<u64>, Option<u64>, &[&str])) {
    let m = definition(id).expect("a measure");
    let v = data.value(m, q("2026Q2"));
    assert_eq!(
        (v.value, v.numerator, v.denominator, v.records.clone()),
        (
            expected.0,
            expected.1,
            expected.2,
            expected
                .3
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        ),
        "{id}"
    );
}

fn sample() -> Data {
    use ActivityStatus::{Cancelled, Completed};
    use ActivityType::{Exercise, JointOperation};
    let all = Briefing::ALL.to_vec();
    Data {
        records: vec![
            // Under way in Q2 with a supporting office; one spans Q1-Q2; one cancelled; one
            // after Q2.
            activity(
                "ACT-1",
                "ops",
                ("2026-04-02", "2026-04-05"),
                &["policy"],
                &["1.1"],
                JointOperation,
                Completed,
            ),
            activity(
                "ACT-2",
                "ops",
                ("2026-03-20", "2026-04-10"),
                &["international-affairs"],
                &["1.1", "3.2"],
                Exercise,
                Completed,
            ),
            activity(
                "ACT-3",
                "ops",
                ("2026-05-01", "2026-05-02"),
                &["policy"],
                &["1.2", "2.1"],
                JointOperation,
                Cancelled,
            ),
            activity(
                "ACT-4",
                "ops",
                ("2026-07-01", "2026-07-02"),
                &["policy"],
                &["1.1"],
                JointOperation,
                Completed,
            ),
            activity(
                "ACT-5",
                "ops",
                ("2026-06-01", "2026-06-30"),
                &[],
                &["2.3", "3.3"],
                Exercise,
                Completed,
            ),
            assessment("ASM-1", "2026-04-10", true),
            assessment("ASM-2", "2026-05-10", true),
            assessment("ASM-3", "2026-06-10", false),
            assessment("ASM-4", "2026-03-10", false),
            deployment("WRK-1", "2026-04-01", &all, Some(true)),
            deployment("WRK-2", "2026-05-01", &all[..2], Some(false)),
            deployment("WRK-3", "2026-06-01", &all, None),
            record(
                "GOV-1",
                "gov",
                "2026-05-05",
                "2026-05-05",
                Details::Governance {
                    title: "Charter".into(),
                    form: GovernanceForm::Document,
                },
            ),
            record(
                "GOV-2",
                "gov",
                "2026-01-05",
                "2026-01-05",
                Details::Governance {
                    title: "Process".into(),
                    form: GovernanceForm::Process,
                },
            ),
            record(
                "SRV-1",
                "cap",
                "2026-04-01",
                "2026-04-01",
                Details::Survey {
                    partner: "cert-fr".into(),
                    before: 2,
                    after: 2,
                },
            ),
            record(
                "SRV-2",
                "cap",
                "2026-05-01",
                "2026-05-01",
                Details::Survey {
                    partner: "cert-fr".into(),
                    before: 2,
                    after: 4,
                },
            ),
            record(
                "SRV-3",
                "cap",
                "2026-05-01",
                "2026-05-01",
                Details::Survey {
                    partner: "cert-de".into(),
                    before: 3,
                    after: 3,
                },
            ),
        ],
        ..Data::default()
    }
}

#[test]
fn coord_measures_recomputed_by_hand() {
    let data = sample();
    // 1.1a: under way in Q2, not cancelled, with a supporting office: ACT-1, ACT-2.
    check(&data, "1.1a", (2.0, None, None, &["ACT-1", "ACT-2"]));
    // 1.2a: joint operations under way, not cancelled: ACT-1 (ACT-3 cancelled, ACT-4 in Q3).
    check(&data, "1.2a", (1.0, None, None, &["ACT-1"]));
    // 2.3b: 2 of the 3 Q2 assessments competent (ASM-4 is in Q1).
    check(
        &data,
        "2.3b",
        (66.7, Some(2), Some(3), &["ASM-1", "ASM-2", "ASM-3"]),
    );
    // 3.3a: every briefing for WRK-1 and WRK-3, not WRK-2.
    check(
        &data,
        "3.3a",
        (66.7, Some(2), Some(3), &["WRK-1", "WRK-2", "WRK-3"]),
    );
    // 3.3b: of the two who answered, one improved.
    check(&data, "3.3b", (50.0, Some(1), Some(2), &["WRK-1", "WRK-2"]));
    // 3.1: GOV-1 only (GOV-2 is in Q1).
    check(&data, "3.1", (1.0, None, None, &["GOV-1"]));
    // 2.3d: the latest answer per partner: cert-fr stronger (SRV-2), cert-de not.
    check(&data, "2.3d", (50.0, Some(1), Some(2), &["SRV-3", "SRV-2"]));
    // 3.2a: cross-cutting (two goals) and under way: ACT-2 (through IA), ACT-5 (not).
    check(&data, "3.2a", (50.0, Some(1), Some(2), &["ACT-2", "ACT-5"]));
    // Nothing to count: 0, and 0 of 0 for percentages.
    check(&data, "2.1b", (0.0, Some(0), Some(0), &[]));
}

#[test]
fn coord_quarters_read_and_step() {
    assert_eq!(q("2026q1").previous(), q("2025Q4"));
    assert_eq!(q("2026-Q3").to_string(), "2026Q3");
    assert_eq!(Quarter::of("2026-11-30T10:00:00Z"), Some(q("2026Q4")));
    assert!(q("2026Q2").contains("2026-06-30T23:59:59Z"));
    assert!(!q("2026Q2").contains("2026-07-01"));
    assert_eq!(Quarter::parse("2026Q5"), None);
    assert_eq!(
        q("2026Q1").trailing(3),
        [q("2025Q3"), q("2025Q4"), q("2026Q1")]
    );
}

#[test]
fn coord_every_measure_is_defined_once_in_the_plans_shape() {
    let mut per_objective: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &MEASURES {
        *per_objective.entry(m.objective).or_default() += 1;
        assert!(m.id.starts_with(m.objective), "{}", m.id);
        assert!(!m.definition.is_empty());
    }
    let shape: Vec<(&str, usize)> = per_objective.into_iter().collect();
    assert_eq!(
        shape,
        [
            ("1.1", 3),
            ("1.2", 2),
            ("1.3", 1),
            ("2.1", 3),
            ("2.2", 2),
            ("2.3", 4),
            ("3.1", 1),
            ("3.2", 2),
            ("3.3", 2)
        ]
    );
    let data = sample();
    for m in &MEASURES {
        let _ = data.value(m, q("2026Q2"));
    }
}

#[test]
fn coord_review_formats_carry_the_same_numbers() {
    let data = sample();
    let mut targets: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    targets
        .entry("2.3b".into())
        .or_default()
        .insert("2026Q2".into(), 60.0);
    targets
        .entry("1.1a".into())
        .or_default()
        .insert("2026Q2".into(), 3.0);
    targets
        .entry("3.1".into())
        .or_default()
        .insert("2026Q2".into(), 2.0);
    let review = build_review(&data, &targets, q("2026Q2"));
    let status = |id: &str| {
        review
            .rows
            .iter()
            .find(|r| r.value.measure.id == id)
            .map(|r| (r.status, r.previous, r.change))
    };
    // 2.3b: 66.7 ≥ 60; 1.1a: 2 < 3, up from 1 (ACT-2 in Q1); 3.1: 1 < 2, level with Q1.
    assert_eq!(status("2.3b"), Some((Status::Met, 0.0, 66.7)));
    assert_eq!(status("1.1a"), Some((Status::Improving, 1.0, 1.0)));
    assert_eq!(status("3.1"), Some((Status::Behind, 1.0, 0.0)));
    assert_eq!(status("1.3").map(|s| s.0), Some(Status::NoTarget));

    let json: serde_json::Value =
        serde_json::from_str(&render(&review, Format::Json)).expect("JSON");
    let csv_text = render(&review, Format::Csv);
    let mut csv = ::csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(csv.headers().expect("header"), CSV_HEADER.as_slice());
    let csv_rows: Vec<::csv::StringRecord> = csv.records().map(|r| r.expect("row")).collect();
    let md = render(&review, Format::Markdown);
    let html = render(&review, Format::Html);
    assert_eq!(csv_rows.len(), MEASURES.len());
    for (i, row) in review.rows.iter().enumerate() {
        let id = row.value.measure.id;
        let value = number(row.value.value);
        let j = &json["measures"][i];
        assert_eq!(j["measure"], id);
        assert_eq!(
            number(j["value"].as_f64().expect("value")),
            value,
            "{id} json"
        );
        assert_eq!(
            number(j["previous"].as_f64().expect("previous")),
            number(row.previous)
        );
        assert_eq!(&csv_rows[i][1], id);
        assert_eq!(&csv_rows[i][5], value, "{id} csv");
        assert_eq!(&csv_rows[i][8], number(row.previous), "{id} csv previous");
        assert_eq!(&csv_rows[i][11], row.status.as_str());
        assert!(
            html.contains(&format!("data-measure=\"{id}\""))
                && html.contains(&format!("data-value=\"{value}\"")),
            "{id} html"
        );
        let md_line = md
            .lines()
            .find(|l| l.starts_with(&format!("| {id} |")))
            .expect("a markdown row");
        assert!(
            md_line.contains(&format!("| {value}")),
            "{id} md: {md_line}"
        );
        // A percentage's previous value carries its unit, and its change is in points.
        let (previous, change) = match row.value.measure.unit {
            Unit::Percent => (format!("| {}% |", number(row.previous)), " pts |"),
            Unit::Count => (format!("| {} |", number(row.previous)), " |"),
        };
        assert!(
            md_line.contains(&previous) && md_line.contains(change),
            "{id} md: {md_line}"
        );
    }
    // Self-contained: no external reference of any kind.
    for needle in ["http://", "https://", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(needle), "the HTML refers to {needle}");
    }
    assert_eq!(html.matches("<svg").count(), MEASURES.len());
}

#[test]
fn coord_targets_are_stored_per_measure_and_quarter() {
    for db in test_support::backends("coord_targets") {
        let mut store = Store::open(&db.url).expect("open");
        let actor = Actor::local();
        set_target(&mut store, &actor, "2.3b", q("2026Q3"), 75.0).expect("set");
        set_target(&mut store, &actor, "2.3b", q("2026Q3"), 80.5).expect("replace");
        set_target(&mut store, &actor, "1.1a", q("2026Q3"), 12.0).expect("set");
        let err = set_target(&mut store, &actor, "2.3b", q("2026Q3"), 120.0).expect_err("over 100");
        assert!(matches!(err, Error::Invalid(_)));
        let err = set_target(&mut store, &actor, "9.9", q("2026Q3"), 1.0).expect_err("no measure");
        assert!(matches!(err, Error::Invalid(_)));
        let analyst = Actor::User {
            name: "a".into(),
            role: crate::Role::Analyst,
            partner: None,
        };
        let err = set_target(&mut store, &analyst, "1.1a", q("2026Q3"), 1.0).expect_err("analyst");
        assert!(matches!(err, Error::Forbidden(_)));
        let stored = targets(&mut store).expect("targets");
        assert_eq!(stored["2.3b"]["2026Q3"], 80.5, "[{}]", db.name);
        assert_eq!(stored["1.1a"]["2026Q3"], 12.0);
        let review = review(&mut store, &actor, q("2026Q3")).expect("review");
        let row = review
            .rows
            .iter()
            .find(|r| r.value.measure.id == "1.1a")
            .expect("row");
        assert_eq!((row.target, row.status), (Some(12.0), Status::Behind));
    }
}

#[test]
fn coord_an_annual_plan_imports_all_or_nothing_naming_each_problem() {
    for db in test_support::backends("coord_plan") {
        let mut store = Store::open(&db.url).expect("open");
        let actor = Actor::local();
        set_target(&mut store, &actor, "3.1", q("2026Q1"), 5.0).expect("set");
        let before = targets(&mut store).expect("targets");
        let audit_rows = |store: &mut Store| {
            crate::audit::list(
                store,
                &store::AuditFilter {
                    action: Some("measure.plan".into()),
                    limit: 10,
                    ..store::AuditFilter::default()
                },
            )
            .expect("audit")
            .len()
        };
        let bad = "measure,quarter,target\n\
                   2.3b,2026Q1,75\n\
                   2.3b,2026Q5,75\n\
                   9.9,2026Q1,1\n\
                   2.3b,2026Q2,120\n\
                   1.1a,2026Q1,many\n\
                   2.3b,2026q1,80\n";
        let Err(Error::Invalid(problems)) =
            import_plan(&mut store, &actor, "plan.csv", bad.as_bytes())
        else {
            panic!("[{}] a bad plan is refused", db.name);
        };
        let found: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.pointer.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("plan.csv:3:/quarter", "\"2026Q5\": expected 2026Q3"),
                (
                    "plan.csv:4:/measure",
                    "\"9.9\" is not a measure of the plan"
                ),
                ("plan.csv:5:/target", "120: expected 0 to 100"),
                ("plan.csv:6:/target", "\"many\": expected a number"),
                ("plan.csv:6:", "missing field `target`"),
                (
                    "plan.csv:7:/measure",
                    "2.3b for 2026Q1 is already set at plan.csv:2:"
                ),
            ],
            "[{}]",
            db.name
        );
        assert_eq!(
            targets(&mut store).expect("targets"),
            before,
            "[{}] nothing stored",
            db.name
        );
        assert_eq!(audit_rows(&mut store), 0);

        let json = r#"[
          {"measure": "2.3b", "quarter": "2026Q1", "target": 60},
          {"measure": "2.3b", "quarter": "2026Q2", "target": 65.5},
          {"measure": "3.1", "quarter": "2026Q1", "target": 2}
        ]"#;
        let set = import_plan(&mut store, &actor, "plan.json", json.as_bytes()).expect("import");
        assert_eq!(set.len(), 3);
        let stored = targets(&mut store).expect("targets");
        assert_eq!(
            (
                stored["2.3b"]["2026Q1"],
                stored["2.3b"]["2026Q2"],
                stored["3.1"]["2026Q1"]
            ),
            (60.0, 65.5, 2.0),
            "[{}]",
            db.name
        );
        assert_eq!(audit_rows(&mut store), 1, "[{}] audited once", db.name);
        let typo = r#"[{"measure": "2.3b", "quarter": "2026Q3", "target": 1, "traget": 2}]"#;
        let Err(Error::Invalid(problems)) =
            import_plan(&mut store, &actor, "t.json", typo.as_bytes())
        else {
            panic!("an unknown field is refused");
        };
        assert!(problems[0].message.contains("traget"), "{problems:?}");
        let analyst = Actor::User {
            name: "a".into(),
            role: crate::Role::Analyst,
            partner: None,
        };
        assert!(matches!(
            import_plan(&mut store, &analyst, "plan.json", json.as_bytes()),
            Err(Error::Forbidden(_))
        ));
    }
}
