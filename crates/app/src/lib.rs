//! Meridian's application layer. Every use case lives here as a typed function over the store
//! and the engines (`graph`, `intel`, `exchange`, `stix`): inputs and outputs are plain Rust
//! types, never command-line arguments or wire JSON. The CLI (`meridian`), the HTTP server
//! (`hub`: TAXII, the REST API) and the web pages are adapters that parse, call one function
//! here and present its result.
//!
//! Who acts is an [`Actor`]: every write names one, and the audit log records it.

pub mod alerts;
pub mod analysis;
pub mod atlas;
pub mod audit;
pub mod authz;
pub mod bundles;
pub mod changes;
pub mod coordination;
pub mod cvd;
pub mod demo;
pub mod federation;
pub mod feeds;
mod held;
pub mod http;
pub mod incidents;
pub mod intel;
pub mod jobs;
pub mod measures;
pub mod notifications;
pub mod partners;
pub mod progress;
pub mod sharing;
pub mod users;

pub use progress::Progress;

use std::fmt;

/// The roles of the installation's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Manages users, partners, agreements, settings; may do everything.
    Admin,
    /// Works the atlas, analyses and intel; drafts alerts and notifications.
    Analyst,
    /// Works the coordination register, partners' notifications and incidents.
    Coordinator,
    /// A partner CSIRT's staff: sees what its agreements and TLP release to the partner.
    Partner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Analyst, Role::Coordinator, Role::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Coordinator => "coordinator",
            Role::Partner => "partner",
        }
    }

    /// Reads a role name, case-insensitively.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who performs a use case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user of the installation. A partner user also names its partner CSIRT.
    User {
        name: String,
        role: Role,
        partner: Option<String>,
    },
    /// A partner CSIRT authenticated by its API token (TAXII, the partner API).
    Partner(String),
    /// The command line on the machine that holds the database: a local administrator named
    /// after the operating-system user.
    Local(String),
}

impl Actor {
    /// The local administrator the CLI acts as: `$USER` (or `$LOGNAME`), else the last
    /// component of `$HOME` (`/root` → `root`), else "unknown".
    pub fn local() -> Actor {
        let var = |v: &str| std::env::var(v).ok().filter(|n| !n.trim().is_empty());
        let name = var("USER")
            .or_else(|| var("LOGNAME"))
            .or_else(|| {
                var("HOME").and_then(|home| {
                    std::path::Path::new(&home)
                        .file_name()
                        .and_then(|n| n.to_str())
                        .map(str::to_owned)
                })
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Actor::Local(name)
    }

    /// The actor as the audit log writes it: `user:NAME`, `partner:ID` or `local:NAME`.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::User { name, .. } => format!("user:{name}"),
            Actor::Partner(id) => format!("partner:{id}"),
            Actor::Local(name) => format!("local:{name}"),
        }
    }

    /// The role the actor's permissions come from (a partner token acts as a partner user;
    /// the local command line as an administrator).
    pub fn role(&self) -> Role {
        match self {
            Actor::User { role, .. } => *role,
            Actor::Partner(_) => Role::Partner,
            Actor::Local(_) => Role::Admin,
        }
    }

    /// The partner CSIRT the actor speaks for, if any.
    pub fn partner(&self) -> Option<&str> {
        match self {
            Actor::User { partner, .. } => partner.as_deref(),
            Actor::Partner(id) => Some(id),
            Actor::Local(_) => None,
        }
    }
}

/// What a use case refuses or fails with. Adapters map each kind to their own shape (the REST
/// API: 422 with a JSON pointer per problem, 404, 409, 403; the CLI: one message per problem).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong: one entry per problem, each naming where. Nothing was stored.
    #[error("{}", Problem::join(.0))]
    Invalid(Vec<Problem>),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The request contradicts what is stored (a duplicate id, a state that does not allow it).
    #[error("{0}")]
    Conflict(String),
    /// The actor's role or partner does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Another system this one depends on failed (a remote hub, the key that seals its
    /// token): the input was fine, trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// Someone asked the running use case to stop (a job cancelled while running): it stopped
    /// before storing anything.
    #[error("{0}")]
    Cancelled(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl Error {
    /// One problem at `pointer` (a JSON pointer into the input, e.g. `/name`).
    pub fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![Problem {
            pointer: pointer.into(),
            message: message.into(),
        }])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem with an input: where (a JSON pointer, or `file:line` for files) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

impl Problem {
    /// One problem as `where: what`; several one per line after their count.
    fn join(problems: &[Problem]) -> String {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.pointer, p.message))
            .collect();
        match lines.as_slice() {
            [one] => one.clone(),
            _ => format!(
                "{} problems, nothing stored:\n{}",
                lines.len(),
                lines.join("\n")
            ),
        }
    }
}

/// A path as parsers write it (`assets[3].strength`, `[0].partner`) as a JSON pointer
/// (`/assets/3/strength`, `/0/partner`), with `~` and `/` escaped.
pub fn json_pointer(path: &str) -> String {
    let mut pointer = String::with_capacity(path.len() + 1);
    for part in path.split(['.', '[']).filter(|p| !p.is_empty()) {
        let part = part.strip_suffix(']').unwrap_or(part);
        pointer.push('/');
        pointer.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}

/// The current UTC time as RFC 3339 to the second: the timestamp of stored records.
pub fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// `at` in UTC as RFC 3339 to the second (`2026-12-06T21:00:00Z`): fixed width, so text order
/// is time order.
pub(crate) fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formatting a UTC time as RFC 3339")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_case_insensitively_and_print_back() {
        for role in Role::ALL {
            assert_eq!(Role::parse(&role.as_str().to_uppercase()), Some(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn paths_become_json_pointers() {
        assert_eq!(json_pointer("assets[3].strength"), "/assets/3/strength");
        assert_eq!(json_pointer("assets[0].tags[2]"), "/assets/0/tags/2");
        assert_eq!(json_pointer("[0].partner"), "/0/partner");
        assert_eq!(json_pointer("a/b~c"), "/a~1b~0c");
    }

    #[test]
    fn actors_name_themselves_for_the_audit_log() {
        let user = Actor::User {
            name: "ana".into(),
            role: Role::Partner,
            partner: Some("cert-fr".into()),
        };
        assert_eq!(user.audit_name(), "user:ana");
        assert_eq!(user.partner(), Some("cert-fr"));
        assert_eq!(Actor::Partner("cert-fr".into()).role(), Role::Partner);
        assert_eq!(Actor::Local("root".into()).role(), Role::Admin);
        assert_eq!(Actor::Local("root".into()).audit_name(), "local:root");
    }
}
