//! Remote tokens at rest: sealed with ChaCha20-Poly1305 (the remote's name as associated data,
//! so a sealed token cannot be moved to another remote) and stored as
//! `sealed:v1:<base64url(nonce ‖ ciphertext ‖ tag)>`.
//!
//! The 32-byte key comes from a [`KeySource`]: 64 hex digits when given (the command line
//! reads `MERIDIAN_SECRET_KEY`), otherwise a key file of 64 hex digits, made (mode 0600) on
//! first use (the command line chooses its place: `MERIDIAN_SECRET_KEY_FILE`, else beside a
//! SQLite database, else under the user's configuration directory for PostgreSQL).
//! A key file readable by group or others is refused. Tokens stored in plaintext by earlier
//! versions are sealed in place by the next `sync`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};

const PREFIX: &str = "sealed:v1:";
/// The environment variables the command line reads the key, or its file, from (named in
/// messages).
pub const KEY_ENV: &str = "MERIDIAN_SECRET_KEY";
pub const KEY_FILE_ENV: &str = "MERIDIAN_SECRET_KEY_FILE";

/// Where the key comes from: given as 64 hex digits, else read from (or made in) a file.
#[derive(Clone, Debug)]
pub struct KeySource {
    pub hex: Option<String>,
    pub file: PathBuf,
}

pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

pub struct Sealer {
    key: LessSafeKey,
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn refuse_readable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "{}: the secret key is readable by group or others (mode {:o}); restrict it with `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_readable(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Reads the key file at `path`, or makes it when `create` and it does not exist.
fn key_file(path: &Path, create: bool) -> anyhow::Result<[u8; 32]> {
    if !path.exists() {
        if !create {
            bail!(
                "the remote tokens are sealed but there is no key file {} (set {KEY_ENV} or {KEY_FILE_ENV} to where the key is)",
                path.display()
            );
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| anyhow::anyhow!("the OS random number generator failed"))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        match private_file(path) {
            Ok(mut file) => {
                file.write_all(format!("{hex}\n").as_bytes())
                    .and_then(|()| file.sync_all())
                    .with_context(|| format!("writing {}", path.display()))?;
                tracing::info!(path = %path.display(), "made the key that seals remote tokens");
                return Ok(key);
            }
            // Made meanwhile by another process: read it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    refuse_readable(path)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_hex(&text)
        .with_context(|| format!("{}: not a key (64 hexadecimal digits)", path.display()))
}

impl Sealer {
    /// The key from `source` (see the module); `create` makes a missing key file.
    pub fn load(source: &KeySource, create: bool) -> anyhow::Result<Sealer> {
        let key = match source.hex.as_deref().filter(|h| !h.is_empty()) {
            Some(hex) => {
                parse_hex(hex).with_context(|| format!("{KEY_ENV} is not 64 hexadecimal digits"))?
            }
            None => key_file(&source.file, create)?,
        };
        let key = UnboundKey::new(&CHACHA20_POLY1305, &key)
            .map_err(|_| anyhow::anyhow!("the secret key is not a ChaCha20-Poly1305 key"))?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
        })
    }

    /// `token` sealed for the remote `name`.
    pub fn seal(&self, name: &str, token: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| anyhow::anyhow!("the OS random number generator failed"))?;
        let mut sealed = token.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| anyhow::anyhow!("sealing the token of remote {name} failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
        ))
    }

    /// The token of remote `name` from its stored, sealed form.
    pub fn open(&self, name: &str, stored: &str) -> anyhow::Result<String> {
        let wrong = || {
            anyhow::anyhow!(
                "the stored token of remote {name} cannot be opened with this key (another {KEY_ENV} or key file?)"
            )
        };
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(b)
                    .ok()
            })
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(wrong)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_stay_bound_to_their_remote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("m.db");
        let db = db.to_str().expect("utf-8");
        let source = KeySource {
            hex: None,
            file: dir.path().join("m.db.key"),
        };
        let sealer = Sealer::load(&source, true).expect("key made");
        let sealed = sealer.seal("hub-b", "mrd_secret").expect("seal");
        assert!(is_sealed(&sealed) && !sealed.contains("mrd_secret"));
        let again = Sealer::load(&source, false).expect("key read");
        assert_eq!(again.open("hub-b", &sealed).expect("open"), "mrd_secret");
        assert!(again.open("hub-c", &sealed).is_err());

        // A token stored in plaintext by an earlier version is sealed by the next sync.
        let mut store = store::Store::open(db).expect("store");
        store
            .add_collection(&store::Collection {
                id: "c".to_owned(),
                title: "c".to_owned(),
                description: String::new(),
                created_at: "2026-01-01T00:00:00Z".to_owned(),
            })
            .expect("collection");
        store
            .add_partner(&store::Partner {
                id: "hub-b".to_owned(),
                name: "hub B".to_owned(),
                country: "DE".to_owned(),
                constituency_countries: Vec::new(),
                constituency_sectors: Vec::new(),
                trust_tier: 2,
                contacts: Vec::new(),
                public_key: None,
                anonymise: false,
                created_at: "2026-01-01T00:00:00Z".to_owned(),
            })
            .expect("partner");
        store
            .add_remote(&store::Remote {
                name: "hub-b".to_owned(),
                api_root: "https://hub-b.example/taxii2/hub/".to_owned(),
                collection_id: "c".to_owned(),
                local_collection: "c".to_owned(),
                user: String::new(),
                token: "mrd_plain".to_owned(),
                partner_id: "hub-b".to_owned(),
                pull: true,
                push: true,
                pull_cursor: None,
                push_cursor: 0,
                last_sync: None,
            })
            .expect("remote");
        let opened = super::super::open_tokens(&mut store, &source).expect("open");
        assert_eq!(opened[0].token, "mrd_plain");
        let stored = store.remote("hub-b").expect("read").expect("remote").token;
        assert!(
            is_sealed(&stored) && !stored.contains("mrd_plain"),
            "{stored}"
        );
        let opened = super::super::open_tokens(&mut store, &source).expect("open");
        assert_eq!(opened[0].token, "mrd_plain");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let key = dir.path().join("m.db.key");
            let mode = std::fs::metadata(&key).expect("key").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(Sealer::load(&source, false).is_err());
        }
    }
}
