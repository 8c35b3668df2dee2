//! Intel over REST (all through [`app::intel`]): the stored documents and importing one, the
//! findings with their SSVC decisions (filtered, sorted, paged), and marking and unmarking
//! false positives and confirmed candidates.
//! Partners are refused (403). Findings are computed on the blocking pool.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::jobs::{AsyncParams, JobDto, Mode, respond};
use super::session::Caller;
use super::{ErrorDto, Paging, ProblemDto, RestError, authorize, query, run};
use crate::AppState;
use app::authz::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/intel/documents", get(documents).post(import))
        .route("/api/v1/intel/documents/{id}/original", get(original))
        .route("/api/v1/findings", get(findings))
        .route("/api/v1/intel/exposure", get(exposure))
        .route(
            "/api/v1/findings/false-positives",
            post(false_positive).delete(unmark),
        )
        .route(
            "/api/v1/findings/confirmations",
            post(confirm).delete(unconfirm),
        )
}

/// A stored intel document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: i64,
    /// `kev`, `cve`, `epss`, `csaf`, `cyclonedx`, `spdx`, `openvex`, `osv`.
    pub kind: String,
    /// Where it came from (a file, a URL, `rest:` and the name given).
    pub source: String,
    pub sha256: String,
    pub imported_at: String,
    /// The assets an SBOM is attached to.
    pub attached_to: Vec<String>,
}

/// The stored intel documents, in import order.
#[utoipa::path(get, path = "/api/v1/intel/documents", tag = "intel",
    responses(
        (status = 200, description = "Every stored document", body = Vec<DocumentDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read intel", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn documents(
    State(app): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<DocumentDto>>, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let rows = run(&app, |store| Ok(app::intel::documents(store)?)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| DocumentDto {
                id: d.id,
                kind: d.kind,
                source: d.source,
                sha256: d.sha256,
                imported_at: d.imported_at,
                attached_to: d.attached_to,
            })
            .collect(),
    ))
}

/// An imported document's bytes exactly as imported (BOM, whitespace and key order kept).
#[utoipa::path(get, path = "/api/v1/intel/documents/{id}/original", tag = "intel",
    params(("id" = i64, Path, description = "The document id")),
    responses(
        (status = 200, description = "The original bytes (`application/json`, or `text/csv` for EPSS)", body = String),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read intel", body = ErrorDto),
        (status = 404, description = "No such document", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn original(
    State(app): State<AppState>,
    Caller(actor): Caller,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let (media_type, bytes) = run(&app, move |store| {
        Ok(app::intel::original(store, id, &actor)?)
    })
    .await?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(media_type),
    );
    Ok(response)
}

/// The query of `POST /api/v1/intel/documents`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The document's name, kept as its provenance `rest:NAME` (default `rest:document`).
    pub name: Option<String>,
    /// Attach the SBOM (CycloneDX or SPDX) to this asset.
    pub asset: Option<String>,
}

/// An imported document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedDto {
    pub id: i64,
    pub kind: String,
    /// What the document is (`KEV 2025.08.25`, `CSAF ICSA-…`).
    pub document: String,
    /// `created`, or `unchanged` when the same bytes were stored before.
    pub status: String,
    pub asset: Option<String>,
    /// Newly attached to the asset.
    pub attached: bool,
    /// Problems tolerated and skipped.
    pub warnings: u64,
}

impl From<app::intel::ImportRow> for ImportedDto {
    fn from(r: app::intel::ImportRow) -> ImportedDto {
        ImportedDto {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            document: r.document,
            status: r.status.to_owned(),
            asset: r.asset,
            attached: r.attached,
            warnings: r.warnings as u64,
        }
    }
}

/// Imports one intel document (KEV, CVE 5, EPSS, CSAF, CycloneDX, SPDX, OpenVEX, OSV; detected from
/// its content), validated before anything is stored.
#[utoipa::path(post, path = "/api/v1/intel/documents", tag = "intel", params(ImportParams, AsyncParams),
    request_body(content = String, content_type = "application/json",
        description = "The document's bytes (JSON, or CSV for EPSS)"),
    responses(
        (status = 200, description = "Stored, or already stored", body = ImportedDto),
        (status = 202, description = "Runs as a job (`?async=true`, or past the server's synchronous wait); `Location` is the job", body = JobDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to import intel (partners never are)", body = ErrorDto),
        (status = 404, description = "No such asset to attach to", body = ErrorDto),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorDto),
        (status = 422, description = "Not a document Meridian reads; the problem names where", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
    mode: Mode,
    body: Body,
) -> Result<Response, RestError> {
    authorize(&actor, Action::ImportIntel)?;
    let params: ImportParams = query(raw.as_deref())?;
    let bytes = super::body_bytes(&app, body).await?;
    let source = format!("rest:{}", params.name.as_deref().unwrap_or("document"));
    respond(
        &app,
        actor,
        mode,
        "intel_import",
        Action::ImportIntel,
        move |store, progress, actor| {
            let mut rows = app::intel::import_documents(
                store,
                vec![(source, bytes.to_vec())],
                params.asset.as_deref(),
                progress,
                actor,
            )?;
            let r = rows.pop().ok_or_else(|| {
                RestError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the import reported no document",
                )
            })?;
            Ok(ImportedDto::from(r))
        },
    )
    .await
}

/// The query of `GET /api/v1/findings`; every filter given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingParams {
    /// Only this asset's findings.
    pub asset: Option<String>,
    /// Only this CVE.
    pub cve: Option<String>,
    /// Only this SSVC decision: `Track`, `Track*`, `Attend` or `Act`.
    pub decision: Option<String>,
    /// Only findings in (true) or not in (false) the KEV catalog.
    pub kev: Option<bool>,
    /// Only findings on foreign (true) or domestic (false) assets.
    pub foreign: Option<bool>,
    /// Only findings on assets in this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Only findings at least this confident, 0 to 1.
    pub min_confidence: Option<f32>,
    /// Only findings in this state: `checked` (a version checked), `candidate` (no version
    /// checked: no decision, not counted in exposure) or `confirmed` (a candidate an analyst
    /// confirmed).
    pub state: Option<String>,
    /// Also findings suppressed by VEX / CSAF and false positives.
    pub all: Option<bool>,
    /// `urgency` (default: most urgent decision first), `asset`, `cve` or `epss`.
    pub sort: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// Where each SSVC input comes from: `KEV`, `CISA ADP KEV`, `incident`, `CISA ADP vote`,
/// `analysis impact` or `missing`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsvcSourcesDto {
    pub exploitation: String,
    pub automatable: String,
    pub technical_impact: String,
    pub mission_wellbeing: String,
}

/// A CVSS base score: the CVE record's (the newest CVSS version any container gives, the CNA's
/// before an ADP's), else a CSAF advisory's (the cited one first).
#[derive(Debug, Serialize, ToSchema)]
pub struct CvssDto {
    /// `cvssV4_0`, `cvssV3_1`, `cvssV3_0` or `cvssV2_0`.
    pub kind: String,
    pub score: f64,
    pub vector: Option<String>,
    /// Who scored it: the CVE record's container (the CNA's short name, `CISA-ADP`) or the
    /// CSAF advisory's publisher.
    pub provider: String,
}

/// The SSVC decision point values of a finding, where each comes from, and its decision (CISA
/// coordinator table).
#[derive(Debug, Serialize, ToSchema)]
pub struct SsvcDto {
    /// `none`, `public poc`, `active`, or `missing` (see `assumed`).
    pub exploitation: String,
    /// `yes`, `no`, or `missing` (no CISA ADP vote; see `assumed`).
    pub automatable: String,
    /// `partial`, `total`, or `missing` (no CISA ADP vote; see `assumed`).
    pub technical_impact: String,
    /// The asset's single-failure impact.
    pub impact: f64,
    pub mission_wellbeing: String,
    pub sources: SsvcSourcesDto,
    /// The values the decision assumes for the missing inputs (`automatable yes`…).
    pub assumed: Vec<String>,
    /// `Track`, `Track*`, `Attend` or `Act`; null for a candidate (no version checked).
    pub decision: Option<String>,
}

/// A not-affected or fixed VEX / CSAF statement withdrawing a finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionDto {
    /// The statement's document (`VEX …`, `CSAF …`).
    pub by: String,
    /// The VEX justification or CSAF flag label; failing one, the status (`not_affected`,
    /// `known_not_affected`, `fixed`).
    pub justification: String,
    pub impact_statement: Option<String>,
}

/// An `under_investigation` VEX / CSAF statement about a finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigationDto {
    /// The statement's document (`VEX …`, `CSAF …`).
    pub by: String,
    /// Its impact (or action) statement.
    pub note: Option<String>,
}

/// A vulnerability finding: an asset's product or SBOM component matched by an advisory.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    pub asset: String,
    pub foreign: bool,
    /// The vulnerability id: a CVE id, else an OSV record's GHSA or own id (`GO-2022-0123`).
    pub cve: String,
    /// Its other ids (OSV, GHSA, distribution advisories such as `RHSA-2024:4546`).
    pub aliases: Vec<String>,
    /// The product string or SBOM component that matched.
    pub item: String,
    pub origin: String,
    /// The advisory that matched.
    pub source: String,
    pub matched: String,
    pub version: Option<String>,
    pub range: Option<String>,
    /// The advisory's version ranges that cannot be read (as written, `; ` between them),
    /// which left the version unchecked: why a versioned item is a candidate.
    pub unread_range: Option<String>,
    pub rule: String,
    pub confidence: f32,
    /// `checked` (the version was checked against the advisory's range), `candidate` (no
    /// version checked: no SSVC decision, not counted in exposure) or `confirmed` (a candidate
    /// an analyst confirmed).
    pub state: String,
    pub kev_due_date: Option<String>,
    pub epss: Option<f64>,
    /// The EPSS percentile, and the date of the score file (null when it gives none).
    pub epss_percentile: Option<f64>,
    pub epss_date: Option<String>,
    /// The CVE record's CVSS score, else a CSAF advisory's; null when neither gives one.
    pub cvss: Option<CvssDto>,
    /// The CVE record's CWE ids, else a CSAF advisory's.
    pub cwes: Vec<String>,
    pub ssvc: SsvcDto,
    /// The latest VEX / CSAF statement about it, when it withdraws it (not affected, fixed).
    pub suppressed: Option<SuppressionDto>,
    /// The latest VEX / CSAF statement about it, when it is `under_investigation`: the
    /// finding stands.
    pub under_investigation: Option<InvestigationDto>,
    /// The analyst's note, when marked as a false positive.
    pub false_positive: Option<String>,
    /// The analyst's note, when confirmed.
    pub confirmed: Option<String>,
}

impl From<app::intel::FindingRow> for FindingDto {
    fn from(r: app::intel::FindingRow) -> FindingDto {
        FindingDto {
            asset: r.asset,
            foreign: r.foreign,
            cve: r.cve,
            aliases: r.aliases,
            item: r.item,
            origin: r.origin,
            source: r.source,
            matched: r.matched,
            version: r.version,
            range: r.range,
            unread_range: r.unread,
            rule: r.rule.to_owned(),
            confidence: r.confidence,
            state: r.state.as_str().to_owned(),
            kev_due_date: r.kev_due_date,
            epss: r.epss,
            epss_percentile: r.epss_percentile,
            epss_date: r.epss_date,
            cvss: r.cvss.map(|c| CvssDto {
                kind: c.kind,
                score: c.score,
                vector: c.vector,
                provider: c.provider,
            }),
            cwes: r.cwes,
            ssvc: SsvcDto {
                exploitation: r.ssvc.exploitation.to_owned(),
                automatable: r.ssvc.automatable.to_owned(),
                technical_impact: r.ssvc.technical_impact.to_owned(),
                impact: r.ssvc.impact,
                mission_wellbeing: r.ssvc.mission_wellbeing.to_owned(),
                sources: SsvcSourcesDto {
                    exploitation: r.ssvc.sources.exploitation.to_owned(),
                    automatable: r.ssvc.sources.automatable.to_owned(),
                    technical_impact: r.ssvc.sources.technical_impact.to_owned(),
                    mission_wellbeing: r.ssvc.sources.mission_wellbeing.to_owned(),
                },
                assumed: r.ssvc.assumed,
                decision: r.ssvc.decision.map(str::to_owned),
            },
            suppressed: r.suppressed.map(|s| SuppressionDto {
                by: s.by,
                justification: s.justification,
                impact_statement: s.impact_statement,
            }),
            under_investigation: r.under_investigation.map(|i| InvestigationDto {
                by: i.by,
                note: i.note,
            }),
            false_positive: r.false_positive,
            confirmed: r.confirmed,
        }
    }
}

/// A page of findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPageDto {
    /// Findings matching the filters, over every page.
    pub total: u64,
    pub items: Vec<FindingDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// The findings of the atlas against the stored intel, with KEV, EPSS and SSVC; active ones
/// only unless `all`.
#[utoipa::path(get, path = "/api/v1/findings", tag = "intel", params(FindingParams),
    responses(
        (status = 200, description = "A page of findings", body = FindingPageDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read intel", body = ErrorDto),
        (status = 422, description = "An unknown decision, state or order, a bad confidence, limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn findings(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<FindingPageDto>, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let params: FindingParams = query(raw.as_deref())?;
    let paging = Paging {
        limit: params.limit,
        cursor: params.cursor.clone(),
    };
    let mut problems = Vec::new();
    let limit = paging.limit().map_err(|p| problems.push(p)).unwrap_or(0);
    let offset = match paging.after() {
        Ok(None) => 0,
        Ok(Some(after)) => after.parse::<u64>().unwrap_or_else(|_| {
            problems.push(ProblemDto {
                pointer: "/cursor".to_owned(),
                message: "not a cursor this API gave out".to_owned(),
            });
            0
        }),
        Err(p) => {
            problems.push(p);
            0
        }
    };
    let min_confidence = params.min_confidence.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&min_confidence) {
        problems.push(ProblemDto {
            pointer: "/min_confidence".to_owned(),
            message: format!("{min_confidence} is not in [0, 1]"),
        });
    }
    let order = match params.sort.as_deref().map(app::intel::FindingOrder::parse) {
        None => app::intel::FindingOrder::default(),
        Some(Ok(order)) => order,
        Some(Err(e)) => return Err(e.into()),
    };
    if !problems.is_empty() {
        return Err(RestError::invalid("invalid", problems));
    }
    let finding_query = app::intel::FindingQuery {
        asset: params.asset,
        min_confidence,
        all: params.all.unwrap_or(false),
    };
    let filter = app::intel::FindingFilter {
        cve: params.cve,
        decision: params.decision,
        state: params.state,
        kev: params.kev,
        foreign: params.foreign,
        country: params.country,
    };
    let home = super::analysis::home(&app)?;
    let state = app.clone();
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let (total, items) = run(&app, move |store| {
        let all = state.findings.get(store, &state.engines, home, &())?;
        let rows = app::intel::queried(store, &all, &finding_query)?;
        let rows = app::intel::select(store, rows, &filter, order)?;
        let items: Vec<FindingDto> = rows
            .iter()
            .skip(skip)
            .take(limit as usize)
            .map(|&f| FindingDto::from(f.clone()))
            .collect();
        Ok((rows.len() as u64, items))
    })
    .await?;
    let end = offset.saturating_add(items.len() as u64);
    let next = (end < total).then(|| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(end.to_string())
    });
    Ok(Json(FindingPageDto { total, items, next }))
}

/// A finding to mark as a false positive or to confirm.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FalsePositiveDto {
    pub asset: String,
    /// The vulnerability id: `CVE-YYYY-NNNN`, or an OSV id such as `GHSA-…` or `GO-YYYY-NNNN`.
    pub cve: String,
    /// Only the finding from this inventory item; empty or absent: every item of the asset.
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub note: String,
}

/// A stored false-positive or confirmation mark.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedDto {
    pub asset: String,
    pub cve: String,
    pub item: String,
    /// `false_positive` or `confirmed`.
    pub verdict: String,
    pub note: String,
    pub marked_at: String,
    /// `marked`, or `updated` when it was marked so before.
    pub status: String,
}

/// Stores the verdict of the body's finding (`app::intel::mark_finding`).
async fn mark(
    app: AppState,
    actor: app::Actor,
    body: Body,
    verdict: store::Verdict,
) -> Result<Json<MarkedDto>, RestError> {
    authorize(&actor, Action::MarkFalsePositives)?;
    let mark: FalsePositiveDto = super::analysis::json_body(body, 64 * 1024).await?;
    let input = app::intel::FindingMarkInput {
        asset: mark.asset,
        cve: mark.cve,
        item: mark.item,
        note: mark.note,
    };
    let (m, created) = run(&app, move |store| {
        Ok(app::intel::mark_finding(store, verdict, input, &actor)?)
    })
    .await?;
    Ok(Json(MarkedDto {
        asset: m.asset,
        cve: m.cve,
        item: m.item,
        verdict: verdict.as_str().to_owned(),
        note: m.note,
        marked_at: m.marked_at,
        status: if created { "marked" } else { "updated" }.to_owned(),
    }))
}

/// Removes the query's mark of `verdict` (`app::intel::unmark_finding`).
async fn unmark_verdict(
    app: AppState,
    actor: app::Actor,
    raw: Option<String>,
    verdict: store::Verdict,
) -> Result<StatusCode, RestError> {
    authorize(&actor, Action::MarkFalsePositives)?;
    let params: UnmarkParams = query(raw.as_deref())?;
    run(&app, move |store| {
        Ok(app::intel::unmark_finding(
            store,
            verdict,
            &params.asset,
            &params.cve,
            params.item.as_deref().unwrap_or(""),
            &actor,
        )?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a finding (or candidate) as a false positive: hidden from the active findings (and
/// the exposure), across re-imports; replaces a confirmation. Audited as
/// `finding.false_positive`.
#[utoipa::path(post, path = "/api/v1/findings/false-positives", tag = "intel",
    request_body(content = FalsePositiveDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Marked", body = MarkedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to mark false positives (partners never are)", body = ErrorDto),
        (status = 404, description = "No such asset", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Not a vulnerability id, or not the expected object", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn false_positive(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: Body,
) -> Result<Json<MarkedDto>, RestError> {
    mark(app, actor, body, store::Verdict::FalsePositive).await
}

/// Confirms a candidate (a match that checked no version): it takes its SSVC decision and
/// counts in exposure, across re-imports; replaces a false-positive mark. Audited as
/// `finding.confirmed`.
#[utoipa::path(post, path = "/api/v1/findings/confirmations", tag = "intel",
    request_body(content = FalsePositiveDto, content_type = "application/json"),
    responses(
        (status = 200, description = "Confirmed", body = MarkedDto),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to confirm findings (partners never are)", body = ErrorDto),
        (status = 404, description = "No such asset", body = ErrorDto),
        (status = 413, description = "The body is too large", body = ErrorDto),
        (status = 422, description = "Not a vulnerability id, or not the expected object", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn confirm(
    State(app): State<AppState>,
    Caller(actor): Caller,
    body: Body,
) -> Result<Json<MarkedDto>, RestError> {
    mark(app, actor, body, store::Verdict::Confirmed).await
}

/// The query of `DELETE /api/v1/findings/false-positives` and `…/confirmations`: the mark to
/// remove.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmarkParams {
    pub asset: String,
    pub cve: String,
    /// The item the mark names; absent: the mark covering every item of the asset.
    pub item: Option<String>,
}

/// Removes a false-positive mark: the finding is active again. Audited as
/// `finding.false_positive_removed`.
#[utoipa::path(delete, path = "/api/v1/findings/false-positives", tag = "intel", params(UnmarkParams),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to unmark false positives (partners never are)", body = ErrorDto),
        (status = 404, description = "No such mark", body = ErrorDto),
        (status = 422, description = "No asset or CVE given", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn unmark(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<StatusCode, RestError> {
    unmark_verdict(app, actor, raw, store::Verdict::FalsePositive).await
}

/// Removes a confirmation: the finding is a candidate again (when no version is checked).
/// Audited as `finding.confirmation_removed`.
#[utoipa::path(delete, path = "/api/v1/findings/confirmations", tag = "intel", params(UnmarkParams),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Not allowed to unconfirm findings (partners never are)", body = ErrorDto),
        (status = 404, description = "No such confirmation", body = ErrorDto),
        (status = 422, description = "No asset or CVE given", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn unconfirm(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<StatusCode, RestError> {
    unmark_verdict(app, actor, raw, store::Verdict::Confirmed).await
}

/// An asset's exposure: the score the ranking uses, and what it is made of.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetExposureDto {
    pub asset: String,
    /// In [0, 1].
    pub score: f64,
    /// Counted findings on the asset (active, not candidates).
    pub findings: u64,
    /// The most urgent SSVC decision among them.
    pub worst_decision: String,
    /// The highest EPSS probability among them, when any is scored.
    pub epss_max: Option<f64>,
}

/// Every asset with counted findings (active, not candidates) and its exposure score, by asset id.
#[utoipa::path(get, path = "/api/v1/intel/exposure", tag = "intel", params(super::PageParams),
    responses(
        (status = 200, description = "A page of assets, by id", body = super::Page<AssetExposureDto>),
        (status = 401, description = "No valid credentials", body = ErrorDto),
        (status = 403, description = "Partners may not read intel", body = ErrorDto),
        (status = 422, description = "A bad limit or cursor", body = ErrorDto),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn exposure(
    State(app): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<super::Page<AssetExposureDto>>, RestError> {
    authorize(&actor, Action::ReadIntel)?;
    let home = super::analysis::home(&app)?;
    let exposures = run(&app, move |store| {
        Ok(app::intel::with_context(
            store,
            home,
            &(),
            app::intel::asset_exposures,
        )?)
    })
    .await?;
    Ok(Json(super::page_of(
        raw.as_deref(),
        exposures.into_iter().collect(),
        |(asset, _)| asset,
        |(asset, e)| AssetExposureDto {
            asset,
            score: e.score,
            findings: e.findings as u64,
            worst_decision: e.worst_decision,
            epss_max: e.epss_max,
        },
    )?))
}
