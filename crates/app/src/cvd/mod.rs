//! Coordinated vulnerability disclosure cases (§3 of the specification) and their CSAF 2.0
//! advisories, laid out for a CSAF provider directory (CSAF 2.0 §7.1): `provider-metadata.json`
//! at the top, one ROLIE feed per TLP label at `<tlp>/feed.json`, the advisories at
//! `<tlp>/<year>/<id>.json` with their `.sha256` files. This module builds the documents; the
//! adapter writes them.
//!
//! CSAF 2.0 only knows TLP 1.0, so the case's TLP 2.0 label is mapped down, never widened:
//! CLEAR becomes WHITE and AMBER+STRICT becomes AMBER with a distribution text (and a document
//! note) saying it must not be shared beyond the named recipients. The case's own notes are the
//! coordinator's working notes and are not exported.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use store::{AffectedProduct, CvdCase, CvdState, NewCvdCase, Tlp};

use crate::authz::{Action, authorize};
use crate::{Actor, Error, Result};

pub mod openpgp;
pub mod provider;
#[cfg(test)]
mod tests;

/// Opens a case in state `reported` (CVE ids and the vendor country upper-cased), with the next
/// id `MERIDIAN-<year>-NNNN`.
pub fn create_case(
    store: &mut store::Store,
    mut case: NewCvdCase,
    actor: &Actor,
) -> Result<CvdCase> {
    authorize(actor, Action::ManageCvdCases)?;
    for cve in &mut case.cves {
        *cve = cve.trim().to_ascii_uppercase();
    }
    case.vendor_country = case.vendor_country.trim().to_ascii_uppercase();
    let problems = check(&case);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    crate::audit::audited(
        store,
        actor,
        "cvd.create",
        |store| Ok(store.create_cvd_case(&case, &crate::now())?),
        |stored| (vec![stored.id.clone()], format!("{:?}", stored.case)),
    )
}

/// What [`create_case`] finds wrong with a case to open, each problem located by the JSON
/// pointer of its field: a title and vendor are needed (the reporter may be unknown, or the
/// agency itself), the vendor's country is an
/// ISO 3166-1 alpha-2 code, the CVE ids are `CVE-YYYY-NNNN` (any case), the embargo a
/// `YYYY-MM-DD` date. A form checks with it before it stores anything.
pub fn check(case: &NewCvdCase) -> Vec<crate::Problem> {
    let mut problems = Vec::new();
    let mut problem = |pointer: &str, message: String| {
        problems.push(crate::Problem {
            pointer: pointer.to_owned(),
            message,
        })
    };
    for (pointer, value, what) in [
        ("/title", &case.title, "a title"),
        ("/vendor", &case.vendor, "the vendor"),
    ] {
        if value.trim().is_empty() {
            problem(pointer, format!("give {what}"));
        }
    }
    let country = case.vendor_country.trim();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        problem(
            "/vendor_country",
            format!("{country:?} is not an ISO 3166-1 alpha-2 country code (DE)"),
        );
    }
    for (i, cve) in case.cves.iter().enumerate() {
        if !intel::is_cve_id(&cve.trim().to_ascii_uppercase()) {
            problem(
                &format!("/cves/{i}"),
                format!("{cve:?} is not a CVE id (CVE-YYYY-NNNN)"),
            );
        }
    }
    if let Some(date) = &case.embargo
        && time::Date::parse(
            date,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_err()
    {
        problem(
            "/embargo",
            format!("embargo {date:?} is not a YYYY-MM-DD date"),
        );
    }
    problems
}

/// An affected product written `VENDOR/PRODUCT/RANGE` (each part non-empty; the range may hold
/// further slashes), as the command line and the web form take it.
pub fn parse_product(text: &str) -> Option<AffectedProduct> {
    let mut parts = text.splitn(3, '/').map(str::trim);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(vendor), Some(product), Some(versions))
            if !vendor.is_empty() && !product.is_empty() && !versions.is_empty() =>
        {
            Some(AffectedProduct {
                vendor: vendor.to_owned(),
                product: product.to_owned(),
                versions: versions.to_owned(),
            })
        }
        _ => None,
    }
}

/// The states a case in `state` may move to: every later one (a case never moves back).
pub fn next_states(state: CvdState) -> impl Iterator<Item = CvdState> {
    CvdState::ALL.into_iter().filter(move |s| *s > state)
}

/// A published case's CSAF 2.0 advisory placed in the directory at `site`, for whoever may
/// read intel (never a partner): what REST `GET /api/v1/cvd/{id}/csaf` and the web's download
/// serve. Not found for an unknown case; a conflict while it is not published.
pub fn advisory_of(
    store: &mut store::Store,
    id: &str,
    site: &Site<'_>,
    actor: &Actor,
) -> Result<Placed> {
    authorize(actor, Action::ReadIntel)?;
    export(&case(store, id)?, site)
}

/// Every stored case, by id.
pub fn cases(store: &mut store::Store) -> Result<Vec<CvdCase>> {
    Ok(store.cvd_cases()?)
}

/// One stored case.
pub fn case(store: &mut store::Store, id: &str) -> Result<CvdCase> {
    store.cvd_case(id)?.ok_or_else(|| Error::NotFound {
        what: "CVD case",
        id: id.to_owned(),
    })
}

/// A store error about case `id` as the use case's: an unknown case is not found, a move back
/// or a revision of an unpublished case conflicts with its state.
fn case_error(id: &str, e: store::StoreError) -> Error {
    match e {
        store::StoreError::UnknownCvdCase(_) => Error::NotFound {
            what: "CVD case",
            id: id.to_owned(),
        },
        e @ (store::StoreError::CvdTransition { .. } | store::StoreError::CvdNotPublished(_)) => {
            Error::Conflict(e.to_string())
        }
        e => e.into(),
    }
}

/// Moves a case forward to `to`. Publishing before the embargo date is refused unless `force`;
/// moving back or in place conflicts with the case's state (the store refuses it).
pub fn advance(
    store: &mut store::Store,
    id: &str,
    to: CvdState,
    force: bool,
    actor: &Actor,
) -> Result<CvdCase> {
    authorize(actor, Action::ManageCvdCases)?;
    let now = crate::now();
    if to == CvdState::Published && !force {
        let case = case(store, id)?;
        let today = now.get(..10).unwrap_or(&now);
        if let Some(embargo) = case.case.embargo.as_deref().filter(|e| *e > today) {
            return Err(Error::Conflict(format!(
                "{id} is under embargo until {embargo}; publish then, or pass --force"
            )));
        }
    }
    crate::audit::audited(
        store,
        actor,
        "cvd.advance",
        |store| {
            store
                .advance_cvd_case(id, to, &now)
                .map_err(|e| case_error(id, e))
        },
        |case| (vec![case.id.clone()], to.as_str().to_owned()),
    )
}

/// The longest revision summary, in characters.
pub const MAX_REVISION_SUMMARY: usize = 2000;

/// Revises the advisory of a published case: its next version, with `summary` (what changed)
/// in its revision history and now as its current release date; the served provider, the
/// feeds' `updated`, `changes.csv` and the hashes follow. Refused for a case that is not
/// published (conflict) and for an empty, overlong or control-character summary.
pub fn revise(store: &mut store::Store, id: &str, summary: &str, actor: &Actor) -> Result<CvdCase> {
    authorize(actor, Action::ManageCvdCases)?;
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(Error::invalid(
            "/summary",
            "a revision needs a summary of what changed",
        ));
    }
    if summary.chars().count() > MAX_REVISION_SUMMARY {
        return Err(Error::invalid(
            "/summary",
            format!("longer than {MAX_REVISION_SUMMARY} characters"),
        ));
    }
    if summary.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid("/summary", "a control character"));
    }
    let now = crate::now();
    crate::audit::audited(
        store,
        actor,
        "cvd.revise",
        |store| {
            store
                .revise_cvd_case(id, summary, &now)
                .map_err(|e| case_error(id, e))
        },
        |case| {
            let number = case.revisions.last().map_or(1, |r| r.number);
            (
                vec![case.id.clone()],
                format!("revision {number}: {summary}"),
            )
        },
    )
}

/// A case as listed and shown: labels as text, products as `VENDOR/PRODUCT/RANGE`.
#[derive(Clone, Debug, Serialize)]
pub struct CaseRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub state: &'static str,
    pub tlp: &'static str,
    pub cves: &'a [String],
    pub reporter: &'a str,
    pub vendor: &'a str,
    pub vendor_country: &'a str,
    pub vendor_csirt: &'a str,
    pub products: Vec<String>,
    pub embargo: Option<&'a str>,
    pub remediation: &'a str,
    pub notes: &'a str,
    pub history: Vec<HistoryRow<'a>>,
    /// The advisory's revisions since publication, oldest first.
    pub revisions: Vec<RevisionRow<'a>>,
}

/// A revision of the case's advisory: the version it made, when and why.
#[derive(Clone, Debug, Serialize)]
pub struct RevisionRow<'a> {
    pub number: u32,
    pub at: &'a str,
    pub summary: &'a str,
}

/// When a case entered a state.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryRow<'a> {
    pub state: &'static str,
    pub at: &'a str,
}

impl<'a> CaseRow<'a> {
    pub fn of(c: &'a CvdCase) -> CaseRow<'a> {
        CaseRow {
            id: &c.id,
            title: &c.case.title,
            state: c.state.as_str(),
            tlp: c.case.tlp.as_str(),
            cves: &c.case.cves,
            reporter: &c.case.reporter,
            vendor: &c.case.vendor,
            vendor_country: &c.case.vendor_country,
            vendor_csirt: &c.case.vendor_csirt,
            products: c
                .case
                .products
                .iter()
                .map(|p| format!("{}/{}/{}", p.vendor, p.product, p.versions))
                .collect(),
            embargo: c.case.embargo.as_deref(),
            remediation: &c.case.remediation,
            notes: &c.case.notes,
            history: c
                .history
                .iter()
                .map(|(state, at)| HistoryRow {
                    state: state.as_str(),
                    at,
                })
                .collect(),
            revisions: c
                .revisions
                .iter()
                .map(|r| RevisionRow {
                    number: r.number,
                    at: &r.at,
                    summary: &r.summary,
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSAF export.

/// The TLP 1.0 label CSAF 2.0 carries for a TLP 2.0 label: the same or narrower, never wider.
pub fn csaf_tlp(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "WHITE",
        Tlp::Green => "GREEN",
        Tlp::Amber | Tlp::AmberStrict => "AMBER",
        Tlp::Red => "RED",
    }
}

const AMBER_STRICT_TEXT: &str = "TLP:AMBER+STRICT. CSAF 2.0 knows only TLP 1.0, hence the label \
    AMBER: recipients may share this advisory only within their own organisation and must not \
    share it beyond the named recipients.";

/// Where a provider directory is served unless told otherwise.
pub const DEFAULT_BASE_URL: &str = "https://meridian.invalid/.well-known/csaf";

/// Who publishes the advisories unless told otherwise.
pub const DEFAULT_PUBLISHER: &str = "Meridian";

/// The TLP directories of a provider directory, in TLP 1.0 order.
pub const TLP_DIRS: [&str; 4] = ["white", "green", "amber", "red"];

/// Where the provider directory is served and who publishes it.
pub struct Site<'a> {
    /// Without a trailing slash; its origin is the publisher's namespace.
    base: &'a str,
    publisher: &'a str,
}

impl<'a> Site<'a> {
    /// The directory served at `base_url` (a trailing slash is dropped), published by
    /// `publisher`.
    pub fn new(base_url: &'a str, publisher: &'a str) -> Site<'a> {
        Site {
            base: base_url.trim_end_matches('/'),
            publisher,
        }
    }

    fn url(&self, relative: &str) -> String {
        format!("{}/{relative}", self.base)
    }

    fn publisher(&self) -> Value {
        let origin_end = self
            .base
            .find("://")
            .and_then(|s| self.base[s + 3..].find('/').map(|e| s + 3 + e))
            .unwrap_or(self.base.len());
        json!({
            "category": "coordinator",
            "name": self.publisher,
            "namespace": &self.base[..origin_end],
        })
    }
}

/// The CSAF file name of a tracking id (CSAF 2.0 §5.1): lower case, anything but `+`, `-`,
/// `a-z` and `0-9` replaced by `_`, plus `.json`.
fn file_name(tracking_id: &str) -> String {
    let stem: String = tracking_id
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.json")
}

/// The advisory of a published case, released at `released`, found at `self_url`.
fn advisory(case: &CvdCase, site: &Site<'_>, released: &str, self_url: &str) -> Value {
    let c = &case.case;
    let mut distribution = json!({
        "tlp": { "label": csaf_tlp(c.tlp), "url": "https://www.first.org/tlp/" },
    });
    let mut notes = vec![json!({
        "category": "summary",
        "title": "Summary",
        "text": format!("{} ({} products of {}).", c.title, c.products.len(), c.vendor),
    })];
    if c.tlp == Tlp::AmberStrict {
        distribution["text"] = json!(AMBER_STRICT_TEXT);
        notes.push(json!({
            "category": "legal_disclaimer",
            "title": "TLP:AMBER+STRICT",
            "text": AMBER_STRICT_TEXT,
        }));
    }
    let ids: Vec<String> = (1..=c.products.len())
        .map(|i| format!("CSAFPID-{i:04}"))
        .collect();
    let remediation = if c.remediation.is_empty() {
        "Contact the vendor for a fix."
    } else {
        &c.remediation
    };
    let vulnerability = |cve: Option<&str>| {
        let mut v = json!({
            "notes": [{ "category": "description", "title": "Description", "text": c.title }],
            "product_status": { "known_affected": ids },
            "remediations": [{
                "category": "vendor_fix",
                "details": remediation,
                "product_ids": ids,
            }],
        });
        match cve {
            Some(cve) => v["cve"] = json!(cve),
            None => v["title"] = json!(c.title),
        }
        v
    };
    let vulnerabilities: Vec<Value> = if c.cves.is_empty() {
        vec![vulnerability(None)]
    } else {
        c.cves.iter().map(|cve| vulnerability(Some(cve))).collect()
    };
    // Each revision since publication is a version: its date is the current release date.
    let current = case.revisions.last().map_or(released, |r| r.at.as_str());
    let mut revision_history =
        vec![json!({ "date": released, "number": "1", "summary": "Initial release." })];
    revision_history.extend(
        case.revisions
            .iter()
            .map(|r| json!({ "date": r.at, "number": r.number.to_string(), "summary": r.summary })),
    );
    json!({
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "distribution": distribution,
            "lang": "en",
            "notes": notes,
            "publisher": site.publisher(),
            "references": [{ "category": "self", "summary": "This advisory", "url": self_url }],
            "title": c.title,
            "tracking": {
                "current_release_date": current,
                "generator": {
                    "engine": { "name": "Meridian", "version": env!("CARGO_PKG_VERSION") },
                },
                "id": case.id,
                "initial_release_date": released,
                "revision_history": revision_history,
                "status": "final",
                "version": (1 + case.revisions.len()).to_string(),
            },
        },
        "product_tree": { "branches": branches(&c.products, &ids) },
        "vulnerabilities": vulnerabilities,
    })
}

/// The advisory of `case` released at `released`, keys sorted, with its path in the provider
/// directory (`<tlp>/<year>/<file>`), which its self reference names.
fn placed_advisory(case: &CvdCase, site: &Site<'_>, released: &str) -> Result<(String, Value)> {
    let year = released
        .get(..4)
        .ok_or_else(|| Error::invalid("/released", "release date without a year"))?;
    let relative = format!(
        "{}/{year}/{}",
        csaf_tlp(case.case.tlp).to_ascii_lowercase(),
        file_name(&case.id),
    );
    let document = sort_keys(advisory(case, site, released, &site.url(&relative)));
    Ok((relative, document))
}

/// The CSAF 2.0 advisory of `case` (an alert's, say) as `export` writes it, released at
/// `released` and served from the default provider directory under `publisher`'s name.
pub fn csaf_advisory(case: &CvdCase, publisher: &str, released: &str) -> Result<Value> {
    let site = Site::new(DEFAULT_BASE_URL, publisher);
    Ok(placed_advisory(case, &site, released)?.1)
}

/// A product name's version-range leaves.
type ProductLeaves<'a> = (&'a str, Vec<Value>);

/// vendor → product_name → product_version_range, in first-seen order; `ids[i]` names
/// `products[i]`.
fn branches(products: &[AffectedProduct], ids: &[String]) -> Vec<Value> {
    let mut vendors: Vec<(&str, Vec<ProductLeaves<'_>>)> = Vec::new();
    for (p, id) in products.iter().zip(ids) {
        let leaf = json!({
            "category": "product_version_range",
            "name": p.versions,
            "product": {
                "name": format!("{} {} {}", p.vendor, p.product, p.versions),
                "product_id": id,
            },
        });
        let v = match vendors.iter().position(|(name, _)| *name == p.vendor) {
            Some(i) => i,
            None => {
                vendors.push((&p.vendor, Vec::new()));
                vendors.len() - 1
            }
        };
        let names = &mut vendors[v].1;
        match names.iter_mut().find(|(name, _)| *name == p.product) {
            Some((_, leaves)) => leaves.push(leaf),
            None => names.push((&p.product, vec![leaf])),
        }
    }
    vendors
        .into_iter()
        .map(|(vendor, names)| {
            let names: Vec<Value> = names
                .into_iter()
                .map(|(name, leaves)| {
                    json!({ "category": "product_name", "name": name, "branches": leaves })
                })
                .collect();
            json!({ "category": "vendor", "name": vendor, "branches": names })
        })
        .collect()
}

/// Orders every object's keys alphabetically, as CSAF 2.0's optional test 6.2.13 asks.
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// A published case's advisory, placed in the provider directory.
#[derive(Clone, Debug)]
pub struct Placed {
    /// The TLP 1.0 label it carries.
    pub tlp: &'static str,
    /// Its path in the directory, `<tlp>/<year>/<file>`.
    pub relative: String,
    /// Its file name.
    pub name: String,
    /// The advisory as pretty JSON, keys sorted.
    pub bytes: Vec<u8>,
    /// The SHA-256 of `bytes`, in hex.
    pub sha256: String,
    /// The SHA-512 of `bytes`, in hex.
    pub sha512: String,
    /// When this version was released (`current_release_date`).
    pub released: String,
}

impl Placed {
    /// The `.sha256` file's content: `<hash>  <file name>`.
    pub fn sha256_line(&self) -> String {
        format!("{}  {}\n", self.sha256, self.name)
    }

    /// The `.sha512` file's content: `<hash>  <file name>`.
    pub fn sha512_line(&self) -> String {
        format!("{}  {}\n", self.sha512, self.name)
    }
}

/// The CSAF 2.0 advisory of a published case, first released when the case was published, at
/// its latest revision.
pub fn export(case: &CvdCase, site: &Site<'_>) -> Result<Placed> {
    let Some((_, released)) = case
        .history
        .iter()
        .find(|(state, _)| *state == CvdState::Published)
    else {
        return Err(Error::Conflict(format!(
            "{} is {}: only published cases are exported",
            case.id,
            case.state.as_str()
        )));
    };
    let (relative, document) = placed_advisory(case, site, released)?;
    let bytes = serde_json::to_vec_pretty(&document).expect("a JSON value serialises");
    Ok(Placed {
        tlp: csaf_tlp(case.case.tlp),
        relative,
        name: file_name(&case.id),
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        sha512: format!("{:x}", Sha512::digest(&bytes)),
        released: case
            .revisions
            .last()
            .map_or_else(|| released.clone(), |r| r.at.clone()),
        bytes,
    })
}

/// An advisory found in a provider directory at `<tlp>/<year>/<name>`.
#[derive(Clone, Debug)]
pub struct Listed {
    pub year: String,
    pub name: String,
    pub document: Value,
}

/// The ROLIE feed (CSAF 2.0 §7.1.20) of the `tlp` directory holding `advisories`, updated `now`;
/// each entry links its `.asc` signature when `signed`.
pub fn feed(site: &Site<'_>, tlp: &str, advisories: &[Listed], now: &str, signed: bool) -> Value {
    let dir = tlp.to_ascii_lowercase();
    let entries: Vec<Value> = advisories
        .iter()
        .map(|Listed { year, name, document: doc }| {
            let url = site.url(&format!("{dir}/{year}/{name}"));
            let tracking = &doc["document"]["tracking"];
            let mut links = vec![
                json!({ "rel": "self", "href": url }),
                json!({ "rel": "hash", "href": format!("{url}.sha256") }),
                json!({ "rel": "hash", "href": format!("{url}.sha512") }),
            ];
            if signed {
                links.push(json!({ "rel": "signature", "href": format!("{url}.asc") }));
            }
            json!({
                "id": tracking["id"],
                "title": doc["document"]["title"],
                "link": links,
                "published": tracking["initial_release_date"],
                "updated": tracking["current_release_date"],
                "content": { "type": "application/json", "src": url },
                "format": {
                    "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                    "version": "2.0",
                },
            })
        })
        .collect();
    json!({
        "feed": {
            "id": format!("meridian-csaf-feed-tlp-{dir}"),
            "title": format!("{} CSAF feed (TLP:{tlp})", site.publisher),
            "link": [{ "rel": "self", "href": site.url(&format!("{dir}/feed.json")) }],
            "category": [{
                "scheme": "urn:ietf:params:rolie:category:information-type",
                "term": "csaf",
            }],
            "updated": now,
            "entry": entries,
        }
    })
}

/// `provider-metadata.json` (CSAF 2.0 §7.1.7) naming the feed of each of `feed_dirs` (entries
/// of [`TLP_DIRS`]), updated `now`, and the OpenPGP key with the `fingerprint` that signs the
/// advisories, served at `openpgp/<fingerprint>.asc`.
pub fn provider_metadata(
    site: &Site<'_>,
    feed_dirs: &[&str],
    now: &str,
    fingerprint: Option<&str>,
) -> Value {
    let feeds: Vec<Value> = feed_dirs
        .iter()
        .map(|dir| {
            let label = dir.to_ascii_uppercase();
            json!({
                "summary": format!("{} advisories (TLP:{label})", site.publisher),
                "tlp_label": label,
                "url": site.url(&format!("{dir}/feed.json")),
            })
        })
        .collect();
    let keys: Vec<Value> = fingerprint
        .map(|fingerprint| {
            json!({
                "fingerprint": fingerprint,
                "url": site.url(&format!("openpgp/{fingerprint}.asc")),
            })
        })
        .into_iter()
        .collect();
    json!({
        "canonical_url": site.url("provider-metadata.json"),
        "distributions": [{ "rolie": { "feeds": feeds } }],
        "last_updated": now,
        "list_on_CSAF_aggregators": false,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": false,
        "public_openpgp_keys": keys,
        "publisher": site.publisher(),
        "role": "csaf_provider",
    })
}
