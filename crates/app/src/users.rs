//! Users of the installation, their API tokens and their login sessions.
//!
//! Names are 1–64 characters of `[a-z0-9._-]`, taken in lower case and unique ignoring case.
//! Only a partner user belongs to a partner, and it must. Passwords (at least
//! [`MIN_PASSWORD_CHARS`] characters) and tokens (`mru_…`, [`exchange::token::Kind::User`]) are
//! stored as argon2id hashes; a session is stored under the SHA-256 of its secret, so the
//! database never holds a credential.
//!
//! A session ends [`SESSION_LIFETIME`] after login, after [`SESSION_IDLE`] without use, at
//! logout, and when its user is disabled or gets a new password. After [`LOGIN_FAILURES`] failed
//! logins of one name within [`LOGIN_WINDOW`], further logins of that name are refused until
//! the window has passed; the failures are kept in the store, so every server agrees.
//!
//! Managing users needs [`Action::ManageUsers`]; users may also show themselves, change their
//! own password and issue and revoke their own tokens.

use std::fmt;
use std::sync::LazyLock;

use exchange::token::{self, Kind};
use sha2::{Digest, Sha256};
use store::Store;
use time::{Duration, OffsetDateTime};

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Problem, Result, Role, timestamp};

#[cfg(test)]
mod tests;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted, in characters (argon2 hashes whatever it is given).
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// The longest token label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// A session ends this long after login, however active.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// A session ends after this long without use.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// Failed logins of one name within [`LOGIN_WINDOW`] after which its logins are refused.
pub const LOGIN_FAILURES: usize = 5;
/// How far back failed logins count.
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);

/// A user to add. `Debug` does not show the password.
pub struct NewUser {
    pub name: String,
    pub role: Role,
    /// The partner CSIRT of a partner user (required for them, refused for the others).
    pub partner: Option<String>,
    pub password: String,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("partner", &self.partner)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A stored user, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub partner: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

/// One of a user's API tokens, without its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A user and its tokens (revoked ones included, oldest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDetail {
    pub user: UserInfo,
    pub tokens: Vec<TokenInfo>,
}

/// A freshly issued user token: shown once, then only its hash is kept. `Debug` does not show
/// the token.
pub struct IssuedToken {
    /// The user's name as stored.
    pub user: String,
    /// The token id, the public part (`user token NAME --revoke ID`).
    pub id: String,
    /// The whole token, `mru_<id>_<secret>`.
    pub token: String,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("user", &self.user)
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A login session: the secret goes to the browser (a cookie) and nowhere else; the CSRF token
/// must come back with every write. `Debug` does not show the secret.
pub struct Session {
    pub secret: String,
    pub csrf: String,
    /// The absolute end; the session also ends after [`SESSION_IDLE`] without use.
    pub expires: OffsetDateTime,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("secret", &"<redacted>")
            .field("csrf", &self.csrf)
            .field("expires", &self.expires)
            .finish()
    }
}

/// Why a login failed. The message never says whether the user exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password or disabled user: deliberately not told apart.
    #[error("unknown user or wrong password")]
    BadCredentials,
    /// Too many recent failures for this name; nothing was checked.
    #[error("too many failed logins for this user; try again at {}", timestamp(*.retry_at))]
    Throttled { retry_at: OffsetDateTime },
    #[error(transparent)]
    Failed(#[from] Error),
}

impl From<store::StoreError> for LoginError {
    fn from(e: store::StoreError) -> LoginError {
        LoginError::Failed(Error::Store(e))
    }
}

/// A user name in lower case, if it is 1–64 characters of `[a-z0-9._-]` in any case.
fn valid_name(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'));
    ok.then_some(name)
}

/// `name` in lower case, or the problem with it.
fn parse_name(name: &str) -> Result<String, Problem> {
    valid_name(name).ok_or_else(|| Problem {
        pointer: "/name".to_owned(),
        message: format!(
            "{name:?} is not a user name: 1 to 64 characters a-z, 0-9, '.', '_' or '-'"
        ),
    })
}

fn password_problem(password: &str) -> Option<Problem> {
    let chars = password.chars().count();
    let message = if chars < MIN_PASSWORD_CHARS {
        format!("the password has {chars} characters; at least {MIN_PASSWORD_CHARS} are needed")
    } else if chars > MAX_PASSWORD_CHARS {
        format!("the password has {chars} characters; at most {MAX_PASSWORD_CHARS} are accepted")
    } else {
        return None;
    };
    Some(Problem {
        pointer: "/password".to_owned(),
        message,
    })
}

fn role_of(user: &store::User) -> Result<Role> {
    Role::parse(&user.role).ok_or_else(|| {
        Error::Store(store::StoreError::Corrupt {
            table: "users",
            message: format!("user {} has the unknown role {:?}", user.name, user.role),
        })
    })
}

/// The actor a stored user acts as.
fn actor_of(user: &store::User) -> Result<Actor> {
    Ok(Actor::User {
        name: user.name.clone(),
        role: role_of(user)?,
        partner: user.partner_id.clone(),
    })
}

fn info(user: &store::User) -> Result<UserInfo> {
    Ok(UserInfo {
        name: user.name.clone(),
        role: role_of(user)?,
        partner: user.partner_id.clone(),
        disabled: user.disabled,
        created_at: user.created_at.clone(),
    })
}

/// Passes when the actor may manage users, or is the user `name` itself.
fn authorize_self_or_admin(actor: &Actor, name: &str) -> Result<()> {
    match actor {
        Actor::User { name: own, .. } if own.eq_ignore_ascii_case(name) => Ok(()),
        _ => authorize(actor, Action::ManageUsers),
    }
}

/// The stored user `name` ([`Error::NotFound`] otherwise), `name` checked first.
fn stored(store: &mut Store, name: &str) -> Result<store::User> {
    let name = parse_name(name).map_err(|p| Error::Invalid(vec![p]))?;
    store.user(&name)?.ok_or(Error::NotFound {
        what: "user",
        id: name,
    })
}

/// Adds a user. Every problem with the input is reported at once; a taken name is
/// [`Error::Conflict`].
pub fn add(store: &mut Store, actor: &Actor, new: NewUser) -> Result<UserInfo> {
    authorize(actor, Action::ManageUsers)?;
    let mut problems = Vec::new();
    let name = parse_name(&new.name).map_err(|p| problems.push(p)).ok();
    let partner_problem = match (new.role, &new.partner) {
        (Role::Partner, None) => Some("a partner user must name its partner".to_owned()),
        (Role::Partner, Some(p)) if store.partner(p)?.is_none() => {
            Some(format!("there is no partner {p:?}"))
        }
        (role, Some(_)) if role != Role::Partner => Some(format!(
            "only partner users belong to a partner; this user is {role}"
        )),
        _ => None,
    };
    problems.extend(partner_problem.map(|message| Problem {
        pointer: "/partner".to_owned(),
        message,
    }));
    problems.extend(password_problem(&new.password));
    let Some(name) = name.filter(|_| problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let user = store::User {
        name: name.clone(),
        role: new.role.as_str().to_owned(),
        partner_id: new.partner,
        password_hash: token::hash_secret(&new.password),
        disabled: false,
        created_at: crate::now(),
    };
    audited(
        store,
        actor,
        "user.add",
        |store| {
            if !store.add_user(&user)? {
                return Err(Error::Conflict(format!("there is already a user {name}")));
            }
            Ok(())
        },
        // Never the password hash.
        |()| {
            (
                vec![name.clone()],
                format!("role {} partner {:?}", user.role, user.partner_id),
            )
        },
    )?;
    tracing::info!(actor = actor.audit_name(), user = %name, role = %new.role, "user added");
    info(&user)
}

/// Every user, by name.
pub fn list(store: &mut Store, actor: &Actor) -> Result<Vec<UserInfo>> {
    authorize(actor, Action::ManageUsers)?;
    store.users()?.iter().map(info).collect()
}

/// One user and its tokens (never a token's secret or hash).
pub fn show(store: &mut Store, actor: &Actor, name: &str) -> Result<UserDetail> {
    authorize_self_or_admin(actor, name)?;
    let user = stored(store, name)?;
    let tokens = store
        .user_tokens(&user.name)?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.token_id,
            label: t.label,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect();
    Ok(UserDetail {
        user: info(&user)?,
        tokens,
    })
}

/// Disables a user: its sessions end, its tokens and password stop working.
pub fn disable(store: &mut Store, actor: &Actor, name: &str) -> Result<()> {
    authorize(actor, Action::ManageUsers)?;
    let user = stored(store, name)?;
    // A signed-in administrator cannot lock themself out (and so the last one cannot go); the
    // server's local administrator still can, for a stolen account.
    if matches!(actor, Actor::User { name: me, .. } if *me == user.name) {
        return Err(Error::Conflict(format!(
            "{} cannot disable their own account: another administrator can, or `meridian \
             user disable` on the server",
            user.name
        )));
    }
    audited(
        store,
        actor,
        "user.disable",
        |store| Ok(store.disable_user(&user.name)?),
        |_| (vec![user.name.clone()], String::new()),
    )?;
    tracing::info!(actor = actor.audit_name(), user = %user.name, "user disabled");
    Ok(())
}

/// Replaces a user's password; its sessions end.
pub fn set_password(store: &mut Store, actor: &Actor, name: &str, password: &str) -> Result<()> {
    authorize_self_or_admin(actor, name)?;
    let user = stored(store, name)?;
    if let Some(problem) = password_problem(password) {
        return Err(Error::Invalid(vec![problem]));
    }
    let hash = token::hash_secret(password);
    audited(
        store,
        actor,
        "user.password",
        |store| Ok(store.set_user_password(&user.name, &hash)?),
        |_| (vec![user.name.clone()], String::new()),
    )?;
    tracing::info!(actor = actor.audit_name(), user = %user.name, "password changed");
    Ok(())
}

/// Issues an API token for an enabled user. The token is in the result and nowhere else.
pub fn issue_token(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    label: &str,
) -> Result<IssuedToken> {
    authorize_self_or_admin(actor, name)?;
    let user = stored(store, name)?;
    if user.disabled {
        return Err(Error::Conflict(format!(
            "user {} is disabled: no new tokens",
            user.name
        )));
    }
    let chars = label.chars().count();
    if chars > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(Error::invalid(
            "/label",
            format!(
                "a token label has at most {MAX_LABEL_CHARS} characters and no control characters"
            ),
        ));
    }
    let issued = Kind::User.issue();
    let row = store::UserToken {
        token_id: issued.token_id.clone(),
        user_name: user.name.clone(),
        hash: issued.hash,
        label: label.to_owned(),
        created_at: crate::now(),
        last_used_at: None,
        revoked_at: None,
    };
    // The entry names the token by its public id; neither the token nor its hash is logged.
    audited(
        store,
        actor,
        "user.token.issue",
        |store| Ok(store.add_user_token(&row)?),
        |_| {
            (
                vec![user.name.clone(), row.token_id.clone()],
                row.label.clone(),
            )
        },
    )?;
    tracing::info!(actor = actor.audit_name(), user = %user.name, token = %issued.token_id, "token issued");
    Ok(IssuedToken {
        user: user.name,
        id: issued.token_id,
        token: issued.secret_token,
    })
}

/// Revokes one of the user's tokens; an unknown or already revoked token is
/// [`Error::NotFound`].
pub fn revoke_token(store: &mut Store, actor: &Actor, name: &str, token_id: &str) -> Result<()> {
    authorize_self_or_admin(actor, name)?;
    let user = stored(store, name)?;
    audited(
        store,
        actor,
        "user.token.revoke",
        |store| {
            if !store.revoke_user_token(&user.name, token_id, &crate::now())? {
                return Err(Error::NotFound {
                    what: "valid token",
                    id: format!("{token_id} of user {}", user.name),
                });
            }
            Ok(())
        },
        |()| (vec![user.name.clone(), token_id.to_owned()], String::new()),
    )?;
    tracing::info!(actor = actor.audit_name(), user = %user.name, token = %token_id, "token revoked");
    Ok(())
}

/// The user a `mru_…` token belongs to; `None` for a malformed, unknown, revoked or wrong token
/// and for a disabled user. Records the token's use.
pub fn authenticate_token(store: &mut Store, token: &str) -> Result<Option<Actor>> {
    Ok(authenticate_token_with(store, token, None)?.map(|(actor, _)| actor))
}

/// [`authenticate_token`] for a caller that remembers the tokens it verified (the server):
/// argon2 runs only when `verified_hash`, the stored hash this exact token was verified
/// against before, is not the token's stored hash now. The row, its revocation and the user
/// are read every time. Gives the actor and the stored hash the token matched.
pub fn authenticate_token_with(
    store: &mut Store,
    token: &str,
    verified_hash: Option<&str>,
) -> Result<Option<(Actor, String)>> {
    let Some(token_id) = Kind::User.parse(token) else {
        return Ok(None);
    };
    let Some(row) = store.user_token(token_id)? else {
        return Ok(None);
    };
    if row.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(user) = store.user(&row.user_name)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    if verified_hash != Some(row.hash.as_str()) && !Kind::User.verify(token, &row.hash) {
        return Ok(None);
    }
    store.touch_user_token(token_id, &crate::now())?;
    Ok(Some((actor_of(&user)?, row.hash)))
}

/// What an unknown user's password is checked against, so that a login costs the same whether
/// the user exists or not.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| token::hash_secret("no user has this password"));

/// Checks a name and password at `now` and opens a session. `client` (an address) is recorded
/// with each failure. See the module documentation for the throttle.
pub fn login(
    store: &mut Store,
    name: &str,
    password: &str,
    client: &str,
    now: OffsetDateTime,
) -> Result<Session, LoginError> {
    let Some(name) = valid_name(name) else {
        // No such user can exist; pay for the hash all the same.
        token::verify_secret(password, &DUMMY_HASH);
        return Err(LoginError::BadCredentials);
    };
    let window_start = timestamp(now - LOGIN_WINDOW);
    let failures = store.login_failures(&name, &window_start)?;
    if failures.len() >= LOGIN_FAILURES {
        let oldest_counting = &failures[failures.len() - LOGIN_FAILURES];
        let retry_at = parse_timestamp(oldest_counting)? + LOGIN_WINDOW;
        return Err(LoginError::Throttled { retry_at });
    }
    let user = store.user(&name)?;
    let hash = user.as_ref().map_or(&*DUMMY_HASH, |u| &u.password_hash);
    let matches = token::verify_secret(password, hash);
    let Some(user) = user.filter(|u| matches && !u.disabled) else {
        store.add_login_failure(&name, client, &timestamp(now), &window_start)?;
        tracing::warn!(user = %name, client, "login failed");
        return Err(LoginError::BadCredentials);
    };
    store.clear_login_failures(&user.name)?;
    let secret = token::random_secret();
    let session = Session {
        csrf: token::random_secret(),
        expires: now + SESSION_LIFETIME,
        secret,
    };
    store.add_session(&store::StoredSession {
        secret_sha256: secret_key(&session.secret),
        user_name: user.name.clone(),
        csrf: session.csrf.clone(),
        created_at: timestamp(now),
        expires_at: timestamp(session.expires),
        last_seen_at: timestamp(now),
    })?;
    crate::audit::record(
        store,
        &actor_of(&user)?,
        "session.login",
        &[&user.name],
        client.as_bytes(),
    )?;
    tracing::info!(user = %user.name, client, "logged in");
    Ok(session)
}

/// The actor and CSRF token of a live session at `now`, recording its use; `None` when the
/// secret names no session, the session has expired or been idle too long (it is then
/// deleted), or its user is disabled.
pub fn session(
    store: &mut Store,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Option<(Actor, String)>> {
    let key = secret_key(secret);
    let Some(stored) = store.session(&key)? else {
        return Ok(None);
    };
    let now_text = timestamp(now);
    if now_text >= stored.expires_at || stored.last_seen_at <= timestamp(now - SESSION_IDLE) {
        store.delete_session(&key)?;
        return Ok(None);
    }
    let Some(user) = store.user(&stored.user_name)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    store.touch_session(&key, &now_text)?;
    Ok(Some((actor_of(&user)?, stored.csrf)))
}

/// Ends the session; false when the secret names none.
pub fn logout(store: &mut Store, secret: &str) -> Result<bool> {
    Ok(store.delete_session(&secret_key(secret))?)
}

/// The key a session is stored under: the hex SHA-256 of its secret.
fn secret_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn parse_timestamp(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|e| {
        Error::Store(store::StoreError::Corrupt {
            table: "login_failures",
            message: format!("timestamp {text:?}: {e}"),
        })
    })
}
