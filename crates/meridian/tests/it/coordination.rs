//! `meridian activity|record|deconflict|measures` end to end, on the demo's register.

use serde_json::Value;

use super::{meridian, ok};

fn json(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("JSON output")
}

#[test]
fn coord_demo_register_has_every_measure_and_only_the_planted_conflicts() {
    for db in test_support::backends("cli coord demo") {
        let url = db.url.as_str();
        ok(url, &["demo", "--quiet"]);
        // The last complete quarter, the default: every measure non-zero.
        let values = json(url, &["measures", "list"]);
        let values = values.as_array().expect("measures");
        assert_eq!(values.len(), 20);
        for v in values {
            assert!(
                v["value"].as_f64().is_some_and(|x| x > 0.0)
                    && !v["records"].as_array().expect("records").is_empty(),
                "[{}] {} is zero: {v}",
                db.name,
                v["measure"]
            );
        }
        // The planted conflicts, and nothing else.
        let flags = json(url, &["deconflict"]);
        let mut reasons: Vec<String> = flags
            .as_array()
            .expect("flags")
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["reason"].as_str().expect("reason"),
                    f["detail"]
                        .as_str()
                        .expect("detail")
                        .split(';')
                        .next()
                        .unwrap_or_default()
                )
            })
            .collect();
        reasons.sort();
        assert_eq!(
            reasons,
            [
                "duplicate objective 2.3, partner au-cyber-desk (synthetic), type training",
                "overlap partner asean-cyber-centre (synthetic)",
                "overlap partner gulf-cert-forum (synthetic)",
                "window country KE",
            ],
            "[{}]",
            db.name
        );
        // A measure recomputed by hand from the records: 2.3b is the share of competent
        // assessments dated in the quarter.
        let m = json(url, &["measures", "show", "2.3b"]);
        let quarter = m["quarter"].as_str().expect("quarter").to_owned();
        let (first, last) = quarter_days(&quarter);
        let assessments = json(url, &["record", "list", "--kind", "assessment"]);
        // Every session and assessment names a course of the catalogue.
        let courses: Vec<String> = json(url, &["record", "list", "--kind", "course"])
            .as_array()
            .expect("courses")
            .iter()
            .filter_map(|c| c["title"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(courses.len(), 2, "[{}] {courses:?}", db.name);
        let sessions = json(url, &["record", "list", "--kind", "training"]);
        for r in sessions
            .as_array()
            .expect("sessions")
            .iter()
            .chain(assessments.as_array().expect("assessments"))
        {
            let course = r["course"].as_str().unwrap_or_default();
            assert!(
                courses.iter().any(|c| c == course),
                "[{}] {course:?} is not in the catalogue",
                db.name
            );
        }
        let in_quarter: Vec<&Value> = assessments
            .as_array()
            .expect("records")
            .iter()
            .filter(|r| {
                (first.as_str()..=last.as_str()).contains(&r["start"].as_str().expect("start"))
            })
            .collect();
        let competent = in_quarter.iter().filter(|r| r["competent"] == true).count();
        assert_eq!(m["numerator"], competent as u64, "[{}]", db.name);
        assert_eq!(m["denominator"], in_quarter.len() as u64);
        let share = (1000.0 * competent as f64 / in_quarter.len() as f64).round() / 10.0;
        assert_eq!(m["value"].as_f64(), Some(share));
        // The review's four formats carry the same value for it.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut seen = Vec::new();
        for format in ["json", "csv", "md", "html"] {
            let out = dir.path().join(format!("review.{format}"));
            ok(
                url,
                &[
                    "measures",
                    "review",
                    "--format",
                    format,
                    "--out",
                    out.to_str().expect("path"),
                ],
            );
            seen.push(std::fs::read_to_string(out).expect("review"));
        }
        let text = number(share);
        assert!(
            seen[1].contains(&format!(
                ",2.3b,2.3,Participants with required competencies,percent,{text},"
            )),
            "csv"
        );
        assert!(
            seen[2].contains(&format!(
                "| 2.3b | Participants with required competencies | {text}%"
            )),
            "md"
        );
        assert!(seen[3].contains(&format!("data-value=\"{text}\"")), "html");
        let review: Value = serde_json::from_str(&seen[0]).expect("json");
        assert!(
            review["measures"]
                .as_array()
                .expect("rows")
                .iter()
                .any(|r| r["measure"] == "2.3b" && r["value"].as_f64() == Some(share))
        );
    }
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The first and last day of `2026Q3`.
fn quarter_days(quarter: &str) -> (String, String) {
    let (year, q) = quarter.split_once('Q').expect("a quarter");
    let q: u32 = q.parse().expect("1-4");
    let last = ["03-31", "06-30", "09-30", "12-31"][q as usize - 1];
    (
        format!("{year}-{:02}-01", (q - 1) * 3 + 1),
        format!("{year}-{last}"),
    )
}

#[test]
fn coord_import_errors_name_file_line_and_field() {
    let db = test_support::backends("cli coord import").remove(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("acts.csv");
    std::fs::write(
        &file,
        "kind,office,start,title,type,partners,objectives,status\n\
         activity,ops,2026-05-01,Drill,exercise,cert-fr,1.2,planned\n\
         activity,ops,2026-05-40,Drill,exercise,cert-fr,1.2,planned\n",
    )
    .expect("write");
    let out = meridian(
        &db.url,
        &["activity", "import", file.to_str().expect("path")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("acts.csv:3:/start"), "{err}");
    let listed = json(&db.url, &["activity", "list"]);
    assert_eq!(listed, Value::Array(Vec::new()), "nothing imported");
}
