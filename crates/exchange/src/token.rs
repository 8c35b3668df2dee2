//! Partner API tokens: `mrd_<token id>_<secret>`, the token id 12 lowercase hex characters and
//! the secret 32 base64url characters (24 bytes) from the OS RNG. The hub stores the token id
//! and the argon2id PHC hash of the whole token; the token itself is shown once.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[cfg(test)]
mod tests;

const PREFIX: &str = "mrd_";
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

/// Issues a new token from the OS RNG and hashes it with argon2id (default parameters).
pub fn issue() -> IssuedToken {
    let token_id = hex::encode(random::<{ ID_LEN / 2 }>());
    let secret = URL_SAFE_NO_PAD.encode(random::<{ SECRET_LEN / 4 * 3 }>());
    let secret_token = format!("{PREFIX}{token_id}_{secret}");
    let salt = SaltString::encode_b64(&random::<16>()).expect("16 bytes make a valid salt");
    let hash = Argon2::default()
        .hash_password(secret_token.as_bytes(), &salt)
        .expect("argon2id with default parameters hashes any 49-byte input")
        .to_string();
    IssuedToken {
        token_id,
        secret_token,
        hash,
    }
}

/// The token id of a well-formed token; `None` for anything else.
pub fn parse(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(PREFIX)?;
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

/// Whether `token` is well formed and matches `hash` (an argon2 PHC string). The comparison is
/// the argon2 library's, in constant time. A malformed token or hash is `false`.
pub fn verify(token: &str, hash: &str) -> bool {
    if parse(token).is_none() {
        return false;
    }
    let Ok(hash) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(token.as_bytes(), &hash)
        .is_ok()
}
