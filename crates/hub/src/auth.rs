//! Who is calling: partner tokens by `Authorization: Bearer` or HTTP Basic (partner id as the
//! user name, token as the password, so stock TAXII clients work).
//!
//! A token is checked with argon2 once per process; the verified token is remembered by its
//! SHA-256 together with the stored hash it matched, and its row is re-read every
//! [`RECHECK`] so a revocation takes effect within that time on every server.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::pool::Pool;

/// How long a verified token is trusted before its row is read again.
pub const RECHECK: Duration = Duration::from_secs(5);

/// The authenticated partner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub partner_id: String,
}

#[derive(Default)]
pub struct TokenCache {
    verified: Mutex<HashMap<[u8; 32], Verified>>,
}

#[derive(Clone)]
struct Verified {
    token_id: String,
    partner_id: String,
    hash: String,
    checked: Instant,
}

/// The credentials in a request: the token, and the user name when given by Basic.
fn credentials(headers: &HeaderMap) -> Result<(Option<String>, String), ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "credentials required: Authorization: Bearer <token>, or Basic with the partner id and token",
        ));
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok((None, rest.trim().to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ApiError::unauthorized("the Basic credentials are not valid base64"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| ApiError::unauthorized("the Basic credentials have no ':'"))?;
        return Ok((Some(user.to_owned()), password.to_owned()));
    }
    Err(ApiError::unauthorized(format!(
        "unsupported authorization scheme {scheme:?}: use Bearer or Basic"
    )))
}

impl TokenCache {
    /// The partner the request's credentials belong to.
    pub async fn authenticate(&self, pool: &Pool, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let (user, token) = credentials(headers)?;
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cached = self.lock().get(&key).cloned();
        let caller = match cached {
            Some(v) if v.checked.elapsed() < RECHECK => v,
            cached => {
                let refreshed = pool.run(move |store| check(store, &token, cached)).await?;
                self.lock().insert(key, refreshed.clone());
                refreshed
            }
        };
        if let Some(user) = user
            && user != caller.partner_id
        {
            return Err(ApiError::unauthorized(
                "the Basic user name is not the partner the token belongs to",
            ));
        }
        crate::log_caller(&app::Actor::Partner(caller.partner_id.clone()));
        Ok(Caller {
            partner_id: caller.partner_id,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Verified>> {
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Verified user API tokens (`mru_…`), as [`TokenCache`] for partners: a token is checked with
/// argon2 once per process (while its stored hash stays the same), and its row, its revocation
/// and its user (role, disabled) are re-read every [`RECHECK`]; in between a request costs a
/// hash-map lookup, not argon2 and a write. Only verified tokens are kept.
#[derive(Default)]
pub struct UserTokenCache {
    verified: Mutex<HashMap<[u8; 32], VerifiedUser>>,
}

#[derive(Clone)]
pub struct VerifiedUser {
    pub actor: app::Actor,
    pub hash: String,
    checked: Instant,
}

impl UserTokenCache {
    /// The key of `token`: its SHA-256.
    pub fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The cached entry of `key`: `Ok` while it is fresh (no store access needed), `Err` with
    /// the stale entry (or none) otherwise.
    pub fn get(&self, key: &[u8; 32]) -> Result<app::Actor, Option<VerifiedUser>> {
        match self.lock().get(key).cloned() {
            Some(v) if v.checked.elapsed() < RECHECK => Ok(v.actor),
            other => Err(other),
        }
    }

    /// Remembers `key` as verified against `hash` now; `None` forgets it.
    pub fn put(&self, key: [u8; 32], verified: Option<(app::Actor, String)>) {
        let mut map = self.lock();
        match verified {
            Some((actor, hash)) => {
                map.insert(
                    key,
                    VerifiedUser {
                        actor,
                        hash,
                        checked: Instant::now(),
                    },
                );
            }
            None => {
                map.remove(&key);
            }
        }
    }

    /// Forgets every token of the user `name` (any case): the next request with one of them
    /// reads its row again (after a revocation or a disable through this server).
    pub fn forget_user(&self, name: &str) {
        self.lock().retain(|_, v| match &v.actor {
            app::Actor::User { name: user, .. } => !user.eq_ignore_ascii_case(name),
            _ => true,
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], VerifiedUser>> {
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Reads the token's row; runs argon2 only when this exact token has not been verified against
/// this exact stored hash before.
fn check(
    store: &mut store::Store,
    token: &str,
    cached: Option<Verified>,
) -> Result<Verified, ApiError> {
    let invalid = || ApiError::unauthorized("the token is not valid");
    let token_id = exchange::token::parse(token).ok_or_else(invalid)?;
    let row = store.partner_token(token_id)?.ok_or_else(invalid)?;
    if row.revoked {
        return Err(ApiError::unauthorized("the token has been revoked"));
    }
    let known = cached.is_some_and(|c| c.token_id == row.token_id && c.hash == row.hash);
    if !known && !exchange::token::verify(token, &row.hash) {
        return Err(invalid());
    }
    Ok(Verified {
        token_id: row.token_id,
        partner_id: row.partner_id,
        hash: row.hash,
        checked: Instant::now(),
    })
}

/// Failed authentications per client IP: after `limit` failures within `window` (counted from
/// the first), the client's requests are refused with 429 until the window ends, whatever
/// credentials they carry. Checking costs one hash-map lookup; the map is pruned of ended
/// windows when it grows large, so a scan of many addresses cannot grow it without bound.
pub struct Throttle {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// Whether `failures` may have entries; while it has none, requests skip the lock.
    any: AtomicBool,
}

/// Addresses remembered before the map is pruned of ended windows.
const THROTTLE_PRUNE_AT: usize = 1 << 16;

impl Throttle {
    /// `limit` 0 disables the throttle.
    pub fn new(limit: u32, window: Duration) -> Throttle {
        Throttle {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
            any: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The seconds until `ip` may try again, when it is throttled now.
    pub fn retry_after(&self, ip: IpAddr) -> Option<u64> {
        if self.limit == 0 || !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let mut failures = self.lock();
        let (start, count) = *failures.get(&ip)?;
        let Some(left) = self.window.checked_sub(start.elapsed()) else {
            // The window ended: forget it, and let requests skip the lock when none is left.
            failures.remove(&ip);
            if failures.is_empty() {
                self.any.store(false, Ordering::Relaxed);
            }
            return None;
        };
        (count >= self.limit).then(|| left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// Records a failed authentication from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        if self.limit == 0 {
            return;
        }
        let mut failures = self.lock();
        if failures.len() >= THROTTLE_PRUNE_AT {
            let window = self.window;
            failures.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = failures.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
        self.any.store(true, Ordering::Relaxed);
    }
}
