//! The web UI at `/`, beside `/api/v1` and `/taxii2/`: server-rendered pages (maud), thin
//! adapters over the same use cases as the REST handlers, for staff (admin, analyst,
//! coordinator) and partner users.
//!
//! - Who: the REST API's session cookie ([`crate::rest::session`]); a page without a live
//!   session redirects to `/login`. Every page asks [`app::authz::authorize`] first, and the
//!   navigation shows only the areas the role may open.
//! - Writes are HTML forms posted with the session's CSRF token in a hidden `csrf` field,
//!   checked before anything else ([`Viewer::form`]); a refusal shows the use case's messages
//!   and stores nothing.
//! - Everything the pages need is in the binary (one stylesheet, no script, no font, no remote
//!   origin), and every answer carries a strict Content-Security-Policy ([`headers`]); the
//!   charts and graphs are SVG drawn on the server ([`svg`]).
//! - Administrators manage users and their API tokens and read the audit log under `/admin`
//!   ([`admin`]); a token's secret is shown on the answer that issues it and never again.
//! - A partner user sees only its own notifications and what the release decision lets through
//!   ([`app::sharing::shared_with`]).

mod admin;
mod atlas;
mod coordination;
mod cvd;
mod dashboard;
mod exchange;
mod intel;
mod layout;
mod login;
mod map;
mod measures;
mod portal;
mod priorities;
mod scenarios;
mod svg;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::rest::RestError;

/// Every page of the web UI.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/static/meridian.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .route("/static/world.svg", get(world))
        .route("/map", get(map::show))
        .route("/atlas", get(atlas::search))
        .route("/atlas/{id}", get(atlas::show))
        .route("/priorities", get(priorities::list))
        .route("/scenarios", get(scenarios::run_page))
        .route("/scenarios/save", post(scenarios::save))
        .route("/scenarios/montecarlo", get(scenarios::montecarlo))
        .route("/scenarios/{name}/delete", post(scenarios::delete))
        .route("/intel", get(intel::findings))
        .route("/intel/false-positive", post(intel::false_positive))
        .route("/intel/confirm", post(intel::confirm))
        .route("/exchange", get(exchange::overview))
        .route("/exchange/collections/{id}", get(exchange::collection))
        .route(
            "/exchange/notifications/{id}/advance",
            post(exchange::advance),
        )
        .route("/coordination", get(coordination::register))
        .route("/coordination/new", get(coordination::new_activity))
        .route("/coordination/activities", post(coordination::add_activity))
        .route("/coordination/records/{id}", get(coordination::record))
        .route(
            "/coordination/records/{id}/delete",
            post(coordination::delete),
        )
        .route("/coordination/deconfliction", get(coordination::queue))
        .route(
            "/coordination/deconfliction/run",
            post(coordination::run_deconfliction),
        )
        .route(
            "/coordination/deconfliction/{id}/resolve",
            post(coordination::resolve),
        )
        .route("/measures", get(measures::cards))
        .route("/measures/review", get(measures::review))
        .route("/measures/targets", post(measures::set_target))
        .route("/measures/{id}", get(measures::show))
        .route("/portal", get(portal::show))
        .route("/portal/notifications/{id}", post(portal::report))
        .route("/portal/incidents", post(portal::incident))
        .route("/intel/false-positives", get(intel::false_positives))
        .route("/intel/unmark", post(intel::unmark))
        .route("/intel/cvd", get(cvd::list).post(cvd::create))
        .route("/intel/cvd/new", get(cvd::new_case))
        .route("/intel/cvd/{id}", get(cvd::show))
        .route("/intel/cvd/{id}/advance", post(cvd::advance))
        .route("/intel/cvd/{id}/csaf", get(cvd::csaf))
        .route("/admin/users", get(admin::users).post(admin::add))
        .route("/admin/users/{name}", get(admin::user))
        .route("/admin/users/{name}/disable", post(admin::disable))
        .route("/admin/users/{name}/password", post(admin::password))
        .route("/admin/users/{name}/tokens", post(admin::issue))
        .route(
            "/admin/users/{name}/tokens/{id}/revoke",
            post(admin::revoke),
        )
        .route("/admin/audit", get(admin::audit))
        .route("/admin/audit/verify", get(admin::verify))
        .layer(axum::middleware::from_fn(headers))
}

/// What every page of the UI is sent with: nothing but this origin may be loaded, no inline
/// script or style, no framing, no caching of pages that hold a user's data.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A file embedded in the binary, cacheable for an hour.
fn embedded(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    embedded("text/css; charset=utf-8", include_str!("meridian.css"))
}

async fn world() -> Response {
    embedded("image/svg+xml", include_str!("world.svg"))
}

async fn favicon() -> Response {
    embedded("image/svg+xml", include_str!("favicon.svg"))
}

/// The user of a page: who, and the session's CSRF token for its forms.
pub struct Viewer {
    pub actor: app::Actor,
    /// The installation's home country (ISO alpha-2), shown in the top bar.
    pub home: String,
    csrf: String,
    secret: String,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Viewer, WebError> {
        match crate::rest::session::cookie_session(app, &parts.headers).await? {
            Some((actor, secret, csrf)) => Ok(Viewer {
                actor,
                home: app.home.0.clone(),
                csrf,
                secret,
            }),
            None => Err(WebError::Login(
                parts
                    .uri
                    .path_and_query()
                    .map_or("/".to_owned(), |p| p.as_str().to_owned()),
            )),
        }
    }
}

/// The CSRF field of a posted form.
#[derive(Deserialize)]
struct Token {
    csrf: Option<String>,
}

impl Viewer {
    /// Passes when the viewer's role allows `action`; a 403 page otherwise.
    pub fn may(&self, action: app::authz::Action) -> Result<(), WebError> {
        Ok(app::authz::authorize(&self.actor, action)?)
    }

    /// Whether the viewer's role allows `action` (what the navigation and buttons show).
    pub fn can(&self, action: app::authz::Action) -> bool {
        app::authz::authorize(&self.actor, action).is_ok()
    }

    /// The session's CSRF token, for the hidden field of a form.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Where a write sends the browser: `path` with `query`, and `notice` for that page to
    /// show once (`done`), sealed (`seal`) so that [`Viewer::notice`] shows it only in this
    /// session.
    pub fn noticed(&self, path: &str, query: &[(&str, String)], notice: String) -> Redirect {
        let seal = hex::encode(ring::hmac::sign(&self.notice_key(), notice.as_bytes()));
        let mut pairs = query.to_vec();
        pairs.push(("done", notice));
        pairs.push(("seal", seal));
        Redirect::to(&layout::href(path, &pairs))
    }

    /// A page's notice `done`, when `seal` is this session's seal of it: a link made anywhere
    /// else (another session, a crafted URL) cannot put words on a Meridian page.
    pub fn notice(&self, done: &Option<String>, seal: &Option<String>) -> Option<String> {
        let (done, seal) = (done.as_deref()?, hex::decode(seal.as_deref()?).ok()?);
        ring::hmac::verify(&self.notice_key(), done.as_bytes(), &seal).ok()?;
        Some(done.to_owned()).filter(|d| !d.trim().is_empty())
    }

    /// HMAC-SHA-256 under the session's secret, kept apart from any other use of it.
    fn notice_key(&self) -> ring::hmac::Key {
        let key = format!("meridian web notice\0{}", self.secret);
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes())
    }

    /// Reads a posted form into `T`: 403 unless it carries the session's CSRF token (checked
    /// first, before the fields), 413 above the server's limit, 422 naming the problem when
    /// the fields do not read.
    pub async fn form<T: DeserializeOwned>(
        &self,
        app: &AppState,
        body: Body,
    ) -> Result<T, WebError> {
        let bytes = axum::body::to_bytes(body, app.max_body)
            .await
            .map_err(|_| {
                WebError::Status(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the form is larger than {} bytes", app.max_body),
                )
            })?;
        let token: Token = serde_urlencoded::from_bytes(&bytes).unwrap_or(Token { csrf: None });
        let presented = token.csrf.unwrap_or_default();
        let same = presented.len() == self.csrf.len()
            && presented
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return Err(WebError::Status(
                StatusCode::FORBIDDEN,
                "the form does not carry this session's CSRF token; reload the page and send it again"
                    .to_owned(),
            ));
        }
        if bytes.contains(&0) || String::from_utf8_lossy(&bytes).contains("%00") {
            return Err(WebError::Status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the form holds a NUL character".to_owned(),
            ));
        }
        serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, format!("the form: {e}"))
        })
    }
}

/// Why a page is not shown: no session (→ the login page, then back), or a status with its
/// message (a page that says what went wrong).
#[derive(Debug)]
pub enum WebError {
    Login(String),
    Status(StatusCode, String),
}

impl From<RestError> for WebError {
    fn from(e: RestError) -> WebError {
        let mut message = e.message;
        for p in e.errors {
            message.push_str(&format!("; {}: {}", p.pointer, p.message));
        }
        WebError::Status(e.status, message)
    }
}

impl From<app::Error> for WebError {
    fn from(e: app::Error) -> WebError {
        RestError::from(e).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Login(next) => {
                let query =
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("/login?{query}")).into_response()
            }
            WebError::Status(status, message) => {
                (status, layout::error_page(status, &message)).into_response()
            }
        }
    }
}

/// Runs a use case on a blocking thread with a pooled store connection.
pub async fn run<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&mut store::Store) -> Result<T, app::Error> + Send + 'static,
) -> Result<T, WebError> {
    Ok(crate::rest::run(app, move |store| Ok(f(store)?)).await?)
}

/// Reads a page's query string into `T`; a 400 page naming the problem otherwise.
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, WebError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| WebError::Status(StatusCode::BAD_REQUEST, format!("the query string: {e}")))
}

/// An empty form field is no value.
pub fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The home country as the analysis engine takes it.
pub fn home(app: &AppState) -> Result<[u8; 2], WebError> {
    Ok(crate::rest::analysis::home(app)?)
}

/// A form with no field but the CSRF token.
#[derive(Deserialize)]
pub struct Empty {}
