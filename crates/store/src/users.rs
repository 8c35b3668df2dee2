//! Users, their API tokens, login sessions and failed logins (tables `users`, `user_tokens`,
//! `sessions`, `login_failures`). The SQL text is the same on both dialects; flags are 0/1,
//! timestamps RFC 3339 text compared as text. Names arrive lower-cased; lookups still ignore
//! (ASCII) case.

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError};

/// A user of the installation. `password_hash` is an argon2id PHC string, never a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    /// `admin`, `analyst`, `coordinator` or `partner` (the application layer checks it).
    pub role: String,
    /// The partner CSIRT of a partner user.
    pub partner_id: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: String,
}

/// An API token of a user: its id and the argon2id PHC hash of the whole token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserToken {
    pub token_id: String,
    pub user_name: String,
    pub hash: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A login session, stored under the hex SHA-256 of its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    pub secret_sha256: String,
    pub user_name: String,
    pub csrf: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_seen_at: String,
}

/// How names are compared: lower case (names are ASCII; the application layer checks).
fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

pub(crate) fn exists(tx: &mut Tx<'_, '_>, name: &str) -> Result<bool> {
    Ok(db::query_int(
        tx,
        "SELECT COUNT(*) FROM users WHERE lower(name) = $1",
        &[Param::Text(&key(name))],
    )? > 0)
}

/// Adds a user; false (and nothing changed) when the name is taken in any case. A partner that
/// is not stored is [`StoreError::UnknownPartner`].
pub(crate) fn add(tx: &mut Tx<'_, '_>, u: &User) -> Result<bool> {
    if let Some(partner) = &u.partner_id
        && !crate::partners::exists(tx, partner)?
    {
        return Err(StoreError::UnknownPartner(partner.clone()));
    }
    Ok(db::execute(
        tx,
        "INSERT INTO users (name, role, partner_id, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        &[
            Param::Text(&u.name),
            Param::Text(&u.role),
            Param::OptText(u.partner_id.as_deref()),
            Param::Text(&u.password_hash),
            Param::Int(i64::from(u.disabled)),
            Param::Text(&u.created_at),
        ],
    )? > 0)
}

const USER_COLUMNS: &str =
    "SELECT name, role, partner_id, password_hash, disabled, created_at FROM users";

fn read_user(r: &dyn Columns) -> Result<User> {
    Ok(User {
        name: r.text(0)?,
        role: r.text(1)?,
        partner_id: r.opt_text(2)?,
        password_hash: r.text(3)?,
        disabled: r.int(4)? != 0,
        created_at: r.text(5)?,
    })
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, name: &str) -> Result<Option<User>> {
    Ok(db::query(
        tx,
        &format!("{USER_COLUMNS} WHERE lower(name) = $1"),
        &[Param::Text(&key(name))],
        read_user,
    )?
    .pop())
}

/// Every user, by name.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<User>> {
    db::query(tx, &format!("{USER_COLUMNS} ORDER BY name"), &[], read_user)
}

/// Marks the user disabled and ends its sessions; false when there is no such user.
pub(crate) fn disable(tx: &mut Tx<'_, '_>, name: &str) -> Result<bool> {
    let changed = db::execute(
        tx,
        "UPDATE users SET disabled = 1 WHERE lower(name) = $1",
        &[Param::Text(&key(name))],
    )? > 0;
    end_sessions(tx, name)?;
    Ok(changed)
}

/// Replaces the password hash and ends the user's sessions; false when there is no such user.
pub(crate) fn set_password(tx: &mut Tx<'_, '_>, name: &str, hash: &str) -> Result<bool> {
    let changed = db::execute(
        tx,
        "UPDATE users SET password_hash = $1 WHERE lower(name) = $2",
        &[Param::Text(hash), Param::Text(&key(name))],
    )? > 0;
    end_sessions(tx, name)?;
    Ok(changed)
}

fn end_sessions(tx: &mut Tx<'_, '_>, name: &str) -> Result<()> {
    db::execute(
        tx,
        "DELETE FROM sessions WHERE user_name = $1",
        &[Param::Text(&key(name))],
    )?;
    Ok(())
}

/// Stores a token of a stored user ([`StoreError::UnknownUser`] otherwise).
pub(crate) fn add_token(tx: &mut Tx<'_, '_>, t: &UserToken) -> Result<()> {
    if !exists(tx, &t.user_name)? {
        return Err(StoreError::UnknownUser(t.user_name.clone()));
    }
    db::execute(
        tx,
        "INSERT INTO user_tokens (token_id, user_name, hash, label, created_at, last_used_at, \
             revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Param::Text(&t.token_id),
            Param::Text(&t.user_name),
            Param::Text(&t.hash),
            Param::Text(&t.label),
            Param::Text(&t.created_at),
            Param::OptText(t.last_used_at.as_deref()),
            Param::OptText(t.revoked_at.as_deref()),
        ],
    )?;
    Ok(())
}

const TOKEN_COLUMNS: &str = "SELECT token_id, user_name, hash, label, created_at, last_used_at, \
    revoked_at FROM user_tokens";

fn read_token(r: &dyn Columns) -> Result<UserToken> {
    Ok(UserToken {
        token_id: r.text(0)?,
        user_name: r.text(1)?,
        hash: r.text(2)?,
        label: r.text(3)?,
        created_at: r.text(4)?,
        last_used_at: r.opt_text(5)?,
        revoked_at: r.opt_text(6)?,
    })
}

pub(crate) fn token(tx: &mut Tx<'_, '_>, token_id: &str) -> Result<Option<UserToken>> {
    Ok(db::query(
        tx,
        &format!("{TOKEN_COLUMNS} WHERE token_id = $1"),
        &[Param::Text(token_id)],
        read_token,
    )?
    .pop())
}

/// The user's tokens, oldest first.
pub(crate) fn tokens(tx: &mut Tx<'_, '_>, name: &str) -> Result<Vec<UserToken>> {
    db::query(
        tx,
        &format!("{TOKEN_COLUMNS} WHERE user_name = $1 ORDER BY created_at, token_id"),
        &[Param::Text(&key(name))],
        read_token,
    )
}

/// Records a use of the token.
pub(crate) fn touch_token(tx: &mut Tx<'_, '_>, token_id: &str, at: &str) -> Result<()> {
    db::execute(
        tx,
        "UPDATE user_tokens SET last_used_at = $1 WHERE token_id = $2",
        &[Param::Text(at), Param::Text(token_id)],
    )?;
    Ok(())
}

/// Revokes one token of the user; false when the user has no such token not yet revoked.
pub(crate) fn revoke_token(
    tx: &mut Tx<'_, '_>,
    name: &str,
    token_id: &str,
    at: &str,
) -> Result<bool> {
    Ok(db::execute(
        tx,
        "UPDATE user_tokens SET revoked_at = $1 \
         WHERE token_id = $2 AND user_name = $3 AND revoked_at IS NULL",
        &[
            Param::Text(at),
            Param::Text(token_id),
            Param::Text(&key(name)),
        ],
    )? > 0)
}

/// Stores a session of a stored user ([`StoreError::UnknownUser`] otherwise) and drops the
/// sessions that expired before it was created.
pub(crate) fn add_session(tx: &mut Tx<'_, '_>, s: &StoredSession) -> Result<()> {
    if !exists(tx, &s.user_name)? {
        return Err(StoreError::UnknownUser(s.user_name.clone()));
    }
    db::execute(
        tx,
        "DELETE FROM sessions WHERE expires_at <= $1",
        &[Param::Text(&s.created_at)],
    )?;
    db::execute(
        tx,
        "INSERT INTO sessions (secret_sha256, user_name, csrf, created_at, expires_at, \
             last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Param::Text(&s.secret_sha256),
            Param::Text(&s.user_name),
            Param::Text(&s.csrf),
            Param::Text(&s.created_at),
            Param::Text(&s.expires_at),
            Param::Text(&s.last_seen_at),
        ],
    )?;
    Ok(())
}

pub(crate) fn session(tx: &mut Tx<'_, '_>, secret_sha256: &str) -> Result<Option<StoredSession>> {
    Ok(db::query(
        tx,
        "SELECT secret_sha256, user_name, csrf, created_at, expires_at, last_seen_at \
         FROM sessions WHERE secret_sha256 = $1",
        &[Param::Text(secret_sha256)],
        |r| {
            Ok(StoredSession {
                secret_sha256: r.text(0)?,
                user_name: r.text(1)?,
                csrf: r.text(2)?,
                created_at: r.text(3)?,
                expires_at: r.text(4)?,
                last_seen_at: r.text(5)?,
            })
        },
    )?
    .pop())
}

/// Records activity on the session.
pub(crate) fn touch_session(tx: &mut Tx<'_, '_>, secret_sha256: &str, at: &str) -> Result<()> {
    db::execute(
        tx,
        "UPDATE sessions SET last_seen_at = $1 WHERE secret_sha256 = $2",
        &[Param::Text(at), Param::Text(secret_sha256)],
    )?;
    Ok(())
}

/// Deletes a session; false when there was none.
pub(crate) fn delete_session(tx: &mut Tx<'_, '_>, secret_sha256: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "DELETE FROM sessions WHERE secret_sha256 = $1",
        &[Param::Text(secret_sha256)],
    )? > 0)
}

/// When `name` failed to log in after `since`, oldest first.
pub(crate) fn login_failures(tx: &mut Tx<'_, '_>, name: &str, since: &str) -> Result<Vec<String>> {
    db::query(
        tx,
        "SELECT at FROM login_failures WHERE user_name = $1 AND at > $2 ORDER BY at",
        &[Param::Text(&key(name)), Param::Text(since)],
        |r| r.text(0),
    )
}

/// Records a failed login of `name` from `client` and forgets every failure at or before
/// `forget_until` (of any name), so the table holds only the throttle's window.
pub(crate) fn add_login_failure(
    tx: &mut Tx<'_, '_>,
    name: &str,
    client: &str,
    at: &str,
    forget_until: &str,
) -> Result<()> {
    db::execute(
        tx,
        "DELETE FROM login_failures WHERE at <= $1",
        &[Param::Text(forget_until)],
    )?;
    db::execute(
        tx,
        "INSERT INTO login_failures (user_name, at, client) VALUES ($1, $2, $3)",
        &[
            Param::Text(&key(name)),
            Param::Text(at),
            Param::Text(client),
        ],
    )?;
    Ok(())
}

/// Forgets the failed logins of `name` (after a successful one).
pub(crate) fn clear_login_failures(tx: &mut Tx<'_, '_>, name: &str) -> Result<()> {
    db::execute(
        tx,
        "DELETE FROM login_failures WHERE user_name = $1",
        &[Param::Text(&key(name))],
    )?;
    Ok(())
}
