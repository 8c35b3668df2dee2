//! Signed offline bundles: a STIX bundle file, a JSON manifest holding the SHA-256 of the exact
//! bundle bytes, and a detached Ed25519 signature over the exact manifest bytes (base64). The
//! importer verifies the signature with the signer's public key, then the bundle's hash, and
//! refuses anything altered.
//!
//! Keys travel as hex: the 32-byte signing key (secret) and the 32-byte public key.
//!
//! A verified manifest is then checked against the importing hub ([`check_manifest`]): it must
//! be addressed to that hub and `created` must lie within a window (no later than the clock
//! plus [`CLOCK_SKEW`], no older than a maximum age).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use model::Tlp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

#[cfg(test)]
mod tests;

/// The `format` of the manifests this version writes and reads.
pub const FORMAT: &str = "meridian-bundle/1";

/// The manifest of a bundle, signed by its signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// When the bundle was made, RFC 3339.
    pub created: String,
    /// The hub or partner id that signed it.
    pub signer: String,
    /// The partner id the bundle is addressed to, if any.
    pub recipient: Option<String>,
    /// The bundle's file name, next to the manifest.
    pub bundle_file: String,
    /// Lowercase hex SHA-256 of the exact bundle bytes.
    pub bundle_sha256: String,
    /// How many STIX objects the bundle holds.
    pub objects: u64,
    /// The most restrictive TLP among them, if any is marked.
    #[serde(with = "tlp_label")]
    pub tlp_max: Option<Tlp>,
}

/// What the signer says about a bundle: the manifest without its format and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestFields {
    pub created: String,
    pub signer: String,
    pub recipient: Option<String>,
    pub bundle_file: String,
    pub objects: u64,
    pub tlp_max: Option<Tlp>,
}

/// The manifest and detached signature of a bundle, to write next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The manifest file's exact bytes (pretty JSON and a final newline).
    pub manifest: Vec<u8>,
    /// Base64 (standard alphabet, padded) of the Ed25519 signature over `manifest`.
    pub signature: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("invalid signing key: expected 64 hex characters")]
    InvalidSigningKey,
    #[error("invalid public key: expected 64 hex characters encoding an Ed25519 public key")]
    InvalidPublicKey,
    #[error("malformed signature: expected the base64 of a 64-byte Ed25519 signature")]
    MalformedSignature,
    #[error(
        "the signature does not verify with this public key: the manifest was altered or signed with another key"
    )]
    BadSignature,
    #[error("malformed manifest: {0}")]
    MalformedManifest(String),
    #[error("unknown manifest format {0:?}: expected {FORMAT:?}")]
    UnknownFormat(String),
    #[error("the bundle was altered: its SHA-256 is {actual}, the manifest says {expected}")]
    BundleAltered { expected: String, actual: String },
    #[error("recipient: the bundle is addressed to {found}, not to this hub ({expected:?})")]
    WrongRecipient {
        expected: String,
        /// The manifest's recipient, quoted, or `nobody`.
        found: String,
    },
    #[error("created: {0}")]
    BadCreated(String),
}

/// How far a manifest's `created` may lie ahead of the importer's clock.
pub const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);
/// The default oldest bundle an importer accepts.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 90;

/// Checks what a verified manifest says against the importing hub: the bundle must be addressed
/// to `me` (the importing hub's id at the signer), and `created` must be an RFC 3339 time no
/// later than `now` + [`CLOCK_SKEW`] and no older than `max_age`. Errors name the field.
pub fn check_manifest(
    manifest: &Manifest,
    me: &str,
    now: time::OffsetDateTime,
    max_age: time::Duration,
) -> Result<(), BundleError> {
    if manifest.recipient.as_deref() != Some(me) {
        return Err(BundleError::WrongRecipient {
            expected: me.to_owned(),
            found: manifest
                .recipient
                .as_ref()
                .map_or_else(|| "nobody".to_owned(), |r| format!("{r:?}")),
        });
    }
    let created = time::OffsetDateTime::parse(
        &manifest.created,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|e| {
        BundleError::BadCreated(format!(
            "{:?} is not an RFC 3339 date-time: {e}",
            manifest.created
        ))
    })?;
    if created > now + CLOCK_SKEW {
        return Err(BundleError::BadCreated(format!(
            "{} is in the future (this hub's clock says {now}; {} minutes of skew are allowed)",
            manifest.created,
            CLOCK_SKEW.whole_minutes()
        )));
    }
    if created < now - max_age {
        return Err(BundleError::BadCreated(format!(
            "{} is older than the maximum age of {} days",
            manifest.created,
            max_age.whole_days()
        )));
    }
    Ok(())
}

/// A new Ed25519 key pair from the OS RNG: (signing key hex, public key hex).
pub fn generate_key() -> (String, String) {
    let mut secret = [0; 32];
    getrandom::fill(&mut secret).expect("the OS random number generator is available");
    let key = SigningKey::from_bytes(&secret);
    (
        hex::encode(key.to_bytes()),
        hex::encode(key.verifying_key().to_bytes()),
    )
}

/// The public key (hex) of a signing key (hex).
pub fn public_key(signing_key_hex: &str) -> Result<String, BundleError> {
    Ok(hex::encode(
        signing_key(signing_key_hex)?.verifying_key().to_bytes(),
    ))
}

fn signing_key(hex_text: &str) -> Result<SigningKey, BundleError> {
    let bytes = key_bytes(hex_text).ok_or(BundleError::InvalidSigningKey)?;
    Ok(SigningKey::from_bytes(&bytes))
}

fn key_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let mut bytes = [0; 32];
    hex::decode_to_slice(hex_text.trim(), &mut bytes).ok()?;
    Some(bytes)
}

/// Lowercase hex SHA-256 of a bundle's exact bytes: what an importer remembers to refuse a
/// replay.
pub fn bundle_sha256(bundle: &[u8]) -> String {
    sha256_hex(bundle)
}

/// Makes the manifest of `bundle` and signs it with `signing_key_hex`.
pub fn sign(
    bundle: &[u8],
    fields: ManifestFields,
    signing_key_hex: &str,
) -> Result<Signed, BundleError> {
    let key = signing_key(signing_key_hex)?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        created: fields.created,
        signer: fields.signer,
        recipient: fields.recipient,
        bundle_file: fields.bundle_file,
        bundle_sha256: sha256_hex(bundle),
        objects: fields.objects,
        tlp_max: fields.tlp_max,
    };
    let mut manifest = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises to JSON");
    manifest.push(b'\n');
    let signature = STANDARD.encode(key.sign(&manifest).to_bytes());
    Ok(Signed {
        manifest,
        signature,
    })
}

/// Verifies a bundle against its manifest, the manifest's signature (base64; surrounding
/// white space ignored) and the signer's public key (hex), and returns the manifest.
pub fn verify(
    bundle: &[u8],
    manifest: &[u8],
    signature: &str,
    public_key_hex: &str,
) -> Result<Manifest, BundleError> {
    let public_key = key_bytes(public_key_hex)
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or(BundleError::InvalidPublicKey)?;
    let signature = STANDARD
        .decode(signature.trim_ascii())
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or(BundleError::MalformedSignature)?;
    public_key
        .verify_strict(manifest, &signature)
        .map_err(|_| BundleError::BadSignature)?;

    let value: serde_json::Value = serde_json::from_slice(manifest)
        .map_err(|error| BundleError::MalformedManifest(error.to_string()))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => return Err(BundleError::UnknownFormat(other.to_owned())),
        None => {
            return Err(BundleError::MalformedManifest(
                "no format string".to_owned(),
            ));
        }
    }
    let manifest: Manifest = serde_json::from_value(value)
        .map_err(|error| BundleError::MalformedManifest(error.to_string()))?;

    let actual = sha256_hex(bundle);
    if actual != manifest.bundle_sha256 {
        return Err(BundleError::BundleAltered {
            expected: manifest.bundle_sha256,
            actual,
        });
    }
    Ok(manifest)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `Option<Tlp>` as its label (`"AMBER+STRICT"`) or `null`.
mod tlp_label {
    use model::Tlp;
    use serde::de::Error as _;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tlp: &Option<Tlp>, serializer: S) -> Result<S::Ok, S::Error> {
        match tlp {
            Some(tlp) => serializer.serialize_str(tlp.as_str()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Tlp>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|label| {
                Tlp::parse(&label)
                    .filter(|tlp| tlp.as_str() == label)
                    .ok_or_else(|| D::Error::custom(format!("unknown TLP label {label:?}")))
            })
            .transpose()
    }
}
