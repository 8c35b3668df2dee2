//! The CSAF 2.0 provider under `/.well-known/csaf/` (all through [`app::cvd::provider`]):
//! `provider-metadata.json`, and per TLP directory `feed.json` (ROLIE), `index.txt`,
//! `changes.csv` and the advisories with their `.sha256`, `.sha512` and, with the server's
//! OpenPGP key, `.asc` signatures and the public key under `openpgp/`. WHITE is public; the
//! other directories answer 401 without credentials, and what the release decision keeps from
//! an authenticated reader is not found (404), as is anything that does not exist.
//!
//! The URLs in the documents are those of the request's host (`https` when the server speaks
//! TLS); the publisher is the server's title.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::rest::session::MaybeCaller;
use crate::rest::{RestError, run};
use app::cvd::provider::Served;

pub fn router() -> Router<AppState> {
    Router::new().route("/.well-known/csaf/{*path}", get(serve))
}

/// The request's `Host` when it is a plain host name or address with an optional port;
/// `localhost` otherwise.
fn host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost")
}

async fn serve(
    State(app): State<AppState>,
    MaybeCaller(reader): MaybeCaller,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, RestError> {
    let scheme = if app.tls { "https" } else { "http" };
    let base = format!("{scheme}://{}/.well-known/csaf", host(&headers));
    let publisher = app.title.clone();
    let key = app.csaf_key.clone();
    let served = run(&app, move |store| {
        let site = app::cvd::Site::new(&base, &publisher);
        Ok(app::cvd::provider::serve(
            store,
            &site,
            key.as_deref(),
            reader.as_ref(),
            &path,
        )?)
    })
    .await?;
    Ok(match served {
        Served::File { media_type, bytes } => {
            let mut response = bytes.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            response
        }
        Served::NotFound => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        Served::Unauthenticated => {
            let mut response = (
                StatusCode::UNAUTHORIZED,
                "credentials required: Authorization: Bearer <token>, or a session cookie\n",
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
    })
}
