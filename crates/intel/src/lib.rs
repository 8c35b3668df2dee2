//! Vulnerability intelligence: bytes in, typed values and diagnostics out. Never performs network
//! I/O; fetching feeds is the binary's business.
//!
//! Every parser returns `Ok((value, diagnostics))`, where a [`Diagnostic`] names the JSON path
//! (or CSV line) of a problem that was skipped or tolerated, and `Err(IntelError)` only when the
//! input as a whole is unreadable or fails validation (the error names the path too).
//!
//! - [`kev`]: CISA Known Exploited Vulnerabilities catalog (JSON).
//! - [`cve`]: CVE JSON 5.x records with CISA ADP "vulnrichment" (SSVC, KEV, CPEs).
//! - [`epss`]: FIRST EPSS CSV, with or without the `#model_version` line and header.
//! - [`csaf`]: CSAF 2.0 advisories (security_advisory, VEX and other profiles).
//! - [`sbom`]: CycloneDX 1.2–1.6 JSON and SPDX 2.x JSON into one [`sbom::Sbom`] shape.
//! - [`vex`]: OpenVEX and the common [`vex::VexStatement`].
//! - [`osv`]: OSV records (Go vulnerability database, GitHub advisories, PyPI, Red Hat…), ranges
//!   evaluated in each ecosystem's version order.
//! - [`matching`]: inventory items against an index of affected products, explained findings.
//! - [`ssvc`]: the CISA coordinator decision table, loaded from its CSV.

pub mod csaf;
pub mod cve;
pub mod epss;
pub mod kev;
pub mod matching;
pub mod osv;
pub mod sbom;
pub mod ssvc;
pub mod vex;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A tolerated problem: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// JSON path (`vulnerabilities[12].dueDate`) or `line N` for CSV.
    pub path: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Input that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is refused; `path` locates the first violation.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl IntelError {
    fn invalid(path: impl Into<String>, message: impl Into<String>) -> IntelError {
        IntelError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<Diagnostic> for IntelError {
    fn from(d: Diagnostic) -> IntelError {
        IntelError::Invalid {
            path: d.path,
            message: d.message,
        }
    }
}

/// Parse JSON, tolerating a UTF-8 byte order mark.
fn parse_json(bytes: &[u8]) -> Result<Value, IntelError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(serde_json::from_slice(bytes)?)
}

/// `base` + a relative path from `serde_path_to_error` (`.` means "here").
fn join_path(base: &str, inner: &str) -> String {
    match (base.is_empty(), inner) {
        (_, "." | "") => {
            if base.is_empty() {
                "$".to_owned()
            } else {
                base.to_owned()
            }
        }
        (true, _) => inner.to_owned(),
        (false, i) if i.starts_with('[') => format!("{base}{i}"),
        (false, i) => format!("{base}.{i}"),
    }
}

/// Deserialise `value` as `T`, reporting the JSON path of the first mismatch under `base`.
fn typed<T: DeserializeOwned>(value: Value, base: &str) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = join_path(base, &e.path().to_string());
        Diagnostic::new(path, e.into_inner().to_string())
    })
}

/// The elements of an array, each typed, with bad ones reported (path `base[i]…`) and skipped.
fn typed_records<T: DeserializeOwned>(
    items: Vec<Value>,
    base: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(usize, T)> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match typed(item, &format!("{base}[{i}]")) {
            Ok(t) => out.push((i, t)),
            Err(d) => diags.push(d),
        }
    }
    out
}

/// `YYYY-MM-DD` with a real month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|t| t.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 date-time (`2024-04-12T07:20:00.707Z`, `…+02:00`); also accepted without a zone,
/// as CVE 5 and KEV producers write it.
pub fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let zone_ok = match zone {
        "" | "Z" | "z" => true,
        z => {
            let b = z.as_bytes();
            b.len() == 6
                && b[3] == b':'
                && z[1..3]
                    .bytes()
                    .chain(z[4..].bytes())
                    .all(|c| c.is_ascii_digit())
        }
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    zone_ok
        && parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[0] < "24"
        && parts[1] < "60"
        && parts[2] <= "60"
        && !frac.is_empty()
        && frac.bytes().all(|c| c.is_ascii_digit())
}

/// A point in time that sorts correctly: seconds since 1970-01-01T00:00:00Z and nanoseconds.
pub type Instant = (i64, u32);

/// An RFC 3339 date-time ([`is_date_time`]) as an [`Instant`]. A date-time without a zone is
/// read as UTC. `None` when `s` is not a date-time.
pub fn instant(s: &str) -> Option<Instant> {
    if !is_date_time(s) {
        return None;
    }
    let (date, time) = s.split_once(['T', 't'])?;
    let num = |t: &str| t.parse::<i64>().ok();
    let (y, m, d) = (num(&date[0..4])?, num(&date[5..7])?, num(&date[8..10])?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let offset = match zone.as_bytes().first() {
        Some(b'+' | b'-') => {
            let minutes = num(&zone[1..3])? * 60 + num(&zone[4..6])?;
            if zone.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => 0,
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let (h, mi, sec) = (num(&hms[0..2])?, num(&hms[3..5])?, num(&hms[6..8])?);
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    let nanos = digits.parse::<u32>().ok()?;
    Some((days * 86_400 + h * 3600 + (mi - offset) * 60 + sec, nanos))
}

/// A vulnerability id findings carry: a CVE id ([`is_cve_id`]) or an OSV-style id
/// (`GHSA-xxxx-xxxx-xxxx`, `GO-2022-0123`, `PYSEC-2023-74`, `RHSA-2024:4546`): an uppercase
/// prefix of letters and digits, `-`, then letters, digits, `-`, `_`, `.` or `:`; at most 100
/// characters.
pub fn is_vulnerability_id(s: &str) -> bool {
    let Some((prefix, rest)) = s.split_once('-') else {
        return false;
    };
    s.len() <= 100
        && prefix.starts_with(|c: char| c.is_ascii_uppercase())
        && prefix
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && rest.starts_with(|c: char| c.is_ascii_alphanumeric())
        && rest
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
        && (prefix != "CVE" || is_cve_id(s))
}

/// `CVE-YYYY-NNNN…` (4 to 19 digits), as the KEV and CVE schemas require.
pub fn is_cve_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, num)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|c| c.is_ascii_digit())
        && (4..=19).contains(&num.len())
        && num.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests;
