//! `user …`: the installation's users and their API tokens. The rules live in `app::users`;
//! this module parses, reads passwords and prints. The command line acts as the local
//! administrator.

use std::io::{IsTerminal, Read};

use anyhow::{Context, bail};
use app::users::{self, NewUser, TokenInfo, UserInfo};
use app::{Actor, Role};
use clap::Subcommand;
use serde_json::{Value, json};

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input with `--password-stdin`, else
    /// asked twice on the terminal.
    Add {
        /// 1 to 64 characters a-z, 0-9, '.', '_' or '-' (taken in lower case).
        name: String,
        /// admin, analyst, coordinator or partner.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The partner CSIRT of a partner user.
        #[arg(long)]
        partner: Option<String>,
        /// Read the password from standard input (its trailing newline dropped).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every user.
    List,
    /// One user and its tokens (ids and labels; a token itself is shown only when issued).
    Show {
        /// The user's name.
        name: String,
    },
    /// Disable a user: its sessions end, its password and tokens stop working.
    Disable {
        /// The user's name.
        name: String,
    },
    /// Set a new password; the user's sessions end.
    Passwd {
        /// The user's name.
        name: String,
        /// Read the password from standard input (its trailing newline dropped).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Issue an API token (printed once; only its argon2 hash is kept), or revoke one with
    /// `--revoke ID`.
    Token {
        /// The user's name.
        name: String,
        /// What the token is for (`ci`, `laptop`).
        #[arg(long, default_value = "", conflicts_with = "revoke")]
        label: String,
        /// Revoke the token with this id instead (see `user show`).
        #[arg(long, value_name = "ID")]
        revoke: Option<String>,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected admin, analyst, coordinator or partner".to_owned())
}

pub fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::local();
    let mut store = config.open_store()?;
    match command {
        UserCommand::Add {
            name,
            role,
            partner,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let new = NewUser {
                name,
                role,
                partner,
                password,
            };
            let user = users::add(&mut store, &actor, new)?;
            if config.json {
                return output::json(&user_json(&user));
            }
            output::note(
                config.quiet,
                format!("user {} added ({})", user.name, user.role),
            );
        }
        UserCommand::List => {
            let users = users::list(&mut store, &actor)?;
            if config.json {
                return output::json(&users.iter().map(user_json).collect::<Vec<_>>());
            }
            output::table(
                &["name", "role", "partner", "status", "created"],
                users.iter().map(|u| {
                    vec![
                        u.name.clone(),
                        u.role.to_string(),
                        u.partner.clone().unwrap_or_default(),
                        status(u).to_owned(),
                        u.created_at.clone(),
                    ]
                }),
            );
        }
        UserCommand::Show { name } => {
            let detail = users::show(&mut store, &actor, &name)?;
            if config.json {
                let mut value = user_json(&detail.user);
                value["tokens"] = detail.tokens.iter().map(token_json).collect();
                return output::json(&value);
            }
            let user = &detail.user;
            outln!("user: {}", user.name);
            outln!("role: {}", user.role);
            if let Some(partner) = &user.partner {
                outln!("partner: {partner}");
            }
            outln!("status: {}", status(user));
            outln!("created: {}", user.created_at);
            if detail.tokens.is_empty() {
                outln!("tokens: none");
            } else {
                output::table(
                    &["token", "label", "created", "last used", "revoked"],
                    detail.tokens.iter().map(|t| {
                        vec![
                            t.id.clone(),
                            t.label.clone(),
                            t.created_at.clone(),
                            t.last_used_at.clone().unwrap_or_default(),
                            t.revoked_at.clone().unwrap_or_default(),
                        ]
                    }),
                );
            }
        }
        UserCommand::Disable { name } => {
            users::disable(&mut store, &actor, &name)?;
            output::note(config.quiet, format!("user {name} disabled"));
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            users::set_password(&mut store, &actor, &name, &password)?;
            output::note(config.quiet, format!("password of {name} set"));
        }
        UserCommand::Token {
            name,
            revoke: Some(id),
            ..
        } => {
            users::revoke_token(&mut store, &actor, &name, &id)?;
            output::note(config.quiet, format!("token {id} of {name} revoked"));
        }
        UserCommand::Token {
            name,
            label,
            revoke: None,
        } => {
            let issued = users::issue_token(&mut store, &actor, &name, &label)?;
            if config.json {
                return output::json(&json!({
                    "user": issued.user,
                    "id": issued.id,
                    "token": issued.token,
                }));
            }
            outln!("{}", issued.token);
            output::note(
                config.quiet,
                format!(
                    "token {} issued; it is shown once, Meridian keeps only its argon2 hash",
                    issued.id
                ),
            );
        }
    }
    Ok(())
}

fn status(user: &UserInfo) -> &'static str {
    if user.disabled { "disabled" } else { "active" }
}

fn user_json(user: &UserInfo) -> Value {
    json!({
        "name": user.name,
        "role": user.role.as_str(),
        "partner": user.partner,
        "disabled": user.disabled,
        "created_at": user.created_at,
    })
}

fn token_json(token: &TokenInfo) -> Value {
    json!({
        "id": token.id,
        "label": token.label,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    })
}

/// The password from standard input (`--password-stdin`), or asked twice on the terminal
/// without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from standard input")?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        return Ok(line.strip_suffix('\r').unwrap_or(line).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no password: pass --password-stdin to read it from standard input");
    }
    let first = rpassword::prompt_password("password: ").context("reading the password")?;
    let second = rpassword::prompt_password("password again: ").context("reading the password")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}
