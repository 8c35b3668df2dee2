//! `bundle keygen | export | import`: signed offline bundles (§4); the use cases are
//! `app::bundles`, this module reads and writes the files.

use std::io::Write as _;
use std::path::{Path as FsPath, PathBuf};

use anyhow::Context;
use app::Actor;
use app::bundles::{
    self, BUNDLE_FILE, ExportRequest, Exported, ImportRequest, Imported, MANIFEST_FILE,
    SIGNATURE_FILE,
};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::config::Config;
use crate::{output, progress};

const KEY_FILE: &str = "hub.key";
const PUBLIC_KEY_FILE: &str = "hub.pub";

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Make this hub's Ed25519 signing key: DIR/hub.key (secret, mode 0600) and DIR/hub.pub;
    /// prints the public key, which partners register with `meridian partner key`.
    Keygen {
        /// The directory to write hub.key (secret, mode 0600) and hub.pub into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a signed bundle of a collection for one partner (what TLP releases to it).
    Export(ExportArgs),
    /// Verify a partner's signed bundle and store its objects, all or nothing.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The collection whose objects the bundle carries (what TLP releases to the partner).
    #[arg(long, value_name = "ID")]
    pub collection: String,
    /// The partner the bundle is for: the TLP rules decide what it holds.
    #[arg(long = "for", value_name = "PARTNER")]
    pub partner: String,
    /// The signing key file written by `bundle keygen`.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The directory to write bundle.json, manifest.json and bundle.sig into.
    #[arg(long)]
    pub out: PathBuf,
    /// Who signs, as the manifest names it.
    #[arg(long, default_value = "meridian")]
    pub signer: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The directory holding bundle.json, manifest.json and bundle.sig.
    pub dir: PathBuf,
    /// The partner that signed it (its public key verifies the signature).
    #[arg(long = "from", value_name = "PARTNER")]
    pub partner: String,
    /// The local collection to store the objects in.
    #[arg(long, value_name = "ID")]
    pub collection: String,
    /// Who this hub is to the signer: the partner id the bundle was exported `--for`. A bundle
    /// addressed to anyone else is refused.
    #[arg(long = "as", value_name = "ID", env = "MERIDIAN_HUB_ID")]
    pub me: String,
    /// Refuse bundles whose manifest is older than this many days.
    #[arg(long, default_value_t = exchange::bundle::DEFAULT_MAX_AGE_DAYS, value_name = "DAYS")]
    pub max_age_days: u32,
}

pub fn run(config: &Config, command: BundleCommand) -> anyhow::Result<()> {
    match command {
        BundleCommand::Keygen { out } => keygen(config, &out),
        BundleCommand::Export(args) => export(config, &args),
        BundleCommand::Import(args) => import(config, &args),
    }
}

/// Creates `path` with `bytes`, refusing to replace an existing file; `secret` files are
/// readable by their owner only.
pub(crate) fn create(path: &FsPath, bytes: &[u8], secret: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).with_context(|| match path.exists() {
        true => format!("{} exists already: not replacing it", path.display()),
        false => format!("creating {}", path.display()),
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn keygen(config: &Config, out: &FsPath) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let (secret, public) = exchange::bundle::generate_key();
    let key_path = out.join(KEY_FILE);
    let pub_path = out.join(PUBLIC_KEY_FILE);
    create(&key_path, format!("{secret}\n").as_bytes(), true)?;
    create(&pub_path, format!("{public}\n").as_bytes(), false)?;
    if config.json {
        return output::json(&json!({
            "public_key": public,
            "key_file": key_path,
            "public_key_file": pub_path,
        }));
    }
    outln!("{public}");
    output::note(
        config.quiet,
        format!(
            "signing key in {} (keep it secret); partners register the public key above with \
             `meridian partner key <your id> {public}`",
            key_path.display()
        ),
    );
    Ok(())
}

fn export(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(&args.key)
        .with_context(|| format!("reading the signing key {}", args.key.display()))?;
    let mut store = config.open_store()?;
    let bars = progress::Bars::new(config.quiet);
    let exported = bundles::export(
        &mut store,
        &Actor::local(),
        &ExportRequest {
            collection: &args.collection,
            partner: &args.partner,
            signing_key: &key,
            signer: &args.signer,
        },
        &bars,
    )
    .with_context(|| format!("signing with {}", args.key.display()))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    create(&args.out.join(BUNDLE_FILE), &exported.bundle, false)?;
    create(&args.out.join(MANIFEST_FILE), &exported.manifest, false)?;
    create(
        &args.out.join(SIGNATURE_FILE),
        format!("{}\n", exported.signature).as_bytes(),
        false,
    )?;
    let Exported {
        objects: count,
        withheld,
        tlp_max,
        ..
    } = exported;
    if config.json {
        return output::json(&json!({
            "out": args.out,
            "partner": args.partner,
            "objects": count,
            "withheld": withheld,
            "tlp_max": tlp_max.map(|t| t.as_str()),
        }));
    }
    outln!("{}", args.out.display());
    output::note(
        config.quiet,
        format!(
            "{count} object(s) for {} signed as {}; {withheld} withheld by TLP",
            args.partner, args.signer
        ),
    );
    Ok(())
}

fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let dir = &args.dir;
    let read = |name: &str| config.read_input(&dir.join(name));
    let manifest = read(MANIFEST_FILE)?;
    let signature = read(SIGNATURE_FILE)?;
    let bundle = read(BUNDLE_FILE)?;
    let imported = bundles::import(
        &mut store,
        &Actor::local(),
        &ImportRequest {
            partner: &args.partner,
            collection: &args.collection,
            me: &args.me,
            max_age_days: args.max_age_days,
            manifest: &manifest,
            signature: &signature,
            bundle: &bundle,
        },
    )
    .with_context(|| format!("{}", dir.display()))?;
    if let Some(before) = &imported.replay_of {
        if config.json {
            let mut summary = import_summary(args, &imported, true);
            summary["added"] = 0.into();
            return output::json(&summary);
        }
        outln!(
            "{}: this bundle (SHA-256 {}) was imported already ({before}): nothing done",
            dir.display(),
            imported.sha256
        );
        return Ok(());
    }
    if config.json {
        let mut summary = import_summary(args, &imported, false);
        summary["objects"] = imported.objects.into();
        summary["added"] = imported.added.into();
        summary["duplicates"] = imported.duplicates.into();
        return output::json(&summary);
    }
    outln!(
        "{} object(s) from {} (signed by {} on {}): {} added, {} already stored",
        imported.objects,
        args.partner,
        imported.manifest.signer,
        imported.manifest.created,
        imported.added,
        imported.duplicates
    );
    Ok(())
}

/// What both `--json` answers of `bundle import` begin with: the bundle, where it went, and
/// whether it was a replay.
fn import_summary(args: &ImportArgs, imported: &Imported, replayed: bool) -> Value {
    json!({
        "partner": args.partner,
        "signer": imported.manifest.signer,
        "created": imported.manifest.created,
        "collection": args.collection,
        "bundle_sha256": imported.sha256,
        "replayed": replayed,
    })
}
