//! Admin: the users of the installation and their API tokens ([`app::users`]), and the audit
//! log with the check of its hash chain ([`app::audit`]). Administrators only
//! (`ManageUsers`, `ReadAudit`): every other role is refused every page and every form, even
//! where the use case would let users act on themselves. The use cases authorize and audit
//! every write (`user.add`, `user.disable`, `user.password`, `user.token.issue`,
//! `user.token.revoke`).
//!
//! A token's secret is on the one answer to the form that issues it (never in a URL, a log or
//! a later page; the answer is not cached); a password is never shown back.

use app::authz::Action;
use app::users::{IssuedToken, NewUser, UserDetail, UserInfo};
use app::{Problem, Role};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::layout::{self, Area, Pager, segment};
use super::{Viewer, WebError, given, run};
use crate::AppState;

/// Rows per page of the users and of the audit log.
const PAGE: usize = 50;
/// Object ids shown in an audit entry's cell (the CSV export has them all).
const OBJECTS_SHOWN: usize = 10;

/// The tabs of the admin area.
fn tabs(current: &str) -> Markup {
    html! {
        nav.toc aria-label="Admin" {
            @for (path, name) in [("/admin/users", "Users"), ("/admin/audit", "Audit log")] {
                a href=(path) aria-current=[(path == current).then_some("page")] { (name) }
            }
        }
    }
}

/// The page of the user `name`.
fn user_path(name: &str) -> String {
    format!("/admin/users/{}", segment(name))
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[derive(Default, Deserialize, Serialize)]
pub struct UserParams {
    /// Only users of this role.
    role: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
    /// Set after a change: what happened, with its seal (see [`Viewer::notice`]).
    #[serde(skip_serializing)]
    done: Option<String>,
    #[serde(skip_serializing)]
    seal: Option<String>,
}

/// The fields of the form that adds a user, as typed. `Debug` is not derived: it holds a
/// password.
#[derive(Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    password: String,
}

/// The users, filtered by role, with the form that adds one.
pub async fn users(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ManageUsers)?;
    let params: UserParams = super::query(raw.as_deref())?;
    let role = match given(&params.role) {
        Some(r) => Some(Role::parse(&r).ok_or_else(|| {
            WebError::Status(
                StatusCode::BAD_REQUEST,
                format!("{r:?} is not a role (admin, analyst, coordinator, partner)"),
            )
        })?),
        None => None,
    };
    let actor = viewer.actor.clone();
    let (all, partners) = run(&app, move |store| {
        Ok((
            app::users::list(store, &actor)?,
            app::partners::partners(store)?,
        ))
    })
    .await?;
    let partners: Vec<String> = partners.into_iter().map(|p| p.id).collect();
    let users: Vec<UserInfo> = all
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.role == r))
        .collect();
    let offset = params.offset.unwrap_or(0);
    let page: Vec<&UserInfo> = users.iter().skip(offset).take(PAGE).collect();
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "users",
            &["name", "role", "partner", "disabled", "created"],
            page.iter().map(|u| {
                vec![
                    u.name.clone(),
                    u.role.as_str().to_owned(),
                    u.partner.clone().unwrap_or_default(),
                    yes_no(u.disabled).to_owned(),
                    u.created_at.clone(),
                ]
            }),
        ));
    }
    let form = AddForm {
        role: Role::Analyst.as_str().to_owned(),
        ..AddForm::default()
    };
    let listing = UserList {
        params: &params,
        role,
        users: &users,
        offset,
        page: &page,
    };
    Ok(users_page(
        &viewer,
        &listing,
        &partners,
        &form,
        &[],
        viewer.notice(&params.done, &params.seal).as_deref(),
    )
    .into_response())
}

/// The rows of the users page.
struct UserList<'a> {
    params: &'a UserParams,
    role: Option<Role>,
    users: &'a [UserInfo],
    offset: usize,
    page: &'a [&'a UserInfo],
}

fn users_page(
    viewer: &Viewer,
    list: &UserList<'_>,
    partners: &[String],
    form: &AddForm,
    problems: &[Problem],
    notice: Option<&str>,
) -> Markup {
    let pager = Pager {
        offset: list.offset,
        shown: list.page.len(),
        total: Some(list.users.len()),
        more: list.offset + list.page.len() < list.users.len(),
        limit: PAGE,
    };
    let at = |o: usize| layout::at("/admin/users", list.params, o);
    let content = html! {
        (tabs("/admin/users"))
        @if let Some(done) = notice { div.notice role="status" { (done) } }
        (layout::problems(problems))
        form.filters method="get" action="/admin/users" {
            div.field {
                label for="f-role" { "Role" }
                select #f-role name="role" {
                    option value="" { "any" }
                    @for r in Role::ALL {
                        option value=(r.as_str()) selected[list.role == Some(r)] { (r.as_str()) }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
        @if list.users.is_empty() {
            (layout::empty("No user matches this filter.", "meridian user add --help"))
        } @else {
            (pager.render(at))
            (layout::export(&at(list.offset)))
            table.list {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Partner" }
                    th scope="col" { "Disabled" } th scope="col" { "Created" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for u in list.page {
                        tr {
                            td { a href=(user_path(&u.name)) { code { (u.name) } } }
                            td { (u.role.as_str()) }
                            td { @if let Some(p) = &u.partner { code { (p) } } @else { "–" } }
                            td { (yes_no(u.disabled)) }
                            td { (u.created_at) }
                            td {
                                form.inline method="post" action={ (user_path(&u.name)) "/disable" } {
                                    (layout::csrf(viewer))
                                    a href=(user_path(&u.name)) { "Tokens and password" }
                                    @if !u.disabled && !is_viewer(viewer, &u.name) {
                                        button type="submit" { "Disable" span.hidden { " " (u.name) } "…" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager.render(at))
        }
        h2 #add { "Add a user" }
        (add_form(viewer, partners, form, problems))
    };
    layout::page(viewer, Area::Admin, "Users", content)
}

/// The rules of a password, as the form's hint.
fn password_rules() -> String {
    format!(
        "{} to {} characters; any characters.",
        app::users::MIN_PASSWORD_CHARS,
        app::users::MAX_PASSWORD_CHARS
    )
}

/// A labelled password field (never filled in) with its rules and its problems.
fn password_field(prefix: &str, label: &str, problems: &[Problem]) -> Markup {
    let error = layout::field_problem(problems, "password");
    let id = format!("{prefix}-password");
    let described = if error.is_empty() {
        format!("{id}-hint")
    } else {
        format!("{id}-hint {id}-error")
    };
    html! {
        div.field {
            label for=(id) { (label) }
            span.hint id={ (id) "-hint" } { (password_rules()) }
            @if !error.is_empty() { span.error-message id={ (id) "-error" } { (error) } }
            input id=(id) name="password" type="password" autocomplete="new-password" required
                aria-describedby=(described);
        }
    }
}

fn add_form(viewer: &Viewer, partners: &[String], form: &AddForm, problems: &[Problem]) -> Markup {
    let select_problem = |field: &str| layout::field_problem(problems, field);
    let role_error = select_problem("role");
    let partner_error = select_problem("partner");
    html! {
        form.stack.labelled method="post" action="/admin/users" {
            (layout::csrf(viewer))
            (layout::input("u", "name", "Name", &form.name, "a-z, 0-9, '.', '_' or '-'", problems))
            div.field {
                label for="u-role" { "Role" }
                @if !role_error.is_empty() { span.error-message id="u-role-error" { (role_error) } }
                select #u-role name="role" aria-describedby=[(!role_error.is_empty()).then_some("u-role-error")] {
                    @for r in Role::ALL {
                        option value=(r.as_str()) selected[form.role.eq_ignore_ascii_case(r.as_str())] { (r.as_str()) }
                    }
                }
            }
            div.field {
                label for="u-partner" { "Partner (partner users only, and required for them)" }
                @if !partner_error.is_empty() { span.error-message id="u-partner-error" { (partner_error) } }
                select #u-partner name="partner" aria-describedby=[(!partner_error.is_empty()).then_some("u-partner-error")] {
                    option value="" { "none" }
                    @for p in partners {
                        option value=(p) selected[form.partner == *p] { (p) }
                    }
                }
            }
            (password_field("u", "Password", problems))
            button type="submit" { "Add the user" }
        }
        p.meta { "From the command line: " code { "meridian user add NAME --role ROLE --password-stdin" } }
    }
}

/// Adds the user of the form (audited as `user.add`) and lists the users again, or shows the
/// form again with each problem beside its field (422, or 409 for a taken name), what was typed
/// kept but the password, nothing stored.
pub async fn add(
    State(app): State<AppState>,
    viewer: Viewer,
    body: Body,
) -> Result<Response, WebError> {
    let form: AddForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageUsers)?;
    let role = Role::parse(form.role.trim());
    let added = match role {
        Some(role) => {
            let new = NewUser {
                name: form.name.trim().to_owned(),
                role,
                partner: Some(form.partner.trim().to_owned()).filter(|p| !p.is_empty()),
                password: form.password.clone(),
            };
            let actor = viewer.actor.clone();
            run(&app, move |store| Ok(app::users::add(store, &actor, new))).await?
        }
        None => Err(app::Error::invalid(
            "/role",
            format!(
                "{:?}: expected admin, analyst, coordinator or partner",
                form.role
            ),
        )),
    };
    let (status, problems) = match added {
        Ok(user) => {
            return Ok(viewer
                .noticed(
                    "/admin/users",
                    &[],
                    format!("User {} added as {}.", user.name, user.role.as_str()),
                )
                .into_response());
        }
        Err(app::Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![Problem {
                pointer: "/name".to_owned(),
                message,
            }],
        ),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, layout::invalid(e)?),
    };
    let actor = viewer.actor.clone();
    let (users, partners) = run(&app, move |store| {
        Ok((
            app::users::list(store, &actor)?,
            app::partners::partners(store)?,
        ))
    })
    .await?;
    let partners: Vec<String> = partners.into_iter().map(|p| p.id).collect();
    let params = UserParams::default();
    let page: Vec<&UserInfo> = users.iter().take(PAGE).collect();
    let listing = UserList {
        params: &params,
        role: None,
        users: &users,
        offset: 0,
        page: &page,
    };
    let form = AddForm {
        password: String::new(),
        ..form
    };
    Ok((
        status,
        users_page(&viewer, &listing, &partners, &form, &problems, None),
    )
        .into_response())
}

#[derive(Default, Deserialize)]
pub struct ShowParams {
    /// Set after a change: what happened, with its seal (see [`Viewer::notice`]).
    done: Option<String>,
    seal: Option<String>,
}

/// A user: its fields, its API tokens (never a secret or a hash), the forms that issue and
/// revoke tokens, set its password and disable it.
pub async fn user(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ManageUsers)?;
    let params: ShowParams = super::query(raw.as_deref())?;
    let detail = detail(&app, &viewer, name).await?;
    let done = viewer.notice(&params.done, &params.seal);
    let view = UserView {
        notice: done.as_deref(),
        ..UserView::default()
    };
    Ok(user_page(&viewer, &detail, &view).into_response())
}

async fn detail(app: &AppState, viewer: &Viewer, name: String) -> Result<UserDetail, WebError> {
    let actor = viewer.actor.clone();
    run(app, move |store| app::users::show(store, &actor, &name)).await
}

/// What a user's page shows besides the user.
#[derive(Default)]
struct UserView<'a> {
    notice: Option<&'a str>,
    /// A refusal that is about no field (a disabled user gets no token).
    refusal: Option<&'a str>,
    /// The problems of the password form.
    password: &'a [Problem],
    /// The problems of the token form, and the label typed.
    token: &'a [Problem],
    label: &'a str,
    /// The token just issued: its secret is shown on this answer only.
    issued: Option<&'a IssuedToken>,
}

fn user_page(viewer: &Viewer, detail: &UserDetail, view: &UserView<'_>) -> Markup {
    let u = &detail.user;
    let path = user_path(&u.name);
    let content = html! {
        (tabs("/admin/users"))
        p { a href="/admin/users" { "← All users" } }
        @if let Some(done) = view.notice { div.notice role="status" { (done) } }
        @if let Some(why) = view.refusal {
            div.error-summary role="alert" { h2 { "There is a problem" } p { (why) } }
        }
        (layout::problems(view.password))
        (layout::problems(view.token))
        @if let Some(issued) = view.issued {
            div.notice.secret role="status" {
                h2 { "Token " code { (issued.id) } " issued for " (issued.user) }
                p { strong { "Copy it now: it is not shown again." } " Only its hash is kept; if it is lost, revoke it and issue another." }
                p { code.token { (issued.token) } }
                p.meta { "Send it as " code { "Authorization: Bearer <token>" } "." }
            }
        }
        table.fields {
            tbody {
                tr { th scope="row" { "name" } td { code { (u.name) } } }
                tr { th scope="row" { "role" } td { (u.role.as_str()) } }
                tr { th scope="row" { "partner" } td { @if let Some(p) = &u.partner { code { (p) } } @else { "–" } } }
                tr { th scope="row" { "disabled" } td { (yes_no(u.disabled)) } }
                tr { th scope="row" { "created" } td { (u.created_at) } }
            }
        }
        h2 { "API tokens" }
        @if detail.tokens.is_empty() {
            (layout::empty("This user has no API token.", &format!("meridian user token {}", u.name)))
        } @else {
            p.meta { (layout::count(detail.tokens.len())) " tokens, oldest first" }
            table.list {
                thead { tr {
                    th scope="col" { "Id" } th scope="col" { "Label" } th scope="col" { "Created" }
                    th scope="col" { "Last used" } th scope="col" { "Revoked" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for t in &detail.tokens {
                        tr {
                            td { code { (t.id) } }
                            td { @if t.label.is_empty() { "–" } @else { (t.label) } }
                            td { (t.created_at) }
                            td { (t.last_used_at.as_deref().unwrap_or("never")) }
                            td { (t.revoked_at.as_deref().unwrap_or("no")) }
                            td {
                                @if t.revoked_at.is_none() {
                                    form.inline method="post" action={ (path) "/tokens/" (segment(&t.id)) "/revoke" } {
                                        (layout::csrf(viewer))
                                        button.danger type="submit" { "Revoke" span.hidden { " token " (t.id) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !u.disabled {
            h3 { "Issue a token" }
            form.stack.labelled method="post" action={ (path) "/tokens" } {
                (layout::csrf(viewer))
                (layout::input("t", "label", "Label (what it is for)", view.label, "ci", view.token))
                button type="submit" { "Issue a token" }
            }
        }
        h2 { "Password" }
        form.stack.labelled method="post" action={ (path) "/password" } {
            (layout::csrf(viewer))
            (password_field("p", "New password", view.password))
            button type="submit" { "Set the password" }
        }
        p.meta { "A new password ends the user's sessions." }
        @if is_viewer(viewer, &u.name) {
            p.meta { "This is your own account: another administrator can disable it." }
        } @else if !u.disabled {
            h2 { "Disable" }
            p { "A disabled user can no longer log in; its sessions end and its tokens stop working." }
            form.inline method="post" action={ (path) "/disable" } {
                (layout::csrf(viewer))
                input type="hidden" name="confirm" value="yes";
                button.danger type="submit" { "Disable " (u.name) }
            }
        }
    };
    layout::page(viewer, Area::Admin, &format!("User {}", u.name), content)
}

#[derive(Deserialize)]
pub struct DisableForm {
    /// `yes` once confirmed; without it, the page that asks.
    #[serde(default)]
    confirm: String,
}

/// Whether `name` is the signed-in viewer's own account (which they may not disable).
fn is_viewer(viewer: &Viewer, name: &str) -> bool {
    matches!(&viewer.actor, app::Actor::User { name: me, .. } if me.eq_ignore_ascii_case(name))
}

/// Disables a user once confirmed (audited as `user.disable`); without the confirmation, the
/// page that asks for it.
pub async fn disable(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: DisableForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageUsers)?;
    if form.confirm != "yes" {
        let detail = detail(&app, &viewer, name).await?;
        let u = &detail.user;
        let path = user_path(&u.name);
        let content = html! {
            (tabs("/admin/users"))
            p { "Disable " code { (u.name) } " (" (u.role.as_str()) ")? It can no longer log in; its sessions end and its "
                (layout::count(detail.tokens.iter().filter(|t| t.revoked_at.is_none()).count())) " live tokens stop working." }
            form.inline method="post" action={ (path) "/disable" } {
                (layout::csrf(&viewer))
                input type="hidden" name="confirm" value="yes";
                button.danger type="submit" { "Disable " (u.name) }
                a href="/admin/users" { "Cancel" }
            }
        };
        let title = format!("Disable {}?", u.name);
        return Ok(layout::page(&viewer, Area::Admin, &title, content).into_response());
    }
    let actor = viewer.actor.clone();
    let user = name.clone();
    run(&app, move |store| app::users::disable(store, &actor, &user)).await?;
    // Effective at once on this server (on others within the tokens' recheck), as over REST.
    app.user_tokens.forget_user(&name);
    Ok(viewer
        .noticed(
            "/admin/users",
            &[],
            format!("User {} disabled.", name.to_ascii_lowercase()),
        )
        .into_response())
}

/// The new password. `Debug` is not derived: it is a secret.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Sets a user's password (audited as `user.password`), or shows the user again (422) with the
/// problem beside the field.
pub async fn password(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: PasswordForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageUsers)?;
    let actor = viewer.actor.clone();
    let user = name.clone();
    let set = run(&app, move |store| {
        Ok(app::users::set_password(
            store,
            &actor,
            &user,
            &form.password,
        ))
    })
    .await?;
    match set {
        Ok(()) => Ok(viewer
            .noticed(
                &user_path(&name),
                &[],
                format!("Password of {} set.", name.to_ascii_lowercase()),
            )
            .into_response()),
        Err(e) => {
            let problems = layout::invalid(e)?;
            let detail = detail(&app, &viewer, name).await?;
            let view = UserView {
                password: &problems,
                ..UserView::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                user_page(&viewer, &detail, &view),
            )
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
}

/// Issues a token (audited as `user.token.issue`, by its public id) and answers the user's
/// page with the secret, this once and not cached; or the page with the problem (422, or 409
/// for a disabled user).
pub async fn issue(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, WebError> {
    let form: TokenForm = viewer.form(&app, body).await?;
    viewer.may(Action::ManageUsers)?;
    let actor = viewer.actor.clone();
    let user = name.clone();
    let label = form.label.trim().to_owned();
    let issued = run(&app, move |store| {
        Ok(app::users::issue_token(store, &actor, &user, &label))
    })
    .await?;
    let detail = detail(&app, &viewer, name).await?;
    match issued {
        Ok(issued) => {
            let view = UserView {
                issued: Some(&issued),
                ..UserView::default()
            };
            Ok((
                [(header::CACHE_CONTROL, "no-store")],
                user_page(&viewer, &detail, &view),
            )
                .into_response())
        }
        Err(app::Error::Conflict(why)) => {
            let view = UserView {
                refusal: Some(why.as_str()),
                ..UserView::default()
            };
            Ok((StatusCode::CONFLICT, user_page(&viewer, &detail, &view)).into_response())
        }
        Err(e) => {
            let problems = layout::invalid(e)?;
            let view = UserView {
                token: &problems,
                label: &form.label,
                ..UserView::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                user_page(&viewer, &detail, &view),
            )
                .into_response())
        }
    }
}

/// Revokes a token (audited as `user.token.revoke`): it stops working at once on this server.
pub async fn revoke(
    State(app): State<AppState>,
    viewer: Viewer,
    Path((name, id)): Path<(String, String)>,
    body: Body,
) -> Result<Response, WebError> {
    let _: super::Empty = viewer.form(&app, body).await?;
    viewer.may(Action::ManageUsers)?;
    let actor = viewer.actor.clone();
    let (user, token) = (name.clone(), id.clone());
    run(&app, move |store| {
        app::users::revoke_token(store, &actor, &user, &token)
    })
    .await?;
    app.user_tokens.forget_user(&name);
    Ok(viewer
        .noticed(&user_path(&name), &[], format!("Token {id} revoked."))
        .into_response())
}

#[derive(Default, Deserialize, Serialize)]
pub struct AuditParams {
    /// `user:NAME`, `partner:ID` or `local:NAME`.
    actor: Option<String>,
    /// `user.add`, `cvd.create`, …
    action: Option<String>,
    /// Only entries naming this object id.
    object: Option<String>,
    /// Only entries written on or after this day (`YYYY-MM-DD`, UTC).
    from: Option<String>,
    /// Only entries written on or before this day.
    to: Option<String>,
    offset: Option<usize>,
    /// `csv`: the rows shown, as CSV.
    #[serde(skip_serializing)]
    format: Option<String>,
}

/// The audit log, newest first, filtered by actor, action and object id ([`app::audit::search`]).
pub async fn audit(
    State(app): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    viewer.may(Action::ReadAudit)?;
    let params: AuditParams = super::query(raw.as_deref())?;
    let offset = params.offset.unwrap_or(0);
    let day = |pointer: &str, text: &Option<String>| {
        given(text)
            .map(|t| app::coordination::parse_date(&t).map_err(|m| app::Error::invalid(pointer, m)))
            .transpose()
    };
    let query = app::audit::AuditQuery {
        actor: given(&params.actor),
        action: given(&params.action),
        object: given(&params.object),
        from: day("/from", &params.from)?,
        to: day("/to", &params.to)?,
        offset: offset as u64,
        limit: PAGE as u64,
    };
    let actor = viewer.actor.clone();
    let found = run(&app, move |store| app::audit::search(store, &actor, &query)).await?;
    let total = usize::try_from(found.total).unwrap_or(usize::MAX);
    let page = &found.entries;
    let columns = ["seq", "at", "actor", "action", "object_ids", "hash"];
    if given(&params.format).as_deref() == Some("csv") {
        return Ok(layout::csv(
            "audit",
            &columns,
            page.iter().map(|e| {
                vec![
                    e.seq.to_string(),
                    e.at.clone(),
                    e.actor.clone(),
                    e.action.clone(),
                    e.object_ids.join(" "),
                    e.hash.clone(),
                ]
            }),
        ));
    }
    let pager = Pager {
        offset,
        shown: page.len(),
        total: Some(total),
        more: offset + page.len() < total,
        limit: PAGE,
    };
    let at = |o: usize| layout::at("/admin/audit", &params, o);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let content = html! {
        (tabs("/admin/audit"))
        p.meta { "Every write, newest first: who did what to which objects, each entry sealed by the hash of the one before. Actor, action and object match exactly; the days include both ends." }
        form.filters method="get" action="/admin/audit" {
            div.field {
                label for="f-actor" { "Actor" }
                input #f-actor type="text" name="actor" value=(text(&params.actor)) placeholder="user:NAME";
            }
            div.field {
                label for="f-action" { "Action" }
                input #f-action type="text" name="action" value=(text(&params.action)) placeholder="user.add";
            }
            div.field {
                label for="f-object" { "Object id" }
                input #f-object type="text" name="object" value=(text(&params.object)) placeholder="web-admin";
            }
            div.field {
                label for="f-from" { "From (UTC)" }
                input #f-from type="date" name="from" value=(text(&params.from));
            }
            div.field {
                label for="f-to" { "To (UTC)" }
                input #f-to type="date" name="to" value=(text(&params.to));
            }
            button type="submit" { "Filter" }
        }
        form.inline method="get" action="/admin/audit/verify" {
            button type="submit" { "Verify the chain" }
        }
        @if page.is_empty() {
            (layout::empty("No audit entry matches this filter.", "meridian audit list --help"))
        } @else {
            (pager.render(at))
            (layout::export(&at(offset)))
            table.list.audit {
                thead { tr {
                    th scope="col" { "Seq" } th scope="col" { "At" } th scope="col" { "Actor" }
                    th scope="col" { "Action" } th scope="col" { "Objects" } th scope="col" { "Hash" }
                } }
                tbody {
                    @for e in page {
                        tr {
                            td.num { (e.seq) }
                            td { (e.at) }
                            td { code { (e.actor) } }
                            td { code { (e.action) } }
                            td.objects {
                                @if e.object_ids.is_empty() { "–" }
                                @for (i, id) in e.object_ids.iter().take(OBJECTS_SHOWN).enumerate() { @if i > 0 { ", " } code { (id) } }
                                @if e.object_ids.len() > OBJECTS_SHOWN {
                                    " " span.meta { "and " (layout::count(e.object_ids.len() - OBJECTS_SHOWN)) " more (in the CSV export)" }
                                }
                            }
                            td.hash { code { (e.hash) } }
                        }
                    }
                }
            }
            (pager.render(at))
        }
    };
    Ok(layout::page(&viewer, Area::Admin, "Audit log", content).into_response())
}

/// Recomputes the audit log's hash chain ([`app::audit::verify`]) and says whether it is
/// intact, or where it is first broken.
pub async fn verify(State(app): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.may(Action::ReadAudit)?;
    let found = run(&app, app::audit::verify).await?;
    let content = html! {
        (tabs("/admin/audit"))
        @match &found.broken {
            None => div.notice role="status" {
                p { strong { "The chain is intact: " (found.entries) " entries verified." } }
                @if let Some(head) = &found.head {
                    p { "Head (record it elsewhere to detect a later rewrite of the tail): " code.token { (head) } }
                }
            },
            Some(b) => div.error-summary role="alert" {
                h2 { "The chain is broken" }
                p { "First bad row: seq " (b.seq) " (" (b.tamper.as_str()) "): " (b.detail) }
                p { (found.entries) " entries verified before it." }
            },
        }
        p.meta { "From the command line: " code { "meridian audit verify" } }
        p { a href="/admin/audit" { "← The audit log" } }
    };
    Ok(layout::page(&viewer, Area::Admin, "Audit chain", content).into_response())
}
