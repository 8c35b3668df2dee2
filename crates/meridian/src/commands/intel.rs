//! `intel …`: vulnerability intelligence matched to the atlas (§3 of the specification).
//!
//! Documents (KEV, CVE 5 records, EPSS, CSAF, CycloneDX, SPDX, OpenVEX) are validated by the
//! `intel` parsers and stored verbatim (`store::IntelImport`, idempotent by SHA-256). Findings
//! are computed when asked for: every stored document is parsed into one
//! `intel::matching::Index`, every asset's `products` and every attached SBOM's components are
//! matched against it, and each finding gets its KEV due date, EPSS score and SSVC decision
//! (Mission & Well-being from the asset's single-failure impact, as `analyze rank` computes it).
//! Later documents supersede earlier ones of the same identity: the newest KEV catalog, the
//! newest import of a CVE record or CSAF tracking id, the newest EPSS score of a CVE.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use intel::cve::{CveRecord, SsvcVote};
use intel::matching::{Finding, Index, Item, Rule, SourceKind};
use intel::ssvc::{Decision, DecisionTable, SsvcInputs};
use intel::{Diagnostic, IntelError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum IntelCommand {
    /// Validate and store intel documents in one all-or-nothing transaction.
    ///
    /// The kind is detected from the content: KEV JSON, CVE JSON 5 record, EPSS CSV (FIRST
    /// daily file with its `cve,epss,percentile` header, or headerless `cve;epss;percentile`
    /// rows), CSAF 2.0, CycloneDX JSON, SPDX JSON or OpenVEX. Anything else (an empty file,
    /// XML, SPDX tag-value, other CSV) is refused with the file and the reason.
    /// Re-importing identical bytes reports "unchanged". An invalid document is refused with the
    /// JSON path (or CSV line) of the problem, and then nothing is stored.
    Import(ImportArgs),
    /// Findings: asset products and attached SBOM components matched against the stored
    /// CVE, CSAF, KEV and VEX data, with the matched identifier, range, rule, confidence, KEV
    /// due date, EPSS and SSVC decision.
    Findings(FindingsArgs),
    /// The SSVC inputs and decision of every finding.
    Ssvc(FilterArgs),
    /// Mark a finding as a false positive; it stays hidden across re-imports.
    FalsePositive(FalsePositiveArgs),
    /// Per-asset exposure score in [0, 1] from the active findings (the ranking's input).
    Exposure {
        /// Rows to print in the table (`--json` always gives every asset).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Stored documents and their provenance.
    Documents,
    /// Coordinated vulnerability disclosure cases and their CSAF 2.0 advisories.
    Cvd {
        #[command(subcommand)]
        command: super::cvd::CvdCommand,
    },
    /// Fetch the configured feeds and every `--url` (KEV, EPSS, CVE records) over HTTPS and
    /// import them like `intel import`, all or nothing; unchanged feeds answer 304 and store
    /// nothing.
    Sync(super::sync::SyncArgs),
    /// The feeds `intel sync` fetches.
    Feed {
        #[command(subcommand)]
        command: super::sync::FeedCommand,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Attach the files (CycloneDX or SPDX SBOMs) to this asset.
    #[arg(long, value_name = "ID")]
    pub asset: Option<String>,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this asset's findings.
    #[arg(long, value_name = "ID")]
    pub asset: Option<String>,
    /// Only findings at least this confident (0..=1; exact purl/version 0.95, CPE + version
    /// 0.85, name without version 0.4, vendor only 0.15).
    #[arg(long, default_value_t = 0.0, value_name = "X")]
    pub min_confidence: f32,
    /// Rows to print in the table (`--json` always gives every row).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Also list findings suppressed by VEX / CSAF (with the justification) and false positives.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct FalsePositiveArgs {
    pub asset: String,
    pub cve: String,
    /// Only the finding from this inventory item (a product string or SBOM component, as
    /// `intel findings` shows it); default: every item of the asset.
    #[arg(long, default_value = "")]
    pub item: String,
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn run(config: &Config, command: IntelCommand) -> anyhow::Result<()> {
    match command {
        IntelCommand::Import(args) => import(config, &args),
        IntelCommand::Findings(args) => findings(config, &args),
        IntelCommand::Ssvc(args) => ssvc(config, &args),
        IntelCommand::FalsePositive(args) => false_positive(config, &args),
        IntelCommand::Exposure { limit } => exposure(config, limit),
        IntelCommand::Documents => documents(config),
        IntelCommand::Cvd { command } => super::cvd::run(config, command),
        IntelCommand::Sync(args) => super::sync::sync(config, &args),
        IntelCommand::Feed { command } => super::sync::feed(config, command),
    }
}

// ---------------------------------------------------------------------------------------------
// Documents: kinds, detection, parsing.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Kev,
    Cve,
    Epss,
    Csaf,
    Cyclonedx,
    Spdx,
    Openvex,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Kev,
        Kind::Cve,
        Kind::Epss,
        Kind::Csaf,
        Kind::Cyclonedx,
        Kind::Spdx,
        Kind::Openvex,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Kind::Kev => "kev",
            Kind::Cve => "cve",
            Kind::Epss => "epss",
            Kind::Csaf => "csaf",
            Kind::Cyclonedx => "cyclonedx",
            Kind::Spdx => "spdx",
            Kind::Openvex => "openvex",
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
        } else {
            return Err(IntelError::Invalid {
                path: "$".to_owned(),
                message: "not a KEV catalog, CVE 5 record, CSAF advisory, CycloneDX or SPDX \
                          SBOM, or OpenVEX document (no bomFormat, spdxVersion, \
                          document.csaf_version, cveMetadata, catalogVersion or statements)"
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
        }
    }
}

// ---------------------------------------------------------------------------------------------
// intel import

#[derive(Serialize)]
pub(crate) struct ImportRow {
    file: String,
    kind: Kind,
    document: String,
    /// `created` or `unchanged`.
    status: &'static str,
    id: i64,
    asset: Option<String>,
    /// Newly attached to the asset.
    attached: bool,
    warnings: usize,
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

fn check_document(file: String, bytes: Vec<u8>, asset: Option<&str>) -> anyhow::Result<Checked> {
    let kind = Kind::detect(&bytes)?;
    if asset.is_some() && !kind.is_sbom() {
        bail!(
            "--asset attaches SBOMs (CycloneDX or SPDX), this is a {} document",
            kind.as_str()
        );
    }
    let (parsed, warnings) = Parsed::parse(kind, &bytes)
        .with_context(|| format!("invalid {} document", kind.as_str()))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let body = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("byte {}: not UTF-8 text", e.utf8_error().valid_up_to()))?;
    Ok(Checked {
        file,
        kind,
        label: parsed.label(),
        sha256,
        body,
        warnings,
    })
}

/// Prints every error on stderr and fails when there is one: nothing is stored then.
fn refuse_invalid(errors: &[String]) -> anyhow::Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    for e in errors {
        eprintln!("{e}");
    }
    bail!(
        "intel import refused: {} invalid file(s), nothing was stored",
        errors.len()
    )
}

/// Validates documents given as `(source, bytes)` and stores them in one all-or-nothing
/// transaction with `source` as their provenance (a file path for `intel import`,
/// `demo:<file name>` for `meridian demo`); SBOMs are attached to `asset` when given. Tolerated
/// problems are noted on stderr. One row per document, in order.
pub(crate) fn import_documents(
    config: &Config,
    store: &mut store::Store,
    documents: Vec<(String, Vec<u8>)>,
    asset: Option<&str>,
) -> anyhow::Result<Vec<ImportRow>> {
    let bar = progress::bar(config.quiet, Some(documents.len() as u64), "validating");
    let mut checked = Vec::with_capacity(documents.len());
    let mut errors = Vec::new();
    for (source, bytes) in documents {
        match check_document(source.clone(), bytes, asset) {
            Ok(c) => checked.push(c),
            Err(e) => errors.push(format!("{source}: {e:#}")),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    refuse_invalid(&errors)?;
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
    let results = store
        .import_intel(&imports, &super::now())
        .context("storing the documents")?;
    let rows: Vec<ImportRow> = checked
        .iter()
        .zip(results)
        .map(|(c, r)| ImportRow {
            file: c.file.clone(),
            kind: c.kind,
            document: c.label.clone(),
            status: if r.created { "created" } else { "unchanged" },
            id: r.id,
            asset: asset.map(str::to_owned),
            attached: r.attached,
            warnings: c.warnings.len(),
        })
        .collect();
    for c in checked.iter().filter(|c| !c.warnings.is_empty()) {
        output::note(
            config.quiet,
            format!(
                "{}: {} problem(s) tolerated and skipped, the first at {}",
                c.file,
                c.warnings.len(),
                c.warnings[0]
            ),
        );
    }
    Ok(rows)
}

fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    if let Some(asset) = &args.asset
        && !store.asset_exists(asset)?
    {
        bail!("--asset: asset {asset:?} not found");
    }
    let mut documents = Vec::with_capacity(args.files.len());
    let mut errors = Vec::new();
    for path in &args.files {
        match config.read_input(path) {
            Ok(bytes) => documents.push((path.display().to_string(), bytes)),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    refuse_invalid(&errors)?;
    let rows = import_documents(config, &mut store, documents, args.asset.as_deref())?;
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &[
            "file",
            "kind",
            "document",
            "status",
            "id",
            "attached to",
            "warnings",
        ],
        rows.iter().map(|r| {
            vec![
                r.file.clone(),
                r.kind.as_str().to_owned(),
                r.document.clone(),
                r.status.to_owned(),
                r.id.to_string(),
                match (&r.asset, r.attached) {
                    (Some(a), true) => a.clone(),
                    (Some(a), false) => format!("{a} (already)"),
                    (None, _) => String::new(),
                },
                r.warnings.to_string(),
            ]
        }),
    );
    let created = rows.iter().filter(|r| r.status == "created").count();
    output::note(
        config.quiet,
        format!("{created} created, {} unchanged", rows.len() - created),
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The corpus: every stored document parsed into one index.

struct Corpus {
    index: Index,
    kev: Option<intel::kev::KevCatalog>,
    records: HashMap<String, CveRecord>,
    epss: HashMap<String, f64>,
    sboms: HashMap<i64, intel::sbom::Sbom>,
}

impl Corpus {
    fn load(config: &Config, store: &mut store::Store) -> anyhow::Result<Corpus> {
        let documents = store
            .intel_documents_with_bodies()
            .context("reading the intel documents")?;
        let bar = progress::bar(config.quiet, Some(documents.len() as u64), "parsing");
        let mut kev = None;
        let mut records = HashMap::new();
        let mut csaf = HashMap::new();
        let mut epss = HashMap::new();
        let mut vex = Vec::new();
        let mut sboms = HashMap::new();
        // Oldest first: a later document of the same identity replaces an earlier one.
        for (doc, body) in documents {
            bar.inc(1);
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
                Parsed::Epss(e) => epss.extend(e.scores.into_iter().map(|s| (s.cve, s.epss))),
                Parsed::Csaf(c) => {
                    csaf.insert(c.document.tracking.id.clone(), c);
                }
                Parsed::Sbom(s) => {
                    vex.push((format!("SBOM {}", doc.id), s.vulnerabilities.clone()));
                    sboms.insert(doc.id, *s);
                }
                Parsed::OpenVex(v) => vex.push((
                    v.id.unwrap_or_else(|| format!("OpenVEX {}", doc.id)),
                    v.statements,
                )),
            }
        }
        bar.finish_and_clear();
        let mut index = Index::new();
        for r in records.values() {
            index.add_cve(r);
        }
        for c in csaf.values() {
            index.add_csaf(c);
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
            epss,
            sboms,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Findings with their priority and SSVC decision.

/// Where an inventory item came from.
struct ItemInfo {
    asset: String,
    /// The product string or the SBOM component's purl, CPE or `name@version`.
    identifier: String,
    /// `products` or `sbom N` (the stored document id).
    origin: String,
}

#[derive(Clone, Serialize)]
struct SsvcRow {
    exploitation: &'static str,
    /// What the Exploitation value rests on: `KEV`, `ADP KEV`, `incident` (a cyber incident or
    /// sighting on the asset), `ADP` or `none`.
    exploitation_evidence: &'static str,
    automatable: &'static str,
    technical_impact: &'static str,
    /// True when Automatable and Technical Impact come from the CISA ADP vote; otherwise they
    /// take the worse value (`yes`, `total`).
    adp_vote: bool,
    /// The asset's single-failure impact (§2.4).
    impact: f64,
    mission_wellbeing: &'static str,
    decision: &'static str,
}

#[derive(Clone, Serialize)]
struct Suppression {
    by: String,
    justification: String,
}

#[derive(Clone, Serialize)]
struct FindingRow {
    asset: String,
    foreign: bool,
    cve: String,
    /// The asset's product string or SBOM component that matched.
    item: String,
    origin: String,
    /// The advisory that matched (`CVE 5 CVE-2024-3400`, `CSAF ICSA-…`, `KEV 2025.08.25`, `VEX …`).
    source: String,
    /// The advisory's identifier that matched.
    matched: String,
    version: Option<String>,
    range: Option<String>,
    rule: &'static str,
    confidence: f32,
    kev_due_date: Option<String>,
    epss: Option<f64>,
    ssvc: SsvcRow,
    /// Set when a VEX / CSAF not-affected statement withdraws the finding.
    suppressed: Option<Suppression>,
    /// The analyst's note, when marked as a false positive.
    false_positive: Option<String>,
    #[serde(skip)]
    decision: Decision,
}

impl FindingRow {
    fn active(&self) -> bool {
        self.suppressed.is_none() && self.false_positive.is_none()
    }
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
    };
    if kind.is_empty() {
        source.document.clone()
    } else {
        format!("{kind} {}", source.document)
    }
}

/// The inventory: every asset's products and attached SBOM components (of `only`, if given).
fn inventory(
    store: &mut store::Store,
    corpus: &Corpus,
    only: Option<&str>,
) -> anyhow::Result<(Vec<Item>, Vec<ItemInfo>)> {
    let mut items = Vec::new();
    let mut infos = Vec::new();
    let mut unreadable = 0usize;
    for asset in store.asset_products(only)? {
        for (i, p) in asset.products.iter().enumerate() {
            match Item::parse(&items.len().to_string(), p) {
                Ok(item) => {
                    items.push(item);
                    infos.push(ItemInfo {
                        asset: asset.id.clone(),
                        identifier: p.clone(),
                        origin: "products".to_owned(),
                    });
                }
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
        for c in &sbom.components {
            items.push(Item::from_component(&items.len().to_string(), c));
            let identifier =
                c.purl
                    .clone()
                    .or_else(|| c.cpe.clone())
                    .unwrap_or_else(|| match &c.version {
                        Some(v) => format!("{}@{v}", c.name),
                        None => c.name.clone(),
                    });
            infos.push(ItemInfo {
                asset: asset.clone(),
                identifier,
                origin: format!("sbom {doc}"),
            });
        }
    }
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "product strings skipped (neither purl, CPE nor vendor:product)"
        );
    }
    Ok((items, infos))
}

/// Every finding (active, suppressed and false positives) of the atlas, or of one asset.
fn compute(
    config: &Config,
    store: &mut store::Store,
    only: Option<&str>,
) -> anyhow::Result<Vec<FindingRow>> {
    if let Some(asset) = only
        && !store.asset_exists(asset)?
    {
        bail!("--asset: asset {asset:?} not found");
    }
    let corpus = Corpus::load(config, store)?;
    let (items, infos) = inventory(store, &corpus, only)?;
    let matches = corpus.index.match_items(&items);
    let info = |f: &Finding| -> &ItemInfo {
        let i: usize = f.item.parse().expect("item ids are inventory positions");
        &infos[i]
    };
    if matches.findings.is_empty() && matches.suppressed.is_empty() {
        return Ok(Vec::new());
    }
    // Single-failure impacts of the assets with findings, as `analyze rank` computes them.
    let atlas = store.load_compact().context("loading the atlas")?;
    let graph = graph::csr::Graph::new(&atlas, config.home);
    let position: HashMap<&str, u32> = atlas
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let with_findings: Vec<u32> = {
        let mut ids: Vec<u32> = matches
            .findings
            .iter()
            .chain(matches.suppressed.iter().map(|s| &s.finding))
            .filter_map(|f| position.get(info(f).asset.as_str()).copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let impacts: HashMap<u32, f64> = with_findings
        .iter()
        .copied()
        .zip(graph::rank::single_failure_impacts(&graph, &with_findings))
        .collect();
    let kev = corpus.kev.as_ref().map(|k| k.by_cve()).unwrap_or_default();
    let false_positives = store.false_positives()?;
    let fp_note = |asset: &str, cve: &str, item: &str| {
        false_positives
            .iter()
            .find(|fp| {
                fp.asset == asset && fp.cve == cve && (fp.item.is_empty() || fp.item == item)
            })
            .map(|fp| fp.note.clone())
    };
    // Assets under attack: a cyber incident or sighting makes Exploitation at least active.
    let attacked = app::incidents::attacked_assets(&store.incidents()?);
    let table = DecisionTable::cisa_coordinator();
    let row = |f: &Finding, suppressed: Option<Suppression>| -> FindingRow {
        let it = info(f);
        let a = position.get(it.asset.as_str()).copied();
        let impact = a.and_then(|a| impacts.get(&a)).copied().unwrap_or(0.0);
        let record = corpus.records.get(&f.cve);
        let vote: Option<&SsvcVote> = record.and_then(|r| r.ssvc.as_ref());
        let kev_entry = kev.get(f.cve.as_str());
        let adp_kev = record.is_some_and(|r| r.kev.is_some());
        let attacked = attacked.contains(&it.asset);
        let inputs =
            SsvcInputs::for_finding(vote, kev_entry.is_some() || adp_kev, attacked, impact);
        let decision = table.decide(inputs);
        let evidence = if kev_entry.is_some() {
            "KEV"
        } else if adp_kev {
            "ADP KEV"
        } else if attacked {
            "incident"
        } else if vote.is_some() {
            "ADP"
        } else {
            "none"
        };
        FindingRow {
            asset: it.asset.clone(),
            foreign: a.is_some_and(|a| graph.is_foreign(a)),
            cve: f.cve.clone(),
            item: it.identifier.clone(),
            origin: it.origin.clone(),
            source: source_name(&f.source),
            matched: f.matched_identifier.clone(),
            version: f.version.clone(),
            range: f.range.clone(),
            rule: rule_name(f.rule),
            confidence: f.confidence,
            kev_due_date: kev_entry.map(|e| e.due_date.clone()),
            epss: corpus.epss.get(&f.cve).copied(),
            ssvc: SsvcRow {
                exploitation: inputs.exploitation.as_str(),
                exploitation_evidence: evidence,
                automatable: inputs.automatable.as_str(),
                technical_impact: inputs.technical_impact.as_str(),
                adp_vote: vote.is_some(),
                impact,
                mission_wellbeing: inputs.mission_wellbeing.as_str(),
                decision: decision.as_str(),
            },
            decision,
            suppressed,
            false_positive: fp_note(&it.asset, &f.cve, &it.identifier),
        }
    };
    let mut rows: Vec<FindingRow> = matches
        .findings
        .iter()
        .map(|f| row(f, None))
        .chain(matches.suppressed.iter().map(|s| {
            row(
                &s.finding,
                Some(Suppression {
                    by: source_name(&s.by),
                    justification: s.justification.clone(),
                }),
            )
        }))
        .collect();
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
    config: &Config,
    store: &mut store::Store,
) -> anyhow::Result<HashMap<String, String>> {
    let kev = Corpus::load(config, store)?.kev;
    Ok(kev
        .into_iter()
        .flat_map(|k| k.vulnerabilities)
        .map(|e| (e.cve_id, e.date_added))
        .collect())
}

/// One active finding (neither suppressed nor a false positive): the asset, the inventory
/// item that matched (a product string or SBOM component) and the range it fell in.
pub struct ActiveFinding {
    pub cve: String,
    pub asset: String,
    pub item: String,
    pub range: Option<String>,
    pub version: Option<String>,
}

/// The active findings of `cve` (or of every CVE), by asset and item.
pub fn active_findings(
    config: &Config,
    store: &mut store::Store,
    cve: Option<&str>,
) -> anyhow::Result<Vec<ActiveFinding>> {
    let mut found: Vec<ActiveFinding> = compute(config, store, None)?
        .into_iter()
        .filter(|r| r.active() && cve.is_none_or(|c| r.cve == c))
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

/// Ids of the assets with an active finding (not suppressed, not a false positive) for one of
/// `cves`: the "every asset that runs a product affected by CVE X" scenario of §2.5.
pub fn assets_affected_by(
    config: &Config,
    store: &mut store::Store,
    cves: &[String],
) -> anyhow::Result<std::collections::BTreeSet<String>> {
    if cves.is_empty() {
        return Ok(Default::default());
    }
    Ok(compute(config, store, None)?
        .into_iter()
        .filter(|r| r.active() && cves.contains(&r.cve))
        .map(|r| r.asset)
        .collect())
}

/// Per asset id, an exposure score in [0, 1] from its active findings (neither suppressed nor
/// false positives): the maximum over findings of
///
/// `confidence × (1 − (1 − w) × (1 − epss))`
///
/// where `w` is the SSVC decision's weight (Track 0.1, Track* 0.3, Attend 0.6, Act 1.0) and
/// `epss` the CVE's EPSS probability (0 when unknown). The decision weight and EPSS combine as
/// independent chances that the finding needs action, and the match confidence discounts
/// guesses (a KEV name match without a version counts 0.4 of an exact CPE/version match's
/// 0.85 … 0.95). Assets without findings are absent (exposure 0).
pub fn exposure_scores(
    config: &Config,
    store: &mut store::Store,
) -> anyhow::Result<HashMap<String, f64>> {
    Ok(asset_exposures(config, store)?
        .into_iter()
        .map(|(asset, e)| (asset, e.score))
        .collect())
}

/// One asset's exposure: its score and what it is made of.
#[derive(Serialize)]
struct AssetExposure {
    score: f64,
    /// Active findings on the asset.
    findings: usize,
    /// The most urgent SSVC decision among them.
    worst_decision: String,
    /// The highest EPSS probability among them, when any is scored.
    epss_max: Option<f64>,
    #[serde(skip)]
    worst: Decision,
}

fn asset_exposures(
    config: &Config,
    store: &mut store::Store,
) -> anyhow::Result<std::collections::BTreeMap<String, AssetExposure>> {
    let mut exposures = std::collections::BTreeMap::<String, AssetExposure>::new();
    for r in compute(config, store, None)?.iter().filter(|r| r.active()) {
        let w = decision_weight(r.decision);
        let score = (f64::from(r.confidence) * (1.0 - (1.0 - w) * (1.0 - r.epss.unwrap_or(0.0))))
            .clamp(0.0, 1.0);
        let e = exposures.entry(r.asset.clone()).or_insert(AssetExposure {
            score: 0.0,
            findings: 0,
            worst_decision: String::new(),
            epss_max: None,
            worst: r.decision,
        });
        e.score = e.score.max(score);
        e.findings += 1;
        if decision_weight(r.decision) >= decision_weight(e.worst) {
            e.worst = r.decision;
        }
        e.worst_decision = e.worst.to_string();
        e.epss_max = match (e.epss_max, r.epss) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(exposures)
}

fn exposure(config: &Config, limit: usize) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let exposures = asset_exposures(config, &mut store)?;
    if config.json {
        return output::json(&exposures);
    }
    let mut rows: Vec<(&String, &AssetExposure)> = exposures.iter().collect();
    rows.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.cmp(b.0)));
    output::table(
        &["asset", "exposure", "findings", "worst SSVC", "EPSS max"],
        rows.iter().take(limit).map(|(a, e)| {
            vec![
                (*a).clone(),
                format!("{:.4}", e.score),
                e.findings.to_string(),
                e.worst_decision.clone(),
                fmt_epss(e.epss_max),
            ]
        }),
    );
    Ok(())
}

fn filtered(config: &Config, filter: &FilterArgs, all: bool) -> anyhow::Result<Vec<FindingRow>> {
    let mut store = config.open_store()?;
    let rows = compute(config, &mut store, filter.asset.as_deref())?;
    let total = rows.len();
    let rows: Vec<FindingRow> = rows
        .into_iter()
        .filter(|r| r.confidence >= filter.min_confidence && (all || r.active()))
        .collect();
    output::note(
        config.quiet,
        format!("{} finding(s) shown of {total}", rows.len()),
    );
    Ok(rows)
}

fn fmt_epss(e: Option<f64>) -> String {
    e.map_or_else(String::new, |e| format!("{e:.3}"))
}

fn findings(config: &Config, args: &FindingsArgs) -> anyhow::Result<()> {
    let rows = filtered(config, &args.filter, args.all)?;
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &[
            "asset", "foreign", "CVE", "item", "matched", "range", "rule", "conf", "KEV due",
            "EPSS", "SSVC", "note",
        ],
        rows.iter().take(args.filter.limit).map(|r| {
            let note = match (&r.suppressed, &r.false_positive) {
                (Some(s), _) => format!("suppressed by {}: {}", s.by, s.justification),
                (None, Some(n)) => format!("false positive: {n}"),
                (None, None) => String::new(),
            };
            vec![
                r.asset.clone(),
                if r.foreign { "yes" } else { "" }.to_owned(),
                r.cve.clone(),
                r.item.clone(),
                r.matched.clone(),
                r.range.clone().unwrap_or_default(),
                r.rule.to_owned(),
                format!("{:.2}", r.confidence),
                r.kev_due_date.clone().unwrap_or_default(),
                fmt_epss(r.epss),
                r.ssvc.decision.to_owned(),
                note,
            ]
        }),
    );
    Ok(())
}

#[derive(Serialize)]
struct SsvcLine<'a> {
    asset: &'a str,
    cve: &'a str,
    item: &'a str,
    #[serde(flatten)]
    ssvc: &'a SsvcRow,
}

fn ssvc(config: &Config, args: &FilterArgs) -> anyhow::Result<()> {
    let rows = filtered(config, args, false)?;
    let lines: Vec<SsvcLine<'_>> = rows
        .iter()
        .map(|r| SsvcLine {
            asset: &r.asset,
            cve: &r.cve,
            item: &r.item,
            ssvc: &r.ssvc,
        })
        .collect();
    if config.json {
        return output::json(&lines);
    }
    output::table(
        &[
            "asset",
            "CVE",
            "exploitation",
            "automatable",
            "technical impact",
            "impact",
            "mission & well-being",
            "decision",
        ],
        lines.iter().take(args.limit).map(|l| {
            let adp = if l.ssvc.adp_vote { "" } else { " (no ADP)" };
            vec![
                l.asset.to_owned(),
                l.cve.to_owned(),
                format!("{} ({})", l.ssvc.exploitation, l.ssvc.exploitation_evidence),
                format!("{}{adp}", l.ssvc.automatable),
                format!("{}{adp}", l.ssvc.technical_impact),
                format!("{:.4}", l.ssvc.impact),
                l.ssvc.mission_wellbeing.to_owned(),
                l.ssvc.decision.to_owned(),
            ]
        }),
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// intel false-positive, intel documents

fn false_positive(config: &Config, args: &FalsePositiveArgs) -> anyhow::Result<()> {
    if !intel::is_cve_id(args.cve.trim()) {
        bail!("{:?} is not a CVE id (CVE-YYYY-NNNN)", args.cve);
    }
    let mut store = config.open_store()?;
    if !store.asset_exists(&args.asset)? {
        bail!("asset {:?} not found", args.asset);
    }
    let fp = store::FalsePositive {
        asset: args.asset.clone(),
        cve: args.cve.trim().to_owned(),
        item: args.item.clone(),
        note: args.note.clone(),
        marked_at: super::now(),
    };
    let created = store.mark_false_positive(&fp)?;
    let status = if created { "marked" } else { "updated" };
    if config.json {
        return output::json(&serde_json::json!({
            "asset": fp.asset, "cve": fp.cve, "item": fp.item, "note": fp.note,
            "marked_at": fp.marked_at, "status": status,
        }));
    }
    outln!(
        "{status}: {} on {}{} is a false positive",
        fp.cve,
        fp.asset,
        if fp.item.is_empty() {
            String::new()
        } else {
            format!(" ({})", fp.item)
        }
    );
    Ok(())
}

#[derive(Serialize)]
struct DocumentRow {
    id: i64,
    kind: String,
    source: String,
    sha256: String,
    imported_at: String,
    attached_to: Vec<String>,
}

fn documents(config: &Config) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let mut attached: HashMap<i64, Vec<String>> = HashMap::new();
    for (asset, doc) in store.sboms()? {
        attached.entry(doc).or_default().push(asset);
    }
    let rows: Vec<DocumentRow> = store
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
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &["id", "kind", "source", "sha256", "imported", "attached to"],
        rows.iter().map(|r| {
            vec![
                r.id.to_string(),
                r.kind.clone(),
                r.source.clone(),
                r.sha256.chars().take(12).collect(),
                r.imported_at.clone(),
                r.attached_to.join(", "),
            ]
        }),
    );
    Ok(())
}
