//! What every request passes before its handler (see [`crate::app`]):
//!
//! - the failed-authentication throttle: a client IP with too many 401s within
//!   [`crate::AUTH_WINDOW`] is answered 429 with `Retry-After` until the window ends;
//! - identifiers and query values with control characters (NUL above all: PostgreSQL cannot
//!   store or compare it) are refused with 400 naming the parameter, before any store work.
//!
//! JSON bodies are checked by their handlers with [`nul_pointer`] (422 naming the JSON pointer),
//! since only they read the body.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::error::ApiError;
use crate::rest::RestError;

pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let rest = request.uri().path().starts_with("/api/");
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    if let Some(ip) = ip
        && let Some(seconds) = app.throttle.retry_after(ip)
    {
        let message =
            format!("too many failed authentications from {ip}; try again in {seconds} s");
        let mut response = refuse(
            rest,
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failures",
            message,
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    if let Some(problem) =
        control_in_path(request.uri().path()).or_else(|| control_in_query(request.uri().query()))
    {
        return refuse(rest, StatusCode::BAD_REQUEST, "bad_request", problem);
    }
    let presented = request.headers().contains_key(header::AUTHORIZATION);
    let response = next.run(request).await;
    if presented
        && response.status() == StatusCode::UNAUTHORIZED
        && let Some(ip) = ip
    {
        app.throttle.failed(ip);
    }
    response
}

/// The error in the form of the route: a TAXII error object, or the REST API's `{code, message}`.
fn refuse(rest: bool, status: StatusCode, code: &'static str, message: String) -> Response {
    if rest {
        RestError::new(status, code, message).into_response()
    } else {
        let title = status.canonical_reason().unwrap_or("Bad Request");
        ApiError::new(status, title, message).into_response()
    }
}

/// The first control character of `text`, with its byte offset.
fn control(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| c.is_control())
}

/// The name of the path parameter after `previous` (the literal segment before it).
fn parameter(previous: &str, index: usize) -> String {
    match previous {
        "collections" => "collection id".to_owned(),
        "objects" => "object id".to_owned(),
        "status" => "status id".to_owned(),
        "notifications" => "notification id".to_owned(),
        _ => format!("path segment {index}"),
    }
}

/// Percent-decodes one path segment (lossy: invalid UTF-8 is left to the handlers' extractors).
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits: at most 0xff.
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(u8::MAX));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn control_in_path(path: &str) -> Option<String> {
    if !path.contains('%') && control(path).is_none() {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    segments.iter().enumerate().find_map(|(i, raw)| {
        let decoded = decode(raw);
        let (at, c) = control(&decoded)?;
        let previous = i.checked_sub(1).map_or("", |p| segments[p]);
        Some(format!(
            "{}: {decoded:?} has a control character (U+{:04X}) at byte {at}; identifiers are printable text",
            parameter(previous, i),
            u32::from(c)
        ))
    })
}

fn control_in_query(query: Option<&str>) -> Option<String> {
    let query = query?;
    // Malformed query strings are the handlers' to report.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.iter().find_map(|(key, value)| {
        if let Some((at, c)) = control(key) {
            return Some(format!(
                "query parameter {key:?}: its name has a control character (U+{:04X}) at byte {at}",
                u32::from(c)
            ));
        }
        let (at, c) = control(value)?;
        Some(format!(
            "query parameter {key}: {value:?} has a control character (U+{:04X}) at byte {at}",
            u32::from(c)
        ))
    })
}

/// The JSON pointer (RFC 6901) of the first string, or object key, holding a NUL character in
/// a JSON text; `None` when there is none (or the text is not JSON: its parser reports that).
/// Texts without the escape `\u0000` are answered without parsing.
pub fn nul_pointer(text: &[u8]) -> Option<String> {
    // A NUL can only be written `\u0000` in JSON (raw control characters are invalid).
    if !text.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(text).ok()?;
    let mut pointer = String::new();
    find_nul(&value, &mut pointer).then_some(pointer)
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn find_nul(value: &Value, pointer: &mut String) -> bool {
    let len = pointer.len();
    match value {
        Value::String(s) => return s.contains('\0'),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push('/');
                pointer.push_str(&i.to_string());
                if find_nul(item, pointer) {
                    return true;
                }
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                pointer.push('/');
                pointer.push_str(&escape(key));
                if key.contains('\0') || find_nul(item, pointer) {
                    return true;
                }
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_pointers() {
        assert_eq!(nul_pointer(br#"{"a":"b"}"#), None);
        assert_eq!(nul_pointer(br#"{"a":"b\\u0000"}"#), None);
        assert_eq!(
            nul_pointer(br#"{"objects":[{},{"x/y":["ok","a\u0000b"]}]}"#).as_deref(),
            Some("/objects/1/x~1y/1")
        );
        assert_eq!(nul_pointer(br#"{"k\u0000":1}"#).as_deref(), Some("/k\u{0}"));
        assert_eq!(nul_pointer(br#"["\u0000""#), None);
    }

    #[test]
    fn control_characters_in_paths_and_queries() {
        assert_eq!(
            control_in_path("/taxii2/hub/collections/c/objects/x/"),
            None
        );
        let found = control_in_path("/taxii2/hub/collections/c/objects/x%00/").unwrap_or_default();
        assert!(found.starts_with("object id: "), "{found}");
        let found = control_in_path("/taxii2/hub/status/abc%0a/").unwrap_or_default();
        assert!(found.starts_with("status id: "), "{found}");
        assert_eq!(control_in_path("/a/%zz/%"), None);
        let found = control_in_query(Some("limit=1&match%5Bid%5D=%00")).unwrap_or_default();
        assert!(found.starts_with("query parameter match[id]: "), "{found}");
        assert_eq!(control_in_query(Some("match[type]=indicator")), None);
    }
}
