//! Outgoing HTTP: the one way Meridian talks to other servers (remote hubs; the command line's
//! feed downloads use it too).

use std::time::Duration;

/// The time limit of one request, response body included.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts `https://` URLs, and `http://` ones on the loopback interface (local mirrors, tests).
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = lower.strip_prefix("http://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if matches!(host, "127.0.0.1" | "localhost" | "::1") {
            return Ok(());
        }
    }
    Err("use HTTPS (plain HTTP only to the loopback interface)")
}

/// A blocking client for `url` (checked by [`check_url`]) bounded by [`TIMEOUT`]; HTTPS only
/// unless `url` is plain HTTP, and error statuses are answers, not errors.
pub fn agent(url: &str) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .https_only(url.to_ascii_lowercase().starts_with("https://"))
        .user_agent(concat!("meridian/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}
