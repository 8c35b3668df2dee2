//! `intel cvd …`: coordinated vulnerability disclosure cases and their CSAF 2.0 advisories,
//! built by `app::cvd`; this module parses the arguments, prints the cases and writes the CSAF
//! provider directory (the advisory and its `.sha256`, the ROLIE feed of its TLP directory,
//! `provider-metadata.json`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::cvd::{CaseRow, DEFAULT_BASE_URL, Listed, Site, TLP_DIRS};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::Value;
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
    Show {
        /// The case id, e.g. `MERIDIAN-2026-0001`.
        id: String,
    },
    /// Move a case forward: reported → vendor_notified → fix_available → published.
    ///
    /// Moving back is refused, and so is publishing before the embargo date unless `--force`.
    Advance {
        /// The case id, e.g. `MERIDIAN-2026-0001`.
        id: String,
        /// The state to move to.
        #[arg(long, value_parser = parse_state)]
        to: CvdState,
        /// Publish even though the embargo has not ended.
        #[arg(long)]
        force: bool,
    },
    /// Revise a published case's advisory: its next version, with SUMMARY (what changed) in its
    /// revision history and now as its current release date. `meridian serve` serves the new
    /// version (hashes, signature, feeds and changes.csv follow); re-run `export` for a
    /// directory on disk.
    Revise {
        /// The case id, e.g. `MERIDIAN-2026-0001`.
        id: String,
        /// What changed, e.g. "Fixed versions corrected".
        #[arg(long)]
        summary: String,
    },
    /// Write a published case as a CSAF 2.0 advisory into a CSAF provider directory.
    ///
    /// Writes `<tlp>/<year>/<id>.json` and its `.sha256` and `.sha512`, rebuilds `<tlp>/feed.json` (ROLIE)
    /// from every advisory in the directory and `provider-metadata.json`.
    Export(ExportArgs),
    /// Make the CSAF provider's OpenPGP signing key: DIR/csaf-signing.sec.asc (secret, mode
    /// 0600) and DIR/csaf-signing.pub.asc; prints the fingerprint. `meridian serve --csaf-key`
    /// then signs the advisories it serves and publishes the public key.
    Keygen {
        /// The directory to write the two files into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The key's user id.
        #[arg(long, default_value = "Meridian CSAF provider")]
        user_id: String,
    },
}

/// The secret key file `keygen` writes.
pub const CSAF_KEY_FILE: &str = "csaf-signing.sec.asc";
/// The public key file `keygen` writes.
pub const CSAF_PUBLIC_KEY_FILE: &str = "csaf-signing.pub.asc";

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The case's title, which becomes the advisory's title.
    #[arg(long)]
    pub title: String,
    /// A CVE id; repeat for several.
    #[arg(long = "cve", value_name = "CVE")]
    pub cves: Vec<String>,
    /// Who reported the vulnerability (acknowledged in the advisory).
    #[arg(long, default_value = "")]
    pub reporter: String,
    /// The vendor of the affected products.
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

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The case id, e.g. `MERIDIAN-2026-0001`.
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
        CvdCommand::Revise { id, summary } => revise(config, &id, &summary),
        CvdCommand::Export(args) => export(config, &args),
        CvdCommand::Keygen { out, user_id } => keygen(config, &out, &user_id),
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
    app::cvd::parse_product(text).ok_or_else(|| "expected VENDOR/PRODUCT/RANGE".to_owned())
}

fn new(config: &Config, args: NewArgs) -> anyhow::Result<()> {
    let case = NewCvdCase {
        title: args.title,
        cves: args.cves,
        reporter: args.reporter,
        vendor: args.vendor,
        vendor_country: args.vendor_country,
        vendor_csirt: args.vendor_csirt,
        products: args.products,
        embargo: args.embargo,
        tlp: args.tlp,
        remediation: args.remediation,
        notes: args.notes,
    };
    let stored = app::cvd::create_case(&mut config.open_store()?, case, &app::Actor::local())?;
    print_case(config, &stored)
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
    fields.extend(row.revisions.iter().map(|r| {
        (
            "revision",
            format!("{} at {}: {}", r.number, r.at, r.summary),
        )
    }));
    output::table(
        &["field", "value"],
        fields.into_iter().map(|(k, v)| vec![k.to_owned(), v]),
    );
    Ok(())
}

fn list(config: &Config) -> anyhow::Result<()> {
    let cases = app::cvd::cases(&mut config.open_store()?)?;
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

fn show(config: &Config, id: &str) -> anyhow::Result<()> {
    let case = app::cvd::case(&mut config.open_store()?, id)?;
    print_case(config, &case)
}

fn revise(config: &Config, id: &str, summary: &str) -> anyhow::Result<()> {
    let case = app::cvd::revise(&mut config.open_store()?, id, summary, &app::Actor::local())?;
    print_case(config, &case)
}

fn advance(config: &Config, id: &str, to: CvdState, force: bool) -> anyhow::Result<()> {
    let case = app::cvd::advance(
        &mut config.open_store()?,
        id,
        to,
        force,
        &app::Actor::local(),
    )?;
    print_case(config, &case)
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
    let case = app::cvd::case(&mut config.open_store()?, &args.id)?;
    let site = Site::new(&args.base_url, &args.publisher);
    let placed = app::cvd::export(&case, &site)?;
    let path = args.out.join(&placed.relative);
    write(&path, &placed.bytes)?;
    write(
        &path.with_extension("json.sha256"),
        placed.sha256_line().as_bytes(),
    )?;
    write(
        &path.with_extension("json.sha512"),
        placed.sha512_line().as_bytes(),
    )?;

    let now = super::now();
    let dir = placed.tlp.to_ascii_lowercase();
    let feed = args.out.join(&dir).join("feed.json");
    let listed = advisories(&args.out, &dir)?;
    let document = app::cvd::feed(&site, placed.tlp, &listed, &now, false);
    write(&feed, &serde_json::to_vec_pretty(&document)?)?;
    let feed_dirs: Vec<&str> = TLP_DIRS
        .into_iter()
        .filter(|dir| args.out.join(dir).join("feed.json").is_file())
        .collect();
    let provider_metadata = args.out.join("provider-metadata.json");
    let document = app::cvd::provider_metadata(&site, &feed_dirs, &now, None);
    write(&provider_metadata, &serde_json::to_vec_pretty(&document)?)?;
    let exported = Exported {
        id: case.id,
        tlp: placed.tlp,
        advisory: path,
        sha256: placed.sha256,
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

fn keygen(config: &Config, out: &Path, user_id: &str) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let (key, secret) = app::cvd::openpgp::SigningKey::generate(user_id)?;
    let key_path = out.join(CSAF_KEY_FILE);
    let pub_path = out.join(CSAF_PUBLIC_KEY_FILE);
    super::bundle::create(&key_path, secret.as_bytes(), true)?;
    super::bundle::create(&pub_path, key.public_key().as_bytes(), false)?;
    if config.json {
        return output::json(&serde_json::json!({
            "fingerprint": key.fingerprint(),
            "key_file": key_path,
            "public_key_file": pub_path,
        }));
    }
    outln!("{}", key.fingerprint());
    output::note(
        config.quiet,
        format!(
            "signing key in {} (keep it secret); serve with `meridian serve --csaf-key {}`",
            key_path.display(),
            key_path.display()
        ),
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Every advisory under `<out>/<tlp>/<year>/`, by file name.
fn advisories(out: &Path, tlp_dir: &str) -> anyhow::Result<Vec<Listed>> {
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
            found.push(Listed {
                year: year.to_owned(),
                name: name.to_owned(),
                document: doc,
            });
        }
    }
    found.sort_by(|a, b| (&a.year, &a.name).cmp(&(&b.year, &b.name)));
    Ok(found)
}
