//! Signed offline bundles for when networks are down (§4): export for one partner, import
//! from one.
//!
//! An export makes three files: `bundle.json` (a STIX 2.1 bundle of the
//! collection's latest object versions that the TLP rules release to the partner on
//! [`Path::Export`]), `manifest.json` (the SHA-256 of `bundle.json`'s exact bytes, the signer,
//! the recipient, the object count and the highest TLP) and `bundle.sig` (the base64 Ed25519
//! signature over `manifest.json`'s exact bytes), all by [`exchange::bundle`].
//!
//! An import verifies the signature with the partner's stored public key, then the bundle's
//! hash, then the manifest against this hub (`exchange::bundle::check_manifest`: addressed to
//! this hub, `created` within the allowed age and not in the future), then every object
//! against the STIX 2.1 schemas, and stores all of them in one transaction with the partner as
//! submitter and `bundle:<partner>` as provenance, or nothing. The SHA-256 of every imported
//! bundle is remembered (setting `bundle_imported:<sha256>`): importing the same bundle again
//! is an explicit no-op.

use exchange::bundle::{BundleError, Manifest, ManifestFields};
use exchange::policy::Path;
use model::Tlp;
use serde_json::{Value, json};
use store::{ObjectQuery, Store, VersionMatch};

use crate::authz::{Action, authorize};
use crate::sharing::{Checked, Release};
use crate::{Actor, Error, Progress, Result};

/// The files of a bundle, as named in its manifest and its directory.
pub const BUNDLE_FILE: &str = "bundle.json";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const SIGNATURE_FILE: &str = "bundle.sig";

/// Rows read per query while selecting what to export.
const BATCH: usize = 1000;
/// At most this many invalid objects are named in an import's error.
const MAX_NAMED: usize = 10;

/// The setting under which an imported bundle's SHA-256 is remembered (the value says from
/// whom and when), so that a replay is a no-op.
const IMPORTED_SETTING: &str = "bundle_imported:";

/// What to export.
pub struct ExportRequest<'a> {
    pub collection: &'a str,
    /// The partner the bundle is for: the TLP rules decide what it holds.
    pub partner: &'a str,
    /// The hub's Ed25519 signing key (the text `exchange::bundle::generate_key` made).
    pub signing_key: &'a str,
    /// Who signs, as the manifest names it.
    pub signer: &'a str,
}

/// A signed bundle, ready to be written out.
pub struct Exported {
    pub bundle: Vec<u8>,
    pub manifest: Vec<u8>,
    /// Base64 Ed25519 signature over the manifest's bytes.
    pub signature: String,
    pub objects: u64,
    /// Object versions the TLP rules keep from the partner.
    pub withheld: u64,
    pub tlp_max: Option<Tlp>,
}

/// A signed bundle of the collection's latest object versions that the TLP rules release to
/// the partner on the export path. `progress` counts the rows examined.
pub fn export(
    store: &mut Store,
    actor: &Actor,
    request: &ExportRequest<'_>,
    progress: &dyn Progress,
) -> Result<Exported> {
    authorize(actor, Action::Bundles)?;
    exchange::bundle::public_key(request.signing_key)
        .map_err(|e| Error::invalid("/signing_key", e.to_string()))?;
    if store.collection(request.collection)?.is_none() {
        return Err(Error::invalid(
            "/collection",
            format!("no collection {:?}", request.collection),
        ));
    }
    if store.partner(request.partner)?.is_none() {
        return Err(Error::invalid(
            "/for",
            format!("no partner {:?}", request.partner),
        ));
    }
    let release = Release::load(store, request.partner)?;
    if !release.can_read(request.collection) {
        return Err(Error::Forbidden(format!(
            "no agreement grants {} read on collection {}: nothing may be exported to it",
            request.partner, request.collection
        )));
    }
    progress.start("selecting", None);
    let mut query = ObjectQuery {
        collection_id: request.collection.to_owned(),
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
                let object: Value = serde_json::from_str(&release.text(row)).map_err(|_| {
                    Error::Conflict(format!("stored object {} is not JSON", row.object_id))
                })?;
                tlp_max = tlp_max.max(row.tlp);
                objects.push(object);
            } else {
                withheld += 1;
            }
        }
        progress.advance(rows.len() as u64);
        match rows.last() {
            Some(last) if rows.len() == BATCH => query.after_seq = Some(last.seq),
            _ => break,
        }
    }
    progress.finish();
    let count = objects.len() as u64;
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": objects,
    });
    let mut bundle_bytes = serde_json::to_vec_pretty(&bundle).expect("a JSON value serialises");
    bundle_bytes.push(b'\n');
    let signed = exchange::bundle::sign(
        &bundle_bytes,
        ManifestFields {
            created: crate::now(),
            signer: request.signer.to_owned(),
            recipient: Some(request.partner.to_owned()),
            bundle_file: BUNDLE_FILE.to_owned(),
            objects: count,
            tlp_max,
        },
        request.signing_key,
    )
    .map_err(|e| Error::invalid("/signing_key", e.to_string()))?;
    Ok(Exported {
        bundle: bundle_bytes,
        manifest: signed.manifest,
        signature: signed.signature,
        objects: count,
        withheld,
        tlp_max,
    })
}

/// A bundle to import: its three files' bytes and where it goes.
pub struct ImportRequest<'a> {
    /// The partner that signed it (its public key verifies the signature).
    pub partner: &'a str,
    /// The local collection to store the objects in.
    pub collection: &'a str,
    /// Who this hub is to the signer: the partner id the bundle was exported for.
    pub me: &'a str,
    /// Bundles whose manifest is older than this many days are refused.
    pub max_age_days: u32,
    pub manifest: &'a [u8],
    pub signature: &'a [u8],
    pub bundle: &'a [u8],
}

/// What an import did.
pub struct Imported {
    pub manifest: Manifest,
    pub sha256: String,
    /// When the same bundle was imported before, what was remembered of it (nothing was done).
    pub replay_of: Option<String>,
    pub objects: usize,
    pub added: u64,
    pub duplicates: u64,
}

/// A refusal: the bundle is wrong in `file`; nothing is imported.
fn refused(file: &str, why: String) -> Error {
    Error::invalid(file, format!("refused, nothing imported: {why}"))
}

/// Verifies a partner's signed bundle and stores its objects, all or nothing (see the module).
pub fn import(store: &mut Store, actor: &Actor, request: &ImportRequest<'_>) -> Result<Imported> {
    authorize(actor, Action::Bundles)?;
    let partner = store
        .partner(request.partner)?
        .ok_or_else(|| Error::invalid("/from", format!("no partner {:?}", request.partner)))?;
    let Some(public_key) = partner.public_key else {
        return Err(Error::Conflict(format!(
            "partner {0} has no public key: set it with `meridian partner key {0} HEX`",
            request.partner
        )));
    };
    if store.collection(request.collection)?.is_none() {
        return Err(Error::invalid(
            "/collection",
            format!("no collection {:?}", request.collection),
        ));
    }
    let signature =
        String::from_utf8(request.signature.to_vec()).map_err(|_| BundleError::MalformedSignature);
    let verified = signature
        .and_then(|s| exchange::bundle::verify(request.bundle, request.manifest, &s, &public_key));
    let manifest = verified.map_err(|e| {
        let (file, failed) = match e {
            BundleError::BundleAltered { .. } => (BUNDLE_FILE, format!("hash ({BUNDLE_FILE})")),
            BundleError::MalformedManifest(_)
            | BundleError::UnknownFormat(_)
            | BundleError::WrongRecipient { .. }
            | BundleError::BadCreated(_) => (MANIFEST_FILE, format!("manifest ({MANIFEST_FILE})")),
            BundleError::InvalidPublicKey => (
                MANIFEST_FILE,
                format!("public key of partner {}", request.partner),
            ),
            BundleError::BadSignature
            | BundleError::MalformedSignature
            | BundleError::InvalidSigningKey => (
                SIGNATURE_FILE,
                format!("signature ({SIGNATURE_FILE} over {MANIFEST_FILE})"),
            ),
        };
        refused(file, format!("{failed}: {e}"))
    })?;
    let max_age = time::Duration::days(i64::from(request.max_age_days));
    let now = time::OffsetDateTime::now_utc();
    exchange::bundle::check_manifest(&manifest, request.me, now, max_age)
        .map_err(|e| refused(MANIFEST_FILE, format!("{MANIFEST_FILE}: {e}")))?;
    let sha256 = exchange::bundle::bundle_sha256(request.bundle);
    let replay_key = format!("{IMPORTED_SETTING}{sha256}");
    if let Some(before) = store.setting(&replay_key)? {
        return Ok(Imported {
            manifest,
            sha256,
            replay_of: Some(before),
            objects: 0,
            added: 0,
            duplicates: 0,
        });
    }
    if manifest.bundle_file != BUNDLE_FILE {
        return Err(refused(
            MANIFEST_FILE,
            format!(
                "the manifest signs {:?}, not {BUNDLE_FILE}",
                manifest.bundle_file
            ),
        ));
    }
    let refuse = |why: String| refused(BUNDLE_FILE, why);
    let parsed: Value =
        serde_json::from_slice(request.bundle).map_err(|e| refuse(format!("not JSON: {e}")))?;
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
    let source = format!("bundle:{}", request.partner);
    let outcome = crate::sharing::store_batch(
        store,
        &Actor::Partner(request.partner.to_owned()),
        request.collection,
        &mut checked,
        &[],
        Some(request.partner),
        Some(&source),
    )?;
    // Remembered after the objects are stored: an interruption in between leaves a bundle
    // whose re-import stores nothing new (every object a duplicate) and then remembers it.
    store.set_setting(
        &replay_key,
        &format!(
            "from {} into collection {} at {}",
            request.partner,
            request.collection,
            crate::now()
        ),
    )?;
    Ok(Imported {
        manifest,
        sha256,
        replay_of: None,
        objects: checked.len(),
        added: outcome.added,
        duplicates: outcome.duplicates,
    })
}
