//! TAXII 2.1 (OASIS TAXII 2.1, §4–§5) under `/taxii2/`: discovery, one API root (`hub`), its
//! collections, objects, manifest, versions and status. Every object leaving through these
//! routes passes [`exchange::policy`]; partners see only the collections their agreements grant.

mod filter;
mod objects;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use app::sharing::{Release, Snapshot};

pub use filter::{Filter, micros};

pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
/// The one API root's name, under `/taxii2/`.
pub const API_ROOT: &str = "hub";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/hub/", get(api_root))
        .route("/taxii2/hub/collections/", get(collections))
        .route("/taxii2/hub/collections/{collection}/", get(collection))
        .route(
            "/taxii2/hub/collections/{collection}/objects/",
            get(objects::get_objects).post(objects::add_objects),
        )
        .route(
            "/taxii2/hub/collections/{collection}/objects/{object}/",
            get(objects::get_object).delete(objects::delete_object),
        )
        .route(
            "/taxii2/hub/collections/{collection}/objects/{object}/versions/",
            get(objects::versions),
        )
        .route(
            "/taxii2/hub/collections/{collection}/manifest/",
            get(objects::manifest),
        )
        .route("/taxii2/hub/status/{status}/", get(status))
}

/// 406 unless the client accepts the TAXII 2.1 media type (or anything).
pub fn accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(());
    };
    let accept = accept.to_str().unwrap_or("");
    let ok = accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let version = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("version"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned());
        match media.as_str() {
            "*/*" | "application/*" => true,
            "application/taxii+json" => version.is_none_or(|v| v == "2.1"),
            _ => false,
        }
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable",
            format!("this server answers {TAXII_MEDIA_TYPE}; the request accepts {accept:?}"),
        ))
    }
}

/// A TAXII response: the body with the TAXII media type.
pub fn taxii_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    let mut response = (status, body.into()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    response
}

fn json_response(value: &Value) -> Response {
    taxii_response(StatusCode::OK, value.to_string())
}

/// The authenticated caller with the snapshot it is judged by.
pub struct Session {
    pub caller: Caller,
    pub release: Release,
    pub snapshot: Arc<Snapshot>,
}

impl AppState {
    pub async fn session(&self, headers: &HeaderMap) -> Result<Session, ApiError> {
        accept(headers)?;
        let caller = self.tokens.authenticate(&self.pool, headers).await?;
        let snapshot = self.snapshot.get(&self.pool).await?;
        let release = snapshot.release(&caller.partner_id);
        Ok(Session {
            caller,
            release,
            snapshot,
        })
    }
}

/// What a request needs on a collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Read,
    Write,
}

impl Session {
    /// 404 for an unknown collection, 403 when no agreement grants the caller `need` on it.
    pub fn check(&self, collection: &str, need: Need) -> Result<(), ApiError> {
        if self.snapshot.collection(collection).is_none() {
            return Err(ApiError::not_found(format!(
                "there is no collection {collection:?}"
            )));
        }
        let granted = match need {
            Need::Read => self.release.can_read(collection),
            Need::Write => self.release.can_write(collection),
        };
        if granted {
            Ok(())
        } else {
            let what = match need {
                Need::Read => "read",
                Need::Write => "write to",
            };
            Err(ApiError::forbidden(format!(
                "no sharing agreement lets {} {what} collection {collection}",
                self.caller.partner_id
            )))
        }
    }
}

async fn discovery(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    app.session(&headers).await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = if app.tls { "https" } else { "http" };
    let root = format!("{scheme}://{host}/taxii2/{API_ROOT}/");
    Ok(json_response(&json!({
        "title": app.title,
        "description": "Meridian CSIRT hub: STIX 2.1 exchange with TLP 2.0 enforced per object",
        "contact": app.contact,
        "default": root,
        "api_roots": [root],
    })))
}

async fn api_root(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    app.session(&headers).await?;
    Ok(json_response(&json!({
        "title": format!("{} hub", app.title),
        "description": "Collections shared under sharing agreements",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": app.max_body,
    })))
}

fn collection_json(session: &Session, c: &store::Collection) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "can_read": session.release.can_read(&c.id),
        "can_write": session.release.can_write(&c.id),
        "media_types": [STIX_MEDIA_TYPE],
    })
}

async fn collections(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = app.session(&headers).await?;
    let visible: Vec<Value> = session
        .snapshot
        .collections
        .iter()
        .filter(|c| session.release.can_read(&c.id) || session.release.can_write(&c.id))
        .map(|c| collection_json(&session, c))
        .collect();
    Ok(json_response(&json!({ "collections": visible })))
}

async fn collection(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session = app.session(&headers).await?;
    let Some(c) = session.snapshot.collection(&id) else {
        return Err(ApiError::not_found(format!(
            "there is no collection {id:?}"
        )));
    };
    if !(session.release.can_read(&id) || session.release.can_write(&id)) {
        session.check(&id, Need::Read)?;
    }
    Ok(json_response(&collection_json(&session, c)))
}

async fn status(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session = app.session(&headers).await?;
    let lookup = id.clone();
    let found = app
        .pool
        .run(move |store| Ok(store.status(&lookup)?))
        .await?;
    // Only the partner that made the POST may read its status (it lists ids and versions
    // others may not receive); anyone else gets the answer of an unknown id.
    let status = found
        .filter(|s| {
            s.partner_id.as_deref() == Some(session.caller.partner_id.as_str())
                && (session.release.can_write(&s.collection_id)
                    || session.release.can_read(&s.collection_id))
        })
        .ok_or_else(|| ApiError::not_found(format!("there is no status {id:?}")))?;
    Ok(json_response(&objects::status_json(&status)))
}
