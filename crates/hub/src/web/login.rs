//! Log in and log out: the REST API's session (cookie HttpOnly, SameSite=Strict) opened from
//! an HTML form.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Viewer, WebError, layout};
use crate::AppState;
use crate::rest::session::{close_session, cookie_session, open_session};

#[derive(Default, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after logging in: a path of this site only (never another origin).
fn local(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_owned())
}

fn login_page(next: &str, name: &str, problem: Option<&str>) -> Markup {
    layout::bare(
        "Log in",
        html! {
            @if let Some(problem) = problem {
                div.error-summary role="alert" { h2 { "There is a problem" } p { (problem) } }
            }
            form.stack method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label for="name" { "User name" }
                input #name name="name" type="text" autocomplete="username" required value=(name);
                label for="password" { "Password" }
                input #password name="password" type="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
            p.hint { "No account? An administrator adds one with " code { "meridian user add NAME --role ROLE" } "." }
        },
    )
}

/// The login form (or, with a live session, straight on).
pub async fn form(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let next = local(super::query::<Next>(raw.as_deref())?.next);
    if cookie_session(&app, &headers).await?.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(login_page(&next, "", None).into_response())
}

#[derive(Deserialize)]
pub struct Login {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Logs in: sets the session cookie and goes on to `next`; the form again with the reason on a
/// refusal (the same words as the REST API).
pub async fn submit(
    State(app): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(p)| p.ip().to_string());
    let bytes = axum::body::to_bytes(request.into_body(), 64 << 10)
        .await
        .map_err(|_| {
            WebError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the form is too large".to_owned(),
            )
        })?;
    let login: Login = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
        WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, format!("the form: {e}"))
    })?;
    let next = local(login.next);
    if login.name.trim().is_empty() || login.password.is_empty() {
        let page = login_page(
            &next,
            &login.name,
            Some("Enter your user name and password."),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let name = login.name.clone();
    match open_session(&app, login.name, login.password, client).await {
        Ok(opened) => {
            let mut response = Redirect::to(&next).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, opened.cookie);
            Ok(response)
        }
        Err(e) if e.status.is_client_error() => {
            let page = login_page(&next, &name, Some(&e.message));
            Ok((e.status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Logs out (a form with the CSRF token): ends the session, clears the cookie, back to the
/// login page.
pub async fn logout(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let _: super::Empty = viewer.form(&app, body).await?;
    let cleared = close_session(&app, viewer.secret).await?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(header::SET_COOKIE, cleared);
    Ok(response)
}
