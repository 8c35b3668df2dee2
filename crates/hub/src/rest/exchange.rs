//! Exchange administration over REST: partner CSIRTs with their API tokens and bundle keys,
//! TAXII collections, sharing agreements and the installation's settings (all through
//! [`app::partners`]). Writes are the administrator's; staff read.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::Caller;
use super::{ErrorDto, Page, PageParams, RestError, authorize, body, page_of, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partners", get(partners).post(add_partner))
        .route("/api/v1/partners/{id}", get(partner))
        .route(
            "/api/v1/partners/{id}/tokens",
            post(issue_partner_token).delete(revoke_partner_tokens),
        )
        .route("/api/v1/partners/{id}/key", put(set_partner_key))
        .route("/api/v1/collections", get(collections).post(add_collection))
        .route("/api/v1/agreements", get(agreements).post(add_agreement))
        .route("/api/v1/agreements/{id}", delete(remove_agreement))
        .route("/api/v1/settings", get(settings).put(set_settings))
}

/// A partner CSIRT.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDto {
    /// Lowercase slug, also the HTTP Basic user name.
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// 1 (highest) to 3.
    pub tier: u8,
    pub constituency_countries: Vec<String>,
    /// Sector ids; empty means all.
    pub sectors: Vec<String>,
    pub contacts: Vec<String>,
    /// Ed25519 public key verifying its bundles, 64 hex characters.
    pub public_key: Option<String>,
    /// Others see its submissions without it as their origin.
    pub anonymise: bool,
    pub created_at: String,
}

impl From<store::Partner> for PartnerDto {
    fn from(p: store::Partner) -> PartnerDto {
        PartnerDto {
            id: p.id,
            name: p.name,
            country: p.country,
            tier: p.trust_tier,
            constituency_countries: p.constituency_countries,
            sectors: p.constituency_sectors,
            contacts: p.contacts,
            public_key: p.public_key,
            anonymise: p.anonymise,
            created_at: p.created_at,
        }
    }
}

/// A partner CSIRT to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPartnerDto {
    /// 1–64 lowercase letters, digits, `-` or `_` (`cert-de`).
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2, any case.
    pub country: String,
    /// 1 (highest) to 3.
    pub tier: u8,
    /// Default: the partner's country.
    #[serde(default)]
    pub constituency_countries: Vec<String>,
    /// Sector ids; empty means all.
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub contacts: Vec<String>,
    /// Ed25519 public key, 64 hex characters.
    pub public_key: Option<String>,
    #[serde(default)]
    pub anonymise: bool,
}

/// Every partner CSIRT, by id.
#[utoipa::path(get, path = "/api/v1/partners", tag = "exchange", params(PageParams),
    responses(
        (status = 200, description = "A page, by id", body = Page<PartnerDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the exchange's administration", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn partners(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<PartnerDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let found = run(&app, |store| Ok(app::partners::partners(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |p| &p.id,
        PartnerDto::from,
    )?))
}

/// Registers a partner CSIRT.
#[utoipa::path(post, path = "/api/v1/partners", tag = "exchange",
    request_body(content = NewPartnerDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Registered", body = PartnerDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage partners", body = ErrorDto),
        (status = 409, description = "A partner with this id exists", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_partner(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<PartnerDto>), RestError> {
    authorize(&actor, Action::ManagePartners)?;
    let new: NewPartnerDto = body(&app, request).await?;
    let new = app::partners::NewPartner {
        id: new.id,
        name: new.name,
        country: new.country,
        tier: new.tier,
        constituency_countries: new.constituency_countries,
        sectors: new.sectors,
        contacts: new.contacts,
        public_key: new.public_key,
        anonymise: new.anonymise,
    };
    let added = run(&app, move |store| {
        Ok(app::partners::add_partner(store, &actor, new)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// A partner with the agreements it is party to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDetailDto {
    pub partner: PartnerDto,
    pub agreements: Vec<AgreementDto>,
}

/// One partner CSIRT with its agreements.
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "exchange",
    params(("id" = String, Path, description = "The partner id")),
    responses(
        (status = 200, description = "The partner", body = PartnerDetailDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the exchange's administration", body = ErrorDto),
        (status = 404, description = "No such partner", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn partner(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<PartnerDetailDto>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let detail = run(&app, move |store| Ok(app::partners::partner(store, &id)?)).await?;
    Ok(Json(PartnerDetailDto {
        partner: detail.partner.into(),
        agreements: detail
            .agreements
            .into_iter()
            .map(AgreementDto::from)
            .collect(),
    }))
}

/// A partner API token just issued: shown this once, only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedPartnerTokenDto {
    pub partner: String,
    /// `Authorization: Bearer <token>` on TAXII and REST; not shown again.
    pub token: String,
}

/// Issues an API token for the partner.
#[utoipa::path(post, path = "/api/v1/partners/{id}/tokens", tag = "exchange",
    params(("id" = String, Path, description = "The partner id")),
    responses(
        (status = 201, description = "Issued; the token is shown this once", body = IssuedPartnerTokenDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage partners", body = ErrorDto),
        (status = 404, description = "No such partner", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn issue_partner_token(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<IssuedPartnerTokenDto>), RestError> {
    authorize(&actor, Action::ManagePartners)?;
    let issued = run(&app, move |store| {
        Ok(app::partners::issue_partner_token(store, &actor, &id)?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPartnerTokenDto {
            partner: issued.partner_id,
            token: issued.secret,
        }),
    ))
}

/// How many tokens a revocation ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedDto {
    pub revoked: u64,
}

/// Revokes every API token of the partner.
#[utoipa::path(delete, path = "/api/v1/partners/{id}/tokens", tag = "exchange",
    params(("id" = String, Path, description = "The partner id")),
    responses(
        (status = 200, description = "Revoked; how many were in force", body = RevokedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage partners", body = ErrorDto),
        (status = 404, description = "No such partner", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_partner_tokens(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<RevokedDto>, RestError> {
    authorize(&actor, Action::ManagePartners)?;
    let revoked = run(&app, move |store| {
        Ok(app::partners::revoke_partner_tokens(store, &actor, &id)?)
    })
    .await?;
    Ok(Json(RevokedDto { revoked }))
}

/// The Ed25519 public key that verifies a partner's bundles.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyDto {
    /// 64 hex characters.
    pub public_key: String,
}

/// Sets the key that verifies the partner's signed bundles.
#[utoipa::path(put, path = "/api/v1/partners/{id}/key", tag = "exchange",
    params(("id" = String, Path, description = "The partner id")),
    request_body(content = KeyDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Set; the partner as it now is", body = PartnerDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage partners", body = ErrorDto),
        (status = 404, description = "No such partner", body = ErrorDto),
        (status = 422, description = "Not an Ed25519 key (`/public_key`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_partner_key(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    request: Body,
) -> Result<Json<PartnerDto>, RestError> {
    authorize(&actor, Action::ManagePartners)?;
    let key: KeyDto = body(&app, request).await?;
    let partner = run(&app, move |store| {
        Ok(app::partners::set_partner_key(
            store,
            &actor,
            &id,
            &key.public_key,
        )?)
    })
    .await?;
    Ok(Json(partner.into()))
}

/// A TAXII collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionDto {
    /// A UUID.
    pub id: String,
    pub title: String,
    pub description: String,
    pub created_at: String,
    /// How many object versions it holds.
    pub objects: u64,
}

/// A TAXII collection to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollectionDto {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// A UUID to use as the id (default: a new random one).
    pub id: Option<String>,
}

/// Every TAXII collection with the number of objects it holds.
#[utoipa::path(get, path = "/api/v1/collections", tag = "exchange", params(PageParams),
    responses(
        (status = 200, description = "A page, by id", body = Page<CollectionDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the exchange's administration (they use TAXII)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn collections(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<CollectionDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let found = run(&app, |store| Ok(app::partners::collections(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |(c, _)| &c.id,
        |(c, objects)| CollectionDto {
            id: c.id,
            title: c.title,
            description: c.description,
            created_at: c.created_at,
            objects,
        },
    )?))
}

/// Creates a TAXII collection.
#[utoipa::path(post, path = "/api/v1/collections", tag = "exchange",
    request_body(content = NewCollectionDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = CollectionDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage collections", body = ErrorDto),
        (status = 409, description = "A collection with this id exists", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_collection(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<CollectionDto>), RestError> {
    authorize(&actor, Action::ManageCollections)?;
    let new: NewCollectionDto = body(&app, request).await?;
    let new = app::partners::NewCollection {
        title: new.title,
        description: new.description,
        id: new.id,
    };
    let c = run(&app, move |store| {
        Ok(app::partners::add_collection(store, &actor, new)?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CollectionDto {
            id: c.id,
            title: c.title,
            description: c.description,
            created_at: c.created_at,
            objects: 0,
        }),
    ))
}

/// What an agreement grants on one collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantDto {
    pub collection_id: String,
    pub read: bool,
    pub write: bool,
}

/// A sharing agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: String,
    pub title: String,
    /// `bilateral` (two parties or fewer) or `multilateral`.
    pub kind: String,
    /// Partner ids.
    pub parties: Vec<String>,
    /// `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT` or `RED`.
    pub highest_tlp: String,
    pub purpose: String,
    /// How long shared objects may be kept.
    pub retention_days: Option<u32>,
    pub grants: Vec<GrantDto>,
    pub created_at: String,
}

impl From<store::Agreement> for AgreementDto {
    fn from(a: store::Agreement) -> AgreementDto {
        AgreementDto {
            id: a.id,
            title: a.title,
            kind: a.kind.as_str().to_owned(),
            parties: a.parties,
            highest_tlp: a.highest_tlp.as_str().to_owned(),
            purpose: a.purpose,
            retention_days: a.retention_days,
            grants: a
                .grants
                .into_iter()
                .map(|g| GrantDto {
                    collection_id: g.collection_id,
                    read: g.read,
                    write: g.write,
                })
                .collect(),
            created_at: a.created_at,
        }
    }
}

/// A sharing agreement to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgreementDto {
    /// 1–64 lowercase letters, digits, `-` or `_`.
    pub id: String,
    pub title: String,
    /// Partner ids.
    pub parties: Vec<String>,
    /// `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT` or `RED`.
    pub highest_tlp: String,
    #[serde(default)]
    pub grants: Vec<GrantDto>,
    #[serde(default)]
    pub purpose: String,
    pub retention_days: Option<u32>,
}

/// Every sharing agreement, by id.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "exchange", params(PageParams),
    responses(
        (status = 200, description = "A page, by id", body = Page<AgreementDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the exchange's administration", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn agreements(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AgreementDto>>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let found = run(&app, |store| Ok(app::partners::agreements(store)?)).await?;
    Ok(Json(page_of(
        raw.as_deref(),
        found,
        |a| &a.id,
        AgreementDto::from,
    )?))
}

/// Records a sharing agreement; what it grants applies at once.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "exchange",
    request_body(content = NewAgreementDto, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = AgreementDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage agreements", body = ErrorDto),
        (status = 409, description = "An agreement with this id exists", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer; nothing stored", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_agreement(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<(StatusCode, Json<AgreementDto>), RestError> {
    authorize(&actor, Action::ManageAgreements)?;
    let new: NewAgreementDto = body(&app, request).await?;
    let highest_tlp = super::tlp("/highest_tlp", &new.highest_tlp)?;
    let new = app::partners::NewAgreement {
        id: new.id,
        title: new.title,
        parties: new.parties,
        highest_tlp,
        grants: new
            .grants
            .into_iter()
            .map(|g| store::CollectionGrant {
                collection_id: g.collection_id,
                read: g.read,
                write: g.write,
            })
            .collect(),
        purpose: new.purpose,
        retention_days: new.retention_days,
    };
    let added = run(&app, move |store| {
        Ok(app::partners::add_agreement(store, &actor, new)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes a sharing agreement: what it granted stops at once.
#[utoipa::path(delete, path = "/api/v1/agreements/{id}", tag = "exchange",
    params(("id" = String, Path, description = "The agreement id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators manage agreements", body = ErrorDto),
        (status = 404, description = "No such agreement", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove_agreement(
    State(app): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::ManageAgreements)?;
    run(&app, move |store| {
        Ok(app::partners::remove_agreement(store, &actor, &id)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The installation's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsDto {
    /// The TLP of unmarked objects; null when unset (GREEN applies).
    pub default_tlp: Option<String>,
    /// Days a partner has, from sending, to acknowledge a notification (default 3).
    pub acknowledge_days: u32,
    /// Days a partner has, from sending, to report a notification's outcome (default 30; the
    /// CVE's KEV `dueDate` when sooner).
    pub mitigate_days: u32,
}

impl From<app::partners::Settings> for SettingsDto {
    fn from(s: app::partners::Settings) -> SettingsDto {
        SettingsDto {
            default_tlp: s.default_tlp,
            acknowledge_days: s.follow_up.acknowledge_days,
            mitigate_days: s.follow_up.mitigate_days,
        }
    }
}

/// A change of the installation's settings: the fields given are set, all or nothing.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSettingsDto {
    /// `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT` or `RED`, any case.
    pub default_tlp: Option<String>,
    /// 1 to 365.
    pub acknowledge_days: Option<u32>,
    /// 1 to 365.
    pub mitigate_days: Option<u32>,
}

/// The installation's settings.
#[utoipa::path(get, path = "/api/v1/settings", tag = "exchange",
    responses(
        (status = 200, description = "The settings as stored", body = SettingsDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read the settings", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn settings(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<SettingsDto>, RestError> {
    authorize(&actor, Action::ReadExchange)?;
    let settings = run(&app, |store| Ok(app::partners::settings(store)?)).await?;
    Ok(Json(settings.into()))
}

/// Changes the installation's settings.
#[utoipa::path(put, path = "/api/v1/settings", tag = "exchange",
    request_body(content = SetSettingsDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Set; the settings as stored", body = SettingsDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators change settings", body = ErrorDto),
        (status = 422, description = "Not a TLP label (`/default_tlp`), days outside 1–365 (`/acknowledge_days`, `/mitigate_days`), or no setting named", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_settings(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<SettingsDto>, RestError> {
    authorize(&actor, Action::ManageSettings)?;
    let set: SetSettingsDto = body(&app, request).await?;
    let days = |d: Option<u32>| d.map(|d| d.to_string());
    let changes: Vec<(&'static str, String)> = [
        (app::sharing::DEFAULT_TLP_SETTING, set.default_tlp),
        (
            app::notifications::ACKNOWLEDGE_DAYS_SETTING,
            days(set.acknowledge_days),
        ),
        (
            app::notifications::MITIGATE_DAYS_SETTING,
            days(set.mitigate_days),
        ),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key, value?)))
    .collect();
    let settings = run(&app, move |store| {
        let changes: Vec<(&str, &str)> = changes.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app::partners::set_settings(store, &actor, &changes)?;
        Ok(app::partners::settings(store)?)
    })
    .await?;
    Ok(Json(settings.into()))
}
