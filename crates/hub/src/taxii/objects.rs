//! The object endpoints: objects (GET, POST), object by id (GET, DELETE), versions, manifest.
//!
//! Reads are pages of rows in `seq` order; `next` is the `seq` of the last row served, so a
//! page can be resumed by any server at any time. Each row passes the release decision before
//! it is served; rows it holds back are skipped and the page is filled from further rows.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use exchange::policy::Path as Sharing;
use rayon::prelude::*;
use serde_json::{Value, json};
use store::{ObjectQuery, StoredObject, TaxiiStatus, VersionMatch};

use super::filter::Filter;
use super::{Need, STIX_MEDIA_TYPE, Session, TAXII_MEDIA_TYPE, taxii_response};
use crate::AppState;
use crate::cache::{self, Key, Route};
use crate::error::ApiError;
use app::sharing::Checked;

/// One page of released rows.
struct Rows {
    rows: Vec<StoredObject>,
    more: bool,
}

impl Rows {
    fn next(&self) -> Option<String> {
        self.more
            .then(|| self.rows.last().map(|r| r.seq.to_string()))
            .flatten()
    }

    /// The values of `X-TAXII-Date-Added-First/Last` for the rows served.
    fn date_added(&self) -> (Option<HeaderValue>, Option<HeaderValue>) {
        let header = |row: Option<&StoredObject>| {
            row.and_then(|r| HeaderValue::from_str(&r.date_added).ok())
        };
        (header(self.rows.first()), header(self.rows.last()))
    }
}

/// True when the caller may receive this row over TAXII.
fn released(session: &Session, row: &StoredObject) -> bool {
    session.release.allows(row, Sharing::Taxii, None)
}

/// The most JSON a page holds: past it, the page ends early (`more`, with `next`), whatever
/// the `limit`. One object always fits (objects are at most `--max-object`).
const PAGE_BYTES: usize = 8 << 20;

/// Rows read from the store per query: a bound on what one request holds while it reads.
const FETCH_ROWS: usize = 256;

/// Reads rows matching `filter` from `next` on until `limit` released rows are found (and one
/// more, to know whether there are more), or until they hold [`PAGE_BYTES`] of JSON.
fn page(
    store: &mut store::Store,
    session: &Session,
    collection: &str,
    filter: &Filter,
) -> Result<Rows, ApiError> {
    let mut query = ObjectQuery {
        collection_id: collection.to_owned(),
        after_seq: filter.next,
        added_after: filter.added_after.clone(),
        ids: filter.ids.clone(),
        types: filter.types.clone(),
        versions: filter.versions.clone(),
        spec_versions: filter.spec_versions.clone(),
        limit: (filter.limit + 1).min(FETCH_ROWS),
    };
    let mut rows = Vec::with_capacity((filter.limit + 1).min(FETCH_ROWS));
    let mut bytes = 0;
    let mut full = false;
    loop {
        let batch = store.objects(&query)?;
        let exhausted = batch.len() < query.limit;
        for row in batch {
            if !rows.is_empty() && bytes + row.json.len() > PAGE_BYTES {
                // This row starts the next page; whether it is released is decided there.
                full = true;
                break;
            }
            query.after_seq = Some(row.seq);
            if released(session, &row) {
                bytes += row.json.len();
                rows.push(row);
                if rows.len() > filter.limit {
                    break;
                }
            }
        }
        if full || exhausted || rows.len() > filter.limit {
            break;
        }
    }
    let more = full || rows.len() > filter.limit;
    rows.truncate(filter.limit);
    Ok(Rows { rows, more })
}

fn envelope(session: &Session, page: &Rows) -> String {
    let size: usize = page.rows.iter().map(|r| r.json.len() + 1).sum();
    let mut body = String::with_capacity(size + 64);
    body.push_str("{\"more\":");
    body.push_str(if page.more { "true" } else { "false" });
    if let Some(next) = page.next() {
        body.push_str(",\"next\":\"");
        body.push_str(&next);
        body.push('"');
    }
    body.push_str(",\"objects\":[");
    for (i, row) in page.rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&session.release.text(row));
    }
    body.push_str("]}");
    body
}

/// Serves a page of `route` from the cache or, failing that, from the store (and caches it).
async fn serve_page(
    app: AppState,
    headers: HeaderMap,
    route: Route,
    collection: String,
    object: Option<String>,
    query: Option<String>,
) -> Result<Response, ApiError> {
    let session = app.session(&headers).await?;
    session.check(&collection, Need::Read)?;
    let stamp = app.pages.stamp(&session.snapshot, &collection);
    let key = Key {
        partner: session.caller.partner_id.clone(),
        collection: collection.clone(),
        route,
        object: object.clone(),
        query: query.clone(),
    };
    if let Some(page) = app.pages.get(&key, stamp) {
        return Ok(page.response());
    }
    let mut filter = Filter::parse(query.as_deref(), app.max_page)?;
    if let Some(object) = &object {
        filter.ids = vec![object.clone()];
    }
    if route == Route::Versions {
        filter.versions = VersionMatch::All;
    }
    let (session, rows) = app
        .pool
        .run(move |store| {
            let rows = page(store, &session, &collection, &filter)?;
            Ok((session, rows))
        })
        .await?;
    if let Some(object) = object.filter(|_| rows.rows.is_empty()) {
        return Err(ApiError::not_found(format!(
            "there is no object {object:?} in this collection that you may receive"
        )));
    }
    let body = match route {
        Route::Objects | Route::Object => envelope(&session, &rows),
        Route::Versions => versions_body(&rows),
        Route::Manifest => manifest_body(&rows),
    };
    let (first, last) = rows.date_added();
    let page = cache::Page {
        body: body.into(),
        first,
        last,
    };
    app.pages.put(key, stamp, page.clone());
    Ok(page.response())
}

pub async fn get_objects(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(collection): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    serve_page(app, headers, Route::Objects, collection, None, query).await
}

pub async fn get_object(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((collection, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let object = object.to_ascii_lowercase();
    serve_page(app, headers, Route::Object, collection, Some(object), query).await
}

pub async fn versions(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((collection, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let object = object.to_ascii_lowercase();
    serve_page(
        app,
        headers,
        Route::Versions,
        collection,
        Some(object),
        query,
    )
    .await
}

pub async fn manifest(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(collection): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    serve_page(app, headers, Route::Manifest, collection, None, query).await
}

fn versions_body(rows: &Rows) -> String {
    let versions: Vec<&str> = rows.rows.iter().map(|r| r.version.as_str()).collect();
    let mut body = json!({ "more": rows.more, "versions": versions });
    if let Some(next) = rows.next() {
        body["next"] = next.into();
    }
    body.to_string()
}

fn manifest_body(rows: &Rows) -> String {
    let objects: Vec<Value> = rows
        .rows
        .iter()
        .map(|r| {
            json!({
                "id": r.object_id,
                "date_added": r.date_added,
                "version": r.version,
                "media_type": STIX_MEDIA_TYPE,
            })
        })
        .collect();
    let mut body = json!({ "more": rows.more, "objects": objects });
    if let Some(next) = rows.next() {
        body["next"] = next.into();
    }
    body.to_string()
}

pub async fn delete_object(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((collection, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let object = object.to_ascii_lowercase();
    let session = app.session(&headers).await?;
    session.check(&collection, Need::Write)?;
    let mut filter = Filter::parse(query.as_deref(), app.max_page)?;
    // Without match[version], DELETE removes every version (TAXII 2.1 §5.7).
    if !filter.versions_given {
        filter.versions = VersionMatch::All;
    }
    let partner = session.caller.partner_id.clone();
    let written = collection.clone();
    app.pool
        .run(move |store| {
            // The versions the request names, matched by the store as every read matches them.
            let chosen = store.objects(&ObjectQuery {
                collection_id: collection.clone(),
                ids: vec![object.clone()],
                versions: filter.versions.clone(),
                spec_versions: filter.spec_versions.clone(),
                limit: usize::MAX,
                ..ObjectQuery::default()
            })?;
            if chosen.is_empty() || !chosen.iter().any(|r| released(&session, r)) {
                return Err(ApiError::not_found(format!(
                    "there is no object {object:?} in this collection that you may receive"
                )));
            }
            if chosen
                .iter()
                .any(|r| r.submitter.as_deref() != Some(partner.as_str()))
            {
                return Err(ApiError::forbidden(
                    "a partner may delete only the objects it submitted",
                ));
            }
            // The deletion and its audit entry (the JSON of the versions the request names, one a
            // line), together.
            let deleted: Vec<&str> = chosen.iter().map(|r| r.json.as_str()).collect();
            store.atomically(|store| {
                store.delete_object(&collection, &object, &filter.versions)?;
                app::audit::record(
                    store,
                    &app::Actor::Partner(partner),
                    "taxii.delete_object",
                    &[&object],
                    deleted.join("\n").as_bytes(),
                )?;
                Ok(())
            })
        })
        .await?;
    app.pages.wrote(&written);
    Ok(taxii_response(StatusCode::OK, String::new()))
}

/// 415 unless the body is declared as the TAXII 2.1 media type.
fn content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = value.split(';').map(str::trim);
    let media = parts.next().unwrap_or("").to_ascii_lowercase();
    let version = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("version"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned());
    if media == "application/taxii+json" && version.is_none_or(|v| v == "2.1") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            format!("send envelopes as {TAXII_MEDIA_TYPE}; got {value:?}"),
        ))
    }
}

/// The most of an oversized body read before answering 413.
const DRAIN_LIMIT: usize = 16 << 20;

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Payload Too Large",
        format!("the body exceeds this API root's max_content_length of {limit} bytes"),
    )
}

async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))
}

pub async fn add_objects(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(collection): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    // Refused before its body is read, the request leaves the connection unusable.
    let (session, bytes) = accept_body(&app, &headers, &collection, body)
        .await
        .map_err(ApiError::closing)?;
    // PostgreSQL cannot store NUL in text: refuse it for the whole envelope, naming where.
    if let Some(pointer) = crate::guard::nul_pointer(&bytes) {
        return Err(ApiError::unprocessable(format!(
            "{pointer}: the string holds a NUL character (\\u0000), which this server does not store"
        )));
    }
    let validator = app.validator.clone();
    let partner = session.caller.partner_id.clone();
    let written = collection.clone();
    let max_object = app.max_object;
    let status = app
        .pool
        .run(move |store| ingest(store, &validator, &collection, &partner, max_object, &bytes))
        .await?;
    app.pages.wrote(&written);
    Ok(taxii_response(
        StatusCode::ACCEPTED,
        status_json(&status).to_string(),
    ))
}

/// Authentication, the write right, the media type and the size limit, then the body.
async fn accept_body(
    app: &AppState,
    headers: &HeaderMap,
    collection: &str,
    body: Body,
) -> Result<(Session, axum::body::Bytes), ApiError> {
    let session = app.session(headers).await?;
    session.check(collection, Need::Write)?;
    content_type(headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > app.max_body) {
        // Read (and drop) a moderately oversized body so the client gets to read the 413
        // instead of a reset connection; beyond DRAIN_LIMIT just close.
        let _ = axum::body::to_bytes(body, DRAIN_LIMIT).await;
        return Err(too_large(app.max_body));
    }
    Ok((session, read_body(body, app.max_body).await?))
}

/// A refused object: id (or its position), version, why.
type Failure = (String, String, String);

/// One object of an envelope: valid STIX 2.1 of at most `max_object` bytes; or why not.
fn check(
    validator: &stix::Validator,
    i: usize,
    text: &str,
    max_object: usize,
) -> Result<Checked, Failure> {
    if text.len() > max_object {
        // Only the id and version are read out of an oversized object, without building it.
        #[derive(serde::Deserialize)]
        struct Head<'a> {
            #[serde(borrow)]
            id: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow)]
            modified: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow)]
            created: Option<std::borrow::Cow<'a, str>>,
        }
        let head: Option<Head<'_>> = serde_json::from_str(text).ok();
        let id = head
            .as_ref()
            .and_then(|h| h.id.as_deref())
            .map_or_else(|| format!("objects[{i}]"), str::to_owned);
        let version = head
            .as_ref()
            .and_then(|h| h.modified.as_deref().or(h.created.as_deref()))
            .unwrap_or("")
            .to_owned();
        let message = format!(
            "{id} is {} bytes; this server accepts objects of at most {max_object} bytes",
            text.len()
        );
        return Err((id, version, message));
    }
    let object: Value = serde_json::from_str(text).map_err(|e| {
        (
            format!("objects[{i}]"),
            String::new(),
            format!("not JSON: {e}"),
        )
    })?;
    Checked::new(validator, &object).map_err(|message| {
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("objects[{i}]"), str::to_owned);
        let version = object
            .get("modified")
            .or_else(|| object.get("created"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        (id, version, message)
    })
}

/// Validates every object of an envelope, stores the valid ones in one transaction and
/// records the status resource.
fn ingest(
    store: &mut store::Store,
    validator: &stix::Validator,
    collection: &str,
    partner: &str,
    max_object: usize,
    bytes: &[u8],
) -> Result<TaxiiStatus, ApiError> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        objects: Option<Vec<&'a serde_json::value::RawValue>>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::unprocessable(format!("the body is not a TAXII envelope: {e}")))?;
    let Some(objects) = envelope.objects else {
        return Err(ApiError::unprocessable(
            "the body is not a TAXII envelope: it has no \"objects\" array",
        ));
    };
    // Parsing and validation are independent per object: spread them over the cores; the
    // store then writes them in one transaction.
    let checked: Vec<Result<Checked, Failure>> = objects
        .par_iter()
        .enumerate()
        .map(|(i, raw)| check(validator, i, raw.get(), max_object))
        .collect();
    let mut valid = Vec::with_capacity(checked.len());
    let mut failures = Vec::new();
    for c in checked {
        match c {
            Ok(v) => valid.push(v),
            Err(f) => failures.push(f),
        }
    }
    app::sharing::store_batch(
        store,
        &app::Actor::Partner(partner.to_owned()),
        collection,
        &mut valid,
        &[],
        Some(partner),
        None,
    )?;
    let status = TaxiiStatus {
        id: uuid::Uuid::new_v4().to_string(),
        collection_id: collection.to_owned(),
        partner_id: Some(partner.to_owned()),
        status: "complete".to_owned(),
        request_timestamp: super::micros(time::OffsetDateTime::now_utc()),
        total: objects.len() as u64,
        successes: valid
            .iter()
            .map(|v| (v.meta.id.clone(), v.meta.version.clone()))
            .collect(),
        failures,
        pendings: Vec::new(),
    };
    store.save_status(&status)?;
    Ok(status)
}

pub fn status_json(s: &TaxiiStatus) -> Value {
    let detail = |list: &[(String, String)]| -> Vec<Value> {
        list.iter()
            .map(|(id, version)| json!({ "id": id, "version": version }))
            .collect()
    };
    let failures: Vec<Value> = s
        .failures
        .iter()
        .map(|(id, version, message)| json!({ "id": id, "version": version, "message": message }))
        .collect();
    json!({
        "id": s.id,
        "status": s.status,
        "request_timestamp": s.request_timestamp,
        "total_count": s.total,
        "success_count": s.successes.len(),
        "successes": detail(&s.successes),
        "failure_count": s.failures.len(),
        "failures": failures,
        "pending_count": s.pendings.len(),
        "pendings": detail(&s.pendings),
    })
}
