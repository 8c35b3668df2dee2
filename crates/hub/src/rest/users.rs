//! Users, their passwords and API tokens ([`app::users`]), and the audit log ([`app::audit`])
//! over REST. Administrators manage every user; a user may read itself, change its own
//! password and issue and revoke its own tokens. Only administrators read the audit log.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session::Caller;
use super::{
    ErrorDto, Page, PageParams, ProblemDto, RestError, authorize, body, page_of, query, run,
};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(users).post(add_user))
        .route("/api/v1/users/{name}", get(user))
        .route("/api/v1/users/{name}/disable", post(disable_user))
        .route("/api/v1/users/{name}/password", put(set_password))
        .route("/api/v1/users/{name}/tokens", post(issue_token))
        .route("/api/v1/users/{name}/tokens/{id}", delete(revoke_token))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/audit/verify", get(verify))
}

/// A user, without its password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub name: String,
    /// `admin`, `analyst`, `coordinator` or `partner`.
    pub role: String,
    /// The partner CSIRT a partner user speaks for.
    pub partner: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

impl From<app::users::UserInfo> for UserDto {
    fn from(u: app::users::UserInfo) -> UserDto {
        UserDto {
            name: u.name,
            role: u.role.as_str().to_owned(),
            partner: u.partner,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

/// A user to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserDto {
    pub name: String,
    /// `admin`, `analyst`, `coordinator` or `partner`.
    pub role: String,
    /// The partner CSIRT of a partner user (required for them, refused for the others).
    pub partner: Option<String>,
    pub password: String,
}

/// Every user, by name.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageParams),
    responses(
        (status = 200, description = "A page of users, by name", body = Page<UserDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators list users", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn users(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<UserDto>>, RestError> {
    authorize(&actor, Action::ManageUsers)?;
    let found = run(&app, move |store| Ok(app::users::list(store, &actor)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |u| &u.name,
        UserDto::from,
    )?))
}

fn invalid(pointer: &str, message: String) -> RestError {
    RestError::invalid(
        "invalid",
        vec![ProblemDto {
            pointer: pointer.to_owned(),
            message,
        }],
    )
}

/// Adds a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users",
    request_body(content = NewUserDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", body = UserDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators add users", body = ErrorDto),
        (status = 409, description = "A user with this name exists", body = ErrorDto),
        (status = 422, description = "Problems, each located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_user(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<UserDto>), RestError> {
    authorize(&actor, Action::ManageUsers)?;
    let new: NewUserDto = body(&app, request).await?;
    let role = app::Role::parse(&new.role).ok_or_else(|| {
        invalid(
            "/role",
            format!(
                "{:?}: expected admin, analyst, coordinator or partner",
                new.role
            ),
        )
    })?;
    let new = app::users::NewUser {
        name: new.name,
        role,
        partner: new.partner,
        password: new.password,
    };
    let added = run(&app, move |store| Ok(app::users::add(store, &actor, new)?)).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// One of a user's API tokens, without its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// The public id, to revoke it by.
    pub id: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A user and its tokens (revoked ones included, oldest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetailDto {
    pub user: UserDto,
    pub tokens: Vec<TokenDto>,
}

/// A user and its tokens: administrators see anyone, users themselves.
#[utoipa::path(get, path = "/api/v1/users/{name}", tag = "users",
    params(("name" = String, Path, description = "The user name")),
    responses(
        (status = 200, description = "The user", body = UserDetailDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Neither an administrator nor the user", body = ErrorDto),
        (status = 404, description = "No such user", body = ErrorDto),
        (status = 422, description = "Not a user name (`/name`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn user(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<Json<UserDetailDto>, RestError> {
    // app::users::show authorizes: the administrator or the user itself.
    let detail = run(&app, move |store| {
        Ok(app::users::show(store, &actor, &name)?)
    })
    .await?;
    Ok(Json(UserDetailDto {
        user: detail.user.into(),
        tokens: detail
            .tokens
            .into_iter()
            .map(|t| TokenDto {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    }))
}

/// Disables a user: its tokens and sessions stop working.
#[utoipa::path(post, path = "/api/v1/users/{name}/disable", tag = "users",
    params(("name" = String, Path, description = "The user name")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators disable users", body = ErrorDto),
        (status = 404, description = "No such user", body = ErrorDto),
        (status = 409, description = "The caller's own account", body = ErrorDto),
        (status = 422, description = "Not a user name (`/name`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn disable_user(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::ManageUsers)?;
    let user = name.clone();
    run(&app, move |store| {
        Ok(app::users::disable(store, &actor, &name)?)
    })
    .await?;
    // Effective at once on this server (on others within the tokens' recheck).
    app.user_tokens.forget_user(&user);
    Ok(StatusCode::NO_CONTENT)
}

/// A new password. `Debug` is not derived: it is a secret.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordDto {
    pub password: String,
}

/// Sets a user's password: administrators anyone's, users their own.
#[utoipa::path(put, path = "/api/v1/users/{name}/password", tag = "users",
    params(("name" = String, Path, description = "The user name")),
    request_body(content = PasswordDto, content_type = "application/json"),
    responses(
        (status = 204, description = "Set"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Neither an administrator nor the user", body = ErrorDto),
        (status = 404, description = "No such user", body = ErrorDto),
        (status = 422, description = "A password too weak (`/password`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_password(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    request: Body,
) -> Result<StatusCode, RestError> {
    let new: PasswordDto = body(&app, request).await?;
    // app::users::set_password authorizes: the administrator or the user itself.
    run(&app, move |store| {
        Ok(app::users::set_password(
            store,
            &actor,
            &name,
            &new.password,
        )?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to call a new token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenDto {
    /// What the token is for (`ci`, `laptop`).
    pub label: String,
}

/// A user token just issued: shown this once, only its hash is kept.
#[derive(Serialize, ToSchema)]
pub struct IssuedTokenDto {
    pub user: String,
    /// The public id, to revoke it by.
    pub id: String,
    /// `Authorization: Bearer <token>`; not shown again.
    pub token: String,
}

/// Issues an API token: administrators for anyone, users for themselves.
#[utoipa::path(post, path = "/api/v1/users/{name}/tokens", tag = "users",
    params(("name" = String, Path, description = "The user name")),
    request_body(content = NewTokenDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued; the token is shown this once", body = IssuedTokenDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Neither an administrator nor the user", body = ErrorDto),
        (status = 404, description = "No such user", body = ErrorDto),
        (status = 409, description = "The user is disabled", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn issue_token(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    request: Body,
) -> Result<(StatusCode, Json<IssuedTokenDto>), RestError> {
    let new: NewTokenDto = body(&app, request).await?;
    // app::users::issue_token authorizes: the administrator or the user itself.
    let issued = run(&app, move |store| {
        Ok(app::users::issue_token(store, &actor, &name, &new.label)?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTokenDto {
            user: issued.user,
            id: issued.id,
            token: issued.token,
        }),
    ))
}

/// Revokes one of a user's tokens: administrators anyone's, users their own.
#[utoipa::path(delete, path = "/api/v1/users/{name}/tokens/{id}", tag = "users",
    params(("name" = String, Path, description = "The user name"),
           ("id" = String, Path, description = "The token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Neither an administrator nor the user", body = ErrorDto),
        (status = 404, description = "No such user or token", body = ErrorDto),
        (status = 422, description = "Not a user name (`/name`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_token(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, RestError> {
    // app::users::revoke_token authorizes: the administrator or the user itself.
    let user = name.clone();
    run(&app, move |store| {
        Ok(app::users::revoke_token(store, &actor, &name, &id)?)
    })
    .await?;
    // Effective at once on this server (on others within the tokens' recheck).
    app.user_tokens.forget_user(&user);
    Ok(StatusCode::NO_CONTENT)
}

/// An entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// 1, 2, 3, … in append order.
    pub seq: i64,
    pub at: String,
    /// `user:NAME`, `partner:ID` or `local:NAME`.
    pub actor: String,
    /// `partner.add`, `taxii.add_objects`, …
    pub action: String,
    pub object_ids: Vec<String>,
    /// SHA-256 of the change, hex.
    pub digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The query of `GET /api/v1/audit`; every condition given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// `user:NAME`, `partner:ID` or `local:NAME`.
    pub actor: Option<String>,
    /// `partner.add`, …
    pub action: Option<String>,
    /// Only entries after this `seq`, the first `limit` of them; without it, the newest.
    pub after: Option<i64>,
    /// How many, 1 to 1000 (default 100).
    pub limit: Option<u64>,
}

/// Entries of the audit log in `seq` order: the newest `limit`, or the first `limit` after
/// `after` (pass the last `seq` seen to read on).
#[utoipa::path(get, path = "/api/v1/audit", tag = "users", params(AuditParams),
    responses(
        (status = 200, description = "The entries, in seq order", body = Vec<AuditEntryDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators read the audit log", body = ErrorDto),
        (status = 422, description = "A bad filter (`/limit`, `/after`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn audit(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<AuditEntryDto>>, RestError> {
    authorize(&actor, Action::ReadAudit)?;
    let params: AuditParams = query(raw.as_deref())?;
    let limit = super::Paging {
        limit: params.limit,
        cursor: None,
    }
    .limit()
    .map_err(|p| RestError::invalid("invalid", vec![p]))?;
    let filter = app::audit::AuditFilter {
        actor: params.actor,
        action: params.action,
        after: params.after,
        limit,
    };
    let found = run(&app, move |store| Ok(app::audit::list(store, &filter)?)).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|e| AuditEntryDto {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                object_ids: e.object_ids,
                digest: e.digest,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}

/// Where the audit chain is broken.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakDto {
    /// The first affected `seq`.
    pub seq: i64,
    /// `edited`, `deleted`, `inserted` or `reordered`.
    pub tamper: String,
    /// What is wrong, naming the rows.
    pub detail: String,
}

/// What verifying the audit chain found.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationDto {
    /// Entries that verified.
    pub entries: u64,
    /// The hash of the last entry that verified: record it elsewhere to detect later rewrites
    /// of the tail.
    pub head: Option<String>,
    /// The first place the chain is broken; null when intact.
    pub broken: Option<BreakDto>,
}

/// Verifies the whole audit chain and names the first row out of place.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "users",
    responses(
        (status = 200, description = "The verification (intact or not)", body = VerificationDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators read the audit log", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn verify(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<VerificationDto>, RestError> {
    authorize(&actor, Action::ReadAudit)?;
    let found = run(&app, |store| Ok(app::audit::verify(store)?)).await?;
    Ok(Json(VerificationDto {
        entries: found.entries,
        head: found.head,
        broken: found.broken.map(|b| BreakDto {
            seq: b.seq,
            tamper: b.tamper.as_str().to_owned(),
            detail: b.detail,
        }),
    }))
}
