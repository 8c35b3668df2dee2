//! CISA Known Exploited Vulnerabilities catalog, JSON feed
//! (`cisagov/kev-data:known_exploited_vulnerabilities.json`, schema beside it).
//!
//! Entries with a malformed `cveID`, `dateAdded` or `dueDate`, or a missing required field, are
//! reported and skipped; the catalog's own fields are reported when missing or malformed.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::{Diagnostic, IntelError, is_cve_id, is_date, is_date_time, parse_json, typed_records};

/// The catalog.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KevCatalog {
    pub title: Option<String>,
    pub catalog_version: String,
    pub date_released: String,
    /// As declared by the feed (a diagnostic tells when it differs from the entries found).
    pub count: usize,
    pub vulnerabilities: Vec<KevEntry>,
}

impl KevCatalog {
    /// The entry for a CVE id, if listed (a scan; use [`KevCatalog::by_cve`] for many look-ups).
    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.vulnerabilities.iter().find(|e| e.cve_id == cve)
    }

    /// Entries by CVE id.
    pub fn by_cve(&self) -> HashMap<&str, &KevEntry> {
        self.vulnerabilities
            .iter()
            .map(|e| (e.cve_id.as_str(), e))
            .collect()
    }
}

/// One catalog entry. Dates are checked `YYYY-MM-DD` strings (they sort chronologically).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KevEntry {
    #[serde(rename = "cveID")]
    pub cve_id: String,
    pub vendor_project: String,
    pub product: String,
    pub vulnerability_name: String,
    pub date_added: String,
    pub short_description: String,
    pub required_action: String,
    pub due_date: String,
    /// `Known` or `Unknown`.
    #[serde(default)]
    pub known_ransomware_campaign_use: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub cwes: Vec<String>,
}

impl KevEntry {
    /// Did CISA record use in a ransomware campaign?
    pub fn ransomware(&self) -> bool {
        self.known_ransomware_campaign_use
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("known"))
    }
}

fn string_field(
    root: &serde_json::Map<String, Value>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    match root.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            diags.push(Diagnostic::new(key, "not a string"));
            String::new()
        }
        None => {
            diags.push(Diagnostic::new(key, "missing"));
            String::new()
        }
    }
}

/// Parse the KEV JSON feed.
pub fn parse_kev(bytes: &[u8]) -> Result<(KevCatalog, Vec<Diagnostic>), IntelError> {
    let Value::Object(mut root) = parse_json(bytes)? else {
        return Err(IntelError::invalid("$", "a KEV catalog is a JSON object"));
    };
    let Some(Value::Array(items)) = root.remove("vulnerabilities") else {
        return Err(IntelError::invalid(
            "vulnerabilities",
            "missing or not an array",
        ));
    };
    let mut diags = Vec::new();
    let catalog_version = string_field(&root, "catalogVersion", &mut diags);
    let date_released = string_field(&root, "dateReleased", &mut diags);
    if !date_released.is_empty() && !is_date_time(&date_released) {
        diags.push(Diagnostic::new(
            "dateReleased",
            format!("not a date-time: {date_released:?}"),
        ));
    }
    let title = root.get("title").and_then(Value::as_str).map(str::to_owned);
    let declared = root.get("count").and_then(Value::as_u64);
    if declared.is_none() {
        diags.push(Diagnostic::new(
            "count",
            "missing or not a non-negative integer",
        ));
    }
    let total = items.len();
    let mut vulnerabilities = Vec::with_capacity(total);
    for (i, e) in typed_records::<KevEntry>(items, "vulnerabilities", &mut diags) {
        let at = |field: &str| format!("vulnerabilities[{i}].{field}");
        if !is_cve_id(&e.cve_id) {
            diags.push(Diagnostic::new(
                at("cveID"),
                format!("not a CVE id: {:?}", e.cve_id),
            ));
        } else if !is_date(&e.date_added) {
            diags.push(Diagnostic::new(
                at("dateAdded"),
                format!("not a date: {:?}", e.date_added),
            ));
        } else if !is_date(&e.due_date) {
            diags.push(Diagnostic::new(
                at("dueDate"),
                format!("not a date: {:?}", e.due_date),
            ));
        } else {
            if let Some(c) = e.cwes.iter().position(|c| {
                !c.strip_prefix("CWE-")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }) {
                diags.push(Diagnostic::new(
                    at(&format!("cwes[{c}]")),
                    format!("not a CWE id: {:?}", e.cwes[c]),
                ));
            }
            vulnerabilities.push(e);
        }
    }
    let count = declared.map_or(total, |c| c as usize);
    if declared.is_some() && count != total {
        diags.push(Diagnostic::new(
            "count",
            format!("declares {count} entries, the catalog holds {total}"),
        ));
    }
    Ok((
        KevCatalog {
            title,
            catalog_version,
            date_released,
            count,
            vulnerabilities,
        },
        diags,
    ))
}
