//! A collection's STIX objects read by a user (`GET /api/v1/collections/{id}/objects`), through
//! the one release decision ([`app::sharing::read_objects`]): a partner user sees what its
//! partner's agreements and TLP release (as on TAXII), the hub's staff every object below RED,
//! and a TLP:RED object only the users its recipients name — an administrator who is not named
//! does not see it either. What the reader may not see is absent from the page.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::session::Caller;
use super::{ErrorDto, PageParams, RestError, authorize, body, cursor, run};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/collections/{id}/objects",
        get(objects).post(publish),
    )
}

/// A page of STIX objects. It may hold fewer than `limit` objects (none, even) while `next`
/// is set: rows the reader may not see are left out.
#[derive(Serialize, ToSchema)]
pub struct StixPageDto {
    /// STIX 2.1 objects, in the order they were added.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Box<RawValue>>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// The newest version of each object of a collection that the caller may see.
#[utoipa::path(get, path = "/api/v1/collections/{id}/objects", tag = "exchange",
    params(("id" = String, Path, description = "The collection id"), PageParams),
    responses(
        (status = 200, description = "A page of objects", body = StixPageDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "A partner's API token (it reads over TAXII)", body = ErrorDto),
        (status = 404, description = "No such collection, or the caller's partner may not read it", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn objects(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(collection): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<StixPageDto>, RestError> {
    let (limit, after) = PageParams::read_numbered(raw.as_deref())?;
    let page = run(&app, move |store| {
        Ok(app::sharing::read_objects(
            store,
            &actor,
            &collection,
            after,
            usize::try_from(limit).unwrap_or(usize::MAX),
        )?)
    })
    .await?;
    let items = page
        .objects
        .into_iter()
        .map(|o| RawValue::from_string(o.json))
        .collect::<Result<_, _>>()
        .map_err(crate::error::ApiError::internal)?;
    Ok(Json(StixPageDto {
        items,
        next: page.next.map(|seq| cursor(&seq.to_string())),
    }))
}

/// STIX objects to publish and whom they are addressed to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishDto {
    /// STIX 2.1 objects; their TLP marking decides who may read them.
    #[schema(value_type = Vec<Object>)]
    pub objects: Vec<serde_json::Value>,
    /// Partner ids and users (`user:NAME`). Empty: every reader the TLP allows; a TLP:RED
    /// object reaches only the users named here.
    #[serde(default)]
    pub recipients: Vec<String>,
}

/// What publishing stored.
#[derive(Serialize, ToSchema)]
pub struct PublishedDto {
    pub added: u64,
    /// Versions stored before: left unchanged.
    pub duplicates: u64,
}

/// Publishes STIX objects into a collection, addressed to partners and named users (audited
/// as `taxii.add_objects`).
#[utoipa::path(post, path = "/api/v1/collections/{id}/objects", tag = "exchange",
    params(("id" = String, Path, description = "The collection id")),
    request_body(content = PublishDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored", body = PublishedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only analysts and administrators publish", body = ErrorDto),
        (status = 404, description = "No such collection", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "An object that is not STIX 2.1, an unknown recipient, each located; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(collection): Path<String>,
    request: Body,
) -> Result<(StatusCode, Json<PublishedDto>), RestError> {
    authorize(&actor, app::authz::Action::ManageAlerts)?;
    let new: PublishDto = body(&app, request).await?;
    let outcome = run(&app, move |store| {
        Ok(app::sharing::publish(
            store,
            &actor,
            &collection,
            &new.objects,
            &new.recipients,
        )?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PublishedDto {
            added: outcome.added,
            duplicates: outcome.duplicates,
        }),
    ))
}
