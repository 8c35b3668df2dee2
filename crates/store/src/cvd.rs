//! Coordinated vulnerability disclosure cases and their state history (tables `cvd_cases`,
//! `cvd_history`). The SQL text is the same on both dialects; list-valued fields are JSON text.

use serde_json::{Value, json};

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError};
use model::Tlp;

/// Where a case stands; it only ever moves forward, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CvdState {
    Reported,
    VendorNotified,
    FixAvailable,
    Published,
}

impl CvdState {
    pub const ALL: [CvdState; 4] = [
        CvdState::Reported,
        CvdState::VendorNotified,
        CvdState::FixAvailable,
        CvdState::Published,
    ];

    /// The stored and displayed name (`vendor_notified`).
    pub fn as_str(self) -> &'static str {
        match self {
            CvdState::Reported => "reported",
            CvdState::VendorNotified => "vendor_notified",
            CvdState::FixAvailable => "fix_available",
            CvdState::Published => "published",
        }
    }

    pub fn parse(name: &str) -> Option<CvdState> {
        CvdState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One affected product: vendor, product name and a version range (`vers:…` or free text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AffectedProduct {
    pub vendor: String,
    pub product: String,
    pub versions: String,
}

/// What a new case is made of; the store assigns the id and the state `reported`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCvdCase {
    pub title: String,
    pub cves: Vec<String>,
    pub reporter: String,
    pub vendor: String,
    /// ISO 3166-1 alpha-2.
    pub vendor_country: String,
    pub vendor_csirt: String,
    pub products: Vec<AffectedProduct>,
    /// `YYYY-MM-DD`.
    pub embargo: Option<String>,
    pub tlp: Tlp,
    pub remediation: String,
    pub notes: String,
}

/// A revision of a published case's advisory: its number (2 onwards; the publication is 1),
/// when and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CvdRevision {
    pub number: u32,
    pub at: String,
    pub summary: String,
}

/// A stored case with its state history (every state reached, with when, oldest first) and the
/// revisions of its advisory since publication (oldest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CvdCase {
    /// `MERIDIAN-YYYY-NNNN`.
    pub id: String,
    pub case: NewCvdCase,
    pub state: CvdState,
    pub history: Vec<(CvdState, String)>,
    pub revisions: Vec<CvdRevision>,
}

fn corrupt(message: impl ToString) -> StoreError {
    StoreError::corrupt("cvd_cases", message.to_string())
}

fn validate(case: &NewCvdCase) -> Result<()> {
    let invalid = |m: String| Err(StoreError::InvalidCvdCase(m));
    if case.title.trim().is_empty() {
        return invalid("the title is empty".to_owned());
    }
    if model::country(&case.vendor_country).is_none() {
        return invalid(format!(
            "vendor country {:?} is not an upper-case ISO 3166-1 alpha-2 code",
            case.vendor_country
        ));
    }
    if let Some(cve) = case.cves.iter().find(|c| !is_cve_id(c)) {
        return invalid(format!("{cve:?} is not a CVE id (CVE-YYYY-NNNN)"));
    }
    if let Some(date) = case.embargo.as_deref().filter(|d| !is_date(d)) {
        return invalid(format!("embargo {date:?} is not a YYYY-MM-DD date"));
    }
    Ok(())
}

fn is_cve_id(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    parts.next() == Some("CVE")
        && parts.next().is_some_and(|y| y.len() == 4 && digits(y, 4))
        && parts.next().is_some_and(|n| digits(n, 4))
}

/// `YYYY-MM-DD` with a month 01..=12 and a day 01..=31 (the CLI checks the calendar).
fn is_date(date: &str) -> bool {
    let b = date.as_bytes();
    let num = |r: std::ops::Range<usize>| date.get(r)?.parse::<u32>().ok();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && date.bytes().filter(u8::is_ascii_digit).count() == 8
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
}

fn encode_products(products: &[AffectedProduct]) -> String {
    let rows: Vec<Value> = products
        .iter()
        .map(|p| json!({"vendor": p.vendor, "product": p.product, "versions": p.versions}))
        .collect();
    Value::Array(rows).to_string()
}

fn decode_products(text: &str) -> Result<Vec<AffectedProduct>> {
    let rows: Vec<Value> = serde_json::from_str(text).map_err(corrupt)?;
    rows.iter()
        .map(|row| {
            let field = |k: &str| {
                row[k]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| corrupt(format!("product without {k:?}")))
            };
            Ok(AffectedProduct {
                vendor: field("vendor")?,
                product: field("product")?,
                versions: field("versions")?,
            })
        })
        .collect()
}

pub(crate) fn create(tx: &mut Tx<'_, '_>, case: &NewCvdCase, now: &str) -> Result<CvdCase> {
    validate(case)?;
    let year = now
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    let year = year.ok_or_else(|| StoreError::InvalidCvdCase(format!("bad timestamp {now:?}")))?;
    let prefix = format!("MERIDIAN-{year}-");
    let taken = db::query(
        tx,
        "SELECT id FROM cvd_cases WHERE id LIKE $1",
        &[Param::Text(&format!("{prefix}%"))],
        |r| r.text(0),
    )?;
    let last = taken
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    let id = format!("{prefix}{:04}", last + 1);
    let cves = serde_json::to_string(&case.cves).map_err(corrupt)?;
    let products = encode_products(&case.products);
    db::execute(
        tx,
        "INSERT INTO cvd_cases (id, title, cves, reporter, vendor, vendor_country, vendor_csirt, \
             products, embargo, tlp, state, remediation, notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            Param::Text(&id),
            Param::Text(&case.title),
            Param::Text(&cves),
            Param::Text(&case.reporter),
            Param::Text(&case.vendor),
            Param::Text(&case.vendor_country),
            Param::Text(&case.vendor_csirt),
            Param::Text(&products),
            Param::Text(case.embargo.as_deref().unwrap_or("")),
            Param::Text(case.tlp.as_str()),
            Param::Text(CvdState::Reported.as_str()),
            Param::Text(&case.remediation),
            Param::Text(&case.notes),
        ],
    )?;
    record(tx, &id, CvdState::Reported, now)?;
    get(tx, &id)?.ok_or_else(|| corrupt(format!("case {id} vanished after insert")))
}

fn record(tx: &mut Tx<'_, '_>, id: &str, state: CvdState, at: &str) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO cvd_history (case_id, state, at) VALUES ($1, $2, $3)",
        &[
            Param::Text(id),
            Param::Text(state.as_str()),
            Param::Text(at),
        ],
    )?;
    Ok(())
}

pub(crate) fn advance(tx: &mut Tx<'_, '_>, id: &str, to: CvdState, at: &str) -> Result<CvdCase> {
    let case = get(tx, id)?.ok_or_else(|| StoreError::UnknownCvdCase(id.to_owned()))?;
    if to <= case.state {
        return Err(StoreError::CvdTransition {
            id: id.to_owned(),
            from: case.state.as_str(),
            to: to.as_str(),
        });
    }
    db::execute(
        tx,
        "UPDATE cvd_cases SET state = $1 WHERE id = $2",
        &[Param::Text(to.as_str()), Param::Text(id)],
    )?;
    record(tx, id, to, at)?;
    get(tx, id)?.ok_or_else(|| corrupt(format!("case {id} vanished after update")))
}

/// Records revision `number` (the next one) of a published case's advisory.
pub(crate) fn revise(tx: &mut Tx<'_, '_>, id: &str, summary: &str, at: &str) -> Result<CvdCase> {
    let case = get(tx, id)?.ok_or_else(|| StoreError::UnknownCvdCase(id.to_owned()))?;
    if case.state != CvdState::Published {
        return Err(StoreError::CvdNotPublished(id.to_owned()));
    }
    let number = case.revisions.last().map_or(2, |r| r.number + 1);
    db::execute(
        tx,
        "INSERT INTO cvd_revisions (case_id, number, at, summary) VALUES ($1, $2, $3, $4)",
        &[
            Param::Text(id),
            Param::Int(i64::from(number)),
            Param::Text(at),
            Param::Text(summary),
        ],
    )?;
    get(tx, id)?.ok_or_else(|| corrupt(format!("case {id} vanished after a revision")))
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<CvdCase>> {
    Ok(select(tx, Some(id))?.pop())
}

/// One case, or every case by id.
pub(crate) fn select(tx: &mut Tx<'_, '_>, only: Option<&str>) -> Result<Vec<CvdCase>> {
    let columns = "SELECT id, title, cves, reporter, vendor, vendor_country, vendor_csirt, \
                   products, embargo, tlp, state, remediation, notes FROM cvd_cases";
    let mut cases = match only {
        Some(id) => db::query(
            tx,
            &format!("{columns} WHERE id = $1"),
            &[Param::Text(id)],
            read_case,
        )?,
        None => db::query(tx, &format!("{columns} ORDER BY id"), &[], read_case)?,
    };
    for case in &mut cases {
        case.history = db::query(
            tx,
            "SELECT state, at FROM cvd_history WHERE case_id = $1",
            &[Param::Text(&case.id)],
            |r| Ok((read_state(&r.text(0)?)?, r.text(1)?)),
        )?;
        // States only move forward: their order is the order they were reached in.
        case.history.sort_by_key(|(state, _)| *state);
        case.revisions = db::query(
            tx,
            "SELECT number, at, summary FROM cvd_revisions WHERE case_id = $1 ORDER BY number",
            &[Param::Text(&case.id)],
            |r| {
                Ok(CvdRevision {
                    number: u32::try_from(r.int(0)?).map_err(corrupt)?,
                    at: r.text(1)?,
                    summary: r.text(2)?,
                })
            },
        )?;
    }
    Ok(cases)
}

fn read_state(name: &str) -> Result<CvdState> {
    CvdState::parse(name).ok_or_else(|| corrupt(format!("unknown state {name:?}")))
}

fn read_case(r: &dyn Columns) -> Result<CvdCase> {
    let embargo = r.text(8)?;
    let tlp = r.text(9)?;
    Ok(CvdCase {
        id: r.text(0)?,
        case: NewCvdCase {
            title: r.text(1)?,
            cves: serde_json::from_str(&r.text(2)?).map_err(corrupt)?,
            reporter: r.text(3)?,
            vendor: r.text(4)?,
            vendor_country: r.text(5)?,
            vendor_csirt: r.text(6)?,
            products: decode_products(&r.text(7)?)?,
            embargo: (!embargo.is_empty()).then_some(embargo),
            tlp: Tlp::parse(&tlp).ok_or_else(|| corrupt(format!("unknown TLP {tlp:?}")))?,
            remediation: r.text(11)?,
            notes: r.text(12)?,
        },
        state: read_state(&r.text(10)?)?,
        history: Vec::new(),
        revisions: Vec::new(),
    })
}
