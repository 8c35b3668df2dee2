//! Signed offline bundles over REST (through [`app::bundles`]), administrators only (audited
//! by the use cases): exporting a collection for one partner — what the TLP rules release to
//! it, signed with the server's bundle key — as one JSON download holding the three files, and
//! importing such a download from a partner, verified against its stored public key, all or
//! nothing.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::Caller;
use super::{ErrorDto, ProblemDto, RestError, authorize, body, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/bundles/export", post(export))
        .route("/api/v1/bundles/import", post(import))
}

/// What to export.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleExportDto {
    pub collection: String,
    /// The partner the bundle is for: the TLP rules decide what it holds.
    pub partner: String,
    /// Who signs, as the manifest names it (default `meridian`).
    pub signer: Option<String>,
}

/// A signed bundle: the three files of `meridian bundle export`, each as its exact text.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BundleFilesDto {
    /// `bundle.json`: a STIX 2.1 bundle.
    pub bundle: String,
    /// `manifest.json`: the bundle's SHA-256, signer, recipient, object count, highest TLP.
    pub manifest: String,
    /// `bundle.sig`: base64 Ed25519 signature over the manifest's bytes.
    pub signature: String,
}

/// Exports a signed bundle of a collection for one partner, as a download.
#[utoipa::path(post, path = "/api/v1/bundles/export", tag = "exchange",
    request_body(content = BundleExportDto, content_type = "application/json"),
    responses(
        (status = 200, description = "The signed bundle (an attachment)", body = BundleFilesDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators export bundles", body = ErrorDto),
        (status = 404, description = "No such collection or partner", body = ErrorDto),
        (status = 422, description = "A problem, located by a JSON pointer", body = ErrorDto),
        (status = 503, description = "The server has no bundle signing key (`serve --bundle-key`)", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn export(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::Bundles)?;
    let wanted: BundleExportDto = body(&app, request).await?;
    let Some(key) = app.bundle_key.clone() else {
        return Err(RestError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_bundle_key",
            "this server has no bundle signing key (serve --bundle-key); use `meridian bundle export`",
        ));
    };
    let partner = wanted.partner.clone();
    let exported = run(&app, move |store| {
        let request = app::bundles::ExportRequest {
            collection: &wanted.collection,
            partner: &wanted.partner,
            signing_key: &key,
            signer: wanted.signer.as_deref().unwrap_or("meridian"),
        };
        Ok(app::bundles::export(store, &actor, &request, &())?)
    })
    .await?;
    let text = |bytes: Vec<u8>, file: &str| {
        String::from_utf8(bytes).map_err(|_| {
            RestError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("the exported {file} is not UTF-8"),
            )
        })
    };
    let files = BundleFilesDto {
        bundle: text(exported.bundle, app::bundles::BUNDLE_FILE)?,
        manifest: text(exported.manifest, app::bundles::MANIFEST_FILE)?,
        signature: exported.signature,
    };
    let mut response = Json(files).into_response();
    let disposition = format!("attachment; filename=\"bundle-{partner}.json\"");
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(crate::error::ApiError::internal)?,
    );
    Ok(response)
}

/// A partner's signed bundle to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleImportDto {
    /// The partner that signed it (its public key verifies the signature).
    pub from: String,
    /// The local collection to store the objects in.
    pub collection: String,
    /// Who this hub is to the signer: the partner id the bundle was exported for.
    #[serde(rename = "as")]
    #[schema(rename = "as")]
    pub me: String,
    /// Refuse bundles whose manifest is older than this many days (default 30).
    pub max_age_days: Option<u32>,
    pub bundle: String,
    pub manifest: String,
    pub signature: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleImportedDto {
    /// The SHA-256 of the bundle.
    pub sha256: String,
    pub signer: String,
    pub created: String,
    /// When the same bundle was imported before, what was remembered of it: nothing was done.
    pub replay_of: Option<String>,
    pub objects: u64,
    pub added: u64,
    pub duplicates: u64,
}

/// Verifies a partner's signed bundle and stores its objects, all or nothing.
#[utoipa::path(post, path = "/api/v1/bundles/import", tag = "exchange",
    request_body(content = BundleImportDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Imported (or a replay: nothing done)", body = BundleImportedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Only administrators import bundles", body = ErrorDto),
        (status = 409, description = "The partner has no public key", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Refused (bad signature, hash, manifest or object), naming the file; nothing imported", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(app): State<AppState>,
    Caller(actor): Caller,
    request: Body,
) -> Result<Json<BundleImportedDto>, RestError> {
    authorize(&actor, Action::Bundles)?;
    let given: BundleImportDto = body(&app, request).await?;
    let max_age_days = given
        .max_age_days
        .unwrap_or(exchange::bundle::DEFAULT_MAX_AGE_DAYS);
    if max_age_days == 0 {
        return Err(RestError::invalid(
            "invalid",
            vec![ProblemDto {
                pointer: "/max_age_days".to_owned(),
                message: "must be at least 1".to_owned(),
            }],
        ));
    }
    let imported = run(&app, move |store| {
        let request = app::bundles::ImportRequest {
            partner: &given.from,
            collection: &given.collection,
            me: &given.me,
            max_age_days,
            manifest: given.manifest.as_bytes(),
            signature: given.signature.as_bytes(),
            bundle: given.bundle.as_bytes(),
        };
        Ok(app::bundles::import(store, &actor, &request)?)
    })
    .await?;
    Ok(Json(BundleImportedDto {
        sha256: imported.sha256,
        signer: imported.manifest.signer,
        created: imported.manifest.created,
        replay_of: imported.replay_of,
        objects: imported.objects as u64,
        added: imported.added,
        duplicates: imported.duplicates,
    }))
}
