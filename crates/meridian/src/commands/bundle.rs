//! `bundle keygen | export | import`: signed offline bundles for when networks are down (§4).
//!
//! An export writes three files into a directory: `bundle.json` (a STIX 2.1 bundle of the
//! collection's latest object versions that the TLP rules release to the partner on
//! [`Path::Export`]), `manifest.json` (the SHA-256 of `bundle.json`'s exact bytes, the signer,
//! the recipient, the object count and the highest TLP) and `bundle.sig` (the base64 Ed25519
//! signature over `manifest.json`'s exact bytes), all by [`exchange::bundle`].
//!
//! An import verifies the signature with the partner's stored public key, then the bundle's
//! hash, then the manifest against this hub (`exchange::bundle::check_manifest`: addressed to
//! `--as`, `created` within the last `--max-age-days` and not in the future), then every object
//! against the STIX 2.1 schemas, and stores all of them in one transaction with the partner as
//! submitter and `bundle:<partner>` as provenance, or nothing. The SHA-256 of every imported
//! bundle is remembered (setting `bundle_imported:<sha256>`): importing the same bundle again
//! is an explicit no-op.

use std::io::Write as _;
use std::path::{Path as FsPath, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use exchange::bundle::{BundleError, ManifestFields};
use exchange::policy::Path;
use serde_json::{Value, json};
use store::{ObjectQuery, VersionMatch};

use crate::config::Config;
use crate::{output, progress};
use app::sharing::Checked;

const KEY_FILE: &str = "hub.key";
const PUBLIC_KEY_FILE: &str = "hub.pub";
const BUNDLE_FILE: &str = "bundle.json";
const MANIFEST_FILE: &str = "manifest.json";
const SIGNATURE_FILE: &str = "bundle.sig";
/// Rows read per query while selecting what to export.
const BATCH: usize = 1000;
/// At most this many invalid objects are named in an import's error.
const MAX_NAMED: usize = 10;

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Make this hub's Ed25519 signing key: DIR/hub.key (secret, mode 0600) and DIR/hub.pub;
    /// prints the public key, which partners register with `meridian partner key`.
    Keygen {
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

/// The setting under which an imported bundle's SHA-256 is remembered (the value says from
/// whom and when), so that a replay is a no-op.
const IMPORTED_SETTING: &str = "bundle_imported:";

pub fn run(config: &Config, command: BundleCommand) -> anyhow::Result<()> {
    match command {
        BundleCommand::Keygen { out } => keygen(config, &out),
        BundleCommand::Export(args) => export(config, &args),
        BundleCommand::Import(args) => import(config, &args),
    }
}

/// Creates `path` with `bytes`, refusing to replace an existing file; `secret` files are
/// readable by their owner only.
fn create(path: &FsPath, bytes: &[u8], secret: bool) -> anyhow::Result<()> {
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
    exchange::bundle::public_key(&key).with_context(|| format!("{}", args.key.display()))?;
    let mut store = config.open_store()?;
    if store.collection(&args.collection)?.is_none() {
        bail!("--collection: no collection {:?}", args.collection);
    }
    if store.partner(&args.partner)?.is_none() {
        bail!("--for: no partner {:?}", args.partner);
    }
    let release = app::sharing::Release::load(&mut store, &args.partner)?;
    if !release.can_read(&args.collection) {
        bail!(
            "no agreement grants {} read on collection {}: nothing may be exported to it",
            args.partner,
            args.collection
        );
    }
    let bar = progress::bar(config.quiet, None, "selecting");
    let mut query = ObjectQuery {
        collection_id: args.collection.clone(),
        versions: VersionMatch::Last,
        limit: BATCH,
        ..ObjectQuery::default()
    };
    let mut objects = Vec::new();
    let mut withheld = 0u64;
    let mut tlp_max = None;
    loop {
        let rows = store.objects(&query)?;
        for row in &rows {
            if release.allows(row, Path::Export, None) {
                let object: Value = serde_json::from_str(&release.text(row))
                    .with_context(|| format!("stored object {} is not JSON", row.object_id))?;
                tlp_max = tlp_max.max(row.tlp);
                objects.push(object);
            } else {
                withheld += 1;
            }
        }
        bar.inc(rows.len() as u64);
        match rows.last() {
            Some(last) if rows.len() == BATCH => query.after_seq = Some(last.seq),
            _ => break,
        }
    }
    bar.finish_and_clear();
    let count = objects.len() as u64;
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": objects,
    });
    let mut bundle_bytes = serde_json::to_vec_pretty(&bundle)?;
    bundle_bytes.push(b'\n');
    let signed = exchange::bundle::sign(
        &bundle_bytes,
        ManifestFields {
            created: super::now(),
            signer: args.signer.clone(),
            recipient: Some(args.partner.clone()),
            bundle_file: BUNDLE_FILE.to_owned(),
            objects: count,
            tlp_max,
        },
        &key,
    )
    .with_context(|| format!("signing with {}", args.key.display()))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    create(&args.out.join(BUNDLE_FILE), &bundle_bytes, false)?;
    create(&args.out.join(MANIFEST_FILE), &signed.manifest, false)?;
    create(
        &args.out.join(SIGNATURE_FILE),
        format!("{}\n", signed.signature).as_bytes(),
        false,
    )?;
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

fn read(config: &Config, dir: &FsPath, name: &str) -> anyhow::Result<Vec<u8>> {
    config.read_input(&dir.join(name))
}

fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let partner = store
        .partner(&args.partner)?
        .with_context(|| format!("--from: no partner {:?}", args.partner))?;
    let Some(public_key) = partner.public_key else {
        bail!(
            "partner {0} has no public key: set it with `meridian partner key {0} HEX`",
            args.partner
        );
    };
    if store.collection(&args.collection)?.is_none() {
        bail!("--collection: no collection {:?}", args.collection);
    }
    let dir = &args.dir;
    let manifest = read(config, dir, MANIFEST_FILE)?;
    let signature = read(config, dir, SIGNATURE_FILE)?;
    let bundle = read(config, dir, BUNDLE_FILE)?;
    let signature = String::from_utf8(signature).map_err(|_| BundleError::MalformedSignature);
    let verified =
        signature.and_then(|s| exchange::bundle::verify(&bundle, &manifest, &s, &public_key));
    let manifest = verified.map_err(|e| {
        let failed = match e {
            BundleError::BundleAltered { .. } => format!("hash ({BUNDLE_FILE})"),
            BundleError::MalformedManifest(_)
            | BundleError::UnknownFormat(_)
            | BundleError::WrongRecipient { .. }
            | BundleError::BadCreated(_) => {
                format!("manifest ({MANIFEST_FILE})")
            }
            BundleError::InvalidPublicKey => format!("public key of partner {}", args.partner),
            BundleError::BadSignature
            | BundleError::MalformedSignature
            | BundleError::InvalidSigningKey => {
                format!("signature ({SIGNATURE_FILE} over {MANIFEST_FILE})")
            }
        };
        anyhow::anyhow!(
            "{}: refused, nothing imported: {failed}: {e}",
            dir.display()
        )
    })?;
    let max_age = time::Duration::days(i64::from(args.max_age_days));
    let now = time::OffsetDateTime::now_utc();
    exchange::bundle::check_manifest(&manifest, &args.me, now, max_age).map_err(|e| {
        anyhow::anyhow!(
            "{}: refused, nothing imported: {}: {e}",
            dir.display(),
            dir.join(MANIFEST_FILE).display()
        )
    })?;
    let sha256 = exchange::bundle::bundle_sha256(&bundle);
    let replay_key = format!("{IMPORTED_SETTING}{sha256}");
    if let Some(before) = store.setting(&replay_key)? {
        if config.json {
            let mut summary = import_summary(args, &manifest, &sha256, true);
            summary["added"] = 0.into();
            return output::json(&summary);
        }
        outln!(
            "{}: this bundle (SHA-256 {sha256}) was imported already ({before}): nothing done",
            dir.display()
        );
        return Ok(());
    }
    if manifest.bundle_file != BUNDLE_FILE {
        bail!(
            "{}: the manifest signs {:?}, not {BUNDLE_FILE}",
            dir.display(),
            manifest.bundle_file
        );
    }
    let refuse =
        |why: String| anyhow::anyhow!("{}: {BUNDLE_FILE}: {why}; nothing imported", dir.display());
    let parsed: Value =
        serde_json::from_slice(&bundle).map_err(|e| refuse(format!("not JSON: {e}")))?;
    if parsed.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(refuse(
            "not a STIX bundle (its type is not \"bundle\")".to_owned(),
        ));
    }
    let objects = match parsed.get("objects") {
        Some(Value::Array(objects)) => objects.as_slice(),
        None => &[],
        Some(_) => return Err(refuse("\"objects\" is not an array".to_owned())),
    };
    if objects.len() as u64 != manifest.objects {
        return Err(refuse(format!(
            "it holds {} objects, its manifest says {}",
            objects.len(),
            manifest.objects
        )));
    }
    let validator = stix::Validator::new();
    let mut checked = Vec::with_capacity(objects.len());
    let mut invalid = Vec::new();
    for object in objects {
        match Checked::new(&validator, object) {
            Ok(c) => checked.push(c),
            Err(e) => invalid.push(e),
        }
    }
    if !invalid.is_empty() {
        let named: Vec<&str> = invalid.iter().take(MAX_NAMED).map(String::as_str).collect();
        return Err(refuse(format!(
            "{} of {} objects are not valid STIX 2.1: {}",
            invalid.len(),
            objects.len(),
            named.join(" | ")
        )));
    }
    let source = format!("bundle:{}", args.partner);
    let outcome = app::sharing::store_batch(
        &mut store,
        &app::Actor::Partner(args.partner.clone()),
        &args.collection,
        &mut checked,
        &[],
        Some(&args.partner),
        Some(&source),
    )?;
    // Remembered after the objects are stored: an interruption in between leaves a bundle
    // whose re-import stores nothing new (every object a duplicate) and then remembers it.
    store.set_setting(
        &replay_key,
        &format!(
            "from {} into collection {} at {}",
            args.partner,
            args.collection,
            super::now()
        ),
    )?;
    if config.json {
        let mut summary = import_summary(args, &manifest, &sha256, false);
        summary["objects"] = checked.len().into();
        summary["added"] = outcome.added.into();
        summary["duplicates"] = outcome.duplicates.into();
        return output::json(&summary);
    }
    outln!(
        "{} object(s) from {} (signed by {} on {}): {} added, {} already stored",
        checked.len(),
        args.partner,
        manifest.signer,
        manifest.created,
        outcome.added,
        outcome.duplicates
    );
    Ok(())
}

/// What both `--json` answers of `bundle import` begin with: the bundle, where it went, and
/// whether it was a replay.
fn import_summary(
    args: &ImportArgs,
    manifest: &exchange::bundle::Manifest,
    sha256: &str,
    replayed: bool,
) -> Value {
    json!({
        "partner": args.partner,
        "signer": manifest.signer,
        "created": manifest.created,
        "collection": args.collection,
        "bundle_sha256": sha256,
        "replayed": replayed,
    })
}
