//! The analysis commands' JSON contracts on the hand-made world, whose answers are worked out
//! by hand from the §1 semantics in the comments, on both backends.

use serde_json::{Value, json};

use crate::{data, ok, path_str};

fn world() -> Vec<test_support::TestDb> {
    let dbs = test_support::backends("analyze");
    for db in &dbs {
        ok(
            &db.url,
            &[
                "import",
                path_str(&data("handmade/assets.csv")),
                path_str(&data("handmade/dependencies.csv")),
            ],
        );
    }
    dbs
}

fn run(db: &test_support::TestDb, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&db.url, &all)).expect("json output")
}

#[test]
fn cascade_contract() {
    for db in world() {
        // The Bude landing station takes both Atlantic cables down, hence (their group being
        // empty) Wall, the exchange, the data centre, the bank and the grid at once; the
        // hospital runs 12 hours on its own before the grid's loss counts. The Gulf pipeline
        // and everything upstream of it stays up.
        let got = run(&db, &["analyze", "cascade", "ls:gb:bude"]);
        let failed: Vec<(String, f64, Option<String>)> = got["failed"]
            .as_array()
            .expect("failed")
            .iter()
            .map(|f| {
                (
                    f["asset"].as_str().expect("asset").to_owned(),
                    f["time_hours"].as_f64().expect("time"),
                    f["cause"].as_str().map(str::to_owned),
                )
            })
            .collect();
        let expected = [
            ("bank:nyc-1", 0.0, Some("dc:ashburn-1")),
            ("cable:atlantic-1", 0.0, Some("ls:gb:bude")),
            ("cable:atlantic-2", 0.0, Some("ls:gb:bude")),
            ("dc:ashburn-1", 0.0, Some("ixp:nyc")),
            ("grid:east", 0.0, Some("dc:ashburn-1")),
            ("ixp:nyc", 0.0, Some("ls:us:wall")),
            ("ls:gb:bude", 0.0, None),
            ("ls:us:wall", 0.0, Some("cable:atlantic-1")),
            ("hospital:boston-1", 12.0, Some("grid:east")),
        ]
        .map(|(a, t, c)| (a.to_owned(), t, c.map(str::to_owned)));
        assert_eq!(failed, expected, "[{}]", db.name);
        assert_eq!(got["impact"], json!(7.0), "[{}]", db.name);
        let ncfs: Vec<&str> = got["ncf"]
            .as_array()
            .expect("ncf")
            .iter()
            .map(|n| n["ncf"].as_str().expect("id"))
            .collect();
        assert_eq!(
            ncfs,
            [
                "NCF-C03", "NCF-C04", "NCF-D01", "NCF-D03", "NCF-M15", "NCF-M19", "NCF-M20"
            ]
        );
    }
}

#[test]
fn rank_contract_and_history() {
    for db in world() {
        // Losing the Qatari LNG train starves the pipeline, then (after 720 + 168 hours of
        // buffers) the grid, the data centre, the bank and the hospital: 7 NCFs, like Bude. Each
        // Atlantic cable alone is covered by its twin. The Japanese-owned data centre is ranked
        // as foreign-owned.
        let rows = run(&db, &["analyze", "rank"]);
        let got: Vec<(String, f64, bool, Option<u64>)> = rows
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                assert_eq!(
                    r["priority"], r["impact"],
                    "exposure and threat are 0 for now"
                );
                (
                    r["asset"].as_str().expect("asset").to_owned(),
                    r["impact"].as_f64().expect("impact"),
                    r["foreign_owned"].as_bool().expect("flag"),
                    r["previous_rank"].as_u64(),
                )
            })
            .collect();
        let expected = [
            ("lng:qatar-1", 7.0, false),
            ("ls:gb:bude", 7.0, false),
            ("dc:ashburn-1", 6.0, true),
            ("mine:na-1", 1.0, false),
            ("cable:atlantic-1", 0.0, false),
            ("cable:atlantic-2", 0.0, false),
        ]
        .map(|(a, i, f)| (a.to_owned(), i, f, None));
        assert_eq!(got, expected, "[{}]", db.name);
        let again = run(&db, &["analyze", "rank"]);
        assert_eq!(again[0]["previous_rank"], json!(1));
        let history = run(&db, &["analyze", "rank", "--history", "dc:ashburn-1"]);
        let ranks: Vec<&Value> = history
            .as_array()
            .expect("history")
            .iter()
            .map(|h| &h["rank"])
            .collect();
        assert_eq!(ranks, [&json!(3), &json!(3)], "[{}]", db.name);
    }
}

#[test]
fn scenarios_by_country_and_circle() {
    for db in world() {
        // A 100 km circle around Bude holds only the landing station; Qatar holds the LNG train.
        ok(
            &db.url,
            &[
                "analyze",
                "scenario",
                "save",
                "bude and qatar",
                "--circle",
                "50.8,-4.5,100",
                "--countries",
                "QA",
            ],
        );
        let list = run(&db, &["analyze", "scenario", "list"]);
        assert_eq!(list[0]["name"], json!("bude and qatar"));
        let got = run(&db, &["analyze", "scenario", "run", "bude and qatar"]);
        let initial: Vec<&str> = got["failed"]
            .as_array()
            .expect("failed")
            .iter()
            .filter(|f| f["cause"].is_null())
            .map(|f| f["asset"].as_str().expect("id"))
            .collect();
        assert_eq!(initial, ["lng:qatar-1", "ls:gb:bude"], "[{}]", db.name);
        // Everything with an NCF but the Namibian mine fails: 7 NCFs plus the pipeline's.
        assert_eq!(got["impact"], json!(8.0), "[{}]", db.name);
        ok(
            &db.url,
            &["analyze", "scenario", "delete", "bude and qatar"],
        );
        assert_eq!(run(&db, &["analyze", "scenario", "list"]), json!([]));
    }
}

#[test]
fn exposure_spof_and_summary() {
    for db in world() {
        // The hospital's closure: grid, data centre, exchange, Wall, both cables, Bude, the
        // pipeline and the LNG train; the foreign ones are the cables, Bude and Qatar.
        let rows = run(&db, &["analyze", "exposure", "hospital:boston-1"]);
        let mut foreign: Vec<(&str, bool)> = rows
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["asset"].as_str().expect("id"),
                    r["single_point_of_failure"].as_bool().expect("flag"),
                )
            })
            .collect();
        foreign.sort();
        assert_eq!(
            foreign,
            [
                ("cable:atlantic-1", false),
                ("cable:atlantic-2", false),
                ("lng:qatar-1", true),
                ("ls:gb:bude", true)
            ],
            "[{}]",
            db.name
        );
        let spof = run(&db, &["analyze", "spof", "--asset", "lng:qatar-1"]);
        assert_eq!(
            spof["domestic_down"],
            json!([
                "bank:nyc-1",
                "dc:ashburn-1",
                "grid:east",
                "hospital:boston-1",
                "pipeline:gulf"
            ])
        );
        let summary = run(&db, &["analyze", "summary"]);
        assert_eq!(
            (
                summary["assets"].clone(),
                summary["dependencies"].clone(),
                summary["foreign"].clone()
            ),
            (json!(12), json!(13), json!(5))
        );
    }
}
