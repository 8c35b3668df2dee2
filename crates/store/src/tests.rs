use std::path::PathBuf;

use crate::row::{ncf_mask, sector_mask};
use crate::url::Target;

fn check_url(url: &str, expected: Option<Target>) {
    assert_eq!(Target::parse(url).ok(), expected, "{url}");
}

fn pg(url: &str, schema: Option<&str>) -> Option<Target> {
    Some(Target::Postgres {
        url: url.to_owned(),
        schema: schema.map(str::to_owned),
    })
}

#[test]
fn urls() {
    check_url("sqlite::memory:", Some(Target::SqliteMemory));
    check_url(
        "sqlite://./meridian.db",
        Some(Target::SqliteFile(PathBuf::from("./meridian.db"))),
    );
    check_url(
        "sqlite:///var/lib/m.db",
        Some(Target::SqliteFile(PathBuf::from("/var/lib/m.db"))),
    );
    check_url(
        "meridian.db",
        Some(Target::SqliteFile(PathBuf::from("meridian.db"))),
    );
    check_url("postgres://u@h/db", pg("postgres://u@h/db", None));
    check_url(
        "postgresql://u@h/db?schema=t_1",
        pg("postgresql://u@h/db", Some("t_1")),
    );
    check_url(
        "postgres://u@h/db?sslmode=disable&schema=s&connect_timeout=3",
        pg(
            "postgres://u@h/db?sslmode=disable&connect_timeout=3",
            Some("s"),
        ),
    );
    check_url("postgres://u@h/db?schema=bad;drop", None);
    check_url("postgres://u@h/db?schema=", None);
    check_url("mysql://u@h/db", None);
    check_url("sqlite://", None);
    check_url("", None);
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn masks() {
    assert_eq!(sector_mask(&strings(&[])), 0);
    let energy = model::sector_index("ENERGY").expect("ENERGY is a sector");
    assert_eq!(
        sector_mask(&strings(&["ENERGY", "NOT-A-SECTOR", "ENERGY"])),
        1 << energy
    );
    let last = model::ncfs().last().expect("55 NCFs");
    assert_eq!(
        ncf_mask(&strings(&[last.id])),
        1 << (model::ncfs().len() - 1)
    );
    assert!(
        model::ncfs().len() < 63,
        "NCF bits fit a signed 64-bit mask"
    );
    assert!(
        model::sectors().len() <= 16,
        "sector bits fit the compact u16 mask"
    );
}
