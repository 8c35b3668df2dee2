//! `intel cvd …`: coordinated vulnerability disclosure cases (§3 of the specification) and the
//! export of published ones as CSAF 2.0 advisories in the directory layout of a CSAF provider
//! (CSAF 2.0 §7.1): `provider-metadata.json` at the top, one ROLIE feed per TLP label at
//! `<tlp>/feed.json`, the advisories at `<tlp>/<year>/<id>.json` with their `.sha256` files.
//!
//! CSAF 2.0 only knows TLP 1.0, so the case's TLP 2.0 label is mapped down, never widened:
//! CLEAR becomes WHITE and AMBER+STRICT becomes AMBER with a distribution text (and a document
//! note) saying it must not be shared beyond the named recipients. The case's own notes are the
//! coordinator's working notes and are not exported.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use store::{AffectedProduct, CvdCase, CvdState, NewCvdCase, Tlp};

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum CvdCommand {
    /// Open a case in state `reported`; prints its id (`MERIDIAN-<year>-NNNN`).
    New(NewArgs),
    /// Every case with its state.
    List,
    /// One case with its state history.
    Show { id: String },
    /// Move a case forward: reported → vendor_notified → fix_available → published.
    ///
    /// Moving back is refused, and so is publishing before the embargo date unless `--force`.
    Advance {
        id: String,
        #[arg(long, value_parser = parse_state)]
        to: CvdState,
        /// Publish even though the embargo has not ended.
        #[arg(long)]
        force: bool,
    },
    /// Write a published case as a CSAF 2.0 advisory into a CSAF provider directory.
    ///
    /// Writes `<tlp>/<year>/<id>.json` and its `.sha256`, rebuilds `<tlp>/feed.json` (ROLIE)
    /// from every advisory in the directory and `provider-metadata.json`.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[arg(long)]
    pub title: String,
    /// A CVE id; repeat for several.
    #[arg(long = "cve", value_name = "CVE")]
    pub cves: Vec<String>,
    #[arg(long, default_value = "")]
    pub reporter: String,
    #[arg(long)]
    pub vendor: String,
    /// ISO 3166-1 alpha-2 code of the vendor's country.
    #[arg(long, value_name = "CC")]
    pub vendor_country: String,
    /// The CSIRT responsible for the vendor.
    #[arg(long, default_value = "", value_name = "NAME")]
    pub vendor_csirt: String,
    /// `VENDOR/PRODUCT/RANGE`, the range a `vers:` URI or free text; repeat for several.
    #[arg(long = "product", required = true, value_name = "VENDOR/PRODUCT/RANGE", value_parser = parse_product)]
    pub products: Vec<AffectedProduct>,
    /// End of the embargo, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE")]
    pub embargo: Option<String>,
    /// TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.
    #[arg(long, default_value = "AMBER", value_parser = parse_tlp)]
    pub tlp: Tlp,
    /// The fix or workaround, exported as the vendor fix.
    #[arg(long, default_value = "")]
    pub remediation: String,
    /// The coordinator's notes (not exported).
    #[arg(long, default_value = "")]
    pub notes: String,
}

/// Where a provider directory is served unless told otherwise.
const DEFAULT_BASE_URL: &str = "https://meridian.invalid/.well-known/csaf";

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub id: String,
    /// The provider directory (served as `--base-url`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Where the directory is served; the URLs in the advisory, feeds and metadata use it.
    #[arg(long, default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// The publisher named in the advisories and the provider metadata.
    #[arg(long, default_value = "Meridian")]
    pub publisher: String,
}

pub fn run(config: &Config, command: CvdCommand) -> anyhow::Result<()> {
    match command {
        CvdCommand::New(args) => new(config, args),
        CvdCommand::List => list(config),
        CvdCommand::Show { id } => show(config, &id),
        CvdCommand::Advance { id, to, force } => advance(config, &id, to, force),
        CvdCommand::Export(args) => export(config, &args),
    }
}

fn parse_state(name: &str) -> Result<CvdState, String> {
    CvdState::parse(name).ok_or_else(|| {
        let all: Vec<&str> = CvdState::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

pub fn parse_tlp(label: &str) -> Result<Tlp, String> {
    Tlp::parse(label).ok_or_else(|| "expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED".to_owned())
}

fn parse_product(text: &str) -> Result<AffectedProduct, String> {
    let mut parts = text.splitn(3, '/').map(str::trim);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(vendor), Some(product), Some(versions))
            if !vendor.is_empty() && !product.is_empty() && !versions.is_empty() =>
        {
            Ok(AffectedProduct {
                vendor: vendor.to_owned(),
                product: product.to_owned(),
                versions: versions.to_owned(),
            })
        }
        _ => Err("expected VENDOR/PRODUCT/RANGE".to_owned()),
    }
}

fn new(config: &Config, args: NewArgs) -> anyhow::Result<()> {
    if let Some(date) = &args.embargo {
        time::Date::parse(
            date,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| format!("embargo {date:?} is not a YYYY-MM-DD date"))?;
    }
    let case = NewCvdCase {
        title: args.title,
        cves: args
            .cves
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        reporter: args.reporter,
        vendor: args.vendor,
        vendor_country: args.vendor_country.trim().to_ascii_uppercase(),
        vendor_csirt: args.vendor_csirt,
        products: args.products,
        embargo: args.embargo,
        tlp: args.tlp,
        remediation: args.remediation,
        notes: args.notes,
    };
    let stored = config.open_store()?.create_cvd_case(&case, &super::now())?;
    print_case(config, &stored)
}

#[derive(Serialize)]
struct CaseRow<'a> {
    id: &'a str,
    title: &'a str,
    state: &'static str,
    tlp: &'static str,
    cves: &'a [String],
    reporter: &'a str,
    vendor: &'a str,
    vendor_country: &'a str,
    vendor_csirt: &'a str,
    products: Vec<String>,
    embargo: Option<&'a str>,
    remediation: &'a str,
    notes: &'a str,
    history: Vec<HistoryRow<'a>>,
}

#[derive(Serialize)]
struct HistoryRow<'a> {
    state: &'static str,
    at: &'a str,
}

impl<'a> CaseRow<'a> {
    fn of(c: &'a CvdCase) -> CaseRow<'a> {
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
        }
    }
}

fn print_case(config: &Config, case: &CvdCase) -> anyhow::Result<()> {
    let row = CaseRow::of(case);
    if config.json {
        return output::json(&row);
    }
    let mut fields = vec![
        ("id", row.id.to_owned()),
        ("title", row.title.to_owned()),
        ("state", row.state.to_owned()),
        ("tlp", row.tlp.to_owned()),
        ("cves", row.cves.join(", ")),
        ("reporter", row.reporter.to_owned()),
        (
            "vendor",
            format!(
                "{} ({}), CSIRT {}",
                row.vendor, row.vendor_country, row.vendor_csirt
            ),
        ),
        ("products", row.products.join(", ")),
        ("embargo", row.embargo.unwrap_or("none").to_owned()),
        ("remediation", row.remediation.to_owned()),
        ("notes", row.notes.to_owned()),
    ];
    fields.extend(row.history.iter().map(|h| (h.state, h.at.to_owned())));
    output::table(
        &["field", "value"],
        fields.into_iter().map(|(k, v)| vec![k.to_owned(), v]),
    );
    Ok(())
}

fn list(config: &Config) -> anyhow::Result<()> {
    let cases = config.open_store()?.cvd_cases()?;
    let rows: Vec<CaseRow<'_>> = cases.iter().map(CaseRow::of).collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &["id", "state", "tlp", "embargo", "vendor", "title"],
        rows.iter().map(|r| {
            vec![
                r.id.to_owned(),
                r.state.to_owned(),
                r.tlp.to_owned(),
                r.embargo.unwrap_or("").to_owned(),
                r.vendor.to_owned(),
                r.title.to_owned(),
            ]
        }),
    );
    Ok(())
}

fn stored_case(store: &mut store::Store, id: &str) -> anyhow::Result<CvdCase> {
    store
        .cvd_case(id)?
        .with_context(|| format!("no CVD case {id:?}"))
}

fn show(config: &Config, id: &str) -> anyhow::Result<()> {
    let case = stored_case(&mut config.open_store()?, id)?;
    print_case(config, &case)
}

fn advance(config: &Config, id: &str, to: CvdState, force: bool) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let now = super::now();
    if to == CvdState::Published && !force {
        let case = stored_case(&mut store, id)?;
        let today = now.get(..10).unwrap_or(&now);
        if let Some(embargo) = case.case.embargo.as_deref().filter(|e| *e > today) {
            bail!("{id} is under embargo until {embargo}; publish then, or pass --force");
        }
    }
    let case = store.advance_cvd_case(id, to, &now)?;
    print_case(config, &case)
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

/// Where the provider directory is served and who publishes it.
struct Site<'a> {
    /// Without a trailing slash; its origin is the publisher's namespace.
    base: &'a str,
    publisher: &'a str,
}

impl Site<'_> {
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
                "current_release_date": released,
                "generator": {
                    "engine": { "name": "Meridian", "version": env!("CARGO_PKG_VERSION") },
                },
                "id": case.id,
                "initial_release_date": released,
                "revision_history": [
                    { "date": released, "number": "1", "summary": "Initial release." },
                ],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": { "branches": branches(&c.products, &ids) },
        "vulnerabilities": vulnerabilities,
    })
}

/// The advisory of `case` released at `released`, keys sorted, with its path in the provider
/// directory (`<tlp>/<year>/<file>`), which its self reference names.
fn placed_advisory(
    case: &CvdCase,
    site: &Site<'_>,
    released: &str,
) -> anyhow::Result<(String, Value)> {
    let relative = format!(
        "{}/{}/{}",
        csaf_tlp(case.case.tlp).to_ascii_lowercase(),
        released.get(..4).context("release date without a year")?,
        file_name(&case.id),
    );
    let document = sort_keys(advisory(case, site, released, &site.url(&relative)));
    Ok((relative, document))
}

/// The CSAF 2.0 advisory of `case` (an alert's, say) as `export` writes it, released at
/// `released` and served from the default provider directory under `publisher`'s name.
pub fn csaf_advisory(case: &CvdCase, publisher: &str, released: &str) -> anyhow::Result<Value> {
    let site = Site {
        base: DEFAULT_BASE_URL,
        publisher,
    };
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

#[derive(Serialize)]
struct Exported {
    id: String,
    tlp: &'static str,
    advisory: PathBuf,
    sha256: String,
    feed: PathBuf,
    provider_metadata: PathBuf,
}

fn export(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let case = stored_case(&mut config.open_store()?, &args.id)?;
    let Some((_, released)) = case
        .history
        .iter()
        .find(|(state, _)| *state == CvdState::Published)
    else {
        bail!(
            "{} is {}: only published cases are exported",
            case.id,
            case.state.as_str()
        );
    };
    let site = Site {
        base: args.base_url.trim_end_matches('/'),
        publisher: &args.publisher,
    };
    let tlp = csaf_tlp(case.case.tlp);
    let name = file_name(&case.id);
    let (relative, document) = placed_advisory(&case, &site, released)?;
    let bytes = serde_json::to_vec_pretty(&document).context("serialising the advisory")?;
    let path = args.out.join(&relative);
    write(&path, &bytes)?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    write(
        &path.with_extension("json.sha256"),
        format!("{sha256}  {name}\n").as_bytes(),
    )?;

    let now = super::now();
    let feed = write_feed(&args.out, &site, tlp, &now)?;
    let provider_metadata = write_provider_metadata(&args.out, &site, &now)?;
    let exported = Exported {
        id: case.id,
        tlp,
        advisory: path,
        sha256,
        feed,
        provider_metadata,
    };
    if config.json {
        return output::json(&exported);
    }
    outln!(
        "exported {} (TLP:{}) to {}",
        exported.id,
        exported.tlp,
        exported.advisory.display()
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

const TLP_DIRS: [&str; 4] = ["white", "green", "amber", "red"];

/// Every advisory under `<out>/<tlp>/<year>/`, by file name.
fn advisories(out: &Path, tlp_dir: &str) -> anyhow::Result<Vec<(String, String, Value)>> {
    let mut found = Vec::new();
    let dir = out.join(tlp_dir);
    if !dir.is_dir() {
        return Ok(found);
    }
    for year in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let year = year?.path();
        if !year.is_dir() {
            continue;
        }
        for file in fs::read_dir(&year).with_context(|| format!("reading {}", year.display()))? {
            let file = file?.path();
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let doc: Value = serde_json::from_slice(&text)
                .with_context(|| format!("reading {}", file.display()))?;
            let year = year
                .file_name()
                .and_then(|y| y.to_str())
                .unwrap_or_default();
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            found.push((year.to_owned(), name.to_owned(), doc));
        }
    }
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(found)
}

/// Rewrites `<tlp>/feed.json` (ROLIE, CSAF 2.0 §7.1.20) from the advisories on disk.
fn write_feed(out: &Path, site: &Site<'_>, tlp: &str, now: &str) -> anyhow::Result<PathBuf> {
    let dir = tlp.to_ascii_lowercase();
    let entries: Vec<Value> = advisories(out, &dir)?
        .into_iter()
        .map(|(year, name, doc)| {
            let url = site.url(&format!("{dir}/{year}/{name}"));
            let tracking = &doc["document"]["tracking"];
            json!({
                "id": tracking["id"],
                "title": doc["document"]["title"],
                "link": [
                    { "rel": "self", "href": url },
                    { "rel": "hash", "href": format!("{url}.sha256") },
                ],
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
    let feed = json!({
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
    });
    let path = out.join(&dir).join("feed.json");
    write(&path, &serde_json::to_vec_pretty(&feed)?)?;
    Ok(path)
}

/// Rewrites `provider-metadata.json` (CSAF 2.0 §7.1.7) naming the feed of every TLP directory
/// that has one.
fn write_provider_metadata(out: &Path, site: &Site<'_>, now: &str) -> anyhow::Result<PathBuf> {
    let feeds: Vec<Value> = TLP_DIRS
        .iter()
        .filter(|dir| out.join(dir).join("feed.json").is_file())
        .map(|dir| {
            let label = dir.to_ascii_uppercase();
            json!({
                "summary": format!("{} advisories (TLP:{label})", site.publisher),
                "tlp_label": label,
                "url": site.url(&format!("{dir}/feed.json")),
            })
        })
        .collect();
    let metadata = json!({
        "canonical_url": site.url("provider-metadata.json"),
        "distributions": [{ "rolie": { "feeds": feeds } }],
        "last_updated": now,
        "list_on_CSAF_aggregators": false,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": false,
        "publisher": site.publisher(),
        "role": "csaf_provider",
    });
    let path = out.join("provider-metadata.json");
    write(&path, &serde_json::to_vec_pretty(&metadata)?)?;
    Ok(path)
}
