//! API tokens: `<prefix><token id>_<secret>`, the prefix naming the [`Kind`] (`mrd_` partner
//! tokens, `mru_` user tokens), the token id 12 lowercase hex characters and the secret 32
//! base64url characters (24 bytes) from the OS RNG. The installation stores the token id and the
//! argon2id PHC hash of the whole token; the token itself is shown once.
//!
//! The same argon2id hashing serves passwords ([`hash_secret`], [`verify_secret`]), and
//! [`random_secret`] makes session secrets and CSRF tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[cfg(test)]
mod tests;

const ID_LEN: usize = 12;
const SECRET_LEN: usize = 32;

/// A freshly issued token. `Debug` does not show the secret.
pub struct IssuedToken {
    /// The public part, the key under which the hash is stored.
    pub token_id: String,
    /// The whole token, to show once to the partner.
    pub secret_token: String,
    /// The argon2id hash of the whole token, in PHC string format.
    pub hash: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token_id", &self.token_id)
            .field("secret_token", &"<redacted>")
            .field("hash", &self.hash)
            .finish()
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).expect("the OS random number generator is available");
    bytes
}

/// Who a token belongs to; each kind has its own prefix, so one kind's token is never
/// mistaken for the other's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A partner CSIRT's token (TAXII, the partner API): `mrd_…`.
    Partner,
    /// A user's token (the REST API): `mru_…`.
    User,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Partner => "mrd_",
            Kind::User => "mru_",
        }
    }

    /// Issues a new token of this kind from the OS RNG and hashes it with argon2id.
    pub fn issue(self) -> IssuedToken {
        let token_id = hex::encode(random::<{ ID_LEN / 2 }>());
        let secret_token = format!("{}{token_id}_{}", self.prefix(), random_secret());
        let hash = hash_secret(&secret_token);
        IssuedToken {
            token_id,
            secret_token,
            hash,
        }
    }

    /// The token id of a well-formed token of this kind; `None` for anything else.
    pub fn parse(self, token: &str) -> Option<&str> {
        let rest = token.strip_prefix(self.prefix())?;
        if rest.len() != ID_LEN + 1 + SECRET_LEN || !rest.is_ascii() {
            return None;
        }
        let (id, rest) = rest.split_at(ID_LEN);
        let secret = rest.strip_prefix('_')?;
        let id_ok = id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let secret_ok = secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (id_ok && secret_ok).then_some(id)
    }

    /// Whether `token` is a well-formed token of this kind and matches `hash` (an argon2 PHC
    /// string). A malformed token is `false` without hashing.
    pub fn verify(self, token: &str, hash: &str) -> bool {
        self.parse(token).is_some() && verify_secret(token, hash)
    }
}

/// 32 base64url characters (24 bytes) from the OS RNG: a token's secret part, a session
/// secret, a CSRF token.
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(random::<{ SECRET_LEN / 4 * 3 }>())
}

/// The argon2id PHC string (default parameters, a fresh random salt) of `secret`: a token or a
/// password.
pub fn hash_secret(secret: &str) -> String {
    let salt = SaltString::encode_b64(&random::<16>()).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2id with default parameters hashes any input shorter than 4 GiB")
        .to_string()
}

/// Whether `secret` matches `hash` (an argon2 PHC string). The comparison is the argon2
/// library's, in constant time. A malformed hash is `false`.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    let Ok(hash) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(secret.as_bytes(), &hash)
        .is_ok()
}

/// Issues a new partner token ([`Kind::Partner`]).
pub fn issue() -> IssuedToken {
    Kind::Partner.issue()
}

/// The token id of a well-formed partner token; `None` for anything else.
pub fn parse(token: &str) -> Option<&str> {
    Kind::Partner.parse(token)
}

/// Whether `token` is a well-formed partner token and matches `hash`.
pub fn verify(token: &str, hash: &str) -> bool {
    Kind::Partner.verify(token, hash)
}
