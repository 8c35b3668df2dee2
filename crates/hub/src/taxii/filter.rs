//! The query parameters of the TAXII 2.1 object endpoints (§3.4): `added_after`, `limit`,
//! `next` and `match[id|type|version|spec_version]`.

use store::VersionMatch;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ApiError;

#[derive(Clone, Debug)]
pub struct Filter {
    pub added_after: Option<String>,
    pub limit: usize,
    /// The `seq` after which the page starts.
    pub next: Option<i64>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    /// `match[version]`; `Last` when the request names none (see `versions_given`).
    pub versions: VersionMatch,
    pub versions_given: bool,
    pub spec_versions: Vec<String>,
}

impl Filter {
    /// Parses the raw query string; `max_page` caps `limit` (and is the default).
    pub fn parse(query: Option<&str>, max_page: usize) -> Result<Filter, ApiError> {
        let mut filter = Filter {
            added_after: None,
            limit: max_page,
            next: None,
            ids: Vec::new(),
            types: Vec::new(),
            versions: VersionMatch::Last,
            versions_given: false,
            spec_versions: Vec::new(),
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("the query string is malformed: {e}")))?;
        let mut versions: Vec<String> = Vec::new();
        for (key, value) in pairs {
            let values = || {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            match key.as_str() {
                "added_after" => filter.added_after = Some(timestamp("added_after", &value)?),
                "limit" => {
                    let limit: usize = value.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        ApiError::bad_request(format!("limit: {value:?} is not a positive integer"))
                    })?;
                    filter.limit = limit.min(max_page);
                }
                "next" => {
                    filter.next = Some(value.parse().map_err(|_| {
                        ApiError::bad_request(format!(
                            "next: {value:?} is not a value this server handed out"
                        ))
                    })?);
                }
                // Identifiers compare as STIX defines them: stored in lower case.
                "match[id]" => filter
                    .ids
                    .extend(values().map(|id| id.to_ascii_lowercase())),
                "match[type]" => filter.types.extend(values()),
                "match[version]" => versions.extend(values()),
                "match[spec_version]" => filter.spec_versions.extend(values()),
                _ => {}
            }
        }
        filter.versions_given = !versions.is_empty();
        filter.versions = version_match(versions)?;
        Ok(filter)
    }
}

/// `last` (the default), `all`, or any union of `first`, `last` and exact versions.
fn version_match(values: Vec<String>) -> Result<VersionMatch, ApiError> {
    if values.is_empty() {
        return Ok(VersionMatch::Last);
    }
    if values.iter().any(|v| v == "all") {
        return Ok(VersionMatch::All);
    }
    let (mut first, mut last, mut at) = (false, false, Vec::new());
    for v in values {
        match v.as_str() {
            "first" => first = true,
            "last" => last = true,
            _ => {
                timestamp("match[version]", &v)?;
                at.push(v);
            }
        }
    }
    Ok(match (first, last, at.is_empty()) {
        (false, true, true) => VersionMatch::Last,
        (true, false, true) => VersionMatch::First,
        (false, false, false) => VersionMatch::At(at),
        _ => VersionMatch::Union { first, last, at },
    })
}

/// A TAXII timestamp, normalised to the store's fixed-width form with microseconds, so text
/// order is time order.
pub fn timestamp(field: &str, value: &str) -> Result<String, ApiError> {
    let t = OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
        ApiError::bad_request(format!(
            "{field}: {value:?} is not an RFC 3339 timestamp (2026-01-31T12:00:00.000Z)"
        ))
    })?;
    Ok(micros(t))
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC.
pub fn micros(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}
