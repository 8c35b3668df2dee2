//! The CSAF provider's OpenPGP signing key (CSAF 2.0 §7.1.19, §7.1.20): one Ed25519 key that
//! certifies and signs, generated once by `meridian intel cvd keygen` into a file only its owner
//! may read and handed to `meridian serve --csaf-key`; never stored in the database, printed or
//! logged. Advisories are signed with detached, ASCII-armoured binary signatures (`.asc`).

use std::fmt;

use pgp::composed::{
    ArmorOptions, Deserializable, DetachedSignature, EncryptionCaps, KeyType,
    SecretKeyParamsBuilder, SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};

use crate::{Error, Result};

/// A provider's signing key: the secret key and its public half, armoured.
pub struct SigningKey {
    secret: SignedSecretKey,
    public: String,
    fingerprint: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn unreadable(what: &str, e: impl fmt::Display) -> Error {
    Error::invalid("/csaf_key", format!("{what}: {e}"))
}

impl SigningKey {
    /// A new key for `user_id` (`Name <address>`), and its secret key armoured: the text to
    /// keep, and give to [`SigningKey::from_armored`].
    pub fn generate(user_id: &str) -> Result<(SigningKey, String)> {
        let params = SecretKeyParamsBuilder::default()
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(true)
            .can_encrypt(EncryptionCaps::None)
            .primary_user_id(user_id.to_owned())
            .build()
            .map_err(|e| unreadable("the key parameters", e))?;
        let secret = params
            .generate(rand_core_06::OsRng)
            .map_err(|e| unreadable("generating the key", e))?;
        let armored = secret
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| unreadable("armouring the key", e))?;
        Ok((SigningKey::new(secret)?, armored))
    }

    /// The key whose secret key [`SigningKey::generate`] armoured.
    pub fn from_armored(text: &str) -> Result<SigningKey> {
        let (secret, _) = SignedSecretKey::from_string(text)
            .map_err(|e| unreadable("not an armoured OpenPGP secret key", e))?;
        secret
            .verify_bindings()
            .map_err(|e| unreadable("the key's self-signatures do not verify", e))?;
        SigningKey::new(secret)
    }

    fn new(secret: SignedSecretKey) -> Result<SigningKey> {
        let public = SignedPublicKey::from(secret.clone())
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| unreadable("armouring the public key", e))?;
        Ok(SigningKey {
            fingerprint: format!("{:X}", secret.fingerprint()),
            secret,
            public,
        })
    }

    /// The key's fingerprint, upper-case hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The public key, armoured.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// A detached binary signature of `data`, armoured.
    pub fn sign(&self, data: &[u8]) -> Result<String> {
        DetachedSignature::sign_binary_data(
            rand_core_06::OsRng,
            &self.secret.primary_key,
            &Password::empty(),
            HashAlgorithm::Sha512,
            data,
        )
        .and_then(|s| s.to_armored_string(ArmorOptions::default()))
        .map_err(|e| Error::Unavailable(format!("signing: {e}")))
    }
}

/// Whether `signature` (armoured, detached) is a valid signature of `data` by the armoured
/// `public_key`; what is wrong otherwise.
pub fn verify(public_key: &str, data: &[u8], signature: &str) -> std::result::Result<(), String> {
    let (key, _) = SignedPublicKey::from_string(public_key)
        .map_err(|e| format!("not an armoured OpenPGP public key: {e}"))?;
    let (signature, _) = DetachedSignature::from_string(signature)
        .map_err(|e| format!("not an armoured OpenPGP signature: {e}"))?;
    signature
        .verify(&key.primary_key, data)
        .map_err(|e| format!("the signature does not verify: {e}"))
}
