//! `intel …`: vulnerability intelligence matched to the atlas (§3 of the specification),
//! computed by `app::intel`; this module parses the arguments, draws the progress bars and
//! prints tables or `--json`.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use app::intel::{AssetExposure, FindingRow, SsvcRow};
use clap::{Args, Subcommand};
use serde::Serialize;

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
    ///
    /// Matches that checked no version (vendor only, a name without a version, a KEV entry)
    /// are candidates, listed apart without an SSVC decision and not counted in exposure until
    /// `intel confirm` (or a version that is checked) settles them.
    #[command(
        after_help = "Examples:\n  $ meridian intel findings --limit 20\n  $ meridian intel findings --asset fgrid:tw:tainan-12 --all\n  $ meridian intel findings --min-confidence 0.85"
    )]
    Findings(FindingsArgs),
    /// The SSVC inputs of every finding, where each comes from (KEV, CISA ADP vote, incident,
    /// analysis impact, or missing), and the decision with what it assumes.
    Ssvc(FilterArgs),
    /// Mark a finding (or candidate) as a false positive; it stays hidden across re-imports.
    FalsePositive(MarkArgs),
    /// Confirm a candidate (a match that checked no version): it takes its SSVC decision and
    /// counts in exposure, across re-imports. Replaces a false-positive mark on it.
    #[command(
        after_help = "Example:\n  $ meridian intel confirm airport:us:ashburn-3 CVE-2017-15944 --note \"PAN-OS 7.1.12 (site survey)\""
    )]
    Confirm(MarkArgs),
    /// Per-asset exposure score in [0, 1] from the active findings (the ranking's input).
    Exposure {
        /// Rows to print in the table (`--json` always gives every asset).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Stored documents and their provenance.
    Documents,
    /// A stored document's bytes exactly as imported (BOM, whitespace, key order).
    Original {
        /// The document id (`intel documents`).
        id: i64,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
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
    /// Intel documents: KEV, CVE 5 records, EPSS CSV, CSAF 2.0 advisories, CycloneDX or SPDX SBOMs,
    /// VEX, OSV records. A directory stands for its `.json` and `.csv` files, in name order (not
    /// its subdirectories).
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
    /// Only this CVE (any case).
    #[arg(long, value_name = "CVE")]
    pub cve: Option<String>,
    /// Only this SSVC decision: Track, Track*, Attend or Act (any case); never a candidate.
    #[arg(long, value_name = "DECISION")]
    pub decision: Option<String>,
    /// Only findings in this state: checked, candidate or confirmed.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only findings in (true) or not in (false) the KEV catalog.
    #[arg(long, value_name = "BOOL")]
    pub kev: Option<bool>,
    /// Only findings on foreign (true) or domestic (false) assets.
    #[arg(long, value_name = "BOOL")]
    pub foreign: Option<bool>,
    /// Only findings on assets in this country (ISO 3166-1 alpha-2).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// The order: urgency (SSVC decision, KEV, EPSS, confidence), asset, cve or epss.
    #[arg(long, default_value = "urgency", value_name = "ORDER")]
    pub sort: String,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The asset id.
    pub asset: String,
    /// The CVE id (any case).
    pub cve: String,
    /// Only the finding from this inventory item (a product string or SBOM component, as
    /// `intel findings` shows it); default: every item of the asset.
    #[arg(long, default_value = "")]
    pub item: String,
    /// Why (kept with the mark and shown with the finding).
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn run(config: &Config, command: IntelCommand) -> anyhow::Result<()> {
    match command {
        IntelCommand::Import(args) => import(config, &args),
        IntelCommand::Findings(args) => findings(config, &args),
        IntelCommand::Ssvc(args) => ssvc(config, &args),
        IntelCommand::FalsePositive(args) => mark(config, store::Verdict::FalsePositive, &args),
        IntelCommand::Confirm(args) => mark(config, store::Verdict::Confirmed, &args),
        IntelCommand::Exposure { limit } => exposure(config, limit),
        IntelCommand::Documents => documents(config),
        IntelCommand::Original { id, out } => original(config, id, out.as_deref()),
        IntelCommand::Cvd { command } => super::cvd::run(config, command),
        IntelCommand::Sync(args) => super::sync::sync(config, &args),
        IntelCommand::Feed { command } => super::sync::feed(config, command),
    }
}

pub(crate) use app::intel::ImportRow;

// ---------------------------------------------------------------------------------------------
// The findings' context, and the entry points other commands use.

/// Computes findings in the context of what is stored (`app::intel::with_context`), with bars.
fn with_context<T>(
    config: &Config,
    store: &mut store::Store,
    f: impl FnOnce(&mut store::Store, app::intel::Context<'_>) -> app::Result<T>,
) -> anyhow::Result<T> {
    let bars = progress::Bars::new(config.quiet);
    Ok(app::intel::with_context(store, config.home, &bars, f)?)
}

/// Prints every error on stderr; the error to fail with: nothing was stored.
fn refusal(errors: &[String]) -> anyhow::Error {
    for e in errors {
        eprintln!("{e}");
    }
    anyhow::anyhow!(
        "intel import refused: {} invalid file(s), nothing was stored",
        errors.len()
    )
}

/// Validates and stores documents given as `(source, bytes)` (`app::intel::import_documents`);
/// tolerated problems are noted on stderr.
pub(crate) fn import_documents(
    config: &Config,
    store: &mut store::Store,
    documents: Vec<(String, Vec<u8>)>,
    asset: Option<&str>,
) -> anyhow::Result<Vec<ImportRow>> {
    let rows = app::intel::import_documents(
        store,
        documents,
        asset,
        &progress::Bars::new(config.quiet),
        &app::Actor::local(),
    )
    .map_err(|e| match e {
        app::Error::Invalid(problems) => refusal(
            &problems
                .iter()
                .map(|p| format!("{}: {}", p.pointer, p.message))
                .collect::<Vec<_>>(),
        ),
        e => e.into(),
    })?;
    for r in &rows {
        if let Some(first) = &r.first_warning {
            output::note(
                config.quiet,
                format!(
                    "{}: {} problem(s) tolerated and skipped, the first at {first}",
                    r.file, r.warnings
                ),
            );
        }
    }
    Ok(rows)
}

/// The KEV `dateAdded` of every CVE in the newest stored KEV catalog (empty without one).
pub fn kev_dates_added(
    config: &Config,
    store: &mut store::Store,
) -> anyhow::Result<HashMap<String, String>> {
    Ok(app::intel::kev_dates_added(
        store,
        &progress::Bars::new(config.quiet),
    )?)
}

/// Ids of the assets with a counted finding (not a candidate) for one of `cves`.
pub fn assets_affected_by(
    config: &Config,
    store: &mut store::Store,
    cves: &[String],
) -> anyhow::Result<BTreeSet<String>> {
    with_context(config, store, |store, context| {
        app::intel::assets_affected_by(store, context, cves)
    })
}

// ---------------------------------------------------------------------------------------------
// intel import, findings, ssvc, exposure

fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    if let Some(asset) = &args.asset
        && !store.asset_exists(asset)?
    {
        bail!("--asset: asset {asset:?} not found");
    }
    let mut documents = Vec::with_capacity(args.files.len());
    let mut errors = Vec::new();
    let mut paths = Vec::with_capacity(args.files.len());
    for path in &args.files {
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && p.extension().is_some_and(|x| {
                                    x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("csv")
                                })
                        })
                        .collect();
                    files.sort();
                    paths.extend(files);
                }
                Err(e) => errors.push(format!("{}: {e}", path.display())),
            }
        } else {
            paths.push(path.clone());
        }
    }
    for path in &paths {
        match config.read_input(path) {
            Ok(bytes) => documents.push((path.display().to_string(), bytes)),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if !errors.is_empty() {
        return Err(refusal(&errors));
    }
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

fn exposure(config: &Config, limit: usize) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let exposures = with_context(config, &mut store, app::intel::asset_exposures)?;
    if config.json {
        return output::json(&exposures);
    }
    let mut rows: Vec<(&String, &AssetExposure)> = exposures.iter().collect();
    rows.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.cmp(b.0)));
    output::limited_table(
        config.quiet,
        "exposed assets",
        &["asset", "exposure", "findings", "worst SSVC", "EPSS max"],
        &rows,
        limit,
        |(a, e)| {
            vec![
                (*a).clone(),
                format!("{:.4}", e.score),
                e.findings.to_string(),
                e.worst_decision.clone(),
                fmt_epss(e.epss_max),
            ]
        },
    );
    Ok(())
}

/// The findings `filter` and `all` select, then those `selection` keeps, in `order`.
fn filtered(
    config: &Config,
    filter: &FilterArgs,
    all: bool,
    selection: &app::intel::FindingFilter,
    order: app::intel::FindingOrder,
) -> anyhow::Result<Vec<FindingRow>> {
    let mut store = config.open_store()?;
    let query = app::intel::FindingQuery {
        asset: filter.asset.clone(),
        min_confidence: filter.min_confidence,
        all,
    };
    let app::intel::Findings { total, rows } =
        with_context(config, &mut store, |store, context| {
            app::intel::findings(store, context, &query)
        })?;
    let rows = app::intel::select(&mut store, rows, selection, order)?;
    if rows.len() < total {
        output::note(
            config.quiet,
            format!(
                "{} of {} findings pass the filters (suppressed and false positives: --all; \
                 --min-confidence, --cve, --decision, --state, --kev, --foreign, --country)",
                output::thousands(rows.len()),
                output::thousands(total)
            ),
        );
    }
    Ok(rows)
}

fn fmt_epss(e: Option<f64>) -> String {
    e.map_or_else(String::new, |e| format!("{e:.3}"))
}

fn findings(config: &Config, args: &FindingsArgs) -> anyhow::Result<()> {
    let order = app::intel::FindingOrder::parse(&args.sort).context("--sort")?;
    let filter = app::intel::FindingFilter {
        cve: args.cve.clone(),
        decision: args.decision.clone(),
        state: args.state.clone(),
        kev: args.kev,
        foreign: args.foreign,
        country: args.country.clone(),
    };
    let rows = filtered(config, &args.filter, args.all, &filter, order)?;
    if config.json {
        return output::json(&rows);
    }
    let (candidates, decided): (Vec<FindingRow>, Vec<FindingRow>) = rows
        .into_iter()
        .partition(|r| r.state == app::intel::FindingState::Candidate);
    finding_table(config, "findings", &decided, args.filter.limit, true);
    if !candidates.is_empty() {
        outln!("\nCandidates: version not checked, no SSVC decision, not counted in exposure");
        finding_table(config, "candidates", &candidates, args.filter.limit, false);
        output::note(
            config.quiet,
            "settle a candidate: `meridian intel confirm ASSET CVE` or `intel false-positive \
             ASSET CVE`, or give the asset a versioned product or SBOM",
        );
    }
    Ok(())
}

/// One table of findings; `decided`: with the SSVC column (candidates have no decision).
fn finding_table(config: &Config, what: &str, rows: &[FindingRow], limit: usize, decided: bool) {
    // The default columns answer "what, where, how sure, how urgent"; --wide adds the inventory
    // item, the range that matched and the analyst's or VEX's note.
    let wide = output::wide();
    let header: Vec<&str> = ["asset", "CVE"]
        .into_iter()
        .chain(wide.then_some("item"))
        .chain(["matched"])
        .chain(wide.then_some("range"))
        .chain(["rule", "conf", "KEV due", "EPSS"])
        .chain(wide.then_some("CVSS"))
        .chain(decided.then_some("SSVC"))
        .chain(wide.then_some("note"))
        .collect();
    output::limited_table(config.quiet, what, &header, rows, limit, |r| {
        let asset = output::origin(&r.asset, r.foreign, false);
        let mut row = vec![asset, r.cve.clone()];
        if wide {
            row.push(r.item.clone());
        }
        row.push(r.matched.clone());
        if wide {
            row.push(match (&r.range, &r.unread) {
                (Some(range), _) => range.clone(),
                (None, Some(unread)) => format!("unread: {unread}"),
                (None, None) => String::new(),
            });
        }
        row.extend([
            r.rule.to_owned(),
            format!("{:.2}", r.confidence),
            r.kev_due_date.clone().unwrap_or_default(),
            fmt_epss(r.epss),
        ]);
        if wide {
            row.push(r.cvss.as_ref().map_or_else(String::new, |c| {
                format!("{} {}", c.score, c.kind.trim_start_matches("cvss"))
            }));
        }
        if decided {
            row.push(r.ssvc.verdict());
        }
        if wide {
            let investigation = r.under_investigation.as_ref().map(|i| {
                let note = i
                    .note
                    .as_deref()
                    .map_or_else(String::new, |n| format!(": {n}"));
                format!("under investigation by {}{note}", i.by)
            });
            row.push(match (&r.suppressed, &r.false_positive, &r.confirmed) {
                (Some(s), _, _) => {
                    let impact = s
                        .impact_statement
                        .as_deref()
                        .map_or_else(String::new, |i| format!(" ({i})"));
                    format!("suppressed by {}: {}{impact}", s.by, s.justification)
                }
                (None, Some(n), _) => format!("false positive: {n}"),
                (None, None, Some(n)) => format!("confirmed: {n}"),
                (None, None, None) => investigation.unwrap_or_default(),
            });
        }
        row
    });
}

#[derive(Serialize)]
struct SsvcLine<'a> {
    asset: &'a str,
    cve: &'a str,
    item: &'a str,
    state: app::intel::FindingState,
    #[serde(flatten)]
    ssvc: &'a SsvcRow,
}

fn ssvc(config: &Config, args: &FilterArgs) -> anyhow::Result<()> {
    let rows = filtered(
        config,
        args,
        false,
        &app::intel::FindingFilter::default(),
        app::intel::FindingOrder::default(),
    )?;
    let lines: Vec<SsvcLine<'_>> = rows
        .iter()
        .map(|r| SsvcLine {
            asset: &r.asset,
            cve: &r.cve,
            item: &r.item,
            state: r.state,
            ssvc: &r.ssvc,
        })
        .collect();
    if config.json {
        return output::json(&lines);
    }
    output::limited_table(
        config.quiet,
        "SSVC decisions",
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
        &lines,
        args.limit,
        |l| {
            let sourced = |value: &str, source: &str| {
                if value == source {
                    value.to_owned()
                } else {
                    format!("{value} ({source})")
                }
            };
            let s = &l.ssvc.sources;
            vec![
                l.asset.to_owned(),
                l.cve.to_owned(),
                sourced(l.ssvc.exploitation, s.exploitation),
                sourced(l.ssvc.automatable, s.automatable),
                sourced(l.ssvc.technical_impact, s.technical_impact),
                format!("{:.4}", l.ssvc.impact),
                sourced(l.ssvc.mission_wellbeing, s.mission_wellbeing),
                l.ssvc.verdict(),
            ]
        },
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// intel false-positive, intel confirm, intel documents

fn mark(config: &Config, verdict: store::Verdict, args: &MarkArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let input = app::intel::FindingMarkInput {
        asset: args.asset.clone(),
        cve: args.cve.clone(),
        item: args.item.clone(),
        note: args.note.clone(),
    };
    let (fp, created) = app::intel::mark_finding(&mut store, verdict, input, &app::Actor::local())?;
    let status = if created { "marked" } else { "updated" };
    if config.json {
        return output::json(&serde_json::json!({
            "asset": fp.asset, "cve": fp.cve, "item": fp.item, "verdict": verdict.as_str(),
            "note": fp.note, "marked_at": fp.marked_at, "status": status,
        }));
    }
    outln!(
        "{status}: {} on {}{} is {}",
        fp.cve,
        fp.asset,
        if fp.item.is_empty() {
            String::new()
        } else {
            format!(" ({})", fp.item)
        },
        match verdict {
            store::Verdict::FalsePositive => "a false positive",
            store::Verdict::Confirmed => "confirmed",
        }
    );
    Ok(())
}

fn original(config: &Config, id: i64, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let (_, bytes) = app::intel::original(&mut config.open_store()?, id, &app::Actor::local())?;
    match out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .context("writing to standard output")
        }
    }
}

fn documents(config: &Config) -> anyhow::Result<()> {
    let rows = app::intel::documents(&mut config.open_store()?)?;
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
