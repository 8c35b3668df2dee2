//! Reference data compiled into the binary. The CSV files in `data/` are copies of
//! `shared/data/reference/` (see that folder's README for provenance); they are parsed once.

use std::sync::OnceLock;

/// The four areas of the National Critical Functions set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum NcfCategory {
    Connect,
    Distribute,
    Manage,
    Supply,
}

/// One of CISA's 55 National Critical Functions. `id` is this project's own key (`NCF-C01`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ncf {
    pub id: &'static str,
    pub category: NcfCategory,
    pub name: &'static str,
}

/// One of the 16 critical infrastructure sectors (PPD-21 / NSM-22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sector {
    pub id: &'static str,
    pub name: &'static str,
}

/// An ISO 3166-1 country, plus the user-assigned `ZZ` for international waters and space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country {
    pub alpha2: &'static str,
    pub name: &'static str,
    pub region: &'static str,
}

const NCF_CSV: &str = include_str!("../data/ncf.csv");
const SECTORS_CSV: &str = include_str!("../data/sectors.csv");
const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");

/// Splits one line of the reference CSVs, honouring double quotes (the files contain no
/// escaped quotes and no embedded newlines).
fn split_csv_line(line: &'static str) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped.find('"').expect("reference CSV: closing quote");
            fields.push(&stripped[..end]);
            rest = &stripped[end + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            fields.push(&rest[..end]);
            rest = &rest[end..];
        }
        match rest.strip_prefix(',') {
            Some(r) => rest = r,
            None => return fields,
        }
    }
}

fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(split_csv_line)
}

/// All 55 NCFs in file order; an NCF's position here is its compact index.
pub fn ncfs() -> &'static [Ncf] {
    static NCFS: OnceLock<Vec<Ncf>> = OnceLock::new();
    NCFS.get_or_init(|| {
        rows(NCF_CSV)
            .map(|f| Ncf {
                id: f[0],
                category: match f[1] {
                    "Connect" => NcfCategory::Connect,
                    "Distribute" => NcfCategory::Distribute,
                    "Manage" => NcfCategory::Manage,
                    "Supply" => NcfCategory::Supply,
                    other => panic!("reference ncf.csv: unknown category {other}"),
                },
                name: f[2],
            })
            .collect()
    })
}

/// All 16 sectors in file order; a sector's position here is its bit in a compact sector mask.
pub fn sectors() -> &'static [Sector] {
    static SECTORS: OnceLock<Vec<Sector>> = OnceLock::new();
    SECTORS.get_or_init(|| {
        rows(SECTORS_CSV)
            .map(|f| Sector {
                id: f[0],
                name: f[1],
            })
            .collect()
    })
}

/// ISO 3166-1 countries (249) followed by `ZZ` (international / space).
pub fn countries() -> &'static [Country] {
    static COUNTRIES: OnceLock<Vec<Country>> = OnceLock::new();
    COUNTRIES.get_or_init(|| {
        let mut all: Vec<Country> = rows(COUNTRIES_CSV)
            .map(|f| Country {
                alpha2: f[0],
                name: f[3],
                region: f[5],
            })
            .collect();
        all.push(Country {
            alpha2: "ZZ",
            name: "International / space",
            region: "",
        });
        all
    })
}

/// Position of an NCF id in [`ncfs`], exact match.
pub fn ncf_index(id: &str) -> Option<usize> {
    ncfs().iter().position(|n| n.id == id)
}

pub fn ncf(id: &str) -> Option<&'static Ncf> {
    ncf_index(id).map(|i| &ncfs()[i])
}

/// Position of a sector id in [`sectors`], exact match.
pub fn sector_index(id: &str) -> Option<usize> {
    sectors().iter().position(|s| s.id == id)
}

pub fn sector(id: &str) -> Option<&'static Sector> {
    sector_index(id).map(|i| &sectors()[i])
}

/// Looks up an upper-case ISO 3166-1 alpha-2 code (or `ZZ`). The list is sorted by code
/// (`ZZ` sorts last), so this is a binary search: imports call it once per asset.
pub fn country(alpha2: &str) -> Option<&'static Country> {
    let all = countries();
    all.binary_search_by(|c| c.alpha2.cmp(alpha2))
        .ok()
        .map(|i| &all[i])
}
