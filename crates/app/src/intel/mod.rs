//! Vulnerability intelligence matched to the atlas (§3 of the specification).
//!
//! Documents (KEV, CVE 5 records, EPSS, CSAF, CycloneDX, SPDX, OpenVEX, OSV records) are
//! validated by the `intel` parsers and stored verbatim (`store::IntelImport`, idempotent by SHA-256). Findings
//! are computed when asked for: every stored document is parsed into one
//! `intel::matching::Index`, every asset's `products` and every attached SBOM's components are
//! matched against it, and each finding gets its KEV due date, EPSS score and SSVC decision
//! (Mission & Well-being from the asset's single-failure impact, as the ranking computes it).
//!
//! A match that checked no version (vendor only, a name without a version, a KEV entry, which
//! names no versions) is a *candidate* ([`FindingState::Candidate`]): listed apart, without an
//! SSVC decision, not counted in exposure nor in the assets a CVE affects, until an analyst
//! confirms it ([`mark_finding`] with [`store::Verdict::Confirmed`]) or an SBOM or product
//! string gives a version that is checked. Each SSVC input says where it comes from; an input
//! without a source is `missing` and the decision names the value it assumes.
//! Later documents supersede earlier ones of the same identity: the newest KEV catalog, the
//! newest import of a CVE record or CSAF tracking id, the newest EPSS score of a CVE.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use intel::cve::{CveRecord, SsvcVote};
use intel::matching::{Finding, Index, Item, Matches, Rule, SourceKind, Suppressed};
use intel::ssvc::{Assessment, Decision, DecisionTable, InputSource};
use intel::{Diagnostic, IntelError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Actor, Error, Problem, Progress, Result};

mod cache;
#[cfg(test)]
mod tests;

pub use cache::FindingsCache;

/// Runs `f` with the findings' context of what is stored: the assets under attack are those
/// with a cyber incident or sighting (`incidents::attacked_assets`).
pub fn with_context<T>(
    store: &mut store::Store,
    home: [u8; 2],
    progress: &dyn Progress,
    f: impl FnOnce(&mut store::Store, Context<'_>) -> Result<T>,
) -> Result<T> {
    let attacked = crate::incidents::attacked_assets(&store.incidents()?);
    let context = Context {
        home,
        attacked: &attacked,
        progress,
    };
    f(store, context)
}

/// What findings are computed against.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The home country (ISO alpha-2): single-failure impacts are the ranking's.
    pub home: [u8; 2],
    /// Assets with a cyber incident or sighting: SSVC Exploitation is at least `active` for the
    /// findings on them.
    pub attacked: &'a HashSet<String>,
    pub progress: &'a dyn Progress,
}

// ---------------------------------------------------------------------------------------------
// Documents: kinds, detection, parsing.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Kev,
    Cve,
    Epss,
    Csaf,
    Cyclonedx,
    Spdx,
    Openvex,
    Osv,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Kev,
        Kind::Cve,
        Kind::Epss,
        Kind::Csaf,
        Kind::Cyclonedx,
        Kind::Spdx,
        Kind::Openvex,
        Kind::Osv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Kev => "kev",
            Kind::Cve => "cve",
            Kind::Epss => "epss",
            Kind::Csaf => "csaf",
            Kind::Cyclonedx => "cyclonedx",
            Kind::Spdx => "spdx",
            Kind::Openvex => "openvex",
            Kind::Osv => "osv",
        }
    }

    fn from_stored(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn is_sbom(self) -> bool {
        matches!(self, Kind::Cyclonedx | Kind::Spdx)
    }

    /// The kind of a document from its content, recognised positively: JSON by its distinctive
    /// top-level members, EPSS CSV by its header or rows ([`intel::epss::recognise`]). Anything
    /// else (an empty file, XML, SPDX tag-value, other text) is refused with the reason.
    fn detect(bytes: &[u8]) -> Result<Kind, IntelError> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let refuse = |message: &str| {
            Err(IntelError::Invalid {
                path: "$".to_owned(),
                message: message.to_owned(),
            })
        };
        let first_line = body
            .split(|&b| b == b'\n')
            .map(<[u8]>::trim_ascii)
            .find(|l| !l.is_empty() && !l.starts_with(b"##"));
        match body.trim_ascii_start().first() {
            None => return refuse("empty file: not an intel document"),
            Some(b'{') => {}
            Some(b'[') => {
                return refuse(
                    "a JSON array is not an intel document (expected one KEV catalog, CVE 5 \
                     record, CSAF advisory, CycloneDX or SPDX SBOM, or OpenVEX document)",
                );
            }
            Some(b'<') => {
                return refuse(
                    "XML is not supported (CycloneDX and SPDX are read as JSON; convert the \
                     document to JSON)",
                );
            }
            Some(_)
                if first_line.is_some_and(|l| {
                    l.starts_with(b"SPDXVersion:") || l.starts_with(b"DataLicense:")
                }) =>
            {
                return refuse(
                    "SPDX tag-value is not supported: convert it to SPDX JSON (for instance \
                     `pyspdxtools -i sbom.spdx -o sbom.spdx.json`)",
                );
            }
            Some(_) => {
                intel::epss::recognise(body)?;
                return Ok(Kind::Epss);
            }
        }
        let value: serde_json::Value = serde_json::from_slice(body)?;
        let has = |key: &str| value.get(key).is_some();
        let kind = if has("bomFormat") {
            Kind::Cyclonedx
        } else if has("spdxVersion") {
            Kind::Spdx
        } else if value.pointer("/document/csaf_version").is_some() {
            Kind::Csaf
        } else if has("cveMetadata")
            || value.get("dataType").and_then(|v| v.as_str()) == Some("CVE_RECORD")
        {
            Kind::Cve
        } else if has("catalogVersion") {
            Kind::Kev
        } else if has("statements")
            || value
                .get("@context")
                .is_some_and(|c| c.to_string().contains("openvex"))
        {
            Kind::Openvex
        } else if has("id")
            && has("modified")
            && [
                "affected",
                "aliases",
                "related",
                "upstream",
                "withdrawn",
                "schema_version",
            ]
            .iter()
            .any(|k| has(k))
        {
            Kind::Osv
        } else {
            return Err(IntelError::Invalid {
                path: "$".to_owned(),
                message: "not a KEV catalog, CVE 5 record, CSAF advisory, CycloneDX or SPDX \
                          SBOM, OpenVEX document or OSV record (no bomFormat, spdxVersion, \
                          document.csaf_version, cveMetadata, catalogVersion, statements, or \
                          id and modified with affected, aliases, related, upstream, withdrawn \
                          or schema_version)"
                    .to_owned(),
            });
        };
        Ok(kind)
    }
}

/// A validated document.
enum Parsed {
    Kev(intel::kev::KevCatalog),
    Cve(Box<CveRecord>),
    Epss(intel::epss::EpssScores),
    Csaf(Box<intel::csaf::CsafDocument>),
    Sbom(Box<intel::sbom::Sbom>),
    OpenVex(intel::vex::OpenVex),
    Osv(Box<intel::osv::OsvRecord>),
}

impl Parsed {
    fn parse(kind: Kind, bytes: &[u8]) -> Result<(Parsed, Vec<Diagnostic>), IntelError> {
        Ok(match kind {
            Kind::Kev => {
                let (v, d) = intel::kev::parse_kev(bytes)?;
                (Parsed::Kev(v), d)
            }
            Kind::Cve => {
                let (v, d) = intel::cve::parse_cve(bytes)?;
                (Parsed::Cve(Box::new(v)), d)
            }
            Kind::Epss => {
                let (v, d) = intel::epss::parse_epss(bytes)?;
                (Parsed::Epss(v), d)
            }
            Kind::Csaf => {
                let (v, d) = intel::csaf::parse_csaf(bytes)?;
                (Parsed::Csaf(Box::new(v)), d)
            }
            Kind::Cyclonedx => {
                let (v, d) = intel::sbom::parse_cyclonedx(bytes)?;
                (Parsed::Sbom(Box::new(v)), d)
            }
            Kind::Spdx => {
                let (v, d) = intel::sbom::parse_spdx(bytes)?;
                (Parsed::Sbom(Box::new(v)), d)
            }
            Kind::Openvex => {
                let (v, d) = intel::vex::parse_openvex(bytes)?;
                (Parsed::OpenVex(v), d)
            }
            Kind::Osv => {
                let (v, d) = intel::osv::parse_osv(bytes)?;
                (Parsed::Osv(Box::new(v)), d)
            }
        })
    }

    /// What the document is, in a few words: CVE id, CSAF tracking id, catalog version…
    fn label(&self) -> String {
        match self {
            Parsed::Kev(k) => format!(
                "KEV {} ({} entries)",
                k.catalog_version,
                k.vulnerabilities.len()
            ),
            Parsed::Cve(r) => r.cve_id.clone(),
            Parsed::Epss(e) => format!(
                "EPSS {} ({} scores)",
                e.score_date.as_deref().unwrap_or("undated"),
                e.scores.len()
            ),
            Parsed::Csaf(c) => c.document.tracking.id.clone(),
            Parsed::Sbom(s) => {
                let subject = s.subject.as_ref().map(|c| c.name.as_str());
                format!(
                    "{} ({} components)",
                    subject.or(s.serial_number.as_deref()).unwrap_or("SBOM"),
                    s.components.len()
                )
            }
            Parsed::OpenVex(v) => format!(
                "{} ({} statements)",
                v.id.as_deref().unwrap_or("OpenVEX"),
                v.statements.len()
            ),
            Parsed::Osv(r) if r.withdrawn.is_some() => format!("{} (withdrawn)", r.id),
            Parsed::Osv(r) => r.id.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Import

/// One imported document.
#[derive(Clone, Debug, Serialize)]
pub struct ImportRow {
    pub file: String,
    pub kind: Kind,
    pub document: String,
    /// `created` or `unchanged`.
    pub status: &'static str,
    pub id: i64,
    pub asset: Option<String>,
    /// Newly attached to the asset.
    pub attached: bool,
    /// Problems tolerated and skipped.
    pub warnings: usize,
    /// Where the first tolerated problem is, and what.
    #[serde(skip)]
    pub first_warning: Option<String>,
}

/// A file read, detected and validated, ready to store.
struct Checked {
    file: String,
    kind: Kind,
    label: String,
    sha256: String,
    body: String,
    warnings: Vec<Diagnostic>,
}

/// An error with its causes, `outer: inner: …`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

fn check_document(
    file: String,
    bytes: Vec<u8>,
    asset: Option<&str>,
) -> std::result::Result<Checked, String> {
    let kind = Kind::detect(&bytes).map_err(|e| chain(&e))?;
    if asset.is_some() && !kind.is_sbom() {
        return Err(format!(
            "--asset attaches SBOMs (CycloneDX or SPDX), this is a {} document",
            kind.as_str()
        ));
    }
    let (parsed, warnings) = Parsed::parse(kind, &bytes)
        .map_err(|e| format!("invalid {} document: {}", kind.as_str(), chain(&e)))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let body = String::from_utf8(bytes)
        .map_err(|e| format!("byte {}: not UTF-8 text", e.utf8_error().valid_up_to()))?;
    Ok(Checked {
        file,
        kind,
        label: parsed.label(),
        sha256,
        body,
        warnings,
    })
}

/// Validates documents given as `(source, bytes)` and stores them in one all-or-nothing
/// transaction with `source` as their provenance (a file path for `intel import`,
/// `demo:<file name>` for the demo, a URL for `intel sync`); SBOMs are attached to `asset` when
/// given. One row per document, in order. An invalid document refuses them all with one
/// problem per invalid document, at its source; then nothing is stored.
pub fn import_documents(
    store: &mut store::Store,
    documents: Vec<(String, Vec<u8>)>,
    asset: Option<&str>,
    progress: &dyn Progress,
    actor: &Actor,
) -> Result<Vec<ImportRow>> {
    if let Some(asset) = asset
        && !store.asset_exists(asset)?
    {
        return Err(Error::NotFound {
            what: "asset",
            id: asset.to_owned(),
        });
    }
    progress.start("validating", Some(documents.len() as u64));
    let mut checked = Vec::with_capacity(documents.len());
    let mut problems = Vec::new();
    for (source, bytes) in documents {
        match check_document(source.clone(), bytes, asset) {
            Ok(c) => checked.push(c),
            Err(message) => problems.push(Problem {
                pointer: source,
                message,
            }),
        }
        progress.advance(1);
    }
    progress.finish();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let imports: Vec<store::IntelImport<'_>> = checked
        .iter()
        .map(|c| store::IntelImport {
            kind: c.kind.as_str(),
            source: &c.file,
            sha256: &c.sha256,
            body: &c.body,
            asset,
        })
        .collect();
    let results = store.import_intel(&imports, &crate::now())?;
    let rows: Vec<ImportRow> = checked
        .into_iter()
        .zip(results)
        .map(|(c, r)| ImportRow {
            first_warning: c.warnings.first().map(|w| w.to_string()),
            warnings: c.warnings.len(),
            file: c.file,
            kind: c.kind,
            document: c.label,
            status: if r.created { "created" } else { "unchanged" },
            id: r.id,
            asset: asset.map(str::to_owned),
            attached: r.attached,
        })
        .collect();
    let created = rows.iter().filter(|r| r.status == "created").count();
    tracing::info!(actor = %actor.audit_name(), documents = rows.len(), created, "intel documents imported");
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The corpus: every stored document parsed into one index.

struct Corpus {
    index: Index,
    kev: Option<intel::kev::KevCatalog>,
    records: HashMap<String, CveRecord>,
    /// Per CVE, what the CSAF advisories about it say of its weakness, in tracking id order.
    advisories: HashMap<String, Vec<AdvisoryWeakness>>,
    epss: HashMap<String, Epss>,
    sboms: HashMap<i64, intel::sbom::Sbom>,
}

/// A CVE's EPSS score with its percentile and the date of the score file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
    /// The score file's `score_date`, when it gives one.
    pub date: Option<String>,
}

/// A CVSS base score a CVE record or a CSAF advisory gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cvss {
    /// `cvssV4_0`, `cvssV3_1`, `cvssV3_0` or `cvssV2_0`.
    pub kind: String,
    pub score: f64,
    pub vector: Option<String>,
    /// Who scored it: the CVE record's container (the CNA's short name, `CISA-ADP`) or the
    /// CSAF advisory's publisher.
    pub provider: String,
}

/// The CVSS score to show of `scores`: the newest CVSS version, `first`'s (a CVE record's CNA)
/// before another's, then the given order, so every run cites the same one.
fn best_cvss(scores: &[intel::cve::CvssScore], first: Option<&str>) -> Option<Cvss> {
    let rank = |kind: &str| match kind {
        "cvssV4_0" => 0,
        "cvssV3_1" => 1,
        "cvssV3_0" => 2,
        _ => 3,
    };
    scores
        .iter()
        .enumerate()
        .min_by_key(|(i, c)| (rank(&c.kind), Some(c.provider.as_str()) != first, *i))
        .map(|(_, c)| Cvss {
            kind: c.kind.clone(),
            score: c.base_score,
            vector: c.vector.clone(),
            provider: c.provider.clone(),
        })
}

/// What a CSAF advisory says of one CVE's weakness: its CVSS scores and CWE id.
struct AdvisoryWeakness {
    /// The advisory's tracking id.
    advisory: String,
    cvss: Vec<intel::cve::CvssScore>,
    cwe: Option<String>,
}

/// Resolves the statements' products that are BOM-Links to another BOM
/// (`urn:cdx:<serial>/<version>#<bom-ref>`) against the stored BOM of that serial number (the
/// last stored, whatever its version); without one they stay as written and match nothing.
fn resolve_bom_links(
    vex: &mut [(String, Vec<intel::vex::VexStatement>)],
    sboms: &HashMap<i64, intel::sbom::Sbom>,
) {
    let mut stored: Vec<(&i64, &intel::sbom::Sbom)> = sboms.iter().collect();
    stored.sort_by_key(|(id, _)| **id);
    let by_serial: HashMap<&str, intel::sbom::Refs<'_>> = stored
        .into_iter()
        .filter_map(|(_, s)| Some((s.serial_number.as_deref()?, intel::sbom::Refs::of(s))))
        .collect();
    let products = vex
        .iter_mut()
        .flat_map(|(_, statements)| statements)
        .flat_map(|s| &mut s.products);
    for p in products {
        let Some((serial, _)) = intel::sbom::bom_link(&p.id) else {
            continue;
        };
        match by_serial
            .get(serial.as_str())
            .map(|refs| refs.product(&p.id))
        {
            Some(Ok(resolved)) => *p = resolved,
            _ => tracing::debug!(link = %p.id, "BOM-Link to a BOM not stored: matches nothing"),
        }
    }
}

impl Corpus {
    fn load(store: &mut store::Store, progress: &dyn Progress) -> Result<Corpus> {
        let documents = store.intel_documents_with_bodies()?;
        progress.start("parsing", Some(documents.len() as u64));
        let mut kev = None;
        let mut records = HashMap::new();
        let mut csaf = HashMap::new();
        let mut epss = HashMap::new();
        let mut vex = Vec::new();
        let mut osv = HashMap::new();
        let mut sboms = HashMap::new();
        // Oldest first: a later document of the same identity replaces an earlier one.
        for (doc, body) in documents {
            progress.advance(1);
            let parsed = Kind::from_stored(&doc.kind)
                .ok_or_else(|| IntelError::Invalid {
                    path: "$".to_owned(),
                    message: format!("unknown stored kind {:?}", doc.kind),
                })
                .and_then(|kind| Parsed::parse(kind, body.as_bytes()));
            let parsed = match parsed {
                Ok((parsed, _)) => parsed,
                Err(e) => {
                    tracing::warn!(document = doc.id, source = %doc.source, error = %e, "stored intel document skipped");
                    continue;
                }
            };
            match parsed {
                Parsed::Kev(k) => kev = Some(k),
                Parsed::Cve(r) => {
                    records.insert(r.cve_id.clone(), *r);
                }
                Parsed::Epss(e) => epss.extend(e.scores.into_iter().map(|s| {
                    let score = Epss {
                        score: s.epss,
                        percentile: s.percentile,
                        date: e.score_date.clone(),
                    };
                    (s.cve, score)
                })),
                Parsed::Csaf(c) => {
                    csaf.insert(c.document.tracking.id.clone(), c);
                }
                Parsed::Sbom(s) => {
                    vex.push((format!("SBOM {}", doc.id), s.vulnerabilities.clone()));
                    sboms.insert(doc.id, *s);
                }
                Parsed::Osv(r) => {
                    osv.insert(r.id.clone(), r);
                }
                Parsed::OpenVex(v) => vex.push((
                    v.id.unwrap_or_else(|| format!("OpenVEX {}", doc.id)),
                    v.statements,
                )),
            }
        }
        progress.finish();
        resolve_bom_links(&mut vex, &sboms);
        // In id order, so that among equally good matches every run cites the same advisory.
        let mut index = Index::new();
        let mut cves: Vec<&CveRecord> = records.values().collect();
        cves.sort_by(|a, b| a.cve_id.cmp(&b.cve_id));
        for r in cves {
            index.add_cve(r);
        }
        let mut sorted: Vec<(&String, _)> = csaf.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut advisories: HashMap<String, Vec<AdvisoryWeakness>> = HashMap::new();
        for (id, c) in sorted {
            index.add_csaf(c);
            for v in &c.vulnerabilities {
                let Some(cve) = &v.cve else { continue };
                advisories
                    .entry(cve.clone())
                    .or_default()
                    .push(AdvisoryWeakness {
                        advisory: id.clone(),
                        cvss: v.cvss(&c.document.publisher.name),
                        cwe: v.cwe_id(),
                    });
            }
        }
        let mut sorted: Vec<(&String, _)> = osv.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (_, r) in sorted {
            index.add_osv(r);
        }
        if let Some(k) = &kev {
            index.add_kev(k);
        }
        for (name, statements) in &vex {
            index.add_vex(name, statements);
        }
        Ok(Corpus {
            index,
            kev,
            records,
            advisories,
            epss,
            sboms,
        })
    }
}

impl Corpus {
    /// The CVSS score and CWE ids finding `f` shows: the CVE record's (its CNA's score first);
    /// each one the record lacks, from the CSAF advisory the finding cites, else from the
    /// first advisory (by tracking id) about the CVE that gives it.
    fn weakness(&self, f: &Finding, record: Option<&CveRecord>) -> (Option<Cvss>, Vec<String>) {
        let cited = (f.source.kind == SourceKind::Csaf).then_some(f.source.document.as_str());
        let advisories = self
            .advisories
            .get(&f.cve)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // The cited advisory first, then the others in tracking id order; no copy of them per
        // finding (this runs for every finding of the atlas).
        let first = advisories
            .iter()
            .filter(|a| Some(a.advisory.as_str()) == cited)
            .chain(
                advisories
                    .iter()
                    .filter(|a| Some(a.advisory.as_str()) != cited),
            );
        let cvss = record
            .and_then(|r| best_cvss(&r.cvss, r.assigner.as_deref()))
            .or_else(|| first.clone().find_map(|a| best_cvss(&a.cvss, None)));
        let cwes = match record.map(|r| &r.cwes) {
            Some(cwes) if !cwes.is_empty() => cwes.clone(),
            _ => first
                .clone()
                .find_map(|a| a.cwe.clone())
                .into_iter()
                .collect(),
        };
        (cvss, cwes)
    }
}

// ---------------------------------------------------------------------------------------------
// Findings with their priority and SSVC decision.

/// Where an inventory entry came from.
#[derive(Clone, Copy)]
enum Origin {
    /// The asset's product strings.
    Products,
    /// The components of the SBOM stored as this document.
    Sbom(i64),
}

impl Origin {
    /// `products` or `sbom N` (the stored document id).
    fn name(self) -> String {
        match self {
            Origin::Products => "products".to_owned(),
            Origin::Sbom(doc) => format!("sbom {doc}"),
        }
    }
}

/// One item an asset runs: its position among the inventory's distinct items.
struct ItemInfo {
    asset: String,
    /// The asset's graph index, once resolved ([`Matched::resolve`]).
    index: Option<u32>,
    item: usize,
    origin: Origin,
}

/// The inventory: its distinct items (a product string that many assets run is one item, parsed
/// and matched once) and every asset's entries, asset by asset, then the SBOMs' components.
struct Inventory {
    items: Vec<Item>,
    /// Per item, the product string or the SBOM component's purl, CPE or `name@version`.
    identifiers: Vec<String>,
    entries: Vec<ItemInfo>,
}

impl Inventory {
    /// A new item with its identifier; its position.
    fn add(&mut self, item: Item, identifier: String) -> usize {
        self.items.push(item);
        self.identifiers.push(identifier);
        self.items.len() - 1
    }
}

/// Where each SSVC input comes from ([`InputSource`]: `KEV`, `CISA ADP KEV`, `incident`,
/// `CISA ADP vote`, `analysis impact` or `missing`).
#[derive(Clone, Debug, Serialize)]
pub struct SsvcSources {
    pub exploitation: &'static str,
    pub automatable: &'static str,
    pub technical_impact: &'static str,
    pub mission_wellbeing: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct SsvcRow {
    /// `none`, `public poc`, `active`, or `missing` (no source: see `assumed`).
    pub exploitation: &'static str,
    /// `yes`, `no`, or `missing` (no CISA ADP vote: see `assumed`).
    pub automatable: &'static str,
    /// `partial`, `total`, or `missing` (no CISA ADP vote: see `assumed`).
    pub technical_impact: &'static str,
    /// The asset's single-failure impact (§2.4).
    pub impact: f64,
    pub mission_wellbeing: &'static str,
    pub sources: SsvcSources,
    /// The values the decision assumes for the missing inputs (`automatable yes`,
    /// `technical impact total`…); empty when every input has a source.
    pub assumed: Vec<String>,
    /// `Track`, `Track*`, `Attend` or `Act`; none for a candidate (no version checked).
    pub decision: Option<&'static str>,
}

impl SsvcRow {
    /// The decision as shown: `Act`, `Act (assumes automatable yes, technical impact total)`,
    /// or `candidate — version not checked`.
    pub fn verdict(&self) -> String {
        match (self.decision, self.assumed.as_slice()) {
            (None, _) => "candidate — version not checked".to_owned(),
            (Some(d), []) => d.to_owned(),
            (Some(d), assumed) => format!("{d} (assumes {})", assumed.join(", ")),
        }
    }
}

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    /// The item's version was checked against the advisory's range: an SSVC decision, counted.
    Checked,
    /// No version was checked (vendor only, a name without a version, a KEV entry): no
    /// decision, not counted, until confirmed.
    Candidate,
    /// A candidate an analyst confirmed: its decision, counted.
    Confirmed,
}

impl FindingState {
    const ALL: [FindingState; 3] = [
        FindingState::Checked,
        FindingState::Candidate,
        FindingState::Confirmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Checked => "checked",
            FindingState::Candidate => "candidate",
            FindingState::Confirmed => "confirmed",
        }
    }

    /// The state named `name` (`checked`, `candidate`, `confirmed`; any case); a problem at
    /// `/state`.
    pub fn parse(name: &str) -> Result<FindingState> {
        FindingState::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "/state",
                    format!("unknown finding state {name:?} (checked, candidate, confirmed)"),
                )
            })
    }
}

/// The latest VEX / CSAF statement about a finding says not affected or fixed.
#[derive(Clone, Debug, Serialize)]
pub struct Suppression {
    /// Its document (`VEX …`, `CSAF …`).
    pub by: String,
    /// The VEX justification or CSAF flag label; failing one, the status (`not_affected`,
    /// `known_not_affected`, `fixed`).
    pub justification: String,
    /// The statement's impact statement, when it gives one.
    pub impact_statement: Option<String>,
}

/// The latest VEX / CSAF statement about a finding says `under_investigation`: the finding
/// stands (and counts), marked.
#[derive(Clone, Debug, Serialize)]
pub struct Investigation {
    /// Its document (`VEX …`, `CSAF …`).
    pub by: String,
    /// Its impact (or action) statement, when it gives one.
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    pub asset: String,
    pub foreign: bool,
    /// The vulnerability id: a CVE id, else an OSV record's GHSA or own id.
    pub cve: String,
    /// Its other ids (OSV, GHSA, distribution advisories).
    pub aliases: Vec<String>,
    /// The asset's product string or SBOM component that matched.
    pub item: String,
    pub origin: String,
    /// The advisory that matched (`CVE 5 CVE-2024-3400`, `CSAF ICSA-…`, `KEV 2025.08.25`, `VEX …`).
    pub source: String,
    /// The advisory's identifier that matched.
    pub matched: String,
    pub version: Option<String>,
    pub range: Option<String>,
    /// The advisory's ranges that cannot be read, which left the version unchecked.
    pub unread: Option<String>,
    pub rule: &'static str,
    pub confidence: f32,
    pub state: FindingState,
    pub kev_due_date: Option<String>,
    pub epss: Option<f64>,
    /// The EPSS percentile and score date behind `epss`.
    pub epss_percentile: Option<f64>,
    pub epss_date: Option<String>,
    /// Its CVSS score and CWE ids (see [`Corpus::weakness`]).
    pub cvss: Option<Cvss>,
    pub cwes: Vec<String>,
    pub ssvc: SsvcRow,
    /// Set when the latest VEX / CSAF statement about it withdraws the finding.
    pub suppressed: Option<Suppression>,
    /// Set when the latest VEX / CSAF statement about it is `under_investigation`.
    pub under_investigation: Option<Investigation>,
    /// The analyst's note, when marked as a false positive.
    pub false_positive: Option<String>,
    /// The analyst's note, when confirmed.
    pub confirmed: Option<String>,
    /// The SSVC decision; none for a candidate.
    #[serde(skip)]
    pub decision: Option<Decision>,
}

impl FindingRow {
    /// Neither suppressed nor a false positive: listed (candidates too, apart).
    pub fn active(&self) -> bool {
        self.suppressed.is_none() && self.false_positive.is_none()
    }

    /// Active and not a candidate: counted in exposure and in the assets a CVE affects.
    pub fn counts(&self) -> bool {
        self.active() && self.decision.is_some()
    }

    /// Its exposure score when it counts ([`FindingRow::counts`]); its asset's is the largest
    /// over its counted findings ([`exposure_scores`]).
    pub fn exposure(&self) -> Option<f64> {
        let decision = self.decision.filter(|_| self.counts())?;
        Some(exposure_score(self.confidence, decision, self.epss))
    }
}

/// A counted finding's exposure score ([`exposure_scores`]).
fn exposure_score(confidence: f32, decision: Decision, epss: Option<f64>) -> f64 {
    let w = decision_weight(decision);
    (f64::from(confidence) * (1.0 - (1.0 - w) * (1.0 - epss.unwrap_or(0.0)))).clamp(0.0, 1.0)
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::Purl => "purl",
        Rule::Cpe => "cpe",
        Rule::ModelNumber => "model-number",
        Rule::Name => "name",
        Rule::VendorOnly => "vendor-only",
    }
}

fn source_name(source: &intel::matching::Source) -> String {
    let kind = match source.kind {
        SourceKind::Cve5 => "CVE 5",
        SourceKind::Csaf => "CSAF",
        SourceKind::Kev => "",
        SourceKind::Vex => "VEX",
        SourceKind::Osv => "OSV",
    };
    if kind.is_empty() {
        source.document.clone()
    } else {
        format!("{kind} {}", source.document)
    }
}

/// The inventory: every asset's products and attached SBOM components (of `only`, if given).
fn inventory(store: &mut store::Store, corpus: &Corpus, only: Option<&str>) -> Result<Inventory> {
    let mut inventory = Inventory {
        items: Vec::new(),
        identifiers: Vec::new(),
        entries: Vec::new(),
    };
    // Per distinct product string, its item or why it cannot be read.
    let mut parsed: HashMap<String, std::result::Result<usize, String>> = HashMap::new();
    let mut unreadable = 0usize;
    for asset in store.asset_products(only)? {
        for (i, p) in asset.products.into_iter().enumerate() {
            let item = parsed.entry(p).or_insert_with_key(|p| {
                let id = inventory.items.len().to_string();
                Item::parse(&id, p)
                    .map(|item| inventory.add(item, p.clone()))
                    .map_err(|e| e.to_string())
            });
            match item {
                Ok(item) => inventory.entries.push(ItemInfo {
                    asset: asset.id.clone(),
                    index: None,
                    item: *item,
                    origin: Origin::Products,
                }),
                Err(e) => {
                    unreadable += 1;
                    tracing::warn!(asset = %asset.id, index = i, error = %e, "unreadable product string");
                }
            }
        }
    }
    for (asset, doc) in store.sboms()? {
        if only.is_some_and(|o| o != asset) {
            continue;
        }
        let Some(sbom) = corpus.sboms.get(&doc) else {
            continue;
        };
        for (i, c) in sbom.components.iter().enumerate() {
            // Inside the BOM's subject: statements about its subcomponents apply.
            let item = Item::in_sbom(&inventory.items.len().to_string(), sbom, i);
            let identifier =
                c.purl
                    .clone()
                    .or_else(|| c.cpe.clone())
                    .unwrap_or_else(|| match &c.version {
                        Some(v) => format!("{}@{v}", c.name),
                        None => c.name.clone(),
                    });
            let item = inventory.add(item, identifier);
            inventory.entries.push(ItemInfo {
                asset: asset.clone(),
                index: None,
                item,
                origin: Origin::Sbom(doc),
            });
        }
    }
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "product strings skipped (neither purl, CPE nor vendor:product)"
        );
    }
    Ok(inventory)
}

/// The inventory of the atlas (or of one asset) matched against every stored document, each
/// distinct item once.
struct Matched {
    corpus: Corpus,
    inventory: Inventory,
    /// Per item of the inventory, its findings and suppressed findings.
    matches: Vec<Matches>,
}

impl Matched {
    fn load(store: &mut store::Store, context: Context<'_>, only: Option<&str>) -> Result<Matched> {
        check_asset(store, only)?;
        let corpus = Corpus::load(store, context.progress)?;
        let inventory = inventory(store, &corpus, only)?;
        let matches = corpus.index.match_each(&inventory.items);
        Ok(Matched {
            corpus,
            inventory,
            matches,
        })
    }

    fn is_empty(&self) -> bool {
        self.matches
            .iter()
            .all(|m| m.findings.is_empty() && m.suppressed.is_empty())
    }

    /// Every entry's findings, entry by entry: the entry and the finding.
    fn findings(&self) -> impl Iterator<Item = (&ItemInfo, &Finding)> {
        self.inventory
            .entries
            .iter()
            .flat_map(|e| self.matches[e.item].findings.iter().map(move |f| (e, f)))
    }

    /// Every entry's suppressed findings, entry by entry: the entry and the suppression.
    fn suppressed(&self) -> impl Iterator<Item = (&ItemInfo, &Suppressed)> {
        self.inventory
            .entries
            .iter()
            .flat_map(|e| self.matches[e.item].suppressed.iter().map(move |s| (e, s)))
    }

    /// Resolves every entry's asset on `engine`'s graph.
    fn resolve(&mut self, engine: &crate::analysis::Engine) {
        for e in &mut self.inventory.entries {
            e.index = engine.resolve(&e.asset).ok();
        }
    }

    /// The graph indices of the assets with a finding (suppressed too) that `keep` keeps, once
    /// resolved.
    fn assets(&self, keep: impl Fn(u32) -> bool) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .findings()
            .map(|(e, _)| e)
            .chain(self.suppressed().map(|(e, _)| e))
            .filter_map(|e| e.index)
            .filter(|&a| keep(a))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// What findings are judged with: the corpus, the analysts' verdicts, the assets under attack
/// and the single-failure impacts of the assets with findings, as `analyze rank` computes them.
struct Judge<'a> {
    corpus: &'a Corpus,
    kev: HashMap<&'a str, &'a intel::kev::KevEntry>,
    marked: HashMap<(&'a str, &'a str), Vec<&'a store::FindingMark>>,
    attacked: &'a HashSet<String>,
    table: &'static DecisionTable,
    engine: &'a crate::analysis::Engine,
    impacts: HashMap<u32, f64>,
}

/// One finding judged: its asset's graph index and impact, its SSVC assessment, the analyst's
/// verdict, its state and its decision (none for a candidate).
struct Judged<'a> {
    asset: Option<u32>,
    impact: f64,
    record: Option<&'a CveRecord>,
    epss: Option<&'a Epss>,
    kev: Option<&'a intel::kev::KevEntry>,
    assessment: Assessment,
    mark: Option<&'a store::FindingMark>,
    state: FindingState,
    decision: Option<Decision>,
}

impl Judged<'_> {
    /// The analyst's note when the verdict is `verdict`.
    fn note(&self, verdict: store::Verdict) -> Option<String> {
        self.mark
            .filter(|m| m.verdict == verdict)
            .map(|m| m.note.clone())
    }

    fn false_positive(&self) -> bool {
        self.mark
            .is_some_and(|m| m.verdict == store::Verdict::FalsePositive)
    }
}

impl<'a> Judge<'a> {
    /// A judge on `engine`'s graph with the impacts of `assets` (graph indices).
    fn new(
        corpus: &'a Corpus,
        marks: &'a [store::FindingMark],
        attacked: &'a HashSet<String>,
        engine: &'a crate::analysis::Engine,
        assets: &[u32],
    ) -> Judge<'a> {
        let mut marked: HashMap<(&str, &str), Vec<&store::FindingMark>> = HashMap::new();
        for m in marks {
            marked
                .entry((m.asset.as_str(), m.cve.as_str()))
                .or_default()
                .push(m);
        }
        Judge {
            corpus,
            kev: corpus.kev.as_ref().map(|k| k.by_cve()).unwrap_or_default(),
            marked,
            attacked,
            table: DecisionTable::cisa_coordinator(),
            engine,
            impacts: assets
                .iter()
                .copied()
                .zip(graph::rank::single_failure_impacts(&engine.graph, assets))
                .collect(),
        }
    }

    /// Judges finding `f` on entry `it` (whose item has `identifier`).
    fn judge(&self, it: &ItemInfo, identifier: &str, f: &Finding) -> Judged<'a> {
        let a = it.index;
        let impact = a.and_then(|a| self.impacts.get(&a)).copied().unwrap_or(0.0);
        let record = self.corpus.records.get(&f.cve);
        let vote: Option<&SsvcVote> = record.and_then(|r| r.ssvc.as_ref());
        let kev = self.kev.get(f.cve.as_str()).copied();
        let adp_kev = record.is_some_and(|r| r.kev.is_some());
        // Assets under attack: a cyber incident or sighting makes Exploitation at least active.
        let attacked = self.attacked.contains(&it.asset);
        let assessment = Assessment::for_finding(vote, kev.is_some(), adp_kev, attacked, impact);
        // The analyst's verdict on a finding: one on its item before one on every item of the
        // asset.
        let mark = self
            .marked
            .get(&(it.asset.as_str(), f.cve.as_str()))
            .and_then(|marks| {
                marks
                    .iter()
                    .copied()
                    .filter(|m| m.item.is_empty() || m.item == identifier)
                    .max_by_key(|m| !m.item.is_empty())
            });
        let confirmed = mark.is_some_and(|m| m.verdict == store::Verdict::Confirmed);
        let state = if f.version_checked() {
            FindingState::Checked
        } else if confirmed {
            FindingState::Confirmed
        } else {
            FindingState::Candidate
        };
        Judged {
            asset: a,
            impact,
            record,
            epss: self.corpus.epss.get(&f.cve),
            kev,
            assessment,
            mark,
            state,
            decision: (state != FindingState::Candidate)
                .then(|| self.table.decide(assessment.inputs)),
        }
    }

    /// The row of finding `f` on entry `it` (whose item has `identifier`).
    fn row(
        &self,
        it: &ItemInfo,
        identifier: &str,
        f: &Finding,
        suppressed: Option<Suppression>,
    ) -> FindingRow {
        let j = self.judge(it, identifier, f);
        let (cvss, cwes) = self.corpus.weakness(f, j.record);
        let assessment = j.assessment;
        let value = |source: InputSource, value: &'static str| {
            if source == InputSource::Missing {
                "missing"
            } else {
                value
            }
        };
        FindingRow {
            asset: it.asset.clone(),
            foreign: j.asset.is_some_and(|a| self.engine.graph.is_foreign(a)),
            cve: f.cve.clone(),
            aliases: f.aliases.clone(),
            item: identifier.to_owned(),
            origin: it.origin.name(),
            source: source_name(&f.source),
            matched: f.matched_identifier.clone(),
            version: f.version.clone(),
            range: f.range.clone(),
            unread: f.unread.clone(),
            rule: rule_name(f.rule),
            confidence: f.confidence,
            state: j.state,
            kev_due_date: j.kev.map(|e| e.due_date.clone()),
            epss: j.epss.map(|e| e.score),
            epss_percentile: j.epss.map(|e| e.percentile),
            epss_date: j.epss.and_then(|e| e.date.clone()),
            cvss,
            cwes,
            ssvc: SsvcRow {
                exploitation: value(
                    assessment.exploitation,
                    assessment.inputs.exploitation.as_str(),
                ),
                automatable: value(
                    assessment.automatable,
                    assessment.inputs.automatable.as_str(),
                ),
                technical_impact: value(
                    assessment.technical_impact,
                    assessment.inputs.technical_impact.as_str(),
                ),
                impact: j.impact,
                mission_wellbeing: value(
                    assessment.mission_wellbeing,
                    assessment.inputs.mission_wellbeing.as_str(),
                ),
                sources: SsvcSources {
                    exploitation: assessment.exploitation.as_str(),
                    automatable: assessment.automatable.as_str(),
                    technical_impact: assessment.technical_impact.as_str(),
                    mission_wellbeing: assessment.mission_wellbeing.as_str(),
                },
                assumed: assessment.assumed(),
                decision: j.decision.map(Decision::as_str),
            },
            decision: j.decision,
            suppressed,
            under_investigation: f.under_investigation.as_ref().map(|i| Investigation {
                by: source_name(&i.by),
                note: i.note.clone(),
            }),
            false_positive: j.note(store::Verdict::FalsePositive),
            confirmed: j.note(store::Verdict::Confirmed),
        }
    }
}

/// Matches the inventory of the atlas (or of `only`) and calls `f` with it and a judge on
/// `engine`'s graph (or on one loaded from the store) that has the impacts of the assets with
/// findings that `keep` keeps (by graph index); `None` when nothing matched.
fn with_judge<T>(
    store: &mut store::Store,
    context: Context<'_>,
    only: Option<&str>,
    engine: Option<&crate::analysis::Engine>,
    keep: impl Fn(u32) -> bool,
    f: impl FnOnce(&Matched, &Judge<'_>) -> T,
) -> Result<Option<T>> {
    let mut matched = Matched::load(store, context, only)?;
    if matched.is_empty() {
        return Ok(None);
    }
    let loaded;
    let engine = match engine {
        Some(engine) => engine,
        None => {
            loaded = crate::analysis::Engine::load(store, context.home, &())?;
            &loaded
        }
    };
    matched.resolve(engine);
    let marks = store.finding_marks()?;
    let assets = matched.assets(keep);
    let judge = Judge::new(&matched.corpus, &marks, context.attacked, engine, &assets);
    Ok(Some(f(&matched, &judge)))
}

/// Every finding (active, suppressed and false positives) of the atlas, or of one asset.
fn compute(
    store: &mut store::Store,
    context: Context<'_>,
    only: Option<&str>,
    engine: Option<&crate::analysis::Engine>,
) -> Result<Vec<FindingRow>> {
    let rows = with_judge(
        store,
        context,
        only,
        engine,
        |_| true,
        |matched, judge| {
            let identifiers = &matched.inventory.identifiers;
            matched
                .findings()
                .map(|(it, f)| judge.row(it, &identifiers[it.item], f, None))
                .chain(matched.suppressed().map(|(it, s)| {
                    let suppression = Suppression {
                        by: source_name(&s.by),
                        justification: s.justification.clone(),
                        impact_statement: s.impact_statement.clone(),
                    };
                    judge.row(it, &identifiers[it.item], &s.finding, Some(suppression))
                }))
                .collect()
        },
    )?;
    let mut rows: Vec<FindingRow> = rows.unwrap_or_default();
    rows.sort_by(|a, b| {
        b.decision
            .cmp(&a.decision)
            .then_with(|| a.asset.cmp(&b.asset))
            .then_with(|| a.cve.cmp(&b.cve))
            .then_with(|| a.item.cmp(&b.item))
    });
    Ok(rows)
}

/// Track 0.1, Track* 0.3, Attend 0.6, Act 1.0: how urgently the decision asks for action.
fn decision_weight(decision: Decision) -> f64 {
    match decision {
        Decision::Track => 0.1,
        Decision::TrackStar => 0.3,
        Decision::Attend => 0.6,
        Decision::Act => 1.0,
    }
}

/// The KEV `dateAdded` of every CVE in the newest stored KEV catalog (empty without one).
pub fn kev_dates_added(
    store: &mut store::Store,
    progress: &dyn Progress,
) -> Result<HashMap<String, String>> {
    Ok(kev_dates(store, progress)?
        .into_iter()
        .map(|(cve, dates)| (cve, dates.added))
        .collect())
}

/// When a CVE entered the KEV catalog and the remediation deadline the catalog gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevDates {
    /// `dateAdded` (`YYYY-MM-DD`).
    pub added: String,
    /// `dueDate` (`YYYY-MM-DD`).
    pub due: String,
}

/// Per CVE id, its [`KevDates`] in the newest stored KEV catalog that parses (as the corpus
/// reads it), parsing no other document.
pub fn kev_dates(
    store: &mut store::Store,
    progress: &dyn Progress,
) -> Result<HashMap<String, KevDates>> {
    let catalogs = store.intel_documents_of_kind(Kind::Kev.as_str())?;
    progress.start("parsing KEV", Some(catalogs.len() as u64));
    let newest = catalogs.iter().rev().find_map(|(doc, body)| {
        progress.advance(1);
        match intel::kev::parse_kev(body.as_bytes()) {
            Ok((catalog, _)) => Some(catalog),
            Err(e) => {
                tracing::warn!(document = doc.id, source = %doc.source, error = %e, "stored KEV catalog skipped");
                None
            }
        }
    });
    progress.finish();
    Ok(newest
        .into_iter()
        .flat_map(|k| k.vulnerabilities)
        .map(|e| {
            let dates = KevDates {
                added: e.date_added,
                due: e.due_date,
            };
            (e.cve_id, dates)
        })
        .collect())
}

/// One counted finding (neither suppressed, a false positive nor an unconfirmed candidate):
/// the asset, the inventory item that matched (a product string or SBOM component) and the
/// range it fell in.
pub struct ActiveFinding {
    pub cve: String,
    pub asset: String,
    pub item: String,
    pub range: Option<String>,
    pub version: Option<String>,
}

/// The counted findings ([`FindingRow::counts`]) of `cve` (or of every CVE), by asset and item.
pub fn active_findings(
    store: &mut store::Store,
    context: Context<'_>,
    cve: Option<&str>,
) -> Result<Vec<ActiveFinding>> {
    let mut found: Vec<ActiveFinding> = compute(store, context, None, None)?
        .into_iter()
        .filter(|r| r.counts() && cve.is_none_or(|c| r.cve == c))
        .map(|r| ActiveFinding {
            cve: r.cve,
            asset: r.asset,
            item: r.item,
            range: r.range,
            version: r.version,
        })
        .collect();
    found.sort_by(|a, b| a.asset.cmp(&b.asset).then_with(|| a.item.cmp(&b.item)));
    Ok(found)
}

/// Ids of the assets with a counted finding ([`FindingRow::counts`]: not suppressed, not a
/// false positive, not an unconfirmed candidate) for one of `cves`: the "every asset that runs
/// a product affected by CVE X" scenario of §2.5.
pub fn assets_affected_by(
    store: &mut store::Store,
    context: Context<'_>,
    cves: &[String],
) -> Result<BTreeSet<String>> {
    if cves.is_empty() {
        return Ok(Default::default());
    }
    Ok(compute(store, context, None, None)?
        .into_iter()
        .filter(|r| r.counts() && cves.contains(&r.cve))
        .map(|r| r.asset)
        .collect())
}

/// Per asset id, an exposure score in [0, 1] from its counted findings ([`FindingRow::counts`]:
/// neither suppressed, false positives nor unconfirmed candidates): the maximum over findings of
///
/// `confidence × (1 − (1 − w) × (1 − epss))`
///
/// where `w` is the SSVC decision's weight (Track 0.1, Track* 0.3, Attend 0.6, Act 1.0) and
/// `epss` the CVE's EPSS probability (0 when unknown). The decision weight and EPSS combine as
/// independent chances that the finding needs action, and the match confidence discounts
/// weaker matches (a name match with a version counts 0.65 of an exact purl/version match's
/// 0.95; a confirmed candidate keeps its match's confidence). Assets without counted findings
/// are absent (exposure 0).
///
/// Computed on `engine` (for `context.home` and the atlas as stored) for the assets `keep`
/// keeps (by graph index): the others are absent too.
pub fn exposure_scores(
    store: &mut store::Store,
    context: Context<'_>,
    engine: &crate::analysis::Engine,
    keep: impl Fn(u32) -> bool,
) -> Result<HashMap<String, f64>> {
    let mut scores = HashMap::<String, f64>::new();
    counted(
        store,
        context,
        Some(engine),
        |a| a.is_some_and(&keep),
        |asset, c| {
            let score = scores.entry(asset.to_owned()).or_insert(0.0);
            *score = score.max(c.score);
        },
    )?;
    Ok(scores)
}

/// One counted finding ([`FindingRow::counts`]): what exposure is made of.
struct Counted {
    decision: Decision,
    /// Its exposure score ([`exposure_scores`]).
    score: f64,
    epss: Option<f64>,
}

/// Calls `each` with the asset id and the exposure of every counted finding on the assets
/// `keep` keeps (by graph index; `None` for an asset not in the graph), judged on `engine`'s
/// graph or on one loaded from the store. Only the findings' decisions and scores are made,
/// not their rows.
fn counted(
    store: &mut store::Store,
    context: Context<'_>,
    engine: Option<&crate::analysis::Engine>,
    keep: impl Fn(Option<u32>) -> bool,
    mut each: impl FnMut(&str, Counted),
) -> Result<()> {
    let keep = &keep;
    with_judge(
        store,
        context,
        None,
        engine,
        |a| keep(Some(a)),
        |matched, judge| {
            let identifiers = &matched.inventory.identifiers;
            for (it, f) in matched.findings() {
                if !keep(it.index) {
                    continue;
                }
                let j = judge.judge(it, &identifiers[it.item], f);
                if j.false_positive() {
                    continue;
                }
                let Some(decision) = j.decision else {
                    continue;
                };
                let epss = j.epss.map(|e| e.score);
                let score = exposure_score(f.confidence, decision, epss);
                each(
                    &it.asset,
                    Counted {
                        decision,
                        score,
                        epss,
                    },
                );
            }
        },
    )?;
    Ok(())
}

/// One asset's exposure: its score and what it is made of.
#[derive(Clone, Debug, Serialize)]
pub struct AssetExposure {
    pub score: f64,
    /// Counted findings on the asset.
    pub findings: usize,
    /// The most urgent SSVC decision among them.
    pub worst_decision: String,
    /// The highest EPSS probability among them, when any is scored.
    pub epss_max: Option<f64>,
    #[serde(skip)]
    pub worst: Decision,
}

/// Per asset id, its exposure ([`exposure_scores`]) and what it is made of.
pub fn asset_exposures(
    store: &mut store::Store,
    context: Context<'_>,
) -> Result<BTreeMap<String, AssetExposure>> {
    let mut exposures = BTreeMap::<String, AssetExposure>::new();
    counted(
        store,
        context,
        None,
        |_| true,
        |asset, c| {
            let e = exposures.entry(asset.to_owned()).or_insert(AssetExposure {
                score: 0.0,
                findings: 0,
                worst_decision: String::new(),
                epss_max: None,
                worst: c.decision,
            });
            e.score = e.score.max(c.score);
            e.findings += 1;
            if decision_weight(c.decision) >= decision_weight(e.worst) {
                e.worst = c.decision;
            }
            e.worst_decision = e.worst.to_string();
            e.epss_max = match (e.epss_max, c.epss) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        },
    )?;
    Ok(exposures)
}

// ---------------------------------------------------------------------------------------------
// Findings, false positives, documents

/// Which findings to list.
#[derive(Clone, Debug, Default)]
pub struct FindingQuery {
    /// Only this asset's findings.
    pub asset: Option<String>,
    /// Only findings at least this confident (0..=1).
    pub min_confidence: f32,
    /// Also findings suppressed by VEX / CSAF and false positives (candidates are always in).
    pub all: bool,
}

/// The findings a query selects, most urgent SSVC decision first.
#[derive(Clone, Debug)]
pub struct Findings {
    /// Every finding of the atlas (or asset), before the confidence and activity filters.
    pub total: usize,
    pub rows: Vec<FindingRow>,
}

/// Findings: asset products and attached SBOM components matched against the stored CVE, CSAF,
/// KEV and VEX data, with KEV due date, EPSS and SSVC decision.
pub fn findings(
    store: &mut store::Store,
    context: Context<'_>,
    query: &FindingQuery,
) -> Result<Findings> {
    findings_on(store, context, None, query)
}

/// [`findings`] with the impacts computed on `engine`'s graph when given (it must be for
/// `context.home` and the atlas as stored) rather than on one loaded from the store.
pub(crate) fn findings_on(
    store: &mut store::Store,
    context: Context<'_>,
    engine: Option<&crate::analysis::Engine>,
    query: &FindingQuery,
) -> Result<Findings> {
    let rows = compute(store, context, query.asset.as_deref(), engine)?;
    let total = rows.len();
    let rows = rows.into_iter().filter(|r| query.keeps(r)).collect();
    Ok(Findings { total, rows })
}

/// An asset a query names must exist.
fn check_asset(store: &mut store::Store, only: Option<&str>) -> Result<()> {
    match only {
        Some(asset) if !store.asset_exists(asset)? => Err(Error::invalid(
            "--asset",
            format!("asset {asset:?} not found"),
        )),
        _ => Ok(()),
    }
}

/// The rows of every finding of the atlas (as [`FindingsCache::get`] holds them) that `query`
/// selects, in their order, borrowed: [`findings`]' rows without copying the others.
pub fn queried<'a>(
    store: &mut store::Store,
    all: &'a [FindingRow],
    query: &'a FindingQuery,
) -> Result<impl Iterator<Item = &'a FindingRow> + Clone + use<'a>> {
    check_asset(store, query.asset.as_deref())?;
    Ok(all
        .iter()
        .filter(|r| query.asset.as_ref().is_none_or(|a| &r.asset == a))
        .filter(|r| query.keeps(r)))
}

impl FindingQuery {
    /// Whether a row of the query's asset passes its confidence and activity filters.
    fn keeps(&self, r: &FindingRow) -> bool {
        r.confidence >= self.min_confidence && (self.all || r.active())
    }
}

/// A finding an analyst gives a verdict on (false positive, confirmed).
#[derive(Clone, Debug, Default)]
pub struct FindingMarkInput {
    pub asset: String,
    pub cve: String,
    /// Only the finding from this inventory item; empty: every item of the asset.
    pub item: String,
    pub note: String,
}

/// The audit actions of marking and unmarking a verdict.
fn verdict_actions(verdict: store::Verdict) -> (&'static str, &'static str) {
    match verdict {
        store::Verdict::FalsePositive => {
            ("finding.false_positive", "finding.false_positive_removed")
        }
        store::Verdict::Confirmed => ("finding.confirmed", "finding.confirmation_removed"),
    }
}

/// Stores an analyst's verdict on a finding, kept across re-imports and replacing an earlier
/// verdict on it: a false positive is hidden; a confirmed candidate takes its SSVC decision and
/// counts in exposure. Audited as `finding.false_positive` or `finding.confirmed`. Returns what
/// was stored and whether it is new (`false`: an earlier mark of this verdict was re-noted).
pub fn mark_finding(
    store: &mut store::Store,
    verdict: store::Verdict,
    input: FindingMarkInput,
    actor: &Actor,
) -> Result<(store::FindingMark, bool)> {
    let cve = input.cve.trim();
    if !intel::is_vulnerability_id(cve) {
        return Err(Error::invalid(
            "/cve",
            format!(
                "{:?} is not a vulnerability id (CVE-YYYY-NNNN, GHSA-…, GO-YYYY-NNNN…)",
                input.cve
            ),
        ));
    }
    if !store.asset_exists(&input.asset)? {
        return Err(Error::NotFound {
            what: "asset",
            id: input.asset,
        });
    }
    let mark = store::FindingMark {
        cve: cve.to_owned(),
        asset: input.asset,
        item: input.item,
        verdict,
        note: input.note,
        marked_at: crate::now(),
    };
    let created = crate::audit::audited(
        store,
        actor,
        verdict_actions(verdict).0,
        |store| Ok(store.mark_finding(&mark)?),
        |_| {
            (
                vec![mark.asset.clone(), mark.cve.clone()],
                format!("{}\n{}\n{}\n{}", mark.asset, mark.cve, mark.item, mark.note),
            )
        },
    )?;
    tracing::info!(actor = %actor.audit_name(), asset = %mark.asset, cve = %mark.cve, verdict = verdict.as_str(), created, "finding marked");
    Ok((mark, created))
}

/// Removes the `verdict` mark of `asset`, `cve` and `item` (empty: the mark covering every
/// item of the asset): the finding is active again, or a candidate again. Audited as
/// `finding.false_positive_removed` or `finding.confirmation_removed`. Not found when no such
/// mark exists.
pub fn unmark_finding(
    store: &mut store::Store,
    verdict: store::Verdict,
    asset: &str,
    cve: &str,
    item: &str,
    actor: &Actor,
) -> Result<()> {
    crate::audit::audited(
        store,
        actor,
        verdict_actions(verdict).1,
        |store| {
            if store.unmark_finding(asset, cve, item, verdict)? {
                Ok(())
            } else {
                Err(Error::NotFound {
                    what: match verdict {
                        store::Verdict::FalsePositive => "false positive",
                        store::Verdict::Confirmed => "confirmation",
                    },
                    id: format!("{asset} {cve} {item}").trim_end().to_owned(),
                })
            }
        },
        |_| {
            (
                vec![asset.to_owned(), cve.to_owned()],
                format!("{asset}\n{cve}\n{item}"),
            )
        },
    )
}

/// The stored marks of `verdict` (false positives, confirmations), by asset, CVE and item: what
/// [`unmark_finding`] takes back.
pub fn marks(store: &mut store::Store, verdict: store::Verdict) -> Result<Vec<store::FindingMark>> {
    Ok(store
        .finding_marks()?
        .into_iter()
        .filter(|m| m.verdict == verdict)
        .collect())
}

/// A stored intel document and its provenance.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: String,
    pub source: String,
    pub sha256: String,
    pub imported_at: String,
    /// The assets an SBOM is attached to.
    pub attached_to: Vec<String>,
}

/// The stored intel documents, in import order.
/// An imported document's bytes exactly as they were imported (a byte-order mark, whitespace
/// and key order included: the store keeps the text whose SHA-256 identifies the document),
/// with their media type: `text/csv` for EPSS, `application/json` otherwise. Staff only.
pub fn original(
    store: &mut store::Store,
    id: i64,
    actor: &Actor,
) -> Result<(&'static str, Vec<u8>)> {
    crate::authz::authorize(actor, crate::authz::Action::ReadIntel)?;
    let (document, body) = store
        .intel_document_with_body(id)?
        .ok_or_else(|| Error::NotFound {
            what: "intel document",
            id: id.to_string(),
        })?;
    let media_type = if document.kind == Kind::Epss.as_str() {
        "text/csv"
    } else {
        "application/json"
    };
    Ok((media_type, body.into_bytes()))
}

pub fn documents(store: &mut store::Store) -> Result<Vec<DocumentRow>> {
    let mut attached: HashMap<i64, Vec<String>> = HashMap::new();
    for (asset, doc) in store.sboms()? {
        attached.entry(doc).or_default().push(asset);
    }
    Ok(store
        .intel_documents()?
        .into_iter()
        .map(|d| DocumentRow {
            attached_to: attached.remove(&d.id).unwrap_or_default(),
            id: d.id,
            kind: d.kind,
            source: d.source,
            sha256: d.sha256,
            imported_at: d.imported_at,
        })
        .collect())
}

/// Further conditions on listed findings; every one given must hold.
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    /// Only this CVE (any case).
    pub cve: Option<String>,
    /// Only this SSVC decision (`Track`, `Track*`, `Attend`, `Act`; any case): never a
    /// candidate.
    pub decision: Option<String>,
    /// Only findings in this state (`checked`, `candidate`, `confirmed`; any case).
    pub state: Option<String>,
    /// Only findings in (`true`) or not in (`false`) the KEV catalog.
    pub kev: Option<bool>,
    /// Only findings on foreign (`true`) or domestic (`false`) assets.
    pub foreign: Option<bool>,
    /// Only findings on assets in this country (ISO 3166-1 alpha-2, any case).
    pub country: Option<String>,
}

/// The order of listed findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindingOrder {
    /// Most urgent SSVC decision first (as [`findings`] gives them).
    #[default]
    Urgency,
    /// By asset, then CVE.
    Asset,
    /// By CVE, then asset.
    Cve,
    /// Highest EPSS probability first.
    Epss,
}

impl FindingOrder {
    /// The order named `name` (`urgency`, `asset`, `cve`, `epss`); a problem at `/sort`.
    pub fn parse(name: &str) -> Result<FindingOrder> {
        match name.to_ascii_lowercase().as_str() {
            "urgency" => Ok(FindingOrder::Urgency),
            "asset" => Ok(FindingOrder::Asset),
            "cve" => Ok(FindingOrder::Cve),
            "epss" => Ok(FindingOrder::Epss),
            _ => Err(Error::invalid(
                "/sort",
                format!("unknown order {name:?} (urgency, asset, cve, epss)"),
            )),
        }
    }
}

/// The rows of `rows` that `filter` keeps, in `order` (ties keep their urgency order). An
/// unknown decision is a problem at `/decision`, an unknown state at `/state`.
pub fn select<R: Borrow<FindingRow>>(
    store: &mut store::Store,
    rows: impl IntoIterator<Item = R>,
    filter: &FindingFilter,
    order: FindingOrder,
) -> Result<Vec<R>> {
    const DECISIONS: [Decision; 4] = [
        Decision::Track,
        Decision::TrackStar,
        Decision::Attend,
        Decision::Act,
    ];
    let decision = match &filter.decision {
        Some(name) => Some(
            DECISIONS
                .into_iter()
                .find(|d| d.to_string().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    Error::invalid(
                        "/decision",
                        format!("unknown SSVC decision {name:?} (Track, Track*, Attend, Act)"),
                    )
                })?,
        ),
        None => None,
    };
    let state = filter
        .state
        .as_deref()
        .map(FindingState::parse)
        .transpose()?;
    let mut rows: Vec<R> = rows
        .into_iter()
        .filter(|r| {
            let r = r.borrow();
            filter
                .cve
                .as_ref()
                .is_none_or(|c| r.cve.eq_ignore_ascii_case(c.trim()))
                && decision.is_none_or(|d| r.decision == Some(d))
                && state.is_none_or(|s| r.state == s)
                && filter.kev.is_none_or(|k| r.kev_due_date.is_some() == k)
                && filter.foreign.is_none_or(|f| r.foreign == f)
        })
        .collect();
    if let Some(country) = &filter.country {
        let mut ids: Vec<&str> = rows.iter().map(|r| r.borrow().asset.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let countries = store.asset_countries(&ids)?;
        rows.retain(|r| {
            countries
                .get(&r.borrow().asset)
                .is_some_and(|x| x.eq_ignore_ascii_case(country.trim()))
        });
    }
    match order {
        FindingOrder::Urgency => {}
        FindingOrder::Asset => rows.sort_by(|a, b| {
            let (a, b) = (key(a), key(b));
            a.0.cmp(b.0).then(a.1.cmp(b.1))
        }),
        FindingOrder::Cve => rows.sort_by(|a, b| {
            let (a, b) = (key(a), key(b));
            a.1.cmp(b.1).then(a.0.cmp(b.0))
        }),
        FindingOrder::Epss => rows.sort_by(|a, b| key(b).2.total_cmp(&key(a).2)),
    }
    Ok(rows)
}

/// What [`select`] orders by: asset, CVE, EPSS (-1 without one).
fn key<R: Borrow<FindingRow>>(r: &R) -> (&str, &str, f64) {
    let r = r.borrow();
    (r.asset.as_str(), r.cve.as_str(), r.epss.unwrap_or(-1.0))
}
