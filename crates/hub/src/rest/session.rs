//! Who calls the REST API, and the login session:
//!
//! - `Authorization: Bearer mru_…`: a user's API token ([`app::users::authenticate_token`]);
//! - `Authorization: Bearer mrd_…` (or Basic): a partner CSIRT's token, as on TAXII;
//! - the session cookie of `POST /api/v1/session` ([`app::users::session`]). A request with an
//!   unsafe method (anything but GET, HEAD, OPTIONS) authenticated by the cookie must carry the
//!   session's CSRF token in `X-CSRF-Token` (403 otherwise); bearer tokens need none, since a
//!   browser never adds them on its own.
//!
//! `POST /api/v1/session` (name and password) sets the cookie (HttpOnly, SameSite=Strict,
//! Path=/, Secure when the server speaks TLS) and returns the CSRF token; `GET` tells who the
//! session (or token) is; `DELETE` ends the session and clears the cookie.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::openapi::SESSION_COOKIE;
use super::{ErrorDto, RestError, run};
use crate::AppState;

/// The header carrying the CSRF token of a cookie session.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/session", get(whoami).post(login).delete(logout))
}

/// The authenticated actor of a request (see the module documentation); 401 without valid
/// credentials, 403 for a cookie-authenticated write without the CSRF token.
pub struct Caller(pub app::Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Caller, RestError> {
        let authenticated = authenticate(app, &parts.method, &parts.headers).await?;
        crate::log_caller(&authenticated.actor);
        Ok(Caller(authenticated.actor))
    }
}

/// The actor of a request that may come without credentials (a public path): `None` without
/// any; credentials that are given must be valid (401 otherwise), as for [`Caller`].
pub struct MaybeCaller(pub Option<app::Actor>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = RestError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<MaybeCaller, RestError> {
        if !parts.headers.contains_key(header::AUTHORIZATION)
            && session_cookie(&parts.headers).is_none()
        {
            return Ok(MaybeCaller(None));
        }
        let Caller(actor) = Caller::from_request_parts(parts, app).await?;
        Ok(MaybeCaller(Some(actor)))
    }
}

/// An authenticated request: the actor, and the session secret and CSRF token when by cookie.
struct Authenticated {
    actor: app::Actor,
    session: Option<(String, String)>,
}

/// The value of the session cookie, if the request has one.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn unauthorized(message: &str) -> RestError {
    RestError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

async fn authenticate(
    app: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Authenticated, RestError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    if let Some(token) = bearer.filter(|t| t.starts_with("mru_")) {
        // Verified tokens are remembered (auth::UserTokenCache): argon2 and the store only
        // every RECHECK, not on every request.
        let key = crate::auth::UserTokenCache::key(&token);
        let actor = match app.user_tokens.get(&key) {
            Ok(actor) => actor,
            Err(stale) => {
                let verified = run(app, move |store| {
                    let known = stale.as_ref().map(|v| v.hash.as_str());
                    Ok(app::users::authenticate_token_with(store, &token, known)?)
                })
                .await?;
                app.user_tokens.put(key, verified.clone());
                verified
                    .map(|(actor, _)| actor)
                    .ok_or_else(|| unauthorized("the token is not valid"))?
            }
        };
        return Ok(Authenticated {
            actor,
            session: None,
        });
    }
    if headers.contains_key(header::AUTHORIZATION) {
        let caller = app.tokens.authenticate(&app.pool, headers).await?;
        return Ok(Authenticated {
            actor: app::Actor::Partner(caller.partner_id),
            session: None,
        });
    }
    if session_cookie(headers).is_none() {
        return Err(unauthorized(
            "credentials required: Authorization: Bearer <token>, or the session cookie of POST /api/v1/session",
        ));
    }
    let (actor, secret, csrf) = cookie_session(app, headers)
        .await?
        .ok_or_else(|| unauthorized("the session has ended; log in again"))?;
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if !safe && presented != Some(csrf.as_str()) {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "csrf_token_required",
            "a write authenticated by the session cookie needs the session's X-CSRF-Token header",
        ));
    }
    Ok(Authenticated {
        actor,
        session: Some((secret, csrf)),
    })
}

/// The live session of the request's cookie (the web UI's and the REST API's alike): the actor,
/// the session secret and its CSRF token; `None` without a cookie or when the session ended.
pub(crate) async fn cookie_session(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(app::Actor, String, String)>, RestError> {
    let Some(secret) = session_cookie(headers) else {
        return Ok(None);
    };
    let looked_up = secret.clone();
    let found = run(app, move |store| {
        Ok(app::users::session(
            store,
            &looked_up,
            time::OffsetDateTime::now_utc(),
        )?)
    })
    .await?;
    Ok(found.map(|(actor, csrf)| (actor, secret, csrf)))
}

/// A session opened by [`open_session`]: who, its CSRF token and the `Set-Cookie` value.
pub(crate) struct Opened {
    pub actor: app::Actor,
    pub csrf: String,
    pub cookie: HeaderValue,
}

/// Logs `name` in from `client` (an IP address): the session and its cookie (HttpOnly,
/// SameSite=Strict, Path=/, Secure over TLS). 401 for an unknown user or a wrong password (not
/// told apart), 429 when throttled.
pub(crate) async fn open_session(
    app: &AppState,
    name: String,
    password: String,
    client: String,
) -> Result<Opened, RestError> {
    let opened = run(app, move |store| {
        Ok(app::users::login(
            store,
            &name,
            &password,
            &client,
            time::OffsetDateTime::now_utc(),
        ))
    })
    .await?;
    let session = match opened {
        Ok(session) => session,
        Err(app::users::LoginError::BadCredentials) => {
            return Err(unauthorized("unknown user or wrong password"));
        }
        Err(e @ app::users::LoginError::Throttled { .. }) => {
            return Err(RestError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_failures",
                e.to_string(),
            ));
        }
        Err(app::users::LoginError::Failed(e)) => return Err(e.into()),
    };
    let secure = if app.tls { "; Secure" } else { "" };
    let max_age = (session.expires - time::OffsetDateTime::now_utc()).whole_seconds();
    let cookie = format!(
        "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}",
        session.secret
    );
    let actor = run(app, {
        let secret = session.secret.clone();
        move |store| {
            Ok(app::users::session(
                store,
                &secret,
                time::OffsetDateTime::now_utc(),
            )?)
        }
    })
    .await?
    .map(|(actor, _)| actor)
    .ok_or_else(|| unauthorized("the session ended at once"))?;
    Ok(Opened {
        actor,
        csrf: session.csrf,
        cookie: HeaderValue::from_str(&cookie).map_err(crate::error::ApiError::internal)?,
    })
}

/// Ends the session `secret`; the `Set-Cookie` value that clears the cookie.
pub(crate) async fn close_session(
    app: &AppState,
    secret: String,
) -> Result<HeaderValue, RestError> {
    run(app, move |store| Ok(app::users::logout(store, &secret)?)).await?;
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    ))
    .map_err(|e| crate::error::ApiError::internal(e).into())
}

/// The largest login body read.
const MAX_LOGIN: usize = 64 << 10;

/// A user's name and password.
#[derive(Deserialize, ToSchema)]
pub struct LoginDto {
    pub name: String,
    pub password: String,
}

/// Who calls, and for a session its CSRF token.
#[derive(Serialize, ToSchema)]
pub struct WhoamiDto {
    /// `user:NAME` or `partner:ID`.
    pub actor: String,
    /// `admin`, `analyst`, `coordinator` or `partner`.
    pub role: String,
    /// The partner CSIRT the caller speaks for, if any.
    pub partner: Option<String>,
    /// Send back in `X-CSRF-Token` with every write of the session; null for tokens.
    pub csrf: Option<String>,
}

fn whoami_dto(actor: &app::Actor, csrf: Option<String>) -> WhoamiDto {
    WhoamiDto {
        actor: actor.audit_name(),
        role: actor.role().as_str().to_owned(),
        partner: actor.partner().map(str::to_owned),
        csrf,
    }
}

/// Who the session or token is.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, description = "The caller", body = WhoamiDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn whoami(
    State(app): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<WhoamiDto>, RestError> {
    let who = authenticate(&app, &method, &headers).await?;
    Ok(Json(whoami_dto(
        &who.actor,
        who.session.map(|(_, csrf)| csrf),
    )))
}

/// Logs in: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session",
    request_body(content = LoginDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = WhoamiDto),
        (status = 401, description = "Unknown user or wrong password (not told apart)", body = ErrorDto),
        (status = 422, description = "The body is not a name and a password", body = ErrorDto),
        (status = 429, description = "Too many failed logins for this user", body = ErrorDto),
    ))]
pub async fn login(
    State(app): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, RestError> {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(p)| p.ip().to_string());
    let body = axum::body::to_bytes(request.into_body(), MAX_LOGIN)
        .await
        .map_err(|_| {
            RestError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a login is at most {MAX_LOGIN} bytes"),
            )
        })?;
    let login: LoginDto = serde_json::from_slice(&body).map_err(|e| {
        RestError::invalid(
            "invalid",
            vec![super::ProblemDto {
                pointer: String::new(),
                message: format!("expected {{\"name\", \"password\"}}: {e}"),
            }],
        )
    })?;
    let opened = open_session(&app, login.name, login.password, client).await?;
    let mut response = Json(whoami_dto(&opened.actor, Some(opened.csrf))).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, opened.cookie);
    Ok(response)
}

/// Logs out: ends the session and clears the cookie. Needs the CSRF token.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, description = "No live session", body = ErrorDto),
        (status = 403, description = "No X-CSRF-Token, or not the session's", body = ErrorDto),
    ),
    security(("session" = [])))]
pub async fn logout(
    State(app): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, RestError> {
    let who = authenticate(&app, &method, &headers).await?;
    let Some((secret, _)) = who.session else {
        return Err(unauthorized(
            "no session: log out applies to the session cookie",
        ));
    };
    let cleared = close_session(&app, secret).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cleared);
    Ok(response)
}
