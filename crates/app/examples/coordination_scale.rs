//! Scale check of the coordination register (issue 11: ≤ 1 s each at 100,000 records):
//! deconfliction of N activities, and the quarterly review over a year of N mixed records, in
//! memory and then through a store (import, review as the CLI runs it): a new SQLite file, or
//! the empty database given as the second argument.
//!
//! `cargo run --release -p app --example coordination_scale -- 100000 [postgres://…]`

use std::time::Instant;

use app::Actor;
use app::coordination::deconflict;
use app::coordination::{
    ActivityStatus, ActivityType, Briefing, Details, GovernanceForm, Record, StandardStage,
    WorkforceRole,
};
use app::measures::{self, Data, Quarter};

/// splitmix64: a deterministic stream without a dependency.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn date(day_of_year: u64) -> String {
    let d = time::Date::from_ordinal_date(2026, u16::try_from(day_of_year % 365 + 1).unwrap_or(1))
        .expect("a day of 2026");
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn activity(i: u64) -> Details {
    let h = mix(i);
    Details::Activity {
        title: format!("Activity {i}"),
        activity_type: ActivityType::ALL[(h % 8) as usize],
        supporting_offices: if h & 1 == 0 {
            vec!["policy".into()]
        } else {
            Vec::new()
        },
        // 5,000 partner organisations; three activities in ten also name one of
        // the ISO countries.
        partners: vec![format!("partner-{}", (h >> 8) % 5000)],
        countries: if (h >> 50) % 10 < 3 {
            let all = model::countries();
            vec![
                all[((h >> 20) % all.len() as u64) as usize]
                    .alpha2
                    .to_owned(),
            ]
        } else {
            Vec::new()
        },
        objectives: vec![["1.1", "1.2", "2.1", "2.3", "3.2"][((h >> 30) % 5) as usize].to_owned()],
        status: ActivityStatus::Completed,
        outcomes: String::new(),
        lessons_learned: String::new(),
    }
}

fn details(i: u64) -> Details {
    let h = mix(i ^ 0xabcd);
    let partner = format!("partner-{}", h % 5000);
    match h % 10 {
        0..=3 => activity(i),
        4 => Details::Assessment {
            course: "ICS".into(),
            participant: format!("p{i}"),
            partner,
            competent: h & 16 == 0,
        },
        5 => Details::Survey {
            partner,
            before: 2,
            after: u8::try_from(1 + (h >> 8) % 5).unwrap_or(3),
        },
        6 => Details::Workforce {
            person: format!("officer {i}"),
            role: WorkforceRole::Attache,
            briefings: Briefing::ALL[..(1 + (h >> 8) % 4) as usize].to_vec(),
            improved: Some(h & 32 == 0),
        },
        7 => Details::Standard {
            title: format!("Standard {i}"),
            body: "IETF".into(),
            stage: StandardStage::Publication,
            secure_development: h & 64 == 0,
        },
        8 => Details::Governance {
            title: format!("Process {i}"),
            form: GovernanceForm::Process,
        },
        _ => Details::Service {
            partner,
            service: "support".into(),
            gaps: vec!["ICS monitoring".into()],
        },
    }
}

fn record(i: u64, details: Details) -> Record {
    let h = mix(i ^ 0x5eed);
    let start = h % 365;
    Record {
        id: format!("R-{i:07}"),
        office: format!("office-{}", (h >> 12) % 20),
        start: date(start),
        end: date((start + (h >> 40) % 5).min(364)),
        details,
    }
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);

    let activities: Vec<Record> = (0..n).map(|i| record(i, activity(i))).collect();
    let started = Instant::now();
    let found = deconflict::find(&activities, deconflict::DEFAULT_WINDOW_DAYS);
    println!(
        "deconflict {n} activities (window {} days): {} flags in {:.3} s",
        deconflict::DEFAULT_WINDOW_DAYS,
        found.len(),
        seconds(started)
    );

    let data = Data {
        records: (0..n).map(|i| record(i, details(i))).collect(),
        ..Data::default()
    };
    let quarter = Quarter::parse("2026Q3").expect("a quarter");
    let started = Instant::now();
    let review = measures::build_review(&data, &Default::default(), quarter);
    let html = measures::report::html(&review);
    println!(
        "review over {n} records in memory (20 measures, 4 quarters, HTML {} KiB): {:.3} s",
        html.len() / 1024,
        seconds(started)
    );

    // The same through a store, as `meridian record import` and `meridian measures review`:
    // the database named by the second argument (it must hold no records), else a new SQLite
    // file.
    let dir = tempfile::tempdir()?;
    let url = std::env::args()
        .nth(2)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("scale.db").display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut store = store::Store::open(&url)?;
    let actor = Actor::Local("bench".into());
    let rows: Vec<serde_json::Value> = data
        .records
        .iter()
        .map(|r| {
            let mut json = r.to_json();
            if let Some(o) = json.as_object_mut() {
                o.remove("id");
            }
            json
        })
        .collect();
    let bytes = serde_json::to_vec(&rows)?;
    let started = Instant::now();
    let stored = app::coordination::import(&mut store, &actor, "scale.json", &bytes)?;
    println!(
        "import {} records into {backend} (with deconfliction and the audit entry): {:.3} s",
        stored.len(),
        seconds(started)
    );
    let started = Instant::now();
    let review = measures::review(&mut store, &actor, quarter)?;
    let _ = measures::report::html(&review);
    println!(
        "review from {backend} (load + compute + HTML): {:.3} s",
        seconds(started)
    );
    Ok(())
}
