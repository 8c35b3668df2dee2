//! The REST API's OpenAPI 3.1 document, generated from the handlers' annotations
//! (`GET /api/v1/openapi.json`), and a reference page rendered from it by this module
//! (`GET /api/v1/docs`): plain HTML, no script, nothing loaded from elsewhere, served under a
//! `Content-Security-Policy` that allows only its own inline style.

use std::fmt::Write as _;

use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "meridian_session";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meridian REST API",
        description = "The atlas, analyses, intel and exchange of a Meridian installation. \
            Errors are `{\"code\", \"message\", \"errors\"}`; lists are pages `{\"items\", \"next\"}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        super::atlas::search,
        super::atlas::show,
        super::atlas::stats,
        super::atlas::import,
        super::atlas::export,
        super::exchange::partners,
        super::exchange::add_partner,
        super::exchange::partner,
        super::exchange::issue_partner_token,
        super::exchange::revoke_partner_tokens,
        super::exchange::set_partner_key,
        super::exchange::collections,
        super::exchange::add_collection,
        super::exchange::agreements,
        super::exchange::add_agreement,
        super::exchange::remove_agreement,
        super::exchange::settings,
        super::exchange::set_settings,
        super::users::users,
        super::users::add_user,
        super::users::user,
        super::users::disable_user,
        super::users::set_password,
        super::users::issue_token,
        super::users::revoke_token,
        super::users::audit,
        super::users::verify,
        super::coordination::notifications,
        super::coordination::send,
        super::coordination::report,
        super::coordination::advance,
        super::coordination::incidents,
        super::coordination::add_incident,
        super::coordination::import_incidents,
        super::coordination::remotes,
        super::coordination::add_remote,
        super::coordination::remove_remote,
        super::analysis::stored_rank,
        super::analysis::store_rank,
        super::analysis::explain,
        super::analysis::history,
        super::analysis::summary,
        super::analysis::spof,
        super::analysis::exposure,
        super::analysis::cascade,
        super::analysis::montecarlo,
        super::analysis::contingency,
        super::analysis::iim_static,
        super::analysis::iim,
        super::analysis::percolation,
        super::intel::documents,
        super::intel::original,
        super::intel::import,
        super::intel::findings,
        super::intel::false_positive,
        super::intel::unmark,
        super::intel::confirm,
        super::intel::unconfirm,
        super::intel::exposure,
        super::feeds::list,
        super::feeds::add,
        super::feeds::remove,
        super::feeds::sync,
        super::cvd::cases,
        super::cvd::case,
        super::cvd::create,
        super::cvd::advance,
        super::cvd::revise,
        super::cvd::csaf,
        super::alerts::alerts,
        super::alerts::alert,
        super::alerts::create,
        super::alerts::csaf,
        super::objects::objects,
        super::objects::publish,
        super::federation::sync,
        super::scenarios::scenarios,
        super::scenarios::scenario,
        super::scenarios::save,
        super::scenarios::remove,
        super::scenarios::run_saved,
        super::scenarios::run_given,
        super::bundles::export,
        super::bundles::import,
        super::jobs::list,
        super::jobs::cancel,
        super::jobs::show,
        crate::api::notifications,
        crate::api::acknowledge,
        crate::api::mitigate,
        crate::api::exploited,
        crate::api::incidents,
        super::register::records,
        super::register::record,
        super::register::add_record,
        super::register::edit_record,
        super::register::remove_record,
        super::register::import_records,
        super::register::flags,
        super::register::run_deconfliction,
        super::register::resolve,
        super::register::measure_values,
        super::register::measure,
        super::register::review,
        super::register::targets,
        super::register::set_target,
        super::register::import_plan,
        super::session::whoami,
        super::session::login,
        super::session::logout,
    ),
    modifiers(&Security),
    tags(
        (name = "atlas", description = "Assets, dependencies and their statistics"),
        (name = "exchange", description = "Administering the exchange: partners, their tokens and keys, collections, agreements, settings"),
        (name = "users", description = "Users, their passwords and API tokens; the audit log"),
        (name = "coordination", description = "The installation's notifications and incidents; federation remotes"),
        (name = "analysis", description = "The priority ranking, stored and explained, and the analyses of the atlas"),
        (name = "intel", description = "Intel documents, vulnerability findings with SSVC, false positives"),
        (name = "jobs", description = "Long work run in the background (`?async=true`): its state, progress and outcome"),
        (name = "register", description = "The coordination register: records, deconfliction flags, the Measures of Effectiveness and the quarterly review"),
        (name = "session", description = "Logging in and out; who am I"),
        (name = "partners", description = "What partner CSIRTs do: their notifications and incident reports"),
    )
)]
pub struct ApiDoc;

/// Adds the security schemes: a bearer token (a user's or a partner's API token) and the
/// session cookie of a login.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session of `POST /api/v1/session`; writes also need `X-CSRF-Token`",
            ))),
        );
    }
}

/// The document as JSON.
pub fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).expect("an OpenAPI document serialises to JSON")
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(|| async { Json(document()) }))
        .route("/api/v1/docs", get(docs))
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}\
code,pre{background:#f4f4f4}section{border-top:1px solid #ccc;margin-top:1rem}\
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}";

async fn docs() -> Response {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut response = Html(render(&document())).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&policy).expect("the policy is ASCII"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A schema in a few words: `Page_AssetDto`, `array of string`, `string | null`.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(parts)) = schema.get(combinator) {
            return parts
                .iter()
                .map(schema_name)
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => esc(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(esc)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    };
    match schema.get("items") {
        Some(items) => format!("{kind} of {}", schema_name(items)),
        None => kind,
    }
}

/// The reference page of `doc`: operations grouped by tag (parameters, request body,
/// responses), then every schema with its properties.
pub fn render(doc: &Value) -> String {
    let info = &doc["info"];
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{STYLE}</style></head><body><h1>{title} {version}</h1><p>{description}</p>\
         <p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> \
         (OpenAPI {openapi}).</p>",
        title = esc(text(info, "title")),
        version = esc(text(info, "version")),
        description = esc(text(info, "description")),
        openapi = esc(text(doc, "openapi")),
    );
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    for tag in doc["tags"].as_array().into_iter().flatten() {
        let name = text(tag, "name");
        let _ = write!(
            html,
            "<section><h2>{}</h2><p>{}</p>",
            esc(name),
            esc(text(tag, "description"))
        );
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap_or(&empty) {
                let tagged = op["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == name));
                if tagged {
                    operation(&mut html, method, path, op);
                }
            }
        }
        html.push_str("</section>");
    }
    html.push_str("<section><h2>Schemas</h2>");
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap_or(&empty) {
        let _ = write!(
            html,
            "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>",
            esc(name),
            esc(text(schema, "description"))
        );
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match schema["properties"].as_object() {
            Some(properties) => {
                html.push_str(
                    "<table><tr><th>property</th><th>type</th><th>required</th><th>description</th></tr>",
                );
                for (property, value) in properties {
                    let _ = write!(
                        html,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(property),
                        schema_name(value),
                        if required.contains(&property.as_str()) {
                            "yes"
                        } else {
                            "no"
                        },
                        esc(text(value, "description"))
                    );
                }
                html.push_str("</table>");
            }
            None => {
                let _ = write!(html, "<p>{}</p>", schema_name(schema));
            }
        }
    }
    html.push_str("</section></body></html>");
    html
}

/// One operation: method, path, summary, parameters, request body and responses.
fn operation(html: &mut String, method: &str, path: &str, op: &Value) {
    let _ = write!(
        html,
        "<h3><code>{} {}</code></h3><p>{}</p><p>{}</p>",
        esc(&method.to_uppercase()),
        esc(path),
        esc(text(op, "summary")),
        esc(text(op, "description"))
    );
    if let Some(parameters) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str(
            "<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>",
        );
        for p in parameters {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(text(p, "name")),
                esc(text(p, "in")),
                schema_name(&p["schema"]),
                if p["required"] == true { "yes" } else { "no" },
                esc(text(p, "description"))
            );
        }
        html.push_str("</table>");
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                html,
                "<p>Request body ({}): {}</p>",
                esc(media),
                schema_name(&body["schema"])
            );
        }
    }
    html.push_str("<table><tr><th>status</th><th>meaning</th><th>body</th></tr>");
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        let body = response["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map(|b| schema_name(&b["schema"]))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(status),
            esc(text(response, "description")),
            body
        );
    }
    html.push_str("</table>");
}
